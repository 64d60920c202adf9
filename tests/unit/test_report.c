/* Unit tests of analyzer/report (mfu report): the JSON contract keys and exact values, the
 * human tables (GEMM and NCCL), CUDA graph counts, and exit status 2 with a message for bad
 * arguments and unreadable input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "report/report.h"
#include "report_capture.h"
#include "trace_fixture.h"

/* Two ranks of world size 3: rank 0 complete, rank 1 without its END block. */
static void write_job(void) {
  char path[600];
  for (int rank = 0; rank < 2; rank++) {
    struct fx fx;
    fx_begin(&fx, "job-42", rank, 3);
    fx_api_names(&fx);
    struct mfu_record r[] = {
        fx_gemm(&fx, MFU_API_cublasGemmEx, 4096, 4096, 4096, MFU_PREC_BF16, 0),
        fx_gemm(&fx, MFU_API_cublasSgemm_v2, 100, 100, 100, MFU_PREC_TF32, 0),
        fx_gemm(&fx, MFU_API_cublasLtMatmul, 10, 10, 10, MFU_PREC_FP8, 15),
    };
    fx_records(&fx, r, 3);
    if (rank == 0) fx_end(&fx);
    fx_header(&fx, rank == 0 ? MFU_FILE_COMPLETE : 0);
    snprintf(path, sizeof path, "%s/job-42.rank%d.mfutrace", fx_dir, rank);
    fx_save(&fx, path, fx.len);
    fx_free(&fx);
  }
}

static json_int_t get_int(json_t *root, const char *path) {
  json_t *v = json_object_get(root, path);
  if (!json_is_integer(v)) fail_msg("%s is not an integer", path);
  return json_integer_value(v);
}

static void test_json_contract(void **state) {
  (void)state;
  write_job();
  struct output *o = report(fx_dir, "--json", NULL);
  assert_int_equal(o->status, 0);
  json_error_t error;
  json_t *root = json_loads(o->out, 0, &error);
  if (!root) fail_msg("invalid JSON (%s, line %d): %s", error.text, error.line, o->out);

  json_t *totals = json_object_get(root, "totals");
  const json_int_t bf16 = 2 * 2ll * 4096 * 4096 * 4096, tf32 = 2 * 2ll * 100 * 100 * 100;
  assert_int_equal(get_int(totals, "gemm_calls"), 4);
  assert_int_equal(get_int(totals, "gemm_failed"), 2);
  assert_int_equal(get_int(totals, "gemm_flops"), bf16 + tf32);
  for (const char *const *k = (const char *const[]){"nccl_calls", "nccl_failed", "nccl_bytes", NULL}; *k; k++)
    assert_int_equal(get_int(totals, *k), 0);
  json_t *by_op = json_object_get(root, "nccl_by_op");
  assert_int_equal(json_object_size(by_op), 10);
  assert_int_equal(get_int(json_object_get(by_op, "AllReduce"), "calls"), 0);

  json_t *dtypes = json_object_get(root, "gemm_flops_by_dtype");
  assert_int_equal(json_object_size(dtypes), 9);
  assert_int_equal(get_int(dtypes, "bf16"), bf16);
  assert_int_equal(get_int(dtypes, "tf32"), tf32);
  for (const char *const *k = (const char *const[]){"fp64", "fp32", "fp16", "fp8", "int8", "fp4", "other", NULL}; *k; k++)
    assert_int_equal(get_int(dtypes, *k), 0);

  json_t *gemm_ex = json_object_get(json_object_get(root, "gemm_by_api"), "cublasGemmEx");
  assert_int_equal(get_int(gemm_ex, "calls"), 2);
  assert_int_equal(get_int(gemm_ex, "failed"), 0);
  assert_int_equal(get_int(gemm_ex, "flops"), bf16);
  json_t *lt = json_object_get(json_object_get(root, "gemm_by_api"), "cublasLtMatmul");
  assert_int_equal(get_int(lt, "failed"), 2);
  assert_int_equal(get_int(lt, "flops"), 0);

  assert_int_equal(get_int(root, "ranks"), 2);
  assert_int_equal(get_int(root, "files"), 2);
  assert_int_equal(get_int(root, "world_size"), 3);
  assert_string_equal(json_string_value(json_object_get(root, "job_id")), "job-42");
  assert_string_equal(json_string_value(json_object_get(root, "started_at")), "2023-11-14T22:13:20Z");
  json_t *steps = json_object_get(root, "steps");
  assert_true(json_is_null(json_object_get(steps, "count")));
  assert_true(json_is_null(json_object_get(steps, "mean_time_s")));
  assert_true(json_is_null(json_object_get(root, "mfu")));
  assert_true(json_is_null(json_object_get(root, "hfu")));
  json_t *eff = json_object_get(root, "efficiency");
  assert_int_equal(json_object_size(eff), 5);
  for (const char *const *k = (const char *const[]){"coverage", "kernel", "memory", "communication", "parallelism", NULL}; *k; k++) {
    assert_non_null(json_object_get(eff, *k));
    assert_true(json_is_null(json_object_get(eff, *k)));
  }

  json_t *per_rank = json_object_get(root, "per_rank");
  assert_int_equal(json_array_size(per_rank), 2);
  json_t *r1 = json_array_get(per_rank, 1);
  assert_int_equal(get_int(r1, "rank"), 1);
  assert_int_equal(get_int(r1, "pid"), 1001);
  assert_string_equal(json_string_value(json_object_get(r1, "host")), "node0");
  assert_false(json_boolean_value(json_object_get(r1, "complete")));
  assert_int_equal(get_int(r1, "gemm_calls"), 2);
  assert_int_equal(get_int(r1, "gemm_failed"), 1);
  assert_true(json_real_value(json_object_get(r1, "time_span_s")) > 0);
  assert_contains(json_string_value(json_object_get(r1, "file")), "job-42.rank1.mfutrace");
  assert_int_equal(get_int(r1, "nccl_calls"), 0);

  json_t *incomplete = json_object_get(root, "incomplete_files");
  assert_int_equal(json_array_size(incomplete), 1);
  assert_contains(json_string_value(json_object_get(json_array_get(incomplete, 0), "reason")),
                  "no END block");
  assert_true(json_array_size(json_object_get(root, "warnings")) >= 2); /* rank 2, rank 1 */
  assert_true(json_array_size(json_object_get(root, "notes")) >= 1);
  json_decref(root);
}

