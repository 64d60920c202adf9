/* profile_tables: where the GPU time went (metrics/profile.h), as tables (report.h). */
#include <math.h>

#include "sections.h"
#include "timeline/kernels.h"

#define N(a) (sizeof(a) / sizeof *(a))

static const char op_letter[] = "NTC"; /* cublasOperation_t */

void report_shape_cells(struct table *t, const struct call_times_gemm *s) {
  char ops[3] = {s->transa < 3 ? op_letter[s->transa] : '?', s->transb < 3 ? op_letter[s->transb] : '?', 0};
  table_uint(t, (unsigned long long)s->m);
  table_uint(t, (unsigned long long)s->n);
  table_uint(t, (unsigned long long)s->k);
  table_uint(t, (unsigned long long)s->batch);
  table_str(t, ops);
  table_str(t, mfu_precision_name(s->precision));
}

void report_nccl_cells(struct table *t, const struct call_times_nccl *s) {
  table_str(t, mfu_nccl_op_name(s->op));
  table_num(t, (double)s->bytes / 1e6, 3);
  if (s->comm_size > 0) table_uint(t, (unsigned long long)s->comm_size);
  else table_str(t, NULL);
}

static void gemm_shapes(FILE *out, const struct job_profile *p, size_t top, bool csv) {
  static const struct table_column cols[] = {
      REPORT_SHAPE_COLUMNS,    {"calls", "calls", 9},   {"TFLOP", "tflop", 10}, {"GPU ms", "gpu_ms", 10},
      {"share", "share_pct", 6}, {"TFLOP/s", "achieved_tflops", 8},
      {"of peak", "of_peak_pct", 8}};
  struct table t;
  table_begin(&t, out, csv, p->timeline ? "top GEMM shapes by GPU time (whole run, all ranks)"
                                        : "top GEMM shapes by FLOPs (whole run, all ranks)",
              "gemm_shapes", cols, N(cols));
  size_t shown = csv || !top || p->ngemm < top ? p->ngemm : top;
  for (size_t i = 0; i < shown; i++) {
    const struct profile_gemm *g = &p->gemm[i];
    report_shape_cells(&t, &g->c);
    table_uint(&t, g->c.calls);
    table_num(&t, g->c.flops / 1e12, 3);
    table_num(&t, p->timeline ? (double)g->c.gpu_ns / 1e6 : NAN, 3);
    table_pct(&t, g->share, 1);
    table_num(&t, g->achieved / 1e12, 2);
    table_pct(&t, g->of_peak, 1);
    table_end_row(&t);
  }
  if (!p->ngemm) table_note(&t, "(no GEMM call ran outside CUDA graphs)");
  if (shown < p->ngemm) table_note(&t, "... %zu more shapes (--top N, or --json)", p->ngemm - shown);
  if (!p->timeline && p->ngemm) table_note(&t, "no GPU timeline: GPU time and TFLOP/s unknown");
  table_end(&t);
}

static void kernels(FILE *out, const struct job_profile *p, size_t top, bool csv) {
  static const struct table_column cols[] = {{"category", "category", -9},
                                             {"kernel", "kernel", -60},
                                             {"count", "count", 9},
                                             {"GPU ms", "gpu_ms", 10},
                                             {"share", "share_pct", 6}};
  if (!p->timeline) return;
  struct table t;
  table_begin(&t, out, csv, "top kernels by GPU time, per category (whole run, all ranks)",
              "kernels", cols, N(cols));
  for (size_t i = 0, k; i < p->nkernels; i = k) {
    size_t shown = 0;
    for (k = i; k < p->nkernels && p->kernels[k].cat == p->kernels[i].cat; k++) {
      const struct profile_kernel *x = &p->kernels[k];
      if (!csv && top && shown == top) continue;
      char name[256];
      table_str(&t, activity_category_name[x->cat]);
      table_str(&t, x->name ? kernel_short_name(x->name, name, sizeof name) : "(all)");
      table_uint(&t, x->count);
      table_num(&t, (double)x->ns / 1e6, 3);
      table_pct(&t, x->share, 1);
      table_end_row(&t);
      shown++;
    }
    if (k - i > shown)
      table_note(&t, "%-9s ... %zu more kernels (--top N, or --json)",
                 activity_category_name[p->kernels[i].cat], k - i - shown);
  }
  table_end(&t);
}

static void nccl_sizes(FILE *out, const struct job_profile *p, bool csv) {
  static const struct table_column cols[] = {
      REPORT_NCCL_COLUMNS,             {"calls", "calls", 8},           {"time us", "time_us", 11}, {"algbw GB/s", "algbw_gbps", 10},
      {"busbw GB/s", "busbw_gbps", 10}};
  if (!p->nnccl) return;
  struct table t;
  table_begin(&t, out, csv, "NCCL by operation and size (GPU time per call; nccl-tests' algbw, busbw)",
              "nccl_sizes", cols, N(cols));
  for (size_t i = 0; i < p->nnccl; i++) {
    const struct profile_nccl *n = &p->nccl[i];
    report_nccl_cells(&t, &n->c);
    table_uint(&t, n->c.calls);
    table_num(&t, n->time_s * 1e6, 1);
    table_num(&t, n->algbw / 1e9, 2);
    table_num(&t, n->busbw / 1e9, 2);
    table_end_row(&t);
  }
  if (!p->timeline) table_note(&t, "no GPU timeline: time and bandwidth unknown");
  table_end(&t);
}

void report_profile_tables(FILE *out, const struct report *r, size_t top, bool csv) {
  gemm_shapes(out, &r->p, top, csv);
  kernels(out, &r->p, top, csv);
  nccl_sizes(out, &r->p, csv);
}
