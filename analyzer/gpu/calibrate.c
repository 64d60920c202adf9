/* calibrate: see calibrate.h. The few CUDA types and constants needed are declared below with
 * their ABI values from the CUDA headers: the analyzer is built without them. */
#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate.h"
#include "util/errmsg.h"

#define DOUBLES_DEVICE "mfushim test double (no GPU)" /* tests/doubles/cudart.c */
#define WORKSPACE ((size_t)32 << 20)                  /* what PyTorch gives cuBLASLt on Hopper */
#define PROPS_SIZE 8192 /* more than any cudaDeviceProp; only its first member, name, is read */

/* ABI values from library_types.h, cublas_api.h, cublasLt.h and driver_types.h. */
enum {
  CUDA_R_32F = 0,
  CUDA_R_16F = 2,
  CUDA_R_16BF = 14,
  CUDA_R_8F_E4M3 = 28,
  COMPUTE_32F = 68,
  COMPUTE_32F_FAST_TF32 = 77,
  OP_N = 0,
  OP_T = 1,
  DESC_TRANSA = 3,
  DESC_TRANSB = 4,
  PREF_MAX_WORKSPACE_BYTES = 1,
  MEMCPY_HOST_TO_DEVICE = 1,
  ATTR_CC_MAJOR = 75,
  ATTR_CC_MINOR = 76,
};

typedef void *handle_t; /* every CUDA and cuBLASLt handle is an opaque pointer */

struct heuristic { /* cublasLtMatmulHeuristicResult_t */
  uint64_t algo[8];
  size_t workspace_size;
  int state;
  float waves;
  int reserved[4];
};

/* The functions used, as X(name, return type, parameters). */
#define CUDART_FUNCS(X)                                                    \
  X(cudaGetDeviceCount, int, (int *count))                                 \
  X(cudaDeviceGetAttribute, int, (int *value, int attr, int device))       \
  X(cudaGetErrorString, const char *, (int error))                         \
  X(cudaMalloc, int, (void **ptr, size_t size))                            \
  X(cudaFree, int, (void *ptr))                                            \
  X(cudaMemcpy, int, (void *dst, const void *src, size_t count, int kind)) \
  X(cudaEventCreate, int, (handle_t * event))                              \
  X(cudaEventRecord, int, (handle_t event, handle_t stream))               \
  X(cudaEventSynchronize, int, (handle_t event))                           \
  X(cudaEventElapsedTime, int, (float *ms, handle_t start, handle_t end))  \
  X(cudaEventDestroy, int, (handle_t event))
#define CUBLASLT_FUNCS(X)                                                                          \
  X(cublasLtCreate, int, (handle_t * lt))                                                          \
  X(cublasLtDestroy, int, (handle_t lt))                                                           \
  X(cublasLtGetVersion, size_t, (void))                                                            \
  X(cublasLtMatmulDescCreate, int, (handle_t * desc, int compute, int scale_type))                 \
  X(cublasLtMatmulDescDestroy, int, (handle_t desc))                                               \
  X(cublasLtMatmulDescSetAttribute, int, (handle_t desc, int attr, const void *v, size_t n))       \
  X(cublasLtMatrixLayoutCreate, int,                                                               \
    (handle_t * layout, int type, uint64_t rows, uint64_t cols, int64_t ld))                       \
  X(cublasLtMatrixLayoutDestroy, int, (handle_t layout))                                           \
  X(cublasLtMatmulPreferenceCreate, int, (handle_t * pref))                                        \
  X(cublasLtMatmulPreferenceDestroy, int, (handle_t pref))                                         \
  X(cublasLtMatmulPreferenceSetAttribute, int, (handle_t pref, int attr, const void *v, size_t n)) \
  X(cublasLtMatmulAlgoGetHeuristic, int,                                                           \
    (handle_t lt, handle_t desc, handle_t a, handle_t b, handle_t c, handle_t d, handle_t pref,    \
     int requested, struct heuristic *results, int *returned))                                     \
  X(cublasLtMatmul, int,                                                                           \
    (handle_t lt, handle_t desc, const void *alpha, const void *A, handle_t a, const void *B,      \
     handle_t b, const void *beta, const void *C, handle_t c, void *D, handle_t d,                 \
     const uint64_t *algo, void *workspace, size_t workspace_size, handle_t stream))

