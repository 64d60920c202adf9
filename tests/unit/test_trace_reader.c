/* Unit tests of analyzer/trace/reader: valid traces read back exactly; every truncation,
 * every flipped bit, forged headers and malformed blocks are reported (with the offset where
 * the damage starts) after every valid block before them, and never crash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "trace_fixture.h"
#include "trace/reader.h"

static char dir[256], path[512];

static int setup(void **state) {
  (void)state;
  fx_tmpdir(dir);
  snprintf(path, sizeof path, "%s/t.mfutrace", dir);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  fx_rmtree(dir);
  return 0;
}

/* What reading a file gave. */
struct result {
  int open;
  uint64_t records, flops;
  bool complete;
  char problem[256];
  uint64_t offset;
};

static struct result read_path(const char *p) {
  struct mfu_trace t;
  struct result r = {.open = mfu_trace_open(&t, p)};
  for (const struct mfu_record *rec; (rec = mfu_trace_next(&t));) {
    r.records++;
    r.flops += rec->flops;
  }
  assert_int_equal(t.records, r.records);
  r.complete = t.complete;
  snprintf(r.problem, sizeof r.problem, "%s", t.problem);
  r.offset = t.problem_offset;
  assert_true(r.complete == (r.problem[0] == '\0'));
  mfu_trace_close(&t);
  return r;
}

static struct result read_fx(const struct fx *fx, size_t len) {
  fx_save(fx, path, len);
  return read_path(path);
}

#define assert_contains(text, part)                                                   \
  do {                                                                                \
    if (!strstr((text), (part))) fail_msg("'%s' does not contain '%s'", (text), (part)); \
  } while (0)

/* A complete trace: API names, then blocks of 3 and 2 records (one failed call), END. */
static void standard(struct fx *fx) {
  fx_begin(fx, "job-1", 0, 1);
  fx_api_names(fx);
  struct mfu_record a[] = {
      fx_gemm(fx, MFU_API_cublasGemmEx, 128, 256, 64, MFU_PREC_BF16, 0),
      fx_gemm(fx, MFU_API_cublasSgemm_v2, 10, 20, 30, MFU_PREC_FP32, 0),
      fx_gemm(fx, MFU_API_cublasGemmEx, 1, 1, 1, MFU_PREC_BF16, 14), /* failed */
  };
  struct mfu_record b[] = {
      fx_gemm(fx, MFU_API_cublasLtMatmul, 4096, 4096, 4096, MFU_PREC_FP8, 0),
      fx_gemm(fx, MFU_API_cublasDgemm_v2, 3, 5, 7, MFU_PREC_FP64, 0),
  };
  fx_records(fx, a, 3);
  fx_records(fx, b, 2);
  fx_end(fx);
  fx_header(fx, MFU_FILE_COMPLETE);
}

static const uint64_t standard_flops =
    2ull * 128 * 256 * 64 + 2 * 10 * 20 * 30 + 2ull * 4096 * 4096 * 4096 + 2 * 3 * 5 * 7;

static void test_round_trip(void **state) {
  (void)state;
  struct fx fx;
  standard(&fx);
  fx_save(&fx, path, fx.len);
  struct mfu_trace t;
  assert_int_equal(mfu_trace_open(&t, path), 0);
  assert_string_equal(t.header.job_id, "job-1");
  assert_int_equal(t.header.rank, 0);
  const struct mfu_record *r = mfu_trace_next(&t);
  assert_non_null(r);
  assert_int_equal(r->u.gemm.m, 128);
  assert_int_equal(r->u.gemm.precision, MFU_PREC_BF16);
  assert_string_equal(mfu_trace_string(&t, r->api), "cublasGemmEx");
  assert_null(mfu_trace_string(&t, 0xfffff));
  size_t n = 1;
  uint64_t flops = r->flops;
  while ((r = mfu_trace_next(&t))) {
    n++;
    flops += r->flops;
  }
  assert_int_equal(n, 5);
  assert_int_equal(flops, standard_flops);
  assert_true(t.complete);
  assert_string_equal(t.problem, "");
  assert_int_equal(t.blocks, 4);
  assert_null(mfu_trace_next(&t)); /* stays at the end */
  mfu_trace_close(&t);
  fx_free(&fx);
}

/* Records in the blocks that lie wholly within the first `len` bytes, and where the first
 * block that does not starts. */
