/* Unit tests of analyzer/steps: explicit markers paired into ranges and selected by a regular
 * expression; and automatic detection on synthetic call sequences with planted boundaries
 * (fixed period, noise, warm-up, varying layer counts, varying shapes, logging steps and
 * evaluation), which must be found exactly, while random sequences must have no period. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "steps/detect.h"
#include "steps/markers.h"

#define N(a) (sizeof(a) / sizeof *(a))

/* ------------------------------------------------------------------ explicit markers */

#define PUSH(t, thread, name) {MFU_MARKER_PUSH, (t), (thread), (name)}
#define POP(t, thread) {MFU_MARKER_POP, (t), (thread), NULL}

static void expect_range(const struct steps_range *r, const char *name, uint64_t start, uint64_t end) {
  assert_string_equal(r->name, name);
  assert_int_equal(r->start_ns, start);
  assert_int_equal(r->end_ns, end);
}

/* Push/pop nest per thread, even when threads interleave; start/end pair by id across
 * threads; cudaProfilerStart/Stop are process-wide and do not nest. */
static void test_pair_markers(void **state) {
  (void)state;
  struct steps_marker m[] = {
      PUSH(10, 1, "train_step"),
      PUSH(12, 2, "dataloader"),   /* another thread, interleaved */
      PUSH(15, 1, "forward"),
      POP(20, 2),                  /* closes dataloader, not forward */
      POP(30, 1),                  /* forward */
      {MFU_MARKER_START, 31, 77, "h2d"}, /* started on one thread ... */
      POP(40, 1),                  /* train_step */
      {MFU_MARKER_END, 45, 77, NULL},    /* ... ended on another */
      POP(50, 1),                  /* nothing open on thread 1: ignored */
      {MFU_MARKER_END, 51, 99, NULL},    /* unknown id: ignored */
      {MFU_MARKER_PROFILER_STOP, 52, 0, NULL}, /* not started: ignored */
      {MFU_MARKER_PROFILER_START, 60, 0, NULL},
      {MFU_MARKER_PROFILER_START, 65, 0, NULL}, /* already started: ignored */
      {MFU_MARKER_PROFILER_STOP, 90, 0, NULL},
      PUSH(95, 3, "never closed"),
  };
  struct steps_range r[N(m)];
  assert_int_equal(steps_pair_markers(m, N(m), r), 5);
  expect_range(&r[0], "dataloader", 12, 20);
  expect_range(&r[1], "forward", 15, 30);
  expect_range(&r[2], "train_step", 10, 40);
  expect_range(&r[3], "h2d", 31, 45);
  expect_range(&r[4], STEPS_PROFILER_RANGE, 60, 90);
}

/* Markers from per-thread buffers arrive out of time order. */
static void test_pair_markers_unsorted(void **state) {
  (void)state;
  struct steps_marker m[] = {POP(40, 1), PUSH(10, 1, "outer"), POP(30, 1), PUSH(20, 1, "inner")};
  struct steps_range r[N(m)];
  assert_int_equal(steps_pair_markers(m, N(m), r), 2);
  expect_range(&r[0], "inner", 20, 30);
  expect_range(&r[1], "outer", 10, 40);
}

/* Three training steps, each with nested forward, backward and "optimizer.step" ranges;
 * dataloader ranges between them; the calls are one every 10 ns from t = 0. */
