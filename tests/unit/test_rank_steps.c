/* Unit tests of analyzer/rank_steps (a rank's steps, their windows, work and GPU timelines)
 * and analyzer/utilization (MFU, HFU and the efficiency factors of ranks and jobs), from
 * hand-built trace files read through mfu_traces_load_steps, with every expected value
 * derived by hand below.
 *
 * The trace of one rank (write_rank): 5 identical steps s = 0..4. On the host, step s starts
 * at H(s) = 2e9 + s·1e6 ns with 4 calls, 1000 ns apart, each with correlation id 4s+i+1:
 *   A  cublasGemmEx bf16 m,n,k =  64,128,256: 2·64·128·256  =  4 194 304 FLOPs
 *   B  cublasGemmEx bf16 m,n,k = 128,256,512: 2·128·256·512 = 33 554 432 FLOPs
 *   C  cublasGemmEx bf16 m,n,k = 256,256,256: 2·256³        = 33 554 432 FLOPs
 *   D  ncclAllReduce of 1 048 576 bf16 on 2 ranks: nccl-tests' S = 1048576·2 = 2 097 152 bytes
 * so 71 303 168 counted FLOPs and 2 097 152 NCCL bytes per step. On the GPU, step s starts at
 * G(s) = 5e9 + s·period (period 100 000 ns unless said), with these kernels (offsets from
 * G(s), in ns; CUPTI correlation ids 100+4s+i mapped by CORRELATION records to the calls):
 *   [     0, 10 000)  "kern_alpha"   <- A   (by its name OTHER: the call makes it GEMM)
 *   [10 000, 15 000)  "vectorized_elementwise_kernel", uncorrelated: OTHER
 *   [15 000, 30 000)  "kern_beta"    <- B   GEMM
 *   [30 000, 40 000)  "pytorch_flash::flash_fwd_kernel", uncorrelated: ATTENTION
 *   [40 000, 50 000)  idle
 *   [50 000, 60 000)  "kern_gamma"   <- C   GEMM
 *   [55 000, nccl_end)"kern_delta"   <- D   (by its name OTHER: the call makes it NCCL)
 *   [nccl_end, period) idle
 * With nccl_end = 80 000 and period = 100 000, a step's window [G(s), G(s+1)) holds:
 *   busy     [0,40 000) ∪ [50 000,80 000)                = 70 000
 *   math     10 000 + 15 000 + 10 000 (flash) + 10 000   = 45 000
 *   comm     [55 000, 80 000)                            = 25 000
 *   exposed  [60 000, 80 000) (NCCL alone)               = 20 000
 *   compute  busy − exposed                              = 50 000
 *   idle     [40 000,50 000) ∪ [80 000,100 000)          = 30 000
 *   per category: GEMM 35 000, ATTENTION 10 000, NCCL 25 000, OTHER 5 000
 * The last step has no next one: its window ends with its last correlated kernel, at
 * G(4) + 80 000, so it is 80 000 long, with 10 000 idle. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <sys/stat.h>

#include "job/job.h"
#include "timeline/kernels.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "model/spec.h"
#include "metrics/plausibility.h"
#include "metrics/utilization.h"
#include "trace_fixture.h"

#define NSTEPS 5
#define HOST0 2000000000ull
#define HOST_PERIOD 1000000ull
#define GPU0 5000000000ull
#define STEP_FLOPS 71303168.0 /* 4 194 304 + 33 554 432 + 33 554 432 */
#define STEP_BYTES 2097152.0

enum { S_ALPHA = MFU_STRING_DYNAMIC, S_BETA, S_GAMMA, S_DELTA, S_ELEMENTWISE, S_FLASH,
       S_TRAIN_STEP, S_FORWARD };

struct rank_spec {
  int rank, world;
  bool kernels;         /* GPU activity records */
  bool correlations;    /* CORRELATION records (with kernels) */
  uint64_t period;      /* GPU step period; 0: 100 000 */
  uint64_t nccl_end;    /* offset of the NCCL kernel's end; 0: 80 000 */
  bool markers;         /* NVTX ranges "train_step" around each step, "forward" nested */
  bool shuffled;        /* records out of order, in blocks of 3 */
  const char *device;   /* a DEVICE record of this name; NULL none */
  bool copies;          /* a memcpy [85 000, 90 000) tied to call A, and an uncorrelated
                           memset [92 000, 93 000) in each step */
  bool long_copy;       /* an uncorrelated memcpy over every step, [G(0), G(4) + 80 000) */
};

static uint64_t host(int s) { return HOST0 + (uint64_t)s * HOST_PERIOD; }
static uint64_t gpu(const struct rank_spec *p, int s) {
  return GPU0 + (uint64_t)s * (p->period ? p->period : 100000);
}

