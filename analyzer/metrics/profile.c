/* profile: see profile.h. */
#include "profile.h"

#include <math.h>
#include <string.h>

#include "mfu/nccl.h"
#include "util/alloc.h"
#include "util/sort.h"

int profile_gemm_key(const void *a, const void *b) {
  const struct call_times_gemm *x = &((const struct profile_gemm *)a)->c,
                               *y = &((const struct profile_gemm *)b)->c;
  if (x->m != y->m) return MFU_COMPARE(x->m, y->m);
  if (x->n != y->n) return MFU_COMPARE(x->n, y->n);
  if (x->k != y->k) return MFU_COMPARE(x->k, y->k);
  if (x->batch != y->batch) return MFU_COMPARE(x->batch, y->batch);
  if (x->transa != y->transa) return MFU_COMPARE(x->transa, y->transa);
  if (x->transb != y->transb) return MFU_COMPARE(x->transb, y->transb);
  return MFU_COMPARE(x->precision, y->precision);
}

static int gemm_order(const void *a, const void *b) {
  const struct call_times_gemm *x = &((const struct profile_gemm *)a)->c,
                               *y = &((const struct profile_gemm *)b)->c;
  if (x->gpu_ns != y->gpu_ns) return MFU_COMPARE(y->gpu_ns, x->gpu_ns);
  if (x->flops != y->flops) return MFU_COMPARE(y->flops, x->flops);
  return profile_gemm_key(a, b);
}

int profile_nccl_key(const void *a, const void *b) {
  const struct call_times_nccl *x = &((const struct profile_nccl *)a)->c,
                               *y = &((const struct profile_nccl *)b)->c;
  if (x->op != y->op) return MFU_COMPARE(x->op, y->op);
  if (x->bytes != y->bytes) return MFU_COMPARE(x->bytes, y->bytes);
  return MFU_COMPARE(x->comm_size, y->comm_size);
}

static int kernel_key(const void *a, const void *b) {
  const struct profile_kernel *x = a, *y = b;
  if (x->cat != y->cat) return MFU_COMPARE(x->cat, y->cat);
  if (!x->name || !y->name) return MFU_COMPARE(x->name != NULL, y->name != NULL);
  return strcmp(x->name, y->name);
}

static int kernel_order(const void *a, const void *b) {
  const struct profile_kernel *x = a, *y = b;
  if (x->cat != y->cat) return MFU_COMPARE(x->cat, y->cat);
  if (x->ns != y->ns) return MFU_COMPARE(y->ns, x->ns);
  return kernel_key(a, b);
}

/* Sorts n entries by `key` and folds each run of equal keys into its first entry with
 * `add`, leaving the distinct entries; returns how many. */
static size_t merge(void *base, size_t n, size_t size, int (*key)(const void *, const void *),
                    void (*add)(void *into, const void *from)) {
  mfu_sort(base, n, size, key);
  char *v = base;
  size_t kept = 0;
  for (size_t i = 0; i < n; i++) {
    if (kept && !key(v + (kept - 1) * size, v + i * size)) add(v + (kept - 1) * size, v + i * size);
    else memmove(v + kept++ * size, v + i * size, size);
  }
  return kept;
}

static void add_gemm(void *into, const void *from) {
  struct call_times_gemm *a = &((struct profile_gemm *)into)->c;
  const struct call_times_gemm *b = &((const struct profile_gemm *)from)->c;
  a->calls += b->calls;
  a->timed_calls += b->timed_calls;
  a->flops += b->flops;
  a->timed_flops += b->timed_flops;
  a->gpu_ns += b->gpu_ns;
}

static void add_nccl(void *into, const void *from) {
  struct call_times_nccl *a = &((struct profile_nccl *)into)->c;
  const struct call_times_nccl *b = &((const struct profile_nccl *)from)->c;
  a->calls += b->calls;
  a->timed_calls += b->timed_calls;
  a->gpu_ns += b->gpu_ns;
}

static void add_kernel(void *into, const void *from) {
  struct profile_kernel *a = into;
  const struct profile_kernel *b = from;
  a->count += b->count;
  a->ns += b->ns;
}

/* The dense peak for `precision`, as the options or the device select it; NaN if none. */
static double precision_peak(const struct utilization_options *o, const char *device,
                             unsigned precision) {
  struct model_spec spec = *o->spec;
  spec.dtype = (enum mfu_precision)precision;
  struct hw_peak peak;
  char err[200];
  return model_spec_peak(&spec, device, &peak, err, sizeof err) == 1 ? peak.tflops * 1e12 : NAN;
}

static double ratio(double num, double den) { return den > 0 ? num / den : NAN; }

