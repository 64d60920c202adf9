// A CUDA program as users write them, built with nvcc: a kernel launch, device memory and copies,
// cuBLAS (cublasSgemm, cublasDgemm through cublasSetMatrix/GetMatrix, a strided-batched
// cublasGemmStridedBatchedEx), cuBLASLt with an algorithm search (cublasLtMatmulAlgoGetHeuristic)
// NCCL on ncclMemAlloc memory, and a CUDA graph launched twice. Each GEMM's result is checked against the CPU's; it prints
// the FLOPs and NCCL bytes it issued, by its own arithmetic, and exits 1 on any failure. On a GPU
// it also checks the kernel's effect; on the doubles kernels do nothing.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <nccl.h>

#include <cmath>
#include <cstdio>
#include <cstring>

static int failures = 0;
#define CHECK(what, ok)                                                            \
  do {                                                                             \
    if (!(ok)) {                                                                   \
      std::fprintf(stderr, "cuda_program: %s failed (line %d)\n", what, __LINE__); \
      failures++;                                                                  \
    }                                                                              \
  } while (0)

__global__ void twice(float *x, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] *= 2.0f;
}

// C = A * B, column-major, m x k times k x n.
template <typename T>
static void reference(int m, int n, int k, const T *a, const T *b, T *c) {
  for (int j = 0; j < n; j++)
    for (int i = 0; i < m; i++) {
      T s = 0;
      for (int l = 0; l < k; l++) s += a[i + l * m] * b[l + j * k];
      c[i + j * m] = s;
    }
}

template <typename T>
static bool close(const T *x, const T *y, int n) {
  for (int i = 0; i < n; i++)
    if (std::fabs((double)x[i] - (double)y[i]) > 1e-4 * (1 + std::fabs((double)y[i]))) return false;
  return true;
}

