/* The other Level-3 routines on the CPU: see blas3_cpu.h. Each reads its operands from the
 * spec's argument list, by the routine and the list's length, then computes in complex
 * doubles through gemm_cpu.h's elements. */
#include "blas3_cpu.h"

#include <cublas_api.h>
#include <stdlib.h>

#include "devmem.h"
#include "gemm_cpu.h"
#include "mfu/blas3.h"

typedef struct gemm_cpu_cplx cplx;

static cplx mul(cplx x, cplx y) {
  return (cplx){x.re * y.re - x.im * y.im, x.re * y.im + x.im * y.re};
}
static cplx add(cplx x, cplx y) { return (cplx){x.re + y.re, x.im + y.im}; }
static cplx sub(cplx x, cplx y) { return (cplx){x.re - y.re, x.im - y.im}; }
static cplx conj_(cplx x) { return (cplx){x.re, -x.im}; }
static cplx divide(cplx x, cplx y) {
  double d = y.re * y.re + y.im * y.im;
  return (cplx){(x.re * y.re + x.im * y.im) / d, (x.im * y.re - x.re * y.im) / d};
}

/* A column-major matrix in device memory: its host view, type and leading dimension. */
struct mat {
  void *at;
  int type;
  int64_t ld;
};

static bool mat_of(struct mat *x, intptr_t ptr, int type, int64_t ld, int64_t rows, int64_t cols) {
  size_t size = gemm_cpu_type_size(type);
  if (!size || rows <= 0 || cols <= 0 || ld < rows) return false;
  x->at = mfu_devmem_device((const void *)ptr, (size_t)(ld * (cols - 1) + rows) * size);
  x->type = type, x->ld = ld;
  return x->at != NULL;
}

static cplx get(const struct mat *x, int64_t i, int64_t j) {
  return gemm_cpu_load(x->type, x->at, i + j * x->ld);
}

static void put(const struct mat *x, int64_t i, int64_t j, cplx v) {
  gemm_cpu_store(x->type, x->at, i + j * x->ld, v);
}

static bool lower(int uplo) { return uplo == CUBLAS_FILL_MODE_LOWER; }

/* op(X)(i, l): X itself, transposed, or conjugate-transposed. */
static cplx op_at(const struct mat *x, int trans, int64_t i, int64_t l) {
  if (trans == CUBLAS_OP_N) return get(x, i, l);
  cplx v = get(x, l, i);
  return trans == CUBLAS_OP_C ? conj_(v) : v;
}

/* A symmetric (or Hermitian) matrix from its uplo triangle: element (i, l). */
static cplx sym_at(const struct mat *a, int uplo, bool herm, int64_t i, int64_t l) {
  if (i == l) return herm ? (cplx){get(a, i, i).re, 0} : get(a, i, i);
  bool stored = lower(uplo) ? i > l : i < l;
  cplx v = stored ? get(a, i, l) : get(a, l, i);
  return herm && !stored ? conj_(v) : v;
}

/* op(A)(i, l) of a triangular A (its uplo triangle; a unit diagonal when diag says so). */
static cplx tri_at(const struct mat *a, int uplo, int trans, int diag, int64_t i, int64_t l) {
  int64_t r = trans == CUBLAS_OP_N ? i : l, c = trans == CUBLAS_OP_N ? l : i;
  if (r == c && diag == CUBLAS_DIAG_UNIT) return (cplx){1, 0};
  if (lower(uplo) ? r < c : r > c) return (cplx){0, 0};
  return op_at(a, trans, i, l);
}

/* The scalar at `p` (host or device) of `type`, or false. */
static bool scalar(intptr_t p, int type, cplx *v) {
  const void *at = mfu_devmem_host((const void *)p, gemm_cpu_type_size(type));
  if (!at || !gemm_cpu_type_size(type)) return false;
  *v = gemm_cpu_load(type, at, 0);
  return true;
}

static int real_of(int type) { return type == CUDA_C_64F ? CUDA_R_64F : CUDA_R_32F; }

