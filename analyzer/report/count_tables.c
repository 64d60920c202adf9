/* count_tables: what the shim counted, as tables (report.h, sections.h): GEMM FLOPs by
 * precision, GEMM calls by API, the other Level-3 BLAS calls by routine (in jobs that made
 * some), NCCL data movements by operation, and each rank's counts.
 * Text rows that sum or cut a table (total, "N more") are for people; CSV lists every row. */
#include <inttypes.h>

#include "format.h"
#include "sections.h"
#include "trace/names.h"
#include "util/u128.h"

#define N(a) (sizeof(a) / sizeof *(a))

static double tflop(unsigned __int128 flops) { return (double)flops / 1e12; }
static double gigabytes(unsigned __int128 bytes) { return (double)bytes / 1e9; }

/* Rows of a table of n shown when at most max_rows fit (0 or CSV: no limit). */
static size_t rows_shown(size_t n, size_t max_rows, bool csv) {
  return !csv && max_rows && n > max_rows ? max_rows : n;
}

static void precisions(FILE *out, const struct mfu_counts *c, bool csv) {
  static const struct table_column cols[] = {{"precision", "precision", -10},
                                             {"calls", "calls", 12},
                                             {"FLOPs", "flops", 26},
                                             {"TFLOP", "tflop", 14},
                                             {"share", "share_pct", 7}};
  struct table t;
  char dec[U128_DEC_SIZE];
  table_begin(&t, out, csv, "GEMM FLOPs by precision", "gemm_by_precision", cols, N(cols));
  for (unsigned p = 0; p < MFU_PREC_COUNT; p++) {
    if (!c->calls_by_precision[p]) continue;
    table_str(&t, mfu_precision_name(p));
    table_uint(&t, c->calls_by_precision[p]);
    table_str(&t, u128_to_dec(dec, c->flops_by_precision[p]));
    table_num(&t, tflop(c->flops_by_precision[p]), 3);
    table_pct(&t, c->gemm_flops ? (double)c->flops_by_precision[p] / (double)c->gemm_flops : 0, 1);
    table_end_row(&t);
  }
  if (!c->gemm_calls) table_note(&t, "(no successful GEMM call)");
  table_end(&t);
}

static void api_row(struct table *t, const struct mfu_api_stats *a) {
  char dec[U128_DEC_SIZE];
  table_str(t, a->name);
  table_uint(t, a->calls);
  table_uint(t, a->failed);
  table_str(t, u128_to_dec(dec, a->flops));
  table_num(t, tflop(a->flops), 3);
  table_end_row(t);
}

static void apis(FILE *out, const struct mfu_counts *c, size_t max_rows, bool csv) {
  static const struct table_column cols[] = {{"API", "api", -32},
                                             {"calls", "calls", 12},
                                             {"failed", "failed", 8},
                                             {"FLOPs", "flops", 26},
                                             {"TFLOP", "tflop", 14}};
  struct table t;
  table_begin(&t, out, csv, "GEMM calls by API", "gemm_by_api", cols, N(cols));
  size_t shown = rows_shown(c->napis, max_rows, csv);
  for (size_t i = 0; i < shown; i++) api_row(&t, &c->apis[i]);
  if (!csv) {
    struct mfu_api_stats rest = {0}, total = {"total", c->gemm_calls, c->gemm_failed, c->gemm_flops};
    snprintf(rest.name, sizeof rest.name, "(%zu more APIs)", c->napis - shown);
    for (size_t i = shown; i < c->napis; i++) {
      rest.calls += c->apis[i].calls;
      rest.failed += c->apis[i].failed;
      rest.flops += c->apis[i].flops;
    }
    if (shown < c->napis) api_row(&t, &rest);
    api_row(&t, &total);
  }
  table_end(&t);
}

static void nccl_row(struct table *t, const char *name, const struct mfu_nccl_stats *s) {
  char dec[U128_DEC_SIZE];
  table_str(t, name);
  table_uint(t, s->calls);
  table_uint(t, s->failed);
  table_str(t, u128_to_dec(dec, s->bytes));
  table_num(t, gigabytes(s->bytes), 3);
  table_num(t, (double)s->host_ns / 1e6, 3);
  table_end_row(t);
}

/* The non-GEMM Level-3 BLAS calls (syrk, trsm...) by routine: in no GEMM table, no MFU. */
static void blas3_routines(FILE *out, const struct mfu_counts *c, bool csv) {
  static const struct table_column cols[] = {{"routine", "routine", -10},
                                             {"calls", "calls", 12},
                                             {"failed", "failed", 8},
                                             {"FLOPs", "flops", 26},
                                             {"TFLOP", "tflop", 14}};
  struct table t;
  table_begin(&t, out, csv, "BLAS-3 calls by routine (not GEMMs)", "blas3_by_routine", cols,
              N(cols));
  for (unsigned b = 0; b < MFU_BLAS3_COUNT; b++) {
    const struct mfu_blas3_stats *s = &c->blas3[b];
    if (!s->calls && !s->failed) continue;
    struct mfu_api_stats row = {.calls = s->calls, .failed = s->failed, .flops = s->flops};
    snprintf(row.name, sizeof row.name, "%s", mfu_blas3_routine_name(b));
    api_row(&t, &row);
  }
  table_end(&t);
}

