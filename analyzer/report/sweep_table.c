/* sweep_table: see sweep_table.h. */
#include "sweep_table.h"

#include "table.h"

#define N(a) (sizeof(a) / sizeof *(a))

static void text(FILE *out, const struct sweep_point *p, size_t n) {
  static const struct table_column cols[] = {
      {"batch", "batch", 6}, {"seq", "seq", 6},          {"outcome", "outcome", -14},
      {"step ms", "", 10},   {"tokens/s", "", 11},       {"MFU", "", 7},
      {"HFU", "", 7},        {"memory", "", 7},          {"comm", "", 7},
      {"parallel", "", 8}};
  struct table t;
  table_begin(&t, out, false, "sweep", NULL, cols, N(cols));
  for (size_t i = 0; i < n; i++) {
    table_uint(&t, (unsigned long long)p[i].batch);
    table_uint(&t, (unsigned long long)p[i].seq);
    table_str(&t, sweep_outcome_text(p[i].outcome));
    table_num(&t, p[i].step_s * 1e3, 3);
    table_num(&t, p[i].tokens_per_s, 0);
    table_pct(&t, p[i].mfu, 2);
    table_pct(&t, p[i].hfu, 2);
    table_num(&t, p[i].factor[EFF_MEMORY], 4);
    table_num(&t, p[i].factor[EFF_COMM], 4);
    table_num(&t, p[i].factor[EFF_PARALLEL], 4);
    table_end_row(&t);
  }
  table_end(&t);
}

static void csv(FILE *out, const struct sweep_point *p, size_t n) {
  static const struct table_column cols[] = {
      {"", "batch", 0},        {"", "seq", 0},          {"", "outcome", 0},
      {"", "exit_status", 0},  {"", "wall_s", 0},       {"", "ranks", 0},
      {"", "steps", 0},        {"", "step_s", 0},       {"", "tokens_per_s", 0},
      {"", "mfu", 0},          {"", "hfu", 0},          {"", "coverage", 0},
      {"", "kernel", 0},       {"", "memory", 0},       {"", "communication", 0},
      {"", "parallelism", 0},  {"", "counted_flops_per_step", 0}};
  struct table t;
  table_begin(&t, out, true, NULL, NULL, cols, N(cols));
  for (size_t i = 0; i < n; i++) {
    table_uint(&t, (unsigned long long)p[i].batch);
    table_uint(&t, (unsigned long long)p[i].seq);
    table_str(&t, sweep_outcome_key(p[i].outcome));
    table_num(&t, p[i].exit_status, 0);
    table_num(&t, p[i].wall_s, 3);
    table_uint(&t, p[i].ranks);
    table_uint(&t, p[i].steps);
    table_num(&t, p[i].step_s, 6);
    table_num(&t, p[i].tokens_per_s, 1);
    table_num(&t, p[i].mfu, 6);
    table_num(&t, p[i].hfu, 6);
    for (int f = EFF_COVERAGE; f < EFF_COUNT; f++) table_num(&t, p[i].factor[f], 6);
    table_num(&t, p[i].counted_flops, 0);
    table_end_row(&t);
  }
}

void sweep_table(FILE *out, const struct sweep_point *p, size_t n, bool as_csv) {
  if (as_csv) csv(out, p, n);
  else text(out, p, n);
}
