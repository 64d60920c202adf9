/* reader: see reader.h. The file is mapped, read in place, and released behind the reader. */
#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/hash.h"

/* Records the first problem only: the root cause, where the trouble starts. */
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
                h->header_size, h->version, MFU_HEADER_SIZE);
  uint32_t record_size = h->version == 1 ? MFU_RECORD_V1_SIZE : 0; /* v2: encoded records */
  if (h->record_size != record_size)
    return STOP(t, offsetof(struct mfu_file_header, record_size),
                "record_size is %u, format version %u requires %u: corrupt header",
                h->record_size, h->version, record_size);
  uint64_t sum = mfu_header_checksum(h);
  if (sum != h->checksum)
    return STOP(t, offsetof(struct mfu_file_header, checksum),
                "header checksum mismatch (stored 0x%016llx, computed 0x%016llx): corrupt header",
                (unsigned long long)h->checksum, (unsigned long long)sum);
  return true;
}

/* How many records a block with header bh holds in a file of format *version; -1 if the header
 * contradicts itself or its type is unknown (blocks.h). */
static int64_t records_in(const struct mfu_block_header *bh, const void *version) {
  switch (bh->type) {
  case MFU_BLOCK_RECORDS:
    if (*(const uint32_t *)version == 1)
      return (uint64_t)bh->count * MFU_RECORD_V1_SIZE == bh->payload_size ? (int64_t)bh->count : -1;
    return bh->payload_size >= (bh->encoding == MFU_ENCODING_PLAIN ? sizeof(struct mfu_records_prefix)
                                                                  : sizeof(struct mfu_zstd_prefix))
               ? (int64_t)bh->count
               : -1;
  case MFU_BLOCK_STRINGS:
  case MFU_BLOCK_CALLSITES:
    return 0;
  case MFU_BLOCK_END:
    return bh->count || bh->payload_size ? -1 : 0;
  default:
    return -1;
  }
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
  t->file_size = (uint64_t)st.st_size;
  if (t->file_size > SIZE_MAX) {
    note(t, 0, "%llu bytes: too large to map on this machine; read it on a 64-bit one",
         (unsigned long long)t->file_size);
    close(fd);
    return -1;
  }
  if (t->file_size) {
    void *map = mmap(NULL, (size_t)t->file_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      note(t, 0, "cannot map the file (%s): copy it to a local file system and read the copy",
           strerror(errno));
      close(fd);
      return -1;
    }
    t->map = map;
  }
  close(fd);

  struct mfu_file_header *h = &t->header;
  size_t n = t->file_size < sizeof *h ? (size_t)t->file_size : sizeof *h;
  if (n) memcpy(h, t->map, n);
  if (!check_header(t, h, n)) return -1;
  terminate(h->shim_version, sizeof h->shim_version);
  terminate(h->job_id, sizeof h->job_id);
  terminate(h->hostname, sizeof h->hostname);
  terminate(h->cmdline, sizeof h->cmdline);
  trace_blocks_start(&t->in, t->map, MFU_HEADER_SIZE, t->file_size, records_in, &h->version);
  t->ended = false;
  return 0;
}

/* --- the string table: id -> text, open addressing (ids are dense from 1 and from
 * MFU_STRING_DYNAMIC, but a damaged or hostile file may hold any) */
static size_t string_slot(const struct mfu_trace_string *table, size_t cap, uint32_t id) {
  size_t i = (size_t)mfu_hash_mix(MFU_HASH_SEED, id) & (cap - 1);
  while (table[i].text && table[i].id != id) i = (i + 1) & (cap - 1);
  return i;
}

static void add_string(struct mfu_trace *t, uint32_t id, const unsigned char *text, uint32_t len) {
  if (2 * (t->nstrings + 1) > t->strings_cap) { /* at most half full */
    size_t cap = t->strings_cap ? 2 * t->strings_cap : 256;
    struct mfu_trace_string *grown = mfu_xcalloc(cap, sizeof *grown);
    for (size_t i = 0; i < t->strings_cap; i++)
      if (t->strings[i].text) grown[string_slot(grown, cap, t->strings[i].id)] = t->strings[i];
    free(t->strings);
    t->strings = grown;
    t->strings_cap = cap;
  }
  struct mfu_trace_string *s = &t->strings[string_slot(t->strings, t->strings_cap, id)];
  if (s->text) /* a redefinition replaces the entry */
    free(s->text);
  else
    t->nstrings++;
  *s = (struct mfu_trace_string){id, mfu_xstrndup((const char *)text, len)};
}

const char *mfu_trace_string(const struct mfu_trace *t, uint32_t id) {
  if (!t->strings_cap) return NULL;
  return t->strings[string_slot(t->strings, t->strings_cap, id)].text;
}

/* --- blocks */

/* A verified block whose content is inconsistent: skipped like damage, `records` lost.
 * Returns false, for read_strings to return. */
__attribute__((format(printf, 3, 4))) static bool malformed(struct mfu_trace *t, int64_t records,
                                                            const char *fmt, ...) {
  const struct trace_blocks *b = &t->in;
  struct trace_gap g = {.offset = b->offset, .bytes = b->pos - b->offset, .blocks = 1,
                        .records = records};
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g.reason, sizeof g.reason, fmt, ap);
  va_end(ap);
  trace_gaps_add(&t->gaps, &g);
  return false;
}

