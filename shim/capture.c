/* Which CUDA-graph capture a GEMM or NCCL call went into (mfu_capture_note, in every such
 * wrapper); graphs.c records the graph calls themselves.
 *
 * Nothing here may disturb a capture: the only call made into the runtime is
 * cudaStreamGetCaptureInfo, the query CUDA provides for this, and only while some capture is
 * in progress in the process. */
#include <cuda_runtime_api.h>

#include "capture.h"
#include "resolve.h"

/* Captures begun and not yet ended: while 0, calls need no capture query. It may stay high
 * after a capture that failed to end cleanly, which costs queries, never a miscount. */
atomic_int mfu_captures_active;

/* The runtime's capture query with CUDA 13's arguments (stream, status, id, graph,
 * dependencies, edge data, count). CUDA 12 exports that as cudaStreamGetCaptureInfo_v3 (12.3
 * on), the same less the edge data as _v2, and under the plain name CUDA 11's three-argument
 * form (status and id only); CUDA 13 has only the plain name. The surplus NULL arguments of
 * the shorter forms are ignored, so one call fits all. */
typedef cudaError_t (*capture_info_fn)(cudaStream_t, enum cudaStreamCaptureStatus *,
                                       unsigned long long *, cudaGraph_t *,
                                       const cudaGraphNode_t **, const cudaGraphEdgeData **,
                                       size_t *);
static capture_info_fn capture_info(void) {
  static _Atomic(void *) v3, v2, plain;
  void *p = mfu_real_quiet(&v3, "cudaStreamGetCaptureInfo_v3", MFU_HOOK_CUDART);
  if (!p) p = mfu_real_quiet(&v2, "cudaStreamGetCaptureInfo_v2", MFU_HOOK_CUDART);
  if (!p) p = mfu_real(&plain, "cudaStreamGetCaptureInfo", MFU_HOOK_CUDART);
  return (capture_info_fn)p;
}

/* The capture id of `stream` if it is capturing, else 0; *graph_out gets the graph being
 * captured into where the runtime tells (all but CUDA 12's three-argument form: 0). */
uint64_t mfu_capture_of(uint64_t stream, uint64_t *graph_out) {
  static _Atomic(capture_info_fn) fn;
  capture_info_fn info = atomic_load_explicit(&fn, memory_order_acquire);
  if (!info && (info = capture_info())) atomic_store_explicit(&fn, info, memory_order_release);
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
  bool gemm = rec->kind == MFU_REC_GEMM || rec->kind == MFU_REC_BLAS3;
  if (!gemm && rec->kind != MFU_REC_NCCL) return;
  uint64_t id = mfu_capture_of(rec->stream, NULL);
  if (!id) return;
  rec->flags |= MFU_RF_CAPTURED;
  if (gemm) rec->u.gemm.capture = id;
  else rec->u.nccl.capture = id;
}
