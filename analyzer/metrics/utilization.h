/* utilization: MFU, HFU and the efficiency factors of a job (docs/DESIGN.md, "Efficiency
 * factors"), from its ranks' steps (steps/rank_steps.h), the model's formula FLOPs and the
 * peaks.
 *
 * Per rank, over the steps after the warm-up but the last (whose end is not known, as no step
 * starts after it): T = mean step window, F_model and F_hw the rank's share of the formula's
 * FLOPs per step (model and model + recompute) for the global --batch x --seq: 1/W of them,
 * W the job's world size (else its ranks), whatever the parallelism; P the
 * dense peak of the rank's device (--device/--peak-tflops, else the device the trace
 * recorded) for the dominant precision of its counted FLOPs (or --dtype).
 *   MFU = F_model / (T·P);  HFU = F_hw / (T·P), or, without a model, counted FLOPs / (T·P).
 * With a GPU timeline, the factors of the steps' summed timelines, F_math = counted GEMM
 * FLOPs + the formula's attention-core FLOPs for the steps where attention kernels (which
 * bypass cuBLAS) ran. For the job: MFU = Σ F_model / (T_step · Σ P), T_step the slowest
 * rank's mean step, and the factors of efficiency_of_job. Every figure is computed here,
 * once; the reports only print them. */
#ifndef MFU_UTILIZATION_H
#define MFU_UTILIZATION_H

#include <stdbool.h>
#include <stddef.h>

#include "job/job.h"
#include "model/spec.h"
#include "straggler.h"
#include "timeline/efficiency.h"
#include "timeline/timeline.h"

struct utilization_options {
  const struct model_spec *spec;  /* the work, convention and peak */
  bool have_model;
  struct model_shape model;             /* when have_model */
  long skip;                      /* warm-up steps to leave out; < 0: as detected */
};

struct rank_utilization {
  const struct mfu_file *file;
  size_t first, used;            /* steps [first, first + used) are measured; the last is not */
  char why[256];                 /* when used is 0, or no peak: what is missing and how to fix */
  double step_s;                 /* mean step window */
  double nccl_s;                 /* mean time in NCCL kernels per step; 0 without a timeline */
  double counted_flops;          /* per step, mean */
  double model_flops, hw_flops;  /* per step, the rank's share of the formula; NaN without a
                                    model */
  double peak;                   /* FLOP/s; NaN unknown */
  enum mfu_precision peak_dtype; /* the peak's precision (--dtype, else counted_dtype) */
  enum mfu_precision counted_dtype; /* the precision of most counted FLOPs */
  char peak_label[128];          /* "989.4 TFLOP/s bf16 (h100-sxm)" */
  double mfu, hfu;               /* NaN when unavailable */
  bool timeline;
  struct timeline tl;            /* summed over the used steps */
  struct efficiency_inputs inputs; /* summed likewise */
  struct efficiency eff;         /* when timeline */
  double *step_mfu;              /* each step's MFU (NaN where unknown, and for the last step,
                                    whose end is unknown); NULL without steps */
  struct efficiency *step_eff;   /* each step's own, when timeline (NULL otherwise) */
};

struct job_utilization {
  struct rank_utilization *ranks; /* one per file of the job, in its order */
  size_t nranks;
  bool have_model;
  struct formula_work work;       /* the global batch the formula counts, with a model */
  size_t world;                   /* W: the ranks that share it */
  size_t steps;                   /* steps measured (the fewest over the ranks that have any) */
  double step_s;                  /* T_step */
  double mfu, hfu;                /* NaN when unavailable */
  bool timeline;                  /* every measured rank has a GPU timeline */
  struct efficiency eff;
  size_t *by_work;                /* the measured ranks (indices into ranks), the most work per
                                     step outside NCCL first (straggler.h) */
  size_t measured;                /* their number */
  bool straggler_known;           /* two ranks or more were compared */
  struct straggler straggler;     /* slowest and fastest: indices into ranks */
};

/* A peak the options name but the table lacks is no error here: that rank's MFU is unknown,
 * and its `why` says so. */
void utilization_compute(const struct mfu_job *j, const struct utilization_options *o,
                         struct job_utilization *out);
void utilization_free(struct job_utilization *u);

#endif
