/* Small GEMMs on the CPU: see gemm_cpu.h. Elements are read into complex doubles and
 * accumulated there; the minifloat formats are converted by hand (no CUDA header helpers in C). */
#include "gemm_cpu.h"

#include <cublas_api.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "devmem.h"

/* ---- minifloats: IEEE-like formats with `e` exponent and `m` mantissa bits ---------------- */

static double mini_decode(uint32_t bits, int e, int m, bool has_inf) {
  uint32_t sign = bits >> (e + m) & 1, exp = bits >> m & ((1u << e) - 1);
  uint32_t man = bits & ((1u << m) - 1);
  int bias = (1 << (e - 1)) - 1;
  double v;
  if (exp == (1u << e) - 1 && (has_inf || man == (1u << m) - 1))
    v = has_inf && man == 0 ? INFINITY : NAN;
  else if (exp == 0)
    v = ldexp((double)man, 1 - bias - m);
  else
    v = ldexp((double)(man | 1u << m), (int)exp - bias - m);
  return sign ? -v : v;
}

/* Round to nearest even; saturating to the largest finite value when there is no infinity. */
static uint32_t mini_encode(double x, int e, int m, bool has_inf) {
  uint32_t sign = signbit(x) ? 1u << (e + m) : 0;
  int bias = (1 << (e - 1)) - 1;
  uint32_t top = (1u << e) - 1; /* the all-ones exponent */
  uint32_t max_bits = has_inf ? (top - 1) << m | ((1u << m) - 1) : top << m | ((1u << m) - 2);
  if (isnan(x)) return sign | top << m | ((1u << m) - 1);
  double a = fabs(x), max = mini_decode(max_bits, e, m, has_inf);
  if (a > max) return sign | (has_inf ? top << m : max_bits);
  int exp2;
  frexp(a, &exp2); /* a = f * 2^exp2, f in [0.5, 1) */
  int biased = exp2 - 1 + bias;
  if (biased < 1) biased = 1; /* subnormal: the smallest exponent's scale */
  double q = nearbyint(ldexp(a, m - (biased - bias)));
  uint32_t bits = (uint32_t)q; /* q may carry into the next exponent: the encoding still holds */
  if (exp2 - 1 + bias < 1) return sign | bits;
  return sign | (((uint32_t)(biased - 1) << m) + bits);
}

static double half_to_d(uint16_t h) { return mini_decode(h, 5, 10, true); }
static uint16_t d_to_half(double x) { return (uint16_t)mini_encode(x, 5, 10, true); }
static double bf16_to_d(uint16_t h) {
  uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}
static uint16_t d_to_bf16(double x) {
  float f = (float)x;
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  if (isnan(f)) return (uint16_t)(u >> 16 | 0x40);
  u += 0x7fff + (u >> 16 & 1); /* round to nearest even */
  return (uint16_t)(u >> 16);
}

/* ---- elements ---------------------------------------------------------------------------- */

size_t gemm_cpu_type_size(int type) {
  switch (type) {
  case CUDA_R_8I: case CUDA_R_8U: case CUDA_R_8F_E4M3: case CUDA_R_8F_E5M2: return 1;
  case CUDA_R_16F: case CUDA_R_16BF: return 2;
  case CUDA_R_32F: case CUDA_R_32I: case CUDA_C_16F: case CUDA_C_16BF: return 4;
  case CUDA_R_64F: case CUDA_C_32F: return 8;
  case CUDA_C_64F: return 16;
  default: return 0;
  }
}

