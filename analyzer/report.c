/* report: `mfu report [DIR] [--json] [--job ID]`, and the printer `mfu run` shares. */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "json_out.h"
#include "mfu/version.h"

static const struct {
  unsigned bit;
  const char *key, *label;
} hooks[] = {
    {MFU_HOOK_CUBLAS, "cublas", "cuBLAS"},
    {MFU_HOOK_CUBLASLT, "cublaslt", "cuBLASLt"},
    {MFU_HOOK_NCCL, "nccl", "NCCL"},
    {MFU_HOOK_CUDART, "cudart", "CUDA runtime"},
    {MFU_HOOK_CUPTI, "cupti", "CUPTI"},
};
#define NHOOKS (sizeof hooks / sizeof hooks[0])

/* Everything one report shows, gathered once for both output forms. */
struct report {
  const char *path;
  const struct mfu_traces *t;
  const struct mfu_job *j;
  struct mfu_strings warnings, notes;
  size_t hook_files[NHOOKS]; /* files whose header says the hook resolved */
  bool nccl;                 /* the job made NCCL calls of any kind: show the NCCL tables */
};

static double tflop(unsigned __int128 flops) { return (double)flops / 1e12; }
static double gigabytes(unsigned __int128 bytes) { return (double)bytes / 1e9; }

static double span_s(uint64_t first_ns, uint64_t last_ns) {
  return last_ns > first_ns ? (double)(last_ns - first_ns) / 1e9 : 0;
}

static const char *format_time(char buf[32], uint64_t realtime_ns, const char *fmt) {
  time_t s = (time_t)(realtime_ns / 1000000000u);
  struct tm tm;
  if (!realtime_ns || !gmtime_r(&s, &tm) || !strftime(buf, 32, fmt, &tm)) return NULL;
  return buf;
}

/* Several ranks by the launcher's word: a world size above 1, or a rank above 0. (Files of
 * unknown rank may be unrelated programs started by one shell.) */
static bool several_ranks(const struct mfu_job *j) {
  for (size_t i = 0; i < j->nfiles; i++)
    if (j->files[i]->header.rank > 0) return true;
  return j->world_size > 1;
}

/* Whether the job made NCCL calls (r->nccl), and what to say about them: a job of several
 * ranks without any most likely hid them from the shim. */
static void gather_nccl(struct report *r) {
  const struct mfu_counts *c = &r->j->totals;
  char *failed = NULL;
  size_t len, nfailed = 0;
  FILE *m = open_memstream(&failed, &len);
  for (unsigned op = 0; op < MFU_NCCL_OP_COUNT; op++) {
    const struct mfu_nccl_stats *s = &c->nccl_ops[op];
    r->nccl |= s->calls || s->failed;
    if (s->failed && !mfu_nccl_op_moves_data(op) && m)
      fprintf(m, "%s%s %" PRIu64, nfailed++ ? ", " : "", mfu_nccl_op_name(op), s->failed);
  }
  if (m) fclose(m);
  if (several_ranks(r->j) && !c->nccl_calls && !c->nccl_failed)
    mfu_strings_add(&r->warnings, "0 NCCL calls intercepted: NCCL may be linked statically or "
                                  "loaded with RTLD_DEEPBIND, which a preloaded shim cannot see "
                                  "(or the ranks communicate without NCCL)");
  else if (c->nccl_failed && !c->nccl_calls)
    mfu_strings_add(&r->notes, "every NCCL data call failed (returned an error status), so no "
                               "bytes were counted: was a GPU available to the program?");
  if (nfailed) mfu_strings_addf(&r->notes, "NCCL group and communicator calls failed: %s", failed);
  free(failed);
}

static const char *plural(uint64_t n, const char *one, const char *many) {
  return n == 1 ? one : many;
}

/* Captured work that no launch ran: not counted, and said. */
static void gather_graphs(struct report *r) {
  const struct mfu_graph_counts *g = &r->j->graphs;
  char flops[U128_DEC_SIZE], bytes[U128_DEC_SIZE];
  if (!g->unlaunched_captures) return;
  mfu_strings_addf(&r->notes,
                   "%" PRIu64 " CUDA graph %s never launched (not instantiated, or "
                   "their executables not launched): the %" PRIu64 " GEMM %s (%s FLOPs) and %"
                   PRIu64 " NCCL %s (%s bytes) captured there are not counted",
                   g->unlaunched_captures, plural(g->unlaunched_captures, "capture was",
                                                  "captures were"),
                   g->unlaunched.gemm_calls, plural(g->unlaunched.gemm_calls, "call", "calls"),
                   u128_to_dec(flops, g->unlaunched.gemm_flops), g->unlaunched.nccl_calls,
                   plural(g->unlaunched.nccl_calls, "call", "calls"),
                   u128_to_dec(bytes, g->unlaunched.nccl_bytes));
}

