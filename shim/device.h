/* Which GPU a thread records on (device.c). */
#ifndef MFU_SHIM_DEVICE_H
#define MFU_SHIM_DEVICE_H

struct mfu_ring;

/* A DEVICE record for the GPU this thread is using, on its ring `r`; called when a thread
 * makes its first recorded call (not for CUPTI's threads, which must not call into CUDA). */
void mfu_device_note(struct mfu_ring *r);

#endif
