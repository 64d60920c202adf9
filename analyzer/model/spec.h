/* spec: what a training job computes, as the user describes it: the model (a config.json, a
 * preset, or the per-field values of model.h), one step's work (batch, sequence length), the
 * FLOP convention and the peak (device, TFLOP/s, precision). `mfu predict` and `mfu report`
 * fill it from the same command-line options (cli/options.h). */
#ifndef MFU_SPEC_H
#define MFU_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "formula.h"
#include "hardware.h"
#include "model.h"
#include "mfu/precision.h"

struct model_spec {
  const char *config, *preset;
  struct model_overrides overrides;
  struct formula_work work;   /* work.batch: the global batch, all devices together */
  bool batch_given, seq_given;
  int64_t batch_per_rank;     /* --batch-per-rank: one device's share (0: not given), so that
                                 the global batch is it times the devices */
  enum convention convention;
  const char *device;
  double peak_tflops;  /* 0: the device's datasheet peak */
  enum mfu_precision dtype;
  bool dtype_given;    /* --dtype was given (else a report uses the dominant precision) */
};

/* Defaults: batch 1, seq 2048, exact, causal, no recompute, bf16. */
void model_spec_init(struct model_spec *s);

/* The work of one step on `devices` devices: --batch-per-rank times them when it was given
 * (at most 2^31 - 1, as --batch). */
struct formula_work model_spec_work(const struct model_spec *s, int64_t devices);

/* Whether any model was given (a config, a preset or a field value). */
bool model_spec_has_model(const struct model_spec *s);

/* The peak the spec selects: its peak_tflops, else its device, else `fallback_device` (the
 * device a trace recorded; may be NULL). 1 with *p filled, 0 when no peak was asked for, -1
 * with a message in err. */
int model_spec_peak(const struct model_spec *s, const char *fallback_device, struct hw_peak *p,
                    char *err, size_t errsz);

#endif