static void gather(struct report *r, const struct report_options *o) {
  const struct mfu_job *j = r->j;
  const struct mfu_counts *c = &j->totals;
  if (!o->job_id && r->t->njobs > 1) {
    char *others = NULL;
    size_t len;
    FILE *m = open_memstream(&others, &len);
    if (m) {
      for (size_t i = 1; i < r->t->njobs; i++)
        fprintf(m, "%s'%s'", i > 1 ? ", " : "", r->t->jobs[i].job_id);
      fclose(m);
    }
    mfu_strings_addf(&r->warnings,
                     "%s holds %zu jobs; this report is of the most recent, '%s'; the others: %s "
                     "(choose one with --job ID)",
                     r->path, r->t->njobs, j->job_id, others ? others : "?");
    free(others);
  }
  for (size_t i = 0; i < r->t->warnings.n; i++) mfu_strings_add(&r->warnings, r->t->warnings.v[i]);
  for (size_t i = 0; i < j->warnings.n; i++) mfu_strings_add(&r->warnings, j->warnings.v[i]);

  for (size_t i = 0; i < j->nfiles; i++)
    for (size_t h = 0; h < NHOOKS; h++)
      r->hook_files[h] += (j->files[i]->header.hooks_resolved & hooks[h].bit) != 0;

  if (!c->gemm_calls && !c->gemm_failed)
    mfu_strings_add(&r->notes, "no GEMM call was intercepted: the program made none, or reached "
                               "cuBLAS where the shim cannot see it (static linking, "
                               "RTLD_DEEPBIND)");
  else if (!c->gemm_calls)
    mfu_strings_add(&r->notes, "every GEMM call failed (returned an error status), so no FLOPs "
                               "were counted: was a GPU available to the program?");
  gather_nccl(r);
  gather_graphs(r);
  mfu_strings_add(&r->notes, "steps are not detected yet: steps, mfu and hfu are null (for MFU "
                             "from a measured step time, see `mfu predict`)");
  mfu_strings_add(&r->notes, "no GPU timeline: efficiency factors unavailable");
}

/* --- human output */

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
  fprintf(out, "  hooks     resolved:");
  for (size_t h = 0, n = 0; h < NHOOKS; h++)
    if (r->hook_files[h])
      fprintf(out, "%s %s (%zu/%zu files)", n++ ? "," : "", hooks[h].label, r->hook_files[h],
              j->nfiles);
  fprintf(out, "; not resolved:");
  for (size_t h = 0, n = 0; h < NHOOKS; h++)
    if (!r->hook_files[h]) fprintf(out, "%s %s", n++ ? "," : "", hooks[h].label);
  fputc('\n', out);
}

static void print_api_row(FILE *out, const struct mfu_api_stats *a) {
  char dec[U128_DEC_SIZE];
  fprintf(out, "  %-32s %12" PRIu64 " %8" PRIu64 " %26s %14.3f\n", a->name, a->calls, a->failed,
          u128_to_dec(dec, a->flops), tflop(a->flops));
}

/* Rows of a table of n shown when at most max_rows fit (0: no limit). */
static size_t rows_shown(size_t n, size_t max_rows) {
  return max_rows && n > max_rows ? max_rows : n;
}

