/* Shared model, work, convention and peak options. */
#include "model_options.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Option ids: the model flags first (MODEL_OPTION_ID_BASE + their enum), then these. */
enum {
  OPT_CONFIG = MODEL_OPTION_ID_BASE + MODEL_FLAG_COUNT,
  OPT_PRESET,
  OPT_BATCH,
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

void model_options_init(struct model_options *o) {
  memset(o, 0, sizeof *o);
  o->work = (struct work){.batch = 1, .seq = 2048, .attention = ATTENTION_CAUSAL,
                          .recompute = RECOMPUTE_NONE};
  o->convention = CONV_EXACT;
  o->dtype = MFU_PREC_BF16;
}

int option_count(const char *cmd, const char *flag, const char *arg, int64_t min, int64_t max,
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

int option_positive(const char *cmd, const char *flag, const char *arg, const char *what,
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
static int apply_shared(struct model_options *o, const char *cmd, int id, const char *arg) {
  char err[256];
  int v, rc;
  switch (id) {
  case OPT_CONFIG: o->config = arg; return 0;
  case OPT_PRESET: o->preset = arg; return 0;
  case OPT_DEVICE: o->device = arg; return 0;
  case OPT_BATCH:
    o->batch_given = true;
    return option_count(cmd, "batch", arg, 1, INT32_MAX, &o->work.batch);
  case OPT_SEQ:
    o->seq_given = true;
    return option_count(cmd, "seq", arg, 1, INT32_MAX, &o->work.seq);
  case OPT_PEAK:
    return option_positive(cmd, "peak-tflops", arg, "dense TFLOP/s per device for the run's --dtype",
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
  if (model_override_parse(&o->overrides, (enum model_flag)(id - MODEL_OPTION_ID_BASE), arg, err,
                           sizeof err)) {
    fprintf(stderr, "%s: %s\n", cmd, err);
    return 2;
  }
  return 0;
}

int model_options_parse(int argc, char **argv, const char *cmd, const struct option *extra,
                        model_option_fn on_extra, void *ctx, struct model_options *o) {
  struct option table[TABLE_MAX];
  size_t n = 0;
  for (size_t i = 0; extra && extra[i].name && i < EXTRA_MAX; i++) table[n++] = extra[i];
  for (size_t i = 0; i < N_SHARED; i++) table[n++] = shared[i];
  for (int f = 0; f < MODEL_FLAG_COUNT; f++) {
    bool optional = f == MODEL_FLAG_tied_embeddings;  /* bare --tied-embeddings means yes */
    table[n++] = (struct option){model_flag_info[f].flag,
                                 optional ? optional_argument : required_argument, NULL,
                                 MODEL_OPTION_ID_BASE + f};
  }
  table[n] = (struct option){0};

  opterr = 0;
  optind = 0;  /* 0, not 1: glibc then resets all its state, for commands run in one process */
  int id;
  while ((id = getopt_long(argc, argv, ":", table, NULL)) != -1) {
    if (id == '?' || id == ':') {
      const char *opt = argv[optind - 1];
      fprintf(stderr, id == ':' ? "%s: %s needs a value; `%s --help` describes it\n"
                                : "%s: unknown option '%s'; `%s --help` lists the options\n",
              cmd, opt, cmd);
      return -2;
    }
    int rc = id >= MODEL_OPTION_ID_BASE ? apply_shared(o, cmd, id, optarg) : on_extra(ctx, id, optarg);
    if (rc) return -rc;
  }
  return optind;
}

bool model_options_has_model(const struct model_options *o) {
  return o->config || o->preset || model_overrides_any(&o->overrides);
}

int model_options_model(const struct model_options *o, struct model *m, char *err, size_t errsz) {
  return model_resolve(o->config, o->preset, &o->overrides, m, err, errsz);
}

int model_options_peak(const struct model_options *o, const char *fallback_device, struct peak *p,
                       char *err, size_t errsz) {
  memset(p, 0, sizeof *p);
  p->dtype = o->dtype;
  const char *device = o->device ? o->device : fallback_device;
  if (device) {
    p->hw = hw_find(device, err, errsz);
    /* --peak-tflops stands in for a device the table lacks, but not for a mistyped --device. */
    if (!p->hw && (o->device || o->peak_tflops <= 0)) return -1;
  }
  if (o->peak_tflops > 0) {
    p->tflops = o->peak_tflops;
    p->from_flag = true;
    return 1;
  }
  if (!p->hw) return 0;
  p->tflops = hw_peak(p->hw, o->dtype, err, errsz);
  return p->tflops > 0 ? 1 : -1;
}

void option_help(FILE *out, const char *flag, const char *text) {
  fprintf(out, "  %-26s %s\n", flag, text);
}

void model_options_help(FILE *out) {
  fprintf(out, "model (one of --config, --preset or the shape; shape flags edit either):\n");
  option_help(out, "--config FILE", "a Hugging Face config.json");
  option_help(out, "--preset NAME", "a built-in model (`mfu models` lists them)");
  for (int f = 0; f < MODEL_FLAG_COUNT; f++) {
    char flag[48];
    snprintf(flag, sizeof flag, f == MODEL_FLAG_tied_embeddings ? "--%s[=%s]" : "--%s %s",
             model_flag_info[f].flag, model_flag_info[f].metavar);
    option_help(out, flag, model_flag_info[f].help);
  }
  fprintf(out, "work:\n");
  option_help(out, "--batch N", "sequences per step, all devices together (default 1)");
  option_help(out, "--seq N", "tokens per sequence (default 2048)");
  fprintf(out, "formula:\n");
  option_help(out, "--convention NAME", "exact (default), megatron, palm, 6n, seed");
  option_help(out, "--attention causal|full", "attention mask (default causal; full: s^2 pairs)");
  option_help(out, "--recompute KIND", "none (default), selective, full: extra work, in HFU");
  fprintf(out, "peak:\n");
  option_help(out, "--device NAME", "short name (h100-sxm, a100, mi300x, tpu-v5p) or device string");
  option_help(out, "--peak-tflops N", "dense peak per device in TFLOP/s (overrides the table)");
  option_help(out, "--dtype P", "precision of the peak: fp64 fp32 tf32 fp16 bf16 (default) fp8 "
              "int8 fp4");
}
