/* The cuBLAS double's matrix and vector transfers (cublasSet/GetMatrix, cublasSet/GetVector,
 * their Async and _64 forms): strided copies between host and device memory (devmem.h), so
 * that programs moving their operands this way see their data again. A vector of n elements,
 * inc apart, is a 1 x n matrix with leading dimension inc. Async ones are done on return. */
#include <cublas_api.h>
#include <stdbool.h>
#include <string.h>

#include "devmem.h"

/* `to_device`: src is host memory, dst device memory (Set); else the other way (Get). */
static cublasStatus_t strided_copy(bool to_device, int64_t rows, int64_t cols, int64_t elem,
                                   const void *src, int64_t lds, void *dst, int64_t ldd) {
  if (rows < 0 || cols < 0 || elem <= 0 || lds < (rows > 1 ? rows : 1) ||
      ldd < (rows > 1 ? rows : 1))
    return CUBLAS_STATUS_INVALID_VALUE;
  if (!rows || !cols) return CUBLAS_STATUS_SUCCESS;
  size_t es = (size_t)elem, width = (size_t)rows * es;
  size_t slen = (size_t)lds * (size_t)(cols - 1) * es + width;
  size_t dlen = (size_t)ldd * (size_t)(cols - 1) * es + width;
  const unsigned char *s = to_device ? mfu_devmem_host(src, slen) : mfu_devmem_device(src, slen);
  unsigned char *d = to_device ? mfu_devmem_device(dst, dlen) : mfu_devmem_host(dst, dlen);
  if (!s || !d) return CUBLAS_STATUS_MAPPING_ERROR;
  if (!mfu_devmem_zeros(src)) mfu_devmem_written(dst);
  for (int64_t j = 0; j < cols; j++)
    memmove(d + (size_t)j * (size_t)ldd * es, s + (size_t)j * (size_t)lds * es, width);
  return CUBLAS_STATUS_SUCCESS;
}

static cublasStatus_t vector_copy(bool to_device, int64_t n, int64_t elem, const void *x,
                                  int64_t incx, void *y, int64_t incy) {
  if (incx <= 0 || incy <= 0) return CUBLAS_STATUS_INVALID_VALUE;
  return strided_copy(to_device, 1, n, elem, x, incx, y, incy);
}

#define MATRIX(name, to_device, I)                                                                 \
  cublasStatus_t name(I rows, I cols, I elemSize, const void *A, I lda, void *B, I ldb) {          \
    return strided_copy(to_device, rows, cols, elemSize, A, lda, B, ldb);                          \
  }                                                                                                \
  cublasStatus_t name##Async(I rows, I cols, I elemSize, const void *A, I lda, void *B, I ldb,     \
                             cudaStream_t stream) {                                                \
    (void)stream;                                                                                  \
    return strided_copy(to_device, rows, cols, elemSize, A, lda, B, ldb);                          \
  }
#define VECTOR(name, to_device, I)                                                                 \
  cublasStatus_t name(I n, I elemSize, const void *x, I incx, void *y, I incy) {                   \
    return vector_copy(to_device, n, elemSize, x, incx, y, incy);                                  \
  }                                                                                                \
  cublasStatus_t name##Async(I n, I elemSize, const void *x, I incx, void *y, I incy,              \
                             cudaStream_t stream) {                                                \
    (void)stream;                                                                                  \
    return vector_copy(to_device, n, elemSize, x, incx, y, incy);                                  \
  }

MATRIX(cublasSetMatrix, true, int)
MATRIX(cublasGetMatrix, false, int)
VECTOR(cublasSetVector, true, int)
VECTOR(cublasGetVector, false, int)

/* The _64 forms put _64 after Async: cublasSetMatrixAsync_64. */
#define MATRIX_64(name, to_device)                                                                 \
  cublasStatus_t name##_64(int64_t rows, int64_t cols, int64_t elemSize, const void *A,            \
                           int64_t lda, void *B, int64_t ldb) {                                    \
    return strided_copy(to_device, rows, cols, elemSize, A, lda, B, ldb);                          \
  }                                                                                                \
  cublasStatus_t name##Async_64(int64_t rows, int64_t cols, int64_t elemSize, const void *A,       \
                                int64_t lda, void *B, int64_t ldb, cudaStream_t stream) {          \
    (void)stream;                                                                                  \
    return strided_copy(to_device, rows, cols, elemSize, A, lda, B, ldb);                          \
  }
#define VECTOR_64(name, to_device)                                                                 \
  cublasStatus_t name##_64(int64_t n, int64_t elemSize, const void *x, int64_t incx, void *y,      \
                           int64_t incy) {                                                         \
    return vector_copy(to_device, n, elemSize, x, incx, y, incy);                                  \
  }                                                                                                \
  cublasStatus_t name##Async_64(int64_t n, int64_t elemSize, const void *x, int64_t incx,          \
                                void *y, int64_t incy, cudaStream_t stream) {                      \
    (void)stream;                                                                                  \
    return vector_copy(to_device, n, elemSize, x, incx, y, incy);                                  \
  }

MATRIX_64(cublasSetMatrix, true)
MATRIX_64(cublasGetMatrix, false)
VECTOR_64(cublasSetVector, true)
VECTOR_64(cublasGetVector, false)
