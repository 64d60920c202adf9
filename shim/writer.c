/* The trace file: created on the first recorded call (so that a process that dies at once
 * leaves a readable header), then one RECORDS block per ring per flush, the ring's records with
 * their clock stamps converted (clock.h). A background thread flushes every MFU_FLUSH_MS and
 * whenever a ring is half full; a thread whose ring is full drains it itself. At exit the last
 * records, an END block and the final header are written.
 *
 * Everything that runs under the file lock is async-signal-safe (atomics, write, pwrite,
 * mkdir, open, ftruncate), so a fatal-signal handler and _exit can flush too. The lock knows
 * its holder: the ways out wait for it a bounded time, and never for themselves (a signal that
 * interrupted this thread's own flush). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "clock.h"
#include "compress.h"
#include "config.h"
#include "encode.h"
#include "files.h"
#include "mfu/api.h"
#include "resolve.h"
#include "ring.h"
#include "stacks.h"
#include "window.h"
#include "writer.h"

enum { FD_UNOPENED = -1, FD_FAILED = -2, FD_CLOSED = -3 };
#define PATIENCE_NS 2000000000ull /* how long a way out waits for the lock or for a job */
#define IMAGES 16                 /* files of one pid (execve keeps the pid): name.2 ... */
#define TAIL_EVERY 64             /* records drained between two advances of a ring's tail */

static struct {
  atomic_int lock;      /* 0, or the thread id of the holder */
  atomic_int stopping;
  sem_t wake;
  pid_t owner;          /* the process that owns the file; 0 in a forked child */
  int fd;
  uint64_t seq;
  off_t end_at;         /* where the END block starts once written; -1 before */
  unsigned image;       /* 1, or n for the n-th file of this pid (after an execve) */
  bool has_thread;
  /* a job for the writer's thread (mfu_writer_run): asked and done by ticket */
  void (*_Atomic job)(void);
  atomic_uint_fast64_t jobs_asked, jobs_done;
  sem_t job_done;
  char path[PATH_MAX];  /* formatted ahead of time: open() needs no formatting */
  struct mfu_file_header header;
  /* The first block: id -> name of every API, so that a trace describes itself. */
  unsigned char strings[8192];
  uint32_t strings_size, strings_count;
  bool said_write_error;
  bool zstd;            /* RECORDS blocks are compressed (MFU_ZSTD, libzstd found) */
  struct mfu_encoder encoder;          /* the RECORDS block being written */
  unsigned char payload[512 << 10];    /* its payload */
  unsigned char packed[(512 << 10) + 4096]; /* compressed (zstd's bound is 512 KiB + 2 KiB) */
} w = {.fd = FD_UNOPENED, .end_at = -1, .image = 1};

/* Strings made as the run goes (kernel names): id by content, and the ones not yet written.
 * Interning takes only this lock; the writer takes it (under the file lock) to write the
 * pending ones, always before any records block, so a record never precedes its string. */
#define STRING_SLOTS (1u << 16)
static struct {
  atomic_flag lock;
  uint64_t hash[STRING_SLOTS];
  uint32_t id[STRING_SLOTS];
  uint32_t next_id;
  unsigned char *pending; /* STRINGS block payload in the making */
  size_t pending_size, pending_cap;
  uint32_t pending_count;
} strings = {.lock = ATOMIC_FLAG_INIT, .next_id = MFU_STRING_DYNAMIC};

static uint64_t string_hash(const char *s) {
  uint64_t h = MFU_CHECKSUM_SEED;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
  return h | 1; /* 0 marks a free slot */
}

