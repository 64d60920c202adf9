/* report: the human and JSON reports of one job's traces (`mfu report`), also printed by
 * `mfu run` as its summary. */
#ifndef MFU_REPORT_H
#define MFU_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "job/job.h"
#include "metrics/utilization.h"

struct report_options {
  bool json;
  const char *job_id;    /* NULL: the most recently started job */
  size_t max_rows;       /* human report: rows of the API and rank tables; 0: all */
  const struct utilization_options *util; /* model, peak, skip; NULL: none given */
};

/* Prints the report of one job of `t`, loaded from `path`, to `out`. Returns 0, or 2 after a
 * message on stderr when no file could be read or the job does not exist. */
int report_print(FILE *out, const char *path, const struct mfu_traces *t,
                 const struct report_options *o);

#endif
