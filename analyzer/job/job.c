/* job: see job.h. */
#include "job.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/alloc.h"
#include "trace/graphs.h"
#include "trace/reader.h"

/* Problem files are named one per warning up to this many per kind, then counted: a job of
 * 4096 ranks killed by its time limit must not print 4096 lines. */
#define MAX_LISTED 10

static void push(struct mfu_strings *l, char *owned) {
  MFU_GROW(l->v, l->n, l->cap);
  l->v[l->n++] = owned;
}

void mfu_strings_add(struct mfu_strings *l, const char *s) {
  size_t n = strlen(s) + 1;
  push(l, memcpy(mfu_xrealloc(NULL, n), s, n));
}

__attribute__((format(printf, 1, 0))) static char *xvasprintf(const char *fmt, va_list ap) {
  char *s;
  if (vasprintf(&s, fmt, ap) < 0) mfu_out_of_memory();
  return s;
}

__attribute__((format(printf, 1, 2))) static char *xasprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = xvasprintf(fmt, ap);
  va_end(ap);
  return s;
}

void mfu_strings_addf(struct mfu_strings *l, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  push(l, xvasprintf(fmt, ap));
  va_end(ap);
}

void mfu_strings_free(struct mfu_strings *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  *l = (struct mfu_strings){0};
}

/* qsort for arrays that may be empty and NULL, which qsort itself does not allow. */
static void sort(void *base, size_t n, size_t size, int (*compare)(const void *, const void *)) {
  if (n > 1) qsort(base, n, size, compare);
}

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* --- finding trace files */

static bool is_trace_name(const char *name) {
  size_t n = strlen(name), s = strlen(MFU_TRACE_SUFFIX);
  return n > s && strcmp(name + n - s, MFU_TRACE_SUFFIX) == 0;
}

static void scan(DIR *d, const char *dir, bool descend, struct mfu_strings *out,
                 struct mfu_strings *warnings) {
  const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
  for (struct dirent *e; (e = readdir(d));) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char *path = xasprintf("%s%s%s", dir, sep, e->d_name);
    struct stat st;
    if (descend && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
      DIR *sub = opendir(path);
      if (sub) {
        scan(sub, path, false, out, warnings);
        closedir(sub);
      } else if (warnings) {
        mfu_strings_addf(warnings, "cannot read subdirectory %s: %s: its traces are not counted",
                         path, strerror(errno));
      }
    } else if (is_trace_name(e->d_name)) {
      push(out, path);
      continue;
    }
    free(path);
  }
}

int mfu_find_traces(const char *path, struct mfu_strings *out, struct mfu_strings *warnings,
                    char *err, size_t errlen) {
  struct stat st;
  DIR *d = NULL;
  if (stat(path, &st) != 0 || (S_ISDIR(st.st_mode) && !(d = opendir(path)))) {
    snprintf(err, errlen,
             "cannot open '%s': %s: give the directory the traces were written to "
             "(MFU_TRACE_DIR of the traced program, default ./mfu-traces)",
             path, strerror(errno));
    return -1;
  }
  size_t first = out->n;
  if (d) {
    scan(d, path, true, out, warnings);
    closedir(d);
  } else {
    mfu_strings_add(out, path); /* a file named explicitly is read whatever its name */
  }
  sort(out->v + first, out->n - first, sizeof *out->v, compare_strings);
  return 0;
}

/* --- counting one file */

/* Adds `times` the calls of `src`. */
static void api_stats_add(struct mfu_api_stats *dst, const struct mfu_api_stats *src,
                          uint64_t times) {
  dst->calls += src->calls * times;
  dst->failed += src->failed * times;
  dst->flops += src->flops * times;
}

static struct mfu_api_stats *api_entry(struct mfu_counts *c, const char *name) {
  for (size_t i = 0; i < c->napis; i++)
    if (!strcmp(c->apis[i].name, name)) return &c->apis[i];
  c->apis = mfu_xrealloc(c->apis, (c->napis + 1) * sizeof *c->apis);
  struct mfu_api_stats *a = &c->apis[c->napis++];
  *a = (struct mfu_api_stats){0};
  snprintf(a->name, sizeof a->name, "%s", name);
  return a;
}

