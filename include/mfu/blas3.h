/* Counting rules for cuBLAS's non-GEMM Level-3 routines (docs/DESIGN.md, "Counting rules for
 * the other Level-3 BLAS"): the operation counts of LAPACK Working Note 41 (the table of
 * Level-3 BLAS counts, as LAPACK's TESTING/LIN/dopbl3.f computes them), multiplications and
 * additions apart, then FLOPs = mults + adds for real types and 6·mults + 2·adds for complex
 * types (the convention by which a GEMM is 2mnk real and 8mnk complex). Pure functions, shared
 * by the shim, the doubles and the analyzer. */
#ifndef MFU_BLAS3_H
#define MFU_BLAS3_H

#include <stdbool.h>
#include <stdint.h>

/* X(name, value, key). syrkx/herkx (cuBLAS's C = α·op(A)·op(B)ᵀ + β·C, one triangle) count
 * as syrk/herk. */
#define MFU_BLAS3_ROUTINES(X) \
  X(SYMM, 1, "symm")          \
  X(HEMM, 2, "hemm")          \
  X(SYRK, 3, "syrk")          \
  X(HERK, 4, "herk")          \
  X(SYRKX, 5, "syrkx")        \
  X(HERKX, 6, "herkx")        \
  X(SYR2K, 7, "syr2k")        \
  X(HER2K, 8, "her2k")        \
  X(TRMM, 9, "trmm")          \
  X(TRSM, 10, "trsm")
enum mfu_blas3_routine {
#define MFU_BLAS3_ENUM(name, value, key) MFU_BLAS3_##name = value,
  MFU_BLAS3_ROUTINES(MFU_BLAS3_ENUM)
#undef MFU_BLAS3_ENUM
  MFU_BLAS3_COUNT
};

/* "syrk", "trsm"...; NULL for a value this build does not know. */
static inline const char *mfu_blas3_routine_name(unsigned routine) {
#define MFU_BLAS3_KEY(name, value, key) [value] = key,
  static const char *const keys[MFU_BLAS3_COUNT] = {MFU_BLAS3_ROUTINES(MFU_BLAS3_KEY)};
#undef MFU_BLAS3_KEY
  return routine < MFU_BLAS3_COUNT ? keys[routine] : NULL;
}

/* A side, uplo, trans or diag argument that the routine does not have. */
#define MFU_BLAS3_NA 0xff
/* cublasSideMode_t's CUBLAS_SIDE_RIGHT (shim/gemm_describe.c checks it). */
#define MFU_BLAS3_SIDE_RIGHT 1

/* a·b in 128 bits; sets *over when it does not fit. */
static inline unsigned __int128 mfu_blas3_mul(unsigned __int128 a, unsigned __int128 b, bool *over) {
  unsigned __int128 r;
  if (__builtin_mul_overflow(a, b, &r)) *over = true;
  return r;
}

/* FLOPs of `batch` calls of `routine`: C (B for trmm and trsm) is m x n; k is the inner
 * dimension of the rank-k updates (C is then n x n and m is n); `side` says whether the
 * triangular or symmetric A is on the left (m x m) or the right (n x n). Per LAWN 41, with
 * a the order of A and o the other dimension:
 *   symm, hemm     mults a²·o             adds a²·o
 *   syrk, herk     mults k·n(n+1)/2       adds k·n(n+1)/2
 *   syr2k, her2k   mults k·n²             adds k·n² + n
 *   trmm, trsm     mults o·a(a+1)/2       adds o·a(a−1)/2
 * Sizes that are not positive count 0. On overflow returns UINT64_MAX and sets *saturated. */
static inline uint64_t mfu_blas3_flops(unsigned routine, unsigned side, int64_t m, int64_t n,
                                       int64_t k, int64_t batch, bool complex, bool *saturated) {
  if (m <= 0 || n <= 0 || batch <= 0) return 0;
  typedef unsigned __int128 u128;
  bool right = side == MFU_BLAS3_SIDE_RIGHT, over = false;
  u128 a = (u128)(right ? n : m), o = (u128)(right ? m : n), nn = (u128)n, kk = k > 0 ? (u128)k : 0;
  u128 mults, adds;
  switch (routine) {
  case MFU_BLAS3_SYMM: case MFU_BLAS3_HEMM:
    mults = adds = mfu_blas3_mul(a * a, o, &over);
    break;
  case MFU_BLAS3_SYRK: case MFU_BLAS3_HERK: case MFU_BLAS3_SYRKX: case MFU_BLAS3_HERKX:
    mults = adds = mfu_blas3_mul(kk, nn * (nn + 1) / 2, &over);
    break;
  case MFU_BLAS3_SYR2K: case MFU_BLAS3_HER2K:
    if (!kk) return 0;
    mults = mfu_blas3_mul(kk, nn * nn, &over);
    adds = mults + nn;
    break;
  case MFU_BLAS3_TRMM: case MFU_BLAS3_TRSM:
    mults = mfu_blas3_mul(o, a * (a + 1) / 2, &over);
    adds = mfu_blas3_mul(o, a * (a - 1) / 2, &over);
    break;
  default:
    return 0;
  }
  /* Sizes are below 2^63, so a·a and the like fit in 128 bits; mults, adds < 2^125 after the
   * checks, and the sums below cannot wrap. */
  u128 flops = mfu_blas3_mul(complex ? 6 * mults + 2 * adds : mults + adds, (u128)batch, &over);
  if (over || flops > UINT64_MAX || mults >> 124 || adds >> 124) {
    *saturated = true;
    return UINT64_MAX;
  }
  return (uint64_t)flops;
}

#endif
