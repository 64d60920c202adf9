/* The test doubles' device memory: see devmem.h. One memfd mapped twice, at the device
 * addresses (no access, or read-write for managed memory) and at the host view (read-write);
 * ranges are carved from it in order and never reused; a sorted table of ranges (device,
 * managed, pinned host) answers which allocation a pointer is in. */
#include "devmem.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE ((size_t)4096)

struct range {
  uintptr_t base;
  size_t size;
  enum mfu_devmem_kind kind;
  bool written;
};

static struct {
  uintptr_t dev, host; /* the two views of the memfd */
  size_t len, used;    /* its size; bytes carved from it so far */
  int fd;
  struct range *ranges; /* sorted by base, disjoint */
  size_t n, cap;
} mem = {.fd = -1};
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Address space only: pages are taken when written. Halved while an rlimit refuses it. */
static void reserve(void) {
  int fd = memfd_create("mfu-double-device-memory", MFD_CLOEXEC);
  if (fd < 0) return;
  for (size_t len = (size_t)1 << 43; len >= (size_t)1 << 32; len >>= 1) {
    if (ftruncate(fd, (off_t)len) != 0) continue;
    void *dev = mmap(NULL, len, PROT_NONE, MAP_SHARED | MAP_NORESERVE, fd, 0);
    void *host = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
    if (dev != MAP_FAILED && host != MAP_FAILED) {
      mem.dev = (uintptr_t)dev, mem.host = (uintptr_t)host, mem.len = len, mem.fd = fd;
      return;
    }
    if (dev != MAP_FAILED) munmap(dev, len);
    if (host != MAP_FAILED) munmap(host, len);
  }
  close(fd);
}

/* The index of the range holding address a, or of the first range above it (*hit false). */
static size_t locate(uintptr_t a, bool *hit) {
  size_t lo = 0, hi = mem.n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (mem.ranges[mid].base + mem.ranges[mid].size <= a) lo = mid + 1;
    else hi = mid;
  }
  *hit = lo < mem.n && mem.ranges[lo].base <= a;
  return lo;
}

static bool insert(uintptr_t base, size_t size, enum mfu_devmem_kind kind) {
  bool hit;
  size_t i = locate(base, &hit);
  if (hit || (i < mem.n && mem.ranges[i].base < base + size)) return false; /* overlaps */
  if (mem.n == mem.cap) {
    size_t cap = mem.cap ? 2 * mem.cap : 64;
    struct range *grown = realloc(mem.ranges, cap * sizeof *grown);
    if (!grown) return false;
    mem.ranges = grown, mem.cap = cap;
  }
  memmove(&mem.ranges[i + 1], &mem.ranges[i], (mem.n - i) * sizeof *mem.ranges);
  mem.ranges[i] = (struct range){.base = base, .size = size, .kind = kind};
  mem.n++;
  return true;
}

static bool in_arena(uintptr_t a) { return mem.len && a >= mem.dev && a - mem.dev < mem.len; }

/* Gives the pages of [off, off+len) of the memfd back; they read as zeros again. */
static void punch(size_t off, size_t len) {
  size_t start = (off + PAGE - 1) & ~(PAGE - 1), end = (off + len) & ~(PAGE - 1);
  if (end > start)
    fallocate(mem.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)start,
              (off_t)(end - start));
}

void *mfu_devmem_alloc(size_t size, enum mfu_devmem_kind kind) {
  if (size == 0 || (kind != MFU_DEVMEM_DEVICE && kind != MFU_DEVMEM_MANAGED)) return NULL;
  pthread_once(&once, reserve);
  size_t rounded = (size + PAGE - 1) & ~(PAGE - 1);
  void *p = NULL;
  pthread_mutex_lock(&lock);
  if (rounded >= size && rounded <= mem.len - mem.used) {
    uintptr_t base = mem.dev + mem.used;
    bool access = kind != MFU_DEVMEM_MANAGED ||
                  mprotect((void *)base, rounded, PROT_READ | PROT_WRITE) == 0;
    if (access && insert(base, size, kind)) {
      mem.used += rounded;
      p = (void *)base;
    }
  }
  pthread_mutex_unlock(&lock);
  return p;
}

