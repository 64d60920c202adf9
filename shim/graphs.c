/* CUDA graphs. A GEMM or collective issued on a stream that is being captured does not run
 * then: it runs at every launch of a graph instantiated from the capture. The shim records
 * which capture a call went into (mfu_capture_note, in every GEMM/NCCL wrapper) and the graph
 * bookkeeping calls (capture begin and end, instantiate, update, destroy, launch); the
 * analyzer counts captured work once per launch (include/mfu/trace.h, struct mfu_graph).
 *
 * Nothing here may disturb a capture: the only call made into the runtime is
 * cudaStreamGetCaptureInfo, the query CUDA provides for this, and only while some capture is
 * in progress in the process. */
#include <cuda_runtime_api.h>

#include "call.h"
#include "graphs.h"
#include "mfu/api.h"
#include "resolve.h"

/* Captures begun and not yet ended: while 0, calls need no capture query. It may stay high
 * after a capture that failed to end cleanly, which costs queries, never a miscount. */
atomic_int mfu_captures_active;

/* The capture id of `stream` if it is capturing, else 0; *graph_out gets the graph being
 * captured into where the runtime tells (CUDA 13; CUDA 12's three-argument form ignores the
 * extra arguments and leaves it 0). */
static uint64_t capture_of(uint64_t stream, uint64_t *graph_out) {
  static _Atomic(void *) fn;
  cudaError_t (*info)(cudaStream_t, enum cudaStreamCaptureStatus *, unsigned long long *,
                      cudaGraph_t *, const cudaGraphNode_t **, const cudaGraphEdgeData **,
                      size_t *) = mfu_real(&fn, "cudaStreamGetCaptureInfo", MFU_HOOK_CUDART);
  enum cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
  unsigned long long id = 0;
  cudaGraph_t graph = NULL;
  if (!info || info((cudaStream_t)(uintptr_t)stream, &status, &id, &graph, NULL, NULL, NULL) !=
                   cudaSuccess ||
      status != cudaStreamCaptureStatusActive)
    return 0;
  if (graph_out) *graph_out = (uint64_t)(uintptr_t)graph;
  return id;
}

void mfu_capture_query(struct mfu_record *rec) {
  if (rec->kind != MFU_REC_GEMM && rec->kind != MFU_REC_NCCL) return;
  uint64_t id = capture_of(rec->stream, NULL);
  if (!id) return;
  rec->flags |= MFU_RF_CAPTURED;
  if (rec->kind == MFU_REC_GEMM) rec->u.gemm.capture = id;
  if (rec->kind == MFU_REC_NCCL) rec->u.nccl.capture = id;
}

static void describe_graph(struct mfu_record *rec, unsigned op, cudaStream_t stream,
                           const cudaGraph_t *graph, const cudaGraphExec_t *exec, int mode) {
  struct mfu_graph *g = &rec->u.graph;
  *g = (struct mfu_graph){.op = (uint8_t)op, .mode = mode,
                          .graph = graph ? (uint64_t)(uintptr_t)*graph : 0,
                          .exec = exec ? (uint64_t)(uintptr_t)*exec : 0};
  rec->stream = (uint64_t)(uintptr_t)stream;
  if (rec->status != cudaSuccess) return;
  if (op == MFU_GRAPH_BEGIN_CAPTURE) {
    atomic_fetch_add(&mfu_captures_active, 1);
    g->capture = capture_of(rec->stream, graph ? NULL : &g->graph);
  } else if (op == MFU_GRAPH_END_CAPTURE) {
    int n = atomic_load(&mfu_captures_active);
    while (n > 0 && !atomic_compare_exchange_weak(&mfu_captures_active, &n, n - 1)) {
    }
  }
}

#define GRAPH(op, stream, graph, exec, mode) describe_graph(rec, op, stream, graph, exec, mode)

#define MFU_GRAPH_WRAPPER(name, params, args, describe)                                        \
  MFU_WRAPPER(cudaError_t, cudaErrorSharedObjectSymbolNotFound, MFU_HOOK_CUDART, MFU_REC_GRAPH, \
              name, params, args, describe)

MFU_CUDART_GRAPH_APIS(MFU_GRAPH_WRAPPER)
