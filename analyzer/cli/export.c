/* export: `mfu export [DIR] [--perfetto] [-o FILE[.gz]] [--ranks LIST] [--steps A[-B]] [--job ID]
 * [--skip N] [--step-range REGEX] [MODEL] [WORK] [PEAK]`: the job's timeline for Perfetto
 * (report/perfetto.h), read again rank by rank (metrics/events.h) and written as it goes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "commands.h"
#include "metrics/events.h"
#include "options.h"
#include "report/perfetto.h"
#include "trace_options.h"
#include "util/alloc.h"

#define CMD "mfu export"
#define MAX_RANGES 256

struct range {
  long lo, hi;
};

struct export_args {
  struct trace_options t;
  const char *output;
  struct range ranks[MAX_RANGES];
  size_t nranks;
  struct events_window steps;
};

static void usage(FILE *out) {
  fprintf(out,
          "usage: mfu export [DIR] [--perfetto] [-o FILE] [--ranks LIST] [--steps A[-B]]\n"
          "                  [--job ID] [--skip N] [--step-range REGEX] [MODEL] [WORK] [PEAK]\n"
          "\n"
          "Writes the job's timeline as Chrome trace-event JSON, which ui.perfetto.dev,\n"
          "Perfetto's trace_processor and chrome://tracing open: a process per rank with a\n"
          "track for its steps, one per host thread (the intercepted calls, their shapes,\n"
          "FLOPs and bytes as args) and one per GPU stream (kernels, memcpys and memsets by\n"
          "category, an arrow from the call that launched each), and counters of the GEMM\n"
          "TFLOP/s and NCCL GB/s of the kernels running. Ranks are read one at a time.\n"
          "\n"
          "  DIR           the traces' directory, as for mfu report\n"
          "  --perfetto    the format (the only one, so the default)\n"
          "  -o, --output FILE\n"
          "                where to write (default mfu-trace.json; '-': standard output); a\n"
          "                name ending in .gz is written gzip-compressed, which Perfetto opens\n"
          "  --ranks LIST  only these ranks: numbers and ranges, '0,2,8-15' (default all)\n"
          "  --steps A[-B] only steps A to B of each rank, numbered as mfu report lists them\n"
          "                (default all, the calls between steps included)\n"
          "  --job ID, --skip N, --step-range REGEX\n"
          "                as for mfu report: the job, the warm-up, what a step is\n"
          "\n"
          "MODEL, WORK and PEAK are the options of `mfu report`: with them each step slice\n"
          "carries its MFU, and the trace's metadata the peak and convention.\n\n");
  options_help(out);
  fprintf(out,
          "\nExamples:\n"
          "  mfu export mfu-traces -o trace.json.gz            # then open it in ui.perfetto.dev\n"
          "  mfu export mfu-traces --ranks 0-3 --steps 10-12 -o steps.json\n"
          "\nExit status: 0, 1 when the output cannot be written, 2 for bad usage or input.\n");
}

enum { OPT_PERFETTO = 1, OPT_RANKS, OPT_STEPS, OPT_OUTPUT = 'o' };

/* Beside --job, --skip, --step-range and --help (trace_options.h). */
static const struct option cmd_export_options[] = {
    {"perfetto", no_argument, NULL, OPT_PERFETTO},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"ranks", required_argument, NULL, OPT_RANKS},
    {"steps", required_argument, NULL, OPT_STEPS},
    {0}};

/* "N" or "N-M" at *s, both >= 0; advances *s past it. */
static bool parse_range(const char **s, struct range *r) {
  char *end;
  errno = 0;
  if (**s < '0' || **s > '9') return false;
  r->lo = r->hi = strtol(*s, &end, 10);
  if (*end == '-') {
    const char *hi = end + 1;
    if (*hi < '0' || *hi > '9') return false;
    r->hi = strtol(hi, &end, 10);
  }
  *s = end;
  return !errno && r->hi >= r->lo;
}

static int parse_ranks(struct export_args *a, const char *arg) {
  const char *s = arg;
  a->nranks = 0;
  while (a->nranks < MAX_RANGES && parse_range(&s, &a->ranks[a->nranks])) {
    a->nranks++;
    if (!*s) return 0;
    if (*s++ != ',') break;
  }
  fprintf(stderr, CMD ": --ranks '%s': expected rank numbers and ranges such as 0,2,8-15 "
                  "(at most %d of them)\n", arg, MAX_RANGES);
  return 2;
}

static int on_option(void *ctx, int id, const char *arg) {
  struct export_args *a = ctx;
  struct range r;
  const char *s = arg;
  switch (id) {
  case OPT_PERFETTO: return 0;
  case OPT_OUTPUT: a->output = arg; return 0;
  case OPT_RANKS: return parse_ranks(a, arg);
  default:
    if (!parse_range(&s, &r) || *s) {
      fprintf(stderr, CMD ": --steps '%s': expected a step number or a range such as 10-12\n", arg);
      return 2;
    }
    a->steps = (struct events_window){(size_t)r.lo, (size_t)r.hi, false};
    return 0;
  }
}

