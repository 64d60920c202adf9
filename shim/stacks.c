/* Call sites: the stack of an intercepted call, deduplicated into a table that the writer
 * streams into the trace.
 *
 * Unwinding costs microseconds, a call a few tens of nanoseconds, so a site is recognized
 * cheaply first, by a key of the wrapper's return address, its frame's address, the thread and
 * the innermost Python frame (code object and instruction): in a training loop the same path
 * to a GEMM gives the same key every step. A key seen for the first time is unwound; after
 * that one call in MFU_STACKS=N is unwound again (so that paths sharing a key are found too),
 * and the calls between carry the site their key found last. Counts are never sampled: every
 * call is recorded as before, only its call site is found this way.
 *
 * The unwound stack (native frames as module and offset, Python frames as code object and
 * line, and the thread's name, which tells PyTorch's autograd threads apart) is hashed into
 * the site table; Python code objects get a table of their own, for their names and files.
 * Both tables are fixed-size, lock-free (slots claimed by compare-and-swap) and allocated once
 * at the start, so that the path of a call takes no lock and allocates nothing; when one is
 * full, new sites get id 0 (none), said once. */
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "config.h"
#include "libmap.h"
#include "mfu/callsites.h"
#include "pyframes.h"
#include "stacks.h"
#include "unwind.h"

#define CACHE_SLOTS 4096u /* keys recognized at once: far more than a model has GEMM paths */
#define MAX_SITES 16384u
#define MAX_CODES 8192u
#define SHIM_FRAMES 8     /* frames of the shim itself above the caller's, at most */
#define SITE_MASK 0xffffffu

static inline uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h ^= h >> 31;
  return h * 0xbf58476d1ce4e5b9ull;
}
#define SEED 0xcbf29ce484222325ull

/* The recognizer: a key's top 40 bits and the site it found, and the calls left until its
 * stack is unwound again. Races between threads on one slot only cost an extra unwind. */
struct cache_slot {
  _Atomic uint64_t tagged;
  atomic_uint left;
};
static struct cache_slot cache[CACHE_SLOTS];

struct site {
  struct mfu_cs_site head;
  uint64_t frames[MFU_STACKS_DEPTH];
  struct mfu_cs_pyframe py[MFU_STACKS_PY_DEPTH];
};
struct code {
  struct mfu_cs_code head;
  char name[128];
  char file[256];
};

enum { FREE, READY, TAKEN };

/* Entries by id (from 1), found by key through an open-addressing index twice their size. */
struct table {
  uint32_t max, entry_size;
  _Atomic uint64_t *keys; /* index: the key (never 0), 0 for a free slot */
  atomic_uint *ids;       /* index: the key's id, 0 while it is being made */
  atomic_int *state;      /* by id */
  unsigned char *entries; /* by id */
  atomic_uint next_id;
  uint32_t taken_upto;    /* the writer's: codes taken so far */
  const char *what;
};
static struct table sites = {.max = MAX_SITES, .entry_size = sizeof(struct site), .next_id = 1,
                             .taken_upto = 1, .what = "call sites"};
static struct table codes = {.max = MAX_CODES, .entry_size = sizeof(struct code), .next_id = 1,
                             .taken_upto = 1, .what = "Python functions"};
static atomic_bool active;
static atomic_bool python; /* CPython's frames are read: every other host skips asking */

static void probe_python(void) {
  mfu_py_probe();
  atomic_store_explicit(&python, mfu_py_state() == MFU_PY_READ, memory_order_relaxed);
}

static bool table_alloc(struct table *t) {
  size_t slots = 2 * (size_t)t->max;
  size_t bytes = slots * (sizeof *t->keys + sizeof *t->ids) +
                 (t->max + 1) * (sizeof *t->state + t->entry_size);
  unsigned char *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return false;
  t->keys = (_Atomic uint64_t *)m;
  t->entries = m + slots * sizeof *t->keys; /* 8-byte aligned, as the keys before them */
  t->ids = (atomic_uint *)(t->entries + (t->max + 1) * t->entry_size);
  t->state = (atomic_int *)(t->ids + slots);
  return true;
}

