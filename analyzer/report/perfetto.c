/* perfetto: see perfetto.h. The format: Google's "Trace Event Format" (the JSON that
 * chrome://tracing reads), as Perfetto imports it: complete events (ph X) that nest within a
 * track, counters (C), flows (s, f with bp e: an arrow from the enclosing slice at each end)
 * and metadata (M: process and thread names and their order). */
#include "perfetto.h"
#include "sections.h"

#include <math.h>
#include <stdio.h>

#include "mfu/blas3.h"
#include "mfu/nccl.h"
#include "mfu/version.h"
#include "timeline/kernels.h"
#include "trace/names.h"

#define STEPS_TID 1
#define STREAM_TID0 (1 << 30) /* GPU streams' tids: above any host thread's */

void perfetto_begin(struct perfetto *p, FILE *out, const struct report *r) {
  *p = (struct perfetto){.cs = &r->cs, .next_pid = 1, .next_flow = 1};
  jw_init(&p->j, out);
  p->j.line_depth = 2; /* one event per line */
  jw_object_begin(&p->j);
  jw_key_string(&p->j, "displayTimeUnit", "ns");
  jw_key(&p->j, "traceEvents");
  jw_array_begin(&p->j);
}

static void key_us(struct jw *j, const char *key, uint64_t ns) {
  jw_key_double(j, key, (double)ns / 1e3);
}

/* The fields every event has. */
static void event_begin(struct jw *j, const char *ph, int pid, int64_t tid, const char *name) {
  jw_object_begin(j);
  jw_key_string(j, "ph", ph);
  jw_key_int(j, "pid", pid);
  jw_key_int(j, "tid", tid);
  jw_key_string(j, "name", name);
}

static void metadata(struct jw *j, int pid, int64_t tid, const char *what, const char *key,
                     const char *text, int64_t number) {
  event_begin(j, "M", pid, tid, what);
  jw_key(j, "args");
  jw_object_begin(j);
  if (text) jw_key_string(j, key, text);
  else jw_key_int(j, key, number);
  jw_object_end(j);
  jw_object_end(j);
}

static int64_t track_tid(const struct rank_events *e, uint32_t track) {
  const struct events_track *t = &e->tracks[track];
  return t->kind == EVENTS_STEPS ? STEPS_TID : t->kind == EVENTS_THREAD ? (int64_t)t->id
                                                                        : STREAM_TID0 + track;
}

static void names(struct perfetto *p, const struct rank_events *e, const struct rank_utilization *u,
                  int pid) {
  const struct mfu_file *f = e->file;
  char text[256];
  if (f->header.rank >= 0)
    snprintf(text, sizeof text, "rank %d (%s, pid %d)", (int)f->header.rank, f->header.hostname,
             (int)f->header.pid);
  else
    snprintf(text, sizeof text, "rank ? (%s, pid %d)", f->header.hostname, (int)f->header.pid);
  metadata(&p->j, pid, 0, "process_name", "name", text, 0);
  metadata(&p->j, pid, 0, "process_sort_index", "sort_index", NULL, pid);
  snprintf(text, sizeof text, "%s%s%s", f->steps.device[0] ? f->steps.device : "unknown device",
           isnan(u->peak) ? "" : ", peak ", isnan(u->peak) ? "" : u->peak_label);
  metadata(&p->j, pid, 0, "process_labels", "labels", text, 0);
  for (uint32_t i = 0; i < e->ntracks; i++) {
    const struct events_track *t = &e->tracks[i];
    if (t->kind == EVENTS_STEPS) snprintf(text, sizeof text, "steps");
    else if (t->kind == EVENTS_THREAD) snprintf(text, sizeof text, "host thread %llu", (unsigned long long)t->id);
    else snprintf(text, sizeof text, "GPU %u stream %u", (unsigned)(t->id >> 32), (unsigned)(t->id & 0xffffffffu));
    metadata(&p->j, pid, track_tid(e, i), "thread_name", "name", text, 0);
    metadata(&p->j, pid, track_tid(e, i), "thread_sort_index", "sort_index", NULL, i);
  }
}

/* Where the call came from: its site as `mfu report --by-callsite` names it, and the site's
 * index in --json's `callsites`. `sites` maps the file's call-site ids to them (n ids). */
static void callsite_args(struct jw *j, const struct callsites *cs, const uint32_t *sites, size_t n,
                          uint32_t id) {
  if (id >= n || !sites[id]) return;
  char where[256];
  callsites_where(&cs->v[sites[id] - 1], where, sizeof where);
  jw_key_string(j, "callsite", where);
  jw_key_int(j, "callsite_index", sites[id] - 1);
}

