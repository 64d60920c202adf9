/* report: `mfu report [DIR] [--json] [--job ID] [--skip N] [--step-range REGEX] [MODEL]
 * [WORK] [PEAK]`, and the report printer `mfu run` shares (cli_report). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "options.h"
#include "report/report.h"
#include "trace_options.h"

int cli_report_build(struct report *r, const char *path, const struct mfu_traces *t,
                     const struct report_options *o) {
  switch (report_build(r, path, t, o)) {
  case REPORT_NO_JOB:
    fprintf(stderr, "mfu: none of the %zu trace files in %s could be read:\n", t->nfiles, path);
    for (size_t i = 0; i < t->warnings.n; i++) fprintf(stderr, "  - %s\n", t->warnings.v[i]);
    fprintf(stderr, "mfu: give the directory of a traced run (mfu run -- CMD writes one)\n");
    return -1;
  case REPORT_UNKNOWN_JOB:
    fprintf(stderr, "mfu: no job '%s' in %s; the jobs there are:", o->job_id, path);
    for (size_t i = 0; i < t->njobs; i++) fprintf(stderr, " '%s'", t->jobs[i].job_id);
    fprintf(stderr, "\n");
    return -1;
  }
  return 0;
}

/* Colour only for people at a terminal: never into a file or a pipe, never with NO_COLOR
 * (no-color.org) set and not empty, never on TERM=dumb. */
static bool colour_wanted(FILE *out) {
  const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
  if ((no && *no) || (term && !strcmp(term, "dumb"))) return false;
  return isatty(fileno(out));
}

int cli_report(FILE *out, const char *path, const struct mfu_traces *t,
               const struct report_options *o, bool json) {
  struct report r;
  struct report_options painted = *o;
  painted.colour = !json && !o->csv && colour_wanted(out);
  if (cli_report_build(&r, path, t, &painted) != 0) return -1;
  if (json)
    report_json(out, &r);
  else if (o->csv)
    report_csv(out, &r);
  else
    report_text(out, &r, o->max_rows);
  report_free(&r);
  return 0;
}

int cli_model_given(const struct model_spec *spec, struct utilization_options *u, const char *cmd) {
  if (!model_spec_has_model(spec)) return 0;
  if (cli_model(spec, &u->model, cmd) != 0) return 2;
  u->have_model = true;
  return 0;
}

const char *cli_trace_dir(void) {
  const char *dir = getenv("MFU_TRACE_DIR");
  return dir && *dir ? dir : "mfu-traces";
}

int cli_model(const struct model_spec *spec, struct model_shape *m, const char *cmd) {
  struct mfu_strings warnings = {0};
  char err[1024];
  struct model_overrides o = spec->overrides;
  if (spec->convention == CONV_SEED && !spec->config && !spec->preset) model_overrides_seed(&o);
  int rc = model_resolve(spec->config, spec->preset, &o, m, &warnings, err, sizeof err);
  for (size_t i = 0; i < warnings.n; i++) fprintf(stderr, "mfu: warning: %s\n", warnings.v[i]);
  mfu_strings_free(&warnings);
  if (rc) fprintf(stderr, "%s: %s\n", cmd, err);
  return rc;
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: mfu report [DIR] [--json | --csv] [--job ID] [--skip N] [--step-range REGEX]\n"
          "                  [--top N] [--by-phase] [--by-callsite] [MODEL] [WORK] [PEAK]\n"
          "\n"
          "Reads the trace files (*%s) in DIR and its subdirectories, at any depth, and reports\n"
          "the GEMM calls and FLOPs the shim counted, by precision, by API and by rank, and the\n"
          "NCCL calls and the bytes they moved, by operation and by rank. Calls captured into a\n"
          "CUDA graph count at every launch of the graph, as if made then. It finds the\n"
          "training steps in each rank's calls and reports the step time, MFU and HFU, and,\n"
          "when the traces hold a GPU timeline (CUPTI), the efficiency factors from the peak\n"
          "down to MFU.\n"
          "\n"
          "  DIR        the traces' directory: MFU_TRACE_DIR of the traced run (default\n"
          "             $MFU_TRACE_DIR, else ./mfu-traces), or one trace file\n"
          "  --json     one JSON object on stdout instead of the tables\n"
          "  --csv      every table as CSV, each after a '# NAME' line, every row and step\n"
          "             (with --by-phase, --by-callsite: theirs too)\n"
          "  --job ID   the job to report when DIR holds several (default: the latest)\n"
          "  --skip N   leave out the first N steps as warm-up (default: detected)\n"
          "  --step-range REGEX\n"
          "             the steps are the NVTX ranges (push/pop, start/end) whose message\n"
          "             matches REGEX (POSIX extended), e.g. '^train_step$'; the program must\n"
          "             run with NVTX_INJECTION64_PATH=libmfushim.so (mfu run sets it). Default:\n"
          "             cudaProfilerStart/Stop regions if there are two or more, else the\n"
          "             steps are found in the repeating sequence of calls\n"
          "  --full     every table: GEMM calls by precision and API, NCCL calls by operation,\n"
          "             every rank, and where the GPU time went (by default the summary, the\n"
          "             waterfall, the steps and the ranks' pace: one screen)\n"
          "  --steps all  every step (by default the first, median, p90, slowest and last,\n"
          "             with a sparkline of the measured steps' times)\n"
          "  --top N    with --full, rows of the tables of GEMM shapes and of kernels per\n"
          "             category, and of --by-callsite's (default %d; 0: all); --json lists\n"
          "             every row\n"
          "  --by-phase FLOPs and time of the forward pass, the backward pass, the optimizer\n"
          "             and the rest, and the measured backward/forward FLOP ratio: a phase is\n"
          "             said by an NVTX range around the call (\"forward\", \"MmBackward0\"...),\n"
          "             else by PyTorch's autograd threads (backward), else by the call\n"
          "             site's frames\n"
          "  --by-callsite\n"
          "             the top call sites by FLOPs and by GPU time, with their shapes and\n"
          "             where they are (Python function and line, native functions); --json\n"
          "             has every frame\n"
          "\n"
          "MODEL, WORK and PEAK are the options of `mfu predict` (below), meaning the same:\n"
          "--batch is the global batch, the sequences of one step of all ranks together (each\n"
          "rank does 1/W of the formula's FLOPs, W the job's world size), --batch-per-rank one\n"
          "rank's. Without a model there is no MFU, and HFU is from the counted FLOPs; the peak\n"
          "is that of the device each trace recorded unless --device or --peak-tflops says\n"
          "otherwise.\n\n",
          MFU_TRACE_SUFFIX, REPORT_TOP_ROWS);
  options_help(out);
  fprintf(out,
          "\nExamples:\n"
          "  mfu report mfu-traces --preset llama-3-8b --batch 32 --seq 4096\n"
          "  mfu report mfu-traces --full --by-phase --device h100-sxm\n"
          "  mfu report mfu-traces --preset llama-3-8b --batch 32 --seq 4096 --csv > report.csv\n"
          "\nExit status: 0 (also with warnings), 2 for bad usage or no readable trace.\n");
}

