/* launch: see launch.h. */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t child_pid;

/* Forwards SIGINT/SIGTERM sent to mfu (kill, a batch system) to the command. A terminal's
 * Ctrl-C (si_code SI_KERNEL) has already reached the whole foreground process group, the
 * command included: forwarding it would deliver it twice. */
static void forward_signal(int sig, siginfo_t *si, void *context) {
  (void)context;
  if (child_pid > 0 && si->si_code != SI_KERNEL) kill(child_pid, sig);
}

/* The shim next to the mfu binary (build tree), else in ../lib (install prefix). */
static int find_shim(const char *cmd, char shim[PATH_MAX]) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) {
    fprintf(stderr, "%s: cannot locate the mfu binary (/proc/self/exe: %s), so not the shim "
                    "either: is /proc mounted?\n", cmd, strerror(errno));
    return -1;
  }
  exe[n] = '\0';
  *strrchr(exe, '/') = '\0'; /* readlink gives an absolute path */
  static const char *const places[] = {"%s/" LAUNCH_SHIM, "%s/../lib/" LAUNCH_SHIM};
  char tried[2][PATH_MAX + 32];
  for (size_t i = 0; i < 2; i++) {
    snprintf(tried[i], sizeof tried[i], places[i], exe);
    if (access(tried[i], R_OK) == 0 && realpath(tried[i], shim)) return 0;
  }
  fprintf(stderr, "%s: the shim " LAUNCH_SHIM " is neither at %s nor at %s: build it with "
                  "`make` (it goes next to build/mfu) or install both with `make install`\n",
          cmd, tried[0], tried[1]);
  return -1;
}

int launch_make_dirs(const char *dir) {
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

/* The length of LD_PRELOAD's first entry where it is a sanitizer's runtime (GCC's libasan or
 * libtsan, clang's libclang_rt), which must stay ahead of every other library; else 0. */
static size_t sanitizer_head(const char *preload) {
  size_t n = strcspn(preload, ": ");
  const char *base = memrchr(preload, '/', n);
  base = base ? base + 1 : preload;
  static const char *const runtimes[] = {"libasan.", "libtsan.", "libclang_rt.asan", "libclang_rt.tsan"};
  for (size_t i = 0; i < sizeof runtimes / sizeof *runtimes; i++)
    if (!strncmp(base, runtimes[i], strlen(runtimes[i]))) return n;
  return 0;
}

int launch_environment(const char *cmd, const char *dir, char abs_dir[PATH_MAX]) {
  char shim[PATH_MAX];
  if (find_shim(cmd, shim)) return 1;
  if (launch_make_dirs(dir) != 0 || !realpath(dir, abs_dir)) {
    fprintf(stderr, "%s: cannot create the trace directory '%s': %s: choose another with "
                    "--trace-dir DIR\n", cmd, dir, strerror(errno));
    return 2;
  }
  const char *old = getenv("LD_PRELOAD");
  if (!old) old = "";
  size_t head = sanitizer_head(old), len = strlen(shim);
  const char *rest = old + head + (head && old[head]); /* past the runtime's separator */
  bool present = !strncmp(rest, shim, len) && (rest[len] == ':' || !rest[len]);
  char *preload;
  if (asprintf(&preload, "%.*s%s%s%s%s", (int)head, old, head ? ":" : "", present ? "" : shim,
               *rest && !present ? ":" : "", rest) < 0) {
    fprintf(stderr, "%s: out of memory\n", cmd);
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

/* Waits for pid; after timeout_s seconds (0: none) sends it SIGTERM, then SIGKILL 10 s later. */
static int wait_for(const char *cmd, const char *what, pid_t pid, double timeout_s, int *status) {
  struct timespec start, now, tick = {0, 20000000};
  clock_gettime(CLOCK_MONOTONIC, &start);
  int sent = 0;
  for (;;) {
    pid_t got = waitpid(pid, status, timeout_s > 0 ? WNOHANG : 0);
    if (got == pid) return 0;
    if (got < 0 && errno != EINTR) {
      fprintf(stderr, "%s: waiting for '%s': %s\n", cmd, what, strerror(errno));
      return -1;
    }
    if (got == 0) {
      clock_gettime(CLOCK_MONOTONIC, &now);
      double s = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
      if (s > timeout_s + 10 * sent && sent < 2) kill(pid, sent++ ? SIGKILL : SIGTERM);
      nanosleep(&tick, NULL);
    }
  }
}

int launch_run(const char *cmd, char **argv, int out_fd, double timeout_s, bool *started) {
  int pipefd[2]; /* the child reports exec's errno through it; it closes on a successful exec */
  if (pipe2(pipefd, O_CLOEXEC) != 0) {
    fprintf(stderr, "%s: pipe: %s\n", cmd, strerror(errno));
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
    fprintf(stderr, "%s: cannot start '%s': fork: %s\n", cmd, argv[0], strerror(errno));
    return 1;
  }
  if (pid == 0) {
    sigaction(SIGINT, &given_int, NULL); /* the command gets the dispositions mfu was given */
    sigaction(SIGTERM, &given_term, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(pipefd[0]);
    if (out_fd >= 0 && (dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)) _exit(126);
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
  if (wait_for(cmd, argv[0], pid, timeout_s, &status) != 0) return 1;
  child_pid = 0;
  *started = got != (ssize_t)sizeof exec_errno;
  if (!*started) {
    bool missing = exec_errno == ENOENT;
    fprintf(stderr, "%s: cannot run '%s': %s%s\n", cmd, argv[0], strerror(exec_errno),
            missing && !strchr(argv[0], '/') ? " (not found in PATH)" : "");
    return missing ? 127 : 126;
  }
  if (!WIFSIGNALED(status)) return WEXITSTATUS(status);
  fprintf(stderr, "%s: '%s' was killed by signal %d (%s)\n", cmd, argv[0], WTERMSIG(status),
          strsignal(WTERMSIG(status)));
  return 128 + WTERMSIG(status);
}

