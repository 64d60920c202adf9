/* Turning a GEMM call's arguments into a record: shape, types, precision class, FLOPs.
 * Inline, so that each wrapper folds the constants of its API (Sgemm's types, say). */
#ifndef MFU_GEMM_DESCRIBE_H
#define MFU_GEMM_DESCRIBE_H

#include <cublas_api.h>
#include <library_types.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "mfu/blas3.h"
#include "mfu/gemm.h"
#include "mfu/trace.h"

/* Compute type of routines without one (Sgemm, Cgemm, SgemmEx...): the handle's math mode
 * decides between 32F, TF32 and 16F. */
#define MFU_COMPUTE_BY_MODE (-2)

/* The handle's math mode, read from the real library, and its stream into rec->stream. */
unsigned mfu_gemm_read_handle(struct mfu_record *rec, cublasHandle_t handle);

static inline int mfu_gemm_resolved_compute(int atype, int compute, unsigned math_mode) {
  if (compute != MFU_COMPUTE_BY_MODE) return compute;
  bool fp32_inputs = atype == CUDA_R_32F || atype == CUDA_C_32F;
  return fp32_inputs ? mfu_compute_for_math_mode(math_mode) : CUBLAS_COMPUTE_32F;
}

/* Always inlined, as the describers below: an API's constant types fold into its precision. */
static inline __attribute__((always_inline)) void
mfu_gemm_fill_types(struct mfu_gemm *g, int atype, int btype, int ctype, int compute,
                    unsigned math_mode) {
  g->a_type = (int16_t)atype;
  g->b_type = (int16_t)btype;
  g->c_type = (int16_t)ctype;
  g->compute_type = (int16_t)compute;
  g->scale_type = -1;
  g->math_mode = (uint8_t)math_mode;
  g->precision = (uint8_t)mfu_gemm_precision(atype, btype, compute, math_mode,
                                             mfu_config.tf32_allowed);
}

/* Fill rec->u.gemm, rec->stream, rec->flops (0 unless rec->status is success) and rec->flags.
 * Always inlined: left to itself the compiler makes one out-of-line copy for all wrappers, and
 * the precision of each API's constant types is worked out at every call. */
static inline __attribute__((always_inline)) void mfu_describe_gemm(struct mfu_record *rec, cublasHandle_t handle,
                                     cublasOperation_t transa, cublasOperation_t transb,
                                     int64_t m, int64_t n, int64_t k, int64_t batch, int atype,
                                     int btype, int ctype, int compute) {
  struct mfu_gemm *g = &rec->u.gemm;
  unsigned math_mode = mfu_gemm_read_handle(rec, handle);
  compute = mfu_gemm_resolved_compute(atype, compute, math_mode);
  *g = (struct mfu_gemm){.m = m, .n = n, .k = k, .batch = batch, .groups = 1,
                         .transa = (uint8_t)transa, .transb = (uint8_t)transb,
                         .handle = (uint64_t)(uintptr_t)handle};
  mfu_gemm_fill_types(g, atype, btype, ctype, compute, math_mode);
  if (rec->status != CUBLAS_STATUS_SUCCESS) return;
  bool saturated = false;
  rec->flops = mfu_gemm_flops(m, n, k, batch, mfu_dtype_is_complex(atype), &saturated);
  if (saturated) rec->flags |= MFU_RF_FLOPS_SATURATED;
}

/* The other Level-3 routines (BLAS3 records): the GEMM payload with the routine's arguments,
 * FLOPs by include/mfu/blas3.h. `side`, `uplo`, `trans`, `diag`: MFU_BLAS3_NA where absent. */
static inline __attribute__((always_inline)) void
mfu_describe_blas3(struct mfu_record *rec, cublasHandle_t handle, unsigned routine, int side,
                   int uplo, int trans, int diag, int64_t m, int64_t n, int64_t k, int64_t batch,
                   int atype, int ctype, int compute) {
  struct mfu_gemm *g = &rec->u.gemm;
  unsigned math_mode = mfu_gemm_read_handle(rec, handle);
  compute = mfu_gemm_resolved_compute(atype, compute, math_mode);
  *g = (struct mfu_gemm){.m = m, .n = n, .k = k, .batch = batch, .groups = 1,
                         .transa = (uint8_t)trans, .transb = MFU_BLAS3_NA,
                         .routine = (uint8_t)routine, .side = (uint8_t)side,
                         .uplo = (uint8_t)uplo, .diag = (uint8_t)diag,
                         .handle = (uint64_t)(uintptr_t)handle};
  mfu_gemm_fill_types(g, atype, atype, ctype, compute, math_mode);
  if (rec->status != CUBLAS_STATUS_SUCCESS) return;
  bool saturated = false;
  rec->flops = mfu_blas3_flops(routine, (unsigned)side, m, n, k, batch,
                               mfu_dtype_is_complex(atype), &saturated);
  if (saturated) rec->flags |= MFU_RF_FLOPS_SATURATED;
}

/* Grouped GEMMs: group g has group_size[g] products of m[g] x k[g] by k[g] x n[g]. The
 * arrays are int (`wide` false) or int64_t (`wide` true), as in the _64 variants. */
void mfu_describe_grouped(struct mfu_record *rec, cublasHandle_t handle,
                          const cublasOperation_t *transa,
                          const cublasOperation_t *transb, const void *m, const void *n,
                          const void *k, int64_t group_count, const void *group_size, bool wide,
                          int atype, int btype, int ctype, int compute);

#endif
