/* counts: what the GEMM, other Level-3 BLAS and NCCL calls of a file, or of a whole job, did: calls, FLOPs by
 * precision and by API, bytes by NCCL operation. Calls that returned an error count as failed
 * only: they performed no FLOPs and moved no bytes. */
#ifndef MFU_COUNTS_H
#define MFU_COUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "mfu/blas3.h"
#include "mfu/nccl.h"
#include "mfu/precision.h"
#include "mfu/trace.h"
#include "trace/memo.h"
#include "trace/reader.h"

struct mfu_api_stats {
  char name[64]; /* from the trace's string table */
  uint64_t calls, failed;
  unsigned __int128 flops;
};

/* Calls of one non-GEMM Level-3 routine (enum mfu_blas3_routine): a class of their own, never
 * in the GEMM counts. */
struct mfu_blas3_stats {
  uint64_t calls, failed;
  unsigned __int128 flops;
};

/* NCCL calls of one operation (enum mfu_nccl_op). */
struct mfu_nccl_stats {
  uint64_t calls, failed;  /* calls: returned ncclSuccess (or ncclInProgress) */
  unsigned __int128 bytes; /* nccl-tests' S of the successful calls */
  uint64_t host_ns;        /* time spent inside the calls, failed ones included */
};

struct mfu_counts {
  uint64_t gemm_calls, gemm_failed;
  unsigned __int128 gemm_flops;
  uint64_t calls_by_precision[MFU_PREC_COUNT]; /* out-of-range classes count as "other" */
  unsigned __int128 flops_by_precision[MFU_PREC_COUNT];
  uint64_t flops_saturated; /* FLOPs overflowed 64 bits: counted as UINT64_MAX, a lower bound */
  uint64_t shape_unknown;   /* shape could not be decoded: counted with 0 FLOPs */
  uint64_t unknown_records; /* records of kinds this mfu does not know (newer shim): skipped */
  struct mfu_blas3_stats blas3[MFU_BLAS3_COUNT]; /* syrk, trsm...: by routine */
  uint64_t blas3_calls, blas3_failed;
  unsigned __int128 blas3_flops;
  struct mfu_nccl_stats nccl_ops[MFU_NCCL_OP_COUNT]; /* every NCCL call, by operation */
  uint64_t nccl_calls, nccl_failed; /* data movements only (collectives, send, recv) */
  unsigned __int128 nccl_bytes;
  uint64_t nccl_grouped;         /* successful data movements inside ncclGroupStart/End */
  uint64_t nccl_groups;          /* outermost groups opened */
  uint64_t bytes_saturated;      /* bytes overflowed 64 bits: counted as UINT64_MAX */
  uint64_t dtype_unknown;        /* datatype unknown to the shim: counted with 0 bytes */
  struct mfu_api_stats *apis; /* a job's: most FLOPs first, then most calls, then by name */
  size_t napis;
};

/* The GEMM and NCCL data calls of some counts: a share of them (what graph launches ran). */
struct counts_share {
  uint64_t gemm_calls, nccl_calls;
  unsigned __int128 gemm_flops, nccl_bytes;
};

/* CUDA graphs of one file or job. Calls captured into a graph count in mfu_counts once per
 * launch that ran them, as if made then (a step replayed from a graph counts like the same
 * step run eagerly); these say how much of the counts came from launches, and what was
 * captured and never ran. */
struct mfu_graph_counts {
  uint64_t captures;         /* stream captures seen */
  uint64_t instantiations;   /* successful cudaGraphInstantiate* calls */
  uint64_t launches;         /* successful cudaGraphLaunch calls, unknown ones included */
  uint64_t executables;      /* graph executables launched at least once */
  uint64_t unknown_launches; /* launches of executables never seen instantiated: what they ran
                                is unknown and not counted */
  struct counts_share launched;  /* what the launches ran: part of the counts */
  uint64_t unlaunched_captures;  /* captures holding GEMM or NCCL calls that no launch ran */
  struct counts_share unlaunched; /* their calls: not in the counts */
};

/* The records of one descriptor of a block (trace/reader.h) tallied so far: its first, how
 * many, and their host time. */
struct counts_descriptor {
  struct mfu_record first;
  uint64_t n, ns;
};

/* What some records of one file counted (its direct calls, or one capture's), per API keyed
 * by the records' string ids while the file is read: its STRINGS blocks may come later than
 * some records, so the APIs are named at the end (counts_of_tally). */
struct counts_api_tally;
struct counts_tally {
  struct mfu_counts c; /* without apis, nor the records tallied by descriptor (below) */
  struct counts_api_tally *apis;
  size_t napis;
  /* counts_tally_traced: the records of the current block by descriptor, counted into c
   * when the block ends (every record of one descriptor counts alike) */
  uint64_t block; /* its records_block */
  struct trace_memo index; /* a descriptor's in `descriptors` */
  struct counts_descriptor *descriptors;
  size_t ndescriptors, descriptors_cap;
};

/* A record's host time, what an NCCL call counts. */
static inline uint64_t counts_host_ns(const struct mfu_record *r) {
  return r->t_end_ns > r->t_start_ns ? r->t_end_ns - r->t_start_ns : 0;
}

/* Counts one GEMM, BLAS3 or NCCL record. */
void counts_tally_record(struct counts_tally *t, const struct mfu_record *r);

void counts_tally_first(struct counts_tally *t, const struct mfu_record *r,
                        const struct mfu_trace *trace);
/* Counts the GEMM, BLAS3 or NCCL record `trace` handed out last, as counts_tally_record, by
 * its descriptor: the calls of one descriptor are counted once per block, a record costs an
 * increment. t->c lacks them until counts_of_tally. */
static inline void counts_tally_traced(struct counts_tally *t, const struct mfu_record *r,
                                       const struct mfu_trace *trace) {
  uint64_t i;
  if (!trace_memo_get(&t->index, trace, &i)) {
    counts_tally_first(t, r, trace);
    return;
  }
  t->descriptors[i].n++;
  t->descriptors[i].ns += counts_host_ns(r);
}
/* Adds `times` the calls of src (0: its host time only), which tallied no record by
 * descriptor. */
void counts_tally_add(struct counts_tally *dst, const struct counts_tally *src, uint64_t times);
/* The counts of a tally, its APIs named from the trace's string table. */
void counts_of_tally(struct mfu_counts *out, struct counts_tally *t,
                     const struct mfu_trace *trace);
void counts_tally_free(struct counts_tally *t);

void counts_add(struct mfu_counts *dst, const struct mfu_counts *src);
/* Orders c->apis as reports list them: most FLOPs first, then most calls, then by name. */
void counts_sort_apis(struct mfu_counts *c);
void counts_free(struct mfu_counts *c);

struct counts_share counts_share_of(const struct mfu_counts *c);
void counts_share_add(struct counts_share *dst, struct counts_share src, uint64_t times);
void counts_graphs_add(struct mfu_graph_counts *dst, const struct mfu_graph_counts *src);

#endif