/* Bytes per element of a precision class; NaN for "other". */
static double element_bytes(unsigned precision) {
  static const double bytes[MFU_PREC_COUNT] = {
      [MFU_PREC_FP64] = 8, [MFU_PREC_FP32] = 4, [MFU_PREC_TF32] = 4, [MFU_PREC_FP16] = 2,
      [MFU_PREC_BF16] = 2, [MFU_PREC_FP8] = 1,  [MFU_PREC_INT8] = 1, [MFU_PREC_FP4] = 0.5};
  return precision < MFU_PREC_COUNT && bytes[precision] > 0 ? bytes[precision] : NAN;
}

/* A roofline's x: 2mnk FLOPs over the bytes of op(A) (m×k), op(B) (k×n) and C (m×n). */
static double intensity(const struct call_times_gemm *g) {
  double m = (double)g->m, n = (double)g->n, k = (double)g->k;
  return ratio(2 * m * n * k, (m * k + k * n + m * n) * element_bytes(g->precision));
}

void profile_compute(const struct mfu_job *j, const struct utilization_options *o,
                     struct job_profile *out) {
  *out = (struct job_profile){0};
  size_t gemm_cap = 0, nccl_cap = 0, kernels_cap = 0;
  for (size_t f = 0; f < j->nfiles; f++) {
    const struct call_times *c = &j->files[f]->call_times;
    gemm_cap += c->ngemm;
    nccl_cap += c->nnccl;
    kernels_cap += c->nkernels;
  }
  out->gemm = mfu_xmalloc(gemm_cap, sizeof *out->gemm);
  out->nccl = mfu_xmalloc(nccl_cap, sizeof *out->nccl);
  out->kernels = mfu_xmalloc(kernels_cap, sizeof *out->kernels);
  for (size_t f = 0; f < j->nfiles; f++) {
    const struct call_times *c = &j->files[f]->call_times;
    for (size_t i = 0; i < c->ngemm; i++) out->gemm[out->ngemm++] = (struct profile_gemm){.c = c->gemm[i]};
    for (size_t i = 0; i < c->nnccl; i++) out->nccl[out->nnccl++] = (struct profile_nccl){.c = c->nccl[i]};
    for (size_t i = 0; i < c->nkernels; i++) {
      const struct call_times_kernel *k = &c->kernels[i];
      out->kernels[out->nkernels++] = (struct profile_kernel){.name = k->name, .cat = k->cat, .count = k->count, .ns = k->ns};
    }
  }
  out->ngemm = merge(out->gemm, out->ngemm, sizeof *out->gemm, profile_gemm_key, add_gemm);
  mfu_sort(out->gemm, out->ngemm, sizeof *out->gemm, gemm_order);
  out->nnccl = merge(out->nccl, out->nnccl, sizeof *out->nccl, profile_nccl_key, add_nccl);
  out->nkernels = merge(out->kernels, out->nkernels, sizeof *out->kernels, kernel_key, add_kernel);
  mfu_sort(out->kernels, out->nkernels, sizeof *out->kernels, kernel_order);
  out->timeline = out->nkernels > 0;
  for (size_t i = 0; i < out->nkernels; i++) out->category_ns[out->kernels[i].cat] += out->kernels[i].ns;
  for (size_t i = 0; i < out->nkernels; i++)
    out->kernels[i].share = ratio((double)out->kernels[i].ns, (double)out->category_ns[out->kernels[i].cat]);
  const char *device = j->nfiles && j->files[0]->steps.device[0] ? j->files[0]->steps.device : NULL;
  for (size_t i = 0; i < out->ngemm; i++) out->gemm_ns += out->gemm[i].c.gpu_ns;
  for (size_t i = 0; i < out->ngemm; i++) {
    struct profile_gemm *g = &out->gemm[i];
    g->achieved = g->c.timed_calls ? ratio(g->c.timed_flops, (double)g->c.gpu_ns / 1e9) : NAN;
    g->share = out->timeline ? ratio((double)g->c.gpu_ns, (double)out->gemm_ns) : NAN;
    g->peak = precision_peak(o, device, g->c.precision);
    g->of_peak = g->achieved / g->peak;
    g->wasted_s = g->c.timed_calls ? (double)g->c.gpu_ns / 1e9 - g->c.timed_flops / g->peak : NAN;
    g->intensity = intensity(&g->c);
  }
  for (size_t i = 0; i < out->nnccl; i++) {
    struct profile_nccl *n = &out->nccl[i];
    n->time_s = n->c.timed_calls ? (double)n->c.gpu_ns / 1e9 / (double)n->c.timed_calls : NAN;
    n->algbw = ratio((double)n->c.bytes, n->time_s);
    n->busbw = n->c.comm_size > 0 ? n->algbw * mfu_nccl_bus_factor(n->c.op, n->c.comm_size) : NAN;
  }
}

void profile_free(struct job_profile *p) {
  free(p->gemm);
  free(p->nccl);
  free(p->kernels);
  *p = (struct job_profile){0};
}