/* What the call did, as the shim recorded it. */
static void call_args(struct jw *j, const struct mfu_record *r) {
  jw_key_int(j, "status", r->status);
  if (r->kind == MFU_REC_GEMM) {
    const struct mfu_gemm *g = &r->u.gemm;
    report_shape_json(j, &(struct call_times_gemm){.m = g->m, .n = g->n, .k = g->k, .batch = g->batch,
                                                   .transa = g->transa, .transb = g->transb,
                                                   .precision = g->precision});
    jw_key_u128(j, "flops", r->flops);
  } else if (r->kind == MFU_REC_BLAS3) { /* FLOPs in no GEMM counter, as in no MFU */
    const struct mfu_gemm *g = &r->u.gemm;
    static const char *const op_name[3] = {"N", "T", "C"};
    jw_key_string(j, "routine", mfu_blas3_routine_name(g->routine));
    jw_key_int(j, "m", g->m);
    jw_key_int(j, "n", g->n);
    jw_key_int(j, "k", g->k);
    jw_key_int(j, "batch", g->batch);
    jw_key_string(j, "trans", g->transa < 3 ? op_name[g->transa] : NULL);
    jw_key_string(j, "precision", mfu_precision_name(g->precision));
    jw_key_u128(j, "flops", r->flops);
  } else if (r->kind == MFU_REC_NCCL) {
    const struct mfu_nccl *n = &r->u.nccl;
    jw_key_string(j, "op", mfu_nccl_op_name(n->op));
    jw_key_u128(j, "count", n->count);
    jw_key_u128(j, "bytes", n->bytes);
    jw_key_int(j, "datatype", n->datatype);
    jw_key_int(j, "comm_rank", n->comm_rank);
    jw_key_int(j, "comm_size", n->comm_size);
    if (n->peer >= 0) jw_key_int(j, "peer", n->peer);
    if (n->group_seq) jw_key_u128(j, "group", n->group_seq);
  } else if (r->kind == MFU_REC_GRAPH) {
    jw_key_string(j, "op", trace_graph_op_name(r->u.graph.op));
  }
  if (r->flags & MFU_RF_CAPTURED) jw_key_bool(j, "captured", true);
}

static void activity_args(struct jw *j, const struct rank_events *e, const struct events_event *ev) {
  const struct mfu_record *r = &e->records[ev->index];
  if (r->kind == MFU_REC_KERNEL) {
    const struct mfu_kernel *k = &r->u.kernel;
    char dims[64];
    jw_key_string(j, "kernel", ev->name);
    snprintf(dims, sizeof dims, "%d,%d,%d", k->grid[0], k->grid[1], k->grid[2]);
    jw_key_string(j, "grid", dims);
    snprintf(dims, sizeof dims, "%d,%d,%d", k->block[0], k->block[1], k->block[2]);
    jw_key_string(j, "block", dims);
    jw_key_int(j, "registers", k->registers);
    jw_key_int(j, "shared_bytes", k->shared_bytes);
  } else {
    jw_key_u128(j, "bytes", r->u.memop.bytes);
  }
  if (ev->launched_by != EVENTS_NONE) {
    jw_key_string(j, "launched_by", e->events[ev->launched_by].name);
    if (ev->flops > 0) jw_key_double(j, "flops", ev->flops);
  }
}

static void step_args(struct jw *j, const struct mfu_file *f, const struct rank_utilization *u,
                      size_t s) {
  const struct rank_step *st = &f->steps.steps[s];
  jw_key_int(j, "step", (int64_t)s);
  jw_key_double(j, "time_ms", (double)(st->end_ns - st->start_ns) / 1e6);
  jw_key_double(j, "counted_tflop", st->gemm_flops / 1e12);
  jw_key_double(j, "nccl_mb", st->nccl_bytes / 1e6);
  jw_key_u128(j, "calls", st->calls);
  jw_key_double(j, "mfu", u->step_mfu ? u->step_mfu[s] : NAN);
  jw_key_string(j, "timed_on", st->gpu_window ? "gpu" : "host");
  jw_key_string(j, "measured", s < u->first ? "no: warm-up" : s >= u->first + u->used ? "no: last, its end unknown" : "yes");
}

