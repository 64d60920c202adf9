/* The hot path every wrapper runs:
 *
 *     struct mfu_call call;
 *     if (!mfu_call_begin(&call)) return real args;       // tracing off, or nested call
 *     status = real args;
 *     struct mfu_record *rec = mfu_call_end(&call, kind, api, status);
 *     if (rec) ...fill rec->u..., and for a GEMM or collective its call site...;
 *     mfu_call_finish(&call);                              // publish, restore errno
 *
 * The hot path takes no lock, calls no malloc and no stdio: two clock stamps (clock.h: rdtsc
 * where the TSC is trusted), a store into this thread's ring (ring.c), which the writer
 * thread drains (writer.c), and for GEMMs and collectives the call site (stacks.h: mostly a
 * lookup, a stack unwound now and then), taken after the call so that its time is not the
 * call's. */
#ifndef MFU_SHIM_CALL_H
#define MFU_SHIM_CALL_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "gpu_timeline.h"
#include "lifecycle.h"
#include "mfu/trace.h"
#include "resolve.h"
#include "ring.h"
#include "stacks.h"
#include "window.h"

#define MFU_EXPORT __attribute__((visibility("default")))
/* Inlined into every wrapper whatever the compiler's size heuristics say (with a hundred wrappers
 * per file it stops inlining them, and two calls cost the hot path a third more). */
#define MFU_HOT static inline __attribute__((always_inline))

struct mfu_call {
  uint64_t t0;
  uint64_t correlation; /* pushed to CUPTI around the call, 0 if none */
  int saved_errno;
  struct mfu_ring *ring;
};

MFU_HOT bool mfu_call_begin(struct mfu_call *c) {
  if (!atomic_load_explicit(&mfu_tracing, memory_order_relaxed) || mfu_depth) return false;
  mfu_depth = 1;
  if (__builtin_expect(!mfu_self, 0)) mfu_first_call();
  c->correlation = 0;
  if (atomic_load_explicit(&mfu_cupti_active, memory_order_relaxed) &&
      atomic_load_explicit(&mfu_window_open, memory_order_relaxed)) { /* none outside the window */
    int saved = errno;
    c->correlation = mfu_cupti_push();
    errno = saved;
  }
  c->t0 = mfu_clock_stamp();
  return true;
}

/* Claims this thread's next slot and fills the common fields; NULL if no slot can be had
 * (the call is then simply not recorded). */
MFU_HOT struct mfu_record *mfu_call_end(struct mfu_call *c, unsigned kind, unsigned api,
                                        int status) {
  uint64_t t1 = mfu_clock_stamp();
  c->saved_errno = errno;
  if (c->correlation) mfu_cupti_pop();
  struct mfu_ring *r = mfu_self;
  struct mfu_record *rec = r ? mfu_ring_slot(r) : NULL;
  c->ring = rec ? r : NULL;
  if (!rec) return NULL;
  rec->kind = (uint16_t)kind;
  rec->api = (uint16_t)api;
  rec->status = status;
  rec->tid = r->tid;
  rec->flags = 0;
  rec->t_start_ns = c->t0;
  rec->t_end_ns = t1;
  rec->stream = 0;
  rec->correlation = c->correlation;
  rec->flops = 0;
  rec->callsite = 0;
  rec->reserved = 0;
  return rec;
}

/* Whether the filled record goes to the file: inside the recording window, or state that is
 * written whatever the window (window.h). One that does not is left unpublished, and counted. */
MFU_HOT bool mfu_call_keep(struct mfu_call *c, const struct mfu_record *rec) {
  if (__builtin_expect(mfu_window_writes(rec), 1)) return true;
  atomic_store_explicit(&c->ring->outside,
                        atomic_load_explicit(&c->ring->outside, memory_order_relaxed) + 1,
                        memory_order_relaxed);
  c->ring = NULL;
  return false;
}

/* Publishes the record (if any), wakes the writer when the ring is half full, leaves the
 * guarded section and restores the errno the real call left. */
MFU_HOT void mfu_call_finish(struct mfu_call *c) {
  if (c->ring) mfu_ring_publish(c->ring);
  mfu_depth = 0;
  errno = c->saved_errno;
}

/* Defines the exported wrapper `name`: forwards to the real function, and records the call
 * (`describe` fills `rec` from the arguments) unless tracing is off or this is a nested call.
 * If the real function cannot be found, returns `unresolved` (an error code of the API). */
#define MFU_WRAPPER(ret, unresolved, hook, kind, name, params, args, describe)                 \
  MFU_EXPORT __attribute__((flatten)) ret name params {                                         \
    static _Atomic(void *) real_fn;                                                             \
    ret(*real) params = mfu_real(&real_fn, #name, hook);                                        \
    if (!real) return unresolved;                                                               \
    struct mfu_call call;                                                                       \
    if (!mfu_call_begin(&call)) return real args;                                               \
    ret status = real args;                                                                     \
    struct mfu_record *rec = mfu_call_end(&call, kind, MFU_API_##name, (int)status);            \
    if (rec) {                                                                                  \
      describe;                                                                                 \
      mfu_capture_note(rec);                                                                    \
      if (mfu_call_keep(&call, rec) && (kind == MFU_REC_GEMM || kind == MFU_REC_NCCL))          \
        rec->callsite = mfu_stacks_site(__builtin_return_address(0), &call, rec->tid);          \
    }                                                                                           \
    mfu_call_finish(&call);                                                                     \
    return status;                                                                              \
  }

#endif
