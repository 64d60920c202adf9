/* events: see events.h. */
#include "events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mfu/nccl.h"
#include "steps/correlation.h"
#include "timeline/kernels.h"
#include "trace/reader.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/sort.h"

static bool is_call(const struct mfu_record *r) {
  return r->kind == MFU_REC_GEMM || r->kind == MFU_REC_BLAS3 || r->kind == MFU_REC_NCCL ||
         r->kind == MFU_REC_GRAPH;
}

static bool is_activity(const struct mfu_record *r) {
  return r->kind == MFU_REC_KERNEL || r->kind == MFU_REC_MEMCPY || r->kind == MFU_REC_MEMSET;
}

static uint32_t activity_correlation(const struct mfu_record *r) {
  return r->kind == MFU_REC_KERNEL ? r->u.kernel.correlation : r->u.memop.correlation;
}

/* --- the window: host times for calls, GPU times (when steps have them) for activities */

struct window {
  uint64_t host_from, host_to, gpu_from, gpu_to;
};

static void choose_window(struct rank_events *e, const struct events_window *w, struct window *out) {
  const struct rank_steps *s = &e->file->steps;
  *out = (struct window){0, UINT64_MAX, 0, UINT64_MAX};
  e->first_step = 0;
  e->nsteps = s->nsteps;
  if (w->all || !s->nsteps) return;
  size_t first = w->first < s->nsteps ? w->first : s->nsteps - 1;
  size_t last = w->last < s->nsteps ? w->last : s->nsteps - 1;
  if (last < first) last = first;
  e->first_step = first;
  e->nsteps = last - first + 1;
  const struct rank_step *a = &s->steps[first], *b = &s->steps[last];
  out->host_from = a->host_start_ns;
  out->host_to = last + 1 < s->nsteps ? s->steps[last + 1].host_start_ns : UINT64_MAX;
  out->gpu_from = a->start_ns;
  out->gpu_to = last + 1 < s->nsteps ? b->end_ns : UINT64_MAX;
  if (!a->gpu_window) {
    out->gpu_from = out->host_from;
    out->gpu_to = out->host_to;
  }
}

/* --- names and tracks, each distinct one kept once */

static bool same_id(const void *entries, size_t i, const void *key) {
  return ((const uint32_t *)entries)[i] == *(const uint32_t *)key;
}

static size_t name_of(struct rank_events *e, const struct mfu_trace *t, uint32_t id) {
  size_t i = slots_find(&e->name_slots, mfu_hash_mix(MFU_HASH_SEED, id), same_id, e->name_ids, &id,
                        e->names.n);
  if (i == e->names.n) {
    const char *text = mfu_trace_string(t, id);
    size_t cap = e->names.cap;
    mfu_strings_add(&e->names, text ? text : "?");
    if (cap != e->names.cap) e->name_ids = mfu_xrealloc(e->name_ids, e->names.cap * sizeof *e->name_ids);
    e->name_ids[i] = id;
  }
  return i;
}

static bool same_track(const void *entries, size_t i, const void *key) {
  const struct events_track *a = (const struct events_track *)entries + i, *b = key;
  return a->kind == b->kind && a->id == b->id;
}

static uint32_t track_of(struct rank_events *e, enum events_track_kind kind, uint64_t id) {
  struct events_track key = {kind, id};
  size_t i = slots_find(&e->track_slots, mfu_hash_mix(mfu_hash_mix(MFU_HASH_SEED, kind), id),
                        same_track, e->tracks, &key, e->ntracks);
  if (i == e->ntracks) {
    MFU_GROW(e->tracks, e->ntracks, e->tracks_cap);
    e->tracks[e->ntracks++] = key;
  }
  return (uint32_t)i;
}

/* --- building the events */

static uint64_t since_origin(const struct mfu_file *f, uint64_t origin, uint64_t monotonic_ns) {
  int64_t wall = (int64_t)f->header.start_realtime_ns +
                 ((int64_t)monotonic_ns - (int64_t)f->header.start_monotonic_ns);
  return wall > (int64_t)origin ? (uint64_t)(wall - (int64_t)origin) : 0;
}

static void add_event(struct rank_events *e, struct events_event ev) {
  MFU_GROW(e->events, e->nevents, e->events_cap);
  e->events[e->nevents++] = ev;
}

static void add_record(struct rank_events *e, const struct mfu_record *r) {
  MFU_GROW(e->records, e->nrecords, e->records_cap);
  e->records[e->nrecords++] = *r;
}

