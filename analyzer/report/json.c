/* json: the report as one JSON object (report.h; docs/DESIGN.md lists the keys other tools
 * rely on). Integers stay exact integers; figures that are unknown are null. */
#include <math.h>
#include <stdint.h>

#include "format.h"
#include "mfu/version.h"
#include "report.h"
#include "sections.h"
#include "trace/names.h"
#include "util/json_writer.h"

static void key_rank(struct jw *j, const struct mfu_file *f) {
  if (f->readable && f->header.rank >= 0) jw_key_int(j, "rank", f->header.rank);
  else jw_key_null(j, "rank");
}

static void key_strings(struct jw *j, const char *key, const struct mfu_strings *l) {
  jw_key(j, key);
  jw_array_begin(j);
  for (size_t i = 0; i < l->n; i++) jw_string(j, l->v[i]);
  jw_array_end(j);
}

/* A count that may be unknown (-1): null then. */
static void key_count(struct jw *j, const char *key, int64_t n) {
  if (n < 0) jw_key_null(j, key);
  else jw_key_u128(j, key, (uint64_t)n);
}

static void json_gap(struct jw *j, const struct trace_gap *g) {
  jw_object_begin(j);
  jw_key_u128(j, "offset", g->offset);
  jw_key_u128(j, "bytes", g->bytes);
  key_count(j, "blocks", g->blocks);
  key_count(j, "records", g->records);
  jw_key_string(j, "reason", g->reason);
  jw_object_end(j);
}

/* Why a file is incomplete: its problem (the first gap's when it has no other) and where,
 * every gap (damage read past) and the tail (damage up to its end). */
static void json_incomplete(struct jw *j, const struct mfu_file *f) {
  const struct trace_gap *first = f->gaps.n ? &f->gaps.list[0] : NULL;
  jw_object_begin(j);
  jw_key_string(j, "path", f->path);
  key_rank(j, f);
  jw_key_bool(j, "readable", f->readable);
  jw_key_string(j, "reason", f->problem[0] || !first ? f->problem : first->reason);
  jw_key_u128(j, "offset", f->problem[0] || !first ? f->problem_offset : first->offset);
  jw_key(j, "gaps");
  jw_array_begin(j);
  for (size_t i = 0; i < f->gaps.n && i < TRACE_GAPS_KEPT; i++) json_gap(j, &f->gaps.list[i]);
  jw_array_end(j);
  jw_key_u128(j, "gaps_count", f->gaps.n);
  jw_key_u128(j, "gap_bytes", f->gaps.bytes);
  key_count(j, "gap_records", f->gaps.unknown ? -1 : (int64_t)f->gaps.records);
  jw_key(j, "tail");
  if (f->tail.bytes) json_gap(j, &f->tail);
  else jw_null(j);
  jw_object_end(j);
}

/* {op: {calls, bytes, failed, host_time_s}} for every data movement, called or not, so that
 * consumers find every key. */
static void json_nccl_by_op(struct jw *j, const struct mfu_counts *c) {
  jw_key(j, "nccl_by_op");
  jw_object_begin(j);
  for (unsigned op = 0; op < MFU_NCCL_OP_COUNT; op++) {
    if (!mfu_nccl_op_moves_data(op)) continue;
    const struct mfu_nccl_stats *s = &c->nccl_ops[op];
    jw_key(j, mfu_nccl_op_name(op));
    jw_object_begin(j);
    jw_key_u128(j, "calls", s->calls);
    jw_key_u128(j, "bytes", s->bytes);
    jw_key_u128(j, "failed", s->failed);
    jw_key(j, "host_time_s");
    jw_double(j, (double)s->host_ns / 1e9);
    jw_object_end(j);
  }
  jw_object_end(j);
}