int main() {
  unsigned long long flops = 0, nccl_bytes = 0;
  cudaDeviceProp prop;
  CHECK("cudaGetDeviceProperties", cudaGetDeviceProperties(&prop, 0) == cudaSuccess);
  bool doubles = std::strstr(prop.name, "test double") != nullptr;

  // A kernel on device memory.
  float h[64], *d = nullptr;
  for (int i = 0; i < 64; i++) h[i] = (float)i;
  CHECK("cudaMalloc", cudaMalloc(&d, sizeof h) == cudaSuccess);
  CHECK("cudaMemcpy to the device", cudaMemcpy(d, h, sizeof h, cudaMemcpyHostToDevice) == cudaSuccess);
  twice<<<2, 32>>>(d, 64);
  CHECK("the kernel's launch", cudaGetLastError() == cudaSuccess);
  CHECK("cudaDeviceSynchronize", cudaDeviceSynchronize() == cudaSuccess);
  float back[64];
  CHECK("cudaMemcpy to the host", cudaMemcpy(back, d, sizeof back, cudaMemcpyDeviceToHost) == cudaSuccess);
  CHECK("the kernel's effect", back[5] == (doubles ? 5.0f : 10.0f));

  // cublasSgemm: 4x3 times 3x2.
  const int m = 4, n = 2, k = 3;
  float a[m * k], b[k * n], c[m * n], want[m * n];
  for (int i = 0; i < m * k; i++) a[i] = (float)(i % 5) - 1.5f;
  for (int i = 0; i < k * n; i++) b[i] = (float)(i % 3) + 0.25f;
  reference(m, n, k, a, b, want);
  float *da, *db, *dc;
  cudaMalloc(&da, sizeof a), cudaMalloc(&db, sizeof b), cudaMalloc(&dc, sizeof c);
  cudaMemcpy(da, a, sizeof a, cudaMemcpyHostToDevice);
  cudaMemcpy(db, b, sizeof b, cudaMemcpyHostToDevice);
  cublasHandle_t handle;
  CHECK("cublasCreate", cublasCreate(&handle) == CUBLAS_STATUS_SUCCESS);
  const float one = 1.0f, zero = 0.0f;
  CHECK("cublasSgemm", cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, da, m, db, k,
                                   &zero, dc, m) == CUBLAS_STATUS_SUCCESS);
  flops += 2ull * m * n * k;
  cudaMemcpy(c, dc, sizeof c, cudaMemcpyDeviceToHost);
  CHECK("cublasSgemm's result", close(c, want, m * n));

  // cublasDgemm through cublasSetMatrix / cublasGetMatrix.
  double ad[m * k], bd[k * n], cd[m * n], wantd[m * n];
  for (int i = 0; i < m * k; i++) ad[i] = a[i];
  for (int i = 0; i < k * n; i++) bd[i] = b[i];
  reference(m, n, k, ad, bd, wantd);
  double *dad, *dbd, *dcd;
  cudaMalloc(&dad, sizeof ad), cudaMalloc(&dbd, sizeof bd), cudaMalloc(&dcd, sizeof cd);
  CHECK("cublasSetMatrix", cublasSetMatrix(m, k, sizeof(double), ad, m, dad, m) == CUBLAS_STATUS_SUCCESS);
  CHECK("cublasSetMatrix", cublasSetMatrix(k, n, sizeof(double), bd, k, dbd, k) == CUBLAS_STATUS_SUCCESS);
  const double oned = 1.0, zerod = 0.0;
  CHECK("cublasDgemm", cublasDgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &oned, dad, m, dbd, k,
                                   &zerod, dcd, m) == CUBLAS_STATUS_SUCCESS);
  flops += 2ull * m * n * k;
  CHECK("cublasGetMatrix", cublasGetMatrix(m, n, sizeof(double), dcd, m, cd, m) == CUBLAS_STATUS_SUCCESS);
  CHECK("cublasDgemm's result", close(cd, wantd, m * n));

  // cublasGemmStridedBatchedEx: two 8x8x8 products, the second of the 64 floats shifted.
  const int s = 8, batch = 2;
  float sa[batch * s * s], sb[batch * s * s], sc[batch * s * s], swant[batch * s * s];
  for (int i = 0; i < batch * s * s; i++) sa[i] = (float)((i * 7) % 11) / 4, sb[i] = (float)((i * 3) % 5) - 2;
  for (int i = 0; i < batch; i++) reference(s, s, s, sa + i * s * s, sb + i * s * s, swant + i * s * s);
  float *dsa, *dsb, *dsc;
  cudaMalloc(&dsa, sizeof sa), cudaMalloc(&dsb, sizeof sb), cudaMalloc(&dsc, sizeof sc);
  cudaMemcpy(dsa, sa, sizeof sa, cudaMemcpyHostToDevice);
  cudaMemcpy(dsb, sb, sizeof sb, cudaMemcpyHostToDevice);
  CHECK("cublasGemmStridedBatchedEx",
        cublasGemmStridedBatchedEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, s, s, s, &one, dsa, CUDA_R_32F,
                                   s, s * s, dsb, CUDA_R_32F, s, s * s, &zero, dsc, CUDA_R_32F, s,
                                   s * s, batch, CUBLAS_COMPUTE_32F_PEDANTIC,
                                   CUBLAS_GEMM_DEFAULT) == CUBLAS_STATUS_SUCCESS);
  flops += 2ull * s * s * s * batch;
  cudaMemcpy(sc, dsc, sizeof sc, cudaMemcpyDeviceToHost);
  CHECK("cublasGemmStridedBatchedEx's result", close(sc, swant, batch * s * s));

  // cuBLASLt: D = A * B, 8x8x8 again, with the algorithm the heuristic puts first.
  cublasLtHandle_t lt;
  CHECK("cublasLtCreate", cublasLtCreate(&lt) == CUBLAS_STATUS_SUCCESS);
  cublasLtMatmulDesc_t desc;
  cublasLtMatrixLayout_t la, lb, lc;
  cublasLtMatmulPreference_t pref;
  cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F_PEDANTIC, CUDA_R_32F);
  cublasLtMatrixLayoutCreate(&la, CUDA_R_32F, s, s, s);
  cublasLtMatrixLayoutCreate(&lb, CUDA_R_32F, s, s, s);
  cublasLtMatrixLayoutCreate(&lc, CUDA_R_32F, s, s, s);
  cublasLtMatmulPreferenceCreate(&pref);
  size_t workspace = 0;
  cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace,
                                       sizeof workspace);
  cublasLtMatmulHeuristicResult_t found[4];
  int returned = 0;
  CHECK("cublasLtMatmulAlgoGetHeuristic",
        cublasLtMatmulAlgoGetHeuristic(lt, desc, la, lb, lc, lc, pref, 4, found, &returned) ==
                CUBLAS_STATUS_SUCCESS && returned > 0);
  CHECK("cublasLtMatmul", cublasLtMatmul(lt, desc, &one, dsa, la, dsb, lb, &zero, dsc, lc, dsc, lc,
                                         &found[0].algo, nullptr, 0, 0) == CUBLAS_STATUS_SUCCESS);
  flops += 2ull * s * s * s;
  cudaMemcpy(sc, dsc, s * s * sizeof(float), cudaMemcpyDeviceToHost);
  CHECK("cublasLtMatmul's result", close(sc, swant, s * s));

  // NCCL, one rank: an all-reduce in place and a broadcast, on ncclMemAlloc memory.
  ncclUniqueId id;
  ncclComm_t comm;
  CHECK("ncclGetUniqueId", ncclGetUniqueId(&id) == ncclSuccess);
  CHECK("ncclCommInitRank", ncclCommInitRank(&comm, 1, id, 0) == ncclSuccess);
  void *buf = nullptr;
  CHECK("ncclMemAlloc", ncclMemAlloc(&buf, 4096) == ncclSuccess);
  CHECK("cudaMemset on ncclMemAlloc memory", cudaMemset(buf, 0, 4096) == cudaSuccess);
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  CHECK("ncclAllReduce", ncclAllReduce(buf, buf, 1024, ncclFloat, ncclSum, comm, stream) == ncclSuccess);
  nccl_bytes += 1024 * sizeof(float);
  CHECK("ncclBroadcast", ncclBroadcast(buf, buf, 256, ncclFloat, 0, comm, stream) == ncclSuccess);
  nccl_bytes += 256 * sizeof(float);
  CHECK("cudaStreamSynchronize", cudaStreamSynchronize(stream) == cudaSuccess);
  ncclMemFree(buf);
  ncclCommDestroy(comm);

  // A CUDA graph: the Sgemm captured once, launched twice, so it runs (and counts) twice.
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  cublasSetStream(handle, stream);
  CHECK("cudaStreamBeginCapture", cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal) == cudaSuccess);
  CHECK("cublasSgemm (captured)", cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, da, m,
                                              db, k, &zero, dc, m) == CUBLAS_STATUS_SUCCESS);
  CHECK("cudaStreamEndCapture", cudaStreamEndCapture(stream, &graph) == cudaSuccess);
  CHECK("cudaGraphInstantiate", cudaGraphInstantiate(&exec, graph, 0) == cudaSuccess);
  for (int i = 0; i < 2; i++) CHECK("cudaGraphLaunch", cudaGraphLaunch(exec, stream) == cudaSuccess);
  flops += 2 * 2ull * m * n * k;
  cudaStreamSynchronize(stream);
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);

  cublasLtMatmulPreferenceDestroy(pref);
  cublasLtMatrixLayoutDestroy(la), cublasLtMatrixLayoutDestroy(lb), cublasLtMatrixLayoutDestroy(lc);
  cublasLtMatmulDescDestroy(desc);
  cublasLtDestroy(lt);
  cublasDestroy(handle);
  cudaFree(d), cudaFree(da), cudaFree(db), cudaFree(dc), cudaFree(dad), cudaFree(dbd), cudaFree(dcd);
  cudaFree(dsa), cudaFree(dsb), cudaFree(dsc);
  cudaStreamDestroy(stream);
  CHECK("cudaDeviceReset", cudaDeviceReset() == cudaSuccess);
  std::printf("issued: gemm_calls=6 gemm_flops=%llu nccl_calls=2 nccl_bytes=%llu\n", flops, nccl_bytes);
  return failures ? 1 : 0;
}
