/* job: see job.h. */
#include "job.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/graphs.h"
#include "trace/reader.h"
#include "runs.h"
#include "trace_files.h"
#include "util/alloc.h"
#include "util/grouped.h"
#include "util/sort.h"

/* Problem files are named one per warning up to this many per kind, then counted: a job of
 * 4096 ranks killed by its time limit must not print 4096 lines. */
#define MAX_LISTED 10

static bool is_gemm_payload(const struct mfu_record *r) {
  return r->kind == MFU_REC_GEMM || r->kind == MFU_REC_BLAS3;
}

/* Whether a GEMM, BLAS3 or NCCL call was captured into a CUDA graph: it ran at each launch of the
 * graph, not when it was made. A failed call did nothing (it counts once, as failed), and a
 * record of an NCCL operation this mfu does not know is skipped once. */
static bool ran_in_graph(const struct mfu_record *r) {
  if (!(r->flags & MFU_RF_CAPTURED)) return false;
  if (is_gemm_payload(r)) return r->status == 0;
  return mfu_nccl_accepted(r->status) && r->u.nccl.op < MFU_NCCL_OP_COUNT;
}

static uint64_t capture_id(const struct mfu_record *r) {
  return is_gemm_payload(r) ? r->u.gemm.capture : r->u.nccl.capture;
}

/* Room for n tallies, the new ones empty. */
static void tallies_reserve(struct counts_tally **v, size_t *have, size_t n) {
  if (n <= *have) return;
  *v = mfu_xrealloc(*v, n * sizeof **v);
  memset(*v + *have, 0, (n - *have) * sizeof **v);
  *have = n;
}

/* Adds each capture's calls to the file's once per launch that ran them (trace/graphs.h). */
static void add_launched(struct mfu_file *fs, struct counts_tally *direct,
                         const struct counts_tally *captured, const struct mfu_graphs *g) {
  struct mfu_graph_counts *gc = &fs->graphs;
  *gc = (struct mfu_graph_counts){.captures = g->ncaptures, .instantiations = g->instantiations,
                                  .launches = g->launches, .executables = g->executables,
                                  .unknown_launches = g->unknown_launches};
  for (size_t i = 0; i < g->ncaptures; i++) {
    uint64_t runs = g->captures[i].runs;
    struct counts_share w = counts_share_of(&captured[i].c);
    counts_tally_add(direct, &captured[i], runs);
    if (runs) {
      counts_share_add(&gc->launched, w, runs);
    } else if (w.gemm_calls || w.nccl_calls) {
      gc->unlaunched_captures++;
      counts_share_add(&gc->unlaunched, w, 1);
    }
  }
}

/* The records a file holds, from its header, as far as its size allows (a v2 record takes
 * three bytes at least before compression, a v1 record MFU_RECORD_V1_SIZE): a hint for the
 * arrays, which a damaged header cannot make larger than the file. */
static size_t records_expected(const struct mfu_trace *t) {
  uint64_t most = t->file_size / (t->header.version < 2 ? MFU_RECORD_V1_SIZE : 3);
  uint64_t n = t->header.records_written < most ? t->header.records_written : most;
  return n < SIZE_MAX ? (size_t)n : SIZE_MAX;
}

