/* csv: the report as CSV tables for spreadsheets (report.h): each after a "# NAME" line, every
 * row (no cuts, no totals), the same numbers as the text's (report/table.h). */
#include <math.h>

#include "format.h"
#include "report.h"
#include "sections.h"

#define N(a) (sizeof(a) / sizeof *(a))

/* The job's figures in one row: runs side by side in a spreadsheet, one row each. */
static void summary(FILE *out, const struct report *r) {
  static const struct table_column cols[] = {
      {"", "job", 0},          {"", "ranks", 0},        {"", "world_size", 0},
      {"", "steps", 0},        {"", "step_s", 0},       {"", "mfu_pct", 0},
      {"", "hfu_pct", 0},      {"", "counted_tflop_per_step", 0},
      {"", "model_tflop_per_step", 0}, {"", "peak", 0}};
  const struct job_utilization *u = &r->u;
  const struct rank_utilization *s = r->f.shown;
  struct table t;
  table_begin(&t, out, true, NULL, "summary", cols, N(cols));
  table_str(&t, r->j->job_id);
  table_uint(&t, r->j->ranks);
  table_num(&t, r->j->world_size > 0 ? r->j->world_size : NAN, 0);
  table_uint(&t, u->steps);
  table_num(&t, s ? u->step_s : NAN, 6);
  table_pct(&t, u->mfu, 2);
  table_pct(&t, u->hfu, 2);
  table_num(&t, s ? s->counted_flops / 1e12 : NAN, 3);
  table_num(&t, s ? s->model_flops / 1e12 : NAN, 3);
  table_str(&t, s && !isnan(s->peak) ? s->peak_label : NULL);
  table_end_row(&t);
  table_end(&t);
}

static void list(FILE *out, const char *id, const struct mfu_strings *l) {
  static const struct table_column cols[] = {{"", "text", 0}};
  struct table t;
  table_begin(&t, out, true, NULL, id, cols, N(cols));
  for (size_t i = 0; i < l->n; i++) {
    table_str(&t, l->v[i]);
    table_end_row(&t);
  }
  table_end(&t);
}

void report_csv(FILE *out, const struct report *r) {
  summary(out, r);
  report_count_tables(out, r, 0, true);
  report_rank_table(out, r, 0, true);
  if (r->f.shown) report_step_table(out, r, true);
  if (r->u.timeline) report_waterfall_table(out, r, true);
  if (r->f.shown) report_pace_table(out, r, true);
  report_profile_tables(out, r, 0, true);
  if (r->by_phase) report_phase_table(out, r, true);
  if (r->by_callsite) report_callsite_tables(out, r, 0, true);
  list(out, "notes", &r->f.notes);
  list(out, "warnings", &r->f.warnings);
}
