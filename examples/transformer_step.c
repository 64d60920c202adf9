/* transformer_step: issues, with real cuBLAS calls, the GEMMs of training steps of a decoder-only
 * Transformer, and counts their FLOPs itself, so that mfushim's count can be checked against an
 * independent one. It runs on a GPU, or without one on mfushim's test doubles:
 *
 *     LD_LIBRARY_PATH=build/test-doubles build/examples/transformer_step --layers 4 --dtype fp16
 *
 * Each step runs the forward pass over the layers (QKV projection, attention core, attention
 * output projection, MLP) and the LM head, then the backward pass in reverse order: two GEMMs
 * (dx, dW) per projection and four for the attention core. Projections are x·Wᵀ on the
 * batch·seq tokens, through cublasGemmEx / cublasSgemm_v2, or with --lt through cublasLtMatmul
 * with a bias epilogue (like nn.Linear with bias in PyTorch). The attention core is one
 * strided-batched GEMM per (sequence, head) pair for Q·Kᵀ and for P·V, with K and V expanded
 * to all heads as with repeat_kv under GQA; masking is not exploited, so it costs full seq².
 * Operand contents don't matter: three device buffers sized for the largest operands are reused.
 *
 * On request it plants the inefficiencies that lower MFU, each moving one efficiency factor:
 * the host sleeping between steps (GPU idle), a memory-bound cublasSaxpy per layer, and a
 * per-step ncclAllReduce (a world of one rank) on the compute stream (exposed) or on a side
 * stream overlapping the rest of the backward pass (hidden). NCCL is loaded at run time, and
 * only then. Steps are timed with CUDA events; on the test doubles these measure the fake GPU
 * of tests/doubles/fake_gpu.h when a tracer has loaded its CUPTI double, else the host.
 *
 * Ends with issued_gemm_calls=, issued_gemm_flops= (2·m·n·k·batch over the GEMMs that returned
 * success) and failed_gemm_calls=, then what was planted per step: planted_idle_ns=, and on the
 * test doubles, from the fake GPU's durations, planted_memory_bound_ns=, planted_comm_ns=
 * (communication not overlapped by computation), fake_gemm_ns= and fake_comm_ns= (all GEMM and
 * all communication kernel time). A failed call is reported and the run goes on, so that every
 * call is issued even without a GPU; the exit status is then 1. */
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <nccl.h>
#include <nvtx3/nvToolsExt.h>

#include <dlfcn.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/doubles/fake_gpu.h" /* the fake GPU's durations, for what was planted */

#define PROG "transformer_step"
#define DOUBLES_DEVICE "mfushim test double (no GPU)" /* tests/doubles/cudart.c */
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define LT_WORKSPACE ((size_t)32 << 20)
#define MAX_REPORTED_FAILURES 20

static const struct dtype {
  const char *name;
  cudaDataType_t type;
  size_t size;
  cublasMath_t math;              /* cuBLAS handle math mode */
  cublasComputeType_t lt_compute; /* the same choice for cublasLt */
  ncclDataType_t nccl;            /* gradients, for the all-reduce */
} dtypes[] = {
    {"bf16", CUDA_R_16BF, 2, CUBLAS_DEFAULT_MATH, CUBLAS_COMPUTE_32F, ncclBfloat16},
    {"fp16", CUDA_R_16F, 2, CUBLAS_DEFAULT_MATH, CUBLAS_COMPUTE_32F, ncclFloat16},
    {"fp32", CUDA_R_32F, 4, CUBLAS_DEFAULT_MATH, CUBLAS_COMPUTE_32F, ncclFloat32},
    {"tf32", CUDA_R_32F, 4, CUBLAS_TF32_TENSOR_OP_MATH, CUBLAS_COMPUTE_32F_FAST_TF32, ncclFloat32},
};

struct model {
  int layers, hidden, heads, kv_heads, ffn, vocab, batch, seq, steps;
  const struct dtype *dtype;
  bool gated, lt;
  /* planted inefficiencies; 0 or false: none */
  int idle_us, memory_us, allreduce_mb;
  bool comm_side, sync;
};

/* ---- the GEMMs of a step, as rules over symbolic dimensions ------------------------------ */

/* Dimensions, indexes into op.dim. A projection is y = x·Wᵀ with x TOK×IN and W OUT×IN;
 * the attention core works per (sequence, head) on Q, K, V, O of SEQ×HD and P of SEQ×SEQ. */
enum { IN, OUT, TOK };
enum { SEQ, HD };

/* One GEMM in column-major BLAS terms. A row-major tensor is its column-major transpose, so
 * row-major Y = X·W is issued as Yᵀ = Wᵀ·Xᵀ. Operands are packed: leading dimensions and batch
 * strides follow from the shape. */
struct rule {
  const char *what; /* row-major, as in the framework */
  bool backward;
  cublasOperation_t ta, tb;
  int m, n, k;
};

