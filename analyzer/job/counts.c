/* counts: see counts.h. */
#include "counts.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/sort.h"

struct counts_api_tally {
  uint32_t id;
  struct mfu_api_stats s;
};

/* Adds `times` the calls of `src`. */
static void api_stats_add(struct mfu_api_stats *dst, const struct mfu_api_stats *src,
                          uint64_t times) {
  dst->calls += src->calls * times;
  dst->failed += src->failed * times;
  dst->flops += src->flops * times;
}

static struct mfu_api_stats *api_entry(struct mfu_counts *c, const char *name) {
  for (size_t i = 0; i < c->napis; i++)
    if (!strcmp(c->apis[i].name, name)) return &c->apis[i];
  c->apis = mfu_xrealloc(c->apis, (c->napis + 1) * sizeof *c->apis);
  struct mfu_api_stats *a = &c->apis[c->napis++];
  *a = (struct mfu_api_stats){0};
  snprintf(a->name, sizeof a->name, "%s", name);
  return a;
}

/* The counting rules below count `n` calls of one descriptor (include/mfu/trace.h) at once:
 * what they look at is the same in all of them, but for NCCL's host time, `ns` in all. */
static void count_gemm(struct mfu_counts *c, struct mfu_api_stats *api,
                       const struct mfu_record *r, uint64_t n) {
  if (r->status != 0) { /* the call failed: it did no work */
    c->gemm_failed += n;
    api->failed += n;
    return;
  }
  unsigned p = r->u.gemm.precision < MFU_PREC_COUNT ? r->u.gemm.precision : MFU_PREC_OTHER;
  unsigned __int128 flops = (unsigned __int128)r->flops * n;
  c->gemm_calls += n;
  c->gemm_flops += flops;
  c->calls_by_precision[p] += n;
  c->flops_by_precision[p] += flops;
  c->flops_saturated += (r->flags & MFU_RF_FLOPS_SATURATED) ? n : 0;
  c->shape_unknown += (r->flags & MFU_RF_SHAPE_UNKNOWN) ? n : 0;
  api->calls += n;
  api->flops += flops;
}

/* A routine this mfu does not know comes from a newer shim: skipped, and said. */
static void count_blas3(struct mfu_counts *c, const struct mfu_record *r, uint64_t n) {
  unsigned routine = r->u.gemm.routine;
  if (routine == 0 || routine >= MFU_BLAS3_COUNT) {
    c->unknown_records += n;
    return;
  }
  struct mfu_blas3_stats *s = &c->blas3[routine];
  if (r->status != 0) {
    s->failed += n;
    c->blas3_failed += n;
    return;
  }
  unsigned __int128 flops = (unsigned __int128)r->flops * n;
  s->calls += n;
  s->flops += flops;
  c->blas3_calls += n;
  c->blas3_flops += flops;
  c->flops_saturated += (r->flags & MFU_RF_FLOPS_SATURATED) ? n : 0;
}

/* Data movements count in the totals; group and communicator calls only by operation. An
 * operation this mfu does not know comes from a newer shim: skipped, and said. */
static void count_nccl(struct mfu_counts *c, const struct mfu_record *r, uint64_t n,
                       uint64_t ns) {
  const struct mfu_nccl *op = &r->u.nccl;
  if (op->op >= MFU_NCCL_OP_COUNT) {
    c->unknown_records += n;
    return;
  }
  bool ok = mfu_nccl_accepted(r->status);
  bool data = mfu_nccl_op_moves_data(op->op);
  unsigned __int128 bytes = ok && data ? (unsigned __int128)op->bytes * n : 0;
  uint64_t calls = ok ? n : 0, failed = ok ? 0 : n;
  struct mfu_nccl_stats *s = &c->nccl_ops[op->op];
  s->calls += calls;
  s->failed += failed;
  s->bytes += bytes;
  s->host_ns += ns;
  c->nccl_groups += ok && op->op == MFU_NCCL_GROUP_START && op->group_depth == 1 ? n : 0;
  if (!data) return;
  c->nccl_calls += calls;
  c->nccl_failed += failed;
  c->nccl_bytes += bytes;
  if (!ok) return;
  c->nccl_grouped += op->group_depth > 0 ? n : 0;
  c->bytes_saturated += (r->flags & MFU_RF_BYTES_SATURATED) ? n : 0;
  c->dtype_unknown += (r->flags & MFU_RF_DTYPE_UNKNOWN) ? n : 0;
}

