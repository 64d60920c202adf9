/* xorshift64*: the same pseudo-random sequence on every platform, for tests. Define
 * TEST_RNG_SEED (nonzero) before including. */
#ifndef MFU_TEST_RNG_H
#define MFU_TEST_RNG_H

#include <stdint.h>

static uint64_t rng = TEST_RNG_SEED;

static uint64_t next(void) {
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 0x2545f4914f6cdd1dull;
}

static uint64_t below(uint64_t n) { return next() % n; }

#endif
