/* step_tables: a rank's steps (metrics/step_summary.h) and the ranks' pace with the likely
 * straggler (metrics/straggler.h), as tables (report.h, sections.h). */
#include <math.h>
#include <string.h>

#include "format.h"
#include "sections.h"
#include "table.h"

#define N(a) (sizeof(a) / sizeof *(a))
#define PACE_SHOWN 3 /* slowest and fastest ranks listed when there are many */

/* Heights 0..STEP_SUMMARY_LEVELS-1 as block characters (UTF-8). */
static const char *const spark[STEP_SUMMARY_LEVELS] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                                       "\u2585", "\u2586", "\u2587", "\u2588"};

void report_step_table(FILE *out, const struct report *r, bool csv) {
  static const struct table_column cols[] = {{"step", "step", 7},
                                             {"time ms", "time_ms", 11},
                                             {"counted TFLOP", "counted_tflop", 14},
                                             {"NCCL MB", "nccl_mb", 11},
                                             {"MFU", "mfu_pct", 8},
                                             {"which", "which", -1}};
  const struct rank_utilization *u = r->f.shown;
  const struct step_summary *s = &r->steps;
  const struct rank_steps *st = &u->file->steps;
  char rank[16], title[160];
  snprintf(title, sizeof title, "steps of rank %s%s", format_rank(u->file, rank),
           s->condensed ? " (the first, median, p90, slowest and last; --steps all lists all)" : "");
  struct table t;
  table_begin(&t, out, csv, title, "steps", cols, N(cols));
  for (size_t k = 0; k < s->nrows; k++) {
    size_t i = s->rows[k].step;
    const struct rank_step *x = &st->steps[i];
    char which[80];
    snprintf(which, sizeof which, "%s%s%s", s->rows[k].label,
             s->rows[k].label[0] && (i < u->first || i + 1 == st->nsteps) ? "; " : "",
             i < u->first ? "warm-up" : i + 1 == st->nsteps ? "end unknown" : "");
    table_uint(&t, i);
    table_num(&t, (double)(x->end_ns - x->start_ns) / 1e6, 3);
    table_num(&t, x->gemm_flops / 1e12, 3);
    table_num(&t, x->nccl_bytes / 1e6, 3);
    table_pct(&t, u->step_mfu ? u->step_mfu[i] : NAN, 2);
    table_str(&t, which);
    table_end_row(&t);
  }
  if (s->condensed && s->width && !csv) {
    fprintf(out, "  steps %zu-%zu  ", s->first, s->last);
    for (size_t c = 0; c < s->width; c++) fputs(spark[s->level[c]], out);
    fprintf(out, "  %.3f to %.3f ms%s; median %.3f, p90 %.3f\n", s->min_s * 1e3, s->max_s * 1e3,
            s->width < s->last - s->first + 1 ? " (each mark the mean of its steps)" : "",
            s->median_s * 1e3, s->p90_s * 1e3);
  }
  table_end(&t);
}

static void pace_row(struct table *t, const struct rank_utilization *u, const char *path) {
  char rank[16];
  table_str(t, format_rank(u->file, rank));
  table_str(t, u->file->header.hostname);
  table_num(t, u->step_s * 1e3, 3);
  table_num(t, u->nccl_s * 1e3, 3);
  table_num(t, (u->step_s - u->nccl_s) * 1e3, 3);
  table_pct(t, u->mfu, 2);
  table_str(t, path);
  table_end_row(t);
}

void report_pace_table(FILE *out, const struct report *r, bool csv) {
  static const struct table_column cols[] = {
      {"rank", "rank", 7},     {"host", "host", -20},        {"step ms", "step_ms", 10},
      {"NCCL ms", "nccl_ms", 10}, {"outside ms", "outside_nccl_ms", 11}, {"MFU", "mfu_pct", 8},
      {"file", "file", -1}};
  const struct job_utilization *u = &r->u;
  if (!u->straggler_known) return;
  struct table t;
  table_begin(&t, out, csv, "ranks by time per step outside NCCL kernels, the slowest first",
              "pace", cols, N(cols));
  size_t n = u->measured;
  bool cut = !csv && n > 2 * PACE_SHOWN + 1;
  for (size_t k = 0; k < n; k++) {
    if (cut && k == PACE_SHOWN) {
      table_note(&t, "... %zu ranks between (--json ranks_by_work lists all)", n - 2 * PACE_SHOWN);
      k = n - PACE_SHOWN;
    }
    const struct rank_utilization *x = &u->ranks[u->by_work[k]];
    pace_row(&t, x, format_within(r->path, x->file->path));
  }
  const struct rank_utilization *slow = &u->ranks[u->straggler.slowest];
  const struct rank_utilization *fast = &u->ranks[u->straggler.fastest];
  char a[16], b[16];
  if (u->straggler.stands_out)
    table_note(&t, "likely straggler: rank %s (%s): %.3f ms per step, %.3f ms of it in NCCL "
               "kernels; the fastest, rank %s: %.3f ms, %.3f ms in NCCL (%.3f ms less outside "
               "NCCL)", format_rank(slow->file, a), slow->file->header.hostname, slow->step_s * 1e3,
               slow->nccl_s * 1e3, format_rank(fast->file, b), fast->step_s * 1e3,
               fast->nccl_s * 1e3, u->straggler.spread_s * 1e3);
  else
    table_note(&t, "no straggler: the %zu ranks' step times and time outside NCCL are within "
               "%.0f%% of each other", n, 100 * STRAGGLER_TOLERANCE);
  table_end(&t);
}

/* From the peak down to MFU, one factor at a time: each row's running product is what is left
 * of the peak after it. */
void report_waterfall_table(FILE *out, const struct report *r, bool csv) {
  const struct efficiency *e = &r->u.eff;
  static const struct table_column cols[] = {{"factor", "factor", -14},
                                             {"value", "value", 9},
                                             {"running", "running_pct", 9},
                                             {"what it measures", "what", -1}};
  struct table t;
  table_begin(&t, out, csv, "from peak to MFU", "waterfall", cols, N(cols));
  table_str(&t, "peak");
  table_str(&t, "");
  table_pct(&t, 1, 2);
  table_str(&t, "");
  table_end_row(&t);
  double running = 1;
  for (int f = EFF_COVERAGE; f < EFF_COUNT; f++) {
    char what[256];
    running *= e->value[f];
    snprintf(what, sizeof what, "%s%s%s%s", efficiency_meaning[f], e->why[f] ? " (" : "",
             e->why[f] ? e->why[f] : "", e->why[f] ? ")" : "");
    table_str(&t, efficiency_name[f]);
    if (r->colour && e->value[f] < WATERFALL_LOW)
      table_paint(&t, e->value[f] < WATERFALL_BAD ? TABLE_RED : TABLE_YELLOW);
    table_num(&t, e->value[f], 4);
    table_pct(&t, running, 2); /* NaN from an unknown factor on: unknown */
    table_str(&t, what);
    table_end_row(&t);
  }
  if (csv) {
    table_str(&t, "MFU");
    table_num(&t, e->value[EFF_MFU], 4);
    table_pct(&t, e->value[EFF_MFU], 2);
    table_str(&t, efficiency_meaning[EFF_MFU]);
    table_end_row(&t);
  } else if (isnan(e->value[EFF_MFU])) {
    table_note(&t, "= MFU           -");
  } else {
    table_note(&t, "= MFU          %s%6.2f%%%s", r->colour ? TABLE_BOLD : "",
               100 * e->value[EFF_MFU], r->colour ? TABLE_RESET : "");
  }
  table_end(&t);
}
