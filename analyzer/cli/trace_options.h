/* trace_options: what the commands that read a job's traces (report, export, plot, compare,
 * sweep) share: their options --skip N, --step-range REGEX and --help, --job ID for those that
 * pick one job of a directory (TRACE_OPTIONS_JOB), the model, work and peak of options.h; and
 * the preamble: parse, print the usage on --help, take the traces' directory and the model.
 *
 *   struct plot_args { struct trace_options t; const char *out_dir; };
 *   struct plot_args a = {.out_dir = "mfu-plots"};
 *   int first, rc = trace_options_parse(&a.t, argc, argv, CMD, TRACE_OPTIONS_JOB, mine,
 *                                       on_mine, &a, usage, &first);
 *   if (rc != TRACE_OPTIONS_GO_ON) return rc;     // --help, or the message is printed
 *   const char *path = trace_options_dir(&a.t, argc, argv, first, CMD);
 *   if (!path) return 2;
 */
#ifndef MFU_TRACE_OPTIONS_H
#define MFU_TRACE_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "metrics/utilization.h"
#include "model/spec.h"
#include "options.h"
#include "report/report.h"

/* getopt ids at or above this (and below OPTIONS_ID_BASE) are taken by these options. */
#define TRACE_OPTIONS_ID_BASE 900

#define TRACE_OPTIONS_JOB 1u /* the command takes --job ID */
#define TRACE_OPTIONS_GO_ON (-1)

struct trace_options {
  struct model_spec spec;       /* the shared options */
  struct utilization_options u; /* u.spec is &spec; --skip; the model (trace_options_dir) */
  struct report_options o;      /* o.util is &u; --job; the rest is the command's */
  const char *step_range;       /* --step-range; NULL: profiler ranges or automatic detection */
  bool help;
};

/* Parses argv (argv[0] is the subcommand) into t, which the caller has zeroed but for its own
 * defaults of t->o; the command's own options (`own`, ids below TRACE_OPTIONS_ID_BASE) go to
 * on_own(ctx, ...). TRACE_OPTIONS_GO_ON with *first the index of the first positional
 * argument; else the exit status: 0 after printing `usage` on stdout for --help, or 2 after
 * saying what was wrong, prefixed with `cmd`. */
int trace_options_parse(struct trace_options *t, int argc, char **argv, const char *cmd,
                        unsigned flags, const struct option *own, options_fn on_own, void *ctx,
                        void (*usage)(FILE *out), int *first);

/* The traces' directory among the positional arguments argv[first..argc) (the one given, else
 * cli_trace_dir()), with the model into t->u when one was given; NULL after saying why not
 * (more than one directory, a bad model). */
const char *trace_options_dir(struct trace_options *t, int argc, char **argv, int first,
                              const char *cmd);

#endif
