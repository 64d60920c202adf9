/* Test double for libcublasLt.so.13. The descriptor, layout and preference objects store and
 * return their attributes as the real library does (with its defaults for unset ones), so a
 * program, and the shim decoding cublasLtMatmul, read back what was set. Matmul returns
 * success (or MFU_DOUBLE_STATUS); small column-major ones with the default epilogue are
 * computed on the CPU (gemm_cpu.h), as is cublasLtMatrixTransform; when the fake GPU is there
 * (fake_gpu.h), a successful one launches a kernel on its stream, its FLOPs read from those
 * attributes. The algorithm search is cublaslt_algo.c's; the rest of cublasLt.h are generated
 * stubs returning CUBLAS_STATUS_NOT_SUPPORTED. */
#include <cublasLt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "doubles.h"
#include "gemm_cpu.h"
#include "mfu/api_spec.h"
#include "mfu/gemm.h"

#define MAX_ATTRS 64
#define MAX_ATTR_SIZE 16

/* Attributes of one object, keyed by the object's address: objects made by *Init_internal
 * live in the caller's memory, which is too small to hold them. */
struct attrs {
  const void *owner;
  unsigned char value[MAX_ATTRS][MAX_ATTR_SIZE];
  size_t size[MAX_ATTRS]; /* 0: unset */
  struct attrs *next;
};

static struct attrs *objects;
static pthread_mutex_t objects_lock = PTHREAD_MUTEX_INITIALIZER;

static struct attrs *find_locked(const void *owner) {
  for (struct attrs *a = objects; a; a = a->next)
    if (a->owner == owner) return a;
  return NULL;
}

static cublasStatus_t track(const void *owner) {
  struct attrs *a = calloc(1, sizeof *a);
  if (!a) return CUBLAS_STATUS_ALLOC_FAILED;
  a->owner = owner;
  pthread_mutex_lock(&objects_lock);
  struct attrs *old = find_locked(owner); /* re-initialized in place: start afresh */
  if (old) {
    memset(old->size, 0, sizeof old->size);
    free(a);
  } else {
    a->next = objects;
    objects = a;
  }
  pthread_mutex_unlock(&objects_lock);
  return CUBLAS_STATUS_SUCCESS;
}

static void untrack(const void *owner) {
  pthread_mutex_lock(&objects_lock);
  for (struct attrs **p = &objects; *p; p = &(*p)->next)
    if ((*p)->owner == owner) {
      struct attrs *dead = *p;
      *p = dead->next;
      free(dead);
      break;
    }
  pthread_mutex_unlock(&objects_lock);
}

static cublasStatus_t set_attr(const void *owner, unsigned attr, const void *buf, size_t size) {
  if (attr >= MAX_ATTRS || size == 0 || size > MAX_ATTR_SIZE || !buf)
    return CUBLAS_STATUS_INVALID_VALUE;
  pthread_mutex_lock(&objects_lock);
  struct attrs *a = find_locked(owner);
  if (a) {
    memcpy(a->value[attr], buf, size);
    a->size[attr] = size;
  }
  pthread_mutex_unlock(&objects_lock);
  return a ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_INITIALIZED;
}

/* Unset attributes read as `fallback` (an integer of the requested size), as the real
 * library's defaults. The real library's size rule: sizeInBytes 0 asks for the size. */
static cublasStatus_t get_attr(const void *owner, unsigned attr, void *buf, size_t size,
                               size_t *written, int64_t fallback) {
  if (attr >= MAX_ATTRS) return CUBLAS_STATUS_INVALID_VALUE;
  pthread_mutex_lock(&objects_lock);
  struct attrs *a = find_locked(owner);
  cublasStatus_t status = CUBLAS_STATUS_SUCCESS;
  if (!a) {
    status = CUBLAS_STATUS_NOT_INITIALIZED;
  } else if (a->size[attr]) {
    if (size == 0 && written) *written = a->size[attr];
    else if (size != a->size[attr] || !buf) status = CUBLAS_STATUS_INVALID_VALUE;
    else {
      memcpy(buf, a->value[attr], size);
      if (written) *written = size;
    }
  } else if (size == 4 || size == 8) {
    int32_t v32 = (int32_t)fallback;
    memcpy(buf, size == 4 ? (void *)&v32 : (void *)&fallback, size);
    if (written) *written = size;
  } else {
    status = CUBLAS_STATUS_INVALID_VALUE;
  }
  pthread_mutex_unlock(&objects_lock);
  return status;
}

