/* plausibility: figures a report must not print without a word. MFU or HFU above 100% cannot
 * be, and formula FLOPs far from the FLOPs that ran (coverage outside [0.5, 2]) mean that the
 * model, the batch or the sequence length given is not the traced run's. Each warning puts
 * the numbers side by side, says what is probably wrong and what to pass. */
#ifndef MFU_PLAUSIBILITY_H
#define MFU_PLAUSIBILITY_H

#include "util/strings.h"
#include "utilization.h"

/* The bounds of a believable coverage (formula FLOPs / FLOPs that ran): recomputation alone
 * lowers it to 3/4, attention kernels that bypass cuBLAS raise it a little. */
#define PLAUSIBLE_COVERAGE_MIN 0.5
#define PLAUSIBLE_COVERAGE_MAX 2.0

/* Adds to `warnings` what is implausible in `u`, computed with the options `o`. */
void plausibility_check(struct mfu_strings *warnings, const struct job_utilization *u,
                        const struct utilization_options *o);

#endif
