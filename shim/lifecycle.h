/* The process's lifecycle (lifecycle.c). */
#ifndef MFU_SHIM_LIFECYCLE_H
#define MFU_SHIM_LIFECYCLE_H

#include <stdatomic.h>

extern atomic_int mfu_tracing;  /* 1 while calls are recorded */
/* The first recorded call of a thread: its ring and a DEVICE record; the first of the process
 * also starts the modules (the writer, then CUPTI), before the real call runs so its kernels
 * are seen. */
void mfu_first_call(void);

#endif