/* Writes DIR/rNAME.mfutrace for `p` (DIR made if missing). */
static void write_rank(const char *dir, const struct rank_spec *p) {
  struct fx fx;
  struct mfu_record r[256];
  size_t n = 0;
  fx_begin(&fx, "job", p->rank, p->world);
  fx_api_names(&fx);
  static const uint32_t ids[] = {S_ALPHA, S_BETA, S_GAMMA, S_DELTA, S_ELEMENTWISE, S_FLASH,
                                 S_TRAIN_STEP, S_FORWARD};
  static const char *const names[] = {"kern_alpha", "kern_beta", "kern_gamma", "kern_delta",
                                      "vectorized_elementwise_kernel",
                                      "pytorch_flash::flash_fwd_kernel", "train_step", "forward"};
  fx_strings(&fx, 8, ids, names);
  if (p->device) r[n++] = fx_device(p->device);
  uint64_t nccl_end = p->nccl_end ? p->nccl_end : 80000;
  for (int s = 0; s < NSTEPS; s++) {
    uint64_t h = host(s), g = gpu(p, s);
    struct mfu_record calls[4] = {
        fx_gemm(&fx, MFU_API_cublasGemmEx, 64, 128, 256, MFU_PREC_BF16, 0),
        fx_gemm(&fx, MFU_API_cublasGemmEx, 128, 256, 512, MFU_PREC_BF16, 0),
        fx_gemm(&fx, MFU_API_cublasGemmEx, 256, 256, 256, MFU_PREC_BF16, 0),
        fx_nccl(&fx, MFU_API_ncclAllReduce, MFU_NCCL_ALLREDUCE, 1048576, 9, 2, 0)};
    static const uint32_t kname[4] = {S_ALPHA, S_BETA, S_GAMMA, S_DELTA};
    const uint64_t kstart[4] = {0, 15000, 50000, 55000}, kend[4] = {10000, 30000, 60000, nccl_end};
    if (p->markers) {
      r[n++] = fx_marker(MFU_MARKER_PUSH, h - 100, 4242, S_TRAIN_STEP);
      r[n++] = fx_marker(MFU_MARKER_PUSH, h + 10, 4242, S_FORWARD);
      r[n++] = fx_marker(MFU_MARKER_POP, h + 2500, 4242, 0);
      r[n++] = fx_marker(MFU_MARKER_POP, h + 5000, 4242, 0);
    }
    for (int i = 0; i < 4; i++) {
      uint64_t external = (uint64_t)(4 * s + i + 1);
      uint32_t cupti = (uint32_t)(100 + 4 * s + i);
      calls[i].t_start_ns = h + 1000 * (uint64_t)i;
      calls[i].t_end_ns = calls[i].t_start_ns + 500;
      calls[i].correlation = external;
      r[n++] = calls[i];
      if (p->kernels) r[n++] = fx_kernel(g + kstart[i], g + kend[i], kname[i], cupti);
      if (p->kernels && p->correlations) r[n++] = fx_correlation(cupti, external);
    }
    if (p->kernels) { /* uncorrelated: CUPTI ids no CORRELATION record maps */
      r[n++] = fx_kernel(g + 10000, g + 15000, S_ELEMENTWISE, (uint32_t)(900 + 2 * s));
      r[n++] = fx_kernel(g + 30000, g + 40000, S_FLASH, (uint32_t)(901 + 2 * s));
    }
    if (p->copies) {
      r[n++] = fx_memop(MFU_REC_MEMCPY, g + 85000, g + 90000, 4096, (uint32_t)(300 + s));
      r[n++] = fx_correlation((uint32_t)(300 + s), (uint64_t)(4 * s + 1));
      r[n++] = fx_memop(MFU_REC_MEMSET, g + 92000, g + 93000, 4096, (uint32_t)(400 + s));
    }
  }
  if (p->long_copy) r[n++] = fx_memop(MFU_REC_MEMCPY, gpu(p, 0), gpu(p, NSTEPS - 1) + 80000, 1, 999);
  assert_true(n <= 256);
  if (p->shuffled) fx_records_shuffled(&fx, r, n);
  else fx_records(&fx, r, n);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  char path[600];
  mkdir(dir, 0755);
  snprintf(path, sizeof path, "%s/r%d.mfutrace", dir, p->rank);
  fx_save(&fx, path, fx.len);
  fx_free(&fx);
}

/* Writes one rank into fx_dir/NAME and loads it; returns its steps. */
static const struct rank_steps *load_one(struct mfu_traces *t, const char *name,
                                         const struct rank_spec *p, const char *step_range) {
  char dir[400], err[512];
  snprintf(dir, sizeof dir, "%s/%s", fx_dir, name);
  write_rank(dir, p);
  int rc = mfu_traces_load(t, dir, NULL, step_range, err, sizeof err);
  if (rc != 0) fail_msg("load %s: %s", dir, err);
  assert_int_equal(t->nfiles, 1);
  assert_true(t->files[0].complete);
  return &t->files[0].steps;
}

static void check_work(const struct rank_steps *rs) {
  for (int s = 0; s < NSTEPS; s++) {
    assert_int_equal(rs->steps[s].calls, 4);
    assert_true(rs->steps[s].gemm_flops == STEP_FLOPS);
    assert_true(rs->steps[s].nccl_bytes == STEP_BYTES);
  }
}

