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
  struct formula_work work;
  bool batch_given, seq_given;
  enum convention convention;
  const char *device;
  double peak_tflops;  /* 0: the device's datasheet peak */
  enum mfu_precision dtype;
  bool dtype_given;    /* --dtype was given (else a report uses the dominant precision) */
};

/* Defaults: batch 1, seq 2048, exact, causal, no recompute, bf16. */
void model_spec_init(struct model_spec *s);

/* Whether any model was given (a config, a preset or a field value). */
bool model_spec_has_model(const struct model_spec *s);

/* The peak the spec selects: its peak_tflops, else its device, else `fallback_device` (the
 * device a trace recorded; may be NULL). 1 with *p filled, 0 when no peak was asked for, -1
 * with a message in err. */
int model_spec_peak(const struct model_spec *s, const char *fallback_device, struct hw_peak *p,
                    char *err, size_t errsz);

#endif
