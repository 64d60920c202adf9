/* timeline: the GPU time of one rank in one step as unions of activity intervals over all
 * streams: busy, math, communication, exposed communication, copies, idle (docs/DESIGN.md,
 * "Efficiency factors", defines each; efficiency.h turns them into the factors). Pure
 * functions of their inputs: no trace format, no I/O. */
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

struct timeline_activity {
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
void timeline_measure(const struct timeline_activity *a, size_t n, uint64_t t0, uint64_t t1,
                      struct timeline *tl);

/* Adds the times of `t` to `sum`: the timeline of two windows taken together (steps are
 * disjoint, so their unions add up). */
void timeline_add(struct timeline *sum, const struct timeline *t);

#endif
