/* alloc: memory for the analyzer, a command-line tool: when there is none left, it says so and
 * stops, so that callers need no failure path. */
#ifndef MFU_ALLOC_H
#define MFU_ALLOC_H

#include <stdio.h>
#include <stdlib.h>

_Noreturn static inline void mfu_out_of_memory(void) {
  fputs("mfu: out of memory\n", stderr);
  exit(1);
}

static inline void *mfu_xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) mfu_out_of_memory();
  return p;
}

/* Room for one more element in the growable array v of n elements and cap allocated. */
#define MFU_GROW(v, n, cap)                                      \
  do {                                                           \
    if ((n) == (cap)) {                                          \
      (cap) = (cap) ? 2 * (cap) : 16;                            \
      (v) = mfu_xrealloc((v), (cap) * sizeof *(v));              \
    }                                                            \
  } while (0)

#endif
