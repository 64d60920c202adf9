/* reader: reads one trace file (format v1, include/mfu/trace.h) and hands out its
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
 * A file cut short or corrupt in the middle yields every valid block before the damage, then
 * ends with `problem` saying what was wrong and at which byte. Only one file is open at a
 * time per reader, and memory stays bounded by the largest block. */
#ifndef MFU_TRACE_READER_H
#define MFU_TRACE_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mfu/trace.h"

struct mfu_trace_string {
  uint32_t id;
  char *text;
};

struct mfu_trace {
  /* Valid after mfu_trace_open succeeded; its text fields are NUL-terminated. */
  struct mfu_file_header header;
  uint64_t file_size;

  /* The first problem found (empty if none): why the file could not be opened, why it is
   * incomplete, and the byte offset where it was found. The first one is the root cause:
   * what follows a damaged byte is not trusted. */
  char problem[256];
  uint64_t problem_offset;

  /* Set when mfu_trace_next has returned NULL: the END block was read, the header says the
   * file was closed cleanly, and nothing was wrong. */
  bool complete;

  uint64_t blocks;         /* valid blocks read so far */
  uint64_t records;        /* records handed out so far */
  uint64_t skipped_blocks; /* valid blocks of types this reader does not know (newer shim) */

  /* private */
  FILE *f;
  uint64_t pos; /* offset of the next block */
  bool ended, saw_end;
  unsigned char *payload;
  size_t payload_cap;
  const struct mfu_record *next_rec;
  uint32_t recs_left;
  struct mfu_trace_string *strings;
  size_t nstrings, strings_cap;
};

/* Opens `path` and validates its header. Returns 0, or -1 with t->problem saying why the
 * file cannot be read at all; call mfu_trace_close in both cases. */
int mfu_trace_open(struct mfu_trace *t, const char *path);

/* The next valid record, or NULL at the end of the valid data (then `complete` and
 * `problem` are final). The pointer is valid until the next call. */
const struct mfu_record *mfu_trace_next(struct mfu_trace *t);

/* The string-table entry `id` read so far (STRINGS blocks precede the records using them),
 * or NULL. */
const char *mfu_trace_string(const struct mfu_trace *t, uint32_t id);

void mfu_trace_close(struct mfu_trace *t);

#endif