static void test_human(void **state) {
  (void)state;
  write_job();
  struct output *o = report(fx_dir, "--full", NULL);
  assert_int_equal(o->status, 0);
  assert_contains(o->out, "job       job-42, started 2023-11-14 22:13:20 UTC");
  assert_contains(o->out, "ranks     2 of world size 3, 2 trace files");
  assert_contains(o->out, "called: cuBLAS (2/2 files), cuBLASLt (2/2 files); never called: NCCL");
  assert_contains(o->out, "GEMM FLOPs by precision");
  assert_contains(o->out, "274877906944"); /* bf16 FLOPs, exact */
  assert_contains(o->out, "0.275"); /* and in TFLOP */
  assert_contains(o->out, "cublasLtMatmul");
  assert_contains(o->out, "per rank");
  assert_contains(o->out, "(incomplete)");
  assert_contains(o->out, "warnings\n  - 1 rank of 3 missing: 2");
  assert_contains(o->out, "no END block");
  assert_contains(o->out, "  - 0 NCCL calls intercepted: NCCL may be linked statically or "
                          "loaded with RTLD_DEEPBIND");
  assert_null(strstr(o->out, "NCCL by operation"));
  assert_null(strstr(o->out, "NCCL GB")); /* no NCCL columns either */
  assert_null(strstr(o->out, "CUDA graphs"));
  assert_string_equal(o->err, "");
}

/* Runs of spaces become one, so that tables compare without their column widths. */
static void squeeze(char *s) {
  char *to = s;
  for (const char *from = s; *from; from++)
    if (*from != ' ' || to == s || to[-1] != ' ') *to++ = *from;
  *to = '\0';
}

