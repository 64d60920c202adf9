/* call_times: see call_times.h. */
#include "call_times.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "markers.h"
#include "phases.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/slots.h"

struct call_times_builder {
  struct call_times out;
  size_t gemm_cap, nccl_cap, kernels_cap, sites_cap;
  struct slots gemm_slots, nccl_slots, kernel_slots;
  uint32_t *kernel_name; /* string id of each kernels[] entry */
  /* Each distinct call site, kind and row of the calls (range_phase 0), by site_shape_slots */
  struct call_times_site *site_shapes;
  size_t nsite_shapes, site_shapes_cap;
  struct slots site_shape_slots;
  uint32_t *row, *site_shape; /* per class of the calls: its row in gemm[] or nccl[], its
                                 site_shapes[] entry */
  uint64_t *gpu_ns;           /* per call, with a GPU timeline: its activities' time */
  uint8_t *timed;             /* per call, with a GPU timeline: one of them was seen */
};

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

/* Each class's row in gemm[] or nccl[] and its entry in site_shapes[]: classes come in the
 * order their first calls were read, so rows do too. */
static void rows_of(struct call_times_builder *b, const struct rank_calls *c) {
  b->row = mfu_xmalloc(c->nclasses, sizeof *b->row);
  b->site_shape = mfu_xmalloc(c->nclasses, sizeof *b->site_shape);
  for (size_t i = 0; i < c->nclasses; i++) {
    const struct rank_call_class *k = &c->classes[i];
    if (k->kind == RANK_CALL_LAUNCH) continue;
    bool gemm = k->kind == RANK_CALL_GEMM;
    size_t slot = gemm ? gemm_slot(b, &k->u.gemm) : nccl_slot(b, &k->u.nccl);
    struct call_times_site key = {.site = k->callsite, .shape = (uint32_t)slot,
                                  .kind = gemm ? MFU_REC_GEMM : MFU_REC_NCCL};
    size_t s = slots_find(&b->site_shape_slots, site_hash(&key), same_site, b->site_shapes, &key,
                          b->nsite_shapes);
    if (s == b->nsite_shapes) {
      MFU_GROW(b->site_shapes, b->nsite_shapes, b->site_shapes_cap);
      b->site_shapes[b->nsite_shapes++] = key;
    }
    b->row[i] = (uint32_t)slot;
    b->site_shape[i] = (uint32_t)s;
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

/* The NVTX ranges of the trace that say a phase (steps/phases.h). */
static void phase_ranges_of(const struct rank_calls *c, const struct mfu_trace *t,
                            struct phase_ranges *pr) {
  struct steps_marker *m = mfu_xmalloc(c->nmarkers, sizeof *m);
  for (size_t i = 0; i < c->nmarkers; i++) {
    const struct rank_marker *x = &c->markers[i];
    m[i] = (struct steps_marker){(enum mfu_marker_kind)x->kind, x->time_ns, x->id,
                                 x->name ? mfu_trace_string(t, x->name) : NULL};
  }
  struct steps_range *r = mfu_xmalloc(c->nmarkers, sizeof *r);
  size_t n = steps_pair_markers(m, c->nmarkers, r);
  struct phase_range *p = mfu_xmalloc(n, sizeof *p);
  for (size_t i = 0; i < n; i++)
    p[i] = (struct phase_range){.thread = r[i].thread, .start_ns = r[i].start_ns,
                                .end_ns = r[i].end_ns, .name = r[i].name};
  phase_ranges_build(pr, p, n);
  free(p);
  free(r);
  free(m);
}

/* The calls by shape, and by call site, shape and the phase of the NVTX range around them,
 * one call at a time: site rows by a dense index of (site_shapes[] entry, phase), in the order
 * first seen. */
static void add_calls(struct call_times_builder *b, const struct rank_calls *c,
                      const struct phase_ranges *pr) {
  uint32_t *row_of = mfu_xcalloc(b->nsite_shapes * PHASE_COUNT, sizeof *row_of); /* row + 1 */
  for (size_t i = 0; i < c->n; i++) {
    uint32_t cls = c->cls[i];
    const struct rank_call_class *k = &c->classes[cls];
    if (k->kind == RANK_CALL_LAUNCH) continue;
    if (k->kind == RANK_CALL_GEMM) {
      b->out.gemm[b->row[cls]].calls++;
      b->out.gemm[b->row[cls]].flops += k->flops;
    } else {
      b->out.nccl[b->row[cls]].calls++;
    }
    enum phase phase = phase_ranges_at(pr, k->tid, c->seq[i].time_ns, NULL);
    uint32_t *at = &row_of[(size_t)b->site_shape[cls] * PHASE_COUNT + phase];
    if (!*at) {
      MFU_GROW(b->out.sites, b->out.nsites, b->sites_cap);
      b->out.sites[b->out.nsites] = b->site_shapes[b->site_shape[cls]];
      b->out.sites[b->out.nsites].range_phase = (uint8_t)phase;
      *at = (uint32_t)++b->out.nsites;
    }
    struct call_times_site *row = &b->out.sites[*at - 1];
    row->calls++;
    row->flops += k->flops;
    row->host_ns += rank_column_get(&c->host_ns, i);
    if (b->gpu_ns) {
      row->timed_calls += b->timed[i];
      row->gpu_ns += b->gpu_ns[i];
    }
  }
  free(row_of);
}

/* Adds n calls of `flops` each to the exact sum *sum; false when a partial sum could leave
 * the integers a double holds exactly (2^53). */
static bool add_exact(uint64_t *sum, uint64_t n, double flops) {
  const uint64_t most = 1ull << 53;
  if (!(flops >= 0 && flops <= (double)most)) return false;
  uint64_t f = (uint64_t)flops;
  if (f && n > (most - *sum) / f) return false;
  *sum += n * f;
  return true;
}

/* The same sums by class (calls.h counts each class's calls and host time), when no NVTX range
 * says a phase, so that a site row is its site_shapes[] entry. FLOPs are summed one call at a
 * time in doubles, in the order read: when every partial sum is an integer below 2^53 each
 * addition is exact, so the total is the exact sum whatever the order, computed here in
 * integers. Returns false, changing nothing, when some sum might not be exact. */
static bool add_classes(struct call_times_builder *b, const struct rank_calls *c) {
  uint64_t *gemm = mfu_xcalloc(b->out.ngemm, sizeof *gemm);
  uint64_t *site = mfu_xcalloc(b->nsite_shapes, sizeof *site);
  bool exact = true;
  for (size_t i = 0; i < c->nclasses && exact; i++) {
    const struct rank_call_class *k = &c->classes[i];
    if (k->kind == RANK_CALL_LAUNCH) continue;
    exact = add_exact(&site[b->site_shape[i]], k->calls, k->flops) &&
            (k->kind != RANK_CALL_GEMM || add_exact(&gemm[b->row[i]], k->calls, k->flops));
  }
  if (exact) {
    b->out.sites = mfu_xmalloc(b->nsite_shapes, sizeof *b->out.sites);
    b->out.nsites = b->sites_cap = b->nsite_shapes;
    for (size_t s = 0; s < b->nsite_shapes; s++) {
      b->out.sites[s] = b->site_shapes[s];
      b->out.sites[s].range_phase = PHASE_OTHER;
      b->out.sites[s].flops = (double)site[s];
    }
    for (size_t g = 0; g < b->out.ngemm; g++) b->out.gemm[g].flops = (double)gemm[g];
    for (size_t i = 0; i < c->nclasses; i++) {
      const struct rank_call_class *k = &c->classes[i];
      if (k->kind == RANK_CALL_LAUNCH) continue;
      if (k->kind == RANK_CALL_GEMM) b->out.gemm[b->row[i]].calls += k->calls;
      else b->out.nccl[b->row[i]].calls += k->calls;
      b->out.sites[b->site_shape[i]].calls += k->calls;
      b->out.sites[b->site_shape[i]].host_ns += k->host_ns;
    }
  }
  free(gemm);
  free(site);
  return exact;
}

/* Each GPU activity's time to the call that launched it (rank_calls_resolve), to its kernel's
 * row and, with `by_class` (add_classes), to the call's site row; else to the call, for
 * add_calls. */
static void time_calls(struct call_times_builder *b, const struct rank_calls *c, bool by_class) {
  b->timed = mfu_xcalloc(c->n, sizeof *b->timed);
  if (!by_class) b->gpu_ns = mfu_xcalloc(c->n, sizeof *b->gpu_ns);
  for (size_t a = 0; a < c->nacts; a++) {
    const struct rank_activity *act = &c->acts[a];
    enum activity_category cat = (enum activity_category)act->cat;
    uint64_t ns = act->end_ns > act->start_ns ? act->end_ns - act->start_ns : 0;
    /* A call's time is its kernels': a copy it made ran on a copy engine, beside them. */
    bool copy = cat == CAT_MEMCPY || cat == CAT_MEMSET;
    uint32_t i = copy ? RANK_CALL_NONE : act->call;
    uint32_t cls = i == RANK_CALL_NONE ? 0 : c->cls[i];
    if (i != RANK_CALL_NONE && c->classes[cls].kind != RANK_CALL_LAUNCH) {
      const struct rank_call_class *k = &c->classes[cls];
      bool first = !b->timed[i];
      b->timed[i] = 1;
      if (by_class) {
        b->out.sites[b->site_shape[cls]].gpu_ns += ns;
        b->out.sites[b->site_shape[cls]].timed_calls += first;
      } else {
        b->gpu_ns[i] += ns;
      }
      if (k->kind == RANK_CALL_GEMM) {
        struct call_times_gemm *g = &b->out.gemm[b->row[cls]];
        g->gpu_ns += ns;
        g->timed_calls += first;
        if (first) g->timed_flops += k->flops;
        cat = CAT_GEMM;
      } else {
        struct call_times_nccl *n = &b->out.nccl[b->row[cls]];
        n->gpu_ns += ns;
        n->timed_calls += first;
        cat = CAT_NCCL;
      }
    }
    struct call_times_kernel *kr = kernel_entry(b, act->name, cat);
    kr->count++;
    kr->ns += ns;
  }
}

void call_times_finish(const struct rank_calls *c, const struct mfu_trace *t,
                       struct call_times *out) {
  struct call_times_builder *b = mfu_xcalloc(1, sizeof *b);
  rows_of(b, c);
  struct phase_ranges pr;
  phase_ranges_of(c, t, &pr);
  bool by_class = !pr.n && add_classes(b, c);
  if (c->nacts) time_calls(b, c, by_class); /* none in a trace without the GPU timeline */
  if (!by_class) add_calls(b, c, &pr);
  phase_ranges_free(&pr);
  for (size_t i = 0; i < b->out.nkernels; i++) {
    const char *text = b->kernel_name[i] ? mfu_trace_string(t, b->kernel_name[i]) : NULL;
    b->out.kernels[i].name = text ? mfu_xstrdup(text) : NULL;
  }
  *out = b->out;
  slots_free(&b->gemm_slots);
  slots_free(&b->nccl_slots);
  slots_free(&b->kernel_slots);
  slots_free(&b->site_shape_slots);
  free(b->site_shapes);
  free(b->kernel_name);
  free(b->row);
  free(b->site_shape);
  free(b->gpu_ns);
  free(b->timed);
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