uint32_t mfu_writer_intern(const char *text) {
  uint64_t h = string_hash(text);
  uint32_t len = (uint32_t)strnlen(text, 4096), id = 0;
  size_t need = sizeof(struct mfu_string) + ((len + 1 + 7) & ~(size_t)7);
  while (atomic_flag_test_and_set_explicit(&strings.lock, memory_order_acquire)) sched_yield();
  for (uint32_t i = 0, slot = (uint32_t)h & (STRING_SLOTS - 1); i < STRING_SLOTS;
       i++, slot = (slot + 1) & (STRING_SLOTS - 1)) {
    if (strings.hash[slot] == h) {
      id = strings.id[slot];
      break;
    }
    if (strings.hash[slot] != 0) continue;
    if (strings.pending_size + need > strings.pending_cap) {
      size_t cap = strings.pending_cap ? 2 * strings.pending_cap : 65536;
      while (cap < strings.pending_size + need) cap *= 2;
      unsigned char *grown = realloc(strings.pending, cap);
      if (!grown) break;
      strings.pending = grown;
      strings.pending_cap = cap;
    }
    id = strings.next_id++;
    strings.hash[slot] = h;
    strings.id[slot] = id;
    struct mfu_string entry = {.id = id, .len = len};
    unsigned char *at = strings.pending + strings.pending_size;
    memset(at, 0, need);
    memcpy(at, &entry, sizeof entry);
    memcpy(at + sizeof entry, text, len);
    strings.pending_size += need;
    strings.pending_count++;
    break;
  }
  atomic_flag_clear_explicit(&strings.lock, memory_order_release);
  return id; /* 0 (no name) if the table or memory ran out */
}

/* A write past RLIMIT_FSIZE fails with EFBIG and sends SIGXFSZ to the writing thread, whose
 * default action would end the host: while a thread holds the lock (and writes) the signal is
 * held off, and taken back when one of our writes raised it. */
static struct {
  sigset_t only, saved; /* SIGXFSZ; the holder's mask before */
  bool was_pending;
} fsize;

static void hold_off_fsize(void) {
  sigset_t pending;
  pthread_sigmask(SIG_BLOCK, &fsize.only, &fsize.saved);
  fsize.was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGXFSZ);
}

static void let_fsize_through(void) {
  sigset_t pending;
  if (!fsize.was_pending && sigpending(&pending) == 0 && sigismember(&pending, SIGXFSZ))
    sigtimedwait(&fsize.only, NULL, &(struct timespec){0});
  pthread_sigmask(SIG_SETMASK, &fsize.saved, NULL);
}

/* Takes the file lock, waiting at most `patience_ns` (0: as long as it takes); false if it
 * could not be had: held that long by another thread, or held by this one (a signal handler or
 * a way out that interrupted this thread's own flush), or (`full`: the caller's own ring, which
 * it found full) the holder freed a slot of `full` meanwhile. */
static bool lock_within(uint64_t patience_ns, const struct mfu_ring *full) {
  int me = (int)syscall(SYS_gettid), expected = 0;
  uint64_t deadline = patience_ns ? mfu_clock_monotonic_ns() + patience_ns : 0;
  while (!atomic_compare_exchange_weak_explicit(&w.lock, &expected, me, memory_order_acquire,
                                                memory_order_relaxed)) {
    if (expected == me || (deadline && mfu_clock_monotonic_ns() > deadline)) return false;
    if (full && atomic_load_explicit(&full->head, memory_order_relaxed) -
                        atomic_load_explicit(&full->tail, memory_order_acquire) < MFU_RING_SLOTS)
      return false;
    expected = 0;
    sched_yield();
  }
  hold_off_fsize();
  return true;
}
static void unlock(void) {
  let_fsize_through();
  atomic_store_explicit(&w.lock, 0, memory_order_release);
}

/* Keeps file names to [A-Za-z0-9._-], so that host and job ids cannot make paths. */
static void sanitize(char *s) {
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '.' || *s == '-' || *s == '_'))
      *s = '_';
}

