/* The shim's CUDA-runtime records. A thread's first recorded call is preceded by a DEVICE
 * record naming its GPU. The CUDA-graph records: a GEMM and a collective issued on a capturing stream carry
 * the capture id, and the capture, instantiate, launch and destroy calls are recorded with the
 * handles that tie them together. In-process, on the cudart, cuBLAS and NCCL doubles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <nccl.h>

#include "mfu/api.h"
#include "resolve.h"
#include "ring.h"
#include "shim_fixture.h"

static char buf[64];

static uint64_t head(void) { return mfu_self ? atomic_load(&mfu_self->head) : 0; }
static const struct mfu_record *at(uint64_t i) { return &mfu_self->slots[i & (MFU_RING_SLOTS - 1)]; }

static const struct mfu_graph *graph_rec(uint64_t index, unsigned api, unsigned op) {
  const struct mfu_record *r = at(index);
  assert_int_equal(r->kind, MFU_REC_GRAPH);
  assert_string_equal(mfu_api_name(r->api), mfu_api_name(api));
  assert_int_equal(r->status, cudaSuccess);
  assert_int_equal(r->u.graph.op, op);
  return &r->u.graph;
}

static void device_record_names_the_gpu(void **state) {
  (void)state;
  cublasHandle_t h;
  assert_int_equal(cublasCreate(&h), CUBLAS_STATUS_SUCCESS);
  assert_null(mfu_self);
  cublasSgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 3, 4, (float *)buf, (float *)buf, 2, (float *)buf, 4, (float *)buf, (float *)buf, 2);
  assert_int_equal(head(), 2);
  const struct mfu_record *r = at(0);
  assert_int_equal(r->kind, MFU_REC_DEVICE);
  assert_int_equal(r->tid, mfu_self->tid);
  assert_string_equal(r->u.device.name, "mfushim test double (no GPU)"); /* tests/doubles/cudart.c */
  assert_int_equal(r->u.device.ordinal, 0);
  assert_int_equal(r->u.device.sm_count, 132);
  assert_int_equal(r->u.device.cc_major, 9);
  assert_int_equal(r->u.device.cc_minor, 0);
  assert_int_equal(at(1)->kind, MFU_REC_GEMM);
  cublasDestroy(h);
}

static void captured_calls_carry_the_capture(void **state) {
  (void)state;
  cudaStream_t s;
  cublasHandle_t h;
  ncclComm_t comm;
  ncclUniqueId id = {{0}};
  assert_int_equal(cudaStreamCreate(&s), cudaSuccess);
  assert_int_equal(cublasCreate(&h), CUBLAS_STATUS_SUCCESS);
  assert_int_equal(cublasSetStream(h, s), CUBLAS_STATUS_SUCCESS);
  assert_int_equal(ncclCommInitRank(&comm, 1, id, 0), ncclSuccess);

  /* Not capturing: no capture id. */
  uint64_t before = head();
  cublasSgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 3, 4, (float *)buf, (float *)buf, 2, (float *)buf, 4, (float *)buf, (float *)buf, 2);
  assert_int_equal(at(before)->u.gemm.capture, 0);
  assert_false(at(before)->flags & MFU_RF_CAPTURED);

  before = head();
  assert_int_equal(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal), cudaSuccess);
  const struct mfu_graph *begin = graph_rec(before, MFU_API_cudaStreamBeginCapture, MFU_GRAPH_BEGIN_CAPTURE);
  uint64_t capture = begin->capture;
  assert_true(capture != 0);
  assert_int_equal(begin->mode, cudaStreamCaptureModeThreadLocal);
  assert_int_equal(at(before)->stream, (uint64_t)(uintptr_t)s);
  uint64_t graph_begun = begin->graph;
  assert_true(graph_begun != 0);

  cublasSgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 3, 4, (float *)buf, (float *)buf, 2, (float *)buf, 4, (float *)buf, (float *)buf, 2);
  const struct mfu_record *gemm = at(before + 1);
  assert_int_equal(gemm->kind, MFU_REC_GEMM);
  assert_true(gemm->flags & MFU_RF_CAPTURED);
  assert_int_equal(gemm->u.gemm.capture, capture);
  assert_int_equal(gemm->flops, 48); /* what one launch will run */
  ncclAllReduce(buf, buf, 4, ncclFloat32, ncclSum, comm, s);
  assert_int_equal(at(before + 2)->u.nccl.capture, capture);
  /* Another stream is not capturing. */
  ncclAllReduce(buf, buf, 4, ncclFloat32, ncclSum, comm, NULL);
  assert_int_equal(at(before + 3)->u.nccl.capture, 0);

  cudaGraph_t graph;
  assert_int_equal(cudaStreamEndCapture(s, &graph), cudaSuccess);
  assert_int_equal(graph_rec(before + 4, MFU_API_cudaStreamEndCapture, MFU_GRAPH_END_CAPTURE)->graph,
                   (uint64_t)(uintptr_t)graph);
  assert_int_equal((uint64_t)(uintptr_t)graph, graph_begun);

  cudaGraphExec_t exec;
  assert_int_equal(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  const struct mfu_graph *inst = graph_rec(before + 5, MFU_API_cudaGraphInstantiate, MFU_GRAPH_INSTANTIATE);
  assert_int_equal(inst->graph, (uint64_t)(uintptr_t)graph);
  assert_int_equal(inst->exec, (uint64_t)(uintptr_t)exec);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(cudaGraphLaunch(exec, s), cudaSuccess);
    assert_int_equal(graph_rec(before + 6 + i, MFU_API_cudaGraphLaunch, MFU_GRAPH_LAUNCH)->exec,
                     (uint64_t)(uintptr_t)exec);
  }
  /* After the capture, calls on the stream run now again. */
  cublasSgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 3, 4, (float *)buf, (float *)buf, 2, (float *)buf, 4, (float *)buf, (float *)buf, 2);
  assert_int_equal(at(before + 9)->u.gemm.capture, 0);
  assert_int_equal(cudaGraphExecDestroy(exec), cudaSuccess);
  assert_int_equal(graph_rec(before + 10, MFU_API_cudaGraphExecDestroy, MFU_GRAPH_EXEC_DESTROY)->exec,
                   (uint64_t)(uintptr_t)exec);
  assert_int_equal(cudaGraphDestroy(graph), cudaSuccess);
  assert_int_equal(graph_rec(before + 11, MFU_API_cudaGraphDestroy, MFU_GRAPH_GRAPH_DESTROY)->graph,
                   (uint64_t)(uintptr_t)graph);
  assert_true(atomic_load(&mfu_hooks_resolved) & MFU_HOOK_CUDART);
  ncclCommDestroy(comm);
  cublasDestroy(h);
  cudaStreamDestroy(s);
}

int main(void) {
  int version; /* a call into the NCCL double itself keeps it linked (--as-needed) */
  if (ncclGetVersion(&version) != ncclSuccess) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(device_record_names_the_gpu),
      cmocka_unit_test(captured_calls_carry_the_capture),
  };
  return run_shim_tests(tests, NULL);
}
