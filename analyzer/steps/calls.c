/* calls: see calls.h. */
#include "calls.h"

#include <stdlib.h>
#include <string.h>

#include "mfu/nccl.h"
#include "timeline/kernels.h"
#include "util/alloc.h"
#include "util/hash.h"

struct rank_calls *rank_calls_new(void) {
  struct rank_calls *c = mfu_xcalloc(1, sizeof *c);
  c->in_order = true;
  return c;
}

/* --- columns: none allocated while every value is 0 (the external ids of a trace without
 * the GPU timeline), then 32 bits each, then 64 */
static void column_resize(struct rank_column *col, size_t cap) {
  if (col->wide) col->wide = mfu_xrealloc(col->wide, cap * sizeof *col->wide);
  else if (col->narrow) col->narrow = mfu_xrealloc(col->narrow, cap * sizeof *col->narrow);
}

static void column_reserve(struct rank_column *col, size_t *cap, size_t n) {
  if (col->wide) MFU_RESERVE(col->wide, *cap, n);
  else if (col->narrow) MFU_RESERVE(col->narrow, *cap, n);
  else *cap = n;
}

/* Values 0 to i - 1 are set; value i is v, which the column cannot hold as it is. */
static void column_grow(struct rank_column *col, size_t i, size_t cap, uint64_t v) {
  if (!col->narrow && !col->wide && v <= UINT32_MAX) {
    col->narrow = mfu_xcalloc(cap, sizeof *col->narrow);
    col->narrow[i] = (uint32_t)v;
    return;
  }
  col->wide = mfu_xcalloc(cap, sizeof *col->wide);
  for (size_t k = 0; col->narrow && k < i; k++) col->wide[k] = col->narrow[k];
  free(col->narrow);
  col->narrow = NULL;
  col->wide[i] = v;
}

static inline void column_set(struct rank_column *col, size_t i, size_t cap, uint64_t v) {
  if (col->narrow && v <= UINT32_MAX) col->narrow[i] = (uint32_t)v;
  else if (col->wide) col->wide[i] = v;
  else if (v || col->narrow) column_grow(col, i, cap, v);
}

static void column_free(struct rank_column *col) {
  free(col->narrow);
  free(col->wide);
  *col = (struct rank_column){0};
}

static void calls_resize(struct rank_calls *c, size_t cap) {
  c->seq = mfu_xrealloc(c->seq, cap * sizeof *c->seq);
  c->cls = mfu_xrealloc(c->cls, cap * sizeof *c->cls);
  column_resize(&c->external, cap);
  column_resize(&c->host_ns, cap);
  c->cap = cap;
}

/* Room is a hint: an allocation refused leaves the arrays to grow as they fill. */
void rank_calls_reserve(struct rank_calls *c, size_t records) {
  size_t seq = c->cap, cls = c->cap, external = c->cap, host = c->cap;
  MFU_RESERVE(c->seq, seq, records);
  MFU_RESERVE(c->cls, cls, records);
  column_reserve(&c->external, &external, records);
  column_reserve(&c->host_ns, &host, records);
  if (seq == records && cls == records && external == records && host == records) c->cap = records;
  MFU_RESERVE(c->acts, c->acts_cap, records);
}

static void add_call(struct rank_calls *c, uint64_t key, uint64_t t_ns, uint32_t cls,
                     uint64_t external, uint64_t host_ns) {
  if (c->n == c->cap) calls_resize(c, c->cap ? 2 * c->cap : 16);
  c->in_order &= !c->n || c->seq[c->n - 1].time_ns <= t_ns;
  c->seq[c->n] = (struct steps_call){key, t_ns};
  c->cls[c->n] = cls;
  column_set(&c->external, c->n, c->cap, external);
  column_set(&c->host_ns, c->n, c->cap, host_ns);
  c->n++;
}

/* --- classes */
static bool same_work(double a, double b) {
  return !memcmp(&a, &b, sizeof a);
}

