/* utilization: see utilization.h. */
#include "utilization.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "model/formula.h"

/* The precision with the most counted FLOPs: the peak that matters for this rank. */
static enum mfu_precision dominant(const struct mfu_counts *c) {
  enum mfu_precision best = MFU_PREC_BF16;
  for (unsigned p = 0; p < MFU_PREC_COUNT; p++)
    if (c->flops_by_precision[p] > c->flops_by_precision[best]) best = (enum mfu_precision)p;
  return best;
}

/* The rank's peak: the options' (--peak-tflops, --device), else its recorded device's. A
 * device the table does not know is no error here: MFU is then unknown, and `why` says so. */
static void rank_peak(struct rank_utilization *r, const struct utilization_options *o) {
  struct model_spec spec = *o->spec;
  r->counted_dtype = dominant(&r->file->counts);
  if (!spec.dtype_given) spec.dtype = r->counted_dtype;
  r->peak_dtype = spec.dtype;
  struct hw_peak p;
  char err[200];
  const char *device = r->file->steps.device[0] ? r->file->steps.device : NULL;
  int got = model_spec_peak(&spec, device, &p, err, sizeof err);
  r->peak = NAN;
  if (got == 1) {
    r->peak = p.tflops * 1e12;
    snprintf(r->peak_label, sizeof r->peak_label, "%g TFLOP/s %s (%s%s)", p.tflops,
             mfu_precision_name(p.dtype), p.from_flag ? "--peak-tflops" : p.hw->id,
             !p.from_flag && hw_simulated(p.hw) ? ": simulated, no GPU" : "");
  } else if (got == 0) {
    snprintf(r->why, sizeof r->why,
             "no peak: the trace names no device; pass --device NAME or --peak-tflops N");
  } else {
    snprintf(r->why, sizeof r->why, "no peak: %s", err);
  }
}

static void rank_compute(struct rank_utilization *r, const struct utilization_options *o,
                         const struct flops *f) {
  const struct rank_steps *s = &r->file->steps;
  r->mfu = r->hfu = r->model_flops = r->hw_flops = NAN;
  r->first = o->skip >= 0 ? (size_t)o->skip : s->skip;
  if (s->nsteps == 0) {
    snprintf(r->why, sizeof r->why, "no steps found: %s", s->reason[0] ? s->reason : "no calls");
    return;
  }
  /* The last step is listed, not measured: nothing starts after it, so its end is unknown. */
  if (r->first + 1 >= s->nsteps) {
    snprintf(r->why, sizeof r->why,
             "%zu steps, %zu of them warm-up: at least one more is needed, as the last step's end "
             "is not known (run more steps, or lower --skip)", s->nsteps, r->first);
    return;
  }
  r->used = s->nsteps - r->first - 1;
  r->timeline = s->timeline;
  double attention = f ? f->part[PART_SCORES][PASS_FORWARD] + f->part[PART_SCORES][PASS_BACKWARD] +
                             f->part[PART_SCORES][PASS_RECOMPUTE] + f->part[PART_ATTN_V][PASS_FORWARD] +
                             f->part[PART_ATTN_V][PASS_BACKWARD] + f->part[PART_ATTN_V][PASS_RECOMPUTE]
                       : 0;
  double window = 0, counted = 0, f_math = 0;
  for (size_t i = r->first; i < r->first + r->used; i++) {
    const struct rank_step *st = &s->steps[i];
    window += (double)(st->end_ns - st->start_ns);
    counted += st->gemm_flops;
    f_math += st->gemm_flops + (st->attention_kernels ? attention : 0);
    if (s->timeline) timeline_add(&r->tl, &st->tl);
  }
  r->step_s = window / (double)r->used / 1e9;
  if (s->timeline) r->nccl_s = (double)r->tl.comm_ns / (double)r->used / 1e9;
  r->counted_flops = counted / (double)r->used;
  if (f) {
    r->model_flops = f->model;
    r->hw_flops = f->hardware;
  }
  rank_peak(r, o);
  double per_s = r->step_s * r->peak;
  if (isfinite(per_s) && per_s > 0) {
    r->mfu = r->model_flops / per_s;
    r->hfu = (f ? r->hw_flops : r->counted_flops) / per_s;
  }
  r->inputs = (struct efficiency_inputs){.f_model = f ? f->model * (double)r->used : NAN,
                                         .f_math = f_math, .peak = r->peak};
  r->step_mfu = mfu_xmalloc(s->nsteps, sizeof *r->step_mfu);
  for (size_t i = 0; i < s->nsteps; i++) {
    double t = (double)(s->steps[i].end_ns - s->steps[i].start_ns) / 1e9;
    r->step_mfu[i] = r->model_flops / (t * r->peak);
    /* The last step's end is unknown (its time runs to its last call or activity, without
     * what came after): no MFU of it. */
    if (!isfinite(r->step_mfu[i]) || i + 1 == s->nsteps) r->step_mfu[i] = NAN;
  }
  if (!r->timeline) return;
  efficiency_of_step(&r->tl, &r->inputs, &r->eff);
  r->step_eff = mfu_xcalloc(s->nsteps, sizeof *r->step_eff);
  for (size_t i = 0; i < s->nsteps; i++) {
    const struct rank_step *st = &s->steps[i];
    struct efficiency_inputs in = {.f_model = f ? f->model : NAN, .peak = r->peak,
                                   .f_math = st->gemm_flops + (st->attention_kernels ? attention : 0)};
    efficiency_of_step(&st->tl, &in, &r->step_eff[i]);
  }
}

