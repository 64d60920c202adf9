/* calls: what the step analyses of one rank (rank_steps.h, call_times.h) read from its trace
 * file, taken once while the file is read and shared by both: the calls (successful GEMM and
 * NCCL calls that ran when made, then the CUDA graph launches), the GPU activities (kernels,
 * memcpys, memsets), the correlation records, the NVTX markers and the device.
 *
 *     struct rank_calls *c = rank_calls_new();
 *     rank_calls_reserve(c, records_expected);          // a hint: no copies while growing
 *     for each record r: rank_calls_add(c, r, &trace);  // any order
 *     rank_calls_add_launches(c, &graphs, capture_flops);
 *     rank_calls_resolve(c, &trace);   // kernels' categories, each activity's call
 *     call_times_finish(c, &trace, ...);                // reads it
 *     rank_steps_finish(c, &trace, step_range, ...);    // frees it
 *
 * A call is one row of a table of columns: detect.h's sequence (what it did, hashed, and its
 * start), the dense id of its class (the calls of one shape, call site, thread and work
 * share one), its external correlation id and its host duration (32 bits each, widened to 64
 * bits for the whole column the first time a value does not fit; no external ids at all
 * without the GPU timeline). Memory while building: 24 bytes per call without the GPU
 * timeline, 28 with it, and 32 per GPU activity, 16 per correlation. */
#ifndef MFU_STEPS_CALLS_H
#define MFU_STEPS_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "correlation.h"
#include "detect.h"
#include "trace/graphs.h"
#include "trace/memo.h"
#include "trace/reader.h"
#include "util/slots.h"

enum rank_call_kind { RANK_CALL_GEMM, RANK_CALL_NCCL, RANK_CALL_LAUNCH };

/* What the calls of one class have in common. */
struct rank_call_class {
  uint8_t kind;      /* enum rank_call_kind */
  uint16_t api;      /* the record's */
  uint32_t tid;      /* the calling thread; 0 for launches */
  uint32_t callsite; /* trace/callsites.h; 0 none */
  uint64_t key;      /* detect.h's: API and shape, operation and size, or graph executable */
  double work;       /* GEMM: FLOPs; NCCL: bytes; launch: the FLOPs of its captures */
  double flops;      /* the record's FLOPs (0 for NCCL, and for launches) */
  uint64_t calls, host_ns; /* its calls read so far (not launches), their host times summed */
  union {
    struct mfu_gemm gemm;
    struct mfu_nccl nccl;
  } u;
};

/* A column of unsigned values: none allocated while all are 0, then 32 bits each until one
 * does not fit, then 64. */
struct rank_column {
  uint32_t *narrow;
  uint64_t *wide; /* non-NULL once widened (narrow is then NULL) */
};

static inline uint64_t rank_column_get(const struct rank_column *col, size_t i) {
  return col->wide ? col->wide[i] : col->narrow ? col->narrow[i] : 0;
}

#define RANK_CALL_NONE UINT32_MAX

struct rank_activity {
  uint64_t start_ns, end_ns;
  uint32_t name; /* a kernel's string id; 0 for memcpys and memsets */
  uint32_t call; /* CUPTI's correlation id; after rank_calls_resolve the index of the call
                    that launched it, or RANK_CALL_NONE */
  uint8_t cat;   /* enum activity_category: memcpy, memset, or (kernels) CAT_COUNT until
                    rank_calls_resolve gives the category of its name */
};

/* An NVTX marker or profiler start/stop as recorded (the name a string id). */
struct rank_marker {
  uint64_t time_ns, id;
  uint32_t name;
  uint8_t kind;  /* enum mfu_marker_kind */
  bool ok;       /* status 0 */
};

struct rank_calls {
  struct steps_call *seq; /* per call, in the order read (launches last) */
  uint32_t *cls;          /* per call: its class in classes[] */
  struct rank_column external, host_ns; /* per call; external freed by rank_calls_resolve */
  size_t n, cap;
  bool in_order;          /* the calls' start times never go down */
  struct rank_call_class *classes; /* in the order first seen */
  size_t nclasses, classes_cap;
  struct slots class_slots;
  struct trace_memo memo;          /* by descriptor: the class of its last call */
  struct rank_activity *acts;      /* in the order read */
  size_t nacts, acts_cap;
  struct correlation_pair *corr;   /* freed by rank_calls_resolve */
  size_t ncorr, corr_cap;
  struct rank_marker *markers;
  size_t nmarkers, markers_cap;
  char device[48];                 /* the GPU of the first DEVICE record, "" unknown */
};

struct rank_calls *rank_calls_new(void);
/* Room for the calls and activities of a file of about `records` records (a hint). */
void rank_calls_reserve(struct rank_calls *c, size_t records);
void rank_calls_add(struct rank_calls *c, const struct mfu_record *r, const struct mfu_trace *t);
/* Each graph launch becomes one call, with the FLOPs of the captures it ran
 * (capture_flops[i]: the successful GEMM FLOPs captured in g->captures[i]). */
void rank_calls_add_launches(struct rank_calls *c, const struct mfu_graphs *g,
                             const double *capture_flops);
/* Gives each kernel the category of its name (timeline/kernels.h), each distinct name looked
 * up once, and each activity its call (correlation.h; of calls that share an external id, the
 * first read counts); frees the external ids and the correlations. */
void rank_calls_resolve(struct rank_calls *c, const struct mfu_trace *t);
/* Frees the host durations (the calls' other columns stay). */
void rank_calls_drop_host(struct rank_calls *c);
void rank_calls_free(struct rank_calls *c);

#endif
