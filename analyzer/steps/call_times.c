/* call_times: see call_times.h. */
#include "call_times.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "correlation.h"
#include "markers.h"
#include "mfu/nccl.h"
#include "phases.h"
#include "timeline/kernels.h"
#include "trace/memo.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/slots.h"

enum call_kind { CALL_GEMM, CALL_NCCL };

struct built_call {
  uint64_t external;
  double flops;
  uint64_t start_ns, host_ns, gpu_ns;
  uint32_t slot;       /* in gemm[] or nccl[], by kind */
  uint32_t tid;
  uint32_t site_shape; /* in site_shapes[]: its call site, kind and slot */
  uint8_t kind;
  bool timed;
};

/* An NVTX marker, for the phase a range around a call says. */
struct built_marker {
  uint64_t time_ns, id;
  uint32_t name; /* string id */
  uint8_t kind;
};

struct built_activity {
  uint64_t ns;
  uint32_t correlation; /* CUPTI's */
  uint32_t name;        /* string id; 0 for memcpy and memset */
  uint8_t cat;          /* by name */
};

struct call_times_builder {
  struct call_times out;
  size_t gemm_cap, nccl_cap, kernels_cap;
  struct slots gemm_slots, nccl_slots, kernel_slots;
  /* by descriptor: a call's row in gemm[] or nccl[], and its site_shapes[] entry << 32 */
  struct trace_memo rows;
  struct built_call *calls;
  size_t ncalls, calls_cap;
  struct built_activity *acts;
  size_t nacts, acts_cap;
  struct correlation_pair *corr;
  size_t ncorr, corr_cap;
  uint32_t *kernel_name; /* string id of each kernels[] entry */
  struct slots name_slots; /* kernel names seen, and their categories by name */
  uint32_t *names;
  uint8_t *name_cat;
  size_t nnames, names_cap;
  struct built_marker *markers;
  size_t nmarkers, markers_cap;
  size_t sites_cap;
  /* Each distinct call site, kind and row of the calls (range_phase 0), by site_shape_slots */
  struct call_times_site *site_shapes;
  size_t nsite_shapes, site_shapes_cap;
  struct slots site_shape_slots;
};

struct call_times_builder *call_times_builder_new(void) {
  return mfu_xcalloc(1, sizeof(struct call_times_builder));
}

static bool same_gemm(const void *entries, size_t i, const void *key) {
  const struct call_times_gemm *a = (const struct call_times_gemm *)entries + i, *b = key;
  return a->m == b->m && a->n == b->n && a->k == b->k && a->batch == b->batch &&
         a->transa == b->transa && a->transb == b->transb && a->precision == b->precision;
}

static bool same_nccl(const void *entries, size_t i, const void *key) {
  const struct call_times_nccl *a = (const struct call_times_nccl *)entries + i, *b = key;
  return a->op == b->op && a->bytes == b->bytes && a->comm_size == b->comm_size;
}

static size_t gemm_slot(struct call_times_builder *b, const struct mfu_gemm *g) {
  struct call_times_gemm key = {.m = g->m, .n = g->n, .k = g->k, .batch = g->batch,
                                .transa = g->transa, .transb = g->transb, .precision = g->precision};
  uint64_t h = MFU_HASH_SEED;
  h = mfu_hash_mix(mfu_hash_mix(mfu_hash_mix(mfu_hash_mix(h, (uint64_t)g->m), (uint64_t)g->n),
                                (uint64_t)g->k), (uint64_t)g->batch);
  h = mfu_hash_mix(h, (uint64_t)g->transa << 16 | (uint64_t)g->transb << 8 | g->precision);
  size_t i = slots_find(&b->gemm_slots, h, same_gemm, b->out.gemm, &key, b->out.ngemm);
  if (i == b->out.ngemm) {
    MFU_GROW(b->out.gemm, b->out.ngemm, b->gemm_cap);
    b->out.gemm[b->out.ngemm++] = key;
  }
  return i;
}

static size_t nccl_slot(struct call_times_builder *b, const struct mfu_nccl *n) {
  struct call_times_nccl key = {.op = n->op, .bytes = n->bytes, .comm_size = n->comm_size};
  uint64_t h = mfu_hash_mix(mfu_hash_mix(mfu_hash_mix(MFU_HASH_SEED, n->op), n->bytes),
                            (uint64_t)(uint32_t)n->comm_size);
  size_t i = slots_find(&b->nccl_slots, h, same_nccl, b->out.nccl, &key, b->out.nnccl);
  if (i == b->out.nnccl) {
    MFU_GROW(b->out.nccl, b->out.nnccl, b->nccl_cap);
    b->out.nccl[b->out.nnccl++] = key;
  }
  return i;
}

