/* The real functions behind the wrappers (resolve.c): the next definition of `name` after the
 * shim, found once and cached in *slot; NULL (and a message, once, unless `quiet`) if it
 * cannot be found. `hook` is the MFU_HOOK_* bit of the library it belongs to. */
#ifndef MFU_SHIM_RESOLVE_H
#define MFU_SHIM_RESOLVE_H

#include <stdatomic.h>
#include <stdbool.h>

#include "mfu/trace.h"

void *mfu_real_slow(_Atomic(void *) *slot, const char *name, unsigned hook, bool quiet);
static inline void *mfu_real(_Atomic(void *) *slot, const char *name, unsigned hook) {
  void *p = atomic_load_explicit(slot, memory_order_acquire);
  return p ? p : mfu_real_slow(slot, name, hook, false);
}
/* For what the shim merely asks about (the device), where a missing library is no fault. */
static inline void *mfu_real_quiet(_Atomic(void *) *slot, const char *name, unsigned hook) {
  void *p = atomic_load_explicit(slot, memory_order_acquire);
  return p ? p : mfu_real_slow(slot, name, hook, true);
}
/* MFU_HOOK_* bits of the libraries found so far, for the trace header. */
extern atomic_uint mfu_hooks_resolved;

#endif
