/* Stream capture (capture.c): marks a GEMM/NCCL record made on a capturing stream. */
#ifndef MFU_SHIM_CAPTURE_H
#define MFU_SHIM_CAPTURE_H

#include <stdatomic.h>
#include <stdint.h>

#include "mfu/trace.h"

/* Captures in progress, counted up and down by the capture wrappers (graphs.c). */
extern atomic_int mfu_captures_active;
/* The capture id of `stream` if it is capturing, else 0 (*graph_out: the graph, if told). */
uint64_t mfu_capture_of(uint64_t stream, uint64_t *graph_out);
void mfu_capture_query(struct mfu_record *rec);
/* Inline, so that the common case (no capture anywhere) costs one relaxed load. */
static inline void mfu_capture_note(struct mfu_record *rec) {
  if (atomic_load_explicit(&mfu_captures_active, memory_order_relaxed)) mfu_capture_query(rec);
}

#endif