/* The measured ranks by their work per step outside NCCL, and the straggler (straggler.h). */
static void rank_order(struct job_utilization *u) {
  struct straggler_rank *sr = mfu_xcalloc(u->nranks, sizeof *sr);
  size_t *measured = mfu_xcalloc(u->nranks, sizeof *measured), n = 0;
  for (size_t i = 0; i < u->nranks; i++) {
    const struct rank_utilization *r = &u->ranks[i];
    if (!r->used) continue;
    sr[n] = (struct straggler_rank){r->file->header.rank, r->step_s, r->nccl_s};
    measured[n++] = i;
  }
  u->by_work = mfu_xcalloc(n, sizeof *u->by_work);
  u->measured = n;
  u->straggler_known = straggler_find(sr, n, u->by_work, &u->straggler);
  for (size_t k = 0; k < n; k++) u->by_work[k] = measured[u->by_work[k]];
  if (u->straggler_known) {
    u->straggler.slowest = measured[u->straggler.slowest];
    u->straggler.fastest = measured[u->straggler.fastest];
  }
  free(sr);
  free(measured);
}

/* The formula's FLOPs of the global batch, and each of W ranks' share of them. */
static void share_flops(const struct utilization_options *o, const struct formula_work *work,
                        size_t world, struct flops *f) {
  formula_flops(&o->model, work, o->spec->convention, f);
  double w = (double)world;
  for (int p = 0; p < PART_COUNT; p++)
    for (int q = 0; q < PASS_COUNT; q++) f->part[p][q] /= w;
  f->model /= w;
  f->hardware /= w;
}

void utilization_compute(const struct mfu_job *j, const struct utilization_options *o,
                         struct job_utilization *out) {
  *out = (struct job_utilization){.nranks = j->nfiles, .mfu = NAN, .hfu = NAN, .step_s = NAN};
  out->ranks = mfu_xcalloc(j->nfiles, sizeof *out->ranks);
  out->world = j->world_size > 0 ? (size_t)j->world_size : j->ranks;
  if (!out->world) out->world = 1;
  out->work = model_spec_work(o->spec, (int64_t)out->world);
  out->have_model = o->have_model;
  struct flops f;
  if (o->have_model) share_flops(o, &out->work, out->world, &f);
  double model = 0, hw = 0, peak = 0;
  size_t measured = 0;
  out->timeline = true;
  for (size_t i = 0; i < j->nfiles; i++) {
    struct rank_utilization *r = &out->ranks[i];
    r->file = j->files[i];
    rank_compute(r, o, o->have_model ? &f : NULL);
    if (!r->used) continue;
    if (!measured || r->used < out->steps) out->steps = r->used;
    if (!measured || r->step_s > out->step_s) out->step_s = r->step_s; /* the slowest rank */
    measured++;
    model += r->model_flops;
    hw += o->have_model ? r->hw_flops : r->counted_flops;
    peak += r->peak;
    out->timeline &= r->timeline;
  }
  if (!measured) {
    out->timeline = false;
    return;
  }
  double per_s = out->step_s * peak;
  if (isfinite(per_s) && per_s > 0) {
    out->mfu = model / per_s;
    out->hfu = hw / per_s;
  }
  if (out->timeline) {
    struct timeline *tl = mfu_xcalloc(measured, sizeof *tl);
    struct efficiency_inputs *in = mfu_xcalloc(measured, sizeof *in);
    size_t n = 0;
    uint64_t slowest = 0;
    for (size_t i = 0; i < j->nfiles; i++) {
      const struct rank_utilization *r = &out->ranks[i];
      if (!r->used) continue;
      tl[n] = r->tl;
      in[n] = r->inputs;
      if (r->tl.window_ns > slowest) slowest = r->tl.window_ns;
      n++;
    }
    efficiency_of_job(tl, in, n, slowest, &out->eff);
    free(tl);
    free(in);
  }
  rank_order(out);
}

void utilization_free(struct job_utilization *u) {
  for (size_t i = 0; i < u->nranks; i++) {
    free(u->ranks[i].step_mfu);
    free(u->ranks[i].step_eff);
  }
  free(u->ranks);
  free(u->by_work);
  *u = (struct job_utilization){0};
}
