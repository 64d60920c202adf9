/* step_summary: a rank's steps on one screen. A run of 950 steps is not 950 lines: the report
 * lists the first, the median, the 90th-percentile, the slowest and the last step (by step
 * time, among the measured ones), and draws every measured step's time as a sparkline. Runs
 * of few steps are listed whole, as is any run with --steps all. */
#ifndef MFU_STEP_SUMMARY_H
#define MFU_STEP_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "utilization.h"

#define STEP_SUMMARY_ALL_UP_TO 12 /* steps listed whole up to this many */
#define STEP_SUMMARY_WIDTH 60     /* sparkline columns */
#define STEP_SUMMARY_LEVELS 8     /* sparkline heights, 0..7 */

struct step_summary_row {
  size_t step;      /* index into the rank's steps */
  char label[40];   /* "first", "median", "p90", "slowest", "last", joined when they share */
};

struct step_summary {
  bool condensed;              /* rows are a selection; else every step is listed */
  struct step_summary_row *rows;
  size_t nrows;
  /* The sparkline of the measured steps' times (condensed only): `width` columns, each the
   * mean of its steps, scaled between the fastest and the slowest column. */
  size_t width, first, last;   /* columns; the steps drawn, first to last */
  uint8_t level[STEP_SUMMARY_WIDTH];
  double min_s, max_s;         /* the columns' range */
  double median_s, p90_s;      /* of the measured steps */
};

/* The summary of `r`'s steps; `all`: list every step. Free with step_summary_free. */
void step_summary_of(const struct rank_utilization *r, bool all, struct step_summary *out);
void step_summary_free(struct step_summary *s);

#endif
