/* findings: see findings.h. */
#include "findings.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "plausibility.h"
#include "trace/names.h"
#include "util/alloc.h"
#include "util/grouped.h"
#include "util/u128.h"

/* Several ranks by the launcher's word: a world size above 1, or a rank above 0. (Files of
 * unknown rank may be unrelated programs started by one shell.) */
static bool several_ranks(const struct mfu_job *j) {
  for (size_t i = 0; i < j->nfiles; i++)
    if (j->files[i]->header.rank > 0) return true;
  return j->world_size > 1;
}

/* Whether the job made NCCL calls (f->nccl), and what to say about them: a job of several
 * ranks without any most likely hid them from the shim. */
static void gather_nccl(struct findings *f, const struct mfu_job *j) {
  const struct mfu_counts *c = &j->totals;
  char *failed = NULL;
  size_t len, nfailed = 0;
  FILE *m = open_memstream(&failed, &len);
  for (unsigned op = 0; op < MFU_NCCL_OP_COUNT; op++) {
    const struct mfu_nccl_stats *s = &c->nccl_ops[op];
    f->nccl |= s->calls || s->failed;
    if (s->failed && !mfu_nccl_op_moves_data(op) && m)
      fprintf(m, "%s%s %" PRIu64, nfailed++ ? ", " : "", mfu_nccl_op_name(op), s->failed);
  }
  if (m) fclose(m);
  if (several_ranks(j) && !c->nccl_calls && !c->nccl_failed)
    mfu_strings_add(&f->warnings, "0 NCCL calls intercepted: NCCL may be linked statically or "
                                  "loaded with RTLD_DEEPBIND, which a preloaded shim cannot see "
                                  "(or the ranks communicate without NCCL)");
  else if (c->nccl_failed && !c->nccl_calls)
    mfu_strings_add(&f->notes, "every NCCL data call failed (returned an error status), so no "
                               "bytes were counted: was a GPU available to the program?");
  if (nfailed) mfu_strings_addf(&f->notes, "NCCL group and communicator calls failed: %s", failed);
  free(failed);
}

/* Captured work that no launch ran: not counted, and said. */
static void gather_graphs(struct findings *f, const struct mfu_job *j) {
  const struct mfu_graph_counts *g = &j->graphs;
  char flops[U128_DEC_SIZE], bytes[U128_DEC_SIZE];
  if (!g->unlaunched_captures) return;
  mfu_strings_addf(&f->notes,
                   "%" PRIu64 " CUDA graph %s never launched (not instantiated, or "
                   "their executables not launched): the %" PRIu64 " GEMM %s (%s FLOPs) and %"
                   PRIu64 " NCCL %s (%s bytes) captured there are not counted",
                   g->unlaunched_captures, mfu_plural(g->unlaunched_captures, "capture was",
                                                  "captures were"),
                   g->unlaunched.gemm_calls, mfu_plural(g->unlaunched.gemm_calls, "call", "calls"),
                   u128_to_dec(flops, g->unlaunched.gemm_flops), g->unlaunched.nccl_calls,
                   mfu_plural(g->unlaunched.nccl_calls, "call", "calls"),
                   u128_to_dec(bytes, g->unlaunched.nccl_bytes));
}

/* "steps 2 to 4", "steps 10 to the end", "seconds 1.5 to 3", "seconds 30 to the end" */
static void window_span(const struct mfu_file_header *h, char *out, size_t n) {
  bool steps = h->window_kind == MFU_WINDOW_STEPS;
  double scale = steps ? 1 : 1e-9;
  if (h->window_last == UINT64_MAX)
    snprintf(out, n, "%s %g to the end", steps ? "steps" : "seconds", (double)h->window_first * scale);
  else
    snprintf(out, n, "%s %g to %g", steps ? "steps" : "seconds", (double)h->window_first * scale,
             (double)h->window_last * scale);
}

/* What a recording window (MFU_STEPS, MFU_WINDOW_S) left in the files: a note of what they
 * cover, or a warning where it never opened; said once for the ranks that share it. */
static void gather_windows(struct findings *f, const struct mfu_job *j) {
  struct mfu_grouped notes = {0}, warnings = {0};
  char rank[16];
  for (size_t i = 0; i < j->nfiles; i++) {
    const struct mfu_file_header *h = &j->files[i]->header;
    if (h->window_kind != MFU_WINDOW_STEPS && h->window_kind != MFU_WINDOW_TIME) continue;
    char span[96], range[128] = "", what[400];
    window_span(h, span, sizeof span);
    if (h->window_kind == MFU_WINDOW_STEPS)
      snprintf(range, sizeof range, ", a step being an NVTX range matching '%.*s'",
               (int)sizeof h->window_step_range, h->window_step_range);
    long r = h->rank;
    if (r >= 0) snprintf(rank, sizeof rank, "rank %ld", r);
    else snprintf(rank, sizeof rank, "rank ?");
    if (!(h->window_state & MFU_WINDOW_OPENED)) {
      snprintf(what, sizeof what, "recorded nothing: their window (%s%s) never opened", span, range);
      char *m = h->window_kind == MFU_WINDOW_STEPS
                    ? mfu_xasprintf("%s (%s) recorded nothing: its window (%s%s) never opened, as "
                                    "the run began %llu step range%s", rank, j->files[i]->path, span,
                                    range, (unsigned long long)h->window_steps,
                                    h->window_steps == 1 ? "" : "s")
                    : mfu_xasprintf("%s (%s) recorded nothing: its window (%s) never opened, as "
                                    "the run ended first", rank, j->files[i]->path, span);
      mfu_grouped_add(&warnings, what, what, r, m, false);
      continue;
    }
    bool cut = !(h->window_state & MFU_WINDOW_CLOSED) && h->window_last != UINT64_MAX;
    snprintf(what, sizeof what, "recorded %s only (%s%s)%s: the counts, steps and times cover "
             "that window; the calls outside it were not written", span,
             h->window_kind == MFU_WINDOW_STEPS ? "MFU_STEPS" : "MFU_WINDOW_S", range,
             cut ? ", and the run ended inside it" : "");
    mfu_grouped_add(&notes, what, what, r,
                    mfu_xasprintf("%s %s (%llu of them)", rank, what,
                                  (unsigned long long)h->window_outside), false);
  }
  mfu_grouped_flush(&warnings, &f->warnings);
  mfu_grouped_flush(&notes, &f->notes);
}

