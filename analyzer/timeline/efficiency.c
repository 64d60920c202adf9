/* efficiency: see efficiency.h. */
#include "efficiency.h"

#include <math.h>

const char *const efficiency_name[EFF_COUNT] = {
    [EFF_MFU] = "mfu",         [EFF_COVERAGE] = "coverage",   [EFF_KERNEL] = "kernel",
    [EFF_MEMORY] = "memory",   [EFF_COMM] = "communication",  [EFF_PARALLEL] = "parallelism",
};

const char *const efficiency_meaning[EFF_COUNT] = {
    [EFF_MFU] = "model FLOPs over time and peak", [EFF_COVERAGE] = "formula FLOPs / math FLOPs that ran",
    [EFF_KERNEL] = "math kernels' speed", [EFF_MEMORY] = "time in math vs memory-bound kernels",
    [EFF_COMM] = "communication not overlapped", [EFF_PARALLEL] = "GPU busy (idle, launch gaps)"};

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

static void figures(const struct totals *t, struct efficiency *e) {
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

void efficiency_of_step(const struct timeline *tl, const struct efficiency_inputs *in,
                        struct efficiency *e) {
  efficiency_of_job(tl, in, 1, tl->window_ns, e);
}

/* Over ranks the figures are the same ratios of sums: Σ F_math / Σ (math_r · P_r) and so on,
 * with T_step for every rank; the product telescopes to Σ F_model / (T_step · Σ P). */
void efficiency_of_job(const struct timeline *tl, const struct efficiency_inputs *w, size_t n,
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
  figures(&t, e);
}
