/* timeline: see timeline.h. */
#include "timeline.h"

#include <math.h>
#include <stdlib.h>

#include "util/alloc.h"

const char *const activity_category_name[CAT_COUNT] = {
    [CAT_GEMM] = "gemm",   [CAT_ATTENTION] = "attention", [CAT_NCCL] = "nccl",
    [CAT_OTHER] = "other", [CAT_MEMCPY] = "memcpy",       [CAT_MEMSET] = "memset",
};

const char *const efficiency_name[EFF_COUNT] = {
    [EFF_MFU] = "mfu",         [EFF_COVERAGE] = "coverage",   [EFF_KERNEL] = "kernel",
    [EFF_MEMORY] = "memory",   [EFF_COMM] = "communication",  [EFF_PARALLEL] = "parallelism",
};

#define BIT(cat) (1u << (cat))
enum {
  MATH = BIT(CAT_GEMM) | BIT(CAT_ATTENTION),
  COMPUTE = MATH | BIT(CAT_OTHER), /* every kernel but communication */
  KERNELS = COMPUTE | BIT(CAT_NCCL),
  COPIES = BIT(CAT_MEMCPY) | BIT(CAT_MEMSET),
};

/* An interval's start (opening) or end, after clipping to the window. */
struct edge {
  uint64_t t;
  bool opens;
  enum activity_category cat;
};

static int by_time(const void *a, const void *b) {
  uint64_t x = ((const struct edge *)a)->t, y = ((const struct edge *)b)->t;
  return (x > y) - (x < y);
}

/* The share of an activity's FLOPs that falls into [t0, t1), given its clipped part [s, e). */
static double flops_inside(const struct activity *a, uint64_t s, uint64_t e, uint64_t t0,
                           uint64_t t1) {
  if (a->end_ns == a->start_ns) return a->start_ns >= t0 && a->start_ns < t1 ? a->flops : 0;
  if (e <= s) return 0;
  return a->flops * ((double)(e - s) / (double)(a->end_ns - a->start_ns));
}

/* Adds `len` ns during which the categories in `running` (a bit set) run. */
static void account(struct timeline *tl, unsigned running, uint64_t len) {
  for (int c = 0; c < CAT_COUNT; c++)
    if (running & BIT(c)) tl->category_ns[c] += len;
  if (running & KERNELS) tl->busy_ns += len;
  if (running & MATH) tl->math_ns += len;
  if (running & BIT(CAT_NCCL)) tl->comm_ns += len;
  if ((running & KERNELS) == BIT(CAT_NCCL)) tl->exposed_comm_ns += len;
  if (running & COMPUTE) tl->compute_ns += len;
  if (running & COPIES) tl->copy_ns += len;
  if (!running) tl->idle_ns += len;
}

void timeline_measure(const struct activity *a, size_t n, uint64_t t0, uint64_t t1,
                      struct timeline *tl) {
  *tl = (struct timeline){.window_ns = t1 > t0 ? t1 - t0 : 0};
  if (t1 < t0) t1 = t0;
  struct edge *edges = mfu_xrealloc(NULL, 2 * n * sizeof *edges);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (a[i].end_ns < a[i].start_ns || (unsigned)a[i].cat >= CAT_COUNT) {
      tl->invalid++;
      continue;
    }
    uint64_t s = a[i].start_ns > t0 ? a[i].start_ns : t0;
    uint64_t e = a[i].end_ns < t1 ? a[i].end_ns : t1;
    tl->flops[a[i].cat] += flops_inside(&a[i], s, e, t0, t1);
    if (e > s) {
      edges[m++] = (struct edge){s, true, a[i].cat};
      edges[m++] = (struct edge){e, false, a[i].cat};
    }
  }
  if (m > 1) qsort(edges, m, sizeof *edges, by_time);

  /* Sweep: between two consecutive distinct edge times the set of running categories is
   * constant. Before the first edge and after the last, nothing runs. */
  size_t running[CAT_COUNT] = {0};
  uint64_t t = t0;
  for (size_t i = 0; i < m;) {
    unsigned set = 0;
    for (int c = 0; c < CAT_COUNT; c++)
      if (running[c]) set |= BIT(c);
    account(tl, set, edges[i].t - t);
    for (t = edges[i].t; i < m && edges[i].t == t; i++) {
      if (edges[i].opens)
        running[edges[i].cat]++;
      else
        running[edges[i].cat]--;
    }
  }
  account(tl, 0, t1 - t);
  free(edges);
}

/* ---------------------------------------------------------------- efficiency factors */