/* The windows and timelines of the GPU trace (module comment), nccl_end 80 000. */
static void check_gpu_steps(const struct rank_spec *p, const struct rank_steps *rs) {
  assert_int_equal(rs->nsteps, NSTEPS);
  assert_true(rs->timeline);
  assert_int_equal(rs->activities, NSTEPS * 6);
  check_work(rs);
  for (int s = 0; s < NSTEPS; s++) {
    const struct rank_step *st = &rs->steps[s];
    bool last = s == NSTEPS - 1;
    uint64_t window = last ? 80000 : 100000;
    assert_true(st->gpu_window);
    assert_int_equal(st->start_ns, gpu(p, s));
    assert_int_equal(st->end_ns, last ? gpu(p, s) + 80000 : gpu(p, s + 1));
    assert_true(st->attention_kernels);
    const struct timeline *tl = &st->tl;
    assert_int_equal(tl->window_ns, window);
    assert_int_equal(tl->busy_ns, 70000);
    assert_int_equal(tl->math_ns, 45000);
    assert_int_equal(tl->comm_ns, 25000);
    assert_int_equal(tl->exposed_comm_ns, 20000);
    assert_int_equal(tl->compute_ns, 50000);
    assert_int_equal(tl->copy_ns, 0);
    assert_int_equal(tl->idle_ns, window - 70000);
    assert_int_equal(tl->category_ns[CAT_GEMM], 35000);   /* the override: names say OTHER */
    assert_int_equal(tl->category_ns[CAT_ATTENTION], 10000);
    assert_int_equal(tl->category_ns[CAT_NCCL], 25000);
    assert_int_equal(tl->category_ns[CAT_OTHER], 5000);   /* the elementwise kernel only */
    assert_int_equal(tl->invalid, 0);
  }
}

/* ------------------------------------------------------------------------- rank_steps */

static void test_automatic_gpu_steps(void **state) {
  (void)state;
  struct rank_spec p = {.rank = 0, .world = 1, .kernels = true, .correlations = true};
  struct mfu_traces t;
  /* By name alone the correlated kernels would be OTHER: the GEMM and NCCL time below comes
   * from the override by their calls. */
  assert_int_equal(kernel_category("kern_alpha"), CAT_OTHER);
  assert_int_equal(kernel_category("kern_delta"), CAT_OTHER);
  assert_int_equal(kernel_category("vectorized_elementwise_kernel"), CAT_OTHER);
  assert_int_equal(kernel_category("pytorch_flash::flash_fwd_kernel"), CAT_ATTENTION);
  const struct rank_steps *rs = load_one(&t, "auto", &p, NULL);
  if (rs->nsteps == 0) fail_msg("no steps: %s", rs->reason);
  assert_string_equal(rs->method, "automatic");
  assert_int_equal(rs->skip, 0);
  assert_int_equal(rs->period, 4);
  assert_string_equal(rs->device, "");
  check_gpu_steps(&p, rs);
  /* host_ns: first call to the next step's first (1 ms); the last step's ends with the
   * start of its last call, H(4) + 3000. */
  for (int s = 0; s < NSTEPS - 1; s++) assert_int_equal(rs->steps[s].host_ns, HOST_PERIOD);
  assert_int_equal(rs->steps[NSTEPS - 1].host_ns, 3000);
  mfu_traces_free(&t);
}

static void test_shuffled_records(void **state) {
  (void)state;
  struct rank_spec p = {.rank = 0, .world = 1, .kernels = true, .correlations = true,
                        .shuffled = true};
  struct mfu_traces t;
  const struct rank_steps *rs = load_one(&t, "shuffled", &p, NULL);
  assert_string_equal(rs->method, "automatic");
  check_gpu_steps(&p, rs);
  mfu_traces_free(&t);
}

/* Without activity records, the windows are the host's: from a step's first call to the
 * next one's, the last ending with the start of its last call. */
static void test_host_windows(void **state) {
  (void)state;
  struct rank_spec p = {.rank = 0, .world = 1};
  struct mfu_traces t;
  const struct rank_steps *rs = load_one(&t, "host", &p, NULL);
  assert_int_equal(rs->nsteps, NSTEPS);
  assert_false(rs->timeline);
  assert_int_equal(rs->activities, 0);
  check_work(rs);
  for (int s = 0; s < NSTEPS; s++) {
    const struct rank_step *st = &rs->steps[s];
    assert_false(st->gpu_window);
    assert_false(st->attention_kernels);
    assert_int_equal(st->start_ns, host(s));
    assert_int_equal(st->end_ns, s + 1 < NSTEPS ? host(s + 1) : host(s) + 3000);
  }
  mfu_traces_free(&t);
}

/* Kernels that no CORRELATION record ties to a call: a timeline, but host windows, and each
 * kernel in its own name's category (the four kern_* are OTHER). In the window
 * [H(s), H(s+1)) there is no kernel at all (the GPU clock is 3 s later). */
static void test_uncorrelated_kernels(void **state) {
  (void)state;
  struct rank_spec p = {.rank = 0, .world = 1, .kernels = true};
  struct mfu_traces t;
  const struct rank_steps *rs = load_one(&t, "uncorrelated", &p, NULL);
  assert_int_equal(rs->nsteps, NSTEPS);
  assert_true(rs->timeline);
  for (int s = 0; s < NSTEPS; s++) {
    assert_false(rs->steps[s].gpu_window);
    assert_int_equal(rs->steps[s].start_ns, host(s));
    assert_int_equal(rs->steps[s].tl.busy_ns, 0);
  }
  mfu_traces_free(&t);
}

