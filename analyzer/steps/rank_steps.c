/* rank_steps: see rank_steps.h. */
#include "rank_steps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlation.h"
#include "markers.h"
#include "mfu/nccl.h"
#include "timeline/kernels.h"
#include "trace/memo.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/sort.h"

enum call_kind { CALL_GEMM, CALL_NCCL, CALL_LAUNCH };

/* The calls are three arrays, so that step detection reads the first as it is: what each
 * call did and when (seq), its correlation id and work (FLOPs, or bytes for NCCL), its kind. */
struct call_work {
  uint64_t correlation;
  double work;
};

struct built_activity {
  uint64_t start_ns, end_ns;
  uint32_t correlation; /* CUPTI's */
  uint8_t category;     /* by name; the launching call may override */
};

/* Kernel name string id -> category, so each name is looked up and classified once. */
#define NAME_SLOTS 4096u
struct name_cache { uint32_t id[NAME_SLOTS]; uint8_t cat[NAME_SLOTS]; };

struct rank_steps_builder {
  struct steps_call *seq;
  struct call_work *work;
  uint8_t *kind; /* enum call_kind */
  size_t ncalls, calls_cap;
  struct built_activity *acts;
  size_t nacts, acts_cap;
  struct correlation_pair *corr;
  size_t ncorr, corr_cap;
  struct name_cache names;
  struct trace_memo keys; /* a GEMM's or NCCL call's key, by descriptor */
  char device[48];
  struct steps_marker *markers; /* names owned (copies) */
  size_t nmarkers, markers_cap;
  char *step_range;       /* NULL: profiler ranges or automatic detection */
};

struct rank_steps_builder *rank_steps_builder_new(const char *step_range) {
  struct rank_steps_builder *b = mfu_xcalloc(1, sizeof *b);
  if (step_range) b->step_range = mfu_xstrdup(step_range);
  return b;
}

static void add_marker(struct rank_steps_builder *b, const struct mfu_record *r,
                       const struct mfu_trace *t) {
  const struct mfu_marker *m = &r->u.marker;
  if (m->kind < MFU_MARKER_PUSH || m->kind > MFU_MARKER_PROFILER_STOP || r->status != 0) return;
  const char *name = m->name ? mfu_trace_string(t, m->name) : NULL;
  MFU_GROW(b->markers, b->nmarkers, b->markers_cap);
  b->markers[b->nmarkers++] = (struct steps_marker){m->kind, r->t_start_ns, m->id,
                                                    name ? mfu_xstrdup(name) : NULL};
}

static void add_call(struct rank_steps_builder *b, uint64_t t_ns, uint64_t key,
                     uint64_t correlation, double work, enum call_kind kind) {
  if (b->ncalls == b->calls_cap) {
    size_t cap = b->calls_cap;
    MFU_GROW(b->seq, cap, b->calls_cap);
    b->work = mfu_xrealloc(b->work, b->calls_cap * sizeof *b->work);
    b->kind = mfu_xrealloc(b->kind, b->calls_cap * sizeof *b->kind);
  }
  b->seq[b->ncalls] = (struct steps_call){key, t_ns};
  b->work[b->ncalls] = (struct call_work){correlation, work};
  b->kind[b->ncalls++] = (uint8_t)kind;
}

static uint8_t name_category(struct rank_steps_builder *b, uint32_t id, const struct mfu_trace *t) {
  if (id == 0) return CAT_OTHER;
  for (uint32_t i = 0, slot = (id * 2654435761u) % NAME_SLOTS; i < NAME_SLOTS;
       i++, slot = (slot + 1) % NAME_SLOTS) {
    if (b->names.id[slot] == id) return b->names.cat[slot];
    if (b->names.id[slot] != 0) continue;
    const char *name = mfu_trace_string(t, id);
    b->names.id[slot] = id;
    b->names.cat[slot] = (uint8_t)(name ? kernel_category(name) : CAT_OTHER);
    return b->names.cat[slot];
  }
  const char *name = mfu_trace_string(t, id); /* a full cache: classify every time */
  return (uint8_t)(name ? kernel_category(name) : CAT_OTHER);
}

