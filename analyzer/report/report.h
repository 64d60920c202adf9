/* report: the human and JSON reports of one job's traces (`mfu report`, and `mfu run`'s
 * summary). A report is built once (its figures from metrics/utilization.h, its warnings and
 * notes from metrics/findings.h) and printed in either form; the printers compute nothing. */
#ifndef MFU_REPORT_H
#define MFU_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "callsites/sites.h"
#include "job/job.h"
#include "metrics/findings.h"
#include "metrics/profile.h"
#include "metrics/step_summary.h"
#include "metrics/utilization.h"

#define REPORT_TOP_ROWS 5 /* rows of the top tables by default */

struct report_options {
  const char *job_id; /* NULL: the most recently started job */
  size_t max_rows;    /* text report: rows of the API and rank tables; 0: all */
  size_t top;         /* text report: rows of the top tables (GEMM shapes, kernels); 0: all */
  bool full;          /* text report: every table (by precision, API, operation, rank, GPU
                         time), not only the summary that fits one screen */
  bool all_steps;     /* text report: every step, not the first, median, p90, slowest, last */
  bool by_phase;      /* text report: FLOPs and time per phase (forward, backward...) */
  bool by_callsite;   /* text report: the top call sites by FLOPs and by GPU time */
  bool csv;           /* cli_report: every table as CSV (report_csv) instead of the text */
  bool colour;        /* text report: warnings, the waterfall's low factors and MFU in colour
                         (cli_report: on a terminal, without NO_COLOR) */
  const struct utilization_options *util; /* model, peak, skip; NULL: none given */
};

struct report {
  const char *path; /* where the traces were read */
  const struct mfu_traces *t;
  const struct mfu_job *j;
  struct job_utilization u;
  struct findings f;
  struct job_profile p;
  struct step_summary steps; /* of f.shown */
  struct symbolizer *symbols; /* names the call sites' frames */
  struct callsites cs;
  size_t top;             /* the options' */
  bool full, by_phase, by_callsite, colour; /* the options' */
  const char *convention; /* the FLOP convention of the model; NULL without one */
};

/* Why a report could not be built. */
enum report_problem {
  REPORT_NO_JOB = 1,     /* no file could be read: t->warnings say why */
  REPORT_UNKNOWN_JOB = 2 /* no job has o->job_id */
};

/* Builds the report of one job of `t`, loaded from `path`. 0, or an enum report_problem
 * (nothing to free then). */
int report_build(struct report *r, const char *path, const struct mfu_traces *t,
                 const struct report_options *o);
void report_free(struct report *r);

void report_text(FILE *out, const struct report *r, size_t max_rows);
void report_json(FILE *out, const struct report *r);
/* Every table, each after a "# NAME" line, every row (report_options.all_steps for every
 * step); the phase and call-site tables with by_phase, by_callsite. */
void report_csv(FILE *out, const struct report *r);

#endif