static void test_steps_from_ranges(void **state) {
  (void)state;
  struct steps_marker m[64];
  size_t n = 0;
  for (uint64_t s = 0; s < 3; s++) {
    uint64_t t = 1000 * s;
    m[n++] = (struct steps_marker)PUSH(t + 100, 1, "dataloader");
    m[n++] = (struct steps_marker)POP(t + 200, 1);
    m[n++] = (struct steps_marker)PUSH(t + 200, 1, "train_step");
    m[n++] = (struct steps_marker)PUSH(t + 200, 1, "forward");
    m[n++] = (struct steps_marker)POP(t + 500, 1);
    m[n++] = (struct steps_marker)PUSH(t + 500, 1, "backward");
    m[n++] = (struct steps_marker)POP(t + 900, 1);
    m[n++] = (struct steps_marker)PUSH(t + 900, 1, "optimizer.step");
    m[n++] = (struct steps_marker)POP(t + 950, 1);
    m[n++] = (struct steps_marker)POP(t + 950, 1);
  }
  struct steps_range r[64];
  size_t nr = steps_pair_markers(m, n, r);
  assert_int_equal(nr, 15);
  struct steps_call calls[300];
  for (size_t i = 0; i < N(calls); i++) calls[i] = (struct steps_call){i % 7, 10 * i};
  struct steps_span s[64];
  size_t ns;
  char err[256];
  /* "step" also matches the nested optimizer ranges: they belong to their training step. */
  assert_int_equal(steps_from_ranges(r, nr, "step", calls, N(calls), s, &ns, err, sizeof err), 0);
  assert_int_equal(ns, 3);
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(s[i].start_ns, 1000 * i + 200);
    assert_int_equal(s[i].end_ns, 1000 * i + 950);
    assert_int_equal(s[i].first, 100 * i + 20); /* the calls at 200 ns ... 940 ns */
    assert_int_equal(s[i].end, 100 * i + 95);
  }
  assert_int_equal(steps_from_ranges(r, nr, "^(forward|backward)$", NULL, 0, s, &ns, err,
                                     sizeof err), 0);
  assert_int_equal(ns, 6);
  assert_int_equal(s[1].start_ns, 500);
  assert_int_equal(s[1].first + s[1].end, 0); /* no calls given */
  assert_int_equal(steps_from_ranges(r, nr, "^eval", NULL, 0, s, &ns, err, sizeof err), 0);
  assert_int_equal(ns, 0);
  assert_int_equal(steps_from_ranges(r, nr, "train_(", NULL, 0, s, &ns, err, sizeof err), -1);
  assert_non_null(strstr(err, "train_("));
}

/* Overlapping (not nested) matching ranges from start/end markers: the later one starts
 * inside the earlier and is part of it. */
static void test_overlapping_ranges(void **state) {
  (void)state;
  struct steps_range r[] = {{"step 2", 150, 300, 0}, {"step 1", 100, 200, 0}, {"step 3", 300, 400, 0},
                            {NULL, 0, 1000, 0}};
  struct steps_span s[N(r)];
  size_t ns;
  char err[64];
  assert_int_equal(steps_from_ranges(r, N(r), "^step", NULL, 0, s, &ns, err, sizeof err), 0);
  assert_int_equal(ns, 2);
  assert_int_equal(s[0].start_ns, 100);
  assert_int_equal(s[1].start_ns, 300);
}

/* ------------------------------------------------------------- synthetic call sequences */

#define TEST_RNG_SEED 0x2545f4914f6cdd1dull
#include "test_rng.h"

/* A call sequence being built, with the planted first call of each step. */
struct seq {
  struct steps_call c[8192];
  size_t n;
  size_t start[256];
  size_t nsteps;
};

/* Keys of a dense Transformer's GEMMs (forward, LM head, backward) and NCCL calls. With
 * `shape` != 0 the GEMM keys depend on it, as they do on the sequence length. */
enum { QKV = 1, OUT, UP, DOWN, HEAD, HEAD_DGRAD, HEAD_WGRAD, DOWN_D, DOWN_W, UP_D, UP_W,
       OUT_D, OUT_W, QKV_D, QKV_W, AR1, AR2, AR3, BROADCAST, LOG_AR, LOG_GEMM };

/* One training step: `layers` forward layers of 4 GEMMs, the LM head, its 2 backward GEMMs,
 * `layers` backward layers of 8, then the gradient all-reduces. 12·layers + 5 calls. */
static size_t step_calls(uint64_t *k, int layers, uint64_t shape) {
  size_t n = 0;
  for (int l = 0; l < layers; l++)
    for (uint64_t op = QKV; op <= DOWN; op++) k[n++] = op + 1000 * shape;
  for (uint64_t op = HEAD; op <= HEAD_WGRAD; op++) k[n++] = op + 1000 * shape;
  for (int l = 0; l < layers; l++)
    for (uint64_t op = DOWN_D; op <= QKV_W; op++) k[n++] = op + 1000 * shape;
  k[n++] = AR1;
  k[n++] = AR2;
  return n;
}

