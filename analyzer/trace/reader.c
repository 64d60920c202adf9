/* reader: see reader.h. Plain stdio, one block in memory at a time. */
#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Records the first problem only: what follows a damaged byte is not trusted. */
__attribute__((format(printf, 3, 4))) static void note(struct mfu_trace *t, uint64_t offset,
                                                       const char *fmt, ...) {
  if (t->problem[0]) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->problem, sizeof t->problem, fmt, ap);
  va_end(ap);
  t->problem_offset = offset;
}

#define STOP(t, offset, ...) (note((t), (offset), __VA_ARGS__), false)

/* Reads exactly n bytes at the current position; a short read is a problem at `offset`. */
static bool read_exact(struct mfu_trace *t, void *buf, size_t n, uint64_t offset) {
  if (n == 0 || fread(buf, 1, n, t->f) == n) return true;
  if (ferror(t->f))
    return STOP(t, offset, "read error: %s", strerror(errno));
  return STOP(t, offset, "the file shrank while it was read: read it again");
}

static void terminate(char *field, size_t size) { field[size - 1] = '\0'; }

static bool check_header(struct mfu_trace *t, const struct mfu_file_header *h, size_t n) {
  if (n == 0)
    return STOP(t, 0, "empty file: the process ended before the shim wrote its header");
  if (n < sizeof h->magic || memcmp(h->magic, MFU_TRACE_MAGIC, sizeof h->magic) != 0)
    return STOP(t, 0, "not an mfu trace: the file does not start with \"%s\"", MFU_TRACE_MAGIC);
  if (n < offsetof(struct mfu_file_header, record_size))
    return STOP(t, n, "truncated header (%zu of %u bytes): the process was killed while starting",
                n, MFU_HEADER_SIZE);
  if (h->byte_order == __builtin_bswap64(MFU_BYTE_ORDER_MARK))
    return STOP(t, offsetof(struct mfu_file_header, byte_order),
                "written on a machine of the other byte order (byte-order mark reads 0x%016llx):"
                " read it with mfu on a machine of the writer's byte order",
                (unsigned long long)h->byte_order);
  if (h->byte_order != MFU_BYTE_ORDER_MARK)
    return STOP(t, offsetof(struct mfu_file_header, byte_order),
                "invalid byte-order mark 0x%016llx (expected 0x%016llx): corrupt header",
                (unsigned long long)h->byte_order, (unsigned long long)MFU_BYTE_ORDER_MARK);
  if (h->version > MFU_TRACE_VERSION)
    return STOP(t, offsetof(struct mfu_file_header, version),
                "format version %u is newer than this mfu reads (%u): upgrade mfu to read it",
                h->version, MFU_TRACE_VERSION);
  if (h->version == 0)
    return STOP(t, offsetof(struct mfu_file_header, version),
                "invalid format version 0: corrupt header");
  if (n < sizeof *h)
    return STOP(t, n, "truncated header (%zu of %u bytes): the process was killed while starting",
                n, MFU_HEADER_SIZE);
  if (h->header_size != MFU_HEADER_SIZE)
    return STOP(t, offsetof(struct mfu_file_header, header_size),
                "header_size is %u, format version %u requires %u: corrupt header",
                h->header_size, MFU_TRACE_VERSION, MFU_HEADER_SIZE);
  if (h->record_size != sizeof(struct mfu_record))
    return STOP(t, offsetof(struct mfu_file_header, record_size),
                "record_size is %u, format version %u requires %zu: corrupt header",
                h->record_size, MFU_TRACE_VERSION, sizeof(struct mfu_record));
  uint64_t sum = mfu_header_checksum(h);
  if (sum != h->checksum)
    return STOP(t, offsetof(struct mfu_file_header, checksum),
                "header checksum mismatch (stored 0x%016llx, computed 0x%016llx): corrupt header",
                (unsigned long long)h->checksum, (unsigned long long)sum);
  return true;
}

