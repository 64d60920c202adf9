/* plausibility: see plausibility.h. */
#include "plausibility.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/formula.h"
#include "util/alloc.h"

/* What the measured ranks add up to, per step. */
struct sums {
  double model, counted; /* formula share and counted FLOPs, summed over the ranks */
  const struct rank_utilization *dtype_mismatch; /* a rank whose peak is of another precision
                                                    than most of its FLOPs */
  const struct rank_utilization *first;
  size_t n;
};

static struct sums sum_ranks(const struct job_utilization *u) {
  struct sums s = {0};
  for (size_t i = 0; i < u->nranks; i++) {
    const struct rank_utilization *r = &u->ranks[i];
    if (!r->used) continue;
    if (!s.first) s.first = r;
    s.n++;
    s.model += r->model_flops;
    s.counted += r->counted_flops;
    if (!isnan(r->peak) && r->peak_dtype != r->counted_dtype && !s.dtype_mismatch)
      s.dtype_mismatch = r;
  }
  return s;
}

/* Why the formula's FLOPs are not those that ran, and what to pass. */
static void explain_coverage(FILE *m, const struct job_utilization *u,
                             const struct utilization_options *o, const struct sums *s,
                             double coverage) {
  const struct formula_work *w = &u->work;
  const double ranks = (double)u->world;
  fprintf(m, "; the formula (%s, %s convention, global batch %" PRId64 " x seq %" PRId64
          " over %zu rank%s) gives %.3f TFLOP per step per rank, the shim counted %.3f (%.2fx)",
          o->model.name, convention_name(o->spec->convention), w->batch, w->seq, u->world,
          u->world == 1 ? "" : "s", s->model / (double)s->n / 1e12,
          s->counted / (double)s->n / 1e12, coverage);
  if (u->world > 1 && fabs(coverage * ranks - 1) < 0.1)
    fprintf(m, ": --batch looks like one rank's; it is the global batch, all ranks together: "
            "pass --batch %" PRId64 " or --batch-per-rank %" PRId64,
            w->batch * (int64_t)u->world, w->batch);
  else if ((o->spec->convention == CONV_SIX_N || o->spec->convention == CONV_PALM) &&
           coverage > 1 && coverage <= PLAUSIBLE_COVERAGE_MAX)
    fprintf(m, ": the %s convention counts 6 FLOPs per parameter and token, the embedding "
            "table included, more than the matmuls that ran; --convention exact counts those",
            convention_name(o->spec->convention));
  else
    fprintf(m, ": the model or --batch/--seq probably do not match the traced run: pass the "
            "model it trained (--preset, --config or the shape flags) and its global batch "
            "(--batch, all ranks together) and sequence length (--seq)");
}

void plausibility_check(struct mfu_strings *warnings, const struct job_utilization *u,
                        const struct utilization_options *o) {
  struct sums s = sum_ranks(u);
  if (!s.first) return;
  double coverage = NAN;
  if (o->have_model)
    coverage = u->timeline && isfinite(u->eff.value[EFF_COVERAGE]) ? u->eff.value[EFF_COVERAGE]
               : s.counted > 0                                      ? s.model / s.counted
                                                                    : NAN;
  bool cov_bad = isfinite(coverage) &&
                 (coverage < PLAUSIBLE_COVERAGE_MIN || coverage > PLAUSIBLE_COVERAGE_MAX);
  bool mfu_bad = u->mfu > 1, hfu_bad = u->hfu > 1;
  if (!cov_bad && !mfu_bad && !hfu_bad) return;

  char *text = NULL;
  size_t len;
  FILE *m = open_memstream(&text, &len);
  if (!m) mfu_out_of_memory();
  const char *sep = "";
  if (mfu_bad) fprintf(m, "MFU %.2f%%", 100 * u->mfu), sep = " and ";
  if (hfu_bad && !(mfu_bad && u->hfu == u->mfu)) fprintf(m, "%sHFU %.2f%%", sep, 100 * u->hfu), sep = " and ";
  if (cov_bad) fprintf(m, "%scoverage %.2f", sep, coverage);
  fprintf(m, " cannot be right");
  bool explained = false;
  if (cov_bad || (isfinite(coverage) && coverage > 1.05 && (mfu_bad || hfu_bad))) {
    explain_coverage(m, u, o, &s, coverage);
    explained = true;
  }
  if ((mfu_bad || hfu_bad) && s.dtype_mismatch) {
    const struct rank_utilization *r = s.dtype_mismatch;
    fprintf(m, "; the peak is %s's (%s) but most counted FLOPs are %s: leave --dtype out, or "
            "pass --dtype %s", mfu_precision_name(r->peak_dtype), r->peak_label,
            mfu_precision_name(r->counted_dtype), mfu_precision_name(r->counted_dtype));
    explained = true;
  }
  if (!explained)
    fprintf(m, "; the peak (%s per device) is below what the GEMMs ran at: is it the device "
            "that ran? pass --device NAME (`mfu hw` lists them) or --peak-tflops N",
            s.first->peak_label);
  fclose(m);
  mfu_strings_take(warnings, text);
}