static void count_gemm(struct mfu_counts *c, struct mfu_api_stats *api,
                       const struct mfu_record *r) {
  if (r->status != 0) { /* the call failed: it did no work */
    c->gemm_failed++;
    api->failed++;
    return;
  }
  unsigned p = r->u.gemm.precision < MFU_PREC_COUNT ? r->u.gemm.precision : MFU_PREC_OTHER;
  c->gemm_calls++;
  c->gemm_flops += r->flops;
  c->calls_by_precision[p]++;
  c->flops_by_precision[p] += r->flops;
  c->flops_saturated += (r->flags & MFU_RF_FLOPS_SATURATED) != 0;
  c->shape_unknown += (r->flags & MFU_RF_SHAPE_UNKNOWN) != 0;
  api->calls++;
  api->flops += r->flops;
}


/* Data movements count in the totals; group and communicator calls only by operation. An
 * operation this mfu does not know comes from a newer shim: skipped, and said. */
static void count_nccl(struct mfu_counts *c, const struct mfu_record *r) {
  const struct mfu_nccl *n = &r->u.nccl;
  if (n->op >= MFU_NCCL_OP_COUNT) {
    c->unknown_records++;
    return;
  }
  bool ok = mfu_nccl_accepted(r->status);
  bool data = mfu_nccl_op_moves_data(n->op);
  uint64_t bytes = ok && data ? n->bytes : 0;
  struct mfu_nccl_stats *s = &c->nccl_ops[n->op];
  s->calls += ok;
  s->failed += !ok;
  s->bytes += bytes;
  s->host_ns += r->t_end_ns > r->t_start_ns ? r->t_end_ns - r->t_start_ns : 0;
  c->nccl_groups += ok && n->op == MFU_NCCL_GROUP_START && n->group_depth == 1;
  if (!data) return;
  c->nccl_calls += ok;
  c->nccl_failed += !ok;
  c->nccl_bytes += bytes;
  if (!ok) return;
  c->nccl_grouped += n->group_depth > 0;
  c->bytes_saturated += (r->flags & MFU_RF_BYTES_SATURATED) != 0;
  c->dtype_unknown += (r->flags & MFU_RF_DTYPE_UNKNOWN) != 0;
}

/* Adds `times` the calls of src to dst (a capture's: once per launch that ran it). Host time
 * was spent once, when the calls were made, however often they ran. The per-API stats are
 * the caller's: they are named by file or keyed by string id. */
static void counts_add_times(struct mfu_counts *dst, const struct mfu_counts *src,
                             uint64_t times) {
  dst->gemm_calls += src->gemm_calls * times;
  dst->gemm_failed += src->gemm_failed * times;
  dst->gemm_flops += src->gemm_flops * times;
  for (unsigned p = 0; p < MFU_PREC_COUNT; p++) {
    dst->calls_by_precision[p] += src->calls_by_precision[p] * times;
    dst->flops_by_precision[p] += src->flops_by_precision[p] * times;
  }
  dst->flops_saturated += src->flops_saturated * times;
  dst->shape_unknown += src->shape_unknown * times;
  dst->unknown_records += src->unknown_records * times;
  for (unsigned op = 0; op < MFU_NCCL_OP_COUNT; op++) {
    struct mfu_nccl_stats *d = &dst->nccl_ops[op];
    const struct mfu_nccl_stats *s = &src->nccl_ops[op];
    d->calls += s->calls * times;
    d->failed += s->failed * times;
    d->bytes += s->bytes * times;
    d->host_ns += s->host_ns;
  }
  dst->nccl_calls += src->nccl_calls * times;
  dst->nccl_failed += src->nccl_failed * times;
  dst->nccl_bytes += src->nccl_bytes * times;
  dst->nccl_grouped += src->nccl_grouped * times;
  dst->nccl_groups += src->nccl_groups * times;
  dst->bytes_saturated += src->bytes_saturated * times;
  dst->dtype_unknown += src->dtype_unknown * times;
}

/* Per-API tallies keyed by the record's string id while the file is read; named from the
 * file's own string table at the end (its STRINGS blocks may come later than some records). */
struct api_tally {
  uint32_t id;
  struct mfu_api_stats s;
};

/* What some records of a file counted: the file's direct calls, or one capture's. */
struct tally {
  struct mfu_counts c;
  struct api_tally *apis;
  size_t napis;
};