bool mfu_devmem_register_host(void *ptr, size_t size) {
  if (!ptr || !size) return false;
  pthread_mutex_lock(&lock);
  bool ok = insert((uintptr_t)ptr, size, MFU_DEVMEM_HOST);
  pthread_mutex_unlock(&lock);
  return ok;
}

enum mfu_devmem_kind mfu_devmem_free(void *ptr) {
  enum mfu_devmem_kind kind = MFU_DEVMEM_NONE;
  bool hit;
  pthread_mutex_lock(&lock);
  size_t i = locate((uintptr_t)ptr, &hit);
  if (ptr && hit && mem.ranges[i].base == (uintptr_t)ptr) {
    struct range r = mem.ranges[i];
    kind = r.kind;
    memmove(&mem.ranges[i], &mem.ranges[i + 1], (mem.n - i - 1) * sizeof *mem.ranges);
    mem.n--;
    if (kind != MFU_DEVMEM_HOST) {
      size_t rounded = (r.size + PAGE - 1) & ~(PAGE - 1);
      if (kind == MFU_DEVMEM_MANAGED) mprotect(ptr, rounded, PROT_NONE);
      punch(r.base - mem.dev, rounded);
    }
  }
  pthread_mutex_unlock(&lock);
  return kind;
}

enum mfu_devmem_kind mfu_devmem_find(const void *ptr, void **base, size_t *size) {
  bool hit;
  pthread_mutex_lock(&lock);
  size_t i = locate((uintptr_t)ptr, &hit);
  struct range r = hit ? mem.ranges[i] : (struct range){0};
  pthread_mutex_unlock(&lock);
  if (base) *base = (void *)r.base;
  if (size) *size = r.size;
  return r.kind;
}

void *mfu_devmem_host(const void *ptr, size_t len) {
  uintptr_t a = (uintptr_t)ptr;
  bool hit;
  pthread_mutex_lock(&lock);
  size_t i = locate(a, &hit);
  struct range r = hit ? mem.ranges[i] : (struct range){0};
  bool arena = in_arena(a);
  pthread_mutex_unlock(&lock);
  if (!arena || r.kind == MFU_DEVMEM_HOST) return (void *)ptr;
  if (!hit || len > r.size - (a - r.base)) return NULL;
  return (void *)(mem.host + (a - mem.dev));
}

void mfu_devmem_written(const void *ptr) {
  bool hit;
  pthread_mutex_lock(&lock);
  size_t i = locate((uintptr_t)ptr, &hit);
  if (hit) mem.ranges[i].written = true;
  pthread_mutex_unlock(&lock);
}

bool mfu_devmem_zeros(const void *ptr) {
  bool hit;
  pthread_mutex_lock(&lock);
  size_t i = locate((uintptr_t)ptr, &hit);
  bool zeros = hit && mem.ranges[i].kind == MFU_DEVMEM_DEVICE && !mem.ranges[i].written;
  pthread_mutex_unlock(&lock);
  return zeros;
}

void *mfu_devmem_device(const void *ptr, size_t len) {
  uintptr_t a = (uintptr_t)ptr;
  void *base;
  size_t size;
  if (mfu_devmem_find(ptr, &base, &size) == MFU_DEVMEM_NONE) return NULL;
  if (len > size - (a - (uintptr_t)base)) return NULL;
  return mfu_devmem_host(ptr, len);
}

void mfu_devmem_zero(void *ptr, size_t len) {
  unsigned char *h = mfu_devmem_host(ptr, len);
  if (!h || !len) return;
  if (!in_arena((uintptr_t)ptr)) {
    memset(h, 0, len);
    return;
  }
  size_t off = (uintptr_t)ptr - mem.dev;
  size_t start = (off + PAGE - 1) & ~(PAGE - 1), end = (off + len) & ~(PAGE - 1);
  if (end <= start) {
    memset(h, 0, len);
    return;
  }
  memset(h, 0, start - off);
  punch(start, end - start);
  memset(h + (end - off), 0, off + len - end);
}
