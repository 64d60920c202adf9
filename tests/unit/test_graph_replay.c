/* Unit tests of CUDA graph replay (analyzer/graphs, through analyzer/job): calls captured into
 * a graph count once per launch that ran them, exactly, whatever the order of the records in
 * the file: every scenario is read twice, in time order and shuffled across blocks. Captures
 * are tied to graphs by stream (CUDA 12: graph named at the end only) or at the beginning
 * (CUDA 13, BeginCaptureToGraph), executables are updated, handles are reused after destroy,
 * and launches that fail, or of executables never seen instantiated, add nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "job/job.h"
#include "trace_fixture.h"

/* The calls the scenarios make, and what each one counts. */
enum { A_FLOPS = 2 * 64 * 32 * 16, B_FLOPS = 2 * 128 * 64 * 32, AR_BYTES = 1000 * 4 };
enum { FLOAT32 = 7 }; /* ncclDataType_t */
/* Handles, as a process would see them; the same values on every rank. */
enum { S1 = 0x5100, S2 = 0x5200, S3 = 0x5300 };
enum { G1 = 0x6100, G2 = 0x6200, G3 = 0x6300 };
enum { E1 = 0xe100, E2 = 0xe200 };

/* The records of one process, in time order: the fixture's clock advances at each. */
static struct fx proc;
static struct mfu_record recs[256];
static size_t nrecs;

static void add(struct mfu_record r) {
  assert_true(nrecs < sizeof recs / sizeof *recs);
  recs[nrecs++] = r;
}

static void start(void) {
  proc = (struct fx){.clock_ns = FX_START_MONOTONIC_NS + 1000};
  nrecs = 0;
}

/* A call made eagerly (capture 0) or captured; `status` 0 is success. */
static void gemm_a(uint64_t capture, int status) {
  struct mfu_record r = fx_gemm(&proc, MFU_API_cublasGemmEx, 64, 32, 16, MFU_PREC_BF16, status);
  add(capture ? fx_captured(r, capture) : r);
}

/* A left triangular solve, B 64 x 32 in fp64: m²n = 131072 FLOPs (LAWN 41), a BLAS3 record. */
enum { TRSM_FLOPS = 64 * 64 * 32 };
static void trsm(uint64_t capture) {
  struct mfu_record r = fx_gemm(&proc, MFU_API_cublasDtrsm_v2, 64, 32, 0, MFU_PREC_FP64, 0);
  r.kind = MFU_REC_BLAS3;
  r.flops = TRSM_FLOPS;
  r.u.gemm.routine = MFU_BLAS3_TRSM;
  add(capture ? fx_captured(r, capture) : r);
}

static void gemm_b(uint64_t capture) {
  struct mfu_record r = fx_gemm(&proc, MFU_API_cublasLtMatmul, 128, 64, 32, MFU_PREC_FP16, 0);
  add(capture ? fx_captured(r, capture) : r);
}

static void allreduce(uint64_t capture) {
  struct mfu_record r =
      fx_nccl(&proc, MFU_API_ncclAllReduce, MFU_NCCL_ALLREDUCE, 1000, FLOAT32, 2, 0);
  add(capture ? fx_captured(r, capture) : r);
}

static void graph_call(unsigned op, uint64_t stream, uint64_t capture, uint64_t graph,
                       uint64_t exec, int status) {
  add(fx_graph(&proc, op, stream, capture, graph, exec, status));
}

/* `graph`: the graph the capture goes into where the shim could tell at its start, else 0. */
static void begin(uint64_t stream, uint64_t capture, uint64_t graph) {
  graph_call(MFU_GRAPH_BEGIN_CAPTURE, stream, capture, graph, 0, 0);
}
static void end(uint64_t stream, uint64_t graph) {
  graph_call(MFU_GRAPH_END_CAPTURE, stream, 0, graph, 0, 0);
}
static void instantiate(uint64_t graph, uint64_t exec) {
  graph_call(MFU_GRAPH_INSTANTIATE, 0, 0, graph, exec, 0);
}
static void launch(uint64_t exec, int times) {
  for (int i = 0; i < times; i++) graph_call(MFU_GRAPH_LAUNCH, S1, 0, 0, exec, 0);
}

/* Writes the records as DIR/rank<rank>.mfutrace, in time order or shuffled. */
static void write_rank(int rank, int world, bool shuffled) {
  struct fx fx;
  char path[600];
  fx_begin(&fx, "graphs", rank, world);
  fx_api_names(&fx);
  if (shuffled)
    fx_records_shuffled(&fx, recs, nrecs);
  else
    fx_records(&fx, recs, nrecs);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  snprintf(path, sizeof path, "%s/rank%d.mfutrace", fx_dir, rank);
  fx_save(&fx, path, fx.len);
  fx_free(&fx);
}