#define T CUBLAS_OP_T
#define N CUBLAS_OP_N
static const struct rule projection[] = {
    {"y=x*W^T", false, T, N, OUT, TOK, IN},
    {"dx=dy*W", true, N, N, IN, TOK, OUT},
    {"dW=dy^T*x", true, N, T, IN, OUT, TOK},
};
static const struct rule attention[] = {
    {"S=Q*K^T", false, T, N, SEQ, SEQ, HD},  {"O=P*V", false, N, N, HD, SEQ, SEQ},
    {"dP=dO*V^T", true, T, N, SEQ, SEQ, HD}, {"dV=P^T*dO", true, N, T, HD, SEQ, SEQ},
    {"dQ=dS*K", true, N, N, HD, SEQ, SEQ},   {"dK=dS^T*Q", true, N, T, HD, SEQ, SEQ},
};
#undef T
#undef N

enum part { PROJECTIONS, ATTENTION_CORE, LM_HEAD, NPARTS };

struct op {
  const char *name;
  int layer; /* -1: not in a layer */
  enum part part;
  const struct rule *rules;
  size_t nrules;
  int dim[3];
  int batch; /* strided-batched count; 0 for a plain GEMM */
};

/* ---- running them ----------------------------------------------------------------------- */

struct run {
  const struct model *m;
  bool planning; /* first pass: size the buffers and count the FLOPs, issue nothing */
  cublasHandle_t blas;
  cublasLtHandle_t lt;
  cudaStream_t stream;
  void *buf[3], *bias, *workspace; /* buf: operands A, B, C */
  uint64_t need[3], bias_need;     /* elements, found by planning */
  uint64_t calls, flops, failed, part_flops[NPARTS];
  bool setup_failed;
  /* the planted work: saxpy vectors, the all-reduce and its side stream */
  int axpy_n;
  float *axpy_x, *axpy_y;
  size_t comm_count;
  void *comm_buf;
  ncclComm_t comm;
  cudaStream_t side;
  cudaEvent_t grads_ready, comm_done;
  /* planning, on the fake GPU's clock: compute-stream kernel time so far in the step, the part
   * of it in GEMMs, and where the all-reduce was issued */
  uint64_t fake_compute_ns, fake_gemm_ns, fake_comm_issued_ns;
};

__attribute__((format(printf, 1, 2))) static _Noreturn void usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs(PROG ": ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs(" (see --help)\n", stderr);
  va_end(ap);
  exit(2);
}

static uint64_t mul(uint64_t a, uint64_t b) {
  uint64_t p;
  if (__builtin_mul_overflow(a, b, &p))
    usage_error("the model is too large: its sizes or FLOPs overflow 64 bits");
  return p;
}

static uint64_t add(uint64_t a, uint64_t b) {
  uint64_t s;
  if (__builtin_add_overflow(a, b, &s))
    usage_error("the model is too large: its FLOPs overflow 64 bits");
  return s;
}

/* Failed calls other than GEMMs are reported; the run goes on. */
static void check_cuda(struct run *r, cudaError_t e, const char *what) {
  if (e != cudaSuccess) {
    fprintf(stderr, PROG ": %s failed: %s\n", what, cudaGetErrorString(e));
    r->setup_failed = true;
  }
}

static void check_blas(struct run *r, cublasStatus_t s, const char *what) {
  if (s != CUBLAS_STATUS_SUCCESS) {
    fprintf(stderr, PROG ": %s failed: %s\n", what, cublasGetStatusString(s));
    r->setup_failed = true;
  }
}

/* NCCL is needed only for --allreduce-mb: it is loaded then, RTLD_GLOBAL, and its functions
 * are looked up in the global scope, where a preloaded tracer's (mfushim's) come first, as for
 * a program linked with -lnccl. */
static struct {
  __typeof__(ncclGetUniqueId) *get_unique_id;
  __typeof__(ncclCommInitRank) *comm_init_rank;
  __typeof__(ncclAllReduce) *all_reduce;
  __typeof__(ncclCommDestroy) *comm_destroy;
  __typeof__(ncclGetErrorString) *error_string;
} nccl;

static bool load_nccl(void) {
  if (!dlopen("libnccl.so.2", RTLD_LAZY | RTLD_GLOBAL)) {
    fprintf(stderr, PROG ": --allreduce-mb needs NCCL: %s\n", dlerror());
    return false;
  }
  const struct {
    void **slot;
    const char *name;
  } fns[] = {
      {(void **)&nccl.get_unique_id, "ncclGetUniqueId"},
      {(void **)&nccl.comm_init_rank, "ncclCommInitRank"},
      {(void **)&nccl.all_reduce, "ncclAllReduce"},
      {(void **)&nccl.comm_destroy, "ncclCommDestroy"},
      {(void **)&nccl.error_string, "ncclGetErrorString"},
  };
  for (size_t i = 0; i < COUNT(fns); i++)
    if (!(*fns[i].slot = dlsym(RTLD_DEFAULT, fns[i].name))) {
      fprintf(stderr, PROG ": --allreduce-mb needs NCCL: %s not found\n", fns[i].name);
      return false;
    }
  return true;
}

static void check_nccl(struct run *r, ncclResult_t s, const char *what) {
  if (s != ncclSuccess) {
    fprintf(stderr, PROG ": %s failed: %s\n", what, nccl.error_string(s));
    r->setup_failed = true;
  }
}

