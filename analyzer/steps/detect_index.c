/* detect_index: see detect_index.h. */
#include "detect_index.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

/* The ids given so far: a table of keys at most half full, and per id its key, how many
 * calls have it, and the id that followed it last. */
struct ids {
  uint64_t *slot_key;
  uint32_t *slot_id; /* DETECT_NONE: an empty slot */
  size_t cap;        /* slots, a power of two; ids have room for cap / 2 */
  uint64_t *key;
  uint32_t *count, *next;
  uint32_t n;
};

static size_t slot_of(uint64_t key, size_t cap) { return (size_t)(key ^ key >> 29) & (cap - 1); }

static void ids_alloc(struct ids *t, size_t cap) {
  t->cap = cap;
  t->slot_key = mfu_xmalloc(cap, sizeof *t->slot_key);
  t->slot_id = mfu_xmalloc(cap, sizeof *t->slot_id);
  for (size_t i = 0; i < cap; i++) t->slot_id[i] = DETECT_NONE;
  t->key = mfu_xrealloc(t->key, cap / 2 * sizeof *t->key);
  t->count = mfu_xrealloc(t->count, cap / 2 * sizeof *t->count);
  t->next = mfu_xrealloc(t->next, cap / 2 * sizeof *t->next);
}

/* The slot of key, or the empty one where it goes. */
static size_t find(const struct ids *t, uint64_t key) {
  size_t at = slot_of(key, t->cap);
  while (t->slot_id[at] != DETECT_NONE && t->slot_key[at] != key) at = (at + 1) & (t->cap - 1);
  return at;
}

/* The id of key, a new one if it has none. */
static uint32_t id_of(struct ids *t, uint64_t key) {
  size_t at = find(t, key);
  if (t->slot_id[at] != DETECT_NONE) return t->slot_id[at];
  uint32_t id = t->n++;
  t->slot_key[at] = t->key[id] = key, t->slot_id[at] = id;
  t->count[id] = 0, t->next[id] = DETECT_NONE;
  if (2 * (size_t)t->n < t->cap) return id;
  uint64_t *old_key = t->slot_key; /* rehash into twice the room */
  uint32_t *old_id = t->slot_id;
  size_t old_cap = t->cap;
  ids_alloc(t, 2 * old_cap);
  for (size_t i = 0; i < old_cap; i++)
    if (old_id[i] != DETECT_NONE) {
      size_t to = find(t, old_key[i]);
      t->slot_key[to] = old_key[i], t->slot_id[to] = old_id[i];
    }
  free(old_key);
  free(old_id);
  return id;
}

uint32_t detect_dense_ids(const struct steps_call *c, size_t n, uint32_t *id, uint64_t **keys,
                          uint32_t **counts) {
  struct ids t = {0};
  ids_alloc(&t, 64);
  uint32_t prev = n ? id_of(&t, c[0].key) : 0;
  for (size_t i = 0; i < n; i++) {
    uint64_t key = c[i].key;
    uint32_t guess = t.next[prev];
    if (t.key[prev] == key) {
      guess = prev; /* a call repeated */
    } else if (guess == DETECT_NONE || t.key[guess] != key) {
      guess = id_of(&t, key); /* which may move t.next */
      t.next[prev] = guess;
    }
    t.count[guess]++;
    id[i] = prev = guess;
  }
  free(t.slot_key);
  free(t.slot_id);
  free(t.next);
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