/* Entries: struct mfu_string, `len` bytes, a NUL, NULs up to a multiple of 8. */
static bool read_strings(struct mfu_trace *t) {
  const struct mfu_block_header *bh = &t->in.header;
  const unsigned char *p = t->in.payload;
  uint64_t at = 0, size = bh->payload_size;
  for (uint32_t i = 0; i < bh->count; i++) {
    struct mfu_string e;
    if (size - at < sizeof e)
      return malformed(t, 0, "malformed STRINGS block: entry %u of %u starts past its payload", i,
                       bh->count);
    memcpy(&e, p + at, sizeof e);
    at += sizeof e;
    uint64_t padded = ((uint64_t)e.len + 1 + 7) & ~(uint64_t)7;
    if (padded > size - at || p[at + e.len] != '\0')
      return malformed(t, 0,
                       "malformed STRINGS block: entry %u (id %u, %u bytes) overruns its payload",
                       i, e.id, e.len);
    add_string(t, e.id, p + at, e.len);
    at += padded;
  }
  if (at != size)
    return malformed(t, 0, "malformed STRINGS block: %llu bytes after its %u entries",
                     (unsigned long long)(size - at), bh->count);
  return true;
}

/* Gives the pages of the file before `offset` back, a few MiB at a time: they were read, and
 * a reader's memory must not grow with the file. They stay readable (from the page cache). */
#define RELEASE_BYTES ((uint64_t)4 << 20) /* a multiple of every page size */
static void release_behind(struct mfu_trace *t, uint64_t offset) {
  uint64_t upto = offset / RELEASE_BYTES * RELEASE_BYTES;
  if (upto <= t->released) return;
  madvise(t->map + t->released, (size_t)(upto - t->released), MADV_DONTNEED);
  t->released = upto;
}

/* Reads the next valid block and takes in what it holds; false at the end of the data. */
static bool read_block(struct mfu_trace *t) {
  struct trace_blocks *b = &t->in;
  struct trace_gap g;
  if (t->saw_end) {
    if (b->pos < b->size)
      note(t, b->pos, "%llu bytes after the END block: data appended to a closed trace",
           (unsigned long long)(b->size - b->pos));
    return false;
  }
  if (!trace_blocks_next(b, &g)) {
    if (g.bytes) {
      t->tail = g;
      note(t, g.offset, "%s", g.reason);
    }
    return false;
  }
  if (g.bytes || g.blocks) trace_gaps_add(&t->gaps, &g);
  release_behind(t, b->offset);
  t->blocks++;
  const struct mfu_block_header *bh = &b->header;
  switch (bh->type) {
  case MFU_BLOCK_RECORDS: {
    char why[192];
    if (!trace_decode_block(&t->decoder, t->header.version, bh, b->payload, why, sizeof why)) {
      malformed(t, bh->count, "%s", why);
      break;
    }
    t->recs_left = bh->count;
    t->records_block++;
    break;
  }
  case MFU_BLOCK_STRINGS:
    read_strings(t);
    break;
  case MFU_BLOCK_CALLSITES: {
    char why[192];
    if (trace_callsites_add(&t->callsites, b->payload, bh->payload_size, why, sizeof why) != 0)
      malformed(t, 0, "malformed CALLSITES block: %s", why);
    break;
  }
  case MFU_BLOCK_END:
    if (bh->payload_size || bh->count) {
      malformed(t, 0, "END block with a payload (%u bytes, count %u)", bh->payload_size,
                bh->count);
      break;
    }
    t->saw_end = true;
    break;
  default:
    t->skipped_blocks++;
  }
  return true;
}

static void finish(struct mfu_trace *t) {
  t->ended = true;
  if (!t->saw_end)
    note(t, t->in.pos - t->tail.bytes, "no END block after %llu valid blocks: %s",
         (unsigned long long)t->blocks,
         t->header.flags & MFU_FILE_SIGNAL_FLUSH
             ? "the process died from a fatal signal (its last flush ran in the signal handler)"
             : "the process did not exit cleanly (crash, SIGKILL) or is still running");
  else if (!(t->header.flags & MFU_FILE_COMPLETE))
    note(t, 0,
         "END block present but the header lacks the complete flag: its last update was lost");
  else if (!t->gaps.unknown && t->header.records_written != t->records + t->gaps.records)
    note(t, 0, "the header counts %llu records written, the blocks hold %llu (and the damaged "
         "ones %llu)", (unsigned long long)t->header.records_written,
         (unsigned long long)t->records, (unsigned long long)t->gaps.records);
  t->complete = t->problem[0] == '\0' && t->gaps.n == 0;
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
  return trace_decode_next(&t->decoder, &t->descriptor);
}

void mfu_trace_close(struct mfu_trace *t) {
  if (t->map) munmap(t->map, (size_t)t->file_size);
  for (size_t i = 0; i < t->strings_cap; i++) free(t->strings[i].text);
  free(t->strings);
  trace_gaps_free(&t->gaps);
  trace_decoder_free(&t->decoder);
  trace_callsites_free(&t->callsites);
  t->map = NULL;
  t->strings = NULL;
  t->nstrings = t->strings_cap = 0;
}
