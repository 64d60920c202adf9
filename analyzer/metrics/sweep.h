/* sweep: one point of a measured sweep over batch size and sequence length (mfu sweep): how
 * its run ended, and what its traces measured. A run that failed is classified from its exit
 * status and the end of its output (an out-of-memory error says so in every framework), so
 * that the sweep can record it and go on. */
#ifndef MFU_SWEEP_H
#define MFU_SWEEP_H

#include <stdbool.h>
#include <stddef.h>

#include "job/job.h"
#include "utilization.h"

#define SWEEP_OUTCOMES(X)                                                          \
  X(OK, "ok", "measured")                                                          \
  X(OOM, "oom", "out of memory")                                                   \
  X(FAILED, "failed", "failed")                                                    \
  X(KILLED, "killed", "killed by a signal")                                        \
  X(TIMEOUT, "timeout", "ran past --timeout")                                      \
  X(NOT_STARTED, "not_started", "could not be started")                            \
  X(NO_STEPS, "no_steps", "ran, but its traces hold no measured step")
enum sweep_outcome {
#define SWEEP_OUTCOME_ENUM(e, key, text) SWEEP_##e,
  SWEEP_OUTCOMES(SWEEP_OUTCOME_ENUM)
#undef SWEEP_OUTCOME_ENUM
};
const char *sweep_outcome_key(enum sweep_outcome o);  /* "oom" */
const char *sweep_outcome_text(enum sweep_outcome o); /* "out of memory" */

struct sweep_point {
  long batch, seq;             /* per rank and step; tokens per sequence */
  enum sweep_outcome outcome;
  int exit_status;             /* as a shell gives it (128 + N: signal N) */
  double wall_s;               /* how long the run took */
  /* What the traces measured (NaN where unknown; all NaN unless outcome is OK). */
  size_t ranks, steps;
  double step_s, tokens_per_s, mfu, hfu, counted_flops;
  double factor[EFF_COUNT];    /* EFF_MFU, the factors */
};

/* How a run ended: its exit status (`started`: it ran at all; `timed_out`: it was stopped
 * after the time limit) and the last bytes of its output. */
enum sweep_outcome sweep_classify(int exit_status, bool started, bool timed_out, const char *output_tail);

/* Fills p's measured figures from the run's job and utilization (computed for p->batch and
 * p->seq); NO_STEPS when nothing was measured. */
void sweep_measure(struct sweep_point *p, const struct mfu_job *j, const struct job_utilization *u);

#endif
