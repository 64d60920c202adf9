/* CUDA graphs. A GEMM or collective issued on a stream that is being captured does not run
 * then: it runs at every launch of a graph instantiated from the capture. The shim records
 * which capture a call went into (mfu_capture_note, in every GEMM/NCCL wrapper) and the graph
 * bookkeeping calls (capture begin and end, instantiate, update, destroy, launch); the
 * analyzer counts captured work once per launch (include/mfu/trace.h, struct mfu_graph).
 * The capture query itself is capture.c's. */
#include <cuda_runtime_api.h>

#include "call.h"
#include "capture.h"
#include "mfu/api.h"

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
    g->capture = mfu_capture_of(rec->stream, graph ? NULL : &g->graph);
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
