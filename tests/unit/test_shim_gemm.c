/* The shim's GEMM records, checked field by field: each wrapper is called in-process (the
 * test links the shim's objects; the cuBLAS doubles stand behind them) and the record it
 * left in this thread's ring is inspected. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <cublasLt.h>
#include <cublas_v2.h>

#include "config.h"
#include "gemm_describe.h"
#include "mfu/api.h"
#include "mfu/gemm.h"
#include "ring.h"
#include "shim_fixture.h"

#define DECLARE(name, params, args, describe) cublasStatus_t name params;
MFU_CUBLAS_GEMM_APIS(DECLARE)

static char buf[4096];
static void *const P = buf;
static const void *const ARR[4] = {buf, buf, buf, buf};
static cublasHandle_t h;

static uint64_t head(void) { return mfu_self ? atomic_load(&mfu_self->head) : 0; }

/* The record of the call just made; fails the test if that call left none. */
static const struct mfu_record *last(uint64_t head_before) {
  assert_non_null(mfu_self);
  uint64_t now = atomic_load(&mfu_self->head);
  assert_int_equal(now, head_before + 1);
  return &mfu_self->slots[(now - 1) & (MFU_RING_SLOTS - 1)];
}

static void expect_gemm(const struct mfu_record *r, unsigned api, int64_t m, int64_t n, int64_t k,
                        int64_t batch, enum mfu_precision p, uint64_t flops) {
  assert_int_equal(r->kind, MFU_REC_GEMM);
  assert_string_equal(mfu_api_name(r->api), mfu_api_name(api));
  assert_int_equal(r->status, 0);
  assert_int_equal(r->u.gemm.m, m);
  assert_int_equal(r->u.gemm.n, n);
  assert_int_equal(r->u.gemm.k, k);
  assert_int_equal(r->u.gemm.batch, batch);
  assert_string_equal(mfu_precision_name(r->u.gemm.precision), mfu_precision_name(p));
  assert_int_equal(r->flops, flops);
  assert_true(r->t_end_ns >= r->t_start_ns);
}