/* NVTX ranges "train_step" from H(s) − 100 to H(s) + 5000, with "forward" nested inside:
 * the steps follow the matching ranges. Host windows run from a range's start to the next
 * one's; the last ends with its range. */
static void test_marker_steps_host(void **state) {
  (void)state;
  struct rank_spec p = {.rank = 0, .world = 1, .markers = true, .shuffled = true};
  struct mfu_traces t;
  const struct rank_steps *rs = load_one(&t, "markers-host", &p, "^train_step$");
  assert_string_equal(rs->method, "markers ^train_step$");
  if (rs->nsteps != NSTEPS) fail_msg("%zu steps: %s", rs->nsteps, rs->reason);
  assert_int_equal(rs->skip, 0);
  assert_int_equal(rs->period, 4);
  check_work(rs);
  for (int s = 0; s < NSTEPS; s++) {
    const struct rank_step *st = &rs->steps[s];
    assert_false(st->gpu_window);
    assert_int_equal(st->start_ns, host(s) - 100);
    assert_int_equal(st->end_ns, s + 1 < NSTEPS ? host(s + 1) - 100 : host(s) + 5000);
    assert_int_equal(st->host_ns, s + 1 < NSTEPS ? HOST_PERIOD : 5100);
  }
  mfu_traces_free(&t);

  /* "forward" ranges (H(s) + 10 to H(s) + 2500) as steps: calls B and C (at +1000, +2000)
   * only: 67 108 864 FLOPs, no NCCL bytes. */
  rs = load_one(&t, "markers-forward", &p, "^forward$");
  assert_int_equal(rs->nsteps, NSTEPS);
  for (int s = 0; s < NSTEPS; s++) {
    assert_int_equal(rs->steps[s].calls, 2);
    assert_true(rs->steps[s].gemm_flops == 67108864.0);
    assert_true(rs->steps[s].nccl_bytes == 0);
    assert_int_equal(rs->steps[s].start_ns, host(s) + 10);
  }
  assert_int_equal(rs->steps[NSTEPS - 1].end_ns, host(NSTEPS - 1) + 2500);
  mfu_traces_free(&t);

  rs = load_one(&t, "markers-none", &p, "^optimizer$");
  assert_int_equal(rs->nsteps, 0);
  assert_contains(rs->reason, "no NVTX range matches '^optimizer$'");
  mfu_traces_free(&t);
}

/* Markers and a GPU timeline: GPU windows as for automatic steps. */
static void test_marker_steps_gpu(void **state) {
  (void)state;
  struct rank_spec p = {.rank = 0, .world = 1, .kernels = true, .correlations = true,
                        .markers = true};
  struct mfu_traces t;
  const struct rank_steps *rs = load_one(&t, "markers-gpu", &p, "train_step");
  assert_string_equal(rs->method, "markers train_step");
  check_gpu_steps(&p, rs);
  mfu_traces_free(&t);
}

/* Copies: a memcpy tied to GEMM call A stays a copy (the call makes kernels GEMM, not copies);
 * copies are activity, never busy. Per step (not the last): copy 5 000 + 1 000, idle
 * 30 000 − 6 000 = 24 000, busy still 70 000. The memcpy is the last activity tied to the
 * last step's calls: that step ends at G(4) + 90 000 (the memset, uncorrelated, is outside),
 * a window of 90 000 with copy 5 000 and idle 15 000. */
static void test_copies(void **state) {
  (void)state;
  struct rank_spec p = {.rank = 0, .world = 1, .kernels = true, .correlations = true,
                        .copies = true, .shuffled = true};
  struct mfu_traces t;
  const struct rank_steps *rs = load_one(&t, "copies", &p, NULL);
  assert_int_equal(rs->nsteps, NSTEPS);
  assert_int_equal(rs->activities, NSTEPS * 8);
  for (int s = 0; s < NSTEPS; s++) {
    const struct timeline *tl = &rs->steps[s].tl;
    bool last = s == NSTEPS - 1;
    assert_true(rs->steps[s].gpu_window);
    assert_int_equal(rs->steps[s].start_ns, gpu(&p, s));
    assert_int_equal(tl->window_ns, last ? 90000 : 100000);
    assert_int_equal(tl->busy_ns, 70000);
    assert_int_equal(tl->copy_ns, last ? 5000 : 6000);
    assert_int_equal(tl->idle_ns, last ? 15000 : 24000);
    assert_int_equal(tl->category_ns[CAT_MEMCPY], 5000);
    assert_int_equal(tl->category_ns[CAT_MEMSET], last ? 0 : 1000);
    assert_int_equal(tl->category_ns[CAT_GEMM], 35000);
  }
  mfu_traces_free(&t);
}

