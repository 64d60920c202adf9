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

/* The capture id of `stream` if it is capturing, else 0; *graph_out gets the graph being
 * captured into where the runtime tells (CUDA 13; CUDA 12's three-argument form ignores the
 * extra arguments and leaves it 0). */
uint64_t mfu_capture_of(uint64_t stream, uint64_t *graph_out) {
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
  bool gemm = rec->kind == MFU_REC_GEMM || rec->kind == MFU_REC_BLAS3;
  if (!gemm && rec->kind != MFU_REC_NCCL) return;
  uint64_t id = mfu_capture_of(rec->stream, NULL);
  if (!id) return;
  rec->flags |= MFU_RF_CAPTURED;
  if (gemm) rec->u.gemm.capture = id;
  else rec->u.nccl.capture = id;
}