static bool is_sgemm(const struct model *m) { return m->dtype->type == CUDA_R_32F; }

static const char *api_name(const struct model *m, bool batched) {
  if (batched) return is_sgemm(m) ? "cublasSgemmStridedBatched" : "cublasGemmStridedBatchedEx";
  if (m->lt) return "cublasLtMatmul";
  return is_sgemm(m) ? "cublasSgemm_v2" : "cublasGemmEx";
}

/* A projection through cublasLt, with descriptors made per call as PyTorch does.
 * Statuses chain: the first failure is the result (CUBLAS_STATUS_SUCCESS is 0). */
static cublasStatus_t lt_matmul(struct run *r, const struct rule *g, int m, int n, int k, int lda,
                                int ldb, bool bias) {
  const struct dtype *dt = r->m->dtype;
  const float one = 1, zero = 0;
  const int32_t ta = g->ta, tb = g->tb;
  const uint32_t epilogue = bias ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_DEFAULT;
  cublasLtMatmulDesc_t desc = NULL;
  cublasLtMatrixLayout_t la = NULL, lb = NULL, lc = NULL;

  cublasStatus_t s = cublasLtMatmulDescCreate(&desc, dt->lt_compute, CUDA_R_32F);
  if (!s) s = cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta);
  if (!s) s = cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb);
  if (!s)
    s = cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue,
                                       sizeof epilogue);
  if (!s && bias)
    s = cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &r->bias,
                                       sizeof r->bias);
  /* Layouts describe the operands as stored, before op(). */
  if (!s) s = cublasLtMatrixLayoutCreate(&la, dt->type, lda, g->ta == CUBLAS_OP_N ? k : m, lda);
  if (!s) s = cublasLtMatrixLayoutCreate(&lb, dt->type, ldb, g->tb == CUBLAS_OP_N ? n : k, ldb);
  if (!s) s = cublasLtMatrixLayoutCreate(&lc, dt->type, m, n, m);
  if (!s)
    s = cublasLtMatmul(r->lt, desc, &one, r->buf[0], la, r->buf[1], lb, &zero, r->buf[2], lc,
                       r->buf[2], lc, NULL, r->workspace, LT_WORKSPACE, r->stream);
  cublasLtMatrixLayout_t layouts[] = {la, lb, lc};
  for (int i = 0; i < 3; i++)
    if (layouts[i])
      check_blas(r, cublasLtMatrixLayoutDestroy(layouts[i]), "cublasLtMatrixLayoutDestroy");
  if (desc) check_blas(r, cublasLtMatmulDescDestroy(desc), "cublasLtMatmulDescDestroy");
  return s;
}

/* Issues one GEMM and counts it; when planning, only accounts for its operands and FLOPs. */
static void gemm(struct run *r, const struct op *op, const struct rule *g) {
  const struct model *md = r->m;
  const int m = op->dim[g->m], n = op->dim[g->n], k = op->dim[g->k];
  const int lda = g->ta == CUBLAS_OP_N ? m : k, ldb = g->tb == CUBLAS_OP_N ? k : n;
  const long long sa = (long long)m * k, sb = (long long)k * n, sc = (long long)m * n;
  const uint64_t batch = op->batch ? (uint64_t)op->batch : 1;
  const uint64_t flops = mul(mul(mul(mul(2, m), n), k), batch);
  const bool bias = md->lt && !op->batch && !g->backward;

  if (r->planning) {
    const uint64_t elems[3] = {mul(sa, batch), mul(sb, batch), mul(sc, batch)};
    for (int i = 0; i < 3; i++)
      if (elems[i] > r->need[i]) r->need[i] = elems[i];
    if (bias && (uint64_t)m > r->bias_need) r->bias_need = m;
    r->calls++;
    r->flops = add(r->flops, flops);
    r->part_flops[op->part] += flops;
    r->fake_gemm_ns += fake_gemm_ns(flops);
    r->fake_compute_ns += fake_gemm_ns(flops);
    return;
  }

  const cudaDataType_t t = md->dtype->type;
  const float one = 1, zero = 0;
  void *A = r->buf[0], *B = r->buf[1], *C = r->buf[2];
  cublasStatus_t s;
  if (op->batch && is_sgemm(md))
    s = cublasSgemmStridedBatched(r->blas, g->ta, g->tb, m, n, k, &one, A, lda, sa, B, ldb, sb,
                                  &zero, C, m, sc, op->batch);
  else if (op->batch)
    s = cublasGemmStridedBatchedEx(r->blas, g->ta, g->tb, m, n, k, &one, A, t, lda, sa, B, t, ldb,
                                   sb, &zero, C, t, m, sc, op->batch, CUBLAS_COMPUTE_32F,
                                   CUBLAS_GEMM_DEFAULT);
  else if (md->lt)
    s = lt_matmul(r, g, m, n, k, lda, ldb, bias);
  else if (is_sgemm(md))
    s = cublasSgemm_v2(r->blas, g->ta, g->tb, m, n, k, &one, A, lda, B, ldb, &zero, C, m);
  else
    s = cublasGemmEx(r->blas, g->ta, g->tb, m, n, k, &one, A, t, lda, B, t, ldb, &zero, C, t, m,
                     CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);

  if (s == CUBLAS_STATUS_SUCCESS) {
    r->calls++;
    r->flops += flops;
  } else if (r->failed++ < MAX_REPORTED_FAILURES) {
    char layer[24] = "";
    if (op->layer >= 0) snprintf(layer, sizeof layer, "layer %d ", op->layer);
    fprintf(stderr, PROG ": %s%s %s: %s failed: %s\n", layer, op->name, g->what,
            api_name(md, op->batch), cublasGetStatusString(s));
  } else if (r->failed == MAX_REPORTED_FAILURES + 1) {
    fprintf(stderr, PROG ": further failed GEMMs are counted, not reported\n");
  }
}

