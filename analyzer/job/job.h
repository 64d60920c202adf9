/* job: reads every trace file of a directory (one at a time: thousands must work), sums each
 * file's GEMM and NCCL counts (calls captured into CUDA graphs once per launch that ran them,
 * graphs.h), and groups the files into jobs (header.job_id) and ranks
 * (header.rank), with warnings for ranks that are missing, duplicated or incomplete. */
#ifndef MFU_JOB_H
#define MFU_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mfu/nccl.h"
#include "mfu/precision.h"
#include "mfu/trace.h"
#include "steps/rank_steps.h"

/* A growable list of strings (paths, warnings). */
struct mfu_strings {
  char **v;
  size_t n, cap;
};
void mfu_strings_add(struct mfu_strings *l, const char *s);
__attribute__((format(printf, 2, 3))) void mfu_strings_addf(struct mfu_strings *l,
                                                             const char *fmt, ...);
void mfu_strings_free(struct mfu_strings *l);

struct mfu_api_stats {
  char name[64]; /* from the trace's string table */
  uint64_t calls, failed;
  unsigned __int128 flops;
};

/* NCCL calls of one operation (enum mfu_nccl_op). */
struct mfu_nccl_stats {
  uint64_t calls, failed;  /* calls: returned ncclSuccess (or ncclInProgress) */
  unsigned __int128 bytes; /* nccl-tests' S of the successful calls */
  uint64_t host_ns;        /* time spent inside the calls, failed ones included */
};

/* GEMM and NCCL counts of one file, or of a whole job. Calls that returned an error count as
 * failed only: they performed no FLOPs and moved no bytes. */
struct mfu_counts {
  uint64_t gemm_calls, gemm_failed;
  unsigned __int128 gemm_flops;
  uint64_t calls_by_precision[MFU_PREC_COUNT]; /* out-of-range classes count as "other" */
  unsigned __int128 flops_by_precision[MFU_PREC_COUNT];
  uint64_t flops_saturated; /* FLOPs overflowed 64 bits: counted as UINT64_MAX, a lower bound */
  uint64_t shape_unknown;   /* shape could not be decoded: counted with 0 FLOPs */
  uint64_t unknown_records; /* records of kinds this mfu does not know (newer shim): skipped */
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

/* GEMM and NCCL data calls: a share of some counts. */
struct mfu_work {
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
  struct mfu_work launched;  /* what the launches ran: part of the counts */
  uint64_t unlaunched_captures; /* captures holding GEMM or NCCL calls that no launch ran */
  struct mfu_work unlaunched;   /* their calls: not in the counts */
};

struct mfu_file {
  char *path;
  bool readable;  /* the header is valid and `header` holds it */
  bool complete;  /* ... and every block was read up to a clean END */
  char problem[256]; /* why not readable or not complete */
  uint64_t problem_offset;
  struct mfu_file_header header;
  struct mfu_counts counts;
  struct mfu_graph_counts graphs;
  uint64_t records;           /* valid records read, of every kind */
  uint64_t first_ns, last_ns; /* CLOCK_MONOTONIC span of the records: start of the first, end
                                 of the last */
  uint64_t skipped_blocks;    /* valid blocks of unknown types (newer shim) */
  struct rank_steps steps;    /* training steps, their work and GPU time */
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

/* Appends to `out` the trace files (*.mfutrace) at `path`: the file itself, or the files in
 * the directory and in its subdirectories (one level), sorted. Subdirectories that cannot be
 * read are named in `warnings` (may be NULL). Returns 0, or -1 with a message in err. */
int mfu_find_traces(const char *path, struct mfu_strings *out, struct mfu_strings *warnings,
                    char *err, size_t errlen);

/* Reads the trace files at `path` except those in `skip` (sorted, may be NULL) and groups
 * them into jobs. Returns 0; 1 when there is no trace file (err says where it looked and
 * what to do); -1 when `path` cannot be used (err says why). Free with mfu_traces_free in
 * every case. */
int mfu_traces_load(struct mfu_traces *t, const char *path, const struct mfu_strings *skip,
                    char *err, size_t errlen);
/* The same, with the NVTX ranges whose message matches `step_range` (POSIX extended regular
 * expression; NULL: none) as each rank's steps (rank_steps.h). */
int mfu_traces_load_steps(struct mfu_traces *t, const char *path, const struct mfu_strings *skip,
                          const char *step_range, char *err, size_t errlen);
void mfu_traces_free(struct mfu_traces *t);

/* The job with this id, or NULL. */
const struct mfu_job *mfu_traces_find_job(const struct mfu_traces *t, const char *job_id);

#endif
