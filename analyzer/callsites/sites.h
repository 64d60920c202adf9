/* sites: a job's call sites. Each distinct stack appears once, however many ranks ran it (the
 * same frames, module by module and offset by offset, and the same Python frames; a thread's
 * device number left out, so pt_autograd_0 on rank 0 and pt_autograd_3 on rank 3 are one
 * site), symbolized, with its phase (steps/phases.h) and what its calls did: calls, FLOPs, GPU
 * and host time, by GEMM shape or NCCL size; and the job's work per phase.
 *
 *     callsites_of_job(job, symbolizer, &out);
 *
 * or, file by file:
 *
 *     struct callsites_builder *b = callsites_builder_new();
 *     for each file: callsites_add_file(b, &table, &call_times);   // its sites and their rows
 *     callsites_finish(b, symbolizer, &out);                         // frees the builder
 *
 * and then, for a file's records: callsites_of_file(&out, &table) maps their `callsite` ids
 * to the job's sites.
 */
#ifndef MFU_CALLSITES_SITES_H
#define MFU_CALLSITES_SITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "job/job.h"
#include "steps/call_times.h"
#include "steps/phases.h"
#include "symbols/symbolizer.h"
#include "trace/callsites.h"

struct callsite_frame {
  const char *module;   /* the module's path; NULL: in no known module (JIT code) */
  uint64_t offset;      /* from the module's load address; the address itself without one */
  const char *function; /* NULL when it has no name; `why` then says why */
  uint64_t into;        /* offset into the function */
  const char *why;
};

struct callsite_pyframe {
  char *function, *file; /* "?" for a function the shim could not name */
  int32_t line;                /* -1: unknown */
};

/* What calls of one GEMM shape or NCCL size did (at one site, or in one phase). */
struct callsite_work {
  uint64_t calls, timed_calls; /* timed: a kernel of the call was seen */
  double flops;
  uint64_t gpu_ns, host_ns;
};

struct callsite_shape {
  uint8_t kind; /* MFU_REC_GEMM or MFU_REC_NCCL */
  struct call_times_gemm gemm; /* GEMM: the shape (its counts unused) */
  struct call_times_nccl nccl; /* NCCL: the operation and size */
  struct callsite_work work;
};

struct callsite {
  char thread[17]; /* the name of the thread it was first seen on */
  struct callsite_frame *frames;
  size_t nframes;
  struct callsite_pyframe *py;
  size_t npy;
  bool truncated;      /* deeper than the shim keeps */
  enum phase phase;    /* by its thread and frames (the calls' NVTX ranges may say otherwise) */
  char *evidence;      /* the thread or frame name that said it (owned); NULL for other */
  size_t ranks;        /* files it appears in */
  size_t first_seen;   /* its order of appearance in the files added */
  struct callsite_work work;
  struct callsite_shape *shapes; /* by FLOPs, then GPU time */
  size_t nshapes;
};

struct callsites {
  struct callsite *v; /* by FLOPs, then GPU time, descending */
  size_t n;
  struct callsite_work phase[PHASE_COUNT]; /* the calls of each phase, NVTX ranges first */
  struct callsite_work unattributed;       /* calls with no call site (stacks off, tables full) */
  size_t files, files_with_sites;          /* files added; those that had a call-site table */
  /* The stacks of the files, from their INFO entries: the unwinder and Python's support of
   * the first file that had one, and whether the others differ. */
  bool has_info, mixed_info;
  struct mfu_cs_info info;
  char **module_paths; /* what the frames' `module` point to (owned) */
  size_t nmodule_paths;
  /* By file added: its table and, by the table's site id, the index in v + 1 (0: none). */
  struct callsites_file {
    const struct trace_callsites *table;
    uint32_t *index;
    size_t n;
  } *by_file;
};

struct callsites_builder;
struct callsites_builder *callsites_builder_new(void);

/* Adds one file: its call-site table and the rows of its call times (call_times.sites). */
void callsites_add_file(struct callsites_builder *b, const struct trace_callsites *table,
                        const struct call_times *times);

/* Symbolizes the job's sites (each distinct one once), classifies them, sums their work and
 * the phases'; frees the builder. Function names live as long as z. */
void callsites_finish(struct callsites_builder *b, struct symbolizer *z, struct callsites *out);

/* The call sites of a job's files (their tables and call times). */
void callsites_of_job(const struct mfu_job *j, struct symbolizer *z, struct callsites *out);

/* The map of a file's call-site ids to `v` (index + 1; 0: no site), n ids long; NULL for a
 * table that was not added. */
const uint32_t *callsites_of_file(const struct callsites *c, const struct trace_callsites *table,
                                  size_t *n);

/* Where a site is, briefly: its innermost Python frame, then its three innermost named native
 * frames without C++ parameters: "attention (model.py:4) < at::native::mm < gemm". */
void callsites_where(const struct callsite *s, char *buf, size_t size);

/* The measured backward/forward FLOP ratio (the formulas assume 2); negative when no forward
 * FLOPs were seen. */
double callsites_backward_forward(const struct callsites *c);

void callsites_free(struct callsites *c);

#endif
