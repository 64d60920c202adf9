/* run: `mfu run [--trace-dir D] [--json] -- CMD [ARGS...]` runs CMD with the shim preloaded and
 * its traces directed to D, passes CMD's exit status through, then summarizes the traces this
 * run wrote. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "job/trace_files.h"

#define SHIM_NAME "libmfushim.so"
#define SUMMARY_ROWS 8 /* per table: the summary fits one screen */

static volatile sig_atomic_t child_pid;

/* Forwards SIGINT/SIGTERM sent to mfu (kill, a batch system) to the command. A terminal's
 * Ctrl-C (si_code SI_KERNEL) has already reached the whole foreground process group, the
 * command included: forwarding it would deliver it twice. */
static void forward_signal(int sig, siginfo_t *si, void *context) {
  (void)context;
  if (child_pid > 0 && si->si_code != SI_KERNEL) kill(child_pid, sig);
}

/* The shim next to the mfu binary (build tree), else in ../lib (install prefix). */
static int find_shim(char shim[PATH_MAX]) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) {
    fprintf(stderr, "mfu run: cannot locate the mfu binary (/proc/self/exe: %s), so not the shim "
                    "either: is /proc mounted?\n", strerror(errno));
    return -1;
  }
  exe[n] = '\0';
  *strrchr(exe, '/') = '\0'; /* readlink gives an absolute path */
  static const char *const places[] = {"%s/" SHIM_NAME, "%s/../lib/" SHIM_NAME};
  char tried[2][PATH_MAX + 32];
  for (size_t i = 0; i < 2; i++) {
    snprintf(tried[i], sizeof tried[i], places[i], exe);
    if (access(tried[i], R_OK) == 0 && realpath(tried[i], shim)) return 0;
  }
  fprintf(stderr, "mfu run: the shim " SHIM_NAME " is neither at %s nor at %s: build it with "
                  "`make` (it goes next to build/mfu) or install both with `make install`\n",
          tried[0], tried[1]);
  return -1;
}

/* mkdir -p */
static int make_dirs(const char *dir) {
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  for (char *p = path + 1;; p++) {
    if (*p != '/' && *p) continue;
    char c = *p;
    *p = '\0';
    if (mkdir(path, 0777) != 0 && errno != EEXIST) return -1;
    if (!c) break;
    *p = c;
  }
  struct stat st;
  if (stat(dir, &st) != 0) return -1;
  if (!S_ISDIR(st.st_mode)) {
    errno = ENOTDIR;
    return -1;
  }
  return 0;
}

/* Prepares the environment CMD inherits: MFU_TRACE_DIR (absolute, so that a command that
 * changes directory still writes there), the shim first in LD_PRELOAD, and the shim as NVTX's
 * injection library unless one is set. */
static int set_environment(const char *dir, char abs_dir[PATH_MAX]) {
  char shim[PATH_MAX];
  if (find_shim(shim)) return 1;
  if (make_dirs(dir) != 0 || !realpath(dir, abs_dir)) {
    fprintf(stderr, "mfu run: cannot create the trace directory '%s': %s: choose another with "
                    "--trace-dir DIR\n", dir, strerror(errno));
    return 2;
  }
  const char *old = getenv("LD_PRELOAD");
  char *preload;
  if (asprintf(&preload, "%s%s%s", shim, old && *old ? ":" : "", old ? old : "") < 0) {
    fputs("mfu run: out of memory\n", stderr);
    return 1;
  }
  setenv("MFU_TRACE_DIR", abs_dir, 1);
  setenv("LD_PRELOAD", preload, 1);
  /* NVTX ranges reach the shim through NVTX's injection interface (shim/markers.c), unless
   * another tool (Nsight) is already injected. */
  setenv("NVTX_INJECTION64_PATH", shim, 0);
  free(preload);
  return 0;
}

/* Runs argv; returns its exit status as a shell would (128 + signal number if a signal killed
 * it; 127 not found, 126 not executable). *started says whether it ran at all. */
