/* mfu: the analyzer's command-line entry point; dispatches to a subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "job/job.h"
#include "mfu/version.h"
#include "util/alloc.h"

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} commands[] = {
    {"run", cmd_run, "run a command with the shim preloaded, then summarize its traces"},
    {"report", cmd_report, "analyze a directory of traces (--json, --csv for machines)"},
    {"compare", cmd_compare, "two runs side by side: every figure's change, which factor moved MFU"},
    {"plot", cmd_plot, "draw the report's figures (PNG, SVG) with matplotlib"},
    {"sweep", cmd_sweep, "run a command over batch sizes and sequence lengths, measure each"},
    {"export", cmd_export, "write the job's timeline for ui.perfetto.dev (Chrome trace JSON)"},
    {"predict", cmd_predict, "model FLOPs per step and MFU from formulas"},
    {"models", cmd_models, "list the built-in model presets"},
    {"hw", cmd_hw, "list accelerators and their peaks, or show one"},
    {"calibrate", cmd_calibrate, "measure the GEMM TFLOP/s this GPU achieves per precision"},
};

static void usage(FILE *out) {
  fprintf(out, "usage: mfu COMMAND [ARGS...]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\n'mfu COMMAND --help' describes each command; man mfu, man libmfushim: all of them,\n"
               "the environment and the files.\n\n"
               "Examples:\n"
               "  mfu run -- python train.py                      # trace a job, summarize it\n"
               "  mfu report mfu-traces --preset llama-3-8b --batch 32 --seq 4096\n"
               "  mfu compare before/ after/ --preset llama-3-8b --batch 32 --seq 4096\n"
               "  mfu export mfu-traces -o trace.json.gz          # for ui.perfetto.dev\n");
}

/* MFU_THREADS: how many trace files are read at once (default: one per CPU). */
static int read_threads(void) {
  const char *v = getenv("MFU_THREADS");
  if (!v || !*v) return 0;
  char *end;
  long n = strtol(v, &end, 10);
  if (*end || n < 1 || n > 1024) {
    fprintf(stderr, "mfu: MFU_THREADS=%s is not a number of threads from 1 to 1024: set it to "
                    "how many trace files to read at once, or unset it for one per CPU\n", v);
    return -1;
  }
  mfu_traces_threads = (unsigned)n;
  return 0;
}

int main(int argc, char **argv) {
  mfu_alloc_keep_freed();
  if (read_threads() != 0) return 2;
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "--version")) {
    puts("mfu " MFU_VERSION);
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "mfu: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
