/* Test double for libcublas.so.13 (and .so.12): the handle calls a program needs, every GEMM
 * and other Level-3 routine (syrk, trsm...) of the shim's API spec, returning success (or
 * MFU_DOUBLE_STATUS), and two memory-bound BLAS-1 routines (cublasSaxpy, cublasSscal, not in
 * the spec: they are not GEMMs). GEMMs up to 512^3 are computed on the CPU (gemm_operands.h),
 * and so are the other Level-3 routines (blas3_cpu.h),
 * so that programs checking their results pass; cublas_data.c moves matrices and vectors; the
 * rest of cublas_api.h are generated stubs returning CUBLAS_STATUS_NOT_SUPPORTED. Built with
 * the real soname and version node, so programs linked against the real toolkit run on it
 * through LD_LIBRARY_PATH. When the fake GPU is there (fake_gpu.h), each successful call
 * launches one kernel on the handle's stream (one per group for grouped GEMMs). */
#include <cublas_v2.h>
#include <stdlib.h>

#include "blas3_cpu.h"
#include "doubles.h"
#include "gemm_operands.h"
#include "mfu/api_spec.h"
#include "mfu/blas3.h"
#include "mfu/gemm.h"

struct cublasContext {
  cublasMath_t math_mode;
  cudaStream_t stream;
  cublasPointerMode_t pointer_mode;
  cublasAtomicsMode_t atomics_mode;
};

cublasStatus_t cublasCreate_v2(cublasHandle_t *handle) {
  if (!handle) return CUBLAS_STATUS_INVALID_VALUE;
  *handle = calloc(1, sizeof **handle);
  return *handle ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_ALLOC_FAILED;
}

cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
  free(handle);
  return CUBLAS_STATUS_SUCCESS;
}

#define HANDLE_FIELD(setter, getter, type, field)                                              \
  cublasStatus_t setter(cublasHandle_t handle, type value) {                                   \
    if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;                                         \
    handle->field = value;                                                                     \
    return CUBLAS_STATUS_SUCCESS;                                                              \
  }                                                                                            \
  cublasStatus_t getter(cublasHandle_t handle, type *value) {                                  \
    if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;                                         \
    if (!value) return CUBLAS_STATUS_INVALID_VALUE;                                            \
    *value = handle->field;                                                                    \
    return CUBLAS_STATUS_SUCCESS;                                                              \
  }
HANDLE_FIELD(cublasSetMathMode, cublasGetMathMode, cublasMath_t, math_mode)
HANDLE_FIELD(cublasSetStream_v2, cublasGetStream_v2, cudaStream_t, stream)
HANDLE_FIELD(cublasSetPointerMode_v2, cublasGetPointerMode_v2, cublasPointerMode_t, pointer_mode)
HANDLE_FIELD(cublasSetAtomicsMode, cublasGetAtomicsMode, cublasAtomicsMode_t, atomics_mode)

cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void *workspace, size_t size) {
  (void)workspace, (void)size;
  return handle ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_INITIALIZED;
}

cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int *version) {
  (void)handle;
  *version = DOUBLE_CUBLAS_VERSION;
  return CUBLAS_STATUS_SUCCESS;
}

size_t cublasGetCudartVersion(void) { return DOUBLE_CUDART_VERSION; }

const char *cublasGetStatusName(cublasStatus_t status) {
  return status == CUBLAS_STATUS_SUCCESS ? "CUBLAS_STATUS_SUCCESS" : "CUBLAS_STATUS_(double)";
}

const char *cublasGetStatusString(cublasStatus_t status) {
  return status == CUBLAS_STATUS_SUCCESS ? "success" : "error (mfushim test double)";
}

/* ---- kernels on the fake GPU ----------------------------------------------------------- */

#define MFU_COMPUTE_BY_MODE (-2) /* the spec's "32F, or TF32/16F by the math mode" */

/* A GEMM's kernel, its FLOPs and precision class by include/mfu/gemm.h's rules, as the shim
 * counts them. */
static void launch_gemm(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                        int64_t m, int64_t n, int64_t k, int64_t batch, int atype, int btype,
                        int compute) {
  if (!fake_gpu()) return; /* nothing to time it */
  unsigned mode = handle ? (unsigned)handle->math_mode : 0;
  if (compute == MFU_COMPUTE_BY_MODE) /* as the shim resolves it */
    compute = atype == CUDA_R_32F || atype == CUDA_C_32F ? mfu_compute_for_math_mode(mode)
                                                         : CUBLAS_COMPUTE_32F;
  bool saturated = false;
  uint64_t flops = mfu_gemm_flops(m, n, k, batch, mfu_dtype_is_complex(atype), &saturated);
  char name[192];
  fake_gemm_name(name, sizeof name, mfu_gemm_precision(atype, btype, compute, mode, true), transa,
                 transb);
  fake_launch_kernel(name, handle ? handle->stream : NULL, fake_gemm_ns(flops));
}

