/* Trace format v2 (include/mfu/trace.h): the shim's encoder (shim/encode.c) and the analyzer's
 * reader agree on records of every kind, field for field; a block decodes on its own, so a
 * torn block costs only its own records; zstd blocks read back the same; malformed payloads
 * are reported, not guessed; and a GEMM stream takes the few bytes per call the format is
 * for. (Version 1 files are what trace_fixture.h writes: the other analyzer tests read them.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <zstd.h>

#include "compress.h"
#include "encode.h"
#include "job/counts.h"
#include "job/job.h"
#include "trace/memo.h"
#include "trace/reader.h"
#include "trace_fixture.h"

#define TEST_RNG_SEED 12
#include "test_rng.h"

enum { N = 3000, PER_BLOCK = 1000 };

static struct mfu_encoder enc;
static unsigned char payload[1 << 20];
static struct mfu_record sent[N];

/* A record of kind `kind` with fields drawn at random, as the shim could fill them: a few
 * shapes and streams, times that move on, ids that count up. */
static struct mfu_record random_record(unsigned kind, uint64_t *clock, uint64_t *id) {
  struct mfu_record r = {.kind = (uint16_t)kind, .api = (uint16_t)(1 + below(5)), .tid = 77,
                         .stream = 0x7f0000001000ull * below(3)};
  *clock += below(5000);
  r.t_start_ns = *clock;
  r.t_end_ns = *clock + below(3000);
  if (below(4) == 0) r.tid = 78 + (uint32_t)below(2);
  if (below(2)) r.correlation = ++*id;
  r.callsite = (uint32_t)below(3);
  switch (kind) {
  case MFU_REC_GEMM:
    r.u.gemm = (struct mfu_gemm){.m = 64 << below(4), .n = 128, .k = 64 << below(3), .batch = 1,
                                 .groups = 1, .precision = 4, .a_type = 14, .b_type = 14,
                                 .c_type = 14, .compute_type = 68, .scale_type = -1,
                                 .handle = 0x55aa00};
    r.u.gemm.capture = below(10) == 0 ? below(1000) : 0;
    r.flops = (uint64_t)(2 * r.u.gemm.m * r.u.gemm.n * r.u.gemm.k);
    break;
  case MFU_REC_NCCL:
    r.u.nccl = (struct mfu_nccl){.count = 1 << below(20), .comm_id = 0xc0ffee, .comm = 0x5000,
                                 .group_seq = below(3), .datatype = 9, .redop = 0, .peer = -1,
                                 .comm_rank = 1, .comm_size = 8, .op = (uint8_t)below(8)};
    break;
  case MFU_REC_KERNEL:
    r.u.kernel = (struct mfu_kernel){.name = MFU_STRING_DYNAMIC + (uint32_t)below(4), .stream = 7,
                                     .correlation = (uint32_t)(1000 + *id * 3),
                                     .graph_node = below(3) ? 0 : below(1ull << 40),
                                     .grid = {1, 2, 3}, .block = {128, 1, 1}, .registers = 64};
    break;
  case MFU_REC_MEMCPY:
  case MFU_REC_MEMSET:
    r.u.memop = (struct mfu_memop){.bytes = below(1 << 30), .stream = 7,
                                   .correlation = (uint32_t)below(UINT32_MAX)};
    break;
  case MFU_REC_CORRELATION:
    r.u.correlation = (struct mfu_correlation){.correlation = (uint32_t)(1000 + *id * 3),
                                               .kind = 6, .external = *id};
    break;
  case MFU_REC_DEVICE:
    snprintf(r.u.device.name, sizeof r.u.device.name, "NVIDIA H100 80GB HBM3");
    break;
  default: /* GRAPH, MARKER, and kinds no reader knows: bytes at random */
    for (size_t i = 0; i < sizeof r.u.raw; i++) r.u.raw[i] = below(3) ? 0 : (uint8_t)below(256);
  }
  return r;
}