static void *entry(const struct table *t, uint32_t id) { return t->entries + (size_t)id * t->entry_size; }

/* The id of the entry with `key`, made by `fill` if it is new (then its id is set); 0 if the
 * table is full or another thread is making the same entry at this moment. */
static uint32_t intern(struct table *t, uint64_t key, void (*fill)(void *entry, const void *arg),
                       const void *arg) {
  key |= 1;
  uint32_t mask = 2 * t->max - 1;
  for (uint32_t i = 0, slot = (uint32_t)key & mask; i <= mask; i++, slot = (slot + 1) & mask) {
    uint64_t k = atomic_load_explicit(&t->keys[slot], memory_order_acquire);
    if (k == 0) {
      if (!atomic_compare_exchange_strong(&t->keys[slot], &k, key) && k != key) continue;
      if (k == 0) { /* ours to make */
        uint32_t id = atomic_fetch_add(&t->next_id, 1);
        if (id > t->max) {
          static atomic_flag said = ATOMIC_FLAG_INIT;
          if (!atomic_flag_test_and_set(&said))
            mfu_say("more than %u %s: later ones are not told apart", t->max, t->what);
          return 0;
        }
        fill(entry(t, id), arg);
        memcpy(entry(t, id), &id, sizeof id); /* every entry begins with its id */
        atomic_store_explicit(&t->state[id], READY, memory_order_release);
        atomic_store_explicit(&t->ids[slot], id, memory_order_release);
        return id;
      }
    }
    if (k == key) return atomic_load_explicit(&t->ids[slot], memory_order_acquire);
  }
  return 0;
}

void mfu_stacks_start(void) {
  if (!mfu_config.stacks_every || !table_alloc(&sites) || !table_alloc(&codes)) return;
  mfu_unwind_start();
  mfu_libmap_refresh();
  probe_python();
  atomic_store(&active, mfu_unwind_method() != MFU_UNWINDER_NONE);
}

static void fill_code(void *entry, const void *code) {
  struct code *c = entry;
  mfu_py_describe(*(const uintptr_t *)code, c->name, sizeof c->name, c->file, sizeof c->file,
                  &c->head.first_line);
}

static void fill_site(void *entry, const void *site) { memcpy(entry, site, sizeof(struct site)); }

/* Keyed by address: a code object freed and another made at its address would take its name,
 * which model code, alive for the whole run, does not do. */
static uint32_t code_id(uintptr_t code) { return intern(&codes, mix(SEED, code), fill_code, &code); }

/* Unwinds this thread's stack from the caller of the intercepted function and interns it. */
static uint32_t capture(const void *caller) {
  if (mfu_libmap_refresh()) probe_python(); /* new libraries: perhaps libpython now */
  void *raw[MFU_STACKS_DEPTH + SHIM_FRAMES];
  int n = mfu_unwind(raw, MFU_STACKS_DEPTH + SHIM_FRAMES), first = 0;
  for (int i = 0; i < n && i < SHIM_FRAMES; i++)
    if (raw[i] == caller) {
      first = i;
      break;
    }
  struct site s = {0};
  int depth = n - first < MFU_STACKS_DEPTH ? n - first : MFU_STACKS_DEPTH;
  if (n == MFU_STACKS_DEPTH + SHIM_FRAMES || n - first > MFU_STACKS_DEPTH)
    s.head.flags |= MFU_CS_SITE_TRUNCATED;
  uint64_t key = SEED;
  for (int i = 0; i < depth; i++) {
    s.frames[i] = mfu_libmap_frame((uintptr_t)raw[first + i]);
    key = mix(key, s.frames[i]);
  }
  struct mfu_py_frame py[MFU_STACKS_PY_DEPTH];
  bool more;
  int npy = mfu_py_stack(py, MFU_STACKS_PY_DEPTH, &more);
  if (more) s.head.flags |= MFU_CS_SITE_PY_TRUNCATED;
  for (int i = 0; i < npy; i++) {
    s.py[i] = (struct mfu_cs_pyframe){.code = code_id(py[i].code), .line = py[i].line};
    key = mix(mix(key, py[i].code), (uint64_t)(uint32_t)py[i].line);
  }
  prctl(PR_GET_NAME, s.head.thread); /* 16 bytes, NUL-terminated */
  for (size_t i = 0; i < sizeof s.head.thread && s.head.thread[i]; i++) key = mix(key, (unsigned char)s.head.thread[i]);
  s.head.depth = (uint16_t)depth;
  s.head.py_depth = (uint16_t)npy;
  return intern(&sites, key, fill_site, &s);
}

