/* timeline: the GPU time of one rank in one step as unions of activity intervals over all
 * streams, and the efficiency factors that explain its MFU (DESIGN.md, "Efficiency factors"):
 *
 *   MFU = coverage · η_kernel · η_memory · η_comm · η_parallel
 *       = F_model/F_math · F_math/(math·P) · math/compute · compute/busy · busy/T
 *
 * Pure functions of their inputs: no trace format, no I/O. */
#ifndef MFU_TIMELINE_H
#define MFU_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a GPU activity does. The first four are kernels, which occupy the SMs. Memcpy and
 * memset run on the copy engines: they never make the GPU "busy" (a step that only copies
 * computes nothing), but they are activity, so the time they cover is not idle either. */
enum activity_category {
  CAT_GEMM,      /* matrix products: cuBLAS, cuBLASLt, CUTLASS, Inductor GEMM templates */
  CAT_ATTENTION, /* fused attention: flash, memory-efficient, cuDNN SDPA, FlexAttention */
  CAT_NCCL,      /* collective communication */
  CAT_OTHER,     /* other compute, mostly memory-bound: elementwise, norms, softmax, optimizer */
  CAT_MEMCPY,
  CAT_MEMSET,
  CAT_COUNT
};
extern const char *const activity_category_name[CAT_COUNT]; /* "gemm", "attention", ... */

struct activity {
  uint64_t start_ns, end_ns; /* [start, end) on one clock; end < start is invalid */
  enum activity_category cat;
  double flops; /* FLOPs it performs (0 when not known) */
};

/* One rank's activities within a window [t0, t1), normally one step. Every time is the
 * length of a union over all streams, in ns. T = math + (compute − math) + exposed_comm +
 * (T − idle − busy) + idle, each instant counted once: in math kernels, in other compute
 * only, in exposed communication, in copies only, idle. */
struct timeline {
  uint64_t window_ns;       /* T = t1 − t0 */
  uint64_t busy_ns;         /* some kernel runs (GEMM, attention, NCCL, other) */
  uint64_t math_ns;         /* a GEMM or attention kernel runs */
  uint64_t comm_ns;         /* an NCCL kernel runs */
  uint64_t exposed_comm_ns; /* an NCCL kernel runs and no other kernel does */
  uint64_t compute_ns;      /* busy − exposed comm: a kernel other than NCCL runs */
  uint64_t copy_ns;         /* a memcpy or memset runs */
  uint64_t idle_ns;         /* nothing at all runs, copies included */
  uint64_t category_ns[CAT_COUNT]; /* each category on its own; they overlap each other */
  double flops[CAT_COUNT];  /* FLOPs in the window; an activity crossing an edge counts for
                               the fraction of its time inside, a zero-length one fully
                               if it starts inside */
  size_t invalid;           /* activities ignored: end < start, or an unknown category */
};

/* Measures activities given in any order, on any streams, overlapping or not, against the
 * window [t0, t1) (empty if t1 <= t0). O(n log n) time, O(n) memory. */
void timeline_measure(const struct activity *a, size_t n, uint64_t t0, uint64_t t1,
                      struct timeline *tl);

/* Adds the times of `t` to `sum`: the timeline of two windows taken together (steps are
 * disjoint, so their unions add up). */
void timeline_add(struct timeline *sum, const struct timeline *t);

/* The work of one rank in one step, and the peak it is measured against. */
struct step_work {
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

void timeline_efficiency(const struct timeline *tl, const struct step_work *w,
                         struct efficiency *e);

/* The job's figures for one step from its ranks' timelines and work (parallel arrays of n):
 * MFU = Σ F_model / (T_step · Σ P), and factors whose product is that MFU: the ratios above
 * over the ranks' sums, with each rank's times weighted by its share of the peak (equal
 * weights when a peak is missing). `step_ns` is the job's step time T_step. */
void timeline_job_efficiency(const struct timeline *tl, const struct step_work *w, size_t n,
                             uint64_t step_ns, struct efficiency *e);

/* Ranks that finish their work first wait inside the next collective for the slowest one,
 * so the rank with the least time in NCCL kernels is the likely straggler. */
struct straggler {
  size_t rank;        /* index into the array given */
  uint64_t least_ns;  /* its NCCL time */
  uint64_t spread_ns; /* most − least NCCL time across the ranks */
};

/* From each rank's NCCL time (timeline.comm_ns, summed over the steps compared); ties go to
 * the lowest index. False when there are fewer than two ranks to compare. */
bool timeline_straggler(const uint64_t *comm_ns, size_t n, struct straggler *s);

#endif