struct gemm_cpu_cplx gemm_cpu_load(int type, const void *base, int64_t i) {
  const unsigned char *p = (const unsigned char *)base + (size_t)i * gemm_cpu_type_size(type);
  uint16_t h[2];
  float f[2];
  double d[2];
  int32_t i32;
  switch (type) {
  case CUDA_R_8I: return (struct gemm_cpu_cplx){(double)*(const int8_t *)p, 0};
  case CUDA_R_8U: return (struct gemm_cpu_cplx){(double)*p, 0};
  case CUDA_R_8F_E4M3: return (struct gemm_cpu_cplx){mini_decode(*p, 4, 3, false), 0};
  case CUDA_R_8F_E5M2: return (struct gemm_cpu_cplx){mini_decode(*p, 5, 2, true), 0};
  case CUDA_R_32I: memcpy(&i32, p, 4); return (struct gemm_cpu_cplx){(double)i32, 0};
  case CUDA_R_16F: memcpy(h, p, 2); return (struct gemm_cpu_cplx){half_to_d(h[0]), 0};
  case CUDA_R_16BF: memcpy(h, p, 2); return (struct gemm_cpu_cplx){bf16_to_d(h[0]), 0};
  case CUDA_C_16F: memcpy(h, p, 4); return (struct gemm_cpu_cplx){half_to_d(h[0]), half_to_d(h[1])};
  case CUDA_C_16BF: memcpy(h, p, 4); return (struct gemm_cpu_cplx){bf16_to_d(h[0]), bf16_to_d(h[1])};
  case CUDA_R_32F: memcpy(f, p, 4); return (struct gemm_cpu_cplx){f[0], 0};
  case CUDA_C_32F: memcpy(f, p, 8); return (struct gemm_cpu_cplx){f[0], f[1]};
  case CUDA_R_64F: memcpy(d, p, 8); return (struct gemm_cpu_cplx){d[0], 0};
  case CUDA_C_64F: memcpy(d, p, 16); return (struct gemm_cpu_cplx){d[0], d[1]};
  default: return (struct gemm_cpu_cplx){0, 0};
  }
}

void gemm_cpu_store(int type, void *base, int64_t i, struct gemm_cpu_cplx v) {
  unsigned char *p = (unsigned char *)base + (size_t)i * gemm_cpu_type_size(type);
  uint16_t h[2];
  float f[2] = {(float)v.re, (float)v.im};
  double r = nearbyint(v.re);
  int32_t i32 = r > INT32_MAX ? INT32_MAX : r < INT32_MIN ? INT32_MIN : (int32_t)r;
  switch (type) {
  case CUDA_R_8I: *(int8_t *)p = (int8_t)(i32 > 127 ? 127 : i32 < -128 ? -128 : i32); break;
  case CUDA_R_8U: *p = (unsigned char)(i32 > 255 ? 255 : i32 < 0 ? 0 : i32); break;
  case CUDA_R_8F_E4M3: *p = (unsigned char)mini_encode(v.re, 4, 3, false); break;
  case CUDA_R_8F_E5M2: *p = (unsigned char)mini_encode(v.re, 5, 2, true); break;
  case CUDA_R_32I: memcpy(p, &i32, 4); break;
  case CUDA_R_16F: h[0] = d_to_half(v.re); memcpy(p, h, 2); break;
  case CUDA_R_16BF: h[0] = d_to_bf16(v.re); memcpy(p, h, 2); break;
  case CUDA_C_16F: h[0] = d_to_half(v.re), h[1] = d_to_half(v.im); memcpy(p, h, 4); break;
  case CUDA_C_16BF: h[0] = d_to_bf16(v.re), h[1] = d_to_bf16(v.im); memcpy(p, h, 4); break;
  case CUDA_R_32F: memcpy(p, f, 4); break;
  case CUDA_C_32F: memcpy(p, f, 8); break;
  case CUDA_R_64F: memcpy(p, &v.re, 8); break;
  case CUDA_C_64F: memcpy(p, &v, 16); break;
  default: break;
  }
}

int gemm_cpu_scale_type(int compute, int ctype) {
  bool complex = ctype == CUDA_C_16F || ctype == CUDA_C_16BF || ctype == CUDA_C_32F ||
                 ctype == CUDA_C_64F;
  switch (compute) {
  case CUBLAS_COMPUTE_16F: case CUBLAS_COMPUTE_16F_PEDANTIC: return CUDA_R_16F;
  case CUBLAS_COMPUTE_64F: case CUBLAS_COMPUTE_64F_PEDANTIC:
    return complex ? CUDA_C_64F : CUDA_R_64F;
  case CUBLAS_COMPUTE_32I: case CUBLAS_COMPUTE_32I_PEDANTIC: return CUDA_R_32I;
  default: return complex ? CUDA_C_32F : CUDA_R_32F;
  }
}

/* ---- the product --------------------------------------------------------------------------- */

