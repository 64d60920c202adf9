/* names: the words for the enums a trace stores (include/mfu/trace.h), generated from their
 * X-macro lists there: one table each, whatever prints them. Unknown values (a newer shim)
 * get NULL, so that callers say so rather than print a wrong name; the CUPTI state, which is
 * only ever printed, says "unknown" itself. */
#ifndef MFU_TRACE_NAMES_H
#define MFU_TRACE_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "mfu/trace.h"

/* Libraries the shim resolves (header.hooks_resolved), in bit order. */
#define TRACE_COUNT_ONE(...) +1
enum { TRACE_HOOK_COUNT = 0 MFU_HOOKS(TRACE_COUNT_ONE) };
struct trace_hook {
  uint32_t bit;
  const char *key;   /* "cublas": JSON keys */
  const char *label; /* "cuBLAS": text */
};
extern const struct trace_hook trace_hooks[TRACE_HOOK_COUNT];

const char *trace_cupti_state_text(uint32_t state); /* "stepped aside (another tool ...)" */
const char *trace_record_kind_name(unsigned kind);  /* "gemm", "kernel", ... */
const char *trace_marker_kind_name(unsigned kind);  /* "push", "profiler_start", ... */
const char *trace_graph_op_name(unsigned op);       /* "begin_capture", "launch", ... */

#endif
