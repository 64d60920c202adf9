/* Unit tests of analyzer/steps/call_times (the GPU time of one rank's calls by GEMM shape, NCCL
 * size and kernel), analyzer/steps/correlation and analyzer/metrics/profile (the job's, merged
 * over its ranks, with achieved TFLOP/s, shares, algbw and busbw), from hand-built traces with
 * every expected value derived by hand below.
 *
 * Rank 0 (device "NVIDIA H100 80GB HBM3": bf16 peak 989.4 TFLOP/s), calls with their external
 * correlation ids, kernels with CUPTI ids mapped to them by CORRELATION records:
 *   1  GemmEx bf16 64x128x256 NN (4 194 304 FLOPs)   kernel "kern_alpha" 10 000 ns
 *   2  the same                                       kernel "kern_alpha" 10 000 ns
 *   3  the same                                       "kern_alpha" 10 000 + "splitKreduce" 2 000
 *   4  GemmEx bf16 256x256x256 NT (33 554 432 FLOPs)  no kernel (not timed)
 *   5  GemmEx bf16 64x128x256 failed (status 13)      not counted
 *   6  GemmEx bf16 64x128x256 captured into a graph   not here (its kernels run at launches)
 *   7  AllReduce of 1 048 576 bf16 on 2 ranks (S = 2 097 152 B)   "kern_delta" 25 000 ns
 *   -  "vectorized_elementwise_kernel" 5 000 ns, uncorrelated: other
 *   -  a memcpy 1 000 ns tied to call 1: memcpy, not GEMM
 * Rank 1: call 1 only, its kernel "kern_alpha" 20 000 ns.
 * So for the job: shape 64x128x256 has 4 calls, 4 timed, 16 777 216 FLOPs in 52 000 ns:
 * 322.639 TFLOP/s, 32.6% of the peak; shape 256x256x256 one call, untimed; GEMM kernel time
 * 52 000 ns (kern_alpha 50 000, splitKreduce 2 000); the all-reduce 25 000 ns per call: algbw
 * 2 097 152 / 25e-6 = 83.886 GB/s, busbw the same (bus factor 2·(2−1)/2 = 1). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "job/job.h"
#include "metrics/profile.h"
#include "model/spec.h"
#include "steps/correlation.h"
#include "timeline/kernels.h"
#include "trace_fixture.h"

enum { S_ALPHA = MFU_STRING_DYNAMIC, S_SPLITK, S_DELTA, S_ELEMENTWISE };

#define G0 5000000000ull

static void write_rank(const char *dir, int rank) {
  struct fx fx;
  struct mfu_record r[64];
  size_t n = 0;
  fx_begin(&fx, "job", rank, 2);
  fx_api_names(&fx);
  static const uint32_t ids[] = {S_ALPHA, S_SPLITK, S_DELTA, S_ELEMENTWISE};
  static const char *const names[] = {"kern_alpha", "splitKreduce_kernel", "kern_delta",
                                      "vectorized_elementwise_kernel"};
  fx_strings(&fx, 4, ids, names);
  r[n++] = fx_device("NVIDIA H100 80GB HBM3");
  struct mfu_record call[7] = {
      fx_gemm(&fx, MFU_API_cublasGemmEx, 64, 128, 256, MFU_PREC_BF16, 0),
      fx_gemm(&fx, MFU_API_cublasGemmEx, 64, 128, 256, MFU_PREC_BF16, 0),
      fx_gemm(&fx, MFU_API_cublasGemmEx, 64, 128, 256, MFU_PREC_BF16, 0),
      fx_gemm(&fx, MFU_API_cublasGemmEx, 256, 256, 256, MFU_PREC_BF16, 0),
      fx_gemm(&fx, MFU_API_cublasGemmEx, 64, 128, 256, MFU_PREC_BF16, 13),
      fx_captured(fx_gemm(&fx, MFU_API_cublasGemmEx, 64, 128, 256, MFU_PREC_BF16, 0), 77),
      fx_nccl(&fx, MFU_API_ncclAllReduce, MFU_NCCL_ALLREDUCE, 1048576, 9, 2, 0)};
  call[3].u.gemm.transb = 1;
  size_t ncalls = rank == 0 ? 7 : 1;
  for (size_t i = 0; i < ncalls; i++) {
    call[i].correlation = i + 1;
    r[n++] = call[i];
  }
  /* Kernels before their correlations and calls after them would do too: any order. */
  if (rank == 0) {
    r[n++] = fx_kernel(G0, G0 + 10000, S_ALPHA, 101);
    r[n++] = fx_kernel(G0 + 10000, G0 + 20000, S_ALPHA, 102);
    r[n++] = fx_kernel(G0 + 20000, G0 + 30000, S_ALPHA, 103);
    r[n++] = fx_kernel(G0 + 30000, G0 + 32000, S_SPLITK, 104);
    r[n++] = fx_kernel(G0 + 40000, G0 + 65000, S_DELTA, 107);
    r[n++] = fx_kernel(G0 + 70000, G0 + 75000, S_ELEMENTWISE, 900);
    r[n++] = fx_memop(MFU_REC_MEMCPY, G0 + 80000, G0 + 81000, 4096, 108);
    static const uint64_t external[][2] = {{101, 1}, {102, 2}, {103, 3}, {104, 3}, {107, 7}, {108, 1}};
    for (size_t i = 0; i < 6; i++) r[n++] = fx_correlation((uint32_t)external[i][0], external[i][1]);
  } else {
    r[n++] = fx_correlation(101, 1);
    r[n++] = fx_kernel(G0, G0 + 20000, S_ALPHA, 101);
  }
  fx_records_shuffled(&fx, r, n);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  char path[600];
  mkdir(dir, 0755);
  snprintf(path, sizeof path, "%s/r%d.mfutrace", dir, rank);
  fx_save(&fx, path, fx.len);
  fx_free(&fx);
}

