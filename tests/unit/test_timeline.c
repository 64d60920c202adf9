/* Unit tests of analyzer/timeline: unions, exposed communication and the efficiency factors
 * on hand-built timelines with hand-computed values; then random timelines against a
 * brute-force reference on a 1-ns grid, and the identity MFU = product of the factors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/straggler.h"
#include "timeline/efficiency.h"
#include "timeline/timeline.h"

#define N(a) (sizeof(a) / sizeof *(a))
#define ACT(s, e, cat, flops) {(s), (e), CAT_##cat, (flops)}

/* Relative closeness for ratios computed in another order than the expected value. */
#define assert_close(actual, expected)                                                    \
  do {                                                                                    \
    double a_ = (actual), e_ = (expected);                                                \
    if (!(fabs(a_ - e_) <= 1e-12 * fabs(e_)))                                             \
      fail_msg("%s = %.17g, expected %.17g", #actual, a_, e_);                            \
  } while (0)

/* The peak used throughout: 1e12 FLOP/s, that is 1000 FLOPs per ns. */
#define P 1e12

static struct timeline measure(const struct timeline_activity *a, size_t n, uint64_t t0, uint64_t t1) {
  struct timeline tl;
  timeline_measure(a, n, t0, t1, &tl);
  return tl;
}

struct times {
  uint64_t busy, math, comm, exposed, compute, copy, idle;
};

static void expect_times(const struct timeline *tl, struct times x) {
  assert_int_equal(tl->busy_ns, x.busy);
  assert_int_equal(tl->math_ns, x.math);
  assert_int_equal(tl->comm_ns, x.comm);
  assert_int_equal(tl->exposed_comm_ns, x.exposed);
  assert_int_equal(tl->compute_ns, x.compute);
  assert_int_equal(tl->copy_ns, x.copy);
  assert_int_equal(tl->idle_ns, x.idle);
  /* The exclusive partition of the window that timeline.h promises. */
  assert_int_equal(tl->math_ns + (tl->compute_ns - tl->math_ns) + tl->exposed_comm_ns +
                       (tl->window_ns - tl->idle_ns - tl->busy_ns) + tl->idle_ns,
                   tl->window_ns);
}

static void expect_categories(const struct timeline *tl, const uint64_t ns[CAT_COUNT]) {
  for (int c = 0; c < CAT_COUNT; c++)
    if (tl->category_ns[c] != ns[c])
      fail_msg("%s: %llu ns, expected %llu", activity_category_name[c],
               (unsigned long long)tl->category_ns[c], (unsigned long long)ns[c]);
}

/* Expected figures, NAN where undefined (then a reason must be given). */
static void expect_efficiency(const struct efficiency *e, const double x[EFF_COUNT]) {
  for (int f = 0; f < EFF_COUNT; f++) {
    if (isnan(x[f])) {
      if (!isnan(e->value[f]) || !e->why[f])
        fail_msg("%s = %g (%s), expected undefined", efficiency_name[f], e->value[f],
                 e->why[f] ? e->why[f] : "no reason");
      continue;
    }
    if (e->why[f]) fail_msg("%s undefined: %s", efficiency_name[f], e->why[f]);
    assert_close(e->value[f], x[f]);
  }
}

static double product(const struct efficiency *e) {
  double p = 1;
  for (int f = EFF_COVERAGE; f < EFF_COUNT; f++) p *= e->value[f];
  return p;
}

static struct efficiency efficiency(const struct timeline *tl, double f_model, double f_math,
                                    double peak) {
  struct efficiency_inputs w = {f_model, f_math, peak};
  struct efficiency e;
  efficiency_of_step(tl, &w, &e);
  return e;
}

/* ------------------------------------------------------------ hand-built timelines */

/* A GEMM then a memory-bound kernel, then 10 ns idle: T = 100, busy = 90, math = 60.
 * T·P = 100 ns · 1000 FLOP/ns = 1e5 FLOPs. F_model = 36000, F_math = 48000:
 *   MFU = 36000/1e5 = 0.36      coverage = 36000/48000 = 0.75
 *   η_kernel = 48000/(60·1000) = 0.8   η_memory = 60/90   η_comm = 90/90   η_parallel = 0.9
 *   0.75 · 0.8 · 2/3 · 1 · 0.9 = 0.36 */
static void test_pure_compute(void **state) {
  (void)state;
  struct timeline_activity a[] = {ACT(0, 60, GEMM, 48000), ACT(60, 90, OTHER, 0)};
  struct timeline tl = measure(a, N(a), 0, 100);
  assert_int_equal(tl.window_ns, 100);
  expect_times(&tl, (struct times){.busy = 90, .math = 60, .compute = 90, .idle = 10});
  expect_categories(&tl, (uint64_t[CAT_COUNT]){[CAT_GEMM] = 60, [CAT_OTHER] = 30});
  assert_true(tl.flops[CAT_GEMM] == 48000);
  struct efficiency e = efficiency(&tl, 36000, 48000, P);
  expect_efficiency(&e, (double[]){0.36, 0.75, 0.8, 60.0 / 90, 1, 0.9});
  assert_close(product(&e), e.value[EFF_MFU]);
}

/* Two GEMM streams overlap on [30, 50); attention overlaps the second on [70, 80); a
 * memory-bound kernel overlaps attention on [85, 90).
 *   math = |[0,90)| = 90, busy = |[0,95)| = 95, gemm alone 50 + 50 − 20 = 80
 *   F_model = 45000, F_math = 72000: coverage 0.625, η_kernel = 72000/90000 = 0.8,
 *   η_memory = 90/95, η_comm = 1, η_parallel = 0.95; MFU = 0.45 */
static void test_overlapping_streams(void **state) {
  (void)state;
  struct timeline_activity a[] = {ACT(0, 50, GEMM, 0), ACT(30, 80, GEMM, 0), ACT(70, 90, ATTENTION, 0),
                         ACT(85, 95, OTHER, 0)};
  struct timeline tl = measure(a, N(a), 0, 100);
  expect_times(&tl, (struct times){.busy = 95, .math = 90, .compute = 95, .idle = 5});
  expect_categories(&tl,
                    (uint64_t[CAT_COUNT]){[CAT_GEMM] = 80, [CAT_ATTENTION] = 20, [CAT_OTHER] = 10});
  struct efficiency e = efficiency(&tl, 45000, 72000, P);
  expect_efficiency(&e, (double[]){0.45, 0.625, 0.8, 90.0 / 95, 1, 0.95});
  assert_close(product(&e), 0.45);
}

/* All-reduce [20, 60) under a GEMM [0, 100): comm = 40, exposed = 0, η_comm = 1. */
static void test_comm_fully_hidden(void **state) {
  (void)state;
  struct timeline_activity a[] = {ACT(0, 100, GEMM, 0), ACT(20, 60, NCCL, 0)};
  struct timeline tl = measure(a, N(a), 0, 100);
  expect_times(&tl, (struct times){.busy = 100, .math = 100, .comm = 40, .compute = 100});
  struct efficiency e = efficiency(&tl, 50000, 50000, P);
  /* coverage 1, η_kernel = 50000/1e5 = 0.5, η_memory = η_comm = η_parallel = 1 */
  expect_efficiency(&e, (double[]){0.5, 1, 0.5, 1, 1, 1});
}

/* All-reduce [50, 80) after a GEMM [0, 50): all 30 ns exposed. busy = 80, compute = 50:
 * η_comm = 50/80 = 0.625, η_parallel = 0.8. F_model = F_math = 25000: MFU = 0.25 =
 * 1 · 25000/50000 · 1 · 0.625 · 0.8. */
static void test_comm_fully_exposed(void **state) {
  (void)state;
  struct timeline_activity a[] = {ACT(0, 50, GEMM, 0), ACT(50, 80, NCCL, 0)};
  struct timeline tl = measure(a, N(a), 0, 100);
  expect_times(&tl, (struct times){.busy = 80, .math = 50, .comm = 30, .exposed = 30,
                                   .compute = 50, .idle = 20});
  struct efficiency e = efficiency(&tl, 25000, 25000, P);
  expect_efficiency(&e, (double[]){0.25, 1, 0.5, 1, 0.625, 0.8});
}

/* Memory-bound [0, 40), all-reduce [30, 70), GEMM [60, 100): the all-reduce is hidden on
 * [30, 40) and [60, 70), exposed on [40, 60) = 20 ns. compute = 100 − 20 = 80, math = 40:
 * η_memory = 0.5, η_comm = 0.8, η_parallel = 1. */
static void test_comm_partly_hidden(void **state) {
  (void)state;
  struct timeline_activity a[] = {ACT(0, 40, OTHER, 0), ACT(30, 70, NCCL, 0), ACT(60, 100, GEMM, 0)};
  struct timeline tl = measure(a, N(a), 0, 100);
  expect_times(&tl, (struct times){.busy = 100, .math = 40, .comm = 40, .exposed = 20,
                                   .compute = 80});
  struct efficiency e = efficiency(&tl, 20000, 40000, P);
  /* MFU = 0.2 = 0.5 · 40000/40000 · 0.5 · 0.8 · 1 */
  expect_efficiency(&e, (double[]){0.2, 0.5, 1, 0.5, 0.8, 1});
}

/* Copies do not hide communication: an all-reduce under a memcpy is exposed, and with no
 * compute kernel at all η_memory is undefined and η_comm = 0/50 = 0. */
static void test_copies_hide_nothing(void **state) {
  (void)state;
  struct timeline_activity a[] = {ACT(0, 50, NCCL, 0), ACT(0, 50, MEMCPY, 0)};
  struct timeline tl = measure(a, N(a), 0, 100);
  expect_times(&tl, (struct times){.busy = 50, .comm = 50, .exposed = 50, .copy = 50,
                                   .idle = 50});
  struct efficiency e = efficiency(&tl, 1000, 1000, P);
  expect_efficiency(&e, (double[]){0.01, 1, NAN, NAN, 0, 0.5});
  assert_string_equal(e.why[EFF_KERNEL], "no math kernel time");
  assert_string_equal(e.why[EFF_MEMORY], "no compute kernel time");
}

/* Launch gaps: three GEMMs of 10, 10 and 5 ns in a 100 ns window. busy = 25, idle = 75. */
static void test_idle_gaps(void **state) {
  (void)state;
  struct timeline_activity a[] = {ACT(70, 75, GEMM, 0), ACT(10, 20, GEMM, 0), ACT(40, 50, GEMM, 0)};
  struct timeline tl = measure(a, N(a), 0, 100);
  expect_times(&tl, (struct times){.busy = 25, .math = 25, .compute = 25, .idle = 75});
  struct efficiency e = efficiency(&tl, 10000, 20000, P);
  /* 0.1 = 0.5 · 20000/25000 · 1 · 1 · 0.25 */
  expect_efficiency(&e, (double[]){0.1, 0.5, 0.8, 1, 1, 0.25});
}

/* Only copies: nothing is busy (η_parallel = 0), the copies' union [0, 50) is not idle, and
 * every factor that divides by a kernel time is undefined. */
static void test_memcpy_only(void **state) {
  (void)state;
  struct timeline_activity a[] = {ACT(0, 30, MEMCPY, 0), ACT(20, 50, MEMSET, 0)};
  struct timeline tl = measure(a, N(a), 0, 100);
  expect_times(&tl, (struct times){.copy = 50, .idle = 50});
  expect_categories(&tl, (uint64_t[CAT_COUNT]){[CAT_MEMCPY] = 30, [CAT_MEMSET] = 30});
  struct efficiency e = efficiency(&tl, 1000, 0, P);
  expect_efficiency(&e, (double[]){0.01, NAN, NAN, NAN, NAN, 0});
  assert_string_equal(e.why[EFF_COVERAGE], "no math FLOPs counted");
  assert_string_equal(e.why[EFF_KERNEL], "no math kernel time");
  assert_string_equal(e.why[EFF_COMM], "no kernel time");
}

/* Window [100, 200). A GEMM [50, 150) has half its 100 ns, and half its 1000 FLOPs, inside;
 * the all-reduce [180, 260) 20 ns; the memory-bound kernel [0, 300) covers all of it, hiding
 * the all-reduce; the memcpy [190, 400) 10 ns. The attention kernel ends where the window
 * starts and the last GEMM starts where it ends: neither counts, nor do their FLOPs. */
static void test_window_edges(void **state) {
  (void)state;
  struct timeline_activity a[] = {ACT(50, 150, GEMM, 1000), ACT(180, 260, NCCL, 0),
                         ACT(0, 300, OTHER, 0),    ACT(190, 400, MEMCPY, 0),
                         ACT(0, 100, ATTENTION, 64), ACT(200, 400, GEMM, 77)};
  struct timeline tl = measure(a, N(a), 100, 200);
  assert_int_equal(tl.window_ns, 100);
  expect_times(&tl, (struct times){.busy = 100, .math = 50, .comm = 20, .compute = 100,
                                   .copy = 10});
  expect_categories(&tl, (uint64_t[CAT_COUNT]){[CAT_GEMM] = 50, [CAT_NCCL] = 20,
                                               [CAT_OTHER] = 100, [CAT_MEMCPY] = 10});
  assert_true(tl.flops[CAT_GEMM] == 500);
  assert_true(tl.flops[CAT_ATTENTION] == 0);
}

/* Zero-length activities take no time; their FLOPs count when they start inside [0, 100). */
static void test_zero_length(void **state) {
  (void)state;
  struct timeline_activity a[] = {ACT(50, 50, GEMM, 100), ACT(100, 100, GEMM, 7), ACT(0, 0, NCCL, 0),
                         ACT(10, 20, OTHER, 0)};
  struct timeline tl = measure(a, N(a), 0, 100);
  expect_times(&tl, (struct times){.busy = 10, .compute = 10, .idle = 90});
  expect_categories(&tl, (uint64_t[CAT_COUNT]){[CAT_OTHER] = 10});
  assert_true(tl.flops[CAT_GEMM] == 100);
  assert_int_equal(tl.invalid, 0);
}

/* Identical intervals count once per union: three GEMMs, two all-reduces and two memsets
 * on [10, 20) give 10 ns of everything, none of it exposed, 30 ns idle. */
static void test_identical_intervals(void **state) {
  (void)state;
  struct timeline_activity a[7];
  for (int i = 0; i < 7; i++)
    a[i] = (struct timeline_activity){10, 20, i < 3 ? CAT_GEMM : i < 5 ? CAT_NCCL : CAT_MEMSET, 1};
  struct timeline tl = measure(a, N(a), 0, 40);
  expect_times(&tl, (struct times){.busy = 10, .math = 10, .comm = 10, .compute = 10,
                                   .copy = 10, .idle = 30});
  expect_categories(&tl,
                    (uint64_t[CAT_COUNT]){[CAT_GEMM] = 10, [CAT_NCCL] = 10, [CAT_MEMSET] = 10});
  assert_true(tl.flops[CAT_GEMM] == 3 && tl.flops[CAT_NCCL] == 2);
}

/* A record that ends before it starts (CUPTI leaves end = 0 on incomplete records) or has an
 * unknown category is ignored and counted. */
static void test_invalid_activities(void **state) {
  (void)state;
  struct timeline_activity a[] = {ACT(20, 10, GEMM, 5), ACT(0, 30, OTHER, 0),
                         {0, 50, (enum activity_category)99, 0}};
  struct timeline tl = measure(a, N(a), 0, 100);
  assert_int_equal(tl.invalid, 2);
  expect_times(&tl, (struct times){.busy = 30, .compute = 30, .idle = 70});
  assert_true(tl.flops[CAT_GEMM] == 0);
}

/* An empty or inverted window: T = 0, so MFU and η_parallel are undefined. */
static void test_empty_window(void **state) {
  (void)state;
  struct timeline_activity a[] = {ACT(0, 100, GEMM, 10)};
  struct timeline tl = measure(a, N(a), 50, 50);
  assert_int_equal(tl.window_ns, 0);
  expect_times(&tl, (struct times){0});
  struct efficiency e = efficiency(&tl, 1, 1, P);
  expect_efficiency(&e, (double[]){NAN, 1, NAN, NAN, NAN, NAN});
  assert_string_equal(e.why[EFF_MFU], "empty step window");
  assert_string_equal(e.why[EFF_PARALLEL], "empty step window");
  tl = measure(a, N(a), 60, 40);
  assert_int_equal(tl.window_ns, 0);
  assert_int_equal(tl.busy_ns + tl.idle_ns, 0);
}

/* No activities at all: the whole window is idle. */
static void test_no_activities(void **state) {
  (void)state;
  struct timeline tl = measure(NULL, 0, 5, 105);
  expect_times(&tl, (struct times){.idle = 100});
}

/* Missing inputs make exactly the figures that use them undefined, with the reason. The
 * timeline is the pure-compute one: math = 60, compute = busy = 90, T = 100. */
static void test_missing_inputs(void **state) {
  (void)state;
  struct timeline_activity a[] = {ACT(0, 60, GEMM, 0), ACT(60, 90, OTHER, 0)};
  struct timeline tl = measure(a, N(a), 0, 100);

  struct efficiency e = efficiency(&tl, NAN, 48000, P); /* no model: HFU only */
  expect_efficiency(&e, (double[]){NAN, NAN, 0.8, 60.0 / 90, 1, 0.9});
  assert_string_equal(e.why[EFF_MFU], "no model FLOPs");
  assert_string_equal(e.why[EFF_COVERAGE], "no model FLOPs");

  e = efficiency(&tl, 36000, 48000, 0); /* unknown device, no --peak-tflops */
  expect_efficiency(&e, (double[]){NAN, 0.75, NAN, 60.0 / 90, 1, 0.9});
  assert_string_equal(e.why[EFF_MFU], "no peak FLOP/s");
  assert_string_equal(e.why[EFF_KERNEL], "no peak FLOP/s");

  e = efficiency(&tl, 36000, 0, P); /* math kernels ran but no FLOPs were counted */
  expect_efficiency(&e, (double[]){0.36, NAN, 0, 60.0 / 90, 1, 0.9});
  assert_string_equal(e.why[EFF_COVERAGE], "no math FLOPs counted");

  e = efficiency(&tl, -1, -1, NAN);
  for (int f = EFF_MFU; f <= EFF_KERNEL; f++) assert_true(isnan(e.value[f]) && e.why[f]);
}

/* Two ranks of different peaks, T_step = 100 ns:
 *   rank 0 (P = 1e12): math 50, compute 50, busy 80; F_model 30000, F_math 40000
 *   rank 1 (P = 2e12): math 60, compute 90, busy 90; F_model 36000, F_math 48000
 * Peak-weighted FLOP capacities: math 50e3 + 120e3 = 170e3, compute 50e3 + 180e3 = 230e3,
 * busy 80e3 + 180e3 = 260e3, window 100e3 + 200e3 = 300e3.
 *   MFU = 66000/300000 = 0.22       coverage = 66000/88000 = 0.75
 *   η_kernel = 88/170   η_memory = 170/230   η_comm = 230/260   η_parallel = 260/300 */
static void test_job(void **state) {
  (void)state;
  struct timeline_activity r0[] = {ACT(0, 50, GEMM, 0), ACT(50, 80, NCCL, 0)};
  struct timeline_activity r1[] = {ACT(0, 60, GEMM, 0), ACT(60, 90, OTHER, 0)};
  struct timeline tl[2] = {measure(r0, N(r0), 0, 100), measure(r1, N(r1), 0, 100)};
  struct efficiency_inputs w[2] = {{30000, 40000, 1e12}, {36000, 48000, 2e12}};
  struct efficiency e;
  efficiency_of_job(tl, w, 2, 100, &e);
  expect_efficiency(&e, (double[]){0.22, 0.75, 88.0 / 170, 170.0 / 230, 230.0 / 260,
                                   260.0 / 300});
  assert_close(product(&e), 0.22);

  /* A rank without a peak: no job MFU; the time ratios weigh the ranks equally:
   * memory (50 + 60)/(50 + 90), comm 140/170, parallel 170/200. */
  w[1].peak = 0;
  efficiency_of_job(tl, w, 2, 100, &e);
  expect_efficiency(&e, (double[]){NAN, 0.75, NAN, 110.0 / 140, 140.0 / 170, 170.0 / 200});

  /* One rank: the job is that rank. */
  struct efficiency one;
  w[1].peak = 2e12;
  efficiency_of_job(&tl[1], &w[1], 1, 100, &e);
  efficiency_of_step(&tl[1], &w[1], &one);
  for (int f = 0; f < EFF_COUNT; f++) assert_true(e.value[f] == one.value[f]);
}

static void test_straggler(void **state) {
  (void)state;
  struct straggler s;
  size_t order[3];
  /* Synchronized ranks (10 ms steps): ranks 0 and 2 waited ~0.5 ms in collectives for rank 1,
   * which waited 0.12 ms: its work outside NCCL is the longest. */
  const struct straggler_rank sync[] = {{0, 10e-3, 0.5e-3}, {1, 10e-3, 0.12e-3}, {2, 10e-3, 0.48e-3}};
  assert_true(straggler_find(sync, 3, order, &s));
  assert_int_equal(s.slowest, 1);
  assert_int_equal(s.fastest, 0);
  assert_true(fabs(s.spread_s - 0.38e-3) < 1e-15);
  assert_true(s.stands_out);
  assert_int_equal(order[0], 1);
  assert_int_equal(order[1], 2);
  assert_int_equal(order[2], 0);
  /* No collectives: the longest step. */
  const struct straggler_rank apart[] = {{0, 1.10e-3, 0}, {1, 4.25e-3, 0}};
  assert_true(straggler_find(apart, 2, order, &s));
  assert_int_equal(s.slowest, 1);
  /* Equal work: the longer step, then the lower rank number; within 1%: none stands out. */
  const struct straggler_rank tie[] = {{3, 2e-3, 1e-3}, {2, 1.5e-3, 0.5e-3}, {5, 1.5e-3, 0.5e-3}};
  assert_true(straggler_find(tie, 3, order, &s));
  assert_int_equal(order[0], 0);
  assert_int_equal(order[1], 1); /* rank 2 before rank 5 */
  assert_true(s.stands_out);     /* a 25% longer step */
  const struct straggler_rank even[] = {{0, 1e-3, 0}, {1, 1.005e-3, 0}};
  assert_true(straggler_find(even, 2, order, &s));
  assert_int_equal(s.slowest, 1);
  assert_false(s.stands_out);
  assert_false(straggler_find(even, 1, order, &s));
}

/* ------------------------------------------------------------------ random timelines */

#define TEST_RNG_SEED 0x9e3779b97f4a7c15ull
#include "test_rng.h"

/* The reference's accounting of `ns` during which the categories marked in `on` run. */
static void tally(struct timeline *ref, const bool on[CAT_COUNT], uint64_t ns) {
  bool math = on[CAT_GEMM] || on[CAT_ATTENTION];
  bool compute = math || on[CAT_OTHER];
  bool copy = on[CAT_MEMCPY] || on[CAT_MEMSET];
  for (int c = 0; c < CAT_COUNT; c++) ref->category_ns[c] += on[c] ? ns : 0;
  ref->busy_ns += compute || on[CAT_NCCL] ? ns : 0;
  ref->math_ns += math ? ns : 0;
  ref->comm_ns += on[CAT_NCCL] ? ns : 0;
  ref->exposed_comm_ns += on[CAT_NCCL] && !compute ? ns : 0;
  ref->compute_ns += compute ? ns : 0;
  ref->copy_ns += copy ? ns : 0;
  ref->idle_ns += compute || on[CAT_NCCL] || copy ? 0 : ns;
}

/* The reference: which categories run at each ns of the window, by looking at every
 * activity; and each activity's FLOPs inside by counting its ns inside. */
static void brute_force(const struct timeline_activity *a, size_t n, uint64_t t0, uint64_t t1,
                        struct timeline *ref) {
  *ref = (struct timeline){.window_ns = t1 > t0 ? t1 - t0 : 0};
  for (uint64_t x = t0; x < t1; x++) {
    bool on[CAT_COUNT] = {0};
    for (size_t i = 0; i < n; i++)
      if (a[i].start_ns <= x && x < a[i].end_ns && (unsigned)a[i].cat < CAT_COUNT)
        on[a[i].cat] = true;
    tally(ref, on, 1);
  }
  for (size_t i = 0; i < n; i++) {
    if (a[i].end_ns < a[i].start_ns || (unsigned)a[i].cat >= CAT_COUNT) {
      ref->invalid++;
      continue;
    }
    uint64_t len = a[i].end_ns - a[i].start_ns, inside = 0;
    for (uint64_t x = a[i].start_ns; x < a[i].end_ns; x++) inside += x >= t0 && x < t1;
    if (len == 0)
      ref->flops[a[i].cat] += a[i].start_ns >= t0 && a[i].start_ns < t1 ? a[i].flops : 0;
    else
      ref->flops[a[i].cat] += a[i].flops * ((double)inside / (double)len);
  }
}

#define expect_field(field)                                                              \
  do {                                                                                   \
    if (tl->field != ref->field)                                                         \
      fail_msg("trial %d: " #field " = %llu, brute force %llu", trial,                   \
               (unsigned long long)tl->field, (unsigned long long)ref->field);           \
  } while (0)

static void expect_same(const struct timeline *tl, const struct timeline *ref, int trial) {
  expect_field(window_ns);
  expect_field(busy_ns);
  expect_field(math_ns);
  expect_field(comm_ns);
  expect_field(exposed_comm_ns);
  expect_field(compute_ns);
  expect_field(copy_ns);
  expect_field(idle_ns);
  expect_field(invalid);
  for (int c = 0; c < CAT_COUNT; c++) {
    expect_field(category_ns[c]);
    if (!(fabs(tl->flops[c] - ref->flops[c]) <= 1e-12 * fabs(ref->flops[c])))
      fail_msg("trial %d: %s FLOPs %.17g, brute force %.17g", trial, activity_category_name[c],
               tl->flops[c], ref->flops[c]);
  }
}

/* Thousands of random timelines on small ranges, so that every shape occurs: nested,
 * touching, identical, zero-length, outside the window, crossing its edges, invalid. */
static void test_random_against_brute_force(void **state) {
  (void)state;
  for (int trial = 0; trial < 20000; trial++) {
    struct timeline_activity a[16];
    size_t n = below(N(a) + 1);
    for (size_t i = 0; i < n; i++) {
      uint64_t s = below(64), len = below(4) ? below(24) : 0;
      a[i] = (struct timeline_activity){s, s + len, (enum activity_category)below(CAT_COUNT),
                               (double)below(1000)};
      if (below(40) == 0) a[i].end_ns = s ? s - 1 : 0; /* invalid, or zero-length at 0 */
    }
    uint64_t t0 = below(40), t1 = t0 + (below(8) ? below(48) : 0);
    struct timeline tl, ref;
    timeline_measure(a, n, t0, t1, &tl);
    brute_force(a, n, t0, t1, &ref);
    expect_same(&tl, &ref, trial);
  }
}

/* MFU = coverage · η_kernel · η_memory · η_comm · η_parallel to 1e-9 relative, whenever all
 * are defined; each figure is undefined exactly when its denominator is 0 or an input it
 * needs is missing. */
static void test_random_identity(void **state) {
  (void)state;
  int complete = 0;
  for (int trial = 0; trial < 20000; trial++) {
    struct timeline_activity a[24];
    size_t n = below(N(a) + 1);
    for (size_t i = 0; i < n; i++) {
      uint64_t s = below(1000000);
      a[i] = (struct timeline_activity){s, s + below(300000), (enum activity_category)below(CAT_COUNT),
                               0};
    }
    uint64_t t0 = below(200000), t1 = t0 + below(8) * below(1000000);
    struct timeline tl;
    timeline_measure(a, n, t0, t1, &tl);
    double f_model = below(10) ? (double)below(1u << 30) : NAN;
    double f_math = below(10) ? (double)below(1u << 30) : 0;
    double peak = below(10) ? (double)(1 + below(2000)) * 1e12 : 0;
    struct efficiency e = efficiency(&tl, f_model, f_math, peak);

    bool model = !isnan(f_model), has_peak = peak > 0, window = tl.window_ns > 0;
    bool defined[EFF_COUNT] = {model && window && has_peak, model && f_math > 0,
                               has_peak && tl.math_ns > 0, tl.compute_ns > 0, tl.busy_ns > 0,
                               window};
    bool all = true;
    for (int f = 0; f < EFF_COUNT; f++) {
      all = all && defined[f];
      if (defined[f] != !isnan(e.value[f]) || defined[f] != !e.why[f])
        fail_msg("trial %d: %s = %g (%s)", trial, efficiency_name[f], e.value[f],
                 e.why[f] ? e.why[f] : "defined");
    }
    if (!all) continue;
    complete++;
    double mfu = e.value[EFF_MFU];
    if (!(fabs(product(&e) - mfu) <= 1e-9 * mfu))
      fail_msg("trial %d: product %.17g, MFU %.17g", trial, product(&e), mfu);
    assert_close(mfu, f_model / ((double)tl.window_ns * 1e-9 * peak));
  }
  assert_true(complete > 5000); /* the identity was checked often, not vacuously */
}

/* 100,000 kernels over one second, against an independent method: how many of each
 * category run in each µs, from difference arrays (every time is a multiple of 1 µs).
 * A quadratic sweep would not finish. */
static void test_large_timeline(void **state) {
  (void)state;
  enum { CELLS = 1000000, KERNELS = 100000 };
  struct timeline_activity *a = malloc(KERNELS * sizeof *a);
  int32_t(*diff)[CELLS + 1] = calloc(CAT_COUNT, sizeof *diff);
  assert_non_null(a);
  assert_non_null(diff);
  for (size_t i = 0; i < KERNELS; i++) {
    uint64_t s = below(CELLS), len = 1 + below(40);
    if (s + len > CELLS) len = CELLS - s;
    a[i] = (struct timeline_activity){s * 1000, (s + len) * 1000, (enum activity_category)below(CAT_COUNT),
                             0};
    diff[a[i].cat][s]++;
    diff[a[i].cat][s + len]--;
  }
  struct timeline ref = {.window_ns = 800000000ull}, tl;
  int32_t depth[CAT_COUNT] = {0};
  for (uint64_t x = 0; x < CELLS; x++) {
    bool on[CAT_COUNT];
    for (int c = 0; c < CAT_COUNT; c++) on[c] = (depth[c] += diff[c][x]) > 0;
    if (x >= 100000 && x < 900000) tally(&ref, on, 1000); /* the window [0.1 s, 0.9 s) */
  }
  timeline_measure(a, KERNELS, 100000000ull, 900000000ull, &tl);
  expect_same(&tl, &ref, 0);
  free(diff);
  free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pure_compute),
      cmocka_unit_test(test_overlapping_streams),
      cmocka_unit_test(test_comm_fully_hidden),
      cmocka_unit_test(test_comm_fully_exposed),
      cmocka_unit_test(test_comm_partly_hidden),
      cmocka_unit_test(test_copies_hide_nothing),
      cmocka_unit_test(test_idle_gaps),
      cmocka_unit_test(test_memcpy_only),
      cmocka_unit_test(test_window_edges),
      cmocka_unit_test(test_zero_length),
      cmocka_unit_test(test_identical_intervals),
      cmocka_unit_test(test_invalid_activities),
      cmocka_unit_test(test_empty_window),
      cmocka_unit_test(test_no_activities),
      cmocka_unit_test(test_missing_inputs),
      cmocka_unit_test(test_job),
      cmocka_unit_test(test_straggler),
      cmocka_unit_test(test_random_against_brute_force),
      cmocka_unit_test(test_random_identity),
      cmocka_unit_test(test_large_timeline),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
