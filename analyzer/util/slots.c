/* slots: see slots.h. */
#include "slots.h"

#include <stdlib.h>

#include "alloc.h"

static void slots_grow(struct slots *s) {
  size_t cap = s->cap ? 2 * s->cap : 64;
  struct slots g = {mfu_xcalloc(cap, sizeof *g.hash), mfu_xcalloc(cap, sizeof *g.index), cap, s->n};
  for (size_t i = 0; i < s->cap; i++) {
    if (!s->index[i]) continue;
    size_t at = s->hash[i] & (g.cap - 1);
    while (g.index[at]) at = (at + 1) & (g.cap - 1);
    g.hash[at] = s->hash[i];
    g.index[at] = s->index[i];
  }
  free(s->hash);
  free(s->index);
  *s = g;
}

size_t slots_find(struct slots *s, uint64_t h, slots_same_fn same, const void *entries,
                  const void *key, size_t fresh) {
  if (2 * (s->n + 1) > s->cap) slots_grow(s);
  size_t at = h & (s->cap - 1);
  for (; s->index[at]; at = (at + 1) & (s->cap - 1))
    if (s->hash[at] == h && same(entries, s->index[at] - 1, key)) return s->index[at] - 1;
  s->hash[at] = h;
  s->index[at] = (uint32_t)fresh + 1;
  s->n++;
  return fresh;
}

void slots_free(struct slots *s) {
  free(s->hash);
  free(s->index);
  *s = (struct slots){0};
}
