/* The `mfu` subcommands, one file each in cli/. Each takes the arguments after its own name
 * (argv[0] is the subcommand) and returns the process exit status: 0 success, 1 a runtime
 * failure, 2 bad usage or bad input (a message on stderr says what and how to fix it). Only
 * cli/ prints to stderr; the layers below return their errors. */
#ifndef MFU_COMMANDS_H
#define MFU_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

#include "job/job.h"
#include "model/spec.h"
#include "report/report.h"

int cmd_report(int argc, char **argv);    /* report.c    */
int cmd_run(int argc, char **argv);       /* run.c       */
int cmd_predict(int argc, char **argv);   /* predict.c   */
int cmd_models(int argc, char **argv);    /* models.c    */
int cmd_hw(int argc, char **argv);        /* hw.c        */
int cmd_calibrate(int argc, char **argv); /* calibrate.c */
int cmd_export(int argc, char **argv);    /* export.c    */
int cmd_compare(int argc, char **argv);   /* compare.c   */
int cmd_plot(int argc, char **argv);      /* plot.c      */
int cmd_sweep(int argc, char **argv);     /* sweep.c     */

/* Builds the report of one job of `t` (read from `path`): 0, or -1 after saying on stderr why
 * there is none (nothing to free then) (report.c). */
int cli_report_build(struct report *r, const char *path, const struct mfu_traces *t,
                     const struct report_options *o);

/* Has scripts/mfu_plot.py draw the figures of `kind` ("report": a report's JSON; "sweep": a
 * sweep's CSV) from `input` into out_dir, the figures' paths on out_fd (-1: stdout): 0, or 1
 * after saying why not (no python3, no matplotlib: how to install it) (plot.c). */
int cli_plot(const char *cmd, const char *kind, const char *input, const char *out_dir, int out_fd);

/* The spec's model into u (have_model) when one was given: 0, or 2 after saying why (report.c). */
int cli_model_given(const struct model_spec *spec, struct utilization_options *u, const char *cmd);

/* The traces' directory when none is given: $MFU_TRACE_DIR, else mfu-traces (report.c). */
const char *cli_trace_dir(void);

/* Prints the report of one job of `t` (read from `path`) to `out`, as JSON or text; 0, or -1
 * after saying on stderr why there is none (report.c). */
int cli_report(FILE *out, const char *path, const struct mfu_traces *t,
               const struct report_options *o, bool json);

/* The spec's model; 0, or -1 after printing why, prefixed with `cmd`. Its warnings (an
 * unknown model_type) are printed either way (report.c). */
int cli_model(const struct model_spec *spec, struct model_shape *m, const char *cmd);

#endif