static uint64_t records_before(const struct fx *fx, size_t len, uint64_t *damaged_block) {
  uint64_t n = 0;
  for (size_t b = 0; b < fx->nblocks; b++) {
    size_t end = b + 1 < fx->nblocks ? fx->block_start[b + 1] : fx->len;
    if (end > len) {
      *damaged_block = fx->block_start[b];
      return n;
    }
    n += fx->block_records[b];
  }
  *damaged_block = fx->len;
  return n;
}

static void test_truncated_at_every_offset(void **state) {
  (void)state;
  struct fx fx;
  standard(&fx);
  for (size_t cut = 0; cut < fx.len; cut++) {
    struct result r = read_fx(&fx, cut);
    assert_false(r.complete);
    if (cut < MFU_HEADER_SIZE) {
      assert_int_equal(r.open, -1);
      assert_int_equal(r.records, 0);
      continue;
    }
    uint64_t damaged;
    assert_int_equal(r.open, 0);
    assert_int_equal(r.records, records_before(&fx, cut, &damaged));
    assert_int_equal(r.offset, damaged);
  }
  fx_free(&fx);
}

/* The checksums cover every byte: any flipped bit stops the reader at its block. */
static void test_every_flipped_bit(void **state) {
  (void)state;
  struct fx fx;
  standard(&fx);
  for (size_t at = 0; at < fx.len; at++) {
    unsigned char bit = (unsigned char)(1u << (at % 8));
    fx.buf[at] ^= bit;
    struct result r = read_fx(&fx, fx.len);
    fx.buf[at] ^= bit;
    assert_false(r.complete);
    if (at < MFU_HEADER_SIZE) {
      assert_int_equal(r.open, -1);
      continue;
    }
    uint64_t damaged, block = 0;
    for (size_t b = 0; b < fx.nblocks && fx.block_start[b] <= at; b++) block = fx.block_start[b];
    assert_int_equal(r.records, records_before(&fx, block, &damaged));
    assert_int_equal(r.offset, block);
  }
  fx_free(&fx);
}

/* Random damage (several bytes overwritten, tails cut): never a crash (run it under ASan),
 * and a file is complete only when it is intact. */
static void test_random_damage(void **state) {
  (void)state;
  struct fx fx;
  standard(&fx);
  unsigned char *orig = malloc(fx.len);
  memcpy(orig, fx.buf, fx.len);
  srand(12345);
  for (int i = 0; i < 2000; i++) {
    memcpy(fx.buf, orig, fx.len);
    int changes = 1 + rand() % 4;
    for (int c = 0; c < changes; c++) {
      size_t at = MFU_HEADER_SIZE / 2 + (size_t)rand() % (fx.len - MFU_HEADER_SIZE / 2);
      fx.buf[at] = (unsigned char)rand();
    }
    size_t len = rand() % 2 ? fx.len : MFU_HEADER_SIZE + (size_t)rand() % (fx.len - MFU_HEADER_SIZE);
    struct result r = read_fx(&fx, len);
    bool same = len == fx.len && !memcmp(fx.buf, orig, fx.len);
    assert_true(r.complete == same);
    assert_true(r.records <= 5);
  }
  free(orig);
  fx_free(&fx);
}

/* A header forged by `change`, with a correct checksum unless the change breaks it. */
static struct result forged(void (*change)(struct mfu_file_header *)) {
  struct fx fx;
  standard(&fx);
  change(&fx.h);
  fx_header(&fx, fx.h.flags);
  struct result r = read_fx(&fx, fx.len);
  fx_free(&fx);
  assert_int_equal(r.open, -1);
  assert_false(r.complete);
  assert_int_equal(r.records, 0);
  return r;
}

static void newer_version(struct mfu_file_header *h) { h->version = 2; }
static void version_zero(struct mfu_file_header *h) { h->version = 0; }
static void other_byte_order(struct mfu_file_header *h) {
  h->byte_order = __builtin_bswap64(MFU_BYTE_ORDER_MARK);
  h->version = __builtin_bswap32(h->version); /* as that machine would have stored it */
}
static void bad_byte_order(struct mfu_file_header *h) { h->byte_order = 42; }
static void bad_magic(struct mfu_file_header *h) { memcpy(h->magic, "MFUTRACX", 8); }
static void bad_header_size(struct mfu_file_header *h) { h->header_size = 1024; }
static void bad_record_size(struct mfu_file_header *h) { h->record_size = 64; }