struct pairs {
  struct correlation_pair *v;
  size_t n, cap;
};

/* Reads the file: the records in the window, every correlation, the names. */
static int read_records(struct rank_events *e, const struct window *w, struct pairs *pairs,
                        char *err, size_t errlen) {
  struct mfu_trace t;
  if (mfu_trace_open(&t, e->file->path) != 0) {
    snprintf(err, errlen, "%s: %s", e->file->path, t.problem);
    mfu_trace_close(&t);
    return -1;
  }
  size_t *name = NULL, cap = 0;
  for (const struct mfu_record *r; (r = mfu_trace_next(&t));) {
    bool keep = is_call(r) ? r->t_start_ns >= w->host_from && r->t_start_ns < w->host_to
              : is_activity(r) && r->t_start_ns >= w->gpu_from && r->t_start_ns < w->gpu_to;
    if (r->kind == MFU_REC_CORRELATION) {
      MFU_GROW(pairs->v, pairs->n, pairs->cap);
      pairs->v[pairs->n++] = (struct correlation_pair){r->u.correlation.correlation,
                                                       r->u.correlation.external};
    }
    if (!keep) continue;
    add_record(e, r);
    if (e->nrecords > cap) {
      cap = e->records_cap;
      name = mfu_xrealloc(name, cap * sizeof *name);
    }
    uint32_t id = is_call(r) ? r->api : r->kind == MFU_REC_KERNEL ? r->u.kernel.name : 0;
    name[e->nrecords - 1] = id ? name_of(e, &t, id) : EVENTS_NONE;
  }
  mfu_trace_close(&t);
  /* Names point into e->names only now that it has stopped growing. */
  for (size_t i = 0; i < e->nrecords; i++) {
    const struct mfu_record *r = &e->records[i];
    bool call = is_call(r);
    uint64_t track_id = call ? r->tid
                        : (uint64_t)(r->kind == MFU_REC_KERNEL ? r->u.kernel.device : r->u.memop.device) << 32 |
                              (r->kind == MFU_REC_KERNEL ? r->u.kernel.stream : r->u.memop.stream);
    struct events_event ev = {.kind = call ? EVENT_CALL : EVENT_ACTIVITY, .index = i,
                              .launched_by = EVENTS_NONE,
                              .track = track_of(e, call ? EVENTS_THREAD : EVENTS_STREAM, track_id),
                              .name = name[i] == EVENTS_NONE ? NULL : e->names.v[name[i]],
                              .start_ns = r->t_start_ns, .end_ns = r->t_end_ns, .cat = CAT_OTHER};
    if (r->kind == MFU_REC_MEMCPY) ev.cat = CAT_MEMCPY;
    if (r->kind == MFU_REC_MEMSET) ev.cat = CAT_MEMSET;
    if (r->kind == MFU_REC_KERNEL && ev.name) ev.cat = kernel_category(ev.name);
    if (r->kind == MFU_REC_GEMM) ev.flops = (double)r->flops;
    add_event(e, ev);
  }
  free(name);
  return 0;
}

/* Ties activities to their calls: the call's kind decides the category, and a GEMM's FLOPs
 * (an NCCL call's bytes) are shared among its kernels by their durations. */
