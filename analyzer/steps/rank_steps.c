/* rank_steps: see rank_steps.h. */
#include "rank_steps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "markers.h"
#include "util/alloc.h"
#include "util/sort.h"

/* The calls in time order: the table's (calls.h) as read when they already are, as a file's
 * calls of one thread come, else sorted stably by time (threads interleaved, graph launches
 * added at the end), with where each came from in the table and back. */
struct ordered {
  const struct rank_calls *c;
  const struct steps_call *seq;
  struct steps_call *sorted; /* NULL: seq is the table's */
  uint32_t *from;            /* time order -> table; NULL: the same */
  uint32_t *to;              /* table -> time order; NULL: the same */
  size_t n;
};

/* --- finishing */
static int by_time(const void *a, const void *b) {
  const struct mfu_sort_pair *x = a, *y = b;
  return MFU_COMPARE(x->value, y->value);
}
static int by_start(const void *a, const void *b) {
  const struct rank_activity *x = a, *y = b;
  return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}
static void in_time_order(const struct rank_calls *c, struct ordered *o) {
  size_t n = c->n, i;
  *o = (struct ordered){.c = c, .seq = c->seq, .n = n};
  if (c->in_order) return;
  struct mfu_sort_pair *order = mfu_xmalloc(n, sizeof *order);
  for (i = 0; i < n; i++) order[i] = (struct mfu_sort_pair){c->seq[i].time_ns, i};
  mfu_sort_runs(order, n, sizeof *order, by_time);
  o->sorted = mfu_xmalloc(n, sizeof *o->sorted);
  o->from = mfu_xmalloc(n, sizeof *o->from);
  o->to = mfu_xmalloc(n, sizeof *o->to);
  for (i = 0; i < n; i++) {
    o->sorted[i] = c->seq[order[i].index];
    o->from[i] = (uint32_t)order[i].index;
    o->to[order[i].index] = (uint32_t)i;
  }
  free(order);
  o->seq = o->sorted;
}

static void ordered_free(struct ordered *o) {
  free(o->sorted);
  free(o->from);
  free(o->to);
}

/* The class of the call at time position i. */
static const struct rank_call_class *class_at(const struct ordered *o, size_t i) {
  return &o->c->classes[o->c->cls[o->from ? o->from[i] : i]];
}

/* The step holding call `i` (steps are in call order), or nsteps. */
static size_t step_of_call(const struct steps_span *s, size_t n, size_t i) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (s[mid].end <= i) lo = mid + 1;
    else hi = mid;
  }
  return lo < n && s[lo].first <= i ? lo : n;
}

/* Each activity's call (rank_calls_resolve) decides GEMM or NCCL; the call's step gets the
 * activity's times. */
static void correlate(const struct ordered *o, struct rank_activity *acts, size_t nacts,
                      const struct steps_detection *d, uint64_t *gpu_start, uint64_t *gpu_end) {
  for (size_t a = 0; a < nacts; a++) {
    struct rank_activity *act = &acts[a];
    if (act->call == RANK_CALL_NONE) continue;
    size_t i = o->to ? o->to[act->call] : act->call;
    uint8_t kind = class_at(o, i)->kind;
    if (kind == RANK_CALL_GEMM && act->cat != CAT_MEMCPY && act->cat != CAT_MEMSET)
      act->cat = CAT_GEMM;
    if (kind == RANK_CALL_NCCL) act->cat = CAT_NCCL;
    size_t s = step_of_call(d->steps, d->nsteps, i);
    if (s == d->nsteps) continue;
    if (!gpu_start[s] || act->start_ns < gpu_start[s]) gpu_start[s] = act->start_ns;
    if (act->end_ns > gpu_end[s]) gpu_end[s] = act->end_ns;
  }
}