static void add_activity(struct rank_steps_builder *b, const struct mfu_record *r, uint8_t cat,
                         uint32_t correlation) {
  MFU_GROW(b->acts, b->nacts, b->acts_cap);
  b->acts[b->nacts++] = (struct built_activity){r->t_start_ns, r->t_end_ns, correlation, cat};
}

/* What a call did, hashed: its API and shape, or its operation, size and communicator. */
static uint64_t call_key(const struct mfu_record *r) {
  if (r->kind == MFU_REC_NCCL) {
    const struct mfu_nccl *n = &r->u.nccl;
    return mfu_hash_mix(mfu_hash_mix(mfu_hash_mix(0x4e43434cull, n->op), n->bytes), n->comm_id);
  }
  const struct mfu_gemm *g = &r->u.gemm;
  return mfu_hash_mix(mfu_hash_mix(mfu_hash_mix(mfu_hash_mix(mfu_hash_mix(r->api, (uint64_t)g->m),
                                                             (uint64_t)g->n), (uint64_t)g->k),
                                   g->precision), (uint64_t)g->transa << 8 | g->transb);
}

static void add_keyed_call(struct rank_steps_builder *b, const struct mfu_record *r,
                           const struct mfu_trace *t, double work, enum call_kind kind) {
  uint64_t key;
  if (!trace_memo_get(&b->keys, t, &key)) trace_memo_put(&b->keys, t, key = call_key(r));
  add_call(b, r->t_start_ns, key, r->correlation, work, kind);
}

void rank_steps_add(struct rank_steps_builder *b, const struct mfu_record *r,
                    const struct mfu_trace *t) {
  bool captured = (r->flags & MFU_RF_CAPTURED) != 0;
  switch (r->kind) {
  case MFU_REC_GEMM:
    if (r->status != 0 || captured) return;
    add_keyed_call(b, r, t, (double)r->flops, CALL_GEMM);
    return;
  case MFU_REC_NCCL: {
    const struct mfu_nccl *n = &r->u.nccl;
    if (!mfu_nccl_accepted(r->status) || captured || !mfu_nccl_op_moves_data(n->op)) return;
    add_keyed_call(b, r, t, (double)n->bytes, CALL_NCCL);
    return;
  }
  case MFU_REC_KERNEL:
    add_activity(b, r, name_category(b, r->u.kernel.name, t), r->u.kernel.correlation);
    return;
  case MFU_REC_MEMCPY:
    add_activity(b, r, CAT_MEMCPY, r->u.memop.correlation);
    return;
  case MFU_REC_MEMSET:
    add_activity(b, r, CAT_MEMSET, r->u.memop.correlation);
    return;
  case MFU_REC_CORRELATION:
    MFU_GROW(b->corr, b->ncorr, b->corr_cap);
    b->corr[b->ncorr++] = (struct correlation_pair){r->u.correlation.correlation,
                                                    r->u.correlation.external};
    return;
  case MFU_REC_MARKER:
    add_marker(b, r, t);
    return;
  case MFU_REC_DEVICE:
    if (!b->device[0]) memcpy(b->device, r->u.device.name, sizeof b->device - 1);
    return;
  default:
    return;
  }
}

void rank_steps_reserve(struct rank_steps_builder *b, size_t records) {
  size_t seq = b->calls_cap, work = b->calls_cap, kind = b->calls_cap;
  MFU_RESERVE(b->seq, seq, records);
  MFU_RESERVE(b->work, work, records);
  MFU_RESERVE(b->kind, kind, records);
  if (seq == records && work == records && kind == records) b->calls_cap = records;
  MFU_RESERVE(b->acts, b->acts_cap, records);
}

