/* The loaded ELF objects, from dl_iterate_phdr. A module is numbered when first seen and its
 * entry never changes after that; one that is unloaded keeps its entry, since frames captured
 * earlier still name it. Lookups read a snapshot, the live modules' ranges sorted by address,
 * which a rescan replaces whole when objects were loaded or unloaded. A replaced snapshot is
 * never freed (a lookup on another thread may still read it): rescans are capped at
 * MAX_SCANS, which bounds that memory. */
#include <elf.h>
#include <link.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "libmap.h"
#include "mfu/callsites.h"

#define MAX_MODULES 2048
#define MAX_SCANS 64

enum { FREE, READY, TAKEN };

struct module {
  atomic_int state;
  uint64_t base; /* dlpi_addr */
  uint64_t end;  /* end of the highest PT_LOAD segment */
  uint8_t build_id_len;
  uint8_t build_id[32];
  char path[512];
};

struct range {
  uint64_t lo, hi;
  uint32_t id;
};
struct snapshot {
  uint32_t n;
  struct range r[];
};

static struct module modules[MAX_MODULES + 1]; /* by id; 0 unused */
static atomic_uint next_id = 1;
static _Atomic(struct snapshot *) current;

/* The scanner's state: one scan at a time (try-lock), the others use the current snapshot. */
static atomic_flag scanning = ATOMIC_FLAG_INIT;
static struct range scratch[MAX_MODULES];
static uint32_t nscratch;
static unsigned long long seen_adds = ~0ull, seen_subs = ~0ull;
static unsigned scans;
static char exe[512];

static uint32_t taken_upto = 1; /* the writer's: the next id to take */

static void read_build_id(struct module *m, const struct dl_phdr_info *info) {
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_NOTE) continue;
    const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
    const unsigned char *end = p + ph->p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
      const unsigned char *name = p + sizeof *n;
      const unsigned char *desc = name + ((n->n_namesz + 3) & ~3u);
      const unsigned char *next = desc + ((n->n_descsz + 3) & ~3u);
      if (next > end) break;
      if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && !memcmp(name, "GNU", 4) &&
          n->n_descsz > 0 && n->n_descsz <= sizeof m->build_id) {
        memcpy(m->build_id, desc, n->n_descsz);
        m->build_id_len = (uint8_t)n->n_descsz;
        return;
      }
      p = next;
    }
  }
}

static const char *path_of(const struct dl_phdr_info *info) {
  if (info->dlpi_name && *info->dlpi_name) return info->dlpi_name;
  if (!exe[0]) {
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
  }
  return exe; /* the main program has no name in the list */
}

/* The id of the module at this base and path, numbering it if it is new; 0 if the table is full. */
static uint32_t module_id(const struct dl_phdr_info *info, uint64_t end, const char *path) {
  uint32_t n = atomic_load_explicit(&next_id, memory_order_relaxed);
  for (uint32_t id = 1; id < n; id++)
    if (modules[id].base == info->dlpi_addr && modules[id].end == end &&
        !strncmp(modules[id].path, path, sizeof modules[id].path - 1))
      return id;
  if (n > MAX_MODULES) return 0;
  struct module *m = &modules[n];
  m->base = info->dlpi_addr;
  m->end = end;
  snprintf(m->path, sizeof m->path, "%s", path);
  read_build_id(m, info);
  atomic_store_explicit(&m->state, READY, memory_order_release);
  atomic_store_explicit(&next_id, n + 1, memory_order_release);
  return n;
}

static int add_object(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  (void)data;
  uint64_t lo = UINT64_MAX, hi = 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD) continue;
    if (ph->p_vaddr < lo) lo = ph->p_vaddr;
    if (ph->p_vaddr + ph->p_memsz > hi) hi = ph->p_vaddr + ph->p_memsz;
  }
  if (hi == 0 || nscratch == MAX_MODULES) return 0;
  uint32_t id = module_id(info, info->dlpi_addr + hi, path_of(info));
  if (id) scratch[nscratch++] = (struct range){info->dlpi_addr + lo, info->dlpi_addr + hi, id};
  return 0;
}

