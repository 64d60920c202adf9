/* findings: what a report says about a job beside its numbers: warnings (something is wrong
 * or missing: ranks, files, counts that cannot be trusted) and notes (why a figure is
 * absent), which libraries the shim resolved, and whose steps to show. Gathered once from the
 * job and its utilization, for every output form. */
#ifndef MFU_FINDINGS_H
#define MFU_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "job/job.h"
#include "trace/names.h"
#include "utilization.h"
#include "util/strings.h"

struct findings {
  struct mfu_strings warnings, notes;
  size_t hook_files[TRACE_HOOK_COUNT]; /* files whose header says the hook resolved */
  bool nccl;                           /* the job made NCCL calls of any kind */
  const struct rank_utilization *shown; /* the rank whose steps are listed: the first measured */
};

/* `path` is where the traces were read; `job_chosen`: the user named the job (--job), so
 * other jobs beside it are no news; `o`: the options `u` was computed with. */
void findings_gather(struct findings *f, const char *path, const struct mfu_traces *t,
                     const struct mfu_job *j, bool job_chosen,
                     const struct utilization_options *o, const struct job_utilization *u);
void findings_free(struct findings *f);

#endif