static void correlate(struct rank_events *e, struct pairs *pairs, double *amount) {
  size_t linked = 0;
  uint64_t *external = mfu_xmalloc(e->nevents, sizeof *external);
  for (size_t i = 0; i < e->nevents; i++)
    external[i] = e->events[i].kind == EVENT_CALL ? e->records[e->events[i].index].correlation : 0;
  struct correlation_index ix;
  correlation_index_init(&ix, pairs->v, pairs->n, external, sizeof *external, e->nevents);
  uint64_t *kernel_ns = mfu_xcalloc(e->nevents, sizeof *kernel_ns);
  for (size_t i = 0; i < e->nevents; i++) {
    struct events_event *ev = &e->events[i];
    if (ev->kind != EVENT_ACTIVITY || ev->cat == CAT_MEMCPY || ev->cat == CAT_MEMSET) continue;
    size_t c = correlation_find(&ix, activity_correlation(&e->records[ev->index]));
    if (c == CORRELATION_NONE) continue;
    ev->launched_by = c;
    linked++;
    unsigned kind = e->records[e->events[c].index].kind;
    if (kind == MFU_REC_GEMM) ev->cat = CAT_GEMM;
    if (kind == MFU_REC_NCCL) ev->cat = CAT_NCCL;
    kernel_ns[c] += ev->end_ns > ev->start_ns ? ev->end_ns - ev->start_ns : 0;
  }
  for (size_t i = 0; linked && i < e->nevents; i++) {
    struct events_event *ev = &e->events[i];
    if (ev->kind != EVENT_ACTIVITY || ev->launched_by == EVENTS_NONE) continue;
    const struct mfu_record *call = &e->records[e->events[ev->launched_by].index];
    double total = call->kind == MFU_REC_GEMM ? (double)call->flops
                   : call->kind == MFU_REC_NCCL ? (double)call->u.nccl.bytes : 0;
    double ns = (double)(ev->end_ns > ev->start_ns ? ev->end_ns - ev->start_ns : 0);
    double share = kernel_ns[ev->launched_by] ? ns / (double)kernel_ns[ev->launched_by] : 0;
    amount[i] = total * share;
    if (call->kind == MFU_REC_GEMM) ev->flops = amount[i];
  }
  free(kernel_ns);
  free(external);
  correlation_index_free(&ix);
}

struct delta {
  uint64_t t_ns;
  double rate;
};

static int by_time(const void *a, const void *b) {
  return MFU_COMPARE(((const struct delta *)a)->t_ns, ((const struct delta *)b)->t_ns);
}

/* The running sum of the rates of the activities of category `cat`, as samples. */
static void counter(const struct rank_events *e, const double *amount, enum activity_category cat,
                    struct events_sample **out, size_t *nout) {
  struct delta *d = mfu_xmalloc(2 * e->nevents, sizeof *d);
  size_t n = 0;
  for (size_t i = 0; i < e->nevents; i++) {
    const struct events_event *ev = &e->events[i];
    if (ev->kind != EVENT_ACTIVITY || ev->cat != cat || !(amount[i] > 0) || ev->end_ns <= ev->start_ns)
      continue;
    double rate = amount[i] / ((double)(ev->end_ns - ev->start_ns) / 1e9);
    d[n++] = (struct delta){ev->start_ns, rate};
    d[n++] = (struct delta){ev->end_ns, -rate};
  }
  mfu_sort(d, n, sizeof *d, by_time);
  *out = mfu_xmalloc(n, sizeof **out);
  *nout = 0;
  double sum = 0;
  for (size_t i = 0; i < n;) {
    uint64_t t = d[i].t_ns;
    for (; i < n && d[i].t_ns == t; i++) sum += d[i].rate;
    if (sum < 1e-6 * (d[0].rate > 0 ? d[0].rate : 1)) sum = 0; /* rounding left over at the end */
    (*out)[(*nout)++] = (struct events_sample){t, sum};
  }
  free(d);
}

/* An event and where it was before sorting. */
struct placed {
  struct events_event ev;
  size_t was;
};

static int by_track_start(const void *a, const void *b) {
  const struct events_event *x = &((const struct placed *)a)->ev, *y = &((const struct placed *)b)->ev;
  if (x->track != y->track) return MFU_COMPARE(x->track, y->track);
  if (x->start_ns != y->start_ns) return MFU_COMPARE(x->start_ns, y->start_ns);
  if (x->end_ns != y->end_ns) return MFU_COMPARE(y->end_ns, x->end_ns); /* the outer first */
  return MFU_COMPARE(((const struct placed *)a)->was, ((const struct placed *)b)->was);
}

static int by_kind_id(const void *a, const void *b) {
  const struct events_track *x = a, *y = b;
  return x->kind != y->kind ? MFU_COMPARE(x->kind, y->kind) : MFU_COMPARE(x->id, y->id);
}

/* Tracks in their order (steps, threads, streams, each by id); events by track and time, with
 * what refers to them (track, launched_by) following. */
