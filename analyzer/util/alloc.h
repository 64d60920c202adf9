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

_Noreturn static inline void mfu_out_of_memory(void) {
  fputs("mfu: out of memory\n", stderr);
  exit(1);
}

static inline void *mfu_xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) mfu_out_of_memory();
  return p;
}

/* For a process that reads trace files one after another (mfu): memory freed stays with it,
 * so that the next file's arrays reuse pages already faulted in. Fresh pages cost more than
 * the analysis itself where the kernel must zero them (on a VM, 1 to 2 s a GB); arrays past
 * 32 MB stay mappings of their own, which realloc grows by moving pages, never copying. */
static inline void mfu_alloc_keep_freed(void) {
  mallopt(M_MMAP_THRESHOLD, 32 << 20); /* fixed: glibc would raise it as large blocks are freed */
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
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

/* Capacity for n elements in the growable array v of cap allocated, where memory allows: a
 * hint (the records a file says it holds), so that the array need not grow by copies, and
 * only the pages used are ever touched; when there is no such room, v stays as it was. */
#define MFU_RESERVE(v, cap, n)                                                    \
  do {                                                                            \
    if ((n) > (cap) && (n) <= SIZE_MAX / sizeof *(v)) {                           \
      void *more_ = realloc((v), (n) * sizeof *(v));                              \
      if (more_) (v) = more_, (cap) = (n);                                        \
    }                                                                             \
  } while (0)

/* Room for one more element in the growable array v of n elements and cap allocated. */
#define MFU_GROW(v, n, cap)                                      \
  do {                                                           \
    if ((n) == (cap)) {                                          \
      (cap) = (cap) ? 2 * (cap) : 16;                            \
      (v) = mfu_xrealloc((v), (cap) * sizeof *(v));              \
    }                                                            \
  } while (0)

#endif