/* CUDA graphs: what their launches ran (part of the totals) and what no launch ran. */
static void json_graphs(struct jw *j, const struct mfu_graph_counts *g) {
  jw_key(j, "graphs");
  jw_object_begin(j);
  jw_key_u128(j, "captures", g->captures);
  jw_key_u128(j, "instantiations", g->instantiations);
  jw_key_u128(j, "launches", g->launches);
  jw_key_u128(j, "executables_launched", g->executables);
  jw_key_u128(j, "unknown_launches", g->unknown_launches);
  jw_key_u128(j, "launched_gemm_calls", g->launched.gemm_calls);
  jw_key_u128(j, "launched_gemm_flops", g->launched.gemm_flops);
  jw_key_u128(j, "launched_nccl_calls", g->launched.nccl_calls);
  jw_key_u128(j, "launched_nccl_bytes", g->launched.nccl_bytes);
  jw_key_u128(j, "never_launched_captures", g->unlaunched_captures);
  jw_key_u128(j, "never_launched_gemm_calls", g->unlaunched.gemm_calls);
  jw_key_u128(j, "never_launched_gemm_flops", g->unlaunched.gemm_flops);
  jw_key_u128(j, "never_launched_nccl_calls", g->unlaunched.nccl_calls);
  jw_key_u128(j, "never_launched_nccl_bytes", g->unlaunched.nccl_bytes);
  jw_object_end(j);
}

static void json_efficiency(struct jw *j, const struct efficiency *e, bool known) {
  jw_key(j, "efficiency");
  jw_object_begin(j);
  for (int f = EFF_COVERAGE; f < EFF_COUNT; f++) jw_key_double(j, efficiency_name[f], known ? e->value[f] : NAN);
  jw_object_end(j);
  jw_key(j, "efficiency_unavailable"); /* why a factor is null */
  jw_object_begin(j);
  for (int f = EFF_COVERAGE; f < EFF_COUNT; f++)
    if (!known || e->why[f]) jw_key_string(j, efficiency_name[f], known ? e->why[f] : "no GPU timeline");
  jw_object_end(j);
}

static void json_timeline(struct jw *j, const struct timeline *tl) {
  jw_key(j, "gpu_time_s"); /* summed over the measured steps */
  jw_object_begin(j);
  jw_key_double(j, "window", (double)tl->window_ns / 1e9);
  jw_key_double(j, "busy", (double)tl->busy_ns / 1e9);
  jw_key_double(j, "math", (double)tl->math_ns / 1e9);
  jw_key_double(j, "compute", (double)tl->compute_ns / 1e9);
  jw_key_double(j, "comm", (double)tl->comm_ns / 1e9);
  jw_key_double(j, "exposed_comm", (double)tl->exposed_comm_ns / 1e9);
  jw_key_double(j, "copy", (double)tl->copy_ns / 1e9);
  jw_key_double(j, "idle", (double)tl->idle_ns / 1e9);
  for (int c = 0; c < CAT_COUNT; c++) jw_key_double(j, activity_category_name[c], (double)tl->category_ns[c] / 1e9);
  jw_object_end(j);
}

static void json_rank_utilization(struct jw *j, const struct rank_utilization *r) {
  const struct rank_steps *s = &r->file->steps;
  jw_key(j, "steps");
  jw_object_begin(j);
  jw_key_u128(j, "count", s->nsteps);
  jw_key_string(j, "method", s->method);
  jw_key_u128(j, "warmup", r->first);
  jw_key_u128(j, "measured", r->used);
  jw_key_double(j, "mean_time_s", r->used ? r->step_s : NAN);
  jw_key_string(j, "timed_on", !s->nsteps ? NULL : s->steps[0].gpu_window ? "gpu" : "host");
  jw_key_u128(j, "calls_per_step", s->period);
  jw_key_double(j, "confidence", s->nsteps ? s->score : NAN);
  jw_key_string(j, "not_found", s->nsteps ? NULL : s->reason);
  jw_key(j, "per_step");
  jw_array_begin(j);
  for (size_t i = 0; i < s->nsteps; i++) {
    const struct rank_step *x = &s->steps[i];
    double t = (double)(x->end_ns - x->start_ns) / 1e9;
    jw_object_begin(j);
    jw_key_double(j, "time_s", t);
    jw_key_double(j, "gemm_flops", x->gemm_flops);
    jw_key_double(j, "nccl_bytes", x->nccl_bytes);
    jw_key_u128(j, "calls", x->calls);
    jw_key_double(j, "mfu", r->step_mfu ? r->step_mfu[i] : NAN);
    if (r->step_eff) {
      jw_key(j, "efficiency");
      jw_object_begin(j);
      for (int f = EFF_COVERAGE; f < EFF_COUNT; f++) jw_key_double(j, efficiency_name[f], r->step_eff[i].value[f]);
      jw_object_end(j);
    }
    jw_key_bool(j, "measured", i >= r->first && i < r->first + r->used);
    jw_object_end(j);
  }
  jw_array_end(j);
  jw_object_end(j);
  jw_key_double(j, "counted_flops_per_step", r->used ? r->counted_flops : NAN);
  jw_key_double(j, "model_flops_per_step", r->model_flops);
  jw_key_double(j, "peak_flops", r->peak);
  jw_key_string(j, "peak", isnan(r->peak) ? NULL : r->peak_label);
  jw_key_double(j, "mfu", r->mfu);
  jw_key_double(j, "hfu", r->hfu);
  json_efficiency(j, &r->eff, r->timeline && r->used);
  if (r->timeline && r->used) json_timeline(j, &r->tl);
}