static void order(struct rank_events *e) {
  struct events_track *sorted = mfu_xmalloc(e->ntracks, sizeof *sorted);
  memcpy(sorted, e->tracks, e->ntracks * sizeof *sorted);
  mfu_sort(sorted, e->ntracks, sizeof *sorted, by_kind_id);
  uint32_t *track = mfu_xmalloc(e->ntracks, sizeof *track);
  for (size_t i = 0; i < e->ntracks; i++)
    track[i] = (uint32_t)((struct events_track *)bsearch(&e->tracks[i], sorted, e->ntracks,
                                                         sizeof *sorted, by_kind_id) - sorted);
  free(e->tracks);
  e->tracks = sorted;
  e->tracks_cap = e->ntracks;
  struct placed *p = mfu_xmalloc(e->nevents, sizeof *p);
  for (size_t i = 0; i < e->nevents; i++) {
    p[i] = (struct placed){e->events[i], i};
    p[i].ev.track = track[p[i].ev.track];
  }
  free(track);
  mfu_sort(p, e->nevents, sizeof *p, by_track_start);
  size_t *now = mfu_xmalloc(e->nevents, sizeof *now);
  for (size_t i = 0; i < e->nevents; i++) now[p[i].was] = i;
  for (size_t i = 0; i < e->nevents; i++) {
    e->events[i] = p[i].ev;
    if (e->events[i].launched_by != EVENTS_NONE) e->events[i].launched_by = now[e->events[i].launched_by];
  }
  free(now);
  free(p);
}

/* Slices of a track must nest (Perfetto, like the format, draws no partial overlap): one that
 * starts inside another and ends after it (clocks that differ by a few ns) starts where the
 * other ends instead. Events are sorted by track and start; returns whether one moved (then
 * they must be sorted again). */
static bool untangle(struct rank_events *e) {
  bool moved = false;
  size_t *open = mfu_xmalloc(e->nevents, sizeof *open), depth = 0;
  for (size_t i = 0; i < e->nevents; i++) {
    struct events_event *ev = &e->events[i];
    if (i && ev->track != e->events[i - 1].track) depth = 0;
    while (depth && e->events[open[depth - 1]].end_ns <= ev->start_ns) depth--;
    while (depth && e->events[open[depth - 1]].end_ns < ev->end_ns) {
      ev->start_ns = e->events[open[depth - 1]].end_ns;
      moved = true;
      depth--;
    }
    if (ev->end_ns < ev->start_ns) ev->end_ns = ev->start_ns;
    open[depth++] = i;
  }
  free(open);
  return moved;
}

int rank_events_read(struct rank_events *e, const struct mfu_file *f, uint64_t origin_realtime_ns,
                     const struct events_window *w, char *err, size_t errlen) {
  *e = (struct rank_events){.file = f};
  struct window win;
  choose_window(e, w, &win);
  struct pairs pairs = {0};
  if (read_records(e, &win, &pairs, err, errlen) != 0) {
    free(pairs.v);
    return -1;
  }
  double *amount = mfu_xcalloc(e->nevents, sizeof *amount);
  correlate(e, &pairs, amount);
  free(pairs.v);
  counter(e, amount, CAT_GEMM, &e->flops_rate, &e->nflops_rate);
  counter(e, amount, CAT_NCCL, &e->nccl_rate, &e->nnccl_rate);
  free(amount);
  if (e->nsteps) {
    uint32_t steps = track_of(e, EVENTS_STEPS, 0);
    for (size_t s = e->first_step; s < e->first_step + e->nsteps; s++)
      add_event(e, (struct events_event){.kind = EVENT_STEP, .index = s, .track = steps,
                                         .launched_by = EVENTS_NONE,
                                         .start_ns = f->steps.steps[s].start_ns,
                                         .end_ns = f->steps.steps[s].end_ns});
  }
  /* Now every time goes to the wall clock, from the origin. */
  for (size_t i = 0; i < e->nevents; i++) {
    e->events[i].start_ns = since_origin(f, origin_realtime_ns, e->events[i].start_ns);
    e->events[i].end_ns = since_origin(f, origin_realtime_ns, e->events[i].end_ns);
  }
  for (size_t i = 0; i < e->nflops_rate; i++)
    e->flops_rate[i].t_ns = since_origin(f, origin_realtime_ns, e->flops_rate[i].t_ns);
  for (size_t i = 0; i < e->nnccl_rate; i++)
    e->nccl_rate[i].t_ns = since_origin(f, origin_realtime_ns, e->nccl_rate[i].t_ns);
  order(e);
  while (untangle(e)) order(e); /* starts only move later: this ends */
  return 0;
}

void rank_events_free(struct rank_events *e) {
  free(e->records);
  free(e->tracks);
  free(e->events);
  free(e->flops_rate);
  free(e->nccl_rate);
  slots_free(&e->track_slots);
  slots_free(&e->name_slots);
  free(e->name_ids);
  mfu_strings_free(&e->names);
  *e = (struct rank_events){0};
}
