/* straggler: see straggler.h. */
#include "straggler.h"

#include "util/alloc.h"
#include "util/sort.h"

struct key {
  double work_s, step_s;
  long rank;
  size_t index;
};

/* Most work first; then the longer step; then the lower rank number; then the lower index. */
static int slower_first(const void *a, const void *b) {
  const struct key *x = a, *y = b;
  if (x->work_s != y->work_s) return x->work_s > y->work_s ? -1 : 1;
  if (x->step_s != y->step_s) return x->step_s > y->step_s ? -1 : 1;
  if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
  return MFU_COMPARE(x->index, y->index);
}

bool straggler_find(const struct straggler_rank *ranks, size_t n, size_t *order, struct straggler *s) {
  struct key *k = mfu_xmalloc(n, sizeof *k);
  for (size_t i = 0; i < n; i++)
    k[i] = (struct key){straggler_work_s(&ranks[i]), ranks[i].step_s, ranks[i].rank, i};
  mfu_sort(k, n, sizeof *k, slower_first);
  for (size_t i = 0; i < n; i++) order[i] = k[i].index;
  free(k);
  if (n < 2) return false;
  const struct straggler_rank *slow = &ranks[order[0]], *fast = &ranks[order[n - 1]];
  double bound = STRAGGLER_TOLERANCE * slow->step_s;
  *s = (struct straggler){.slowest = order[0], .fastest = order[n - 1],
                          .spread_s = straggler_work_s(slow) - straggler_work_s(fast)};
  s->stands_out = s->spread_s > bound || slow->step_s - fast->step_s > bound;
  return true;
}