/* The host view of batch member `b` of a matrix of rows x cols, or NULL: it must lie in memory
 * the GPU reaches (pageable host memory is not, and its size is unknown). */
static void *member(const struct gemm_cpu_matrix *x, int64_t b, int64_t rows, int64_t cols) {
  size_t len = (size_t)(x->ld * (cols - 1) + rows) * gemm_cpu_type_size(x->type);
  if (x->array) {
    void *const *array = mfu_devmem_device(x->ptr, (size_t)(b + 1) * sizeof(void *));
    return array ? mfu_devmem_device(array[b], len) : NULL;
  }
  size_t offset = (size_t)(b * x->stride) * gemm_cpu_type_size(x->type);
  return mfu_devmem_device((const char *)x->ptr + offset, len);
}

/* op(X)[i][l] of a matrix stored column-major with leading dimension ld. */
static struct gemm_cpu_cplx op_at(int op, int type, const void *x, int64_t ld, int64_t i, int64_t l) {
  bool transposed = op == CUBLAS_OP_T || op == CUBLAS_OP_C;
  struct gemm_cpu_cplx v = gemm_cpu_load(type, x, transposed ? l + i * ld : i + l * ld);
  if (op == CUBLAS_OP_C || op == CUBLAS_OP_CONJG) v.im = -v.im;
  return v;
}

/* Marks the matrices of x (every batch member's, for arrays) as written (devmem.h). */
static void mark_written(const struct gemm_cpu_matrix *x, int64_t batch) {
  void *const *array = x->array ? mfu_devmem_device(x->ptr, (size_t)batch * sizeof(void *)) : NULL;
  if (!x->array) mfu_devmem_written(x->ptr);
  for (int64_t b = 0; array && b < batch; b++) mfu_devmem_written(array[b]);
}

static bool known(const struct gemm_cpu_matrix *x) { return x->ptr && gemm_cpu_type_size(x->type); }

bool gemm_cpu_run(const struct gemm_cpu *g) {
  if (g->m <= 0 || g->n <= 0 || g->batch <= 0 || g->k < 0) return false;
  if (g->m > GEMM_CPU_MAX_WORK / g->n || g->m * g->n > GEMM_CPU_MAX_WORK / (g->k ? g->k : 1) ||
      g->m * g->n * (g->k ? g->k : 1) > GEMM_CPU_MAX_WORK / g->batch)
    return false;
  if (!known(&g->a) || !known(&g->b) || !known(&g->c) || !known(&g->d)) return false;
  const void *alpha_p = mfu_devmem_host(g->alpha, gemm_cpu_type_size(g->scale_type));
  const void *beta_p = mfu_devmem_host(g->beta, gemm_cpu_type_size(g->scale_type));
  if (!alpha_p || !beta_p || !gemm_cpu_type_size(g->scale_type)) return false;
  struct gemm_cpu_cplx alpha = gemm_cpu_load(g->scale_type, alpha_p, 0), beta = gemm_cpu_load(g->scale_type, beta_p, 0);
  bool ta = g->transa == CUBLAS_OP_T || g->transa == CUBLAS_OP_C;
  bool tb = g->transb == CUBLAS_OP_T || g->transb == CUBLAS_OP_C;
  for (int64_t b = 0; b < g->batch; b++) { /* every pointer first: all or nothing */
    if (!member(&g->a, b, ta ? g->k : g->m, ta ? g->m : g->k) ||
        !member(&g->b, b, tb ? g->n : g->k, tb ? g->k : g->n) ||
        !member(&g->c, b, g->m, g->n) || !member(&g->d, b, g->m, g->n))
      return false;
  }
  /* Operands never written are zeros (devmem.h): their product needs no loop over k. */
  bool zero_product = (!g->a.array && mfu_devmem_zeros(g->a.ptr)) ||
                      (!g->b.array && mfu_devmem_zeros(g->b.ptr));
  bool beta_zero = beta.re == 0 && beta.im == 0;
  bool c_zeros = !g->c.array && mfu_devmem_zeros(g->c.ptr);
  if (zero_product && (beta_zero || c_zeros) && !g->d.array && mfu_devmem_zeros(g->d.ptr))
    return true; /* D holds zeros and stays so */
  mark_written(&g->d, g->batch);
  for (int64_t b = 0; b < g->batch; b++) {
    const void *a = member(&g->a, b, ta ? g->k : g->m, ta ? g->m : g->k);
    const void *bm = member(&g->b, b, tb ? g->n : g->k, tb ? g->k : g->n);
    const void *c = member(&g->c, b, g->m, g->n);
    void *d = member(&g->d, b, g->m, g->n);
    for (int64_t j = 0; j < g->n; j++)
      for (int64_t i = 0; i < g->m; i++) {
        struct gemm_cpu_cplx s = {0, 0};
        for (int64_t l = 0; !zero_product && l < g->k; l++) {
          struct gemm_cpu_cplx x = op_at(g->transa, g->a.type, a, g->a.ld, i, l);
          struct gemm_cpu_cplx y = op_at(g->transb, g->b.type, bm, g->b.ld, l, j);
          s.re += x.re * y.re - x.im * y.im;
          s.im += x.re * y.im + x.im * y.re;
        }
        struct gemm_cpu_cplx r = {alpha.re * s.re - alpha.im * s.im, alpha.re * s.im + alpha.im * s.re};
        if (!beta_zero) { /* beta 0: C is not read (it may hold NaNs) */
          struct gemm_cpu_cplx cv = gemm_cpu_load(g->c.type, c, i + j * g->c.ld);
          r.re += beta.re * cv.re - beta.im * cv.im;
          r.im += beta.re * cv.im + beta.im * cv.re;
        }
        gemm_cpu_store(g->d.type, d, i + j * g->d.ld, r);
      }
  }
  return true;
}