static void gather_utilization(struct findings *f, const struct job_utilization *u,
                               const struct utilization_options *o) {
  for (size_t i = 0; i < u->nranks && !f->shown; i++)
    if (u->ranks[i].used) f->shown = &u->ranks[i];
  if (!f->shown) {
    mfu_strings_addf(&f->notes, "no training steps found, so no step time, MFU or HFU: %s",
                     u->nranks ? u->ranks[0].why : "no rank");
    return;
  }
  /* Said once per reason, however many ranks share it. */
  struct mfu_grouped unmeasured = {0}, no_peak = {0};
  for (size_t i = 0; i < u->nranks; i++) {
    const struct rank_utilization *r = &u->ranks[i];
    const struct mfu_file *file = r->file;
    char *what = r->used ? mfu_xasprintf("have %s", r->why)  /* "no peak: ..." */
                         : mfu_xasprintf("were not measured: %s", r->why);
    if (!r->used && file->counts.gemm_calls)
      mfu_grouped_add(&unmeasured, r->why, what, file->header.rank,
                      mfu_xasprintf("rank file %s: %s", file->path, r->why), false);
    else if (r->used && isnan(r->peak))
      mfu_grouped_add(&no_peak, r->why, what, file->header.rank,
                      mfu_xasprintf("%s: %s", file->path, r->why), false);
    free(what);
  }
  mfu_grouped_flush(&unmeasured, &f->warnings);
  mfu_grouped_flush(&no_peak, &f->notes);
  plausibility_check(&f->warnings, u, o);
  if (!o->have_model)
    mfu_strings_add(&f->notes, "no model given: MFU needs the model's FLOPs (--preset, --config or "
                               "the shape flags, with --batch, the global batch of all ranks "
                               "together, and --seq); HFU is from the FLOPs counted");
  if (!u->timeline)
    mfu_strings_addf(&f->notes, "no GPU timeline (CUPTI %s): the efficiency factors are "
                                "unavailable, and steps are timed on the host",
                     trace_cupti_state_text(f->shown->file->header.cupti_state));
}

void findings_gather(struct findings *f, const char *path, const struct mfu_traces *t,
                     const struct mfu_job *j, bool job_chosen,
                     const struct utilization_options *o, const struct job_utilization *u) {
  *f = (struct findings){0};
  const struct mfu_counts *c = &j->totals;
  if (!job_chosen && t->njobs > 1) {
    char *others = NULL;
    size_t len;
    FILE *m = open_memstream(&others, &len);
    if (m) {
      for (size_t i = 1; i < t->njobs; i++)
        fprintf(m, "%s'%s'", i > 1 ? ", " : "", t->jobs[i].job_id);
      fclose(m);
    }
    mfu_strings_addf(&f->warnings,
                     "%s holds %zu jobs; this report is of the most recent, '%s'; the others: %s "
                     "(choose one with --job ID)",
                     path, t->njobs, j->job_id, others ? others : "?");
    free(others);
  }
  for (size_t i = 0; i < t->warnings.n; i++) mfu_strings_add(&f->warnings, t->warnings.v[i]);
  for (size_t i = 0; i < j->warnings.n; i++) mfu_strings_add(&f->warnings, j->warnings.v[i]);

  for (size_t i = 0; i < j->nfiles; i++)
    for (size_t h = 0; h < TRACE_HOOK_COUNT; h++)
      f->hook_files[h] += (j->files[i]->header.hooks_resolved & trace_hooks[h].bit) != 0;

  if (!c->gemm_calls && !c->gemm_failed)
    mfu_strings_add(&f->notes, "no GEMM call was intercepted: the program made none, or reached "
                               "cuBLAS where the shim cannot see it (static linking, "
                               "RTLD_DEEPBIND)");
  else if (!c->gemm_calls)
    mfu_strings_add(&f->notes, "every GEMM call failed (returned an error status), so no FLOPs "
                               "were counted: was a GPU available to the program?");
  gather_nccl(f, j);
  gather_graphs(f, j);
  gather_windows(f, j);
  gather_utilization(f, u, o);
}

void findings_free(struct findings *f) {
  mfu_strings_free(&f->warnings);
  mfu_strings_free(&f->notes);
}