/* The recognizer's key: products by distinct odd constants, summed (they do not wait on each
 * other, as chained mixes would: this runs on every call), folded so that the slot's low bits
 * depend on every bit. */
static inline uint64_t recognizer_key(uintptr_t caller, uintptr_t where, uint32_t tid,
                                      uintptr_t code, int32_t lasti) {
  uint64_t k = caller * 0x9e3779b97f4a7c15ull + where * 0xc2b2ae3d27d4eb4full +
               tid * 0x165667b19e3779f9ull + code * 0xd6e8feb86659fd93ull +
               (uint32_t)lasti * 0xff51afd7ed558ccdull;
  return k ^ k >> 29;
}

/* A key's first call, or its Nth since the last unwind: the stack is unwound again. */
__attribute__((noinline)) static uint32_t unwind_for(struct cache_slot *slot, uint64_t tag,
                                                     const void *caller) {
  uint32_t site = capture(caller);
  atomic_store_explicit(&slot->tagged, tag | site, memory_order_relaxed);
  atomic_store_explicit(&slot->left, mfu_config.stacks_every, memory_order_relaxed);
  return site;
}

uint32_t mfu_stacks_site(const void *caller, const void *where, uint32_t tid) {
  if (!atomic_load_explicit(&active, memory_order_relaxed)) return 0;
  uintptr_t code = 0;
  int32_t lasti = 0;
  if (atomic_load_explicit(&python, memory_order_relaxed) && !mfu_py_innermost(&code, &lasti))
    code = 0, lasti = 0;
  uint64_t key = recognizer_key((uintptr_t)caller, (uintptr_t)where, tid, code, lasti);
  struct cache_slot *slot = &cache[key & (CACHE_SLOTS - 1)];
  uint64_t tag = key & ~(uint64_t)SITE_MASK;
  uint64_t seen = atomic_load_explicit(&slot->tagged, memory_order_relaxed);
  unsigned left = atomic_load_explicit(&slot->left, memory_order_relaxed);
  if (!seen || (seen & ~(uint64_t)SITE_MASK) != tag || left <= 1) return unwind_for(slot, tag, caller);
  atomic_store_explicit(&slot->left, left - 1, memory_order_relaxed);
  return (uint32_t)(seen & SITE_MASK);
}

/* --- the writer's side */

/* Appends one entry (header, body, then up to two NUL-terminated strings) if it fits. */
static size_t put_entry(unsigned char *buf, size_t cap, unsigned type, const void *body,
                        uint32_t body_size, const char *s1, const char *s2) {
  uint32_t l1 = s1 ? (uint32_t)strlen(s1) + 1 : 0, l2 = s2 ? (uint32_t)strlen(s2) + 1 : 0;
  uint32_t size = mfu_cs_entry_size(body_size, l1 + l2);
  if (size > cap) return 0;
  memset(buf, 0, size);
  struct mfu_cs_entry e = {.type = (uint16_t)type, .size = size};
  memcpy(buf, &e, sizeof e);
  memcpy(buf + sizeof e, body, body_size);
  if (s1) memcpy(buf + sizeof e + body_size, s1, l1);
  if (s2) memcpy(buf + sizeof e + body_size + l1, s2, l2);
  return size;
}

