/* step_summary: see step_summary.h. */
#include "step_summary.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/sort.h"

static double step_s(const struct rank_step *x) { return (double)(x->end_ns - x->start_ns) / 1e9; }

/* Adds `label` to the row of step i (rows are kept in step order, one per step). */
static void mark(struct step_summary *s, size_t i, const char *label) {
  size_t k = 0;
  while (k < s->nrows && s->rows[k].step < i) k++;
  if (k < s->nrows && s->rows[k].step == i) {
    size_t len = strlen(s->rows[k].label);
    snprintf(s->rows[k].label + len, sizeof s->rows[k].label - len, ", %s", label);
    return;
  }
  memmove(&s->rows[k + 1], &s->rows[k], (s->nrows - k) * sizeof *s->rows);
  s->rows[k] = (struct step_summary_row){.step = i};
  snprintf(s->rows[k].label, sizeof s->rows[k].label, "%s", label);
  s->nrows++;
}

static void sparkline(struct step_summary *s, const struct rank_steps *st, size_t first, size_t n) {
  s->width = n < STEP_SUMMARY_WIDTH ? n : STEP_SUMMARY_WIDTH;
  s->first = first;
  s->last = first + n - 1;
  double col[STEP_SUMMARY_WIDTH];
  s->min_s = INFINITY;
  s->max_s = 0;
  for (size_t c = 0; c < s->width; c++) {
    size_t lo = first + c * n / s->width, hi = first + (c + 1) * n / s->width;
    double sum = 0;
    for (size_t i = lo; i < hi; i++) sum += step_s(&st->steps[i]);
    col[c] = sum / (double)(hi - lo);
    if (col[c] < s->min_s) s->min_s = col[c];
    if (col[c] > s->max_s) s->max_s = col[c];
  }
  double range = s->max_s - s->min_s;
  for (size_t c = 0; c < s->width; c++)
    s->level[c] = range > 0 ? (uint8_t)lround((col[c] - s->min_s) / range * (STEP_SUMMARY_LEVELS - 1))
                            : 0;
}

void step_summary_of(const struct rank_utilization *r, bool all, struct step_summary *out) {
  const struct rank_steps *st = &r->file->steps;
  *out = (struct step_summary){.median_s = NAN, .p90_s = NAN};
  out->rows = mfu_xcalloc(st->nsteps, sizeof *out->rows);
  if (all || st->nsteps <= STEP_SUMMARY_ALL_UP_TO) {
    for (size_t i = 0; i < st->nsteps; i++) out->rows[out->nrows++].step = i;
    return;
  }
  out->condensed = true;
  mark(out, 0, "first");
  mark(out, st->nsteps - 1, "last");
  if (!r->used) return;
  /* The measured steps by time (ties by index), to pick the median, the p90, the slowest. */
  struct mfu_sort_pair *t = mfu_xmalloc(r->used, sizeof *t);
  for (size_t k = 0; k < r->used; k++) {
    const struct rank_step *x = &st->steps[r->first + k];
    t[k] = (struct mfu_sort_pair){x->end_ns - x->start_ns, r->first + k};
  }
  mfu_sort(t, r->used, sizeof *t, mfu_compare_pairs);
  size_t median = t[(r->used - 1) / 2].index, p90 = t[(size_t)ceil(0.9 * (double)r->used) - 1].index;
  out->median_s = step_s(&st->steps[median]);
  out->p90_s = step_s(&st->steps[p90]);
  mark(out, median, "median");
  mark(out, p90, "p90");
  mark(out, t[r->used - 1].index, "slowest");
  sparkline(out, st, r->first, r->used);
  free(t);
}

void step_summary_free(struct step_summary *s) {
  free(s->rows);
  *s = (struct step_summary){0};
}
