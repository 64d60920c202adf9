/* What the shim costs an intercepted call. Run with the shim preloaded and the benchmark's
 * lock-free double behind it (tests/bench/double.c; tests/bench/run.sh sets both up).
 *
 *   overhead latency     in one process, interleaved: each call of the double's cublasSgemm_v2
 *                        reached directly (through its own handle, bypassing the shim) and
 *                        through the shim's wrapper, timed one by one with rdtsc; the same for
 *                        ncclAllReduce; and the floor any tracer pays per call, on each clock:
 *                        two timestamps and one record store. Calls come in batches of 256
 *                        with a pause after each, as a real job's do. Medians are of the
 *                        batches' means (a TSC read takes ~10 ns here, which quantizes single
 *                        calls' times), p99s of the single calls. Prints `bench:` lines.
 *   overhead loop N gemm|nccl
 *                        N calls back to back through the PLT (as a program makes them), then
 *                        `ns_per_call X`: for the shim's CPU cost and for other tracers.
 *
 * "added" is the shim's figure minus the direct one at the same percentile. */
#include <cublas_v2.h>
#include <dlfcn.h>
#include <nccl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "mfu/trace.h"

enum { BATCH = 256, SAMPLES = 1000, THREADS = 8, RING = 4096 };

typedef cublasStatus_t (*sgemm_fn)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int,
                                   int, const float *, const float *, int, const float *, int,
                                   const float *, float *, int);
typedef ncclResult_t (*allreduce_fn)(const void *, void *, size_t, ncclDataType_t, ncclRedOp_t,
                                     ncclComm_t, cudaStream_t);
static cublasHandle_t handle;
static ncclComm_t comm = (ncclComm_t)(uintptr_t)0x1000; /* the double never looks at it */
static float buf[64];
static double ns_per_tick;

static uint64_t monotonic_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void calibrate_tsc(void) {
  uint64_t t0 = monotonic_ns(CLOCK_MONOTONIC), c0 = __rdtsc();
  nanosleep(&(struct timespec){0, 100000000}, NULL);
  uint64_t t1 = monotonic_ns(CLOCK_MONOTONIC), c1 = __rdtsc();
  ns_per_tick = (double)(t1 - t0) / (double)(c1 - c0);
}

static inline void call(void *fn, bool nccl) {
  if (nccl)
    ((allreduce_fn)fn)(buf, buf, 16, ncclFloat32, ncclSum, comm, 0);
  else
    ((sgemm_fn)fn)(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 3, 4, buf, buf, 2, buf, 4, buf, buf, 2);
}

/* BATCH calls of fn, each timed, into out (ticks). */
static void time_calls(void *fn, bool nccl, uint32_t *out) {
  for (int i = 0; i < BATCH; i++) {
    uint64_t a = __rdtsc();
    call(fn, nccl);
    out[i] = (uint32_t)(__rdtsc() - a);
  }
}

/* --- floors: two timestamps and a record store, per clock */
enum clock_kind { CLK_RDTSC, CLK_RDTSCP, CLK_MONOTONIC, CLK_MONOTONIC_RAW, CLOCKS };
static const char *const clock_key[CLOCKS] = {"rdtsc", "rdtscp", "monotonic", "monotonic_raw"};

static inline uint64_t read_clock(enum clock_kind k) {
  unsigned aux;
  switch (k) {
  case CLK_RDTSC: return __rdtsc();
  case CLK_RDTSCP: return __rdtscp(&aux);
  case CLK_MONOTONIC: return monotonic_ns(CLOCK_MONOTONIC);
  default: return monotonic_ns(CLOCK_MONOTONIC_RAW);
  }
}

/* Mean ticks per iteration over a batch: two timestamps, then a record stored into a ring as
 * the shim stores one. */
static double floor_batch(enum clock_kind k, struct mfu_record *ring, unsigned *pos) {
  uint64_t t0 = __rdtsc();
  for (int i = 0; i < BATCH; i++) {
    uint64_t a = read_clock(k), b = read_clock(k);
    struct mfu_record *r = &ring[(*pos)++ & (RING - 1)];
    r->kind = MFU_REC_GEMM, r->api = 1, r->status = 0, r->tid = 1, r->flags = 0;
    r->t_start_ns = a, r->t_end_ns = b, r->stream = 0, r->correlation = 0, r->flops = 48;
    r->u.gemm = (struct mfu_gemm){.m = 2, .n = 3, .k = 4, .batch = 1, .groups = 1};
    __asm__ volatile("" ::"r"(r) : "memory"); /* the store must happen */
  }
  return (double)(__rdtsc() - t0) / BATCH;
}

struct samples {
  int n; /* batches */
  bool nccl, floors;
  void *direct, *shim;
  uint32_t *d, *h;           /* per-call ticks, n * BATCH each */
  double *floor[CLOCKS];     /* per-batch means, n each */
};

static void *measure(void *arg) {
  struct samples *s = arg;
  struct mfu_record *ring = calloc(RING, sizeof *ring);
  unsigned pos = 0;
  for (int i = 0; i < s->n; i++) { /* interleaved, so that drift hits all alike */
    time_calls(s->direct, s->nccl, s->d + (size_t)i * BATCH);
    time_calls(s->shim, s->nccl, s->h + (size_t)i * BATCH);
    for (int k = 0; s->floors && k < CLOCKS; k++) s->floor[k][i] = floor_batch(k, ring, &pos);
    nanosleep(&(struct timespec){0, 1000000}, NULL);
  }
  free(ring);
  return NULL;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}
