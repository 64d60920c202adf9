/* The trace file (writer.c): one per process, streamed from the rings by a background thread,
 * completed at exit. The first seven are its lifecycle hooks, run by lifecycle.c. */
#ifndef MFU_SHIM_WRITER_H
#define MFU_SHIM_WRITER_H

#include <stdbool.h>
#include <stdint.h>

struct mfu_ring;

void mfu_writer_init(void);         /* at load time: identity, file name, the rings' consumer */
void mfu_writer_start(void);        /* on the first record: the file and its header, the flush
                                       thread */
void mfu_writer_final_flush(void);   /* at exit: drain, END block, header marked complete */
void mfu_writer_signal_flush(void);  /* async-signal-safe best effort: drain, header */
/* The process ends or replaces its image without exit handlers (_exit, execve): as the final
 * flush, async-signal-safe, the file left open; records made after it wait, and are written
 * only if mfu_writer_resume (the execve failed) takes the END block back. */
void mfu_writer_end(void);
void mfu_writer_resume(void);
void mfu_writer_forget(void);        /* in a forked child: never touch the parent's file */
/* Runs `job` on the writer's thread and waits for it, a bounded time: for work that must not
 * run where the caller is (in a signal handler, perhaps). False if there is no writer thread
 * or the job did not finish in time. */
bool mfu_writer_run(void (*job)(void));
/* The rank learnt from the first NCCL communicator, when no launcher variable gave one:
 * recorded in the header, and the file renamed to carry it. */
void mfu_writer_adopt_rank(int32_t rank, int32_t world_size);
/* The id of a string made as the run goes (a kernel name); 0 if none could be had. */
uint32_t mfu_writer_intern(const char *text);
/* The GPU timeline's state for the header: state and error as they become known; a clock
 * offset (CUPTI minus monotonic, ns) when measured; `dropped` records to add. */
void mfu_writer_note_cupti(uint32_t state, uint32_t error, int64_t offset_ns, uint64_t dropped);
/* Drains `only` (or every ring if NULL) into the file; caller must not hold the lock. `only`
 * is the caller's own ring, found full: if the lock's holder frees a slot of it while the
 * caller waits for the lock, the caller goes back to its call instead. */
void mfu_writer_drain(struct mfu_ring *only);

#endif
