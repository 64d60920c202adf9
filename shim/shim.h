/* Internals shared by the shim's modules, and the hot path every wrapper runs:
 *
 *     struct mfu_call call;
 *     if (!mfu_call_begin(&call)) return real args;       // tracing off, or nested call
 *     status = real args;
 *     struct mfu_record *rec = mfu_call_end(&call, kind, api, status);
 *     if (rec) ...fill rec->u...;
 *     mfu_call_finish(&call);                              // publish, restore errno
 *
 * The hot path takes no lock, calls no malloc and no stdio: two CLOCK_MONOTONIC reads and a
 * store into this thread's ring (ring.c), which the writer thread drains (writer.c). */
#ifndef MFU_SHIM_H
#define MFU_SHIM_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "mfu/trace.h"

#define MFU_EXPORT __attribute__((visibility("default")))
#define MFU_TLS __thread __attribute__((tls_model("initial-exec")))

/* --- configuration and identity (config.c), read once at load time */
enum mfu_cupti_policy { MFU_CUPTI_AUTO, MFU_CUPTI_ON, MFU_CUPTI_NEVER };

struct mfu_config {
  bool enabled;             /* MFU_DISABLE unset or 0 */
  enum mfu_cupti_policy cupti; /* MFU_CUPTI=auto|on|off */
  bool tf32_allowed;        /* NVIDIA_TF32_OVERRIDE != 0 */
  unsigned flush_ms;        /* MFU_FLUSH_MS, default 1000 */
  char trace_dir[1024];     /* MFU_TRACE_DIR, default ./mfu-traces */
};
extern struct mfu_config mfu_config;
void mfu_config_load(void);
/* Fills identity fields of a fresh header: pid, ranks, job id, host, command line, clocks. */
void mfu_identity_fill(struct mfu_file_header *h);

/* Writes "mfushim: <message>\n" to stderr with one write(2); used for the "say it once"
 * messages (callers keep their own once-flags). Not for signal handlers. */
void mfu_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --- lifecycle (lifecycle.c) */
extern atomic_int mfu_tracing;  /* 1 while calls are recorded */
void mfu_start_once(void);      /* writer thread + signal handlers, on the first record */

/* --- real functions (resolve.c): the next definition of `name` after the shim, found once
 * and cached in *slot; NULL (and a message, once, unless `quiet`) if it cannot be found.
 * `hook` is the MFU_HOOK_* bit of the library it belongs to. */
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
extern atomic_uint mfu_hooks_resolved;

/* --- per-thread rings (ring.c) */
#define MFU_RING_SLOTS 4096u /* power of two; 512 KiB per thread */

struct mfu_ring {
  _Alignas(64) atomic_uint_fast64_t head; /* next slot the owner fills; release-published */
  _Alignas(64) atomic_uint_fast64_t tail; /* next slot to drain; advanced under the file lock */
  _Alignas(64) atomic_int state;          /* enum mfu_ring_state */
  uint32_t tid;
  struct mfu_ring *next; /* registry link, set before the ring is published */
  struct mfu_record slots[MFU_RING_SLOTS];
};
enum mfu_ring_state { MFU_RING_ACTIVE, MFU_RING_RETIRED, MFU_RING_FREE };

extern MFU_TLS struct mfu_ring *mfu_self;
extern MFU_TLS int mfu_depth;
extern _Atomic(struct mfu_ring *) mfu_rings; /* registry of every ring, newest first */

struct mfu_ring *mfu_ring_attach(void);                 /* this thread's ring, created once */
/* A DEVICE record for the GPU this thread is using (device.c); called when a thread makes its
 * first recorded call (not for CUPTI's threads, which must not call into CUDA). */
void mfu_device_note(struct mfu_ring *r);
bool mfu_ring_make_room(struct mfu_ring *r);            /* drains a full ring synchronously */
void mfu_writer_wake(void);

