/* Per-thread record rings. Each thread that makes an intercepted call gets one ring
 * (single producer: that thread); the writer drains every ring under the file lock. A ring
 * outlives its thread: it is marked retired at thread exit, drained, then reused by the next
 * new thread, so memory stays bounded by the peak number of calling threads. */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "ring.h"

MFU_TLS struct mfu_ring *mfu_self;
MFU_TLS int mfu_depth;
_Atomic(struct mfu_ring *) mfu_rings;
struct mfu_ring_consumer mfu_ring_consumer;

static MFU_TLS bool attach_failed;
static pthread_key_t exit_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void thread_exit(void *ring) {
  /* Calls made by later TLS destructors of this thread are not recorded. */
  mfu_self = NULL;
  mfu_depth = 1;
  atomic_store_explicit(&((struct mfu_ring *)ring)->state, MFU_RING_RETIRED, memory_order_release);
}

static void make_key(void) {
  if (pthread_key_create(&exit_key, thread_exit) != 0) exit_key = (pthread_key_t)-1;
}

static struct mfu_ring *claim_free_ring(void) {
  for (struct mfu_ring *r = atomic_load(&mfu_rings); r; r = r->next) {
    int expected = MFU_RING_FREE;
    if (atomic_compare_exchange_strong(&r->state, &expected, MFU_RING_ACTIVE)) return r;
  }
  return NULL;
}

static struct mfu_ring *new_ring(void) {
  struct mfu_ring *r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (r == MAP_FAILED) return NULL;
  atomic_init(&r->head, 0);
  atomic_init(&r->tail, 0);
  atomic_init(&r->state, MFU_RING_ACTIVE);
  r->next = atomic_load(&mfu_rings);
  while (!atomic_compare_exchange_weak(&mfu_rings, &r->next, r)) {
  }
  return r;
}

struct mfu_ring *mfu_ring_attach(void) {
  if (attach_failed) return NULL;
  pthread_once(&key_once, make_key);
  struct mfu_ring *r = claim_free_ring();
  if (!r) r = new_ring();
  if (!r) {
    attach_failed = true;
    static atomic_flag said = ATOMIC_FLAG_INIT;
    if (!atomic_flag_test_and_set(&said))
      mfu_say("out of memory for a %zu-byte record buffer: calls of some threads are not traced",
              sizeof *r);
    return NULL;
  }
  r->tid = (uint32_t)syscall(SYS_gettid);
  r->limit = atomic_load_explicit(&r->tail, memory_order_acquire) + MFU_RING_SLOTS;
  if (exit_key != (pthread_key_t)-1) pthread_setspecific(exit_key, r);
  mfu_self = r;
  return r;
}

bool mfu_ring_make_room(struct mfu_ring *r) {
  uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
  r->limit = atomic_load_explicit(&r->tail, memory_order_acquire) + MFU_RING_SLOTS;
  if (head < r->limit) return true;
  mfu_ring_consumer.drain(r);
  r->limit = atomic_load_explicit(&r->tail, memory_order_acquire) + MFU_RING_SLOTS;
  return head < r->limit;
}