int mfu_trace_open(struct mfu_trace *t, const char *path) {
  *t = (struct mfu_trace){.ended = true}; /* until the header is valid, next() yields nothing */
  /* O_NONBLOCK: opening a FIFO named *.mfutrace must not hang; it is rejected below. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat st;
  if (fd < 0) {
    note(t, 0, "cannot open: %s", strerror(errno));
    return -1;
  }
  if (fstat(fd, &st) != 0) {
    note(t, 0, "cannot stat: %s", strerror(errno));
    close(fd);
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    note(t, 0, S_ISDIR(st.st_mode) ? "is a directory, not a trace file" : "not a regular file");
    close(fd);
    return -1;
  }
  t->f = fdopen(fd, "rb");
  if (!t->f) {
    note(t, 0, "cannot open: %s", strerror(errno));
    close(fd);
    return -1;
  }
  t->file_size = (uint64_t)st.st_size;

  struct mfu_file_header *h = &t->header;
  size_t n = fread(h, 1, sizeof *h, t->f);
  if (!check_header(t, h, n)) return -1;
  terminate(h->shim_version, sizeof h->shim_version);
  terminate(h->job_id, sizeof h->job_id);
  terminate(h->hostname, sizeof h->hostname);
  terminate(h->cmdline, sizeof h->cmdline);
  t->pos = MFU_HEADER_SIZE;
  t->ended = false;
  return 0;
}

static bool add_string(struct mfu_trace *t, uint32_t id, const unsigned char *text, uint32_t len) {
  char *copy = strndup((const char *)text, len);
  if (!copy) return false;
  for (size_t i = 0; i < t->nstrings; i++)
    if (t->strings[i].id == id) { /* a redefinition replaces the entry */
      free(t->strings[i].text);
      t->strings[i].text = copy;
      return true;
    }
  if (t->nstrings == t->strings_cap) {
    size_t cap = t->strings_cap ? 2 * t->strings_cap : 128;
    void *grown = realloc(t->strings, cap * sizeof *t->strings);
    if (!grown) {
      free(copy);
      return false;
    }
    t->strings = grown;
    t->strings_cap = cap;
  }
  t->strings[t->nstrings++] = (struct mfu_trace_string){id, copy};
  return true;
}

/* Entries: struct mfu_string, `len` bytes, a NUL, NULs up to a multiple of 8. */
static bool read_strings(struct mfu_trace *t, const struct mfu_block_header *bh, uint64_t offset) {
  const unsigned char *p = t->payload;
  uint64_t at = 0, size = bh->payload_size;
  for (uint32_t i = 0; i < bh->count; i++) {
    struct mfu_string e;
    if (size - at < sizeof e)
      return STOP(t, offset, "malformed STRINGS block: entry %u of %u starts past its payload", i,
                  bh->count);
    memcpy(&e, p + at, sizeof e);
    at += sizeof e;
    uint64_t padded = ((uint64_t)e.len + 1 + 7) & ~(uint64_t)7;
    if (padded > size - at || p[at + e.len] != '\0')
      return STOP(t, offset,
                  "malformed STRINGS block: entry %u (id %u, %u bytes) overruns its payload", i,
                  e.id, e.len);
    if (!add_string(t, e.id, p + at, e.len)) return STOP(t, offset, "out of memory");
    at += padded;
  }
  if (at != size)
    return STOP(t, offset, "malformed STRINGS block: %llu bytes after its %u entries",
                (unsigned long long)(size - at), bh->count);
  return true;
}

static bool read_payload(struct mfu_trace *t, uint32_t size, uint64_t offset) {
  if (size > t->payload_cap) {
    void *grown = realloc(t->payload, size);
    if (!grown) return STOP(t, offset, "out of memory for a %u-byte block", size);
    t->payload = grown;
    t->payload_cap = size;
  }
  return read_exact(t, t->payload, size, offset);
}