static void print_tables(FILE *out, const struct report *r, size_t max_rows) {
  const struct mfu_counts *c = &r->j->totals;
  char dec[U128_DEC_SIZE];
  fprintf(out, "\nGEMM FLOPs by precision\n  %-10s %12s %26s %14s %7s\n", "precision", "calls",
          "FLOPs", "TFLOP", "share");
  for (unsigned p = 0; p < MFU_PREC_COUNT; p++)
    if (c->calls_by_precision[p])
      fprintf(out, "  %-10s %12" PRIu64 " %26s %14.3f %6.1f%%\n", mfu_precision_name(p),
              c->calls_by_precision[p], u128_to_dec(dec, c->flops_by_precision[p]),
              tflop(c->flops_by_precision[p]),
              c->gemm_flops ? 100 * (double)c->flops_by_precision[p] / (double)c->gemm_flops : 0);
  if (!c->gemm_calls) fprintf(out, "  (no successful GEMM call)\n");

  fprintf(out, "\nGEMM calls by API\n  %-32s %12s %8s %26s %14s\n", "API", "calls", "failed",
          "FLOPs", "TFLOP");
  size_t shown = rows_shown(c->napis, max_rows);
  struct mfu_api_stats rest = {0}, total = {"total", c->gemm_calls, c->gemm_failed, c->gemm_flops};
  snprintf(rest.name, sizeof rest.name, "(%zu more APIs)", c->napis - shown);
  for (size_t i = shown; i < c->napis; i++) {
    rest.calls += c->apis[i].calls;
    rest.failed += c->apis[i].failed;
    rest.flops += c->apis[i].flops;
  }
  for (size_t i = 0; i < shown; i++) print_api_row(out, &c->apis[i]);
  if (shown < c->napis) print_api_row(out, &rest);
  print_api_row(out, &total);
}

static void print_nccl_row(FILE *out, const char *name, const struct mfu_nccl_stats *s) {
  char dec[U128_DEC_SIZE];
  fprintf(out, "  %-14s %12" PRIu64 " %8" PRIu64 " %22s %12.3f %12.3f\n", name, s->calls,
          s->failed, u128_to_dec(dec, s->bytes), gigabytes(s->bytes), (double)s->host_ns / 1e6);
}

/* Data movements by operation (ncclBcast counts as Broadcast), then their total. */
static void print_nccl(FILE *out, const struct report *r) {
  const struct mfu_counts *c = &r->j->totals;
  struct mfu_nccl_stats total = {c->nccl_calls, c->nccl_failed, c->nccl_bytes, 0};
  fprintf(out, "\nNCCL by operation\n  %-14s %12s %8s %22s %12s %12s\n", "operation", "calls",
          "failed", "bytes", "GB", "host ms");
  for (unsigned op = 0; op < MFU_NCCL_OP_COUNT; op++) {
    const struct mfu_nccl_stats *s = &c->nccl_ops[op];
    if (!mfu_nccl_op_moves_data(op) || (!s->calls && !s->failed)) continue;
    print_nccl_row(out, mfu_nccl_op_name(op), s);
    total.host_ns += s->host_ns;
  }
  if (!c->nccl_calls && !c->nccl_failed) fprintf(out, "  (no NCCL data movement)\n");
  else print_nccl_row(out, "total", &total);
  if (c->nccl_groups && c->nccl_calls)
    fprintf(out, "  %" PRIu64 " of the %" PRIu64 " calls ran inside %" PRIu64
            " ncclGroupStart/End group%s\n", c->nccl_grouped, c->nccl_calls, c->nccl_groups,
            c->nccl_groups == 1 ? "" : "s");
}

/* One line when the job used CUDA graphs: what their launches added to the tables above. */
static void print_graphs(FILE *out, const struct report *r) {
  const struct mfu_graph_counts *g = &r->j->graphs;
  const struct mfu_work *w = &g->launched;
  if (!g->captures && !g->launches) return;
  fprintf(out, "\nCUDA graphs: %" PRIu64 " %s of %" PRIu64 " %s ran %" PRIu64 " GEMM %s (%.3f "
          "TFLOP)", g->launches, plural(g->launches, "launch", "launches"), g->executables,
          plural(g->executables, "executable", "executables"), w->gemm_calls,
          plural(w->gemm_calls, "call", "calls"), tflop(w->gemm_flops));
  if (w->nccl_calls)
    fprintf(out, " and %" PRIu64 " NCCL %s (%.3f GB)", w->nccl_calls,
            plural(w->nccl_calls, "call", "calls"), gigabytes(w->nccl_bytes));
  fprintf(out, " captured in %" PRIu64 " %s\n", g->captures,
          plural(g->captures, "capture", "captures"));
}

/* A file's path relative to the report's directory, to keep the table narrow. */
static const char *within(const char *dir, const char *path) {
  size_t n = strlen(dir);
  if (strncmp(path, dir, n) != 0 || path[n] == '\0') return path; /* DIR is the file itself */
  return path[n] == '/' ? path + n + 1 : path + n;
}

