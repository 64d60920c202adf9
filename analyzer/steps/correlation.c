/* correlation: see correlation.h. */
#include "correlation.h"

#include <stdlib.h>

#include "util/alloc.h"
#include "util/sort.h"

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

void correlation_index_init(struct correlation_index *ix, struct correlation_pair *pairs,
                            size_t npairs, const uint64_t *external, size_t stride, size_t ncalls) {
  mfu_sort(pairs, npairs, sizeof *pairs, by_cupti);
  *ix = (struct correlation_index){.pairs = pairs, .npairs = npairs};
  ix->calls = mfu_xmalloc(ncalls, sizeof *ix->calls);
  for (size_t i = 0; i < ncalls; i++) {
    uint64_t e = *(const uint64_t *)((const char *)external + i * stride);
    if (e) ix->calls[ix->ncalls++] = (struct correlation_call){e, i};
  }
  mfu_sort(ix->calls, ix->ncalls, sizeof *ix->calls, by_external);
}

size_t correlation_find(const struct correlation_index *ix, uint64_t cupti) {
  if (!ix->npairs || !ix->ncalls) return CORRELATION_NONE;
  struct correlation_pair key = {.cupti = cupti};
  const struct correlation_pair *p = bsearch(&key, ix->pairs, ix->npairs, sizeof key, by_cupti);
  if (!p) return CORRELATION_NONE;
  struct correlation_call ckey = {.external = p->external};
  const struct correlation_call *c = bsearch(&ckey, ix->calls, ix->ncalls, sizeof ckey, by_external);
  return c ? c->call : CORRELATION_NONE;
}

void correlation_index_free(struct correlation_index *ix) {
  free(ix->calls);
  *ix = (struct correlation_index){0};
}
