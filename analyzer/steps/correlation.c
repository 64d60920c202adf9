/* correlation: see correlation.h. */
#include "correlation.h"

#include <stdlib.h>

#include "util/alloc.h"
#include "util/sort.h"

/* Ids are dense when the largest is within this many per entry (plus a constant) of their
 * number: then an array indexed by id is the index. CUPTI ids also count the runtime and
 * driver calls no intercepted call made, a few per call. */
#define DENSE(max, n) ((max) <= 8 * (uint64_t)(n) + 65536)

struct correlation_call {
  uint64_t external;
  size_t call;
};

static int by_cupti(const void *a, const void *b) {
  const struct correlation_pair *x = a, *y = b;
  return MFU_COMPARE(x->cupti, y->cupti);
}

static int by_external(const void *a, const void *b) {
  const struct correlation_call *x = a, *y = b;
  return MFU_COMPARE(x->external, y->external);
}

/* The calls' external ids are at `external`, `stride` bytes apart, of `width` bytes (4 or 8). */
static void index_init(struct correlation_index *ix, struct correlation_pair *pairs, size_t npairs,
                       const void *external, size_t stride, size_t width, size_t ncalls) {
  *ix = (struct correlation_index){.pairs = pairs, .npairs = npairs};
  if (!npairs) return; /* nothing to find */
  uint64_t max_cupti = 0, max_external = 0;
  for (size_t i = 0; i < npairs; i++)
    if (pairs[i].cupti > max_cupti) max_cupti = pairs[i].cupti;
  ix->calls = mfu_xmalloc(ncalls, sizeof *ix->calls);
  for (size_t i = 0; i < ncalls; i++) {
    const void *at = (const char *)external + i * stride;
    uint64_t e = width == 4 ? *(const uint32_t *)at : *(const uint64_t *)at;
    if (e) ix->calls[ix->ncalls++] = (struct correlation_call){e, i};
    if (e > max_external) max_external = e;
  }
  if (npairs && DENSE(max_cupti, npairs)) { /* the first pair of each id */
    ix->pair_of = mfu_xcalloc(max_cupti + 1, sizeof *ix->pair_of);
    ix->max_cupti = max_cupti;
    for (size_t i = npairs; i-- > 0;) ix->pair_of[pairs[i].cupti] = (uint32_t)(i + 1);
  } else {
    mfu_sort(pairs, npairs, sizeof *pairs, by_cupti);
  }
  if (ix->ncalls && DENSE(max_external, ix->ncalls)) { /* the first call of each id */
    ix->call_of = mfu_xcalloc(max_external + 1, sizeof *ix->call_of);
    ix->max_external = max_external;
    for (size_t i = ix->ncalls; i-- > 0;) ix->call_of[ix->calls[i].external] = (uint32_t)(ix->calls[i].call + 1);
  } else {
    mfu_sort(ix->calls, ix->ncalls, sizeof *ix->calls, by_external);
  }
}

void correlation_index_init(struct correlation_index *ix, struct correlation_pair *pairs,
                            size_t npairs, const uint64_t *external, size_t stride, size_t ncalls) {
  index_init(ix, pairs, npairs, external, stride, sizeof *external, ncalls);
}

void correlation_index_init32(struct correlation_index *ix, struct correlation_pair *pairs,
                              size_t npairs, const uint32_t *external, size_t ncalls) {
  index_init(ix, pairs, npairs, external, sizeof *external, sizeof *external, ncalls);
}

size_t correlation_find(const struct correlation_index *ix, uint64_t cupti) {
  if (!ix->npairs || !ix->ncalls) return CORRELATION_NONE;
  const struct correlation_pair *p = NULL;
  if (ix->pair_of) {
    if (cupti <= ix->max_cupti && ix->pair_of[cupti]) p = &ix->pairs[ix->pair_of[cupti] - 1];
  } else {
    struct correlation_pair key = {.cupti = cupti};
    p = bsearch(&key, ix->pairs, ix->npairs, sizeof key, by_cupti);
  }
  if (!p) return CORRELATION_NONE;
  if (ix->call_of)
    return p->external <= ix->max_external && ix->call_of[p->external]
               ? ix->call_of[p->external] - 1
               : CORRELATION_NONE;
  struct correlation_call ckey = {.external = p->external};
  const struct correlation_call *c = bsearch(&ckey, ix->calls, ix->ncalls, sizeof ckey, by_external);
  return c ? c->call : CORRELATION_NONE;
}

void correlation_index_free(struct correlation_index *ix) {
  free(ix->calls);
  free(ix->pair_of);
  free(ix->call_of);
  *ix = (struct correlation_index){0};
}