/* A rank's pace, per step: its time, the part in NCCL kernels, the rest (its own work). */
static void json_rank_pace(struct jw *j, const struct rank_utilization *r) {
  key_rank(j, r->file);
  jw_key_string(j, "file", r->file->path);
  jw_key_double(j, "step_time_s", r->step_s);
  jw_key_double(j, "nccl_time_s", r->nccl_s);
  jw_key_double(j, "work_time_s", r->step_s - r->nccl_s);
}

static void json_utilization(struct jw *j, const struct report *r) {
  const struct job_utilization *u = &r->u;
  jw_key(j, "steps");
  jw_object_begin(j);
  jw_key(j, "count");
  if (r->f.shown) jw_u128(j, u->steps);
  else jw_null(j);
  jw_key_double(j, "mean_time_s", r->f.shown ? u->step_s : NAN);
  jw_key_string(j, "method", r->f.shown ? r->f.shown->file->steps.method : NULL);
  jw_object_end(j);
  jw_key(j, "work"); /* what the formula counts: the global batch, shared by the ranks */
  if (u->have_model) {
    jw_object_begin(j);
    jw_key_u128(j, "batch", (unsigned __int128)u->work.batch);
    jw_key_string(j, "batch_scope", "global");
    jw_key_double(j, "batch_per_rank", (double)u->work.batch / (double)u->world);
    jw_key_u128(j, "seq", (unsigned __int128)u->work.seq);
    jw_key_u128(j, "ranks", u->world);
    jw_object_end(j);
  } else {
    jw_null(j);
  }
  jw_key_double(j, "mfu", u->mfu);
  jw_key_double(j, "hfu", u->hfu);
  json_efficiency(j, &u->eff, u->timeline && r->f.shown);
  jw_key(j, "straggler"); /* the rank that holds the others up, when one stands out */
  if (u->straggler_known && u->straggler.stands_out) {
    jw_object_begin(j);
    json_rank_pace(j, &u->ranks[u->straggler.slowest]);
    jw_key(j, "fastest");
    jw_object_begin(j);
    json_rank_pace(j, &u->ranks[u->straggler.fastest]);
    jw_object_end(j);
    jw_key_double(j, "spread_s", u->straggler.spread_s);
    jw_object_end(j);
  } else {
    jw_null(j);
  }
  jw_key(j, "ranks_by_work"); /* rank numbers (null: unknown), the most work per step first */
  jw_array_begin(j);
  for (size_t i = 0; i < u->measured; i++) {
    const struct mfu_file *f = u->ranks[u->by_work[i]].file;
    if (f->header.rank >= 0) jw_int(j, f->header.rank);
    else jw_null(j);
  }
  jw_array_end(j);
}