/* --- handle */
cublasStatus_t cublasLtCreate(cublasLtHandle_t *handle) {
  *handle = (cublasLtHandle_t)calloc(1, 64);
  return *handle ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_ALLOC_FAILED;
}
cublasStatus_t cublasLtDestroy(cublasLtHandle_t handle) {
  free(handle);
  return CUBLAS_STATUS_SUCCESS;
}
size_t cublasLtGetVersion(void) { return DOUBLE_CUBLAS_VERSION; }
size_t cublasLtGetCudartVersion(void) { return DOUBLE_CUDART_VERSION; }

/* --- objects with attributes: create/init/destroy/set/get, one family per object type */
#define ATTR_OBJECT(type, attr_t, prefix, default_of)                       \
  cublasStatus_t prefix##Destroy(type obj) {                                                   \
    untrack(obj);                                                                              \
    free(obj);                                                                                 \
    return CUBLAS_STATUS_SUCCESS;                                                              \
  }                                                                                            \
  cublasStatus_t prefix##SetAttribute(type obj, attr_t attr, const void *buf, size_t size) {   \
    return set_attr(obj, (unsigned)attr, buf, size);                                           \
  }                                                                                            \
  cublasStatus_t prefix##GetAttribute(type obj, attr_t attr, void *buf, size_t size,           \
                                      size_t *written) {                                       \
    return get_attr(obj, (unsigned)attr, buf, size, written, default_of(obj, attr));           \
  }

/* Layout: order column-major, batch count 1 (CUBLASLT_MATRIX_LAYOUT_* defaults). */
static int64_t layout_default(cublasLtMatrixLayout_t obj, cublasLtMatrixLayoutAttribute_t attr) {
  (void)obj;
  return attr == CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT ? 1 : 0;
}
ATTR_OBJECT(cublasLtMatrixLayout_t, cublasLtMatrixLayoutAttribute_t, cublasLtMatrixLayout,
            layout_default)

static cublasStatus_t layout_init(cublasLtMatrixLayout_t layout, cudaDataType type, uint64_t rows,
                                  uint64_t cols, int64_t ld) {
  uint32_t t = (uint32_t)type;
  cublasStatus_t s = track(layout);
  if (s == CUBLAS_STATUS_SUCCESS) {
    set_attr(layout, CUBLASLT_MATRIX_LAYOUT_TYPE, &t, sizeof t);
    set_attr(layout, CUBLASLT_MATRIX_LAYOUT_ROWS, &rows, sizeof rows);
    set_attr(layout, CUBLASLT_MATRIX_LAYOUT_COLS, &cols, sizeof cols);
    set_attr(layout, CUBLASLT_MATRIX_LAYOUT_LD, &ld, sizeof ld);
  }
  return s;
}

cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t *layout, cudaDataType type,
                                          uint64_t rows, uint64_t cols, int64_t ld) {
  *layout = calloc(1, sizeof **layout);
  if (!*layout) return CUBLAS_STATUS_ALLOC_FAILED;
  return layout_init(*layout, type, rows, cols, ld);
}

cublasStatus_t cublasLtMatrixLayoutInit_internal(cublasLtMatrixLayout_t layout, size_t size,
                                                 cudaDataType type, uint64_t rows, uint64_t cols,
                                                 int64_t ld) {
  if (size < sizeof *layout) return CUBLAS_STATUS_INVALID_VALUE;
  return layout_init(layout, type, rows, cols, ld);
}

/* Descriptor: no transposes, default epilogue, scale type = compute type's natural type. */
static int64_t desc_default(cublasLtMatmulDesc_t obj, cublasLtMatmulDescAttributes_t attr) {
  switch (attr) {
  case CUBLASLT_MATMUL_DESC_EPILOGUE: return CUBLASLT_EPILOGUE_DEFAULT;
  case CUBLASLT_MATMUL_DESC_SCALE_TYPE: {
    int32_t compute = 0;
    get_attr(obj, CUBLASLT_MATMUL_DESC_COMPUTE_TYPE, &compute, sizeof compute, NULL, 0);
    switch (compute) {
    case CUBLAS_COMPUTE_16F: case CUBLAS_COMPUTE_16F_PEDANTIC: return CUDA_R_16F;
    case CUBLAS_COMPUTE_64F: case CUBLAS_COMPUTE_64F_PEDANTIC: return CUDA_R_64F;
    case CUBLAS_COMPUTE_32I: case CUBLAS_COMPUTE_32I_PEDANTIC: return CUDA_R_32I;
    default: return CUDA_R_32F;
    }
  }
  default: return 0;
  }
}
ATTR_OBJECT(cublasLtMatmulDesc_t, cublasLtMatmulDescAttributes_t, cublasLtMatmulDesc,
            desc_default)