static void load(struct mfu_traces *t, const char *name, int nranks) {
  char dir[400], err[512];
  snprintf(dir, sizeof dir, "%s/%s", fx_dir, name);
  for (int rank = 0; rank < nranks; rank++) write_rank(dir, rank);
  if (mfu_traces_load(t, dir, NULL, NULL, err, sizeof err) != 0) fail_msg("load %s: %s", dir, err);
  assert_int_equal(t->njobs, 1);
}

static const struct call_times_kernel *kernel(const struct call_times *c, const char *name,
                                              enum activity_category cat) {
  for (size_t i = 0; i < c->nkernels; i++)
    if (c->kernels[i].cat == cat && (name ? c->kernels[i].name && !strcmp(c->kernels[i].name, name)
                                          : !c->kernels[i].name))
      return &c->kernels[i];
  fail_msg("no kernel %s (%s)", name ? name : "(null)", activity_category_name[cat]);
  return NULL;
}

static void test_one_rank(void **state) {
  (void)state;
  struct mfu_traces t;
  load(&t, "one", 1);
  const struct call_times *c = &t.files[0].call_times;
  assert_int_equal(c->ngemm, 2);
  const struct call_times_gemm *a = &c->gemm[0], *b = &c->gemm[1];
  assert_int_equal(a->m, 64);
  assert_int_equal(a->n, 128);
  assert_int_equal(a->k, 256);
  assert_int_equal(a->transb, 0);
  assert_int_equal(a->calls, 3);        /* not the failed call, not the captured one */
  assert_int_equal(a->timed_calls, 3);
  assert_true(a->flops == 3 * 4194304.0);
  assert_true(a->timed_flops == 3 * 4194304.0);
  assert_int_equal(a->gpu_ns, 32000);   /* call 3's split-K kernel too; not the memcpy */
  assert_int_equal(b->m, 256);
  assert_int_equal(b->transb, 1);
  assert_int_equal(b->calls, 1);
  assert_int_equal(b->timed_calls, 0);
  assert_true(b->timed_flops == 0);
  assert_int_equal(b->gpu_ns, 0);
  assert_int_equal(c->nnccl, 1);
  assert_int_equal(c->nccl[0].op, MFU_NCCL_ALLREDUCE);
  assert_int_equal(c->nccl[0].bytes, 2097152);
  assert_int_equal(c->nccl[0].comm_size, 2);
  assert_int_equal(c->nccl[0].calls, 1);
  assert_int_equal(c->nccl[0].timed_calls, 1);
  assert_int_equal(c->nccl[0].gpu_ns, 25000);
  /* By name kern_alpha and kern_delta are other: their calls make them GEMM and NCCL. */
  assert_int_equal(kernel_category("kern_alpha"), CAT_OTHER);
  assert_int_equal(c->nkernels, 5);
  const struct call_times_kernel *k = kernel(c, "kern_alpha", CAT_GEMM);
  assert_int_equal(k->count, 3);
  assert_int_equal(k->ns, 30000);
  assert_int_equal(kernel(c, "splitKreduce_kernel", CAT_GEMM)->ns, 2000);
  assert_int_equal(kernel(c, "kern_delta", CAT_NCCL)->ns, 25000);
  assert_int_equal(kernel(c, "vectorized_elementwise_kernel", CAT_OTHER)->ns, 5000);
  assert_int_equal(kernel(c, NULL, CAT_MEMCPY)->ns, 1000);
  mfu_traces_free(&t);
}