static struct mfu_api_stats *tally_entry(struct tally *t, uint32_t id) {
  for (size_t i = 0; i < t->napis; i++)
    if (t->apis[i].id == id) return &t->apis[i].s;
  t->apis = mfu_xrealloc(t->apis, (t->napis + 1) * sizeof *t->apis);
  t->apis[t->napis] = (struct api_tally){.id = id};
  return &t->apis[t->napis++].s;
}

static void count_record(struct tally *t, const struct mfu_record *r) {
  if (r->kind == MFU_REC_GEMM)
    count_gemm(&t->c, tally_entry(t, r->api), r);
  else
    count_nccl(&t->c, r);
}

/* Adds `times` the calls of src (none: its host time only). */
static void tally_add(struct tally *dst, const struct tally *src, uint64_t times) {
  counts_add_times(&dst->c, &src->c, times);
  for (size_t i = 0; times && i < src->napis; i++)
    api_stats_add(tally_entry(dst, src->apis[i].id), &src->apis[i].s, times);
}

/* Whether a GEMM or NCCL call was captured into a CUDA graph: it ran at each launch of the
 * graph, not when it was made. A failed call did nothing (it counts once, as failed), and a
 * record of an NCCL operation this mfu does not know is skipped once. */
static bool ran_in_graph(const struct mfu_record *r) {
  if (!(r->flags & MFU_RF_CAPTURED)) return false;
  if (r->kind == MFU_REC_GEMM) return r->status == 0;
  return mfu_nccl_accepted(r->status) && r->u.nccl.op < MFU_NCCL_OP_COUNT;
}

static uint64_t capture_id(const struct mfu_record *r) {
  return r->kind == MFU_REC_GEMM ? r->u.gemm.capture : r->u.nccl.capture;
}

/* Room for n tallies, the new ones empty. */
static void tallies_reserve(struct tally **v, size_t *have, size_t n) {
  if (n <= *have) return;
  *v = mfu_xrealloc(*v, n * sizeof **v);
  memset(*v + *have, 0, (n - *have) * sizeof **v);
  *have = n;
}

static struct mfu_work work_of(const struct mfu_counts *c) {
  return (struct mfu_work){c->gemm_calls, c->nccl_calls, c->gemm_flops, c->nccl_bytes};
}

static void work_add(struct mfu_work *dst, struct mfu_work src, uint64_t times) {
  dst->gemm_calls += src.gemm_calls * times;
  dst->nccl_calls += src.nccl_calls * times;
  dst->gemm_flops += src.gemm_flops * times;
  dst->nccl_bytes += src.nccl_bytes * times;
}

/* Adds each capture's calls to the file's once per launch that ran them (graphs.h). */
static void add_launched(struct mfu_file *fs, struct tally *direct, const struct tally *captured,
                         const struct mfu_graphs *g) {
  struct mfu_graph_counts *gc = &fs->graphs;
  *gc = (struct mfu_graph_counts){.captures = g->ncaptures, .instantiations = g->instantiations,
                                  .launches = g->launches, .executables = g->executables,
                                  .unknown_launches = g->unknown_launches};
  for (size_t i = 0; i < g->ncaptures; i++) {
    uint64_t runs = g->captures[i].runs;
    struct mfu_work w = work_of(&captured[i].c);
    tally_add(direct, &captured[i], runs);
    if (runs) {
      work_add(&gc->launched, w, runs);
    } else if (w.gemm_calls || w.nccl_calls) {
      gc->unlaunched_captures++;
      work_add(&gc->unlaunched, w, 1);
    }
  }
}

