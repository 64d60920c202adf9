/* sweep: `mfu sweep --batch LIST --seq LIST [-o DIR] [--timeout S] [--no-plot] [MODEL] [PEAK]
 * -- CMD ... {batch} ... {seq} ...`: runs CMD under the shim at every point of the grid, with a
 * progress line, records the points that fail (out of memory...) and goes on, measures each
 * run (metrics/sweep.h), and writes DIR/sweep.csv and the figures of MFU against batch size
 * and sequence length (scripts/mfu_plot.py, through `mfu plot`). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "job/trace_files.h"
#include "launch.h"
#include "metrics/sweep.h"
#include "options.h"
#include "report/sweep_table.h"
#include "trace_options.h"
#include "util/alloc.h"

#define CMD "mfu sweep"
#define MAX_VALUES 64
#define TAIL_BYTES 65536 /* of a run's output, to tell why it failed */

struct sweep_args {
  struct trace_options t;
  long batch[MAX_VALUES], seq[MAX_VALUES];
  size_t nbatch, nseq;
  const char *out_dir;
  double timeout_s;
  bool no_plot, csv;
};

static void usage(FILE *out) {
  fprintf(out,
          "usage: mfu sweep --batch LIST --seq LIST [-o DIR] [--timeout S] [--no-plot] [--csv]\n"
          "                 [--skip N] [--step-range REGEX] [MODEL] [PEAK] -- CMD [ARGS...]\n"
          "\n"
          "Runs CMD under the shim once for every batch size and sequence length, with {batch}\n"
          "and {seq} in its arguments replaced by the point's values, and measures each run as\n"
          "mfu report does: step time, tokens/s, MFU, HFU and the factors. A point that fails\n"
          "(out of memory, a crash, --timeout) is recorded with why, and the sweep goes on.\n"
          "Writes DIR/sweep.csv, the traces (DIR/traces/bB-sS) and the output of each run\n"
          "(DIR/logs/bB-sS.log), and, with python3-matplotlib, the figures MFU against batch\n"
          "size per sequence length and MFU against sequence length per batch size\n"
          "(DIR/mfu_vs_batch.png, DIR/mfu_vs_seq.png, and .svg).\n"
          "\n"
          "  --batch LIST   batch sizes, '1,2,4,8': sequences per rank and step ({batch})\n"
          "  --seq LIST     sequence lengths, '512,1024,2048' ({seq})\n"
          "  -o, --output DIR\n"
          "                 where everything goes (default mfu-sweep; a point's trace\n"
          "                 directory must not hold traces yet)\n"
          "  --timeout S    stop a run after S seconds (SIGTERM, then SIGKILL): 'timeout'\n"
          "  --no-plot      the CSV only\n"
          "  --csv          the table on stdout as CSV too, as in sweep.csv (the summary and\n"
          "                 the figures' names then go to stderr)\n"
          "  --skip N, --step-range REGEX\n"
          "                 as for mfu report\n"
          "\n"
          "MODEL and PEAK are the options of `mfu report`; each point's work is its batch\n"
          "(per rank) and sequence length. Without a model there is no MFU; the figures then\n"
          "show HFU from the counted FLOPs.\n\n");
  options_help(out);
  fprintf(out,
          "\nExample (on the test doubles; on a GPU drop LD_LIBRARY_PATH):\n"
          "  LD_LIBRARY_PATH=build/test-doubles mfu sweep --batch 1,2,4,8 --seq 256,512 \\\n"
          "      --layers 4 --hidden 1024 --heads 16 --ffn 2816 --vocab 32000 --attention full \\\n"
          "      --peak-tflops 100 -- build/examples/transformer_step --layers 4 --hidden 1024 \\\n"
          "      --heads 16 --ffn 2816 --vocab 32000 --batch {batch} --seq {seq} --steps 6\n"
          "\nExit status: 0 when at least one point was measured, 1 when none was, 2 for bad\n"
          "usage.\n");
}