static bool same_site(const void *entries, size_t i, const void *key) {
  const struct call_times_site *a = (const struct call_times_site *)entries + i, *k = key;
  return a->site == k->site && a->kind == k->kind && a->shape == k->shape &&
         a->range_phase == k->range_phase;
}

static uint64_t site_hash(const struct call_times_site *key) {
  return mfu_hash_mix(mfu_hash_mix(mfu_hash_mix(MFU_HASH_SEED, key->site), key->shape),
                      (uint64_t)key->kind << 8 | key->range_phase);
}

/* A GEMM's or NCCL call's row in gemm[] or nccl[], and its entry in site_shapes[] << 32. */
static uint64_t rows_of(struct call_times_builder *b, const struct mfu_record *r,
                        enum call_kind kind) {
  size_t slot = kind == CALL_GEMM ? gemm_slot(b, &r->u.gemm) : nccl_slot(b, &r->u.nccl);
  struct call_times_site key = {.site = r->callsite, .shape = (uint32_t)slot,
                                .kind = kind == CALL_GEMM ? MFU_REC_GEMM : MFU_REC_NCCL};
  size_t i = slots_find(&b->site_shape_slots, site_hash(&key), same_site, b->site_shapes, &key,
                        b->nsite_shapes);
  if (i == b->nsite_shapes) {
    MFU_GROW(b->site_shapes, b->nsite_shapes, b->site_shapes_cap);
    b->site_shapes[b->nsite_shapes++] = key;
  }
  return slot | (uint64_t)i << 32;
}

/* Adds the call; its row and its site_shapes[] entry from the memo of its descriptor. */
static size_t add_call(struct call_times_builder *b, const struct mfu_record *r,
                       const struct mfu_trace *t, enum call_kind kind) {
  uint64_t rows;
  if (!trace_memo_get(&b->rows, t, &rows)) trace_memo_put(&b->rows, t, rows = rows_of(b, r, kind));
  MFU_GROW(b->calls, b->ncalls, b->calls_cap);
  b->calls[b->ncalls++] = (struct built_call){
      .external = r->correlation, .flops = (double)r->flops, .start_ns = r->t_start_ns,
      .host_ns = r->t_end_ns > r->t_start_ns ? r->t_end_ns - r->t_start_ns : 0,
      .slot = (uint32_t)rows, .tid = r->tid, .site_shape = (uint32_t)(rows >> 32),
      .kind = (uint8_t)kind};
  return (uint32_t)rows;
}

static void add_activity(struct call_times_builder *b, const struct mfu_record *r,
                         uint32_t correlation, uint32_t name, enum activity_category cat) {
  MFU_GROW(b->acts, b->nacts, b->acts_cap);
  uint64_t ns = r->t_end_ns > r->t_start_ns ? r->t_end_ns - r->t_start_ns : 0;
  b->acts[b->nacts++] = (struct built_activity){ns, correlation, name, (uint8_t)cat};
}

void call_times_reserve(struct call_times_builder *b, size_t records) {
  MFU_RESERVE(b->calls, b->calls_cap, records);
  MFU_RESERVE(b->acts, b->acts_cap, records);
}

void call_times_add(struct call_times_builder *b, const struct mfu_record *r,
                    const struct mfu_trace *t) {
  bool captured = (r->flags & MFU_RF_CAPTURED) != 0;
  switch (r->kind) {
  case MFU_REC_GEMM: {
    if (r->status != 0 || captured) return;
    size_t i = add_call(b, r, t, CALL_GEMM);
    b->out.gemm[i].calls++;
    b->out.gemm[i].flops += (double)r->flops;
    return;
  }
  case MFU_REC_NCCL: {
    const struct mfu_nccl *n = &r->u.nccl;
    if (!mfu_nccl_accepted(r->status) || captured || !mfu_nccl_op_moves_data(n->op)) return;
    size_t i = add_call(b, r, t, CALL_NCCL); /* before out.nccl: it may move it */
    b->out.nccl[i].calls++;
    return;
  }
  case MFU_REC_KERNEL: /* categorized by name at the end, once per distinct name */
    add_activity(b, r, r->u.kernel.correlation, r->u.kernel.name, CAT_COUNT);
    return;
  case MFU_REC_MEMCPY:
    add_activity(b, r, r->u.memop.correlation, 0, CAT_MEMCPY);
    return;
  case MFU_REC_MEMSET:
    add_activity(b, r, r->u.memop.correlation, 0, CAT_MEMSET);
    return;
  case MFU_REC_MARKER:
    MFU_GROW(b->markers, b->nmarkers, b->markers_cap);
    b->markers[b->nmarkers++] = (struct built_marker){r->t_start_ns, r->u.marker.id,
                                                      r->u.marker.name, r->u.marker.kind};
    return;
  case MFU_REC_CORRELATION:
    MFU_GROW(b->corr, b->ncorr, b->corr_cap);
    b->corr[b->ncorr++] = (struct correlation_pair){r->u.correlation.correlation,
                                                    r->u.correlation.external};
    return;
  default:
    return;
  }
}