/* A v2 file of the records in blocks of `per`, each block compressed if `zstd`. */
static void write_v2(struct fx *fx, const struct mfu_record *r, size_t n, size_t per, bool zstd) {
  fx_begin(fx, "v2", 0, 1);
  fx->h.version = 2;
  fx->h.record_size = 0;
  fx_api_names(fx);
  for (size_t i = 0; i < n; i += per) {
    mfu_encode_begin(&enc, payload, sizeof payload, 77);
    for (size_t j = i; j < n && j < i + per; j++)
      assert_true(mfu_encode_add(&enc, &r[j], r[j].t_start_ns, r[j].t_end_ns));
    uint32_t count = mfu_encode_count(&enc);
    size_t size = mfu_encode_end(&enc);
    if (!zstd) {
      fx_block(fx, MFU_BLOCK_RECORDS, count, payload, (uint32_t)size);
      continue;
    }
    static unsigned char z[(1 << 20) + 4096];
    size_t packed = ZSTD_compress(z + 8, sizeof z - 16, payload, size, 3);
    assert_false(ZSTD_isError(packed));
    struct mfu_zstd_prefix prefix = {(uint32_t)size, (uint32_t)packed};
    memcpy(z, &prefix, sizeof prefix);
    packed += 8;
    while (packed % 8) z[packed++] = 0;
    struct mfu_block_header bh = {.magic = MFU_BLOCK_MAGIC, .type = MFU_BLOCK_RECORDS,
                                  .encoding = MFU_ENCODING_ZSTD, .count = count,
                                  .payload_size = (uint32_t)packed, .seq = fx->seq++};
    bh.checksum = mfu_block_checksum(&bh, z);
    fx_append(fx, &bh, sizeof bh);
    fx_append(fx, z, packed);
    fx->records += count;
  }
  fx_end(fx);
  fx_header(fx, MFU_FILE_COMPLETE);
}

/* Reads PATH; returns how many records it held, each checked against want[]. */
static size_t read_back(const char *path, const struct mfu_record *want, struct mfu_trace *t) {
  assert_int_equal(mfu_trace_open(t, path), 0);
  size_t n = 0;
  for (const struct mfu_record *r; (r = mfu_trace_next(t)); n++)
    assert_memory_equal(r, &want[n], sizeof *r);
  return n;
}

static void fill(void) {
  static const unsigned kinds[] = {MFU_REC_GEMM, MFU_REC_GEMM, MFU_REC_GEMM, MFU_REC_NCCL,
                                   MFU_REC_KERNEL, MFU_REC_KERNEL, MFU_REC_CORRELATION,
                                   MFU_REC_MEMCPY, MFU_REC_MEMSET, MFU_REC_GRAPH, MFU_REC_MARKER,
                                   MFU_REC_DEVICE, 41};
  uint64_t clock = 5000000000ull, id = 0;
  for (size_t i = 0; i < N; i++) sent[i] = random_record(kinds[below(13)], &clock, &id);
  sent[17].t_end_ns = sent[17].t_start_ns - 5;     /* an activity that ends before it starts */
  sent[18].t_start_ns = sent[17].t_start_ns - 999; /* and one out of order */
}

static void test_every_kind_reads_back(void **state) {
  (void)state;
  fill();
  for (int zstd = 0; zstd <= 1; zstd++) {
    struct fx fx;
    char path[512];
    snprintf(path, sizeof path, "%s/all%d.mfutrace", fx_dir, zstd);
    write_v2(&fx, sent, N, PER_BLOCK, zstd);
    fx_save(&fx, path, fx.len);
    fx_free(&fx);
    struct mfu_trace t;
    assert_int_equal(read_back(path, sent, &t), N);
    assert_true(t.complete);
    assert_int_equal(t.header.version, 2);
    mfu_trace_close(&t);
  }
}