/* Data movements by operation (ncclBcast counts as Broadcast), then their total. */
static void nccl_ops(FILE *out, const struct mfu_counts *c, bool csv) {
  static const struct table_column cols[] = {{"operation", "operation", -14},
                                             {"calls", "calls", 12},
                                             {"failed", "failed", 8},
                                             {"bytes", "bytes", 22},
                                             {"GB", "gb", 12},
                                             {"host ms", "host_ms", 12}};
  struct table t;
  struct mfu_nccl_stats total = {c->nccl_calls, c->nccl_failed, c->nccl_bytes, 0};
  table_begin(&t, out, csv, "NCCL by operation", "nccl_by_operation", cols, N(cols));
  for (unsigned op = 0; op < MFU_NCCL_OP_COUNT; op++) {
    const struct mfu_nccl_stats *s = &c->nccl_ops[op];
    if (!mfu_nccl_op_moves_data(op) || (!s->calls && !s->failed)) continue;
    nccl_row(&t, mfu_nccl_op_name(op), s);
    total.host_ns += s->host_ns;
  }
  if (!c->nccl_calls && !c->nccl_failed) table_note(&t, "(no NCCL data movement)");
  else if (!csv) nccl_row(&t, "total", &total);
  if (c->nccl_groups && c->nccl_calls)
    table_note(&t, "%" PRIu64 " of the %" PRIu64 " calls ran inside %" PRIu64
               " ncclGroupStart/End group%s", c->nccl_grouped, c->nccl_calls, c->nccl_groups,
               c->nccl_groups == 1 ? "" : "s");
  table_end(&t);
}

/* NCCL columns only for jobs that made NCCL calls: a one-GPU job's table stays narrow. */
void report_rank_table(FILE *out, const struct report *r, size_t max_rows, bool csv) {
  static const struct table_column all[] = {
      {"rank", "rank", 5},         {"host", "host", -20},        {"pid", "pid", 8},
      {"GEMM calls", "gemm_calls", 12}, {"failed", "gemm_failed", 8}, {"TFLOP", "tflop", 14},
      {"NCCL calls", "nccl_calls", 12}, {"failed", "nccl_failed", 8}, {"NCCL GB", "nccl_gb", 12},
      {"span s", "span_s", 10},    {"file", "file", -1}};
  enum { FIRST_NCCL = 6, NCCL_COLUMNS = 3 };
  struct table_column cols[N(all)];
  size_t ncols = 0;
  for (size_t i = 0; i < N(all); i++)
    if (r->f.nccl || i < FIRST_NCCL || i >= FIRST_NCCL + NCCL_COLUMNS) cols[ncols++] = all[i];
  const struct mfu_job *j = r->j;
  struct table t;
  table_begin(&t, out, csv, "per rank", "per_rank", cols, ncols);
  size_t shown = rows_shown(j->nfiles, max_rows, csv);
  for (size_t i = 0; i < shown; i++) {
    const struct mfu_file *f = j->files[i];
    const struct mfu_counts *c = &f->counts;
    char rank[16], file[4096 + 16];
    table_str(&t, csv && f->header.rank < 0 ? NULL : format_rank(f, rank));
    table_str(&t, f->header.hostname);
    table_uint(&t, (unsigned long long)f->header.pid);
    table_uint(&t, c->gemm_calls);
    table_uint(&t, c->gemm_failed);
    table_num(&t, tflop(c->gemm_flops), 3);
    if (r->f.nccl) {
      table_uint(&t, c->nccl_calls);
      table_uint(&t, c->nccl_failed);
      table_num(&t, gigabytes(c->nccl_bytes), 3);
    }
    table_num(&t, span_s(f->first_ns, f->last_ns), 3);
    snprintf(file, sizeof file, "%s%s", format_within(r->path, f->path),
             f->complete ? "" : "  (incomplete)");
    table_str(&t, file);
    table_end_row(&t);
  }
  if (shown < j->nfiles) table_note(&t, "... %zu more: mfu report %s", j->nfiles - shown, r->path);
  table_end(&t);
}

void report_count_tables(FILE *out, const struct report *r, size_t max_rows, bool csv) {
  const struct mfu_counts *c = &r->j->totals;
  precisions(out, c, csv);
  apis(out, c, max_rows, csv);
  if (c->blas3_calls || c->blas3_failed) blas3_routines(out, c, csv);
  if (r->f.nccl || csv) nccl_ops(out, c, csv);
}