/* The recording window the shim applied (MFU_STEPS, MFU_WINDOW_S), null when none. */
static void json_window(struct jw *j, const struct mfu_file_header *h) {
  jw_key(j, "window");
  if (h->window_kind != MFU_WINDOW_STEPS && h->window_kind != MFU_WINDOW_TIME) {
    jw_null(j);
    return;
  }
  bool steps = h->window_kind == MFU_WINDOW_STEPS, to_end = h->window_last == UINT64_MAX;
  jw_object_begin(j);
  jw_key_string(j, "kind", steps ? "steps" : "time");
  if (steps) {
    jw_key_u128(j, "first_step", h->window_first);
    jw_key(j, "last_step");
    if (to_end) jw_null(j);
    else jw_u128(j, h->window_last);
    char range[sizeof h->window_step_range + 1];
    snprintf(range, sizeof range, "%.*s", (int)sizeof h->window_step_range, h->window_step_range);
    jw_key_string(j, "step_range", range);
    jw_key_u128(j, "steps_begun", h->window_steps);
  } else {
    jw_key_double(j, "start_s", (double)h->window_first / 1e9);
    jw_key_double(j, "end_s", to_end ? NAN : (double)h->window_last / 1e9);
  }
  bool opened = h->window_state & MFU_WINDOW_OPENED, closed = h->window_state & MFU_WINDOW_CLOSED;
  jw_key_bool(j, "opened", opened);
  jw_key_bool(j, "closed", closed);
  /* seconds since the shim started, as the header's clock says */
  jw_key_double(j, "opened_at_s", opened ? ((double)h->window_open_ns - (double)h->start_monotonic_ns) / 1e9 : NAN);
  jw_key_double(j, "closed_at_s", closed ? ((double)h->window_close_ns - (double)h->start_monotonic_ns) / 1e9 : NAN);
  jw_key_u128(j, "calls_outside", h->window_outside);
  jw_object_end(j);
}

static void json_per_rank(struct jw *j, const struct mfu_file *f, const struct rank_utilization *u) {
  jw_object_begin(j);
  key_rank(j, f);
  jw_key_string(j, "host", f->header.hostname);
  jw_key_int(j, "pid", f->header.pid);
  jw_key_string(j, "file", f->path);
  jw_key_bool(j, "complete", f->complete);
  json_window(j, &f->header);
  jw_key_u128(j, "gemm_calls", f->counts.gemm_calls);
  jw_key_u128(j, "gemm_failed", f->counts.gemm_failed);
  jw_key_u128(j, "gemm_flops", f->counts.gemm_flops);
  jw_key_u128(j, "nccl_calls", f->counts.nccl_calls);
  jw_key_u128(j, "nccl_failed", f->counts.nccl_failed);
  jw_key_u128(j, "nccl_bytes", f->counts.nccl_bytes);
  json_nccl_by_op(j, &f->counts);
  json_graphs(j, &f->graphs);
  jw_key_string(j, "device", f->steps.device[0] ? f->steps.device : NULL);
  jw_key_string(j, "gpu_timeline", trace_cupti_state_text(f->header.cupti_state));
  jw_key(j, "time_span_s");
  if (f->records) jw_double(j, span_s(f->first_ns, f->last_ns));
  else jw_null(j);
  json_rank_utilization(j, u);
  jw_object_end(j);
}