static void read_file(struct mfu_file *fs, const char *step_range) {
  struct mfu_trace t;
  struct counts_tally direct = {0}, *captured = NULL; /* captured: by index in graphs.captures */
  size_t ncaptured = 0;
  struct mfu_graphs graphs = {0};
  fs->readable = mfu_trace_open(&t, fs->path) == 0;
  /* A trace of steps only (MFU_STEPS) has its steps marked by the ranges it counted. */
  char window_range[sizeof t.header.window_step_range + 1] = "";
  if (fs->readable && t.header.window_kind == MFU_WINDOW_STEPS)
    snprintf(window_range, sizeof window_range, "%.*s", (int)sizeof t.header.window_step_range,
             t.header.window_step_range);
  struct rank_calls *calls = rank_calls_new();
  if (fs->readable) rank_calls_reserve(calls, records_expected(&t));
  for (const struct mfu_record *r; (r = mfu_trace_next(&t));) {
    if (t.records == 1 || r->t_start_ns < fs->first_ns) fs->first_ns = r->t_start_ns;
    if (r->t_end_ns > fs->last_ns) fs->last_ns = r->t_end_ns;
    rank_calls_add(calls, r, &t);
    if (r->kind == MFU_REC_GRAPH) {
      if (!mfu_graphs_note(&graphs, r)) direct.c.unknown_records++;
    } else if (r->kind >= MFU_REC_DEVICE && r->kind <= MFU_REC_MARKER) {
      /* the device, the GPU timeline and the markers: read by the step analysis */
    } else if (!is_gemm_payload(r) && r->kind != MFU_REC_NCCL) {
      direct.c.unknown_records++;
    } else if (ran_in_graph(r)) {
      size_t i = mfu_graphs_capture(&graphs, capture_id(r));
      tallies_reserve(&captured, &ncaptured, graphs.ncaptures);
      counts_tally_record(&captured[i], r);
    } else {
      counts_tally_traced(&direct, r, &t);
    }
  }
  mfu_graphs_resolve(&graphs);
  tallies_reserve(&captured, &ncaptured, graphs.ncaptures);
  add_launched(fs, &direct, captured, &graphs);
  double *capture_flops = mfu_xrealloc(NULL, (ncaptured ? ncaptured : 1) * sizeof *capture_flops);
  for (size_t i = 0; i < ncaptured; i++) capture_flops[i] = (double)captured[i].c.gemm_flops;
  rank_calls_add_launches(calls, &graphs, capture_flops);
  free(capture_flops);
  rank_calls_resolve(calls, &t);
  call_times_finish(calls, &t, &fs->call_times);
  rank_steps_finish(calls, &t, step_range || !window_range[0] ? step_range : window_range,
                    &fs->steps);
  counts_of_tally(&fs->counts, &direct, &t);
  for (size_t i = 0; i < ncaptured; i++) counts_tally_free(&captured[i]);
  free(captured);
  counts_tally_free(&direct);
  mfu_graphs_free(&graphs);
  fs->header = t.header;
  fs->complete = t.complete;
  fs->records = t.records;
  fs->skipped_blocks = t.skipped_blocks;
  snprintf(fs->problem, sizeof fs->problem, "%s", t.problem);
  fs->problem_offset = t.problem_offset;
  fs->gaps = t.gaps;
  t.gaps = (struct trace_gaps){0}; /* now the file's */
  fs->callsites = t.callsites;
  t.callsites = (struct trace_callsites){0};
  fs->tail = t.tail;
  mfu_trace_close(&t);
}

/* Files are read in parallel, by threads that each take the next file not yet taken, the
 * largest first: a large file left for last would keep one thread busy while the others have
 * nothing left to take. */
unsigned mfu_traces_threads;

struct reading {
  struct mfu_file *files;
  const struct mfu_sort_pair *order; /* by size, largest first: index in files */
  size_t n;
  atomic_size_t next;
  const char *step_range;
};

static void *read_some(void *arg) {
  struct reading *r = arg;
  for (size_t i; (i = atomic_fetch_add(&r->next, 1)) < r->n;)
    read_file(&r->files[r->order[i].index], r->step_range);
  return NULL;
}

static int by_size_down(const void *a, const void *b) {
  const struct mfu_sort_pair *x = a, *y = b;
  return x->value != y->value ? MFU_COMPARE(y->value, x->value) : MFU_COMPARE(x->index, y->index);
}

static void read_files(struct mfu_file *files, size_t n, const char *step_range) {
  struct mfu_sort_pair *order = mfu_xmalloc(n, sizeof *order);
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    order[i] = (struct mfu_sort_pair){stat(files[i].path, &st) == 0 ? (uint64_t)st.st_size : 0, i};
  }
  mfu_sort(order, n, sizeof *order, by_size_down);
  struct reading r = {files, order, n, 0, step_range};
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  size_t threads = mfu_traces_threads ? mfu_traces_threads : cpus > 0 ? (size_t)cpus : 1;
  if (threads > n) threads = n ? n : 1;
  pthread_t *helpers = mfu_xmalloc(threads, sizeof *helpers);
  size_t started = 0;
  while (started + 1 < threads && pthread_create(&helpers[started], NULL, read_some, &r) == 0)
    started++; /* a thread that cannot be started leaves its files to the others */
  read_some(&r);
  for (size_t i = 0; i < started; i++) pthread_join(helpers[i], NULL);
  free(helpers);
  free(order);
}

/* --- grouping files into jobs */

/* Files of unknown rank (-1) sort after every known rank. */
static int64_t rank_key(const struct mfu_file *f) {
  return f->header.rank < 0 ? INT64_MAX : f->header.rank;
}

