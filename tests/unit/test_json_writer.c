/* Unit tests of analyzer/util/json_writer: layout, escaping, exact 128-bit integers, doubles that
 * read back exactly; the output parses as JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_writer.h"
#include "util/u128.h"

/* A writer into memory; text() ends it and returns what was written. */
struct capture {
  char *buf;
  size_t len;
  FILE *f;
  struct jw j;
};

static struct jw *start(struct capture *c) {
  c->f = open_memstream(&c->buf, &c->len);
  assert_non_null(c->f);
  jw_init(&c->j, c->f);
  return &c->j;
}

static char *text(struct capture *c) {
  fclose(c->f);
  return c->buf;
}

static void test_layout(void **state) {
  (void)state;
  struct capture c;
  struct jw *j = start(&c);
  jw_object_begin(j);
  jw_key(j, "a");
  jw_int(j, -3);
  jw_key(j, "list");
  jw_array_begin(j);
  jw_bool(j, true);
  jw_null(j);
  jw_object_begin(j);
  jw_object_end(j);
  jw_array_begin(j);
  jw_array_end(j);
  jw_array_end(j);
  jw_key(j, "o");
  jw_object_begin(j);
  jw_key(j, "s");
  jw_string(j, "x");
  jw_key(j, "n");
  jw_string(j, NULL);
  jw_object_end(j);
  jw_object_end(j);
  assert_string_equal(text(&c), "{\n"
                                "  \"a\": -3,\n"
                                "  \"list\": [\n"
                                "    true,\n"
                                "    null,\n"
                                "    {},\n"
                                "    []\n"
                                "  ],\n"
                                "  \"o\": {\n"
                                "    \"s\": \"x\",\n"
                                "    \"n\": null\n"
                                "  }\n"
                                "}\n");
  free(c.buf);
}

/* With line_depth 1, each member of the top object is one compact line. */
static void test_line_depth(void **state) {
  (void)state;
  struct capture c;
  struct jw *j = start(&c);
  j->line_depth = 1;
  jw_object_begin(j);
  jw_key(j, "events");
  jw_array_begin(j);
  jw_object_begin(j);
  jw_key(j, "ph");
  jw_string(j, "X");
  jw_key(j, "args");
  jw_object_begin(j);
  jw_key(j, "m");
  jw_int(j, 64);
  jw_object_end(j);
  jw_object_end(j);
  jw_array_begin(j);
  jw_array_end(j);
  jw_array_end(j);
  jw_key(j, "n");
  jw_int(j, 1);
  jw_object_end(j);
  assert_string_equal(text(&c), "{\n"
                                "  \"events\": [{\"ph\":\"X\",\"args\":{\"m\":64}},[]],\n"
                                "  \"n\": 1\n"
                                "}\n");
  free(c.buf);
}

static void test_escaping(void **state) {
  (void)state;
  struct capture c;
  struct jw *j = start(&c);
  jw_array_begin(j);
  jw_string(j, "quote\" backslash\\ nl\n tab\t cr\r bell\a del\x7f");
  jw_string(j, "utf-8: \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  jw_string(j, "latin-1 \xe9t\xe9, lone \x80, overlong \xc0\xaf, surrogate \xed\xa0\x80, cut \xe2\x82");
  jw_array_end(j);
  const char *out = text(&c);
  assert_string_equal(out, "[\n"
                           "  \"quote\\\" backslash\\\\ nl\\n tab\\t cr\\r bell\\u0007 del\\u007f\",\n"
                           "  \"utf-8: \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\",\n"
                           "  \"latin-1 \\ufffdt\\ufffd, lone \\ufffd, overlong \\ufffd\\ufffd, "
                           "surrogate \\ufffd\\ufffd\\ufffd, cut \\ufffd\\ufffd\"\n"
                           "]\n");
  json_error_t error;
  json_t *parsed = json_loads(out, 0, &error);
  assert_non_null(parsed);
  assert_string_equal(json_string_value(json_array_get(parsed, 0)),
                      "quote\" backslash\\ nl\n tab\t cr\r bell\a del\x7f");
  json_decref(parsed);
  free(c.buf);
}

static void test_u128(void **state) {
  (void)state;
  char buf[U128_DEC_SIZE];
  assert_string_equal(u128_to_dec(buf, 0), "0");
  assert_string_equal(u128_to_dec(buf, 7), "7");
  assert_string_equal(u128_to_dec(buf, UINT64_MAX), "18446744073709551615");
  assert_string_equal(u128_to_dec(buf, (unsigned __int128)UINT64_MAX + 1), "18446744073709551616");
  assert_string_equal(u128_to_dec(buf, (unsigned __int128)UINT64_MAX * 3),
                      "55340232221128654845");
  assert_string_equal(u128_to_dec(buf, ~(unsigned __int128)0),
                      "340282366920938463463374607431768211455");

  struct capture c;
  struct jw *j = start(&c);
  jw_u128(j, (unsigned __int128)1 << 100);
  assert_string_equal(text(&c), "1267650600228229401496703205376\n");
  free(c.buf);
}

static void test_doubles(void **state) {
  (void)state;
  const double values[] = {0, 0.1, 1.0 / 3, 2.5e-9, 1e300, -123456.789, 0.51370000000000005};
  const char *expected[] = {"0\n",      "0.1\n",         "0.3333333333333333\n", "2.5e-09\n",
                            "1e+300\n", "-123456.789\n", "0.5137\n"};
  for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
    struct capture c;
    struct jw *j = start(&c);
    jw_double(j, values[i]);
    char *out = text(&c);
    assert_string_equal(out, expected[i]);
    assert_true(strtod(out, NULL) == values[i]);
    free(c.buf);
  }
  struct capture c;
  struct jw *j = start(&c);
  jw_array_begin(j);
  jw_double(j, NAN);
  jw_double(j, INFINITY);
  jw_double(j, -INFINITY);
  jw_array_end(j);
  assert_string_equal(text(&c), "[\n  null,\n  null,\n  null\n]\n");
  free(c.buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_layout),
      cmocka_unit_test(test_line_depth),
      cmocka_unit_test(test_escaping),
      cmocka_unit_test(test_u128),
      cmocka_unit_test(test_doubles),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
