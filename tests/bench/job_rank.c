/* One rank of the benchmark's synthetic training job: the calls a Transformer training step
 * makes, sharded the FSDP way, for `--steps` steps. Run under the shim on the test doubles
 * (tests/bench/run.sh does), once per rank, it leaves the trace that rank of a real job would:
 *
 *   per layer, forward:  all-gather of the layer's parameters, then the QKV, output and three
 *                        MLP projections and the attention core (two strided-batched GEMMs);
 *   LM head:             forward and the two backward GEMMs, then the loss all-reduce;
 *   per layer, backward: all-gather again, two GEMMs per projection and four for the attention
 *                        core, then a reduce-scatter of the layer's gradients.
 *
 * That is 24 calls per layer and 4 more per step: `--layers 83` makes 1,996 calls per step.
 * Every rank makes the same calls (the communicator is the same on all of them).
 *
 *     job_rank --rank R --world N --layers L --steps S */
#include <cublas_v2.h>
#include <nccl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HIDDEN = 256, FFN = 704, SEQ = 128, HEADS = 4, VOCAB = 1024 };

static cublasHandle_t handle;
static ncclComm_t comm;
static void *buf;

static void gemm(int m, int n, int k) {
  static const float one = 1, zero = 0;
  cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_T, m, n, k, &one, buf, CUDA_R_16BF, m, buf,
               CUDA_R_16BF, n, &zero, buf, CUDA_R_16BF, m, CUBLAS_COMPUTE_32F,
               CUBLAS_GEMM_DEFAULT);
}

static void attention_gemm(int m, int n, int k) {
  static const float one = 1, zero = 0;
  cublasGemmStridedBatchedEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one, buf, CUDA_R_16BF,
                             k, 0, buf, CUDA_R_16BF, k, 0, &zero, buf, CUDA_R_16BF, m, 0, HEADS,
                             CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
}

static void layer_forward(void) {
  ncclAllGather(buf, buf, 4 * HIDDEN * HIDDEN, ncclBfloat16, comm, 0);
  gemm(3 * HIDDEN, SEQ, HIDDEN);     /* QKV */
  attention_gemm(SEQ, SEQ, HIDDEN / HEADS); /* scores */
  attention_gemm(HIDDEN / HEADS, SEQ, SEQ); /* attention x V */
  gemm(HIDDEN, SEQ, HIDDEN);         /* output projection */
  gemm(FFN, SEQ, HIDDEN);            /* gate */
  gemm(FFN, SEQ, HIDDEN);            /* up */
  gemm(HIDDEN, SEQ, FFN);            /* down */
}

static void layer_backward(void) {
  ncclAllGather(buf, buf, 4 * HIDDEN * HIDDEN, ncclBfloat16, comm, 0);
  gemm(FFN, SEQ, HIDDEN), gemm(FFN, HIDDEN, SEQ); /* down: dx, dW */
  gemm(HIDDEN, SEQ, FFN), gemm(HIDDEN, FFN, SEQ); /* up */
  gemm(HIDDEN, SEQ, FFN), gemm(HIDDEN, FFN, SEQ); /* gate */
  gemm(HIDDEN, SEQ, HIDDEN), gemm(HIDDEN, HIDDEN, SEQ); /* output projection */
  attention_gemm(SEQ, SEQ, HIDDEN / HEADS), attention_gemm(HIDDEN / HEADS, SEQ, SEQ);
  attention_gemm(SEQ, HIDDEN / HEADS, SEQ), attention_gemm(HIDDEN / HEADS, SEQ, SEQ);
  gemm(HIDDEN, SEQ, 3 * HIDDEN), gemm(HIDDEN, 3 * HIDDEN, SEQ); /* QKV */
  ncclReduceScatter(buf, buf, HIDDEN * HIDDEN, ncclFloat32, ncclSum, comm, 0);
}

int main(int argc, char **argv) {
  int rank = 0, world = 1, layers = 83, steps = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    int *opt = !strcmp(argv[i], "--rank")     ? &rank
               : !strcmp(argv[i], "--world")  ? &world
               : !strcmp(argv[i], "--layers") ? &layers
               : !strcmp(argv[i], "--steps")  ? &steps
                                              : NULL;
    if (!opt) break;
    *opt = atoi(argv[i + 1]);
  }
  ncclUniqueId id;
  memset(&id, 0x42, sizeof id); /* the same on every rank: one communicator */
  if (argc % 2 == 0 || rank < 0 || world < 1 || layers < 1 || steps < 1 ||
      cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS ||
      ncclCommInitRank(&comm, world, id, rank) != ncclSuccess || !(buf = calloc(1, 1 << 20))) {
    fprintf(stderr, "usage: job_rank --rank R --world N --layers L --steps S (on the test "
                    "doubles)\n");
    return 2;
  }
  for (int s = 0; s < steps; s++) {
    for (int l = 0; l < layers; l++) layer_forward();
    gemm(VOCAB, SEQ, HIDDEN);                             /* LM head */
    gemm(HIDDEN, SEQ, VOCAB), gemm(HIDDEN, VOCAB, SEQ);
    ncclAllReduce(buf, buf, 1, ncclFloat32, ncclSum, comm, 0); /* the loss */
    for (int l = layers; l-- > 0;) layer_backward();
  }
  ncclCommDestroy(comm);
  cublasDestroy(handle);
  free(buf);
  return 0;
}
