/* Unit tests of analyzer/steps/detect_index: dense ids by first occurrence whatever order the
 * keys recur in (successors that change, repeats, a table grown many times over), each id's
 * key and count, and each group's positions in call order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "steps/detect_index.h"

#define N(a) (sizeof(a) / sizeof *(a))

/* Keys recur with other successors each time (3 follows 7, then 9, then itself), and
 * repeat: ids follow first occurrence, counts and keys by id. */
static void test_ids_by_first_occurrence(void **state) {
  (void)state;
  static const uint64_t keys[] = {7, 3, 7, 9, 3, 9, 3, 3, 3, 0, 7, 0};
  static const uint32_t want[] = {0, 1, 0, 2, 1, 2, 1, 1, 1, 3, 0, 3};
  struct steps_call c[N(keys)];
  for (size_t i = 0; i < N(keys); i++) c[i] = (struct steps_call){keys[i], i};
  uint32_t id[N(keys)], *counts;
  uint64_t *key;
  assert_int_equal(detect_dense_ids(c, N(c), id, &key, &counts), 4);
  for (size_t i = 0; i < N(keys); i++) assert_int_equal(id[i], want[i]);
  static const uint64_t key_of[] = {7, 3, 9, 0};
  static const uint32_t count_of[] = {3, 5, 2, 2};
  for (size_t g = 0; g < 4; g++) {
    assert_int_equal(key[g], key_of[g]);
    assert_int_equal(counts[g], count_of[g]);
  }
  free(key);
  free(counts);
  assert_int_equal(detect_dense_ids(c, 0, id, NULL, NULL), 0);
}

/* 4,999 distinct keys (the table grows from 64 slots, rehashing each time), in an order that
 * changes every round: every key keeps the id of its first occurrence. */
#define SPREAD 2654435761ull /* key k is k * SPREAD + 1 */
static void test_ids_grown(void **state) {
  (void)state;
  enum { KEYS = 4999, ROUNDS = 4 }; /* a prime: round r's order, k = i (2r + 1) mod KEYS */
  struct steps_call *c = malloc(KEYS * ROUNDS * sizeof *c);
  uint32_t *id = malloc(KEYS * ROUNDS * sizeof *id), *counts;
  for (size_t r = 0; r < ROUNDS; r++)
    for (size_t i = 0; i < KEYS; i++)
      c[r * KEYS + i] = (struct steps_call){(i * (2 * r + 1)) % KEYS * SPREAD + 1, 0};
  uint64_t *key;
  assert_int_equal(detect_dense_ids(c, KEYS * ROUNDS, id, &key, &counts), KEYS);
  for (size_t i = 0; i < KEYS * ROUNDS; i++) {
    assert_int_equal(id[i], (c[i].key - 1) / SPREAD);
  }
  for (size_t g = 0; g < KEYS; g++) {
    assert_int_equal(key[g], g * SPREAD + 1);
    assert_int_equal(counts[g], ROUNDS);
  }
  free(key);
  free(counts);
  free(id);
  free(c);
}

/* Groups in order of first occurrence, each with its positions in call order. */
static void test_index(void **state) {
  (void)state;
  static const uint64_t keys[] = {50, 40, 50, 50, 30, 40, 50};
  struct steps_call c[N(keys)];
  for (size_t i = 0; i < N(keys); i++) c[i] = (struct steps_call){keys[i], 10 * i};
  struct detect_index ix;
  detect_index_build(&ix, c, N(c));
  assert_int_equal(ix.ngroups, 3);
  static const uint32_t p50[] = {0, 2, 3, 6}, p40[] = {1, 5}, p30[] = {4};
  static const uint32_t *want[] = {p50, p40, p30};
  static const size_t count[] = {N(p50), N(p40), N(p30)};
  for (size_t g = 0; g < 3; g++) {
    assert_int_equal(ix.key[g], keys[want[g][0]]);
    assert_int_equal(detect_count(&ix, g), count[g]);
    for (size_t i = 0; i < count[g]; i++) {
      assert_int_equal(detect_positions(&ix, g)[i], want[g][i]);
      assert_int_equal(ix.group[want[g][i]], g);
    }
  }
  detect_index_free(&ix);
  detect_index_build(&ix, NULL, 0);
  assert_int_equal(ix.ngroups, 0);
  detect_index_free(&ix);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ids_by_first_occurrence),
      cmocka_unit_test(test_ids_grown),
      cmocka_unit_test(test_index),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
