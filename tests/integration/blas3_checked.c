/* The other Level-3 routines on device memory, each result checked against dense products
 * on the host (C99 complex arithmetic): syrk (lower and upper, both transposes), herk, syrkx,
 * syr2k, her2k, symm (both sides), hemm, trmm, trsm (both sides; checked by multiplying the
 * solution back) and batched trsm, in double and double complex. Only the uplo triangle of
 * a rank-k update may change. Prints "checked=N" and exits 1 on any failure. */
#include <complex.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <stdio.h>

#define S 5 /* every matrix is S x S or S x K, leading dimension LD */
#define K 3
#define LD 6

typedef double complex z;
static int failures, checked;

/* |v|^2, without libm */
static double mag2(z v) { return creal(v) * creal(v) + cimag(v) * cimag(v); }

static void expect(const char *what, int ok) {
  checked++;
  if (!ok) fprintf(stderr, "blas3_checked: %s failed\n", what), failures++;
}

/* A host matrix of LD x S and its device copy, of doubles or double complexes. */
struct m {
  z h[LD * S];
  void *d;
  int cplx;
};

static void up(struct m *x, int cplx, int seed) {
  x->cplx = cplx;
  for (int i = 0; i < LD * S; i++)
    x->h[i] = ((i * 7 + seed) % 9) / 4.0 - 1 + (cplx ? I * (((i + seed) % 5) / 8.0) : 0);
  for (int i = 0; i < S; i++) x->h[i + i * LD] += 3; /* well conditioned for trsm */
  double buf[2 * LD * S];
  for (int i = 0; i < LD * S; i++)
    if (cplx) buf[2 * i] = creal(x->h[i]), buf[2 * i + 1] = cimag(x->h[i]);
    else buf[i] = creal(x->h[i]);
  size_t size = (cplx ? 2 : 1) * LD * S * sizeof(double);
  cudaMalloc(&x->d, size);
  cudaMemcpy(x->d, buf, size, cudaMemcpyHostToDevice);
}

static void down(const struct m *x, z *out) {
  double buf[2 * LD * S];
  cudaMemcpy(buf, x->d, (x->cplx ? 2 : 1) * LD * S * sizeof(double), cudaMemcpyDeviceToHost);
  for (int i = 0; i < LD * S; i++) out[i] = x->cplx ? buf[2 * i] + I * buf[2 * i + 1] : buf[i];
}

/* The element (i, j) of op(X) for a stored X: 'N', 'T' or 'C'. */
static z el(const z *x, char op, int i, int j) {
  return op == 'N' ? x[i + j * LD] : op == 'T' ? x[j + i * LD] : conj(x[j + i * LD]);
}

/* got must equal want where mask(i, j), and the old value elsewhere, on rows x cols. */
static void compare(const char *what, const struct m *c, const z *want, const z *old, int rows,
                    int cols, int uplo) {
  z got[LD * S];
  down(c, got);
  int ok = 1;
  for (int j = 0; j < cols; j++)
    for (int i = 0; i < rows; i++) {
      int in = uplo < 0 || (uplo == CUBLAS_FILL_MODE_LOWER ? i >= j : i <= j);
      z w = in ? want[i + j * LD] : old[i + j * LD];
      if (mag2(got[i + j * LD] - w) > 1e-18 * (1 + mag2(w))) ok = 0;
    }
  expect(what, ok);
}

/* want = alpha * op(X) * op(Y) + beta * C, for rows x cols over an inner dimension n. */
static void mm(z *want, z alpha, const z *x, char ox, const z *y, char oy, z beta, const z *c,
               int rows, int cols, int n) {
  for (int j = 0; j < cols; j++)
    for (int i = 0; i < rows; i++) {
      z s = 0;
      for (int l = 0; l < n; l++) s += el(x, ox, i, l) * el(y, oy, l, j);
      want[i + j * LD] = alpha * s + beta * c[i + j * LD];
    }
}

/* A dense copy of a symmetric / Hermitian / triangular matrix from its stored triangle. */
static void full(z *out, const z *a, int lower, char kind, int unit) {
  for (int j = 0; j < S; j++)
    for (int i = 0; i < S; i++) {
      int stored = lower ? i >= j : i <= j;
      z mirror = kind == 'S' ? a[j + i * LD] : kind == 'H' ? conj(a[j + i * LD]) : 0;
      z v = stored ? a[i + j * LD] : mirror;
      if (i == j && kind == 'H') v = creal(v);
      if (i == j && unit) v = 1;
      out[i + j * LD] = v;
    }
}

