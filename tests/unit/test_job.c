/* Unit tests of analyzer/job: directories of traces grouped into jobs and ranks, exact
 * (128-bit) GEMM and NCCL totals, warnings for missing, duplicated, incomplete and unreadable
 * files, and thousands of files read with few file descriptors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/resource.h>
#include <sys/stat.h>

#include "job/job.h"
#include "job/trace_files.h"
#include "util/json_writer.h"
#include "util/u128.h"
#include "trace_fixture.h"

/* The warning that contains `part`, or a failure listing them all. */
static const char *find_warning(const struct mfu_strings *w, const char *part) {
  for (size_t i = 0; i < w->n; i++)
    if (strstr(w->v[i], part)) return w->v[i];
  for (size_t i = 0; i < w->n; i++) print_message("warning: %s\n", w->v[i]);
  fail_msg("no warning contains '%s'", part);
  return NULL;
}

/* Writes DIR/NAME: rank `rank` of `world` in job `job`, with `n` bf16 GEMMs of 2*8*8*8 FLOPs
 * and one failed call, complete unless `cut` bytes are cut off its end. */
static void write_rank(const char *name, const char *job, int rank, int world, int n, size_t cut) {
  struct fx fx;
  char path[600];
  static int32_t unranked_pid = 5000; /* files of unknown rank: processes of their own */
  fx_begin(&fx, job, rank, world);
  if (rank < 0) fx.h.pid = unranked_pid++;
  fx_api_names(&fx);
  struct mfu_record r = fx_gemm(&fx, MFU_API_cublasGemmEx, 8, 8, 8, MFU_PREC_BF16, 0);
  for (int i = 0; i < n; i++) fx_records(&fx, &r, 1);
  r = fx_gemm(&fx, MFU_API_cublasLtMatmul, 8, 8, 8, MFU_PREC_FP8, 13);
  fx_records(&fx, &r, 1);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  snprintf(path, sizeof path, "%s/%s", fx_dir, name);
  fx_save(&fx, path, fx.len - cut);
  fx_free(&fx);
}

static void write_file(const char *name, const void *bytes, size_t n) {
  char path[600];
  snprintf(path, sizeof path, "%s/%s", fx_dir, name);
  struct fx fx = {.buf = (unsigned char *)bytes, .len = n};
  fx_save(&fx, path, n);
}

static void test_ranks_and_warnings(void **state) {
  (void)state;
  char sub[300], err[512];
  snprintf(sub, sizeof sub, "%s/node0", fx_dir);
  assert_int_equal(mkdir(sub, 0755), 0);
  write_rank("node0/r0.mfutrace", "job", 0, 4, 3, 0); /* one level down */
  write_rank("r1.mfutrace", "job", 1, 4, 2, 0);
  write_rank("r1-restarted.mfutrace", "job", 1, 4, 1, 0);
  write_rank("r3.mfutrace", "job", 3, 4, 4, 100); /* END and part of the failed call cut */
  write_file("garbage.mfutrace", "hello", 5);
  write_file("notes.txt", "not a trace", 11);

  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 0);
  assert_int_equal(t.nfiles, 5);
  assert_int_equal(t.njobs, 1);
  const struct mfu_job *j = &t.jobs[0];
  assert_string_equal(j->job_id, "job");
  assert_int_equal(j->nfiles, 4);
  assert_int_equal(j->ranks, 3);
  assert_int_equal(j->world_size, 4);
  assert_int_equal(j->files[0]->header.rank, 0);
  assert_int_equal(j->files[3]->header.rank, 3);
  assert_false(j->files[3]->complete);
  assert_int_equal(j->totals.gemm_calls, 3 + 2 + 1 + 4);
  assert_int_equal(j->totals.gemm_failed, 3); /* rank 3 lost its failed call with its tail */
  assert_true(j->totals.gemm_flops == 10 * 1024);
  assert_true(j->totals.flops_by_precision[MFU_PREC_BF16] == 10 * 1024);
  assert_true(j->totals.flops_by_precision[MFU_PREC_FP8] == 0);
  assert_int_equal(j->totals.napis, 2);
  assert_string_equal(j->totals.apis[0].name, "cublasGemmEx");
  assert_int_equal(j->totals.apis[0].calls, 10);
  assert_string_equal(j->totals.apis[1].name, "cublasLtMatmul");
  assert_int_equal(j->totals.apis[1].failed, 3);
  assert_true(j->start_realtime_ns > FX_START_REALTIME_NS);
  assert_true(j->end_realtime_ns > j->start_realtime_ns);

  find_warning(&j->warnings, "1 rank of 4 missing: 2: no trace file for it");
  const char *dup = find_warning(&j->warnings, "rank 1 has 2 trace files");
  assert_contains(dup, "r1-restarted.mfutrace");
  const char *cut = find_warning(&j->warnings, "rank 3 (");
  assert_contains(cut, "r3.mfutrace) is incomplete at byte");
  assert_contains(cut, "truncated block");
  assert_contains(find_warning(&t.warnings, "garbage.mfutrace is unreadable"), "not an mfu trace");
  mfu_traces_free(&t);
}

