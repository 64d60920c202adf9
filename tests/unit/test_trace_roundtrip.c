/* The shim's writer and the analyzer's reader agree: records written by real wrapper calls
 * (the shim's objects in-process, the cuBLAS double behind them) read back field for field,
 * across several flushes, their clock stamps converted to CLOCK_MONOTONIC ns (clock.h); a
 * copy cut inside its last block reads back every complete block and is reported
 * incomplete. CUPTI's activity records (kernels and correlations, delivered on the CUPTI
 * double's thread whenever it flushes: none, or some, by the time the file ends) are counted
 * apart from the comparison. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cublas_v2.h>

#include "clock.h"
#include "mfu/api.h"
#include "ring.h"
#include "writer.h"
#include "shim_fixture.h"
#include "trace/reader.h"

enum { CALLS = 3000, FLUSH_EVERY = 1000 };

static char buf[256];
static struct mfu_record sent[CALLS];
static char path[4096];

/* The one trace file the writer made in ./mfu-traces (the shim's default directory). */
static void find_trace(void) {
  DIR *d = opendir("mfu-traces");
  assert_non_null(d);
  int found = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (strstr(e->d_name, MFU_TRACE_SUFFIX)) {
      snprintf(path, sizeof path, "mfu-traces/%s", e->d_name);
      found++;
    }
  closedir(d);
  assert_int_equal(found, 1);
}

static int write_trace(void **state) {
  (void)state;
  cublasHandle_t h;
  assert_int_equal(cublasCreate(&h), CUBLAS_STATUS_SUCCESS);
  for (int i = 0; i < CALLS; i++) {
    int m = 1 + i % 97, n = 1 + i % 13, k = 1 + i % 7;
    if (i % 2)
      cublasSgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_T, m, n, k, (float *)buf, (float *)buf, m,
                     (float *)buf, n, (float *)buf, (float *)buf, m);
    else
      cublasGemmStridedBatchedEx(h, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, buf, buf, CUDA_R_16BF, k,
                                 0, buf, CUDA_R_16BF, k, 0, buf, buf, CUDA_R_16BF, m, 0, 1 + i % 5,
                                 CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    uint64_t head = atomic_load(&mfu_self->head);
    sent[i] = mfu_self->slots[(head - 1) & (MFU_RING_SLOTS - 1)];
    if (i % FLUSH_EVERY == FLUSH_EVERY - 1) mfu_writer_drain(NULL);
  }
  mfu_writer_final_flush();
  cublasDestroy(h);
  find_trace();
  return 0;
}

/* r is what was sent, but for its times: the stamps converted, as by the latest calibration
 * (the one that converted them was at most a few flushes older: within 10 us). */
static void expect_record(const struct mfu_record *r, const struct mfu_record *sent) {
  struct mfu_record want = *sent;
  uint64_t start = mfu_clock_to_ns(sent->t_start_ns), end = mfu_clock_to_ns(sent->t_end_ns);
  assert_in_range(r->t_start_ns, start - 10000, start + 10000);
  assert_in_range(r->t_end_ns, end - 10000, end + 10000);
  assert_true(r->t_end_ns >= r->t_start_ns);
  want.t_start_ns = r->t_start_ns, want.t_end_ns = r->t_end_ns;
  assert_memory_equal(r, &want, sizeof *r);
}

static void reads_back_every_record(void **state) {
  (void)state;
  struct mfu_trace t;
  assert_int_equal(mfu_trace_open(&t, path), 0);
  assert_int_equal(t.header.pid, getpid());
  assert_true(t.header.hooks_resolved & MFU_HOOK_CUBLAS);
  assert_true(t.header.flags & MFU_FILE_COMPLETE);
  int i = 0;
  uint64_t gpu = 0; /* CUPTI's records, as many as its double flushed before the end */
  for (const struct mfu_record *r; (r = mfu_trace_next(&t));) {
    if (r->kind == MFU_REC_KERNEL || r->kind == MFU_REC_CORRELATION) {
      gpu++;
      continue;
    }
    assert_int_equal(r->tid, sent[0].tid);
    assert_true(i < CALLS);
    if (i == 0) assert_true(t.header.start_monotonic_ns <= r->t_start_ns);
    expect_record(r, &sent[i]);
    assert_string_equal(mfu_trace_string(&t, r->api), mfu_api_name(sent[i].api));
    i++;
  }
  assert_int_equal(i, CALLS);
  assert_int_equal(t.header.records_written, CALLS + gpu);
  assert_true(t.complete);
  assert_string_equal(t.problem, "");
  mfu_trace_close(&t);
}

/* Copies the first `size` bytes of the trace to `dst`. */
static void copy_prefix(const char *dst, long size) {
  FILE *in = fopen(path, "rb"), *out = fopen(dst, "wb");
  assert_non_null(in);
  assert_non_null(out);
  for (long i = 0; i < size; i++) fputc(fgetc(in), out);
  fclose(in);
  fclose(out);
}

/* Offset, record count and payload size of the last RECORDS block of this thread (its
 * prefix names it), by walking the block headers (the writer thread may have flushed on its
 * own, so block boundaries are not known in advance). */
static long last_records_block(uint32_t *count, uint32_t *size) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  long offset = MFU_HEADER_SIZE, last = -1;
  struct mfu_block_header bh;
  struct mfu_records_prefix first;
  while (fseek(f, offset, SEEK_SET) == 0 && fread(&bh, sizeof bh, 1, f) == 1) {
    if (bh.type == MFU_BLOCK_RECORDS && fread(&first, sizeof first, 1, f) == 1 &&
        first.tid == sent[0].tid) {
      last = offset;
      *count = bh.count;
      *size = bh.payload_size;
    }
    offset += (long)sizeof bh + bh.payload_size;
  }
  fclose(f);
  assert_true(last > 0);
  return last;
}

static void truncated_copy_keeps_complete_blocks(void **state) {
  (void)state;
  uint32_t count = 0, size = 0;
  long last_block = last_records_block(&count, &size);
  copy_prefix("cut.mfutrace", last_block + (long)sizeof(struct mfu_block_header) + size / 2);
  struct mfu_trace t;
  assert_int_equal(mfu_trace_open(&t, "cut.mfutrace"), 0);
  int i = 0;
  for (const struct mfu_record *r; (r = mfu_trace_next(&t));)
    if (r->tid == sent[0].tid) expect_record(r, &sent[i++]);
  assert_int_equal(i, CALLS - (int)count);
  assert_false(t.complete);
  assert_int_equal(t.problem_offset, (uint64_t)last_block);
  assert_non_null(strstr(t.problem, "truncated"));
  mfu_trace_close(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(reads_back_every_record),
      cmocka_unit_test(truncated_copy_keeps_complete_blocks),
  };
  return run_shim_tests(tests, write_trace);
}