/* syrk, herk, syrkx, herkx, syr2k, her2k: the uplo triangle of C (n x n). */
static bool rank_k(const struct blas3_cpu *b, intptr_t alpha_p, intptr_t a_p, int64_t lda,
                   intptr_t b_p, int64_t ldb, intptr_t beta_p, intptr_t c_p, int64_t ldc) {
  unsigned r = b->routine;
  bool herm = r == MFU_BLAS3_HERK || r == MFU_BLAS3_HERKX || r == MFU_BLAS3_HER2K;
  bool two = r == MFU_BLAS3_SYR2K || r == MFU_BLAS3_HER2K;
  bool n_op = b->trans == CUBLAS_OP_N;
  int64_t n = b->n, k = b->k, rows = n_op ? n : k, cols = n_op ? k : n;
  struct mat a, y, c;
  cplx alpha, beta;
  int alpha_type = r == MFU_BLAS3_HERK ? real_of(b->ctype) : b->ctype;
  if (!mat_of(&a, a_p, b->atype, lda, rows, cols) || !mat_of(&y, b_p, b->atype, ldb, rows, cols) ||
      !mat_of(&c, c_p, b->ctype, ldc, n, n) || !scalar(alpha_p, alpha_type, &alpha) ||
      !scalar(beta_p, herm ? real_of(b->ctype) : b->ctype, &beta))
    return false;
  mfu_devmem_written(c.at);
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = lower(b->uplo) ? j : 0; i < (lower(b->uplo) ? n : j + 1); i++) {
      cplx s = {0, 0}, t = {0, 0};
      for (int64_t l = 0; l < k; l++) {
        cplx yj = op_at(&y, b->trans, j, l), aj = op_at(&a, b->trans, j, l);
        s = add(s, mul(op_at(&a, b->trans, i, l), herm ? conj_(yj) : yj));
        if (two) t = add(t, mul(op_at(&y, b->trans, i, l), herm ? conj_(aj) : aj));
      }
      cplx v = mul(alpha, s);
      if (beta.re != 0 || beta.im != 0) v = add(v, mul(beta, get(&c, i, j))); /* else unread */
      if (two) v = add(v, mul(herm ? conj_(alpha) : alpha, t));
      if (herm && i == j) v.im = 0;
      put(&c, i, j, v);
    }
  return true;
}

/* symm, hemm: C (m x n) = alpha A B + beta C (side left) or alpha B A + beta C. */
static bool symm(const struct blas3_cpu *b, intptr_t alpha_p, intptr_t a_p, int64_t lda,
                 intptr_t b_p, int64_t ldb, intptr_t beta_p, intptr_t c_p, int64_t ldc) {
  bool right = b->side == CUBLAS_SIDE_RIGHT, herm = b->routine == MFU_BLAS3_HEMM;
  int64_t m = b->m, n = b->n, ka = right ? n : m;
  struct mat a, bm, c;
  cplx alpha, beta;
  if (!mat_of(&a, a_p, b->atype, lda, ka, ka) || !mat_of(&bm, b_p, b->atype, ldb, m, n) ||
      !mat_of(&c, c_p, b->ctype, ldc, m, n) || !scalar(alpha_p, b->ctype, &alpha) ||
      !scalar(beta_p, b->ctype, &beta))
    return false;
  mfu_devmem_written(c.at);
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < m; i++) {
      cplx s = {0, 0};
      for (int64_t l = 0; l < ka; l++)
        s = add(s, right ? mul(get(&bm, i, l), sym_at(&a, b->uplo, herm, l, j))
                         : mul(sym_at(&a, b->uplo, herm, i, l), get(&bm, l, j)));
      cplx v = mul(alpha, s);
      if (beta.re != 0 || beta.im != 0) v = add(v, mul(beta, get(&c, i, j)));
      put(&c, i, j, v);
    }
  return true;
}

/* trmm: C = alpha op(A) B (left) or alpha B op(A), through a scratch copy (C may be B). */
static bool trmm(const struct blas3_cpu *b, intptr_t alpha_p, intptr_t a_p, int64_t lda,
                 intptr_t b_p, int64_t ldb, intptr_t c_p, int64_t ldc) {
  bool right = b->side == CUBLAS_SIDE_RIGHT;
  int64_t m = b->m, n = b->n, ka = right ? n : m;
  struct mat a, bm, c;
  cplx alpha;
  if (!mat_of(&a, a_p, b->atype, lda, ka, ka) || !mat_of(&bm, b_p, b->atype, ldb, m, n) ||
      !mat_of(&c, c_p, b->ctype, ldc, m, n) || !scalar(alpha_p, b->ctype, &alpha))
    return false;
  cplx *out = malloc((size_t)(m * n) * sizeof *out);
  if (!out) return false;
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < m; i++) {
      cplx s = {0, 0};
      for (int64_t l = 0; l < ka; l++)
        s = add(s, right ? mul(get(&bm, i, l), tri_at(&a, b->uplo, b->trans, b->diag, l, j))
                         : mul(tri_at(&a, b->uplo, b->trans, b->diag, i, l), get(&bm, l, j)));
      out[i + j * m] = mul(alpha, s);
    }
  mfu_devmem_written(c.at);
  for (int64_t j = 0; j < n; j++)
    for (int64_t i = 0; i < m; i++) put(&c, i, j, out[i + j * m]);
  free(out);
  return true;
}

