/* detect: where the training steps of one rank begin and end, found in the repetition of its
 * sequence of intercepted calls (no markers needed), and which of the first steps are
 * warm-up. Pure functions: no trace format, no I/O. */
#ifndef MFU_DETECT_H
#define MFU_DETECT_H

#include <stddef.h>
#include <stdint.h>

/* One intercepted call, in call order (host start times non-decreasing). */
struct steps_call {
  uint64_t key;     /* what it did, hashed: api, m, n, k, dtype of a GEMM; op, bytes of NCCL */
  uint64_t time_ns; /* host start time */
};

/* A step: calls [first, end) of the sequence; host times [start_ns, end_ns). */
struct steps_span {
  size_t first, end;
  uint64_t start_ns, end_ns;
};

struct steps_detection {
  struct steps_span *steps; /* in order; calls outside every step are before the first (none) or
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
 * anchor or such a pattern, nsteps is 0 and `reason` says why. O(n log n) time (5 million
 * calls take about a tenth of a second), O(n) memory. Free with steps_detection_free. */
void steps_detect(const struct steps_call *c, size_t n, long skip, struct steps_detection *d);
void steps_detection_free(struct steps_detection *d);

/* The number of leading steps that are warm-up: those whose calls differ from the median
 * step's (the step of median length) clearly more than steps usually do. Steps are compared
 * by the kinds of calls they make (the Jaccard similarity of their sets of keys), not by how
 * often they make them, since steps may repeat layers a varying number of times; a step is
 * warm-up while its similarity is below the median similarity minus three median absolute
 * deviations. With steady steps that is any new or missing kind of call (a parameter
 * broadcast, GEMMs of other shapes); where the kinds vary from step to step (shapes that
 * follow the sequence length), only what stands out, and --skip is the better guide. 0 for
 * fewer than three steps. */
size_t steps_warmup(const struct steps_call *c, const struct steps_span *s, size_t n);

#endif
