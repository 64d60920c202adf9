/* The intercepted API surface: one entry per function, from which the shim's wrappers, the
 * test doubles and the analyzer's API names are all generated.
 *
 *     X(name, (parameters), (arguments), description)
 *
 * `description` is a call the shim expands to fill a record's GEMM fields from the arguments:
 *     GEMM(transa, transb, m, n, k, batch, Atype, Btype, Ctype, compute)
 *     GROUPED(transa[], transb[], m[], n[], k[], group_count, group_size[], Atype, Btype, Ctype, compute)
 * where compute MFU_COMPUTE_BY_MODE means "32F, or TF32/16F by the handle's math mode";
 *     COLL(op, count, datatype, redop, peer, comm, stream)       an NCCL data movement
 *     GROUP(op)                                                  ncclGroupStart/End
 *     COMM_FROM_IDS(newcomm, ids, n_ids, rank, nranks)           communicators made from
 *     COMM_ALL(comms, ndev)                                      unique ids, by InitAll,
 *     COMM_SPLIT(parent, color, newcomm)                         by split or by shrink
 *     COMM_SHRINK(parent, excluded, n_excluded, newcomm)
 *     COMM_END(comm)                                             destroy, abort, finalize
 *     COMM_COUNT(comm, count) / COMM_RANK(comm, rank)            size and rank queries
 *     GRAPH(op, stream, graph, exec, mode)                       CUDA graph bookkeeping;
 *                                                                pointers are to the output
 * Users of the list that only need names never expand the other fields, so including this
 * file needs no CUDA header. Prototypes are those of CUDA 13.0's cublas_api.h; the list
 * matches that header (tests/integration/gemm_all.c calls every entry). */
#ifndef MFU_API_SPEC_H
#define MFU_API_SPEC_H

/* cublas_api.h declares the Hgemm family for C++ only; in C a pointer to an incomplete type
 * has the same ABI. */
#if !defined(__cplusplus) && defined(CUBLAS_API_H_)
typedef struct __half __half;
#endif

