/* alloc: memory for the analyzer, a command-line tool: when there is none left, it says so and
 * stops, so that callers need no failure path. (The one place below cli/ that writes to
 * stderr: there is nothing to return an error to.) */
#ifndef MFU_ALLOC_H
#define MFU_ALLOC_H

#include <stdint.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

_Noreturn static inline void mfu_out_of_memory(void) {
  fputs("mfu: out of memory\n", stderr);
  exit(1);
}

/* Large arrays (a rank's calls: hundreds of MB) ask for transparent huge pages before they are
 * first touched, so that they fault in 2 MB at a time: in 4 KB pages, the faults alone took a
 * fifth of the analyzer's time. (realloc would copy into, or move, pages faulted already.) */
#define MFU_HUGE_ARRAY (8u << 20)
static inline void *mfu_xrealloc(void *p, size_t n) {
  if (n < MFU_HUGE_ARRAY) {
    p = realloc(p, n ? n : 1);
    if (!p) mfu_out_of_memory();
    return p;
  }
  const uintptr_t huge = 2u << 20;
  char *q = malloc(n); /* this large, a fresh mapping of its own */
  if (!q) mfu_out_of_memory();
  uintptr_t from = ((uintptr_t)q + huge - 1) & ~(huge - 1), to = ((uintptr_t)q + n) & ~(huge - 1);
  if (to > from) madvise((void *)from, to - from, MADV_HUGEPAGE); /* a hint: failure is fine */
  if (p) {
    memcpy(q, p, malloc_usable_size(p) < n ? malloc_usable_size(p) : n);
    free(p);
  }
  return q;
}

/* Room for n elements of `size` bytes (at least one, so never NULL). */
static inline void *mfu_xmalloc(size_t n, size_t size) { return mfu_xrealloc(NULL, n * size); }

/* n zeroed elements of `size` bytes (at least one, so never NULL). */
static inline void *mfu_xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size);
  if (!p) mfu_out_of_memory();
  return p;
}

static inline char *mfu_xstrdup(const char *s) {
  char *d = strdup(s);
  if (!d) mfu_out_of_memory();
  return d;
}

/* The first n bytes of s (fewer if it ends sooner), NUL-terminated. */
static inline char *mfu_xstrndup(const char *s, size_t n) {
  char *d = strndup(s, n);
  if (!d) mfu_out_of_memory();
  return d;
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