/* A torn block loses its records, no other's: each block's deltas and descriptors are its own. */
static void test_blocks_decode_on_their_own(void **state) {
  (void)state;
  fill();
  struct fx fx;
  char path[512];
  snprintf(path, sizeof path, "%s/torn.mfutrace", fx_dir);
  write_v2(&fx, sent, N, PER_BLOCK, false);
  size_t second = fx.block_start[2]; /* [0]: the API names, then the records blocks */
  fx.buf[second + sizeof(struct mfu_block_header) + 40] ^= 0x5a;
  fx_save(&fx, path, fx.len);
  fx_free(&fx);
  struct mfu_trace t;
  assert_int_equal(mfu_trace_open(&t, path), 0);
  size_t n = 0;
  for (const struct mfu_record *r; (r = mfu_trace_next(&t)); n++)
    assert_memory_equal(r, &sent[n < PER_BLOCK ? n : n + PER_BLOCK], sizeof *r);
  assert_int_equal(n, N - PER_BLOCK);
  assert_int_equal(t.gaps.n, 1);
  assert_int_equal(t.gaps.records, PER_BLOCK);
  mfu_trace_close(&t);
}

/* One block holding `bytes` after the prefix, stated as `count` records. */
static const char *malformed(uint32_t count, const unsigned char *bytes, uint32_t n) {
  static char problem[256];
  unsigned char p[256] = {0};
  struct mfu_records_prefix prefix = {.tid = 1, .size = n, .base_ns = 1000};
  memcpy(p, &prefix, sizeof prefix);
  memcpy(p + sizeof prefix, bytes, n);
  struct fx fx;
  char path[512];
  snprintf(path, sizeof path, "%s/bad.mfutrace", fx_dir);
  fx_begin(&fx, "v2", 0, 1);
  fx.h.version = 2;
  fx.h.record_size = 0;
  fx_block(&fx, MFU_BLOCK_RECORDS, count, p, (uint32_t)((sizeof prefix + n + 7) & ~7u));
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  fx_save(&fx, path, fx.len);
  fx_free(&fx);
  struct mfu_trace t;
  assert_int_equal(mfu_trace_open(&t, path), 0);
  assert_null(mfu_trace_next(&t));
  assert_int_equal(t.gaps.n, 1);
  snprintf(problem, sizeof problem, "%s", t.gaps.list[0].reason);
  mfu_trace_close(&t);
  return problem;
}

static void test_malformed_payloads(void **state) {
  (void)state;
  /* a GEMM descriptor: the mask says byte 0 (the kind) is its only nonzero byte */
  unsigned char gemm[MFU_V2_MASK_BYTES + 4] = {MFU_V2_NEW, 1, 0};
  gemm[1 + MFU_V2_MASK_BYTES] = MFU_REC_GEMM;
  gemm[2 + MFU_V2_MASK_BYTES] = 0, gemm[3 + MFU_V2_MASK_BYTES] = 0; /* start, duration */
  assert_non_null(strstr(malformed(1, (const unsigned char[]){MFU_V2_USE, 0, 0, 0}, 4),
                         "names descriptor 0 of 0"));
  assert_non_null(strstr(malformed(1, (const unsigned char[]){3, 0, 0}, 3), "of no known form"));
  assert_non_null(strstr(malformed(2, gemm, sizeof gemm), "ends after 1 of its 2 records"));
  assert_non_null(strstr(malformed(1, gemm, sizeof gemm - 1), "times overrun"));
  unsigned char extra[sizeof gemm + 1];
  memcpy(extra, gemm, sizeof gemm);
  extra[sizeof gemm] = 9;
  assert_non_null(strstr(malformed(1, extra, sizeof extra), "1 bytes after its 1 records"));
  gemm[0] |= 1u << (MFU_V2_SLOT_BIT + 2); /* GEMMs have slots 0 and 1 only */
  assert_non_null(strstr(malformed(1, gemm, sizeof gemm), "codes slots its kind 1 does not have"));
}

/* What the format is for: a training step's GEMMs, a few shapes over and over, a few
 * microseconds apart, with CUPTI's correlation ids counting up. */