/* Each step's window: GPU times when every step has a correlated kernel, else host times. */
static void windows(const struct steps_call *seq, const struct steps_detection *d, bool marked,
                    const uint64_t *gpu_start, const uint64_t *gpu_end, struct rank_step *out) {
  bool gpu = d->nsteps > 0;
  for (size_t s = 0; s < d->nsteps; s++) gpu &= gpu_start[s] != 0;
  for (size_t s = 0; s < d->nsteps; s++) {
    const struct steps_span *st = &d->steps[s];
    /* A marked step starts with its range (it may hold no call); a detected one with its
     * first call. */
    uint64_t host_start = marked ? st->start_ns : seq[st->first].time_ns;
    uint64_t host_next = s + 1 >= d->nsteps ? st->end_ns
                         : marked            ? d->steps[s + 1].start_ns
                                             : seq[d->steps[s + 1].first].time_ns;
    out[s].host_start_ns = host_start;
    out[s].host_ns = host_next > host_start ? host_next - host_start : 0;
    out[s].gpu_window = gpu;
    out[s].start_ns = gpu ? gpu_start[s] : host_start;
    out[s].end_ns = gpu ? (s + 1 < d->nsteps ? gpu_start[s + 1] : gpu_end[s]) : host_next;
    if (out[s].end_ns < out[s].start_ns) out[s].end_ns = out[s].start_ns;
  }
}

/* Each step's timeline, from the activities that overlap its window (and the invalid ones,
 * end before start, that start in it). Windows come in order, each starting where the last
 * ended or later: one pass over the activities sorted by start, carrying those that reach
 * past a window's end into the next, so that a long activity costs once per window it
 * spans, not a scan back over everything before it. A window that starts before the last one
 * ended (none does, but order is not promised) starts the pass over. */
static void measure(const struct rank_activity *acts, size_t nacts, struct rank_step *steps,
                    size_t n) {
  struct timeline_activity *a = mfu_xmalloc(nacts, sizeof *a);
  for (size_t i = 0; i < nacts; i++)
    a[i] = (struct timeline_activity){acts[i].start_ns, acts[i].end_ns, acts[i].cat, 0};
  struct timeline_activity *in = mfu_xmalloc(nacts, sizeof *in), *carry = mfu_xmalloc(nacts, sizeof *carry);
  size_t next = 0, ncarry = 0;
  uint64_t last_end = 0;
  for (size_t s = 0; s < n; s++) {
    uint64_t ws = steps[s].start_ns, we = steps[s].end_ns;
    if (ws < last_end) next = ncarry = 0; /* out of order: from the first activity again */
    size_t nin = 0;
    for (size_t i = 0; i < ncarry; i++)
      if (carry[i].end_ns > ws) in[nin++] = carry[i];
    for (; next < nacts && a[next].start_ns < we; next++)
      if (a[next].end_ns > ws || (a[next].end_ns < a[next].start_ns && a[next].start_ns >= ws))
        in[nin++] = a[next];
    timeline_measure(in, nin, ws, we, &steps[s].tl);
    steps[s].attention_kernels = steps[s].tl.category_ns[CAT_ATTENTION] > 0;
    ncarry = 0;
    for (size_t i = 0; i < nin; i++)
      if (in[i].end_ns > we) carry[ncarry++] = in[i];
    last_end = we;
  }
  free(carry);
  free(in);
  free(a);
}

/* The markers that can mark steps, the names from the trace's string table. */
static size_t step_markers(const struct rank_calls *c, const struct mfu_trace *t,
                           struct steps_marker *out) {
  size_t n = 0;
  for (size_t i = 0; i < c->nmarkers; i++) {
    const struct rank_marker *m = &c->markers[i];
    if (m->kind < MFU_MARKER_PUSH || m->kind > MFU_MARKER_PROFILER_STOP || !m->ok) continue;
    out[n++] = (struct steps_marker){(enum mfu_marker_kind)m->kind, m->time_ns, m->id,
                                     m->name ? mfu_trace_string(t, m->name) : NULL};
  }
  return n;
}

/* The steps the markers give (rank_steps.h: --step-range, else two or more profiler ranges)
 * into *d, the method into `method`; false (d untouched) when markers do not decide. */