/* NCCL columns only for jobs that made NCCL calls: a one-GPU job's table stays narrow. */
static void print_ranks(FILE *out, const struct report *r, size_t max_rows) {
  const struct mfu_job *j = r->j;
  fprintf(out, "\nper rank\n  %5s  %-20s %8s %12s %8s %14s", "rank", "host", "pid", "GEMM calls",
          "failed", "TFLOP");
  if (r->nccl) fprintf(out, " %12s %8s %12s", "NCCL calls", "failed", "NCCL GB");
  fprintf(out, " %10s  %s\n", "span s", "file");
  size_t shown = rows_shown(j->nfiles, max_rows);
  for (size_t i = 0; i < shown; i++) {
    const struct mfu_file *f = j->files[i];
    const struct mfu_counts *c = &f->counts;
    char rank[16] = "?";
    if (f->header.rank >= 0) snprintf(rank, sizeof rank, "%d", (int)f->header.rank);
    fprintf(out, "  %5s  %-20s %8d %12" PRIu64 " %8" PRIu64 " %14.3f", rank, f->header.hostname,
            (int)f->header.pid, c->gemm_calls, c->gemm_failed, tflop(c->gemm_flops));
    if (r->nccl)
      fprintf(out, " %12" PRIu64 " %8" PRIu64 " %12.3f", c->nccl_calls, c->nccl_failed,
              gigabytes(c->nccl_bytes));
    fprintf(out, " %10.3f  %s%s\n", span_s(f->first_ns, f->last_ns), within(r->path, f->path),
            f->complete ? "" : "  (incomplete)");
  }
  if (shown < j->nfiles)
    fprintf(out, "  ... %zu more: mfu report %s\n", j->nfiles - shown, r->path);
}

static void print_list(FILE *out, const char *title, const struct mfu_strings *l) {
  if (!l->n) return;
  fprintf(out, "\n%s\n", title);
  for (size_t i = 0; i < l->n; i++) fprintf(out, "  - %s\n", l->v[i]);
}

/* --- JSON output */

static void key_u128(struct jw *j, const char *key, unsigned __int128 v) {
  jw_key(j, key);
  jw_u128(j, v);
}

static void key_null(struct jw *j, const char *key) {
  jw_key(j, key);
  jw_null(j);
}

static void key_string(struct jw *j, const char *key, const char *s) {
  jw_key(j, key);
  jw_string(j, s);
}

static void key_int(struct jw *j, const char *key, int64_t v) {
  jw_key(j, key);
  jw_int(j, v);
}

static void key_rank(struct jw *j, const struct mfu_file *f) {
  if (f->readable && f->header.rank >= 0) key_int(j, "rank", f->header.rank);
  else key_null(j, "rank");
}

static void key_strings(struct jw *j, const char *key, const struct mfu_strings *l) {
  jw_key(j, key);
  jw_array_begin(j);
  for (size_t i = 0; i < l->n; i++) jw_string(j, l->v[i]);
  jw_array_end(j);
}

static void json_incomplete(struct jw *j, const struct mfu_file *f) {
  jw_object_begin(j);
  key_string(j, "path", f->path);
  key_rank(j, f);
  jw_key(j, "readable");
  jw_bool(j, f->readable);
  key_string(j, "reason", f->problem);
  key_u128(j, "offset", f->problem_offset);
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
    key_u128(j, "calls", s->calls);
    key_u128(j, "bytes", s->bytes);
    key_u128(j, "failed", s->failed);
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
  key_u128(j, "captures", g->captures);
  key_u128(j, "instantiations", g->instantiations);
  key_u128(j, "launches", g->launches);
  key_u128(j, "executables_launched", g->executables);
  key_u128(j, "unknown_launches", g->unknown_launches);
  key_u128(j, "launched_gemm_calls", g->launched.gemm_calls);
  key_u128(j, "launched_gemm_flops", g->launched.gemm_flops);
  key_u128(j, "launched_nccl_calls", g->launched.nccl_calls);
  key_u128(j, "launched_nccl_bytes", g->launched.nccl_bytes);
  key_u128(j, "never_launched_captures", g->unlaunched_captures);
  key_u128(j, "never_launched_gemm_calls", g->unlaunched.gemm_calls);
  key_u128(j, "never_launched_gemm_flops", g->unlaunched.gemm_flops);
  key_u128(j, "never_launched_nccl_calls", g->unlaunched.nccl_calls);
  key_u128(j, "never_launched_nccl_bytes", g->unlaunched.nccl_bytes);
  jw_object_end(j);
}

