/* runs: see runs.h. */
#include "runs.h"

#include <stdbool.h>
#include <string.h>

#include "util/alloc.h"
#include "util/sort.h"

/* Whether some known rank has more than one file. */
static bool rank_repeats(const struct runs_file *files, size_t n) {
  uint64_t *ranks = mfu_xmalloc(n, sizeof *ranks);
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (files[i].rank >= 0) ranks[m++] = (uint64_t)files[i].rank;
  mfu_sort(ranks, m, sizeof *ranks, mfu_compare_u64);
  bool repeats = false;
  for (size_t i = 1; i < m && !repeats; i++) repeats = ranks[i] == ranks[i - 1];
  free(ranks);
  return repeats;
}

struct process {
  const char *host;
  int32_t pid;
  size_t pos; /* in start order */
};

static int by_process(const void *a, const void *b) {
  const struct process *x = a, *y = b;
  int c = strcmp(x->host, y->host);
  if (c) return c;
  if (x->pid != y->pid) return MFU_COMPARE(x->pid, y->pid);
  return MFU_COMPARE(x->pos, y->pos);
}

/* For each file of unknown rank (by its position k in start order), the position of its
 * process's first file. */
static size_t *first_of_process(const struct runs_file *files, const struct mfu_sort_pair *by_start,
                                size_t n) {
  size_t *first = mfu_xmalloc(n, sizeof *first), m = 0;
  struct process *p = mfu_xmalloc(n, sizeof *p);
  for (size_t k = 0; k < n; k++) {
    const struct runs_file *f = &files[by_start[k].index];
    if (f->rank < 0) p[m++] = (struct process){f->host, f->pid, k};
  }
  mfu_sort(p, m, sizeof *p, by_process);
  for (size_t i = 0; i < m; i++) {
    bool same = i > 0 && p[i - 1].pid == p[i].pid && !strcmp(p[i - 1].host, p[i].host);
    first[p[i].pos] = same ? first[p[i - 1].pos] : p[i].pos;
  }
  free(p);
  return first;
}

size_t runs_split(const struct runs_file *files, size_t n, size_t *run_of) {
  bool by_time = rank_repeats(files, n);
  /* By start time: a file of known rank joins the run of known ranks in progress if it starts
   * before that run's files have all ended (or always, when no rank repeats); else it begins a
   * new run. */
  struct mfu_sort_pair *by_start = mfu_xmalloc(n, sizeof *by_start);
  for (size_t i = 0; i < n; i++) by_start[i] = (struct mfu_sort_pair){files[i].start_ns, i};
  mfu_sort(by_start, n, sizeof *by_start, mfu_compare_pairs);
  size_t *first = first_of_process(files, by_start, n);
  size_t runs = 0, current = 0;
  bool open = false; /* a run of known ranks is in progress */
  uint64_t end = 0;  /* ... until then */
  for (size_t k = 0; k < n; k++) {
    size_t i = by_start[k].index;
    const struct runs_file *f = &files[i];
    if (f->rank < 0) { /* its process's run, or a new one */
      run_of[i] = first[k] == k ? runs++ : run_of[by_start[first[k]].index];
      continue;
    }
    if (!open || (by_time && f->start_ns > end)) {
      current = runs++;
      open = true;
      end = f->end_ns;
    } else if (f->end_ns > end) {
      end = f->end_ns;
    }
    run_of[i] = current;
  }
  free(first);
  free(by_start);
  return runs;
}