static cublasStatus_t desc_init(cublasLtMatmulDesc_t desc, cublasComputeType_t compute,
                                cudaDataType_t scale) {
  int32_t c = (int32_t)compute, s = (int32_t)scale;
  cublasStatus_t st = track(desc);
  if (st == CUBLAS_STATUS_SUCCESS) {
    set_attr(desc, CUBLASLT_MATMUL_DESC_COMPUTE_TYPE, &c, sizeof c);
    set_attr(desc, CUBLASLT_MATMUL_DESC_SCALE_TYPE, &s, sizeof s);
  }
  return st;
}

cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t *desc, cublasComputeType_t compute,
                                        cudaDataType_t scale) {
  *desc = calloc(1, sizeof **desc);
  if (!*desc) return CUBLAS_STATUS_ALLOC_FAILED;
  return desc_init(*desc, compute, scale);
}

cublasStatus_t cublasLtMatmulDescInit_internal(cublasLtMatmulDesc_t desc, size_t size,
                                               cublasComputeType_t compute, cudaDataType_t scale) {
  if (size < sizeof *desc) return CUBLAS_STATUS_INVALID_VALUE;
  return desc_init(desc, compute, scale);
}

/* Preference: every attribute defaults to 0. */
static int64_t pref_default(cublasLtMatmulPreference_t obj,
                            cublasLtMatmulPreferenceAttributes_t attr) {
  (void)obj, (void)attr;
  return 0;
}
ATTR_OBJECT(cublasLtMatmulPreference_t, cublasLtMatmulPreferenceAttributes_t,
            cublasLtMatmulPreference, pref_default)

cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t *pref) {
  *pref = calloc(1, sizeof **pref);
  if (!*pref) return CUBLAS_STATUS_ALLOC_FAILED;
  return track(*pref);
}

cublasStatus_t cublasLtMatmulPreferenceInit_internal(cublasLtMatmulPreference_t pref, size_t size) {
  return size < sizeof *pref ? CUBLAS_STATUS_INVALID_VALUE : track(pref);
}

/* Emulation descriptor (floating-point emulation's settings): every attribute defaults to 0,
 * the library's defaults (the default strategy, mantissa control and counts). */
static int64_t emulation_default(cublasLtEmulationDesc_t obj,
                                 cublasLtEmulationDescAttributes_t attr) {
  (void)obj, (void)attr;
  return 0;
}
ATTR_OBJECT(cublasLtEmulationDesc_t, cublasLtEmulationDescAttributes_t, cublasLtEmulationDesc,
            emulation_default)

cublasStatus_t cublasLtEmulationDescCreate(cublasLtEmulationDesc_t *emulationDesc) {
  *emulationDesc = calloc(1, sizeof **emulationDesc);
  if (!*emulationDesc) return CUBLAS_STATUS_ALLOC_FAILED;
  return track(*emulationDesc);
}

cublasStatus_t cublasLtEmulationDescInit_internal(cublasLtEmulationDesc_t emulationDesc,
                                                  size_t size) {
  return size < sizeof *emulationDesc ? CUBLAS_STATUS_INVALID_VALUE : track(emulationDesc);
}

/* Transform descriptor: scale type as created, no transposes, host pointers. */
static int64_t transform_default(cublasLtMatrixTransformDesc_t obj,
                                 cublasLtMatrixTransformDescAttributes_t attr) {
  (void)obj, (void)attr;
  return 0;
}
ATTR_OBJECT(cublasLtMatrixTransformDesc_t, cublasLtMatrixTransformDescAttributes_t,
            cublasLtMatrixTransformDesc, transform_default)

static cublasStatus_t transform_init(cublasLtMatrixTransformDesc_t desc, cudaDataType scale) {
  int32_t s = (int32_t)scale;
  cublasStatus_t st = track(desc);
  if (st == CUBLAS_STATUS_SUCCESS)
    set_attr(desc, CUBLASLT_MATRIX_TRANSFORM_DESC_SCALE_TYPE, &s, sizeof s);
  return st;
}

cublasStatus_t cublasLtMatrixTransformDescCreate(cublasLtMatrixTransformDesc_t *transformDesc,
                                                 cudaDataType scaleType) {
  *transformDesc = calloc(1, sizeof **transformDesc);
  if (!*transformDesc) return CUBLAS_STATUS_ALLOC_FAILED;
  return transform_init(*transformDesc, scaleType);
}