/* mfu run's summary: tables cut to fit one screen, the rest summed up. */
static void test_row_limit(void **state) {
  (void)state;
  write_job();
  struct mfu_traces t;
  char err[512], *text;
  size_t len;
  assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 0);
  FILE *out = open_memstream(&text, &len);
  const struct report_options o = {.max_rows = 1, .full = true};
  assert_int_equal(cli_report(out, fx_dir, &t, &o, false), 0);
  fclose(out);
  squeeze(text);
  assert_contains(text, "\n cublasGemmEx 2 0 274877906944 0.275\n (2 more APIs) 2 2 4000000 0.000\n"
                        " total 4 2 274881906944 0.275\n");
  assert_contains(text, "... 1 more: mfu report ");
  free(text);
  mfu_traces_free(&t);
}

/* ncclDataType_t values (nccl.h) */
enum { INT64 = 4, FLOAT32 = 7, BF16 = 9, FP8_E4M3 = 10 };

/* Two ranks of a data-parallel job. Each: a communicator; a group of an AllReduce (1048576
 * bf16: 2097152 bytes) and an AllGather (1000 fp32 from each of 2 ranks: 8000 bytes); a Bcast
 * (10 fp8: 10 bytes) and a Broadcast (5 int64: 40 bytes); a failed Send. Rank 1 also fails to
 * split its communicator. */
static void write_nccl_job(void) {
  char path[600];
  for (int rank = 0; rank < 2; rank++) {
    struct fx fx;
    fx_begin(&fx, "ddp", rank, 2);
    fx.h.hooks_resolved |= MFU_HOOK_NCCL;
    fx_api_names(&fx);
    struct mfu_record r[] = {
        fx_nccl(&fx, MFU_API_ncclCommInitRank, MFU_NCCL_COMM_INIT, 0, -1, 2, 0),
        fx_nccl(&fx, MFU_API_ncclGroupStart, MFU_NCCL_GROUP_START, 0, -1, 2, 0),
        fx_nccl(&fx, MFU_API_ncclAllReduce, MFU_NCCL_ALLREDUCE, 1048576, BF16, 2, 0),
        fx_nccl(&fx, MFU_API_ncclAllGather, MFU_NCCL_ALLGATHER, 1000, FLOAT32, 2, 0),
        fx_nccl(&fx, MFU_API_ncclGroupEnd, MFU_NCCL_GROUP_END, 0, -1, 2, 0),
        fx_nccl(&fx, MFU_API_ncclBcast, MFU_NCCL_BROADCAST, 10, FP8_E4M3, 2, 0),
        fx_nccl(&fx, MFU_API_ncclBroadcast, MFU_NCCL_BROADCAST, 5, INT64, 2, 0),
        fx_nccl(&fx, MFU_API_ncclSend, MFU_NCCL_SEND, 100, FLOAT32, 2, 6),
        fx_nccl(&fx, MFU_API_ncclCommSplit, MFU_NCCL_COMM_INIT, 0, -1, 2, 4),
    };
    for (int i = 1; i < 4; i++) r[i].u.nccl.group_depth = 1;
    fx_records(&fx, r, rank == 0 ? 8 : 9);
    fx_end(&fx);
    fx_header(&fx, MFU_FILE_COMPLETE);
    snprintf(path, sizeof path, "%s/ddp.rank%d.mfutrace", fx_dir, rank);
    fx_save(&fx, path, fx.len);
    fx_free(&fx);
  }
}

static void assert_op(json_t *by_op, const char *op, json_int_t calls, json_int_t bytes,
                      json_int_t failed, double host_time_s) {
  json_t *o = json_object_get(by_op, op);
  if (!o) fail_msg("no nccl_by_op.%s", op);
  assert_int_equal(get_int(o, "calls"), calls);
  assert_int_equal(get_int(o, "bytes"), bytes);
  assert_int_equal(get_int(o, "failed"), failed);
  assert_true(json_real_value(json_object_get(o, "host_time_s")) == host_time_s);
}