static int compare_files(const void *a, const void *b) {
  const struct mfu_file *x = *(struct mfu_file *const *)a, *y = *(struct mfu_file *const *)b;
  int c = strcmp(x->header.job_id, y->header.job_id);
  if (c) return c;
  if (rank_key(x) != rank_key(y)) return rank_key(x) < rank_key(y) ? -1 : 1;
  return strcmp(x->path, y->path);
}

static const char *rank_text(const struct mfu_file *f, char buf[16]) {
  if (f->header.rank < 0) return "?";
  snprintf(buf, 16, "%d", (int)f->header.rank);
  return buf;
}

/* Lists the first MAX_LISTED problems of a kind, one per warning; `*listed` counts them all. */
__attribute__((format(printf, 3, 4))) static void add_listed(struct mfu_strings *w, size_t *listed,
                                                             const char *fmt, ...) {
  if ((*listed)++ >= MAX_LISTED) return;
  va_list ap;
  va_start(ap, fmt);
  mfu_strings_vaddf(w, fmt, ap);
  va_end(ap);
}

static void end_listed(struct mfu_strings *w, size_t listed, const char *what) {
  if (listed > MAX_LISTED)
    mfu_strings_addf(w, "... and %zu more %s", listed - MAX_LISTED, what);
}

/* Appends "lo" or "lo-hi" to a comma-separated list. */
static void put_range(FILE *m, size_t *ranges, long lo, long hi) {
  fprintf(m, "%s%ld", (*ranges)++ ? ", " : "", lo);
  if (hi > lo) fprintf(m, "-%ld", hi);
}

/* Missing, duplicated and out-of-range ranks. Files are sorted by rank, so gaps and
 * duplicates show between neighbors (no table as large as a corrupt world size). */
static void rank_warnings(struct mfu_job *j) {
  char *gaps;
  size_t gaps_len, ranges = 0;
  FILE *m = open_memstream(&gaps, &gaps_len);
  if (!m) mfu_out_of_memory();
  long next = 0, missing = 0;
  struct mfu_grouped g = {0};
  for (size_t i = 0, k; i < j->nfiles && j->files[i]->header.rank >= 0; i = k) {
    long r = j->files[i]->header.rank;
    for (k = i; k < j->nfiles && j->files[k]->header.rank == r; k++) {}
    if (r > next) {
      put_range(m, &ranges, next, r - 1);
      missing += r - next;
    }
    if (k - i > 1) {
      char *names;
      size_t names_len;
      FILE *n = open_memstream(&names, &names_len);
      if (!n) mfu_out_of_memory();
      for (size_t x = i; x < k; x++) fprintf(n, "%s%s", x > i ? ", " : "", j->files[x]->path);
      fclose(n);
      mfu_grouped_add(&g, "duplicated", "have several trace files each: all are counted (a "
                      "restarted process, or two jobs with the same id?)", r,
                      mfu_xasprintf("rank %ld has %zu trace files: %s: all are counted (a "
                                    "restarted process, or two jobs with the same id?)",
                                    r, k - i, names), true);
      free(names);
    }
    if (j->world_size > 0 && r >= j->world_size)
      mfu_grouped_add(&g, "outside", "are outside the world size", r,
                      mfu_xasprintf("rank %ld is outside world size %d: %s", r, j->world_size,
                                    j->files[i]->path), true);
    next = r + 1;
  }
  long expected = j->world_size > 0 ? j->world_size : next;
  if (next < expected) {
    put_range(m, &ranges, next, expected - 1);
    missing += expected - next;
  }
  fclose(m);
  mfu_grouped_flush(&g, &j->warnings);
  if (missing)
    mfu_strings_addf(&j->warnings, "%ld rank%s of %ld missing: %s: no trace file for %s here "
                     "(not started under the shim, or its MFU_TRACE_DIR pointed elsewhere?)",
                     missing, missing > 1 ? "s" : "", expected, gaps, missing > 1 ? "them" : "it");
  free(gaps);
}

/* "1 block", "N blocks" or, for -1, "an unknown number of blocks". */
static const char *counted(int64_t n, const char *what, char buf[64]) {
  if (n < 0)
    snprintf(buf, 64, "an unknown number of %ss", what);
  else
    snprintf(buf, 64, "%lld %s%s", (long long)n, what, n == 1 ? "" : "s");
  return buf;
}

#define GAPS_LISTED 3 /* per file, in the text; --json lists more */