/* A record's descriptor: itself with its thread, times and dynamic slots zeroed. */
static struct mfu_record descriptor_of(struct mfu_record r) {
  const struct mfu_v2_slot *slots;
  unsigned n = mfu_v2_slots(r.kind, &slots);
  for (unsigned s = 0; s < n; s++) memset((unsigned char *)&r + slots[s].offset, 0, slots[s].size);
  r.tid = 0, r.t_start_ns = r.t_end_ns = 0;
  return r;
}

/* The reader names each record's descriptor within its block: records under one (block,
 * descriptor) share every field but thread, times and dynamic slots, so a memo keyed by them
 * hands back what was derived from the first; indices start again in each block, and
 * records of a v1 file have none and are never memoized. */
static void test_descriptors_memo(void **state) {
  (void)state;
  fill();
  struct fx fx;
  char path[512], path1[512];
  snprintf(path, sizeof path, "%s/memo.mfutrace", fx_dir);
  snprintf(path1, sizeof path1, "%s/memo1.mfutrace", fx_dir);
  fx_begin(&fx, "v1", 0, 1); /* the same records' first ten in a v1 file */
  fx_api_names(&fx);
  fx_records(&fx, sent, 10);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  fx_save(&fx, path1, fx.len);
  fx_free(&fx);
  write_v2(&fx, sent, N, PER_BLOCK, false);
  fx_save(&fx, path, fx.len);
  fx_free(&fx);
  struct mfu_trace t;
  struct trace_memo memo = {0};
  static struct mfu_record first[N]; /* the descriptor of each memoized value */
  size_t n = 0, hits = 0, values = 0;
  assert_int_equal(mfu_trace_open(&t, path), 0);
  for (const struct mfu_record *r; (r = mfu_trace_next(&t)); n++) {
    assert_int_equal(t.records_block, 1 + n / PER_BLOCK);
    if (n % PER_BLOCK == 0) assert_int_equal(t.descriptor, 0); /* a block's own dictionary */
    assert_in_range(t.descriptor, 0, n % PER_BLOCK);
    struct mfu_record d = descriptor_of(*r);
    uint64_t v;
    if (trace_memo_get(&memo, &t, &v)) {
      assert_memory_equal(&first[v], &d, sizeof d);
      hits++;
    } else {
      first[values] = d;
      trace_memo_put(&memo, &t, values++);
    }
  }
  assert_int_equal(n, N);
  assert_int_equal(hits + values, N);
  assert_in_range(hits, N / 10, N - 1); /* records of one shape in a block share one */
  assert_true(values >= N / PER_BLOCK);
  mfu_trace_close(&t);
  trace_memo_free(&memo);

  assert_int_equal(mfu_trace_open(&t, path1), 0);
  n = 0;
  for (const struct mfu_record *r; (r = mfu_trace_next(&t)); n++) {
    (void)r;
    uint64_t v;
    assert_int_equal(t.descriptor, TRACE_NO_DESCRIPTOR);
    trace_memo_put(&memo, &t, 5);
    assert_false(trace_memo_get(&memo, &t, &v));
  }
  assert_int_equal(n, 10);
  assert_int_equal(memo.cap, 0);
  mfu_trace_close(&t);
  trace_memo_free(&memo);
}

static void test_gemm_stream_is_compact(void **state) {
  (void)state;
  uint64_t clock = 1000000000ull, id = 0;
  mfu_encode_begin(&enc, payload, sizeof payload, 77);
  for (int i = 0; i < 4000; i++) {
    struct mfu_record r = random_record(MFU_REC_GEMM, &clock, &id);
    r.api = 1, r.stream = 0, r.tid = 77, r.callsite = 0, r.u.gemm.capture = 0;
    r.correlation = ++id;
    assert_true(mfu_encode_add(&enc, &r, r.t_start_ns, r.t_end_ns));
  }
  size_t size = mfu_encode_end(&enc);
  assert_in_range(size, 4000 * 4, 4000 * 8);
}