static void test_forged_headers(void **state) {
  (void)state;
  struct result r = forged(newer_version);
  assert_contains(r.problem, "format version 2 is newer");
  assert_contains(r.problem, "upgrade mfu");
  assert_int_equal(r.offset, offsetof(struct mfu_file_header, version));
  assert_contains(forged(version_zero).problem, "invalid format version 0");
  r = forged(other_byte_order);
  assert_contains(r.problem, "other byte order");
  assert_contains(r.problem, "0x0807060504030201");
  assert_contains(forged(bad_byte_order).problem, "invalid byte-order mark 0x000000000000002a");
  assert_contains(forged(bad_magic).problem, "not an mfu trace");
  assert_contains(forged(bad_header_size).problem, "header_size is 1024");
  assert_contains(forged(bad_record_size).problem, "record_size is 64");
}

static void test_header_checksum(void **state) {
  (void)state;
  struct fx fx;
  standard(&fx);
  fx.buf[1500] ^= 1; /* reserved bytes are covered too */
  struct result r = read_fx(&fx, fx.len);
  assert_int_equal(r.open, -1);
  assert_contains(r.problem, "header checksum mismatch");
  fx_free(&fx);
}

static void test_not_traces(void **state) {
  (void)state;
  static unsigned char zeros[4096];
  struct fx fx = {.buf = zeros, .len = sizeof zeros};
  struct result r = read_fx(&fx, 0);
  assert_int_equal(r.open, -1);
  assert_contains(r.problem, "empty file");
  assert_contains(read_fx(&fx, sizeof zeros).problem, "not an mfu trace");
  assert_contains(read_path(dir).problem, "is a directory");
  assert_contains(read_path("/nonexistent/x.mfutrace").problem, "cannot open: No such file");

  struct fx magic_only = {.buf = (unsigned char *)"MFUTRACE", .len = 8};
  assert_contains(read_fx(&magic_only, 8).problem, "truncated header (8 of 2048 bytes)");

  char fifo[600];
  snprintf(fifo, sizeof fifo, "%s/fifo.mfutrace", dir);
  assert_int_equal(mkfifo(fifo, 0600), 0);
  assert_contains(read_path(fifo).problem, "not a regular file"); /* and no hang */
}

/* A clean end needs both the END block and the complete flag, and consistent counts. */
static void test_completeness(void **state) {
  (void)state;
  struct fx fx;
  fx_begin(&fx, "j", 0, 1);
  fx_api_names(&fx);
  struct mfu_record r = fx_gemm(&fx, MFU_API_cublasGemmEx, 2, 2, 2, MFU_PREC_FP16, 0);
  fx_records(&fx, &r, 1);
  size_t before_end = fx.len;

  fx_header(&fx, MFU_FILE_COMPLETE); /* flag set, END missing */
  struct result res = read_fx(&fx, fx.len);
  assert_int_equal(res.records, 1);
  assert_contains(res.problem, "no END block after 2 valid blocks");
  assert_int_equal(res.offset, before_end);

  fx_header(&fx, MFU_FILE_SIGNAL_FLUSH);
  assert_contains(read_fx(&fx, fx.len).problem, "died from a fatal signal");

  fx_end(&fx);
  fx_header(&fx, 0); /* END present, flag missing */
  res = read_fx(&fx, fx.len);
  assert_int_equal(res.records, 1);
  assert_contains(res.problem, "lacks the complete flag");

  fx_header(&fx, MFU_FILE_COMPLETE);
  assert_true(read_fx(&fx, fx.len).complete);

  fx.records = 7;
  fx_header(&fx, MFU_FILE_COMPLETE);
  assert_contains(read_fx(&fx, fx.len).problem, "the header counts 7 records written, the blocks hold 1");
  fx.records = 1;

  fx_header(&fx, MFU_FILE_COMPLETE);
  fx_append(&fx, "garbage!", 8);
  res = read_fx(&fx, fx.len);
  assert_int_equal(res.records, 1);
  assert_contains(res.problem, "8 bytes after the END block");
  assert_int_equal(res.offset, fx.len - 8);
  fx_free(&fx);
}