/* An activity that spans every step counts in each, for the part inside its window. */
static void test_long_activity(void **state) {
  (void)state;
  struct rank_spec p = {.rank = 0, .world = 1, .kernels = true, .correlations = true,
                        .long_copy = true};
  struct mfu_traces t;
  const struct rank_steps *rs = load_one(&t, "long", &p, NULL);
  assert_int_equal(rs->nsteps, NSTEPS);
  assert_int_equal(rs->activities, NSTEPS * 6 + 1);
  for (int s = 0; s < NSTEPS; s++) {
    const struct timeline *tl = &rs->steps[s].tl;
    uint64_t window = s == NSTEPS - 1 ? 80000 : 100000;
    assert_int_equal(tl->window_ns, window);
    assert_int_equal(tl->busy_ns, 70000);
    assert_int_equal(tl->copy_ns, window);
    assert_int_equal(tl->category_ns[CAT_MEMCPY], window);
    assert_int_equal(tl->idle_ns, 0);
  }
  mfu_traces_free(&t);
}

/* ------------------------------------------------------------------------ utilization */

/* Options as `mfu report ARGS...` parses them; the model when one is given. */
static void parse_options(struct model_spec *mo, struct utilization_options *u, int argc,
                          char **argv) {
  char err[512];
  model_spec_init(mo);
  assert_true(options_parse(argc, argv, "mfu report", NULL, NULL, NULL, mo) > 0);
  *u = (struct utilization_options){.spec = mo, .skip = -1};
  if (model_spec_has_model(mo)) {
    if (model_resolve(mo->config, mo->preset, &mo->overrides, &u->model, NULL, err, sizeof err))
      fail_msg("%s", err);
    u->have_model = true;
  }
}

static void assert_close(double got, double want) {
  if (!(fabs(got - want) <= 1e-12 * fabs(want)))
    fail_msg("got %.17g, want %.17g", got, want);
}

static double product(const struct efficiency *e) {
  double p = 1;
  for (int i = EFF_COVERAGE; i < EFF_COUNT; i++) p *= e->value[i];
  return p;
}

/* Rank 0 of the GPU trace, --preset llama-2-7b --batch 2 --seq 128 --recompute full
 * --peak-tflops 400: F_model and F_hw from the formula; the 4 steps before the last are
 * measured, each 100 000 ns: T = 1e-4 s, P = 4e14 FLOP/s.
 *   MFU = F_model / (T·P), HFU = F_hw / (T·P)
 * Summed over the 4 steps: window 400 000, busy 280 000, math 180 000, compute 200 000;
 * F_math = 4·(71 303 168 + the formula's attention-core FLOPs), as flash kernels ran:
 *   coverage = 4·F_model / F_math     kernel   = F_math / (180 000e-9 · P)
 *   memory   = 180 000 / 200 000 = 0.9   comm = 200 000 / 280 000 = 5/7
 *   parallel = 280 000 / 400 000 = 0.7 */
static void test_rank_mfu(void **state) {
  (void)state;
  char dir[400], err[512];
  snprintf(dir, sizeof dir, "%s/util", fx_dir);
  struct rank_spec p = {.rank = 0, .world = 1, .kernels = true, .correlations = true};
  write_rank(dir, &p);
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, dir, NULL, NULL, err, sizeof err), 0);
  assert_int_equal(t.njobs, 1);

  char *argv[] = {"report", "--preset", "llama-2-7b", "--batch", "2", "--seq", "128",
                  "--recompute", "full", "--peak-tflops", "400"};
  struct model_spec mo;
  struct utilization_options o;
  parse_options(&mo, &o, 11, argv);
  assert_true(o.have_model);
  struct flops f;
  formula_flops(&o.model, &mo.work, mo.convention, &f);
  assert_true(f.hardware > f.model && f.model > 0);
  double attention = 0;
  for (int pass = 0; pass < PASS_COUNT; pass++)
    attention += f.part[PART_SCORES][pass] + f.part[PART_ATTN_V][pass];
  const double P = 4e14, T = 1e-4;

  struct job_utilization u;
  utilization_compute(&t.jobs[0], &o, &u);
  const struct rank_utilization *r = &u.ranks[0];
  assert_int_equal(r->first, 0);
  assert_int_equal(r->used, 4);          /* 5 steps, the last not measured */
  assert_true(r->step_s == T);           /* with the last: (4·100 000 + 80 000)/5 ns */
  assert_true(r->counted_flops == STEP_FLOPS);
  assert_true(r->model_flops == f.model);
  assert_true(r->hw_flops == f.hardware);
  assert_true(r->peak == P);
  assert_contains(r->peak_label, "400 TFLOP/s bf16 (--peak-tflops)");
  assert_close(r->mfu, f.model / (T * P));
  assert_close(r->hfu, f.hardware / (T * P));
  assert_true(r->timeline);
  assert_int_equal(r->tl.window_ns, 400000);
  assert_int_equal(r->tl.busy_ns, 280000);
  assert_int_equal(r->tl.math_ns, 180000);
  assert_int_equal(r->tl.compute_ns, 200000);
  double f_math = 4 * (STEP_FLOPS + attention);
  assert_close(r->inputs.f_math, f_math);
  assert_close(r->inputs.f_model, 4 * f.model);
  assert_close(r->eff.value[EFF_MFU], r->mfu);
  assert_close(r->eff.value[EFF_COVERAGE], 4 * f.model / f_math);
  assert_close(r->eff.value[EFF_KERNEL], f_math / (180000e-9 * P));
  assert_close(r->eff.value[EFF_MEMORY], 0.9);
  assert_close(r->eff.value[EFF_COMM], 5.0 / 7.0);
  assert_close(r->eff.value[EFF_PARALLEL], 0.7);
  assert_close(product(&r->eff), r->mfu);
  /* Each step's own factors; the last, listed though not measured, is 80 000 long. */
  assert_non_null(r->step_eff);
  assert_close(r->step_eff[0].value[EFF_PARALLEL], 0.7);
  assert_close(r->step_eff[NSTEPS - 1].value[EFF_PARALLEL], 70000.0 / 80000.0);
  /* The job of one rank: the same MFU. */
  assert_int_equal(u.steps, 4);
  assert_true(u.step_s == T);
  assert_close(u.mfu, r->mfu);
  assert_close(u.hfu, r->hfu);
  assert_false(u.straggler_known);
  utilization_free(&u);

  /* --skip 2: steps 2 and 3 measured (same windows, so the same MFU). */
  o.skip = 2;
  utilization_compute(&t.jobs[0], &o, &u);
  assert_int_equal(u.ranks[0].first, 2);
  assert_int_equal(u.ranks[0].used, 2);
  assert_int_equal(u.ranks[0].tl.window_ns, 200000);
  assert_close(u.ranks[0].mfu, f.model / (T * P));
  assert_int_equal(u.steps, 2);
  utilization_free(&u);

  /* --skip 4: only the last step is left, which is not measured. */
  o.skip = 4;
  utilization_compute(&t.jobs[0], &o, &u);
  assert_int_equal(u.ranks[0].used, 0);
  assert_true(isnan(u.ranks[0].mfu));
  assert_contains(u.ranks[0].why, "5 steps, 4 of them warm-up");
  assert_true(isnan(u.mfu));
  assert_false(u.timeline);
  utilization_free(&u);
  mfu_traces_free(&t);
}

