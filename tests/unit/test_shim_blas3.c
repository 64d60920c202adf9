/* The shim's BLAS3 records (symm, hemm, syrk, herk, syrkx, herkx, syr2k, her2k, trmm, trsm),
 * checked against LAPACK Working Note 41's counts written out by hand: each wrapper is called
 * in-process (the cuBLAS double behind it) and the record it left in this thread's ring is
 * inspected. m = 7, n = 5, k = 3 unless said otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <cublas_v2.h>

#include "gemm_describe.h"
#include "mfu/api.h"
#include "mfu/blas3.h"
#include "ring.h"
#include "shim_fixture.h"

#define DECLARE(name, params, args, describe) cublasStatus_t name params;
MFU_CUBLAS_BLAS3_APIS(DECLARE)

static char buf[4096];
static void *const P = buf;
static void *const ARR[4] = {buf, buf, buf, buf};
static cublasHandle_t h;
static const cublasSideMode_t L = CUBLAS_SIDE_LEFT, R = CUBLAS_SIDE_RIGHT;
static const cublasFillMode_t LO = CUBLAS_FILL_MODE_LOWER, UP = CUBLAS_FILL_MODE_UPPER;
static const cublasOperation_t N = CUBLAS_OP_N, T = CUBLAS_OP_T, C = CUBLAS_OP_C;
static const cublasDiagType_t NU = CUBLAS_DIAG_NON_UNIT, UN = CUBLAS_DIAG_UNIT;

static uint64_t head(void) { return mfu_self ? atomic_load(&mfu_self->head) : 0; }

static const struct mfu_record *last(uint64_t head_before) {
  assert_non_null(mfu_self);
  uint64_t now = atomic_load(&mfu_self->head);
  assert_int_equal(now, head_before + 1);
  return &mfu_self->slots[(now - 1) & (MFU_RING_SLOTS - 1)];
}

static const struct mfu_record *expect(uint64_t before, unsigned api, unsigned routine,
                                       int64_t m, int64_t n, int64_t k, int64_t batch,
                                       enum mfu_precision p, uint64_t flops) {
  const struct mfu_record *r = last(before);
  assert_int_equal(r->kind, MFU_REC_BLAS3);
  assert_string_equal(mfu_api_name(r->api), mfu_api_name(api));
  assert_int_equal(r->status, 0);
  assert_int_equal(r->u.gemm.routine, routine);
  assert_int_equal(r->u.gemm.m, m);
  assert_int_equal(r->u.gemm.n, n);
  assert_int_equal(r->u.gemm.k, k);
  assert_int_equal(r->u.gemm.batch, batch);
  assert_string_equal(mfu_precision_name(r->u.gemm.precision), mfu_precision_name(p));
  assert_int_equal(r->flops, flops);
  assert_int_equal(r->flags, 0);
  return r;
}

#define CHECK(api, routine, m, n, k, batch, prec, flops, call)                                 \
  do {                                                                                         \
    uint64_t before = head();                                                                  \
    assert_int_equal(call, CUBLAS_STATUS_SUCCESS);                                             \
    expect(before, MFU_API_##api, MFU_BLAS3_##routine, m, n, k, batch, prec, flops);           \
  } while (0)

/* symm/hemm: 2·a²·o real (a = 7 on the left, 5 on the right), 8·a²·o complex. */
static void symm_and_hemm(void **state) {
  (void)state;
  CHECK(cublasSsymm_v2, SYMM, 7, 5, 0, 1, MFU_PREC_FP32, 490, cublasSsymm_v2(h, L, LO, 7, 5, P, P, 7, P, 7, P, P, 7));
  uint64_t before = head();
  cublasDsymm_v2(h, R, UP, 7, 5, P, P, 5, P, 7, P, P, 7);
  const struct mfu_record *r = expect(before, MFU_API_cublasDsymm_v2, MFU_BLAS3_SYMM, 7, 5, 0, 1, MFU_PREC_FP64, 350);
  assert_int_equal(r->u.gemm.side, CUBLAS_SIDE_RIGHT);
  assert_int_equal(r->u.gemm.uplo, CUBLAS_FILL_MODE_UPPER);
  assert_int_equal(r->u.gemm.transa, MFU_BLAS3_NA);
  assert_int_equal(r->u.gemm.diag, MFU_BLAS3_NA);
  CHECK(cublasCsymm_v2, SYMM, 7, 5, 0, 1, MFU_PREC_FP32, 1960, cublasCsymm_v2(h, L, UP, 7, 5, P, P, 7, P, 7, P, P, 7));
  CHECK(cublasZsymm_v2_64, SYMM, 7, 5, 0, 1, MFU_PREC_FP64, 1400, cublasZsymm_v2_64(h, R, LO, 7, 5, P, P, 5, P, 7, P, P, 7));
  CHECK(cublasChemm_v2, HEMM, 7, 5, 0, 1, MFU_PREC_FP32, 1960, cublasChemm_v2(h, L, LO, 7, 5, P, P, 7, P, 7, P, P, 7));
  CHECK(cublasZhemm_v2, HEMM, 7, 5, 0, 1, MFU_PREC_FP64, 1400, cublasZhemm_v2(h, R, UP, 7, 5, P, P, 5, P, 7, P, P, 7));
}

