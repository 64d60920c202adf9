/* detect_index: see detect_index.h. */
#include "detect_index.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

/* A key and its id, side by side: one cache line holds both. */
struct slot {
  uint64_t key;
  uint32_t id; /* DETECT_NONE: an empty slot */
};

/* The ids given so far: a table of keys at most an eighth full while it is small (64 KiB),
 * so that a key is nearly always in the first slot it tries, half full past that; and per
 * id its key and how many calls have it. */
#define SPARSE_SLOTS 4096
struct ids {
  struct slot *slot;
  size_t cap;  /* slots, a power of two */
  size_t room; /* ids the arrays hold */
  uint64_t *key;
  uint32_t *count;
  uint32_t n;
};

static size_t slot_of(uint64_t key, size_t cap) { return (size_t)(key ^ key >> 29) & (cap - 1); }

/* The slot of key, or the empty one where it goes. */
static size_t find(const struct ids *t, uint64_t key) {
  size_t at = slot_of(key, t->cap);
  while (t->slot[at].key != key && t->slot[at].id != DETECT_NONE) at = (at + 1) & (t->cap - 1);
  return at;
}

static void ids_alloc(struct ids *t, size_t cap) {
  t->cap = cap, t->room = cap <= SPARSE_SLOTS ? cap / 8 : cap / 2;
  t->slot = mfu_xmalloc(cap, sizeof *t->slot);
  for (size_t i = 0; i < cap; i++) t->slot[i] = (struct slot){0, DETECT_NONE};
  t->key = mfu_xrealloc(t->key, t->room * sizeof *t->key);
  t->count = mfu_xrealloc(t->count, t->room * sizeof *t->count);
}

/* A new id for key, which goes into the empty slot at. */
static uint32_t add(struct ids *t, size_t at, uint64_t key) {
  uint32_t id = t->n++;
  t->slot[at] = (struct slot){key, id}, t->key[id] = key, t->count[id] = 0;
  if (t->n < t->room) return id;
  struct slot *old = t->slot; /* rehash into twice the room */
  size_t old_cap = t->cap;
  ids_alloc(t, 2 * old_cap);
  for (size_t i = 0; i < old_cap; i++)
    if (old[i].id != DETECT_NONE) t->slot[find(t, old[i].key)] = old[i];
  free(old);
  return id;
}

uint32_t detect_dense_ids(const struct steps_call *c, size_t n, uint32_t *id, uint64_t **keys,
                          uint32_t **counts) {
  struct ids t = {0};
  ids_alloc(&t, 64);
  for (size_t i = 0; i < n; i++) { /* no dependence from one call to the next but the table */
    size_t at = find(&t, c[i].key);
    uint32_t g = t.slot[at].id != DETECT_NONE ? t.slot[at].id : add(&t, at, c[i].key);
    t.count[g]++;
    id[i] = g;
  }
  free(t.slot);
  if (keys) *keys = t.key;
  else free(t.key);
  if (counts) *counts = t.count;
  else free(t.count);
  return t.n;
}

void detect_index_build(struct detect_index *ix, const struct steps_call *c, size_t n) {
  *ix = (struct detect_index){.c = c, .n = n, .group = mfu_xmalloc(n, sizeof(uint32_t)),
                              .pos = mfu_xmalloc(n, sizeof(uint32_t))};
  uint32_t *counts;
  ix->ngroups = detect_dense_ids(c, n, ix->group, &ix->key, &counts);
  ix->start = mfu_xmalloc(ix->ngroups + 1, sizeof *ix->start);
  ix->start[0] = 0;
  for (size_t g = 0; g < ix->ngroups; g++) ix->start[g + 1] = ix->start[g] + counts[g];
  free(counts);
  uint32_t *next = mfu_xmalloc(ix->ngroups, sizeof *next);
  memcpy(next, ix->start, ix->ngroups * sizeof *next);
  for (size_t i = 0; i < n; i++) ix->pos[next[ix->group[i]]++] = (uint32_t)i;
  free(next);
}

void detect_index_free(struct detect_index *ix) {
  free(ix->group);
  free(ix->key);
  free(ix->pos);
  free(ix->start);
  *ix = (struct detect_index){0};
}
