/* comparison: two runs side by side (mfu compare A B): step time, MFU, HFU and each factor with
 * its change, which factor moved MFU most, GPU time per category, the GEMM shapes and NCCL
 * sizes the two share or not.
 *
 * Since MFU is the product of the factors (docs/DESIGN.md, "Efficiency factors"),
 *     ln(MFU_B / MFU_A) = Σ ln(factor_B / factor_A)
 * exactly, so each factor's log-ratio is its share of the change, whatever the order in which
 * one imagines them changing; the factor with the largest |log-ratio| moved MFU most. Without
 * MFU (no model) the same holds for the factors that are known, whose product the change of
 * HFU-without-coverage is. */
#ifndef MFU_COMPARISON_H
#define MFU_COMPARISON_H

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"
#include "timeline/efficiency.h"
#include "timeline/timeline.h"
#include "utilization.h"

/* Mean GPU time per step and rank, in seconds: the categories (each on its own), then these. */
enum comparison_time { TIME_WINDOW = CAT_COUNT, TIME_BUSY, TIME_EXPOSED_COMM, TIME_IDLE, TIME_COUNT };
extern const char *const comparison_time_name[TIME_COUNT]; /* "gemm" ... "memset", "step",
                                                              "busy", "exposed_comm", "idle" */

/* A figure in run A and in run B: change = B/A − 1 and log_ratio = ln(B/A), NaN where either
 * is unknown (or not positive, for log_ratio). */
struct comparison_pair {
  double a, b, change, log_ratio;
};

struct comparison_gemm {
  const struct profile_gemm *a, *b; /* the shape in each run; NULL where it did not run */
  struct comparison_pair gpu_s, achieved; /* GPU time, FLOP/s */
};

struct comparison_nccl {
  const struct profile_nccl *a, *b;
  struct comparison_pair time_s, busbw; /* per call; bytes/s */
};

struct comparison {
  struct comparison_pair step_s, hfu;
  struct comparison_pair figure[EFF_COUNT]; /* MFU and each factor */
  int most;                         /* the factor (EFF_COVERAGE..EFF_PARALLEL) that moved MFU
                                       most, -1 when no factor is known in both */
  double most_share;                /* its log-ratio over the sum of the known ones' */
  struct comparison_pair time_s[TIME_COUNT]; /* NaN without a GPU timeline */
  struct comparison_gemm *gemm;     /* by the larger of the two GPU times (FLOPs without) */
  size_t ngemm;
  struct comparison_nccl *nccl;     /* by operation, then size */
  size_t nnccl;
};

/* Borrows the profiles' rows: they must outlive the comparison. */
void comparison_compute(const struct job_utilization *ua, const struct job_profile *pa,
                        const struct job_utilization *ub, const struct job_profile *pb,
                        struct comparison *c);
void comparison_free(struct comparison *c);

#endif
