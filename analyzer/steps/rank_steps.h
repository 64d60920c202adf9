/* rank_steps: the training steps of one rank (one trace file), what each step computed and
 * how long it took, and, when the trace holds a GPU timeline (CUPTI), how its GPU time was
 * spent. Built while the file is read (job.c feeds it every record), independent of any
 * model or peak: the report turns it into MFU and the efficiency factors. From the rank's
 * calls (calls.h), read once for it and for call_times:
 *
 *     rank_steps_finish(calls, &trace, step_range, &fs->steps);  // frees the calls
 *
 * Steps come, in this order of preference (rank_steps.method says which):
 *   - with a step range (mfu report --step-range REGEX): the NVTX ranges (push/pop or
 *     start/end) whose message matches REGEX, one step per outermost matching range
 *     ("markers REGEX"); none matching gives no steps, with the reason;
 *   - else, when the program bracketed at least two regions with cudaProfilerStart/Stop, each
 *     region is a step ("profiler"); a single region is the Nsight convention for "profile
 *     from here to there", not a step, and is ignored;
 *   - else from the repetition of the rank's intercepted calls (detect.h, "automatic").
 * Marked steps hold the calls made within their range (calls between ranges are in no step);
 * their host window runs from the range's start to the next step's start (the last step's
 * ends with its range), and warm-up is detected as for automatic steps. A step's window
 * is its GPU time when GPU activities (kernels, memcpys, memsets) were correlated to its
 * calls (from the step's first such activity to the next step's first; the last step ends
 * with its last one), else its host time. Memory while finishing: none per call when the
 * calls were read in time order, else 24 bytes per call (their sequence in time order and
 * where each came from), and 72 per GPU activity; detect.h's own. */
#ifndef MFU_RANK_STEPS_H
#define MFU_RANK_STEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calls.h"
#include "timeline/timeline.h"
#include "trace/reader.h"

struct rank_step {
  uint64_t start_ns, end_ns;  /* the window (GPU time if gpu_window, else host time) */
  bool gpu_window;
  uint64_t host_start_ns;     /* its first call (marked steps: its range's start) */
  uint64_t host_ns;           /* from there to the next step's (the last's: its range's end) */
  uint64_t calls;             /* GEMM and NCCL calls and graph launches */
  double gemm_flops;          /* counted, graph launches included */
  double nccl_bytes;
  bool attention_kernels;     /* attention kernels (bypassing cuBLAS) ran in the window */
  struct timeline tl;         /* valid when the rank has a GPU timeline */
};

struct rank_steps {
  char device[48];            /* the GPU of the rank's first DEVICE record, "" unknown */
  bool timeline;              /* the trace holds GPU activity records */
  uint64_t activities;        /* kernels, memcpys and memsets */
  size_t nsteps;
  struct rank_step *steps;
  size_t skip;                /* leading steps detected as warm-up */
  size_t period;              /* median calls per step */
  double score;               /* detection confidence in [0.75, 1] */
  char reason[200];           /* when nsteps is 0: why */
  char method[160];           /* "markers REGEX", "profiler" or "automatic" */
};

/* Detects the steps of the rank whose calls are `c` (resolved: calls.h) and measures them,
 * the markers' names from `t`; `step_range` (may be NULL): a POSIX extended regular
 * expression selecting the NVTX ranges that are steps, as above. Frees c. */
void rank_steps_finish(struct rank_calls *c, const struct mfu_trace *t, const char *step_range,
                       struct rank_steps *out);

void rank_steps_free(struct rank_steps *s);

#endif