/* Reads the records of one process written in time order, then shuffled, and checks each. */
static void in_both_orders(void (*check)(const struct mfu_job *j)) {
  for (int shuffled = 0; shuffled < 2; shuffled++) {
    struct mfu_traces t;
    char err[512];
    write_rank(0, 1, shuffled);
    assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 0);
    assert_int_equal(t.njobs, 1);
    assert_int_equal(t.jobs[0].files[0]->counts.unknown_records, 0);
    check(&t.jobs[0]);
    mfu_traces_free(&t);
  }
}

static const struct mfu_api_stats *api(const struct mfu_counts *c, const char *name) {
  static const struct mfu_api_stats none;
  for (size_t i = 0; i < c->napis; i++)
    if (!strcmp(c->apis[i].name, name)) return &c->apis[i];
  return &none;
}

#define assert_u128(got, want) assert_true((unsigned __int128)(got) == (unsigned __int128)(want))

/* The counts hold `a` successful calls of GEMM A, `b` of GEMM B, `ar` AllReduces. */
static void assert_calls(const struct mfu_counts *c, uint64_t a, uint64_t b, uint64_t ar) {
  assert_int_equal(c->gemm_calls, a + b);
  assert_u128(c->gemm_flops, a * A_FLOPS + b * B_FLOPS);
  assert_int_equal(c->calls_by_precision[MFU_PREC_BF16], a);
  assert_u128(c->flops_by_precision[MFU_PREC_BF16], a * A_FLOPS);
  assert_int_equal(c->calls_by_precision[MFU_PREC_FP16], b);
  assert_u128(c->flops_by_precision[MFU_PREC_FP16], b * B_FLOPS);
  assert_int_equal(api(c, "cublasGemmEx")->calls, a);
  assert_u128(api(c, "cublasGemmEx")->flops, a * A_FLOPS);
  assert_int_equal(api(c, "cublasLtMatmul")->calls, b);
  assert_u128(api(c, "cublasLtMatmul")->flops, b * B_FLOPS);
  assert_int_equal(c->nccl_calls, ar);
  assert_u128(c->nccl_bytes, ar * AR_BYTES);
  assert_int_equal(c->nccl_ops[MFU_NCCL_ALLREDUCE].calls, ar);
  assert_u128(c->nccl_ops[MFU_NCCL_ALLREDUCE].bytes, ar * AR_BYTES);
}

static struct counts_share work(uint64_t a, uint64_t b, uint64_t ar) {
  return (struct counts_share){.gemm_calls = a + b, .nccl_calls = ar,
                           .gemm_flops = a * A_FLOPS + b * B_FLOPS, .nccl_bytes = ar * AR_BYTES};
}

static void assert_work(const struct counts_share *got, struct counts_share want) {
  assert_int_equal(got->gemm_calls, want.gemm_calls);
  assert_int_equal(got->nccl_calls, want.nccl_calls);
  assert_u128(got->gemm_flops, want.gemm_flops);
  assert_u128(got->nccl_bytes, want.nccl_bytes);
}

static void assert_graphs(const struct mfu_graph_counts *got, struct mfu_graph_counts want) {
  assert_int_equal(got->captures, want.captures);
  assert_int_equal(got->instantiations, want.instantiations);
  assert_int_equal(got->launches, want.launches);
  assert_int_equal(got->executables, want.executables);
  assert_int_equal(got->unknown_launches, want.unknown_launches);
  assert_work(&got->launched, want.launched);
  assert_int_equal(got->unlaunched_captures, want.unlaunched_captures);
  assert_work(&got->unlaunched, want.unlaunched);
}

static bool has_warning(const struct mfu_job *j, const char *part) {
  for (size_t i = 0; i < j->warnings.n; i++)
    if (strstr(j->warnings.v[i], part)) return true;
  return false;
}

/* --- scenarios */

/* Two GEMMs and an AllReduce captured once (CUDA 13: the graph is known from the start),
 * launched 5 times: 5 times each call, exactly, and the AllReduce's host time once. */
static void check_five_launches(const struct mfu_job *j) {
  assert_calls(&j->totals, 5, 5, 5);
  assert_int_equal(j->totals.nccl_ops[MFU_NCCL_ALLREDUCE].host_ns, 500);
  assert_int_equal(j->totals.gemm_failed, 0);
  assert_graphs(&j->graphs, (struct mfu_graph_counts){.captures = 1, .instantiations = 1,
                                                       .launches = 5, .executables = 1,
                                                       .launched = work(5, 5, 5)});
  assert_int_equal(j->warnings.n, 0);
}

