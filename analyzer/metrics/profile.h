/* profile: where a job's GPU time went, merged over its ranks from their call_times
 * (steps/call_times.h): GEMM shapes by the GPU time of their kernels, with the TFLOP/s those
 * kernels achieved against the peak of the shape's precision; kernels by time within each
 * category; NCCL operations by size, with nccl-tests' algorithm and bus bandwidth (algbw =
 * S / t, busbw = algbw times the operation's bus factor, include/mfu/nccl.h), t being the mean
 * GPU time of one call's kernels. Over the whole traces, warm-up steps included. */
#ifndef MFU_PROFILE_H
#define MFU_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "job/job.h"
#include "steps/call_times.h"
#include "timeline/timeline.h"
#include "utilization.h"

struct profile_gemm {
  struct call_times_gemm c; /* summed over the ranks */
  double achieved;          /* FLOP/s: timed FLOPs / GPU time; NaN when no kernel was timed */
  double share;             /* of all shapes' GPU time; NaN without a GPU timeline */
  double peak;              /* FLOP/s, the dense peak for its precision; NaN unknown */
  double of_peak;           /* achieved / peak */
  double wasted_s;          /* GPU time beyond what the peak needs for its timed FLOPs */
  double intensity;         /* FLOPs per byte of A, B and C read or written once, at the
                               element size of its precision (a roofline's x); NaN unknown */
};

struct profile_nccl {
  struct call_times_nccl c; /* summed over the ranks */
  double time_s;            /* mean GPU time of a timed call; NaN when none was timed */
  double algbw, busbw;      /* bytes/s; NaN likewise, busbw also when the size is unknown */
};

struct profile_kernel {
  const char *name;         /* borrowed from a file's call_times; NULL: memcpy, memset */
  enum activity_category cat;
  uint64_t count, ns;
  double share;             /* of its category's time */
};

struct job_profile {
  struct profile_gemm *gemm;       /* most GPU time first, then most FLOPs */
  size_t ngemm;
  struct profile_nccl *nccl;       /* by operation, then size */
  size_t nnccl;
  struct profile_kernel *kernels;  /* by category, then most time first */
  size_t nkernels;
  uint64_t gemm_ns;                /* GPU time of all shapes' kernels */
  uint64_t category_ns[CAT_COUNT]; /* kernel durations summed per category (overlaps count
                                      twice: this is work, not wall time) */
  bool timeline;                   /* some GPU activity was recorded */
};

/* The peaks come from the options (--peak-tflops, --device) or the first rank's device. */
void profile_compute(const struct mfu_job *j, const struct utilization_options *o,
                     struct job_profile *out);
void profile_free(struct job_profile *p);

/* Order struct profile_gemm (profile_nccl) rows by what they are (shape, precision;
 * operation, size, communicator size), for qsort and bsearch: 0 for the same. */
int profile_gemm_key(const void *a, const void *b);
int profile_nccl_key(const void *a, const void *b);

#endif
