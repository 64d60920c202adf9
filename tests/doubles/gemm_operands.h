/* The cuBLAS double's GEMMs computed on the CPU (gemm_cpu.h): the operands of each entry of the
 * API spec, read from its argument list. The spec's argument lists come in one shape per
 * length (typed, typed batched, Ex, strided, Ex with a compute type, batched Ex, strided Ex),
 * so the length picks the shape; grouped GEMMs are not computed.
 *
 *   DOUBLE_GEMM_COMPUTED(name, params, args, describe)  an X-macro of MFU_CUBLAS_GEMM_APIS:
 *   the GEMM, launched on the fake GPU by `describe` (as DOUBLE_GEMM) and computed. */
#ifndef MFU_DOUBLES_GEMM_OPERANDS_H
#define MFU_DOUBLES_GEMM_OPERANDS_H

#include "gemm_cpu.h"

struct gemm_operands {
  const void *a, *b, *c, *alpha, *beta;
  int64_t lda, ldb, ldc, stride_a, stride_b, stride_c;
  bool arrays;
};

#define GEMM_OPERANDS_14(h, ta, tb, m, n, k, al, A, lda, B, ldb, be, C, ldc)                   \
  (struct gemm_operands){A, B, C, al, be, lda, ldb, ldc, 0, 0, 0, false}
#define GEMM_OPERANDS_15(h, ta, tb, m, n, k, al, A, lda, B, ldb, be, C, ldc, batch)            \
  (struct gemm_operands){A, B, C, al, be, lda, ldb, ldc, 0, 0, 0, true}
#define GEMM_OPERANDS_17(h, ta, tb, m, n, k, al, A, At, lda, B, Bt, ldb, be, C, Ct, ldc)       \
  (struct gemm_operands){A, B, C, al, be, lda, ldb, ldc, 0, 0, 0, false}
#define GEMM_OPERANDS_18(h, ta, tb, m, n, k, al, A, lda, sa, B, ldb, sb, be, C, ldc, sc, batch) \
  (struct gemm_operands){A, B, C, al, be, lda, ldb, ldc, sa, sb, sc, false}
#define GEMM_OPERANDS_19(h, ta, tb, m, n, k, al, A, At, lda, B, Bt, ldb, be, C, Ct, ldc, ct, \
                         algo)                                                                 \
  (struct gemm_operands){A, B, C, al, be, lda, ldb, ldc, 0, 0, 0, false}
#define GEMM_OPERANDS_20(h, ta, tb, m, n, k, al, A, At, lda, B, Bt, ldb, be, C, Ct, ldc,       \
                         batch, ct, algo)                                                      \
  (struct gemm_operands){A, B, C, al, be, lda, ldb, ldc, 0, 0, 0, true}
#define GEMM_OPERANDS_23(h, ta, tb, m, n, k, al, A, At, lda, sa, B, Bt, ldb, sb, be, C, Ct,    \
                         ldc, sc, batch, ct, algo)                                             \
  (struct gemm_operands){A, B, C, al, be, lda, ldb, ldc, sa, sb, sc, false}
#define GEMM_ARGC(...) GEMM_ARGC_(__VA_ARGS__, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, \
                                  10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
#define GEMM_ARGC_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17,  \
                   _18, _19, _20, _21, _22, _23, n, ...) n
#define GEMM_CAT(a, b) GEMM_CAT_(a, b)
#define GEMM_CAT_(a, b) a##b
#define GEMM_OPERANDS(...) GEMM_CAT(GEMM_OPERANDS_, GEMM_ARGC(__VA_ARGS__))(__VA_ARGS__))

static inline void gemm_operands_run(int transa, int transb, int64_t m, int64_t n, int64_t k,
                                     int64_t batch, int atype, int btype, int ctype, int compute,
                                     struct gemm_operands o) {
  struct gemm_cpu g = {
      .transa = transa, .transb = transb, .m = m, .n = n, .k = k, .batch = batch,
      .a = {o.a, atype, o.lda, o.stride_a, o.arrays},
      .b = {o.b, btype, o.ldb, o.stride_b, o.arrays},
      .c = {o.c, ctype, o.ldc, o.stride_c, o.arrays},
      .d = {o.c, ctype, o.ldc, o.stride_c, o.arrays},
      .alpha = o.alpha, .beta = o.beta, .scale_type = gemm_cpu_scale_type(compute, ctype)};
  gemm_cpu_run(&g);
}

/* describe's CPU half: GEMM(...) opens the call that GEMM_OPERANDS(args...) closes. */
#define GEMM_CPU_GEMM(transa, transb, m, n, k, batch, Atype, Btype, Ctype, compute)            \
  gemm_operands_run(transa, transb, m, n, k, batch, Atype, Btype, Ctype, compute, GEMM_OPERANDS
#define GEMM_CPU_GROUPED(...) GEMM_SWALLOW
#define GEMM_SWALLOW(...)

#define DOUBLE_GEMM_COMPUTED(name, params, args, describe)                                     \
  DOUBLE_SPEC_FUNCTION(cublasStatus_t, CUBLAS_STATUS_SUCCESS, name, params,                    \
                       { describe; GEMM_CPU_##describe args; })

#endif