static void test_missing_ranges_and_unknown_ranks(void **state) {
  (void)state;
  char err[512];
  write_rank("a.mfutrace", "big", 0, 10, 1, 0);
  write_rank("b.mfutrace", "big", 3, 10, 1, 0);
  write_rank("c.mfutrace", "big", 4, 10, 1, 0);
  write_rank("u1.mfutrace", "solo", -1, -1, 1, 0);
  write_rank("u2.mfutrace", "solo", -1, -1, 1, 0);
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 0);
  assert_int_equal(t.njobs, 3);
  const struct mfu_job *big = mfu_traces_find_job(&t, "big");
  assert_non_null(big);
  assert_null(mfu_traces_find_job(&t, "nope"));
  assert_null(mfu_traces_find_job(&t, "solo"));
  find_warning(&big->warnings, "7 ranks of 10 missing: 1-2, 5-9");
  /* Two processes of unknown rank: two programs, not two ranks of one. */
  for (int i = 1; i <= 2; i++) {
    char id[32];
    snprintf(id, sizeof id, "solo#%d", i);
    const struct mfu_job *solo = mfu_traces_find_job(&t, id);
    assert_non_null(solo);
    assert_int_equal(solo->ranks, 1);
    assert_int_equal(solo->nfiles, 1);
    assert_int_equal(solo->world_size, -1);
    assert_int_equal(solo->warnings.n, 1);
    assert_contains(solo->warnings.v[0], "job id 'solo' is shared by 2 separate runs (files of "
                                         "unknown rank are programs of their own");
  }
  mfu_traces_free(&t);
}

/* Two runs of a 2-rank job by hand from one shell script, 10 s apart: the same job id (their
 * parent's pid) and the same ranks twice, at times that do not overlap: two jobs, the later
 * first, each with a warning that says so. */
static void test_runs_apart(void **state) {
  (void)state;
  char path[600], err[512];
  for (int run = 0; run < 2; run++)
    for (int rank = 0; rank < 2; rank++) {
      struct fx fx;
      fx_begin(&fx, "ppid7", rank, 2);
      fx.h.start_realtime_ns += (uint64_t)run * 10000000000u;
      fx_api_names(&fx);
      struct mfu_record r = fx_gemm(&fx, MFU_API_cublasGemmEx, 8, 8, 8, MFU_PREC_BF16, 0);
      fx_records(&fx, &r, 1);
      fx_end(&fx);
      fx.clock_ns += 2000000000u; /* each runs 2 s */
      fx_header(&fx, MFU_FILE_COMPLETE);
      snprintf(path, sizeof path, "%s/run%d-r%d.mfutrace", fx_dir, run, rank);
      fx_save(&fx, path, fx.len);
      fx_free(&fx);
    }
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 0);
  assert_int_equal(t.njobs, 2);
  assert_string_equal(t.jobs[0].job_id, "ppid7#2");
  assert_string_equal(t.jobs[1].job_id, "ppid7#1");
  for (int i = 0; i < 2; i++) {
    const struct mfu_job *j = &t.jobs[i];
    assert_int_equal(j->nfiles, 2);
    assert_int_equal(j->ranks, 2);
    for (size_t w = 0; w < j->warnings.n; w++) assert_null(strstr(j->warnings.v[w], "trace files"));
    assert_contains(find_warning(&j->warnings, "job id 'ppid7' is shared by 2 separate runs"),
                    "runs that do not overlap in time are separate launches");
  }
  assert_contains(t.jobs[0].files[0]->path, "run1-r0");
  assert_contains(t.jobs[1].files[1]->path, "run0-r1");
  mfu_traces_free(&t);
}

