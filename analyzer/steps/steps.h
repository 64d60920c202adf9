/* steps: where the training steps of one rank begin and end. From explicit markers when the
 * program sets them (NVTX ranges, cudaProfilerStart/Stop), selected by a regular expression;
 * otherwise from the repetition in the rank's sequence of intercepted calls. Pure functions:
 * no trace format, no I/O. */
#ifndef MFU_STEPS_H
#define MFU_STEPS_H

#include <stddef.h>
#include <stdint.h>

/* One intercepted call, in call order (host start times non-decreasing). */
struct call {
  uint64_t key;     /* what it did, hashed: api, m, n, k, dtype of a GEMM; op, bytes of NCCL */
  uint64_t time_ns; /* host start time */
};

/* A step: calls [first, end) of the sequence; host times [start_ns, end_ns). */
struct step {
  size_t first, end;
  uint64_t start_ns, end_ns;
};

/* ------------------------------------------------------------------ explicit markers */

enum marker_kind {
  MARK_PUSH, MARK_POP,                     /* nvtxRangePush/Pop: nested, per thread */
  MARK_START, MARK_END,                    /* nvtxRangeStart/End: by range id, any thread */
  MARK_PROFILER_START, MARK_PROFILER_STOP, /* cudaProfilerStart/Stop: process-wide */
};

struct marker {
  enum marker_kind kind;
  uint64_t time_ns;
  uint64_t id;      /* PUSH, POP: the thread; START, END: the range id; else unused */
  const char *name; /* PUSH, START: the range's message; else unused */
};

struct range {
  const char *name; /* borrowed from the marker */
  uint64_t start_ns, end_ns;
};

/* The name of the ranges between cudaProfilerStart and the next cudaProfilerStop. */
#define STEPS_PROFILER_RANGE "cudaProfiler"

/* Pairs markers (in any order) into ranges, in the order they close: a POP closes its
 * thread's innermost open PUSH, an END the START of its id, a PROFILER_STOP the open
 * profiler range (a START while one is open, or a STOP while none is, does nothing, as in
 * CUDA). Markers that close nothing, and ranges never closed, are dropped. `out` has room
 * for n ranges; returns how many were written. */
size_t steps_pair_markers(const struct marker *m, size_t n, struct range *out);

/* The steps marked by ranges: those whose name matches `regex` (POSIX extended), in time
 * order; a matching range that starts inside an earlier one (nested, or overlapping it) is
 * part of that step, not another. With the rank's calls (may be NULL), each step's calls are
 * those that start within its times. `out` has room for n steps. Returns 0 with their number
 * in *nout, or -1 with a message in err when the regex does not compile. */
int steps_from_ranges(const struct range *r, size_t n, const char *regex,
                      const struct call *calls, size_t ncalls, struct step *out, size_t *nout,
                      char *err, size_t errlen);

/* ---------------------------------------------------------------- automatic detection */

struct step_detection {
  struct step *steps; /* in order; calls outside every step are before the first (none) or
                         after the last: an unfinished step */
  size_t nsteps;
  size_t skip;        /* leading steps to leave out as warm-up */
  size_t period;      /* median calls per step */
  uint64_t anchor;    /* a call made once per step, whose repeats revealed the period */
  double score;       /* fraction of the anchor's periods with the usual pattern, in [3/4, 1] */
  char reason[200];   /* when nsteps is 0: why no period was found */
};

/* Finds the steps in a rank's call sequence, without markers. An anchor is a call that
 * recurs at regular intervals; the calls made in at least three quarters of its periods
 * (from one occurrence to the next) are "periodic". The anchor must show a pattern: in most
 * periods the periodic calls come in the same order (of first occurrence), at least three
 * of them a steady number of times, with enough evidence (16 such calls over the agreeing
 * periods), and no regular call made more often varies in number per period. Of such
 * anchors, the one with the most periods, unless its period is a whole part of a coarser
 * one's that explains many more calls (a layer whose calls recur all through the step, with
 * recomputed activations). This holds with a quarter of the periods differing (warm-up,
 * logging steps, evaluation), with steps of varying length (layers repeated a varying
 * number of times), and when the shapes of most calls change from step to step (sequence
 * lengths) as long as three calls per step do not (gradient all-reduces). Gradient
 * accumulation looks like logging: its steps are found as micro-batches.
 * Boundaries: the first step starts at the first call; every later one where the sequence
 * passes from the periodic call that ends a step to the one that starts the next (those
 * around the first step's start), with one of the two periodic calls before and one of the
 * two after them as usual, and at least a quarter of the usual periodic calls since the
 * previous boundary. Calls that are not periodic, found between those two, belong to the
 * step they precede if the sequence starts with such calls, else to the one they follow.
 * So one call added or missing next to a boundary does not move it, nor do calls that
 * differ elsewhere; evaluation between two steps counts in the second. The last step
 * counts only if it ends with the call that ends a step; its end_ns is then the start of
 * its last call (every other step's is the next one's start_ns). `skip` >= 0 gives the
 * number of warm-up steps, < 0 detects it (steps_warmup). Without three repeats of the
 * anchor or such a pattern, nsteps is 0 and `reason` says why. O(n log n) time (2 million
 * calls take about half a second), O(n) memory. Free with steps_detection_free. */
void steps_detect(const struct call *c, size_t n, long skip, struct step_detection *d);
void steps_detection_free(struct step_detection *d);

/* The number of leading steps that are warm-up: those whose calls differ from the median
 * step's (the step of median length) clearly more than steps usually do. Steps are compared
 * by the kinds of calls they make (the Jaccard similarity of their sets of keys), not by how
 * often they make them, since steps may repeat layers a varying number of times; a step is
 * warm-up while its similarity is below the median similarity minus three median absolute
 * deviations. With steady steps that is any new or missing kind of call (a parameter
 * broadcast, GEMMs of other shapes); where the kinds vary from step to step (shapes that
 * follow the sequence length), only what stands out, and --skip is the better guide. 0 for
 * fewer than three steps. */
size_t steps_warmup(const struct call *c, const struct step *s, size_t n);

#endif
