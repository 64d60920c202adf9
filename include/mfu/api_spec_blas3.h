/* The non-GEMM Level-3 routines of CUDA 13.0's cublas_api.h, in the form of api_spec.h:
 *     BLAS3(routine, side, uplo, trans, diag, m, n, k, batch, Atype, Ctype, compute)
 * routine: enum mfu_blas3_routine (include/mfu/blas3.h, which has the counting rules); m x n
 * is C's (B's, for trmm and trsm) shape, k the inner dimension of the rank-k updates (else 0);
 * MFU_BLAS3_NA marks an argument the routine does not have. Written by
 * scripts/spec_blas3.py from the header; tests/integration/linkage.sh checks that it is the
 * header's whole family. */
#ifndef MFU_API_SPEC_BLAS3_H
#define MFU_API_SPEC_BLAS3_H

#define MFU_CUBLAS_BLAS3_APIS(X) \
  X(cublasSsyrk_v2,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const float *alpha, const float *A, int lda, const float *beta, float *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasSsyrk_v2_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const float *alpha, const float *A, int64_t lda, const float *beta, float *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasDsyrk_v2,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const double *alpha, const double *A, int lda, const double *beta, double *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasDsyrk_v2_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const double *alpha, const double *A, int64_t lda, const double *beta, double *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasCsyrk_v2,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const cuComplex *alpha, const cuComplex *A, int lda, const cuComplex *beta, cuComplex *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCsyrk_v2_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const cuComplex *alpha, const cuComplex *A, int64_t lda, const cuComplex *beta, cuComplex *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasZsyrk_v2,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int lda, const cuDoubleComplex *beta, cuDoubleComplex *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZsyrk_v2_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int64_t lda, const cuDoubleComplex *beta, cuDoubleComplex *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasCsyrkEx,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const cuComplex *alpha, const void *A, cudaDataType Atype, int lda, const cuComplex *beta, void *C, cudaDataType Ctype, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, Atype, lda, beta, C, Ctype, ldc),\
  BLAS3(MFU_BLAS3_SYRK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, Atype, Ctype, MFU_COMPUTE_BY_MODE)) \
  X(cublasCsyrkEx_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const cuComplex *alpha, const void *A, cudaDataType Atype, int64_t lda, const cuComplex *beta, void *C, cudaDataType Ctype, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, Atype, lda, beta, C, Ctype, ldc),\
  BLAS3(MFU_BLAS3_SYRK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, Atype, Ctype, MFU_COMPUTE_BY_MODE)) \
  X(cublasCsyrk3mEx,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const cuComplex *alpha, const void *A, cudaDataType Atype, int lda, const cuComplex *beta, void *C, cudaDataType Ctype, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, Atype, lda, beta, C, Ctype, ldc),\
  BLAS3(MFU_BLAS3_SYRK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, Atype, Ctype, MFU_COMPUTE_BY_MODE)) \
  X(cublasCsyrk3mEx_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const cuComplex *alpha, const void *A, cudaDataType Atype, int64_t lda, const cuComplex *beta, void *C, cudaDataType Ctype, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, Atype, lda, beta, C, Ctype, ldc),\
  BLAS3(MFU_BLAS3_SYRK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, Atype, Ctype, MFU_COMPUTE_BY_MODE)) \
  X(cublasCherk_v2,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const float *alpha, const cuComplex *A, int lda, const float *beta, cuComplex *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HERK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCherk_v2_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const float *alpha, const cuComplex *A, int64_t lda, const float *beta, cuComplex *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HERK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasZherk_v2,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const double *alpha, const cuDoubleComplex *A, int lda, const double *beta, cuDoubleComplex *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HERK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZherk_v2_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const double *alpha, const cuDoubleComplex *A, int64_t lda, const double *beta, cuDoubleComplex *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HERK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasCherkEx,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const float *alpha, const void *A, cudaDataType Atype, int lda, const float *beta, void *C, cudaDataType Ctype, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, Atype, lda, beta, C, Ctype, ldc),\
  BLAS3(MFU_BLAS3_HERK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, Atype, Ctype, MFU_COMPUTE_BY_MODE)) \
  X(cublasCherkEx_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const float *alpha, const void *A, cudaDataType Atype, int64_t lda, const float *beta, void *C, cudaDataType Ctype, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, Atype, lda, beta, C, Ctype, ldc),\
  BLAS3(MFU_BLAS3_HERK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, Atype, Ctype, MFU_COMPUTE_BY_MODE)) \
  X(cublasCherk3mEx,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const float *alpha, const void *A, cudaDataType Atype, int lda, const float *beta, void *C, cudaDataType Ctype, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, Atype, lda, beta, C, Ctype, ldc),\
  BLAS3(MFU_BLAS3_HERK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, Atype, Ctype, MFU_COMPUTE_BY_MODE)) \
  X(cublasCherk3mEx_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const float *alpha, const void *A, cudaDataType Atype, int64_t lda, const float *beta, void *C, cudaDataType Ctype, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, Atype, lda, beta, C, Ctype, ldc),\
  BLAS3(MFU_BLAS3_HERK, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, Atype, Ctype, MFU_COMPUTE_BY_MODE)) \
  X(cublasSsyr2k_v2,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const float *alpha, const float *A, int lda, const float *B, int ldb, const float *beta, float *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYR2K, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasSsyr2k_v2_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const float *alpha, const float *A, int64_t lda, const float *B, int64_t ldb, const float *beta, float *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYR2K, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasDsyr2k_v2,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const double *alpha, const double *A, int lda, const double *B, int ldb, const double *beta, double *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYR2K, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasDsyr2k_v2_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const double *alpha, const double *A, int64_t lda, const double *B, int64_t ldb, const double *beta, double *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYR2K, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasCsyr2k_v2,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const cuComplex *alpha, const cuComplex *A, int lda, const cuComplex *B, int ldb, const cuComplex *beta, cuComplex *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYR2K, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCsyr2k_v2_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const cuComplex *alpha, const cuComplex *A, int64_t lda, const cuComplex *B, int64_t ldb, const cuComplex *beta, cuComplex *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYR2K, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasZsyr2k_v2,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int lda, const cuDoubleComplex *B, int ldb, const cuDoubleComplex *beta, cuDoubleComplex *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYR2K, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZsyr2k_v2_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int64_t lda, const cuDoubleComplex *B, int64_t ldb, const cuDoubleComplex *beta, cuDoubleComplex *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYR2K, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasCher2k_v2,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const cuComplex *alpha, const cuComplex *A, int lda, const cuComplex *B, int ldb, const float *beta, cuComplex *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HER2K, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCher2k_v2_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const cuComplex *alpha, const cuComplex *A, int64_t lda, const cuComplex *B, int64_t ldb, const float *beta, cuComplex *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HER2K, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasZher2k_v2,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int lda, const cuDoubleComplex *B, int ldb, const double *beta, cuDoubleComplex *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HER2K, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZher2k_v2_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int64_t lda, const cuDoubleComplex *B, int64_t ldb, const double *beta, cuDoubleComplex *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HER2K, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasSsyrkx,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const float *alpha, const float *A, int lda, const float *B, int ldb, const float *beta, float *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRKX, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasSsyrkx_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const float *alpha, const float *A, int64_t lda, const float *B, int64_t ldb, const float *beta, float *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRKX, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasDsyrkx,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const double *alpha, const double *A, int lda, const double *B, int ldb, const double *beta, double *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRKX, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasDsyrkx_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const double *alpha, const double *A, int64_t lda, const double *B, int64_t ldb, const double *beta, double *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRKX, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasCsyrkx,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const cuComplex *alpha, const cuComplex *A, int lda, const cuComplex *B, int ldb, const cuComplex *beta, cuComplex *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRKX, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCsyrkx_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const cuComplex *alpha, const cuComplex *A, int64_t lda, const cuComplex *B, int64_t ldb, const cuComplex *beta, cuComplex *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRKX, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasZsyrkx,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int lda, const cuDoubleComplex *B, int ldb, const cuDoubleComplex *beta, cuDoubleComplex *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRKX, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZsyrkx_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int64_t lda, const cuDoubleComplex *B, int64_t ldb, const cuDoubleComplex *beta, cuDoubleComplex *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYRKX, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasCherkx,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const cuComplex *alpha, const cuComplex *A, int lda, const cuComplex *B, int ldb, const float *beta, cuComplex *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HERKX, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCherkx_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const cuComplex *alpha, const cuComplex *A, int64_t lda, const cuComplex *B, int64_t ldb, const float *beta, cuComplex *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HERKX, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasZherkx,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int n, int k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int lda, const cuDoubleComplex *B, int ldb, const double *beta, cuDoubleComplex *C, int ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HERKX, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZherkx_64,\
  (cublasHandle_t handle, cublasFillMode_t uplo, cublasOperation_t trans, int64_t n, int64_t k, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int64_t lda, const cuDoubleComplex *B, int64_t ldb, const double *beta, cuDoubleComplex *C, int64_t ldc),\
  (handle, uplo, trans, n, k, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HERKX, MFU_BLAS3_NA, uplo, trans, MFU_BLAS3_NA, n, n, k, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasSsymm_v2,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, int m, int n, const float *alpha, const float *A, int lda, const float *B, int ldb, const float *beta, float *C, int ldc),\
  (handle, side, uplo, m, n, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYMM, side, uplo, MFU_BLAS3_NA, MFU_BLAS3_NA, m, n, 0, 1, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasSsymm_v2_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, int64_t m, int64_t n, const float *alpha, const float *A, int64_t lda, const float *B, int64_t ldb, const float *beta, float *C, int64_t ldc),\
  (handle, side, uplo, m, n, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYMM, side, uplo, MFU_BLAS3_NA, MFU_BLAS3_NA, m, n, 0, 1, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasDsymm_v2,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, int m, int n, const double *alpha, const double *A, int lda, const double *B, int ldb, const double *beta, double *C, int ldc),\
  (handle, side, uplo, m, n, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYMM, side, uplo, MFU_BLAS3_NA, MFU_BLAS3_NA, m, n, 0, 1, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasDsymm_v2_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, int64_t m, int64_t n, const double *alpha, const double *A, int64_t lda, const double *B, int64_t ldb, const double *beta, double *C, int64_t ldc),\
  (handle, side, uplo, m, n, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYMM, side, uplo, MFU_BLAS3_NA, MFU_BLAS3_NA, m, n, 0, 1, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasCsymm_v2,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, int m, int n, const cuComplex *alpha, const cuComplex *A, int lda, const cuComplex *B, int ldb, const cuComplex *beta, cuComplex *C, int ldc),\
  (handle, side, uplo, m, n, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYMM, side, uplo, MFU_BLAS3_NA, MFU_BLAS3_NA, m, n, 0, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCsymm_v2_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, int64_t m, int64_t n, const cuComplex *alpha, const cuComplex *A, int64_t lda, const cuComplex *B, int64_t ldb, const cuComplex *beta, cuComplex *C, int64_t ldc),\
  (handle, side, uplo, m, n, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYMM, side, uplo, MFU_BLAS3_NA, MFU_BLAS3_NA, m, n, 0, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasZsymm_v2,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, int m, int n, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int lda, const cuDoubleComplex *B, int ldb, const cuDoubleComplex *beta, cuDoubleComplex *C, int ldc),\
  (handle, side, uplo, m, n, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYMM, side, uplo, MFU_BLAS3_NA, MFU_BLAS3_NA, m, n, 0, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZsymm_v2_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, int64_t m, int64_t n, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int64_t lda, const cuDoubleComplex *B, int64_t ldb, const cuDoubleComplex *beta, cuDoubleComplex *C, int64_t ldc),\
  (handle, side, uplo, m, n, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_SYMM, side, uplo, MFU_BLAS3_NA, MFU_BLAS3_NA, m, n, 0, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasChemm_v2,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, int m, int n, const cuComplex *alpha, const cuComplex *A, int lda, const cuComplex *B, int ldb, const cuComplex *beta, cuComplex *C, int ldc),\
  (handle, side, uplo, m, n, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HEMM, side, uplo, MFU_BLAS3_NA, MFU_BLAS3_NA, m, n, 0, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasChemm_v2_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, int64_t m, int64_t n, const cuComplex *alpha, const cuComplex *A, int64_t lda, const cuComplex *B, int64_t ldb, const cuComplex *beta, cuComplex *C, int64_t ldc),\
  (handle, side, uplo, m, n, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HEMM, side, uplo, MFU_BLAS3_NA, MFU_BLAS3_NA, m, n, 0, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasZhemm_v2,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, int m, int n, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int lda, const cuDoubleComplex *B, int ldb, const cuDoubleComplex *beta, cuDoubleComplex *C, int ldc),\
  (handle, side, uplo, m, n, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HEMM, side, uplo, MFU_BLAS3_NA, MFU_BLAS3_NA, m, n, 0, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZhemm_v2_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, int64_t m, int64_t n, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int64_t lda, const cuDoubleComplex *B, int64_t ldb, const cuDoubleComplex *beta, cuDoubleComplex *C, int64_t ldc),\
  (handle, side, uplo, m, n, alpha, A, lda, B, ldb, beta, C, ldc),\
  BLAS3(MFU_BLAS3_HEMM, side, uplo, MFU_BLAS3_NA, MFU_BLAS3_NA, m, n, 0, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasStrsm_v2,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int m, int n, const float *alpha, const float *A, int lda, float *B, int ldb),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, 1, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasStrsm_v2_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int64_t m, int64_t n, const float *alpha, const float *A, int64_t lda, float *B, int64_t ldb),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, 1, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasDtrsm_v2,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int m, int n, const double *alpha, const double *A, int lda, double *B, int ldb),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, 1, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasDtrsm_v2_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int64_t m, int64_t n, const double *alpha, const double *A, int64_t lda, double *B, int64_t ldb),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, 1, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasCtrsm_v2,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int m, int n, const cuComplex *alpha, const cuComplex *A, int lda, cuComplex *B, int ldb),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCtrsm_v2_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int64_t m, int64_t n, const cuComplex *alpha, const cuComplex *A, int64_t lda, cuComplex *B, int64_t ldb),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasZtrsm_v2,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int m, int n, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int lda, cuDoubleComplex *B, int ldb),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZtrsm_v2_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int64_t m, int64_t n, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int64_t lda, cuDoubleComplex *B, int64_t ldb),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasStrmm_v2,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int m, int n, const float *alpha, const float *A, int lda, const float *B, int ldb, float *C, int ldc),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, C, ldc),\
  BLAS3(MFU_BLAS3_TRMM, side, uplo, trans, diag, m, n, 0, 1, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasStrmm_v2_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int64_t m, int64_t n, const float *alpha, const float *A, int64_t lda, const float *B, int64_t ldb, float *C, int64_t ldc),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, C, ldc),\
  BLAS3(MFU_BLAS3_TRMM, side, uplo, trans, diag, m, n, 0, 1, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasDtrmm_v2,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int m, int n, const double *alpha, const double *A, int lda, const double *B, int ldb, double *C, int ldc),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, C, ldc),\
  BLAS3(MFU_BLAS3_TRMM, side, uplo, trans, diag, m, n, 0, 1, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasDtrmm_v2_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int64_t m, int64_t n, const double *alpha, const double *A, int64_t lda, const double *B, int64_t ldb, double *C, int64_t ldc),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, C, ldc),\
  BLAS3(MFU_BLAS3_TRMM, side, uplo, trans, diag, m, n, 0, 1, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasCtrmm_v2,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int m, int n, const cuComplex *alpha, const cuComplex *A, int lda, const cuComplex *B, int ldb, cuComplex *C, int ldc),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, C, ldc),\
  BLAS3(MFU_BLAS3_TRMM, side, uplo, trans, diag, m, n, 0, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCtrmm_v2_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int64_t m, int64_t n, const cuComplex *alpha, const cuComplex *A, int64_t lda, const cuComplex *B, int64_t ldb, cuComplex *C, int64_t ldc),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, C, ldc),\
  BLAS3(MFU_BLAS3_TRMM, side, uplo, trans, diag, m, n, 0, 1, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasZtrmm_v2,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int m, int n, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int lda, const cuDoubleComplex *B, int ldb, cuDoubleComplex *C, int ldc),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, C, ldc),\
  BLAS3(MFU_BLAS3_TRMM, side, uplo, trans, diag, m, n, 0, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZtrmm_v2_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int64_t m, int64_t n, const cuDoubleComplex *alpha, const cuDoubleComplex *A, int64_t lda, const cuDoubleComplex *B, int64_t ldb, cuDoubleComplex *C, int64_t ldc),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, C, ldc),\
  BLAS3(MFU_BLAS3_TRMM, side, uplo, trans, diag, m, n, 0, 1, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasStrsmBatched,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int m, int n, const float *alpha, const float * const A[], int lda, float * const B[], int ldb, int batchCount),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, batchCount),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, batchCount, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasStrsmBatched_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int64_t m, int64_t n, const float *alpha, const float * const A[], int64_t lda, float * const B[], int64_t ldb, int64_t batchCount),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, batchCount),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, batchCount, CUDA_R_32F, CUDA_R_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasDtrsmBatched,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int m, int n, const double *alpha, const double * const A[], int lda, double * const B[], int ldb, int batchCount),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, batchCount),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, batchCount, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasDtrsmBatched_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int64_t m, int64_t n, const double *alpha, const double * const A[], int64_t lda, double * const B[], int64_t ldb, int64_t batchCount),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, batchCount),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, batchCount, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasCtrsmBatched,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int m, int n, const cuComplex *alpha, const cuComplex * const A[], int lda, cuComplex * const B[], int ldb, int batchCount),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, batchCount),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, batchCount, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasCtrsmBatched_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int64_t m, int64_t n, const cuComplex *alpha, const cuComplex * const A[], int64_t lda, cuComplex * const B[], int64_t ldb, int64_t batchCount),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, batchCount),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, batchCount, CUDA_C_32F, CUDA_C_32F, MFU_COMPUTE_BY_MODE)) \
  X(cublasZtrsmBatched,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int m, int n, const cuDoubleComplex *alpha, const cuDoubleComplex * const A[], int lda, cuDoubleComplex * const B[], int ldb, int batchCount),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, batchCount),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, batchCount, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F)) \
  X(cublasZtrsmBatched_64,\
  (cublasHandle_t handle, cublasSideMode_t side, cublasFillMode_t uplo, cublasOperation_t trans, cublasDiagType_t diag, int64_t m, int64_t n, const cuDoubleComplex *alpha, const cuDoubleComplex * const A[], int64_t lda, cuDoubleComplex * const B[], int64_t ldb, int64_t batchCount),\
  (handle, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, batchCount),\
  BLAS3(MFU_BLAS3_TRSM, side, uplo, trans, diag, m, n, 0, batchCount, CUDA_C_64F, CUDA_C_64F, CUBLAS_COMPUTE_64F))

#endif
