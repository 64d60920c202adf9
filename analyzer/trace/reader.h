/* reader: reads one trace file (format v2 or v1, include/mfu/trace.h) and hands out its
 * records one at a time, verifying everything on the way, so that the rest of the analyzer
 * only ever sees records from blocks whose checksum verified.
 *
 *     struct mfu_trace t;
 *     if (mfu_trace_open(&t, path) == 0)
 *       for (const struct mfu_record *r; (r = mfu_trace_next(&t));)
 *         ... r, mfu_trace_string(&t, r->api) ...
 *     ... t.complete, t.problem, t.problem_offset ...
 *     mfu_trace_close(&t);
 *
 * Damage in the middle (a torn or corrupt block) is read past (blocks.h): every valid block
 * is read, and each damaged region is listed in `gaps` with what it cost. A file cut short
 * yields every valid block before the cut, which `tail` describes. Only one file is open at a
 * time per reader; it is mapped (read-only, private), read in place and given back behind
 * the reader, so that memory stays bounded by a few MiB of it, the string table and the
 * descriptors. A file must not shrink while it is read (a writer only appends to it). */
#ifndef MFU_TRACE_READER_H
#define MFU_TRACE_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "blocks.h"
#include "callsites.h"
#include "decode.h"
#include "mfu/trace.h"

struct mfu_trace_string { /* a slot of the string table, indexed by id; text NULL: free */
  uint32_t id;
  char *text;
};

struct mfu_trace {
  /* Valid after mfu_trace_open succeeded; its text fields are NUL-terminated. */
  struct mfu_file_header header;
  uint64_t file_size;

  /* The first problem found apart from the gaps below (empty if none): why the file could
   * not be opened, or why it did not end cleanly, and the byte offset where it was found. */
  char problem[256];
  uint64_t problem_offset;

  /* Damage read past: each region of bytes (or sequence numbers) that held no valid block,
   * with valid blocks after it. */
  struct trace_gaps gaps;
  /* Damage from where the valid data ends to the end of the file (a file cut short, a torn
   * last block); tail.bytes is 0 if there is none. The problem then says so too. */
  struct trace_gap tail;

  /* Set when mfu_trace_next has returned NULL: the END block was read, the header says the
   * file was closed cleanly, and nothing was wrong or lost. */
  bool complete;

  uint64_t blocks;         /* valid blocks read so far */
  uint64_t records;        /* records handed out so far */
  uint64_t skipped_blocks; /* valid blocks of types this reader does not know (newer shim) */
  /* The call sites read so far (CALLSITES blocks precede the records naming them); the
   * caller may move them out once the records are read. */
  struct trace_callsites callsites;

  /* Of the record mfu_trace_next returned last: its descriptor, the index in its block's
   * dictionary (TRACE_NO_DESCRIPTOR in a v1 file), and its block, numbered among the RECORDS
   * blocks read. Records of one block with one descriptor differ only in thread, times and
   * their kind's dynamic slots (include/mfu/trace.h): what a consumer derives from the rest
   * it may keep per descriptor (memo.h) instead of deriving it for each record. */
  uint32_t descriptor;
  uint64_t records_block;

  /* private */
  unsigned char *map; /* the file's bytes, file_size of them (NULL if none) */
  uint64_t released;  /* the pages before this offset were given back */
  struct trace_blocks in; /* the blocks after the header */
  struct trace_decoder decoder; /* their records */
  bool ended, saw_end;
  uint32_t recs_left;
  struct mfu_trace_string *strings; /* open addressing; strings_cap a power of two or 0 */
  size_t nstrings, strings_cap;
};

/* Opens `path` and validates its header. Returns 0, or -1 with t->problem saying why the
 * file cannot be read at all; call mfu_trace_close in both cases. */
int mfu_trace_open(struct mfu_trace *t, const char *path);

/* The next valid record, or NULL at the end of the valid data (then `complete` and
 * `problem` are final). The pointer is valid until the next call. */
const struct mfu_record *mfu_trace_next(struct mfu_trace *t);

/* The string-table entry `id` read so far (STRINGS blocks precede the records using them),
 * or NULL; a lookup in a hash table. */
const char *mfu_trace_string(const struct mfu_trace *t, uint32_t id);

void mfu_trace_close(struct mfu_trace *t);

#endif
