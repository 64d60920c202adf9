/* detect_warmup: see detect_warmup.h; what counts as warm-up: detect.h, steps_warmup. */
#include "detect_warmup.h"

#include <math.h>
#include <stdlib.h>

#include "detect_index.h"
#include "util/alloc.h"
#include "util/sort.h"

static double median(double *v, size_t n) {
  mfu_sort(v, n, sizeof *v, mfu_compare_double);
  return v[n / 2];
}

/* The distinct ids of a step's calls, into set (seen[id] = mark for each), and how many. */
static size_t id_set(const uint32_t *id, const struct steps_span *s, uint32_t *seen,
                     uint32_t mark, uint32_t *set) {
  size_t distinct = 0;
  for (size_t i = s->first; i < s->end; i++)
    if (seen[id[i]] != mark) seen[id[i]] = mark, set[distinct++] = id[i];
  return distinct;
}

size_t detect_warmup_of_ids(const uint32_t *id, size_t distinct, const struct steps_span *s,
                            size_t n) {
  if (n < 3) return 0;
  /* The median step: of median length and, among equals, position (not the first). */
  struct mfu_sort_pair *by_length = mfu_xmalloc(n, sizeof *by_length);
  for (size_t i = 0; i < n; i++) by_length[i] = (struct mfu_sort_pair){s[i].end - s[i].first, i};
  mfu_sort(by_length, n, sizeof *by_length, mfu_compare_pairs);
  size_t ref = by_length[n / 2].index, longest = by_length[n - 1].value;
  uint32_t *seen = mfu_xmalloc(distinct, sizeof *seen), *in_ref = mfu_xcalloc(distinct, sizeof *in_ref);
  uint32_t *set = mfu_xmalloc(longest, sizeof *set);
  for (size_t i = 0; i < distinct; i++) seen[i] = DETECT_NONE;
  size_t nref = id_set(id, &s[ref], in_ref, 1, set);
  double *sim = mfu_xmalloc(n, sizeof *sim), *v = mfu_xmalloc(n, sizeof *v);
  for (size_t i = 0; i < n; i++) { /* the Jaccard similarity of its set of keys and ref's */
    size_t nset = id_set(id, &s[i], seen, (uint32_t)i, set), shared = 0;
    for (size_t k = 0; k < nset; k++) shared += in_ref[set[k]];
    v[i] = sim[i] = nset + nref ? (double)shared / (double)(nset + nref - shared) : 1;
  }
  double typical = median(v, n);
  for (size_t i = 0; i < n; i++) v[i] = fabs(sim[i] - typical);
  double threshold = typical - 3 * median(v, n);
  size_t warm = 0;
  while (warm < n && sim[warm] < threshold) warm++;
  free(v);
  free(sim);
  free(set);
  free(in_ref);
  free(seen);
  free(by_length);
  return warm;
}

size_t steps_warmup(const struct steps_call *c, const struct steps_span *s, size_t n) {
  size_t calls = n < 3 ? 0 : s[n - 1].end;
  if (n < 3 || calls >= DETECT_NONE) return 0; /* none found in more than 32 bits' worth of calls */
  uint32_t *id = mfu_xmalloc(calls, sizeof *id);
  size_t warm = detect_warmup_of_ids(id, detect_dense_ids(c, calls, id, NULL, NULL), s, n);
  free(id);
  return warm;
}

