/* text: the report as tables for people (report.h). */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "format.h"
#include "report.h"
#include "sections.h"
#include "trace/names.h"

static double tflop(unsigned __int128 flops) { return (double)flops / 1e12; }
static double gigabytes(unsigned __int128 bytes) { return (double)bytes / 1e9; }

static void print_header(FILE *out, const struct report *r) {
  const struct mfu_job *j = r->j;
  const struct mfu_file *first = j->files[0];
  char when[32];
  fprintf(out, "mfu report of %s\n", r->path);
  fprintf(out, "  job       %s", j->job_id[0] ? j->job_id : "(no job id)");
  if (format_time(when, j->started_realtime_ns, "%Y-%m-%d %H:%M:%S UTC"))
    fprintf(out, ", started %s", when);
  fprintf(out, "\n  ranks     %zu", j->ranks);
  if (j->world_size > 0) fprintf(out, " of world size %d", j->world_size);
  fprintf(out, ", %zu trace file%s\n", j->nfiles, j->nfiles == 1 ? "" : "s");
  double span = span_s(j->start_realtime_ns, j->end_realtime_ns);
  if (j->start_realtime_ns)
    fprintf(out, "  span      %.3f %s from the first traced call to the last\n",
            span < 1 ? span * 1e3 : span, span < 1 ? "ms" : "s");
  size_t len = strlen(first->header.cmdline);
  fprintf(out, "  command   %.100s%s", first->header.cmdline, len > 100 ? "..." : "");
  fprintf(out, "  (pid %d on %s)\n", (int)first->header.pid, first->header.hostname);
  /* A library's functions are found when the program first calls one: a library that none of
   * the files' processes called is "never called", not a failure. */
  fprintf(out, "  hooks     called:");
  for (size_t h = 0, n = 0; h < TRACE_HOOK_COUNT; h++)
    if (r->f.hook_files[h])
      fprintf(out, "%s %s (%zu/%zu files)", n++ ? "," : "", trace_hooks[h].label,
              r->f.hook_files[h], j->nfiles);
  fprintf(out, "; never called:");
  for (size_t h = 0, n = 0; h < TRACE_HOOK_COUNT; h++)
    if (!r->f.hook_files[h]) fprintf(out, "%s %s", n++ ? "," : "", trace_hooks[h].label);
  fputc('\n', out);
}

/* One line when the job used CUDA graphs: what their launches added to the tables above. */
static void print_graphs(FILE *out, const struct report *r) {
  const struct mfu_graph_counts *g = &r->j->graphs;
  const struct counts_share *w = &g->launched;
  if (!g->captures && !g->launches) return;
  fprintf(out, "\nCUDA graphs: %" PRIu64 " %s of %" PRIu64 " %s ran %" PRIu64 " GEMM %s (%.3f "
          "TFLOP)", g->launches, mfu_plural(g->launches, "launch", "launches"), g->executables,
          mfu_plural(g->executables, "executable", "executables"), w->gemm_calls,
          mfu_plural(w->gemm_calls, "call", "calls"), tflop(w->gemm_flops));
  if (w->nccl_calls)
    fprintf(out, " and %" PRIu64 " NCCL %s (%.3f GB)", w->nccl_calls,
            mfu_plural(w->nccl_calls, "call", "calls"), gigabytes(w->nccl_bytes));
  fprintf(out, " captured in %" PRIu64 " %s\n", g->captures,
          mfu_plural(g->captures, "capture", "captures"));
}

static void print_percent(FILE *out, const char *label, double v) {
  if (isnan(v)) fprintf(out, "%s  -", label);
  else fprintf(out, "%s %6.2f%%", label, 100 * v);
}

