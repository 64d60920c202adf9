/* Shared by the test doubles: the status every intercepted call returns, and the way to the
 * fake GPU (fake_gpu.h).
 * MFU_DOUBLE_STATUS=N makes every GEMM (and NCCL operation) of the doubles return N, so that
 * tests can exercise failed calls without the real library. A failed call launches nothing. */
#ifndef MFU_DOUBLES_H
#define MFU_DOUBLES_H

#include <dlfcn.h>
#include <link.h>
#include <stddef.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fake_gpu.h"
#include "mfu/precision.h"

/* The CUDA release the doubles stand for: 13, or 12 for a CUDA 12 stack (make CUDA_STACK=12
 * builds them with the sonames libcudart.so.12, libcublas.so.12, libcublasLt.so.12). */
#ifndef MFU_DOUBLE_CUDA
#define MFU_DOUBLE_CUDA 13
#endif
#if MFU_DOUBLE_CUDA == 12
#define DOUBLE_CUDART_VERSION 12090  /* CUDA 12.9 */
#define DOUBLE_CUBLAS_VERSION 120901 /* cuBLAS 12.9.1 */
#else
#define DOUBLE_CUDART_VERSION 13000
#define DOUBLE_CUBLAS_VERSION 130000
#endif

static inline int double_status(void) {
  static _Atomic int status = -1; /* every thread that finds it unset computes the same value */
  int s = atomic_load_explicit(&status, memory_order_relaxed);
  if (s < 0) {
    const char *v = getenv("MFU_DOUBLE_STATUS");
    s = v && atoi(v) > 0 ? atoi(v) : 0;
    atomic_store_explicit(&status, s, memory_order_relaxed);
  }
  return s;
}

/* A function of the API spec (include/mfu/api_spec.h) returning `type`: the double's status,
 * and on success what its description expands to (each double defines the description
 * macros: launching its kernels on the fake GPU). */
#define DOUBLE_SPEC_FUNCTION(type, success, name, params, describe)                             \
  type name params {                                                                            \
    type status = (type)double_status();                                                        \
    if (status == success) describe;                                                            \
    return status;                                                                              \
  }

/* ---- the fake GPU, in the CUPTI double -------------------------------------------------- */

struct fake_gpu {
  __typeof__(mfu_fake_gpu_launch) *launch;
  __typeof__(mfu_fake_gpu_idle_at) *idle_at;
  __typeof__(mfu_fake_gpu_sync) *sync;
  __typeof__(mfu_fake_gpu_wait) *wait;
  __typeof__(mfu_fake_gpu_capture) *capture;
  __typeof__(mfu_fake_gpu_replay) *replay;
};

/* How many objects the program has loaded so far (dl_iterate_phdr's dlpi_adds). */
static inline int count_loads(struct dl_phdr_info *info, size_t size, void *loads) {
  if (size >= offsetof(struct dl_phdr_info, dlpi_adds) + sizeof info->dlpi_adds)
    *(unsigned long long *)loads = info->dlpi_adds;
  return 1; /* the first object tells */
}

/* The fake GPU, or NULL while the CUPTI double is not loaded: looked for again whenever the
 * program has loaded a library since the last look, since a tracer loads CUPTI only once the
 * program runs. RTLD_NODELETE keeps the library, and so the functions found, for good. A real
 * libcupti has none of them: NULL for good. */