/* Reads and verifies the block at t->pos. Returns false at the end of the valid data. */
static bool read_block(struct mfu_trace *t) {
  uint64_t off = t->pos, left = t->file_size - off;
  struct mfu_block_header bh;
  if (t->saw_end) {
    if (left)
      note(t, off, "%llu bytes after the END block: data appended to a closed trace",
           (unsigned long long)left);
    return false;
  }
  if (left == 0) return false;
  if (left < sizeof bh)
    return STOP(t, off,
                "truncated block header (%llu of %zu bytes): the process was killed while writing",
                (unsigned long long)left, sizeof bh);
  if (!read_exact(t, &bh, sizeof bh, off)) return false;
  if (bh.magic != MFU_BLOCK_MAGIC)
    return STOP(t, off, "bad block magic 0x%08x (expected 0x%08x): corrupt data", bh.magic,
                MFU_BLOCK_MAGIC);
  if (bh.payload_size > MFU_BLOCK_MAX_PAYLOAD)
    return STOP(t, off, "payload_size %u exceeds the %u-byte block limit: corrupt block header",
                bh.payload_size, MFU_BLOCK_MAX_PAYLOAD);
  if (bh.payload_size > left - sizeof bh)
    return STOP(t, off,
                "truncated block: payload_size %u but only %llu bytes follow: the process was "
                "killed while writing",
                bh.payload_size, (unsigned long long)(left - sizeof bh));
  if (bh.payload_size % 8)
    return STOP(t, off, "payload_size %u is not a multiple of 8: corrupt block header",
                bh.payload_size);
  if (!read_payload(t, bh.payload_size, off)) return false;
  uint64_t sum = mfu_block_checksum(&bh, t->payload);
  if (sum != bh.checksum)
    return STOP(t, off,
                "block checksum mismatch (stored 0x%016llx, computed 0x%016llx): corrupt block",
                (unsigned long long)bh.checksum, (unsigned long long)sum);

  switch (bh.type) {
  case MFU_BLOCK_RECORDS:
    if ((uint64_t)bh.count * sizeof(struct mfu_record) != bh.payload_size)
      return STOP(t, off, "RECORDS block of %u records of %zu bytes has payload_size %u", bh.count,
                  sizeof(struct mfu_record), bh.payload_size);
    t->next_rec = (const struct mfu_record *)t->payload; /* malloc'd: aligned for records */
    t->recs_left = bh.count;
    break;
  case MFU_BLOCK_STRINGS:
    if (!read_strings(t, &bh, off)) return false;
    break;
  case MFU_BLOCK_END:
    if (bh.payload_size || bh.count)
      return STOP(t, off, "END block with a payload (%u bytes, count %u): corrupt block",
                  bh.payload_size, bh.count);
    t->saw_end = true;
    break;
  default:
    t->skipped_blocks++;
  }
  /* A verified block out of sequence is real data, but blocks before it were lost. */
  if (bh.seq != t->blocks)
    note(t, off, "block sequence number %llu, expected %llu: blocks are missing before it",
         (unsigned long long)bh.seq, (unsigned long long)t->blocks);
  t->blocks++;
  t->pos = off + sizeof bh + bh.payload_size;
  return true;
}

static void finish(struct mfu_trace *t) {
  t->ended = true;
  if (!t->saw_end)
    note(t, t->pos, "no END block after %llu valid blocks: %s", (unsigned long long)t->blocks,
         t->header.flags & MFU_FILE_SIGNAL_FLUSH
             ? "the process died from a fatal signal (its last flush ran in the signal handler)"
             : "the process did not exit cleanly (crash, SIGKILL) or is still running");
  else if (!(t->header.flags & MFU_FILE_COMPLETE))
    note(t, 0,
         "END block present but the header lacks the complete flag: its last update was lost");
  else if (t->header.records_written != t->records)
    note(t, 0, "the header counts %llu records written, the blocks hold %llu",
         (unsigned long long)t->header.records_written, (unsigned long long)t->records);
  t->complete = t->problem[0] == '\0';
}

const struct mfu_record *mfu_trace_next(struct mfu_trace *t) {
  while (t->recs_left == 0) {
    if (t->ended) return NULL;
    if (!read_block(t)) {
      finish(t);
      return NULL;
    }
  }
  t->recs_left--;
  t->records++;
  return t->next_rec++;
}

const char *mfu_trace_string(const struct mfu_trace *t, uint32_t id) {
  for (size_t i = 0; i < t->nstrings; i++)
    if (t->strings[i].id == id) return t->strings[i].text;
  return NULL;
}

void mfu_trace_close(struct mfu_trace *t) {
  if (t->f) fclose(t->f);
  for (size_t i = 0; i < t->nstrings; i++) free(t->strings[i].text);
  free(t->strings);
  free(t->payload);
  t->f = NULL;
  t->strings = NULL;
  t->payload = NULL;
  t->nstrings = t->strings_cap = t->payload_cap = 0;
}
