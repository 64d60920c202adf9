/* Unit tests of the job id the shim gives a process (shim/config.c): the user's, else the
 * launcher's (torchrun, Slurm with its step, Open MPI), never torchrun's shared "none", else
 * the parent's pid, and the process's own pid once its parent is init. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"

static const char *const vars[] = {"MFU_JOB_ID", "TORCHELASTIC_RUN_ID", "SLURM_JOB_ID",
                                   "SLURM_STEP_ID", "OMPI_MCA_orte_ess_jobid",
                                   "OMPI_MCA_ess_base_jobid", "PMIX_NAMESPACE", "MASTER_ADDR",
                                   "MASTER_PORT", NULL};

/* The job id with exactly these variables set (NAME=VALUE, ..., NULL). */
static const char *job_id(const char *first, ...) {
  static struct mfu_file_header h;
  for (const char *const *v = vars; *v; v++) unsetenv(*v);
  va_list ap;
  va_start(ap, first);
  for (const char *a = first; a; a = va_arg(ap, const char *)) putenv((char *)a);
  va_end(ap);
  memset(&h, 0, sizeof h);
  mfu_identity_fill(&h);
  return h.job_id;
}

static void test_launchers(void **state) {
  (void)state;
  char want[64];
  assert_string_equal(job_id("MFU_JOB_ID=mine", "TORCHELASTIC_RUN_ID=abc", NULL), "mine");
  assert_string_equal(job_id("TORCHELASTIC_RUN_ID=abc", "SLURM_JOB_ID=77", NULL), "abc");
  assert_string_equal(job_id("SLURM_JOB_ID=77", "SLURM_STEP_ID=3", NULL), "77.3");
  assert_string_equal(job_id("SLURM_JOB_ID=77", NULL), "77");
  assert_string_equal(job_id("PMIX_NAMESPACE=prterun-vm-1234@1", NULL), "prterun-vm-1234@1");
  assert_string_equal(job_id("OMPI_MCA_ess_base_jobid=3735552001", NULL), "3735552001");
  /* torchrun without --rdzv-id: "none" is every such job's; the rendezvous endpoint is this
   * launch's (every node's agent meets there), and a Slurm step wins over it. */
  assert_string_equal(job_id("TORCHELASTIC_RUN_ID=none", "MASTER_ADDR=node7", "MASTER_PORT=29500",
                             NULL), "torchrun-node7-29500");
  assert_string_equal(job_id("TORCHELASTIC_RUN_ID=none", "SLURM_JOB_ID=77", "SLURM_STEP_ID=0",
                             "MASTER_ADDR=node7", "MASTER_PORT=29500", NULL), "77.0");
  snprintf(want, sizeof want, "ppid%d", (int)getppid());
  assert_string_equal(job_id("TORCHELASTIC_RUN_ID=none", NULL), want);
  assert_string_equal(job_id("MFU_JOB_ID=", NULL), want);
  assert_string_equal(job_id(NULL), want);
}

/* A process whose parent has exited is reparented to init (or to a subreaper): with init as
 * its parent, it shares it with every such process, so its own pid is its job. */
static void test_reparented(void **state) {
  (void)state;
  int fd[2];
  assert_int_equal(pipe(fd), 0);
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    pid_t grandchild = fork();
    if (grandchild != 0) _exit(0); /* the grandchild's parent exits */
    pid_t parent = getppid();
    for (int i = 0; i < 2000 && getppid() == parent; i++) usleep(1000);
    char line[160];
    snprintf(line, sizeof line, "%d %d %s\n", (int)getpid(), (int)getppid(), job_id(NULL));
    if (write(fd[1], line, strlen(line)) < 0) _exit(1);
    _exit(0);
  }
  close(fd[1]);
  waitpid(child, NULL, 0);
  char line[160] = "";
  ssize_t n = read(fd[0], line, sizeof line - 1);
  close(fd[0]);
  assert_true(n > 0);
  int pid, ppid;
  char id[64];
  assert_int_equal(sscanf(line, "%d %d %63s", &pid, &ppid, id), 3);
  char want[64];
  if (ppid == 1)
    snprintf(want, sizeof want, "pid%d", pid);
  else /* a subreaper took it: it is the parent that counts */
    snprintf(want, sizeof want, "ppid%d", ppid);
  assert_string_equal(id, want);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_launchers),
      cmocka_unit_test(test_reparented),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