static void print_utilization(FILE *out, const struct report *r) {
  const struct job_utilization *u = &r->u;
  const struct rank_utilization *s = r->f.shown;
  if (!s) return;
  const struct rank_steps *st = &s->file->steps;
  fprintf(out, "\nsteps\n  found      %zu (every %zu calls, confidence %.2f); %zu warm-up and the "
               "last left out; %zu measured on %s\n",
          st->nsteps, st->period, st->score, s->first, u->steps,
          st->steps[0].gpu_window ? "the GPU timeline" : "host time");
  fprintf(out, "  method     %s\n", st->method);
  fprintf(out, "  step time  %.6f s (the slowest rank's mean)\n", u->step_s);
  fprintf(out, "  counted    %.3f TFLOP per step (%s)\n", s->counted_flops / 1e12,
          format_within(r->path, s->file->path));
  if (!isnan(s->model_flops))
    fprintf(out, "  model      %.3f TFLOP per step per rank (formula: global batch %" PRId64 " x seq %"
            PRId64 " over %zu rank%s)\n", s->model_flops / 1e12, u->work.batch, u->work.seq,
            u->world, u->world == 1 ? "" : "s");
  if (!isnan(s->peak)) fprintf(out, "  peak       %s per device\n", s->peak_label);
  print_percent(out, "  MFU       ", u->mfu);
  print_percent(out, "    HFU", u->hfu);
  fputc('\n', out);
  report_step_table(out, r, false);
  if (u->timeline) report_waterfall_table(out, r, false);
  report_pace_table(out, r, false);
}

/* `sgr`: the title's and the dashes' colour (NULL: none), so that warnings stand out. */
static void print_list(FILE *out, const char *title, const struct mfu_strings *l, const char *sgr) {
  if (!l->n) return;
  const char *on = sgr ? sgr : "", *off = sgr ? TABLE_RESET : "";
  fprintf(out, "\n%s%s%s\n", on, title, off);
  for (size_t i = 0; i < l->n; i++) fprintf(out, "  %s-%s %s\n", on, off, l->v[i]);
}

/* The counts in two lines, for the summary that fits one screen (--full has the tables). */
static void print_counts(FILE *out, const struct report *r) {
  const struct mfu_counts *c = &r->j->totals;
  fprintf(out, "  GEMMs     %" PRIu64 " %s (%" PRIu64 " failed), %.3f TFLOP", c->gemm_calls,
          mfu_plural(c->gemm_calls, "call", "calls"), c->gemm_failed, tflop(c->gemm_flops));
  for (unsigned p = 0, n = 0; p < MFU_PREC_COUNT; p++)
    if (c->flops_by_precision[p])
      fprintf(out, "%s %s %.1f%%", n++ ? "," : ":", mfu_precision_name(p),
              100 * (double)c->flops_by_precision[p] / (double)c->gemm_flops);
  fputc('\n', out);
  if (c->blas3_calls || c->blas3_failed) {
    fprintf(out, "  BLAS-3    %" PRIu64 " %s (%" PRIu64 " failed), %.3f TFLOP", c->blas3_calls,
            mfu_plural(c->blas3_calls, "call", "calls"), c->blas3_failed, tflop(c->blas3_flops));
    for (unsigned b = 1, n = 0; b < MFU_BLAS3_COUNT; b++)
      if (c->blas3[b].calls)
        fprintf(out, "%s %s %" PRIu64, n++ ? "," : ":", mfu_blas3_routine_name(b), c->blas3[b].calls);
    fputs(" (not GEMMs: in no MFU or HFU)\n", out);
  }
  if (!r->f.nccl) return;
  fprintf(out, "  NCCL      %" PRIu64 " %s (%" PRIu64 " failed), %.3f GB", c->nccl_calls,
          mfu_plural(c->nccl_calls, "call", "calls"), c->nccl_failed, gigabytes(c->nccl_bytes));
  for (unsigned op = 0, n = 0; op < MFU_NCCL_OP_COUNT; op++)
    if (mfu_nccl_op_moves_data(op) && c->nccl_ops[op].calls)
      fprintf(out, "%s %s %" PRIu64, n++ ? "," : ":", mfu_nccl_op_name(op), c->nccl_ops[op].calls);
  fputc('\n', out);
}

void report_text(FILE *out, const struct report *r, size_t max_rows) {
  print_header(out, r);
  if (r->full) {
    report_count_tables(out, r, max_rows, false);
  } else {
    print_counts(out, r);
    fprintf(out, "  more      --full: calls by precision, API, NCCL operation and rank, and "
                 "where the GPU time went\n");
  }
  print_graphs(out, r);
  if (r->full) report_rank_table(out, r, max_rows, false);
  print_utilization(out, r);
  if (r->full) report_profile_tables(out, r, r->top, false);
  if (r->by_phase) report_phase_table(out, r, false);
  if (r->by_callsite) report_callsite_tables(out, r, r->top, false);
  print_list(out, "notes", &r->f.notes, NULL);
  print_list(out, "warnings", &r->f.warnings, r->colour ? TABLE_BOLD TABLE_YELLOW : NULL);
}
