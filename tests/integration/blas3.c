/* Non-GEMM Level-3 routines next to one GEMM: a Cholesky-like step (syrk, trsm) in double,
 * single and complex precision. The FLOPs a correct shim must count are in blas3.sh, written
 * out from LAPACK Working Note 41; this program only makes the calls and says how many
 * returned success. Built against the real CUDA headers; runs on the doubles or the real
 * libraries. */
#include <cublas_v2.h>
#include <stdio.h>

static char buf[1 << 16]; /* host stand-in for device memory: the doubles never touch it */
static void *const P = buf;
static void *const ARR[2] = {buf, buf};

int main(void) {
  cublasHandle_t h = NULL;
  cublasStatus_t s = cublasCreate(&h);
  if (s != CUBLAS_STATUS_SUCCESS) fprintf(stderr, "cublasCreate: status %d\n", (int)s);
  const cublasSideMode_t L = CUBLAS_SIDE_LEFT, R = CUBLAS_SIDE_RIGHT;
  const cublasFillMode_t LO = CUBLAS_FILL_MODE_LOWER;
  const cublasOperation_t N = CUBLAS_OP_N, T = CUBLAS_OP_T;
  const cublasDiagType_t NU = CUBLAS_DIAG_NON_UNIT;
  cublasStatus_t st[] = {
      cublasDsyrk_v2(h, LO, N, 64, 32, P, P, 64, P, P, 64),              /* 32·64·65 = 133120 */
      cublasSsyrk_v2_64(h, LO, T, 64, 32, P, P, 32, P, P, 64),           /* 133120 */
      cublasZherk_v2(h, LO, N, 16, 8, P, P, 16, P, P, 16),               /* 4·8·16·17 = 8704 */
      cublasDtrsm_v2(h, L, LO, N, NU, 64, 32, P, P, 64, P, 64),          /* 64²·32 = 131072 */
      cublasDtrsm_v2(h, R, LO, T, NU, 64, 32, P, P, 32, P, 64),          /* 64·32² = 65536 */
      cublasCtrsm_v2_64(h, L, LO, N, NU, 16, 8, P, P, 16, P, 16),        /* 4·16²·8 + 2·16·8 = 8448 */
      cublasDtrsmBatched(h, L, LO, N, NU, 16, 8, P, (const double *const *)ARR, 16,
                         (double *const *)ARR, 16, 2),                   /* 2·16²·8 = 4096 */
      cublasDgemm_v2(h, N, N, 64, 32, 16, P, P, 64, P, 16, P, P, 64),    /* a GEMM: 65536 */
  };
  int ok = 0, n = (int)(sizeof st / sizeof st[0]);
  for (int i = 0; i < n; i++) ok += st[i] == CUBLAS_STATUS_SUCCESS;
  printf("calls=%d succeeded=%d\n", n, ok);
  if (h) cublasDestroy(h);
  return 0;
}