static void test_latest_job_first(void **state) {
  (void)state;
  char path[600], err[512];
  struct fx fx;
  const char *jobs[] = {"old", "new", "middle"};
  const uint64_t starts[] = {1, 3, 2};
  for (int i = 0; i < 3; i++) {
    fx_begin(&fx, jobs[i], 0, 1);
    fx.h.start_realtime_ns = FX_START_REALTIME_NS + starts[i] * 1000000000000ull;
    fx_end(&fx);
    fx_header(&fx, MFU_FILE_COMPLETE);
    snprintf(path, sizeof path, "%s/%s.mfutrace", fx_dir, jobs[i]);
    fx_save(&fx, path, fx.len);
    fx_free(&fx);
  }
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 0);
  assert_int_equal(t.njobs, 3);
  assert_string_equal(t.jobs[0].job_id, "new");
  assert_string_equal(t.jobs[1].job_id, "middle");
  assert_string_equal(t.jobs[2].job_id, "old");
  assert_int_equal(t.jobs[0].start_realtime_ns, 0); /* no records: no span */
  mfu_traces_free(&t);
}

/* FLOP totals beyond 64 bits stay exact; saturated calls are said to be lower bounds. */
static void test_totals_beyond_64_bits(void **state) {
  (void)state;
  char path[600], err[512], dec[U128_DEC_SIZE];
  for (int rank = 0; rank < 2; rank++) {
    struct fx fx;
    fx_begin(&fx, "huge", rank, 2);
    fx_api_names(&fx);
    struct mfu_record r[3];
    for (int i = 0; i < 3; i++) {
      r[i] = fx_gemm(&fx, MFU_API_cublasGemmEx, 1, 1, 1, MFU_PREC_BF16, 0);
      r[i].flops = UINT64_MAX;
      r[i].flags = MFU_RF_FLOPS_SATURATED;
    }
    fx_records(&fx, r, 3);
    fx_end(&fx);
    fx_header(&fx, MFU_FILE_COMPLETE);
    snprintf(path, sizeof path, "%s/%d.mfutrace", fx_dir, rank);
    fx_save(&fx, path, fx.len);
    fx_free(&fx);
  }
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 0);
  const struct mfu_job *j = &t.jobs[0];
  assert_string_equal(u128_to_dec(dec, j->totals.gemm_flops), "110680464442257309690");
  assert_string_equal(u128_to_dec(dec, j->totals.flops_by_precision[MFU_PREC_BF16]),
                      "110680464442257309690");
  assert_string_equal(u128_to_dec(dec, j->totals.apis[0].flops), "110680464442257309690");
  assert_string_equal(u128_to_dec(dec, j->files[0]->counts.gemm_flops), "55340232221128654845");
  find_warning(&j->warnings, "6 GEMM calls overflowed 64-bit FLOP counts");
  mfu_traces_free(&t);
}

/* Failed calls add no FLOPs even if a record carries some; unnamed APIs and unknown record
 * kinds, out-of-range precisions, shapes not decoded and lost records are reported. */
