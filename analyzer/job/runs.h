/* runs: which files of one job id are one run. A job id names a launch when a launcher gave it
 * (torchrun, Slurm, Open MPI); when the shim had to guess (its parent's pid), or when a launcher
 * reused it (a fixed --rdzv-id, an elastic restart), unrelated runs share it. So:
 *   - a file of unknown rank is a program of its own (no launcher nor communicator gave it a
 *     rank), with the other files of its process (same host and pid: an exec's new image);
 *   - files of known ranks are one run, unless a rank has several files: then they are told
 *     apart by time, the processes of a launch running together and runs one after another
 *     not (a file that starts after every earlier one has ended begins a new run). */
#ifndef MFU_RUNS_H
#define MFU_RUNS_H

#include <stddef.h>
#include <stdint.h>

#include "mfu/trace.h"

/* A file's wall-clock span, from the shim's start to its last flush or record. */
struct runs_file {
  uint64_t start_ns, end_ns;
  int32_t rank; /* -1: unknown */
  int32_t pid;
  const char *host;
};

/* Numbers each of the n files' run (run_of[i], 0 the earliest run to start) and returns the
 * number of runs. */
size_t runs_split(const struct runs_file *files, size_t n, size_t *run_of);

#endif