static int run_command(char **argv, bool *started) {
  int pipefd[2]; /* the child reports exec's errno through it; it closes on a successful exec */
  if (pipe2(pipefd, O_CLOEXEC) != 0) {
    fprintf(stderr, "mfu run: pipe: %s\n", strerror(errno));
    return 1;
  }
  struct sigaction sa = {.sa_sigaction = forward_signal, .sa_flags = SA_SIGINFO | SA_RESTART};
  struct sigaction given_int, given_term;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &given_int);
  sigaction(SIGTERM, &sa, &given_term);
  /* Held from before fork until child_pid is known, so none is lost in between. */
  sigset_t forwarded, old;
  sigemptyset(&forwarded);
  sigaddset(&forwarded, SIGINT);
  sigaddset(&forwarded, SIGTERM);
  sigprocmask(SIG_BLOCK, &forwarded, &old);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    fprintf(stderr, "mfu run: cannot start '%s': fork: %s\n", argv[0], strerror(errno));
    return 1;
  }
  if (pid == 0) {
    sigaction(SIGINT, &given_int, NULL); /* the command gets the dispositions mfu was given */
    sigaction(SIGTERM, &given_term, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(pipefd[0]);
    execvp(argv[0], argv);
    int e = errno;
    if (write(pipefd[1], &e, sizeof e) < 0) {} /* nothing more to do if this fails */
    _exit(127);
  }
  child_pid = pid;
  sigprocmask(SIG_SETMASK, &old, NULL);
  close(pipefd[1]);
  int exec_errno = 0;
  ssize_t got;
  while ((got = read(pipefd[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {}
  close(pipefd[0]);
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) {
      fprintf(stderr, "mfu run: waiting for '%s': %s\n", argv[0], strerror(errno));
      return 1;
    }
  child_pid = 0;
  *started = got != (ssize_t)sizeof exec_errno;
  if (!*started) {
    bool missing = exec_errno == ENOENT;
    fprintf(stderr, "mfu run: cannot run '%s': %s%s\n", argv[0], strerror(exec_errno),
            missing && !strchr(argv[0], '/') ? " (not found in PATH)" : "");
    return missing ? 127 : 126;
  }
  if (!WIFSIGNALED(status)) return WEXITSTATUS(status);
  fprintf(stderr, "mfu run: '%s' was killed by signal %d (%s)\n", argv[0], WTERMSIG(status),
          strsignal(WTERMSIG(status)));
  return 128 + WTERMSIG(status);
}

static void summarize(const char *dir, const struct mfu_strings *before, bool json) {
  struct mfu_traces t;
  char err[1024];
  int found = mfu_traces_load(&t, dir, before, NULL, err, sizeof err);
  if (found == 1) {
    fprintf(stderr,
            "mfu run: the command wrote no trace to %s. Possible reasons: it made no cuBLAS, "
            "cuBLASLt or NCCL call; it links them statically or loads them with RTLD_DEEPBIND, "
            "which a preloaded library cannot interpose; it cleared LD_PRELOAD or MFU_TRACE_DIR "
            "for the processes doing the work; or the shim could not write there (see the "
            "mfushim: messages above).\n", dir);
  } else if (found < 0) {
    fprintf(stderr, "mfu run: %s\n", err);
  } else {
    struct report_options o = {.max_rows = SUMMARY_ROWS, .top = REPORT_TOP_ROWS};
    fprintf(stderr, "\nmfu run: the traces of this run are in %s\n", dir);
    if (cli_report(json ? stdout : stderr, dir, &t, &o, json) == 0)
      fprintf(stderr, "\nfull report: mfu report %s%s\n", dir, t.njobs > 1 ? " --job ID" : "");
  }
  mfu_traces_free(&t);
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: mfu run [--trace-dir DIR] [--json] [--] CMD [ARGS...]\n"
          "\n"
          "Runs CMD with the shim (" SHIM_NAME ", found next to mfu or in ../lib) preloaded, so\n"
          "that every cuBLAS/cuBLASLt GEMM and NCCL call of CMD and of its child processes is\n"
          "traced, then prints where the traces are and a summary of this run's traces on\n"
          "stderr.\n"
          "\n"
          "  --trace-dir DIR  where the traces go (default: $MFU_TRACE_DIR, else ./mfu-traces);\n"
          "                   created if needed\n"
          "  --json           the summary as JSON on stdout (after CMD's own output)\n"
          "\n"
          "Exit status: CMD's (128 + N if signal N killed it; 127 if it cannot be found), or 1\n"
          "or 2 when mfu could not start it. SIGINT and SIGTERM are forwarded to CMD.\n");
}

int cmd_run(int argc, char **argv) {
  const char *dir = getenv("MFU_TRACE_DIR");
  bool json = false;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      i++;
      break;
    } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--json")) {
      json = true;
    } else if (!strcmp(a, "--trace-dir")) {
      if (++i == argc) {
        fprintf(stderr, "mfu run: --trace-dir needs a directory\n");
        return 2;
      }
      dir = argv[i];
    } else if (!strncmp(a, "--trace-dir=", 12)) {
      dir = a + 12;
    } else {
      fprintf(stderr, "mfu run: unknown option '%s' (options go before --, see mfu run --help)\n",
              a);
      return 2;
    }
  }
  if (i == argc) {
    fprintf(stderr, "mfu run: no command given: mfu run [--trace-dir DIR] -- CMD [ARGS...]\n");
    return 2;
  }
  if (!dir || !*dir) dir = "mfu-traces";

  char abs_dir[PATH_MAX], err[1024];
  int failed = set_environment(dir, abs_dir);
  if (failed) return failed;
  /* Files already there belong to earlier runs: the summary leaves them out. */
  struct mfu_strings before = {0};
  if (trace_files_find(abs_dir, &before, NULL, err, sizeof err) != 0)
    fprintf(stderr, "mfu run: %s\n", err);
  bool started = false;
  int status = run_command(argv + i, &started);
  if (started) summarize(abs_dir, &before, json);
  mfu_strings_free(&before);
  return status;
}