/* A full dictionary or payload ends a block: the record is refused, nothing half-written. */
static void test_limits(void **state) {
  (void)state;
  uint64_t clock = 0, id = 0;
  mfu_encode_begin(&enc, payload, sizeof payload, 77);
  struct mfu_record r = random_record(MFU_REC_GEMM, &clock, &id);
  for (uint32_t i = 0; i < MFU_ENCODE_DESCRIPTORS; i++) {
    r.u.gemm.m = i + 1; /* a new shape each time */
    assert_true(mfu_encode_add(&enc, &r, r.t_start_ns, r.t_end_ns));
  }
  r.u.gemm.m = 0;
  assert_false(mfu_encode_add(&enc, &r, r.t_start_ns, r.t_end_ns));
  assert_int_equal(mfu_encode_count(&enc), MFU_ENCODE_DESCRIPTORS);
  unsigned char small[MFU_V2_RECORD_MAX + 64];
  mfu_encode_begin(&enc, small, sizeof small, 77);
  assert_true(mfu_encode_add(&enc, &r, r.t_start_ns, r.t_end_ns));
  assert_false(mfu_encode_add(&enc, &r, r.t_start_ns, r.t_end_ns));
}

/* The shim's zstd, through libzstd.so.1 loaded at run time; nothing compresses before it is
 * started (so a host without libzstd gets plain blocks). */
static void test_shim_zstd(void **state) {
  (void)state;
  static unsigned char out[1 << 20];
  memset(payload, 'x', 65536);
  assert_int_equal(mfu_compress(payload, 65536, out, sizeof out), 0);
  assert_true(mfu_compress_start(3));
  size_t n = mfu_compress(payload, 65536, out, sizeof out);
  assert_in_range(n, 1, 1000);
  static unsigned char back[65536];
  assert_int_equal(ZSTD_decompress(back, sizeof back, out, n), 65536);
  assert_memory_equal(back, payload, 65536);
}

/* Steps of a training loop as the shim records them: six layers of four GEMMs of their own
 * shapes from two call sites and a collective, on two threads, then the LM head's GEMM. */
static size_t training(struct mfu_record *r, size_t steps) {
  size_t n = 0;
  uint64_t clock = 1000000000ull, id = 0;
  for (size_t s = 0; s < steps; s++) {
    for (int layer = 0; layer < 6; layer++)
      for (int call = 0; call < 5; call++) {
        struct mfu_record x = random_record(call == 4 ? MFU_REC_NCCL : MFU_REC_GEMM, &clock, &id);
        x.api = 1, x.stream = 0, x.tid = 77 + (uint32_t)(layer % 2), x.callsite = 1 + (call & 1);
        if (call == 4) {
          x.u.nccl.op = MFU_NCCL_ALLREDUCE, x.u.nccl.count = 4096, x.u.nccl.bytes = 8192;
          x.u.nccl.group_seq = 0;
        } else {
          x.u.gemm.m = 64 << call % 3, x.u.gemm.k = 64 * (1 + layer), x.u.gemm.capture = 0;
          x.flops = (uint64_t)(2 * x.u.gemm.m * x.u.gemm.n * x.u.gemm.k);
        }
        r[n++] = x;
      }
    struct mfu_record head = random_record(MFU_REC_GEMM, &clock, &id); /* the LM head */
    head.api = 1, head.stream = 0, head.tid = 77, head.callsite = 3;
    head.u.gemm.m = 1000, head.u.gemm.k = 64, head.u.gemm.capture = 0;
    head.flops = (uint64_t)(2 * head.u.gemm.m * head.u.gemm.n * head.u.gemm.k);
    r[n++] = head;
  }
  return n;
}

static const struct mfu_file *load_one(struct mfu_traces *t, const char *dir) {
  char err[512];
  assert_int_equal(mfu_traces_load(t, dir, NULL, NULL, err, sizeof err), 0);
  assert_int_equal(t->nfiles, 1);
  return &t->files[0];
}

