/* trace_options: see trace_options.h. */
#include "trace_options.h"

#include <regex.h>

#include "commands.h"

enum { OPT_JOB = TRACE_OPTIONS_ID_BASE, OPT_SKIP, OPT_STEP_RANGE, OPT_HELP };

#define OWN_MAX 24 /* of the command's options, of the 32 options_parse takes */

static const struct option job_option = {"job", required_argument, NULL, OPT_JOB};
static const struct option common[] = {
    {"skip", required_argument, NULL, OPT_SKIP},
    {"step-range", required_argument, NULL, OPT_STEP_RANGE},
    {"help", no_argument, NULL, OPT_HELP},
};
#define N_COMMON (sizeof common / sizeof common[0])

struct dispatch {
  struct trace_options *t;
  const char *cmd;
  options_fn on_own;
  void *ctx;
};

/* Checks --step-range's regular expression: 0 with *out = arg, or 2 after saying why. */
static int step_range(const char *cmd, const char *arg, const char **out) {
  regex_t re;
  int rc = regcomp(&re, arg, REG_EXTENDED | REG_NOSUB);
  if (rc) {
    char why[160];
    regerror(rc, &re, why, sizeof why);
    fprintf(stderr, "%s: --step-range '%s': %s\n", cmd, arg, why);
    return 2;
  }
  regfree(&re);
  *out = arg;
  return 0;
}

static int on_option(void *ctx, int id, const char *arg) {
  struct dispatch *d = ctx;
  struct trace_options *t = d->t;
  int64_t n;
  switch (id) {
  case OPT_JOB: t->o.job_id = arg; return 0;
  case OPT_STEP_RANGE: return step_range(d->cmd, arg, &t->step_range);
  case OPT_HELP: t->help = true; return 0;
  case OPT_SKIP:
    if (options_count(d->cmd, "skip", arg, 0, 1000000000, &n) != 0) return 2;
    t->u.skip = (long)n;
    return 0;
  }
  return d->on_own(d->ctx, id, arg);
}

int trace_options_parse(struct trace_options *t, int argc, char **argv, const char *cmd,
                        unsigned flags, const struct option *own, options_fn on_own, void *ctx,
                        void (*usage)(FILE *out), int *first) {
  struct option table[OWN_MAX + 1 + N_COMMON + 1];
  size_t n = 0;
  for (size_t i = 0; own[i].name && i < OWN_MAX; i++) table[n++] = own[i];
  if (flags & TRACE_OPTIONS_JOB) table[n++] = job_option;
  for (size_t i = 0; i < N_COMMON; i++) table[n++] = common[i];
  table[n] = (struct option){0};
  model_spec_init(&t->spec);
  t->u = (struct utilization_options){.spec = &t->spec, .skip = -1};
  t->o.util = &t->u;
  struct dispatch d = {t, cmd, on_own, ctx};
  *first = options_parse(argc, argv, cmd, table, on_option, &d, &t->spec);
  if (*first < 0) return -*first;
  if (t->help) {
    usage(stdout);
    return 0;
  }
  return TRACE_OPTIONS_GO_ON;
}

const char *trace_options_dir(struct trace_options *t, int argc, char **argv, int first,
                              const char *cmd) {
  if (argc - first > 1) {
    fprintf(stderr, "%s: one directory at a time: got '%s' and '%s'\n", cmd, argv[first],
            argv[first + 1]);
    return NULL;
  }
  if (cli_model_given(&t->spec, &t->u, cmd)) return NULL;
  return first < argc ? argv[first] : cli_trace_dir();
}
