/* analyzer/util/sort: mfu_sort_runs puts arrays in the order a stable sort does, whatever
 * their runs: sorted already, reversed, a few interleaved runs as a trace's threads make, or
 * random, with ties kept in their order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#define TEST_RNG_SEED 42
#include "test_rng.h"
#include "util/sort.h"

struct item {
  uint32_t key, order; /* order: the position before sorting */
};

static int by_key(const void *a, const void *b) {
  return MFU_COMPARE(((const struct item *)a)->key, ((const struct item *)b)->key);
}

static int by_key_then_order(const void *a, const void *b) {
  const struct item *x = a, *y = b;
  return x->key != y->key ? MFU_COMPARE(x->key, y->key) : MFU_COMPARE(x->order, y->order);
}

/* Sorts v with mfu_sort_runs and checks it against qsort by key then original position. */
static void check(struct item *v, size_t n) {
  for (size_t i = 0; i < n; i++) v[i].order = (uint32_t)i;
  struct item *want = malloc((n ? n : 1) * sizeof *want);
  for (size_t i = 0; i < n; i++) want[i] = v[i];
  qsort(want, n, sizeof *want, by_key_then_order);
  mfu_sort_runs(v, n, sizeof *v, by_key);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(v[i].key, want[i].key);
    assert_int_equal(v[i].order, want[i].order);
  }
  free(want);
}

static void test_shapes(void **state) {
  (void)state;
  enum { N = 10007 };
  struct item *v = malloc(N * sizeof *v);
  check(v, 0);
  v[0].key = 7;
  check(v, 1);
  for (size_t i = 0; i < N; i++) v[i].key = (uint32_t)i / 3; /* sorted, with ties */
  check(v, N);
  for (size_t i = 0; i < N; i++) v[i].key = (uint32_t)(N - i) / 2; /* reversed */
  check(v, N);
  for (size_t runs = 2; runs <= 17; runs += 5) { /* sorted runs, in blocks of 16, interleaved */
    for (size_t i = 0; i < N; i++) v[i].key = (uint32_t)((i / 16 / runs) * 16 + i % 16);
    check(v, N);
  }
  for (size_t i = 0; i < N; i++) v[i].key = (uint32_t)below(500); /* random */
  check(v, N);
  free(v);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_shapes)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