void rank_steps_add_launches(struct rank_steps_builder *b, const struct mfu_graphs *g,
                             const double *capture_flops) {
  for (size_t i = 0; i < g->nlaunch_list; i++) {
    const struct mfu_graph_launch *l = &g->launch_list[i];
    double flops = 0;
    for (size_t m = l->first; m < l->first + l->n; m++) flops += capture_flops[g->members[m]];
    add_call(b, l->t_ns, mfu_hash_mix(0x4c41554eull, l->executable), l->correlation, flops,
             CALL_LAUNCH);
  }
}

/* --- finishing */
static int by_time(const void *a, const void *b) {
  const struct mfu_sort_pair *x = a, *y = b;
  return MFU_COMPARE(x->value, y->value);
}
static int by_start(const void *a, const void *b) {
  const struct built_activity *x = a, *y = b;
  return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}
/* The calls in the order they were made: already, as a file's calls of one thread come, or
 * sorted stably by time (threads interleaved, graph launches added at the end). */
static void in_time_order(struct rank_steps_builder *b) {
  size_t n = b->ncalls, i = 1;
  while (i < n && b->seq[i - 1].time_ns <= b->seq[i].time_ns) i++;
  if (i >= n) return;
  struct mfu_sort_pair *order = mfu_xmalloc(n, sizeof *order);
  for (i = 0; i < n; i++) order[i] = (struct mfu_sort_pair){b->seq[i].time_ns, i};
  mfu_sort_runs(order, n, sizeof *order, by_time);
  struct steps_call *seq = mfu_xmalloc(n, sizeof *seq);
  struct call_work *work = mfu_xmalloc(n, sizeof *work);
  uint8_t *kind = mfu_xmalloc(n, sizeof *kind);
  for (i = 0; i < n; i++) {
    seq[i] = b->seq[order[i].index];
    work[i] = b->work[order[i].index];
    kind[i] = b->kind[order[i].index];
  }
  free(b->seq);
  free(b->work);
  free(b->kind);
  free(order);
  b->seq = seq, b->work = work, b->kind = kind, b->calls_cap = n;
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

/* Ties every activity to the call that launched it (CUPTI correlation -> external id -> call):
 * the call decides GEMM or NCCL; the call's step gets the activity's times. */
static void correlate(struct rank_steps_builder *b, const struct steps_detection *d,
                      uint64_t *gpu_start, uint64_t *gpu_end) {
  struct correlation_index ix;
  correlation_index_init(&ix, b->corr, b->ncorr, b->ncalls ? &b->work[0].correlation : NULL,
                         sizeof *b->work, b->ncalls);
  for (size_t a = 0; a < b->nacts; a++) {
    struct built_activity *act = &b->acts[a];
    size_t i = correlation_find(&ix, act->correlation);
    if (i == CORRELATION_NONE) continue;
    if (b->kind[i] == CALL_GEMM && act->category != CAT_MEMCPY && act->category != CAT_MEMSET)
      act->category = CAT_GEMM;
    if (b->kind[i] == CALL_NCCL) act->category = CAT_NCCL;
    size_t s = step_of_call(d->steps, d->nsteps, i);
    if (s == d->nsteps) continue;
    if (!gpu_start[s] || act->start_ns < gpu_start[s]) gpu_start[s] = act->start_ns;
    if (act->end_ns > gpu_end[s]) gpu_end[s] = act->end_ns;
  }
  correlation_index_free(&ix);
}

/* Each step's window: GPU times when every step has a correlated kernel, else host times. */
static void windows(const struct rank_steps_builder *b, const struct steps_detection *d, bool marked,
                    const uint64_t *gpu_start, const uint64_t *gpu_end, struct rank_step *out) {
  bool gpu = d->nsteps > 0;
  for (size_t s = 0; s < d->nsteps; s++) gpu &= gpu_start[s] != 0;
  for (size_t s = 0; s < d->nsteps; s++) {
    const struct steps_span *st = &d->steps[s];
    /* A marked step starts with its range (it may hold no call); a detected one with its
     * first call. */
    uint64_t host_start = marked ? st->start_ns : b->seq[st->first].time_ns;
    uint64_t host_next = s + 1 >= d->nsteps ? st->end_ns
                         : marked            ? d->steps[s + 1].start_ns
                                             : b->seq[d->steps[s + 1].first].time_ns;
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
static void measure(const struct rank_steps_builder *b, struct rank_step *steps, size_t n) {
  struct timeline_activity *a = mfu_xmalloc(b->nacts, sizeof *a);
  for (size_t i = 0; i < b->nacts; i++)
    a[i] = (struct timeline_activity){b->acts[i].start_ns, b->acts[i].end_ns, b->acts[i].category, 0};
  struct timeline_activity *in = mfu_xmalloc(b->nacts, sizeof *in), *carry = mfu_xmalloc(b->nacts, sizeof *carry);
  size_t next = 0, ncarry = 0;
  uint64_t last_end = 0;
  for (size_t s = 0; s < n; s++) {
    uint64_t ws = steps[s].start_ns, we = steps[s].end_ns;
    if (ws < last_end) next = ncarry = 0; /* out of order: from the first activity again */
    size_t nin = 0;
    for (size_t i = 0; i < ncarry; i++)
      if (carry[i].end_ns > ws) in[nin++] = carry[i];
    for (; next < b->nacts && a[next].start_ns < we; next++)
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

/* The steps the markers give (rank_steps.h: --step-range, else two or more profiler ranges)
 * into *d, the method into `method`; false (d untouched) when markers do not decide. */
static bool marked_steps(const struct rank_steps_builder *b, const struct steps_call *seq,
                         struct steps_detection *d, char *method, size_t method_len) {
  if (!b->step_range && !b->nmarkers) return false;
  struct steps_range *ranges = mfu_xmalloc(b->nmarkers, sizeof *ranges);
  size_t nranges = steps_pair_markers(b->markers, b->nmarkers, ranges), profiler = 0;
  for (size_t i = 0; i < nranges; i++)
    profiler += ranges[i].name && !strcmp(ranges[i].name, STEPS_PROFILER_RANGE);
  const char *regex = b->step_range ? b->step_range : "^" STEPS_PROFILER_RANGE "$";
  if (!b->step_range && profiler < 2) {
    free(ranges);
    return false;
  }
  *d = (struct steps_detection){.score = 1};
  if (b->step_range) snprintf(method, method_len, "markers %s", b->step_range);
  else snprintf(method, method_len, "profiler");
  d->steps = mfu_xrealloc(NULL, (nranges ? nranges : 1) * sizeof *d->steps);
  char err[200];
  if (steps_from_ranges(ranges, nranges, regex, seq, b->ncalls, d->steps, &d->nsteps, err,
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
  return true;
}

void rank_steps_finish(struct rank_steps_builder *b, struct rank_steps *out) {
  *out = (struct rank_steps){.timeline = b->nacts > 0, .activities = b->nacts};
  memcpy(out->device, b->device, sizeof out->device);
  in_time_order(b);
  mfu_sort_runs(b->acts, b->nacts, sizeof *b->acts, by_start);
  const struct steps_call *seq = b->seq;
  struct steps_detection d;
  bool marked = marked_steps(b, seq, &d, out->method, sizeof out->method);
  if (!marked) {
    steps_detect(seq, b->ncalls, -1, &d);
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
      r->calls++;
      *(b->kind[i] == CALL_NCCL ? &r->nccl_bytes : &r->gemm_flops) += b->work[i].work;
    }
  }
  if (b->nacts) correlate(b, &d, gpu_start, gpu_end);
  windows(b, &d, marked, gpu_start, gpu_end, out->steps);
  if (b->nacts) measure(b, out->steps, d.nsteps);
  free(gpu_start);
  free(gpu_end);
  steps_detection_free(&d);
  free(b->seq);
  free(b->work);
  free(b->kind);
  free(b->acts);
  free(b->corr);
  for (size_t i = 0; i < b->nmarkers; i++) free((char *)b->markers[i].name);
  free(b->markers);
  free(b->step_range);
  trace_memo_free(&b->keys);
  free(b);
}

void rank_steps_free(struct rank_steps *s) {
  free(s->steps);
  *s = (struct rank_steps){0};
}
