/* Unit tests of analyzer/trace/callsites: call-site entries built by hand from
 * include/mfu/callsites.h, read back; each kind of damage refused with the entry's offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "trace/callsites.h"

struct buf {
  unsigned char b[4096];
  size_t n;
};

/* Appends an entry: body, then strings (each with its NUL), padded to 8. */
static size_t put(struct buf *p, unsigned type, const void *body, size_t len, const char *s1,
                  const char *s2) {
  size_t l1 = s1 ? strlen(s1) + 1 : 0, l2 = s2 ? strlen(s2) + 1 : 0;
  struct mfu_cs_entry e = {.type = (uint16_t)type,
                           .size = mfu_cs_entry_size((uint32_t)len, (uint32_t)(l1 + l2))};
  size_t at = p->n;
  memset(p->b + at, 0, e.size);
  memcpy(p->b + at, &e, sizeof e);
  memcpy(p->b + at + sizeof e, body, len);
  if (s1) memcpy(p->b + at + sizeof e + len, s1, l1);
  if (s2) memcpy(p->b + at + sizeof e + len + l1, s2, l2);
  p->n += e.size;
  return at;
}

static void put_site(struct buf *p, uint32_t id, const uint64_t *frames, unsigned depth,
                     const struct mfu_cs_pyframe *py, unsigned npy) {
  unsigned char body[512];
  struct mfu_cs_site s = {.id = id, .depth = (uint16_t)depth, .py_depth = (uint16_t)npy,
                          .thread = "pt_autograd_0", .flags = MFU_CS_SITE_TRUNCATED};
  memcpy(body, &s, sizeof s);
  if (depth) memcpy(body + sizeof s, frames, depth * 8);
  if (npy) memcpy(body + sizeof s + depth * 8, py, npy * sizeof *py);
  put(p, MFU_CS_SITE, body, sizeof s + depth * 8 + npy * sizeof *py, NULL, NULL);
}

static void reads_what_was_written(void **state) {
  (void)state;
  struct buf p = {.n = 0};
  struct mfu_cs_info info = {.unwinder = MFU_UNWINDER_LIBUNWIND, .python = MFU_PY_READ,
                             .python_version = 0x030c, .sample_every = 1000, .max_depth = 48};
  put(&p, MFU_CS_INFO, &info, sizeof info, NULL, NULL);
  struct mfu_cs_module m = {.id = 1, .build_id_len = 3, .base = 0x7f0000000000, .size = 0x5000,
                            .build_id = {0xab, 0xcd, 0xef}};
  put(&p, MFU_CS_MODULE, &m, sizeof m, "/usr/lib/libtorch_cuda.so", NULL);
  struct mfu_cs_code c = {.id = 1, .first_line = 40};
  put(&p, MFU_CS_CODE, &c, sizeof c, "Attention.forward", "/home/me/model.py");
  put(&p, 99, &c, sizeof c, NULL, NULL); /* a newer shim's entry: skipped */
  const uint64_t frames[] = {mfu_cs_frame(1, 0x1234), mfu_cs_frame(MFU_CS_NO_MODULE, 0x7fff0000)};
  const struct mfu_cs_pyframe py[] = {{1, 142}, {0, -1}};
  put_site(&p, 2, frames, 2, py, 2);

  struct trace_callsites t = {0};
  char err[256] = "";
  assert_int_equal(trace_callsites_add(&t, p.b, p.n, err, sizeof err), 0);
  assert_true(t.has_info);
  assert_int_equal(t.info.python_version, 0x030c);
  assert_int_equal(t.skipped, 1);
  const struct trace_cs_module *mod = trace_callsites_module(&t, 1);
  assert_string_equal(mod->path, "/usr/lib/libtorch_cuda.so");
  assert_int_equal(mod->base, 0x7f0000000000);
  assert_int_equal(mod->build_id_len, 3);
  assert_int_equal(mod->build_id[2], 0xef);
  const struct trace_cs_code *code = trace_callsites_code(&t, 1);
  assert_string_equal(code->name, "Attention.forward");
  assert_string_equal(code->file, "/home/me/model.py");
  assert_int_equal(code->first_line, 40);
  assert_null(trace_callsites_site(&t, 1)); /* ids need not be dense */
  const struct trace_cs_site *s = trace_callsites_site(&t, 2);
  assert_non_null(s);
  assert_string_equal(s->thread, "pt_autograd_0");
  assert_int_equal(s->flags, MFU_CS_SITE_TRUNCATED);
  assert_int_equal(s->depth, 2);
  assert_int_equal(mfu_cs_frame_module(s->frames[0]), 1);
  assert_int_equal(mfu_cs_frame_offset(s->frames[0]), 0x1234);
  assert_int_equal(mfu_cs_frame_module(s->frames[1]), MFU_CS_NO_MODULE);
  assert_int_equal(s->py[0].line, 142);
  assert_null(trace_callsites_site(&t, 3));
  assert_null(trace_callsites_code(&t, 0));
  trace_callsites_free(&t);
}

/* Reading `p` fails with a message containing `want`. */
static void refused(const struct buf *p, const char *want) {
  struct trace_callsites t = {0};
  char err[256] = "";
  assert_int_equal(trace_callsites_add(&t, p->b, p->n, err, sizeof err), -1);
  if (!strstr(err, want)) fail_msg("'%s' does not say '%s'", err, want);
  trace_callsites_free(&t);
}

static void damage_is_refused(void **state) {
  (void)state;
  struct buf p = {.n = 0};
  struct mfu_cs_module m = {.id = 1};
  put(&p, MFU_CS_MODULE, &m, sizeof m, "/lib/x.so", NULL);
  struct buf twice = p;
  put(&twice, MFU_CS_MODULE, &m, sizeof m, "/lib/y.so", NULL);
  refused(&twice, "MODULE entry at byte 80: id 1 is 0, reserved, too large or defined twice");

  struct buf odd = p;
  ((struct mfu_cs_entry *)odd.b)->size = 13;
  refused(&odd, "entry at byte 0 has size 13");
  struct buf cut = p;
  cut.n -= 8;
  refused(&cut, "within the 72 bytes left");
  struct buf nopath = {.n = 0};
  put(&nopath, MFU_CS_MODULE, &m, sizeof m, NULL, NULL);
  refused(&nopath, "MODULE entry at byte 0 has no path");

  struct buf undefined = p;
  const uint64_t frames[] = {mfu_cs_frame(2, 16)};
  put_site(&undefined, 1, frames, 1, NULL, 0);
  refused(&undefined, "SITE entry at byte 80 uses module 2, not defined before it");
  struct buf nocode = p;
  const struct mfu_cs_pyframe py[] = {{5, 1}};
  put_site(&nocode, 1, NULL, 0, py, 1);
  refused(&nocode, "uses Python code object 5");

  struct buf overflow = {.n = 0};
  struct mfu_cs_site s = {.id = 1, .depth = 100};
  put(&overflow, MFU_CS_SITE, &s, sizeof s, NULL, NULL);
  refused(&overflow, "100 frames and 0 Python frames do not fit");
  struct buf huge = {.n = 0};
  m.id = 1u << 30;
  put(&huge, MFU_CS_MODULE, &m, sizeof m, "/lib/x.so", NULL);
  refused(&huge, "too large");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(reads_what_was_written),
      cmocka_unit_test(damage_is_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