/* A term scale * op(X)[i][j] of a transform, or 0 when X is absent. */
static struct gemm_cpu_cplx term(struct gemm_cpu_cplx scale, int op, const struct gemm_cpu_matrix *x, const void *at,
                        int64_t i, int64_t j) {
  if (!at) return (struct gemm_cpu_cplx){0, 0};
  struct gemm_cpu_cplx v = op_at(op, x->type, at, x->ld, i, j);
  return (struct gemm_cpu_cplx){scale.re * v.re - scale.im * v.im, scale.re * v.im + scale.im * v.re};
}

bool gemm_cpu_add_run(const struct gemm_cpu_add *g) {
  if (g->m <= 0 || g->n <= 0 || g->batch <= 0 || g->m > GEMM_CPU_MAX_WORK / g->n ||
      g->m * g->n > GEMM_CPU_MAX_WORK / g->batch || !known(&g->c) || !gemm_cpu_type_size(g->scale_type))
    return false;
  const void *alpha_p = mfu_devmem_host(g->alpha, gemm_cpu_type_size(g->scale_type));
  const void *beta_p = mfu_devmem_host(g->beta, gemm_cpu_type_size(g->scale_type));
  struct gemm_cpu_cplx alpha = alpha_p ? gemm_cpu_load(g->scale_type, alpha_p, 0) : (struct gemm_cpu_cplx){0, 0};
  struct gemm_cpu_cplx beta = beta_p ? gemm_cpu_load(g->scale_type, beta_p, 0) : (struct gemm_cpu_cplx){0, 0};
  bool ta = g->transa != CUBLAS_OP_N, tb = g->transb != CUBLAS_OP_N;
  mark_written(&g->c, g->batch);
  for (int64_t b = 0; b < g->batch; b++) {
    const void *a = known(&g->a) ? member(&g->a, b, ta ? g->n : g->m, ta ? g->m : g->n) : NULL;
    const void *bm = known(&g->b) ? member(&g->b, b, tb ? g->n : g->m, tb ? g->m : g->n) : NULL;
    void *c = member(&g->c, b, g->m, g->n);
    if (!c || (known(&g->a) && !a) || (known(&g->b) && !bm)) return false;
    for (int64_t j = 0; j < g->n; j++)
      for (int64_t i = 0; i < g->m; i++) {
        struct gemm_cpu_cplx x = term(alpha, g->transa, &g->a, a, i, j);
        struct gemm_cpu_cplx y = term(beta, g->transb, &g->b, bm, i, j);
        gemm_cpu_store(g->c.type, c, i + j * g->c.ld, (struct gemm_cpu_cplx){x.re + y.re, x.im + y.im});
      }
  }
  return true;
}
