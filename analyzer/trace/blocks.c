/* blocks: see blocks.h. */
#include "blocks.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#define BH ((uint64_t)sizeof(struct mfu_block_header))

__attribute__((format(printf, 2, 3))) static void say(struct trace_gap *g, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g->reason, sizeof g->reason, fmt, ap);
  va_end(ap);
}

void trace_gaps_add(struct trace_gaps *gaps, const struct trace_gap *g) {
  if (gaps->n < TRACE_GAPS_KEPT) {
    if (!gaps->list) gaps->list = mfu_xmalloc(TRACE_GAPS_KEPT, sizeof *gaps->list);
    gaps->list[gaps->n] = *g;
  }
  gaps->n++;
  gaps->bytes += g->bytes;
  if (g->records < 0)
    gaps->unknown++;
  else
    gaps->records += (uint64_t)g->records;
}

void trace_gaps_free(struct trace_gaps *gaps) {
  free(gaps->list);
  *gaps = (struct trace_gaps){0};
}

void trace_blocks_start(struct trace_blocks *b, const unsigned char *data, uint64_t offset,
                        uint64_t size,
                        int64_t (*records_in)(const struct mfu_block_header *bh, const void *ctx),
                        const void *ctx) {
  *b = (struct trace_blocks){.data = data, .records_in = records_in, .ctx = ctx, .pos = offset,
                             .size = size};
}

/* The block header at `offset` (at least BH bytes before the end). */
static struct mfu_block_header header_at(const struct trace_blocks *b, uint64_t offset) {
  struct mfu_block_header bh;
  memcpy(&bh, b->data + offset, sizeof bh);
  return bh;
}

enum verdict { VALID, TRUNCATED, CORRUPT };

/* Whether the block at `offset` with header bh is valid. At most `max_lost` blocks may be
 * missing before it; why not, in g. */
static enum verdict verify(struct trace_blocks *b, const struct mfu_block_header *bh,
                           uint64_t offset, uint64_t max_lost, struct trace_gap *g) {
  uint64_t follow = b->size - offset - BH;
  if (bh->magic != MFU_BLOCK_MAGIC)
    return say(g, "bad block magic 0x%08x (expected 0x%08x)", bh->magic, MFU_BLOCK_MAGIC),
           CORRUPT;
  if (bh->payload_size > MFU_BLOCK_MAX_PAYLOAD)
    return say(g, "payload_size %u exceeds the %u-byte block limit", bh->payload_size,
               MFU_BLOCK_MAX_PAYLOAD),
           CORRUPT;
  if (bh->payload_size > follow)
    return say(g, "truncated block: payload_size %u but only %llu bytes follow",
               bh->payload_size, (unsigned long long)follow),
           TRUNCATED;
  if (bh->payload_size % 8)
    return say(g, "payload_size %u is not a multiple of 8", bh->payload_size), CORRUPT;
  if (bh->seq < b->seq)
    return say(g, "block sequence number %llu is behind the %llu expected: a stale or repeated "
               "block", (unsigned long long)bh->seq, (unsigned long long)b->seq),
           CORRUPT;
  if (bh->seq - b->seq > max_lost)
    return say(g, "block sequence number %llu is too far ahead of the %llu expected",
               (unsigned long long)bh->seq, (unsigned long long)b->seq),
           CORRUPT;
  uint64_t sum = mfu_block_checksum(bh, b->data + offset + BH);
  if (sum != bh->checksum)
    return say(g, "block checksum mismatch (stored 0x%016llx, computed 0x%016llx)",
               (unsigned long long)bh->checksum, (unsigned long long)sum),
           CORRUPT;
  return VALID;
}

static int64_t as_count(uint64_t n) { return n > INT64_MAX ? INT64_MAX : (int64_t)n; }

