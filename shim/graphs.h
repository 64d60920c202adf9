/* CUDA graphs (graphs.c): marks a GEMM/NCCL record made on a capturing stream. */
#ifndef MFU_SHIM_GRAPHS_H
#define MFU_SHIM_GRAPHS_H

#include <stdatomic.h>

#include "mfu/trace.h"

extern atomic_int mfu_captures_active;
void mfu_capture_query(struct mfu_record *rec);
/* Inline, so that the common case (no capture anywhere) costs one relaxed load. */
static inline void mfu_capture_note(struct mfu_record *rec) {
  if (atomic_load_explicit(&mfu_captures_active, memory_order_relaxed)) mfu_capture_query(rec);
}

#endif