enum { OPT_BATCH = 1, OPT_SEQ, OPT_TIMEOUT, OPT_NO_PLOT, OPT_CSV, OPT_OUTPUT = 'o' };

/* Before the shared options: --batch and --seq are lists here. Beside --skip, --step-range and
 * --help (trace_options.h). */
static const struct option sweep_options[] = {
    {"batch", required_argument, NULL, OPT_BATCH},
    {"seq", required_argument, NULL, OPT_SEQ},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"no-plot", no_argument, NULL, OPT_NO_PLOT},
    {"csv", no_argument, NULL, OPT_CSV},
    {0}};

static int parse_list(const char *flag, const char *arg, long *v, size_t *n) {
  const char *s = arg;
  for (*n = 0; *n < MAX_VALUES;) {
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (end == s || errno || x < 1 || x > 1 << 30) break;
    v[(*n)++] = x;
    if (!*end) return 0;
    if (*end != ',') break;
    s = end + 1;
  }
  fprintf(stderr, CMD ": --%s '%s': expected whole numbers from 1 to 2^30 separated by commas, "
                  "such as 1,2,4,8 (at most %d)\n", flag, arg, MAX_VALUES);
  return 2;
}

static int on_option(void *ctx, int id, const char *arg) {
  struct sweep_args *a = ctx;
  switch (id) {
  case OPT_BATCH: return parse_list("batch", arg, a->batch, &a->nbatch);
  case OPT_SEQ: return parse_list("seq", arg, a->seq, &a->nseq);
  case OPT_OUTPUT: a->out_dir = arg; return 0;
  case OPT_TIMEOUT: return options_positive(CMD, "timeout", arg, "seconds", &a->timeout_s);
  case OPT_NO_PLOT: a->no_plot = true; return 0;
  default: a->csv = true; return 0;
  }
}

/* `arg` with every {batch} and {seq} replaced (malloc'ed). */
static char *substitute(const char *arg, long batch, long seq) {
  char *out;
  size_t len;
  FILE *m = open_memstream(&out, &len);
  if (!m) mfu_out_of_memory();
  for (const char *s = arg; *s;) {
    if (!strncmp(s, "{batch}", 7)) fprintf(m, "%ld", batch), s += 7;
    else if (!strncmp(s, "{seq}", 5)) fprintf(m, "%ld", seq), s += 5;
    else fputc(*s++, m);
  }
  fclose(m);
  return out;
}