/* syrk/herk/syrkx/herkx on C 5 x 5, k 3: mults = adds = k·n(n+1)/2 = 45; 90 real, 360 complex.
 * syr2k/her2k: mults k·n² = 75, adds 75 + n = 80; 155 real, 6·75 + 2·80 = 610 complex. */
static void rank_k_updates(void **state) {
  (void)state;
  uint64_t before = head();
  cublasSsyrk_v2(h, UP, T, 5, 3, P, P, 3, P, P, 5);
  const struct mfu_record *r = expect(before, MFU_API_cublasSsyrk_v2, MFU_BLAS3_SYRK, 5, 5, 3, 1, MFU_PREC_FP32, 90);
  assert_int_equal(r->u.gemm.transa, CUBLAS_OP_T);
  assert_int_equal(r->u.gemm.uplo, CUBLAS_FILL_MODE_UPPER);
  assert_int_equal(r->u.gemm.side, MFU_BLAS3_NA);
  CHECK(cublasDsyrk_v2, SYRK, 5, 5, 3, 1, MFU_PREC_FP64, 90, cublasDsyrk_v2(h, LO, N, 5, 3, P, P, 5, P, P, 5));
  CHECK(cublasCsyrk_v2, SYRK, 5, 5, 3, 1, MFU_PREC_FP32, 360, cublasCsyrk_v2(h, LO, N, 5, 3, P, P, 5, P, P, 5));
  CHECK(cublasZsyrk_v2_64, SYRK, 5, 5, 3, 1, MFU_PREC_FP64, 360, cublasZsyrk_v2_64(h, UP, T, 5, 3, P, P, 3, P, P, 5));
  CHECK(cublasCherk_v2, HERK, 5, 5, 3, 1, MFU_PREC_FP32, 360, cublasCherk_v2(h, LO, C, 5, 3, P, P, 3, P, P, 5));
  CHECK(cublasZherk_v2, HERK, 5, 5, 3, 1, MFU_PREC_FP64, 360, cublasZherk_v2(h, UP, N, 5, 3, P, P, 5, P, P, 5));
  CHECK(cublasSsyrkx, SYRKX, 5, 5, 3, 1, MFU_PREC_FP32, 90, cublasSsyrkx(h, LO, N, 5, 3, P, P, 5, P, 5, P, P, 5));
  CHECK(cublasZherkx_64, HERKX, 5, 5, 3, 1, MFU_PREC_FP64, 360, cublasZherkx_64(h, LO, N, 5, 3, P, P, 5, P, 5, P, P, 5));
  CHECK(cublasDsyr2k_v2, SYR2K, 5, 5, 3, 1, MFU_PREC_FP64, 155, cublasDsyr2k_v2(h, LO, N, 5, 3, P, P, 5, P, 5, P, P, 5));
  CHECK(cublasSsyr2k_v2_64, SYR2K, 5, 5, 3, 1, MFU_PREC_FP32, 155, cublasSsyr2k_v2_64(h, UP, T, 5, 3, P, P, 3, P, 3, P, P, 5));
  CHECK(cublasZsyr2k_v2, SYR2K, 5, 5, 3, 1, MFU_PREC_FP64, 610, cublasZsyr2k_v2(h, LO, N, 5, 3, P, P, 5, P, 5, P, P, 5));
  CHECK(cublasCher2k_v2, HER2K, 5, 5, 3, 1, MFU_PREC_FP32, 610, cublasCher2k_v2(h, UP, C, 5, 3, P, P, 3, P, 3, P, P, 5));
  /* Ex forms: the types are the arguments' (complex bf16 is bf16, still complex) */
  CHECK(cublasCsyrkEx, SYRK, 5, 5, 3, 1, MFU_PREC_FP32, 360, cublasCsyrkEx(h, LO, N, 5, 3, P, P, CUDA_C_32F, 5, P, P, CUDA_C_32F, 5));
  CHECK(cublasCherk3mEx_64, HERK, 5, 5, 3, 1, MFU_PREC_FP32, 360, cublasCherk3mEx_64(h, LO, N, 5, 3, P, P, CUDA_C_32F, 5, P, P, CUDA_C_32F, 5));
  CHECK(cublasCherkEx, HERK, 5, 5, 3, 1, MFU_PREC_INT8, 360, cublasCherkEx(h, LO, N, 5, 3, P, P, CUDA_C_8I, 5, P, P, CUDA_C_32F, 5));
}

