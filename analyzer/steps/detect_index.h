/* detect_index: a call sequence (detect.h) grouped by key, for step detection: each key a
 * dense 32-bit id, its group (0, 1, 2... by first occurrence), and each group's positions in
 * call order. Calls are indexed by 32 bits throughout (half the memory traffic of size_t): a
 * sequence has fewer than DETECT_NONE calls, and DETECT_NONE marks an empty slot or a group
 * not seen yet. */
#ifndef MFU_DETECT_INDEX_H
#define MFU_DETECT_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "detect.h"

#define DETECT_NONE UINT32_MAX

/* The keys of c[0..n) as dense ids into id, and how many distinct keys there are; with keys
 * and counts, each id's key and number of calls into *keys and *counts (free them).
 * n < DETECT_NONE. O(n): open addressing on the keys themselves (they are hashes already). */
uint32_t detect_dense_ids(const struct steps_call *c, size_t n, uint32_t *id, uint64_t **keys,
                          uint32_t **counts);

struct detect_index {
  const struct steps_call *c;
  size_t n;
  uint32_t *group; /* the group of each call */
  uint64_t *key;   /* the key of each group */
  uint32_t *pos;   /* call positions, grouped by key, each group in call order */
  uint32_t *start; /* group g's positions are pos[start[g] .. start[g + 1]) */
  size_t ngroups;
};

/* The index of c[0..n) (n < DETECT_NONE), in O(n): groups by dense_ids, positions by counting. */
void detect_index_build(struct detect_index *ix, const struct steps_call *c, size_t n);
void detect_index_free(struct detect_index *ix);

static inline const uint32_t *detect_positions(const struct detect_index *ix, size_t g) {
  return ix->pos + ix->start[g];
}

static inline size_t detect_count(const struct detect_index *ix, size_t g) {
  return ix->start[g + 1] - ix->start[g];
}

#endif
