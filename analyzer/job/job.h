/* job: reads every trace file of a directory (a few at a time, in parallel: thousands must
 * work, in the memory of the few being read), sums each file's GEMM and NCCL counts
 * (counts.h; calls captured into CUDA graphs once per launch that ran them, trace/graphs.h),
 * and groups the files into jobs (header.job_id) and ranks (header.rank), with warnings for
 * ranks that are missing, duplicated or incomplete. */
#ifndef MFU_JOB_H
#define MFU_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counts.h"
#include "mfu/trace.h"
#include "steps/call_times.h"
#include "steps/rank_steps.h"
#include "trace/callsites.h"
#include "trace/blocks.h"
#include "util/strings.h"

struct mfu_file {
  char *path;
  bool readable;  /* the header is valid and `header` holds it */
  bool complete;  /* ... and every block was read up to a clean END, none lost */
  char problem[256]; /* why not readable, or why the file did not end cleanly */
  uint64_t problem_offset;
  struct trace_gaps gaps;  /* damage read past (trace/reader.h) */
  struct trace_gap tail;   /* damage up to the end of the file; bytes 0 if none */
  struct mfu_file_header header;
  struct mfu_counts counts;
  struct mfu_graph_counts graphs;
  uint64_t records;           /* valid records read, of every kind */
  uint64_t first_ns, last_ns; /* CLOCK_MONOTONIC span of the records: start of the first, end
                                 of the last */
  uint64_t skipped_blocks;    /* valid blocks of unknown types (newer shim) */
  struct rank_steps steps;    /* training steps, their work and GPU time */
  struct call_times call_times; /* GPU time by GEMM shape, NCCL size, kernel and call site */
  struct trace_callsites callsites; /* where the calls came from (traces from v2 on) */
};

struct mfu_job {
  char job_id[64];
  struct mfu_file **files; /* sorted by rank (unknown rank last), then path */
  size_t nfiles;
  struct mfu_counts totals;
  struct mfu_graph_counts graphs;
  size_t ranks;   /* distinct known ranks, plus each file of unknown rank */
  int world_size; /* largest in the headers; -1 unknown */
  uint64_t started_realtime_ns; /* earliest shim start in the headers, wall clock */
  uint64_t start_realtime_ns, end_realtime_ns; /* first and last record, wall clock; 0 none */
  struct mfu_strings warnings; /* missing, duplicated, incomplete ranks; lost records... */
};

struct mfu_traces {
  struct mfu_file *files; /* every trace file read, sorted by path */
  size_t nfiles;
  struct mfu_job *jobs; /* most recently started first */
  size_t njobs;
  struct mfu_strings warnings; /* files that belong to no job: unreadable ones */
};

/* How many trace files are read at once, each by its own thread (memory grows with one rank
 * per thread): 0, the default, is one per online CPU. */
extern unsigned mfu_traces_threads;

/* Reads the trace files at `path` (trace_files.h) except those in `skip` (sorted, may be
 * NULL) and groups them into jobs; each rank's steps are found as rank_steps.h says, with the
 * NVTX ranges whose message matches `step_range` (POSIX extended regular expression; NULL:
 * none) as its steps. Returns 0; 1 when there is no trace file (err says where it looked and
 * what to do); -1 when `path` cannot be used (err says why). Free with mfu_traces_free in
 * every case. */
int mfu_traces_load(struct mfu_traces *t, const char *path, const struct mfu_strings *skip,
                    const char *step_range, char *err, size_t errlen);
void mfu_traces_free(struct mfu_traces *t);

/* The job with this id, or NULL. */
const struct mfu_job *mfu_traces_find_job(const struct mfu_traces *t, const char *job_id);

#endif