static void test_odd_records(void **state) {
  (void)state;
  char path[600], err[512];
  struct fx fx;
  fx_begin(&fx, "odd", 0, 1); /* and no STRINGS block: APIs go unnamed */
  struct mfu_record r[5];
  r[0] = fx_gemm(&fx, MFU_API_cublasGemmEx, 2, 2, 2, MFU_PREC_FP16, 7);
  r[0].flops = 999;                                    /* failed: not counted */
  r[1] = fx_gemm(&fx, 4000, 2, 2, 2, 200, 0);          /* out-of-range precision */
  r[2] = fx_gemm(&fx, 4000, 2, 2, 2, MFU_PREC_FP32, 0);
  r[2].flags = MFU_RF_SHAPE_UNKNOWN;
  r[2].flops = 0;
  r[3] = r[1];
  r[3].kind = 77; /* a kind from a newer shim */
  r[4] = fx_gemm(&fx, MFU_API_cublasGemmEx, 4, 4, 4, MFU_PREC_FP16, 0);
  fx_records(&fx, r, 5);
  fx_end(&fx);
  fx.h.records_lost = 12;
  fx_header(&fx, MFU_FILE_COMPLETE | MFU_FILE_WRITE_ERROR);
  snprintf(path, sizeof path, "%s/odd.mfutrace", fx_dir);
  fx_save(&fx, path, fx.len);
  fx_free(&fx);

  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, path, NULL, NULL, err, sizeof err), 0); /* a file, not a fx_dir */
  const struct mfu_job *j = &t.jobs[0];
  assert_int_equal(j->totals.gemm_calls, 3);
  assert_int_equal(j->totals.gemm_failed, 1);
  assert_true(j->totals.gemm_flops == 16 + 128);
  assert_true(j->totals.flops_by_precision[MFU_PREC_OTHER] == 16);
  assert_int_equal(j->totals.calls_by_precision[MFU_PREC_FP32], 1);
  assert_int_equal(j->totals.unknown_records, 1);
  assert_int_equal(j->totals.napis, 2);
  char gemm_ex[32];
  snprintf(gemm_ex, sizeof gemm_ex, "api#%d", MFU_API_cublasGemmEx);
  assert_string_equal(j->totals.apis[0].name, gemm_ex);
  assert_int_equal(j->totals.apis[0].calls, 1);
  assert_int_equal(j->totals.apis[0].failed, 1);
  assert_string_equal(j->totals.apis[1].name, "api#4000");
  assert_int_equal(j->totals.apis[1].calls, 2);
  assert_contains(find_warning(&j->warnings, "lost 12 records to write errors"), "odd.mfutrace");
  find_warning(&j->warnings, "1 GEMM calls had shapes the shim could not decode");
  find_warning(&j->warnings, "1 records and 0 blocks of unknown kinds were skipped");
  assert_true(j->files[0]->complete);
  mfu_traces_free(&t);
}

static void test_no_traces(void **state) {
  (void)state;
  char err[1024], missing[300];
  struct mfu_traces t;
  write_file("notes.txt", "x", 1);
  assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 1);
  assert_contains(err, "no trace files (*.mfutrace) in '");
  assert_contains(err, "mfu run -- CMD");
  assert_contains(err, "MFU_TRACE_DIR=");
  mfu_traces_free(&t);

  snprintf(missing, sizeof missing, "%s/nope", fx_dir);
  assert_int_equal(mfu_traces_load(&t, missing, NULL, NULL, err, sizeof err), -1);
  assert_contains(err, "cannot open '");
  assert_contains(err, "/nope': No such file or directory");
  mfu_traces_free(&t);
}

static void test_skip_list(void **state) {
  (void)state;
  char err[512];
  write_rank("a.mfutrace", "j", 0, 2, 1, 0);
  struct mfu_strings before = {0};
  assert_int_equal(trace_files_find(fx_dir, &before, NULL, err, sizeof err), 0);
  assert_int_equal(before.n, 1);
  write_rank("b.mfutrace", "j", 1, 2, 5, 0);
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, fx_dir, &before, NULL, err, sizeof err), 0);
  assert_int_equal(t.nfiles, 1);
  assert_int_equal(t.jobs[0].totals.gemm_calls, 5);
  mfu_traces_free(&t);
  mfu_strings_free(&before);
}

/* 3000 ranks with 32 file descriptors: files are read one at a time. */
static void test_thousands_of_files(void **state) {
  (void)state;
  enum { N = 3000 };
  char name[64], err[512];
  struct fx fx;
  fx_begin(&fx, "wide", 0, N);
  fx_api_names(&fx);
  struct mfu_record r = fx_gemm(&fx, MFU_API_cublasGemmEx, 8, 8, 8, MFU_PREC_BF16, 0);
  fx_records(&fx, &r, 1);
  fx_end(&fx);
  for (int rank = 0; rank < N; rank++) {
    fx.h.rank = rank;
    fx_header(&fx, MFU_FILE_COMPLETE);
    snprintf(name, sizeof name, "rank%04d.mfutrace", rank);
    write_file(name, fx.buf, fx.len);
  }
  fx_free(&fx);
  struct rlimit saved, low = {32, 32};
  getrlimit(RLIMIT_NOFILE, &saved);
  low.rlim_max = saved.rlim_max;
  setrlimit(RLIMIT_NOFILE, &low);
  struct mfu_traces t;
  int loaded = mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err);
  setrlimit(RLIMIT_NOFILE, &saved);
  assert_int_equal(loaded, 0);
  assert_int_equal(t.nfiles, N);
  assert_int_equal(t.jobs[0].ranks, N);
  assert_int_equal(t.jobs[0].totals.gemm_calls, N);
  assert_int_equal(t.jobs[0].warnings.n, 0);
  mfu_traces_free(&t);
}