static inline uint64_t mfu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* --- the GPU timeline (gpu_timeline.c) */
extern atomic_bool mfu_cupti_active;
void mfu_cupti_start(void);     /* with the writer, on the first record */
void mfu_cupti_stop(void);      /* at exit: CUPTI's last buffers, before the writer's last drain */
uint64_t mfu_cupti_push(void);  /* pushes a new external correlation id; returns it, or 0 */
void mfu_cupti_pop(void);

struct mfu_call {
  uint64_t t0;
  uint64_t correlation; /* pushed to CUPTI around the call, 0 if none */
  int saved_errno;
  struct mfu_ring *ring;
};

/* The first recorded call of a thread: its ring and a DEVICE record; the first of the process
 * also starts the writer and CUPTI, before the real call runs so its kernels are seen. */
void mfu_first_call(void);

static inline bool mfu_call_begin(struct mfu_call *c) {
  if (!atomic_load_explicit(&mfu_tracing, memory_order_relaxed) || mfu_depth) return false;
  mfu_depth = 1;
  if (__builtin_expect(!mfu_self, 0)) mfu_first_call();
  c->correlation = 0;
  if (atomic_load_explicit(&mfu_cupti_active, memory_order_relaxed)) {
    int saved = errno;
    c->correlation = mfu_cupti_push();
    errno = saved;
  }
  c->t0 = mfu_now();
  return true;
}

/* The next free slot of `r` (not yet published), draining the ring first if it is full; NULL
 * if no room can be made. */
static inline struct mfu_record *mfu_ring_slot(struct mfu_ring *r) {
  uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
  if (head - atomic_load_explicit(&r->tail, memory_order_acquire) >= MFU_RING_SLOTS &&
      !mfu_ring_make_room(r))
    return NULL;
  return &r->slots[head & (MFU_RING_SLOTS - 1)];
}

/* Publishes the slot mfu_ring_slot gave; wakes the writer when the ring is half full. */
static inline void mfu_ring_publish(struct mfu_ring *r) {
  uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed) + 1;
  atomic_store_explicit(&r->head, head, memory_order_release);
  if (head - atomic_load_explicit(&r->tail, memory_order_relaxed) == MFU_RING_SLOTS / 2)
    mfu_writer_wake();
}

/* Claims this thread's next slot and fills the common fields; NULL if no slot can be had
 * (the call is then simply not recorded). */
static inline struct mfu_record *mfu_call_end(struct mfu_call *c, unsigned kind, unsigned api,
                                              int status) {
  uint64_t t1 = mfu_now();
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
  return rec;
}

/* Publishes the record (if any), wakes the writer when the ring is half full, leaves the
 * guarded section and restores the errno the real call left. */
static inline void mfu_call_finish(struct mfu_call *c) {
  if (c->ring) mfu_ring_publish(c->ring);
  mfu_depth = 0;
  errno = c->saved_errno;
}

/* Defines the exported wrapper `name`: forwards to the real function, and records the call
 * (`describe` fills `rec` from the arguments) unless tracing is off or this is a nested call.
 * If the real function cannot be found, returns `unresolved` (an error code of the API). */
#define MFU_WRAPPER(ret, unresolved, hook, kind, name, params, args, describe)                 \
  MFU_EXPORT ret name params {                                                                  \
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
    }                                                                                           \
    mfu_call_finish(&call);                                                                     \
    return status;                                                                              \
  }

/* --- CUDA graphs (graphs.c): marks a GEMM/NCCL record made on a capturing stream. */
extern atomic_int mfu_captures_active;
void mfu_capture_query(struct mfu_record *rec);
/* Inline, so that the common case (no capture anywhere) costs one relaxed load. */
static inline void mfu_capture_note(struct mfu_record *rec) {
  if (atomic_load_explicit(&mfu_captures_active, memory_order_relaxed)) mfu_capture_query(rec);
}

/* --- the trace file (writer.c) */
void mfu_writer_init(void);         /* at load time: identity, file name */
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