static void build_strings(void) {
  uint32_t off = 0;
  for (unsigned id = 1; id < MFU_API_COUNT; id++) {
    const char *name = mfu_api_name(id);
    struct mfu_string s = {.id = id, .len = (uint32_t)strlen(name)};
    uint32_t padded = (s.len + 1 + 7) & ~7u;
    if (off + sizeof s + padded > sizeof w.strings) break;
    memcpy(w.strings + off, &s, sizeof s);
    memcpy(w.strings + off + sizeof s, name, s.len); /* the rest is already zero */
    off += (uint32_t)sizeof s + padded;
    w.strings_count++;
  }
  w.strings_size = off;
}

/* The file's name carries job, rank, host and pid. */
static void format_path(void) {
  char job[64], host[64], rank[16];
  snprintf(job, sizeof job, "%s", w.header.job_id);
  snprintf(host, sizeof host, "%s", w.header.hostname);
  sanitize(job);
  sanitize(host);
  if (w.header.rank >= 0)
    snprintf(rank, sizeof rank, "%d", (int)w.header.rank);
  else
    strcpy(rank, "x");
  char image[16] = "";
  if (w.image > 1) snprintf(image, sizeof image, ".%u", w.image);
  snprintf(w.path, sizeof w.path, "%s/mfu-%s-r%s-%s-%d%s" MFU_TRACE_SUFFIX, mfu_config.trace_dir,
           job, rank, host, (int)w.header.pid, image);
}

static void wake(void) { sem_post(&w.wake); }

/* Called once from the constructor: identity, the file's path, the strings block; from here
 * on the writer is the rings' consumer. */
void mfu_writer_init(void) {
  mfu_identity_fill(&w.header);
  w.owner = getpid();
  sigemptyset(&fsize.only);
  sigaddset(&fsize.only, SIGXFSZ);
  sem_init(&w.wake, 0, 0);
  sem_init(&w.job_done, 0, 0);
  format_path();
  build_strings();
  mfu_ring_consumer = (struct mfu_ring_consumer){.drain = mfu_writer_drain, .wake = wake};
}

static void say_unless_signal(bool in_signal, const char *what, const char *path, int err) {
  if (!in_signal)
    mfu_say("%s %s: %s; this run is not traced from here on (set MFU_TRACE_DIR to a writable "
            "directory with free space)",
            what, path, strerror(err));
}

/* MFU_MAX_MB: a block that would take the file past it is not written, nor any after it but
 * the END block; said once, and in the header. The program runs on, untraced from there. */
static bool over_limit(uint32_t type, uint32_t payload_size, bool in_signal) {
  if (!mfu_config.max_bytes || type == MFU_BLOCK_END) return false;
  if (w.header.flags & MFU_FILE_SIZE_LIMIT) return true;
  off_t at = lseek(w.fd, 0, SEEK_CUR);
  if (at < 0 || (uint64_t)at + sizeof(struct mfu_block_header) + payload_size <= mfu_config.max_bytes)
    return false;
  w.header.flags |= MFU_FILE_SIZE_LIMIT;
  if (!in_signal)
    mfu_say("%s reached MFU_MAX_MB=%llu: recording stops here; the program runs on", w.path,
            mfu_config.max_bytes >> 20);
  return true;
}

/* Writes one block whose payload is the concatenation of `parts`, stored as `encoding`. */
static bool write_block(uint16_t type, uint16_t encoding, uint32_t count, struct iovec *parts,
                        int nparts, bool in_signal) {
  struct mfu_block_header bh = {.magic = MFU_BLOCK_MAGIC, .type = type, .encoding = encoding,
                                .count = count, .seq = w.seq};
  for (int i = 0; i < nparts; i++) bh.payload_size += (uint32_t)parts[i].iov_len;
  if (over_limit(type, bh.payload_size, in_signal)) return false; /* records: counted lost */
  uint64_t sum = mfu_checksum(MFU_CHECKSUM_SEED, &bh, offsetof(struct mfu_block_header, checksum));
  for (int i = 0; i < nparts; i++) sum = mfu_checksum(sum, parts[i].iov_base, parts[i].iov_len);
  bh.checksum = sum;
  struct iovec iov[3] = {{&bh, sizeof bh}};
  for (int i = 0; i < nparts; i++) iov[i + 1] = parts[i];
  if (!mfu_files_write_all(w.fd, iov, nparts + 1)) {
    int err = errno;
    w.header.flags |= MFU_FILE_WRITE_ERROR;
    if (!w.said_write_error) say_unless_signal(in_signal, "cannot write", w.path, err);
    w.said_write_error = true;
    close(w.fd);
    w.fd = FD_FAILED;
    return false;
  }
  w.seq++;
  w.header.blocks_written++;
  if (type == MFU_BLOCK_RECORDS) w.header.records_written += count;
  return true;
}