static bool same_class(const void *entries, size_t i, const void *key) {
  const struct rank_call_class *a = (const struct rank_call_class *)entries + i, *b = key;
  if (a->kind != b->kind || a->key != b->key || !same_work(a->work, b->work)) return false;
  if (a->kind == RANK_CALL_LAUNCH) return true;
  if (a->api != b->api || a->tid != b->tid || a->callsite != b->callsite ||
      !same_work(a->flops, b->flops))
    return false;
  if (a->kind == RANK_CALL_NCCL)
    return a->u.nccl.op == b->u.nccl.op && a->u.nccl.bytes == b->u.nccl.bytes &&
           a->u.nccl.comm_size == b->u.nccl.comm_size && a->u.nccl.comm_id == b->u.nccl.comm_id;
  const struct mfu_gemm *x = &a->u.gemm, *y = &b->u.gemm;
  return x->m == y->m && x->n == y->n && x->k == y->k && x->batch == y->batch &&
         x->transa == y->transa && x->transb == y->transb && x->precision == y->precision;
}

static uint64_t work_bits(double w) {
  uint64_t v;
  memcpy(&v, &w, sizeof v);
  return v;
}

/* The class equal to `k`, or a new one. */
static uint32_t intern(struct rank_calls *c, const struct rank_call_class *k) {
  uint64_t h = mfu_hash_mix(mfu_hash_mix(mfu_hash_mix(MFU_HASH_SEED, k->key), work_bits(k->work)),
                            (uint64_t)k->tid << 32 | k->callsite);
  size_t i = slots_find(&c->class_slots, h, same_class, c->classes, k, c->nclasses);
  if (i == c->nclasses) {
    MFU_GROW(c->classes, c->nclasses, c->classes_cap);
    c->classes[c->nclasses++] = *k;
  }
  return (uint32_t)i;
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

/* The call's class: that of the last call with its descriptor when made on the same thread
 * (the descriptor holds everything else a class has), else by value. */
static void add_record_call(struct rank_calls *c, const struct mfu_record *r,
                            const struct mfu_trace *t, enum rank_call_kind kind, double work) {
  uint64_t cls;
  if (!trace_memo_get(&c->memo, t, &cls) || c->classes[cls].tid != r->tid) {
    struct rank_call_class k = {.kind = (uint8_t)kind, .api = r->api, .tid = r->tid,
                                .callsite = r->callsite, .key = call_key(r), .work = work,
                                .flops = (double)r->flops};
    if (kind == RANK_CALL_NCCL) k.u.nccl = r->u.nccl;
    else k.u.gemm = r->u.gemm;
    trace_memo_put(&c->memo, t, cls = intern(c, &k));
  }
  struct rank_call_class *k = &c->classes[cls];
  uint64_t host_ns = r->t_end_ns > r->t_start_ns ? r->t_end_ns - r->t_start_ns : 0;
  k->calls++;
  k->host_ns += host_ns;
  add_call(c, k->key, r->t_start_ns, (uint32_t)cls, r->correlation, host_ns);
}

static void add_activity(struct rank_calls *c, const struct mfu_record *r, uint32_t name,
                         uint32_t correlation, uint8_t cat) {
  MFU_GROW(c->acts, c->nacts, c->acts_cap);
  c->acts[c->nacts++] = (struct rank_activity){r->t_start_ns, r->t_end_ns, name, correlation, cat};
}

void rank_calls_add(struct rank_calls *c, const struct mfu_record *r, const struct mfu_trace *t) {
  bool captured = (r->flags & MFU_RF_CAPTURED) != 0;
  switch (r->kind) {
  case MFU_REC_GEMM:
    if (r->status != 0 || captured) return;
    add_record_call(c, r, t, RANK_CALL_GEMM, (double)r->flops);
    return;
  case MFU_REC_NCCL: {
    const struct mfu_nccl *n = &r->u.nccl;
    if (!mfu_nccl_accepted(r->status) || captured || !mfu_nccl_op_moves_data(n->op)) return;
    add_record_call(c, r, t, RANK_CALL_NCCL, (double)n->bytes);
    return;
  }
  case MFU_REC_KERNEL:
    add_activity(c, r, r->u.kernel.name, r->u.kernel.correlation, CAT_COUNT);
    return;
  case MFU_REC_MEMCPY:
    add_activity(c, r, 0, r->u.memop.correlation, CAT_MEMCPY);
    return;
  case MFU_REC_MEMSET:
    add_activity(c, r, 0, r->u.memop.correlation, CAT_MEMSET);
    return;
  case MFU_REC_CORRELATION:
    MFU_GROW(c->corr, c->ncorr, c->corr_cap);
    c->corr[c->ncorr++] = (struct correlation_pair){r->u.correlation.correlation,
                                                    r->u.correlation.external};
    return;
  case MFU_REC_MARKER:
    MFU_GROW(c->markers, c->nmarkers, c->markers_cap);
    c->markers[c->nmarkers++] = (struct rank_marker){r->t_start_ns, r->u.marker.id,
                                                     r->u.marker.name, r->u.marker.kind,
                                                     r->status == 0};
    return;
  case MFU_REC_DEVICE:
    if (!c->device[0]) memcpy(c->device, r->u.device.name, sizeof c->device - 1);
    return;
  default:
    return;
  }
}

void rank_calls_add_launches(struct rank_calls *c, const struct mfu_graphs *g,
                             const double *capture_flops) {
  for (size_t i = 0; i < g->nlaunch_list; i++) {
    const struct mfu_graph_launch *l = &g->launch_list[i];
    double flops = 0;
    for (size_t m = l->first; m < l->first + l->n; m++) flops += capture_flops[g->members[m]];
    struct rank_call_class k = {.kind = RANK_CALL_LAUNCH,
                                .key = mfu_hash_mix(0x4c41554eull, l->executable), .work = flops};
    add_call(c, k.key, l->t_ns, intern(c, &k), l->correlation, 0);
  }
}

/* --- resolving */
static bool same_name(const void *entries, size_t i, const void *key) {
  return ((const uint32_t *)entries)[i] == *(const uint32_t *)key;
}

/* Each activity's category and call (rank_calls_resolve). */
static void tie_activities(struct rank_calls *c, const struct mfu_trace *t) {
  struct slots name_slots = {0};
  uint32_t *names = NULL;
  uint8_t *name_cat = NULL;
  size_t nnames = 0, names_cap = 0;
  struct correlation_index ix;
  if (c->external.wide)
    correlation_index_init(&ix, c->corr, c->ncorr, c->external.wide, sizeof(uint64_t), c->n);
  else /* no column: no call has an external id */
    correlation_index_init32(&ix, c->corr, c->ncorr, c->external.narrow,
                             c->external.narrow ? c->n : 0);
  for (size_t a = 0; a < c->nacts; a++) {
    struct rank_activity *act = &c->acts[a];
    if (act->cat == CAT_COUNT) { /* a kernel: by its name, each distinct one classified once */
      uint32_t name = act->name;
      size_t i = slots_find(&name_slots, mfu_hash_mix(MFU_HASH_SEED, name), same_name, names,
                            &name, nnames);
      if (i == nnames) {
        const char *text = name ? mfu_trace_string(t, name) : NULL;
        MFU_GROW(names, nnames, names_cap);
        name_cat = mfu_xrealloc(name_cat, names_cap * sizeof *name_cat);
        names[i] = name;
        name_cat[nnames++] = (uint8_t)(text ? kernel_category(text) : CAT_OTHER);
      }
      act->cat = name_cat[i];
    }
    size_t call = correlation_find(&ix, act->call);
    act->call = call == CORRELATION_NONE ? RANK_CALL_NONE : (uint32_t)call;
  }
  correlation_index_free(&ix);
  slots_free(&name_slots);
  free(names);
  free(name_cat);
}

void rank_calls_resolve(struct rank_calls *c, const struct mfu_trace *t) {
  if (c->nacts) tie_activities(c, t);
  column_free(&c->external);
  free(c->corr);
  c->corr = NULL;
  c->ncorr = c->corr_cap = 0;
}

void rank_calls_drop_host(struct rank_calls *c) {
  column_free(&c->host_ns);
}

void rank_calls_free(struct rank_calls *c) {
  free(c->seq);
  free(c->cls);
  column_free(&c->external);
  column_free(&c->host_ns);
  free(c->classes);
  slots_free(&c->class_slots);
  trace_memo_free(&c->memo);
  free(c->acts);
  free(c->corr);
  free(c->markers);
  free(c);
}
