/* GEMM records: the counting rules of include/mfu/gemm.h applied to call arguments. */
#include "gemm_describe.h"

#include <library_types.h>

#include "resolve.h"

/* gemm.h repeats CUDA enum values so the analyzer needs no CUDA header: keep them honest. */
#define SAME(a, b) ((int)(a) == (int)(b))
static_assert(SAME(MFU_CUDA_R_32F, CUDA_R_32F) && SAME(MFU_CUDA_C_64F, CUDA_C_64F) &&
                  SAME(MFU_CUDA_R_16BF, CUDA_R_16BF) && SAME(MFU_CUDA_R_8F_E4M3, CUDA_R_8F_E4M3) &&
                  SAME(MFU_CUDA_R_8F_E5M2, CUDA_R_8F_E5M2) && SAME(MFU_CUDA_R_4F_E2M1, CUDA_R_4F_E2M1) &&
                  SAME(MFU_CUDA_R_8I, CUDA_R_8I) && SAME(MFU_CUDA_C_16BF, CUDA_C_16BF),
              "cudaDataType values");
static_assert(SAME(MFU_COMPUTE_32F, CUBLAS_COMPUTE_32F) &&
                  SAME(MFU_COMPUTE_32F_FAST_TF32, CUBLAS_COMPUTE_32F_FAST_TF32) &&
                  SAME(MFU_COMPUTE_32F_FAST_16F, CUBLAS_COMPUTE_32F_FAST_16F) &&
                  SAME(MFU_COMPUTE_32F_FAST_16BF, CUBLAS_COMPUTE_32F_FAST_16BF) &&
                  SAME(MFU_COMPUTE_64F, CUBLAS_COMPUTE_64F) && SAME(MFU_COMPUTE_16F, CUBLAS_COMPUTE_16F) &&
                  SAME(MFU_COMPUTE_32I, CUBLAS_COMPUTE_32I),
              "cublasComputeType_t values");
static_assert(SAME(MFU_MATH_TF32_TENSOR_OP, CUBLAS_TF32_TENSOR_OP_MATH) &&
                  SAME(MFU_MATH_TENSOR_OP, CUBLAS_TENSOR_OP_MATH),
              "cublasMath_t values");
static_assert(SAME(MFU_BLAS3_SIDE_RIGHT, CUBLAS_SIDE_RIGHT) && MFU_BLAS3_NA > CUBLAS_FILL_MODE_FULL,
              "cublasSideMode_t values");

/* The handle's math mode, and its stream into rec->stream (uncounted calls into cuBLAS). */
unsigned mfu_gemm_read_handle(struct mfu_record *rec, cublasHandle_t handle) {
  static _Atomic(void *) get_mode, get_stream;
  unsigned math_mode = 0;
  cublasStatus_t (*mode_fn)(cublasHandle_t, cublasMath_t *) =
      mfu_real(&get_mode, "cublasGetMathMode", MFU_HOOK_CUBLAS);
  cublasStatus_t (*stream_fn)(cublasHandle_t, cudaStream_t *) =
      mfu_real(&get_stream, "cublasGetStream_v2", MFU_HOOK_CUBLAS);
  cublasMath_t mode;
  cudaStream_t stream;
  if (mode_fn && mode_fn(handle, &mode) == CUBLAS_STATUS_SUCCESS) math_mode = (unsigned)mode;
  if (stream_fn && stream_fn(handle, &stream) == CUBLAS_STATUS_SUCCESS)
    rec->stream = (uint64_t)(uintptr_t)stream;
  return math_mode;
}

static int64_t element(const void *array, bool wide, int64_t i) {
  return wide ? ((const int64_t *)array)[i] : ((const int *)array)[i];
}

void mfu_describe_grouped(struct mfu_record *rec, cublasHandle_t handle,
                          const cublasOperation_t *transa, const cublasOperation_t *transb,
                          const void *m, const void *n, const void *k, int64_t group_count,
                          const void *group_size, bool wide, int atype, int btype, int ctype,
                          int compute) {
  struct mfu_gemm *g = &rec->u.gemm;
  unsigned math_mode = mfu_gemm_read_handle(rec, handle);
  compute = mfu_gemm_resolved_compute(atype, compute, math_mode);
  *g = (struct mfu_gemm){.groups = (int32_t)group_count, .handle = (uint64_t)(uintptr_t)handle};
  mfu_gemm_fill_types(g, atype, btype, ctype, compute, math_mode);
  if (group_count <= 0 || !m || !n || !k || !group_size || !transa || !transb) return;
  g->m = element(m, wide, 0);
  g->n = element(n, wide, 0);
  g->k = element(k, wide, 0);
  g->transa = (uint8_t)transa[0];
  g->transb = (uint8_t)transb[0];
  bool saturated = false, complex = mfu_dtype_is_complex(atype);
  uint64_t flops = 0;
  for (int64_t i = 0; i < group_count; i++) {
    int64_t mi = element(m, wide, i), ni = element(n, wide, i), ki = element(k, wide, i);
    int64_t size = element(group_size, wide, i);
    if (mi != g->m || ni != g->n || ki != g->k) rec->flags |= MFU_RF_MIXED_SHAPES;
    if (size > 0) g->batch += size;
    flops = mfu_add_saturating(flops, mfu_gemm_flops(mi, ni, ki, size, complex, &saturated),
                               &saturated);
  }
  if (rec->status != CUBLAS_STATUS_SUCCESS) return;
  rec->flops = flops;
  if (saturated) rec->flags |= MFU_RF_FLOPS_SATURATED;
}