static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
/* Percentile p of sorted v, in ns. */
static double pct_u32(const uint32_t *v, size_t n, double p) {
  return v[(size_t)(p * (double)(n - 1))] * ns_per_tick;
}

struct result { double d50, d99, h50, h99; };

/* `threads` threads each time `batches` batches; the pooled per-call percentiles. */
static struct result run(int threads, int batches, bool nccl, void *direct, void *shim,
                         double floor_ns[CLOCKS]) {
  struct samples s[THREADS];
  pthread_t t[THREADS];
  size_t per = (size_t)batches * BATCH, n = per * (size_t)threads;
  uint32_t *d = malloc(n * sizeof *d), *h = malloc(n * sizeof *h);
  for (int i = 0; i < threads; i++) {
    s[i] = (struct samples){.n = batches, .nccl = nccl, .floors = floor_ns != NULL,
                            .direct = direct, .shim = shim, .d = d + per * i, .h = h + per * i};
    for (int k = 0; k < CLOCKS; k++) s[i].floor[k] = calloc((size_t)batches, sizeof(double));
    pthread_create(&t[i], NULL, measure, &s[i]);
  }
  for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
  size_t nb = n / BATCH;
  double *dm = malloc(nb * sizeof *dm), *hm = malloc(nb * sizeof *hm);
  for (size_t b = 0; b < nb; b++) {
    uint64_t ds = 0, hs = 0;
    for (size_t i = b * BATCH; i < (b + 1) * BATCH; i++) ds += d[i], hs += h[i];
    dm[b] = (double)ds / BATCH, hm[b] = (double)hs / BATCH;
  }
  qsort(dm, nb, sizeof *dm, cmp_double);
  qsort(hm, nb, sizeof *hm, cmp_double);
  qsort(d, n, sizeof *d, cmp_u32);
  qsort(h, n, sizeof *h, cmp_u32);
  struct result r = {dm[nb / 2] * ns_per_tick, pct_u32(d, n, .99), hm[nb / 2] * ns_per_tick,
                     pct_u32(h, n, .99)};
  free(dm), free(hm);
  for (int k = 0; floor_ns && k < CLOCKS; k++) {
    qsort(s[0].floor[k], (size_t)batches, sizeof(double), cmp_double);
    floor_ns[k] = s[0].floor[k][batches / 2] * ns_per_tick;
  }
  for (int i = 0; i < threads; i++)
    for (int k = 0; k < CLOCKS; k++) free(s[i].floor[k]);
  free(d), free(h);
  return r;
}

static void bench_line(const char *name, double value, const char *unit, const char *what) {
  printf("bench: %s %.2f %s  # %s\n", name, value, unit, what);
}

static int latency(void) {
  void *lib = dlopen("libbench_double.so", RTLD_NOLOAD | RTLD_LAZY);
  void *direct = lib ? dlsym(lib, "cublasSgemm_v2") : NULL;
  void *shim = dlsym(RTLD_DEFAULT, "cublasSgemm_v2");
  void *nccl_direct = lib ? dlsym(lib, "pncclAllReduce") : NULL;
  void *nccl_shim = dlsym(RTLD_DEFAULT, "ncclAllReduce");
  if (!direct || !shim || direct == shim || nccl_direct == nccl_shim) {
    fprintf(stderr, "overhead: run me with LD_PRELOAD=libmfushim.so and the benchmark's double "
                    "(tests/bench/run.sh)\n");
    return 1;
  }
  double floor_ns[CLOCKS];
  struct result one = run(1, SAMPLES, false, direct, shim, floor_ns);
  struct result eight = run(THREADS, SAMPLES / 2, false, direct, shim, NULL);
  struct result nccl = run(1, SAMPLES / 2, true, nccl_direct, nccl_shim, NULL);
  for (int k = 0; k < CLOCKS; k++) {
    char name[64];
    snprintf(name, sizeof name, "clock_floor_%s_ns", clock_key[k]);
    bench_line(name, floor_ns[k], "ns", "two timestamps and a record store, on this clock");
  }
  bench_line("direct_ns_per_call_median", one.d50, "ns", "the double's cublasSgemm_v2, direct");
  bench_line("shim_ns_per_call_median", one.h50 - one.d50, "ns", "added by the shim, 1 thread");
  bench_line("shim_ns_per_call_p99", one.h99 - one.d99, "ns", "added by the shim, 1 thread");
  bench_line("shim_ns_per_call_median_8t", eight.h50 - eight.d50, "ns",
             "added by the shim, 8 threads on these cores");
  bench_line("shim_ns_per_call_p99_8t", eight.h99 - eight.d99, "ns",
             "added by the shim, 8 threads on these cores");
  bench_line("nccl_ns_per_call_median", nccl.h50 - nccl.d50, "ns",
             "added by the shim to ncclAllReduce, 1 thread");
  return 0;
}

static int loop(long n, bool nccl) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++)
    if (nccl)
      ncclAllReduce(buf, buf, 16, ncclFloat32, ncclSum, comm, 0);
    else
      cublasSgemm_v2(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 3, 4, buf, buf, 2, buf, 4, buf, buf, 2);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
  printf("ns_per_call %.2f\n", ns / (double)n);
  return 0;
}

int main(int argc, char **argv) {
  if (cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS) return 1;
  if (argc == 2 && !strcmp(argv[1], "latency")) {
    calibrate_tsc();
    return latency();
  }
  if (argc == 4 && !strcmp(argv[1], "loop"))
    return loop(atol(argv[2]), !strcmp(argv[3], "nccl"));
  fprintf(stderr, "usage: overhead latency | overhead loop N gemm|nccl\n");
  return 2;
}