/* ---- the planted inefficiencies --------------------------------------------------------- */

/* Bytes a saxpy moves: it reads x and y and writes y. */
static uint64_t axpy_bytes(int n) { return 3 * (uint64_t)n * sizeof(float); }

/* The smallest saxpy that lasts `us` microseconds on the fake GPU (one element at least). */
static int axpy_elements(int us) {
  const uint64_t want_ns = (uint64_t)us * 1000;
  const uint64_t bytes = want_ns > FAKE_MEMORY_LAUNCH_NS
                             ? (want_ns - FAKE_MEMORY_LAUNCH_NS) * FAKE_MEMORY_BYTES_PER_NS
                             : 0;
  const uint64_t n = (bytes + axpy_bytes(1) - 1) / axpy_bytes(1);
  if (n > INT_MAX) usage_error("--memory-bound-us %d: the saxpy would exceed 2^31 elements", us);
  return n ? (int)n : 1;
}

/* A memory-bound kernel, as a norm or a residual add would be: y = x + y. */
static void memory_bound(struct run *r) {
  if (!r->axpy_n) return;
  if (r->planning) {
    r->fake_compute_ns += fake_memory_ns(axpy_bytes(r->axpy_n));
    return;
  }
  const float one = 1;
  check_blas(r, cublasSaxpy_v2(r->blas, r->axpy_n, &one, r->axpy_x, 1, r->axpy_y, 1),
             "cublasSaxpy");
}

/* The gradient all-reduce, once per step after the LM head's backward pass. On the compute
 * stream it delays everything after it (exposed); on the side stream, once the gradients are
 * ready, it overlaps the layers' backward pass (hidden, as far as that lasts). */
static void allreduce(struct run *r) {
  if (!r->comm_count) return;
  if (r->planning) {
    r->fake_comm_issued_ns = r->fake_compute_ns;
    return;
  }
  cudaStream_t stream = r->stream;
  if (r->m->comm_side) {
    check_cuda(r, cudaEventRecord(r->grads_ready, r->stream), "cudaEventRecord");
    check_cuda(r, cudaStreamWaitEvent(r->side, r->grads_ready, 0), "cudaStreamWaitEvent");
    stream = r->side;
  }
  check_nccl(r, nccl.all_reduce(r->comm_buf, r->comm_buf, r->comm_count, r->m->dtype->nccl,
                                ncclSum, r->comm, stream),
             "ncclAllReduce");
}

/* The optimizer needs the reduced gradients: the compute stream waits for the side stream.
 * Then, on request, the host waits for the step (like loss.item()) and idles. */
static void end_of_step(struct run *r) {
  if (r->planning) return;
  if (r->comm_count && r->m->comm_side) {
    check_cuda(r, cudaEventRecord(r->comm_done, r->side), "cudaEventRecord");
    check_cuda(r, cudaStreamWaitEvent(r->stream, r->comm_done, 0), "cudaStreamWaitEvent");
  }
  if (r->m->sync || r->m->idle_us)
    check_cuda(r, cudaStreamSynchronize(r->stream), "cudaStreamSynchronize");
  if (r->m->idle_us) {
    struct timespec t = {.tv_sec = r->m->idle_us / 1000000,
                         .tv_nsec = r->m->idle_us % 1000000 * 1000L};
    while (nanosleep(&t, &t) != 0) {
    }
  }
}

static void run_op(struct run *r, const struct op *op, bool backward) {
  for (size_t j = 0; j < op->nrules; j++)
    if (op->rules[j].backward == backward) gemm(r, op, &op->rules[j]);
}

/* The forward pass runs the ops in order, a memory-bound kernel closing each layer; the
 * backward pass runs them in reverse, the all-reduce issued after the LM head's. The step is
 * an NVTX range "train_step", and each pass one named after it, as training frameworks mark
 * them (no-ops unless a tool such as mfushim is attached through NVTX_INJECTION64_PATH). */
static void step(struct run *r, const struct op *ops, size_t nops) {
  if (!r->planning) nvtxRangePushA("train_step"); /* planning runs no step */
  nvtxRangePushA("forward");
  for (size_t i = 0; i < nops; i++) {
    run_op(r, &ops[i], false);
    if (ops[i].layer >= 0 && (i + 1 == nops || ops[i + 1].layer != ops[i].layer)) memory_bound(r);
  }
  nvtxRangePop();
  nvtxRangePushA("backward");
  for (size_t i = nops; i-- > 0;) {
    run_op(r, &ops[i], true);
    if (ops[i].part == LM_HEAD) allreduce(r);
  }
  nvtxRangePop();
  end_of_step(r);
  if (!r->planning) nvtxRangePop();
}