struct calibrate_cuda {
  void *rt, *lt;
  handle_t handle; /* cuBLASLt's */
  int (*get_properties)(void *prop, int device); /* cudaGetDeviceProperties(_v2) */
#define FIELD(name, ret, params) ret(*name) params;
  CUDART_FUNCS(FIELD)
  CUBLASLT_FUNCS(FIELD)
#undef FIELD
};

const struct calibrate_precision calibrate_precisions[CALIBRATE_PRECISIONS] = {
    {"bf16", CUDA_R_16BF, CUDA_R_16BF, COMPUTE_32F, 2, 2, 8, 7, 80},
    {"fp16", CUDA_R_16F, CUDA_R_16F, COMPUTE_32F, 2, 2, 5, 10, 70},
    {"tf32", CUDA_R_32F, CUDA_R_32F, COMPUTE_32F_FAST_TF32, 4, 4, 8, 23, 80},
    {"fp8", CUDA_R_8F_E4M3, CUDA_R_16BF, COMPUTE_32F, 1, 2, 4, 3, 89},
    {"fp32", CUDA_R_32F, CUDA_R_32F, COMPUTE_32F, 4, 4, 8, 23, 0},
};

/* ---- loading CUDA ----------------------------------------------------------------------- */

static bool load_symbols(void *lib, const char *path, const char *const names[], void **slots[],
                         size_t n, char *err, size_t errsz) {
  for (size_t i = 0; i < n; i++) {
    void *sym = dlsym(lib, names[i]);
    if (!sym) {
      snprintf(err, errsz, "%.1000s has no %s: not a usable CUDA library", path, names[i]);
      return false;
    }
    memcpy(slots[i], &sym, sizeof sym); /* object pointer to function pointer, as POSIX allows */
  }
  return true;
}

/* dlopen by soname (LD_LIBRARY_PATH, the loader cache), else from the CUDA toolkit. */
static void *open_library(const char *soname, char path[PATH_MAX], char *err, size_t errsz) {
  const char *home = getenv("CUDA_HOME");
  const char *dirs[] = {NULL, home && *home ? home : NULL, "/usr/local/cuda"};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    char name[PATH_MAX];
    if (i > 0 && !dirs[i]) continue;
    if (i == 0)
      snprintf(name, sizeof name, "%s", soname);
    else
      snprintf(name, sizeof name, "%s/lib64/%s", dirs[i], soname);
    void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      if (i == 0) snprintf(err, errsz, "%s", dlerror());
      continue;
    }
    struct link_map *map = NULL;
    snprintf(path, PATH_MAX, "%s", name);
    if (dlinfo(lib, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name[0])
      snprintf(path, PATH_MAX, "%s", map->l_name);
    return lib;
  }
  return NULL;
}

/* Loads the runtime and cuBLASLt of one CUDA major version, 13 first. */
static bool load_cuda(struct calibrate_gpu *g, struct calibrate_cuda *c, char *err, size_t errsz) {
  static const char *const rt_names[] = {
#define NAME(name, ret, params) #name,
      CUDART_FUNCS(NAME)};
  static const char *const lt_names[] = {CUBLASLT_FUNCS(NAME)
#undef NAME
  };
  void **rt_slots[] = {
#define SLOT(name, ret, params) (void **)&c->name,
      CUDART_FUNCS(SLOT)};
  void **lt_slots[] = {CUBLASLT_FUNCS(SLOT)
#undef SLOT
  };
  static const char *const majors[] = {"13", "12"};
  char why[512] = "";
  for (size_t i = 0; i < 2; i++) {
    char soname[64];
    snprintf(soname, sizeof soname, "libcudart.so.%s", majors[i]);
    if (!(c->rt = open_library(soname, g->rt_path, why, sizeof why))) continue;
    snprintf(soname, sizeof soname, "libcublasLt.so.%s", majors[i]);
    if (!(c->lt = open_library(soname, g->lt_path, why, sizeof why))) {
      snprintf(err, errsz, "%s (the CUDA runtime %.1000s was found)", why, g->rt_path);
      return false;
    }
    if (!load_symbols(c->rt, g->rt_path, rt_names, rt_slots, sizeof rt_names / sizeof *rt_names,
                      err, errsz) ||
        !load_symbols(c->lt, g->lt_path, lt_names, lt_slots, sizeof lt_names / sizeof *lt_names,
                      err, errsz))
      return false;
    void *sym = dlsym(c->rt, "cudaGetDeviceProperties_v2"); /* CUDA 12's name for it */
    if (!sym) sym = dlsym(c->rt, "cudaGetDeviceProperties");
    memcpy(&c->get_properties, &sym, sizeof sym);
    return true;
  }
  snprintf(err, errsz, "cannot load the CUDA runtime (libcudart.so.13 or .12): %s", why);
  return false;
}

