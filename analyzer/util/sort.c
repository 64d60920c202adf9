/* sort: see sort.h. */
#include "sort.h"

#include "alloc.h"

/* Merges the sorted runs src[lo, mid) and src[mid, hi) into dst[lo, hi), the left first on
 * ties. */
static void merge(const char *src, char *dst, size_t size, size_t lo, size_t mid, size_t hi,
                  int (*compare)(const void *, const void *)) {
  size_t i = lo, j = mid, k = lo;
  while (i < mid && j < hi) {
    if (compare(src + j * size, src + i * size) < 0)
      memcpy(dst + k++ * size, src + j++ * size, size);
    else
      memcpy(dst + k++ * size, src + i++ * size, size);
  }
  memcpy(dst + k * size, src + i * size, (mid - i) * size);
  k += mid - i;
  memcpy(dst + k * size, src + j * size, (hi - j) * size);
}

void mfu_sort_runs(void *base, size_t n, size_t size, int (*compare)(const void *, const void *)) {
  char *a = base;
  size_t runs = 0, *start = NULL, cap = 0;
  for (size_t i = 0; i < n; i++) /* where each non-decreasing run starts */
    if (i == 0 || compare(a + (i - 1) * size, a + i * size) > 0) {
      MFU_GROW(start, runs, cap);
      start[runs++] = i;
    }
  if (runs <= 1) {
    free(start);
    return;
  }
  MFU_GROW(start, runs, cap);
  start[runs] = n; /* run r is [start[r], start[r + 1]) */
  char *buf = mfu_xmalloc(n, size), *src = a, *dst = buf;
  while (runs > 1) { /* merge neighbours pairwise, back and forth between a and buf */
    size_t merged = 0;
    for (size_t r = 0; r < runs; r += 2) {
      if (r + 1 < runs)
        merge(src, dst, size, start[r], start[r + 1], start[r + 2], compare);
      else
        memcpy(dst + start[r] * size, src + start[r] * size, (start[r + 1] - start[r]) * size);
      start[merged++] = start[r];
    }
    start[merged] = n;
    runs = merged;
    char *t = src;
    src = dst, dst = t;
  }
  if (src != a) memcpy(a, src, n * size);
  free(buf);
  free(start);
}
