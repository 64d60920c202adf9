/* Turning a GEMM call's arguments into a record: shape, types, precision class, FLOPs. */
#ifndef MFU_GEMM_DESCRIBE_H
#define MFU_GEMM_DESCRIBE_H

#include <cublas_api.h>
#include <stdbool.h>
#include <stdint.h>

#include "mfu/trace.h"

/* Compute type of routines without one (Sgemm, Cgemm, SgemmEx...): the handle's math mode
 * decides between 32F, TF32 and 16F. */
#define MFU_COMPUTE_BY_MODE (-2)

/* Fill rec->u.gemm, rec->stream, rec->flops (0 unless rec->status is success) and rec->flags.
 * The handle's math mode and stream are read from the real library. */
void mfu_describe_gemm(struct mfu_record *rec, cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                       int64_t m, int64_t n, int64_t k, int64_t batch, int atype, int btype,
                       int ctype, int compute);

/* Grouped GEMMs: group g has group_size[g] products of m[g] x k[g] by k[g] x n[g]. The
 * arrays are int (`wide` false) or int64_t (`wide` true), as in the _64 variants. */
void mfu_describe_grouped(struct mfu_record *rec, cublasHandle_t handle,
                          const cublasOperation_t *transa,
                          const cublasOperation_t *transb, const void *m, const void *n,
                          const void *k, int64_t group_count, const void *group_size, bool wide,
                          int atype, int btype, int ctype, int compute);

#endif