static struct op projection_op(const char *name, int in, int out, int tokens) {
  return (struct op){.name = name,
                     .layer = -1,
                     .part = PROJECTIONS,
                     .rules = projection,
                     .nrules = COUNT(projection),
                     .dim = {in, out, tokens}};
}

/* The model as a list of ops in forward order: the layers, then the LM head. */
static struct op *build_ops(const struct model *m, size_t *nops) {
  const int tok = m->batch * m->seq, hd = m->hidden / m->heads;
  const int qkv = (m->heads + 2 * m->kv_heads) * hd;
  struct op layer[6];
  size_t per_layer = 0;
  layer[per_layer++] = projection_op("qkv_proj", m->hidden, qkv, tok);
  layer[per_layer++] = (struct op){.name = "attention",
                                   .layer = -1,
                                   .part = ATTENTION_CORE,
                                   .rules = attention,
                                   .nrules = COUNT(attention),
                                   .dim = {m->seq, hd},
                                   .batch = m->batch * m->heads};
  layer[per_layer++] = projection_op("o_proj", m->hidden, m->hidden, tok);
  if (m->gated) layer[per_layer++] = projection_op("gate_proj", m->hidden, m->ffn, tok);
  layer[per_layer++] = projection_op("up_proj", m->hidden, m->ffn, tok);
  layer[per_layer++] = projection_op("down_proj", m->ffn, m->hidden, tok);

  struct op *ops = calloc((size_t)m->layers * per_layer + 1, sizeof *ops);
  if (!ops) {
    perror(PROG);
    exit(1);
  }
  size_t n = 0;
  for (int l = 0; l < m->layers; l++)
    for (size_t i = 0; i < per_layer; i++) {
      ops[n] = layer[i];
      ops[n++].layer = l;
    }
  ops[n] = projection_op("lm_head", m->hidden, m->vocab, tok);
  ops[n++].part = LM_HEAD;
  *nops = n;
  return ops;
}

/* ---- command line ----------------------------------------------------------------------- */

enum {
  O_LAYERS,
  O_HIDDEN,
  O_HEADS,
  O_KV_HEADS,
  O_FFN,
  O_VOCAB,
  O_BATCH,
  O_SEQ,
  O_STEPS,
  O_IDLE_US,
  O_MEMORY_US,
  O_ALLREDUCE_MB,
  O_NINTS, /* the options above take positive integers */
  O_DTYPE = O_NINTS,
  O_MLP,
  O_LT,
  O_COMM_STREAM,
  O_SYNC_STEPS
};

static const struct option options[] = {
    [O_LAYERS] = {"layers", required_argument, NULL, O_LAYERS},
    [O_HIDDEN] = {"hidden", required_argument, NULL, O_HIDDEN},
    [O_HEADS] = {"heads", required_argument, NULL, O_HEADS},
    [O_KV_HEADS] = {"kv-heads", required_argument, NULL, O_KV_HEADS},
    [O_FFN] = {"ffn", required_argument, NULL, O_FFN},
    [O_VOCAB] = {"vocab", required_argument, NULL, O_VOCAB},
    [O_BATCH] = {"batch", required_argument, NULL, O_BATCH},
    [O_SEQ] = {"seq", required_argument, NULL, O_SEQ},
    [O_STEPS] = {"steps", required_argument, NULL, O_STEPS},
    [O_IDLE_US] = {"idle-us", required_argument, NULL, O_IDLE_US},
    [O_MEMORY_US] = {"memory-bound-us", required_argument, NULL, O_MEMORY_US},
    [O_ALLREDUCE_MB] = {"allreduce-mb", required_argument, NULL, O_ALLREDUCE_MB},
    [O_DTYPE] = {"dtype", required_argument, NULL, O_DTYPE},
    [O_MLP] = {"mlp", required_argument, NULL, O_MLP},
    [O_LT] = {"lt", no_argument, NULL, O_LT},
    [O_COMM_STREAM] = {"comm-stream", required_argument, NULL, O_COMM_STREAM},
    [O_SYNC_STEPS] = {"sync", no_argument, NULL, O_SYNC_STEPS},
    {"help", no_argument, NULL, 'h'},
    {0},
};