enum { OPT_JSON = 1, OPT_TOP, OPT_FULL, OPT_STEPS, OPT_BY_PHASE, OPT_BY_CALLSITE, OPT_CSV };

/* Beside --job, --skip, --step-range and --help (trace_options.h). */
static const struct option report_options_table[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"csv", no_argument, NULL, OPT_CSV},
    {"top", required_argument, NULL, OPT_TOP},
    {"full", no_argument, NULL, OPT_FULL},
    {"steps", required_argument, NULL, OPT_STEPS},
    {"by-phase", no_argument, NULL, OPT_BY_PHASE},
    {"by-callsite", no_argument, NULL, OPT_BY_CALLSITE},
    {0}};

struct report_args {
  struct trace_options t;
  bool json;
};

static int on_report_option(void *ctx, int id, const char *arg) {
  struct report_args *a = ctx;
  int64_t n;
  switch (id) {
  case OPT_JSON: a->json = true; return 0;
  case OPT_CSV: a->t.o.csv = a->t.o.all_steps = true; return 0;
  case OPT_FULL: a->t.o.full = true; return 0;
  case OPT_BY_PHASE: a->t.o.by_phase = true; return 0;
  case OPT_BY_CALLSITE: a->t.o.by_callsite = true; return 0;
  case OPT_STEPS:
    if (strcmp(arg, "all") != 0) {
      fprintf(stderr, "mfu report: --steps '%s': expected 'all' (every step; by default the "
              "first, median, p90, slowest and last)\n", arg);
      return 2;
    }
    a->t.o.all_steps = true;
    return 0;
  default:
    if (options_count("mfu report", "top", arg, 0, 1000000, &n) != 0) return 2;
    a->t.o.top = (size_t)n;
    return 0;
  }
}

int cmd_report(int argc, char **argv) {
  struct report_args a = {.t.o = {.top = REPORT_TOP_ROWS}};
  int first, rc = trace_options_parse(&a.t, argc, argv, "mfu report", TRACE_OPTIONS_JOB,
                                      report_options_table, on_report_option, &a, usage, &first);
  if (rc != TRACE_OPTIONS_GO_ON) return rc;
  if (a.json && a.t.o.csv) {
    fprintf(stderr, "mfu report: --json or --csv, not both\n");
    return 2;
  }
  const char *path = trace_options_dir(&a.t, argc, argv, first, "mfu report");
  if (!path) return 2;
  char err[1024];
  struct mfu_traces t;
  int status = 2;
  if (mfu_traces_load(&t, path, NULL, a.t.step_range, err, sizeof err) == 0)
    status = cli_report(stdout, path, &t, &a.t.o, a.json) ? 2 : 0;
  else
    fprintf(stderr, "mfu report: %s\n", err);
  mfu_traces_free(&t);
  return status;
}
