/* Unit tests of the text report's size: a run of 1,000 steps and a job of 1,024 ranks each fit
 * one screen (SCREEN_LINES), with the steps condensed to the first, median, p90, slowest and
 * last and a sparkline, the ranks to the slowest and fastest few, and a warning said of every
 * rank written once; --steps all and --full list everything. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "report_capture.h"

#define SCREEN_LINES 60

static size_t lines(const char *s) {
  size_t n = 0;
  for (; *s; s++) n += *s == '\n';
  return n;
}

/* One rank's trace: `steps` steps of the same 4 calls (3 GEMMs, an all-reduce), step s taking
 * step_ns(s) on the host; no GPU timeline. No END block unless `complete`. */
static void write_steps(const char *dir, int rank, int world, int steps,
                        uint64_t (*step_ns)(int rank, int step), bool complete) {
  struct fx fx;
  fx_begin(&fx, "big", rank, world);
  fx_api_names(&fx);
  struct mfu_record *r = malloc((size_t)steps * 4 * sizeof *r);
  assert_non_null(r);
  uint64_t t = FX_START_MONOTONIC_NS + 1000000;
  for (int s = 0; s < steps; s++) {
    fx.clock_ns = t;
    r[4 * s] = fx_gemm(&fx, MFU_API_cublasGemmEx, 1024, 1024, 1024, MFU_PREC_BF16, 0);
    r[4 * s + 1] = fx_gemm(&fx, MFU_API_cublasGemmEx, 1024, 4096, 1024, MFU_PREC_BF16, 0);
    r[4 * s + 2] = fx_gemm(&fx, MFU_API_cublasGemmEx, 4096, 1024, 1024, MFU_PREC_BF16, 0);
    r[4 * s + 3] = fx_nccl(&fx, MFU_API_ncclAllReduce, MFU_NCCL_ALLREDUCE, 1 << 20, 9, world, 0);
    t += step_ns(rank, s);
  }
  fx_records(&fx, r, (size_t)steps * 4);
  if (complete) fx_end(&fx);
  fx_header(&fx, complete ? MFU_FILE_COMPLETE : 0);
  char path[600];
  mkdir(dir, 0755);
  snprintf(path, sizeof path, "%s/r%04d.mfutrace", dir, rank);
  fx_save(&fx, path, fx.len);
  fx_free(&fx);
  free(r);
}

/* 1.1 ms a step; step 500 takes 4.25 ms, steps 900-909 2 ms. */
static uint64_t long_run(int rank, int step) {
  (void)rank;
  return step == 500 ? 4250000 : step >= 900 && step < 910 ? 2000000 : 1100000;
}

static void test_thousand_steps(void **state) {
  (void)state;
  char dir[400];
  snprintf(dir, sizeof dir, "%s/long", fx_dir);
  write_steps(dir, 0, 1, 1000, long_run, true);
  struct output *o = report(dir, "--peak-tflops", "100", NULL);
  assert_int_equal(o->status, 0);
  if (lines(o->out) > SCREEN_LINES) {
    fputs(o->out, stderr);
    fail_msg("%zu lines, more than a screen", lines(o->out));
  }
  assert_contains(o->out, "found      1000 (every 4 calls");
  assert_contains(o->out, "steps of rank 0 (the first, median, p90, slowest and last; --steps all "
                          "lists all)\n");
  assert_contains(o->out, "\n        0       1.100 ");
  assert_contains(o->out, "first\n");
  assert_contains(o->out, "\n      500       4.250 ");
  assert_contains(o->out, "slowest\n");
  assert_contains(o->out, "      999 ");
  assert_contains(o->out, "last; end unknown\n");
  assert_contains(o->out, "median\n");
  assert_contains(o->out, "p90\n");
  /* Every measured step in 60 marks: steps 0-998, the mean of each mark's 16 or 17. */
  assert_contains(o->out, "  steps 0-998  ");
  assert_contains(o->out, " (each mark the mean of its steps); median 1.100, p90 1.100\n");
  assert_contains(o->out, "\u2581\u2581");
  assert_contains(o->out, "\u2588");
  assert_null(strstr(o->out, "\n      250 "));

  o = report(dir, "--steps", "all", NULL);
  assert_int_equal(o->status, 0);
  assert_true(lines(o->out) > 1000);
  assert_contains(o->out, "\n      250       1.100 ");
  o = report(dir, "--steps", "some", NULL);
  assert_int_equal(o->status, 2);
  assert_contains(o->err, "--steps 'some': expected 'all'");
}

/* 1,024 ranks of 12 steps, each 1.1 ms + 20 ns per rank number (rank 1023 the slowest, 1.9%
 * slower than rank 0), none with its END block (killed by a time limit), no device recorded. */
static uint64_t wide_run(int rank, int step) {
  (void)step;
  return 1100000 + 20 * (uint64_t)rank;
}

static void test_thousand_ranks(void **state) {
  (void)state;
  char dir[400];
  snprintf(dir, sizeof dir, "%s/wide", fx_dir);
  for (int rank = 0; rank < 1024; rank++) write_steps(dir, rank, 1024, 12, wide_run, false);
  struct output *o = report(dir, NULL);
  assert_int_equal(o->status, 0);
  if (lines(o->out) > SCREEN_LINES) {
    fputs(o->out, stderr);
    fail_msg("%zu lines, more than a screen", lines(o->out));
  }
  assert_contains(o->out, "ranks     1024 of world size 1024, 1024 trace files");
  /* The slowest three and the fastest three. */
  assert_contains(o->out, "\nranks by time per step outside NCCL kernels, the slowest first\n");
  assert_contains(o->out, "\n     1023 node127 ");
  assert_contains(o->out, "\n     1021 node127 ");
  assert_contains(o->out, "  ... 1018 ranks between (--json ranks_by_work lists all)\n");
  assert_contains(o->out, "\n        0 node0 ");
  assert_contains(o->out, "likely straggler: rank 1023 (node127): 1.120 ms per step, 0.000 ms of it in NCCL kernels; the fastest, rank 0: 1.100 ms, 0.000 ms in NCCL (0.020 ms less outside NCCL)");
  /* One line per kind of warning, not one per rank. */
  assert_contains(o->out, "  - 1024 ranks (0, 1, 2, 3, 4 and 1019 more) are incomplete: every "
                          "block before where each ends counts (all in --json incomplete_files); "
                          "the first: rank 0 (");
  assert_contains(o->out, "  - 1024 ranks (0, 1, 2, 3, 4 and 1019 more) have no peak: the trace names "
                          "no device; pass --device NAME or --peak-tflops N\n");
  assert_null(strstr(o->out, "rank 1 ("));

  o = report(dir, "--full", NULL);
  assert_int_equal(o->status, 0);
  assert_contains(o->out, "\nper rank\n");
  assert_contains(o->out, "r1023.mfutrace  (incomplete)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_thousand_steps, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_thousand_ranks, fx_setup, fx_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
