/* A host program for the shim to live in: it makes cublasSgemm_v2 calls of 2*3*4*2 = 48 FLOPs
 * each, then behaves in one of the ways real training processes do.
 *
 *   host threads T N        T threads x N calls each
 *   host fork N             N calls, fork a child that makes N calls and exits 3, wait for it,
 *                           N more calls; prints what it saw; exits 0
 *   host forks W N          W forked workers, each N calls and exit(0); the parent N calls
 *                           before and after; prints what it saw
 *   host hang N             N calls, prints "ready", then sleeps (for kill -9)
 *   host raise N SIG        N calls, then raise(SIG)
 *   host raise-handled N SIG   a handler for SIG of its own (that counts), N calls, raise(SIG),
 *                           N more calls; prints the count; exits 0. raise-ignored: SIG_IGN
 *   host segv N             N calls, then a write to a page without access (a fault, not
 *                           UB that UBSan would stop at first)
 *   host abort N            N calls, then abort()
 *   host exit N CODE        N calls, then exit(CODE); likewise _exit, _Exit and quick_exit
 *   host thread-exit N CODE  a second thread makes N calls, then exit(CODE); thread-_exit
 *                           the same with _exit
 *   host exec N             N calls, then execv of itself as `host exit 3 4`
 *   host exec-fail N        N calls, an execv of a file that does not exist, N more calls
 *   host handler-exit T CODE [PAUSE_US]   T threads call without end (PAUSE_US apart); a
 *                           SIGALRM 20 ms on runs a handler that calls _exit(CODE), wherever
 *                           the threads are
 *   host steady N FILE      N calls at a steady pace (~20,000/s); after each, the count and
 *                           the CLOCK_MONOTONIC time of every call so far are in FILE (shared
 *                           memory: they survive a kill -9)
 */
#include <cublas_v2.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static cublasHandle_t handle;
static char buf[256];

static int gemm(void) {
  return cublasSgemm_v2(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 3, 4, (float *)buf, (float *)buf, 2,
                        (float *)buf, 4, (float *)buf, (float *)buf, 2) == CUBLAS_STATUS_SUCCESS;
}

static long calls(long n) {
  long ok = 0;
  for (long i = 0; i < n; i++) ok += gemm();
  return ok;
}

static void *thread_main(void *n) {
  calls(*(long *)n);
  return NULL;
}

static long pause_us;
static void *call_forever(void *unused) {
  (void)unused;
  for (;;) {
    gemm();
    if (pause_us) usleep((useconds_t)pause_us);
  }
  return NULL;
}

/* The second thread of thread-exit: N calls, then the end its mode names. */
static long thread_calls;
static int thread_code;
static bool thread_quick;
static void *thread_then_exit(void *unused) {
  (void)unused;
  calls(thread_calls);
  if (thread_quick) _exit(thread_code);
  exit(thread_code);
}

static volatile sig_atomic_t handled;
static void count_signal(int sig) {
  (void)sig;
  handled++;
}

static int handler_code;
static void on_alarm(int sig) {
  (void)sig;
  _exit(handler_code);
}

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* steady: slot 0 of FILE is the count, slot 1 + i the time call i returned. */
static int steady(long n, const char *path) {
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  size_t size = (size_t)(n + 1) * sizeof(uint64_t);
  if (fd < 0 || ftruncate(fd, (off_t)size) != 0) return 2;
  volatile uint64_t *shared = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (shared == MAP_FAILED) return 2;
  uint64_t next = now_ns();
  for (long i = 0; i < n; i++) {
    gemm();
    shared[1 + i] = now_ns();
    shared[0] = (uint64_t)i + 1;
    for (next += 50000; now_ns() < next;) {
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: host MODE ARGS... (see tests/integration/host.c)\n");
    return 2;
  }
  if (cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS) fprintf(stderr, "cublasCreate failed\n");
  const char *mode = argv[1];
  long n = atol(argv[2]);
  int code = argc > 3 ? atoi(argv[3]) : 0;
  if (!strcmp(mode, "threads") && argc == 4) {
    long per = atol(argv[3]);
    pthread_t t[64];
    if (n < 1 || n > 64) return 2;
    for (long i = 0; i < n; i++) pthread_create(&t[i], NULL, thread_main, &per);
    for (long i = 0; i < n; i++) pthread_join(t[i], NULL);
    printf("threads=%ld calls=%ld\n", n, n * per);
    return 0;
  }
  if (!strcmp(mode, "steady") && argc == 4) return steady(n, argv[3]);
  if (!strncmp(mode, "thread-", 7) && argc == 4) {
    thread_calls = n;
    thread_code = code;
    thread_quick = !strcmp(mode, "thread-_exit");
    pthread_t t;
    pthread_create(&t, NULL, thread_then_exit, NULL);
    pthread_join(t, NULL);
    return 99; /* not reached: the thread ends the process */
  }
  if (!strcmp(mode, "handler-exit") && argc >= 4) {
    handler_code = code;
    pause_us = argc > 4 ? atol(argv[4]) : 0;
    signal(SIGALRM, on_alarm);
    pthread_t t;
    for (long i = 0; i < n; i++) pthread_create(&t, NULL, call_forever, NULL);
    setitimer(ITIMER_REAL, &(struct itimerval){.it_value = {.tv_usec = 20000}}, NULL);
    call_forever(NULL);
  }
  if (!strcmp(mode, "forks") && argc == 4) {
    long per = atol(argv[3]), ok = 0;
    calls(per);
    fflush(stdout);
    for (long i = 0; i < n; i++)
      if (fork() == 0) exit(calls(per) == per ? 0 : 1);
    for (int status; wait(&status) > 0;) ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    calls(per);
    printf("%ld of %ld workers made %ld calls\n", ok, n, per);
    return 0;
  }
  if (!strncmp(mode, "raise-", 6) && argc == 4) {
    signal(code, !strcmp(mode, "raise-ignored") ? SIG_IGN : count_signal);
    calls(n);
    raise(code);
    calls(n);
    printf("signal %d handled %d times\n", code, (int)handled);
    return 0;
  }
  calls(n);
  if (!strcmp(mode, "fork")) {
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
      printf("child made %ld successful calls\n", calls(n));
      exit(3);
    }
    int status = 0;
    waitpid(child, &status, 0);
    printf("parent saw child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    printf("parent made %ld successful calls\n", calls(n));
    return 0;
  }
  if (!strcmp(mode, "hang")) {
    printf("ready\n");
    fflush(stdout);
    for (;;) pause();
  }
  if (!strcmp(mode, "raise") && argc == 4) raise(code);
  if (!strcmp(mode, "segv")) {
    volatile int *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page != MAP_FAILED) *page = 1;
  }
  if (!strcmp(mode, "abort")) abort();
  if (argc == 4) {
    if (!strcmp(mode, "exit")) exit(code);
    if (!strcmp(mode, "_exit")) _exit(code);
    if (!strcmp(mode, "_Exit")) _Exit(code);
    if (!strcmp(mode, "quick_exit")) quick_exit(code);
  }
  if (!strcmp(mode, "exec")) {
    execv(argv[0], (char *[]){argv[0], "exit", "3", "4", NULL});
    return 1;
  }
  if (!strcmp(mode, "exec-fail")) {
    int r = execv("/nonexistent/host", (char *[]){"host", NULL});
    printf("execv returned %d (%s)\n", r, strerror(errno));
    calls(n);
    return 0;
  }
  fprintf(stderr, "host: unknown mode or arguments\n");
  return 2;
}
