/* run: `mfu run [--trace-dir D] [--json] -- CMD [ARGS...]` runs CMD with the shim preloaded and
 * its traces directed to D, passes CMD's exit status through, then summarizes the traces this
 * run wrote. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "job/trace_files.h"
#include "launch.h"

#define SUMMARY_ROWS 8 /* per table: the summary fits one screen */

static void summarize(const char *dir, const struct mfu_strings *before, bool json) {
  struct mfu_traces t;
  char err[1024];
  int found = mfu_traces_load(&t, dir, before, NULL, err, sizeof err);
  if (found == 1) {
    fprintf(stderr,
            "mfu run: the command wrote no trace to %s. Possible reasons: it made no cuBLAS, "
            "cuBLASLt or NCCL call; it links them statically or loads them with RTLD_DEEPBIND, "
            "which a preloaded library cannot interpose; it cleared LD_PRELOAD or MFU_TRACE_DIR "
            "for the processes doing the work; or the shim could not write there (see the "
            "mfushim: messages above).\n", dir);
  } else if (found < 0) {
    fprintf(stderr, "mfu run: %s\n", err);
  } else {
    struct report_options o = {.max_rows = SUMMARY_ROWS, .top = REPORT_TOP_ROWS};
    fprintf(stderr, "\nmfu run: the traces of this run are in %s\n", dir);
    if (cli_report(json ? stdout : stderr, dir, &t, &o, json) == 0)
      fprintf(stderr, "\nfull report: mfu report %s%s\n", dir, t.njobs > 1 ? " --job ID" : "");
  }
  mfu_traces_free(&t);
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: mfu run [--trace-dir DIR] [--json] [--] CMD [ARGS...]\n"
          "\n"
          "Runs CMD with the shim (" LAUNCH_SHIM ", found next to mfu or in ../lib) preloaded, so\n"
          "that every cuBLAS/cuBLASLt GEMM and NCCL call of CMD and of its child processes is\n"
          "traced, then prints where the traces are and a summary of this run's traces on\n"
          "stderr.\n"
          "\n"
          "  --trace-dir DIR  where the traces go (default: $MFU_TRACE_DIR, else ./mfu-traces);\n"
          "                   created if needed\n"
          "  --json           the summary as JSON on stdout (after CMD's own output)\n"
          "\n"
          "Exit status: CMD's (128 + N if signal N killed it; 127 if it cannot be found), or 1\n"
          "or 2 when mfu could not start it. SIGINT and SIGTERM are forwarded to CMD.\n");
}

int cmd_run(int argc, char **argv) {
  const char *dir = getenv("MFU_TRACE_DIR");
  bool json = false;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      i++;
      break;
    } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--json")) {
      json = true;
    } else if (!strcmp(a, "--trace-dir")) {
      if (++i == argc) {
        fprintf(stderr, "mfu run: --trace-dir needs a directory\n");
        return 2;
      }
      dir = argv[i];
    } else if (!strncmp(a, "--trace-dir=", 12)) {
      dir = a + 12;
    } else {
      fprintf(stderr, "mfu run: unknown option '%s' (options go before --, see mfu run --help)\n",
              a);
      return 2;
    }
  }
  if (i == argc) {
    fprintf(stderr, "mfu run: no command given: mfu run [--trace-dir DIR] -- CMD [ARGS...]\n");
    return 2;
  }
  if (!dir || !*dir) dir = "mfu-traces";

  char abs_dir[PATH_MAX], err[1024];
  int failed = launch_environment("mfu run", dir, abs_dir);
  if (failed) return failed;
  /* Files already there belong to earlier runs: the summary leaves them out. */
  struct mfu_strings before = {0};
  if (trace_files_find(abs_dir, &before, NULL, err, sizeof err) != 0)
    fprintf(stderr, "mfu run: %s\n", err);
  bool started = false;
  int status = launch_run("mfu run", argv + i, -1, 0, &started);
  if (started) summarize(abs_dir, &before, json);
  mfu_strings_free(&before);
  return status;
}