static void append(struct seq *s, const uint64_t *k, size_t n) {
  for (size_t i = 0; i < n; i++) {
    assert_true(s->n < N(s->c));
    s->c[s->n] = (struct steps_call){k[i], 1000 * s->n + below(500)};
    s->n++;
  }
}

static void add_step(struct seq *s, const uint64_t *k, size_t n) {
  s->start[s->nsteps++] = s->n;
  append(s, k, n);
}

/* Detects and checks the planted boundaries: every step found exactly. */
static void expect_planted(const struct seq *s, struct steps_detection *d, long skip) {
  steps_detect(s->c, s->n, skip, d);
  if (d->nsteps != s->nsteps)
    fail_msg("%zu steps found, %zu planted (%s)", d->nsteps, s->nsteps, d->reason);
  for (size_t i = 0; i < s->nsteps; i++) {
    size_t end = i + 1 < s->nsteps ? s->start[i + 1] : s->n;
    if (d->steps[i].first != s->start[i] || d->steps[i].end != end)
      fail_msg("step %zu: calls [%zu, %zu), planted [%zu, %zu)", i, d->steps[i].first,
               d->steps[i].end, s->start[i], end);
    assert_int_equal(d->steps[i].start_ns, s->c[s->start[i]].time_ns);
    assert_int_equal(d->steps[i].end_ns, s->c[end < s->n ? end : s->n - 1].time_ns);
  }
  assert_int_equal(d->reason[0], 0);
}

static struct seq seq; /* large: not on the stack */

static void test_fixed_period(void **state) {
  (void)state;
  uint64_t k[512];
  seq = (struct seq){0};
  for (int i = 0; i < 20; i++) add_step(&seq, k, step_calls(k, 4, 0));
  struct steps_detection d;
  expect_planted(&seq, &d, -1);
  assert_int_equal(d.period, 53);
  assert_int_equal(d.skip, 0);
  assert_true(d.score == 1);
  steps_detection_free(&d);
}

/* Inserts `key` before call `at` of k[0..n), or removes call `at` if key is 0. */
static size_t edit(uint64_t *k, size_t n, size_t at, uint64_t key) {
  if (key) {
    memmove(&k[at + 1], &k[at], (n - at) * sizeof *k);
    k[at] = key;
    return n + 1;
  }
  memmove(&k[at], &k[at + 1], (n - at - 1) * sizeof *k);
  return n - 1;
}

/* Random extra calls (existing keys or new ones) and missing calls in a fifth of the steps,
 * away from the boundaries (test_noise_at_boundaries has those): boundaries do not move. */
static void test_period_with_noise(void **state) {
  (void)state;
  uint64_t k[512];
  seq = (struct seq){0};
  for (int i = 0; i < 30; i++) {
    size_t n = step_calls(k, 4, 0);
    for (uint64_t extra = i % 5 == 3 ? 1 + below(3) : 0; extra > 0; extra--) {
      size_t at = 3 + below(n - 5); /* 3 <= at <= n - 3 */
      uint64_t key = below(2) ? 1 + below(AR2) : 5000 + below(100);
      n = edit(k, n, at, key);
    }
    if (i % 8 == 1) n = edit(k, n, 3 + below(n - 6), 0);
    add_step(&seq, k, n);
  }
  struct steps_detection d;
  expect_planted(&seq, &d, -1);
  assert_int_equal(d.skip, 0); /* the noise is not in the first step */
  assert_int_equal(d.period, 53);
  steps_detection_free(&d);
}

/* One call added or missing next to a boundary keeps it where it is; an extra all-reduce
 * inside the forward pass, before a layer's first GEMM, makes no boundary. */
static void test_noise_at_boundaries(void **state) {
  (void)state;
  uint64_t k[512];
  seq = (struct seq){0};
  for (int i = 0; i < 10; i++) {
    size_t n = step_calls(k, 4, 0);
    if (i == 2) n = edit(k, n, 1, OUT);       /* an extra call after the first */
    if (i == 4) n = edit(k, n, 1, 0);         /* the second call missing */
    if (i == 5) n = edit(k, n, n - 1, 5000);  /* an unknown call before the last */
    if (i == 7) n = edit(k, n, n - 2, 0);     /* the second-to-last call missing */
    if (i == 8) n = edit(k, n, 12, AR2);      /* a stray AR2, QKV pair */
    add_step(&seq, k, n);
  }
  struct steps_detection d;
  expect_planted(&seq, &d, -1);
  steps_detection_free(&d);
}