static void read_file(struct mfu_file *fs, const char *step_range) {
  struct mfu_trace t;
  struct tally direct = {0}, *captured = NULL; /* captured: by index in graphs.captures */
  size_t ncaptured = 0;
  struct mfu_graphs graphs = {0};
  struct rank_steps_builder *steps = rank_steps_builder_new(step_range);
  fs->readable = mfu_trace_open(&t, fs->path) == 0;
  for (const struct mfu_record *r; (r = mfu_trace_next(&t));) {
    if (t.records == 1 || r->t_start_ns < fs->first_ns) fs->first_ns = r->t_start_ns;
    if (r->t_end_ns > fs->last_ns) fs->last_ns = r->t_end_ns;
    rank_steps_add(steps, r, &t);
    if (r->kind == MFU_REC_GRAPH) {
      if (!mfu_graphs_note(&graphs, r)) direct.c.unknown_records++;
    } else if (r->kind >= MFU_REC_DEVICE && r->kind <= MFU_REC_MARKER) {
      /* the device, the GPU timeline and the markers: read by the step analysis */
    } else if (r->kind != MFU_REC_GEMM && r->kind != MFU_REC_NCCL) {
      direct.c.unknown_records++;
    } else if (ran_in_graph(r)) {
      size_t i = mfu_graphs_capture(&graphs, capture_id(r));
      tallies_reserve(&captured, &ncaptured, graphs.ncaptures);
      count_record(&captured[i], r);
    } else {
      count_record(&direct, r);
    }
  }
  mfu_graphs_resolve(&graphs);
  tallies_reserve(&captured, &ncaptured, graphs.ncaptures);
  add_launched(fs, &direct, captured, &graphs);
  double *capture_flops = mfu_xrealloc(NULL, (ncaptured ? ncaptured : 1) * sizeof *capture_flops);
  for (size_t i = 0; i < ncaptured; i++) capture_flops[i] = (double)captured[i].c.gemm_flops;
  rank_steps_add_launches(steps, &graphs, capture_flops);
  free(capture_flops);
  rank_steps_finish(steps, &fs->steps);
  fs->counts = direct.c;
  for (size_t i = 0; i < direct.napis; i++) {
    const char *name = mfu_trace_string(&t, direct.apis[i].id);
    char unnamed[32];
    if (!name) {
      snprintf(unnamed, sizeof unnamed, "api#%u", direct.apis[i].id);
      name = unnamed;
    }
    api_stats_add(api_entry(&fs->counts, name), &direct.apis[i].s, 1);
  }
  for (size_t i = 0; i < ncaptured; i++) free(captured[i].apis);
  free(captured);
  free(direct.apis);
  mfu_graphs_free(&graphs);
  fs->header = t.header;
  fs->complete = t.complete;
  fs->records = t.records;
  fs->skipped_blocks = t.skipped_blocks;
  snprintf(fs->problem, sizeof fs->problem, "%s", t.problem);
  fs->problem_offset = t.problem_offset;
  mfu_trace_close(&t);
}

/* --- grouping files into jobs */

static void counts_add(struct mfu_counts *dst, const struct mfu_counts *src) {
  counts_add_times(dst, src, 1);
  for (size_t i = 0; i < src->napis; i++)
    api_stats_add(api_entry(dst, src->apis[i].name), &src->apis[i], 1);
}

static void graph_counts_add(struct mfu_graph_counts *dst, const struct mfu_graph_counts *src) {
  dst->captures += src->captures;
  dst->instantiations += src->instantiations;
  dst->launches += src->launches;
  dst->executables += src->executables;
  dst->unknown_launches += src->unknown_launches;
  work_add(&dst->launched, src->launched, 1);
  dst->unlaunched_captures += src->unlaunched_captures;
  work_add(&dst->unlaunched, src->unlaunched, 1);
}

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
  push(w, xvasprintf(fmt, ap));
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
      mfu_strings_addf(&j->warnings, "rank %ld has %zu trace files: %s: all are counted (a "
                       "restarted process, or two jobs with the same id?)", r, k - i, names);
      free(names);
    }
    if (j->world_size > 0 && r >= j->world_size)
      mfu_strings_addf(&j->warnings, "rank %ld is outside world size %d: %s", r, j->world_size,
                       j->files[i]->path);
    next = r + 1;
  }
  long expected = j->world_size > 0 ? j->world_size : next;
  if (next < expected) {
    put_range(m, &ranges, next, expected - 1);
    missing += expected - next;
  }
  fclose(m);
  if (missing)
    mfu_strings_addf(&j->warnings, "%ld rank%s of %ld missing: %s: no trace file for %s here "
                     "(not started under the shim, or its MFU_TRACE_DIR pointed elsewhere?)",
                     missing, missing > 1 ? "s" : "", expected, gaps, missing > 1 ? "them" : "it");
  free(gaps);
}