/* Blocks whose checksum verifies but whose content is inconsistent. */
static void test_malformed_blocks(void **state) {
  (void)state;
  struct fx fx;
  struct mfu_record recs[3];

  fx_begin(&fx, "j", 0, 1);
  for (int i = 0; i < 3; i++) recs[i] = fx_gemm(&fx, 1, 2, 2, 2, MFU_PREC_FP16, 0);
  fx_records(&fx, recs, 1);
  size_t bad = fx.len;
  fx_block(&fx, MFU_BLOCK_RECORDS, 2, recs, 3 * sizeof *recs);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  struct result r = read_fx(&fx, fx.len);
  assert_int_equal(r.records, 1);
  assert_int_equal(r.offset, bad);
  assert_contains(r.problem, "RECORDS block of 2 records of 128 bytes has payload_size 384");
  fx_free(&fx);

  fx_begin(&fx, "j", 0, 1);
  fx_block(&fx, MFU_BLOCK_RECORDS, 0, recs, 12); /* not a multiple of 8 */
  fx_append(&fx, recs, 64);
  fx_header(&fx, 0);
  assert_contains(read_fx(&fx, fx.len).problem, "payload_size 12 is not a multiple of 8");
  fx_free(&fx);

  fx_begin(&fx, "j", 0, 1);
  struct mfu_block_header huge = {.magic = MFU_BLOCK_MAGIC, .type = MFU_BLOCK_RECORDS,
                                  .payload_size = MFU_BLOCK_MAX_PAYLOAD + 128};
  fx_append(&fx, &huge, sizeof huge);
  fx_header(&fx, 0);
  assert_contains(read_fx(&fx, fx.len).problem, "exceeds the 67108864-byte block limit");
  fx_free(&fx);

  fx_begin(&fx, "j", 0, 1);
  struct mfu_string e = {.id = 1, .len = 100}; /* longer than the block */
  unsigned char payload[16] = {0};
  memcpy(payload, &e, sizeof e);
  fx_block(&fx, MFU_BLOCK_STRINGS, 1, payload, sizeof payload);
  fx_header(&fx, 0);
  assert_contains(read_fx(&fx, fx.len).problem, "malformed STRINGS block: entry 0 (id 1, 100 bytes)");
  fx_free(&fx);

  fx_begin(&fx, "j", 0, 1);
  fx_block(&fx, MFU_BLOCK_END, 1, NULL, 0);
  fx_header(&fx, MFU_FILE_COMPLETE);
  assert_contains(read_fx(&fx, fx.len).problem, "END block with a payload");
  fx_free(&fx);
}

/* A block out of sequence is real data: read it, but report the loss before it. */
static void test_sequence_gap(void **state) {
  (void)state;
  struct fx fx;
  fx_begin(&fx, "j", 0, 1);
  struct mfu_record r = fx_gemm(&fx, 1, 2, 2, 2, MFU_PREC_FP16, 0);
  fx_records(&fx, &r, 1);
  fx.seq++; /* a block lost */
  size_t gap = fx.len;
  fx_records(&fx, &r, 1);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  struct result res = read_fx(&fx, fx.len);
  assert_int_equal(res.records, 2);
  assert_false(res.complete);
  assert_int_equal(res.offset, gap);
  assert_contains(res.problem, "block sequence number 2, expected 1");
  fx_free(&fx);
}

static void test_strings_and_unknown_blocks(void **state) {
  (void)state;
  struct fx fx;
  fx_begin(&fx, "j", 0, 1);
  uint32_t ids[] = {7, MFU_STRING_DYNAMIC, 7};
  const char *names[] = {"first", "exactly8", "seven"}; /* the second name of id 7 wins */
  fx_strings(&fx, 3, ids, names);
  fx_block(&fx, 99, 1, "future..", 8); /* a block type from a newer shim */
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  fx_save(&fx, path, fx.len);
  struct mfu_trace t;
  assert_int_equal(mfu_trace_open(&t, path), 0);
  assert_null(mfu_trace_next(&t));
  assert_true(t.complete);
  assert_int_equal(t.skipped_blocks, 1);
  assert_string_equal(mfu_trace_string(&t, 7), "seven");
  assert_string_equal(mfu_trace_string(&t, MFU_STRING_DYNAMIC), "exactly8");
  mfu_trace_close(&t);
  fx_free(&fx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
      cmocka_unit_test_setup_teardown(test_truncated_at_every_offset, setup, teardown),
      cmocka_unit_test_setup_teardown(test_every_flipped_bit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_random_damage, setup, teardown),
      cmocka_unit_test_setup_teardown(test_forged_headers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_header_checksum, setup, teardown),
      cmocka_unit_test_setup_teardown(test_not_traces, setup, teardown),
      cmocka_unit_test_setup_teardown(test_completeness, setup, teardown),
      cmocka_unit_test_setup_teardown(test_malformed_blocks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sequence_gap, setup, teardown),
      cmocka_unit_test_setup_teardown(test_strings_and_unknown_blocks, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