/* "rank R (path) was read past N damaged regions (bytes, records lost; at byte B, ...)" */
static char *gap_warning(const struct mfu_file *f) {
  char *text, rank[16], bytes[64], blocks[64], records[64], regions[64];
  size_t len;
  FILE *m = open_memstream(&text, &len);
  if (!m) mfu_out_of_memory();
  const struct trace_gaps *g = &f->gaps;
  if (g->unknown == g->n)
    fprintf(m, "an unknown number of records lost");
  else if (g->unknown)
    fprintf(m, "%s lost, and an unknown number in %s",
            counted((int64_t)g->records, "record", records),
            counted((int64_t)g->unknown, "region", regions));
  else
    fprintf(m, "%s lost", counted((int64_t)g->records, "record", records));
  for (size_t i = 0; i < g->n && i < GAPS_LISTED; i++) {
    const struct trace_gap *x = &g->list[i];
    fprintf(m, "; at byte %llu, %s, %s, %s: %s", (unsigned long long)x->offset,
            counted((int64_t)x->bytes, "byte", bytes), counted(x->blocks, "block", blocks),
            counted(x->records, "record", records), x->reason);
  }
  if (g->n > GAPS_LISTED) fprintf(m, "; %zu more in --json", g->n - GAPS_LISTED);
  fclose(m);
  char *warning = mfu_xasprintf("rank %s (%s) was read past %s (%s, %s)", rank_text(f, rank),
                                f->path, counted((int64_t)g->n, "damaged region", regions),
                                counted((int64_t)g->bytes, "byte", bytes), text);
  free(text);
  return warning;
}

static void file_warnings(struct mfu_job *j) {
  struct mfu_grouped g = {0};
  char rank[16], records[64];
  for (size_t i = 0; i < j->nfiles; i++) {
    const struct mfu_file *f = j->files[i];
    long r = f->header.rank;
    if (f->problem[0])
      mfu_grouped_add(&g, "incomplete", "are incomplete: every block before where each ends "
                      "counts (all in --json incomplete_files)", r,
                      mfu_xasprintf("rank %s (%s) is incomplete at byte %llu: %s%s%s%s",
                                    rank_text(f, rank), f->path,
                                    (unsigned long long)f->problem_offset, f->problem,
                                    f->tail.records > 0 ? " (" : "",
                                    f->tail.records > 0 ? counted(f->tail.records, "record", records) : "",
                                    f->tail.records > 0 ? " of its torn last block lost)" : ""),
                      true);
    if (f->gaps.n)
      mfu_grouped_add(&g, "damaged", "were read past damaged regions (all in --json "
                      "incomplete_files)", r, gap_warning(f), true);
    if (f->header.flags & MFU_FILE_SIZE_LIMIT)
      mfu_grouped_add(&g, "limited", "stopped recording at MFU_MAX_MB: their counts cover the "
                      "run up to there", r,
                      mfu_xasprintf("rank %s (%s) stopped recording at MFU_MAX_MB (%llu records "
                                    "after it not kept): its counts cover the run up to there",
                                    rank_text(f, rank), f->path,
                                    (unsigned long long)f->header.records_lost), true);
    else if (f->header.records_lost || (f->header.flags & MFU_FILE_WRITE_ERROR))
      mfu_grouped_add(&g, "lossy", "lost records to write errors (disk full?): their counts are "
                      "low", r,
                      mfu_xasprintf("rank %s (%s) lost %llu records to write errors (disk "
                                    "full?): its counts are low", rank_text(f, rank), f->path,
                                    (unsigned long long)f->header.records_lost), true);
  }
  mfu_grouped_flush(&g, &j->warnings);
}

