/* files: the writer's file operations that signal handlers may run too (async-signal-safe:
 * system calls only, no allocation, no stdio). */
#ifndef MFU_SHIM_FILES_H
#define MFU_SHIM_FILES_H

#include <stdbool.h>
#include <sys/uio.h>

/* mkdir -p: `dir` and each directory above it (the string is restored). 0, or -1 with errno. */
int mfu_files_mkdirs(char *dir);

/* Writes every byte of the n parts (writev, on after short writes and EINTR; `iov` is used
 * up). false with errno on failure. */
bool mfu_files_write_all(int fd, struct iovec *iov, int n);

#endif