int main(void) {
  cublasHandle_t h;
  if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) return fprintf(stderr, "cublasCreate\n"), 1;
  const cublasFillMode_t LO = CUBLAS_FILL_MODE_LOWER, UP = CUBLAS_FILL_MODE_UPPER;
  const double al = 1.5, be = 0.5, one = 1;
  const cuDoubleComplex zal = {0.75, -0.5}, zbe = {0.5, 0.25};
  const z cal = 0.75 - 0.5 * I, cbe = 0.5 + 0.25 * I;
  struct m a, b, c, za, zb, zc;
  z want[LD * S], t[LD * S], f[LD * S];
  up(&a, 0, 1), up(&b, 0, 2), up(&za, 1, 3), up(&zb, 1, 4);

  /* rank-k updates: C (S x S) from A (S x K, or K x S transposed) */
  struct { const char *what; int uplo; char op; } rk[] = {{"Dsyrk lower N", LO, 'N'},
                                                          {"Dsyrk upper T", UP, 'T'}};
  for (int r = 0; r < 2; r++) {
    up(&c, 0, 5);
    cublasOperation_t op = rk[r].op == 'N' ? CUBLAS_OP_N : CUBLAS_OP_T;
    cublasDsyrk(h, rk[r].uplo, op, S, K, &al, a.d, LD, &be, c.d, LD);
    mm(want, al, a.h, rk[r].op, a.h, rk[r].op == 'N' ? 'T' : 'N', be, c.h, S, S, K);
    compare(rk[r].what, &c, want, c.h, S, S, rk[r].uplo);
  }
  up(&zc, 1, 6);
  cublasZherk(h, LO, CUBLAS_OP_N, S, K, &al, za.d, LD, &be, zc.d, LD);
  mm(want, al, za.h, 'N', za.h, 'C', be, zc.h, S, S, K);
  for (int i = 0; i < S; i++) want[i + i * LD] = creal(want[i + i * LD]);
  compare("Zherk", &zc, want, zc.h, S, S, LO);
  up(&c, 0, 7);
  cublasDsyrkx(h, UP, CUBLAS_OP_N, S, K, &al, a.d, LD, b.d, LD, &be, c.d, LD);
  mm(want, al, a.h, 'N', b.h, 'T', be, c.h, S, S, K);
  compare("Dsyrkx", &c, want, c.h, S, S, UP);
  up(&c, 0, 8);
  cublasDsyr2k(h, LO, CUBLAS_OP_T, S, K, &al, a.d, LD, b.d, LD, &be, c.d, LD);
  mm(t, al, a.h, 'T', b.h, 'N', be, c.h, S, S, K);
  mm(want, al, b.h, 'T', a.h, 'N', 1, t, S, S, K);
  compare("Dsyr2k", &c, want, c.h, S, S, LO);
  up(&zc, 1, 9);
  cublasZher2k(h, UP, CUBLAS_OP_N, S, K, &zal, za.d, LD, zb.d, LD, &be, zc.d, LD);
  mm(t, cal, za.h, 'N', zb.h, 'C', be, zc.h, S, S, K);
  mm(want, conj(cal), zb.h, 'N', za.h, 'C', 1, t, S, S, K);
  for (int i = 0; i < S; i++) want[i + i * LD] = creal(want[i + i * LD]);
  compare("Zher2k", &zc, want, zc.h, S, S, UP);

  /* symm, hemm: A symmetric (Hermitian) from its triangle */
  for (int side = 0; side < 2; side++) {
    up(&c, 0, 10 + side);
    cublasDsymm(h, side ? CUBLAS_SIDE_RIGHT : CUBLAS_SIDE_LEFT, side ? UP : LO, S, S, &al, a.d, LD,
                b.d, LD, &be, c.d, LD);
    full(f, a.h, !side, 'S', 0);
    if (side) mm(want, al, b.h, 'N', f, 'N', be, c.h, S, S, S);
    else mm(want, al, f, 'N', b.h, 'N', be, c.h, S, S, S);
    compare(side ? "Dsymm right" : "Dsymm left", &c, want, c.h, S, S, -1);
  }
  up(&zc, 1, 12);
  cublasZhemm(h, CUBLAS_SIDE_LEFT, UP, S, S, &zal, za.d, LD, zb.d, LD, &zbe, zc.d, LD);
  full(f, za.h, 0, 'H', 0);
  mm(want, cal, f, 'N', zb.h, 'N', cbe, zc.h, S, S, S);
  compare("Zhemm", &zc, want, zc.h, S, S, -1);

  /* trmm: C = alpha op(A) B, A upper with a unit diagonal, transposed */
  up(&c, 0, 13);
  cublasDtrmm(h, CUBLAS_SIDE_LEFT, UP, CUBLAS_OP_T, CUBLAS_DIAG_UNIT, S, S, &al, a.d, LD, b.d, LD,
              c.d, LD);
  full(f, a.h, 0, 'T', 1);
  mm(want, al, f, 'T', b.h, 'N', 0, c.h, S, S, S);
  compare("Dtrmm", &c, want, c.h, S, S, -1);

  /* trsm: X from op(A) X = alpha B or X op(A) = alpha B; op(A) X (X op(A)) must be alpha B */
  struct {
    const char *what;
    cublasSideMode_t side;
    cublasFillMode_t uplo;
    cublasOperation_t op;
    char o;
  } ts[] = {
      {"Dtrsm left lower N", CUBLAS_SIDE_LEFT, LO, CUBLAS_OP_N, 'N'},
      {"Dtrsm right upper T", CUBLAS_SIDE_RIGHT, UP, CUBLAS_OP_T, 'T'}};
  for (int r = 0; r < 2; r++) {
    up(&b, 0, 14 + r);
    cublasDtrsm(h, ts[r].side, ts[r].uplo, ts[r].op, CUBLAS_DIAG_NON_UNIT, S, S, &al, a.d, LD,
                b.d, LD);
    z x[LD * S];
    down(&b, x);
    full(f, a.h, ts[r].uplo == LO, 'T', 0);
    if (ts[r].side == CUBLAS_SIDE_LEFT) mm(want, 1, f, ts[r].o, x, 'N', 0, x, S, S, S);
    else mm(want, 1, x, 'N', f, ts[r].o, 0, x, S, S, S);
    for (int i = 0; i < LD * S; i++) t[i] = al * b.h[i];
    int ok = 1;
    for (int j = 0; j < S; j++)
      for (int i = 0; i < S; i++) ok &= mag2(want[i + j * LD] - t[i + j * LD]) < 1e-18;
    expect(ts[r].what, ok);
  }
  up(&zb, 1, 16);
  cublasZtrsm(h, CUBLAS_SIDE_LEFT, UP, CUBLAS_OP_C, CUBLAS_DIAG_NON_UNIT, S, S, &zal, za.d, LD,
              zb.d, LD);
  z x[LD * S];
  down(&zb, x);
  full(f, za.h, 0, 'T', 0);
  mm(want, 1, f, 'C', x, 'N', 0, x, S, S, S);
  int ok = 1;
  for (int j = 0; j < S; j++)
    for (int i = 0; i < S; i++) ok &= mag2(want[i + j * LD] - cal * zb.h[i + j * LD]) < 1e-18;
  expect("Ztrsm", ok);

  /* batched trsm: two systems, each B solved in place */
  struct m b2[2];
  up(&b2[0], 0, 17), up(&b2[1], 0, 18);
  void *arrays_h[4] = {a.d, a.d, b2[0].d, b2[1].d}, *arrays;
  cudaMalloc(&arrays, sizeof arrays_h);
  cudaMemcpy(arrays, arrays_h, sizeof arrays_h, cudaMemcpyHostToDevice);
  cublasDtrsmBatched(h, CUBLAS_SIDE_LEFT, LO, CUBLAS_OP_N, CUBLAS_DIAG_UNIT, S, S, &one,
                     (const double *const *)arrays, LD, (double *const *)arrays + 2, LD, 2);
  full(f, a.h, 1, 'T', 1);
  for (int bi = 0; bi < 2; bi++) {
    down(&b2[bi], x);
    mm(want, 1, f, 'N', x, 'N', 0, x, S, S, S);
    ok = 1;
    for (int j = 0; j < S; j++)
      for (int i = 0; i < S; i++) ok &= mag2(want[i + j * LD] - b2[bi].h[i + j * LD]) < 1e-18;
    expect("DtrsmBatched", ok);
  }
  cublasDestroy(h);
  printf("checked=%d\n", checked);
  return failures ? 1 : 0;
}