static bool rank_wanted(const struct export_args *a, const struct mfu_file *f) {
  if (!a->nranks) return true;
  for (size_t i = 0; i < a->nranks; i++)
    if (f->header.rank >= a->ranks[i].lo && f->header.rank <= a->ranks[i].hi) return true;
  return false;
}

/* gzip through zlib behind a FILE, so that the writer need not know. */
static ssize_t gz_write(void *g, const char *buf, size_t n) {
  return n ? gzwrite(g, buf, (unsigned)n) > 0 ? (ssize_t)n : -1 : 0;
}
static int gz_close(void *g) { return gzclose(g) == Z_OK ? 0 : -1; }

static FILE *open_output(const char *path) {
  if (!strcmp(path, "-")) return stdout;
  size_t n = strlen(path);
  if (n < 3 || strcmp(path + n - 3, ".gz")) return fopen(path, "w");
  gzFile g = gzopen(path, "wb6");
  if (!g) return NULL;
  FILE *f = fopencookie(g, "w", (cookie_io_functions_t){.write = gz_write, .close = gz_close});
  if (!f) gzclose(g);
  return f;
}

/* Writes the selected ranks of the report's job to `out`: 0, or the exit status after saying
 * why not. */
static int write_ranks(FILE *out, const struct report *r, const struct export_args *a,
                       size_t *nevents, size_t *nranks) {
  struct perfetto p;
  perfetto_begin(&p, out, r);
  for (size_t i = 0; i < r->j->nfiles; i++) {
    const struct mfu_file *f = r->j->files[i];
    if (!rank_wanted(a, f)) continue;
    struct rank_events e;
    char err[512];
    if (rank_events_read(&e, f, r->j->start_realtime_ns, &a->steps, err, sizeof err) != 0) {
      fprintf(stderr, CMD ": %s\n", err);
      return 1;
    }
    perfetto_rank(&p, &e, &r->u.ranks[i]);
    *nevents += e.nevents;
    ++*nranks;
    rank_events_free(&e);
  }
  perfetto_end(&p, r);
  return 0;
}

/* Whether the selection names something the job has: else say what it has. */
static bool selection_found(const struct report *r, const struct export_args *a) {
  size_t files = 0, most_steps = 0;
  for (size_t i = 0; i < r->j->nfiles; i++) {
    if (!rank_wanted(a, r->j->files[i])) continue;
    files++;
    if (r->j->files[i]->steps.nsteps > most_steps) most_steps = r->j->files[i]->steps.nsteps;
  }
  if (!files) {
    fprintf(stderr, CMD ": --ranks: no such rank in job '%s', whose ranks are:", r->j->job_id);
    for (size_t i = 0; i < r->j->nfiles && i < 32; i++)
      fprintf(stderr, " %d", (int)r->j->files[i]->header.rank);
    fprintf(stderr, "%s\n", r->j->nfiles > 32 ? " ..." : "");
    return false;
  }
  if (!a->steps.all && a->steps.first >= most_steps) {
    fprintf(stderr, CMD ": --steps %zu-%zu: the ranks chosen have %zu steps (0 to %zu); "
                    "`mfu report` lists them\n", a->steps.first, a->steps.last, most_steps,
            most_steps ? most_steps - 1 : 0);
    return false;
  }
  return true;
}

/* Opens `path`, writes the timeline, closes it: 0, or 1 after saying why. */
static int export_to(const char *path, const struct report *r, const struct export_args *a) {
  FILE *out = open_output(path);
  if (!out) {
    fprintf(stderr, CMD ": cannot write '%s': %s\n", path, strerror(errno));
    return 1;
  }
  size_t nevents = 0, nranks = 0;
  int status = write_ranks(out, r, a, &nevents, &nranks);
  bool failed = ferror(out) != 0;
  failed |= (out == stdout ? fflush(out) : fclose(out)) != 0;
  if (failed && !status) {
    fprintf(stderr, CMD ": writing '%s' failed: %s\n", path, strerror(errno));
    status = 1;
  }
  if (!status && out != stdout)
    fprintf(stderr, CMD ": wrote %zu slices of %zu %s to %s: open it in ui.perfetto.dev\n",
            nevents, nranks, nranks == 1 ? "rank" : "ranks", path);
  return status;
}

int cmd_export(int argc, char **argv) {
  struct export_args a = {.output = "mfu-trace.json", .steps = {.all = true}};
  int first, rc = trace_options_parse(&a.t, argc, argv, CMD, TRACE_OPTIONS_JOB,
                                      cmd_export_options, on_option, &a, usage, &first);
  if (rc != TRACE_OPTIONS_GO_ON) return rc;
  const char *path = trace_options_dir(&a.t, argc, argv, first, CMD);
  if (!path) return 2;
  struct mfu_traces t;
  char err[1024];
  int status = 2;
  struct report r;
  if (mfu_traces_load(&t, path, NULL, a.t.step_range, err, sizeof err) != 0) {
    fprintf(stderr, CMD ": %s\n", err);
  } else if (cli_report_build(&r, path, &t, &a.t.o) == 0) {
    if (selection_found(&r, &a)) status = export_to(a.output, &r, &a);
    report_free(&r);
  }
  mfu_traces_free(&t);
  return status;
}
