/* report: `mfu report [DIR] [--json] [--job ID]`, and the printer `mfu run` shares. */
#include "report.h"

#include <inttypes.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "util/json_writer.h"
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
  const struct utilization_options *util;
  struct job_utilization u;
  const struct rank_utilization *shown; /* the rank whose steps are listed: the first measured */
};

static const char *const cupti_states[] = {"off (MFU_CUPTI=off, or never started)", "active",
                                           "unavailable (libcupti.so.13 not found)",
                                           "stepped aside (another tool held CUPTI)", "failed"};

/* Why a rank has no GPU timeline, from its header. */
static const char *cupti_state(const struct mfu_file *f) {
  uint32_t s = f->header.cupti_state;
  return s < sizeof cupti_states / sizeof *cupti_states ? cupti_states[s] : "unknown";
}

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

static void gather_utilization(struct report *r) {
  const struct job_utilization *u = &r->u;
  for (size_t i = 0; i < u->nranks && !r->shown; i++)
    if (u->ranks[i].used) r->shown = &u->ranks[i];
  if (!r->shown) {
    mfu_strings_addf(&r->notes, "no training steps found, so no step time, MFU or HFU: %s",
                     u->nranks ? u->ranks[0].why : "no rank");
    return;
  }
  for (size_t i = 0; i < u->nranks; i++)
    if (!u->ranks[i].used && u->ranks[i].file->counts.gemm_calls)
      mfu_strings_addf(&r->warnings, "rank file %s: %s", u->ranks[i].file->path, u->ranks[i].why);
    else if (u->ranks[i].used && isnan(u->ranks[i].peak))
      mfu_strings_addf(&r->notes, "%s: %s", u->ranks[i].file->path, u->ranks[i].why);
  if (!r->util || !r->util->have_model)
    mfu_strings_add(&r->notes, "no model given: MFU needs the model's FLOPs (--preset, --config or "
                               "the shape flags, with --batch and --seq per rank and step); HFU "
                               "is from the FLOPs counted");
  if (!u->timeline)
    mfu_strings_addf(&r->notes, "no GPU timeline (CUPTI %s): the efficiency factors are "
                                "unavailable, and steps are timed on the host",
                     cupti_state(r->shown->file));
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
  gather_utilization(r);
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

static void print_percent(FILE *out, const char *label, double v) {
  if (isnan(v)) fprintf(out, "%s  -", label);
  else fprintf(out, "%s %6.2f%%", label, 100 * v);
}

/* From the peak down to MFU, one factor at a time. */
static void print_waterfall(FILE *out, const struct efficiency *e) {
  static const char *const what[EFF_COUNT] = {
      [EFF_COVERAGE] = "formula FLOPs / math FLOPs that ran", [EFF_KERNEL] = "math kernels' speed",
      [EFF_MEMORY] = "time in math vs memory-bound kernels",
      [EFF_COMM] = "communication not overlapped", [EFF_PARALLEL] = "GPU busy (idle, launch gaps)"};
  fprintf(out, "\nfrom peak to MFU\n  %-14s %9s %9s  %s\n  %-14s %9s %8.2f%%\n", "factor", "value",
          "running", "what it measures", "peak", "", 100.0);
  double running = 1;
  for (int f = EFF_COVERAGE; f < EFF_COUNT; f++) {
    running *= e->value[f];
    if (isnan(e->value[f]))
      fprintf(out, "  %-14s %9s %9s  %s (%s)\n", efficiency_name[f], "-", "-", what[f], e->why[f]);
    else if (isnan(running)) /* a factor above is unknown: so is the running product */
      fprintf(out, "  %-14s %9.4f %9s  %s\n", efficiency_name[f], e->value[f], "-", what[f]);
    else
      fprintf(out, "  %-14s %9.4f %8.2f%%  %s\n", efficiency_name[f], e->value[f], 100 * running,
              what[f]);
  }
  print_percent(out, "  = MFU         ", e->value[EFF_MFU]);
  fprintf(out, "\n");
}

static void print_utilization(FILE *out, const struct report *r, size_t max_rows) {
  const struct job_utilization *u = &r->u;
  const struct rank_utilization *s = r->shown;
  if (!s) return;
  const struct rank_steps *st = &s->file->steps;
  fprintf(out, "\nsteps\n  found      %zu (every %zu calls, confidence %.2f); %zu warm-up and the "
               "last left out; %zu measured on %s\n",
          st->nsteps, st->period, st->score, s->first, u->steps,
          st->steps[0].gpu_window ? "the GPU timeline" : "host time");
  fprintf(out, "  method     %s\n", st->method);
  fprintf(out, "  step time  %.6f s (the slowest rank's mean)\n", u->step_s);
  fprintf(out, "  counted    %.3f TFLOP per step (%s)\n", s->counted_flops / 1e12,
          within(r->path, s->file->path));
  if (!isnan(s->model_flops)) fprintf(out, "  model      %.3f TFLOP per step per rank (formula)\n",
                                      s->model_flops / 1e12);
  if (!isnan(s->peak)) fprintf(out, "  peak       %s per device\n", s->peak_label);
  print_percent(out, "  MFU       ", u->mfu);
  print_percent(out, "    HFU", u->hfu);
  fprintf(out, "\n\n  %5s %12s %14s %12s %8s\n", "step", "time ms", "counted TFLOP", "NCCL MB",
          "MFU");
  size_t shown = rows_shown(st->nsteps, max_rows ? max_rows * 2 : 0);
  for (size_t i = 0; i < shown; i++) {
    const struct step_result *x = &st->steps[i];
    double t = (double)(x->end_ns - x->start_ns) / 1e9;
    fprintf(out, "  %5zu %12.3f %14.3f %12.3f ", i, t * 1e3, x->gemm_flops / 1e12, x->nccl_bytes / 1e6);
    double mfu = s->model_flops / (t * s->peak);
    if (isfinite(mfu)) fprintf(out, "%7.2f%%", 100 * mfu);
    else fprintf(out, "%8s", "-");
    fprintf(out, "%s\n", i < s->first ? "  warm-up" : i + 1 == st->nsteps ? "  last: end unknown" : "");
  }
  if (shown < st->nsteps) fprintf(out, "  ... %zu more steps (--json lists them)\n", st->nsteps - shown);
  if (u->timeline) print_waterfall(out, &u->eff);
  if (u->straggler_known && u->nranks > 1)
    fprintf(out, "\nlikely straggler: the rank of %s, with the least time in NCCL kernels "
                 "(%.3f s; the spread across ranks is %.3f s)\n",
            u->ranks[u->straggler.rank].file->path, (double)u->straggler.least_ns / 1e9,
            (double)u->straggler.spread_ns / 1e9);
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

static void key_double(struct jw *j, const char *key, double v) {
  jw_key(j, key);
  if (isfinite(v)) jw_double(j, v);
  else jw_null(j);
}

static void json_efficiency(struct jw *j, const struct efficiency *e, bool known) {
  jw_key(j, "efficiency");
  jw_object_begin(j);
  for (int f = EFF_COVERAGE; f < EFF_COUNT; f++) key_double(j, efficiency_name[f], known ? e->value[f] : NAN);
  jw_object_end(j);
  jw_key(j, "efficiency_unavailable"); /* why a factor is null */
  jw_object_begin(j);
  for (int f = EFF_COVERAGE; f < EFF_COUNT; f++)
    if (!known || e->why[f]) key_string(j, efficiency_name[f], known ? e->why[f] : "no GPU timeline");
  jw_object_end(j);
}

static void json_timeline(struct jw *j, const struct timeline *tl) {
  jw_key(j, "gpu_time_s"); /* summed over the measured steps */
  jw_object_begin(j);
  key_double(j, "window", (double)tl->window_ns / 1e9);
  key_double(j, "busy", (double)tl->busy_ns / 1e9);
  key_double(j, "math", (double)tl->math_ns / 1e9);
  key_double(j, "compute", (double)tl->compute_ns / 1e9);
  key_double(j, "comm", (double)tl->comm_ns / 1e9);
  key_double(j, "exposed_comm", (double)tl->exposed_comm_ns / 1e9);
  key_double(j, "copy", (double)tl->copy_ns / 1e9);
  key_double(j, "idle", (double)tl->idle_ns / 1e9);
  for (int c = 0; c < CAT_COUNT; c++) key_double(j, activity_category_name[c], (double)tl->category_ns[c] / 1e9);
  jw_object_end(j);
}

static void json_rank_utilization(struct jw *j, const struct rank_utilization *r) {
  const struct rank_steps *s = &r->file->steps;
  jw_key(j, "steps");
  jw_object_begin(j);
  key_u128(j, "count", s->nsteps);
  key_string(j, "method", s->method);
  key_u128(j, "warmup", r->first);
  key_u128(j, "measured", r->used);
  key_double(j, "mean_time_s", r->used ? r->step_s : NAN);
  key_string(j, "timed_on", !s->nsteps ? NULL : s->steps[0].gpu_window ? "gpu" : "host");
  key_u128(j, "calls_per_step", s->period);
  key_double(j, "confidence", s->nsteps ? s->score : NAN);
  key_string(j, "not_found", s->nsteps ? NULL : s->reason);
  jw_key(j, "per_step");
  jw_array_begin(j);
  for (size_t i = 0; i < s->nsteps; i++) {
    const struct step_result *x = &s->steps[i];
    double t = (double)(x->end_ns - x->start_ns) / 1e9;
    jw_object_begin(j);
    key_double(j, "time_s", t);
    key_double(j, "gemm_flops", x->gemm_flops);
    key_double(j, "nccl_bytes", x->nccl_bytes);
    key_u128(j, "calls", x->calls);
    key_double(j, "mfu", r->model_flops / (t * r->peak));
    if (r->step_eff) {
      jw_key(j, "efficiency");
      jw_object_begin(j);
      for (int f = EFF_COVERAGE; f < EFF_COUNT; f++) key_double(j, efficiency_name[f], r->step_eff[i].value[f]);
      jw_object_end(j);
    }
    jw_key(j, "measured");
    jw_bool(j, i >= r->first && i < r->first + r->used);
    jw_object_end(j);
  }
  jw_array_end(j);
  jw_object_end(j);
  key_double(j, "counted_flops_per_step", r->used ? r->counted_flops : NAN);
  key_double(j, "model_flops_per_step", r->model_flops);
  key_double(j, "peak_flops", r->peak);
  key_string(j, "peak", isnan(r->peak) ? NULL : r->peak_label);
  key_double(j, "mfu", r->mfu);
  key_double(j, "hfu", r->hfu);
  json_efficiency(j, &r->eff, r->timeline && r->used);
  if (r->timeline && r->used) json_timeline(j, &r->tl);
}

static void json_utilization(struct jw *j, const struct report *r) {
  const struct job_utilization *u = &r->u;
  jw_key(j, "steps");
  jw_object_begin(j);
  jw_key(j, "count");
  if (r->shown) jw_u128(j, u->steps);
  else jw_null(j);
  key_double(j, "mean_time_s", r->shown ? u->step_s : NAN);
  key_string(j, "method", r->shown ? r->shown->file->steps.method : NULL);
  jw_object_end(j);
  key_double(j, "mfu", u->mfu);
  key_double(j, "hfu", u->hfu);
  json_efficiency(j, &u->eff, u->timeline && r->shown);
  jw_key(j, "straggler");
  if (u->straggler_known && u->nranks > 1) {
    jw_object_begin(j);
    key_rank(j, u->ranks[u->straggler.rank].file);
    key_double(j, "nccl_time_s", (double)u->straggler.least_ns / 1e9);
    key_double(j, "spread_s", (double)u->straggler.spread_ns / 1e9);
    jw_object_end(j);
  } else {
    jw_null(j);
  }
}

static void json_per_rank(struct jw *j, const struct mfu_file *f, const struct rank_utilization *u) {
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
  key_string(j, "device", f->steps.device[0] ? f->steps.device : NULL);
  key_string(j, "gpu_timeline", cupti_state(f));
  jw_key(j, "time_span_s");
  if (f->records) jw_double(j, span_s(f->first_ns, f->last_ns));
  else jw_null(j);
  json_rank_utilization(j, u);
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

  json_utilization(j, r);

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
  struct utilization_options none = {.skip = -1};
  struct model_options defaults;
  model_options_init(&defaults);
  none.mo = &defaults;
  r.util = o->util;
  char err[256];
  if (utilization_compute(r.j, o->util ? o->util : &none, &r.u, err, sizeof err) != 0) {
    fprintf(stderr, "mfu report: %s\n", err);
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
    print_utilization(out, &r, o->max_rows);
    print_list(out, "notes", &r.notes);
    print_list(out, "warnings", &r.warnings);
  }
  mfu_strings_free(&r.warnings);
  mfu_strings_free(&r.notes);
  utilization_free(&r.u);
  return 0;
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: mfu report [DIR] [--json] [--job ID] [--skip N] [--step-range REGEX] [MODEL]\n"
          "                  [WORK] [PEAK]\n"
          "\n"
          "Reads the trace files (*%s) in DIR and its subdirectories and reports the GEMM\n"
          "calls and FLOPs the shim counted, by precision, by API and by rank, and the NCCL\n"
          "calls and the bytes they moved, by operation and by rank. Calls captured into a\n"
          "CUDA graph count at every launch of the graph, as if made then. It finds the\n"
          "training steps in each rank's calls and reports the step time, MFU and HFU, and,\n"
          "when the traces hold a GPU timeline (CUPTI), the efficiency factors from the peak\n"
          "down to MFU.\n"
          "\n"
          "  DIR        the traces' directory: MFU_TRACE_DIR of the traced run (default\n"
          "             $MFU_TRACE_DIR, else ./mfu-traces), or one trace file\n"
          "  --json     one JSON object on stdout instead of the tables\n"
          "  --job ID   the job to report when DIR holds several (default: the latest)\n"
          "  --skip N   leave out the first N steps as warm-up (default: detected)\n"
          "  --step-range REGEX\n"
          "             the steps are the NVTX ranges (push/pop, start/end) whose message\n"
          "             matches REGEX (POSIX extended), e.g. '^train_step$'; the program must\n"
          "             run with NVTX_INJECTION64_PATH=libmfushim.so (mfu run sets it). Default:\n"
          "             cudaProfilerStart/Stop regions if there are two or more, else the\n"
          "             steps are found in the repeating sequence of calls\n"
          "\n"
          "MODEL, WORK and PEAK are the options of `mfu predict` (below); --batch and --seq are\n"
          "per rank and step. Without a model there is no MFU, and HFU is from the counted\n"
          "FLOPs; the peak is that of the device each trace recorded unless --device or\n"
          "--peak-tflops says otherwise, for the precision with the most counted FLOPs unless\n"
          "--dtype says otherwise.\n\n",
          MFU_TRACE_SUFFIX);
  model_options_help(out);
  fprintf(out, "\nExit status: 0 (also with warnings), 2 for bad usage or no readable trace.\n");
}

enum { OPT_JSON = 1, OPT_JOB, OPT_SKIP, OPT_HELP, OPT_STEP_RANGE };

static const struct option report_options_table[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"job", required_argument, NULL, OPT_JOB},
    {"skip", required_argument, NULL, OPT_SKIP},
    {"step-range", required_argument, NULL, OPT_STEP_RANGE},
    {"help", no_argument, NULL, OPT_HELP},
    {0}};