static void test_nccl_json(void **state) {
  (void)state;
  write_nccl_job();
  struct output *o = report(fx_dir, "--json", NULL);
  assert_int_equal(o->status, 0);
  json_error_t error;
  json_t *root = json_loads(o->out, 0, &error);
  if (!root) fail_msg("invalid JSON (%s, line %d): %s", error.text, error.line, o->out);
  assert_int_equal(get_int(root, "ranks"), 2);
  json_t *totals = json_object_get(root, "totals");
  assert_int_equal(get_int(totals, "nccl_calls"), 8);
  assert_int_equal(get_int(totals, "nccl_failed"), 2);
  assert_int_equal(get_int(totals, "nccl_bytes"), 4210404);
  assert_int_equal(get_int(totals, "nccl_groups"), 2);
  assert_int_equal(get_int(totals, "nccl_grouped_calls"), 4);
  assert_int_equal(get_int(totals, "gemm_calls"), 0);

  json_t *by_op = json_object_get(root, "nccl_by_op");
  assert_int_equal(json_object_size(by_op), 10);
  assert_op(by_op, "AllReduce", 2, 4194304, 0, 1e-6);
  assert_op(by_op, "AllGather", 2, 16000, 0, 1e-6);
  assert_op(by_op, "Broadcast", 4, 100, 0, 2e-6);
  assert_op(by_op, "Send", 0, 0, 2, 1e-6);
  static const char *const unused[] = {"Reduce", "ReduceScatter", "AlltoAll", "Gather", "Scatter",
                                       "Recv"};
  for (size_t i = 0; i < sizeof unused / sizeof *unused; i++)
    assert_op(by_op, unused[i], 0, 0, 0, 0);

  json_t *r1 = json_array_get(json_object_get(root, "per_rank"), 1);
  assert_int_equal(get_int(r1, "rank"), 1);
  assert_int_equal(get_int(r1, "nccl_calls"), 4);
  assert_int_equal(get_int(r1, "nccl_failed"), 1);
  assert_int_equal(get_int(r1, "nccl_bytes"), 2105202);
  assert_op(json_object_get(r1, "nccl_by_op"), "AllReduce", 1, 2097152, 0, 5e-7);
  assert_op(json_object_get(r1, "nccl_by_op"), "Send", 0, 0, 1, 5e-7);

  json_t *notes = json_object_get(root, "notes");
  bool said = false;
  for (size_t i = 0; i < json_array_size(notes); i++)
    said |= strstr(json_string_value(json_array_get(notes, i)), "CommInit 1") != NULL;
  assert_true(said);
  assert_int_equal(json_array_size(json_object_get(root, "warnings")), 0);
  json_decref(root);
}

static void test_nccl_human(void **state) {
  (void)state;
  write_nccl_job();
  struct output *o = report(fx_dir, "--full", NULL);
  assert_int_equal(o->status, 0);
  squeeze(o->out);
  assert_contains(o->out, "called: cuBLAS (2/2 files), cuBLASLt (2/2 files), NCCL (2/2 files);");
  assert_contains(o->out, "\nNCCL by operation\n operation calls failed bytes GB host ms\n"
                          " AllReduce 2 0 4194304 0.004 0.001\n"
                          " Broadcast 4 0 100 0.000 0.002\n"
                          " AllGather 2 0 16000 0.000 0.001\n"
                          " Send 0 2 0 0.000 0.001\n"
                          " total 8 2 4210404 0.004 0.005\n"
                          " 4 of the 8 calls ran inside 2 ncclGroupStart/End groups\n");
  assert_contains(o->out, " rank host pid GEMM calls failed TFLOP NCCL calls failed NCCL GB span s "
                          "file\n 0 node0 1000 0 0 0.000 4 1 0.002 ");
  assert_contains(o->out, "NCCL group and communicator calls failed: CommInit 1");
  assert_null(strstr(o->out, "0 NCCL calls intercepted"));
}

/* Two programs of unknown rank started by one shell share a job id: two jobs, and no word of
 * NCCL. */
