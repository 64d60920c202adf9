/* The cuBLAS double's other Level-3 routines computed on the CPU (blas3_cpu.c), like its
 * small GEMMs (gemm_cpu.h), so that programs checking their results pass: syrk, herk, syrkx,
 * herkx, syr2k, her2k (the uplo triangle of C; herk's diagonal real), symm, hemm, trmm
 * (out of place, C may be B) and trsm (B overwritten), batched trsm included, in double
 * precision, stored rounded. Only when the work is at most GEMM_CPU_MAX_WORK, the types are
 * ones the CPU knows and every matrix is in memory the GPU reaches (devmem.h); otherwise
 * nothing is written.
 *
 *   BLAS3_CPU_##describe args  in a routine of MFU_CUBLAS_BLAS3_APIS: computes it, from the
 *   spec's description (routine, side, uplo, trans, diag, sizes, types) and its argument
 *   list, whose shape the routine and the list's length tell (include/mfu/api_spec_blas3.h).
 */
#ifndef MFU_DOUBLES_BLAS3_CPU_H
#define MFU_DOUBLES_BLAS3_CPU_H

#include <stdbool.h>
#include <stdint.h>

struct blas3_cpu {
  unsigned routine;                 /* MFU_BLAS3_* */
  int side, uplo, trans, diag;      /* cuBLAS's enums (MFU_BLAS3_NA where the routine has none) */
  int64_t m, n, k, batch;           /* as the spec describes them (syrk family: m = n) */
  int atype, ctype;                 /* cudaDataType of A and B, of C */
  const intptr_t *args;             /* the argument list after the handle, each as intptr_t */
  int nargs;
};

bool blas3_cpu_run(const struct blas3_cpu *b);

#define BLAS3_CPU_I(x) (intptr_t)(x)
#define BLAS3_CPU_10(a, b, c, d, e, f, g, h, i, j)                                              \
  BLAS3_CPU_I(a), BLAS3_CPU_I(b), BLAS3_CPU_I(c), BLAS3_CPU_I(d), BLAS3_CPU_I(e),               \
      BLAS3_CPU_I(f), BLAS3_CPU_I(g), BLAS3_CPU_I(h), BLAS3_CPU_I(i), BLAS3_CPU_I(j)
#define BLAS3_CPU_11(a, b, c, d, e, f, g, h, i, j, k)                                           \
  BLAS3_CPU_10(a, b, c, d, e, f, g, h, i, j), BLAS3_CPU_I(k)
#define BLAS3_CPU_12(a, b, c, d, e, f, g, h, i, j, k, l)                                        \
  BLAS3_CPU_11(a, b, c, d, e, f, g, h, i, j, k), BLAS3_CPU_I(l)
#define BLAS3_CPU_13(a, b, c, d, e, f, g, h, i, j, k, l, m)                                     \
  BLAS3_CPU_12(a, b, c, d, e, f, g, h, i, j, k, l), BLAS3_CPU_I(m)
#define BLAS3_CPU_ARGC(...) BLAS3_CPU_ARGC_(__VA_ARGS__, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
#define BLAS3_CPU_ARGC_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, n, ...) n
#define BLAS3_CPU_CAT(a, b) BLAS3_CPU_CAT_(a, b)
#define BLAS3_CPU_CAT_(a, b) a##b
#define BLAS3_CPU_LIST(handle, ...)                                                             \
  (const intptr_t[]){BLAS3_CPU_CAT(BLAS3_CPU_, BLAS3_CPU_ARGC(__VA_ARGS__))(__VA_ARGS__)},      \
      BLAS3_CPU_ARGC(__VA_ARGS__)
/* describe's CPU half: BLAS3(...) opens the call that the argument list closes. */
#define BLAS3_CPU_BLAS3(routine, side, uplo, trans, diag, m, n, k, batch, Atype, Ctype, compute) \
  blas3_cpu_run(&(struct blas3_cpu){routine, (int)(side), (int)(uplo), (int)(trans),            \
                                    (int)(diag), m, n, k, batch, Atype, Ctype,                  \
                                    BLAS3_CPU_ARGS
#define BLAS3_CPU_ARGS(...) BLAS3_CPU_LIST(__VA_ARGS__)})

#endif
