/* Explicit step markers: STEPS training steps, each an NVTX range "train_step" (nvtx3's
 * header-only API, as PyTorch uses it) holding a nested "forward" range and two GEMMs
 * (cublasSgemm 64x48x32 and cublasDgemm 32x32x32), with noise between the steps: a
 * "data" start/end range and a small GEMM (16x16x16) that belong to no step. With the
 * argument `profiler`, each step is also bracketed by cudaProfilerStart/Stop. Run under the
 * shim with NVTX_INJECTION64_PATH pointing at it, `mfu report --step-range '^train_step$'`
 * must find exactly STEPS steps of step_flops each. Prints
 *
 *     steps=N step_flops=N noise_flops=N        (one per line)
 *
 * Built against the real CUDA headers; runs on the test doubles or a GPU. Exits 1 if a call
 * fails. */
#include <cublas_v2.h>
#include <cuda_profiler_api.h>
#include <cuda_runtime_api.h>
#include <nvtx3/nvToolsExt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { STEPS = 5, M = 64, N = 48, K = 32, D = 32, NOISE = 16 };

static int failures;
static void check(const char *what, int status) {
  if (status == 0) return;
  fprintf(stderr, "%s: status %d\n", what, status);
  failures++;
}
#define CHECK(call) check(#call, (int)(call))

int main(int argc, char **argv) {
  int profiler = argc > 1 && !strcmp(argv[1], "profiler");
  cublasHandle_t h;
  float *fa, *fb, *fc;
  double *da, *db, *dc;
  CHECK(cudaMalloc((void **)&fa, sizeof(float) * M * K));
  CHECK(cudaMalloc((void **)&fb, sizeof(float) * K * N));
  CHECK(cudaMalloc((void **)&fc, sizeof(float) * M * N));
  CHECK(cudaMalloc((void **)&da, sizeof(double) * D * D));
  CHECK(cudaMalloc((void **)&db, sizeof(double) * D * D));
  CHECK(cudaMalloc((void **)&dc, sizeof(double) * D * D));
  CHECK(cublasCreate(&h));
  const float one = 1, zero = 0;
  const double done = 1, dzero = 0;
  for (int s = 0; s < STEPS; s++) {
    /* noise: not in any step */
    nvtxRangeId_t data = nvtxRangeStartA("data");
    CHECK(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, NOISE, NOISE, NOISE, &one, fa, NOISE, fb,
                      NOISE, &zero, fc, NOISE));
    nvtxRangeEnd(data);
    if (profiler) CHECK(cudaProfilerStart());
    nvtxRangePushA("train_step");
    nvtxRangePushA("forward");
    CHECK(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, M, N, K, &one, fa, M, fb, K, &zero, fc, M));
    nvtxRangePop();
    CHECK(cublasDgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, D, D, D, &done, da, D, db, D, &dzero, dc, D));
    CHECK(cudaDeviceSynchronize());
    nvtxRangePop();
    if (profiler) CHECK(cudaProfilerStop());
  }
  /* trailing noise after the last step */
  CHECK(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, NOISE, NOISE, NOISE, &one, fa, NOISE, fb,
                    NOISE, &zero, fc, NOISE));
  CHECK(cudaDeviceSynchronize());
  CHECK(cublasDestroy(h));
  printf("steps=%d\nstep_flops=%llu\nnoise_flops=%llu\n", STEPS,
         (unsigned long long)(2ull * M * N * K + 2ull * D * D * D),
         (unsigned long long)(2ull * NOISE * NOISE * NOISE));
  return failures ? 1 : 0;
}