static void file_warnings(struct mfu_job *j) {
  size_t incomplete = 0, lossy = 0;
  char rank[16];
  for (size_t i = 0; i < j->nfiles; i++) {
    const struct mfu_file *f = j->files[i];
    if (!f->complete)
      add_listed(&j->warnings, &incomplete, "rank %s (%s) is incomplete at byte %llu: %s",
                 rank_text(f, rank), f->path, (unsigned long long)f->problem_offset, f->problem);
    if (f->header.records_lost || (f->header.flags & MFU_FILE_WRITE_ERROR))
      add_listed(&j->warnings, &lossy,
                 "rank %s (%s) lost %llu records to write errors (disk full?): its counts are low",
                 rank_text(f, rank), f->path, (unsigned long long)f->header.records_lost);
  }
  end_listed(&j->warnings, incomplete, "incomplete files (all in --json incomplete_files)");
  end_listed(&j->warnings, lossy, "files with lost records");
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

/* Largest FLOPs first, then most calls, then by name: the order reports list them in. */
static int compare_apis(const void *a, const void *b) {
  const struct mfu_api_stats *x = a, *y = b;
  if (x->flops != y->flops) return x->flops > y->flops ? -1 : 1;
  if (x->calls != y->calls) return x->calls > y->calls ? -1 : 1;
  if (x->failed != y->failed) return x->failed > y->failed ? -1 : 1;
  return strcmp(x->name, y->name);
}

static void finish_job(struct mfu_job *j) {
  j->world_size = -1;
  for (size_t i = 0; i < j->nfiles; i++) {
    const struct mfu_file *f = j->files[i];
    counts_add(&j->totals, &f->counts);
    graph_counts_add(&j->graphs, &f->graphs);
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
  sort(j->totals.apis, j->totals.napis, sizeof *j->totals.apis, compare_apis);
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

static void group_jobs(struct mfu_traces *t) {
  struct mfu_file **readable = mfu_xrealloc(NULL, t->nfiles * sizeof *readable);
  size_t n = 0, cap = 0;
  for (size_t i = 0; i < t->nfiles; i++)
    if (t->files[i].readable) readable[n++] = &t->files[i];
  sort(readable, n, sizeof *readable, compare_files);
  for (size_t i = 0, k; i < n; i = k) {
    for (k = i; k < n && !strcmp(readable[k]->header.job_id, readable[i]->header.job_id); k++) {}
    MFU_GROW(t->jobs, t->njobs, cap);
    struct mfu_job *j = &t->jobs[t->njobs++];
    *j = (struct mfu_job){.nfiles = k - i};
    snprintf(j->job_id, sizeof j->job_id, "%s", readable[i]->header.job_id);
    j->files = memcpy(mfu_xrealloc(NULL, j->nfiles * sizeof *j->files), readable + i,
                      j->nfiles * sizeof *j->files);
    finish_job(j);
  }
  free(readable);
  sort(t->jobs, t->njobs, sizeof *t->jobs, compare_jobs);
}

int mfu_traces_load(struct mfu_traces *t, const char *path, const struct mfu_strings *skip,
                    char *err, size_t errlen) {
  return mfu_traces_load_steps(t, path, skip, NULL, err, errlen);
}

int mfu_traces_load_steps(struct mfu_traces *t, const char *path, const struct mfu_strings *skip,
                          const char *step_range, char *err, size_t errlen) {
  *t = (struct mfu_traces){0};
  struct mfu_strings paths = {0};
  if (mfu_find_traces(path, &paths, &t->warnings, err, errlen)) return -1;
  t->files = mfu_xrealloc(NULL, paths.n * sizeof *t->files);
  for (size_t i = 0; i < paths.n; i++) {
    if (skip && skip->n &&
        bsearch(&paths.v[i], skip->v, skip->n, sizeof *skip->v, compare_strings))
      continue;
    struct mfu_file *f = &t->files[t->nfiles++];
    *f = (struct mfu_file){.path = paths.v[i]};
    paths.v[i] = NULL; /* now owned by the file */
    read_file(f, step_range);
  }
  mfu_strings_free(&paths);
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

static void counts_free(struct mfu_counts *c) { free(c->apis); }

void mfu_traces_free(struct mfu_traces *t) {
  for (size_t i = 0; i < t->nfiles; i++) {
    free(t->files[i].path);
    counts_free(&t->files[i].counts);
    rank_steps_free(&t->files[i].steps);
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