/* Every GEMM of cublas_api.h: typed, Ex, 3m, batched, strided-batched, grouped, and _64. */
#define MFU_CUBLAS_GEMM_APIS(X) \
  X(cublasSgemm_v2,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const float *alpha, const float *A, int lda, const float *B, int ldb, const float *beta, float *C, int ldc),\
  (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  GEMM(transa, transb, m, n, k, 1, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasSgemm_v2_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const float *alpha, const float *A, int64_t lda, const float *B, int64_t ldb, const float *beta, float *C, int64_t ldc),\
  (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  GEMM(transa, transb, m, n, k, 1, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasDgemm_v2,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const double *alpha, const double *A, int lda, const double *B, int ldb, const double *beta, double *C, int ldc),\
  (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  GEMM(transa, transb, m, n, k, 1, CUDA_R_64F, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasDgemm_v2_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const double *alpha, const double *A, int64_t lda, const double *B, int64_t ldb, const double *beta, double *C, int64_t ldc),\
  (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  GEMM(transa, transb, m, n, k, 1, CUDA_R_64F, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasCgemm_v2,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const cuComplex *alpha, const cuComplex *A, int lda, const cuComplex *B, int ldb, const cuComplex *beta, cuComplex *C, int ldc),\
  (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  GEMM(transa, transb, m, n, k, 1, CUDA_C_32F, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCgemm_v2_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const cuComplex *alpha, const cuComplex *A, int64_t lda, const cuComplex *B, int64_t ldb, const cuComplex *beta, cuComplex *C, int64_t ldc),\
  (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  GEMM(transa, transb, m, n, k, 1, CUDA_C_32F, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCgemm3m,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const cuComplex *alpha, const cuComplex *A, int lda, const cuComplex *B, int ldb, const cuComplex *beta, cuComplex *C, int ldc),\
  (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  GEMM(transa, transb, m, n, k, 1, CUDA_C_32F, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCgemm3m_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const cuComplex *alpha, const cuComplex *A, int64_t lda, const cuComplex *B, int64_t ldb, const cuComplex *beta, cuComplex *C, int64_t ldc),\
  (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  GEMM(transa, transb, m, n, k, 1, CUDA_C_32F, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCgemm3mEx,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const cuComplex *alpha, const void *A, cudaDataType Atype, int lda, const void *B, cudaDataType Btype, int ldb, const cuComplex *beta, void *C, cudaDataType Ctype, int ldc),\
  (handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc),\
  GEMM(transa, transb, m, n, k, 1, Atype, Btype, Ctype, MFU_COMPUTE_BY_MODE)) \
  X(cublasCgemm3mEx_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const cuComplex *alpha, const void *A, cudaDataType Atype, int64_t lda, const void *B, cudaDataType Btype, int64_t ldb, const cuComplex *beta, void *C, cudaDataType Ctype, int64_t ldc),\
  (handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc),\
  GEMM(transa, transb, m, n, k, 1, Atype, Btype, Ctype, MFU_COMPUTE_BY_MODE)) \
  X(cublasZgemm_v2,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int lda, const cuDoubleComplex *B, int ldb, const cuDoubleComplex *beta, cuDoubleComplex *C, int ldc),\
  (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  GEMM(transa, transb, m, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZgemm_v2_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int64_t lda, const cuDoubleComplex *B, int64_t ldb, const cuDoubleComplex *beta, cuDoubleComplex *C, int64_t ldc),\
  (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  GEMM(transa, transb, m, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZgemm3m,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int lda, const cuDoubleComplex *B, int ldb, const cuDoubleComplex *beta, cuDoubleComplex *C, int ldc),\
  (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  GEMM(transa, transb, m, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZgemm3m_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int64_t lda, const cuDoubleComplex *B, int64_t ldb, const cuDoubleComplex *beta, cuDoubleComplex *C, int64_t ldc),\
  (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  GEMM(transa, transb, m, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasHgemm,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const __half *alpha, const __half *A, int lda, const __half *B, int ldb, const __half *beta, __half *C, int ldc),\
  (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  GEMM(transa, transb, m, n, k, 1, CUDA_R_16F, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_16F)) \
  X(cublasHgemm_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const __half *alpha, const __half *A, int64_t lda, const __half *B, int64_t ldb, const __half *beta, __half *C, int64_t ldc),\
  (handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  GEMM(transa, transb, m, n, k, 1, CUDA_R_16F, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_16F)) \
  X(cublasSgemmEx,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const float *alpha, const void *A, cudaDataType Atype, int lda, const void *B, cudaDataType Btype, int ldb, const float *beta, void *C, cudaDataType Ctype, int ldc),\
  (handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc),\
  GEMM(transa, transb, m, n, k, 1, Atype, Btype, Ctype, MFU_COMPUTE_BY_MODE)) \
  X(cublasSgemmEx_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const float *alpha, const void *A, cudaDataType Atype, int64_t lda, const void *B, cudaDataType Btype, int64_t ldb, const float *beta, void *C, cudaDataType Ctype, int64_t ldc),\
  (handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc),\
  GEMM(transa, transb, m, n, k, 1, Atype, Btype, Ctype, MFU_COMPUTE_BY_MODE)) \
  X(cublasGemmEx,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void *alpha, const void *A, cudaDataType Atype, int lda, const void *B, cudaDataType Btype, int ldb, const void *beta, void *C, cudaDataType Ctype, int ldc, cublasComputeType_t computeType, cublasGemmAlgo_t algo),\
  (handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc, computeType, algo),\
  GEMM(transa, transb, m, n, k, 1, Atype, Btype, Ctype, computeType)) \
  X(cublasGemmEx_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const void *alpha, const void *A, cudaDataType Atype, int64_t lda, const void *B, cudaDataType Btype, int64_t ldb, const void *beta, void *C, cudaDataType Ctype, int64_t ldc, cublasComputeType_t computeType, cublasGemmAlgo_t algo),\
  (handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc, computeType, algo),\
  GEMM(transa, transb, m, n, k, 1, Atype, Btype, Ctype, computeType)) \
  X(cublasCgemmEx,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const cuComplex *alpha, const void *A, cudaDataType Atype, int lda, const void *B, cudaDataType Btype, int ldb, const cuComplex *beta, void *C, cudaDataType Ctype, int ldc),\
  (handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc),\
  GEMM(transa, transb, m, n, k, 1, Atype, Btype, Ctype, MFU_COMPUTE_BY_MODE)) \
  X(cublasCgemmEx_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const cuComplex *alpha, const void *A, cudaDataType Atype, int64_t lda, const void *B, cudaDataType Btype, int64_t ldb, const cuComplex *beta, void *C, cudaDataType Ctype, int64_t ldc),\
  (handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc),\
  GEMM(transa, transb, m, n, k, 1, Atype, Btype, Ctype, MFU_COMPUTE_BY_MODE)) \
  X(cublasHgemmBatched,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const __half *alpha, const __half * const Aarray[], int lda, const __half * const Barray[], int ldb, const __half *beta, __half * const Carray[], int ldc, int batchCount),\
  (handle, transa, transb, m, n, k, alpha, Aarray, lda, Barray, ldb, beta, Carray, ldc, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_R_16F, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_16F)) \
  X(cublasHgemmBatched_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const __half *alpha, const __half * const Aarray[], int64_t lda, const __half * const Barray[], int64_t ldb, const __half *beta, __half * const Carray[], int64_t ldc, int64_t batchCount),\
  (handle, transa, transb, m, n, k, alpha, Aarray, lda, Barray, ldb, beta, Carray, ldc, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_R_16F, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_16F)) \
  X(cublasSgemmBatched,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const float *alpha, const float * const Aarray[], int lda, const float * const Barray[], int ldb, const float *beta, float * const Carray[], int ldc, int batchCount),\
  (handle, transa, transb, m, n, k, alpha, Aarray, lda, Barray, ldb, beta, Carray, ldc, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasSgemmBatched_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const float *alpha, const float * const Aarray[], int64_t lda, const float * const Barray[], int64_t ldb, const float *beta, float * const Carray[], int64_t ldc, int64_t batchCount),\
  (handle, transa, transb, m, n, k, alpha, Aarray, lda, Barray, ldb, beta, Carray, ldc, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasDgemmBatched,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const double *alpha, const double * const Aarray[], int lda, const double * const Barray[], int ldb, const double *beta, double * const Carray[], int ldc, int batchCount),\
  (handle, transa, transb, m, n, k, alpha, Aarray, lda, Barray, ldb, beta, Carray, ldc, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_R_64F, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasDgemmBatched_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const double *alpha, const double * const Aarray[], int64_t lda, const double * const Barray[], int64_t ldb, const double *beta, double * const Carray[], int64_t ldc, int64_t batchCount),\
  (handle, transa, transb, m, n, k, alpha, Aarray, lda, Barray, ldb, beta, Carray, ldc, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_R_64F, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasCgemmBatched,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const cuComplex *alpha, const cuComplex * const Aarray[], int lda, const cuComplex * const Barray[], int ldb, const cuComplex *beta, cuComplex * const Carray[], int ldc, int batchCount),\
  (handle, transa, transb, m, n, k, alpha, Aarray, lda, Barray, ldb, beta, Carray, ldc, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_C_32F, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCgemmBatched_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const cuComplex *alpha, const cuComplex * const Aarray[], int64_t lda, const cuComplex * const Barray[], int64_t ldb, const cuComplex *beta, cuComplex * const Carray[], int64_t ldc, int64_t batchCount),\
  (handle, transa, transb, m, n, k, alpha, Aarray, lda, Barray, ldb, beta, Carray, ldc, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_C_32F, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCgemm3mBatched,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const cuComplex *alpha, const cuComplex * const Aarray[], int lda, const cuComplex * const Barray[], int ldb, const cuComplex *beta, cuComplex * const Carray[], int ldc, int batchCount),\
  (handle, transa, transb, m, n, k, alpha, Aarray, lda, Barray, ldb, beta, Carray, ldc, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_C_32F, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCgemm3mBatched_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const cuComplex *alpha, const cuComplex * const Aarray[], int64_t lda, const cuComplex * const Barray[], int64_t ldb, const cuComplex *beta, cuComplex * const Carray[], int64_t ldc, int64_t batchCount),\
  (handle, transa, transb, m, n, k, alpha, Aarray, lda, Barray, ldb, beta, Carray, ldc, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_C_32F, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasZgemmBatched,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const cuDoubleComplex *alpha, const cuDoubleComplex * const Aarray[], int lda, const cuDoubleComplex * const Barray[], int ldb, const cuDoubleComplex *beta, cuDoubleComplex * const Carray[], int ldc, int batchCount),\
  (handle, transa, transb, m, n, k, alpha, Aarray, lda, Barray, ldb, beta, Carray, ldc, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_C_64F, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZgemmBatched_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const cuDoubleComplex *alpha, const cuDoubleComplex * const Aarray[], int64_t lda, const cuDoubleComplex * const Barray[], int64_t ldb, const cuDoubleComplex *beta, cuDoubleComplex * const Carray[], int64_t ldc, int64_t batchCount),\
  (handle, transa, transb, m, n, k, alpha, Aarray, lda, Barray, ldb, beta, Carray, ldc, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_C_64F, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasHgemmStridedBatched,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const __half *alpha, const __half *A, int lda, long long int strideA, const __half *B, int ldb, long long int strideB, const __half *beta, __half *C, int ldc, long long int strideC, int batchCount),\
  (handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_R_16F, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_16F)) \
  X(cublasHgemmStridedBatched_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const __half *alpha, const __half *A, int64_t lda, long long int strideA, const __half *B, int64_t ldb, long long int strideB, const __half *beta, __half *C, int64_t ldc, long long int strideC, int64_t batchCount),\
  (handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_R_16F, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_16F)) \
  X(cublasSgemmStridedBatched,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const float *alpha, const float *A, int lda, long long int strideA, const float *B, int ldb, long long int strideB, const float *beta, float *C, int ldc, long long int strideC, int batchCount),\
  (handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasSgemmStridedBatched_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const float *alpha, const float *A, int64_t lda, long long int strideA, const float *B, int64_t ldb, long long int strideB, const float *beta, float *C, int64_t ldc, long long int strideC, int64_t batchCount),\
  (handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasDgemmStridedBatched,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const double *alpha, const double *A, int lda, long long int strideA, const double *B, int ldb, long long int strideB, const double *beta, double *C, int ldc, long long int strideC, int batchCount),\
  (handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_R_64F, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasDgemmStridedBatched_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const double *alpha, const double *A, int64_t lda, long long int strideA, const double *B, int64_t ldb, long long int strideB, const double *beta, double *C, int64_t ldc, long long int strideC, int64_t batchCount),\
  (handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_R_64F, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasCgemmStridedBatched,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const cuComplex *alpha, const cuComplex *A, int lda, long long int strideA, const cuComplex *B, int ldb, long long int strideB, const cuComplex *beta, cuComplex *C, int ldc, long long int strideC, int batchCount),\
  (handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_C_32F, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCgemmStridedBatched_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const cuComplex *alpha, const cuComplex *A, int64_t lda, long long int strideA, const cuComplex *B, int64_t ldb, long long int strideB, const cuComplex *beta, cuComplex *C, int64_t ldc, long long int strideC, int64_t batchCount),\
  (handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_C_32F, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCgemm3mStridedBatched,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const cuComplex *alpha, const cuComplex *A, int lda, long long int strideA, const cuComplex *B, int ldb, long long int strideB, const cuComplex *beta, cuComplex *C, int ldc, long long int strideC, int batchCount),\
  (handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_C_32F, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCgemm3mStridedBatched_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const cuComplex *alpha, const cuComplex *A, int64_t lda, long long int strideA, const cuComplex *B, int64_t ldb, long long int strideB, const cuComplex *beta, cuComplex *C, int64_t ldc, long long int strideC, int64_t batchCount),\
  (handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_C_32F, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasZgemmStridedBatched,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int lda, long long int strideA, const cuDoubleComplex *B, int ldb, long long int strideB, const cuDoubleComplex *beta, cuDoubleComplex *C, int ldc, long long int strideC, int batchCount),\
  (handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_C_64F, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZgemmStridedBatched_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int64_t lda, long long int strideA, const cuDoubleComplex *B, int64_t ldb, long long int strideB, const cuDoubleComplex *beta, cuDoubleComplex *C, int64_t ldc, long long int strideC, int64_t batchCount),\
  (handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC, batchCount),\
  GEMM(transa, transb, m, n, k, batchCount, CUDA_C_64F, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasGemmBatchedEx,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void *alpha, const void * const Aarray[], cudaDataType Atype, int lda, const void * const Barray[], cudaDataType Btype, int ldb, const void *beta, void * const Carray[], cudaDataType Ctype, int ldc, int batchCount, cublasComputeType_t computeType, cublasGemmAlgo_t algo),\
  (handle, transa, transb, m, n, k, alpha, Aarray, Atype, lda, Barray, Btype, ldb, beta, Carray, Ctype, ldc, batchCount, computeType, algo),\
  GEMM(transa, transb, m, n, k, batchCount, Atype, Btype, Ctype, computeType)) \
  X(cublasGemmBatchedEx_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const void *alpha, const void * const Aarray[], cudaDataType Atype, int64_t lda, const void * const Barray[], cudaDataType Btype, int64_t ldb, const void *beta, void * const Carray[], cudaDataType Ctype, int64_t ldc, int64_t batchCount, cublasComputeType_t computeType, cublasGemmAlgo_t algo),\
  (handle, transa, transb, m, n, k, alpha, Aarray, Atype, lda, Barray, Btype, ldb, beta, Carray, Ctype, ldc, batchCount, computeType, algo),\
  GEMM(transa, transb, m, n, k, batchCount, Atype, Btype, Ctype, computeType)) \
  X(cublasGemmStridedBatchedEx,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void *alpha, const void *A, cudaDataType Atype, int lda, long long int strideA, const void *B, cudaDataType Btype, int ldb, long long int strideB, const void *beta, void *C, cudaDataType Ctype, int ldc, long long int strideC, int batchCount, cublasComputeType_t computeType, cublasGemmAlgo_t algo),\
  (handle, transa, transb, m, n, k, alpha, A, Atype, lda, strideA, B, Btype, ldb, strideB, beta, C, Ctype, ldc, strideC, batchCount, computeType, algo),\
  GEMM(transa, transb, m, n, k, batchCount, Atype, Btype, Ctype, computeType)) \
  X(cublasGemmStridedBatchedEx_64,\
  (cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int64_t m, int64_t n, int64_t k, const void *alpha, const void *A, cudaDataType Atype, int64_t lda, long long int strideA, const void *B, cudaDataType Btype, int64_t ldb, long long int strideB, const void *beta, void *C, cudaDataType Ctype, int64_t ldc, long long int strideC, int64_t batchCount, cublasComputeType_t computeType, cublasGemmAlgo_t algo),\
  (handle, transa, transb, m, n, k, alpha, A, Atype, lda, strideA, B, Btype, ldb, strideB, beta, C, Ctype, ldc, strideC, batchCount, computeType, algo),\
  GEMM(transa, transb, m, n, k, batchCount, Atype, Btype, Ctype, computeType)) \
  X(cublasSgemmGroupedBatched,\
  (cublasHandle_t handle, const cublasOperation_t transa_array[], const cublasOperation_t transb_array[], const int m_array[], const int n_array[], const int k_array[], const float alpha_array[], const float * const Aarray[], const int lda_array[], const float * const Barray[], const int ldb_array[], const float beta_array[], float * const Carray[], const int ldc_array[], int group_count, const int group_size[]),\
  (handle, transa_array, transb_array, m_array, n_array, k_array, alpha_array, Aarray, lda_array, Barray, ldb_array, beta_array, Carray, ldc_array, group_count, group_size),\
  GROUPED(transa_array, transb_array, m_array, n_array, k_array, group_count, group_size, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasSgemmGroupedBatched_64,\
  (cublasHandle_t handle, const cublasOperation_t transa_array[], const cublasOperation_t transb_array[], const int64_t m_array[], const int64_t n_array[], const int64_t k_array[], const float alpha_array[], const float * const Aarray[], const int64_t lda_array[], const float * const Barray[], const int64_t ldb_array[], const float beta_array[], float * const Carray[], const int64_t ldc_array[], int64_t group_count, const int64_t group_size[]),\
  (handle, transa_array, transb_array, m_array, n_array, k_array, alpha_array, Aarray, lda_array, Barray, ldb_array, beta_array, Carray, ldc_array, group_count, group_size),\
  GROUPED(transa_array, transb_array, m_array, n_array, k_array, group_count, group_size, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasDgemmGroupedBatched,\
  (cublasHandle_t handle, const cublasOperation_t transa_array[], const cublasOperation_t transb_array[], const int m_array[], const int n_array[], const int k_array[], const double alpha_array[], const double * const Aarray[], const int lda_array[], const double * const Barray[], const int ldb_array[], const double beta_array[], double * const Carray[], const int ldc_array[], int group_count, const int group_size[]),\
  (handle, transa_array, transb_array, m_array, n_array, k_array, alpha_array, Aarray, lda_array, Barray, ldb_array, beta_array, Carray, ldc_array, group_count, group_size),\
  GROUPED(transa_array, transb_array, m_array, n_array, k_array, group_count, group_size, CUDA_R_64F, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasDgemmGroupedBatched_64,\
  (cublasHandle_t handle, const cublasOperation_t transa_array[], const cublasOperation_t transb_array[], const int64_t m_array[], const int64_t n_array[], const int64_t k_array[], const double alpha_array[], const double * const Aarray[], const int64_t lda_array[], const double * const Barray[], const int64_t ldb_array[], const double beta_array[], double * const Carray[], const int64_t ldc_array[], int64_t group_count, const int64_t group_size[]),\
  (handle, transa_array, transb_array, m_array, n_array, k_array, alpha_array, Aarray, lda_array, Barray, ldb_array, beta_array, Carray, ldc_array, group_count, group_size),\
  GROUPED(transa_array, transb_array, m_array, n_array, k_array, group_count, group_size, CUDA_R_64F, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasGemmGroupedBatchedEx,\
  (cublasHandle_t handle, const cublasOperation_t transa_array[], const cublasOperation_t transb_array[], const int m_array[], const int n_array[], const int k_array[], const void *alpha_array, const void * const Aarray[], cudaDataType_t Atype, const int lda_array[], const void * const Barray[], cudaDataType_t Btype, const int ldb_array[], const void *beta_array, void * const Carray[], cudaDataType_t Ctype, const int ldc_array[], int group_count, const int group_size[], cublasComputeType_t computeType),\
  (handle, transa_array, transb_array, m_array, n_array, k_array, alpha_array, Aarray, Atype, lda_array, Barray, Btype, ldb_array, beta_array, Carray, Ctype, ldc_array, group_count, group_size, computeType),\
  GROUPED(transa_array, transb_array, m_array, n_array, k_array, group_count, group_size, Atype, Btype, Ctype, computeType)) \
  X(cublasGemmGroupedBatchedEx_64,\
  (cublasHandle_t handle, const cublasOperation_t transa_array[], const cublasOperation_t transb_array[], const int64_t m_array[], const int64_t n_array[], const int64_t k_array[], const void *alpha_array, const void * const Aarray[], cudaDataType_t Atype, const int64_t lda_array[], const void * const Barray[], cudaDataType_t Btype, const int64_t ldb_array[], const void *beta_array, void * const Carray[], cudaDataType_t Ctype, const int64_t ldc_array[], int64_t group_count, const int64_t group_size[], cublasComputeType_t computeType),\
  (handle, transa_array, transb_array, m_array, n_array, k_array, alpha_array, Aarray, Atype, lda_array, Barray, Btype, ldb_array, beta_array, Carray, Ctype, ldc_array, group_count, group_size, computeType),\
  GROUPED(transa_array, transb_array, m_array, n_array, k_array, group_count, group_size, Atype, Btype, Ctype, computeType))

/* cuBLASLt: shapes and types are decoded from the descriptor and the layouts. */
#define MFU_CUBLASLT_APIS(X) \
  X(cublasLtMatmul,\
  (cublasLtHandle_t lightHandle, cublasLtMatmulDesc_t computeDesc, const void *alpha, const void *A, cublasLtMatrixLayout_t Adesc, const void *B, cublasLtMatrixLayout_t Bdesc, const void *beta, const void *C, cublasLtMatrixLayout_t Cdesc, void *D, cublasLtMatrixLayout_t Ddesc, const cublasLtMatmulAlgo_t *algo, void *workspace, size_t workspaceSizeInBytes, cudaStream_t stream),\
  (lightHandle, computeDesc, alpha, A, Adesc, B, Bdesc, beta, C, Cdesc, D, Ddesc, algo, workspace, workspaceSizeInBytes, stream),\
  LT_MATMUL(lightHandle, computeDesc, Adesc, Bdesc, Cdesc, Ddesc, stream))

/* NCCL 2.28 (nccl.h): every data movement, groups, and the communicator calls that tell who
 * is who. The shim forwards each to its pnccl* profiling twin when the library has one. */
#define MFU_NCCL_APIS(X) \
  X(ncclAllReduce, (const void *sendbuff, void *recvbuff, size_t count, ncclDataType_t datatype, ncclRedOp_t op, ncclComm_t comm, cudaStream_t stream),\
    (sendbuff, recvbuff, count, datatype, op, comm, stream),\
    COLL(MFU_NCCL_ALLREDUCE, count, datatype, op, -1, comm, stream)) \
  X(ncclBroadcast, (const void *sendbuff, void *recvbuff, size_t count, ncclDataType_t datatype, int root, ncclComm_t comm, cudaStream_t stream),\
    (sendbuff, recvbuff, count, datatype, root, comm, stream),\
    COLL(MFU_NCCL_BROADCAST, count, datatype, -1, root, comm, stream)) \
  X(ncclBcast, (void *buff, size_t count, ncclDataType_t datatype, int root, ncclComm_t comm, cudaStream_t stream),\
    (buff, count, datatype, root, comm, stream),\
    COLL(MFU_NCCL_BROADCAST, count, datatype, -1, root, comm, stream)) \
  X(ncclReduce, (const void *sendbuff, void *recvbuff, size_t count, ncclDataType_t datatype, ncclRedOp_t op, int root, ncclComm_t comm, cudaStream_t stream),\
    (sendbuff, recvbuff, count, datatype, op, root, comm, stream),\
    COLL(MFU_NCCL_REDUCE, count, datatype, op, root, comm, stream)) \
  X(ncclAllGather, (const void *sendbuff, void *recvbuff, size_t sendcount, ncclDataType_t datatype, ncclComm_t comm, cudaStream_t stream),\
    (sendbuff, recvbuff, sendcount, datatype, comm, stream),\
    COLL(MFU_NCCL_ALLGATHER, sendcount, datatype, -1, -1, comm, stream)) \
  X(ncclReduceScatter, (const void *sendbuff, void *recvbuff, size_t recvcount, ncclDataType_t datatype, ncclRedOp_t op, ncclComm_t comm, cudaStream_t stream),\
    (sendbuff, recvbuff, recvcount, datatype, op, comm, stream),\
    COLL(MFU_NCCL_REDUCESCATTER, recvcount, datatype, op, -1, comm, stream)) \
  X(ncclAlltoAll, (const void *sendbuff, void *recvbuff, size_t count, ncclDataType_t datatype, ncclComm_t comm, cudaStream_t stream),\
    (sendbuff, recvbuff, count, datatype, comm, stream),\
    COLL(MFU_NCCL_ALLTOALL, count, datatype, -1, -1, comm, stream)) \
  X(ncclGather, (const void *sendbuff, void *recvbuff, size_t count, ncclDataType_t datatype, int root, ncclComm_t comm, cudaStream_t stream),\
    (sendbuff, recvbuff, count, datatype, root, comm, stream),\
    COLL(MFU_NCCL_GATHER, count, datatype, -1, root, comm, stream)) \
  X(ncclScatter, (const void *sendbuff, void *recvbuff, size_t count, ncclDataType_t datatype, int root, ncclComm_t comm, cudaStream_t stream),\
    (sendbuff, recvbuff, count, datatype, root, comm, stream),\
    COLL(MFU_NCCL_SCATTER, count, datatype, -1, root, comm, stream)) \
  X(ncclSend, (const void *sendbuff, size_t count, ncclDataType_t datatype, int peer, ncclComm_t comm, cudaStream_t stream),\
    (sendbuff, count, datatype, peer, comm, stream),\
    COLL(MFU_NCCL_SEND, count, datatype, -1, peer, comm, stream)) \
  X(ncclRecv, (void *recvbuff, size_t count, ncclDataType_t datatype, int peer, ncclComm_t comm, cudaStream_t stream),\
    (recvbuff, count, datatype, peer, comm, stream),\
    COLL(MFU_NCCL_RECV, count, datatype, -1, peer, comm, stream)) \
  X(ncclGroupStart, (void), (), GROUP(MFU_NCCL_GROUP_START)) \
  X(ncclGroupEnd, (void), (), GROUP(MFU_NCCL_GROUP_END)) \
  X(ncclCommInitRank, (ncclComm_t *comm, int nranks, ncclUniqueId commId, int rank),\
    (comm, nranks, commId, rank),\
    COMM_FROM_IDS(comm, &commId, 1, rank, nranks)) \
  X(ncclCommInitRankConfig, (ncclComm_t *comm, int nranks, ncclUniqueId commId, int rank, ncclConfig_t *config),\
    (comm, nranks, commId, rank, config),\
    COMM_FROM_IDS(comm, &commId, 1, rank, nranks)) \
  X(ncclCommInitRankScalable, (ncclComm_t *newcomm, int nranks, int myrank, int nId, ncclUniqueId *commIds, ncclConfig_t *config),\
    (newcomm, nranks, myrank, nId, commIds, config),\
    COMM_FROM_IDS(newcomm, commIds, nId, myrank, nranks)) \
  X(ncclCommInitAll, (ncclComm_t *comm, int ndev, const int *devlist),\
    (comm, ndev, devlist),\
    COMM_ALL(comm, ndev)) \
  X(ncclCommSplit, (ncclComm_t comm, int color, int key, ncclComm_t *newcomm, ncclConfig_t *config),\
    (comm, color, key, newcomm, config),\
    COMM_SPLIT(comm, color, newcomm)) \
  X(ncclCommShrink, (ncclComm_t comm, int *excludeRanksList, int excludeRanksCount, ncclComm_t *newcomm, ncclConfig_t *config, int shrinkFlags),\
    (comm, excludeRanksList, excludeRanksCount, newcomm, config, shrinkFlags),\
    COMM_SHRINK(comm, excludeRanksList, excludeRanksCount, newcomm)) \
  X(ncclCommDestroy, (ncclComm_t comm), (comm), COMM_END(comm)) \
  X(ncclCommAbort, (ncclComm_t comm), (comm), COMM_END(comm)) \
  X(ncclCommFinalize, (ncclComm_t comm), (comm), COMM_END(comm)) \
  X(ncclCommCount, (const ncclComm_t comm, int *count), (comm, count), COMM_COUNT(comm, count)) \
  X(ncclCommUserRank, (const ncclComm_t comm, int *rank), (comm, rank), COMM_RANK(comm, rank))

/* CUDA runtime: stream capture and graphs, so that GEMMs and collectives captured into a
 * graph are counted at every launch (the _ptsz forms are what per-thread-default-stream
 * builds call). In GRAPH(), `graph_out`/`exec_out` are pointers the call fills. */
#define MFU_CUDART_GRAPH_APIS(X) \
  X(cudaStreamBeginCapture, (cudaStream_t stream, enum cudaStreamCaptureMode mode), (stream, mode),\
    GRAPH(MFU_GRAPH_BEGIN_CAPTURE, stream, NULL, NULL, mode)) \
  X(cudaStreamBeginCapture_ptsz, (cudaStream_t stream, enum cudaStreamCaptureMode mode), (stream, mode),\
    GRAPH(MFU_GRAPH_BEGIN_CAPTURE, stream, NULL, NULL, mode)) \
  X(cudaStreamBeginCaptureToGraph, (cudaStream_t stream, cudaGraph_t graph, const cudaGraphNode_t *dependencies, const cudaGraphEdgeData *dependencyData, size_t numDependencies, enum cudaStreamCaptureMode mode),\
    (stream, graph, dependencies, dependencyData, numDependencies, mode),\
    GRAPH(MFU_GRAPH_BEGIN_CAPTURE, stream, &graph, NULL, mode)) \
  X(cudaStreamBeginCaptureToGraph_ptsz, (cudaStream_t stream, cudaGraph_t graph, const cudaGraphNode_t *dependencies, const cudaGraphEdgeData *dependencyData, size_t numDependencies, enum cudaStreamCaptureMode mode),\
    (stream, graph, dependencies, dependencyData, numDependencies, mode),\
    GRAPH(MFU_GRAPH_BEGIN_CAPTURE, stream, &graph, NULL, mode)) \
  X(cudaStreamEndCapture, (cudaStream_t stream, cudaGraph_t *pGraph), (stream, pGraph),\
    GRAPH(MFU_GRAPH_END_CAPTURE, stream, pGraph, NULL, -1)) \
  X(cudaStreamEndCapture_ptsz, (cudaStream_t stream, cudaGraph_t *pGraph), (stream, pGraph),\
    GRAPH(MFU_GRAPH_END_CAPTURE, stream, pGraph, NULL, -1)) \
  X(cudaGraphInstantiate, (cudaGraphExec_t *pGraphExec, cudaGraph_t graph, unsigned long long flags),\
    (pGraphExec, graph, flags), GRAPH(MFU_GRAPH_INSTANTIATE, NULL, &graph, pGraphExec, -1)) \
  X(cudaGraphInstantiateWithFlags, (cudaGraphExec_t *pGraphExec, cudaGraph_t graph, unsigned long long flags),\
    (pGraphExec, graph, flags), GRAPH(MFU_GRAPH_INSTANTIATE, NULL, &graph, pGraphExec, -1)) \
  X(cudaGraphInstantiateWithParams, (cudaGraphExec_t *pGraphExec, cudaGraph_t graph, cudaGraphInstantiateParams *instantiateParams),\
    (pGraphExec, graph, instantiateParams), GRAPH(MFU_GRAPH_INSTANTIATE, NULL, &graph, pGraphExec, -1)) \
  X(cudaGraphInstantiateWithParams_ptsz, (cudaGraphExec_t *pGraphExec, cudaGraph_t graph, cudaGraphInstantiateParams *instantiateParams),\
    (pGraphExec, graph, instantiateParams), GRAPH(MFU_GRAPH_INSTANTIATE, NULL, &graph, pGraphExec, -1)) \
  X(cudaGraphExecUpdate, (cudaGraphExec_t hGraphExec, cudaGraph_t hGraph, cudaGraphExecUpdateResultInfo *resultInfo),\
    (hGraphExec, hGraph, resultInfo), GRAPH(MFU_GRAPH_EXEC_UPDATE, NULL, &hGraph, &hGraphExec, -1)) \
  X(cudaGraphExecDestroy, (cudaGraphExec_t graphExec), (graphExec),\
    GRAPH(MFU_GRAPH_EXEC_DESTROY, NULL, NULL, &graphExec, -1)) \
  X(cudaGraphDestroy, (cudaGraph_t graph), (graph), GRAPH(MFU_GRAPH_GRAPH_DESTROY, NULL, &graph, NULL, -1)) \
  X(cudaGraphLaunch, (cudaGraphExec_t graphExec, cudaStream_t stream), (graphExec, stream),\
    GRAPH(MFU_GRAPH_LAUNCH, stream, NULL, &graphExec, -1)) \
  X(cudaGraphLaunch_ptsz, (cudaGraphExec_t graphExec, cudaStream_t stream), (graphExec, stream),\
    GRAPH(MFU_GRAPH_LAUNCH, stream, NULL, &graphExec, -1))

/* CUDA runtime: cudaProfilerStart/Stop, the Nsight convention for the region (or the steps)
 * to profile; recorded as MARKER records. MARKER(kind): enum mfu_marker_kind. */
#define MFU_CUDART_MARKER_APIS(X) \
  X(cudaProfilerStart, (void), (), MARKER(MFU_MARKER_PROFILER_START)) \
  X(cudaProfilerStop, (void), (), MARKER(MFU_MARKER_PROFILER_STOP))

/* The non-GEMM Level-3 routines (symm, syrk, trsm...), generated from cublas_api.h. */
#include "mfu/api_spec_blas3.h"

/* NVTX: not interposed but reached through NVTX's injection interface (shim/markers.c fills
 * these slots of NVTX's CORE callback table), so listed by name alone, for their API ids. */
#define MFU_NVTX_APIS(X) \
  X(nvtxRangePushA) \
  X(nvtxRangePushW) \
  X(nvtxRangePushEx) \
  X(nvtxRangePop) \
  X(nvtxRangeStartA) \
  X(nvtxRangeStartW) \
  X(nvtxRangeStartEx) \
  X(nvtxRangeEnd)

#endif
