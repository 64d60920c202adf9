/* Unit tests of a rank's call table (steps/calls.h), from hand-made records (no descriptors,
 * as in a v1 file, so every call finds its class by value): classes shared by the calls of one
 * shape, call site and thread; external ids and host durations kept exactly, past 32 bits
 * too; graph launches; each activity tied to its call, kernels given their name's category. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "mfu/nccl.h"
#include "steps/call_times.h"
#include "steps/phases.h"
#include "steps/calls.h"
#include "timeline/timeline.h"
#include "trace/decode.h"

static struct mfu_record gemm(uint32_t tid, int64_t m, uint64_t start, uint64_t end,
                              uint64_t external) {
  struct mfu_record r = {.kind = MFU_REC_GEMM, .api = 3, .tid = tid, .t_start_ns = start,
                         .t_end_ns = end, .correlation = external, .flops = 2 * (uint64_t)m * 64 * 64,
                         .callsite = 7};
  r.u.gemm = (struct mfu_gemm){.m = m, .n = 64, .k = 64, .batch = 1, .groups = 1};
  return r;
}

static struct mfu_record activity(uint16_t kind, uint64_t start, uint64_t end, uint32_t cupti) {
  struct mfu_record r = {.kind = kind, .t_start_ns = start, .t_end_ns = end};
  if (kind == MFU_REC_KERNEL) r.u.kernel.correlation = cupti;
  else r.u.memop.correlation = cupti;
  return r;
}

static struct mfu_record pair(uint32_t cupti, uint64_t external) {
  struct mfu_record r = {.kind = MFU_REC_CORRELATION};
  r.u.correlation.correlation = cupti;
  r.u.correlation.external = external;
  return r;
}

static void classes_and_columns(void **state) {
  (void)state;
  struct mfu_trace t = {.descriptor = TRACE_NO_DESCRIPTOR};
  struct rank_calls *c = rank_calls_new();
  rank_calls_reserve(c, 2);
  struct mfu_record failed = gemm(1, 64, 50, 60, 9);
  failed.status = 13;
  struct mfu_record r[] = {
      gemm(1, 64, 100, 150, 1), gemm(1, 128, 200, 260, 2), gemm(1, 64, 300, 350, 3),
      gemm(2, 64, 400, 450, 4), /* another thread: another class */
      gemm(1, 64, 500, 500 + (1ull << 33), 5), /* a host duration past 32 bits */
      gemm(1, 64, 600, 610, (1ull << 40) + 6), /* an external id past 32 bits */
      failed};
  for (size_t i = 0; i < sizeof r / sizeof *r; i++) rank_calls_add(c, &r[i], &t);
  assert_int_equal(c->n, 6);
  assert_int_equal(c->nclasses, 3);
  assert_int_equal(c->cls[0], 0);
  assert_int_equal(c->cls[1], 1);
  assert_int_equal(c->cls[2], 0);
  assert_int_equal(c->cls[3], 2);
  assert_int_equal(c->cls[4], 0);
  assert_int_equal(c->classes[1].u.gemm.m, 128);
  assert_int_equal(c->classes[2].tid, 2);
  assert_int_equal(c->classes[0].callsite, 7);
  assert_true(c->classes[1].work == 2.0 * 128 * 64 * 64);
  assert_int_equal(c->seq[1].key, c->classes[1].key);
  assert_true(c->seq[0].key != c->seq[1].key);
  assert_int_equal(c->seq[3].key, c->seq[0].key); /* detection sees the same call */
  assert_int_equal(c->seq[3].time_ns, 400);
  assert_non_null(c->host_ns.wide);
  assert_int_equal(rank_column_get(&c->host_ns, 0), 50);
  assert_int_equal(rank_column_get(&c->host_ns, 4), 1ull << 33);
  assert_int_equal(rank_column_get(&c->host_ns, 5), 10);
  assert_non_null(c->external.wide);
  assert_int_equal(rank_column_get(&c->external, 3), 4);
  assert_int_equal(rank_column_get(&c->external, 5), (1ull << 40) + 6);
  rank_calls_free(c);
}

/* Without the GPU timeline the calls have no external ids: that column is never allocated. */
static void zero_column(void **state) {
  (void)state;
  struct mfu_trace t = {.descriptor = TRACE_NO_DESCRIPTOR};
  struct rank_calls *c = rank_calls_new();
  struct mfu_record r[] = {gemm(1, 64, 100, 150, 0), gemm(1, 64, 200, 200, 0),
                           gemm(1, 64, 300, 340, 0)};
  for (size_t i = 0; i < 3; i++) rank_calls_add(c, &r[i], &t);
  assert_null(c->external.narrow);
  assert_null(c->external.wide);
  assert_non_null(c->host_ns.narrow);
  assert_int_equal(rank_column_get(&c->external, 2), 0);
  assert_int_equal(rank_column_get(&c->host_ns, 1), 0);
  assert_int_equal(rank_column_get(&c->host_ns, 2), 40);
  assert_true(c->in_order);
  struct mfu_record late = gemm(1, 64, 250, 260, 0);
  rank_calls_add(c, &late, &t);
  assert_false(c->in_order);
  rank_calls_resolve(c, &t);
  rank_calls_free(c);
}

