// Built with nvcc's default static runtime (-cudart static): the CUDA runtime is inside the
// program, where no preloaded library can see its calls. cuBLAS and NCCL are still shared
// libraries. It captures a cublasSgemm into a CUDA graph and launches it twice (where a device
// lets it: on the doubles the static runtime finds no driver and every runtime call fails), then
// makes one all-reduce, and prints what each runtime call returned.
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <nccl.h>

#include <cstdio>

int main() {
  cudaStream_t stream = nullptr;
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t exec = nullptr;
  cudaError_t created = cudaStreamCreate(&stream);
  cudaError_t began = cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal);
  cublasHandle_t handle;
  if (cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS) return 1;
  cublasSetStream(handle, stream);
  const float one = 1.0f, zero = 0.0f;
  cublasStatus_t gemm = cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 64, 64, 64, &one, nullptr, 64,
                                    nullptr, 64, &zero, nullptr, 64);
  cudaError_t ended = cudaStreamEndCapture(stream, &graph);
  cudaError_t launched = cudaErrorInvalidValue;
  if (ended == cudaSuccess && cudaGraphInstantiate(&exec, graph, 0) == cudaSuccess)
    for (int i = 0; i < 2; i++) launched = cudaGraphLaunch(exec, stream);
  ncclUniqueId id;
  ncclComm_t comm;
  ncclResult_t nccl = ncclGetUniqueId(&id);
  if (nccl == ncclSuccess) nccl = ncclCommInitRank(&comm, 1, id, 0);
  if (nccl == ncclSuccess) nccl = ncclAllReduce(nullptr, nullptr, 1024, ncclFloat, ncclSum, comm, stream);
  std::printf("stream %s, capture %s/%s, launch %s, sgemm %d, allreduce %d\n",
              cudaGetErrorName(created), cudaGetErrorName(began), cudaGetErrorName(ended),
              cudaGetErrorName(launched), (int)gemm, (int)nccl);
  cublasDestroy(handle);
  return gemm == CUBLAS_STATUS_SUCCESS && nccl == ncclSuccess ? 0 : 1;
}
