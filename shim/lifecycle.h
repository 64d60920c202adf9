/* The process's lifecycle (lifecycle.c). */
#ifndef MFU_SHIM_LIFECYCLE_H
#define MFU_SHIM_LIFECYCLE_H

#include <stdatomic.h>
#include <stdbool.h>

extern atomic_int mfu_tracing;  /* 1 while calls are recorded */
/* The first recorded call of a thread: its ring and a DEVICE record; the first of the process
 * also starts the modules (the writer, then CUPTI), before the real call runs so its kernels
 * are seen. */
void mfu_first_call(void);

/* The process ends now without exit handlers (_exit, _Exit, quick_exit): what is buffered is
 * written and the file completed. Async-signal-safe and bounded; a forked child does nothing. */
void mfu_end_now(void);
/* Before an execve, likewise (false if there was nothing to end); after one that failed
 * (only if mfu_before_exec returned true), tracing goes on in the same file. */
bool mfu_before_exec(void);
void mfu_exec_failed(void);
/* exits.c: finds the real _exit, _Exit and quick_exit, before a signal handler may call one. */
void mfu_exits_load(void);

#endif
