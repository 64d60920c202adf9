/* compare: see compare.h. */
#include "compare.h"

#include <math.h>

#include "sections.h"

#define N(a) (sizeof(a) / sizeof *(a))

static void runs(FILE *out, const struct report *a, const struct report *b) {
  const struct report *r[2] = {a, b};
  fprintf(out, "mfu compare\n");
  for (int i = 0; i < 2; i++)
    fprintf(out, "  %c  %s (job %s, %zu %s, %zu steps measured)\n", "AB"[i], r[i]->path,
            r[i]->j->job_id, r[i]->j->ranks, r[i]->j->ranks == 1 ? "rank" : "ranks", r[i]->u.steps);
}

/* A row of A, B, the change and (for the factors) the log-ratio, scaled for reading. */
static void pair_row(struct table *t, const char *name, const struct comparison_pair *p,
                     double scale, int decimals, bool log_ratio) {
  table_str(t, name);
  table_num(t, p->a * scale, decimals);
  table_num(t, p->b * scale, decimals);
  table_change(t, p->change, 2);
  table_num(t, log_ratio ? p->log_ratio : NAN, 4);
  table_end_row(t);
}

static void figures(FILE *out, const struct comparison *c, bool csv) {
  static const struct table_column cols[] = {{"figure", "figure", -16}, {"A", "a", 12},
                                             {"B", "b", 12}, {"change", "change_pct", 9},
                                             {"log-ratio", "log_ratio", 10}};
  struct table t;
  table_begin(&t, out, csv, "figures", "figures", cols, N(cols));
  pair_row(&t, "step time ms", &c->step_s, 1e3, 3, false);
  pair_row(&t, "MFU %", &c->figure[EFF_MFU], 100, 2, true);
  pair_row(&t, "HFU %", &c->hfu, 100, 2, false);
  for (int f = EFF_COVERAGE; f < EFF_COUNT; f++) pair_row(&t, efficiency_name[f], &c->figure[f], 1, 4, true);
  if (c->most >= 0)
    table_note(&t, "%s moved MFU most (%s): log-ratio %+.4f of the factors' %+.4f",
               efficiency_name[c->most], efficiency_meaning[c->most], c->figure[c->most].log_ratio,
               c->figure[c->most].log_ratio / c->most_share);
  else
    table_note(&t, "no factor is known in both runs (they need a GPU timeline)");
  table_note(&t, "(MFU is the product of the factors: their log-ratios add up to MFU's)");
  table_end(&t);
}

static void times(FILE *out, const struct comparison *c, bool csv) {
  static const struct table_column cols[] = {{"time", "time", -16}, {"A", "a_ms", 12},
                                             {"B", "b_ms", 12}, {"change", "change_pct", 9}};
  static const int order[] = {TIME_WINDOW, TIME_BUSY, TIME_IDLE, TIME_EXPOSED_COMM, CAT_GEMM,
                              CAT_ATTENTION, CAT_NCCL, CAT_OTHER, CAT_MEMCPY, CAT_MEMSET};
  if (isnan(c->time_s[TIME_WINDOW].a) && isnan(c->time_s[TIME_WINDOW].b)) return;
  struct table t;
  table_begin(&t, out, csv, "GPU time per step and rank, ms (categories overlap; idle and busy do not)",
              "gpu_time", cols, N(cols));
  for (size_t i = 0; i < N(order); i++) {
    const struct comparison_pair *p = &c->time_s[order[i]];
    table_str(&t, comparison_time_name[order[i]]);
    table_num(&t, p->a * 1e3, 3);
    table_num(&t, p->b * 1e3, 3);
    table_change(&t, p->change, 1);
    table_end_row(&t);
  }
  table_end(&t);
}

static void gemm(FILE *out, const struct comparison *c, size_t top, bool csv) {
  static const struct table_column cols[] = {
      REPORT_SHAPE_COLUMNS, {"A GPU ms", "a_gpu_ms", 10}, {"B GPU ms", "b_gpu_ms", 10},
      {"change", "change_pct", 8}, {"A TFLOP/s", "a_tflops", 10}, {"B TFLOP/s", "b_tflops", 10}};
  if (!c->ngemm) return;
  struct table t;
  table_begin(&t, out, csv, "GEMM shapes by GPU time", "gemm_shapes", cols, N(cols));
  size_t shown = csv || !top || c->ngemm < top ? c->ngemm : top;
  for (size_t i = 0; i < shown; i++) {
    const struct comparison_gemm *g = &c->gemm[i];
    const struct call_times_gemm *s = g->a ? &g->a->c : &g->b->c;
    report_shape_cells(&t, s);
    table_num(&t, g->gpu_s.a * 1e3, 3);
    table_num(&t, g->gpu_s.b * 1e3, 3);
    table_change(&t, g->gpu_s.change, 1);
    table_num(&t, g->achieved.a / 1e12, 2);
    table_num(&t, g->achieved.b / 1e12, 2);
    table_end_row(&t);
  }
  if (shown < c->ngemm) table_note(&t, "... %zu more shapes (--top N, or --json)", c->ngemm - shown);
  table_end(&t);
}