struct kernel_key {
  uint32_t name;
  enum activity_category cat;
};

static bool same_kernel(const void *entries, size_t i, const void *key) {
  const struct call_times_builder *b = entries;
  const struct kernel_key *k = key;
  return b->kernel_name[i] == k->name && b->out.kernels[i].cat == k->cat;
}

/* The activity's entry in kernels[], by name and category. */
static struct call_times_kernel *kernel_entry(struct call_times_builder *b, uint32_t name,
                                              enum activity_category cat) {
  struct kernel_key key = {name, cat};
  uint64_t h = mfu_hash_mix(mfu_hash_mix(MFU_HASH_SEED, name), (uint64_t)cat);
  size_t i = slots_find(&b->kernel_slots, h, same_kernel, b, &key, b->out.nkernels);
  if (i == b->out.nkernels) {
    size_t cap = b->kernels_cap;
    MFU_GROW(b->out.kernels, b->out.nkernels, b->kernels_cap);
    if (cap != b->kernels_cap)
      b->kernel_name = mfu_xrealloc(b->kernel_name, b->kernels_cap * sizeof *b->kernel_name);
    b->kernel_name[i] = name;
    b->out.kernels[b->out.nkernels++] = (struct call_times_kernel){.cat = cat};
  }
  return &b->out.kernels[i];
}

static bool same_name(const void *entries, size_t i, const void *key) {
  return ((const uint32_t *)entries)[i] == *(const uint32_t *)key;
}

/* The category of a kernel by its name, each distinct name looked up and classified once. */
static enum activity_category name_category(struct call_times_builder *b, uint32_t name,
                                            const struct mfu_trace *t) {
  size_t i = slots_find(&b->name_slots, mfu_hash_mix(MFU_HASH_SEED, name), same_name, b->names,
                        &name, b->nnames);
  if (i == b->nnames) {
    const char *text = name ? mfu_trace_string(t, name) : NULL;
    MFU_GROW(b->names, b->nnames, b->names_cap);
    b->name_cat = mfu_xrealloc(b->name_cat, b->names_cap * sizeof *b->name_cat);
    b->names[i] = name;
    b->name_cat[b->nnames++] = (uint8_t)(text ? kernel_category(text) : CAT_OTHER);
  }
  return (enum activity_category)b->name_cat[i];
}

/* The NVTX ranges of the trace that say a phase (steps/phases.h). */
static void phase_ranges_of(const struct call_times_builder *b, const struct mfu_trace *t,
                            struct phase_ranges *pr) {
  struct steps_marker *m = mfu_xmalloc(b->nmarkers, sizeof *m);
  for (size_t i = 0; i < b->nmarkers; i++) {
    const struct built_marker *x = &b->markers[i];
    m[i] = (struct steps_marker){(enum mfu_marker_kind)x->kind, x->time_ns, x->id,
                                 x->name ? mfu_trace_string(t, x->name) : NULL};
  }
  struct steps_range *r = mfu_xmalloc(b->nmarkers, sizeof *r);
  size_t n = steps_pair_markers(m, b->nmarkers, r);
  struct phase_range *p = mfu_xmalloc(n, sizeof *p);
  for (size_t i = 0; i < n; i++)
    p[i] = (struct phase_range){.thread = r[i].thread, .start_ns = r[i].start_ns,
                                .end_ns = r[i].end_ns, .name = r[i].name};
  phase_ranges_build(pr, p, n);
  free(p);
  free(r);
  free(m);
}