/* The same records in blocks of one record (each derived on its own) and in blocks of 1000
 * (derived once per descriptor of a block): the same counts, steps and times by shape,
 * collective and call site. */
static void test_memoized_equals_per_record(void **state) {
  (void)state;
  size_t n = training(sent, 96); /* 2976 records: three blocks */
  char dir1[512], dir2[512], path[600];
  snprintf(dir1, sizeof dir1, "%s/per-record", fx_dir);
  snprintf(dir2, sizeof dir2, "%s/memoized", fx_dir);
  assert_int_equal(mkdir(dir1, 0755), 0);
  assert_int_equal(mkdir(dir2, 0755), 0);
  struct fx fx;
  write_v2(&fx, sent, n, 1, false);
  snprintf(path, sizeof path, "%s/a.mfutrace", dir1);
  fx_save(&fx, path, fx.len);
  fx_free(&fx);
  write_v2(&fx, sent, n, PER_BLOCK, false);
  snprintf(path, sizeof path, "%s/a.mfutrace", dir2);
  fx_save(&fx, path, fx.len);
  fx_free(&fx);
  struct mfu_traces t1, t2;
  const struct mfu_file *a = load_one(&t1, dir1), *b = load_one(&t2, dir2);
  assert_int_equal(a->counts.gemm_calls, 96 * 25);
  assert_true(a->counts.gemm_flops == b->counts.gemm_flops);
  assert_int_equal(a->steps.nsteps, 96);
  assert_int_equal(b->steps.nsteps, a->steps.nsteps);
  for (size_t i = 0; i < a->steps.nsteps; i++) {
    assert_int_equal(b->steps.steps[i].calls, a->steps.steps[i].calls);
    assert_true(b->steps.steps[i].gemm_flops == a->steps.steps[i].gemm_flops);
  }
  const struct call_times *x = &a->call_times, *y = &b->call_times;
  assert_int_equal(x->ngemm, 3 * 6 + 1);
  assert_int_equal(x->nnccl, 1);
  assert_int_equal(x->nsites, 4 * 6 + 2); /* m 64 from sites 1 and 2: a row each */
  assert_int_equal(y->ngemm, x->ngemm);
  assert_int_equal(y->nnccl, x->nnccl);
  assert_int_equal(y->nsites, x->nsites);
  for (size_t i = 0; i < x->ngemm; i++) {
    assert_int_equal(y->gemm[i].m, x->gemm[i].m);
    assert_int_equal(y->gemm[i].calls, x->gemm[i].calls);
    assert_true(y->gemm[i].flops == x->gemm[i].flops);
  }
  assert_int_equal(y->nccl[0].calls, 96 * 6);
  for (size_t i = 0; i < x->nsites; i++) {
    assert_int_equal(y->sites[i].site, x->sites[i].site);
    assert_int_equal(y->sites[i].kind, x->sites[i].kind);
    assert_int_equal(y->sites[i].shape, x->sites[i].shape);
    assert_int_equal(y->sites[i].calls, x->sites[i].calls);
    assert_int_equal(y->sites[i].host_ns, x->sites[i].host_ns);
  }
  mfu_traces_free(&t1);
  mfu_traces_free(&t2);
}

/* Counting by descriptor (counts_tally_traced: once per descriptor of a block) counts what
 * counting each record does, to the last field: calls that failed, saturated, grouped, of
 * unknown routines or operations, NCCL host times. */