static void usage(void) {
  printf(
      "usage: %s [options]\n"
      "Issues the cuBLAS GEMMs of decoder-only Transformer training steps and counts their\n"
      "FLOPs (2*m*n*k per matrix product).\n\n"
      "  --layers N     decoder layers (2)\n"
      "  --hidden N     hidden size (512)\n"
      "  --heads N      attention heads, dividing the hidden size (8)\n"
      "  --kv-heads N   key/value heads (GQA), dividing the heads (= heads)\n"
      "  --ffn N        MLP intermediate size (1376)\n"
      "  --vocab N      vocabulary size (8192)\n"
      "  --batch N      sequences per step (2)\n"
      "  --seq N        tokens per sequence (256)\n"
      "  --steps N      training steps (3)\n"
      "  --dtype T      bf16 | fp16 (cublasGemmEx, FP32 accumulation) | fp32 (cublasSgemm_v2)\n"
      "                 | tf32 (cublasSgemm_v2 with TF32 tensor-op math) (bf16)\n"
      "  --mlp M        gated (gate, up, down) | plain (up, down) (gated)\n"
      "  --lt           projections through cublasLtMatmul with a bias epilogue\n"
      "  --help         this text\n\n"
      "Planted inefficiencies (none by default):\n"
      "  --idle-us N          GPU idle: at the end of each step the host waits for the GPU,\n"
      "                       then sleeps N us (implies --sync)\n"
      "  --memory-bound-us N  a memory-bound kernel per layer (forward): cublasSaxpy over\n"
      "                       vectors that take N us on the test doubles' fake GPU\n"
      "  --allreduce-mb N     communication: an ncclAllReduce of N MB (10^6 bytes) per step,\n"
      "                       after the LM head's backward pass, on a world of one rank\n"
      "  --comm-stream S      same: on the compute stream (exposed) | side: on a second\n"
      "                       stream, overlapping the layers' backward pass (hidden) (same)\n"
      "  --sync               cudaStreamSynchronize at the end of each step\n\n"
      "Ends with issued_gemm_calls=, issued_gemm_flops= (GEMMs that returned success) and\n"
      "failed_gemm_calls=, then per step planted_idle_ns= and, on the test doubles, from the\n"
      "fake GPU's durations (tests/doubles/fake_gpu.h): planted_memory_bound_ns=,\n"
      "planted_comm_ns= (communication not hidden by computation), fake_gemm_ns= and\n"
      "fake_comm_ns=. Exit status: 0, 1 if a CUDA or NCCL call failed, 2 for bad options.\n",
      PROG);
}

static struct model parse(int argc, char **argv) {
  struct model m = {.layers = 2,
                    .hidden = 512,
                    .heads = 8,
                    .ffn = 1376,
                    .vocab = 8192,
                    .batch = 2,
                    .seq = 256,
                    .steps = 3,
                    .dtype = &dtypes[0],
                    .gated = true};
  int *const ints[O_NINTS] = {
      [O_LAYERS] = &m.layers,       [O_HIDDEN] = &m.hidden,        [O_HEADS] = &m.heads,
      [O_KV_HEADS] = &m.kv_heads,   [O_FFN] = &m.ffn,              [O_VOCAB] = &m.vocab,
      [O_BATCH] = &m.batch,         [O_SEQ] = &m.seq,              [O_STEPS] = &m.steps,
      [O_IDLE_US] = &m.idle_us,     [O_MEMORY_US] = &m.memory_us,
      [O_ALLREDUCE_MB] = &m.allreduce_mb,
  };
  int opt;
  while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
    if (opt >= 0 && opt < O_NINTS) {
      char *end;
      long v = strtol(optarg, &end, 10);
      if (end == optarg || *end || v <= 0 || v > INT_MAX)
        usage_error("--%s must be a positive integer, not '%s'", options[opt].name, optarg);
      *ints[opt] = (int)v;
    } else if (opt == O_DTYPE) {
      m.dtype = NULL;
      for (size_t i = 0; i < COUNT(dtypes); i++)
        if (!strcmp(optarg, dtypes[i].name)) m.dtype = &dtypes[i];
      if (!m.dtype) usage_error("unknown --dtype '%s': bf16, fp16, fp32 or tf32", optarg);
    } else if (opt == O_MLP) {
      if (strcmp(optarg, "gated") && strcmp(optarg, "plain"))
        usage_error("unknown --mlp '%s': gated or plain", optarg);
      m.gated = !strcmp(optarg, "gated");
    } else if (opt == O_LT) {
      m.lt = true;
    } else if (opt == O_COMM_STREAM) {
      if (strcmp(optarg, "same") && strcmp(optarg, "side"))
        usage_error("unknown --comm-stream '%s': same or side", optarg);
      m.comm_side = !strcmp(optarg, "side");
    } else if (opt == O_SYNC_STEPS) {
      m.sync = true;
    } else if (opt == 'h') {
      usage();
      exit(0);
    } else {
      usage_error("bad option"); /* getopt_long said which */
    }
  }
  if (optind < argc) usage_error("unexpected argument '%s'", argv[optind]);
  if (!m.kv_heads) m.kv_heads = m.heads;
  if (m.hidden % m.heads) usage_error("--heads %d does not divide --hidden %d", m.heads, m.hidden);
  if (m.heads % m.kv_heads)
    usage_error("--kv-heads %d does not divide --heads %d", m.kv_heads, m.heads);
  /* cuBLAS takes int dimensions and batch counts. */
  const long long hd = m.hidden / m.heads;
  if ((long long)m.batch * m.seq > INT_MAX || (long long)m.batch * m.heads > INT_MAX ||
      (m.heads + 2LL * m.kv_heads) * hd > INT_MAX)
    usage_error("the shape exceeds cuBLAS's 32-bit dimensions");
  return m;
}

