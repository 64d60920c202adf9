/* calibrate: `mfu calibrate [--size N] [--warmup N] [--iters N] [--precision LIST] [--json | --csv]`:
 * the GEMM TFLOP/s this machine's GPU achieves per precision (gpu/calibrate.h), beside the
 * datasheet peak of `mfu hw`. */
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "gpu/calibrate.h"
#include "model/hardware.h"
#include "report/table.h"
#include "util/json_writer.h"

#define PROG "mfu calibrate"

struct options {
  int size, warmup, iters;
  bool json, csv, explicit_list;
  bool want[CALIBRATE_PRECISIONS];
};

static void usage(FILE *out) {
  fprintf(
      out,
      "usage: mfu calibrate [--size N] [--warmup N] [--iters N] [--precision LIST]\n"
      "                     [--json | --csv]\n\n"
      "Measures the GEMM throughput this machine's GPU achieves: N x N x N cuBLASLt matmuls\n"
      "on random data per precision, timed with CUDA events, beside the datasheet peak that\n"
      "`mfu hw` gives for the device.\n\n"
      "  --size N         matrix size, a multiple of 16 up to %d (8192)\n"
      "  --warmup N       untimed GEMMs first (3)\n"
      "  --iters N        timed GEMMs (10)\n"
      "  --precision L    comma-separated: bf16 fp16 tf32 fp8 fp32 (" CALIBRATE_DEFAULT_PRECISIONS
      ";\n"
      "                   fp8 by default only where the device has it, compute capability 8.9+)\n"
      "  --json           one JSON object\n"
      "  --csv            the table as CSV\n\n"
      "CUDA is loaded at run time (libcudart.so.13 or .12 and the matching libcublasLt).\n\n"
      "Examples:\n"
      "  mfu calibrate\n"
      "  mfu calibrate --precision bf16,fp8 --size 16384 --json > achieved.json\n\n"
      "Exit status: 0 measured, 1 no CUDA device or a CUDA failure, 2 bad usage.\n",
      CALIBRATE_MAX_SIZE);
}

static int parse_int(const char *opt, const char *arg, int min, int max, int *out) {
  char *end;
  long v = strtol(arg, &end, 10);
  if (end == arg || *end || v < min || v > max) {
    fprintf(stderr, PROG ": %s must be an integer from %d to %d, not '%s'\n", opt, min, max, arg);
    return -1;
  }
  *out = (int)v;
  return 0;
}

static int parse_list(const char *arg, struct options *o) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", arg);
  memset(o->want, 0, sizeof o->want);
  int n = 0;
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    size_t i = 0;
    while (i < CALIBRATE_PRECISIONS && strcmp(t, calibrate_precisions[i].name)) i++;
    if (i == CALIBRATE_PRECISIONS) {
      fprintf(stderr,
              PROG ": unknown precision '%s' in --precision: bf16, fp16, tf32, fp8 or fp32\n", t);
      return -1;
    }
    o->want[i] = true;
    n++;
  }
  if (!n) {
    fprintf(stderr, PROG ": --precision needs a list such as bf16,fp16\n");
    return -1;
  }
  return 0;
}

enum { GO_ON = -1 };

