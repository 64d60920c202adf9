/* compare: `mfu compare DIR_A DIR_B [--json | --csv] [--top N] [--skip N] [--step-range REGEX]
 * [MODEL] [WORK] [PEAK]`: two runs side by side (metrics/comparison.h, report/compare.h). */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "options.h"
#include "report/compare.h"
#include "trace_options.h"

#define CMD "mfu compare"

static void usage(FILE *out) {
  fprintf(out,
          "usage: mfu compare DIR_A DIR_B [--json | --csv] [--top N] [--skip N]\n"
          "                   [--step-range REGEX] [MODEL] [WORK] [PEAK]\n"
          "\n"
          "Two runs side by side, before and after a change: step time, MFU, HFU and each\n"
          "efficiency factor with its change, the factor that moved MFU most, GPU time per\n"
          "step in each category, the GEMM shapes by GPU time with their TFLOP/s, and NCCL\n"
          "operations by size with their bus bandwidth. MFU is the product of the factors, so\n"
          "ln(MFU_B / MFU_A) is the sum of the factors' log-ratios: the largest one moved it\n"
          "most. Each directory's latest job is compared, with the same options.\n"
          "\n"
          "  --json     one JSON object instead of the tables\n"
          "  --csv      the tables as CSV, each after a '# NAME' line\n"
          "  --top N    rows of the GEMM shape table (default %d; 0: all)\n"
          "  --skip N, --step-range REGEX\n"
          "             as for mfu report, for both runs\n"
          "\n"
          "MODEL, WORK and PEAK are the options of `mfu report` (both runs ran the same model;\n"
          "without one there is no MFU, and the factors that need none are compared).\n\n",
          REPORT_TOP_ROWS);
  options_help(out);
  fprintf(out,
          "\nExample:\n"
          "  mfu compare before/ after/ --preset llama-3-8b --batch 32 --seq 4096\n"
          "\nExit status: 0, 2 for bad usage or a directory without a readable trace.\n");
}

enum { OPT_JSON = 1, OPT_CSV, OPT_TOP };

/* Beside --skip, --step-range and --help (trace_options.h). */
static const struct option compare_options[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"csv", no_argument, NULL, OPT_CSV},
    {"top", required_argument, NULL, OPT_TOP},
    {0}};

struct compare_args {
  struct trace_options t;
  bool json, csv;
};

static int on_option(void *ctx, int id, const char *arg) {
  struct compare_args *a = ctx;
  int64_t n;
  switch (id) {
  case OPT_JSON: a->json = true; return 0;
  case OPT_CSV: a->csv = true; return 0;
  default:
    if (options_count(CMD, "top", arg, 0, 1000000, &n) != 0) return 2;
    a->t.o.top = (size_t)n;
    return 0;
  }
}

int cmd_compare(int argc, char **argv) {
  struct compare_args a = {.t.o = {.top = REPORT_TOP_ROWS}};
  int first, rc = trace_options_parse(&a.t, argc, argv, CMD, 0, compare_options, on_option, &a,
                                      usage, &first);
  if (rc != TRACE_OPTIONS_GO_ON) return rc;
  if (argc - first != 2) {
    fprintf(stderr, CMD ": give two trace directories, the run before and the run after "
                    "(got %d); `" CMD " --help` describes it\n", argc - first);
    return 2;
  }
  if (a.json && a.csv) {
    fprintf(stderr, CMD ": --json or --csv, not both\n");
    return 2;
  }
  if (cli_model_given(&a.t.spec, &a.t.u, CMD)) return 2;
  struct mfu_traces t[2];
  struct report r[2];
  int loaded = 0, built = 0, status = 2;
  char err[1024];
  for (; loaded < 2; loaded++) {
    if (mfu_traces_load(&t[loaded], argv[first + loaded], NULL, a.t.step_range, err, sizeof err)) {
      fprintf(stderr, CMD ": %s\n", err);
      mfu_traces_free(&t[loaded]);
      break;
    }
    if (cli_report_build(&r[loaded], argv[first + loaded], &t[loaded], &a.t.o) != 0) {
      loaded++;
      break;
    }
    built++;
  }
  if (built == 2) {
    struct comparison c;
    comparison_compute(&r[0].u, &r[0].p, &r[1].u, &r[1].p, &c);
    if (a.json) compare_json(stdout, &r[0], &r[1], &c);
    else compare_text(stdout, &r[0], &r[1], &c, a.t.o.top, a.csv);
    comparison_free(&c);
    status = 0;
  }
  for (int i = 0; i < built; i++) report_free(&r[i]);
  for (int i = 0; i < loaded; i++) mfu_traces_free(&t[i]);
  return status;
}
