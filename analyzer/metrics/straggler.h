/* straggler: which rank holds the others up. In a job whose ranks meet in collectives, every
 * rank's step lasts as long as the slowest one's: the others wait for it inside NCCL. So a
 * rank's own work per step is its step time less its time in NCCL kernels, and the rank with
 * the most is the likely straggler; where the ranks do not wait for each other (no
 * collectives, or no GPU timeline to see them), it is the rank with the longest step.
 *
 * Ranks are ordered by that work, most first; ties go to the longer step, then to the lower
 * rank number. The slowest is named only when it stands out: its work or its step more than
 * STRAGGLER_TOLERANCE of its step time above the fastest rank's. */
#ifndef MFU_STRAGGLER_H
#define MFU_STRAGGLER_H

#include <stdbool.h>
#include <stddef.h>

#define STRAGGLER_TOLERANCE 0.01

/* One measured rank: per step, means over its measured steps. */
struct straggler_rank {
  long rank;     /* its rank number (-1 unknown), for ties */
  double step_s; /* step time */
  double wait_s; /* time in NCCL kernels; 0 without a GPU timeline */
};

struct straggler {
  size_t slowest, fastest; /* indices into the ranks given */
  double spread_s;         /* the slowest's work less the fastest's */
  bool stands_out;         /* the slowest is more than STRAGGLER_TOLERANCE slower */
};

static inline double straggler_work_s(const struct straggler_rank *r) { return r->step_s - r->wait_s; }

/* Orders the n ranks (order[0..n): indices, slowest first) and finds the straggler. False, with
 * nothing in *s, when there are fewer than two ranks to compare. */
bool straggler_find(const struct straggler_rank *ranks, size_t n, size_t *order, struct straggler *s);

#endif
