/* Unit tests of the shim's CPython line-table decoders (pyframes.c): one function's
 * co_linetable from CPython 3.11 and from 3.10, with the line of every code unit as co_lines()
 * gives it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pyframes.h"

/* def f(x):                    (line 1)
 *     y = x + 1
 *     if y:
 *         z = (y *
 *              2)
 *     return [i
 *             for i in range(z)] */
static const unsigned char table[] = {
    0x80, 0x00, 0xd8, 0x08, 0x09, 0x88, 0x41, 0x89, 0x05, 0x80, 0x41, 0xd8, 0x07, 0x08, 0xf0,
    0x00, 0x02, 0x05, 0x10, 0xd8, 0x0d, 0x0e, 0xd8, 0x0d, 0x0e, 0xf1, 0x03, 0x01, 0x0e, 0x0f,
    0x88, 0x01, 0xf0, 0x04, 0x01, 0x0c, 0x1f, 0xf0, 0x00, 0x01, 0x0c, 0x1f, 0xdd, 0x15, 0x1a,
    0x98, 0x31, 0x91, 0x58, 0x94, 0x58, 0xf0, 0x03, 0x01, 0x0c, 0x1f, 0xf1, 0x00, 0x01, 0x0c,
    0x1f, 0xf4, 0x00, 0x01, 0x0c, 0x1f, 0xf0, 0x00, 0x01, 0x05, 0x1f};
static const int32_t lines[] = {1, 2, 2, 2, 2, 2, 3, 3, 4, 5, 4, 4, 4, 6, 6, 7, 7, 7, 7,
                                7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 6, 6, 6};

static void line_of_every_code_unit(void **state) {
  (void)state;
  for (int32_t i = 0; i < (int32_t)(sizeof lines / sizeof *lines); i++)
    if (mfu_py_line(table, sizeof table, 1, i) != lines[i])
      fail_msg("code unit %d: line %d, expected %d", i, mfu_py_line(table, sizeof table, 1, i), lines[i]);
  assert_int_equal(mfu_py_line(table, sizeof table, 1, 38), -1); /* past the end */
  assert_int_equal(mfu_py_line(table, sizeof table, 101, 9), 105); /* lines count from the first */
  static const unsigned char none[] = {0xf8 | 1};                  /* code 15: no location, 2 units */
  assert_int_equal(mfu_py_line(none, sizeof none, 1, 1), -1);
  static const unsigned char junk[] = {0x01};
  assert_int_equal(mfu_py_line(junk, sizeof junk, 1, 0), -1);
}

/* The same function under 3.10: (bytes, line delta) pairs. */
static const unsigned char table_310[] = {0x08, 0x01, 0x04, 0x01, 0x02, 0x01, 0x02, 0x01,
                                          0x04, 0xff, 0x06, 0x02, 0x06, 0x01, 0x06, 0xff};
static const int32_t lines_310[] = {2, 2, 2, 2, 3, 3, 4, 5, 4, 4, 6, 6, 6, 7, 7, 7, 6, 6, 6};

static void line_of_every_code_unit_310(void **state) {
  (void)state;
  for (int32_t i = 0; i < (int32_t)(sizeof lines_310 / sizeof *lines_310); i++)
    if (mfu_py_line_310(table_310, sizeof table_310, 1, i) != lines_310[i])
      fail_msg("code unit %d: line %d, expected %d", i,
               mfu_py_line_310(table_310, sizeof table_310, 1, i), lines_310[i]);
  assert_int_equal(mfu_py_line_310(table_310, sizeof table_310, 1, 19), -1); /* past the end */
  static const unsigned char none[] = {0x04, 0x80};                           /* -128: no line */
  assert_int_equal(mfu_py_line_310(none, sizeof none, 1, 1), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(line_of_every_code_unit),
                                     cmocka_unit_test(line_of_every_code_unit_310)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