static void test_no_nccl_without_ranks(void **state) {
  (void)state;
  char path[600];
  for (int i = 0; i < 2; i++) {
    struct fx fx;
    fx_begin(&fx, "ppid42", -1, -1);
    fx.h.pid = 1000 + i;
    fx_api_names(&fx);
    struct mfu_record r = fx_gemm(&fx, MFU_API_cublasGemmEx, 8, 8, 8, MFU_PREC_BF16, 0);
    fx_records(&fx, &r, 1);
    fx_end(&fx);
    fx_header(&fx, MFU_FILE_COMPLETE);
    snprintf(path, sizeof path, "%s/solo%d.mfutrace", fx_dir, i);
    fx_save(&fx, path, fx.len);
    fx_free(&fx);
  }
  struct output *o = report(fx_dir, NULL);
  assert_int_equal(o->status, 0);
  assert_contains(o->out, "job       ppid42#1");
  assert_contains(o->out, "ranks     1, 1 trace file");
  assert_contains(o->out, "holds 2 jobs; this report is of the most recent, 'ppid42#1'; the "
                          "others: 'ppid42#2'");
  assert_null(strstr(o->out, "NCCL calls intercepted"));
  assert_null(strstr(o->out, "NCCL by operation"));
}

/* One rank with CUDA graphs: a capture of a GEMM (2 x 4096^3 bf16 FLOPs) and an AllReduce
 * (1000 fp32: 4000 bytes) launched 5 times; a capture of an 8^3 GEMM (1024 FLOPs) never
 * instantiated; a launch of an executable never seen instantiated. */
static void write_graph_job(void) {
  char path[600];
  struct fx fx;
  fx_begin(&fx, "graphs", 0, 1);
  fx.h.hooks_resolved |= MFU_HOOK_CUDART | MFU_HOOK_NCCL;
  fx_api_names(&fx);
  struct mfu_record r[16];
  size_t n = 0;
  r[n++] = fx_graph(&fx, MFU_GRAPH_BEGIN_CAPTURE, 0x51, 1, 0, 0, 0);
  struct mfu_record gemm = fx_gemm(&fx, MFU_API_cublasGemmEx, 4096, 4096, 4096, MFU_PREC_BF16, 0);
  r[n++] = fx_captured(gemm, 1);
  r[n++] = fx_captured(
      fx_nccl(&fx, MFU_API_ncclAllReduce, MFU_NCCL_ALLREDUCE, 1000, FLOAT32, 1, 0), 1);
  r[n++] = fx_graph(&fx, MFU_GRAPH_END_CAPTURE, 0x51, 0, 0x61, 0, 0);
  r[n++] = fx_graph(&fx, MFU_GRAPH_INSTANTIATE, 0, 0, 0x61, 0xe1, 0);
  for (int i = 0; i < 5; i++) r[n++] = fx_graph(&fx, MFU_GRAPH_LAUNCH, 0x51, 0, 0, 0xe1, 0);
  r[n++] = fx_graph(&fx, MFU_GRAPH_LAUNCH, 0x51, 0, 0, 0xe2, 0);
  r[n++] = fx_graph(&fx, MFU_GRAPH_BEGIN_CAPTURE, 0x51, 2, 0x62, 0, 0);
  r[n++] = fx_captured(fx_gemm(&fx, MFU_API_cublasGemmEx, 8, 8, 8, MFU_PREC_BF16, 0), 2);
  r[n++] = fx_graph(&fx, MFU_GRAPH_END_CAPTURE, 0x51, 0, 0x62, 0, 0);
  fx_records_shuffled(&fx, r, n);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  snprintf(path, sizeof path, "%s/graphs.mfutrace", fx_dir);
  fx_save(&fx, path, fx.len);
  fx_free(&fx);
}

static bool has_string(json_t *array, const char *part) {
  for (size_t i = 0; i < json_array_size(array); i++)
    if (strstr(json_string_value(json_array_get(array, i)), part)) return true;
  return false;
}

