/* kernels: what a GPU kernel does, from its name as CUPTI reports it (mangled or demangled):
 * GEMM, attention, NCCL (collective communication) or other compute. Used for kernels that
 * no intercepted cuBLAS call claims through correlation: CUTLASS and Triton GEMMs, flash and
 * cuDNN attention, and everything memory-bound. Names are matched against an ordered table of
 * case-insensitive fragments, the first match deciding. Classify each distinct name once
 * (names come from the trace's string table): a lookup scans the table. */
#ifndef MFU_KERNELS_H
#define MFU_KERNELS_H

#include <stddef.h>

#include "timeline.h"

/* CAT_GEMM, CAT_ATTENTION, CAT_NCCL or CAT_OTHER; CAT_OTHER for NULL. */
enum activity_category kernel_category(const char *name);

/* A kernel's name for tables and timelines, into out: a mangled C++ name as its qualified
 * function name (_ZN7cutlass6KernelI...E... -> cutlass::Kernel), a demangled one without its
 * return type and parameters; other names as they are. Returns out (name when it is NULL). */
const char *kernel_short_name(const char *name, char *out, size_t outlen);

#endif
