/* cuBLASLt's algorithm choices as programs make them, on small GEMMs whose results it checks
 * against the CPU's:
 *   autotune  the heuristic's algorithms each timed (events) over REPEATS products, the best
 *             copied out by memcpy and its configuration read back;
 *   custom    every id of cublasLtMatmulAlgoGetIds initialized, its capabilities asked (sizes
 *             first), its configuration set, checked (cublasLtMatmulAlgoCheck), then run;
 *   preset    an id the real library gave (70) initialized and configured without a search,
 *             a DGEMM on descriptors in the caller's memory (cublasLt*Init);
 *   emulated  a DGEMM on FP64 emulation (CUBLAS_COMPUTE_64F_EMULATED_FIXEDPOINT) with an
 *             emulation descriptor (cublasLtEmulationDescInit, its attributes).
 * Prints what it issued, by its own arithmetic:
 *   issued: gemm_calls=N gemm_flops=N fp64_flops=N
 * and exits 1 on any failure. */
#include <cublasLt.h>
#include <cuda_runtime_api.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define REPEATS 3
#define M 6
#define N 5
#define K 4

static int failures;
static unsigned long long calls, flops, fp64_flops;

static void check(const char *what, int ok) {
  if (!ok) fprintf(stderr, "lt_search: %s failed\n", what), failures++;
}

static int ok(cublasStatus_t s) { return s == CUBLAS_STATUS_SUCCESS; }

/* Sets a 4-byte configuration attribute of an algorithm. */
static void configure(cublasLtMatmulAlgo_t *algo, cublasLtMatmulAlgoConfigAttributes_t attr,
                      int32_t value, const char *what) {
  check(what, ok(cublasLtMatmulAlgoConfigSetAttribute(algo, attr, &value, sizeof value)));
}

/* Reads a 4-byte configuration attribute back. */
static int32_t configured(const cublasLtMatmulAlgo_t *algo,
                          cublasLtMatmulAlgoConfigAttributes_t attr, const char *what) {
  int32_t value = -1;
  check(what, ok(cublasLtMatmulAlgoConfigGetAttribute(algo, attr, &value, sizeof value, NULL)));
  return value;
}

/* The operands, on the host and the device, and D = A * B as the CPU computes it. */
struct operands {
  double a[M * K], b[K * N], want[M * N];
  void *da, *db, *dd;
  size_t elt;
};

static void operands_make(struct operands *o, size_t elt) {
  for (int i = 0; i < M * K; i++) o->a[i] = (i % 7) - 3.0;
  for (int i = 0; i < K * N; i++) o->b[i] = (i % 4) * 0.5;
  for (int j = 0; j < N; j++)
    for (int i = 0; i < M; i++) {
      double s = 0;
      for (int l = 0; l < K; l++) s += o->a[i + l * M] * o->b[l + j * K];
      o->want[i + j * M] = s;
    }
  o->elt = elt;
  float af[M * K], bf[K * N];
  for (int i = 0; i < M * K; i++) af[i] = (float)o->a[i];
  for (int i = 0; i < K * N; i++) bf[i] = (float)o->b[i];
  check("cudaMalloc", cudaMalloc(&o->da, sizeof o->a) == cudaSuccess &&
                          cudaMalloc(&o->db, sizeof o->b) == cudaSuccess &&
                          cudaMalloc(&o->dd, sizeof o->want) == cudaSuccess);
  cudaMemcpy(o->da, elt == 8 ? (void *)o->a : af, M * K * elt, cudaMemcpyHostToDevice);
  cudaMemcpy(o->db, elt == 8 ? (void *)o->b : bf, K * N * elt, cudaMemcpyHostToDevice);
}

static void operands_check(const struct operands *o, const char *what) {
  double d[M * N];
  float f[M * N];
  cudaMemcpy(o->elt == 8 ? (void *)d : f, o->dd, M * N * o->elt, cudaMemcpyDeviceToHost);
  for (int i = 0; i < M * N; i++) {
    double got = o->elt == 8 ? d[i] : f[i];
    if (fabs(got - o->want[i]) > 1e-5 * (1 + fabs(o->want[i]))) {
      fprintf(stderr, "lt_search: %s: D[%d] = %g, expected %g\n", what, i, got, o->want[i]);
      failures++;
      return;
    }
  }
}

static void matmul(cublasLtHandle_t lt, cublasLtMatmulDesc_t desc, const struct operands *o,
                   cublasLtMatrixLayout_t la, cublasLtMatrixLayout_t lb, cublasLtMatrixLayout_t ld,
                   const cublasLtMatmulAlgo_t *algo, const char *what) {
  const double one = 1, zero = 0;
  const float onef = 1, zerof = 0;
  const void *alpha = o->elt == 8 ? (const void *)&one : &onef;
  const void *beta = o->elt == 8 ? (const void *)&zero : &zerof;
  check(what, ok(cublasLtMatmul(lt, desc, alpha, o->da, la, o->db, lb, beta, o->dd, ld, o->dd, ld,
                                algo, NULL, 0, 0)));
  calls++;
  flops += 2ull * M * N * K;
  if (o->elt == 8) fp64_flops += 2ull * M * N * K;
}

