/* run: `mfu run [--trace-dir D] [--json FILE] [MODEL] [WORK] [PEAK] [--] CMD [ARGS...]` runs
 * CMD with the shim preloaded and its traces directed to D, passes CMD's exit status through,
 * then summarizes the traces this run wrote, with MFU when a model is given. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "job/trace_files.h"
#include "launch.h"
#include "options.h"
#include "report/report.h"
#include "util/alloc.h"

#define SUMMARY_ROWS 8 /* per table: the summary fits one screen */

struct run_args {
  const char *dir;
  char *report_options; /* the model, work and peak options as given, for `mfu report` */
  const char *json; /* a file for the JSON object, "-" for stdout, NULL for none */
  struct utilization_options u;
  bool help;
};

/* Writes the JSON object to a.json; 0, or -1 after saying why. */
static int write_json(const char *path, const struct report *r) {
  if (!strcmp(path, "-")) {
    report_json(stdout, r);
    return 0;
  }
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "mfu run: cannot write the JSON summary to '%s': %s\n", path, strerror(errno));
    return -1;
  }
  report_json(f, r);
  if (fclose(f) != 0) {
    fprintf(stderr, "mfu run: writing the JSON summary to '%s' failed: %s\n", path, strerror(errno));
    return -1;
  }
  fprintf(stderr, "mfu run: the summary as JSON is in %s\n", path);
  return 0;
}

/* Whether an earlier file in the directory is of job `id` (its name "mfu-ID-r..."): the
 * report of the whole directory may then number the runs of that id. */
static bool job_in(const struct mfu_strings *files, const char *id) {
  char prefix[96];
  snprintf(prefix, sizeof prefix, "mfu-%s-r", id);
  for (size_t i = 0; i < files->n; i++) {
    const char *name = strrchr(files->v[i], '/');
    if (!strncmp(name ? name + 1 : files->v[i], prefix, strlen(prefix))) return true;
  }
  return false;
}

static void summarize(const struct run_args *a, const struct mfu_strings *before) {
  struct mfu_traces t;
  char err[1024];
  int found = mfu_traces_load(&t, a->dir, before, NULL, err, sizeof err);
  if (found == 1) {
    fprintf(stderr,
            "mfu run: the command wrote no trace to %s. Possible reasons: it made no cuBLAS, "
            "cuBLASLt or NCCL call; it links them statically or loads them with RTLD_DEEPBIND, "
            "which a preloaded library cannot interpose; it cleared LD_PRELOAD or MFU_TRACE_DIR "
            "for the processes doing the work; or the shim could not write there (see the "
            "mfushim: messages above).\n", a->dir);
  } else if (found < 0) {
    fprintf(stderr, "mfu run: %s\n", err);
  } else {
    struct report_options o = {.max_rows = SUMMARY_ROWS, .top = REPORT_TOP_ROWS, .util = &a->u};
    struct report r;
    fprintf(stderr, "\nmfu run: the traces of this run are in %s\n", a->dir);
    if (cli_report_build(&r, a->dir, &t, &o) == 0) {
      report_text(stderr, &r, o.max_rows);
      if (a->json) write_json(a->json, &r);
      char job[96] = "";
      if (t.njobs > 1 || (before->n && job_in(before, r.j->job_id))) /* other runs' ids too */
        snprintf(job, sizeof job, " --job ID");
      else if (before->n) /* earlier jobs in the directory: the report would pick the latest */
        snprintf(job, sizeof job, " --job %s", r.j->job_id);
      report_free(&r);
      fprintf(stderr, "\nfull report: mfu report %s%s%s\n", a->dir, a->report_options, job);
    }
  }
  mfu_traces_free(&t);
}

/* Whether `word` spells the long option `name` ("--trace-dir", also abbreviated or with
 * "=VALUE"), as getopt_long takes it. */
static bool spells(const char *word, const char *name) {
  size_t n = strcspn(word, "=");
  return n > 2 && n <= strlen(name) && !strncmp(word, name, n);
}

/* The options before CMD less mfu run's own (--trace-dir, --json) and the "--": what `mfu
 * report` takes to report the same, each word quoted for a shell where it needs it. */
