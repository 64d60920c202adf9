/* slots: where each distinct entry of a growable array is, by a hash of its key (open
 * addressing), so that "the entry for this key, or a new one" costs O(1). The entries stay
 * the caller's; `same` tells a hash collision from the entry itself.
 *
 *     size_t i = slots_find(&s, hash(key), same, entries, &key, n);
 *     if (i == n) entries[n++] = key;    // a new entry: append it
 */
#ifndef MFU_SLOTS_H
#define MFU_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct slots {
  uint64_t *hash;
  uint32_t *index; /* position + 1; 0: empty */
  size_t cap, n;
};

/* Whether entries[i] has the key `key`. */
typedef bool (*slots_same_fn)(const void *entries, size_t i, const void *key);

/* The position of the entry equal to `key`, or `fresh` (which the caller then appends). At
 * most 2^32 - 2 entries. */
size_t slots_find(struct slots *s, uint64_t hash, slots_same_fn same, const void *entries,
                  const void *key, size_t fresh);
void slots_free(struct slots *s);

#endif
