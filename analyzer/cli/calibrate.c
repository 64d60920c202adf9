/* calibrate: `mfu calibrate` measures the GEMM throughput this machine's GPU really achieves
 * per precision (the "achievable peak" DESIGN.md allows beside the datasheet peak): square
 * cuBLASLt matmuls on random data, timed with CUDA events.
 *
 * The analyzer links no CUDA library, so the CUDA runtime and cuBLASLt are loaded here at run
 * time (dlopen of libcudart.so.13/.12 and the libcublasLt of the same major version), and the
 * few types and constants needed are declared below with their ABI values from the CUDA
 * headers. Without a GPU (or a driver) it fails cleanly with exit status 1; on mfushim's test
 * doubles it runs and says that its times are meaningless. */
#include <dlfcn.h>
#include <getopt.h>
#include <limits.h>
#include <link.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "model/hardware.h"
#include "util/json_writer.h"

#define PROG "mfu calibrate"
#define DOUBLES_DEVICE "mfushim test double (no GPU)" /* tests/doubles/cudart.c */
#define WORKSPACE ((size_t)32 << 20)                  /* what PyTorch gives cuBLASLt on Hopper */
#define MAX_SIZE 32768
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

struct cuda {
  void *rt, *lt;
  char rt_path[PATH_MAX], lt_path[PATH_MAX];
  int (*get_properties)(void *prop, int device); /* cudaGetDeviceProperties(_v2) */
#define FIELD(name, ret, params) ret(*name) params;
  CUDART_FUNCS(FIELD)
  CUBLASLT_FUNCS(FIELD)
#undef FIELD
};

/* The precisions it can measure. Inputs are A and B; C and D have the output type. FP8 runs
 * as PyTorch's _scaled_mm does: e4m3 inputs, bf16 output, A transposed (cuBLASLt's only FP8
 * layout, used for every precision here so that all run alike). */
static const struct precision {
  const char *name;
  int in_type, out_type, compute;
  size_t in_size, out_size;
  int exp_bits, mant_bits; /* of the input format, to make random values */
  int min_cc;              /* 10*major + minor */
} precisions[] = {
    {"bf16", CUDA_R_16BF, CUDA_R_16BF, COMPUTE_32F, 2, 2, 8, 7, 80},
    {"fp16", CUDA_R_16F, CUDA_R_16F, COMPUTE_32F, 2, 2, 5, 10, 70},
    {"tf32", CUDA_R_32F, CUDA_R_32F, COMPUTE_32F_FAST_TF32, 4, 4, 8, 23, 80},
    {"fp8", CUDA_R_8F_E4M3, CUDA_R_16BF, COMPUTE_32F, 1, 2, 4, 3, 89},
    {"fp32", CUDA_R_32F, CUDA_R_32F, COMPUTE_32F, 4, 4, 8, 23, 0},
};
#define NPREC (sizeof precisions / sizeof precisions[0])
#define DEFAULT_PRECISIONS "bf16,fp16,tf32,fp8"

struct options {
  int size, warmup, iters;
  bool json, explicit_list;
  bool want[NPREC];
};

enum outcome { OK, UNSUPPORTED, FAILED };