static void test_five_launches(void **state) {
  (void)state;
  start();
  begin(S1, 7, G1);
  gemm_a(7, 0);
  gemm_b(7);
  allreduce(7);
  end(S1, G1);
  instantiate(G1, E1);
  launch(E1, 5);
  in_both_orders(check_five_launches);
}

/* A triangular solve captured with a GEMM, launched 4 times, and one made eagerly: 5 trsm in
 * the BLAS-3 counts, never in the GEMM ones. */
static void check_blas3_launches(const struct mfu_job *j) {
  assert_calls(&j->totals, 4, 0, 0);
  assert_int_equal(j->totals.blas3_calls, 5);
  assert_u128(j->totals.blas3_flops, 5 * (uint64_t)TRSM_FLOPS);
  assert_int_equal(j->totals.blas3[MFU_BLAS3_TRSM].calls, 5);
  assert_u128(j->totals.blas3[MFU_BLAS3_TRSM].flops, 5 * (uint64_t)TRSM_FLOPS);
  assert_int_equal(j->totals.blas3[MFU_BLAS3_SYRK].calls, 0);
}

static void test_blas3_launches(void **state) {
  (void)state;
  start();
  trsm(0);
  begin(S1, 7, G1);
  gemm_a(7, 0);
  trsm(7);
  end(S1, G1);
  instantiate(G1, E1);
  launch(E1, 4);
  in_both_orders(check_blas3_launches);
}

/* Eager calls count once each, next to the launched ones. */
static void check_eager_and_graph(const struct mfu_job *j) {
  assert_calls(&j->totals, 2 + 3, 1 + 3, 1);
  assert_graphs(&j->graphs, (struct mfu_graph_counts){.captures = 1, .instantiations = 1,
                                                       .launches = 3, .executables = 1,
                                                       .launched = work(3, 3, 0)});
}

static void test_eager_and_graph(void **state) {
  (void)state;
  start();
  gemm_a(0, 0);
  allreduce(0);
  begin(S1, 1, G1);
  gemm_a(1, 0);
  gemm_a(0, 0); /* another stream, meanwhile: eager */
  gemm_b(1);
  end(S1, G1);
  instantiate(G1, E1);
  launch(E1, 3);
  gemm_b(0);
  in_both_orders(check_eager_and_graph);
}

/* cudaGraphExecUpdate midway: 2 launches of capture 1's graph, then 3 + 1 of capture 2's. */
static void check_exec_update(const struct mfu_job *j) {
  assert_calls(&j->totals, 2, 2 * 4, 0);
  assert_graphs(&j->graphs, (struct mfu_graph_counts){.captures = 2, .instantiations = 1,
                                                       .launches = 6, .executables = 1,
                                                       .launched = work(2, 8, 0)});
}

static void test_exec_update(void **state) {
  (void)state;
  start();
  begin(S1, 1, G1);
  gemm_a(1, 0);
  end(S1, G1);
  begin(S1, 2, G2);
  gemm_b(2);
  gemm_b(2);
  end(S1, G2);
  instantiate(G1, E1);
  launch(E1, 2);
  graph_call(MFU_GRAPH_EXEC_UPDATE, 0, 0, G2, E1, 0);
  launch(E1, 3);
  graph_call(MFU_GRAPH_EXEC_UPDATE, 0, 0, G1, E1, 1); /* failed: E1 still runs G2 */
  launch(E1, 1);
  in_both_orders(check_exec_update);
}

/* Handles reused after destroy: an executable keeps what it was instantiated from when its
 * graph is destroyed; the graph handle's next capture and the executable handle's next
 * instantiation are new ones; a launch between destroy and reuse is of an unknown executable. */
static void check_handle_reuse(const struct mfu_job *j) {
  assert_calls(&j->totals, 2, 3, 0);
  assert_graphs(&j->graphs, (struct mfu_graph_counts){.captures = 2, .instantiations = 2,
                                                       .launches = 6, .executables = 2,
                                                       .unknown_launches = 1,
                                                       .launched = work(2, 3, 0)});
  assert_true(has_warning(j, "1 CUDA graph launches ran executables never seen instantiated"));
}

