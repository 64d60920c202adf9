/* callsite_json: where the FLOPs came from (callsites/sites.h), as the JSON keys phases,
 * callsites and stacks (report.h). */
#include <math.h>

#include "mfu/callsites.h"
#include "mfu/trace.h"
#include "sections.h"

static void work_json(struct jw *j, const struct report *r, const struct callsite_work *w) {
  jw_key_u128(j, "calls", w->calls);
  jw_key_u128(j, "timed_calls", w->timed_calls);
  jw_key_double(j, "flops", w->flops);
  jw_key_double(j, "gpu_time_s", r->p.timeline ? (double)w->gpu_ns / 1e9 : NAN);
  jw_key_double(j, "host_time_s", (double)w->host_ns / 1e9);
}

static void phases_json(struct jw *j, const struct report *r) {
  const struct callsites *c = &r->cs;
  jw_key(j, "phases");
  jw_object_begin(j);
  for (enum phase p = 0; p < PHASE_COUNT; p++) {
    jw_key(j, phase_name(p));
    jw_object_begin(j);
    work_json(j, r, &c->phase[p]);
    jw_object_end(j);
  }
  double ratio = callsites_backward_forward(c);
  jw_key_double(j, "backward_forward_flops", ratio >= 0 ? ratio : NAN);
  jw_key_u128(j, "unattributed_calls", c->unattributed.calls);
  jw_object_end(j);
}

static void site_json(struct jw *j, const struct report *r, const struct callsite *s) {
  jw_object_begin(j);
  jw_key_string(j, "phase", phase_name(s->phase));
  jw_key_string(j, "phase_evidence", s->evidence);
  jw_key_string(j, "thread", s->thread);
  jw_key_u128(j, "ranks", s->ranks);
  work_json(j, r, &s->work);
  jw_key(j, "python"); /* innermost first */
  jw_array_begin(j);
  for (size_t i = 0; i < s->npy; i++) {
    jw_object_begin(j);
    jw_key_string(j, "function", s->py[i].function);
    jw_key_string(j, "file", s->py[i].file);
    jw_key(j, "line");
    if (s->py[i].line >= 0) jw_int(j, s->py[i].line);
    else jw_null(j);
    jw_object_end(j);
  }
  jw_array_end(j);
  jw_key(j, "frames"); /* innermost first */
  jw_array_begin(j);
  for (size_t i = 0; i < s->nframes; i++) {
    const struct callsite_frame *f = &s->frames[i];
    jw_object_begin(j);
    jw_key_string(j, "function", f->function);
    jw_key(j, "offset_in_function");
    if (f->function) jw_int(j, (int64_t)f->into);
    else jw_null(j);
    jw_key_string(j, "module", f->module);
    jw_key_u128(j, "offset", f->offset);
    jw_key_string(j, "unnamed_because", f->function ? NULL : f->why);
    jw_object_end(j);
  }
  jw_array_end(j);
  jw_key_bool(j, "truncated", s->truncated);
  jw_key(j, "shapes");
  jw_array_begin(j);
  for (size_t i = 0; i < s->nshapes; i++) {
    const struct callsite_shape *x = &s->shapes[i];
    jw_object_begin(j);
    jw_key_string(j, "kind", x->kind == MFU_REC_GEMM ? "gemm" : "nccl");
    if (x->kind == MFU_REC_GEMM) report_shape_json(j, &x->gemm);
    else report_nccl_json(j, &x->nccl);
    work_json(j, r, &x->work);
    jw_object_end(j);
  }
  jw_array_end(j);
  jw_object_end(j);
}

static void stacks_json(struct jw *j, const struct callsites *c) {
  static const char *const unwinders[] = {
#define U(name, value, key) [value] = key,
      MFU_UNWINDERS(U)
#undef U
  };
  static const char *const python[] = {
#define P(name, value, text) [value] = #name,
      MFU_PY_STATES(P)
#undef P
  };
  jw_key(j, "stacks"); /* how the call sites were taken; null: the traces have none */
  if (!c->has_info) {
    jw_null(j);
    return;
  }
  const struct mfu_cs_info *i = &c->info;
  jw_object_begin(j);
  jw_key_string(j, "unwinder", i->unwinder < sizeof unwinders / sizeof *unwinders ? unwinders[i->unwinder] : NULL);
  jw_key_u128(j, "sample_every", i->sample_every);
  jw_key_string(j, "python", i->python < sizeof python / sizeof *python ? python[i->python] : NULL);
  char version[16];
  snprintf(version, sizeof version, "%u.%u", i->python_version >> 8, i->python_version & 0xff);
  jw_key_string(j, "python_version", i->python_version ? version : NULL);
  jw_key_bool(j, "ranks_differ", c->mixed_info);
  jw_object_end(j);
}

void report_callsites_json(struct jw *j, const struct report *r) {
  phases_json(j, r);
  jw_key(j, "callsites"); /* by FLOPs, then GPU time */
  jw_array_begin(j);
  for (size_t i = 0; i < r->cs.n; i++) site_json(j, r, &r->cs.v[i]);
  jw_array_end(j);
  stacks_json(j, &r->cs);
}
