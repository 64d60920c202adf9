/* kernels: what a GPU kernel does, from its name as CUPTI reports it (mangled or demangled):
 * GEMM, attention, NCCL (collective communication) or other compute. Used for kernels that
 * no intercepted cuBLAS call claims through correlation: CUTLASS and Triton GEMMs, flash and
 * cuDNN attention, and everything memory-bound. Names are matched against an ordered table of
 * case-insensitive fragments, the first match deciding. Classify each distinct name once
 * (names come from the trace's string table): a lookup scans the table. */
#ifndef MFU_KERNELS_H
#define MFU_KERNELS_H

#include "timeline.h"

/* CAT_GEMM, CAT_ATTENTION, CAT_NCCL or CAT_OTHER; CAT_OTHER for NULL. */
enum activity_category kernel_category(const char *name);

#endif