static void json_per_rank(struct jw *j, const struct mfu_file *f) {
  jw_object_begin(j);
  key_rank(j, f);
  key_string(j, "host", f->header.hostname);
  key_int(j, "pid", f->header.pid);
  key_string(j, "file", f->path);
  jw_key(j, "complete");
  jw_bool(j, f->complete);
  key_u128(j, "gemm_calls", f->counts.gemm_calls);
  key_u128(j, "gemm_failed", f->counts.gemm_failed);
  key_u128(j, "gemm_flops", f->counts.gemm_flops);
  key_u128(j, "nccl_calls", f->counts.nccl_calls);
  key_u128(j, "nccl_failed", f->counts.nccl_failed);
  key_u128(j, "nccl_bytes", f->counts.nccl_bytes);
  json_nccl_by_op(j, &f->counts);
  json_graphs(j, &f->graphs);
  jw_key(j, "time_span_s");
  if (f->records) jw_double(j, span_s(f->first_ns, f->last_ns));
  else jw_null(j);
  jw_object_end(j);
}

static void print_json(FILE *out, const struct report *r) {
  const struct mfu_job *job = r->j;
  const struct mfu_counts *c = &job->totals;
  struct jw jo, *j = &jo;
  char when[32];
  jw_init(j, out);
  jw_object_begin(j);
  key_string(j, "mfu_version", MFU_VERSION);
  key_string(j, "path", r->path);
  key_string(j, "job_id", job->job_id);
  jw_key(j, "other_jobs");
  jw_array_begin(j);
  for (size_t i = 0; i < r->t->njobs; i++)
    if (&r->t->jobs[i] != job) jw_string(j, r->t->jobs[i].job_id);
  jw_array_end(j);
  key_string(j, "started_at", format_time(when, job->started_realtime_ns, "%Y-%m-%dT%H:%M:%SZ"));
  key_u128(j, "ranks", job->ranks);
  jw_key(j, "world_size");
  if (job->world_size > 0) jw_int(j, job->world_size);
  else jw_null(j);
  key_u128(j, "files", job->nfiles);
  jw_key(j, "time_span_s");
  if (job->start_realtime_ns) jw_double(j, span_s(job->start_realtime_ns, job->end_realtime_ns));
  else jw_null(j);
  jw_key(j, "hooks_resolved"); /* files whose shim resolved each library */
  jw_object_begin(j);
  for (size_t h = 0; h < NHOOKS; h++) key_u128(j, hooks[h].key, r->hook_files[h]);
  jw_object_end(j);

  jw_key(j, "totals");
  jw_object_begin(j);
  key_u128(j, "gemm_calls", c->gemm_calls);
  key_u128(j, "gemm_failed", c->gemm_failed);
  key_u128(j, "gemm_flops", c->gemm_flops);
  key_u128(j, "nccl_calls", c->nccl_calls);
  key_u128(j, "nccl_failed", c->nccl_failed);
  key_u128(j, "nccl_bytes", c->nccl_bytes);
  key_u128(j, "nccl_groups", c->nccl_groups);
  key_u128(j, "nccl_grouped_calls", c->nccl_grouped);
  jw_object_end(j);
  jw_key(j, "gemm_flops_by_dtype");
  jw_object_begin(j);
  for (unsigned p = 0; p < MFU_PREC_COUNT; p++)
    key_u128(j, mfu_precision_name(p), c->flops_by_precision[p]);
  jw_object_end(j);
  jw_key(j, "gemm_calls_by_dtype");
  jw_object_begin(j);
  for (unsigned p = 0; p < MFU_PREC_COUNT; p++)
    key_u128(j, mfu_precision_name(p), c->calls_by_precision[p]);
  jw_object_end(j);
  jw_key(j, "gemm_by_api");
  jw_object_begin(j);
  for (size_t i = 0; i < c->napis; i++) {
    jw_key(j, c->apis[i].name);
    jw_object_begin(j);
    key_u128(j, "calls", c->apis[i].calls);
    key_u128(j, "failed", c->apis[i].failed);
    key_u128(j, "flops", c->apis[i].flops);
    jw_object_end(j);
  }
  jw_object_end(j);

  json_nccl_by_op(j, c);
  json_graphs(j, &job->graphs);

  jw_key(j, "steps");
  jw_object_begin(j);
  key_null(j, "count");
  key_null(j, "mean_time_s");
  jw_object_end(j);
  key_null(j, "mfu");
  key_null(j, "hfu");
  jw_key(j, "efficiency");
  jw_object_begin(j);
  static const char *const factors[] = {"coverage", "kernel", "memory", "communication",
                                        "parallelism"};
  for (size_t i = 0; i < sizeof factors / sizeof *factors; i++) key_null(j, factors[i]);
  jw_object_end(j);

  jw_key(j, "per_rank");
  jw_array_begin(j);
  for (size_t i = 0; i < job->nfiles; i++) json_per_rank(j, job->files[i]);
  jw_array_end(j);
  jw_key(j, "incomplete_files");
  jw_array_begin(j);
  for (size_t i = 0; i < job->nfiles; i++)
    if (!job->files[i]->complete) json_incomplete(j, job->files[i]);
  for (size_t i = 0; i < r->t->nfiles; i++)
    if (!r->t->files[i].readable) json_incomplete(j, &r->t->files[i]);
  jw_array_end(j);
  key_strings(j, "warnings", &r->warnings);
  key_strings(j, "notes", &r->notes);
  jw_object_end(j);
}