/* trmm/trsm, B 7 x 5: on the left A is 7 x 7, mults 5·28 = 140, adds 5·21 = 105: 245 real
 * (m²n), 6·140 + 2·105 = 1050 complex (4m²n + 2mn); on the right A is 5 x 5, mults 7·15 =
 * 105, adds 7·10 = 70: 175 real (mn²), 770 complex. */
static void triangular(void **state) {
  (void)state;
  uint64_t before = head();
  cublasStrmm_v2(h, L, LO, T, UN, 7, 5, P, P, 7, P, 7, P, 7);
  const struct mfu_record *r = expect(before, MFU_API_cublasStrmm_v2, MFU_BLAS3_TRMM, 7, 5, 0, 1, MFU_PREC_FP32, 245);
  assert_int_equal(r->u.gemm.side, CUBLAS_SIDE_LEFT);
  assert_int_equal(r->u.gemm.uplo, CUBLAS_FILL_MODE_LOWER);
  assert_int_equal(r->u.gemm.transa, CUBLAS_OP_T);
  assert_int_equal(r->u.gemm.diag, CUBLAS_DIAG_UNIT);
  CHECK(cublasDtrmm_v2, TRMM, 7, 5, 0, 1, MFU_PREC_FP64, 175, cublasDtrmm_v2(h, R, UP, N, NU, 7, 5, P, P, 5, P, 7, P, 7));
  CHECK(cublasCtrmm_v2, TRMM, 7, 5, 0, 1, MFU_PREC_FP32, 1050, cublasCtrmm_v2(h, L, UP, C, NU, 7, 5, P, P, 7, P, 7, P, 7));
  CHECK(cublasZtrmm_v2_64, TRMM, 7, 5, 0, 1, MFU_PREC_FP64, 770, cublasZtrmm_v2_64(h, R, LO, N, NU, 7, 5, P, P, 5, P, 7, P, 7));
  CHECK(cublasStrsm_v2, TRSM, 7, 5, 0, 1, MFU_PREC_FP32, 245, cublasStrsm_v2(h, L, UP, N, NU, 7, 5, P, P, 7, P, 7));
  CHECK(cublasDtrsm_v2, TRSM, 7, 5, 0, 1, MFU_PREC_FP64, 175, cublasDtrsm_v2(h, R, LO, T, UN, 7, 5, P, P, 5, P, 7));
  CHECK(cublasCtrsm_v2_64, TRSM, 7, 5, 0, 1, MFU_PREC_FP32, 770, cublasCtrsm_v2_64(h, R, UP, C, NU, 7, 5, P, P, 5, P, 7));
  CHECK(cublasZtrsm_v2, TRSM, 7, 5, 0, 1, MFU_PREC_FP64, 1050, cublasZtrsm_v2(h, L, LO, N, NU, 7, 5, P, P, 7, P, 7));
  /* batched: × batchCount */
  CHECK(cublasDtrsmBatched, TRSM, 7, 5, 0, 4, MFU_PREC_FP64, 4 * 245,
        cublasDtrsmBatched(h, L, LO, N, NU, 7, 5, P, (const double *const *)ARR, 7, (double *const *)ARR, 7, 4));
  CHECK(cublasZtrsmBatched_64, TRSM, 7, 5, 0, 3, MFU_PREC_FP64, 3 * 770,
        cublasZtrsmBatched_64(h, R, UP, N, NU, 7, 5, P, (const cuDoubleComplex *const *)ARR, 5,
                              (cuDoubleComplex *const *)ARR, 7, 3));
}

