/* Test double for libcublas.so.13: the handle calls a program needs, and every GEMM of the
 * shim's API spec, returning success (or MFU_DOUBLE_STATUS) without doing any work. Built with
 * the real soname and version node, so programs linked against the real toolkit run on it
 * through LD_LIBRARY_PATH. */
#include <cublas_v2.h>
#include <stdlib.h>

#include "doubles.h"
#include "mfu/api_spec.h"

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
  *version = CUBLAS_VERSION;
  return CUBLAS_STATUS_SUCCESS;
}

size_t cublasGetCudartVersion(void) { return 13000; }

const char *cublasGetStatusName(cublasStatus_t status) {
  return status == CUBLAS_STATUS_SUCCESS ? "CUBLAS_STATUS_SUCCESS" : "CUBLAS_STATUS_(double)";
}

const char *cublasGetStatusString(cublasStatus_t status) {
  return status == CUBLAS_STATUS_SUCCESS ? "success" : "error (mfushim test double)";
}

#pragma GCC diagnostic ignored "-Wunused-parameter"
#define DOUBLE_GEMM(name, params, args, describe)                                              \
  cublasStatus_t name params { return (cublasStatus_t)double_status(); }
MFU_CUBLAS_GEMM_APIS(DOUBLE_GEMM)