/* ---- main ------------------------------------------------------------------------------- */

/* Runs the steps and times each with CUDA events recorded between them: on a GPU, the GPU's
 * time; on the test doubles, the fake GPU's (once a tracer has loaded the CUPTI double) or else
 * the host's. The host waits only at the end (and after each step with --sync or --idle-us).
 * The first step pays for warm-up. */
static void run_steps(struct run *r, const struct op *ops, size_t nops, bool timed) {
  const int steps = r->m->steps;
  if (!timed) {
    for (int s = 0; s < steps; s++) step(r, ops, nops);
    printf("  no GPU: step times not measured\n");
    return;
  }
  struct {
    cudaEvent_t event;
    uint64_t flops; /* issued before it */
  } *mark = calloc((size_t)steps + 1, sizeof *mark);
  if (!mark) {
    perror(PROG);
    exit(1);
  }
  for (int s = 0; s <= steps; s++) {
    check_cuda(r, cudaEventCreate(&mark[s].event), "cudaEventCreate");
    if (s) step(r, ops, nops);
    mark[s].flops = r->flops;
    check_cuda(r, cudaEventRecord(mark[s].event, r->stream), "cudaEventRecord");
  }
  check_cuda(r, cudaEventSynchronize(mark[steps].event), "cudaEventSynchronize");
  double later_ms = 0;
  uint64_t later_flops = 0;
  for (int s = 1; s <= steps; s++) {
    const uint64_t flops = mark[s].flops - mark[s - 1].flops;
    float ms = 0;
    check_cuda(r, cudaEventElapsedTime(&ms, mark[s - 1].event, mark[s].event),
               "cudaEventElapsedTime");
    if (ms > 0) printf("  step %d: %.3f ms, %.2f TFLOP/s\n", s, ms, (double)flops / (ms * 1e9));
    if (s > 1) {
      later_ms += ms;
      later_flops += flops;
    }
  }
  if (steps > 1 && later_ms > 0)
    printf("  steps 2-%d: %.3f ms per step, %.2f TFLOP/s\n", steps, later_ms / (steps - 1),
           (double)later_flops / (later_ms * 1e9));
  for (int s = 0; s <= steps; s++)
    check_cuda(r, cudaEventDestroy(mark[s].event), "cudaEventDestroy");
  free(mark);
}

/* A communicator of one rank for the all-reduce, its buffer, and for --comm-stream side the
 * second stream and the events ordering it with the compute stream. False if NCCL failed. */
static bool setup_comm(struct run *r) {
  if (!load_nccl()) {
    r->setup_failed = true;
    return false;
  }
  ncclUniqueId id;
  ncclResult_t s = nccl.get_unique_id(&id);
  check_nccl(r, s, "ncclGetUniqueId");
  if (s == ncclSuccess) {
    s = nccl.comm_init_rank(&r->comm, 1, id, 0);
    check_nccl(r, s, "ncclCommInitRank");
  }
  if (s != ncclSuccess) return false;
  check_cuda(r, cudaMalloc(&r->comm_buf, mul(r->comm_count, r->m->dtype->size)), "cudaMalloc");
  if (r->m->comm_side) {
    check_cuda(r, cudaStreamCreate(&r->side), "cudaStreamCreate");
    check_cuda(r, cudaEventCreateWithFlags(&r->grads_ready, cudaEventDisableTiming),
               "cudaEventCreateWithFlags");
    check_cuda(r, cudaEventCreateWithFlags(&r->comm_done, cudaEventDisableTiming),
               "cudaEventCreateWithFlags");
  }
  return true;
}

static void teardown_comm(struct run *r) {
  check_nccl(r, nccl.comm_destroy(r->comm), "ncclCommDestroy");
  check_cuda(r, cudaFree(r->comm_buf), "cudaFree");
  if (r->m->comm_side) {
    check_cuda(r, cudaEventDestroy(r->grads_ready), "cudaEventDestroy");
    check_cuda(r, cudaEventDestroy(r->comm_done), "cudaEventDestroy");
    check_cuda(r, cudaStreamDestroy(r->side), "cudaStreamDestroy");
  }
}