/* Adds `times` the calls of src to dst (a capture's: once per launch that ran it). Host time
 * was spent once, when the calls were made, however often they ran. The per-API stats are
 * the caller's: they are named or keyed by string id. */
static void counts_add_times(struct mfu_counts *dst, const struct mfu_counts *src,
                             uint64_t times) {
  dst->gemm_calls += src->gemm_calls * times;
  dst->gemm_failed += src->gemm_failed * times;
  dst->gemm_flops += src->gemm_flops * times;
  for (unsigned p = 0; p < MFU_PREC_COUNT; p++) {
    dst->calls_by_precision[p] += src->calls_by_precision[p] * times;
    dst->flops_by_precision[p] += src->flops_by_precision[p] * times;
  }
  for (unsigned b = 0; b < MFU_BLAS3_COUNT; b++) {
    dst->blas3[b].calls += src->blas3[b].calls * times;
    dst->blas3[b].failed += src->blas3[b].failed * times;
    dst->blas3[b].flops += src->blas3[b].flops * times;
  }
  dst->blas3_calls += src->blas3_calls * times;
  dst->blas3_failed += src->blas3_failed * times;
  dst->blas3_flops += src->blas3_flops * times;
  dst->flops_saturated += src->flops_saturated * times;
  dst->shape_unknown += src->shape_unknown * times;
  dst->unknown_records += src->unknown_records * times;
  for (unsigned op = 0; op < MFU_NCCL_OP_COUNT; op++) {
    struct mfu_nccl_stats *d = &dst->nccl_ops[op];
    const struct mfu_nccl_stats *s = &src->nccl_ops[op];
    d->calls += s->calls * times;
    d->failed += s->failed * times;
    d->bytes += s->bytes * times;
    d->host_ns += s->host_ns;
  }
  dst->nccl_calls += src->nccl_calls * times;
  dst->nccl_failed += src->nccl_failed * times;
  dst->nccl_bytes += src->nccl_bytes * times;
  dst->nccl_grouped += src->nccl_grouped * times;
  dst->nccl_groups += src->nccl_groups * times;
  dst->bytes_saturated += src->bytes_saturated * times;
  dst->dtype_unknown += src->dtype_unknown * times;
}

static struct mfu_api_stats *tally_entry(struct counts_tally *t, uint32_t id) {
  for (size_t i = 0; i < t->napis; i++)
    if (t->apis[i].id == id) return &t->apis[i].s;
  t->apis = mfu_xrealloc(t->apis, (t->napis + 1) * sizeof *t->apis);
  t->apis[t->napis] = (struct counts_api_tally){.id = id};
  return &t->apis[t->napis++].s;
}

/* Counts n calls of r's descriptor, ns their host time. */
static void tally_calls(struct counts_tally *t, const struct mfu_record *r, uint64_t n,
                        uint64_t ns) {
  if (r->kind == MFU_REC_GEMM)
    count_gemm(&t->c, tally_entry(t, r->api), r, n);
  else if (r->kind == MFU_REC_BLAS3)
    count_blas3(&t->c, r, n);
  else
    count_nccl(&t->c, r, n, ns);
}

void counts_tally_record(struct counts_tally *t, const struct mfu_record *r) {
  tally_calls(t, r, 1, counts_host_ns(r));
}

/* Counts what the descriptors of the block counted and forgets them. */
static void fold_block(struct counts_tally *t) {
  for (size_t i = 0; i < t->ndescriptors; i++) {
    const struct counts_descriptor *d = &t->descriptors[i];
    tally_calls(t, &d->first, d->n, d->ns);
  }
  t->ndescriptors = 0;
}

