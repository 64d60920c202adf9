/* trace_mutants: turns fuzzer bytes into a trace file whose checksums verify, so that hostile
 * contents (absurd counts, ids, lengths, kinds, timestamps) reach the record parser instead
 * of being rejected as damage. The first input byte chooses: odd, the checksums of the
 * header and of every block found by walking the block headers are recomputed; even, the
 * bytes are taken as they are (damage, torn blocks: the framing is tested). */
#ifndef MFU_FUZZ_TRACE_MUTANTS_H
#define MFU_FUZZ_TRACE_MUTANTS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mfu/trace.h"

/* The file for input data[0..size): a malloc'd copy (*out_size bytes), checksums fixed if
 * asked. */
static uint8_t *trace_mutant(const uint8_t *data, size_t size, size_t *out_size) {
  int fix = size > 0 && (data[0] & 1);
  if (size > 0) data++, size--;
  uint8_t *p = malloc(size ? size : 1);
  if (!p) abort();
  memcpy(p, data, size);
  *out_size = size;
  if (!fix || size < MFU_HEADER_SIZE) return p;
  struct mfu_file_header h;
  memcpy(&h, p, sizeof h);
  h.checksum = mfu_header_checksum(&h);
  memcpy(p, &h, sizeof h);
  for (size_t off = MFU_HEADER_SIZE; off + sizeof(struct mfu_block_header) <= size;) {
    struct mfu_block_header bh;
    memcpy(&bh, p + off, sizeof bh);
    size_t room = size - off - sizeof bh;
    if (bh.magic != MFU_BLOCK_MAGIC || bh.payload_size > room) {
      off += 8;
      continue;
    }
    bh.checksum = mfu_block_checksum(&bh, p + off + sizeof bh);
    memcpy(p + off, &bh, sizeof bh);
    off += sizeof bh + ((bh.payload_size + 7u) & ~(size_t)7);
  }
  return p;
}

#endif