static void nccl(FILE *out, const struct comparison *c, bool csv) {
  static const struct table_column cols[] = {
      REPORT_NCCL_COLUMNS, {"A us", "a_time_us", 10}, {"B us", "b_time_us", 10}, {"A busbw", "a_busbw_gbps", 10},
      {"B busbw", "b_busbw_gbps", 10}, {"change", "change_pct", 8}};
  if (!c->nnccl) return;
  struct table t;
  table_begin(&t, out, csv, "NCCL by operation and size (time per call; busbw in GB/s)",
              "nccl_sizes", cols, N(cols));
  for (size_t i = 0; i < c->nnccl; i++) {
    const struct comparison_nccl *n = &c->nccl[i];
    const struct call_times_nccl *s = n->a ? &n->a->c : &n->b->c;
    report_nccl_cells(&t, s);
    table_num(&t, n->time_s.a * 1e6, 1);
    table_num(&t, n->time_s.b * 1e6, 1);
    table_num(&t, n->busbw.a / 1e9, 2);
    table_num(&t, n->busbw.b / 1e9, 2);
    table_change(&t, n->busbw.change, 1);
    table_end_row(&t);
  }
  table_end(&t);
}

void compare_text(FILE *out, const struct report *a, const struct report *b,
                  const struct comparison *c, size_t top, bool csv) {
  if (!csv) runs(out, a, b);
  figures(out, c, csv);
  times(out, c, csv);
  gemm(out, c, top, csv);
  nccl(out, c, csv);
}

static void key_pair(struct jw *j, const char *key, const struct comparison_pair *p) {
  jw_key(j, key);
  jw_object_begin(j);
  jw_key_double(j, "a", p->a);
  jw_key_double(j, "b", p->b);
  jw_key_double(j, "change", p->change);
  jw_key_double(j, "log_ratio", p->log_ratio);
  jw_object_end(j);
}

static void json_run(struct jw *j, const char *key, const struct report *r) {
  jw_key(j, key);
  jw_object_begin(j);
  jw_key_string(j, "path", r->path);
  jw_key_string(j, "job_id", r->j->job_id);
  jw_key_u128(j, "ranks", r->j->ranks);
  jw_key_u128(j, "steps", r->u.steps);
  jw_object_end(j);
}

void compare_json(FILE *out, const struct report *a, const struct report *b,
                  const struct comparison *c) {
  struct jw jo, *j = &jo;
  jw_init(j, out);
  jw_object_begin(j);
  json_run(j, "a", a);
  json_run(j, "b", b);
  jw_key(j, "figures");
  jw_object_begin(j);
  key_pair(j, "step_time_s", &c->step_s);
  key_pair(j, "hfu", &c->hfu);
  for (int f = 0; f < EFF_COUNT; f++) key_pair(j, efficiency_name[f], &c->figure[f]);
  jw_object_end(j);
  jw_key(j, "moved_mfu_most");
  if (c->most >= 0) {
    jw_object_begin(j);
    jw_key_string(j, "factor", efficiency_name[c->most]);
    jw_key_double(j, "log_ratio", c->figure[c->most].log_ratio);
    jw_key_double(j, "share", c->most_share);
    jw_object_end(j);
  } else {
    jw_null(j);
  }
  jw_key(j, "gpu_time_per_step_s");
  jw_object_begin(j);
  for (int t = 0; t < TIME_COUNT; t++) key_pair(j, comparison_time_name[t], &c->time_s[t]);
  jw_object_end(j);
  jw_key(j, "gemm_shapes");
  jw_array_begin(j);
  for (size_t i = 0; i < c->ngemm; i++) {
    const struct comparison_gemm *g = &c->gemm[i];
    const struct call_times_gemm *s = g->a ? &g->a->c : &g->b->c;
    jw_object_begin(j);
    report_shape_json(j, s);
    key_pair(j, "gpu_time_s", &g->gpu_s);
    key_pair(j, "achieved_flops_per_s", &g->achieved);
    jw_object_end(j);
  }
  jw_array_end(j);
  jw_key(j, "nccl_by_size");
  jw_array_begin(j);
  for (size_t i = 0; i < c->nnccl; i++) {
    const struct comparison_nccl *n = &c->nccl[i];
    const struct call_times_nccl *s = n->a ? &n->a->c : &n->b->c;
    jw_object_begin(j);
    report_nccl_json(j, s);
    key_pair(j, "time_per_call_s", &n->time_s);
    key_pair(j, "busbw_bytes_per_s", &n->busbw);
    jw_object_end(j);
  }
  jw_array_end(j);
  jw_object_end(j);
}
