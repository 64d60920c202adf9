/* hash: 64-bit keys for what a call did (its API, shape, operation), built by mixing one
 * value in at a time. Keys are compared for equality and sorted, never stored. */
#ifndef MFU_HASH_H
#define MFU_HASH_H

#include <stdint.h>

#define MFU_HASH_SEED 0xcbf29ce484222325ull /* FNV-1a's offset basis: any odd start would do */

/* Mixes v into h (boost's hash_combine, then a splitmix64 finalizer round): any change of v
 * changes every bit of the result with probability about one half. */
static inline uint64_t mfu_hash_mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h ^= h >> 31;
  return h * 0xbf58476d1ce4e5b9ull;
}

#endif