static void test_graphs(void **state) {
  (void)state;
  write_graph_job();
  struct output *o = report(fx_dir, "--json", NULL);
  assert_int_equal(o->status, 0);
  json_error_t error;
  json_t *root = json_loads(o->out, 0, &error);
  if (!root) fail_msg("invalid JSON (%s, line %d): %s", error.text, error.line, o->out);
  const json_int_t flops = 5 * 2ll * 4096 * 4096 * 4096;
  json_t *totals = json_object_get(root, "totals");
  assert_int_equal(get_int(totals, "gemm_calls"), 5);
  assert_int_equal(get_int(totals, "gemm_flops"), flops);
  assert_int_equal(get_int(totals, "nccl_calls"), 5);
  assert_int_equal(get_int(totals, "nccl_bytes"), 20000);
  assert_int_equal(get_int(json_object_get(root, "gemm_flops_by_dtype"), "bf16"), flops);
  const struct {
    const char *key;
    json_int_t value;
  } want[] = {
      {"captures", 2}, {"instantiations", 1}, {"launches", 6}, {"executables_launched", 1},
      {"unknown_launches", 1}, {"launched_gemm_calls", 5}, {"launched_gemm_flops", flops},
      {"launched_nccl_calls", 5}, {"launched_nccl_bytes", 20000},
      {"never_launched_captures", 1}, {"never_launched_gemm_calls", 1},
      {"never_launched_gemm_flops", 1024}, {"never_launched_nccl_calls", 0},
      {"never_launched_nccl_bytes", 0},
  };
  json_t *graphs = json_object_get(root, "graphs");
  json_t *rank0 = json_array_get(json_object_get(root, "per_rank"), 0);
  json_t *rank_graphs = json_object_get(rank0, "graphs");
  assert_int_equal(json_object_size(graphs), sizeof want / sizeof *want);
  for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
    assert_int_equal(get_int(graphs, want[i].key), want[i].value);
    assert_int_equal(get_int(rank_graphs, want[i].key), want[i].value);
  }
  assert_true(has_string(json_object_get(root, "warnings"),
                         "1 CUDA graph launches ran executables never seen instantiated"));
  assert_true(has_string(json_object_get(root, "notes"),
                         "1 CUDA graph capture was never launched (not instantiated, or their "
                         "executables not launched): the 1 GEMM call (1024 FLOPs) and 0 NCCL "
                         "calls (0 bytes) captured there are not counted"));
  json_decref(root);

  o = report(fx_dir, NULL);
  assert_int_equal(o->status, 0);
  assert_contains(o->out, "\nCUDA graphs: 6 launches of 1 executable ran 5 GEMM calls "
                          "(0.687 TFLOP) and 5 NCCL calls (0.000 GB) captured in 2 captures\n");
}

static void test_bad_input(void **state) {
  (void)state;
  char missing[300];
  snprintf(missing, sizeof missing, "%s/missing", fx_dir);
  struct output *o = report(missing, NULL);
  assert_int_equal(o->status, 2);
  assert_contains(o->err, "mfu report: cannot open '");
  assert_contains(o->err, "MFU_TRACE_DIR");

  o = report(fx_dir, NULL);
  assert_int_equal(o->status, 2);
  assert_contains(o->err, "no trace files");
  assert_contains(o->err, "mfu run");

  o = report("--frobnicate", NULL);
  assert_int_equal(o->status, 2);
  assert_contains(o->err, "unknown option '--frobnicate'");

  o = report(fx_dir, fx_dir, NULL);
  assert_int_equal(o->status, 2);
  assert_contains(o->err, "one directory at a time");

  o = report(fx_dir, "--job", NULL);
  assert_int_equal(o->status, 2);
  assert_contains(o->err, "--job needs a value");

  char path[600];
  snprintf(path, sizeof path, "%s/zero.mfutrace", fx_dir);
  struct fx empty = {0};
  fx_save(&empty, path, 0);
  o = report(fx_dir, "--json", NULL);
  assert_int_equal(o->status, 2);
  assert_contains(o->err, "none of the 1 trace files");
  assert_contains(o->err, "zero.mfutrace is unreadable: empty file");
  assert_string_equal(o->out, "");

  write_job();
  o = report(fx_dir, "--job", "other", NULL);
  assert_int_equal(o->status, 2);
  assert_contains(o->err, "no job 'other' in");
  assert_contains(o->err, "'job-42'");

  o = report(fx_dir, "--job=job-42", "--json", NULL);
  assert_int_equal(o->status, 0); /* the unreadable file is a warning */
  assert_contains(o->out, "zero.mfutrace is unreadable");
  assert_contains(o->out, "\"readable\": false");

  o = report("--help", NULL);
  assert_int_equal(o->status, 0);
  assert_contains(o->out, "usage: mfu report");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_json_contract, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_human, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_nccl_json, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_nccl_human, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_no_nccl_without_ranks, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_row_limit, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_graphs, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_bad_input, fx_setup, fx_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