static void test_handle_reuse(void **state) {
  (void)state;
  start();
  begin(S1, 1, 0); /* CUDA 12: the graph is named at the end */
  gemm_a(1, 0);
  end(S1, G1);
  instantiate(G1, E1);
  graph_call(MFU_GRAPH_GRAPH_DESTROY, 0, 0, G1, 0, 0);
  launch(E1, 2);
  graph_call(MFU_GRAPH_EXEC_DESTROY, 0, 0, 0, E1, 0);
  launch(E1, 1);
  begin(S1, 2, 0);
  gemm_b(2);
  end(S1, G1); /* the same address, a new graph */
  instantiate(G1, E1);
  launch(E1, 3);
  in_both_orders(check_handle_reuse);
}

/* BeginCaptureToGraph twice into one graph: the graph holds both captures. CUDA 12 style
 * captures on two streams at once, ended in the other order: paired by stream. */
static void check_capture_styles(const struct mfu_job *j) {
  /* G1 (A + B) x 4; G2 (capture 3: A) x 1; G3 (capture 4: B, B) x 2 */
  assert_calls(&j->totals, 4 + 1, 4 + 2 * 2, 0);
  assert_graphs(&j->graphs, (struct mfu_graph_counts){.captures = 4, .instantiations = 3,
                                                       .launches = 7, .executables = 3,
                                                       .launched = work(5, 8, 0)});
}

static void test_capture_styles(void **state) {
  (void)state;
  start();
  begin(S1, 1, G1);
  recs[nrecs - 1].api = MFU_API_cudaStreamBeginCaptureToGraph;
  gemm_a(1, 0);
  end(S1, G1);
  begin(S1, 2, G1);
  recs[nrecs - 1].api = MFU_API_cudaStreamBeginCaptureToGraph;
  gemm_b(2);
  end(S1, G1);
  instantiate(G1, E1);
  launch(E1, 4);

  begin(S2, 3, 0);
  begin(S3, 4, 0);
  gemm_a(3, 0);
  gemm_b(4);
  gemm_b(4);
  end(S3, G3);
  end(S2, G2);
  instantiate(G2, E2);
  instantiate(G3, 0xe300);
  launch(E2, 1);
  launch(0xe300, 2);
  in_both_orders(check_capture_styles);
}

/* Failures: a failed captured call counts once, as failed; a failed launch adds nothing, nor
 * does a failed instantiation; a failed end of capture (invalidated) discards the capture,
 * which no launch runs. */
static void check_failures(const struct mfu_job *j) {
  assert_calls(&j->totals, 2, 0, 0);
  assert_int_equal(j->totals.gemm_failed, 1);
  assert_int_equal(api(&j->totals, "cublasGemmEx")->failed, 1);
  assert_graphs(&j->graphs, (struct mfu_graph_counts){.captures = 2, .instantiations = 2,
                                                       .launches = 4, .executables = 2,
                                                       .unknown_launches = 1,
                                                       .launched = work(2, 0, 0),
                                                       .unlaunched_captures = 1,
                                                       .unlaunched = work(1, 1, 0)});
}

static void test_failures(void **state) {
  (void)state;
  start();
  begin(S1, 1, G1);
  gemm_a(1, 0);
  gemm_a(1, 13); /* CUBLAS_STATUS_EXECUTION_FAILED */
  end(S1, G1);
  graph_call(MFU_GRAPH_INSTANTIATE, 0, 0, G1, E2, 1); /* failed: E2 is nothing */
  instantiate(G1, E1);
  launch(E1, 2);
  graph_call(MFU_GRAPH_LAUNCH, S1, 0, 0, E1, 400); /* cudaErrorInvalidResourceHandle */
  launch(E2, 1); /* never instantiated */
  begin(S2, 2, G2);
  gemm_a(2, 0);
  gemm_b(2);
  graph_call(MFU_GRAPH_END_CAPTURE, S2, 0, 0, 0, 901); /* cudaErrorStreamCaptureInvalidated */
  instantiate(G2, 0xe300); /* whatever G2 holds, it is not capture 2 */
  launch(0xe300, 1);
  begin(S1, 3, 0); /* a failed begin starts nothing */
  recs[nrecs - 1].status = 1;
  in_both_orders(check_failures);
}

/* Launches of an executable never seen instantiated: unknown work, nothing counted, a
 * warning. */
static void check_unknown_executable(const struct mfu_job *j) {
  assert_calls(&j->totals, 1, 0, 0);
  assert_graphs(&j->graphs, (struct mfu_graph_counts){.launches = 3, .unknown_launches = 3});
  assert_true(has_warning(j, "3 CUDA graph launches ran executables never seen instantiated "
                             "(before the shim was loaded, or their records were lost): what "
                             "they ran is unknown and not counted"));
}