/* The first record of its descriptor in the block (counts_tally_traced counts the others). */
void counts_tally_first(struct counts_tally *t, const struct mfu_record *r,
                        const struct mfu_trace *trace) {
  if (trace->descriptor == TRACE_NO_DESCRIPTOR) {
    counts_tally_record(t, r);
    return;
  }
  if (trace->records_block != t->block) {
    fold_block(t);
    t->block = trace->records_block;
  }
  MFU_GROW(t->descriptors, t->ndescriptors, t->descriptors_cap);
  t->descriptors[t->ndescriptors] = (struct counts_descriptor){*r, 1, counts_host_ns(r)};
  trace_memo_put(&t->index, trace, t->ndescriptors++);
}

void counts_tally_add(struct counts_tally *dst, const struct counts_tally *src, uint64_t times) {
  assert(src->ndescriptors == 0); /* a tally by descriptor is added to, not added */
  counts_add_times(&dst->c, &src->c, times);
  for (size_t i = 0; times && i < src->napis; i++)
    api_stats_add(tally_entry(dst, src->apis[i].id), &src->apis[i].s, times);
}

void counts_of_tally(struct mfu_counts *out, struct counts_tally *t,
                     const struct mfu_trace *trace) {
  fold_block(t);
  *out = t->c;
  out->apis = NULL;
  out->napis = 0;
  for (size_t i = 0; i < t->napis; i++) {
    const char *name = mfu_trace_string(trace, t->apis[i].id);
    char unnamed[32];
    if (!name) {
      snprintf(unnamed, sizeof unnamed, "api#%u", t->apis[i].id);
      name = unnamed;
    }
    api_stats_add(api_entry(out, name), &t->apis[i].s, 1);
  }
}

void counts_tally_free(struct counts_tally *t) {
  free(t->apis);
  free(t->descriptors);
  trace_memo_free(&t->index);
  *t = (struct counts_tally){0};
}

void counts_add(struct mfu_counts *dst, const struct mfu_counts *src) {
  counts_add_times(dst, src, 1);
  for (size_t i = 0; i < src->napis; i++)
    api_stats_add(api_entry(dst, src->apis[i].name), &src->apis[i], 1);
}

static int compare_apis(const void *a, const void *b) {
  const struct mfu_api_stats *x = a, *y = b;
  if (x->flops != y->flops) return x->flops > y->flops ? -1 : 1;
  if (x->calls != y->calls) return x->calls > y->calls ? -1 : 1;
  if (x->failed != y->failed) return x->failed > y->failed ? -1 : 1;
  return strcmp(x->name, y->name);
}

void counts_sort_apis(struct mfu_counts *c) {
  mfu_sort(c->apis, c->napis, sizeof *c->apis, compare_apis);
}

void counts_free(struct mfu_counts *c) {
  free(c->apis);
  c->apis = NULL;
  c->napis = 0;
}

struct counts_share counts_share_of(const struct mfu_counts *c) {
  return (struct counts_share){c->gemm_calls, c->nccl_calls, c->gemm_flops, c->nccl_bytes};
}

void counts_share_add(struct counts_share *dst, struct counts_share src, uint64_t times) {
  dst->gemm_calls += src.gemm_calls * times;
  dst->nccl_calls += src.nccl_calls * times;
  dst->gemm_flops += src.gemm_flops * times;
  dst->nccl_bytes += src.nccl_bytes * times;
}

void counts_graphs_add(struct mfu_graph_counts *dst, const struct mfu_graph_counts *src) {
  dst->captures += src->captures;
  dst->instantiations += src->instantiations;
  dst->launches += src->launches;
  dst->executables += src->executables;
  dst->unknown_launches += src->unknown_launches;
  counts_share_add(&dst->launched, src->launched, 1);
  dst->unlaunched_captures += src->unlaunched_captures;
  counts_share_add(&dst->unlaunched, src->unlaunched, 1);
}
