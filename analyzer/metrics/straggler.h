/* straggler: which rank holds the others up. Ranks that finish their work first wait inside
 * the next collective for the slowest one, so the rank with the least time in NCCL kernels is
 * the likely straggler. */
#ifndef MFU_STRAGGLER_H
#define MFU_STRAGGLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct straggler {
  size_t rank;        /* index into the array given */
  uint64_t least_ns;  /* its NCCL time */
  uint64_t spread_ns; /* most − least NCCL time across the ranks */
};

/* From each rank's NCCL time (timeline.comm_ns, summed over the steps compared); ties go to
 * the lowest index. False when there are fewer than two ranks to compare. */
bool straggler_find(const uint64_t *comm_ns, size_t n, struct straggler *s);

#endif
