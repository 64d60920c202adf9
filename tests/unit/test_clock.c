/* The shim's record clock (shim/clock.h): with either source, a stamp converts to the
 * CLOCK_MONOTONIC time at which it was taken (within a few microseconds), and the header says
 * which source timed the calls and at what rate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"

static void use(const char *source) {
  setenv("MFU_CLOCK", source, 1);
  mfu_clock_init();
}

/* Stamps taken between two monotonic readings convert to within `slack` ns of them, after
 * the calibration of a later flush. */
static void stamps_convert_to_monotonic(uint64_t slack) {
  enum { N = 50 };
  uint64_t before[N], stamp[N], after[N];
  for (int i = 0; i < N; i++) {
    before[i] = mfu_clock_monotonic_ns();
    stamp[i] = mfu_clock_stamp();
    after[i] = mfu_clock_monotonic_ns();
    nanosleep(&(struct timespec){0, 100000}, NULL);
    if (i % 10 == 9) mfu_clock_calibrate();
  }
  mfu_clock_calibrate();
  for (int i = 0; i < N; i++) {
    uint64_t ns = mfu_clock_to_ns(stamp[i]);
    assert_in_range(ns, before[i] - slack, after[i] + slack);
  }
}

static void monotonic_stamps_are_nanoseconds(void **state) {
  (void)state;
  use("monotonic");
  assert_false(mfu_clock_tsc);
  stamps_convert_to_monotonic(0);
  struct mfu_file_header h = {0};
  mfu_clock_note(&h);
  assert_int_equal(h.clock_source, MFU_CLOCK_MONOTONIC);
  assert_int_equal(h.tsc_hz, 0);
}

static void tsc_stamps_convert_to_monotonic(void **state) {
  (void)state;
  use("tsc");
  if (!MFU_HAVE_TSC) skip();
  assert_true(mfu_clock_tsc);
  stamps_convert_to_monotonic(5000);
  struct mfu_file_header h = {0};
  mfu_clock_note(&h);
  assert_int_equal(h.clock_source, MFU_CLOCK_TSC);
  assert_in_range(h.tsc_hz, 100000000, 10000000000); /* 0.1 to 10 GHz */
  assert_int_equal(h.clock_rebases, 0);
  assert_in_range(h.clock_max_error_ns, 0, 100000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(monotonic_stamps_are_nanoseconds),
      cmocka_unit_test(tsc_stamps_convert_to_monotonic),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