static bool marked_steps(const struct rank_calls *c, const struct mfu_trace *t,
                         const char *step_range, const struct steps_call *seq,
                         struct steps_detection *d, char *method, size_t method_len) {
  struct steps_marker *markers = mfu_xmalloc(c->nmarkers, sizeof *markers);
  size_t nmarkers = step_markers(c, t, markers);
  if (!step_range && !nmarkers) {
    free(markers);
    return false;
  }
  struct steps_range *ranges = mfu_xmalloc(nmarkers, sizeof *ranges);
  size_t nranges = steps_pair_markers(markers, nmarkers, ranges), profiler = 0;
  for (size_t i = 0; i < nranges; i++)
    profiler += ranges[i].name && !strcmp(ranges[i].name, STEPS_PROFILER_RANGE);
  const char *regex = step_range ? step_range : "^" STEPS_PROFILER_RANGE "$";
  if (!step_range && profiler < 2) {
    free(ranges);
    free(markers);
    return false;
  }
  *d = (struct steps_detection){.score = 1};
  if (step_range) snprintf(method, method_len, "markers %s", step_range);
  else snprintf(method, method_len, "profiler");
  d->steps = mfu_xrealloc(NULL, (nranges ? nranges : 1) * sizeof *d->steps);
  char err[200];
  if (steps_from_ranges(ranges, nranges, regex, seq, c->n, d->steps, &d->nsteps, err,
                        sizeof err) != 0) {
    d->nsteps = 0;
    snprintf(d->reason, sizeof d->reason, "%s", err);
  } else if (d->nsteps == 0 && nranges == 0) {
    snprintf(d->reason, sizeof d->reason, "no NVTX range matches '%s': the trace has no ranges "
             "(run under `mfu run`, or with NVTX_INJECTION64_PATH=libmfushim.so)", regex);
  } else if (d->nsteps == 0) {
    snprintf(d->reason, sizeof d->reason, "no NVTX range matches '%s' (%zu ranges in the trace)",
             regex, nranges);
  } else {
    d->skip = steps_warmup(seq, d->steps, d->nsteps);
    size_t *len = mfu_xrealloc(NULL, d->nsteps * sizeof *len);
    for (size_t i = 0; i < d->nsteps; i++) len[i] = d->steps[i].end - d->steps[i].first;
    mfu_sort(len, d->nsteps, sizeof *len, mfu_compare_size);
    d->period = len[d->nsteps / 2];
    free(len);
  }
  free(ranges);
  free(markers);
  return true;
}

void rank_steps_finish(struct rank_calls *c, const struct mfu_trace *t, const char *step_range,
                       struct rank_steps *out) {
  *out = (struct rank_steps){.timeline = c->nacts > 0, .activities = c->nacts};
  memcpy(out->device, c->device, sizeof out->device);
  rank_calls_drop_host(c);
  struct ordered o;
  in_time_order(c, &o);
  mfu_sort_runs(c->acts, c->nacts, sizeof *c->acts, by_start);
  struct steps_detection d;
  bool marked = marked_steps(c, t, step_range, o.seq, &d, out->method, sizeof out->method);
  if (!marked) {
    steps_detect(o.seq, o.n, -1, &d);
    snprintf(out->method, sizeof out->method, "automatic");
  }
  out->nsteps = d.nsteps;
  out->skip = d.skip;
  out->period = d.period;
  out->score = d.score;
  memcpy(out->reason, d.reason, sizeof out->reason);
  out->steps = mfu_xcalloc(d.nsteps, sizeof *out->steps);
  uint64_t *gpu_start = mfu_xcalloc(d.nsteps + 1, sizeof *gpu_start);
  uint64_t *gpu_end = mfu_xcalloc(d.nsteps + 1, sizeof *gpu_end);
  for (size_t s = 0; s < d.nsteps; s++) {
    struct rank_step *r = &out->steps[s];
    for (size_t i = d.steps[s].first; i < d.steps[s].end; i++) {
      const struct rank_call_class *k = class_at(&o, i);
      r->calls++;
      *(k->kind == RANK_CALL_NCCL ? &r->nccl_bytes : &r->gemm_flops) += k->work;
    }
  }
  if (c->nacts) correlate(&o, c->acts, c->nacts, &d, gpu_start, gpu_end);
  windows(o.seq, &d, marked, gpu_start, gpu_end, out->steps);
  if (c->nacts) measure(c->acts, c->nacts, out->steps, d.nsteps);
  free(gpu_start);
  free(gpu_end);
  steps_detection_free(&d);
  ordered_free(&o);
  rank_calls_free(c);
}

void rank_steps_free(struct rank_steps *s) {
  free(s->steps);
  *s = (struct rank_steps){0};
}