static void write_header(void) {
  w.header.end_monotonic_ns = mfu_clock_monotonic_ns();
  w.header.hooks_resolved = atomic_load(&mfu_hooks_resolved);
  mfu_clock_note(&w.header);
  uint64_t outside = 0;
  for (struct mfu_ring *r = atomic_load(&mfu_rings); r; r = r->next)
    outside += atomic_load_explicit(&r->outside, memory_order_relaxed);
  mfu_window_note(&w.header, outside);
  w.header.checksum = mfu_header_checksum(&w.header);
  if (w.fd >= 0 && pwrite(w.fd, &w.header, sizeof w.header, 0) != (ssize_t)sizeof w.header)
    w.header.flags |= MFU_FILE_WRITE_ERROR;
}

/* Gives the file its name: never through a link, never into a file that exists (EEXIST).
 * One that is our own pid's (a file of the image before an execve) makes this one the next
 * image's. Links `unnamed` there if >= 0 (as /proc/self/fd/N, which needs no privilege), else
 * or where that fails (no /proc) creates the file. Its descriptor, or -1 with errno. */
static int name_file(int unnamed) {
  char proc[32] = "/proc/self/fd/", *d = proc + 14;
  for (int n = unnamed, div = 1000000000; div; div /= 10) /* no stdio: signal handlers */
    if (n >= div || d > proc + 14 || div == 1) *d++ = (char)('0' + n / div % 10);
  struct stat st;
  int r;
  while ((r = unnamed >= 0
                  ? linkat(AT_FDCWD, proc, AT_FDCWD, w.path, AT_SYMLINK_FOLLOW)
                  : open(w.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0 &&
         errno == EEXIST && w.image < IMAGES && lstat(w.path, &st) == 0 && S_ISREG(st.st_mode)) {
    w.image++;
    format_path();
  }
  if (r < 0 && unnamed >= 0 && errno != EEXIST) return name_file(-1);
  return r < 0 ? -1 : unnamed >= 0 ? unnamed : r;
}

static void open_file(bool in_signal) {
  char dir[PATH_MAX];
  memcpy(dir, w.path, sizeof dir);
  char *slash = strrchr(dir, '/');
  if (slash) *slash = '\0';
  if (mfu_files_mkdirs(dir) != 0) {
    say_unless_signal(in_signal, "cannot create the trace directory", dir, errno);
    w.fd = FD_FAILED;
    return;
  }
  /* The file appears with its header or not at all (a kill in between would leave it
   * empty): written unnamed (O_TMPFILE), then linked at its name. Where the filesystem or a
   * missing /proc cannot, it is created by name, then written. */
  int unnamed = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (unnamed >= 0) w.fd = unnamed, write_header();
  w.fd = name_file(unnamed);
  int err = errno;
  if (unnamed >= 0 && w.fd != unnamed) close(unnamed);
  struct stat st;
  if (w.fd < 0) {
    say_unless_signal(in_signal,
                      err == EEXIST && lstat(w.path, &st) == 0 && S_ISLNK(st.st_mode)
                          ? "a symbolic link is in the way (never followed), cannot create"
                          : "cannot create",
                      w.path, err);
    w.fd = FD_FAILED;
    return;
  }
  write_header();
  if (lseek(w.fd, MFU_HEADER_SIZE, SEEK_SET) != (off_t)MFU_HEADER_SIZE) {
    say_unless_signal(in_signal, "cannot seek in", w.path, errno);
    close(w.fd);
    w.fd = FD_FAILED;
    return;
  }
  struct iovec strings = {w.strings, w.strings_size};
  write_block(MFU_BLOCK_STRINGS, MFU_ENCODING_PLAIN, w.strings_count, &strings, 1, in_signal);
}

static void write_pending_strings(bool in_signal) {
  if (w.fd < 0) return;
  while (atomic_flag_test_and_set_explicit(&strings.lock, memory_order_acquire)) {
    if (in_signal) return; /* held by the interrupted thread, perhaps: names stay unwritten */
    sched_yield();
  }
  if (strings.pending_count > 0) {
    struct iovec payload = {strings.pending, strings.pending_size};
    write_block(MFU_BLOCK_STRINGS, MFU_ENCODING_PLAIN, strings.pending_count, &payload, 1,
                in_signal);
    strings.pending_size = 0;
    strings.pending_count = 0;
  }
  atomic_flag_clear_explicit(&strings.lock, memory_order_release);
}

/* New call sites (stacks.h), before the records naming them; `packed` is free between blocks. */
static void write_pending_callsites(bool in_signal) {
  for (size_t n; w.fd >= 0 && (n = mfu_stacks_take(w.packed, sizeof w.packed)) > 0;)
    write_block(MFU_BLOCK_CALLSITES, MFU_ENCODING_PLAIN, 0, &(struct iovec){w.packed, n}, 1, in_signal);
}

/* Writes the records encoded so far as one RECORDS block, compressed when MFU_ZSTD asks (and
 * zstd shrinks it; never in a signal handler, zstd is not async-signal-safe), or counts them
 * lost if there is no file. */
static void write_records(bool in_signal) {
  uint32_t count = mfu_encode_count(&w.encoder);
  size_t size = mfu_encode_end(&w.encoder);
  struct iovec payload = {w.payload, size};
  uint16_t encoding = MFU_ENCODING_PLAIN;
  size_t packed = w.zstd && !in_signal
                      ? mfu_compress(w.payload, size, w.packed + sizeof(struct mfu_zstd_prefix),
                                     sizeof w.packed - sizeof(struct mfu_zstd_prefix) - 8)
                      : 0;
  if (packed) {
    struct mfu_zstd_prefix prefix = {.raw_size = (uint32_t)size, .size = (uint32_t)packed};
    memcpy(w.packed, &prefix, sizeof prefix);
    packed += sizeof prefix;
    while (packed % 8) w.packed[packed++] = 0;
    payload = (struct iovec){w.packed, packed};
    encoding = MFU_ENCODING_ZSTD;
  }
  if (count && (w.fd < 0 || !write_block(MFU_BLOCK_RECORDS, encoding, count, &payload, 1, in_signal)))
    w.header.records_lost += count;
}

/* Moves the published records of `r` into the file (or counts them lost if there is no file),
 * then frees a retired ring that is empty. Caller holds the lock. */
static void drain_ring(struct mfu_ring *r, bool in_signal) {
  uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
  uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
  int state = atomic_load_explicit(&r->state, memory_order_acquire);
  uint32_t count = (uint32_t)(head - tail);
  if (count > 0) {
    if (w.fd == FD_UNOPENED) open_file(in_signal);
    write_pending_strings(in_signal); /* those of records published before `head` was read */
    write_pending_callsites(in_signal);
    mfu_encode_begin(&w.encoder, w.payload, sizeof w.payload, r->tid);
    for (uint64_t i = tail; i != head; i++) { /* the ring is only read: its owner may look */
      const struct mfu_record *rec = &r->slots[i & (MFU_RING_SLOTS - 1)];
      uint64_t start = mfu_ring_ns(rec, rec->t_start_ns), end = mfu_ring_ns(rec, rec->t_end_ns);
      /* Slots already encoded go back to the owner as the drain goes, so that a thread whose
       * ring fills meanwhile finds room instead of draining what is left itself. */
      if (i % TAIL_EVERY == 0 && i != tail) atomic_store_explicit(&r->tail, i, memory_order_release);
      if (!mfu_window_keeps_host(rec, start)) continue; /* before or after a time window */
      if (mfu_encode_add(&w.encoder, rec, start, end)) continue;
      write_records(in_signal); /* the payload is full: a block, then the next */
      mfu_encode_begin(&w.encoder, w.payload, sizeof w.payload, r->tid);
      mfu_encode_add(&w.encoder, rec, start, end);
    }
    write_records(in_signal);
    atomic_store_explicit(&r->tail, head, memory_order_release);
  }
  if (state == MFU_RING_RETIRED && atomic_load_explicit(&r->head, memory_order_acquire) == head)
    atomic_store_explicit(&r->state, MFU_RING_FREE, memory_order_release);
}

static void drain_locked(struct mfu_ring *only, bool in_signal) {
  if (w.end_at >= 0) return; /* the file ends here, unless an execve fails: records wait */
  uint64_t written = w.header.records_written;
  mfu_clock_calibrate();
  if (only)
    drain_ring(only, in_signal);
  else
    for (struct mfu_ring *r = atomic_load(&mfu_rings); r; r = r->next) drain_ring(r, in_signal);
  if (w.header.records_written != written) write_header();
}

void mfu_writer_drain(struct mfu_ring *only) {
  if (w.owner != getpid() || !lock_within(0, only)) return;
  drain_locked(only, false);
  unlock();
}

/* The job mfu_writer_run asked for, if any. */
static void run_job(void) {
  void (*job)(void) = atomic_exchange(&w.job, NULL);
  if (!job) return;
  job();
  atomic_fetch_add(&w.jobs_done, 1);
  sem_post(&w.job_done);
}

bool mfu_writer_run(void (*job)(void)) {
  if (!w.has_thread || atomic_load(&w.stopping)) return false;
  uint64_t ticket = atomic_fetch_add(&w.jobs_asked, 1) + 1;
  atomic_store(&w.job, job);
  sem_post(&w.wake);
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += (time_t)(PATIENCE_NS / 1000000000u);
  while (atomic_load(&w.jobs_done) < ticket)
    if (sem_clockwait(&w.job_done, CLOCK_MONOTONIC, &deadline) != 0 && errno != EINTR) break;
  return atomic_load(&w.jobs_done) >= ticket;
}

static void *writer_main(void *arg) {
  (void)arg;
  while (!atomic_load(&w.stopping)) {
    /* the next flush, or sooner the next edge of a time window */
    uint64_t now = mfu_clock_monotonic_ns(), at = now + (uint64_t)mfu_config.flush_ms * 1000000u;
    uint64_t edge = mfu_window_tick(now);
    if (edge && edge < at) at = edge;
    struct timespec deadline = {.tv_sec = (time_t)(at / 1000000000u), .tv_nsec = (long)(at % 1000000000u)};
    while (sem_clockwait(&w.wake, CLOCK_MONOTONIC, &deadline) != 0 && errno == EINTR) {
    }
    run_job();
    mfu_window_tick(mfu_clock_monotonic_ns());
    if (!atomic_load(&w.stopping)) mfu_writer_drain(NULL);
  }
  return NULL;
}

void mfu_writer_start(void) {
  mfu_window_tick(mfu_clock_monotonic_ns()); /* a time window may have opened before now */
  if (mfu_config.zstd_level > 0 && mfu_compress_start(mfu_config.zstd_level))
    w.zstd = true, w.header.zstd_level = (uint32_t)mfu_config.zstd_level;
  if (lock_within(0, NULL)) { /* the file, with its header, before the first record */
    if (w.fd == FD_UNOPENED) open_file(false);
    unlock();
  }
  /* The writer must never run the host's signal handlers. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if ((w.has_thread = pthread_create(&t, &attr, writer_main, NULL) == 0))
    pthread_setname_np(t, "mfu-writer");
  else
    mfu_say("cannot start the writer thread: records are written when buffers fill and at exit");
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* The last records, the END block (once) and the final header. Caller holds the lock. */
static void finish_locked(bool in_signal) {
  drain_locked(NULL, in_signal);
  if (w.fd < 0 || w.end_at >= 0) return;
  off_t at = lseek(w.fd, 0, SEEK_CUR);
  if (at >= 0 && write_block(MFU_BLOCK_END, MFU_ENCODING_PLAIN, 0, NULL, 0, in_signal)) {
    w.end_at = at;
    w.header.flags |= MFU_FILE_COMPLETE;
  }
  write_header();
}

void mfu_writer_final_flush(void) {
  if (w.owner != getpid()) return;
  atomic_store(&w.stopping, 1);
  sem_post(&w.wake);
  if (!lock_within(PATIENCE_NS, NULL)) return;
  finish_locked(false);
  if (w.fd >= 0) close(w.fd);
  if (w.fd >= 0 || w.fd == FD_UNOPENED) w.fd = FD_CLOSED;
  unlock();
}

void mfu_writer_end(void) {
  if (w.owner != getpid() || !lock_within(PATIENCE_NS, NULL)) return;
  finish_locked(true);
  unlock();
}

void mfu_writer_resume(void) {
  if (w.owner != getpid() || !lock_within(PATIENCE_NS, NULL)) return;
  if (w.fd >= 0 && w.end_at >= 0) {
    if (ftruncate(w.fd, w.end_at) == 0 && lseek(w.fd, w.end_at, SEEK_SET) == w.end_at) {
      w.seq--;
      w.header.blocks_written--;
      w.header.flags &= ~MFU_FILE_COMPLETE;
      w.end_at = -1;
      write_header();
    }
  }
  unlock();
}

void mfu_writer_signal_flush(void) {
  if (w.owner != getpid() || !lock_within(PATIENCE_NS, NULL)) return;
  if (w.end_at < 0) w.header.flags |= MFU_FILE_SIGNAL_FLUSH;
  drain_locked(NULL, true);
  write_header();
  unlock();
}

void mfu_writer_adopt_rank(int32_t rank, int32_t world_size) {
  if (w.owner != getpid() || rank < 0 || !lock_within(0, NULL)) return;
  if (w.header.rank < 0) {
    char old[sizeof w.path];
    memcpy(old, w.path, sizeof old);
    w.header.rank = rank;
    if (w.header.world_size < 0) w.header.world_size = world_size;
    format_path();
    if (w.fd >= 0 && rename(old, w.path) != 0) memcpy(w.path, old, sizeof old);
    if (w.fd >= 0) write_header();
  }
  unlock();
}

void mfu_writer_note_cupti(uint32_t state, uint32_t error, int64_t offset_ns, uint64_t dropped) {
  if (w.owner != getpid() || !lock_within(0, NULL)) return;
  if (state != MFU_CUPTI_ACTIVE || w.header.cupti_state != MFU_CUPTI_ACTIVE) {
    w.header.cupti_state = state;
    w.header.cupti_error = error;
  }
  if (state == MFU_CUPTI_ACTIVE && w.header.cupti_offset_start_ns == 0)
    w.header.cupti_offset_start_ns = offset_ns;
  if (offset_ns) w.header.cupti_offset_end_ns = offset_ns;
  w.header.cupti_dropped += dropped;
  if (w.fd >= 0) write_header();
  unlock();
}

void mfu_writer_forget(void) {
  w.owner = 0;
  if (w.fd >= 0) close(w.fd);
  w.fd = FD_CLOSED;
}