/* What the figures are computed from. Each time is weighted by the peak it ran against, so
 * that math·P is the FLOPs the math kernels could have done in it. Without a peak the weight
 * is 1: the time ratios stay defined, the figures that need P do not. */
struct totals {
  double f_model, f_math;             /* FLOPs */
  bool peak;                          /* the weights are peaks (FLOP/s) */
  double math, compute, busy, window; /* Σ weight · seconds */
};

static void put(struct efficiency *e, enum efficiency_figure f, const char *why, double num,
                double den) {
  e->why[f] = why;
  e->value[f] = why ? NAN : num / den; /* divides only where why says den > 0 */
}

static bool valid_flops(double f) { return isfinite(f) && f >= 0; }

static void efficiency_of(const struct totals *t, struct efficiency *e) {
  const char *no_model = valid_flops(t->f_model) ? NULL : "no model FLOPs";
  const char *no_math_flops = t->f_math > 0 && isfinite(t->f_math) ? NULL : "no math FLOPs counted";
  const char *no_peak = t->peak ? NULL : "no peak FLOP/s";
  const char *no_window = t->window > 0 ? NULL : "empty step window";
  const char *why;
  why = no_model ? no_model : no_window ? no_window : no_peak;
  put(e, EFF_MFU, why, t->f_model, t->window);
  why = no_model ? no_model : no_math_flops;
  put(e, EFF_COVERAGE, why, t->f_model, t->f_math);
  /* F_math = 0 with math time is a real η_kernel of 0: kernels that did no counted work. */
  why = !valid_flops(t->f_math) ? "no math FLOPs counted" : no_peak ? no_peak
      : t->math > 0 ? NULL : "no math kernel time";
  put(e, EFF_KERNEL, why, t->f_math, t->math);
  put(e, EFF_MEMORY, t->compute > 0 ? NULL : "no compute kernel time", t->math, t->compute);
  put(e, EFF_COMM, t->busy > 0 ? NULL : "no kernel time", t->compute, t->busy);
  put(e, EFF_PARALLEL, no_window, t->busy, t->window);
}

static bool valid_peak(double p) { return isfinite(p) && p > 0; }

static double weighted(double weight, uint64_t ns) { return weight * ((double)ns * 1e-9); }

void timeline_efficiency(const struct timeline *tl, const struct step_work *w,
                         struct efficiency *e) {
  timeline_job_efficiency(tl, w, 1, tl->window_ns, e);
}

/* Over ranks the figures are the same ratios of sums: Σ F_math / Σ (math_r · P_r) and so on,
 * with T_step for every rank; the product telescopes to Σ F_model / (T_step · Σ P). */
void timeline_job_efficiency(const struct timeline *tl, const struct step_work *w, size_t n,
                             uint64_t step_ns, struct efficiency *e) {
  struct totals t = {.peak = true};
  for (size_t r = 0; r < n; r++) t.peak = t.peak && valid_peak(w[r].peak);
  for (size_t r = 0; r < n; r++) {
    double weight = t.peak ? w[r].peak : 1;
    t.f_model += w[r].f_model;
    t.f_math += w[r].f_math;
    t.math += weighted(weight, tl[r].math_ns);
    t.compute += weighted(weight, tl[r].compute_ns);
    t.busy += weighted(weight, tl[r].busy_ns);
    t.window += weighted(weight, step_ns);
  }
  efficiency_of(&t, e);
}

bool timeline_straggler(const uint64_t *comm_ns, size_t n, struct straggler *s) {
  if (n < 2) return false;
  size_t least = 0, most = 0;
  for (size_t r = 1; r < n; r++) {
    if (comm_ns[r] < comm_ns[least]) least = r;
    if (comm_ns[r] > comm_ns[most]) most = r;
  }
  *s = (struct straggler){least, comm_ns[least], comm_ns[most] - comm_ns[least]};
  return true;
}

void timeline_add(struct timeline *sum, const struct timeline *t) {
  sum->window_ns += t->window_ns;
  sum->busy_ns += t->busy_ns;
  sum->math_ns += t->math_ns;
  sum->comm_ns += t->comm_ns;
  sum->exposed_comm_ns += t->exposed_comm_ns;
  sum->compute_ns += t->compute_ns;
  sum->copy_ns += t->copy_ns;
  sum->idle_ns += t->idle_ns;
  for (int c = 0; c < CAT_COUNT; c++) {
    sum->category_ns[c] += t->category_ns[c];
    sum->flops[c] += t->flops[c];
  }
  sum->invalid += t->invalid;
}
