/* The benchmark's stand-in for cuBLAS and NCCL: the few functions the benchmark loop calls, and
 * those the shim asks when it describes them (math mode, stream, communicator rank and size),
 * each returning success at once. No lock, no allocation, no lookup: so that "direct" in
 * `make bench` is the cost of a call and nothing else. (The test doubles in tests/doubles/
 * simulate a GPU and are not this cheap.) */
#include <cublas_v2.h>
#include <nccl.h>

#define EXPORT __attribute__((visibility("default")))

struct cublasContext {
  int unused;
};
static struct cublasContext the_handle;

EXPORT cublasStatus_t cublasCreate_v2(cublasHandle_t *handle) {
  *handle = &the_handle;
  return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasGetMathMode(cublasHandle_t handle, cublasMath_t *mode) {
  (void)handle;
  *mode = CUBLAS_DEFAULT_MATH;
  return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasGetStream_v2(cublasHandle_t handle, cudaStream_t *stream) {
  (void)handle;
  *stream = 0;
  return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa,
                                     cublasOperation_t transb, int m, int n, int k,
                                     const float *alpha, const float *A, int lda, const float *B,
                                     int ldb, const float *beta, float *C, int ldc) {
  (void)handle, (void)transa, (void)transb, (void)m, (void)n, (void)k, (void)alpha, (void)A;
  (void)lda, (void)B, (void)ldb, (void)beta, (void)C, (void)ldc;
  return CUBLAS_STATUS_SUCCESS;
}

/* NCCL: strong pnccl* profiling twins and weak nccl* aliases, as the real library has. */
EXPORT ncclResult_t pncclAllReduce(const void *sendbuff, void *recvbuff, size_t count,
                                   ncclDataType_t datatype, ncclRedOp_t op, ncclComm_t comm,
                                   cudaStream_t stream) {
  (void)sendbuff, (void)recvbuff, (void)count, (void)datatype, (void)op, (void)comm, (void)stream;
  return ncclSuccess;
}

EXPORT ncclResult_t pncclCommCount(const ncclComm_t comm, int *count) {
  (void)comm;
  *count = 8;
  return ncclSuccess;
}

EXPORT ncclResult_t pncclCommUserRank(const ncclComm_t comm, int *rank) {
  (void)comm;
  *rank = 0;
  return ncclSuccess;
}

EXPORT ncclResult_t ncclAllReduce(const void *, void *, size_t, ncclDataType_t, ncclRedOp_t,
                                  ncclComm_t, cudaStream_t)
    __attribute__((weak, alias("pncclAllReduce")));
EXPORT ncclResult_t ncclCommCount(const ncclComm_t, int *)
    __attribute__((weak, alias("pncclCommCount")));
EXPORT ncclResult_t ncclCommUserRank(const ncclComm_t, int *)
    __attribute__((weak, alias("pncclCommUserRank")));