static void test_counts_by_descriptor(void **state) {
  (void)state;
  static const unsigned kinds[] = {MFU_REC_GEMM, MFU_REC_NCCL, MFU_REC_BLAS3};
  uint64_t clock = 5000000000ull, id = 0;
  for (size_t i = 0; i < N; i++) {
    sent[i] = random_record(kinds[below(3)], &clock, &id);
    if (sent[i].kind == MFU_REC_BLAS3) sent[i].u.gemm.routine = (uint8_t)below(MFU_BLAS3_COUNT + 1);
    if (sent[i].kind == MFU_REC_NCCL) {
      sent[i].u.nccl.op = (uint8_t)below(MFU_NCCL_OP_COUNT + 1);
      sent[i].u.nccl.count = 1024u << below(2);
      sent[i].u.nccl.bytes = sent[i].u.nccl.count * 2;
      sent[i].u.nccl.group_depth = (uint8_t)below(3);
    }
    sent[i].status = below(5) ? 0 : 13;
    sent[i].flags = below(3) ? 0 : (uint32_t)below(1u << 8) & ~(uint32_t)MFU_RF_CAPTURED;
  }
  sent[5].t_end_ns = sent[5].t_start_ns - 5; /* a call that ends before it starts: 0 ns */
  struct fx fx;
  char path[600];
  snprintf(path, sizeof path, "%s/by-descriptor.mfutrace", fx_dir);
  write_v2(&fx, sent, N, PER_BLOCK / 3, false);
  fx_save(&fx, path, fx.len);
  fx_free(&fx);
  struct mfu_trace t;
  struct counts_tally each = {0}, traced = {0};
  assert_int_equal(mfu_trace_open(&t, path), 0);
  for (const struct mfu_record *r; (r = mfu_trace_next(&t));) {
    counts_tally_record(&each, r);
    counts_tally_traced(&traced, r, &t);
  }
  assert_int_equal(t.records, N);
  struct mfu_counts a, b;
  counts_of_tally(&a, &each, &t);
  counts_of_tally(&b, &traced, &t);
  mfu_trace_close(&t);
  assert_true(a.gemm_calls > 500 && a.gemm_failed > 100 && a.nccl_calls > 100 && a.blas3_calls > 100);
  assert_true(a.unknown_records > 10 && a.flops_saturated > 10 && a.nccl_grouped > 100);
  counts_sort_apis(&a);
  counts_sort_apis(&b);
  assert_int_equal(b.napis, a.napis);
  assert_memory_equal(b.apis, a.apis, a.napis * sizeof *a.apis);
  counts_free(&a);
  counts_free(&b);
  assert_memory_equal(&b, &a, sizeof a);
  counts_tally_free(&each);
  counts_tally_free(&traced);
}

/* A header claiming more records than its file could hold sizes nothing by its claim: the
 * records are read and counted as they are, and the claim is reported. */
static void test_claimed_records_bound_nothing(void **state) {
  (void)state;
  size_t n = training(sent, 8);
  char dir[512], path[600];
  snprintf(dir, sizeof dir, "%s/claims", fx_dir);
  assert_int_equal(mkdir(dir, 0755), 0);
  struct fx fx;
  write_v2(&fx, sent, n, PER_BLOCK, false);
  fx.h.records_written = UINT64_MAX / 2;
  fx.h.checksum = mfu_header_checksum(&fx.h);
  memcpy(fx.buf, &fx.h, sizeof fx.h);
  snprintf(path, sizeof path, "%s/a.mfutrace", dir);
  fx_save(&fx, path, fx.len);
  fx_free(&fx);
  struct mfu_traces t;
  const struct mfu_file *f = load_one(&t, dir);
  assert_int_equal(f->records, n);
  assert_int_equal(f->counts.gemm_calls, 8 * 25);
  assert_int_equal(f->steps.nsteps, 8);
  assert_non_null(strstr(f->problem, "the header counts 9223372036854775807 records written, the blocks hold 248"));
  mfu_traces_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_kind_reads_back),
      cmocka_unit_test(test_blocks_decode_on_their_own),
      cmocka_unit_test(test_malformed_payloads),
      cmocka_unit_test(test_gemm_stream_is_compact),
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_shim_zstd),
      cmocka_unit_test(test_descriptors_memo),
      cmocka_unit_test(test_memoized_equals_per_record),
      cmocka_unit_test(test_claimed_records_bound_nothing),
      cmocka_unit_test(test_counts_by_descriptor),
  };
  return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
