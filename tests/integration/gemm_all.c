/* Calls every GEMM the shim wraps (MFU_CUBLAS_GEMM_APIS and cublasLtMatmul), once each, with
 * known shapes, and prints what a correct shim must count:
 *
 *     expected_calls=N expected_failed=N expected_flops_<class>=N   (one per line)
 *
 * computed here independently of the shim (2mnk real, 8mnk complex, per product). Built
 * against the real CUDA headers and linked with -lcublas -lcublasLt; run on the test doubles
 * (every call succeeds) or the real toolkit without a GPU (every call fails). */
#include <cublasLt.h>
#include <cublas_v2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mfu/api_spec.h"
#include "mfu/precision.h"

/* The Hgemm family is declared for C++ only; the spec's prototypes are the header's. */
#define DECLARE(name, params, args, describe) cublasStatus_t name params;
MFU_CUBLAS_GEMM_APIS(DECLARE)

enum { M = 48, N = 40, K = 24, BATCH = 3 };
#define REAL ((uint64_t)2 * M * N * K)
#define CPLX ((uint64_t)8 * M * N * K)

static uint64_t expected_flops[MFU_PREC_COUNT], calls, failed;

static void expect(const char *what, cublasStatus_t status, enum mfu_precision p, uint64_t flops) {
  calls++;
  if (status == CUBLAS_STATUS_SUCCESS)
    expected_flops[p] += flops;
  else {
    failed++;
    fprintf(stderr, "%s: status %d\n", what, (int)status);
  }
}
#define CALL(precision, flops, call) expect(#call, call, precision, flops)

static char buf[1 << 16]; /* host stand-in for device memory: the doubles never touch it */
static void *const P = buf;
static const void *const ARR[BATCH] = {buf, buf, buf};
#define ARR_OF(T) ((const T *const *)ARR)
#define OUT_OF(T) ((T *const *)ARR)