/* A job killed by its time limit: every file incomplete, said once with the first ranks. */
static void test_many_incomplete_files(void **state) {
  (void)state;
  char name[64], err[512];
  for (int rank = 0; rank < 25; rank++) {
    snprintf(name, sizeof name, "r%02d.mfutrace", rank);
    write_rank(name, "killed", rank, 25, 1, 32); /* no END block */
  }
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 0);
  const struct mfu_job *j = &t.jobs[0];
  assert_int_equal(j->warnings.n, 1);
  assert_contains(j->warnings.v[0], "25 ranks (0, 1, 2, 3, 4 and 20 more) are incomplete: every "
                                    "block before where each ends counts (all in --json "
                                    "incomplete_files); the first: rank 0 (");
  assert_contains(j->warnings.v[0], "no END block");
  mfu_traces_free(&t);
}

/* A file with a torn block in the middle: every other block counts, the gap is a warning
 * that says where, how big and what it cost. */
static void test_damaged_file(void **state) {
  (void)state;
  char path[600], err[512];
  struct fx fx;
  fx_begin(&fx, "job", 0, 1);
  fx_api_names(&fx);
  struct mfu_record r = fx_gemm(&fx, MFU_API_cublasGemmEx, 8, 8, 8, MFU_PREC_BF16, 0);
  for (int i = 0; i < 10; i++) fx_records(&fx, &r, 1);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  size_t torn = fx.block_start[4];
  fx.buf[torn + 64] ^= 0xff;
  snprintf(path, sizeof path, "%s/r0.mfutrace", fx_dir);
  fx_save(&fx, path, fx.len);
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 0);
  const struct mfu_job *j = &t.jobs[0];
  assert_int_equal(j->totals.gemm_calls, 9);
  assert_false(j->files[0]->complete);
  assert_string_equal(j->files[0]->problem, "");
  assert_int_equal(j->files[0]->gaps.n, 1);
  char want[200];
  snprintf(want, sizeof want, "r0.mfutrace) was read past 1 damaged region (160 bytes, 1 record "
           "lost; at byte %zu, 160 bytes, 1 block, 1 record: block checksum mismatch", torn);
  assert_contains(find_warning(&j->warnings, "rank 0 ("), want);
  mfu_traces_free(&t);
  fx_free(&fx);
}

/* ncclDataType_t values (nccl.h) */
enum { INT32 = 2, FLOAT32 = 7, FLOAT64 = 8, BF16 = 9, FP8_E5M2 = 11 };

/* Rank `rank` of 3: a communicator, a group (nested once) of an AllReduce and a
 * ReduceScatter, a Bcast, a Broadcast and a failed Recv; then, in a second block, one more
 * AllReduce. `cut` bytes are cut off the end. */
static void write_nccl_rank(int rank, size_t cut) {
  struct fx fx;
  char path[600];
  fx_begin(&fx, "nccl", rank, 3);
  fx.h.hooks_resolved |= MFU_HOOK_NCCL;
  fx_api_names(&fx);
  struct mfu_record r[] = {
      fx_nccl(&fx, MFU_API_ncclCommInitRank, MFU_NCCL_COMM_INIT, 0, -1, 3, 0),
      fx_nccl(&fx, MFU_API_ncclGroupStart, MFU_NCCL_GROUP_START, 0, -1, 3, 0),
      fx_nccl(&fx, MFU_API_ncclAllReduce, MFU_NCCL_ALLREDUCE, 1000, FLOAT32, 3, 0),
      fx_nccl(&fx, MFU_API_ncclGroupStart, MFU_NCCL_GROUP_START, 0, -1, 3, 0),
      fx_nccl(&fx, MFU_API_ncclReduceScatter, MFU_NCCL_REDUCESCATTER, 100, BF16, 3, 0),
      fx_nccl(&fx, MFU_API_ncclGroupEnd, MFU_NCCL_GROUP_END, 0, -1, 3, 0),
      fx_nccl(&fx, MFU_API_ncclGroupEnd, MFU_NCCL_GROUP_END, 0, -1, 3, 0),
      fx_nccl(&fx, MFU_API_ncclBcast, MFU_NCCL_BROADCAST, 8, FP8_E5M2, 3, 0),
      fx_nccl(&fx, MFU_API_ncclBroadcast, MFU_NCCL_BROADCAST, 3, FLOAT64, 3, 0),
      fx_nccl(&fx, MFU_API_ncclRecv, MFU_NCCL_RECV, 16, INT32, 3, 6),
  };
  const uint8_t depth[] = {0, 1, 1, 2, 2, 1, 0, 0, 0, 0}; /* after a GroupStart, as the shim */
  for (size_t i = 0; i < sizeof r / sizeof *r; i++) r[i].u.nccl.group_depth = depth[i];
  fx_records(&fx, r, sizeof r / sizeof *r);
  struct mfu_record last =
      fx_nccl(&fx, MFU_API_ncclAllReduce, MFU_NCCL_ALLREDUCE, 1000, FLOAT32, 3, 0);
  fx_records(&fx, &last, 1);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  snprintf(path, sizeof path, "%s/nccl.rank%d.mfutrace", fx_dir, rank);
  fx_save(&fx, path, fx.len - cut);
  fx_free(&fx);
}