static void publish_scratch(void) {
  for (uint32_t i = 1; i < nscratch; i++) { /* insertion sort: rare, and no allocation */
    struct range r = scratch[i];
    uint32_t j = i;
    for (; j > 0 && scratch[j - 1].lo > r.lo; j--) scratch[j] = scratch[j - 1];
    scratch[j] = r;
  }
  size_t bytes = sizeof(struct snapshot) + nscratch * sizeof(struct range);
  struct snapshot *s = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (s == MAP_FAILED) return;
  s->n = nscratch;
  memcpy(s->r, scratch, nscratch * sizeof(struct range));
  atomic_store_explicit(&current, s, memory_order_release);
}

static int first_counts(struct dl_phdr_info *info, size_t size, void *data) {
  unsigned long long *counts = data;
  if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs) {
    counts[0] = info->dlpi_adds;
    counts[1] = info->dlpi_subs;
  }
  return 1; /* the counters are the same in every entry: one is enough */
}

bool mfu_libmap_refresh(void) {
  if (atomic_flag_test_and_set_explicit(&scanning, memory_order_acquire)) return false;
  unsigned long long counts[2] = {0, 0};
  dl_iterate_phdr(first_counts, counts);
  bool changed = (counts[0] != seen_adds || counts[1] != seen_subs) && scans < MAX_SCANS;
  if (changed) {
    if (++scans == MAX_SCANS)
      mfu_say("the loaded libraries changed %d times: frames in libraries loaded from now on "
              "are not attributed to a library",
              MAX_SCANS);
    seen_adds = counts[0];
    seen_subs = counts[1];
    nscratch = 0;
    dl_iterate_phdr(add_object, NULL);
    publish_scratch();
  }
  atomic_flag_clear_explicit(&scanning, memory_order_release);
  return changed;
}

uint64_t mfu_libmap_frame(uintptr_t addr) {
  const struct snapshot *s = atomic_load_explicit(&current, memory_order_acquire);
  uint32_t lo = 0, hi = s ? s->n : 0;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (addr < s->r[mid].lo)
      hi = mid;
    else if (addr >= s->r[mid].hi)
      lo = mid + 1;
    else
      return mfu_cs_frame(s->r[mid].id, addr - modules[s->r[mid].id].base);
  }
  return mfu_cs_frame(MFU_CS_NO_MODULE, addr);
}

size_t mfu_libmap_take(unsigned char *buf, size_t cap) {
  size_t used = 0;
  uint32_t n = atomic_load_explicit(&next_id, memory_order_acquire);
  for (; taken_upto < n; taken_upto++) {
    struct module *m = &modules[taken_upto];
    if (atomic_load_explicit(&m->state, memory_order_acquire) != READY) break;
    uint32_t path_len = (uint32_t)strnlen(m->path, sizeof m->path - 1) + 1;
    uint32_t size = mfu_cs_entry_size(sizeof(struct mfu_cs_module), path_len);
    if (used + size > cap) break;
    unsigned char *at = buf + used;
    memset(at, 0, size);
    struct mfu_cs_entry e = {.type = MFU_CS_MODULE, .size = size};
    struct mfu_cs_module body = {.id = taken_upto, .build_id_len = m->build_id_len,
                                 .base = m->base, .size = m->end - m->base};
    memcpy(body.build_id, m->build_id, sizeof body.build_id);
    memcpy(at, &e, sizeof e);
    memcpy(at + sizeof e, &body, sizeof body);
    memcpy(at + sizeof e + sizeof body, m->path, path_len - 1);
    used += size;
    atomic_store_explicit(&m->state, TAKEN, memory_order_relaxed);
  }
  return used;
}