static void autotune(cublasLtHandle_t lt, const struct operands *o) {
  cublasLtMatmulDesc_t desc;
  cublasLtMatrixLayout_t la, lb, ld;
  cublasLtMatmulPreference_t pref;
  check("cublasLtMatmulDescCreate",
        ok(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F)));
  cublasLtMatrixLayoutCreate(&la, CUDA_R_32F, M, K, M);
  cublasLtMatrixLayoutCreate(&lb, CUDA_R_32F, K, N, K);
  cublasLtMatrixLayoutCreate(&ld, CUDA_R_32F, M, N, M);
  cublasLtMatmulPreferenceCreate(&pref);
  cublasLtMatmulHeuristicResult_t found[8];
  memset(found, 0, sizeof found);
  int returned = 0;
  check("cublasLtMatmulAlgoGetHeuristic",
        ok(cublasLtMatmulAlgoGetHeuristic(lt, desc, la, lb, ld, ld, pref, 8, found, &returned)) &&
            returned > 0);
  cudaEvent_t start, stop;
  cudaEventCreate(&start), cudaEventCreate(&stop);
  int best = 0;
  float best_ms = 0;
  for (int i = 0; i < returned; i++) {
    cudaEventRecord(start, 0);
    for (int r = 0; r < REPEATS; r++) matmul(lt, desc, o, la, lb, ld, &found[i].algo, "autotune");
    cudaEventRecord(stop, 0);
    cudaEventSynchronize(stop);
    float ms = 0;
    check("cudaEventElapsedTime", cudaEventElapsedTime(&ms, start, stop) == cudaSuccess);
    if (i == 0 || ms < best_ms) best = i, best_ms = ms;
  }
  operands_check(o, "autotune");
  cublasLtMatmulAlgo_t algo;
  memcpy(&algo, &found[best].algo, sizeof algo);
  check("the best algorithm's id", configured(&algo, CUBLASLT_ALGO_CONFIG_ID, "its id") >= 0);
  configured(&algo, CUBLASLT_ALGO_CONFIG_TILE_ID, "its tile");
  check("its split-K", configured(&algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, "its split-K") >= 0);
  configured(&algo, CUBLASLT_ALGO_CONFIG_CTA_SWIZZLING, "its swizzling");
  cudaEventDestroy(start), cudaEventDestroy(stop);
  cublasLtMatmulPreferenceDestroy(pref);
  cublasLtMatrixLayoutDestroy(la), cublasLtMatrixLayoutDestroy(lb), cublasLtMatrixLayoutDestroy(ld);
  cublasLtMatmulDescDestroy(desc);
}

static void custom(cublasLtHandle_t lt, const struct operands *o) {
  cublasLtMatmulDesc_t desc;
  cublasLtMatrixLayout_t la, lb, ld;
  cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F);
  cublasLtMatrixLayoutCreate(&la, CUDA_R_32F, M, K, M);
  cublasLtMatrixLayoutCreate(&lb, CUDA_R_32F, K, N, K);
  cublasLtMatrixLayoutCreate(&ld, CUDA_R_32F, M, N, M);
  int ids[64], nids = 0;
  check("cublasLtMatmulAlgoGetIds",
        ok(cublasLtMatmulAlgoGetIds(lt, CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F,
                                    CUDA_R_32F, CUDA_R_32F, 64, ids, &nids)) && nids > 0);
  for (int i = 0; i < nids; i++) {
    cublasLtMatmulAlgo_t algo;
    check("cublasLtMatmulAlgoInit",
          ok(cublasLtMatmulAlgoInit(lt, CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_32F, CUDA_R_32F,
                                    CUDA_R_32F, CUDA_R_32F, ids[i], &algo)));
    size_t tiles = 1, stages = 1;
    int32_t splitk_support = -1, custom_max = -1;
    uint32_t reductions = 0;
    check("the tiles' size", ok(cublasLtMatmulAlgoCapGetAttribute(
                                  &algo, CUBLASLT_ALGO_CAP_TILE_IDS, NULL, 0, &tiles)));
    check("the stages' size", ok(cublasLtMatmulAlgoCapGetAttribute(
                                   &algo, CUBLASLT_ALGO_CAP_STAGES_IDS, NULL, 0, &stages)));
    check("split-K support", ok(cublasLtMatmulAlgoCapGetAttribute(
                                  &algo, CUBLASLT_ALGO_CAP_SPLITK_SUPPORT, &splitk_support,
                                  sizeof splitk_support, NULL)));
    check("reduction schemes", ok(cublasLtMatmulAlgoCapGetAttribute(
                                    &algo, CUBLASLT_ALGO_CAP_REDUCTION_SCHEME_MASK, &reductions,
                                    sizeof reductions, NULL)));
    check("custom options", ok(cublasLtMatmulAlgoCapGetAttribute(
                                 &algo, CUBLASLT_ALGO_CAP_CUSTOM_OPTION_MAX, &custom_max,
                                 sizeof custom_max, NULL)));
    configure(&algo, CUBLASLT_ALGO_CONFIG_TILE_ID, CUBLASLT_MATMUL_TILE_UNDEFINED, "tile");
    configure(&algo, CUBLASLT_ALGO_CONFIG_STAGES_ID, CUBLASLT_MATMUL_STAGES_UNDEFINED, "stages");
    configure(&algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, 1, "split-K");
    configure(&algo, CUBLASLT_ALGO_CONFIG_CUSTOM_OPTION, 0, "option");
    cublasLtMatmulHeuristicResult_t result;
    check("cublasLtMatmulAlgoCheck",
          ok(cublasLtMatmulAlgoCheck(lt, desc, la, lb, ld, ld, &algo, &result)) &&
              result.state == CUBLAS_STATUS_SUCCESS);
    for (int r = 0; r < REPEATS; r++) matmul(lt, desc, o, la, lb, ld, &algo, "custom");
  }
  operands_check(o, "custom");
  cublasLtMatrixLayoutDestroy(la), cublasLtMatrixLayoutDestroy(lb), cublasLtMatrixLayoutDestroy(ld);
  cublasLtMatmulDescDestroy(desc);
}