/* Per rank: 4632 bytes in 4 calls (AllReduce 1000 fp32 = 4000; ReduceScatter 100 bf16 x 3
 * ranks = 600; Bcast 8 fp8 = 8; Broadcast 3 fp64 = 24), the Recv failed, then an AllReduce
 * of 4000 bytes, which rank 2 lost with the end of its file. */
static void test_nccl_ranks(void **state) {
  (void)state;
  char err[512];
  write_nccl_rank(0, 0);
  write_nccl_rank(1, 0);
  write_nccl_rank(2, 32 + 100); /* END block and part of the last AllReduce */
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 0);
  const struct mfu_job *j = &t.jobs[0];
  assert_int_equal(j->ranks, 3);
  const struct mfu_counts *c = &j->totals;
  assert_int_equal(c->nccl_calls, 14);
  assert_int_equal(c->nccl_failed, 3);
  assert_true(c->nccl_bytes == 21896);
  assert_int_equal(c->nccl_groups, 3);
  assert_int_equal(c->nccl_grouped, 6);
  const struct mfu_nccl_stats *op = c->nccl_ops;
  assert_int_equal(op[MFU_NCCL_ALLREDUCE].calls, 5);
  assert_true(op[MFU_NCCL_ALLREDUCE].bytes == 20000);
  assert_int_equal(op[MFU_NCCL_ALLREDUCE].host_ns, 5 * 500);
  assert_int_equal(op[MFU_NCCL_REDUCESCATTER].calls, 3);
  assert_true(op[MFU_NCCL_REDUCESCATTER].bytes == 1800);
  assert_int_equal(op[MFU_NCCL_BROADCAST].calls, 6); /* Bcast and Broadcast */
  assert_true(op[MFU_NCCL_BROADCAST].bytes == 96);
  assert_int_equal(op[MFU_NCCL_RECV].calls, 0);
  assert_int_equal(op[MFU_NCCL_RECV].failed, 3);
  assert_true(op[MFU_NCCL_RECV].bytes == 0);
  assert_int_equal(op[MFU_NCCL_RECV].host_ns, 3 * 500);
  assert_int_equal(op[MFU_NCCL_COMM_INIT].calls, 3);
  assert_int_equal(op[MFU_NCCL_GROUP_START].calls, 6);
  assert_int_equal(op[MFU_NCCL_GROUP_END].calls, 6);
  assert_int_equal(c->gemm_calls, 0);
  assert_int_equal(c->unknown_records, 0);
  assert_int_equal(j->files[0]->counts.nccl_calls, 5);
  assert_true(j->files[1]->counts.nccl_bytes == 8632);
  assert_int_equal(j->files[2]->counts.nccl_calls, 4);
  assert_true(j->files[2]->counts.nccl_bytes == 4632);
  assert_int_equal(j->files[2]->counts.nccl_failed, 1);
  assert_false(j->files[2]->complete);
  assert_int_equal(j->warnings.n, 1);
  assert_contains(find_warning(&j->warnings, "rank 2 ("), "nccl.rank2.mfutrace) is incomplete");
  mfu_traces_free(&t);
}

/* Saturated bytes, unknown datatypes, an operation from a newer shim, failed communicator
 * calls (not data calls), bytes of a failed call (not counted) and of a call a non-blocking
 * communicator accepted (counted). */