/* ---- random operands -------------------------------------------------------------------- */

static uint64_t next_random(uint64_t *s) { /* xorshift64* */
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 0x2545F4914F6CDD1DULL;
}

/* n values of format p in [-1, -1/16] ∪ [1/16, 1): random sign, exponent and mantissa bits,
 * so that the multipliers toggle as on real data (zeros run measurably faster). */
static void fill_random(void *buf, size_t n, const struct calibrate_precision *p, uint64_t seed) {
  const int bias = (1 << (p->exp_bits - 1)) - 1;
  uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (size_t i = 0; i < n; i++) {
    const uint64_t r = next_random(&s);
    const uint64_t sign = r >> 63, exponent = (uint64_t)(bias - 1) - ((r >> 56) & 3);
    const uint64_t mantissa = r & ((1ULL << p->mant_bits) - 1);
    const uint64_t bits =
        sign << (p->exp_bits + p->mant_bits) | exponent << p->mant_bits | mantissa;
    if (p->in_size == 1)
      ((uint8_t *)buf)[i] = (uint8_t)bits;
    else if (p->in_size == 2)
      ((uint16_t *)buf)[i] = (uint16_t)bits;
    else
      ((uint32_t *)buf)[i] = (uint32_t)bits;
  }
}

/* ---- one measurement -------------------------------------------------------------------- */

struct gemm {
  void *a, *b, *d, *workspace;
  handle_t desc, la, lb, ld, pref, start, end;
};

static void release(const struct calibrate_cuda *c, struct gemm *g) {
  void *buffers[] = {g->a, g->b, g->d, g->workspace};
  for (size_t i = 0; i < 4; i++)
    if (buffers[i]) c->cudaFree(buffers[i]);
  handle_t layouts[] = {g->la, g->lb, g->ld};
  for (size_t i = 0; i < 3; i++)
    if (layouts[i]) c->cublasLtMatrixLayoutDestroy(layouts[i]);
  if (g->desc) c->cublasLtMatmulDescDestroy(g->desc);
  if (g->pref) c->cublasLtMatmulPreferenceDestroy(g->pref);
  if (g->start) c->cudaEventDestroy(g->start);
  if (g->end) c->cudaEventDestroy(g->end);
}

static enum calibrate_outcome set_outcome(struct calibrate_result *r, enum calibrate_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum calibrate_outcome set_outcome(struct calibrate_result *r, enum calibrate_outcome o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->why, sizeof r->why, fmt, ap);
  va_end(ap);
  r->outcome = o;
  return o;
}

/* In measure(): a failed call ends the measurement of this precision with its reason. */
#define CUDA_CHECK(call, what)                                                \
  do {                                                                        \
    int e_ = (call);                                                          \
    if (e_)                                                                   \
      return set_outcome(r, CALIBRATE_FAILED, "%s failed: CUDA error %d: %s", what, e_, \
                         c->cudaGetErrorString(e_));                          \
  } while (0)
