/* The GPU timeline, through CUPTI's Activity API (gpu_timeline.c). Start, stop, flush and
 * forget are its lifecycle hooks, run by lifecycle.c; push and pop are for the hot path
 * (call.h). */
#ifndef MFU_SHIM_GPU_TIMELINE_H
#define MFU_SHIM_GPU_TIMELINE_H

#include <stdatomic.h>
#include <stdint.h>

extern atomic_bool mfu_cupti_active;
void mfu_cupti_start(void);     /* with the writer, on the first record */
void mfu_cupti_stop(void);      /* at exit: CUPTI's last buffers, before the writer's last drain */
void mfu_cupti_flush(void);     /* CUPTI's buffers now; CUPTI stays on */
void mfu_cupti_forget(void);    /* in a forked child: CUPTI is never called again */
uint64_t mfu_cupti_push(void);  /* pushes a new external correlation id; returns it, or 0 */
void mfu_cupti_pop(void);

#endif
