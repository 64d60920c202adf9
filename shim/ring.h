/* Per-thread record rings (ring.c). Each thread that makes a recorded call gets one ring, of
 * which it is the only producer; the writer drains them all. Host records carry clock stamps
 * (clock.h), which the writer converts to CLOCK_MONOTONIC ns as it drains them; GPU activity
 * records (KERNEL, MEMCPY, MEMSET) carry CLOCK_MONOTONIC ns already (mfu_ring_ns). */
#ifndef MFU_SHIM_RING_H
#define MFU_SHIM_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "mfu/trace.h"

#define MFU_TLS __thread __attribute__((tls_model("initial-exec")))

#define MFU_RING_SLOTS 4096u /* power of two; 544 KiB per thread */

struct mfu_ring {
  _Alignas(64) atomic_uint_fast64_t head; /* next slot the owner fills; release-published */
  uint64_t limit;                         /* the owner's: tail as it last saw it + SLOTS */
  _Alignas(64) atomic_uint_fast64_t tail; /* next slot to drain; advanced under the file lock */
  _Alignas(64) atomic_int state;          /* enum mfu_ring_state */
  uint32_t tid;
  struct mfu_ring *next; /* registry link, set before the ring is published */
  atomic_uint_fast64_t outside; /* calls outside the recording window (window.h): the owner's */
  struct mfu_record slots[MFU_RING_SLOTS];
};
enum mfu_ring_state { MFU_RING_ACTIVE, MFU_RING_RETIRED, MFU_RING_FREE };

extern MFU_TLS struct mfu_ring *mfu_self;
extern MFU_TLS int mfu_depth;
extern _Atomic(struct mfu_ring *) mfu_rings; /* registry of every ring, newest first */

/* Who empties the rings: set by the writer at load (pointers: ring.c sits below writer.c). */
struct mfu_ring_consumer {
  void (*drain)(struct mfu_ring *only); /* now, on this thread: `only` is full */
  void (*wake)(void);                   /* soon, on the consumer's thread: a ring is half full */
};
extern struct mfu_ring_consumer mfu_ring_consumer;

struct mfu_ring *mfu_ring_attach(void);                 /* this thread's ring, created once */
/* Room for the next record: `limit` renewed from `tail`, else the ring drained synchronously. */
bool mfu_ring_make_room(struct mfu_ring *r);

/* Time t (one of record r's two) in CLOCK_MONOTONIC ns: a clock stamp converted; GPU activity
 * records' times (KERNEL, MEMCPY, MEMSET: converted by gpu_timeline.c) as they are. */
static inline uint64_t mfu_ring_ns(const struct mfu_record *r, uint64_t t) {
  bool gpu = r->kind == MFU_REC_KERNEL || r->kind == MFU_REC_MEMCPY || r->kind == MFU_REC_MEMSET;
  return gpu ? t : mfu_clock_to_ns(t);
}

/* The next free slot of `r` (not yet published), draining the ring first if it is full; NULL
 * if no room can be made. */
static inline __attribute__((always_inline)) struct mfu_record *mfu_ring_slot(struct mfu_ring *r) {
  uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
  if (__builtin_expect(head >= r->limit, 0) && !mfu_ring_make_room(r)) return NULL;
  return &r->slots[head & (MFU_RING_SLOTS - 1)];
}

/* Publishes the slot mfu_ring_slot gave; wakes the writer when the ring is half full (by the
 * tail the owner last saw: if the writer has drained since, it wakes to less work). */
static inline __attribute__((always_inline)) void mfu_ring_publish(struct mfu_ring *r) {
  uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed) + 1;
  atomic_store_explicit(&r->head, head, memory_order_release);
  if (head == r->limit - MFU_RING_SLOTS / 2) mfu_ring_consumer.wake();
}

#endif
