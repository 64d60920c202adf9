/* A host program for the shim to live in: it makes cublasSgemm_v2 calls of 2*3*4*2 = 48 FLOPs
 * each, then behaves in one of the ways real training processes do.
 *
 *   host threads T N      T threads x N calls each
 *   host fork N           N calls, fork a child that makes N calls and exits 3, wait for it,
 *                         N more calls; prints what it saw; exits 0
 *   host hang N           N calls, prints "ready", then sleeps (for kill -9)
 *   host sigterm N        N calls, then raise(SIGTERM)
 *   host segv N           N calls, then a write through a null pointer
 *   host exit N CODE      N calls, then exit(CODE)
 */
#include <cublas_v2.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static cublasHandle_t handle;
static char buf[256];

static long calls(long n) {
  long ok = 0;
  for (long i = 0; i < n; i++)
    ok += cublasSgemm_v2(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 3, 4, (float *)buf, (float *)buf, 2,
                         (float *)buf, 4, (float *)buf, (float *)buf, 2) == CUBLAS_STATUS_SUCCESS;
  return ok;
}

static void *thread_main(void *n) {
  calls(*(long *)n);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: host threads|fork|hang|sigterm|segv|exit ARGS...\n");
    return 2;
  }
  if (cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS) fprintf(stderr, "cublasCreate failed\n");
  const char *mode = argv[1];
  long n = atol(argv[2]);
  if (!strcmp(mode, "threads") && argc == 4) {
    long per = atol(argv[3]);
    pthread_t t[64];
    if (n < 1 || n > 64) return 2;
    for (long i = 0; i < n; i++) pthread_create(&t[i], NULL, thread_main, &per);
    for (long i = 0; i < n; i++) pthread_join(t[i], NULL);
    printf("threads=%ld calls=%ld\n", n, n * per);
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
  if (!strcmp(mode, "sigterm")) raise(SIGTERM);
  if (!strcmp(mode, "segv")) {
    volatile int *null = (volatile int *)(uintptr_t)(argc - argc); /* opaque to the compiler */
    *null = 1;
  }
  if (!strcmp(mode, "exit") && argc == 4) exit(atoi(argv[3]));
  fprintf(stderr, "host: unknown mode or arguments\n");
  return 2;
}
