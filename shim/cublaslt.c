/* The cublasLtMatmul wrapper. cuBLASLt carries the problem in opaque descriptors, so the shape
 * and types are read back from them with the real Get*Attribute calls (not intercepted):
 * layouts hold stored, pre-transpose shapes, so m = rows(D), n = cols(D), and k = cols(A) if
 * TRANSA is N, else rows(A); batch = BATCH_COUNT of D. */
#include <cublasLt.h>

#include "call.h"
#include "config.h"
#include "mfu/api.h"
#include "mfu/gemm.h"
#include "resolve.h"

typedef cublasStatus_t (*desc_get_fn)(cublasLtMatmulDesc_t, cublasLtMatmulDescAttributes_t, void *,
                                      size_t, size_t *);
typedef cublasStatus_t (*layout_get_fn)(cublasLtMatrixLayout_t, cublasLtMatrixLayoutAttribute_t,
                                        void *, size_t, size_t *);

/* Reads one attribute of exactly `size` bytes; false if the library refuses. */
static bool desc_get(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attr, void *buf,
                     size_t size) {
  static _Atomic(void *) fn;
  desc_get_fn get = mfu_real(&fn, "cublasLtMatmulDescGetAttribute", MFU_HOOK_CUBLASLT);
  size_t written = 0;
  return get && get(desc, attr, buf, size, &written) == CUBLAS_STATUS_SUCCESS && written == size;
}

static bool layout_get(cublasLtMatrixLayout_t layout, cublasLtMatrixLayoutAttribute_t attr,
                       void *buf, size_t size) {
  static _Atomic(void *) fn;
  layout_get_fn get = mfu_real(&fn, "cublasLtMatrixLayoutGetAttribute", MFU_HOOK_CUBLASLT);
  size_t written = 0;
  return get && get(layout, attr, buf, size, &written) == CUBLAS_STATUS_SUCCESS &&
         written == size;
}

static void describe_matmul(struct mfu_record *rec, cublasLtMatmulDesc_t desc,
                            cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,
                            cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d) {
  int32_t compute = -1, scale = -1, transa = CUBLAS_OP_N, transb = CUBLAS_OP_N;
  uint32_t epilogue = 0, atype = 0, btype = 0, ctype = 0;
  uint64_t m = 0, n = 0, k = 0;
  int32_t batch = 1;
  bool ok = desc_get(desc, CUBLASLT_MATMUL_DESC_COMPUTE_TYPE, &compute, sizeof compute) &&
            desc_get(desc, CUBLASLT_MATMUL_DESC_TRANSA, &transa, sizeof transa) &&
            layout_get(a, CUBLASLT_MATRIX_LAYOUT_TYPE, &atype, sizeof atype) &&
            layout_get(b, CUBLASLT_MATRIX_LAYOUT_TYPE, &btype, sizeof btype) &&
            layout_get(d, CUBLASLT_MATRIX_LAYOUT_ROWS, &m, sizeof m) &&
            layout_get(d, CUBLASLT_MATRIX_LAYOUT_COLS, &n, sizeof n) &&
            layout_get(a, transa == CUBLAS_OP_N ? CUBLASLT_MATRIX_LAYOUT_COLS
                                                : CUBLASLT_MATRIX_LAYOUT_ROWS,
                       &k, sizeof k);
  /* Optional details: their absence does not make the FLOPs unknown. */
  desc_get(desc, CUBLASLT_MATMUL_DESC_TRANSB, &transb, sizeof transb);
  desc_get(desc, CUBLASLT_MATMUL_DESC_SCALE_TYPE, &scale, sizeof scale);
  desc_get(desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof epilogue);
  layout_get(d, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &batch, sizeof batch);
  if (!layout_get(c ? c : d, CUBLASLT_MATRIX_LAYOUT_TYPE, &ctype, sizeof ctype)) ctype = 0;

  rec->u.gemm = (struct mfu_gemm){
      .m = (int64_t)m, .n = (int64_t)n, .k = (int64_t)k, .batch = batch, .groups = 1,
      .transa = (uint8_t)transa, .transb = (uint8_t)transb,
      .precision = (uint8_t)mfu_gemm_precision((int)atype, (int)btype, compute, 0,
                                               mfu_config.tf32_allowed),
      .a_type = (int16_t)atype, .b_type = (int16_t)btype, .c_type = (int16_t)ctype,
      .compute_type = (int16_t)compute, .scale_type = (int16_t)scale,
      .epilogue = (uint16_t)epilogue,
  };
  if (!ok) {
    rec->flags |= MFU_RF_SHAPE_UNKNOWN;
    rec->u.gemm.precision = MFU_PREC_OTHER;
    return;
  }
  if (rec->status != CUBLAS_STATUS_SUCCESS) return;
  bool saturated = false;
  rec->flops = mfu_gemm_flops((int64_t)m, (int64_t)n, (int64_t)k, batch,
                              mfu_dtype_is_complex((int)atype), &saturated);
  if (saturated) rec->flags |= MFU_RF_FLOPS_SATURATED;
}

#define LT_MATMUL(lt_handle, desc, a, b, c, d, cuda_stream)                                   \
  do {                                                                                         \
    describe_matmul(rec, desc, a, b, c, d);                                                    \
    rec->stream = (uint64_t)(uintptr_t)(cuda_stream);                                          \
    rec->u.gemm.handle = (uint64_t)(uintptr_t)(lt_handle);                                     \
  } while (0)

#define MFU_CUBLASLT_WRAPPER(name, params, args, describe)                                     \
  MFU_WRAPPER(cublasStatus_t, CUBLAS_STATUS_NOT_INITIALIZED, MFU_HOOK_CUBLASLT, MFU_REC_GEMM,   \
              name, params, args, describe)

MFU_CUBLASLT_APIS(MFU_CUBLASLT_WRAPPER)
