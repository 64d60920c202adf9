/* straggler: see straggler.h. */
#include "straggler.h"

bool straggler_find(const uint64_t *comm_ns, size_t n, struct straggler *s) {
  if (n < 2) return false;
  size_t least = 0, most = 0;
  for (size_t r = 1; r < n; r++) {
    if (comm_ns[r] < comm_ns[least]) least = r;
    if (comm_ns[r] > comm_ns[most]) most = r;
  }
  *s = (struct straggler){least, comm_ns[least], comm_ns[most] - comm_ns[least]};
  return true;
}
