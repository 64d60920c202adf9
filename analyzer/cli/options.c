/* options: see options.h. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/spec.h"

/* Option ids: the model flags first (OPTIONS_ID_BASE + their enum), then these. */
enum {
  OPT_CONFIG = OPTIONS_ID_BASE + MODEL_FLAG_COUNT,
  OPT_PRESET,
  OPT_BATCH,
  OPT_BATCH_PER_RANK,
  OPT_SEQ,
  OPT_CONVENTION,
  OPT_ATTENTION,
  OPT_RECOMPUTE,
  OPT_DEVICE,
  OPT_PEAK,
  OPT_DTYPE,
};

static const struct option shared[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"preset", required_argument, NULL, OPT_PRESET},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"batch-per-rank", required_argument, NULL, OPT_BATCH_PER_RANK},
    {"seq", required_argument, NULL, OPT_SEQ},
    {"convention", required_argument, NULL, OPT_CONVENTION},
    {"attention", required_argument, NULL, OPT_ATTENTION},
    {"recompute", required_argument, NULL, OPT_RECOMPUTE},
    {"device", required_argument, NULL, OPT_DEVICE},
    {"peak-tflops", required_argument, NULL, OPT_PEAK},
    {"dtype", required_argument, NULL, OPT_DTYPE},
};
#define N_SHARED (sizeof shared / sizeof shared[0])
#define EXTRA_MAX 32 /* options of the calling command */
#define TABLE_MAX (N_SHARED + MODEL_FLAG_COUNT + EXTRA_MAX + 1)

int options_count(const char *cmd, const char *flag, const char *arg, int64_t min, int64_t max,
                 int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(arg, &end, 10);
  if (errno || end == arg || *end || v < min || v > max) {
    fprintf(stderr, "%s: --%s '%s': expected a whole number from %" PRId64 " to %" PRId64 "\n",
            cmd, flag, arg, min, max);
    return 2;
  }
  *out = v;
  return 0;
}

int options_positive(const char *cmd, const char *flag, const char *arg, const char *what,
                    double *out) {
  char *end;
  errno = 0;
  double v = strtod(arg, &end);
  if (errno || end == arg || *end || !isfinite(v) || v <= 0) {
    fprintf(stderr, "%s: --%s '%s': expected a positive number (%s)\n", cmd, flag, arg, what);
    return 2;
  }
  *out = v;
  return 0;
}

/* Turns a word into an enum value with `parse`, or says which words are allowed. */
static int parse_word(const char *cmd, const char *flag, const char *arg, int (*parse)(const char *),
                      const char *allowed, int *out) {
  int v = parse(arg);
  if (v < 0) {
    fprintf(stderr, "%s: --%s '%s': expected one of %s\n", cmd, flag, arg, allowed);
    return 2;
  }
  *out = v;
  return 0;
}

static int dtype_parse(const char *s) {
  int p = mfu_precision_parse(s);
  return p == MFU_PREC_OTHER ? -1 : p;
}

/* One shared option; 0, or the exit status 2 after printing why. Batch and sequence stay
 * below 2^31 so that batch·seq² cannot overflow. */
static int apply_shared(struct model_spec *o, const char *cmd, int id, const char *arg) {
  char err[256];
  int v, rc;
  switch (id) {
  case OPT_CONFIG: o->config = arg; return 0;
  case OPT_PRESET: o->preset = arg; return 0;
  case OPT_DEVICE:
    /* Checked here, so that a mistyped device fails at once, as every bad option does. */
    if (!hw_find(arg, err, sizeof err)) {
      fprintf(stderr, "%s: --device '%s': %s\n", cmd, arg, err);
      return 2;
    }
    o->device = arg;
    return 0;
  case OPT_BATCH:
  case OPT_BATCH_PER_RANK:
    if (o->batch_given) {
      fprintf(stderr, "%s: --batch and --batch-per-rank both give the batch: pass one (--batch is "
              "the global batch, all devices together; --batch-per-rank one device's share)\n", cmd);
      return 2;
    }
    o->batch_given = true;
    if (id == OPT_BATCH) return options_count(cmd, "batch", arg, 1, INT32_MAX, &o->work.batch);
    return options_count(cmd, "batch-per-rank", arg, 1, INT32_MAX, &o->batch_per_rank);
  case OPT_SEQ:
    o->seq_given = true;
    return options_count(cmd, "seq", arg, 1, INT32_MAX, &o->work.seq);
  case OPT_PEAK:
    return options_positive(cmd, "peak-tflops", arg, "dense TFLOP/s per device for the run's --dtype",
                           &o->peak_tflops);
  case OPT_CONVENTION:
    rc = parse_word(cmd, "convention", arg, convention_parse, "exact, megatron, palm, 6n, seed", &v);
    o->convention = rc ? o->convention : (enum convention)v;
    return rc;
  case OPT_ATTENTION:
    rc = parse_word(cmd, "attention", arg, attention_parse, "causal, full", &v);
    o->work.attention = rc ? o->work.attention : (enum attention)v;
    return rc;
  case OPT_RECOMPUTE:
    rc = parse_word(cmd, "recompute", arg, recompute_parse, "none, selective, full", &v);
    o->work.recompute = rc ? o->work.recompute : (enum recompute)v;
    return rc;
  case OPT_DTYPE:
    rc = parse_word(cmd, "dtype", arg, dtype_parse, "fp64, fp32, tf32, fp16, bf16, fp8, int8, fp4", &v);
    o->dtype = rc ? o->dtype : (enum mfu_precision)v;
    o->dtype_given = rc == 0;
    return rc;
  }
  /* A model field flag. */
  if (model_override_parse(&o->overrides, (enum model_flag)(id - OPTIONS_ID_BASE), arg, err,
                           sizeof err)) {
    fprintf(stderr, "%s: %s\n", cmd, err);
    return 2;
  }
  return 0;
}