static void test_unknown_executable(void **state) {
  (void)state;
  start();
  gemm_a(0, 0);
  launch(E1, 3);
  in_both_orders(check_unknown_executable);
}

/* Captures never launched: one never instantiated, one instantiated and never launched, one
 * whose BEGIN record is missing. Not counted, and said how much. */
static void check_never_launched(const struct mfu_job *j) {
  assert_calls(&j->totals, 0, 0, 0);
  assert_graphs(&j->graphs, (struct mfu_graph_counts){.captures = 3, .instantiations = 1,
                                                       .unlaunched_captures = 3,
                                                       .unlaunched = work(2, 1, 1)});
  assert_int_equal(j->warnings.n, 0);
}

static void test_never_launched(void **state) {
  (void)state;
  start();
  begin(S1, 1, 0);
  gemm_a(1, 0);
  allreduce(1);
  end(S1, G1);
  begin(S1, 2, G2);
  gemm_b(2);
  end(S1, G2);
  instantiate(G2, E1);
  gemm_a(9, 0); /* capture 9 began before the shim knew */
  in_both_orders(check_never_launched);
}

/* A capture whose END record is missing goes into the graph its BEGIN named. */
static void check_missing_end(const struct mfu_job *j) {
  assert_calls(&j->totals, 2, 0, 0);
}

static void test_missing_end(void **state) {
  (void)state;
  start();
  begin(S1, 1, G1);
  gemm_a(1, 0);
  instantiate(G1, E1);
  launch(E1, 2);
  in_both_orders(check_missing_end);
}

/* Capture ids and handles are per process: the same values on two ranks are different
 * captures. Totals and graph counts sum over ranks. */
static void test_two_ranks(void **state) {
  (void)state;
  char err[512];
  for (int rank = 0; rank < 2; rank++) {
    start();
    begin(S1, 1, G1);
    gemm_a(1, 0);
    allreduce(1);
    end(S1, G1);
    instantiate(G1, E1);
    launch(E1, rank == 0 ? 5 : 2);
    write_rank(rank, 2, rank == 1);
  }
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 0);
  const struct mfu_job *j = &t.jobs[0];
  assert_calls(&j->files[0]->counts, 5, 0, 5);
  assert_calls(&j->files[1]->counts, 2, 0, 2);
  assert_calls(&j->totals, 7, 0, 7);
  assert_graphs(&j->files[1]->graphs, (struct mfu_graph_counts){.captures = 1,
                                                                 .instantiations = 1,
                                                                 .launches = 2, .executables = 1,
                                                                 .launched = work(2, 0, 2)});
  assert_graphs(&j->graphs, (struct mfu_graph_counts){.captures = 2, .instantiations = 2,
                                                       .launches = 7, .executables = 2,
                                                       .launched = work(7, 0, 7)});
  mfu_traces_free(&t);
}

/* Equal timestamps (a coarse proc): the file order of one thread's records decides. */
static void test_equal_times(void **state) {
  (void)state;
  char err[512];
  start();
  begin(S1, 1, 0);
  gemm_a(1, 0);
  end(S1, G1);
  instantiate(G1, E1);
  launch(E1, 2);
  for (size_t i = 0; i < nrecs; i++) recs[i].t_start_ns = recs[i].t_end_ns = 5000;
  write_rank(0, 1, false);
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 0);
  assert_calls(&t.jobs[0].totals, 2, 0, 0);
  mfu_traces_free(&t);
}

/* A graph operation from a newer shim is skipped, and said. */
static void test_unknown_operation(void **state) {
  (void)state;
  char err[512];
  start();
  graph_call(MFU_GRAPH_LAUNCH, S1, 0, 0, E1, 0);
  recs[nrecs - 1].u.graph.op = 99;
  write_rank(0, 1, false);
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, fx_dir, NULL, NULL, err, sizeof err), 0);
  assert_int_equal(t.jobs[0].totals.unknown_records, 1);
  assert_int_equal(t.jobs[0].graphs.launches, 0);
  assert_true(has_warning(&t.jobs[0], "1 records and 0 blocks of unknown kinds were skipped"));
  mfu_traces_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_five_launches, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_eager_and_graph, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_exec_update, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_handle_reuse, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_capture_styles, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_failures, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_unknown_executable, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_never_launched, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_missing_end, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_two_ranks, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_equal_times, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_unknown_operation, fx_setup, fx_teardown),
      cmocka_unit_test_setup_teardown(test_blas3_launches, fx_setup, fx_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