static void count_warnings(struct mfu_job *j) {
  const struct mfu_counts *c = &j->totals;
  uint64_t skipped = 0;
  for (size_t i = 0; i < j->nfiles; i++) skipped += j->files[i]->skipped_blocks;
  if (c->flops_saturated)
    mfu_strings_addf(&j->warnings, "%llu GEMM calls overflowed 64-bit FLOP counts: the FLOP "
                     "totals are lower bounds", (unsigned long long)c->flops_saturated);
  if (c->shape_unknown)
    mfu_strings_addf(&j->warnings, "%llu GEMM calls had shapes the shim could not decode: "
                     "counted with 0 FLOPs", (unsigned long long)c->shape_unknown);
  if (c->bytes_saturated)
    mfu_strings_addf(&j->warnings, "%llu NCCL calls overflowed 64-bit byte counts: the byte "
                     "totals are lower bounds", (unsigned long long)c->bytes_saturated);
  if (c->dtype_unknown)
    mfu_strings_addf(&j->warnings, "%llu NCCL calls had datatypes the shim does not know: "
                     "counted with 0 bytes", (unsigned long long)c->dtype_unknown);
  if (j->graphs.unknown_launches)
    mfu_strings_addf(&j->warnings, "%llu CUDA graph launches ran executables never seen "
                     "instantiated (before the shim was loaded, or their records were lost): "
                     "what they ran is unknown and not counted",
                     (unsigned long long)j->graphs.unknown_launches);
  if (c->unknown_records || skipped)
    mfu_strings_addf(&j->warnings, "%llu records and %llu blocks of unknown kinds were skipped: "
                     "the traces come from a newer shim: upgrade mfu",
                     (unsigned long long)c->unknown_records, (unsigned long long)skipped);
}

static uint64_t to_realtime(const struct mfu_file *f, uint64_t monotonic_ns) {
  int64_t since_start = (int64_t)(monotonic_ns - f->header.start_monotonic_ns);
  return f->header.start_realtime_ns + (uint64_t)since_start;
}

static void finish_job(struct mfu_job *j) {
  j->world_size = -1;
  for (size_t i = 0; i < j->nfiles; i++) {
    const struct mfu_file *f = j->files[i];
    counts_add(&j->totals, &f->counts);
    counts_graphs_add(&j->graphs, &f->graphs);
    if (f->header.world_size > j->world_size) j->world_size = f->header.world_size;
    if (!j->started_realtime_ns || f->header.start_realtime_ns < j->started_realtime_ns)
      j->started_realtime_ns = f->header.start_realtime_ns;
    bool distinct = f->header.rank < 0 || i == 0 || j->files[i - 1]->header.rank != f->header.rank;
    j->ranks += distinct;
    if (!f->records) continue;
    uint64_t first = to_realtime(f, f->first_ns), last = to_realtime(f, f->last_ns);
    if (!j->start_realtime_ns || first < j->start_realtime_ns) j->start_realtime_ns = first;
    if (last > j->end_realtime_ns) j->end_realtime_ns = last;
  }
  if (j->world_size <= 0) j->world_size = -1;
  counts_sort_apis(&j->totals);
  rank_warnings(j);
  file_warnings(j);
  count_warnings(j);
}

static int compare_jobs(const void *a, const void *b) {
  const struct mfu_job *x = a, *y = b;
  if (x->started_realtime_ns != y->started_realtime_ns)
    return x->started_realtime_ns > y->started_realtime_ns ? -1 : 1; /* most recent first */
  return strcmp(x->job_id, y->job_id);
}

static struct mfu_job *add_job(struct mfu_traces *t, size_t *cap, struct mfu_file **files,
                               size_t n, const char *id) {
  MFU_GROW(t->jobs, t->njobs, *cap);
  struct mfu_job *j = &t->jobs[t->njobs++];
  *j = (struct mfu_job){.nfiles = n};
  snprintf(j->job_id, sizeof j->job_id, "%s", id);
  j->files = memcpy(mfu_xrealloc(NULL, n * sizeof *j->files), files, n * sizeof *j->files);
  finish_job(j);
  return j;
}

static struct runs_file run_span(const struct mfu_file *f) {
  uint64_t last = f->header.end_monotonic_ns > f->last_ns ? f->header.end_monotonic_ns : f->last_ns;
  uint64_t start = f->header.start_realtime_ns, end = to_realtime(f, last);
  return (struct runs_file){start, end > start ? end : start, f->header.rank, f->header.pid,
                            f->header.hostname};
}

/* The files of one job id (sorted by rank, then path), as one job per run (runs.h): one run
 * keeps the id, several are told apart as ID#1, ID#2, ... in the order they started. */