static int parse(int argc, char **argv, const char *cmd, const struct option *extra,
                 options_fn on_extra, void *ctx, struct model_spec *o, bool until_operand) {
  struct option table[TABLE_MAX];
  size_t n = 0;
  for (size_t i = 0; extra && extra[i].name && i < EXTRA_MAX; i++) table[n++] = extra[i];
  for (size_t i = 0; i < N_SHARED; i++) table[n++] = shared[i];
  for (int f = 0; f < MODEL_FLAG_COUNT; f++) {
    bool optional = f == MODEL_FLAG_tied_embeddings;  /* bare --tied-embeddings means yes */
    table[n++] = (struct option){model_flag_info[f].flag,
                                 optional ? optional_argument : required_argument, NULL,
                                 OPTIONS_ID_BASE + f};
  }
  table[n] = (struct option){0};

  /* A command's option whose id is a letter has that short form too (-o FILE). */
  /* "+": stop at the first operand (a command to run keeps its own options). */
  char shorts[3 + 2 * EXTRA_MAX + 1], *sp = shorts;
  if (until_operand) *sp++ = '+';
  *sp++ = ':';
  for (size_t i = 0; extra && extra[i].name && i < EXTRA_MAX; i++)
    if (extra[i].val > 0 && extra[i].val < 128 && isalpha(extra[i].val)) {
      *sp++ = (char)extra[i].val;
      if (extra[i].has_arg == required_argument) *sp++ = ':';
    }
  *sp = '\0';
  opterr = 0;
  optind = 0;  /* 0, not 1: glibc then resets all its state, for commands run in one process */
  int id;
  while ((id = getopt_long(argc, argv, shorts, table, NULL)) != -1) {
    if (id == '?' || id == ':') {
      const char *opt = argv[optind - 1];
      fprintf(stderr, id == ':' ? "%s: %s needs a value; `%s --help` describes it\n"
                                : "%s: unknown option '%s'; `%s --help` lists the options\n",
              cmd, opt, cmd);
      return -2;
    }
    int rc = id >= OPTIONS_ID_BASE ? apply_shared(o, cmd, id, optarg) : on_extra(ctx, id, optarg);
    if (rc) return -rc;
  }
  return optind;
}

int options_parse(int argc, char **argv, const char *cmd, const struct option *extra,
                  options_fn on_extra, void *ctx, struct model_spec *o) {
  return parse(argc, argv, cmd, extra, on_extra, ctx, o, false);
}

int options_parse_command(int argc, char **argv, const char *cmd, const struct option *extra,
                          options_fn on_extra, void *ctx, struct model_spec *o) {
  return parse(argc, argv, cmd, extra, on_extra, ctx, o, true);
}

void options_help_line(FILE *out, const char *flag, const char *text) {
  fprintf(out, "  %-26s %s\n", flag, text);
}

void options_help(FILE *out) {
  fprintf(out, "model (one of --config, --preset or the shape; shape flags edit either):\n");
  options_help_line(out, "--config FILE", "a Hugging Face config.json");
  options_help_line(out, "--preset NAME", "a built-in model (`mfu models` lists them)");
  for (int f = 0; f < MODEL_FLAG_COUNT; f++) {
    char flag[48];
    snprintf(flag, sizeof flag, f == MODEL_FLAG_tied_embeddings ? "--%s[=%s]" : "--%s %s",
             model_flag_info[f].flag, model_flag_info[f].metavar);
    options_help_line(out, flag, model_flag_info[f].help);
  }
  fprintf(out, "work:\n");
  options_help_line(out, "--batch N", "the global batch: sequences per step of all devices together "
                    "(default 1)");
  options_help_line(out, "--batch-per-rank N", "one device's sequences per step, instead: the global "
                    "batch is N times the devices");
  options_help_line(out, "--seq N", "tokens per sequence (default 2048)");
  fprintf(out, "formula:\n");
  options_help_line(out, "--convention NAME", "exact (default), megatron, palm, 6n, seed");
  options_help_line(out, "--attention causal|full", "attention mask (default causal; full: s^2 pairs)");
  options_help_line(out, "--recompute KIND", "none (default), selective, full: extra work, in HFU");
  fprintf(out, "peak:\n");
  options_help_line(out, "--device NAME", "short name (h100-sxm, a100, mi300x, tpu-v5p) or device string");
  options_help_line(out, "--peak-tflops N", "dense peak per device in TFLOP/s (overrides the table)");
  options_help_line(out, "--dtype P", "precision of the peak: fp64 fp32 tf32 fp16 bf16 fp8 int8 fp4 "
                    "(default: that of the most FLOPs a trace counted, else bf16)");
}
