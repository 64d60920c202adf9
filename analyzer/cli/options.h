/* options: the command-line options that fill a model_spec (model/spec.h), shared by
 * `mfu predict` and `mfu report`: the model (--config, --preset, or the per-field flags of
 * model/model.h), one step's work (--batch, --seq), the FLOP convention (--convention,
 * --attention, --recompute) and the peak (--device, --peak-tflops, --dtype).
 *
 * A command passes its own getopt_long options beside these; options_parse runs one
 * getopt_long loop over both and hands the command's options to a callback:
 *
 *   struct model_spec spec;
 *   model_spec_init(&spec);
 *   int first = options_parse(argc, argv, "mfu report", mine, on_mine, &ctx, &spec);
 *   if (first < 0) return -first;          // the message is printed
 *   ... argv[first..] are the positional arguments ...
 */
#ifndef MFU_OPTIONS_H
#define MFU_OPTIONS_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "model/spec.h"

/* getopt ids at or above this are taken by the shared options. */
#define OPTIONS_ID_BASE 1000

/* A command's own option: 0 to go on, or an exit status (after printing why). */
typedef int (*options_fn)(void *ctx, int id, const char *arg);

/* Parses argv (argv[0] is the subcommand); `extra` is the command's getopt_long table
 * (terminated by a zero entry, ids below OPTIONS_ID_BASE), `on_extra` receives its options.
 * Returns the index of the first positional argument, or -(exit status) after printing a
 * message prefixed with `cmd`. At most 32 options of the command's own; one whose id is an
 * ASCII letter ('o') has that short form too (-o). */
int options_parse(int argc, char **argv, const char *cmd, const struct option *extra,
                  options_fn on_extra, void *ctx, struct model_spec *o);

/* The same for a command that runs another (`mfu run [OPTIONS] [--] CMD ARGS`): the options
 * end at "--" or at the first operand, CMD, whose own options are left alone. */
int options_parse_command(int argc, char **argv, const char *cmd, const struct option *extra,
                          options_fn on_extra, void *ctx, struct model_spec *o);

/* The help text for the shared options, and one line of a command's own. */
void options_help(FILE *out);
void options_help_line(FILE *out, const char *flag, const char *text);

/* For a command's own numeric options: a whole number in [min, max], or a positive finite
 * number (`what` says of what). 0, or 2 after printing "CMD: --FLAG 'ARG': expected ...". */
int options_count(const char *cmd, const char *flag, const char *arg, int64_t min, int64_t max,
                  int64_t *out);
int options_positive(const char *cmd, const char *flag, const char *arg, const char *what,
                     double *out);

#endif