static void test_nccl_odd_records(void **state) {
  (void)state;
  char path[600], err[512], dec[U128_DEC_SIZE];
  struct fx fx;
  fx_begin(&fx, "odd", 0, 1);
  struct mfu_record r[] = {
      fx_nccl(&fx, MFU_API_ncclAlltoAll, MFU_NCCL_ALLTOALL, UINT64_MAX / 4, FLOAT64, 2, 0),
      fx_nccl(&fx, MFU_API_ncclAlltoAll, MFU_NCCL_ALLTOALL, UINT64_MAX / 4, FLOAT64, 2, 0),
      fx_nccl(&fx, MFU_API_ncclAllReduce, MFU_NCCL_ALLREDUCE, 10, 99, 2, 0),
      fx_nccl(&fx, MFU_API_ncclAllReduce, MFU_NCCL_ALLREDUCE, 10, FLOAT32, 2, 0),
      fx_nccl(&fx, MFU_API_ncclCommInitRank, MFU_NCCL_COMM_INIT, 0, -1, 2, 2),
      fx_nccl(&fx, MFU_API_ncclSend, MFU_NCCL_SEND, 10, FLOAT32, 2, 4),
      fx_nccl(&fx, MFU_API_ncclReduce, MFU_NCCL_REDUCE, 5, FLOAT32, 2, 7), /* ncclInProgress */
  };
  r[2].flags = MFU_RF_DTYPE_UNKNOWN;
  r[3].u.nccl.op = 250; /* a newer shim's operation */
  r[5].u.nccl.bytes = 40; /* a failed call moved nothing, whatever its record says */
  r[6].u.nccl.bytes = 20;
  fx_records(&fx, r, sizeof r / sizeof *r);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  snprintf(path, sizeof path, "%s/odd.mfutrace", fx_dir);
  fx_save(&fx, path, fx.len);
  fx_free(&fx);

  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 0);
  const struct mfu_counts *c = &t.jobs[0].totals;
  assert_int_equal(c->nccl_calls, 4);
  assert_int_equal(c->nccl_failed, 1);
  /* 2 x (2^64 - 1) + 20 */
  assert_string_equal(u128_to_dec(dec, c->nccl_bytes), "36893488147419103250");
  assert_true(c->nccl_ops[MFU_NCCL_REDUCE].bytes == 20);
  assert_int_equal(c->nccl_ops[MFU_NCCL_ALLREDUCE].calls, 1);
  assert_true(c->nccl_ops[MFU_NCCL_ALLREDUCE].bytes == 0);
  assert_int_equal(c->nccl_ops[MFU_NCCL_COMM_INIT].failed, 1);
  assert_true(c->nccl_ops[MFU_NCCL_SEND].bytes == 0);
  assert_int_equal(c->bytes_saturated, 2);
  assert_int_equal(c->dtype_unknown, 1);
  assert_int_equal(c->unknown_records, 1);
  find_warning(&t.jobs[0].warnings, "2 NCCL calls overflowed 64-bit byte counts");
  find_warning(&t.jobs[0].warnings, "1 NCCL calls had datatypes the shim does not know");
  find_warning(&t.jobs[0].warnings, "1 records and 0 blocks of unknown kinds were skipped");
  mfu_traces_free(&t);
}

/* Files of very different sizes read by two threads, the largest first: each file's counts
 * are its own, whichever thread read it and in whatever order. */
static void test_threads_take_the_largest_first(void **state) {
  (void)state;
  static const int calls[6] = {3, 4000, 1, 250, 9000, 40};
  for (int r = 0; r < 6; r++) {
    char name[64];
    snprintf(name, sizeof name, "r%d.mfutrace", r);
    write_rank(name, "job", r, 6, calls[r], 0);
  }
  char err[512];
  struct mfu_traces t;
  mfu_traces_threads = 2;
  assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 0);
  mfu_traces_threads = 0;
  assert_int_equal(t.nfiles, 6);
  for (size_t i = 0; i < t.nfiles; i++) {
    const struct mfu_file *f = &t.files[i];
    assert_int_equal(f->counts.gemm_calls, calls[f->header.rank]);
    assert_int_equal(f->records, calls[f->header.rank] + 1);
  }
  mfu_traces_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_ranks_and_warnings, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_threads_take_the_largest_first, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_missing_ranges_and_unknown_ranks, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_latest_job_first, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_runs_apart, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_totals_beyond_64_bits, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_odd_records, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_no_traces, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_skip_list, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_thousands_of_files, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_many_incomplete_files, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_damaged_file, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_nccl_ranks, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_nccl_odd_records, fx_setup, fx_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
