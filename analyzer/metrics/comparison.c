/* comparison: see comparison.h. */
#include "comparison.h"

#include <math.h>
#include <stdlib.h>

#include "util/alloc.h"
#include "util/sort.h"

const char *const comparison_time_name[TIME_COUNT] = {
    [CAT_GEMM] = "gemm",          [CAT_ATTENTION] = "attention", [CAT_NCCL] = "nccl",
    [CAT_OTHER] = "other",        [CAT_MEMCPY] = "memcpy",       [CAT_MEMSET] = "memset",
    [TIME_WINDOW] = "step",       [TIME_BUSY] = "busy",          [TIME_EXPOSED_COMM] = "exposed_comm",
    [TIME_IDLE] = "idle"};

/* Mean GPU time per measured step and rank. */
static void times(const struct job_utilization *u, double out[TIME_COUNT]) {
  struct timeline sum = {0};
  size_t steps = 0;
  for (size_t i = 0; i < u->nranks; i++) {
    if (!u->ranks[i].used || !u->ranks[i].timeline) continue;
    timeline_add(&sum, &u->ranks[i].tl);
    steps += u->ranks[i].used;
  }
  for (int t = 0; t < TIME_COUNT; t++) out[t] = NAN;
  if (!u->timeline || !steps) return;
  for (int c = 0; c < CAT_COUNT; c++) out[c] = (double)sum.category_ns[c];
  out[TIME_WINDOW] = (double)sum.window_ns;
  out[TIME_BUSY] = (double)sum.busy_ns;
  out[TIME_EXPOSED_COMM] = (double)sum.exposed_comm_ns;
  out[TIME_IDLE] = (double)sum.idle_ns;
  for (int t = 0; t < TIME_COUNT; t++) out[t] /= 1e9 * (double)steps;
}

static struct comparison_pair pair(double a, double b) {
  bool logs = a > 0 && b > 0 && isfinite(a) && isfinite(b);
  return (struct comparison_pair){a, b, b / a - 1, logs ? log(b / a) : NAN};
}

static void attribute(struct comparison *c) {
  double known = 0;
  c->most = -1;
  for (int f = EFF_COVERAGE; f < EFF_COUNT; f++) {
    double l = c->figure[f].log_ratio;
    if (isnan(l)) continue;
    known += l;
    if (c->most < 0 || fabs(l) > fabs(c->figure[c->most].log_ratio)) c->most = f;
  }
  c->most_share = c->most >= 0 && known != 0 ? c->figure[c->most].log_ratio / known : NAN;
}

/* profile_gemm_key and profile_nccl_key through pointers to the rows. */
static int gemm_at(const void *a, const void *b) {
  return profile_gemm_key(*(const void *const *)a, *(const void *const *)b);
}
static int nccl_at(const void *a, const void *b) {
  return profile_nccl_key(*(const void *const *)a, *(const void *const *)b);
}

/* Pointers to the n rows of `size` bytes at `rows`, sorted with `at`. */
static const void **by_key(const void *rows, size_t n, size_t size, int (*at)(const void *, const void *)) {
  const void **v = mfu_xmalloc(n, sizeof *v);
  for (size_t i = 0; i < n; i++) v[i] = (const char *)rows + i * size;
  mfu_sort(v, n, sizeof *v, at);
  return v;
}

/* Pairs the rows of two runs by key: each pair holds a row of A, of B, or both (in key order). */
static size_t join(const void *a, size_t na, const void *b, size_t nb, size_t size,
                   int (*at)(const void *, const void *), const void **pairs) {
  const void **x = by_key(a, na, size, at), **y = by_key(b, nb, size, at);
  size_t i = 0, k = 0, n = 0;
  while (i < na || k < nb) {
    int c = i == na ? 1 : k == nb ? -1 : at(&x[i], &y[k]);
    pairs[2 * n] = c <= 0 ? x[i++] : NULL;
    pairs[2 * n + 1] = c >= 0 ? y[k++] : NULL;
    n++;
  }
  free(x);
  free(y);
  return n;
}

static uint64_t larger_ns(const struct comparison_gemm *g) {
  uint64_t a = g->a ? g->a->c.gpu_ns : 0, b = g->b ? g->b->c.gpu_ns : 0;
  return a > b ? a : b;
}

static double larger_flops(const struct comparison_gemm *g) {
  double a = g->a ? g->a->c.flops : 0, b = g->b ? g->b->c.flops : 0;
  return a > b ? a : b;
}

static int by_larger_time(const void *x, const void *y) {
  const struct comparison_gemm *a = x, *b = y;
  if (larger_ns(a) != larger_ns(b)) return MFU_COMPARE(larger_ns(b), larger_ns(a));
  if (larger_flops(a) != larger_flops(b)) return MFU_COMPARE(larger_flops(b), larger_flops(a));
  return profile_gemm_key(a->a ? a->a : a->b, b->a ? b->a : b->b);
}

void comparison_compute(const struct job_utilization *ua, const struct job_profile *pa,
                        const struct job_utilization *ub, const struct job_profile *pb,
                        struct comparison *c) {
  *c = (struct comparison){0};
  c->step_s = pair(ua->step_s, ub->step_s);
  c->hfu = pair(ua->hfu, ub->hfu);
  for (int f = 0; f < EFF_COUNT; f++)
    c->figure[f] = pair(ua->timeline ? ua->eff.value[f] : NAN, ub->timeline ? ub->eff.value[f] : NAN);
  c->figure[EFF_MFU] = pair(ua->mfu, ub->mfu);
  attribute(c);
  double ta[TIME_COUNT], tb[TIME_COUNT];
  times(ua, ta);
  times(ub, tb);
  for (int t = 0; t < TIME_COUNT; t++) c->time_s[t] = pair(ta[t], tb[t]);
  const void **pairs = mfu_xmalloc(2 * (pa->ngemm + pb->ngemm + pa->nnccl + pb->nnccl), sizeof *pairs);
  c->ngemm = join(pa->gemm, pa->ngemm, pb->gemm, pb->ngemm, sizeof *pa->gemm, gemm_at, pairs);
  c->gemm = mfu_xmalloc(c->ngemm, sizeof *c->gemm);
  for (size_t i = 0; i < c->ngemm; i++) {
    const struct profile_gemm *a = pairs[2 * i], *b = pairs[2 * i + 1];
    c->gemm[i] = (struct comparison_gemm){a, b,
                                          pair(a && pa->timeline ? (double)a->c.gpu_ns / 1e9 : NAN,
                                               b && pb->timeline ? (double)b->c.gpu_ns / 1e9 : NAN),
                                          pair(a ? a->achieved : NAN, b ? b->achieved : NAN)};
  }
  mfu_sort(c->gemm, c->ngemm, sizeof *c->gemm, by_larger_time);
  c->nnccl = join(pa->nccl, pa->nnccl, pb->nccl, pb->nnccl, sizeof *pa->nccl, nccl_at, pairs);
  c->nccl = mfu_xmalloc(c->nnccl, sizeof *c->nccl);
  for (size_t i = 0; i < c->nnccl; i++) {
    const struct profile_nccl *a = pairs[2 * i], *b = pairs[2 * i + 1];
    c->nccl[i] = (struct comparison_nccl){a, b, pair(a ? a->time_s : NAN, b ? b->time_s : NAN),
                                          pair(a ? a->busbw : NAN, b ? b->busbw : NAN)};
  }
  free(pairs);
}

void comparison_free(struct comparison *c) {
  free(c->gemm);
  free(c->nccl);
  *c = (struct comparison){0};
}
