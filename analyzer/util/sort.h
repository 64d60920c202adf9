/* sort: qsort for arrays that may be empty (and NULL, which qsort itself does not allow), a
 * merge sort for arrays that are nearly sorted already, and the comparators several modules
 * share. */
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

/* A stable sort in O(n log r) for n elements in r sorted runs: O(n) for an array already in
 * order, as records of one thread are, and little more for the few interleaved runs of a
 * trace's threads or streams (sort.c). Equal elements keep their order, as with glibc's
 * qsort, whose merge sort it replaces where the order is mostly there. */
void mfu_sort_runs(void *base, size_t n, size_t size, int (*compare)(const void *, const void *));

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
