/* The process's lifecycle (lifecycle.c). */
#ifndef MFU_SHIM_LIFECYCLE_H
#define MFU_SHIM_LIFECYCLE_H

#include <stdatomic.h>

extern atomic_int mfu_tracing;  /* 1 while calls are recorded */
void mfu_start_once(void);      /* writer thread + signal handlers, on the first record */

#endif