cublasStatus_t cublasLtMatrixTransformDescInit_internal(cublasLtMatrixTransformDesc_t transformDesc,
                                                        size_t size, cudaDataType scaleType) {
  if (size < sizeof *transformDesc) return CUBLAS_STATUS_INVALID_VALUE;
  return transform_init(transformDesc, scaleType);
}

/* A matrix of a layout, for the CPU: column-major only (other orders are not computed). */
static bool cpu_matrix(cublasLtMatrixLayout_t l, const void *ptr, struct gemm_cpu_matrix *x,
                       uint64_t *rows, uint64_t *cols, int32_t *batch) {
  int32_t order = CUBLASLT_ORDER_COL;
  uint32_t type = 0;
  int64_t ld = 0, stride = 0;
  get_attr(l, CUBLASLT_MATRIX_LAYOUT_ORDER, &order, sizeof order, NULL, CUBLASLT_ORDER_COL);
  get_attr(l, CUBLASLT_MATRIX_LAYOUT_TYPE, &type, sizeof type, NULL, 0);
  get_attr(l, CUBLASLT_MATRIX_LAYOUT_LD, &ld, sizeof ld, NULL, 0);
  get_attr(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride, sizeof stride, NULL, 0);
  get_attr(l, CUBLASLT_MATRIX_LAYOUT_ROWS, rows, sizeof *rows, NULL, 0);
  get_attr(l, CUBLASLT_MATRIX_LAYOUT_COLS, cols, sizeof *cols, NULL, 0);
  get_attr(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, batch, sizeof *batch, NULL, 1);
  *x = (struct gemm_cpu_matrix){.ptr = ptr, .type = (int)type, .ld = ld, .stride = stride};
  return order == CUBLASLT_ORDER_COL;
}

/* C = alpha * op(A) + beta * op(B), computed on the CPU like small GEMMs (gemm_cpu.h). */
cublasStatus_t cublasLtMatrixTransform(cublasLtHandle_t lightHandle,
                                       cublasLtMatrixTransformDesc_t transformDesc,
                                       const void *alpha, const void *A,
                                       cublasLtMatrixLayout_t Adesc, const void *beta,
                                       const void *B, cublasLtMatrixLayout_t Bdesc, void *C,
                                       cublasLtMatrixLayout_t Cdesc, cudaStream_t stream) {
  (void)lightHandle, (void)stream;
  int32_t scale = 0, transa = CUBLAS_OP_N, transb = CUBLAS_OP_N, batch = 1, unused;
  uint64_t m = 0, n = 0, r, c;
  if (!Cdesc || !transformDesc) return CUBLAS_STATUS_INVALID_VALUE;
  get_attr(transformDesc, CUBLASLT_MATRIX_TRANSFORM_DESC_SCALE_TYPE, &scale, sizeof scale, NULL, 0);
  get_attr(transformDesc, CUBLASLT_MATRIX_TRANSFORM_DESC_TRANSA, &transa, sizeof transa, NULL, 0);
  get_attr(transformDesc, CUBLASLT_MATRIX_TRANSFORM_DESC_TRANSB, &transb, sizeof transb, NULL, 0);
  struct gemm_cpu_add g = {.transa = transa, .transb = transb, .alpha = alpha, .beta = beta,
                           .scale_type = scale};
  bool col = cpu_matrix(Cdesc, C, &g.c, &m, &n, &batch);
  if (A && Adesc) col &= cpu_matrix(Adesc, A, &g.a, &r, &c, &unused);
  if (B && Bdesc) col &= cpu_matrix(Bdesc, B, &g.b, &r, &c, &unused);
  g.m = (int64_t)m, g.n = (int64_t)n, g.batch = batch;
  if (col) gemm_cpu_add_run(&g);
  return CUBLAS_STATUS_SUCCESS;
}

/* The matmul's kernel, its shape from the attributes as docs/DESIGN.md reads them: m = rows(D),
 * n = cols(D), k = cols(A) if TRANSA is N else rows(A), batch = BATCH_COUNT of D. */