/* Makes the verified block at `offset` the current one. */
static bool take(struct trace_blocks *b, const struct mfu_block_header *bh, uint64_t offset) {
  b->header = *bh;
  b->payload = b->data + offset + BH;
  b->offset = offset;
  b->pos = offset + BH + bh->payload_size;
  b->seq = bh->seq + 1;
  return true;
}

/* The blocks lost between `from` and `to`, and the records they held, if their headers
 * chain: each starts where the one before it ends, with consecutive sequence numbers from the
 * one expected, and says how many records it holds. At the tail (to == the file's size), the
 * last may run past the end. Sets g->blocks (unless `blocks_known`) and g->records; -1 where
 * the headers do not tell. */
static void count_lost(struct trace_blocks *b, uint64_t from, uint64_t to, bool blocks_known,
                       struct trace_gap *g) {
  uint64_t n = 0, records = 0, at = from;
  bool told = true;
  while (at < to && to - at >= BH) {
    struct mfu_block_header bh = header_at(b, at);
    if (bh.magic != MFU_BLOCK_MAGIC ||
        bh.payload_size > MFU_BLOCK_MAX_PAYLOAD || bh.payload_size % 8 || bh.seq != b->seq + n)
      break;
    int64_t in = b->records_in(&bh, b->ctx);
    told = told && in >= 0;
    records += in > 0 ? (uint64_t)in : 0;
    n++;
    at += BH + bh.payload_size;
  }
  bool chained = to == b->size ? at >= to : at == to && (!blocks_known || n == (uint64_t)g->blocks);
  if (!blocks_known) g->blocks = chained ? as_count(n) : -1;
  g->records = g->blocks == 0 ? 0 : chained && told ? as_count(records) : -1;
}

/* Scans forward from the damage at `from` for the next valid block; takes it and returns true,
 * or returns false when there is none before the end of the file. */
static bool resync(struct trace_blocks *b, uint64_t from, struct trace_gap *g) {
  struct trace_gap why;
  for (uint64_t at = from + 8; at <= b->size && b->size - at >= BH; at += 8) {
    uint32_t magic;
    memcpy(&magic, b->data + at, sizeof magic);
    if (magic != MFU_BLOCK_MAGIC) continue;
    struct mfu_block_header bh = header_at(b, at);
    if (verify(b, &bh, at, (at - from) / BH, &why) == VALID) {
      g->bytes = at - from;
      g->blocks = as_count(bh.seq - b->seq);
      count_lost(b, from, at, true, g);
      return take(b, &bh, at);
    }
  }
  return false;
}

bool trace_blocks_next(struct trace_blocks *b, struct trace_gap *gap) {
  *gap = (struct trace_gap){.offset = b->pos};
  uint64_t at = b->pos, left = b->size - at;
  if (left == 0) return false;
  struct mfu_block_header bh;
  enum verdict v;
  if (left < BH) {
    say(gap, "truncated block header (%llu of %llu bytes)", (unsigned long long)left,
        (unsigned long long)BH);
    v = TRUNCATED;
  } else {
    bh = header_at(b, at);
    v = verify(b, &bh, at, UINT64_MAX, gap);
  }
  if (v == VALID) {
    if (bh.seq != b->seq) { /* verified, so real: only the blocks before it are gone */
      gap->blocks = as_count(bh.seq - b->seq);
      gap->records = -1;
      say(gap, "block sequence number %llu, expected %llu: blocks are missing before it",
          (unsigned long long)bh.seq, (unsigned long long)b->seq);
    }
    return take(b, &bh, at);
  }
  if (resync(b, at, gap)) return true;
  /* The damage runs to the end of the file. */
  gap->bytes = left;
  gap->blocks = gap->records = -1;
  count_lost(b, at, b->size, false, gap);
  b->pos = b->size;
  if (v == TRUNCATED) {
    size_t n = strlen(gap->reason);
    snprintf(gap->reason + n, sizeof gap->reason - n, ": the process was killed while writing");
  }
  return false;
}
