/* call_times: the GPU time of one rank's intercepted calls, by what each call did (a GEMM
 * shape, an NCCL operation and size), and the time of its GPU activities by kernel name. A
 * kernel counts for the call that launched it (correlation.h), and that call decides its
 * category (GEMM, NCCL) as in rank_steps.h (a call's memcpys and memsets ran on copy engines:
 * they are not its time, and stay copies); kernels no intercepted call claims keep the
 * category of their name (timeline/kernels.h). Over the whole trace, warm-up steps included.
 * Calls captured into CUDA graphs are not here: their kernels run under the graph's launches,
 * which claim them. From the rank's calls (calls.h), read once for it and for rank_steps:
 *
 *     call_times_finish(calls, &trace, &fs->call_times); // names kernels
 *
 * Memory while finishing: 9 bytes per call with a GPU timeline (its time), none without. */
#ifndef MFU_CALL_TIMES_H
#define MFU_CALL_TIMES_H

#include <stddef.h>
#include <stdint.h>

#include "calls.h"
#include "timeline/timeline.h"
#include "trace/reader.h"

/* The successful calls of one GEMM shape. */
struct call_times_gemm {
  int64_t m, n, k, batch;
  uint8_t transa, transb; /* cublasOperation_t */
  uint8_t precision;      /* enum mfu_precision */
  uint64_t calls, timed_calls; /* timed: at least one kernel of the call was seen */
  double flops, timed_flops;
  uint64_t gpu_ns;        /* the durations of their kernels, summed */
};

/* The successful data movements of one NCCL operation, size and communicator size. */
struct call_times_nccl {
  uint8_t op;         /* enum mfu_nccl_op */
  uint64_t bytes;     /* nccl-tests' S */
  int32_t comm_size;  /* -1 unknown */
  uint64_t calls, timed_calls;
  uint64_t gpu_ns;
};

/* The GPU activities of one kernel name and category. */
struct call_times_kernel {
  char *name;                   /* as CUPTI reported it; NULL for memcpy and memset */
  enum activity_category cat;
  uint64_t count, ns;           /* activities, their durations summed */
};

/* What the calls from one call site did, by GEMM shape or NCCL size and by the phase that an
 * NVTX range around them said (steps/phases.h; a push/pop range holds its own thread's calls,
 * a start/end range every thread's). */
struct call_times_site {
  uint32_t site;       /* in the file's call-site table (trace/callsites.h); 0: none */
  uint8_t kind;        /* MFU_REC_GEMM or MFU_REC_NCCL */
  uint8_t range_phase; /* enum phase; PHASE_OTHER: no range said one */
  uint32_t shape;      /* in gemm[] or nccl[], by kind */
  uint64_t calls, timed_calls;
  double flops;
  uint64_t gpu_ns, host_ns;
};

struct call_times {
  struct call_times_gemm *gemm; /* in the order first seen */
  size_t ngemm;
  struct call_times_nccl *nccl;
  size_t nnccl;
  struct call_times_kernel *kernels;
  size_t nkernels;
  struct call_times_site *sites;
  size_t nsites;
};

/* Ties the activities to their calls (rank_calls_resolve did: calls.h), sums the calls by
 * shape, call site and phase, and names the kernels from the trace's string table. */
void call_times_finish(const struct rank_calls *c, const struct mfu_trace *t,
                       struct call_times *out);

void call_times_free(struct call_times *c);

#endif