static char *report_options(char **argv, int end) {
  char *out = mfu_xmalloc(1, 1);
  *out = '\0';
  for (int k = 1; k < end; k++) {
    const char *w = argv[k];
    if (!strcmp(w, "--")) continue;
    if (spells(w, "--trace-dir") || spells(w, "--json")) {
      k += !strchr(w, '=');  /* its value is the next word */
      continue;
    }
    bool plain = *w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789-_=.,:/+@%") == strlen(w);
    size_t len = strlen(out);
    out = mfu_xrealloc(out, len + 4 * strlen(w) + 4);
    char *p = out + len;
    *p++ = ' ';
    if (!plain) *p++ = '\'';
    for (const char *c = w; *c; c++)
      if (*c == '\'') p = stpcpy(p, "'\\''");  /* ' ends, \' is one, ' resumes */
      else *p++ = *c;
    if (!plain) *p++ = '\'';
    *p = '\0';
  }
  return out;
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: mfu run [--trace-dir DIR] [--json FILE] [MODEL] [WORK] [PEAK] [--] CMD [ARGS...]\n"
          "\n"
          "Runs CMD with the shim (" LAUNCH_SHIM ", found next to mfu or in ../lib) preloaded, so\n"
          "that every cuBLAS/cuBLASLt GEMM and NCCL call of CMD and of its child processes is\n"
          "traced, then prints where the traces are and a summary of this run's traces on\n"
          "stderr: with a model, its MFU. CMD's own output is left as it is.\n"
          "\n"
          "  --trace-dir DIR  where the traces go (default: $MFU_TRACE_DIR, else ./mfu-traces);\n"
          "                   created if needed\n"
          "  --json FILE      the summary as JSON in FILE too ('-': on stdout, after CMD's own\n"
          "                   output)\n"
          "\n"
          "MODEL, WORK and PEAK are the options of `mfu report` and `mfu predict`, meaning the\n"
          "same (--batch is the global batch):\n\n");
  options_help(out);
  fprintf(out,
          "\n"
          "Examples:\n"
          "  mfu run -- python train.py --epochs 1\n"
          "  mfu run --trace-dir traces/run1 -- torchrun --nproc-per-node 8 train.py\n"
          "\n"
          "Exit status: CMD's (128 + N if signal N killed it; 127 if it cannot be found), or 1\n"
          "or 2 when mfu could not start it. SIGINT and SIGTERM are forwarded to CMD.\n");
}

enum { OPT_TRACE_DIR = 1, OPT_JSON, OPT_HELP = 'h' };

static const struct option run_options_table[] = {
    {"trace-dir", required_argument, NULL, OPT_TRACE_DIR},
    {"json", required_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {0}};

static int on_run_option(void *ctx, int id, const char *arg) {
  struct run_args *a = ctx;
  switch (id) {
  case OPT_TRACE_DIR: a->dir = arg; return 0;
  case OPT_HELP: a->help = true; return 0;
  default:
    /* `--json -- CMD` (the old form, without a file) would write over a file named "--". */
    if (arg[0] == '-' && arg[1]) {
      fprintf(stderr, "mfu run: --json needs a file for the JSON summary ('-' for stdout), "
              "got '%s'\n", arg);
      return 2;
    }
    a->json = arg;
    return 0;
  }
}

int cmd_run(int argc, char **argv) {
  struct model_spec spec;
  model_spec_init(&spec);
  struct run_args a = {.dir = getenv("MFU_TRACE_DIR"), .u = {.spec = &spec, .skip = -1}};
  int i = options_parse_command(argc, argv, "mfu run", run_options_table, on_run_option, &a,
                                &spec);
  if (i < 0) return -i;
  if (a.help) {
    usage(stdout);
    return 0;
  }
  if (i == argc) {
    fprintf(stderr, "mfu run: no command given: mfu run [--trace-dir DIR] -- CMD [ARGS...]\n");
    return 2;
  }
  if (cli_model_given(&spec, &a.u, "mfu run")) return 2;
  if (!a.dir || !*a.dir) a.dir = "mfu-traces";

  char abs_dir[PATH_MAX], err[1024];
  int failed = launch_environment("mfu run", a.dir, abs_dir);
  if (failed) return failed;
  a.dir = abs_dir;
  a.report_options = report_options(argv, i);
  /* Files already there belong to earlier runs: the summary leaves them out. */
  struct mfu_strings before = {0};
  if (trace_files_find(abs_dir, &before, NULL, err, sizeof err) != 0)
    fprintf(stderr, "mfu run: %s\n", err);
  bool started = false;
  int status = launch_run("mfu run", argv + i, -1, 0, &started);
  if (started) summarize(&a, &before);
  mfu_strings_free(&before);
  free(a.report_options);
  return status;
}