void report_json(FILE *out, const struct report *r) {
  const struct mfu_job *job = r->j;
  const struct mfu_counts *c = &job->totals;
  struct jw jo, *j = &jo;
  char when[32];
  jw_init(j, out);
  jw_object_begin(j);
  jw_key_string(j, "mfu_version", MFU_VERSION);
  jw_key_string(j, "path", r->path);
  jw_key_string(j, "job_id", job->job_id);
  jw_key(j, "other_jobs");
  jw_array_begin(j);
  for (size_t i = 0; i < r->t->njobs; i++)
    if (&r->t->jobs[i] != job) jw_string(j, r->t->jobs[i].job_id);
  jw_array_end(j);
  jw_key_string(j, "started_at", format_time(when, job->started_realtime_ns, "%Y-%m-%dT%H:%M:%SZ"));
  jw_key_u128(j, "ranks", job->ranks);
  jw_key(j, "world_size");
  if (job->world_size > 0) jw_int(j, job->world_size);
  else jw_null(j);
  jw_key_u128(j, "files", job->nfiles);
  jw_key(j, "time_span_s");
  if (job->start_realtime_ns) jw_double(j, span_s(job->start_realtime_ns, job->end_realtime_ns));
  else jw_null(j);
  jw_key(j, "hooks_resolved"); /* files whose shim resolved each library */
  jw_object_begin(j);
  for (size_t h = 0; h < TRACE_HOOK_COUNT; h++)
    jw_key_u128(j, trace_hooks[h].key, r->f.hook_files[h]);
  jw_object_end(j);

  jw_key(j, "totals");
  jw_object_begin(j);
  jw_key_u128(j, "gemm_calls", c->gemm_calls);
  jw_key_u128(j, "gemm_failed", c->gemm_failed);
  jw_key_u128(j, "gemm_flops", c->gemm_flops);
  jw_key_u128(j, "nccl_calls", c->nccl_calls);
  jw_key_u128(j, "nccl_failed", c->nccl_failed);
  jw_key_u128(j, "nccl_bytes", c->nccl_bytes);
  jw_key_u128(j, "nccl_groups", c->nccl_groups);
  jw_key_u128(j, "nccl_grouped_calls", c->nccl_grouped);
  jw_key_u128(j, "blas3_calls", c->blas3_calls);
  jw_key_u128(j, "blas3_failed", c->blas3_failed);
  jw_key_u128(j, "blas3_flops", c->blas3_flops);
  jw_object_end(j);
  jw_key(j, "blas3_by_routine"); /* the other Level-3 BLAS: never in the GEMM counts */
  jw_object_begin(j);
  for (unsigned b = 1; b < MFU_BLAS3_COUNT; b++) {
    jw_key(j, mfu_blas3_routine_name(b));
    jw_object_begin(j);
    jw_key_u128(j, "calls", c->blas3[b].calls);
    jw_key_u128(j, "failed", c->blas3[b].failed);
    jw_key_u128(j, "flops", c->blas3[b].flops);
    jw_object_end(j);
  }
  jw_object_end(j);
  jw_key(j, "gemm_flops_by_dtype");
  jw_object_begin(j);
  for (unsigned p = 0; p < MFU_PREC_COUNT; p++)
    jw_key_u128(j, mfu_precision_name(p), c->flops_by_precision[p]);
  jw_object_end(j);
  jw_key(j, "gemm_calls_by_dtype");
  jw_object_begin(j);
  for (unsigned p = 0; p < MFU_PREC_COUNT; p++)
    jw_key_u128(j, mfu_precision_name(p), c->calls_by_precision[p]);
  jw_object_end(j);
  jw_key(j, "gemm_by_api");
  jw_object_begin(j);
  for (size_t i = 0; i < c->napis; i++) {
    jw_key(j, c->apis[i].name);
    jw_object_begin(j);
    jw_key_u128(j, "calls", c->apis[i].calls);
    jw_key_u128(j, "failed", c->apis[i].failed);
    jw_key_u128(j, "flops", c->apis[i].flops);
    jw_object_end(j);
  }
  jw_object_end(j);

  json_nccl_by_op(j, c);
  json_graphs(j, &job->graphs);

  json_utilization(j, r);
  report_profile_json(j, r);
  report_callsites_json(j, r);

  jw_key(j, "per_rank");
  jw_array_begin(j);
  for (size_t i = 0; i < job->nfiles; i++) json_per_rank(j, job->files[i], &r->u.ranks[i]);
  jw_array_end(j);
  jw_key(j, "incomplete_files");
  jw_array_begin(j);
  for (size_t i = 0; i < job->nfiles; i++)
    if (!job->files[i]->complete) json_incomplete(j, job->files[i]);
  for (size_t i = 0; i < r->t->nfiles; i++)
    if (!r->t->files[i].readable) json_incomplete(j, &r->t->files[i]);
  jw_array_end(j);
  key_strings(j, "warnings", &r->f.warnings);
  key_strings(j, "notes", &r->f.notes);
  jw_object_end(j);
}