struct result {
  enum outcome outcome;
  double ms_per_gemm, tflops;
  char why[256]; /* for UNSUPPORTED and FAILED */
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
static bool load_cuda(struct cuda *c, char *err, size_t errsz) {
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
    if (!(c->rt = open_library(soname, c->rt_path, why, sizeof why))) continue;
    snprintf(soname, sizeof soname, "libcublasLt.so.%s", majors[i]);
    if (!(c->lt = open_library(soname, c->lt_path, why, sizeof why))) {
      snprintf(err, errsz, "%s (the CUDA runtime %.1000s was found)", why, c->rt_path);
      return false;
    }
    if (!load_symbols(c->rt, c->rt_path, rt_names, rt_slots, sizeof rt_names / sizeof *rt_names,
                      err, errsz) ||
        !load_symbols(c->lt, c->lt_path, lt_names, lt_slots, sizeof lt_names / sizeof *lt_names,
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
static void fill_random(void *buf, size_t n, const struct precision *p, uint64_t seed) {
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

static void release(const struct cuda *c, struct gemm *g) {
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

static enum outcome set_outcome(struct result *r, enum outcome o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum outcome set_outcome(struct result *r, enum outcome o, const char *fmt, ...) {
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
      return set_outcome(r, FAILED, "%s failed: CUDA error %d: %s", what, e_, \
                         c->cudaGetErrorString(e_));                          \
  } while (0)
#define LT_CHECK(call, what)                                                        \
  do {                                                                              \
    int s_ = (call);                                                                \
    if (s_) return set_outcome(r, FAILED, "%s failed: cuBLAS status %d", what, s_); \
  } while (0)

/* Times `iters` n×n×n GEMMs of precision p after `warmup` untimed ones. */
static enum outcome measure(const struct cuda *c, handle_t lt, const struct precision *p,
                            const struct options *o, void *host, struct gemm *g, struct result *r) {
  const uint64_t n = (uint64_t)o->size;
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
    return set_outcome(r, UNSUPPORTED, "cuBLASLt has no algorithm for %s here (status %d)", p->name,
                       s);

  CUDA_CHECK(c->cudaEventCreate(&g->start), "cudaEventCreate");
  CUDA_CHECK(c->cudaEventCreate(&g->end), "cudaEventCreate");
  for (int i = 0; i < o->warmup + o->iters; i++) {
    if (i == o->warmup) CUDA_CHECK(c->cudaEventRecord(g->start, NULL), "cudaEventRecord");
    LT_CHECK(c->cublasLtMatmul(lt, g->desc, &alpha, g->a, g->la, g->b, g->lb, &beta, g->d, g->ld,
                               g->d, g->ld, h.algo, g->workspace, WORKSPACE, NULL),
             "cublasLtMatmul");
  }
  CUDA_CHECK(c->cudaEventRecord(g->end, NULL), "cudaEventRecord");
  CUDA_CHECK(c->cudaEventSynchronize(g->end), "cudaEventSynchronize");
  float ms = 0;
  CUDA_CHECK(c->cudaEventElapsedTime(&ms, g->start, g->end), "cudaEventElapsedTime");
  r->outcome = OK;
  r->ms_per_gemm = ms / o->iters;
  r->tflops = ms > 0 ? 2.0 * (double)n * (double)n * (double)n * o->iters / (ms * 1e9) : 0;
  return OK;
}

/* ---- command line and output ------------------------------------------------------------ */

static void usage(FILE *out) {
  fprintf(
      out,
      "usage: mfu calibrate [--size N] [--warmup N] [--iters N] [--precision LIST] [--json]\n\n"
      "Measures the GEMM throughput this machine's GPU achieves: N x N x N cuBLASLt matmuls\n"
      "on random data per precision, timed with CUDA events, beside the datasheet peak that\n"
      "`mfu hw` gives for the device.\n\n"
      "  --size N         matrix size, a multiple of 16 up to %d (8192)\n"
      "  --warmup N       untimed GEMMs first (3)\n"
      "  --iters N        timed GEMMs (10)\n"
      "  --precision L    comma-separated: bf16 fp16 tf32 fp8 fp32 (" DEFAULT_PRECISIONS
      ";\n"
      "                   fp8 by default only where the device has it, compute capability 8.9+)\n"
      "  --json           one JSON object\n\n"
      "CUDA is loaded at run time (libcudart.so.13 or .12 and the matching libcublasLt).\n"
      "Exit status: 0 measured, 1 no CUDA device or a CUDA failure, 2 bad usage.\n",
      MAX_SIZE);
}

static int parse_int(const char *opt, const char *arg, int min, int max, int *out) {
  char *end;
  long v = strtol(arg, &end, 10);
  if (end == arg || *end || v < min || v > max) {
    fprintf(stderr, PROG ": %s must be an integer from %d to %d, not '%s'\n", opt, min, max, arg);
    return -1;
  }
  *out = (int)v;
  return 0;
}

static int parse_list(const char *arg, struct options *o) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", arg);
  memset(o->want, 0, sizeof o->want);
  int n = 0;
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    size_t i = 0;
    while (i < NPREC && strcmp(t, precisions[i].name)) i++;
    if (i == NPREC) {
      fprintf(stderr,
              PROG ": unknown precision '%s' in --precision: bf16, fp16, tf32, fp8 or fp32\n", t);
      return -1;
    }
    o->want[i] = true;
    n++;
  }
  if (!n) {
    fprintf(stderr, PROG ": --precision needs a list such as bf16,fp16\n");
    return -1;
  }
  return 0;
}

enum { GO_ON = -1 };

/* Returns GO_ON, or the exit status when there is nothing to measure (--help, bad usage). */
static int parse(int argc, char **argv, struct options *o) {
  static const struct option long_options[] = {{"size", required_argument, NULL, 's'},
                                               {"warmup", required_argument, NULL, 'w'},
                                               {"iters", required_argument, NULL, 'i'},
                                               {"precision", required_argument, NULL, 'p'},
                                               {"json", no_argument, NULL, 'j'},
                                               {"help", no_argument, NULL, 'h'},
                                               {0}};
  *o = (struct options){.size = 8192, .warmup = 3, .iters = 10};
  parse_list(DEFAULT_PRECISIONS, o);
  int ch;
  optind = 0; /* a full reset of glibc's getopt */
  opterr = 0;
  while ((ch = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
    int bad = 0;
    if (ch == 's')
      bad = parse_int("--size", optarg, 16, MAX_SIZE, &o->size);
    else if (ch == 'w')
      bad = parse_int("--warmup", optarg, 0, 1000, &o->warmup);
    else if (ch == 'i')
      bad = parse_int("--iters", optarg, 1, 100000, &o->iters);
    else if (ch == 'p') {
      bad = parse_list(optarg, o);
      o->explicit_list = true;
    } else if (ch == 'j')
      o->json = true;
    else if (ch == 'h') {
      usage(stdout);
      return 0;
    } else if (ch == ':') {
      fprintf(stderr, PROG ": %s needs a value\n", argv[optind - 1]);
      return 2;
    } else {
      fprintf(stderr, PROG ": unknown option '%s' (see --help)\n", argv[optind - 1]);
      return 2;
    }
    if (bad) return 2;
  }
  if (optind < argc) {
    fprintf(stderr, PROG ": unexpected argument '%s' (see --help)\n", argv[optind]);
    return 2;
  }
  if (o->size % 16) {
    fprintf(stderr, PROG ": --size %d is not a multiple of 16 (cuBLASLt's FP8 alignment)\n",
            o->size);
    return 2;
  }
  return GO_ON;
}

static const char *outcome_name(enum outcome o) {
  return o == OK ? "ok" : o == UNSUPPORTED ? "unsupported" : "failed";
}

struct device {
  char name[256];
  int cc_major, cc_minor;
  bool is_double;
  const struct accelerator *hw; /* NULL: not in the table */
};

static double datasheet(const struct device *d, const struct precision *p) {
  char err[256];
  int prec = mfu_precision_parse(p->name);
  if (!d->hw || prec < 0) return 0;
  double v = hw_peak(d->hw, (enum mfu_precision)prec, err, sizeof err);
  return v > 0 ? v : 0;
}

static void print_json(const struct cuda *c, const struct device *d, const struct options *o,
                       const struct result res[]) {
  struct jw j;
  jw_init(&j, stdout);
  jw_object_begin(&j);
  jw_key(&j, "device");
  jw_string(&j, d->name);
  jw_key(&j, "compute_capability");
  char cc[16];
  snprintf(cc, sizeof cc, "%d.%d", d->cc_major, d->cc_minor);
  jw_string(&j, cc);
  jw_key(&j, "test_double");
  jw_bool(&j, d->is_double);
  jw_key(&j, "accelerator");
  jw_string(&j, d->hw ? d->hw->id : NULL);
  jw_key(&j, "cudart");
  jw_string(&j, c->rt_path);
  jw_key(&j, "cublaslt");
  jw_string(&j, c->lt_path);
  jw_key(&j, "cublaslt_version");
  jw_int(&j, (int64_t)c->cublasLtGetVersion());
  jw_key(&j, "size");
  jw_int(&j, o->size);
  jw_key(&j, "warmup");
  jw_int(&j, o->warmup);
  jw_key(&j, "iters");
  jw_int(&j, o->iters);
  jw_key(&j, "results");
  jw_object_begin(&j);
  for (size_t i = 0; i < NPREC; i++) {
    if (!o->want[i]) continue;
    const struct result *r = &res[i];
    const double peak = datasheet(d, &precisions[i]);
    jw_key(&j, precisions[i].name);
    jw_object_begin(&j);
    jw_key(&j, "status");
    jw_string(&j, outcome_name(r->outcome));
    jw_key(&j, "tflops");
    if (r->outcome == OK)
      jw_double(&j, r->tflops);
    else
      jw_null(&j);
    jw_key(&j, "ms_per_gemm");
    if (r->outcome == OK)
      jw_double(&j, r->ms_per_gemm);
    else
      jw_null(&j);
    jw_key(&j, "datasheet_tflops");
    if (peak > 0)
      jw_double(&j, peak);
    else
      jw_null(&j);
    jw_key(&j, "fraction_of_datasheet");
    if (peak > 0 && r->outcome == OK)
      jw_double(&j, r->tflops / peak);
    else
      jw_null(&j);
    jw_key(&j, "reason");
    jw_string(&j, r->outcome == OK ? NULL : r->why);
    jw_object_end(&j);
  }
  jw_object_end(&j);
  jw_object_end(&j);
}

static void print_text(const struct cuda *c, const struct device *d, const struct options *o,
                       const struct result res[]) {
  printf(PROG ": %s (compute capability %d.%d), cuBLASLt %zu from %s\n", d->name, d->cc_major,
         d->cc_minor, c->cublasLtGetVersion(), c->lt_path);
  printf("  %d x %d x %d GEMMs on random data, %d warm-up + %d timed, CUDA events\n", o->size,
         o->size, o->size, o->warmup, o->iters);
  if (d->is_double)
    printf("  the device is mfushim's test double (no GPU): the times below are meaningless\n");
  printf("  %-10s %10s %12s %10s %12s\n", "precision", "TFLOP/s", "datasheet", "achieved",
         "ms per GEMM");
  for (size_t i = 0; i < NPREC; i++) {
    if (!o->want[i]) continue;
    const struct result *r = &res[i];
    const double peak = datasheet(d, &precisions[i]);
    char ps[32] = "-", frac[32] = "-";
    if (peak > 0) snprintf(ps, sizeof ps, "%.1f", peak);
    if (r->outcome != OK) {
      printf("  %-10s %10s %12s   %s\n", precisions[i].name, outcome_name(r->outcome), ps, r->why);
      continue;
    }
    if (peak > 0) snprintf(frac, sizeof frac, "%.1f%%", 100 * r->tflops / peak);
    printf("  %-10s %10.1f %12s %10s %12.3f\n", precisions[i].name, r->tflops, ps, frac,
           r->ms_per_gemm);
  }
  if (!d->hw && !d->is_double)
    printf("  (no datasheet peak: '%s' is not in the accelerator table, see `mfu hw`)\n", d->name);
}

int cmd_calibrate(int argc, char **argv) {
  struct options o;
  int rc = parse(argc, argv, &o);
  if (rc != GO_ON) return rc;

  struct cuda c;
  char err[2048] = "";
  memset(&c, 0, sizeof c);
  if (!load_cuda(&c, err, sizeof err)) {
    fprintf(stderr, PROG ": no CUDA device: %s\n", err);
    rc = 1;
    goto out;
  }
  int count = 0, e = c.cudaGetDeviceCount(&count);
  if (e || count < 1) {
    fprintf(stderr,
            PROG
            ": no CUDA device: %s%s (is there an NVIDIA GPU and driver? "
            "CUDA_VISIBLE_DEVICES may hide it)\n",
            e ? "cudaGetDeviceCount failed: " : "the CUDA runtime sees no GPU",
            e ? c.cudaGetErrorString(e) : "");
    rc = 1;
    goto out;
  }

  struct device d;
  memset(&d, 0, sizeof d);
  char *props = calloc(1, PROPS_SIZE);
  if (!props || !c.get_properties || c.get_properties(props, 0) ||
      c.cudaDeviceGetAttribute(&d.cc_major, ATTR_CC_MAJOR, 0) ||
      c.cudaDeviceGetAttribute(&d.cc_minor, ATTR_CC_MINOR, 0)) {
    fprintf(stderr, PROG ": no CUDA device: cannot read the properties of device 0\n");
    free(props);
    rc = 1;
    goto out;
  }
  snprintf(d.name, sizeof d.name, "%.255s", props); /* name is cudaDeviceProp's first member */
  free(props);
  d.is_double = !strcmp(d.name, DOUBLES_DEVICE);
  d.hw = d.is_double ? NULL : hw_find(d.name, err, sizeof err);

  handle_t lt = NULL;
  int s = c.cublasLtCreate(&lt);
  if (s) {
    fprintf(stderr, PROG ": cublasLtCreate failed: cuBLAS status %d\n", s);
    rc = 1;
    goto out;
  }
  size_t largest = 0;
  for (size_t i = 0; i < NPREC; i++)
    if (o.want[i] && precisions[i].in_size > largest) largest = precisions[i].in_size;
  void *host = malloc((size_t)o.size * (size_t)o.size * largest);
  if (!host) {
    fprintf(stderr, PROG ": out of host memory for a %d x %d matrix\n", o.size, o.size);
    c.cublasLtDestroy(lt);
    rc = 1;
    goto out;
  }

  struct result res[NPREC];
  memset(res, 0, sizeof res);
  rc = 0;
  const int cc = 10 * d.cc_major + d.cc_minor;
  for (size_t i = 0; i < NPREC; i++) {
    if (!o.want[i]) continue;
    const struct precision *p = &precisions[i];
    if (cc < p->min_cc) {
      set_outcome(&res[i], UNSUPPORTED, "%s needs compute capability %d.%d or newer", p->name,
                  p->min_cc / 10, p->min_cc % 10);
    } else {
      struct gemm g;
      memset(&g, 0, sizeof g);
      measure(&c, lt, p, &o, host, &g, &res[i]);
      release(&c, &g);
    }
    /* Unsupported is fine for the default list (fp8 "where supported"), not when asked for. */
    if (res[i].outcome == FAILED || (res[i].outcome == UNSUPPORTED && o.explicit_list)) rc = 1;
  }
  free(host);
  c.cublasLtDestroy(lt);

  if (o.json)
    print_json(&c, &d, &o, res);
  else
    print_text(&c, &d, &o, res);
  for (size_t i = 0; i < NPREC; i++)
    if (o.want[i] && res[i].outcome == FAILED)
      fprintf(stderr, PROG ": %s: %s\n", precisions[i].name, res[i].why);
out:
  /* The libraries stay loaded: unloading CUDA at exit is known to race its own threads. */
  return rc;
}
