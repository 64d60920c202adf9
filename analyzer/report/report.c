/* report: see report.h. */
#include "report.h"

int report_build(struct report *r, const char *path, const struct mfu_traces *t,
                 const struct report_options *o) {
  *r = (struct report){.path = path, .t = t};
  if (!t->njobs) return REPORT_NO_JOB;
  r->j = o->job_id ? mfu_traces_find_job(t, o->job_id) : &t->jobs[0];
  if (!r->j) return REPORT_UNKNOWN_JOB;
  struct model_spec defaults;
  model_spec_init(&defaults);
  struct utilization_options none = {.spec = &defaults, .skip = -1};
  const struct utilization_options *util = o->util ? o->util : &none;
  utilization_compute(r->j, util, &r->u);
  profile_compute(r->j, util, &r->p);
  r->top = o->top;
  r->convention = util->have_model ? convention_name(util->spec->convention) : NULL;
  r->full = o->full;
  r->by_phase = o->by_phase;
  r->by_callsite = o->by_callsite;
  r->colour = o->colour;
  r->symbols = symbolizer_new();
  callsites_of_job(r->j, r->symbols, &r->cs);
  findings_gather(&r->f, path, t, r->j, o->job_id != NULL, util, &r->u);
  if (r->f.shown) step_summary_of(r->f.shown, o->all_steps, &r->steps);
  return 0;
}

void report_free(struct report *r) {
  callsites_free(&r->cs);
  symbolizer_free(r->symbols);
  step_summary_free(&r->steps);
  profile_free(&r->p);
  findings_free(&r->f);
  utilization_free(&r->u);
}
