/* Unit tests of analyzer/callsites/sites: two ranks' call-site tables (the shim's own entries,
 * taken in-process from two call paths and an autograd-named thread, read as two files), and
 * their call times as call_times gives them: one site per stack across the ranks, named, with
 * its phase, its shapes and its work; work per phase with NVTX ranges first; the
 * backward/forward FLOP ratio. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "callsites/sites.h"
#include "config.h"
#include "mfu/trace.h"
#include "stacks_fixture.h"

static void *autograd_thread(void *site) {
  pthread_setname_np(pthread_self(), "pt_autograd_0");
  *(uint32_t *)site = a();
  return NULL;
}

#define GEMM_ROW(site, range, shape, calls, flops, gpu)                                        \
  (struct call_times_site){site, MFU_REC_GEMM, range, shape, calls, calls, flops, gpu, 10 * (calls)}

static void sites_across_ranks(void **state) {
  (void)state;
  mfu_config_load();
  mfu_stacks_start();
  uint32_t site_a = a(), site_b = b(), site_bwd = 0;
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, autograd_thread, &site_bwd), 0);
  pthread_join(t, NULL);

  /* The same entries read as two ranks' files: their sites are one. */
  size_t cap = 1 << 20, n;
  unsigned char *buf = malloc(cap);
  struct trace_callsites rank[2] = {{0}, {0}};
  char err[256];
  while ((n = mfu_stacks_take(buf, cap)) > 0)
    for (int r = 0; r < 2; r++) assert_int_equal(trace_callsites_add(&rank[r], buf, n, err, sizeof err), 0);
  free(buf);

  struct call_times_gemm shapes[] = {{.m = 4096, .n = 4096, .k = 1024, .batch = 1},
                                     {.m = 128, .n = 128, .k = 128, .batch = 1}};
  struct call_times_site rows0[] = {
      GEMM_ROW(site_a, PHASE_OTHER, 0, 10, 1000.0, 500),
      GEMM_ROW(site_a, PHASE_OTHER, 1, 5, 50.0, 100),
      GEMM_ROW(site_b, PHASE_FORWARD, 0, 2, 100.0, 40), /* an NVTX "forward" range held them */
      GEMM_ROW(site_bwd, PHASE_OTHER, 0, 4, 400.0, 200),
      GEMM_ROW(0, PHASE_OTHER, 0, 1, 7.0, 3),          /* no call site */
  };
  struct call_times_site rows1[] = {GEMM_ROW(site_a, PHASE_OTHER, 0, 10, 1000.0, 600)};
  struct call_times times0 = {.gemm = shapes, .ngemm = 2, .sites = rows0, .nsites = 5};
  struct call_times times1 = {.gemm = shapes, .ngemm = 2, .sites = rows1, .nsites = 1};

  struct callsites_builder *bld = callsites_builder_new();
  callsites_add_file(bld, &rank[0], &times0);
  callsites_add_file(bld, &rank[1], &times1);
  struct symbolizer *z = symbolizer_new();
  struct callsites cs;
  callsites_finish(bld, z, &cs);

  assert_int_equal(cs.files, 2);
  assert_int_equal(cs.files_with_sites, 2);
  assert_true(cs.has_info);
  assert_false(cs.mixed_info);
  assert_int_equal(cs.n, 3);
  /* by FLOPs: a's path, the autograd thread's, b's */
  const struct callsite *first = &cs.v[0], *second = &cs.v[1], *third = &cs.v[2];
  assert_int_equal(first->ranks, 2);
  assert_int_equal(first->work.calls, 25);
  assert_true(first->work.flops == 2050.0);
  assert_int_equal(first->work.gpu_ns, 1200);
  assert_int_equal(first->work.host_ns, 250);
  assert_int_equal(first->nshapes, 2);
  assert_int_equal(first->shapes[0].gemm.m, 4096);
  assert_int_equal(first->shapes[0].work.calls, 20);
  assert_int_equal(first->shapes[1].gemm.m, 128);
  assert_string_equal(first->frames[0].function, "gemm");
  assert_string_equal(first->frames[1].function, "a");
  assert_non_null(first->frames[0].module);
  assert_int_equal(first->phase, PHASE_OTHER);
  assert_null(first->evidence);

  assert_string_equal(second->thread, "pt_autograd_0");
  assert_int_equal(second->phase, PHASE_BACKWARD);
  assert_string_equal(second->evidence, "pt_autograd_0");
  assert_int_equal(second->ranks, 1);

  assert_string_equal(third->frames[1].function, "c");
  assert_string_equal(third->frames[2].function, "b");

  /* phases: b's calls by their range, the autograd thread's by its site, a's other */
  assert_true(cs.phase[PHASE_FORWARD].flops == 100.0);
  assert_true(cs.phase[PHASE_BACKWARD].flops == 400.0);
  assert_true(cs.phase[PHASE_OTHER].flops == 2057.0);
  assert_int_equal(cs.phase[PHASE_OPTIMIZER].calls, 0);
  assert_int_equal(cs.unattributed.calls, 1);
  assert_true(callsites_backward_forward(&cs) == 4.0);

  callsites_free(&cs);
  symbolizer_free(z);
  for (int r = 0; r < 2; r++) trace_callsites_free(&rank[r]);
}

static void no_forward_no_ratio(void **state) {
  (void)state;
  struct callsites cs = {0};
  cs.phase[PHASE_BACKWARD].flops = 5;
  assert_true(callsites_backward_forward(&cs) < 0);
}

int main(void) {
  FX_SKIP_UNDER_TSAN();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sites_across_ranks),
      cmocka_unit_test(no_forward_no_ratio),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
