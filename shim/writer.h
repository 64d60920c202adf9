/* The trace file (writer.c): one per process, streamed from the rings by a background thread,
 * completed at exit. The first five are its lifecycle hooks, run by lifecycle.c. */
#ifndef MFU_SHIM_WRITER_H
#define MFU_SHIM_WRITER_H

#include <stdint.h>

struct mfu_ring;

void mfu_writer_init(void);         /* at load time: identity, file name, the rings' consumer */
void mfu_writer_start(void);        /* on the first record: the flush thread */
void mfu_writer_final_flush(void);   /* at exit: drain, END block, header marked complete */
void mfu_writer_signal_flush(void);  /* async-signal-safe best effort; skips if busy */
void mfu_writer_forget(void);        /* in a forked child: never touch the parent's file */
/* The rank learnt from the first NCCL communicator, when no launcher variable gave one:
 * recorded in the header, and the file renamed to carry it. */
void mfu_writer_adopt_rank(int32_t rank, int32_t world_size);
/* The id of a string made as the run goes (a kernel name); 0 if none could be had. */
uint32_t mfu_writer_intern(const char *text);
/* The GPU timeline's state for the header: state and error as they become known; a clock
 * offset (CUPTI minus monotonic, ns) when measured; `dropped` records to add. */
void mfu_writer_note_cupti(uint32_t state, uint32_t error, int64_t offset_ns, uint64_t dropped);
/* Drains `only` (or every ring if NULL) into the file; caller must not hold the lock. */
void mfu_writer_drain(struct mfu_ring *only);

#endif
