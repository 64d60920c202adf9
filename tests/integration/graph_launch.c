/* A training step replayed from a CUDA graph: on one stream set on a cuBLAS handle, captures
 * a step of three GEMMs (cublasGemmEx bf16, cublasLtMatmul bf16, cublasSgemmStridedBatched
 * fp32) and an ncclAllReduce (world of 1) into a graph, instantiates it, launches it N times
 * (argv[1], default 5; each in an NVTX range "step"), then runs the same step eagerly once. Prints what a correct shim and
 * analyzer must count, computed here (2mnk per product, x batch; nccl-tests' bytes):
 *
 *     launches=N step_gemm_calls=N step_flops_bf16=N step_flops_fp32=N step_nccl_bytes=N
 *     expected_gemm_calls=N expected_flops_bf16=N expected_flops_fp32=N
 *     expected_gemm_flops=N expected_nccl_calls=N expected_nccl_bytes=N   (one per line)
 *
 * the expected_* being (N + 1) steps: N launched, one eager. Built against the real CUDA
 * headers and linked with -lcublas -lcublasLt -lcudart -lnccl; runs on the test doubles,
 * whose runtime models stream capture. Exits 1 if a call fails. */
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <nccl.h>
#include <nvtx3/nvToolsExt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { M = 64, N = 48, K = 32, BATCH = 4, COUNT = 1024 };
#define PRODUCT ((uint64_t)2 * M * N * K)

static char buf[1 << 16]; /* host stand-in for device memory: the doubles never touch it */
static void *const P = buf;
static int failures;

static void check(const char *what, int status) {
  if (status == 0) return;
  fprintf(stderr, "%s: status %d\n", what, status);
  failures++;
}
#define CHECK(call) check(#call, (int)(call))

struct step {
  cudaStream_t s;
  cublasHandle_t h;
  cublasLtHandle_t lt;
  cublasLtMatmulDesc_t desc;
  cublasLtMatrixLayout_t a, b, c; /* bf16: A M x K, B K x N, C and D M x N */
  ncclComm_t comm;
};

/* 2 bf16 products and BATCH fp32 ones; COUNT fp32 all-reduced. */
static void step(const struct step *x) {
  const float one = 1, zero = 0;
  CHECK(cublasGemmEx(x->h, CUBLAS_OP_N, CUBLAS_OP_N, M, N, K, &one, P, CUDA_R_16BF, M, P,
                     CUDA_R_16BF, K, &zero, P, CUDA_R_16BF, M, CUBLAS_COMPUTE_32F,
                     CUBLAS_GEMM_DEFAULT));
  CHECK(cublasLtMatmul(x->lt, x->desc, &one, P, x->a, P, x->b, &zero, P, x->c, P, x->c, NULL,
                       NULL, 0, x->s));
  CHECK(cublasSgemmStridedBatched(x->h, CUBLAS_OP_N, CUBLAS_OP_N, M, N, K, &one, P, M, M * K,
                                  P, K, K * N, &zero, P, M, M * N, BATCH));
  CHECK(ncclAllReduce(P, P, COUNT, ncclFloat32, ncclSum, x->comm, x->s));
}

int main(int argc, char **argv) {
  int launches = argc > 1 ? atoi(argv[1]) : 5;
  struct step x;
  ncclUniqueId id;
  CHECK(cudaStreamCreate(&x.s));
  CHECK(cublasCreate(&x.h));
  CHECK(cublasSetStream(x.h, x.s));
  CHECK(cublasLtCreate(&x.lt));
  CHECK(cublasLtMatmulDescCreate(&x.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  CHECK(cublasLtMatrixLayoutCreate(&x.a, CUDA_R_16BF, M, K, M));
  CHECK(cublasLtMatrixLayoutCreate(&x.b, CUDA_R_16BF, K, N, K));
  CHECK(cublasLtMatrixLayoutCreate(&x.c, CUDA_R_16BF, M, N, M));
  CHECK(ncclGetUniqueId(&id));
  CHECK(ncclCommInitRank(&x.comm, 1, id, 0));

  cudaGraph_t graph;
  cudaGraphExec_t exec;
  CHECK(cudaStreamBeginCapture(x.s, cudaStreamCaptureModeGlobal));
  step(&x);
  CHECK(cudaStreamEndCapture(x.s, &graph));
  CHECK(cudaGraphInstantiate(&exec, graph, 0));
  for (int i = 0; i < launches; i++) { /* each launch a step, as NVTX marks it */
    nvtxRangePushA("step");
    CHECK(cudaGraphLaunch(exec, x.s));
    nvtxRangePop();
  }
  CHECK(cudaStreamSynchronize(x.s));
  step(&x);
  CHECK(cudaStreamSynchronize(x.s));

  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(graph));
  CHECK(ncclCommDestroy(x.comm));
  CHECK(cublasLtMatrixLayoutDestroy(x.a));
  CHECK(cublasLtMatrixLayoutDestroy(x.b));
  CHECK(cublasLtMatrixLayoutDestroy(x.c));
  CHECK(cublasLtMatmulDescDestroy(x.desc));
  CHECK(cublasLtDestroy(x.lt));
  CHECK(cublasDestroy(x.h));
  CHECK(cudaStreamDestroy(x.s));

  const uint64_t steps = (uint64_t)launches + 1, bf16 = 2 * PRODUCT, fp32 = BATCH * PRODUCT,
                 bytes = COUNT * sizeof(float);
  printf("launches=%d\nstep_gemm_calls=3\nstep_flops_bf16=%llu\nstep_flops_fp32=%llu\n"
         "step_nccl_bytes=%llu\n",
         launches, (unsigned long long)bf16, (unsigned long long)fp32,
         (unsigned long long)bytes);
  printf("expected_gemm_calls=%llu\nexpected_flops_bf16=%llu\nexpected_flops_fp32=%llu\n"
         "expected_gemm_flops=%llu\nexpected_nccl_calls=%llu\nexpected_nccl_bytes=%llu\n",
         (unsigned long long)(3 * steps), (unsigned long long)(bf16 * steps),
         (unsigned long long)(fp32 * steps), (unsigned long long)((bf16 + fp32) * steps),
         (unsigned long long)steps, (unsigned long long)(bytes * steps));
  return failures ? 1 : 0;
}
