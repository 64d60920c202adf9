/* The cuBLAS wrappers, one per entry of MFU_CUBLAS_GEMM_APIS (GEMM records) and of
 * MFU_CUBLAS_BLAS3_APIS (BLAS3 records: syrk, trsm...) in include/mfu/api_spec.h.
 * Exported unversioned so that one definition interposes both cublasX@libcublas.so.12 and
 * cublasX@libcublas.so.13 references. */
#include <cublas_v2.h>

#include "call.h"
#include "gemm_describe.h"
#include "mfu/api.h"

#define GEMM(transa, transb, m, n, k, batch, atype, btype, ctype, compute)                     \
  mfu_describe_gemm(rec, handle, transa, transb, m, n, k, batch, atype, btype, ctype, compute)

#define GROUPED(transa, transb, m, n, k, groups, sizes, atype, btype, ctype, compute)          \
  mfu_describe_grouped(rec, handle, transa, transb, m, n, k, groups, sizes,                    \
                       _Generic((m), const int64_t *: true, default: false), atype, btype,     \
                       ctype, compute)

#define BLAS3(routine, side, uplo, trans, diag, m, n, k, batch, atype, ctype, compute)          \
  mfu_describe_blas3(rec, handle, routine, (int)(side), (int)(uplo), (int)(trans), (int)(diag), m, n, \
                     k, batch, atype, ctype, compute)

#define MFU_CUBLAS_WRAPPER(name, params, args, describe)                                       \
  MFU_WRAPPER(cublasStatus_t, CUBLAS_STATUS_NOT_INITIALIZED, MFU_HOOK_CUBLAS, MFU_REC_GEMM,     \
              name, params, args, describe)

MFU_CUBLAS_GEMM_APIS(MFU_CUBLAS_WRAPPER)

#define MFU_CUBLAS_BLAS3_WRAPPER(name, params, args, describe)                                 \
  MFU_WRAPPER(cublasStatus_t, CUBLAS_STATUS_NOT_INITIALIZED, MFU_HOOK_CUBLAS, MFU_REC_BLAS3,    \
              name, params, args, describe)

MFU_CUBLAS_BLAS3_APIS(MFU_CUBLAS_BLAS3_WRAPPER)
