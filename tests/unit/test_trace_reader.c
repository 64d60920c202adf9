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
  size_t gaps;
  char gap[192]; /* the first gap's reason */
  uint64_t gap_offset;
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
  r.gaps = t.gaps.n;
  if (t.gaps.n) {
    snprintf(r.gap, sizeof r.gap, "%s", t.gaps.list[0].reason);
    r.gap_offset = t.gaps.list[0].offset;
  }
  assert_true(r.complete == (r.problem[0] == '\0' && !r.gaps));
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

/* The checksums cover every byte: a flipped bit costs its block, and only its block; the
 * reader goes on after it (the last block, END, leaves the file without an end). */
static void test_every_flipped_bit(void **state) {
  (void)state;
  struct fx fx;
  standard(&fx);
  for (size_t at = 0; at < fx.len; at++) {
    unsigned char bit = (unsigned char)(1u << (at % 8));
    fx.buf[at] ^= bit;
    fx_save(&fx, path, fx.len);
    fx.buf[at] ^= bit;
    struct mfu_trace t;
    int open = mfu_trace_open(&t, path);
    uint64_t records = 0;
    while (mfu_trace_next(&t)) records++;
    assert_false(t.complete);
    if (at < MFU_HEADER_SIZE) {
      assert_int_equal(open, -1);
      mfu_trace_close(&t);
      continue;
    }
    size_t b = 0;
    while (b + 1 < fx.nblocks && fx.block_start[b + 1] <= at) b++;
    assert_int_equal(records, 5 - fx.block_records[b]);
    if (b + 1 == fx.nblocks) { /* END: damage to the end of the file */
      assert_int_equal(t.gaps.n, 0);
      assert_int_equal(t.tail.offset, fx.block_start[b]);
      assert_int_equal(t.problem_offset, fx.block_start[b]);
      mfu_trace_close(&t);
      continue;
    }
    assert_int_equal(t.gaps.n, 1);
    assert_int_equal(t.gaps.list[0].offset, fx.block_start[b]);
    assert_int_equal(t.gaps.list[0].bytes, fx.block_start[b + 1] - fx.block_start[b]);
    assert_int_equal(t.gaps.list[0].blocks, 1);
    /* the count is known from the block's header while the header chains to the next */
    if (at >= fx.block_start[b] + sizeof(struct mfu_block_header))
      assert_int_equal(t.gaps.list[0].records, fx.block_records[b]);
    else
      assert_true(t.gaps.list[0].records == -1 || t.gaps.list[0].records == fx.block_records[b]);
    assert_int_equal(t.tail.bytes, 0);
    assert_string_equal(t.problem, ""); /* apart from the gap, the file is whole */
    mfu_trace_close(&t);
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

static void newer_version(struct mfu_file_header *h) { h->version = MFU_TRACE_VERSION + 1; }
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
  char newer[64];
  snprintf(newer, sizeof newer, "format version %u is newer", MFU_TRACE_VERSION + 1);
  assert_contains(r.problem, newer);
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
  fx_block(&fx, MFU_BLOCK_RECORDS, 2, recs, 3 * MFU_RECORD_V1_SIZE);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  struct result r = read_fx(&fx, fx.len);
  assert_int_equal(r.records, 1); /* the block is skipped, END read */
  assert_int_equal(r.gap_offset, bad);
  assert_contains(r.gap, "RECORDS block of 2 records of 128 bytes has payload_size 384");
  assert_string_equal(r.problem, "");
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
  assert_contains(read_fx(&fx, fx.len).gap, "malformed STRINGS block: entry 0 (id 1, 100 bytes)");
  fx_free(&fx);

  fx_begin(&fx, "j", 0, 1);
  fx_block(&fx, MFU_BLOCK_END, 1, NULL, 0);
  fx_header(&fx, MFU_FILE_COMPLETE);
  r = read_fx(&fx, fx.len);
  assert_contains(r.gap, "END block with a payload");
  assert_contains(r.problem, "no END block");
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
  assert_int_equal(res.gaps, 1);
  assert_int_equal(res.gap_offset, gap);
  assert_contains(res.gap, "block sequence number 2, expected 1");
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

/* API names, RUN_BLOCKS RECORDS blocks of 3 records each, END; where each block starts. */
enum { RUN_BLOCKS = 8 };
static void long_run(struct fx *fx) {
  fx_begin(fx, "j", 0, 1);
  fx_api_names(fx);
  for (int b = 0; b < RUN_BLOCKS; b++) {
    struct mfu_record r[3];
    for (int i = 0; i < 3; i++)
      r[i] = fx_gemm(fx, MFU_API_cublasGemmEx, 1 + b, 2, 3 + i, MFU_PREC_BF16, 0);
    fx_records(fx, r, 3);
  }
  fx_end(fx);
  fx_header(fx, MFU_FILE_COMPLETE);
}
#define RUN_BLOCK(fx, b) ((fx)->block_start[1 + (b)]) /* block 0 holds the API names */

/* Reads the file fx holds and returns how many records it yielded; t stays open. */
static uint64_t read_all(struct mfu_trace *t, const struct fx *fx) {
  fx_save(fx, path, fx->len);
  assert_int_equal(mfu_trace_open(t, path), 0);
  uint64_t n = 0;
  for (const struct mfu_record *r; (r = mfu_trace_next(t));) n++;
  assert_int_equal(n, t->records);
  return n;
}

/* A torn block in the middle costs that block only; the rest is read, the gap reported. */
static void test_reads_past_a_torn_block(void **state) {
  (void)state;
  struct fx fx;
  long_run(&fx);
  size_t at = RUN_BLOCK(&fx, 3);
  memset(fx.buf + at + 40, 0x5a, 200);
  struct mfu_trace t;
  assert_int_equal(read_all(&t, &fx), 3 * RUN_BLOCKS - 3);
  assert_false(t.complete);
  assert_int_equal(t.gaps.n, 1);
  assert_int_equal(t.gaps.list[0].offset, at);
  assert_int_equal(t.gaps.list[0].bytes, RUN_BLOCK(&fx, 4) - at);
  assert_int_equal(t.gaps.list[0].blocks, 1);
  assert_int_equal(t.gaps.list[0].records, 3);
  assert_contains(t.gaps.list[0].reason, "block checksum mismatch");
  assert_int_equal(t.gaps.records, 3);
  assert_string_equal(t.problem, "");
  assert_int_equal(t.tail.bytes, 0);
  assert_true(t.saw_end);
  mfu_trace_close(&t);
  fx_free(&fx);
}

/* Zeros over several blocks and their headers: the blocks lost are known from the sequence
 * numbers, their records are not; two damaged regions are two gaps, in file order. */
static void test_reads_past_zeroed_regions(void **state) {
  (void)state;
  struct fx fx;
  long_run(&fx);
  size_t from = RUN_BLOCK(&fx, 1) + 64, to = RUN_BLOCK(&fx, 4) + 64;
  memset(fx.buf + from, 0, to - from); /* blocks 1 to 4 */
  fx.buf[RUN_BLOCK(&fx, 6)] ^= 1;      /* block 6's magic */
  struct mfu_trace t;
  assert_int_equal(read_all(&t, &fx), 3 * (RUN_BLOCKS - 5));
  assert_int_equal(t.gaps.n, 2);
  assert_int_equal(t.gaps.list[0].offset, RUN_BLOCK(&fx, 1));
  assert_int_equal(t.gaps.list[0].bytes, RUN_BLOCK(&fx, 5) - RUN_BLOCK(&fx, 1));
  assert_int_equal(t.gaps.list[0].blocks, 4);
  assert_int_equal(t.gaps.list[0].records, -1);
  assert_int_equal(t.gaps.list[1].offset, RUN_BLOCK(&fx, 6));
  assert_int_equal(t.gaps.list[1].blocks, 1);
  assert_int_equal(t.gaps.list[1].records, -1); /* its header is the damaged part */
  assert_contains(t.gaps.list[1].reason, "bad block magic");
  assert_int_equal(t.gaps.unknown, 2);
  assert_int_equal(t.gaps.bytes, t.gaps.list[0].bytes + t.gaps.list[1].bytes);
  mfu_trace_close(&t);
  fx_free(&fx);
}

/* Two one-record blocks and END, with `between` bytes (of `n`) between the two: they are
 * skipped as a gap in which nothing was lost. Returns the gap's reason. */
static void read_with_bytes_between(const void *between, size_t n, const char *reason) {
  struct fx fx;
  fx_begin(&fx, "j", 0, 1);
  struct mfu_record r = fx_gemm(&fx, 1, 2, 2, 2, MFU_PREC_FP16, 0);
  fx_records(&fx, &r, 1);
  size_t at = fx.len;
  fx_append(&fx, between, n);
  fx_records(&fx, &r, 1);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  struct mfu_trace t;
  assert_int_equal(read_all(&t, &fx), 2);
  assert_int_equal(t.gaps.n, 1);
  assert_int_equal(t.gaps.list[0].offset, at);
  assert_int_equal(t.gaps.list[0].bytes, n);
  assert_int_equal(t.gaps.list[0].blocks, 0);
  assert_int_equal(t.gaps.list[0].records, 0);
  assert_contains(t.gaps.list[0].reason, reason);
  assert_true(t.saw_end);
  assert_false(t.complete);
  assert_string_equal(t.problem, "");
  mfu_trace_close(&t);
  fx_free(&fx);
}

/* Bytes that are no block, and a stale copy of a block (which must not count twice). */
static void test_stray_bytes_and_repeated_blocks(void **state) {
  (void)state;
  read_with_bytes_between("not a block, only bytes.", 24, "bad block magic");
  struct fx first;
  fx_begin(&first, "j", 0, 1);
  struct mfu_record r = fx_gemm(&first, 1, 2, 2, 2, MFU_PREC_FP16, 0);
  fx_records(&first, &r, 1); /* sequence number 0, as the first block of the file */
  read_with_bytes_between(first.buf + MFU_HEADER_SIZE, first.len - MFU_HEADER_SIZE,
                          "block sequence number 0 is behind the 1 expected");
  fx_free(&first);
}

/* A last block cut in its payload: the records its header announced are the tail's loss. */
static void test_torn_tail(void **state) {
  (void)state;
  struct fx fx;
  long_run(&fx);
  size_t cut = RUN_BLOCK(&fx, RUN_BLOCKS - 1) + 32 + 100;
  fx.len = cut;
  struct mfu_trace t;
  assert_int_equal(read_all(&t, &fx), 3 * (RUN_BLOCKS - 1));
  assert_int_equal(t.gaps.n, 0);
  assert_int_equal(t.tail.offset, RUN_BLOCK(&fx, RUN_BLOCKS - 1));
  assert_int_equal(t.tail.bytes, 132);
  assert_int_equal(t.tail.blocks, 1);
  assert_int_equal(t.tail.records, 3);
  assert_contains(t.problem, "truncated block: payload_size 384 but only 100 bytes follow: the "
                             "process was killed while writing");
  mfu_trace_close(&t);
  fx_free(&fx);
}

/* Every other one of 200 blocks damaged: all gaps counted, the first TRACE_GAPS_KEPT
 * listed. */
static void test_many_gaps(void **state) {
  (void)state;
  struct fx fx;
  fx_begin(&fx, "j", 0, 1);
  struct mfu_record r = fx_gemm(&fx, 1, 2, 2, 2, MFU_PREC_FP16, 0);
  size_t damaged[100];
  for (int b = 0; b < 200; b++) {
    if (b % 2 == 0) damaged[b / 2] = fx.len; /* the first among them */
    fx_records(&fx, &r, 1);
  }
  for (int i = 0; i < 100; i++) fx.buf[damaged[i] + 100] ^= 0x80;
  fx_header(&fx, 0);
  struct mfu_trace t;
  assert_int_equal(read_all(&t, &fx), 100);
  assert_int_equal(t.gaps.n, 100);
  assert_int_equal(t.gaps.records, 100);
  assert_int_equal(t.gaps.bytes, 100 * 160);
  assert_int_equal(t.gaps.list[TRACE_GAPS_KEPT - 1].offset, damaged[TRACE_GAPS_KEPT - 1]);
  mfu_trace_close(&t);
  fx_free(&fx);
}

/* The string table by id: dense API ids, dynamic ids, and any 32-bit id a file may hold. */
static void test_string_table(void **state) {
  (void)state;
  enum { N = 5000 };
  static uint32_t ids[3 * N];
  static char text[3 * N][16];
  static const char *names[3 * N];
  for (uint32_t i = 0; i < N; i++) {
    ids[i] = 1 + i;
    ids[N + i] = MFU_STRING_DYNAMIC + i;
    ids[2 * N + i] = 0x9e3779b9u * (i + 1) | 0x80000000u; /* distinct, above the others */
  }
  for (size_t i = 0; i < 3 * N; i++) {
    snprintf(text[i], sizeof text[i], "s%u", ids[i]);
    names[i] = text[i];
  }
  struct fx fx;
  fx_begin(&fx, "j", 0, 1);
  fx_strings(&fx, 3 * N, ids, names);
  uint32_t again = MFU_STRING_DYNAMIC + 7;
  const char *redefined = "redefined";
  fx_strings(&fx, 1, &again, &redefined);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  struct mfu_trace t;
  assert_int_equal(read_all(&t, &fx), 0);
  assert_true(t.complete);
  for (size_t i = 0; i < 3 * N; i++)
    if (ids[i] != again) assert_string_equal(mfu_trace_string(&t, ids[i]), names[i]);
  assert_string_equal(mfu_trace_string(&t, again), "redefined");
  assert_null(mfu_trace_string(&t, 0));
  assert_null(mfu_trace_string(&t, N + 1));
  assert_null(mfu_trace_string(&t, 0xffffffffu));
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
      cmocka_unit_test_setup_teardown(test_reads_past_a_torn_block, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reads_past_zeroed_regions, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stray_bytes_and_repeated_blocks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_torn_tail, setup, teardown),
      cmocka_unit_test_setup_teardown(test_many_gaps, setup, teardown),
      cmocka_unit_test_setup_teardown(test_string_table, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