static void launch_matmul(cublasLtMatmulDesc_t desc, cublasLtMatrixLayout_t a,
                          cublasLtMatrixLayout_t b, cublasLtMatrixLayout_t d, cudaStream_t stream) {
  if (!fake_gpu()) return; /* nothing to time it */
  int32_t compute = 0, transa = CUBLAS_OP_N, transb = CUBLAS_OP_N, batch = 1;
  uint32_t atype = 0, btype = 0;
  uint64_t m = 0, n = 0, k = 0;
  get_attr(desc, CUBLASLT_MATMUL_DESC_COMPUTE_TYPE, &compute, sizeof compute, NULL, 0);
  get_attr(desc, CUBLASLT_MATMUL_DESC_TRANSA, &transa, sizeof transa, NULL, CUBLAS_OP_N);
  get_attr(desc, CUBLASLT_MATMUL_DESC_TRANSB, &transb, sizeof transb, NULL, CUBLAS_OP_N);
  get_attr(a, CUBLASLT_MATRIX_LAYOUT_TYPE, &atype, sizeof atype, NULL, 0);
  get_attr(b, CUBLASLT_MATRIX_LAYOUT_TYPE, &btype, sizeof btype, NULL, 0);
  get_attr(d, CUBLASLT_MATRIX_LAYOUT_ROWS, &m, sizeof m, NULL, 0);
  get_attr(d, CUBLASLT_MATRIX_LAYOUT_COLS, &n, sizeof n, NULL, 0);
  get_attr(a, transa == CUBLAS_OP_N ? CUBLASLT_MATRIX_LAYOUT_COLS : CUBLASLT_MATRIX_LAYOUT_ROWS, &k,
           sizeof k, NULL, 0);
  get_attr(d, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &batch, sizeof batch, NULL, 1);
  bool saturated = false;
  uint64_t flops = mfu_gemm_flops((int64_t)m, (int64_t)n, (int64_t)k, batch,
                                  mfu_dtype_is_complex((int)atype), &saturated);
  char name[192];
  fake_gemm_name(name, sizeof name, mfu_gemm_precision((int)atype, (int)btype, compute, 0, true),
                 transa, transb);
  fake_launch_kernel(name, stream, fake_gemm_ns(flops));
}

/* D = alpha * op(A) * op(B) + beta * C on the CPU, for the default epilogue (gemm_cpu.h). */
static void compute_matmul(cublasLtMatmulDesc_t desc, const void *alpha, const void *A,
                           cublasLtMatrixLayout_t a, const void *B, cublasLtMatrixLayout_t b,
                           const void *beta, const void *C, cublasLtMatrixLayout_t c, void *D,
                           cublasLtMatrixLayout_t d) {
  int32_t transa = CUBLAS_OP_N, transb = CUBLAS_OP_N, scale = 0, batch = 1, unused;
  uint32_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  uint64_t m = 0, n = 0, ar = 0, ac = 0, r, cols;
  get_attr(desc, CUBLASLT_MATMUL_DESC_TRANSA, &transa, sizeof transa, NULL, CUBLAS_OP_N);
  get_attr(desc, CUBLASLT_MATMUL_DESC_TRANSB, &transb, sizeof transb, NULL, CUBLAS_OP_N);
  get_attr(desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof epilogue, NULL,
           CUBLASLT_EPILOGUE_DEFAULT);
  get_attr(desc, CUBLASLT_MATMUL_DESC_SCALE_TYPE, &scale, sizeof scale, NULL,
           desc_default(desc, CUBLASLT_MATMUL_DESC_SCALE_TYPE));
  struct gemm_cpu g = {.transa = transa, .transb = transb, .alpha = alpha, .beta = beta,
                       .scale_type = scale};
  bool col = cpu_matrix(a, A, &g.a, &ar, &ac, &unused);
  col &= cpu_matrix(b, B, &g.b, &r, &cols, &unused);
  col &= cpu_matrix(c, C, &g.c, &r, &cols, &unused);
  col &= cpu_matrix(d, D, &g.d, &m, &n, &batch);
  g.m = (int64_t)m, g.n = (int64_t)n, g.k = (int64_t)(transa == CUBLAS_OP_N ? ac : ar);
  g.batch = batch;
  if (col && epilogue == CUBLASLT_EPILOGUE_DEFAULT) gemm_cpu_run(&g);
}

/* Expanded in cublasLtMatmul's body: its parameters alpha, A, B, beta, C, D are in scope. */
#define LT_MATMUL(handle, desc, a, b, c, d, stream)                                             \
  (launch_matmul(desc, a, b, d, stream), compute_matmul(desc, alpha, A, a, B, b, beta, C, c, D, d))

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define DOUBLE_MATMUL(name, params, args, describe)                                            \
  DOUBLE_SPEC_FUNCTION(cublasStatus_t, CUBLAS_STATUS_SUCCESS, name, params, describe)
MFU_CUBLASLT_APIS(DOUBLE_MATMUL)
#pragma GCC diagnostic pop
