/* For unit tests that run the shim in-process (its objects linked in, the doubles behind
 * them): the group runs in a scratch directory, where the shim's trace lands, and once the
 * shim has written its last records the directory is removed. */
#ifndef MFU_SHIM_FIXTURE_H
#define MFU_SHIM_FIXTURE_H

#include <unistd.h>

#include "trace_fixture.h"
#include "writer.h"

#define run_shim_tests(tests, setup)                                                           \
  run_shim_group(#tests, tests, sizeof(tests) / sizeof((tests)[0]), setup)

static inline int run_shim_group(const char *name, const struct CMUnitTest *tests, size_t n,
                                 CMFixtureFunction setup) {
  char dir[256];
  fx_tmpdir(dir);
  if (chdir(dir) != 0) return 1;
  int failed = _cmocka_run_group_tests(name, tests, n, setup, NULL);
  mfu_writer_final_flush(); /* before the directory goes; the exit flush then has nothing */
  if (chdir("/") == 0) fx_rmtree(dir);
  return failed;
}

#endif