/* Activation recomputation: each backward layer first repeats its forward GEMMs, so the
 * layers' calls recur, at nearly regular intervals, all through the step. Their period is a
 * whole part of the step's, and the step's is found. */
static void test_recomputed_layers(void **state) {
  (void)state;
  uint64_t k[512];
  seq = (struct seq){0};
  for (int i = 0; i < 12; i++) {
    size_t n = 0;
    for (int l = 0; l < 6; l++)
      for (uint64_t op = QKV; op <= DOWN; op++) k[n++] = op;
    for (uint64_t op = HEAD; op <= HEAD_WGRAD; op++) k[n++] = op;
    for (int l = 0; l < 6; l++) {
      for (uint64_t op = QKV; op <= DOWN; op++) k[n++] = op;
      for (uint64_t op = DOWN_D; op <= QKV_W; op++) k[n++] = op;
    }
    k[n++] = AR1;
    add_step(&seq, k, n);
  }
  struct steps_detection d;
  expect_planted(&seq, &d, -1);
  steps_detection_free(&d);
}

/* The first step broadcasts the parameters (DDP) and repeats a GEMM (autotuning): it is
 * found as a step, and as warm-up (for the broadcast: repeats are no difference). */
static void test_warmup_step(void **state) {
  (void)state;
  uint64_t k[512];
  seq = (struct seq){0};
  uint64_t body[512];
  size_t n = 0, nb = step_calls(body, 4, 0);
  for (int i = 0; i < 3; i++) k[n++] = BROADCAST;
  memcpy(&k[n], body, 4 * sizeof *k); /* the first layer, */
  n += 4;
  for (int i = 0; i < 5; i++) k[n++] = QKV; /* five more QKV projections, */
  memcpy(&k[n], &body[4], (nb - 4) * sizeof *k); /* the rest */
  n += nb - 4;
  add_step(&seq, k, n);
  for (int i = 1; i < 20; i++) add_step(&seq, k, step_calls(k, 4, 0));
  struct steps_detection d;
  expect_planted(&seq, &d, -1);
  assert_int_equal(d.skip, 1);
  steps_detection_free(&d);
  expect_planted(&seq, &d, 2); /* --skip 2 */
  assert_int_equal(d.skip, 2);
  steps_detection_free(&d);
  expect_planted(&seq, &d, 99);
  assert_int_equal(d.skip, 20);
  steps_detection_free(&d);
}

/* Steps of 2 to 6 layers (their length varies from 29 to 77 calls): repeated layer calls
 * vary in number, the pattern around them does not. */
static void test_variable_length_steps(void **state) {
  (void)state;
  uint64_t k[512];
  seq = (struct seq){0};
  for (int i = 0; i < 25; i++) add_step(&seq, k, step_calls(k, 2 + (int)below(5), 0));
  struct steps_detection d;
  expect_planted(&seq, &d, -1);
  assert_int_equal(d.skip, 0);
  steps_detection_free(&d);
}

/* Variable sequence lengths: every GEMM's shape, so its key, depends on the step's length
 * (one of four); only the three gradient all-reduces repeat every step. The GEMMs are not
 * periodic: they belong to the step whose all-reduces follow them. */
static void test_variable_shapes(void **state) {
  (void)state;
  uint64_t k[512];
  seq = (struct seq){0};
  for (int i = 0; i < 30; i++) {
    size_t n = step_calls(k, 4, 1 + below(4));
    k[n++] = AR3;
    add_step(&seq, k, n);
  }
  struct steps_detection d;
  expect_planted(&seq, &d, -1);
  steps_detection_free(&d);
}

/* Every fifth step logs (an all-reduce of the loss and a GEMM), and after step 10 the model
 * is evaluated (three forward passes): the evaluation counts in the step after it. */