static void slice(struct perfetto *p, const struct rank_events *e, const struct rank_utilization *u,
                  int pid, const struct events_event *ev, const uint32_t *sites, size_t nsites) {
  struct jw *j = &p->j;
  char name[256];
  const struct mfu_record *r = ev->kind == EVENT_STEP ? NULL : &e->records[ev->index];
  const char *cat = ev->kind == EVENT_STEP ? "step"
                    : ev->kind == EVENT_ACTIVITY ? activity_category_name[ev->cat]
                                                 : trace_record_kind_name(r->kind);
  if (ev->kind == EVENT_STEP) snprintf(name, sizeof name, "step %zu", ev->index);
  else if (ev->kind == EVENT_CALL) snprintf(name, sizeof name, "%s", ev->name ? ev->name : "?");
  else if (ev->name) kernel_short_name(ev->name, name, sizeof name);
  else snprintf(name, sizeof name, "%s", cat);
  event_begin(j, "X", pid, track_tid(e, ev->track), name);
  jw_key_string(j, "cat", cat);
  key_us(j, "ts", ev->start_ns);
  key_us(j, "dur", ev->end_ns - ev->start_ns);
  jw_key(j, "args");
  jw_object_begin(j);
  if (ev->kind == EVENT_STEP) step_args(j, e->file, u, ev->index);
  else if (ev->kind == EVENT_CALL) {
    call_args(j, r);
    callsite_args(j, p->cs, sites, nsites, r->callsite);
  }
  else activity_args(j, e, ev);
  jw_object_end(j);
  jw_object_end(j);
}

static void counter(struct perfetto *p, int pid, const char *name, const char *unit, double scale,
                    const struct events_sample *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    event_begin(&p->j, "C", pid, 0, name);
    key_us(&p->j, "ts", s[i].t_ns);
    jw_key(&p->j, "args");
    jw_object_begin(&p->j);
    jw_key_double(&p->j, unit, s[i].value / scale);
    jw_object_end(&p->j);
    jw_object_end(&p->j);
  }
}

/* An arrow from each call to the activities it launched. */
static void flows(struct perfetto *p, const struct rank_events *e, int pid) {
  for (size_t i = 0; i < e->nevents; i++) {
    const struct events_event *ev = &e->events[i], *call;
    if (ev->kind != EVENT_ACTIVITY || ev->launched_by == EVENTS_NONE) continue;
    call = &e->events[ev->launched_by];
    uint64_t id = p->next_flow++;
    event_begin(&p->j, "s", pid, track_tid(e, call->track), "launch");
    jw_key_string(&p->j, "cat", "launch");
    jw_key_u128(&p->j, "id", id);
    key_us(&p->j, "ts", call->start_ns);
    jw_object_end(&p->j);
    event_begin(&p->j, "f", pid, track_tid(e, ev->track), "launch");
    jw_key_string(&p->j, "cat", "launch");
    jw_key_u128(&p->j, "id", id);
    jw_key_string(&p->j, "bp", "e");
    key_us(&p->j, "ts", ev->start_ns);
    jw_object_end(&p->j);
  }
}

void perfetto_rank(struct perfetto *p, const struct rank_events *e, const struct rank_utilization *u) {
  int pid = p->next_pid++;
  names(p, e, u, pid);
  size_t nsites;
  const uint32_t *sites = callsites_of_file(p->cs, &e->file->callsites, &nsites);
  for (size_t i = 0; i < e->nevents; i++) slice(p, e, u, pid, &e->events[i], sites, nsites);
  counter(p, pid, "GEMM TFLOP/s", "TFLOP/s", 1e12, e->flops_rate, e->nflops_rate);
  counter(p, pid, "NCCL GB/s", "GB/s", 1e9, e->nccl_rate, e->nnccl_rate);
  flows(p, e, pid);
}

void perfetto_end(struct perfetto *p, const struct report *r) {
  struct jw *j = &p->j;
  jw_array_end(j);
  jw_key(j, "otherData"); /* the trace's metadata, as chrome://tracing shows it */
  jw_object_begin(j);
  jw_key_string(j, "mfu_version", MFU_VERSION);
  jw_key_string(j, "job_id", r->j->job_id);
  jw_key_string(j, "traces", r->path);
  jw_key_u128(j, "ranks", r->j->ranks);
  jw_key_u128(j, "origin_realtime_ns", r->j->start_realtime_ns);
  const struct rank_utilization *s = r->f.shown;
  jw_key_string(j, "device", s && s->file->steps.device[0] ? s->file->steps.device : NULL);
  jw_key_string(j, "peak", s && !isnan(s->peak) ? s->peak_label : NULL);
  jw_key_string(j, "convention", r->convention);
  jw_key_double(j, "mfu", r->u.mfu);
  jw_key_double(j, "step_time_s", r->u.step_s);
  jw_object_end(j);
  jw_object_end(j);
}
