/* The fake GPU of the test doubles: how long each piece of work lasts on it, and how the
 * doubles reach it. Included by the doubles, their tests, and examples/transformer_step.c
 * (which prints what it planted, computed with these same numbers).
 *
 * The fake GPU lives in the CUPTI double (libcupti.so.13, tests/doubles/cupti.c). When a program
 * has loaded that library (mfushim's shim does, to collect the GPU timeline), the cuBLAS,
 * cuBLASLt, NCCL and runtime doubles launch their work on it; without it they do no timing at
 * all, as before. Each stream runs its work in order, streams run concurrently, and the host
 * runs ahead until it synchronizes, as with a real GPU. Durations, in integer nanoseconds,
 * are a fixed launch cost plus the work over a fixed rate (the quotient rounded down):
 *
 *   GEMM kernel          2 us + FLOPs / 100 TFLOP/s   (every precision; FLOPs by the
 *                                                     counting rules of include/mfu/gemm.h)
 *   memory-bound kernel  2 us + bytes moved / 1 TB/s  (cublasSaxpy: 3n floats, cublasSscal: 2n)
 *   NCCL kernel          5 us + S / 100 GB/s          (S: nccl-tests' bytes, include/mfu/nccl.h)
 *   memcpy, memset       1 us + bytes / 1 TB/s
 *   a program's kernel   2 us                         (nvcc-built kernels: cudart_launch.c)
 *
 * and never more than 1 s, so that an absurd shape (saturated FLOPs) cannot hang a test that
 * synchronizes. CUPTI's clock (cuptiGetTimestamp, activity records) is CLOCK_MONOTONIC plus
 * 1e12 ns, so that a tracer's clock calibration is exercised. */
#ifndef MFU_FAKE_GPU_H
#define MFU_FAKE_GPU_H

#include <stdbool.h>
#include <stdint.h>

#define FAKE_GEMM_LAUNCH_NS 2000u
#define FAKE_GEMM_FLOPS_PER_NS 100000u /* 100 TFLOP/s */
#define FAKE_MEMORY_LAUNCH_NS 2000u
#define FAKE_MEMORY_BYTES_PER_NS 1000u /* 1 TB/s */
#define FAKE_NCCL_LAUNCH_NS 5000u
#define FAKE_NCCL_BYTES_PER_NS 100u /* 100 GB/s */
#define FAKE_COPY_LAUNCH_NS 1000u
#define FAKE_COPY_BYTES_PER_NS 1000u /* 1 TB/s */
#define FAKE_KERNEL_NS 2000u
#define FAKE_MAX_NS 1000000000u
#define FAKE_CUPTI_CLOCK_OFFSET_NS 1000000000000ull

static inline uint64_t fake_ns(uint64_t launch_ns, uint64_t amount, uint64_t per_ns) {
  uint64_t t = launch_ns + amount / per_ns;
  return t < FAKE_MAX_NS ? t : FAKE_MAX_NS;
}
static inline uint64_t fake_gemm_ns(uint64_t flops) {
  return fake_ns(FAKE_GEMM_LAUNCH_NS, flops, FAKE_GEMM_FLOPS_PER_NS);
}
static inline uint64_t fake_memory_ns(uint64_t bytes) {
  return fake_ns(FAKE_MEMORY_LAUNCH_NS, bytes, FAKE_MEMORY_BYTES_PER_NS);
}
static inline uint64_t fake_nccl_ns(uint64_t bytes) {
  return fake_ns(FAKE_NCCL_LAUNCH_NS, bytes, FAKE_NCCL_BYTES_PER_NS);
}
static inline uint64_t fake_copy_ns(uint64_t bytes) {
  return fake_ns(FAKE_COPY_LAUNCH_NS, bytes, FAKE_COPY_BYTES_PER_NS);
}

/* One piece of work for the fake GPU. */
enum fake_work_kind { FAKE_KERNEL, FAKE_MEMCPY, FAKE_MEMSET };
struct fake_work {
  enum fake_work_kind kind;
  const char *name;             /* kernels: the name CUPTI reports (the fake GPU copies it) */
  void *stream;                 /* cudaStream_t: NULL or cudaStreamLegacy, cudaStreamPerThread */
  uint64_t duration_ns;
  uint64_t bytes;               /* memcpy, memset */
  uint32_t value;               /* memset: the value */
  bool src_device, dst_device;  /* memcpy: where source and destination live */
};

/* Exported by the CUPTI double. Times are CLOCK_MONOTONIC nanoseconds. */

/* Queues `work` on its stream: it starts at max(now, the end of the stream's previous work).
 * Returns its CUPTI correlation id; 0 if the stream is being captured (the work is kept for
 * the graph instead). */
uint32_t mfu_fake_gpu_launch(const struct fake_work *work);
/* When the work queued so far on `stream` (NULL: on any stream) will be done; never before now. */
uint64_t mfu_fake_gpu_idle_at(void *stream);
/* Blocks the caller until mfu_fake_gpu_idle_at(stream). */
void mfu_fake_gpu_sync(void *stream);
/* Later work on `stream` starts no earlier than t_ns (cudaStreamWaitEvent). */
void mfu_fake_gpu_wait(void *stream, uint64_t t_ns);
/* `stream` starts (capture_id != 0) or stops (0) capturing its work into capture_id. */
void mfu_fake_gpu_capture(void *stream, uint64_t capture_id);
/* Launches again, on `stream`, the work captured into capture_id, under one correlation id
 * (returned; 0 if nothing was captured), as a cudaGraphLaunch does. */
uint32_t mfu_fake_gpu_replay(uint64_t capture_id, void *stream);

#endif
