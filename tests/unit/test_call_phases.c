/* Unit tests of the phase an NVTX range gives a rank's calls (steps/call_times' sites rows,
 * callsites/sites' phases), from a hand-built trace:
 *   thread 4242: push "forward" ... pop; push "backward" ... pop; two GEMMs in each of
 *                64x64x64 (524 288 FLOPs) forward and 128x64x64 (1 048 576) backward
 *   thread 77:   a GEMM 64x64x64 while thread 4242 is in "forward": no phase (another
 *                thread's push range); a GEMM inside the start/end range "optimizer", which
 *                holds every thread's calls
 * So forward 1 048 576 FLOPs, backward 4 194 304 (ratio 4), optimizer 524 288, other 524 288. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "callsites/sites.h"
#include "job/job.h"
#include "trace_fixture.h"

enum { S_FORWARD = MFU_STRING_DYNAMIC, S_BACKWARD, S_OPTIMIZER };

static void nvtx_ranges_say_phases(void **state) {
  (void)state;
  char dir[400], path[500], err[512];
  snprintf(dir, sizeof dir, "%s/phases", fx_dir);
  snprintf(path, sizeof path, "%s/r0.mfutrace", dir);
  mkdir(dir, 0755);
  struct fx fx;
  fx_begin(&fx, "job", 0, 1);
  fx_api_names(&fx);
  static const uint32_t ids[] = {S_FORWARD, S_BACKWARD, S_OPTIMIZER};
  static const char *const names[] = {"forward", "backward", "optimizer"};
  fx_strings(&fx, 3, ids, names);
  struct mfu_record r[16];
  size_t n = 0;
  r[n++] = fx_marker(MFU_MARKER_PUSH, fx.clock_ns, 4242, S_FORWARD);
  r[n++] = fx_gemm(&fx, MFU_API_cublasGemmEx, 64, 64, 64, MFU_PREC_BF16, 0);
  r[n] = fx_gemm(&fx, MFU_API_cublasGemmEx, 64, 64, 64, MFU_PREC_BF16, 0);
  r[n++].tid = 77; /* another thread's: not in this push range */
  r[n++] = fx_gemm(&fx, MFU_API_cublasGemmEx, 64, 64, 64, MFU_PREC_BF16, 0);
  r[n++] = fx_marker(MFU_MARKER_POP, fx.clock_ns, 4242, 0);
  r[n++] = fx_marker(MFU_MARKER_PUSH, fx.clock_ns, 4242, S_BACKWARD);
  for (int i = 0; i < 4; i++) r[n++] = fx_gemm(&fx, MFU_API_cublasGemmEx, 128, 64, 64, MFU_PREC_BF16, 0);
  r[n++] = fx_marker(MFU_MARKER_POP, fx.clock_ns, 4242, 0);
  r[n] = fx_marker(MFU_MARKER_START, fx.clock_ns, 5, S_OPTIMIZER);
  r[n++].tid = 77;
  r[n] = fx_gemm(&fx, MFU_API_cublasGemmEx, 64, 64, 64, MFU_PREC_BF16, 0);
  r[n++].tid = 77;
  r[n++] = fx_marker(MFU_MARKER_END, fx.clock_ns, 5, 0); /* ended by another thread */
  fx_records_shuffled(&fx, r, n);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  fx_save(&fx, path, fx.len);
  fx_free(&fx);

  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, dir, NULL, NULL, err, sizeof err), 0);
  assert_int_equal(t.njobs, 1);
  const struct call_times *ct = &t.jobs[0].files[0]->call_times;
  uint64_t calls[PHASE_COUNT] = {0};
  for (size_t i = 0; i < ct->nsites; i++) {
    assert_int_equal(ct->sites[i].site, 0); /* no call-site table in this trace */
    calls[ct->sites[i].range_phase] += ct->sites[i].calls;
  }
  assert_int_equal(calls[PHASE_FORWARD], 2);
  assert_int_equal(calls[PHASE_BACKWARD], 4);
  assert_int_equal(calls[PHASE_OPTIMIZER], 1);
  assert_int_equal(calls[PHASE_OTHER], 1);

  struct symbolizer *z = symbolizer_new();
  struct callsites cs;
  callsites_of_job(&t.jobs[0], z, &cs);
  assert_int_equal(cs.n, 0);
  assert_false(cs.has_info);
  assert_int_equal(cs.unattributed.calls, 8);
  assert_true(cs.phase[PHASE_FORWARD].flops == 1048576.0);
  assert_true(cs.phase[PHASE_BACKWARD].flops == 4194304.0);
  assert_true(cs.phase[PHASE_OPTIMIZER].flops == 524288.0);
  assert_true(cs.phase[PHASE_OTHER].flops == 524288.0);
  assert_true(callsites_backward_forward(&cs) == 4.0);
  assert_int_equal(cs.phase[PHASE_BACKWARD].host_ns, 4 * 500);
  callsites_free(&cs);
  symbolizer_free(z);
  mfu_traces_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(nvtx_ranges_say_phases)};
  return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
