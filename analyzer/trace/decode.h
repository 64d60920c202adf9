/* decode: the records of a RECORDS block's payload (include/mfu/trace.h), of either version:
 * v2's encoded records (after zstd, when the block is compressed) or v1's fixed-size ones,
 * into struct mfu_record. A block decodes on its own: nothing carries over between blocks.
 *
 *     struct trace_decoder d = {0};
 *     const struct mfu_record *r = trace_decode(&d, version, &block_header, payload, err, n);
 *     ... r[0 .. block_header.count) ...    (valid until the next call)
 *     ... d.descriptor_of[0 .. block_header.count) ...
 *     trace_decoder_free(&d);
 */
#ifndef MFU_TRACE_DECODE_H
#define MFU_TRACE_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "mfu/trace.h"

/* descriptor_of[i] of a v1 record: it has none. */
#define TRACE_NO_DESCRIPTOR UINT32_MAX

/* What a descriptor's kind codes in each record: its dynamic slots, and its predictions. */
struct trace_descriptor_slots {
  const struct mfu_v2_slot *slots;
  uint8_t nslots, predictions; /* the kind whose predictions it shares (< MFU_V2_KINDS) */
};

struct trace_decoder {
  struct mfu_record *records, *descriptors;
  struct trace_descriptor_slots *slots; /* per descriptor */
  uint32_t *descriptor_of; /* per record: its descriptor's index in the block's dictionary */
  size_t records_cap, descriptors_cap, slots_cap, descriptor_of_cap;
  unsigned char *raw; /* a zstd block, decompressed */
  size_t raw_cap;
};

/* The bh->count records of a verified RECORDS block of a file of format `version`; NULL when
 * its content is malformed, with what was wrong in err. */
const struct mfu_record *trace_decode(struct trace_decoder *d, uint32_t version,
                                      const struct mfu_block_header *bh,
                                      const unsigned char *payload, char *err, size_t errlen);

void trace_decoder_free(struct trace_decoder *d);

#endif