/* Two ranks, --preset llama-2-7b --batch-per-rank 2 --seq 128 --peak-tflops 400 (the same as
 * the global --batch 4: each rank does half of its FLOPs). Rank 1's steps are
 * 120 000 ns on the GPU, its NCCL kernel [55 000, 100 000): 45 000 a step against rank 0's
 * 25 000. T_step = 1.2e-4 s (rank 1, the slowest):
 *   job MFU = 2·F_model / (T_step · 2P) = F_model / (1.2e-4 · 4e14)
 * Each rank's work outside NCCL is 75 000 ns a step (100 000 − 25 000, 120 000 − 45 000): a
 * tie, which goes to the longer step: rank 1 is the straggler, 20% slower. */
static void test_job_mfu(void **state) {
  (void)state;
  char dir[400], err[512];
  snprintf(dir, sizeof dir, "%s/job2", fx_dir);
  struct rank_spec r0 = {.rank = 0, .world = 2, .kernels = true, .correlations = true};
  struct rank_spec r1 = {.rank = 1, .world = 2, .kernels = true, .correlations = true,
                         .period = 120000, .nccl_end = 100000, .shuffled = true};
  write_rank(dir, &r0);
  write_rank(dir, &r1);
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, dir, NULL, NULL, err, sizeof err), 0);
  assert_int_equal(t.njobs, 1);
  assert_int_equal(t.jobs[0].nfiles, 2);

  char *argv[] = {"report", "--preset", "llama-2-7b", "--batch-per-rank", "2", "--seq", "128",
                  "--peak-tflops", "400"};
  struct model_spec mo;
  struct utilization_options o;
  parse_options(&mo, &o, 9, argv);
  struct flops f; /* one rank's: 2 sequences */
  struct formula_work rank_work = mo.work;
  rank_work.batch = 2;
  formula_flops(&o.model, &rank_work, mo.convention, &f);
  const double P = 4e14;

  struct job_utilization u;
  utilization_compute(&t.jobs[0], &o, &u);
  assert_int_equal(u.nranks, 2);
  assert_true(u.ranks[0].step_s == 1e-4);
  assert_true(u.ranks[1].step_s == 1.2e-4);
  assert_close(u.ranks[1].mfu, f.model / (1.2e-4 * P));
  assert_int_equal(u.ranks[1].tl.comm_ns, 180000);
  assert_int_equal(u.ranks[1].tl.busy_ns, 4 * 90000);
  assert_int_equal(u.steps, 4);
  assert_true(u.step_s == 1.2e-4);
  assert_close(u.mfu, 2 * f.model / (1.2e-4 * 2 * P));
  assert_close(u.hfu, u.mfu); /* no recompute: F_hw = F_model */
  assert_true(u.timeline);
  assert_close(u.eff.value[EFF_MFU], u.mfu);
  assert_close(product(&u.eff), u.mfu);
  assert_int_equal(u.world, 2);
  assert_int_equal(u.work.batch, 4); /* the global batch */
  assert_true(u.straggler_known);
  assert_close(u.ranks[0].nccl_s, 25000e-9);
  assert_close(u.ranks[1].nccl_s, 45000e-9);
  assert_int_equal(u.straggler.slowest, 1);
  assert_int_equal(u.straggler.fastest, 0);
  assert_true(u.straggler.stands_out);
  assert_true(fabs(u.straggler.spread_s) < 1e-15);
  assert_int_equal(u.measured, 2);
  assert_int_equal(u.by_work[0], 1);
  utilization_free(&u);

  /* The global --batch 4: the same figures. */
  char *global[] = {"report", "--preset", "llama-2-7b", "--batch", "4", "--seq", "128",
                    "--peak-tflops", "400"};
  parse_options(&mo, &o, 9, global);
  utilization_compute(&t.jobs[0], &o, &u);
  assert_int_equal(u.work.batch, 4);
  assert_close(u.ranks[1].mfu, f.model / (1.2e-4 * P));
  assert_close(u.mfu, 2 * f.model / (1.2e-4 * 2 * P));
  utilization_free(&u);
  mfu_traces_free(&t);
}

