/* Native stacks of the calling thread (unwind.c): libunwind's fast local unwinder, loaded at
 * run time, else glibc's backtrace(). Never from a signal handler, never under a shim lock. */
#ifndef MFU_SHIM_UNWIND_H
#define MFU_SHIM_UNWIND_H

/* Chooses the unwinder, once, before any stack is taken (it may load libraries). */
void mfu_unwind_start(void);
/* enum mfu_unwinder (include/mfu/callsites.h): the one chosen; NONE before the start. */
unsigned mfu_unwind_method(void);
/* Up to `max` return addresses of the calling thread, innermost first, starting with one in
 * the caller of mfu_unwind; returns how many (0 without an unwinder). No allocation. */
int mfu_unwind(void **frames, int max);

#endif