static void classic(cublasHandle_t h) {
  const cublasOperation_t n = CUBLAS_OP_N, t = CUBLAS_OP_T;
  /* Typed: S (fp32 in default math mode), D, C, Z, H; the 3m forms count as complex. */
  CALL(MFU_PREC_FP32, REAL, cublasSgemm_v2(h, n, t, M, N, K, P, P, M, P, N, P, P, M));
  CALL(MFU_PREC_FP32, REAL, cublasSgemm_v2_64(h, n, n, M, N, K, P, P, M, P, K, P, P, M));
  CALL(MFU_PREC_FP64, REAL, cublasDgemm_v2(h, n, n, M, N, K, P, P, M, P, K, P, P, M));
  CALL(MFU_PREC_FP64, REAL, cublasDgemm_v2_64(h, n, n, M, N, K, P, P, M, P, K, P, P, M));
  CALL(MFU_PREC_FP32, CPLX, cublasCgemm_v2(h, n, n, M, N, K, P, P, M, P, K, P, P, M));
  CALL(MFU_PREC_FP32, CPLX, cublasCgemm_v2_64(h, n, n, M, N, K, P, P, M, P, K, P, P, M));
  CALL(MFU_PREC_FP32, CPLX, cublasCgemm3m(h, n, n, M, N, K, P, P, M, P, K, P, P, M));
  CALL(MFU_PREC_FP32, CPLX, cublasCgemm3m_64(h, n, n, M, N, K, P, P, M, P, K, P, P, M));
  CALL(MFU_PREC_FP32, CPLX, cublasCgemm3mEx(h, n, n, M, N, K, P, P, CUDA_C_32F, M, P, CUDA_C_32F, K, P, P, CUDA_C_32F, M));
  CALL(MFU_PREC_FP32, CPLX, cublasCgemm3mEx_64(h, n, n, M, N, K, P, P, CUDA_C_32F, M, P, CUDA_C_32F, K, P, P, CUDA_C_32F, M));
  CALL(MFU_PREC_FP64, CPLX, cublasZgemm_v2(h, n, n, M, N, K, P, P, M, P, K, P, P, M));
  CALL(MFU_PREC_FP64, CPLX, cublasZgemm_v2_64(h, n, n, M, N, K, P, P, M, P, K, P, P, M));
  CALL(MFU_PREC_FP64, CPLX, cublasZgemm3m(h, n, n, M, N, K, P, P, M, P, K, P, P, M));
  CALL(MFU_PREC_FP64, CPLX, cublasZgemm3m_64(h, n, n, M, N, K, P, P, M, P, K, P, P, M));
  CALL(MFU_PREC_FP16, REAL, cublasHgemm(h, n, n, M, N, K, P, P, M, P, K, P, P, M));
  CALL(MFU_PREC_FP16, REAL, cublasHgemm_64(h, n, n, M, N, K, P, P, M, P, K, P, P, M));
  /* Ex: the class follows the input type (SgemmEx with fp16 inputs is an fp16 GEMM). */
  CALL(MFU_PREC_FP16, REAL, cublasSgemmEx(h, n, n, M, N, K, P, P, CUDA_R_16F, M, P, CUDA_R_16F, K, P, P, CUDA_R_32F, M));
  CALL(MFU_PREC_BF16, REAL, cublasSgemmEx_64(h, n, n, M, N, K, P, P, CUDA_R_16BF, M, P, CUDA_R_16BF, K, P, P, CUDA_R_32F, M));
  CALL(MFU_PREC_BF16, REAL, cublasGemmEx(h, t, n, M, N, K, P, P, CUDA_R_16BF, K, P, CUDA_R_16BF, K, P, P, CUDA_R_16BF, M, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  CALL(MFU_PREC_INT8, REAL, cublasGemmEx_64(h, n, n, M, N, K, P, P, CUDA_R_8I, M, P, CUDA_R_8I, K, P, P, CUDA_R_32I, M, CUBLAS_COMPUTE_32I, CUBLAS_GEMM_DEFAULT));
  CALL(MFU_PREC_FP32, CPLX, cublasCgemmEx(h, n, n, M, N, K, P, P, CUDA_C_32F, M, P, CUDA_C_32F, K, P, P, CUDA_C_32F, M));
  CALL(MFU_PREC_FP32, CPLX, cublasCgemmEx_64(h, n, n, M, N, K, P, P, CUDA_C_32F, M, P, CUDA_C_32F, K, P, P, CUDA_C_32F, M));
  /* Batched (pointer arrays) */
  CALL(MFU_PREC_FP16, REAL * BATCH, cublasHgemmBatched(h, n, n, M, N, K, P, ARR_OF(__half), M, ARR_OF(__half), K, P, OUT_OF(__half), M, BATCH));
  CALL(MFU_PREC_FP16, REAL * BATCH, cublasHgemmBatched_64(h, n, n, M, N, K, P, ARR_OF(__half), M, ARR_OF(__half), K, P, OUT_OF(__half), M, BATCH));
  CALL(MFU_PREC_FP32, REAL * BATCH, cublasSgemmBatched(h, n, n, M, N, K, P, ARR_OF(float), M, ARR_OF(float), K, P, OUT_OF(float), M, BATCH));
  CALL(MFU_PREC_FP32, REAL * BATCH, cublasSgemmBatched_64(h, n, n, M, N, K, P, ARR_OF(float), M, ARR_OF(float), K, P, OUT_OF(float), M, BATCH));
  CALL(MFU_PREC_FP64, REAL * BATCH, cublasDgemmBatched(h, n, n, M, N, K, P, ARR_OF(double), M, ARR_OF(double), K, P, OUT_OF(double), M, BATCH));
  CALL(MFU_PREC_FP64, REAL * BATCH, cublasDgemmBatched_64(h, n, n, M, N, K, P, ARR_OF(double), M, ARR_OF(double), K, P, OUT_OF(double), M, BATCH));
  CALL(MFU_PREC_FP32, CPLX * BATCH, cublasCgemmBatched(h, n, n, M, N, K, P, ARR_OF(cuComplex), M, ARR_OF(cuComplex), K, P, OUT_OF(cuComplex), M, BATCH));
  CALL(MFU_PREC_FP32, CPLX * BATCH, cublasCgemmBatched_64(h, n, n, M, N, K, P, ARR_OF(cuComplex), M, ARR_OF(cuComplex), K, P, OUT_OF(cuComplex), M, BATCH));
  CALL(MFU_PREC_FP32, CPLX * BATCH, cublasCgemm3mBatched(h, n, n, M, N, K, P, ARR_OF(cuComplex), M, ARR_OF(cuComplex), K, P, OUT_OF(cuComplex), M, BATCH));
  CALL(MFU_PREC_FP32, CPLX * BATCH, cublasCgemm3mBatched_64(h, n, n, M, N, K, P, ARR_OF(cuComplex), M, ARR_OF(cuComplex), K, P, OUT_OF(cuComplex), M, BATCH));
  CALL(MFU_PREC_FP64, CPLX * BATCH, cublasZgemmBatched(h, n, n, M, N, K, P, ARR_OF(cuDoubleComplex), M, ARR_OF(cuDoubleComplex), K, P, OUT_OF(cuDoubleComplex), M, BATCH));
  CALL(MFU_PREC_FP64, CPLX * BATCH, cublasZgemmBatched_64(h, n, n, M, N, K, P, ARR_OF(cuDoubleComplex), M, ARR_OF(cuDoubleComplex), K, P, OUT_OF(cuDoubleComplex), M, BATCH));
  /* Strided batched */
  CALL(MFU_PREC_FP16, REAL * BATCH, cublasHgemmStridedBatched(h, n, n, M, N, K, P, P, M, M * K, P, K, K * N, P, P, M, M * N, BATCH));
  CALL(MFU_PREC_FP16, REAL * BATCH, cublasHgemmStridedBatched_64(h, n, n, M, N, K, P, P, M, M * K, P, K, K * N, P, P, M, M * N, BATCH));
  CALL(MFU_PREC_FP32, REAL * BATCH, cublasSgemmStridedBatched(h, n, n, M, N, K, P, P, M, M * K, P, K, K * N, P, P, M, M * N, BATCH));
  CALL(MFU_PREC_FP32, REAL * BATCH, cublasSgemmStridedBatched_64(h, n, n, M, N, K, P, P, M, M * K, P, K, K * N, P, P, M, M * N, BATCH));
  CALL(MFU_PREC_FP64, REAL * BATCH, cublasDgemmStridedBatched(h, n, n, M, N, K, P, P, M, M * K, P, K, K * N, P, P, M, M * N, BATCH));
  CALL(MFU_PREC_FP64, REAL * BATCH, cublasDgemmStridedBatched_64(h, n, n, M, N, K, P, P, M, M * K, P, K, K * N, P, P, M, M * N, BATCH));
  CALL(MFU_PREC_FP32, CPLX * BATCH, cublasCgemmStridedBatched(h, n, n, M, N, K, P, P, M, M * K, P, K, K * N, P, P, M, M * N, BATCH));
  CALL(MFU_PREC_FP32, CPLX * BATCH, cublasCgemmStridedBatched_64(h, n, n, M, N, K, P, P, M, M * K, P, K, K * N, P, P, M, M * N, BATCH));
  CALL(MFU_PREC_FP32, CPLX * BATCH, cublasCgemm3mStridedBatched(h, n, n, M, N, K, P, P, M, M * K, P, K, K * N, P, P, M, M * N, BATCH));
  CALL(MFU_PREC_FP32, CPLX * BATCH, cublasCgemm3mStridedBatched_64(h, n, n, M, N, K, P, P, M, M * K, P, K, K * N, P, P, M, M * N, BATCH));
  CALL(MFU_PREC_FP64, CPLX * BATCH, cublasZgemmStridedBatched(h, n, n, M, N, K, P, P, M, M * K, P, K, K * N, P, P, M, M * N, BATCH));
  CALL(MFU_PREC_FP64, CPLX * BATCH, cublasZgemmStridedBatched_64(h, n, n, M, N, K, P, P, M, M * K, P, K, K * N, P, P, M, M * N, BATCH));
  CALL(MFU_PREC_FP16, REAL * BATCH, cublasGemmBatchedEx(h, n, n, M, N, K, P, ARR, CUDA_R_16F, M, ARR, CUDA_R_16F, K, P, (void *const *)ARR, CUDA_R_16F, M, BATCH, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  CALL(MFU_PREC_BF16, REAL * BATCH, cublasGemmBatchedEx_64(h, n, n, M, N, K, P, ARR, CUDA_R_16BF, M, ARR, CUDA_R_16BF, K, P, (void *const *)ARR, CUDA_R_16BF, M, BATCH, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  CALL(MFU_PREC_BF16, REAL * BATCH, cublasGemmStridedBatchedEx(h, n, t, M, N, K, P, P, CUDA_R_16BF, M, M * K, P, CUDA_R_16BF, N, K * N, P, P, CUDA_R_16BF, M, M * N, BATCH, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  CALL(MFU_PREC_TF32, REAL * BATCH, cublasGemmStridedBatchedEx_64(h, n, n, M, N, K, P, P, CUDA_R_32F, M, M * K, P, CUDA_R_32F, K, K * N, P, P, CUDA_R_32F, M, M * N, BATCH, CUBLAS_COMPUTE_32F_FAST_TF32, CUBLAS_GEMM_DEFAULT));
}

/* Grouped: two groups of different shapes: 2 products of M x K x N, 1 of K x N x M... */
static void grouped(cublasHandle_t h) {
  const cublasOperation_t ta[2] = {CUBLAS_OP_N, CUBLAS_OP_T}, tb[2] = {CUBLAS_OP_N, CUBLAS_OP_N};
  const int m[2] = {M, 8}, n[2] = {N, 16}, k[2] = {K, 32}, size[2] = {2, 1}, ld[2] = {64, 64};
  const int64_t m64[2] = {M, 8}, n64[2] = {N, 16}, k64[2] = {K, 32}, size64[2] = {2, 1},
                ld64[2] = {64, 64};
  const float falpha[2] = {1, 1}, fbeta[2] = {0, 0};
  const double dalpha[2] = {1, 1}, dbeta[2] = {0, 0};
  const void *const arr[3] = {buf, buf, buf};
  const uint64_t flops = 2 * REAL + (uint64_t)2 * 8 * 16 * 32;
  CALL(MFU_PREC_FP32, flops, cublasSgemmGroupedBatched(h, ta, tb, m, n, k, falpha, (const float *const *)arr, ld, (const float *const *)arr, ld, fbeta, (float *const *)arr, ld, 2, size));
  CALL(MFU_PREC_FP32, flops, cublasSgemmGroupedBatched_64(h, ta, tb, m64, n64, k64, falpha, (const float *const *)arr, ld64, (const float *const *)arr, ld64, fbeta, (float *const *)arr, ld64, 2, size64));
  CALL(MFU_PREC_FP64, flops, cublasDgemmGroupedBatched(h, ta, tb, m, n, k, dalpha, (const double *const *)arr, ld, (const double *const *)arr, ld, dbeta, (double *const *)arr, ld, 2, size));
  CALL(MFU_PREC_FP64, flops, cublasDgemmGroupedBatched_64(h, ta, tb, m64, n64, k64, dalpha, (const double *const *)arr, ld64, (const double *const *)arr, ld64, dbeta, (double *const *)arr, ld64, 2, size64));
  CALL(MFU_PREC_BF16, flops, cublasGemmGroupedBatchedEx(h, ta, tb, m, n, k, falpha, arr, CUDA_R_16BF, ld, arr, CUDA_R_16BF, ld, fbeta, (void *const *)arr, CUDA_R_16BF, ld, 2, size, CUBLAS_COMPUTE_32F));
  CALL(MFU_PREC_FP16, flops, cublasGemmGroupedBatchedEx_64(h, ta, tb, m64, n64, k64, falpha, arr, CUDA_R_16F, ld64, arr, CUDA_R_16F, ld64, fbeta, (void *const *)arr, CUDA_R_16F, ld64, 2, size64, CUBLAS_COMPUTE_32F));
}

/* cuBLASLt: m = rows(D), n = cols(D), k = cols(A) (N) or rows(A) (T); batch of D. */
static void lt_matmul(cublasLtHandle_t lt, enum mfu_precision p, cudaDataType ab, cudaDataType cd,
                      cublasComputeType_t compute, cublasOperation_t transa, int batch) {
  cublasLtMatmulDesc_t desc = NULL;
  cublasLtMatrixLayout_t a = NULL, b = NULL, c = NULL;
  int32_t ta = transa, nb = batch;
  cublasLtMatmulDescCreate(&desc, compute, CUDA_R_32F);
  cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta);
  if (transa == CUBLAS_OP_N)
    cublasLtMatrixLayoutCreate(&a, ab, M, K, M);
  else
    cublasLtMatrixLayoutCreate(&a, ab, K, M, K);
  cublasLtMatrixLayoutCreate(&b, ab, K, N, K);
  cublasLtMatrixLayoutCreate(&c, cd, M, N, M);
  cublasLtMatrixLayoutSetAttribute(c, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &nb, sizeof nb);
  CALL(p, REAL * (uint64_t)batch,
       cublasLtMatmul(lt, desc, P, P, a, P, b, P, P, c, P, c, NULL, NULL, 0, (cudaStream_t)0));
  cublasLtMatrixLayoutDestroy(a);
  cublasLtMatrixLayoutDestroy(b);
  cublasLtMatrixLayoutDestroy(c);
  cublasLtMatmulDescDestroy(desc);
}

int main(void) {
  cublasHandle_t h = NULL;
  cublasLtHandle_t lt = NULL;
  if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) fprintf(stderr, "cublasCreate failed\n");
  if (cublasLtCreate(&lt) != CUBLAS_STATUS_SUCCESS) fprintf(stderr, "cublasLtCreate failed\n");
  classic(h);
  grouped(h);
  /* The handle's math mode decides for fp32 routines without a compute type. */
  cublasSetMathMode(h, CUBLAS_TF32_TENSOR_OP_MATH);
  const cublasOperation_t n = CUBLAS_OP_N;
  CALL(MFU_PREC_TF32, REAL, cublasSgemm_v2(h, n, n, M, N, K, P, P, M, P, K, P, P, M));
  CALL(MFU_PREC_TF32, REAL, cublasGemmEx(h, n, n, M, N, K, P, P, CUDA_R_32F, M, P, CUDA_R_32F, K, P, P, CUDA_R_32F, M, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  CALL(MFU_PREC_FP32, REAL, cublasGemmEx(h, n, n, M, N, K, P, P, CUDA_R_32F, M, P, CUDA_R_32F, K, P, P, CUDA_R_32F, M, CUBLAS_COMPUTE_32F_PEDANTIC, CUBLAS_GEMM_DEFAULT));
  lt_matmul(lt, MFU_PREC_BF16, CUDA_R_16BF, CUDA_R_16BF, CUBLAS_COMPUTE_32F, CUBLAS_OP_N, 1);
  lt_matmul(lt, MFU_PREC_BF16, CUDA_R_16BF, CUDA_R_16BF, CUBLAS_COMPUTE_32F, CUBLAS_OP_T, 4);
  lt_matmul(lt, MFU_PREC_FP8, CUDA_R_8F_E4M3, CUDA_R_16BF, CUBLAS_COMPUTE_32F, CUBLAS_OP_T, 1);
  lt_matmul(lt, MFU_PREC_TF32, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32, CUBLAS_OP_N, 2);
  lt_matmul(lt, MFU_PREC_FP32, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F, CUBLAS_OP_N, 1);
  lt_matmul(lt, MFU_PREC_FP16, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_16F, CUBLAS_OP_N, 1);
  if (lt) cublasLtDestroy(lt);
  if (h) cublasDestroy(h);

  printf("expected_calls=%llu\nexpected_failed=%llu\n", (unsigned long long)(calls - failed),
         (unsigned long long)failed);
  for (unsigned p = 0; p < MFU_PREC_COUNT; p++)
    printf("expected_flops_%s=%llu\n", mfu_precision_name(p), (unsigned long long)expected_flops[p]);
  return 0;
}