static inline const struct fake_gpu *fake_gpu(void) {
  static struct fake_gpu gpu;
  static atomic_int state; /* 0: not found yet, 1: found, 2: a real CUPTI */
  static atomic_ullong looked_at_loads = ~0ull;
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  int s = atomic_load_explicit(&state, memory_order_acquire);
  if (s) return s == 1 ? &gpu : NULL;
  unsigned long long loads = 0;
  dl_iterate_phdr(count_loads, &loads);
  if (loads == atomic_load_explicit(&looked_at_loads, memory_order_relaxed)) return NULL;
  void *lib = dlopen("libcupti.so.13", RTLD_NOLOAD | RTLD_LAZY | RTLD_NODELETE);
  if (!lib) lib = dlopen("libcupti.so.12", RTLD_NOLOAD | RTLD_LAZY | RTLD_NODELETE);
  if (!lib) {
    atomic_store_explicit(&looked_at_loads, loads, memory_order_relaxed);
    return NULL;
  }
  pthread_mutex_lock(&lock);
  if (!atomic_load(&state)) {
    struct { void **slot; const char *name; } table[] = {
        {(void **)&gpu.launch, "mfu_fake_gpu_launch"},
        {(void **)&gpu.idle_at, "mfu_fake_gpu_idle_at"},
        {(void **)&gpu.sync, "mfu_fake_gpu_sync"},
        {(void **)&gpu.wait, "mfu_fake_gpu_wait"},
        {(void **)&gpu.capture, "mfu_fake_gpu_capture"},
        {(void **)&gpu.replay, "mfu_fake_gpu_replay"},
    };
    int found = 1;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
      if (!(*table[i].slot = dlsym(lib, table[i].name))) found = 2;
    atomic_store_explicit(&state, found, memory_order_release);
  }
  pthread_mutex_unlock(&lock);
  dlclose(lib);
  return atomic_load(&state) == 1 ? &gpu : NULL;
}

static inline void fake_launch(const struct fake_work *work) {
  const struct fake_gpu *gpu = fake_gpu();
  if (gpu) gpu->launch(work);
}

static inline void fake_launch_kernel(const char *name, void *stream, uint64_t duration_ns) {
  fake_launch(&(struct fake_work){.kind = FAKE_KERNEL, .name = name, .stream = stream,
                                  .duration_ns = duration_ns});
}

static inline uint64_t double_now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Blocks until CLOCK_MONOTONIC reaches t_ns. The timer slack would wake a sleeper tens of
 * microseconds late, which the host would then see as GPU idle time: the last stretch is spun. */
static inline void double_sleep_until(uint64_t t_ns) {
  const uint64_t spin_ns = 200000;
  if (t_ns > spin_ns) {
    uint64_t wake = t_ns - spin_ns;
    struct timespec ts = {.tv_sec = (time_t)(wake / 1000000000u),
                          .tv_nsec = (long)(wake % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) {
    }
  }
  while (double_now_ns() < t_ns) sched_yield();
}

/* A cuBLAS-looking name for a GEMM kernel of precision class `precision` with the given
 * transposes (cublasOperation_t), as CUPTI reports it. */
static inline void fake_gemm_name(char *name, size_t size, enum mfu_precision precision,
                                  int transa, int transb) {
  static const char *const types[MFU_PREC_COUNT] = {
      [MFU_PREC_FP64] = "f64f64_f64f64_f64",     [MFU_PREC_FP32] = "f32f32_f32f32_f32",
      [MFU_PREC_TF32] = "f32f32_tf32f32_f32",    [MFU_PREC_FP16] = "f16f16_f16f32_f32",
      [MFU_PREC_BF16] = "bf16bf16_bf16f32_f32",  [MFU_PREC_FP8] = "e4m3e4m3_e4m3f32_f32",
      [MFU_PREC_INT8] = "s8s8_s8s32_s32",        [MFU_PREC_FP4] = "e2m1e2m1_e2m1f32_f32",
      [MFU_PREC_OTHER] = "f32f32_f32f32_f32",
  };
  snprintf(name, size,
           "sm90_xmma_gemm_%s_%c%c_n_tilesize128x128x64_warpgroupsize1x1x1_execute_segment_k_off_"
           "kernel__5x_cublas",
           types[precision < MFU_PREC_COUNT ? precision : MFU_PREC_OTHER], transa ? 't' : 'n',
           transb ? 't' : 'n');
}

#endif
