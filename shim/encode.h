/* Encoding records into a v2 RECORDS payload (include/mfu/trace.h): each record as its
 * block-local descriptor (interned: a record of the same shape as an earlier one in the block
 * refers to it by index) and its delta-coded times and dynamic slots.
 *
 *     mfu_encode_begin(&e, buf, cap, tid);
 *     for each record r: if (!mfu_encode_add(&e, &r, start, end)) ...end this block, begin another...
 *     size_t payload = mfu_encode_end(&e);          // buf[0..payload): prefix, records, NULs
 *
 * No allocation and no system call: a fatal-signal handler can encode. The encoder is large
 * (its dictionary): one per writer, not on a stack, zeroed before its first block. */
#ifndef MFU_SHIM_ENCODE_H
#define MFU_SHIM_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mfu/trace.h"

#define MFU_ENCODE_DESCRIPTORS 4096u /* per block at most; a power of two */
#define MFU_ENCODE_WORDS (sizeof(struct mfu_record) / 8)
#define MFU_ENCODE_RECENT 256u /* a power of two */

struct mfu_encoder {
  unsigned char *buf, *at, *end;
  struct mfu_records_prefix prefix;
  uint32_t records;
  uint64_t prev_start[MFU_V2_KINDS];
  uint64_t prev_slot[MFU_V2_KINDS][MFU_V2_SLOTS];
  uint32_t ndescriptors, generation;
  uint64_t mask[MFU_V2_KINDS][MFU_ENCODE_WORDS]; /* per kind: the bits a descriptor keeps */
  const struct mfu_v2_slot *slots[MFU_V2_KINDS];  /* per kind: its dynamic slots */
  unsigned nslots[MFU_V2_KINDS];
  uint64_t descriptor[MFU_ENCODE_DESCRIPTORS][MFU_ENCODE_WORDS];
  struct { /* open addressing over the descriptors; an entry of an older generation is free */
    uint64_t hash;
    uint32_t generation, index;
  } table[2 * MFU_ENCODE_DESCRIPTORS];
  /* The descriptor each call site (hashed with the API and kind) used last in the block, of
   * that generation: a record is compared with it first, and hashed only when it differs. */
  uint32_t recent_generation[MFU_ENCODE_RECENT], recent[MFU_ENCODE_RECENT];
};

/* Starts a payload in buf[0..cap) (cap > MFU_V2_RECORD_MAX + 24) for records of thread tid. */
void mfu_encode_begin(struct mfu_encoder *e, unsigned char *buf, size_t cap, uint32_t tid);
/* Appends record r with the times start_ns, end_ns (its own times are not read); false
 * (nothing appended) when the payload has no room left for it. */
bool mfu_encode_add(struct mfu_encoder *e, const struct mfu_record *r, uint64_t start_ns,
                    uint64_t end_ns);
/* Records appended since begin. */
static inline uint32_t mfu_encode_count(const struct mfu_encoder *e) { return e->records; }
/* Writes the prefix and the padding; returns the payload's size, a multiple of 8. */
size_t mfu_encode_end(struct mfu_encoder *e);

#endif