int main(int argc, char **argv) {
  const struct model m = parse(argc, argv);
  const struct dtype *dt = m.dtype;
  size_t nops;
  struct op *ops = build_ops(&m, &nops);

  /* Plan one step: buffer sizes and FLOPs, with every product checked for overflow, and the
   * planted work's time on the fake GPU. */
  struct run r = {.m = &m, .planning = true};
  if (m.memory_us) r.axpy_n = axpy_elements(m.memory_us);
  r.comm_count = (size_t)m.allreduce_mb * 1000000 / dt->size;
  step(&r, ops, nops);
  const uint64_t step_calls = r.calls, step_flops = r.flops;
  (void)mul(step_flops, (uint64_t)m.steps); /* the run's total must fit too */
  r.planning = false;
  r.calls = r.flops = 0;

  struct cudaDeviceProp prop;
  cudaError_t e = cudaGetDeviceProperties(&prop, 0);
  check_cuda(&r, e, "cudaGetDeviceProperties");
  const char *device = e == cudaSuccess ? prop.name : "unavailable";
  const bool on_doubles = e == cudaSuccess && strcmp(prop.name, DOUBLES_DEVICE) == 0;

  printf("%s: %d layers, hidden %d, %d heads (%d kv, head_dim %d), ffn %d (%s MLP), vocab %d\n",
         PROG, m.layers, m.hidden, m.heads, m.kv_heads, m.hidden / m.heads, m.ffn,
         m.gated ? "gated" : "plain", m.vocab);
  printf("  batch %d x seq %d = %d tokens per step, %d steps, %s: %s and %s\n", m.batch, m.seq,
         m.batch * m.seq, m.steps, dt->name, api_name(&m, false), api_name(&m, true));
  printf("  device: %s\n", device);
  printf("  per step: %" PRIu64 " GEMMs, %" PRIu64 " FLOPs = %" PRIu64 " projections + %" PRIu64
         " attention core + %" PRIu64 " LM head\n",
         step_calls, step_flops, r.part_flops[PROJECTIONS], r.part_flops[ATTENTION_CORE],
         r.part_flops[LM_HEAD]);
  if (m.idle_us || r.axpy_n || r.comm_count)
    printf("  planted per step: %d us idle, %d saxpy of %d floats, %d MB all-reduce (%s stream)\n",
           m.idle_us, r.axpy_n ? m.layers : 0, r.axpy_n, m.allreduce_mb,
           m.comm_side ? "side" : "compute");
  fflush(stdout);

  check_cuda(&r, cudaStreamCreate(&r.stream), "cudaStreamCreate");
  check_blas(&r, cublasCreate_v2(&r.blas), "cublasCreate");
  check_blas(&r, cublasSetStream_v2(r.blas, r.stream), "cublasSetStream");
  check_blas(&r, cublasSetMathMode(r.blas, dt->math), "cublasSetMathMode");
  if (m.lt) {
    check_blas(&r, cublasLtCreate(&r.lt), "cublasLtCreate");
    check_cuda(&r, cudaMalloc(&r.bias, mul(r.bias_need, dt->size)), "cudaMalloc");
    check_cuda(&r, cudaMalloc(&r.workspace, LT_WORKSPACE), "cudaMalloc");
  }
  for (int i = 0; i < 3; i++)
    check_cuda(&r, cudaMalloc(&r.buf[i], mul(r.need[i], dt->size)), "cudaMalloc");
  if (r.axpy_n) {
    check_cuda(&r, cudaMalloc((void **)&r.axpy_x, r.axpy_n * sizeof(float)), "cudaMalloc");
    check_cuda(&r, cudaMalloc((void **)&r.axpy_y, r.axpy_n * sizeof(float)), "cudaMalloc");
  }
  if (r.comm_count && !setup_comm(&r)) r.comm_count = 0; /* reported; the GEMMs still run */
  run_steps(&r, ops, nops, e == cudaSuccess);

  if (r.comm_count) teardown_comm(&r);
  if (r.axpy_n) {
    check_cuda(&r, cudaFree(r.axpy_x), "cudaFree");
    check_cuda(&r, cudaFree(r.axpy_y), "cudaFree");
  }
  for (int i = 0; i < 3; i++) check_cuda(&r, cudaFree(r.buf[i]), "cudaFree");
  if (m.lt) {
    check_cuda(&r, cudaFree(r.bias), "cudaFree");
    check_cuda(&r, cudaFree(r.workspace), "cudaFree");
    check_blas(&r, cublasLtDestroy(r.lt), "cublasLtDestroy");
  }
  check_blas(&r, cublasDestroy_v2(r.blas), "cublasDestroy");
  check_cuda(&r, cudaStreamDestroy(r.stream), "cudaStreamDestroy");
  free(ops);

  printf("issued_gemm_calls=%" PRIu64 "\n", r.calls);
  printf("issued_gemm_flops=%" PRIu64 "\n", r.flops);
  printf("failed_gemm_calls=%" PRIu64 "\n", r.failed);
  /* What was planted, per step. On the doubles every kernel lasts as fake_gpu.h says: the
   * all-reduce on the side stream is hidden by the compute issued after it, up to its length. */
  printf("planted_idle_ns=%" PRIu64 "\n", (uint64_t)m.idle_us * 1000);
  if (on_doubles) {
    const uint64_t comm_ns = r.comm_count ? fake_nccl_ns(r.comm_count * dt->size) : 0;
    const uint64_t hiding_ns = m.comm_side ? r.fake_compute_ns - r.fake_comm_issued_ns : 0;
    printf("planted_memory_bound_ns=%" PRIu64 "\n", r.fake_compute_ns - r.fake_gemm_ns);
    printf("planted_comm_ns=%" PRIu64 "\n", comm_ns > hiding_ns ? comm_ns - hiding_ns : 0);
    printf("fake_gemm_ns=%" PRIu64 "\n", r.fake_gemm_ns);
    printf("fake_comm_ns=%" PRIu64 "\n", comm_ns);
  }
  return r.failed || r.setup_failed ? 1 : 0;
}
