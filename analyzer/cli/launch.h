/* launch: running a command under the shim, for `mfu run` and `mfu sweep`: the environment
 * that preloads the shim and points it at a trace directory, and the command's run with its
 * exit status as a shell reports it. `cmd` prefixes the messages ("mfu run"). */
#ifndef MFU_LAUNCH_H
#define MFU_LAUNCH_H

#include <limits.h>
#include <stdbool.h>

#define LAUNCH_SHIM "libmfushim.so"

/* Sets what the command inherits: MFU_TRACE_DIR = `dir` (made if missing; its absolute path
 * into abs_dir, so that a command that changes directory still writes there), the shim (next
 * to the mfu binary, else in ../lib) first in LD_PRELOAD (once, however often this is called;
 * behind a sanitizer's runtime, libasan or libtsan, that comes first there), and the shim as NVTX's injection library unless one is set. 0, or an exit status after
 * saying why. */
int launch_environment(const char *cmd, const char *dir, char abs_dir[PATH_MAX]);

/* Runs argv, its stdout and stderr to out_fd (-1: ours), for at most timeout_s seconds (0: no
 * limit; then SIGTERM, and SIGKILL 10 s later). Returns its exit status as a shell would
 * (128 + N if signal N killed it; 127 not found, 126 not executable); *started says whether it
 * ran at all. SIGINT and SIGTERM sent to mfu meanwhile are forwarded to it. */
int launch_run(const char *cmd, char **argv, int out_fd, double timeout_s, bool *started);

/* mkdir -p: 0, or -1 with errno. */
int launch_make_dirs(const char *dir);

#endif
