/* Shared by the test doubles: the status every intercepted call returns.
 * MFU_DOUBLE_STATUS=N makes every GEMM (and NCCL operation) of the doubles return N, so that
 * tests can exercise failed calls without the real library. */
#ifndef MFU_DOUBLES_H
#define MFU_DOUBLES_H

#include <stdlib.h>

static inline int double_status(void) {
  static int status = -1; /* benign race: every thread computes the same value */
  if (status < 0) {
    const char *v = getenv("MFU_DOUBLE_STATUS");
    status = v ? atoi(v) : 0;
    if (status < 0) status = 0;
  }
  return status;
}

#endif
