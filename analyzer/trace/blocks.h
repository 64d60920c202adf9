/* blocks: the framing of a trace file (include/mfu/trace.h): the blocks after the header, one
 * verified block at a time, reading past damage. It knows block headers only (magic, type,
 * count, payload size, sequence number, checksum), never what a payload holds, so that a new
 * record encoding changes nothing here.
 *
 *     struct trace_blocks b;
 *     trace_blocks_start(&b, bytes, MFU_HEADER_SIZE, file_size, records_in, ctx);
 *     struct trace_gap gap;
 *     while (trace_blocks_next(&b, &gap)) {
 *       if (gap.bytes || gap.blocks) ...damage read past before this block...
 *       ... b.header, b.payload, b.offset ...
 *     }
 *     if (gap.bytes) ...the file ends in damage: cut short or torn...
 *
 * The bytes are the whole file in memory (the reader maps it): payloads are handed out in
 * place, never copied.
 * A block is valid when its magic, sizes and checksum verify and its sequence number is not
 * behind the last valid block's. After a block that is not, the stream scans forward (8-byte
 * steps: every block starts at a multiple of 8) for the next valid block whose sequence number
 * fits in the bytes between, and goes on from there: one torn block hides nothing after it.
 * What the lost blocks held is told by their headers where those still chain; how many records
 * a header claims is the caller's to say (`records_in`), as only it knows the payloads. */
#ifndef MFU_TRACE_BLOCKS_H
#define MFU_TRACE_BLOCKS_H

#include <stdbool.h>
#include <stdint.h>

#include "mfu/trace.h"

/* Damage: bytes that hold no valid block. */
struct trace_gap {
  uint64_t offset;  /* where the damage starts */
  uint64_t bytes;   /* how many bytes were skipped (0: only sequence numbers are missing) */
  int64_t blocks;   /* blocks lost, by their sequence numbers (at the end: by their headers) */
  int64_t records;  /* records in the lost RECORDS blocks, by their headers */
                    /* (both -1 where unknown) */
  char reason[192]; /* what was wrong at `offset` */
};

/* The gaps of a file, in file order: the first TRACE_GAPS_KEPT listed, all counted. */
#define TRACE_GAPS_KEPT 64
struct trace_gaps {
  struct trace_gap *list; /* min(n, TRACE_GAPS_KEPT) of them */
  size_t n;               /* gaps */
  size_t unknown;         /* gaps whose records are unknown */
  uint64_t bytes;         /* bytes skipped */
  uint64_t records;       /* records lost, where known */
};
void trace_gaps_add(struct trace_gaps *gaps, const struct trace_gap *g);
void trace_gaps_free(struct trace_gaps *gaps);

struct trace_blocks {
  /* The block trace_blocks_next returned: its header, its payload (in the file's bytes, 8-byte
   * aligned) and where it starts. */
  struct mfu_block_header header;
  const unsigned char *payload;
  uint64_t offset;
  uint64_t pos; /* where the next block starts (after the last one returned) */
  uint64_t size;

  /* private */
  const unsigned char *data;
  int64_t (*records_in)(const struct mfu_block_header *bh, const void *ctx);
  const void *ctx;
  uint64_t seq;  /* the sequence number expected next */
};

/* Reads the blocks of the `size` bytes at `data`, from `offset` on. `records_in` says how
 * many records a block with header bh holds (`ctx` is passed on: the file's format, say): 0
 * for blocks of none, -1 if the header contradicts itself (damage) or its type is unknown. */
void trace_blocks_start(struct trace_blocks *b, const unsigned char *data, uint64_t offset,
                        uint64_t size,
                        int64_t (*records_in)(const struct mfu_block_header *bh, const void *ctx),
                        const void *ctx);

/* The next valid block (in b->header, b->payload, b->offset): true, with *gap the damage read
 * past just before it (bytes and blocks 0 if none). False at the end of the data, with *gap
 * the damage from there to the end of the file (bytes 0 if the file ends cleanly there). */
bool trace_blocks_next(struct trace_blocks *b, struct trace_gap *gap);

#endif