/* No model, no --peak-tflops: the peak of the device the trace recorded ("NVIDIA H100 80GB
 * HBM3" is h100-sxm, bf16 989.4 TFLOP/s, as `mfu hw` shows); MFU null, HFU from the counted
 * FLOPs: 71 303 168 / (1e-4 · 989.4e12). Without a model F_math is the counted FLOPs only. */
static void test_device_peak_without_model(void **state) {
  (void)state;
  char dir[400], err[512];
  snprintf(dir, sizeof dir, "%s/device", fx_dir);
  struct rank_spec p = {.rank = 0, .world = 1, .kernels = true, .correlations = true,
                        .device = "NVIDIA H100 80GB HBM3"};
  write_rank(dir, &p);
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, dir, NULL, NULL, err, sizeof err), 0);
  assert_string_equal(t.files[0].steps.device, "NVIDIA H100 80GB HBM3");

  char *argv[] = {"report"};
  struct model_spec mo;
  struct utilization_options o;
  parse_options(&mo, &o, 1, argv);
  assert_false(o.have_model);
  const double P = 989.4e12, T = 1e-4;
  struct job_utilization u;
  utilization_compute(&t.jobs[0], &o, &u);
  const struct rank_utilization *r = &u.ranks[0];
  assert_int_equal(r->used, 4);
  assert_true(r->peak == P);
  assert_string_equal(r->peak_label, "989.4 TFLOP/s bf16 (h100-sxm)");
  assert_true(isnan(r->mfu));
  assert_true(isnan(r->model_flops));
  assert_close(r->hfu, STEP_FLOPS / (T * P));
  assert_true(isnan(r->eff.value[EFF_MFU]));
  assert_true(isnan(r->eff.value[EFF_COVERAGE]));
  assert_close(r->eff.value[EFF_KERNEL], 4 * STEP_FLOPS / (180000e-9 * P));
  assert_close(r->eff.value[EFF_MEMORY], 0.9);
  assert_close(r->eff.value[EFF_PARALLEL], 0.7);
  assert_true(isnan(u.mfu));
  assert_close(u.hfu, r->hfu);
  utilization_free(&u);

  /* --peak-tflops overrides the recorded device's peak, and the label says where it came from. */
  char *flag_argv[] = {"report", "--peak-tflops", "400"};
  parse_options(&mo, &o, 3, flag_argv);
  utilization_compute(&t.jobs[0], &o, &u);
  assert_true(u.ranks[0].peak == 400e12);
  assert_string_equal(u.ranks[0].peak_label, "400 TFLOP/s bf16 (--peak-tflops)");
  utilization_free(&u);
  mfu_traces_free(&t);
  parse_options(&mo, &o, 1, argv);

  /* No device recorded and no peak option: no peak, and the reason. */
  snprintf(dir, sizeof dir, "%s/nodevice", fx_dir);
  p.device = NULL;
  write_rank(dir, &p);
  assert_int_equal(mfu_traces_load(&t, dir, NULL, NULL, err, sizeof err), 0);
  utilization_compute(&t.jobs[0], &o, &u);
  assert_true(isnan(u.ranks[0].peak));
  assert_true(isnan(u.ranks[0].hfu));
  assert_contains(u.ranks[0].why, "no peak");
  assert_true(isnan(u.hfu));
  utilization_free(&u);
  mfu_traces_free(&t);
}

/* The straggler is the rank whose work per step outside NCCL is longest: rank 1 at 4.25 ms a
 * step beside rank 0 at 1.10 ms, both 25 000 ns a step in their NCCL kernel, is it; the report
 * names it by its rank number, against the fastest. */