int report_print(FILE *out, const char *path, const struct mfu_traces *t,
                 const struct report_options *o) {
  struct report r = {.path = path, .t = t};
  if (!t->njobs) {
    fprintf(stderr, "mfu: none of the %zu trace files in %s could be read:\n", t->nfiles, path);
    for (size_t i = 0; i < t->warnings.n; i++) fprintf(stderr, "  - %s\n", t->warnings.v[i]);
    fprintf(stderr, "mfu: give the directory of a traced run (mfu run -- CMD writes one)\n");
    return 2;
  }
  r.j = o->job_id ? mfu_traces_find_job(t, o->job_id) : &t->jobs[0];
  if (!r.j) {
    fprintf(stderr, "mfu: no job '%s' in %s; the jobs there are:", o->job_id, path);
    for (size_t i = 0; i < t->njobs; i++) fprintf(stderr, " '%s'", t->jobs[i].job_id);
    fprintf(stderr, "\n");
    return 2;
  }
  gather(&r, o);
  if (o->json) {
    print_json(out, &r);
  } else {
    print_header(out, &r);
    print_tables(out, &r, o->max_rows);
    if (r.nccl) print_nccl(out, &r);
    print_graphs(out, &r);
    print_ranks(out, &r, o->max_rows);
    print_list(out, "notes", &r.notes);
    print_list(out, "warnings", &r.warnings);
  }
  mfu_strings_free(&r.warnings);
  mfu_strings_free(&r.notes);
  return 0;
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: mfu report [DIR] [--json] [--job ID]\n"
          "\n"
          "Reads the trace files (*%s) in DIR and its subdirectories and reports the GEMM\n"
          "calls and FLOPs the shim counted, by precision, by API and by rank, and the NCCL\n"
          "calls and the bytes they moved, by operation and by rank. Calls captured into a\n"
          "CUDA graph count at every launch of the graph, as if made then.\n"
          "\n"
          "  DIR        the traces' directory: MFU_TRACE_DIR of the traced run (default\n"
          "             $MFU_TRACE_DIR, else ./mfu-traces), or one trace file\n"
          "  --json     one JSON object on stdout instead of the tables\n"
          "  --job ID   the job to report when DIR holds several (default: the latest)\n"
          "\n"
          "Exit status: 0 (also with warnings), 2 for bad usage or no readable trace.\n",
          MFU_TRACE_SUFFIX);
}

int cmd_report(int argc, char **argv) {
  struct report_options o = {0};
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--json")) {
      o.json = true;
    } else if (!strcmp(a, "--job")) {
      if (++i == argc) {
        fprintf(stderr, "mfu report: --job needs a job id (see the job line of the report)\n");
        return 2;
      }
      o.job_id = argv[i];
    } else if (!strncmp(a, "--job=", 6)) {
      o.job_id = a + 6;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "mfu report: unknown option '%s' (see mfu report --help)\n", a);
      return 2;
    } else if (path) {
      fprintf(stderr, "mfu report: one directory at a time: got '%s' and '%s'\n", path, a);
      return 2;
    } else {
      path = a;
    }
  }
  if (!path) path = getenv("MFU_TRACE_DIR") && *getenv("MFU_TRACE_DIR") ? getenv("MFU_TRACE_DIR")
                                                                          : "mfu-traces";
  struct mfu_traces t;
  char err[1024];
  int status = 2;
  if (mfu_traces_load(&t, path, NULL, err, sizeof err) == 0)
    status = report_print(stdout, path, &t, &o);
  else
    fprintf(stderr, "mfu report: %s\n", err);
  mfu_traces_free(&t);
  return status;
}
