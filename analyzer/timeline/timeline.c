/* timeline: see timeline.h. */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/sort.h"

const char *const activity_category_name[CAT_COUNT] = {
    [CAT_GEMM] = "gemm",   [CAT_ATTENTION] = "attention", [CAT_NCCL] = "nccl",
    [CAT_OTHER] = "other", [CAT_MEMCPY] = "memcpy",       [CAT_MEMSET] = "memset",
};

#define BIT(cat) (1u << (cat))
enum {
  MATH = BIT(CAT_GEMM) | BIT(CAT_ATTENTION),
  COMPUTE = MATH | BIT(CAT_OTHER), /* every kernel but communication */
  KERNELS = COMPUTE | BIT(CAT_NCCL),
  COPIES = BIT(CAT_MEMCPY) | BIT(CAT_MEMSET),
};

/* An interval's start (opening) or end, after clipping to the window. */
struct edge {
  uint64_t t;
  bool opens;
  enum activity_category cat;
};

static int by_time(const void *a, const void *b) {
  uint64_t x = ((const struct edge *)a)->t, y = ((const struct edge *)b)->t;
  return (x > y) - (x < y);
}

/* The share of an activity's FLOPs that falls into [t0, t1), given its clipped part [s, e). */
static double flops_inside(const struct timeline_activity *a, uint64_t s, uint64_t e, uint64_t t0,
                           uint64_t t1) {
  if (a->end_ns == a->start_ns) return a->start_ns >= t0 && a->start_ns < t1 ? a->flops : 0;
  if (e <= s) return 0;
  return a->flops * ((double)(e - s) / (double)(a->end_ns - a->start_ns));
}

/* Adds `len` ns during which the categories in `running` (a bit set) run. */
static void account(struct timeline *tl, unsigned running, uint64_t len) {
  for (int c = 0; c < CAT_COUNT; c++)
    if (running & BIT(c)) tl->category_ns[c] += len;
  if (running & KERNELS) tl->busy_ns += len;
  if (running & MATH) tl->math_ns += len;
  if (running & BIT(CAT_NCCL)) tl->comm_ns += len;
  if ((running & KERNELS) == BIT(CAT_NCCL)) tl->exposed_comm_ns += len;
  if (running & COMPUTE) tl->compute_ns += len;
  if (running & COPIES) tl->copy_ns += len;
  if (!running) tl->idle_ns += len;
}

void timeline_measure(const struct timeline_activity *a, size_t n, uint64_t t0, uint64_t t1,
                      struct timeline *tl) {
  *tl = (struct timeline){.window_ns = t1 > t0 ? t1 - t0 : 0};
  if (t1 < t0) t1 = t0;
  /* Opening edges first, then closing ones: for activities in order of start (as a rank's
   * are), two runs, each nearly sorted, that the merge sort joins in little more than O(n). */
  struct edge *edges = mfu_xrealloc(NULL, 2 * n * sizeof *edges), *ends = edges + n;
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (a[i].end_ns < a[i].start_ns || (unsigned)a[i].cat >= CAT_COUNT) {
      tl->invalid++;
      continue;
    }
    uint64_t s = a[i].start_ns > t0 ? a[i].start_ns : t0;
    uint64_t e = a[i].end_ns < t1 ? a[i].end_ns : t1;
    tl->flops[a[i].cat] += flops_inside(&a[i], s, e, t0, t1);
    if (e > s) {
      edges[m] = (struct edge){s, true, a[i].cat};
      ends[m++] = (struct edge){e, false, a[i].cat};
    }
  }
  memmove(edges + m, ends, m * sizeof *edges);
  m *= 2;
  mfu_sort_runs(edges, m, sizeof *edges, by_time);

  /* Sweep: between two consecutive distinct edge times the set of running categories is
   * constant. Before the first edge and after the last, nothing runs. */
  size_t running[CAT_COUNT] = {0};
  uint64_t t = t0;
  for (size_t i = 0; i < m;) {
    unsigned set = 0;
    for (int c = 0; c < CAT_COUNT; c++)
      if (running[c]) set |= BIT(c);
    account(tl, set, edges[i].t - t);
    for (t = edges[i].t; i < m && edges[i].t == t; i++) {
      if (edges[i].opens)
        running[edges[i].cat]++;
      else
        running[edges[i].cat]--;
    }
  }
  account(tl, 0, t1 - t);
  free(edges);
}

void timeline_add(struct timeline *sum, const struct timeline *t) {
  sum->window_ns += t->window_ns;
  sum->busy_ns += t->busy_ns;
  sum->math_ns += t->math_ns;
  sum->comm_ns += t->comm_ns;
  sum->exposed_comm_ns += t->exposed_comm_ns;
  sum->compute_ns += t->compute_ns;
  sum->copy_ns += t->copy_ns;
  sum->idle_ns += t->idle_ns;
  for (int c = 0; c < CAT_COUNT; c++) {
    sum->category_ns[c] += t->category_ns[c];
    sum->flops[c] += t->flops[c];
  }
  sum->invalid += t->invalid;
}