static void activities_to_calls(void **state) {
  (void)state;
  struct mfu_trace t = {.descriptor = TRACE_NO_DESCRIPTOR};
  struct rank_calls *c = rank_calls_new();
  struct mfu_record nccl = {.kind = MFU_REC_NCCL, .tid = 1, .t_start_ns = 300, .t_end_ns = 310,
                            .correlation = 3};
  nccl.u.nccl = (struct mfu_nccl){.op = MFU_NCCL_ALLREDUCE, .bytes = 4096, .comm_size = 8,
                                  .comm_id = 11};
  struct mfu_record r[] = {
      gemm(1, 64, 100, 150, 1), gemm(1, 64, 200, 250, 2), nccl,
      pair(10, 1), pair(20, 2), pair(30, 3), pair(40, 99), pair(50, 8),
      activity(MFU_REC_KERNEL, 1000, 1100, 20), activity(MFU_REC_MEMCPY, 1100, 1150, 10),
      activity(MFU_REC_KERNEL, 1200, 1300, 40), /* a pair, no such call */
      activity(MFU_REC_KERNEL, 1300, 1400, 60), /* no pair */
      activity(MFU_REC_KERNEL, 1400, 1500, 30), activity(MFU_REC_KERNEL, 1500, 1600, 50)};
  for (size_t i = 0; i < sizeof r / sizeof *r; i++) rank_calls_add(c, &r[i], &t);
  /* One launch of a graph whose one capture did 1000 FLOPs; its external id is 8. */
  struct mfu_graph_capture capture = {0};
  size_t members[] = {0};
  struct mfu_graph_launch launch = {.t_ns = 250, .correlation = 8, .executable = 5, .first = 0,
                                    .n = 1};
  struct mfu_graphs g = {.captures = &capture, .ncaptures = 1, .launch_list = &launch,
                         .nlaunch_list = 1, .members = members};
  double flops[] = {1000};
  rank_calls_add_launches(c, &g, flops);
  assert_int_equal(c->n, 4);
  assert_int_equal(c->nclasses, 3);
  assert_int_equal(c->classes[c->cls[2]].kind, RANK_CALL_NCCL);
  assert_true(c->classes[c->cls[2]].work == 4096);
  assert_int_equal(c->classes[c->cls[3]].kind, RANK_CALL_LAUNCH);
  assert_true(c->classes[c->cls[3]].work == 1000);
  assert_int_equal(c->seq[3].time_ns, 250);
  rank_calls_resolve(c, &t);
  assert_null(c->corr);
  assert_null(c->external.narrow);
  assert_int_equal(c->nacts, 6);
  assert_int_equal(c->acts[0].call, 1);
  assert_int_equal(c->acts[0].cat, CAT_OTHER); /* a kernel without a name */
  assert_int_equal(c->acts[1].call, 0);
  assert_int_equal(c->acts[1].cat, CAT_MEMCPY);
  assert_int_equal(c->acts[2].call, RANK_CALL_NONE);
  assert_int_equal(c->acts[3].call, RANK_CALL_NONE);
  assert_int_equal(c->acts[4].call, 2);
  assert_int_equal(c->acts[5].call, 3);
  assert_int_equal(c->acts[5].end_ns, 1600);
  assert_int_equal(rank_column_get(&c->host_ns, 2), 10);
  rank_calls_drop_host(c);
  assert_null(c->host_ns.narrow);
  rank_calls_free(c);
}

/* call_times sums FLOPs by class when that gives the sums of doubles in the order read, and
 * call by call when it might not (sums past 2^53), with the same results either way. */
static void call_times_sums(void **state) {
  (void)state;
  struct mfu_trace t = {.descriptor = TRACE_NO_DESCRIPTOR};
  for (int big = 0; big < 2; big++) {
    struct rank_calls *c = rank_calls_new();
    /* Big: 2^53 then three times 1 sum to 2^53 in doubles (each 1 is lost), not 2^53 + 4. */
    struct mfu_record r[] = {gemm(1, 64, 100, 150, 0), gemm(2, 64, 200, 230, 0),
                             gemm(1, 64, 300, 310, 0), gemm(2, 64, 400, 400, 0)};
    r[0].flops = big ? 1ull << 53 : 1000;
    r[1].flops = r[2].flops = r[3].flops = big ? 1 : 3000;
    double sum = 0;
    for (size_t i = 0; i < 4; i++) {
      rank_calls_add(c, &r[i], &t);
      sum += (double)r[i].flops;
    }
    rank_calls_resolve(c, &t);
    struct call_times ct;
    call_times_finish(c, &t, &ct);
    assert_int_equal(ct.ngemm, 1);
    assert_int_equal(ct.gemm[0].calls, 4);
    assert_true(ct.gemm[0].flops == sum);
    assert_true(ct.gemm[0].flops == (big ? 9007199254740992.0 : 10000));
    assert_int_equal(ct.nsites, 1);
    assert_int_equal(ct.sites[0].calls, 4);
    assert_int_equal(ct.sites[0].site, 7);
    assert_int_equal(ct.sites[0].range_phase, PHASE_OTHER);
    assert_true(ct.sites[0].flops == sum);
    assert_int_equal(ct.sites[0].host_ns, 90);
    call_times_free(&ct);
    rank_calls_free(c);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(classes_and_columns),
      cmocka_unit_test(zero_column),
      cmocka_unit_test(call_times_sums),
      cmocka_unit_test(activities_to_calls),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