static size_t take_info(unsigned char *buf, size_t cap) {
  static struct mfu_cs_info written;
  static bool once;
  struct mfu_cs_info now = {.unwinder = (uint8_t)mfu_unwind_method(),
                            .python = (uint8_t)mfu_py_state(),
                            .python_version = mfu_py_version(),
                            .sample_every = mfu_config.stacks_every,
                            .max_depth = MFU_STACKS_DEPTH,
                            .max_py_depth = MFU_STACKS_PY_DEPTH};
  if (once && !memcmp(&now, &written, sizeof now)) return 0;
  size_t used = put_entry(buf, cap, MFU_CS_INFO, &now, sizeof now, NULL, NULL);
  if (used) written = now, once = true;
  return used;
}

static size_t take_codes(unsigned char *buf, size_t cap) {
  size_t used = 0;
  uint32_t n = atomic_load_explicit(&codes.next_id, memory_order_acquire);
  for (; codes.taken_upto < n && codes.taken_upto <= codes.max; codes.taken_upto++) {
    uint32_t id = codes.taken_upto;
    if (atomic_load_explicit(&codes.state[id], memory_order_acquire) != READY) break;
    const struct code *c = entry(&codes, id);
    size_t size = put_entry(buf + used, cap - used, MFU_CS_CODE, &c->head, sizeof c->head, c->name, c->file);
    if (!size) break;
    used += size;
    atomic_store_explicit(&codes.state[id], TAKEN, memory_order_relaxed);
  }
  return used;
}

/* Sites are claimed before the modules and codes are taken, and written after them: what a
 * claimed site uses was made before it, so it is in the file first. Sites may be made out of
 * id order (threads race), so every id not yet taken is looked at. */
static uint32_t claimed[256], nclaimed;
static uint32_t sites_scan_from = 1; /* every site below it is taken */

static void claim_sites(void) {
  uint32_t n = atomic_load_explicit(&sites.next_id, memory_order_acquire);
  if (n > sites.max + 1) n = sites.max + 1;
  bool all_taken = true;
  for (uint32_t id = sites_scan_from; id < n && nclaimed < sizeof claimed / sizeof *claimed; id++) {
    int expected = READY;
    if (atomic_compare_exchange_strong(&sites.state[id], &expected, TAKEN))
      claimed[nclaimed++] = id;
    else if (expected == FREE)
      all_taken = false;
    if (all_taken) sites_scan_from = id + 1;
  }
}

size_t mfu_stacks_take(unsigned char *buf, size_t cap) {
  size_t used = take_info(buf, cap);
  if (!sites.entries) return used; /* stacks off: INFO says so */
  claim_sites();
  used += mfu_libmap_take(buf + used, cap - used);
  used += take_codes(buf + used, cap - used);
  uint32_t done = 0;
  for (; done < nclaimed; done++) {
    const struct site *s = entry(&sites, claimed[done]);
    uint32_t body = (uint32_t)(sizeof s->head + s->head.depth * sizeof s->frames[0]);
    uint32_t size = mfu_cs_entry_size(body + s->head.py_depth * (uint32_t)sizeof s->py[0], 0);
    if (used + size > cap) break;
    unsigned char *at = buf + used;
    memset(at, 0, size);
    struct mfu_cs_entry e = {.type = MFU_CS_SITE, .size = size};
    memcpy(at, &e, sizeof e);
    memcpy(at + sizeof e, s, body);
    memcpy(at + sizeof e + body, s->py, s->head.py_depth * sizeof s->py[0]);
    used += size;
  }
  memmove(claimed, claimed + done, (nclaimed - done) * sizeof *claimed);
  nclaimed -= done;
  return used;
}
