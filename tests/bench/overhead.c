/* Cost the shim adds to an intercepted call. Run with the shim preloaded and the cuBLAS double
 * behind it (tests/bench/run.sh does). In one process it times, per call:
 *
 *   direct  the double's cublasSgemm_v2, reached through its own handle (bypassing the shim)
 *   shim    cublasSgemm_v2 as the program sees it: the shim's wrapper, then the double
 *   floor   what any tracer must pay: two CLOCK_MONOTONIC reads and one 128-byte record store
 *
 * Each sample is the mean over a batch of calls; the table gives the median and p99 of the
 * samples, single-threaded and with 8 threads. added = shim - direct. Samples are paced
 * (a pause after each) so that the trace is written at a rate a real job could produce
 * (a few million calls per second); unpaced, p99 measures the disk instead. */
#include <cublas_v2.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mfu/trace.h"

enum { BATCH = 256, SAMPLES = 2000, THREADS = 8 };

typedef cublasStatus_t (*sgemm_fn)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int,
                                   int, const float *, const float *, int, const float *, int,
                                   const float *, float *, int);
static sgemm_fn direct, shimmed;
static cublasHandle_t handle;
static float buf[64];

static uint64_t now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double sample_call(sgemm_fn f) {
  uint64_t t0 = now();
  for (int i = 0; i < BATCH; i++)
    f(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 3, 4, buf, buf, 2, buf, 4, buf, buf, 2);
  return (double)(now() - t0) / BATCH;
}

static double sample_floor(struct mfu_record *ring, unsigned *pos) {
  uint64_t t0 = now();
  for (int i = 0; i < BATCH; i++) {
    struct mfu_record *r = &ring[(*pos)++ & 4095];
    uint64_t a = now(), b = now();
    *r = (struct mfu_record){.kind = MFU_REC_GEMM, .api = 1, .tid = 1, .t_start_ns = a,
                             .t_end_ns = b, .flops = 48,
                             .u.gemm = {.m = 2, .n = 3, .k = 4, .batch = 1, .groups = 1}};
    __asm__ volatile("" ::"r"(r) : "memory"); /* the store must happen */
  }
  return (double)(now() - t0) / BATCH;
}

struct samples { double direct[SAMPLES], shim[SAMPLES], floor[SAMPLES]; };

static void *measure(void *arg) {
  struct samples *s = arg;
  struct mfu_record *ring = calloc(4096, sizeof *ring);
  unsigned pos = 0;
  for (int i = 0; i < SAMPLES; i++) { /* interleaved, so drift hits all three alike */
    s->direct[i] = sample_call(direct);
    s->shim[i] = sample_call(shimmed);
    s->floor[i] = sample_floor(ring, &pos);
    nanosleep(&(struct timespec){0, 1000000}, NULL);
  }
  free(ring);
  return NULL;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
static double pct(double *v, size_t n, double p) {
  qsort(v, n, sizeof *v, cmp);
  return v[(size_t)(p * (double)(n - 1))];
}

static void run(int threads) {
  struct samples *s = calloc((size_t)threads, sizeof *s);
  pthread_t t[THREADS];
  for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, measure, &s[i]);
  for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
  size_t n = (size_t)threads * SAMPLES;
  double *d = malloc(n * sizeof *d), *h = malloc(n * sizeof *h), *f = malloc(n * sizeof *f);
  for (int i = 0; i < threads; i++) {
    memcpy(d + (size_t)i * SAMPLES, s[i].direct, sizeof s[i].direct);
    memcpy(h + (size_t)i * SAMPLES, s[i].shim, sizeof s[i].shim);
    memcpy(f + (size_t)i * SAMPLES, s[i].floor, sizeof s[i].floor);
  }
  double d50 = pct(d, n, .5), d99 = pct(d, n, .99), h50 = pct(h, n, .5), h99 = pct(h, n, .99);
  double f50 = pct(f, n, .5), f99 = pct(f, n, .99);
  printf("%-9d %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %8.2f\n", threads, d50, d99, h50,
         h99, h50 - d50, h99 - d99, f50, f99, (h50 - d50) / f50);
  free(d), free(h), free(f), free(s);
}

int main(void) {
  void *lib = dlopen("libcublas.so.13", RTLD_NOLOAD | RTLD_LAZY);
  direct = lib ? (sgemm_fn)dlsym(lib, "cublasSgemm_v2") : NULL;
  shimmed = (sgemm_fn)dlsym(RTLD_DEFAULT, "cublasSgemm_v2");
  if (!direct || !shimmed || direct == shimmed || cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS) {
    fprintf(stderr, "bench: run me with LD_PRELOAD=libmfushim.so and the cuBLAS double "
                    "(tests/bench/run.sh)\n");
    return 1;
  }
  printf("ns per call (median/p99 of %d-call means; added = shim - direct; ratio = added/floor)\n",
         BATCH);
  printf("%-9s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n", "threads", "dir.p50", "dir.p99", "shim.p50",
         "shim.p99", "add.p50", "add.p99", "flr.p50", "flr.p99", "ratio");
  run(1);
  run(THREADS);
  return 0;
}
