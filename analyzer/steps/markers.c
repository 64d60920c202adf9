/* markers: see markers.h. */
#include "markers.h"

#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/sort.h"

/* The first call that starts at or after t (calls are in time order). */
static size_t first_at(const struct steps_call *c, size_t n, uint64_t t) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (c[mid].time_ns < t)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

size_t steps_pair_markers(const struct steps_marker *m, size_t n, struct steps_range *out) {
  struct mfu_sort_pair *order = mfu_xmalloc(n, sizeof *order); /* by time */
  size_t *open = mfu_xmalloc(n, sizeof *open); /* PUSH and START markers not closed yet */
  size_t nopen = 0, nout = 0, profiler = SIZE_MAX;
  for (size_t i = 0; i < n; i++) order[i] = (struct mfu_sort_pair){m[i].time_ns, i};
  mfu_sort(order, n, sizeof *order, mfu_compare_pairs);
  for (size_t k = 0; k < n; k++) {
    const struct steps_marker *x = &m[order[k].index];
    switch (x->kind) {
    case MFU_MARKER_PUSH:
    case MFU_MARKER_START:
      open[nopen++] = order[k].index;
      break;
    case MFU_MARKER_POP:
    case MFU_MARKER_END: {
      enum mfu_marker_kind opener = x->kind == MFU_MARKER_POP ? MFU_MARKER_PUSH : MFU_MARKER_START;
      size_t j = nopen;
      while (j > 0 && !(m[open[j - 1]].kind == opener && m[open[j - 1]].id == x->id)) j--;
      if (j == 0) break;
      const struct steps_marker *o = &m[open[j - 1]];
      out[nout++] = (struct steps_range){o->name, o->time_ns, x->time_ns,
                                         o->kind == MFU_MARKER_PUSH ? o->id : 0};
      memmove(&open[j - 1], &open[j], (nopen - j) * sizeof *open);
      nopen--;
      break;
    }
    case MFU_MARKER_PROFILER_START:
      if (profiler == SIZE_MAX) profiler = order[k].index;
      break;
    case MFU_MARKER_PROFILER_STOP:
      if (profiler == SIZE_MAX) break;
      out[nout++] = (struct steps_range){STEPS_PROFILER_RANGE, m[profiler].time_ns, x->time_ns, 0};
      profiler = SIZE_MAX;
      break;
    }
  }
  free(open);
  free(order);
  return nout;
}

static int by_start_then_longest(const void *a, const void *b) {
  const struct steps_range *x = a, *y = b;
  return x->start_ns != y->start_ns ? MFU_COMPARE(x->start_ns, y->start_ns)
                                    : MFU_COMPARE(y->end_ns, x->end_ns);
}

int steps_from_ranges(const struct steps_range *r, size_t n, const char *regex,
                      const struct steps_call *calls, size_t ncalls, struct steps_span *out, size_t *nout,
                      char *err, size_t errlen) {
  regex_t re;
  int rc = regcomp(&re, regex, REG_EXTENDED | REG_NOSUB);
  if (rc) {
    char why[160];
    regerror(rc, &re, why, sizeof why);
    snprintf(err, errlen, "step range pattern '%s': %s", regex, why);
    return -1;
  }
  struct steps_range *match = mfu_xmalloc(n, sizeof *match);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (r[i].name && regexec(&re, r[i].name, 0, NULL, 0) == 0) match[k++] = r[i];
  regfree(&re);
  mfu_sort(match, k, sizeof *match, by_start_then_longest);
  *nout = 0;
  for (size_t i = 0; i < k; i++) {
    if (*nout && match[i].start_ns < out[*nout - 1].end_ns) continue; /* inside that step */
    size_t first = calls ? first_at(calls, ncalls, match[i].start_ns) : 0;
    size_t end = calls ? first_at(calls, ncalls, match[i].end_ns) : 0;
    out[(*nout)++] = (struct steps_span){first, end, match[i].start_ns, match[i].end_ns};
  }
  free(match);
  return 0;
}