/* The spec's descriptions, expanded as statements in each GEMM's body (its parameter `handle`
 * in scope). Ctype does not change the count. */
#define GEMM(transa, transb, m, n, k, batch, Atype, Btype, Ctype, compute)                     \
  launch_gemm(handle, transa, transb, m, n, k, batch, Atype, Btype, compute)
#define GROUPED(transa, transb, m, n, k, count, size, Atype, Btype, Ctype, compute)            \
  for (int64_t g = 0; transa && transb && m && n && k && size && g < (int64_t)(count); g++) \
  launch_gemm(handle, transa[g], transb[g], m[g], n[g], k[g], size[g], Atype, Btype, compute)

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define DOUBLE_GEMM(name, params, args, describe)                                              \
  DOUBLE_SPEC_FUNCTION(cublasStatus_t, CUBLAS_STATUS_SUCCESS, name, params, describe)
MFU_CUBLAS_GEMM_APIS(DOUBLE_GEMM_COMPUTED)
#pragma GCC diagnostic pop

/* The other Level-3 routines: one kernel each, named after the routine (not a GEMM kernel by
 * its name), timed by its FLOPs under include/mfu/blas3.h's rules. */
static void launch_blas3(cublasHandle_t handle, unsigned routine, int side,
                         int64_t m, int64_t n, int64_t k, int64_t batch, int atype) {
  if (!fake_gpu()) return;
  bool saturated = false;
  uint64_t flops = mfu_blas3_flops(routine, (unsigned)side, m, n, k, batch,
                                   mfu_dtype_is_complex(atype), &saturated);
  char name[64];
  snprintf(name, sizeof name, "void %s_kernel<%d>(void)", mfu_blas3_routine_name(routine), atype);
  fake_launch_kernel(name, handle ? handle->stream : NULL, fake_gemm_ns(flops));
}

#define BLAS3(routine, side, uplo, trans, diag, m, n, k, batch, Atype, Ctype, compute)          \
  launch_blas3(handle, routine, (int)(side), m, n, k, batch, Atype)
/* Launched on the fake GPU by `describe`, and computed (blas3_cpu.h). */
#define DOUBLE_BLAS3_COMPUTED(name, params, args, describe)                                    \
  DOUBLE_SPEC_FUNCTION(cublasStatus_t, CUBLAS_STATUS_SUCCESS, name, params,                    \
                       { describe; BLAS3_CPU_##describe args; })
MFU_CUBLAS_BLAS3_APIS(DOUBLE_BLAS3_COMPUTED)

/* Memory-bound kernels, named as cuBLAS 13's: y = a*x + y reads x and y and writes y; x = a*x
 * reads and writes x. They always succeed (MFU_DOUBLE_STATUS is for GEMMs and NCCL). */
#define AXPY_KERNEL "_Z15axpy_kernel_valIffEv19cublasAxpyParamsValIT_S1_T0_E"
#define SCAL_KERNEL "_Z15scal_kernel_valIffEv19cublasScalParamsValIT_T0_E"

static cublasStatus_t blas1(cublasHandle_t handle, const char *kernel, int64_t n, int64_t passes) {
  if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (n > 0)
    fake_launch_kernel(kernel, handle->stream,
                       fake_memory_ns((uint64_t)n * passes * sizeof(float)));
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSaxpy_v2(cublasHandle_t handle, int n, const float *alpha, const float *x,
                              int incx, float *y, int incy) {
  (void)alpha, (void)x, (void)incx, (void)y, (void)incy;
  return blas1(handle, AXPY_KERNEL, n, 3);
}

cublasStatus_t cublasSaxpy_v2_64(cublasHandle_t handle, int64_t n, const float *alpha,
                                 const float *x, int64_t incx, float *y, int64_t incy) {
  (void)alpha, (void)x, (void)incx, (void)y, (void)incy;
  return blas1(handle, AXPY_KERNEL, n, 3);
}

cublasStatus_t cublasSscal_v2(cublasHandle_t handle, int n, const float *alpha, float *x,
                              int incx) {
  (void)alpha, (void)x, (void)incx;
  return blas1(handle, SCAL_KERNEL, n, 2);
}

cublasStatus_t cublasSscal_v2_64(cublasHandle_t handle, int64_t n, const float *alpha, float *x,
                                 int64_t incx) {
  (void)alpha, (void)x, (void)incx;
  return blas1(handle, SCAL_KERNEL, n, 2);
}