#define CHECK(api, m, n, k, batch, prec, flops, call)                                          \
  do {                                                                                         \
    uint64_t before = head();                                                                  \
    assert_int_equal(call, CUBLAS_STATUS_SUCCESS);                                             \
    expect_gemm(last(before), MFU_API_##api, m, n, k, batch, prec, flops);                     \
  } while (0)

static void typed_real_and_complex(void **state) {
  (void)state;
  const cublasOperation_t N = CUBLAS_OP_N, T = CUBLAS_OP_T, C = CUBLAS_OP_C;
  CHECK(cublasSgemm_v2, 7, 5, 3, 1, MFU_PREC_FP32, 2 * 7 * 5 * 3,
        cublasSgemm_v2(h, T, C, 7, 5, 3, P, P, 3, P, 5, P, P, 7));
  const struct mfu_record *r = &mfu_self->slots[(head() - 1) & (MFU_RING_SLOTS - 1)];
  assert_int_equal(r->u.gemm.transa, CUBLAS_OP_T);
  assert_int_equal(r->u.gemm.transb, CUBLAS_OP_C);
  assert_int_equal(r->u.gemm.handle, (uint64_t)(uintptr_t)h);
  CHECK(cublasDgemm_v2, 7, 5, 3, 1, MFU_PREC_FP64, 210, cublasDgemm_v2(h, N, N, 7, 5, 3, P, P, 7, P, 3, P, P, 7));
  CHECK(cublasCgemm_v2, 7, 5, 3, 1, MFU_PREC_FP32, 8 * 105, cublasCgemm_v2(h, N, N, 7, 5, 3, P, P, 7, P, 3, P, P, 7));
  CHECK(cublasZgemm_v2, 7, 5, 3, 1, MFU_PREC_FP64, 8 * 105, cublasZgemm_v2(h, N, N, 7, 5, 3, P, P, 7, P, 3, P, P, 7));
  CHECK(cublasCgemm3m, 7, 5, 3, 1, MFU_PREC_FP32, 8 * 105, cublasCgemm3m(h, N, N, 7, 5, 3, P, P, 7, P, 3, P, P, 7));
  CHECK(cublasZgemm3m_64, 7, 5, 3, 1, MFU_PREC_FP64, 8 * 105, cublasZgemm3m_64(h, N, N, 7, 5, 3, P, P, 7, P, 3, P, P, 7));
  CHECK(cublasHgemm, 7, 5, 3, 1, MFU_PREC_FP16, 210, cublasHgemm(h, N, N, 7, 5, 3, P, P, 7, P, 3, P, P, 7));
  /* _64: sizes beyond int32 */
  int64_t big = (int64_t)1 << 33;
  CHECK(cublasSgemm_v2_64, big, 2, 3, 1, MFU_PREC_FP32, (uint64_t)12 << 33,
        cublasSgemm_v2_64(h, N, N, big, 2, 3, P, P, big, P, 3, P, P, big));
}

static void math_mode_selects_tf32_and_fp16(void **state) {
  (void)state;
  const cublasOperation_t N = CUBLAS_OP_N;
  cublasSetMathMode(h, CUBLAS_TF32_TENSOR_OP_MATH);
  CHECK(cublasSgemm_v2, 4, 4, 4, 1, MFU_PREC_TF32, 128, cublasSgemm_v2(h, N, N, 4, 4, 4, P, P, 4, P, 4, P, P, 4));
  CHECK(cublasCgemm_v2, 4, 4, 4, 1, MFU_PREC_TF32, 512, cublasCgemm_v2(h, N, N, 4, 4, 4, P, P, 4, P, 4, P, P, 4));
  CHECK(cublasGemmEx, 4, 4, 4, 1, MFU_PREC_TF32, 128,
        cublasGemmEx(h, N, N, 4, 4, 4, P, P, CUDA_R_32F, 4, P, CUDA_R_32F, 4, P, P, CUDA_R_32F, 4, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  /* A pedantic compute type opts out of the math mode. */
  CHECK(cublasGemmEx, 4, 4, 4, 1, MFU_PREC_FP32, 128,
        cublasGemmEx(h, N, N, 4, 4, 4, P, P, CUDA_R_32F, 4, P, CUDA_R_32F, 4, P, P, CUDA_R_32F, 4, CUBLAS_COMPUTE_32F_PEDANTIC, CUBLAS_GEMM_DEFAULT));
  /* Double precision ignores it. */
  CHECK(cublasDgemm_v2, 4, 4, 4, 1, MFU_PREC_FP64, 128, cublasDgemm_v2(h, N, N, 4, 4, 4, P, P, 4, P, 4, P, P, 4));
  /* NVIDIA_TF32_OVERRIDE=0 forbids TF32 process-wide. */
  mfu_config.tf32_allowed = false;
  CHECK(cublasSgemm_v2, 4, 4, 4, 1, MFU_PREC_FP32, 128, cublasSgemm_v2(h, N, N, 4, 4, 4, P, P, 4, P, 4, P, P, 4));
  mfu_config.tf32_allowed = true;
  /* The deprecated tensor-op mode lets fp32 routines down-convert to fp16 (cuBLAS docs). */
  cublasSetMathMode(h, CUBLAS_TENSOR_OP_MATH);
  CHECK(cublasSgemm_v2, 4, 4, 4, 1, MFU_PREC_FP16, 128, cublasSgemm_v2(h, N, N, 4, 4, 4, P, P, 4, P, 4, P, P, 4));
  cublasSetMathMode(h, CUBLAS_DEFAULT_MATH);
  const struct mfu_record *r = &mfu_self->slots[(head() - 1) & (MFU_RING_SLOTS - 1)];
  assert_int_equal(r->u.gemm.math_mode, CUBLAS_TENSOR_OP_MATH);
  assert_int_equal(r->u.gemm.compute_type, CUBLAS_COMPUTE_32F_FAST_16F);
}

static void ex_types(void **state) {
  (void)state;
  const cublasOperation_t N = CUBLAS_OP_N;
  struct { cudaDataType a, b; cublasComputeType_t compute; enum mfu_precision p; } cases[] = {
      {CUDA_R_16BF, CUDA_R_16BF, CUBLAS_COMPUTE_32F, MFU_PREC_BF16},
      {CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_16F, MFU_PREC_FP16},
      {CUDA_R_8I, CUDA_R_8I, CUBLAS_COMPUTE_32I, MFU_PREC_INT8},
      {CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_16BF, MFU_PREC_BF16},
      {CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32, MFU_PREC_TF32},
      {CUDA_R_8F_E4M3, CUDA_R_8F_E5M2, CUBLAS_COMPUTE_32F, MFU_PREC_FP8},
      {CUDA_R_8F_E4M3, CUDA_R_16BF, CUBLAS_COMPUTE_32F, MFU_PREC_BF16}, /* the wider operand */
      {CUDA_C_16F, CUDA_C_16F, CUBLAS_COMPUTE_32F, MFU_PREC_FP16},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint64_t flops = (cases[i].a == CUDA_C_16F ? 8 : 2) * 9 * 10 * 11;
    CHECK(cublasGemmEx, 9, 10, 11, 1, cases[i].p, flops,
          cublasGemmEx(h, N, N, 9, 10, 11, P, P, cases[i].a, 9, P, cases[i].b, 11, P, P, CUDA_R_32F, 9, cases[i].compute, CUBLAS_GEMM_DEFAULT));
  }
  CHECK(cublasSgemmEx, 9, 10, 11, 1, MFU_PREC_FP16, 1980,
        cublasSgemmEx(h, N, N, 9, 10, 11, P, P, CUDA_R_16F, 9, P, CUDA_R_16F, 11, P, P, CUDA_R_32F, 9));
  CHECK(cublasCgemmEx_64, 9, 10, 11, 1, MFU_PREC_FP32, 7920,
        cublasCgemmEx_64(h, N, N, 9, 10, 11, P, P, CUDA_C_32F, 9, P, CUDA_C_32F, 11, P, P, CUDA_C_32F, 9));
}

static void batched_and_strided(void **state) {
  (void)state;
  const cublasOperation_t N = CUBLAS_OP_N;
  CHECK(cublasSgemmBatched, 6, 5, 4, 3, MFU_PREC_FP32, 3 * 240,
        cublasSgemmBatched(h, N, N, 6, 5, 4, P, (const float *const *)ARR, 6, (const float *const *)ARR, 4, P, (float *const *)ARR, 6, 3));
  CHECK(cublasZgemmBatched_64, 6, 5, 4, 3, MFU_PREC_FP64, 3 * 960,
        cublasZgemmBatched_64(h, N, N, 6, 5, 4, P, (const cuDoubleComplex *const *)ARR, 6, (const cuDoubleComplex *const *)ARR, 4, P, (cuDoubleComplex *const *)ARR, 6, 3));
  CHECK(cublasHgemmStridedBatched, 6, 5, 4, 7, MFU_PREC_FP16, 7 * 240,
        cublasHgemmStridedBatched(h, N, N, 6, 5, 4, P, P, 6, 24, P, 4, 20, P, P, 6, 30, 7));
  CHECK(cublasGemmStridedBatchedEx_64, 6, 5, 4, 7, MFU_PREC_BF16, 7 * 240,
        cublasGemmStridedBatchedEx_64(h, N, N, 6, 5, 4, P, P, CUDA_R_16BF, 6, 24, P, CUDA_R_16BF, 4, 20, P, P, CUDA_R_16BF, 6, 30, 7, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  CHECK(cublasGemmBatchedEx, 6, 5, 4, 2, MFU_PREC_FP16, 2 * 240,
        cublasGemmBatchedEx(h, N, N, 6, 5, 4, P, ARR, CUDA_R_16F, 6, ARR, CUDA_R_16F, 4, P, (void *const *)ARR, CUDA_R_16F, 6, 2, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  /* batchCount 0 is a valid no-op: counted as a call, 0 FLOPs */
  CHECK(cublasDgemmStridedBatched, 6, 5, 4, 0, MFU_PREC_FP64, 0,
        cublasDgemmStridedBatched(h, N, N, 6, 5, 4, P, P, 6, 24, P, 4, 20, P, P, 6, 30, 0));
}

static void grouped(void **state) {
  (void)state;
  const cublasOperation_t ta[3] = {CUBLAS_OP_N, CUBLAS_OP_T, CUBLAS_OP_N}, tb[3] = {CUBLAS_OP_T, CUBLAS_OP_N, CUBLAS_OP_N};
  const int m[3] = {8, 16, 8}, n[3] = {4, 4, 2}, k[3] = {2, 2, 64}, size[3] = {3, 1, 2}, ld[3] = {64, 64, 64};
  const int64_t m64[3] = {8, 16, 8}, n64[3] = {4, 4, 2}, k64[3] = {2, 2, 64}, size64[3] = {3, 1, 2}, ld64[3] = {64, 64, 64};
  const float alpha[3] = {1, 1, 1}, beta[3] = {0, 0, 0};
  uint64_t flops = 3 * 2 * 8 * 4 * 2 + 1 * 2 * 16 * 4 * 2 + 2 * 2 * 8 * 2 * 64;
  CHECK(cublasSgemmGroupedBatched, 8, 4, 2, 6, MFU_PREC_FP32, flops,
        cublasSgemmGroupedBatched(h, ta, tb, m, n, k, alpha, (const float *const *)ARR, ld, (const float *const *)ARR, ld, beta, (float *const *)ARR, ld, 3, size));
  const struct mfu_record *r = &mfu_self->slots[(head() - 1) & (MFU_RING_SLOTS - 1)];
  assert_int_equal(r->u.gemm.groups, 3);
  assert_true(r->flags & MFU_RF_MIXED_SHAPES);
  assert_int_equal(r->u.gemm.transb, CUBLAS_OP_T);
  CHECK(cublasGemmGroupedBatchedEx_64, 8, 4, 2, 6, MFU_PREC_BF16, flops,
        cublasGemmGroupedBatchedEx_64(h, ta, tb, m64, n64, k64, alpha, ARR, CUDA_R_16BF, ld64, ARR, CUDA_R_16BF, ld64, beta, (void *const *)ARR, CUDA_R_16BF, ld64, 3, size64, CUBLAS_COMPUTE_32F));
  CHECK(cublasDgemmGroupedBatched_64, 8, 4, 2, 6, MFU_PREC_FP64, flops,
        cublasDgemmGroupedBatched_64(h, ta, tb, m64, n64, k64, (const double *)P, (const double *const *)ARR, ld64, (const double *const *)ARR, ld64, (const double *)P, (double *const *)ARR, ld64, 3, size64));
}

/* One cublasLtMatmul of stored shapes a (rows x cols), with D m x n, returning its record. */
static const struct mfu_record *lt_call(cublasLtHandle_t lt, cudaDataType ab, cudaDataType d_type,
                                        cublasComputeType_t compute, int32_t transa, int32_t transb,
                                        uint64_t a_rows, uint64_t a_cols, uint64_t m, uint64_t n,
                                        int32_t batch, uint32_t epilogue) {
  cublasLtMatmulDesc_t desc;
  cublasLtMatrixLayout_t a, b, d;
  assert_int_equal(cublasLtMatmulDescCreate(&desc, compute, CUDA_R_32F), 0);
  cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &transa, sizeof transa);
  cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &transb, sizeof transb);
  if (epilogue) cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof epilogue);
  cublasLtMatrixLayoutCreate(&a, ab, a_rows, a_cols, (int64_t)a_rows);
  cublasLtMatrixLayoutCreate(&b, ab, 1, 1, 1); /* B's shape is not used to count */
  cublasLtMatrixLayoutCreate(&d, d_type, m, n, (int64_t)m);
  if (batch != 1) cublasLtMatrixLayoutSetAttribute(d, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &batch, sizeof batch);
  uint64_t before = head();
  assert_int_equal(cublasLtMatmul(lt, desc, P, P, a, P, b, P, P, d, P, d, NULL, NULL, 0, (cudaStream_t)0x1234), 0);
  const struct mfu_record *r = last(before);
  cublasLtMatrixLayoutDestroy(a);
  cublasLtMatrixLayoutDestroy(b);
  cublasLtMatrixLayoutDestroy(d);
  cublasLtMatmulDescDestroy(desc);
  return r;
}

static void cublaslt_shapes_and_types(void **state) {
  (void)state;
  cublasLtHandle_t lt;
  assert_int_equal(cublasLtCreate(&lt), 0);
  /* N: k = cols(A) */
  const struct mfu_record *r = lt_call(lt, CUDA_R_16BF, CUDA_R_16BF, CUBLAS_COMPUTE_32F, CUBLAS_OP_N, CUBLAS_OP_N, 64, 32, 64, 16, 1, 0);
  expect_gemm(r, MFU_API_cublasLtMatmul, 64, 16, 32, 1, MFU_PREC_BF16, 2 * 64 * 16 * 32);
  assert_int_equal(r->stream, 0x1234);
  assert_int_equal(r->u.gemm.epilogue, CUBLASLT_EPILOGUE_DEFAULT);
  /* T: k = rows(A); batch from D */
  r = lt_call(lt, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32F, CUBLAS_OP_T, CUBLAS_OP_N, 32, 64, 64, 16, 5, CUBLASLT_EPILOGUE_BIAS);
  expect_gemm(r, MFU_API_cublasLtMatmul, 64, 16, 32, 5, MFU_PREC_FP16, 5 * 2 * 64 * 16 * 32);
  assert_int_equal(r->u.gemm.transa, CUBLAS_OP_T);
  assert_int_equal(r->u.gemm.epilogue, CUBLASLT_EPILOGUE_BIAS);
  r = lt_call(lt, CUDA_R_8F_E4M3, CUDA_R_16BF, CUBLAS_COMPUTE_32F, CUBLAS_OP_T, CUBLAS_OP_N, 128, 256, 256, 8, 1, 0);
  expect_gemm(r, MFU_API_cublasLtMatmul, 256, 8, 128, 1, MFU_PREC_FP8, 2 * 256 * 8 * 128);
  assert_int_equal(r->u.gemm.c_type, CUDA_R_16BF);
  r = lt_call(lt, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32, CUBLAS_OP_N, CUBLAS_OP_N, 10, 20, 10, 30, 1, 0);
  expect_gemm(r, MFU_API_cublasLtMatmul, 10, 30, 20, 1, MFU_PREC_TF32, 2 * 10 * 30 * 20);
  r = lt_call(lt, CUDA_R_4F_E2M1, CUDA_R_16BF, CUBLAS_COMPUTE_32F, CUBLAS_OP_T, CUBLAS_OP_N, 64, 64, 64, 64, 1, 0);
  expect_gemm(r, MFU_API_cublasLtMatmul, 64, 64, 64, 1, MFU_PREC_FP4, 2 * 64 * 64 * 64);
  cublasLtDestroy(lt);
}

static void failed_calls_count_no_flops(void **state) {
  (void)state;
  struct mfu_record rec = {.status = CUBLAS_STATUS_INVALID_VALUE};
  mfu_describe_gemm(&rec, h, CUBLAS_OP_N, CUBLAS_OP_N, 10, 10, 10, 1, CUDA_R_16BF, CUDA_R_16BF,
                    CUDA_R_16BF, CUBLAS_COMPUTE_32F);
  assert_int_equal(rec.flops, 0);
  assert_int_equal(rec.u.gemm.m, 10); /* the shape is still recorded */
  assert_int_equal(rec.u.gemm.precision, MFU_PREC_BF16);
}

static void saturation_and_negative_sizes(void **state) {
  (void)state;
  const cublasOperation_t N = CUBLAS_OP_N;
  int64_t huge = (int64_t)1 << 40;
  uint64_t before = head();
  cublasSgemm_v2_64(h, N, N, huge, huge, huge, P, P, 1, P, 1, P, P, 1);
  const struct mfu_record *r = last(before);
  assert_int_equal(r->flops, UINT64_MAX);
  assert_true(r->flags & MFU_RF_FLOPS_SATURATED);
  before = head();
  cublasSgemm_v2(h, N, N, -1, 4, 4, P, P, 1, P, 1, P, P, 1);
  assert_int_equal(last(before)->flops, 0);
}

static void nested_calls_are_not_recorded(void **state) {
  (void)state;
  const cublasOperation_t N = CUBLAS_OP_N;
  cublasSgemm_v2(h, N, N, 1, 1, 1, P, P, 1, P, 1, P, P, 1); /* this thread has a ring */
  uint64_t before = head();
  mfu_depth = 1; /* as inside another wrapper */
  assert_int_equal(cublasSgemm_v2(h, N, N, 4, 4, 4, P, P, 4, P, 4, P, P, 4), 0);
  mfu_depth = 0;
  assert_int_equal(head(), before);
}

static void errno_is_preserved(void **state) {
  (void)state;
  errno = 4242;
  cublasSgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 4, P, P, 4, P, 4, P, P, 4);
  assert_int_equal(errno, 4242);
}

int main(void) {
  if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(typed_real_and_complex),
      cmocka_unit_test(math_mode_selects_tf32_and_fp16),
      cmocka_unit_test(ex_types),
      cmocka_unit_test(batched_and_strided),
      cmocka_unit_test(grouped),
      cmocka_unit_test(cublaslt_shapes_and_types),
      cmocka_unit_test(failed_calls_count_no_flops),
      cmocka_unit_test(saturation_and_negative_sizes),
      cmocka_unit_test(nested_calls_are_not_recorded),
      cmocka_unit_test(errno_is_preserved),
  };
  return run_shim_tests(tests, NULL);
}