#define LT_CHECK(call, what)                                                        \
  do {                                                                              \
    int s_ = (call);                                                                \
    if (s_) return set_outcome(r, CALIBRATE_FAILED, "%s failed: cuBLAS status %d", what, s_); \
  } while (0)

/* Times `iters` n×n×n GEMMs of precision p after `warmup` untimed ones. */
static enum calibrate_outcome measure(const struct calibrate_cuda *c, const struct calibrate_precision *p,
                                      int size, int warmup, int iters, void *host, struct gemm *g,
                                      struct calibrate_result *r) {
  handle_t lt = c->handle;
  const uint64_t n = (uint64_t)size;
  const size_t elems = n * n;
  const float alpha = 1, beta = 0;

  CUDA_CHECK(c->cudaMalloc(&g->a, elems * p->in_size), "cudaMalloc (A)");
  CUDA_CHECK(c->cudaMalloc(&g->b, elems * p->in_size), "cudaMalloc (B)");
  CUDA_CHECK(c->cudaMalloc(&g->d, elems * p->out_size), "cudaMalloc (D)");
  CUDA_CHECK(c->cudaMalloc(&g->workspace, WORKSPACE), "cudaMalloc (workspace)");
  fill_random(host, elems, p, 1);
  CUDA_CHECK(c->cudaMemcpy(g->a, host, elems * p->in_size, MEMCPY_HOST_TO_DEVICE), "cudaMemcpy");
  fill_random(host, elems, p, 2);
  CUDA_CHECK(c->cudaMemcpy(g->b, host, elems * p->in_size, MEMCPY_HOST_TO_DEVICE), "cudaMemcpy");

  /* D = Aᵀ·B, column-major: A is stored k×m, B k×n, D m×n. */
  const int32_t ta = OP_T, tb = OP_N;
  const uint64_t ws = WORKSPACE;
  LT_CHECK(c->cublasLtMatmulDescCreate(&g->desc, p->compute, CUDA_R_32F),
           "cublasLtMatmulDescCreate");
  LT_CHECK(c->cublasLtMatmulDescSetAttribute(g->desc, DESC_TRANSA, &ta, sizeof ta),
           "cublasLtMatmulDescSetAttribute");
  LT_CHECK(c->cublasLtMatmulDescSetAttribute(g->desc, DESC_TRANSB, &tb, sizeof tb),
           "cublasLtMatmulDescSetAttribute");
  LT_CHECK(c->cublasLtMatrixLayoutCreate(&g->la, p->in_type, n, n, (int64_t)n),
           "cublasLtMatrixLayoutCreate");
  LT_CHECK(c->cublasLtMatrixLayoutCreate(&g->lb, p->in_type, n, n, (int64_t)n),
           "cublasLtMatrixLayoutCreate");
  LT_CHECK(c->cublasLtMatrixLayoutCreate(&g->ld, p->out_type, n, n, (int64_t)n),
           "cublasLtMatrixLayoutCreate");
  LT_CHECK(c->cublasLtMatmulPreferenceCreate(&g->pref), "cublasLtMatmulPreferenceCreate");
  LT_CHECK(
      c->cublasLtMatmulPreferenceSetAttribute(g->pref, PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws),
      "cublasLtMatmulPreferenceSetAttribute");

  struct heuristic h;
  int found = 0;
  memset(&h, 0, sizeof h);
  int s = c->cublasLtMatmulAlgoGetHeuristic(lt, g->desc, g->la, g->lb, g->ld, g->ld, g->pref, 1, &h,
                                            &found);
  if (s || found < 1)
    return set_outcome(r, CALIBRATE_UNSUPPORTED, "cuBLASLt has no algorithm for %s here (status %d)", p->name,
                       s);

  CUDA_CHECK(c->cudaEventCreate(&g->start), "cudaEventCreate");
  CUDA_CHECK(c->cudaEventCreate(&g->end), "cudaEventCreate");
  for (int i = 0; i < warmup + iters; i++) {
    if (i == warmup) CUDA_CHECK(c->cudaEventRecord(g->start, NULL), "cudaEventRecord");
    LT_CHECK(c->cublasLtMatmul(lt, g->desc, &alpha, g->a, g->la, g->b, g->lb, &beta, g->d, g->ld,
                               g->d, g->ld, h.algo, g->workspace, WORKSPACE, NULL),
             "cublasLtMatmul");
  }
  CUDA_CHECK(c->cudaEventRecord(g->end, NULL), "cudaEventRecord");
  CUDA_CHECK(c->cudaEventSynchronize(g->end), "cudaEventSynchronize");
  float ms = 0;
  CUDA_CHECK(c->cudaEventElapsedTime(&ms, g->start, g->end), "cudaEventElapsedTime");
  r->outcome = CALIBRATE_OK;
  r->ms_per_gemm = ms / iters;
  r->tflops = ms > 0 ? 2.0 * (double)n * (double)n * (double)n * iters / (ms * 1e9) : 0;
  return CALIBRATE_OK;
}

