/* efficiency: MFU and the factors that explain it, from one rank's (or the job's) GPU timeline
 * in a step, the FLOPs and the peak (docs/DESIGN.md, "Efficiency factors"):
 *
 *   MFU = coverage · η_kernel · η_memory · η_comm · η_parallel
 *       = F_model/F_math · F_math/(math·P) · math/compute · compute/busy · busy/T
 *
 * Pure functions of their inputs. */
#ifndef MFU_EFFICIENCY_H
#define MFU_EFFICIENCY_H

#include <stddef.h>
#include <stdint.h>

#include "timeline.h"

/* The work of one rank in one step, and the peak it is measured against. */
struct efficiency_inputs {
  double f_model; /* formula FLOPs; NaN when there is no model */
  double f_math;  /* FLOPs of the math kernels: counted GEMM FLOPs plus the formula FLOPs
                     of the attention kernels that bypass cuBLAS */
  double peak;    /* FLOP/s for the dominant precision */
};

/* MFU and its factors, in the order of the JSON report. */
enum efficiency_figure { EFF_MFU, EFF_COVERAGE, EFF_KERNEL, EFF_MEMORY, EFF_COMM, EFF_PARALLEL,
                         EFF_COUNT };
extern const char *const efficiency_name[EFF_COUNT]; /* "mfu", "coverage", "kernel", "memory",
                                                        "communication", "parallelism" */
extern const char *const efficiency_meaning[EFF_COUNT]; /* what each measures, for people */

/* A figure is a ratio; it is NaN, with the reason in `why`, exactly when its denominator is
 * zero or an input it uses is missing; otherwise `why` is NULL. So:
 *   mfu         F_model/(T·P)        undefined without a model, a peak, or with T = 0
 *   coverage    F_model/F_math       ... without a model, or with F_math = 0
 *   kernel      F_math/(math·P)      ... without F_math or a peak, or with no math time
 *   memory      math/compute         ... with no compute kernel time
 *   comm        compute/busy         ... with no kernel time (busy = 0)
 *   parallel    busy/T               ... with T = 0
 * When all six are defined their product equals mfu up to rounding (a few units in the last
 * place). A FLOP count is missing when it is negative or not finite, a peak when it is not
 * > 0. Without a GPU timeline there are no factors: the caller says so, rather than pass an
 * empty timeline, whose factors would read "no kernel time". */
struct efficiency {
  double value[EFF_COUNT];
  const char *why[EFF_COUNT];
};

void efficiency_of_step(const struct timeline *tl, const struct efficiency_inputs *in,
                        struct efficiency *e);

/* The job's figures for one step from its ranks' timelines and work (parallel arrays of n):
 * MFU = Σ F_model / (T_step · Σ P), and factors whose product is that MFU: the ratios above
 * over the ranks' sums, with each rank's times weighted by its share of the peak (equal
 * weights when a peak is missing). `step_ns` is the job's step time T_step. */
void efficiency_of_job(const struct timeline *tl, const struct efficiency_inputs *in, size_t n,
                       uint64_t step_ns, struct efficiency *e);

#endif