static void test_straggler(void **state) {
  (void)state;
  char dir[400], err[512];
  snprintf(dir, sizeof dir, "%s/straggler", fx_dir);
  struct rank_spec r0 = {.rank = 0, .world = 2, .kernels = true, .correlations = true,
                         .period = 1100000};
  struct rank_spec r1 = {.rank = 1, .world = 2, .kernels = true, .correlations = true,
                         .period = 4250000};
  write_rank(dir, &r0);
  write_rank(dir, &r1);
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, dir, NULL, NULL, err, sizeof err), 0);
  char *argv[] = {"report", "--peak-tflops", "400"};
  struct model_spec mo;
  struct utilization_options o;
  parse_options(&mo, &o, 3, argv);
  struct job_utilization u;
  utilization_compute(&t.jobs[0], &o, &u);
  assert_true(u.straggler_known && u.straggler.stands_out);
  assert_int_equal(u.ranks[u.straggler.slowest].file->header.rank, 1);
  assert_int_equal(u.ranks[u.straggler.fastest].file->header.rank, 0);
  assert_close(u.straggler.spread_s, 4.25e-3 - 1.1e-3);
  utilization_free(&u);

  char *text;
  size_t len;
  FILE *out = open_memstream(&text, &len);
  const struct report_options ro = {.util = &o};
  assert_int_equal(cli_report(out, dir, &t, &ro, false), 0);
  fclose(out);
  assert_contains(text, "likely straggler: rank 1 (node0): 4.250 ms per step, 0.025 ms of it in "
                        "NCCL kernels; the fastest, rank 0: 1.100 ms, 0.025 ms in NCCL (3.150 ms "
                        "less outside NCCL)");
  free(text);
  out = open_memstream(&text, &len);
  assert_int_equal(cli_report(out, dir, &t, &ro, true), 0);
  fclose(out);
  json_error_t je;
  json_t *root = json_loads(text, 0, &je);
  assert_non_null(root);
  json_t *straggler = json_object_get(root, "straggler");
  assert_int_equal(json_integer_value(json_object_get(straggler, "rank")), 1);
  assert_close(json_real_value(json_object_get(straggler, "step_time_s")), 4.25e-3);
  assert_close(json_real_value(json_object_get(straggler, "nccl_time_s")), 25000e-9);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(straggler, "fastest"), "rank")), 0);
  json_t *order = json_object_get(root, "ranks_by_work");
  assert_int_equal(json_array_size(order), 2);
  assert_int_equal(json_integer_value(json_array_get(order, 0)), 1);
  json_decref(root);
  free(text);
  mfu_traces_free(&t);
}

/* Whether one of the warnings contains `part`. */
static bool warned(const struct mfu_strings *w, const char *part) {
  for (size_t i = 0; i < w->n; i++)
    if (strstr(w->v[i], part)) return true;
  return false;
}

/* Four ranks of world size 4, each counting 71 303 168 FLOPs a step. A model whose 6n FLOPs
 * for one sequence of 360 tokens are about that (1 layer of hidden 64, plain MLP of 64, vocab
 * 64: N = 32 960 parameters, 6·N·360 = 71 193 600): given as --batch 1, each rank's share is a
 * quarter of what it ran (coverage 0.25), the sign of a per-rank batch given as --batch;
 * --batch 4 or --batch-per-rank 1 is plausible. */
static void test_implausible_batch(void **state) {
  (void)state;
  char dir[400], err[512];
  snprintf(dir, sizeof dir, "%s/ranks4", fx_dir);
  for (int rank = 0; rank < 4; rank++) {
    struct rank_spec p = {.rank = rank, .world = 4, .kernels = true, .correlations = true};
    write_rank(dir, &p);
  }
  struct mfu_traces t;
  assert_int_equal(mfu_traces_load(&t, dir, NULL, NULL, err, sizeof err), 0);
  const char *batches[][2] = {{"--batch", "1"}, {"--batch", "4"}, {"--batch-per-rank", "1"}};
  for (int i = 0; i < 3; i++) {
    char *argv[] = {"report", "--layers", "1", "--hidden", "64", "--heads", "1", "--ffn", "64",
                    "--vocab", "64", "--mlp", "plain", "--convention", "6n", "--seq", "360",
                    (char *)batches[i][0], (char *)batches[i][1], "--peak-tflops", "400"};
    struct model_spec mo;
    struct utilization_options o;
    parse_options(&mo, &o, 21, argv);
    struct job_utilization u;
    utilization_compute(&t.jobs[0], &o, &u);
    struct mfu_strings w = {0};
    plausibility_check(&w, &u, &o);
    if (i == 0) {
      assert_close(u.eff.value[EFF_COVERAGE], 71193600.0 / 4 / STEP_FLOPS);
      assert_true(warned(&w, "coverage 0.25 cannot be right; the formula (custom, 6n convention, "
                             "global batch 1 x seq 360 over 4 ranks) gives 0.000 TFLOP per step "
                             "per rank, the shim counted 0.000 (0.25x): --batch looks like one "
                             "rank's; it is the global batch, all ranks together: pass --batch 4 "
                             "or --batch-per-rank 1"));
    } else {
      assert_close(u.eff.value[EFF_COVERAGE], 71193600.0 / STEP_FLOPS);
      if (w.n) fail_msg("a plausible report warned: %s", w.v[0]);
    }
    mfu_strings_free(&w);
    utilization_free(&u);
  }
  mfu_traces_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_automatic_gpu_steps),
      cmocka_unit_test(test_shuffled_records),
      cmocka_unit_test(test_host_windows),
      cmocka_unit_test(test_uncorrelated_kernels),
      cmocka_unit_test(test_marker_steps_host),
      cmocka_unit_test(test_marker_steps_gpu),
      cmocka_unit_test(test_copies),
      cmocka_unit_test(test_long_activity),
      cmocka_unit_test(test_rank_mfu),
      cmocka_unit_test(test_job_mfu),
      cmocka_unit_test(test_device_peak_without_model),
      cmocka_unit_test(test_implausible_batch),
      cmocka_unit_test(test_straggler),
  };
  return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
