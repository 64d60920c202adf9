/* The command-line options that say what a training job computes, shared by `mfu predict`
 * and `mfu report`: the model (--config, --preset, or the per-field flags of model.h), one
 * step's work (--batch, --seq), the FLOP convention (--convention, --attention,
 * --recompute) and the peak (--device, --peak-tflops, --dtype).
 *
 * A command passes its own getopt_long options beside these; model_options_parse runs one
 * getopt_long loop over both and hands the command's options to a callback:
 *
 *   struct model_options mo;
 *   model_options_init(&mo);
 *   int first = model_options_parse(argc, argv, "mfu report", mine, on_mine, &ctx, &mo);
 *   if (first < 0) return 2;               // the message is printed
 *   ... argv[first..] are the positional arguments ...
 *   struct model m;
 *   if (model_options_has_model(&mo) && model_options_model(&mo, &m, err, sizeof err)) ...
 */
#ifndef MFU_MODEL_OPTIONS_H
#define MFU_MODEL_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "formula.h"
#include "hardware.h"
#include "model.h"

/* getopt ids at or above this are taken by the shared options. */
#define MODEL_OPTION_ID_BASE 1000

struct model_options {
  const char *config, *preset;
  struct model_overrides overrides;
  struct work work;
  bool batch_given, seq_given;
  enum convention convention;
  const char *device;
  double peak_tflops;  /* 0: the device's datasheet peak */
  enum mfu_precision dtype;
  bool dtype_given;    /* --dtype was given (else a report uses the dominant precision) */
};

/* Defaults: batch 1, seq 2048, exact, causal, no recompute, bf16. */
void model_options_init(struct model_options *o);

/* A command's own option: 0 to go on, or an exit status (after printing why). */
typedef int (*model_option_fn)(void *ctx, int id, const char *arg);

/* Parses argv (argv[0] is the subcommand); `extra` is the command's getopt_long table
 * (terminated by a zero entry, ids below MODEL_OPTION_ID_BASE), `on_extra` receives its
 * options. Returns the index of the first positional argument, or -(exit status) after
 * printing a message prefixed with `cmd`. At most 32 options of the command's own. */
int model_options_parse(int argc, char **argv, const char *cmd, const struct option *extra,
                        model_option_fn on_extra, void *ctx, struct model_options *o);

/* Whether any model option (--config, --preset or a field flag) was given. */
bool model_options_has_model(const struct model_options *o);

/* The model the options describe; 0, or -1 with a message in err. */
int model_options_model(const struct model_options *o, struct model *m, char *err, size_t errsz);

/* The peak the options select: --peak-tflops, else --device, else `fallback_device` (the
 * device a trace recorded; may be NULL). */
struct peak {
  double tflops;                 /* per device, for `dtype` */
  enum mfu_precision dtype;
  const struct accelerator *hw;  /* the table row, NULL when only --peak-tflops was given */
  bool from_flag;                /* --peak-tflops gave it, not the table */
};
/* 1 with *p filled, 0 when no peak was asked for (no --device, --peak-tflops or fallback),
 * -1 with a message in err. */
int model_options_peak(const struct model_options *o, const char *fallback_device, struct peak *p,
                       char *err, size_t errsz);

/* The help text for the shared options, and one line of a command's own. */
void model_options_help(FILE *out);
void option_help(FILE *out, const char *flag, const char *text);

/* For a command's own numeric options: a whole number in [min, max], or a positive finite
 * number (`what` says of what). 0, or 2 after printing "CMD: --FLAG 'ARG': expected ...". */
int option_count(const char *cmd, const char *flag, const char *arg, int64_t min, int64_t max,
                 int64_t *out);
int option_positive(const char *cmd, const char *flag, const char *arg, const char *what,
                    double *out);

#endif