static bool uses(char **cmd, int n, const char *placeholder) {
  for (int i = 0; i < n; i++)
    if (strstr(cmd[i], placeholder)) return true;
  return false;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The last TAIL_BYTES of the file at `path` (malloc'ed, NUL-terminated; "" if unreadable). */
static char *tail_of(const char *path) {
  char *buf = mfu_xcalloc(TAIL_BYTES + 1, 1);
  FILE *f = fopen(path, "r");
  if (!f) return buf;
  if (fseek(f, -TAIL_BYTES, SEEK_END) != 0) rewind(f);
  size_t n = fread(buf, 1, TAIL_BYTES, f);
  for (size_t i = 0; i < n; i++)
    if (!buf[i]) buf[i] = ' '; /* binary output must not end the text early */
  fclose(f);
  return buf;
}

struct point_paths {
  char traces[4096], log[4096];
};

static void paths(const struct sweep_args *a, long batch, long seq, struct point_paths *p) {
  snprintf(p->traces, sizeof p->traces, "%s/traces/b%ld-s%ld", a->out_dir, batch, seq);
  snprintf(p->log, sizeof p->log, "%s/logs/b%ld-s%ld.log", a->out_dir, batch, seq);
}

/* Refuses to mix a point's traces with an earlier sweep's. */
static int check_fresh(const struct sweep_args *a) {
  for (size_t s = 0; s < a->nseq; s++)
    for (size_t b = 0; b < a->nbatch; b++) {
      struct point_paths p;
      struct mfu_strings found = {0};
      char err[512];
      paths(a, a->batch[b], a->seq[s], &p);
      bool old = access(p.traces, F_OK) == 0 && trace_files_find(p.traces, &found, NULL, err, sizeof err) == 0 && found.n;
      mfu_strings_free(&found);
      if (old) {
        fprintf(stderr, CMD ": %s already holds traces of an earlier run: remove %s or choose "
                        "another -o DIR\n", p.traces, a->out_dir);
        return 2;
      }
    }
  return 0;
}

/* Measures the traces of one point's run. */
static void measure(struct sweep_point *pt, const char *dir, const struct sweep_args *a) {
  struct mfu_traces t;
  char err[1024];
  struct model_spec spec = a->t.spec;
  spec.batch_per_rank = pt->batch;
  spec.work.seq = pt->seq;
  spec.seq_given = true;
  struct utilization_options o = a->t.u;
  o.spec = &spec;
  if (mfu_traces_load(&t, dir, NULL, a->t.step_range, err, sizeof err) == 0 && t.njobs) {
    struct job_utilization u;
    utilization_compute(&t.jobs[0], &o, &u);
    sweep_measure(pt, &t.jobs[0], &u);
    utilization_free(&u);
  } else {
    sweep_measure(pt, NULL, NULL);
  }
  mfu_traces_free(&t);
}

/* Runs one point; says how it went on stderr. */
static void run_point(struct sweep_point *pt, char **cmd, int ncmd, const struct sweep_args *a,
                      size_t i, size_t n, double started_at) {
  struct point_paths p;
  paths(a, pt->batch, pt->seq, &p);
  double t0 = now_s();
  fprintf(stderr, CMD ": point %zu/%zu (batch %ld, seq %ld): running; %.1f s elapsed", i + 1, n,
          pt->batch, pt->seq, t0 - started_at);
  if (i) fprintf(stderr, ", about %.1f s left", (t0 - started_at) / (double)i * (double)(n - i));
  fprintf(stderr, "\n");
  char **argv = mfu_xcalloc((size_t)ncmd + 1, sizeof *argv);
  for (int k = 0; k < ncmd; k++) argv[k] = substitute(cmd[k], pt->batch, pt->seq);
  char abs[PATH_MAX];
  bool started = false;
  int fd = -1;
  pt->exit_status = 1;
  if (launch_environment(CMD, p.traces, abs) == 0 &&
      (fd = open(p.log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) >= 0)
    pt->exit_status = launch_run(CMD, argv, fd, a->timeout_s, &started);
  else if (fd < 0)
    fprintf(stderr, CMD ": cannot write %s: %s\n", p.log, strerror(errno));
  if (fd >= 0) close(fd);
  pt->wall_s = now_s() - t0;
  char *tail = tail_of(p.log);
  bool timed_out = a->timeout_s > 0 && pt->wall_s >= a->timeout_s && pt->exit_status > 128;
  pt->outcome = sweep_classify(pt->exit_status, started, timed_out, tail);
  free(tail);
  if (started) measure(pt, abs, a);
  else sweep_measure(pt, NULL, NULL);
  fprintf(stderr, CMD ": point %zu/%zu (batch %ld, seq %ld): ", i + 1, n, pt->batch, pt->seq);
  if (pt->outcome == SWEEP_OK && !isnan(pt->mfu))
    fprintf(stderr, "MFU %.2f%%, %.3f ms per step, %.1f s\n", 100 * pt->mfu, pt->step_s * 1e3, pt->wall_s);
  else if (pt->outcome == SWEEP_OK)
    fprintf(stderr, "HFU %.2f%%, %.3f ms per step, %.1f s\n", 100 * pt->hfu, pt->step_s * 1e3, pt->wall_s);
  else
    fprintf(stderr, "%s (exit status %d): see %s\n", sweep_outcome_text(pt->outcome),
            pt->exit_status, p.log);
  for (int k = 0; k < ncmd; k++) free(argv[k]);
  free(argv);
}

static int write_csv(const char *dir, const struct sweep_point *p, size_t n, char csv[4096]) {
  snprintf(csv, 4096, "%s/sweep.csv", dir);
  FILE *f = fopen(csv, "w");
  if (!f) {
    fprintf(stderr, CMD ": cannot write %s: %s\n", csv, strerror(errno));
    return 1;
  }
  sweep_table(f, p, n, true);
  if (fclose(f) != 0) {
    fprintf(stderr, CMD ": writing %s failed: %s\n", csv, strerror(errno));
    return 1;
  }
  return 0;
}

/* Checks what the sweep needs before running anything: 0, or the exit status. */
static int check_args(const struct sweep_args *a, char **cmd, int ncmd) {
  if (!a->nbatch || !a->nseq) {
    fprintf(stderr, CMD ": give the points: --batch LIST and --seq LIST (e.g. --batch 1,2,4 "
                    "--seq 512,1024)\n");
    return 2;
  }
  if (!ncmd) {
    fprintf(stderr, CMD ": no command: put it after --, with {batch} and {seq} where its "
                    "arguments take them\n");
    return 2;
  }
  static const char *const names[2] = {"batch", "seq"};
  size_t counts[2] = {a->nbatch, a->nseq};
  for (int i = 0; i < 2; i++) {
    char placeholder[16];
    snprintf(placeholder, sizeof placeholder, "{%s}", names[i]);
    if (counts[i] > 1 && !uses(cmd, ncmd, placeholder)) {
      fprintf(stderr, CMD ": --%s has %zu values but the command has no %s: every point would "
                      "run the same; put %s where the command takes it\n", names[i], counts[i],
              placeholder, placeholder);
      return 2;
    }
  }
  return check_fresh(a);
}

int cmd_sweep(int argc, char **argv) {
  struct sweep_args a = {.out_dir = "mfu-sweep"};
  int first, rc = trace_options_parse(&a.t, argc, argv, CMD, 0, sweep_options, on_option, &a,
                                      usage, &first);
  if (rc != TRACE_OPTIONS_GO_ON) return rc;
  if (first < argc && (first == 0 || strcmp(argv[first - 1], "--"))) {
    fprintf(stderr, CMD ": put the command after --: mfu sweep [OPTIONS] -- CMD ARGS... (got "
                    "'%s')\n", argv[first]);
    return 2;
  }
  rc = check_args(&a, argv + first, argc - first);
  if (rc) return rc;
  if (cli_model_given(&a.t.spec, &a.t.u, CMD)) return 2;
  char logs[4096];
  snprintf(logs, sizeof logs, "%s/logs", a.out_dir);
  if (launch_make_dirs(logs) != 0) {
    fprintf(stderr, CMD ": cannot create %s: %s: choose another -o DIR\n", logs, strerror(errno));
    return 2;
  }
  size_t n = a.nbatch * a.nseq, measured = 0;
  struct sweep_point *points = mfu_xcalloc(n, sizeof *points);
  double started_at = now_s();
  for (size_t s = 0, i = 0; s < a.nseq; s++)
    for (size_t b = 0; b < a.nbatch; b++, i++) {
      points[i] = (struct sweep_point){.batch = a.batch[b], .seq = a.seq[s]};
      run_point(&points[i], argv + first, argc - first, &a, i, n, started_at);
      measured += points[i].outcome == SWEEP_OK;
    }
  char csv[4096];
  int status = write_csv(a.out_dir, points, n, csv);
  sweep_table(stdout, points, n, a.csv);
  fprintf(a.csv ? stderr : stdout, "%s%zu of %zu points measured in %.1f s; every figure in %s\n",
          a.csv ? "" : "\n", measured, n, now_s() - started_at, csv);
  free(points);
  fflush(stdout);
  if (!status && !a.no_plot) cli_plot(CMD, "sweep", csv, a.out_dir, a.csv ? STDERR_FILENO : -1);
  return status ? status : measured ? 0 : 1;
}
