/* sort: qsort for arrays that may be empty (and NULL, which qsort itself does not allow), and
 * the comparators several modules share. */
#ifndef MFU_SORT_H
#define MFU_SORT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MFU_COMPARE(x, y) (((x) > (y)) - ((x) < (y)))

static inline void mfu_sort(void *base, size_t n, size_t size,
                            int (*compare)(const void *, const void *)) {
  if (n > 1) qsort(base, n, size, compare);
}

static inline int mfu_compare_size(const void *a, const void *b) {
  return MFU_COMPARE(*(const size_t *)a, *(const size_t *)b);
}

static inline int mfu_compare_u64(const void *a, const void *b) {
  return MFU_COMPARE(*(const uint64_t *)a, *(const uint64_t *)b);
}

static inline int mfu_compare_double(const void *a, const void *b) {
  return MFU_COMPARE(*(const double *)a, *(const double *)b);
}

/* For arrays of char *. */
static inline int mfu_compare_strings(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A value and where it came from, to sort positions by value, stably. */
struct mfu_sort_pair {
  uint64_t value;
  size_t index;
};

static inline int mfu_compare_pairs(const void *a, const void *b) {
  const struct mfu_sort_pair *x = a, *y = b;
  return x->value != y->value ? MFU_COMPARE(x->value, y->value) : MFU_COMPARE(x->index, y->index);
}

#endif