static void test_logging_and_evaluation(void **state) {
  (void)state;
  uint64_t k[512];
  seq = (struct seq){0};
  for (int i = 0; i < 25; i++) {
    size_t n = step_calls(k, 4, 0);
    if (i % 5 == 4) k[n++] = LOG_AR, k[n++] = LOG_GEMM;
    if (i == 11) { /* evaluation, then the step */
      uint64_t e[512];
      size_t ne = 0;
      for (int pass = 0; pass < 3; pass++) {
        for (int l = 0; l < 4; l++)
          for (uint64_t op = QKV; op <= DOWN; op++) e[ne++] = op;
        e[ne++] = HEAD;
      }
      memmove(&k[ne], k, n * sizeof *k);
      memcpy(k, e, ne * sizeof *k);
      n += ne;
    }
    add_step(&seq, k, n);
  }
  struct steps_detection d;
  expect_planted(&seq, &d, -1);
  steps_detection_free(&d);
}

/* Random sequences have no period, whatever the number of distinct calls; nor do sequences
 * too short to repeat, or empty ones. */
static void test_no_period(void **state) {
  (void)state;
  static const uint64_t alphabet[] = {2, 3, 8, 50, 300, 3000};
  for (size_t a = 0; a < N(alphabet); a++)
    for (int trial = 0; trial < 20; trial++) {
      seq = (struct seq){0};
      size_t n = 200 + below(4000);
      for (size_t i = 0; i < n; i++) seq.c[i] = (struct steps_call){1 + below(alphabet[a]), i};
      struct steps_detection d;
      steps_detect(seq.c, n, -1, &d);
      if (d.nsteps) fail_msg("%zu random calls of %llu kinds: %zu steps", n,
                             (unsigned long long)alphabet[a], d.nsteps);
      assert_true(d.reason[0]);
      steps_detection_free(&d);
    }
  uint64_t k[512];
  seq = (struct seq){0};
  for (int i = 0; i < 2; i++) add_step(&seq, k, step_calls(k, 4, 0));
  struct steps_detection d;
  steps_detect(seq.c, seq.n, -1, &d);
  assert_int_equal(d.nsteps, 0);
  assert_true(d.reason[0]);
  steps_detection_free(&d);
  steps_detect(NULL, 0, -1, &d);
  assert_int_equal(d.nsteps, 0);
  assert_string_equal(d.reason, "no call repeats three times: too few calls to find steps in");
  steps_detection_free(&d);
  for (size_t i = 0; i < 100; i++) seq.c[i] = (struct steps_call){7, i}; /* one call, repeated */
  steps_detect(seq.c, 100, -1, &d);
  assert_int_equal(d.nsteps, 0);
  steps_detection_free(&d);
}

/* Warm-up on given steps: the leading steps that differ from the median one. */
static void test_warmup(void **state) {
  (void)state;
  struct steps_call c[100];
  for (size_t i = 0; i < N(c); i++) c[i] = (struct steps_call){i % 10, i};
  c[3].key = 99;  /* step 0 differs */
  c[15].key = 98; /* step 1 differs */
  c[45].key = 97; /* step 4 differs, but is not leading */
  struct steps_span s[10];
  for (size_t i = 0; i < 10; i++) s[i] = (struct steps_span){10 * i, 10 * i + 10, 0, 0};
  assert_int_equal(steps_warmup(c, s, 10), 2);
  assert_int_equal(steps_warmup(c, s + 2, 8), 0);
  assert_int_equal(steps_warmup(c, s, 2), 0); /* too few to tell */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pair_markers),
      cmocka_unit_test(test_pair_markers_unsorted),
      cmocka_unit_test(test_steps_from_ranges),
      cmocka_unit_test(test_overlapping_ranges),
      cmocka_unit_test(test_fixed_period),
      cmocka_unit_test(test_period_with_noise),
      cmocka_unit_test(test_noise_at_boundaries),
      cmocka_unit_test(test_recomputed_layers),
      cmocka_unit_test(test_warmup_step),
      cmocka_unit_test(test_variable_length_steps),
      cmocka_unit_test(test_variable_shapes),
      cmocka_unit_test(test_logging_and_evaluation),
      cmocka_unit_test(test_no_period),
      cmocka_unit_test(test_warmup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
