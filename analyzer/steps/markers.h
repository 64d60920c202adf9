/* markers: the training steps a program marks itself: NVTX ranges (push/pop, start/end) and
 * cudaProfilerStart/Stop regions, paired into ranges and selected by a regular expression.
 * Pure functions: no trace format, no I/O. */
#ifndef MFU_MARKERS_H
#define MFU_MARKERS_H

#include <stddef.h>
#include <stdint.h>

#include "detect.h"
#include "mfu/trace.h"

/* A marker as recorded; `kind` is an enum mfu_marker_kind (include/mfu/trace.h). */
struct steps_marker {
  enum mfu_marker_kind kind;
  uint64_t time_ns;
  uint64_t id;      /* PUSH, POP: the thread; START, END: the range id; else unused */
  const char *name; /* PUSH, START: the range's message; else unused */
};

struct steps_range {
  const char *name; /* borrowed from the marker */
  uint64_t start_ns, end_ns;
  uint64_t thread;  /* a push/pop range's thread; 0: start/end and profiler ranges (any thread) */
};

/* The name of the ranges between cudaProfilerStart and the next cudaProfilerStop. */
#define STEPS_PROFILER_RANGE "cudaProfiler"

/* Pairs markers (in any order) into ranges, in the order they close: a POP closes its
 * thread's innermost open PUSH, an END the START of its id, a PROFILER_STOP the open
 * profiler range (a START while one is open, or a STOP while none is, does nothing, as in
 * CUDA). Markers that close nothing, and ranges never closed, are dropped. `out` has room
 * for n ranges; returns how many were written. */
size_t steps_pair_markers(const struct steps_marker *m, size_t n, struct steps_range *out);

/* The steps marked by ranges: those whose name matches `regex` (POSIX extended), in time
 * order; a matching range that starts inside an earlier one (nested, or overlapping it) is
 * part of that step, not another. With the rank's calls (may be NULL), each step's calls are
 * those that start within its times. `out` has room for n steps. Returns 0 with their number
 * in *nout, or -1 with a message in err when the regex does not compile. */
int steps_from_ranges(const struct steps_range *r, size_t n, const char *regex,
                      const struct steps_call *calls, size_t ncalls, struct steps_span *out, size_t *nout,
                      char *err, size_t errlen);

#endif
