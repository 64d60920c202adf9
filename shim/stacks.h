/* Call sites (stacks.c): where an intercepted call came from, as the id of an entry in the
 * process's call-site table (native frames, Python frames, thread name), which the writer puts
 * in the trace (include/mfu/callsites.h). MFU_STACKS=off|N: a call site's first call is
 * unwound, then one call in N; the calls between carry the site found last. */
#ifndef MFU_SHIM_STACKS_H
#define MFU_SHIM_STACKS_H

#include <stddef.h>
#include <stdint.h>

#define MFU_STACKS_DEPTH 48    /* native frames kept per site */
#define MFU_STACKS_PY_DEPTH 8  /* Python frames kept per site */

/* Lifecycle hook: chooses the unwinder, maps the loaded objects, looks for CPython. */
void mfu_stacks_start(void);

/* The call site of the intercepted call being made on this thread (0: none, or stacks off).
 * `caller` is the wrapper's return address, `where` an address in the wrapper's frame, `tid`
 * the thread's id: together with the innermost Python frame they recognize a site cheaply;
 * its stack is unwound only on its first call and every Nth after. Must not be called from a
 * signal handler or with a shim lock held; allocates nothing. */
uint32_t mfu_stacks_site(const void *caller, const void *where, uint32_t tid);

/* Appends to buf (room for `cap` bytes) the call-site entries not yet taken: INFO when it
 * changed, then MODULE, CODE and SITE entries, each before what uses it; returns the bytes
 * appended (0: nothing pending, or no room for the next entry). For the one consumer, the
 * writer, under its lock; async-signal-safe. */
size_t mfu_stacks_take(unsigned char *buf, size_t cap);

#endif