/* The Sxxx and Cxxx routines follow the handle's math mode, as the GEMMs do. */
static void math_mode_selects_tf32(void **state) {
  (void)state;
  assert_int_equal(cublasSetMathMode(h, CUBLAS_TF32_TENSOR_OP_MATH), 0);
  CHECK(cublasStrsm_v2, TRSM, 7, 5, 0, 1, MFU_PREC_TF32, 245, cublasStrsm_v2(h, L, UP, N, NU, 7, 5, P, P, 7, P, 7));
  CHECK(cublasDtrsm_v2, TRSM, 7, 5, 0, 1, MFU_PREC_FP64, 245, cublasDtrsm_v2(h, L, UP, N, NU, 7, 5, P, P, 7, P, 7));
  assert_int_equal(cublasSetMathMode(h, CUBLAS_DEFAULT_MATH), 0);
}

/* The rule itself at its edges: sizes of the _64 forms, overflow, sizes that are not positive,
 * k = 0 (a rank-0 update does nothing), and a failed call. */
static void edges(void **state) {
  (void)state;
  bool sat = false;
  int64_t big = (int64_t)1 << 20;
  /* trsm on the left, m = 2^20, n = 3: m²n = 3·2^40 exactly */
  assert_int_equal(mfu_blas3_flops(MFU_BLAS3_TRSM, CUBLAS_SIDE_LEFT, big, 3, 0, 1, false, &sat), (uint64_t)3 << 40);
  assert_false(sat);
  /* syrk n = 2^32, k = 1: n(n+1) = 2^64 + 2^32 does not fit */
  int64_t huge = (int64_t)1 << 32;
  uint64_t before = head();
  cublasDsyrk_v2_64(h, LO, N, huge, 1, P, P, huge, P, P, huge);
  const struct mfu_record *r = last(before);
  assert_int_equal(r->flops, UINT64_MAX);
  assert_true(r->flags & MFU_RF_FLOPS_SATURATED);
  sat = false;
  assert_int_equal(mfu_blas3_flops(MFU_BLAS3_SYMM, CUBLAS_SIDE_LEFT, INT64_MAX, INT64_MAX, 0, 1, true, &sat), UINT64_MAX);
  assert_true(sat);
  sat = false;
  assert_int_equal(mfu_blas3_flops(MFU_BLAS3_TRMM, CUBLAS_SIDE_RIGHT, 7, 5, 0, INT64_MAX, false, &sat), UINT64_MAX);
  assert_true(sat);
  sat = false;
  assert_int_equal(mfu_blas3_flops(MFU_BLAS3_SYRK, MFU_BLAS3_NA, 5, 5, 0, 1, false, &sat), 0);
  assert_int_equal(mfu_blas3_flops(MFU_BLAS3_SYR2K, MFU_BLAS3_NA, 5, 5, 0, 1, false, &sat), 0);
  assert_int_equal(mfu_blas3_flops(MFU_BLAS3_TRSM, CUBLAS_SIDE_LEFT, -7, 5, 0, 1, false, &sat), 0);
  assert_int_equal(mfu_blas3_flops(0, CUBLAS_SIDE_LEFT, 7, 5, 3, 1, false, &sat), 0);
  assert_false(sat);
  /* 1 x 1 triangular solve: one division, counted as one multiplication */
  assert_int_equal(mfu_blas3_flops(MFU_BLAS3_TRSM, CUBLAS_SIDE_LEFT, 1, 1, 0, 1, false, &sat), 1);
  struct mfu_record rec = {.status = CUBLAS_STATUS_INVALID_VALUE};
  mfu_describe_blas3(&rec, h, MFU_BLAS3_TRSM, CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N,
                     CUBLAS_DIAG_UNIT, 7, 5, 0, 1, CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F);
  assert_int_equal(rec.flops, 0);
  assert_int_equal(rec.u.gemm.m, 7); /* the shape is still recorded */
  assert_int_equal(rec.u.gemm.routine, MFU_BLAS3_TRSM);
  assert_string_equal(mfu_blas3_routine_name(MFU_BLAS3_HER2K), "her2k");
  assert_null(mfu_blas3_routine_name(MFU_BLAS3_COUNT));
}

int main(void) {
  if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(symm_and_hemm),
      cmocka_unit_test(rank_k_updates),
      cmocka_unit_test(triangular),
      cmocka_unit_test(math_mode_selects_tf32),
      cmocka_unit_test(edges),
  };
  return run_shim_tests(tests, NULL);
}