/* trsm: B := X with op(A) X = alpha B (left) or X op(A) = alpha B, by substitution. */
static bool trsm_one(const struct blas3_cpu *b, cplx alpha, intptr_t a_p, int64_t lda,
                     intptr_t b_p, int64_t ldb) {
  bool right = b->side == CUBLAS_SIDE_RIGHT;
  int64_t m = b->m, n = b->n, ka = right ? n : m;
  struct mat a, x;
  if (!mat_of(&a, a_p, b->atype, lda, ka, ka) || !mat_of(&x, b_p, b->ctype, ldb, m, n))
    return false;
  /* op(A) is lower triangular when A is lower and not transposed, or upper and transposed. */
  bool op_lower = lower(b->uplo) == (b->trans == CUBLAS_OP_N);
  mfu_devmem_written(x.at);
  int64_t lines = right ? m : n; /* each column (left) or row (right) is one system */
  for (int64_t s = 0; s < lines; s++) {
    /* left: T x = b, forward when T is lower; right: x T = b, forward when T is upper. */
    bool forward = right ? !op_lower : op_lower;
    for (int64_t t = 0; t < ka; t++) {
      int64_t p = forward ? t : ka - 1 - t;
      cplx v = mul(alpha, right ? get(&x, s, p) : get(&x, p, s));
      for (int64_t q = forward ? 0 : p + 1; q < (forward ? p : ka); q++)
        v = sub(v, right ? mul(get(&x, s, q), tri_at(&a, b->uplo, b->trans, b->diag, q, p))
                         : mul(tri_at(&a, b->uplo, b->trans, b->diag, p, q), get(&x, q, s)));
      v = divide(v, tri_at(&a, b->uplo, b->trans, b->diag, p, p));
      if (right) put(&x, s, p, v); else put(&x, p, s, v);
    }
  }
  return true;
}

static bool trsm(const struct blas3_cpu *b, intptr_t alpha_p, intptr_t a_p, int64_t lda,
                 intptr_t b_p, int64_t ldb, bool arrays) {
  cplx alpha;
  if (!scalar(alpha_p, b->ctype, &alpha)) return false;
  if (!arrays) return trsm_one(b, alpha, a_p, lda, b_p, ldb);
  size_t len = (size_t)b->batch * sizeof(void *);
  void *const *as = mfu_devmem_device((const void *)a_p, len);
  void *const *bs = mfu_devmem_device((const void *)b_p, len);
  for (int64_t i = 0; as && bs && i < b->batch; i++)
    if (!trsm_one(b, alpha, (intptr_t)as[i], lda, (intptr_t)bs[i], ldb)) return false;
  return as && bs;
}

bool blas3_cpu_run(const struct blas3_cpu *b) {
  const intptr_t *v = b->args;
  int64_t big = b->m > b->n ? b->m : b->n;
  if (b->m <= 0 || b->n <= 0 || b->k < 0 || b->batch <= 0 || b->k > GEMM_CPU_MAX_WORK ||
      big > GEMM_CPU_MAX_WORK / big ||
      big * big * (b->k > big ? b->k : big) > GEMM_CPU_MAX_WORK / b->batch)
    return false;
  switch (b->routine) {
  case MFU_BLAS3_SYRK: case MFU_BLAS3_HERK:
    if (b->nargs == 10) return rank_k(b, v[4], v[5], v[6], v[5], v[6], v[7], v[8], v[9]);
    return b->nargs == 12 && rank_k(b, v[4], v[5], v[7], v[5], v[7], v[8], v[9], v[11]); /* Ex */
  case MFU_BLAS3_SYRKX: case MFU_BLAS3_HERKX: case MFU_BLAS3_SYR2K: case MFU_BLAS3_HER2K:
    return b->nargs == 12 && rank_k(b, v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]);
  case MFU_BLAS3_SYMM: case MFU_BLAS3_HEMM:
    return b->nargs == 12 && symm(b, v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]);
  case MFU_BLAS3_TRMM:
    return b->nargs == 13 && trmm(b, v[6], v[7], v[8], v[9], v[10], v[11], v[12]);
  case MFU_BLAS3_TRSM:
    return (b->nargs == 11 || b->nargs == 12) &&
           trsm(b, v[6], v[7], v[8], v[9], v[10], b->nargs == 12);
  default:
    return false;
  }
}