/* Returns GO_ON, or the exit status when there is nothing to measure (--help, bad usage). */
static int parse(int argc, char **argv, struct options *o) {
  static const struct option long_options[] = {{"size", required_argument, NULL, 's'},
                                               {"warmup", required_argument, NULL, 'w'},
                                               {"iters", required_argument, NULL, 'i'},
                                               {"precision", required_argument, NULL, 'p'},
                                               {"json", no_argument, NULL, 'j'},
                                               {"csv", no_argument, NULL, 'c'},
                                               {"help", no_argument, NULL, 'h'},
                                               {0}};
  *o = (struct options){.size = 8192, .warmup = 3, .iters = 10};
  parse_list(CALIBRATE_DEFAULT_PRECISIONS, o);
  int ch;
  optind = 0; /* a full reset of glibc's getopt */
  opterr = 0;
  while ((ch = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
    int bad = 0;
    if (ch == 's')
      bad = parse_int("--size", optarg, 16, CALIBRATE_MAX_SIZE, &o->size);
    else if (ch == 'w')
      bad = parse_int("--warmup", optarg, 0, 1000, &o->warmup);
    else if (ch == 'i')
      bad = parse_int("--iters", optarg, 1, 100000, &o->iters);
    else if (ch == 'p') {
      bad = parse_list(optarg, o);
      o->explicit_list = true;
    } else if (ch == 'j')
      o->json = true;
    else if (ch == 'c')
      o->csv = true;
    else if (ch == 'h') {
      usage(stdout);
      return 0;
    } else if (ch == ':') {
      fprintf(stderr, PROG ": %s needs a value\n", argv[optind - 1]);
      return 2;
    } else {
      fprintf(stderr, PROG ": unknown option '%s' (see --help)\n", argv[optind - 1]);
      return 2;
    }
    if (bad) return 2;
  }
  if (optind < argc) {
    fprintf(stderr, PROG ": unexpected argument '%s' (see --help)\n", argv[optind]);
    return 2;
  }
  if (o->json && o->csv) {
    fprintf(stderr, PROG ": --json or --csv, not both\n");
    return 2;
  }
  if (o->size % 16) {
    fprintf(stderr, PROG ": --size %d is not a multiple of 16 (cuBLASLt's FP8 alignment)\n",
            o->size);
    return 2;
  }
  return GO_ON;
}

static const char *outcome_name(enum calibrate_outcome o) {
  static const char *const names[] = {[CALIBRATE_OK] = "ok", [CALIBRATE_UNTIMED] = "untimed",
                                       [CALIBRATE_UNSUPPORTED] = "unsupported",
                                       [CALIBRATE_FAILED] = "failed"};
  return names[o];
}

/* The datasheet peak of the device for p, 0 when the table has none. */
static double datasheet(const struct accelerator *hw, const struct calibrate_precision *p) {
  char err[256];
  int prec = mfu_precision_parse(p->name);
  if (!hw || prec < 0) return 0;
  double v = hw_tflops(hw, (enum mfu_precision)prec, err, sizeof err);
  return v > 0 ? v : 0;
}

static void print_json(const struct calibrate_gpu *g, const struct accelerator *hw,
                       const struct options *o, const struct calibrate_result res[]) {
  struct jw j;
  jw_init(&j, stdout);
  jw_object_begin(&j);
  jw_key(&j, "device");
  jw_string(&j, g->device);
  jw_key(&j, "compute_capability");
  char cc[16];
  snprintf(cc, sizeof cc, "%d.%d", g->cc_major, g->cc_minor);
  jw_string(&j, cc);
  jw_key(&j, "test_double");
  jw_bool(&j, g->is_double);
  jw_key(&j, "accelerator");
  jw_string(&j, hw ? hw->id : NULL);
  jw_key(&j, "cudart");
  jw_string(&j, g->rt_path);
  jw_key(&j, "cublaslt");
  jw_string(&j, g->lt_path);
  jw_key(&j, "cublaslt_version");
  jw_int(&j, (int64_t)g->cublaslt_version);
  jw_key(&j, "size");
  jw_int(&j, o->size);
  jw_key(&j, "warmup");
  jw_int(&j, o->warmup);
  jw_key(&j, "iters");
  jw_int(&j, o->iters);
  jw_key(&j, "results");
  jw_object_begin(&j);
  for (size_t i = 0; i < CALIBRATE_PRECISIONS; i++) {
    if (!o->want[i]) continue;
    const struct calibrate_result *r = &res[i];
    const double peak = datasheet(hw, &calibrate_precisions[i]);
    jw_key(&j, calibrate_precisions[i].name);
    jw_object_begin(&j);
    jw_key(&j, "status");
    jw_string(&j, outcome_name(r->outcome));
    jw_key(&j, "tflops");
    if (r->outcome == CALIBRATE_OK)
      jw_double(&j, r->tflops);
    else
      jw_null(&j);
    jw_key(&j, "ms_per_gemm");
    if (r->outcome == CALIBRATE_OK)
      jw_double(&j, r->ms_per_gemm);
    else
      jw_null(&j);
    jw_key(&j, "datasheet_tflops");
    if (peak > 0)
      jw_double(&j, peak);
    else
      jw_null(&j);
    jw_key(&j, "fraction_of_datasheet");
    if (peak > 0 && r->outcome == CALIBRATE_OK)
      jw_double(&j, r->tflops / peak);
    else
      jw_null(&j);
    jw_key(&j, "reason");
    jw_string(&j, r->outcome == CALIBRATE_OK ? NULL : r->why);
    jw_object_end(&j);
  }
  jw_object_end(&j);
  jw_object_end(&j);
}

static void print_csv(const struct accelerator *hw, const struct options *o,
                      const struct calibrate_result res[]) {
  static const struct table_column cols[] = {
      {"", "precision", 0},        {"", "status", 0}, {"", "tflops", 0}, {"", "ms_per_gemm", 0},
      {"", "datasheet_tflops", 0}, {"", "of_datasheet_pct", 0}, {"", "reason", 0}};
  struct table t;
  table_begin(&t, stdout, true, NULL, NULL, cols, sizeof cols / sizeof *cols);
  for (size_t i = 0; i < CALIBRATE_PRECISIONS; i++) {
    if (!o->want[i]) continue;
    const struct calibrate_result *r = &res[i];
    const double peak = datasheet(hw, &calibrate_precisions[i]);
    const bool ok = r->outcome == CALIBRATE_OK;
    table_str(&t, calibrate_precisions[i].name);
    table_str(&t, outcome_name(r->outcome));
    table_num(&t, ok ? r->tflops : NAN, 3);
    table_num(&t, ok ? r->ms_per_gemm : NAN, 3);
    table_num(&t, peak > 0 ? peak : NAN, 1);
    table_pct(&t, ok && peak > 0 ? r->tflops / peak : NAN, 1);
    table_str(&t, ok ? NULL : r->why);
    table_end_row(&t);
  }
}

static void print_text(const struct calibrate_gpu *g, const struct accelerator *hw,
                       const struct options *o, const struct calibrate_result res[]) {
  printf(PROG ": %s (compute capability %d.%d), cuBLASLt %zu from %s\n", g->device, g->cc_major,
         g->cc_minor, g->cublaslt_version, g->lt_path);
  printf("  %d x %d x %d GEMMs on random data, %d warm-up + %d timed, CUDA events\n", o->size,
         o->size, o->size, o->warmup, o->iters);
  if (g->is_double)
    printf("  the device is mfushim's test double (no GPU): the GEMMs run, nothing is timed\n");
  printf("  %-10s %10s %12s %10s %12s\n", "precision", "TFLOP/s", "datasheet", "achieved",
         "ms per GEMM");
  for (size_t i = 0; i < CALIBRATE_PRECISIONS; i++) {
    if (!o->want[i]) continue;
    const struct calibrate_result *r = &res[i];
    const double peak = datasheet(hw, &calibrate_precisions[i]);
    char ps[32] = "-", frac[32] = "-";
    if (peak > 0) snprintf(ps, sizeof ps, "%.1f", peak);
    if (r->outcome != CALIBRATE_OK) {
      printf("  %-10s %10s %12s   %s\n", calibrate_precisions[i].name, outcome_name(r->outcome), ps, r->why);
      continue;
    }
    if (peak > 0) snprintf(frac, sizeof frac, "%.1f%%", 100 * r->tflops / peak);
    printf("  %-10s %10.1f %12s %10s %12.3f\n", calibrate_precisions[i].name, r->tflops, ps, frac,
           r->ms_per_gemm);
  }
  if (!hw && !g->is_double)
    printf("  (no datasheet peak: '%s' is not in the accelerator table, see `mfu hw`)\n", g->device);
}

int cmd_calibrate(int argc, char **argv) {
  struct options o;
  int rc = parse(argc, argv, &o);
  if (rc != GO_ON) return rc;
  struct calibrate_gpu g;
  char err[2048];
  if (calibrate_open(&g, err, sizeof err) != 0) {
    fprintf(stderr, PROG ": %s\n", err);
    calibrate_close(&g);
    return 1;
  }
  const struct accelerator *hw = g.is_double ? NULL : hw_find(g.device, err, sizeof err);
  struct calibrate_result res[CALIBRATE_PRECISIONS] = {0};
  rc = 0;
  for (size_t i = 0; i < CALIBRATE_PRECISIONS; i++) {
    if (!o.want[i]) continue;
    calibrate_measure(&g, &calibrate_precisions[i], o.size, o.warmup, o.iters, &res[i]);
    /* Unsupported is fine for the default list (fp8 "where supported"), not when asked for. */
    if (res[i].outcome == CALIBRATE_FAILED || (res[i].outcome == CALIBRATE_UNSUPPORTED && o.explicit_list))
      rc = 1;
  }
  calibrate_close(&g);
  if (o.json)
    print_json(&g, hw, &o, res);
  else if (o.csv)
    print_csv(hw, &o, res);
  else
    print_text(&g, hw, &o, res);
  for (size_t i = 0; i < CALIBRATE_PRECISIONS; i++)
    if (o.want[i] && res[i].outcome == CALIBRATE_FAILED)
      fprintf(stderr, PROG ": %s: %s\n", calibrate_precisions[i].name, res[i].why);
  return rc;
}