/* The calls by call site, shape and the phase of the NVTX range around them: rows by a dense
 * index of (site_shapes[] entry, phase), in the order first seen. */
static void add_sites(struct call_times_builder *b, const struct mfu_trace *t) {
  struct phase_ranges pr;
  phase_ranges_of(b, t, &pr);
  uint32_t *row_of = mfu_xcalloc(b->nsite_shapes * PHASE_COUNT, sizeof *row_of); /* row + 1 */
  for (size_t i = 0; i < b->ncalls; i++) {
    const struct built_call *c = &b->calls[i];
    enum phase phase = phase_ranges_at(&pr, c->tid, c->start_ns, NULL);
    uint32_t *at = &row_of[(size_t)c->site_shape * PHASE_COUNT + phase];
    if (!*at) {
      MFU_GROW(b->out.sites, b->out.nsites, b->sites_cap);
      b->out.sites[b->out.nsites] = b->site_shapes[c->site_shape];
      b->out.sites[b->out.nsites].range_phase = (uint8_t)phase;
      *at = (uint32_t)++b->out.nsites;
    }
    struct call_times_site *row = &b->out.sites[*at - 1];
    row->calls++;
    row->timed_calls += c->timed;
    row->flops += c->flops;
    row->gpu_ns += c->gpu_ns;
    row->host_ns += c->host_ns;
  }
  free(row_of);
  phase_ranges_free(&pr);
}

/* Each GPU activity's time to the call that launched it (CUPTI correlation -> external id ->
 * call) and to its kernel's row. */
static void time_calls(struct call_times_builder *b, const struct mfu_trace *t) {
  struct correlation_index ix;
  correlation_index_init(&ix, b->corr, b->ncorr, b->ncalls ? &b->calls[0].external : NULL,
                         sizeof *b->calls, b->ncalls);
  for (size_t a = 0; a < b->nacts; a++) {
    const struct built_activity *act = &b->acts[a];
    enum activity_category cat = act->cat == CAT_COUNT ? name_category(b, act->name, t)
                                                       : (enum activity_category)act->cat;
    /* A call's time is its kernels': a copy it made ran on a copy engine, beside them. */
    bool copy = cat == CAT_MEMCPY || cat == CAT_MEMSET;
    size_t i = copy ? CORRELATION_NONE : correlation_find(&ix, act->correlation);
    if (i != CORRELATION_NONE) {
      struct built_call *c = &b->calls[i];
      bool first = !c->timed;
      c->timed = true;
      c->gpu_ns += act->ns;
      if (c->kind == CALL_GEMM) {
        struct call_times_gemm *g = &b->out.gemm[c->slot];
        g->gpu_ns += act->ns;
        g->timed_calls += first;
        if (first) g->timed_flops += c->flops;
        cat = CAT_GEMM;
      } else {
        struct call_times_nccl *n = &b->out.nccl[c->slot];
        n->gpu_ns += act->ns;
        n->timed_calls += first;
        cat = CAT_NCCL;
      }
    }
    struct call_times_kernel *k = kernel_entry(b, act->name, cat);
    k->count++;
    k->ns += act->ns;
  }
  correlation_index_free(&ix);
}

void call_times_finish(struct call_times_builder *b, const struct mfu_trace *t,
                       struct call_times *out) {
  if (b->nacts) time_calls(b, t); /* none in a trace without the GPU timeline */
  add_sites(b, t);
  for (size_t i = 0; i < b->out.nkernels; i++) {
    const char *text = b->kernel_name[i] ? mfu_trace_string(t, b->kernel_name[i]) : NULL;
    b->out.kernels[i].name = text ? mfu_xstrdup(text) : NULL;
  }
  *out = b->out;
  slots_free(&b->gemm_slots);
  slots_free(&b->nccl_slots);
  slots_free(&b->kernel_slots);
  trace_memo_free(&b->rows);
  slots_free(&b->name_slots);
  free(b->names);
  free(b->name_cat);
  free(b->kernel_name);
  slots_free(&b->site_shape_slots);
  free(b->site_shapes);
  free(b->markers);
  free(b->calls);
  free(b->acts);
  free(b->corr);
  free(b);
}

void call_times_free(struct call_times *c) {
  for (size_t i = 0; i < c->nkernels; i++) free(c->kernels[i].name);
  free(c->gemm);
  free(c->nccl);
  free(c->kernels);
  free(c->sites);
  *c = (struct call_times){0};
}
