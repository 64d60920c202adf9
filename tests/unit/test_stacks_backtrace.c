/* Call sites without libunwind (MFU_LIBUNWIND names a file that is not there): glibc's
 * backtrace() unwinds instead, the trace says so, and the sites are the same. With
 * MFU_STACKS=1 every call is unwound, so the same path from two places is two sites. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "config.h"
#include "stacks_fixture.h"
#include "unwind.h"

static void fallback_names_the_same_functions(void **state) {
  (void)state;
  setenv("MFU_LIBUNWIND", "/nonexistent/libunwind.so.8", 1);
  setenv("MFU_STACKS", "1", 1);
  mfu_config_load();
  mfu_stacks_start();
  assert_int_equal(mfu_unwind_method(), MFU_UNWINDER_BACKTRACE);
  uint32_t first = a(), other = b(), again = a();
  assert_int_not_equal(first, 0);
  assert_int_not_equal(other, 0);
  assert_int_not_equal(first, other);
  assert_int_not_equal(again, first); /* unwound again: called from another line */
  struct trace_callsites table = {0};
  struct symbolizer *z = symbolizer_new();
  fx_take_sites(&table);
  assert_int_equal(table.info.unwinder, MFU_UNWINDER_BACKTRACE);
  assert_int_equal(table.info.sample_every, 1);
  assert_string_equal(fx_frame_name(z, &table, first, 0), "gemm");
  assert_string_equal(fx_frame_name(z, &table, first, 1), "a");
  assert_string_equal(fx_frame_name(z, &table, again, 1), "a");
  assert_string_equal(fx_frame_name(z, &table, other, 0), "gemm");
  assert_string_equal(fx_frame_name(z, &table, other, 1), "c");
  assert_string_equal(fx_frame_name(z, &table, other, 2), "b");
  trace_callsites_free(&table);
  symbolizer_free(z);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(fallback_names_the_same_functions)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