static void test_job_profile(void **state) {
  (void)state;
  struct mfu_traces t;
  load(&t, "two", 2);
  struct model_spec spec;
  model_spec_init(&spec);
  struct utilization_options o = {.spec = &spec, .skip = -1};
  struct job_profile p;
  profile_compute(&t.jobs[0], &o, &p);
  assert_true(p.timeline);
  assert_int_equal(p.ngemm, 2);
  const struct profile_gemm *a = &p.gemm[0], *b = &p.gemm[1]; /* most GPU time first */
  assert_int_equal(a->c.m, 64);
  assert_int_equal(a->c.calls, 4);
  assert_int_equal(a->c.timed_calls, 4);
  assert_int_equal(a->c.gpu_ns, 52000);
  assert_int_equal(p.gemm_ns, 52000);
  assert_float_equal(a->achieved, 4 * 4194304.0 / 52e-6, 1e-3);
  assert_float_equal(a->achieved / 1e12, 0.322639, 1e-6);
  assert_float_equal(a->share, 1.0, 1e-12);
  assert_float_equal(a->peak, 989.4e12, 1);
  assert_int_equal(b->c.m, 256);
  assert_true(isnan(b->achieved));
  assert_float_equal(b->share, 0.0, 1e-12);
  assert_int_equal(p.nnccl, 1);
  assert_float_equal(p.nccl[0].time_s, 25e-6, 1e-15);
  assert_float_equal(p.nccl[0].algbw, 2097152 / 25e-6, 1e-3);
  assert_float_equal(p.nccl[0].busbw, 2097152 / 25e-6, 1e-3);
  /* Kernels by category (gemm first), most time first: kern_alpha 30 000 + 20 000. */
  assert_int_equal(p.kernels[0].cat, CAT_GEMM);
  assert_string_equal(p.kernels[0].name, "kern_alpha");
  assert_int_equal(p.kernels[0].count, 4);
  assert_int_equal(p.kernels[0].ns, 50000);
  assert_float_equal(p.kernels[0].share, 50000.0 / 52000.0, 1e-12);
  assert_string_equal(p.kernels[1].name, "splitKreduce_kernel");
  assert_int_equal(p.category_ns[CAT_GEMM], 52000);
  assert_int_equal(p.category_ns[CAT_NCCL], 25000);
  assert_int_equal(p.category_ns[CAT_OTHER], 5000);
  assert_int_equal(p.category_ns[CAT_MEMCPY], 1000);
  profile_free(&p);
  /* --peak-tflops is the peak of every precision. */
  spec.peak_tflops = 100;
  profile_compute(&t.jobs[0], &o, &p);
  assert_float_equal(p.gemm[0].peak, 100e12, 1);
  profile_free(&p);
  mfu_traces_free(&t);
}