/* A DGEMM on descriptors in this frame; emulated: on FP64 emulation. */
static void dgemm(cublasLtHandle_t lt, const struct operands *o, int emulated) {
  cublasLtMatmulDescOpaque_t desc;
  cublasLtMatrixLayoutOpaque_t la, lb, ld;
  cublasLtEmulationDescOpaque_t emulation;
  check("cublasLtMatmulDescInit",
        ok(cublasLtMatmulDescInit(&desc, emulated ? CUBLAS_COMPUTE_64F_EMULATED_FIXEDPOINT
                                                  : CUBLAS_COMPUTE_64F, CUDA_R_64F)));
  check("cublasLtMatrixLayoutInit", ok(cublasLtMatrixLayoutInit(&la, CUDA_R_64F, M, K, M)) &&
                                        ok(cublasLtMatrixLayoutInit(&lb, CUDA_R_64F, K, N, K)) &&
                                        ok(cublasLtMatrixLayoutInit(&ld, CUDA_R_64F, M, N, M)));
  cublasLtMatmulAlgo_t algo, *use = NULL;
  if (emulated) {
    cublasLtEmulationDesc_t e = &emulation;
    cublasEmulationStrategy_t strategy = CUBLAS_EMULATION_STRATEGY_EAGER, back;
    int32_t bits = 40;
    check("cublasLtEmulationDescInit", ok(cublasLtEmulationDescInit(e)));
    check("its strategy", ok(cublasLtEmulationDescSetAttribute(e, CUBLASLT_EMULATION_DESC_STRATEGY,
                                                               &strategy, sizeof strategy)));
    check("its mantissa bits", ok(cublasLtEmulationDescSetAttribute(
                                   e, CUBLASLT_EMULATION_DESC_FIXEDPOINT_MAX_MANTISSA_BIT_COUNT,
                                   &bits, sizeof bits)));
    check("its strategy read back",
          ok(cublasLtEmulationDescGetAttribute(e, CUBLASLT_EMULATION_DESC_STRATEGY, &back,
                                               sizeof back, NULL)) && back == strategy);
    check("the emulation descriptor",
          ok(cublasLtMatmulDescSetAttribute(&desc, CUBLASLT_MATMUL_DESC_EMULATION_DESCRIPTOR, &e,
                                            sizeof e)));
  } else {
    check("preset id", ok(cublasLtMatmulAlgoInit(lt, CUBLAS_COMPUTE_64F, CUDA_R_64F, CUDA_R_64F,
                                                 CUDA_R_64F, CUDA_R_64F, CUDA_R_64F, 70, &algo)));
    configure(&algo, CUBLASLT_ALGO_CONFIG_TILE_ID, CUBLASLT_MATMUL_TILE_16x16, "preset tile");
    configure(&algo, CUBLASLT_ALGO_CONFIG_REDUCTION_SCHEME, CUBLASLT_REDUCTION_SCHEME_NONE,
              "preset reduction");
    configure(&algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, 1, "preset split-K");
    use = &algo;
  }
  cudaMemset(o->dd, 0, M * N * sizeof(double));
  matmul(lt, &desc, o, &la, &lb, &ld, use, emulated ? "emulated DGEMM" : "preset DGEMM");
  operands_check(o, emulated ? "emulated DGEMM" : "preset DGEMM");
}

int main(void) {
  cublasLtHandle_t lt;
  check("cublasLtCreate", ok(cublasLtCreate(&lt)));
  struct operands s, d;
  operands_make(&s, sizeof(float));
  operands_make(&d, sizeof(double));
  autotune(lt, &s);
  cudaMemset(s.dd, 0, M * N * sizeof(float));
  custom(lt, &s);
  dgemm(lt, &d, 0);
  dgemm(lt, &d, 1);
  cublasLtDestroy(lt);
  printf("issued: gemm_calls=%llu gemm_flops=%llu fp64_flops=%llu\n", calls, flops, fp64_flops);
  return failures ? 1 : 0;
}
