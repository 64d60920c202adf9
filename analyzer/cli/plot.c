/* plot: `mfu plot [DIR] [-o OUTDIR] [--job ID] [--skip N] [--step-range REGEX] [MODEL] [WORK]
 * [PEAK]` writes the report as JSON (OUTDIR/report.json) and has scripts/mfu_plot.py draw its
 * figures from it (matplotlib, PNG and SVG); cli_plot runs the script for mfu sweep too. The
 * analyzer needs none of this: without python3-matplotlib it says how to get it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "launch.h"
#include "options.h"
#include "trace_options.h"

#define CMD "mfu plot"
#define SCRIPT "mfu_plot.py"

/* The script: in ../scripts of the mfu binary (build tree), else ../share/mfushim (installed). */
static int find_script(const char *cmd, char path[PATH_MAX]) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    *strrchr(exe, '/') = '\0';
    static const char *const places[] = {"%s/../scripts/" SCRIPT, "%s/../share/mfushim/" SCRIPT};
    for (size_t i = 0; i < 2; i++) {
      char p[PATH_MAX + 32];
      snprintf(p, sizeof p, places[i], exe);
      if (access(p, R_OK) == 0 && realpath(p, path)) return 0;
    }
  }
  fprintf(stderr, "%s: the plotting script " SCRIPT " is neither in ../scripts nor in "
                  "../share/mfushim next to the mfu binary: reinstall with `make install`\n", cmd);
  return 1;
}

/* The python3 that has matplotlib: $MFU_PYTHON, else the one on PATH, else Debian's, where
 * apt-get puts python3-matplotlib (the one on PATH may be a virtualenv's or pyenv's). NULL
 * when none has it. */
static const char *python_with_matplotlib(const char *cmd) {
  const char *chosen = getenv("MFU_PYTHON");
  const char *pythons[] = {chosen && *chosen ? chosen : "python3", "/usr/bin/python3"};
  int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  const char *found = NULL;
  for (size_t i = 0; i < (chosen && *chosen ? 1 : 2) && !found; i++) {
    char *argv[] = {(char *)pythons[i], "-c", "import matplotlib", NULL};
    bool started = false;
    if (launch_run(cmd, argv, devnull, 0, &started) == 0) found = pythons[i];
  }
  if (devnull >= 0) close(devnull);
  return found;
}

int cli_plot(const char *cmd, const char *kind, const char *input, const char *out_dir, int out_fd) {
  char script[PATH_MAX];
  if (find_script(cmd, script)) return 1;
  const char *python = python_with_matplotlib(cmd);
  if (!python) {
    fprintf(stderr, "%s: no figures: they need python3 with matplotlib (Debian, Ubuntu: apt-get "
                    "install python3-matplotlib; else pip install matplotlib, with MFU_PYTHON set "
                    "to that python3); %s has every number\n", cmd, input);
    return 1;
  }
  char *argv[] = {(char *)python, script, (char *)kind, (char *)input, "-o", (char *)out_dir, NULL};
  bool started = false;
  int status = launch_run(cmd, argv, out_fd, 0, &started);
  if (status) fprintf(stderr, "%s: " SCRIPT " failed (exit status %d) on %s\n", cmd, status, input);
  return status ? 1 : 0;
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: mfu plot [DIR] [-o OUTDIR] [--job ID] [--skip N] [--step-range REGEX]\n"
          "                [MODEL] [WORK] [PEAK]\n"
          "\n"
          "Draws the report of the traces in DIR as figures, PNG and SVG, in OUTDIR (default\n"
          "mfu-plots), with matplotlib (Debian, Ubuntu: apt-get install python3-matplotlib):\n"
          "  mfu_per_step    MFU (HFU without a model) of every step, per rank, and each\n"
          "                  rank's mean\n"
          "  waterfall       from the peak down to MFU, one factor at a time\n"
          "  gpu_time        GPU time per step in each kernel category, per rank (a straggler\n"
          "                  stands out)\n"
          "  gemm_roofline   the TFLOP/s each GEMM shape's kernels achieved against its\n"
          "                  arithmetic intensity and the peak, the shapes that waste most\n"
          "                  time labelled\n"
          "  nccl_bandwidth  NCCL bus and algorithm bandwidth by operation and message size\n"
          "Figures without data (no GPU timeline, no NCCL call) are left out, with a note.\n"
          "The numbers are in OUTDIR/report.json (mfu report --json).\n"
          "\n"
          "  -o, --output OUTDIR   where the figures go (created if missing)\n"
          "  --job ID, --skip N, --step-range REGEX\n"
          "                        as for mfu report\n"
          "\n"
          "MODEL, WORK and PEAK are the options of `mfu report`.\n\n");
  options_help(out);
  fprintf(out,
          "\nExample:\n"
          "  mfu plot mfu-traces -o plots --preset llama-3-8b --batch 32 --seq 4096\n"
          "\nExit status: 0; 1 when the figures could not be drawn (report.json is written\n"
          "anyway); 2 for bad usage or no readable trace.\n");
}

enum { OPT_OUTPUT = 'o' };

/* Beside --job, --skip, --step-range and --help (trace_options.h). */
static const struct option plot_options[] = {
    {"output", required_argument, NULL, OPT_OUTPUT},
    {0}};

struct plot_args {
  struct trace_options t;
  const char *out_dir;
};

static int on_option(void *ctx, int id, const char *arg) {
  struct plot_args *a = ctx;
  (void)id; /* -o, the only one */
  a->out_dir = arg;
  return 0;
}

/* Writes the report's JSON to OUTDIR/report.json: 0, or the exit status. */
static int write_report(const struct plot_args *a, const char *path, const struct mfu_traces *t,
                        char json[PATH_MAX]) {
  if (launch_make_dirs(a->out_dir) != 0) {
    fprintf(stderr, CMD ": cannot create %s: %s: choose another -o OUTDIR\n", a->out_dir,
            strerror(errno));
    return 2;
  }
  snprintf(json, PATH_MAX, "%s/report.json", a->out_dir);
  FILE *f = fopen(json, "w");
  if (!f) {
    fprintf(stderr, CMD ": cannot write %s: %s\n", json, strerror(errno));
    return 1;
  }
  int rc = cli_report(f, path, t, &a->t.o, true) ? 2 : 0;
  if (fclose(f) != 0 && !rc) {
    fprintf(stderr, CMD ": writing %s failed: %s\n", json, strerror(errno));
    rc = 1;
  }
  return rc;
}

int cmd_plot(int argc, char **argv) {
  struct plot_args a = {.out_dir = "mfu-plots"};
  int first, rc = trace_options_parse(&a.t, argc, argv, CMD, TRACE_OPTIONS_JOB, plot_options,
                                      on_option, &a, usage, &first);
  if (rc != TRACE_OPTIONS_GO_ON) return rc;
  const char *path = trace_options_dir(&a.t, argc, argv, first, CMD);
  if (!path) return 2;
  struct mfu_traces t;
  char err[1024], json[PATH_MAX];
  int status = 2;
  if (mfu_traces_load(&t, path, NULL, a.t.step_range, err, sizeof err) != 0)
    fprintf(stderr, CMD ": %s\n", err);
  else if ((status = write_report(&a, path, &t, json)) == 0)
    status = cli_plot(CMD, "report", json, a.out_dir, -1);
  mfu_traces_free(&t);
  return status;
}