static void test_correlation_index(void **state) {
  (void)state;
  struct correlation_pair pairs[] = {{30, 3}, {10, 1}, {20, 2}, {40, 99}};
  struct { int other; uint64_t external; } calls[] = {{0, 2}, {0, 0}, {0, 1}, {0, 3}};
  struct correlation_index ix;
  correlation_index_init(&ix, pairs, 4, &calls[0].external, sizeof *calls, 4);
  assert_int_equal(correlation_find(&ix, 10), 2);
  assert_int_equal(correlation_find(&ix, 20), 0);
  assert_int_equal(correlation_find(&ix, 30), 3);
  assert_int_equal(correlation_find(&ix, 40), CORRELATION_NONE); /* no such call */
  assert_int_equal(correlation_find(&ix, 50), CORRELATION_NONE); /* no such pair */
  correlation_index_free(&ix);
  correlation_index_init(&ix, pairs, 0, &calls[0].external, sizeof *calls, 4);
  assert_int_equal(correlation_find(&ix, 10), CORRELATION_NONE);
  correlation_index_free(&ix);
  correlation_index_init(&ix, pairs, 4, NULL, 0, 0);
  assert_int_equal(correlation_find(&ix, 10), CORRELATION_NONE);
  correlation_index_free(&ix);
  /* Ids far apart are not indexed by arrays (binary searches instead), with the same answers. */
  struct correlation_pair sparse[] = {{30, 3}, {10, 1}, {1ull << 40, 2}, {40, 99}};
  struct { int other; uint64_t external; } far[] = {{0, 2}, {0, 0}, {0, 1}, {0, 3}, {0, 1ull << 41}};
  correlation_index_init(&ix, sparse, 4, &far[0].external, sizeof *far, 5);
  assert_null(ix.pair_of);
  assert_null(ix.call_of);
  assert_int_equal(correlation_find(&ix, 10), 2);
  assert_int_equal(correlation_find(&ix, 1ull << 40), 0);
  assert_int_equal(correlation_find(&ix, 30), 3);
  assert_int_equal(correlation_find(&ix, 40), CORRELATION_NONE);
  assert_int_equal(correlation_find(&ix, 20), CORRELATION_NONE);
  correlation_index_free(&ix);
}

static void test_kernel_short_name(void **state) {
  (void)state;
  char b[128];
  assert_string_equal(kernel_short_name("_Z27ncclDevKernel_AllReduce_Sum24ncclDevKernelArgsStorageILm4096EE", b, sizeof b),
                      "ncclDevKernel_AllReduce_Sum");
  assert_string_equal(kernel_short_name("_ZN7cutlass6KernelI35cutlass_80_tensorop_s1688gemm_64x64EEvNT_6ParamsE", b, sizeof b),
                      "cutlass::Kernel");
  assert_string_equal(kernel_short_name("void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<float>>(int, T2)", b, sizeof b),
                      "at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<float>>");
  assert_string_equal(kernel_short_name("sm90_xmma_gemm_bf16bf16_bf16f32", b, sizeof b),
                      "sm90_xmma_gemm_bf16bf16_bf16f32");
  assert_string_equal(kernel_short_name("_Z99short", b, sizeof b), "_Z99short"); /* malformed */
  assert_null(kernel_short_name(NULL, b, sizeof b));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_one_rank),
      cmocka_unit_test(test_job_profile),
      cmocka_unit_test(test_correlation_index),
      cmocka_unit_test(test_kernel_short_name),
  };
  return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