/* ---- the device ------------------------------------------------------------------------- */

int calibrate_open(struct calibrate_gpu *g, char *err, size_t errsz) {
  *g = (struct calibrate_gpu){0};
  struct calibrate_cuda *c = calloc(1, sizeof *c);
  if (!c) return errmsg(err, errsz, "out of memory");
  g->cuda = c;
  int prefix = snprintf(err, errsz, "no CUDA device: ");
  if (prefix < 0 || (size_t)prefix >= errsz) prefix = 0;
  if (!load_cuda(g, c, err + prefix, errsz - (size_t)prefix)) return -1;
  int count = 0, e = c->cudaGetDeviceCount(&count);
  if (e || count < 1)
    return errmsg(err, errsz,
                  "no CUDA device: %s%s (is there an NVIDIA GPU and driver? "
                  "CUDA_VISIBLE_DEVICES may hide it)",
                  e ? "cudaGetDeviceCount failed: " : "the CUDA runtime sees no GPU",
                  e ? c->cudaGetErrorString(e) : "");
  char *props = calloc(1, PROPS_SIZE);
  if (!props || !c->get_properties || c->get_properties(props, 0) ||
      c->cudaDeviceGetAttribute(&g->cc_major, ATTR_CC_MAJOR, 0) ||
      c->cudaDeviceGetAttribute(&g->cc_minor, ATTR_CC_MINOR, 0)) {
    free(props);
    return errmsg(err, errsz, "no CUDA device: cannot read the properties of device 0");
  }
  snprintf(g->device, sizeof g->device, "%.255s", props); /* cudaDeviceProp's first member */
  free(props);
  g->is_double = !strcmp(g->device, DOUBLES_DEVICE);
  g->cublaslt_version = c->cublasLtGetVersion();
  int s = c->cublasLtCreate(&c->handle);
  if (s) return errmsg(err, errsz, "cublasLtCreate failed: cuBLAS status %d", s);
  return 0;
}

void calibrate_measure(struct calibrate_gpu *g, const struct calibrate_precision *p, int size,
                       int warmup, int iters, struct calibrate_result *r) {
  *r = (struct calibrate_result){0};
  if (10 * g->cc_major + g->cc_minor < p->min_cc) {
    set_outcome(r, CALIBRATE_UNSUPPORTED, "%s needs compute capability %d.%d or newer", p->name,
                p->min_cc / 10, p->min_cc % 10);
    return;
  }
  void *host = malloc((size_t)size * (size_t)size * p->in_size);
  if (!host) {
    set_outcome(r, CALIBRATE_FAILED, "out of host memory for a %d x %d matrix", size, size);
    return;
  }
  struct gemm gm = {0};
  if (measure(g->cuda, p, size, warmup, iters, host, &gm, r) == CALIBRATE_OK && g->is_double)
    set_outcome(r, CALIBRATE_UNTIMED, "mfushim's test doubles do no GPU work: nothing to time");
  release(g->cuda, &gm);
  free(host);
}

void calibrate_close(struct calibrate_gpu *g) {
  if (g->cuda && g->cuda->handle) g->cuda->cublasLtDestroy(g->cuda->handle);
  free(g->cuda);
  g->cuda = NULL;
}