struct report_args {
  struct report_options o;
  struct utilization_options u;
  const char *step_range; /* NULL: profiler ranges or automatic detection */
  bool help;
};

static int on_report_option(void *ctx, int id, const char *arg) {
  struct report_args *a = ctx;
  int64_t n;
  switch (id) {
  case OPT_JSON: a->o.json = true; return 0;
  case OPT_JOB: a->o.job_id = arg; return 0;
  case OPT_HELP: a->help = true; return 0;
  case OPT_STEP_RANGE: {
    regex_t re;
    int rc = regcomp(&re, arg, REG_EXTENDED | REG_NOSUB);
    if (rc) {
      char why[160];
      regerror(rc, &re, why, sizeof why);
      fprintf(stderr, "mfu report: --step-range '%s': %s\n", arg, why);
      return 2;
    }
    regfree(&re);
    a->step_range = arg;
    return 0;
  }
  default:
    if (option_count("mfu report", "skip", arg, 0, 1000000000, &n) != 0) return 2;
    a->u.skip = (long)n;
    return 0;
  }
}

int cmd_report(int argc, char **argv) {
  struct model_options mo;
  model_options_init(&mo);
  struct report_args a = {.u = {.mo = &mo, .skip = -1}};
  int first = model_options_parse(argc, argv, "mfu report", report_options_table, on_report_option,
                                  &a, &mo);
  if (first < 0) return -first;
  if (a.help) {
    usage(stdout);
    return 0;
  }
  if (argc - first > 1) {
    fprintf(stderr, "mfu report: one directory at a time: got '%s' and '%s'\n", argv[first],
            argv[first + 1]);
    return 2;
  }
  char err[1024];
  if (model_options_has_model(&mo)) {
    if (model_options_model(&mo, &a.u.model, err, sizeof err) != 0) {
      fprintf(stderr, "mfu report: %s\n", err);
      return 2;
    }
    a.u.have_model = true;
  }
  a.o.util = &a.u;
  const char *path = first < argc ? argv[first] : NULL;
  if (!path) path = getenv("MFU_TRACE_DIR") && *getenv("MFU_TRACE_DIR") ? getenv("MFU_TRACE_DIR")
                                                                          : "mfu-traces";
  struct mfu_traces t;
  int status = 2;
  if (mfu_traces_load_steps(&t, path, NULL, a.step_range, err, sizeof err) == 0)
    status = report_print(stdout, path, &t, &a.o);
  else
    fprintf(stderr, "mfu report: %s\n", err);
  mfu_traces_free(&t);
  return status;
}