static void add_runs(struct mfu_traces *t, size_t *cap, struct mfu_file **files, size_t n) {
  struct runs_file *span = mfu_xmalloc(n, sizeof *span);
  size_t *run_of = mfu_xmalloc(n, sizeof *run_of);
  for (size_t i = 0; i < n; i++) span[i] = run_span(files[i]);
  size_t runs = runs_split(span, n, run_of);
  const char *id = files[0]->header.job_id;
  if (runs == 1) {
    add_job(t, cap, files, n, id);
  } else {
    struct mfu_file **mine = mfu_xmalloc(n, sizeof *mine);
    for (size_t r = 0; r < runs; r++) {
      size_t m = 0;
      for (size_t i = 0; i < n; i++)
        if (run_of[i] == r) mine[m++] = files[i];
      char run_id[sizeof t->jobs->job_id + 24]; /* add_job keeps what fits */
      snprintf(run_id, sizeof run_id, "%.40s#%zu", id, r + 1);
      struct mfu_job *j = add_job(t, cap, mine, m, run_id);
      mfu_strings_addf(&j->warnings, "job id '%s' is shared by %zu separate runs (files of "
                       "unknown rank are programs of their own, and runs that do not overlap "
                       "in time are separate launches): this is '%s', of %zu file%s; the runs "
                       "are %s#1 to %s#%zu, in the order they started (set MFU_JOB_ID to name "
                       "runs yourself)", id, runs, run_id, m, m == 1 ? "" : "s", id, id, runs);
    }
    free(mine);
  }
  free(span);
  free(run_of);
}

static void group_jobs(struct mfu_traces *t) {
  struct mfu_file **readable = mfu_xrealloc(NULL, t->nfiles * sizeof *readable);
  size_t n = 0, cap = 0;
  for (size_t i = 0; i < t->nfiles; i++)
    if (t->files[i].readable) readable[n++] = &t->files[i];
  mfu_sort(readable, n, sizeof *readable, compare_files);
  for (size_t i = 0, k; i < n; i = k) {
    for (k = i; k < n && !strcmp(readable[k]->header.job_id, readable[i]->header.job_id); k++) {}
    add_runs(t, &cap, readable + i, k - i);
  }
  free(readable);
  mfu_sort(t->jobs, t->njobs, sizeof *t->jobs, compare_jobs);
}

int mfu_traces_load(struct mfu_traces *t, const char *path, const struct mfu_strings *skip,
                    const char *step_range, char *err, size_t errlen) {
  *t = (struct mfu_traces){0};
  struct mfu_strings paths = {0};
  if (trace_files_find(path, &paths, &t->warnings, err, errlen)) return -1;
  t->files = mfu_xrealloc(NULL, paths.n * sizeof *t->files);
  for (size_t i = 0; i < paths.n; i++) {
    if (skip && skip->n &&
        bsearch(&paths.v[i], skip->v, skip->n, sizeof *skip->v, mfu_compare_strings))
      continue;
    struct mfu_file *f = &t->files[t->nfiles++];
    *f = (struct mfu_file){.path = paths.v[i]};
    paths.v[i] = NULL; /* now owned by the file */
  }
  mfu_strings_free(&paths);
  read_files(t->files, t->nfiles, step_range);
  if (!t->nfiles) {
    snprintf(err, errlen,
             "no trace files (*%s) in '%s' or its subdirectories: run the program under "
             "`mfu run -- CMD ARGS...`, or with LD_PRELOAD=libmfushim.so and MFU_TRACE_DIR=%s",
             MFU_TRACE_SUFFIX, path, path);
    return 1;
  }
  size_t unreadable = 0;
  for (size_t i = 0; i < t->nfiles; i++)
    if (!t->files[i].readable)
      add_listed(&t->warnings, &unreadable, "%s is unreadable: %s", t->files[i].path,
                 t->files[i].problem);
  end_listed(&t->warnings, unreadable, "unreadable files (all in --json incomplete_files)");
  group_jobs(t);
  return 0;
}

void mfu_traces_free(struct mfu_traces *t) {
  for (size_t i = 0; i < t->nfiles; i++) {
    free(t->files[i].path);
    trace_gaps_free(&t->files[i].gaps);
    counts_free(&t->files[i].counts);
    rank_steps_free(&t->files[i].steps);
    call_times_free(&t->files[i].call_times);
    trace_callsites_free(&t->files[i].callsites);
  }
  for (size_t i = 0; i < t->njobs; i++) {
    free(t->jobs[i].files);
    counts_free(&t->jobs[i].totals);
    mfu_strings_free(&t->jobs[i].warnings);
  }
  free(t->files);
  free(t->jobs);
  mfu_strings_free(&t->warnings);
  *t = (struct mfu_traces){0};
}

const struct mfu_job *mfu_traces_find_job(const struct mfu_traces *t, const char *job_id) {
  for (size_t i = 0; i < t->njobs; i++)
    if (!strcmp(t->jobs[i].job_id, job_id)) return &t->jobs[i];
  return NULL;
}
