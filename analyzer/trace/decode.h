/* decode: the records of a RECORDS block's payload (include/mfu/trace.h), of either version:
 * v2's encoded records (after zstd, when the block is compressed) or v1's fixed-size ones,
 * into struct mfu_record. A block decodes on its own: nothing carries over between blocks.
 *
 *     struct trace_decoder d = {0};
 *     if (trace_decode_block(&d, version, &block_header, payload, err, n))
 *       for (uint32_t i = 0; i < block_header.count; i++) {
 *         uint32_t descriptor;
 *         const struct mfu_record *r = trace_decode_next(&d, &descriptor);
 *         ... r (valid until the next call), descriptor ...
 *       }
 *     trace_decoder_free(&d);
 *
 * A block is verified whole before its first record is handed out: a malformed one yields
 * none. Its records are then decoded one at a time, in place: each descriptor of the block's
 * dictionary is a record kept whole, and a record of it only rewrites the descriptor's thread,
 * times and dynamic slots, so that a record costs its few encoded bytes and no copy. */
#ifndef MFU_TRACE_DECODE_H
#define MFU_TRACE_DECODE_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mfu/trace.h"

/* The descriptor of a v1 record: it has none. */
#define TRACE_NO_DESCRIPTOR UINT32_MAX

/* A descriptor of the block: the record handed out for each of its records. */
struct trace_entry {
  struct mfu_record rec; /* the descriptor, with the dynamic fields of its last record */
  uint32_t index;   /* in the block's dictionary */
  uint32_t skip;    /* the bytes that spell it out after its first record's tag */
  uint8_t nslots;   /* its kind's dynamic slots */
  uint8_t predictions; /* the kind whose predictions it shares (< MFU_V2_KINDS) */
};

/* What the next record of a kind is coded from: the previous one's start and slots. */
struct trace_predictions {
  uint64_t start, slot[MFU_V2_SLOTS];
};

struct trace_decoder {
  /* private: the block being read */
  uint32_t version;
  const unsigned char *p; /* the next record's bytes */
  uint32_t tid;           /* v2: the prefix's */
  uint32_t spelled;       /* v2: the descriptors spelled out by the records decoded so far */
  struct trace_predictions pred[MFU_V2_KINDS];
  struct trace_entry *dict;
  size_t ndict, dict_cap;
  struct mfu_record v1; /* v1: the last record */
  unsigned char *raw;   /* a zstd block, decompressed */
  size_t raw_cap;
};

/* Verifies the bh->count records of a verified RECORDS block of a file of format `version`
 * and starts reading them; false when its content is malformed, with what was wrong in err. */
bool trace_decode_block(struct trace_decoder *d, uint32_t version,
                        const struct mfu_block_header *bh, const unsigned char *payload,
                        char *err, size_t errlen);

const struct mfu_record *trace_decode_v1(struct trace_decoder *d);

/* The varint at p, of a verified block. */
static inline const unsigned char *trace_varint(const unsigned char *p, uint64_t *v) {
  if (p[0] < 0x80) {
    *v = p[0];
    return p + 1;
  }
  if (p[1] < 0x80) {
    *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
    return p + 2;
  }
  uint64_t x = 0;
  for (unsigned shift = 0;; shift += 7) {
    unsigned char b = *p++;
    x |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  *v = x;
  return p;
}

/* Slot s of the `n` of a record at base, from its kind's previous value (state[s]) and, when
 * its tag says so, the varint at *p. */
static inline __attribute__((always_inline)) void trace_put_slot(
    unsigned char *base, uint64_t *state, unsigned tag, const unsigned char **p,
    const struct mfu_v2_slot *slots, unsigned n, unsigned s) {
  if (s >= n) return;
  uint64_t prev = state[s], value = prev + (slots[s].counter && prev), v;
  if (tag >> (MFU_V2_SLOT_BIT + s) & 1) {
    *p = trace_varint(*p, &v);
    value += (uint64_t)mfu_unzigzag(v);
  }
  if (slots[s].size == 4) {
    uint32_t x = (uint32_t)value;
    memcpy(base + slots[s].offset, &x, 4);
    value = x;
  } else {
    memcpy(base + slots[s].offset, &value, 8);
  }
  state[s] = value;
}

/* The dynamic slots of r, of `kind`: where kind is a constant, a few instructions each. */
static inline __attribute__((always_inline)) const unsigned char *trace_put_slots(
    struct mfu_record *r, uint64_t *state, unsigned tag, const unsigned char *p, unsigned kind) {
  const struct mfu_v2_slot *slots;
  unsigned n = mfu_v2_slots(kind, &slots);
  unsigned char *base = (unsigned char *)r;
  static_assert(MFU_V2_SLOTS == 5, "one trace_put_slot a slot");
  trace_put_slot(base, state, tag, &p, slots, n, 0);
  trace_put_slot(base, state, tag, &p, slots, n, 1);
  trace_put_slot(base, state, tag, &p, slots, n, 2);
  trace_put_slot(base, state, tag, &p, slots, n, 3);
  trace_put_slot(base, state, tag, &p, slots, n, 4);
  return p;
}

/* trace_put_slots of any kind. */
const unsigned char *trace_put_any_slots(struct mfu_record *r, uint64_t *state, unsigned tag,
                                         const unsigned char *p);

/* The record at p whose tag is `tag` (a constant where it is the commonest, 0: a known
 * descriptor, no thread, every slot as predicted). */
static inline __attribute__((always_inline)) const struct mfu_record *trace_decode_record(
    struct trace_decoder *d, const unsigned char *p, unsigned tag, uint32_t *descriptor) {
  uint64_t v;
  struct trace_entry *e;
  if ((tag & MFU_V2_FORM) == MFU_V2_USE) {
    p = trace_varint(p, &v);
    e = &d->dict[v];
  } else {
    e = &d->dict[d->spelled++];
    p += e->skip;
  }
  struct mfu_record *r = &e->rec;
  *descriptor = e->index;
  r->tid = d->tid;
  if (tag & MFU_V2_TID) {
    p = trace_varint(p, &v);
    r->tid = (uint32_t)v;
  }
  struct trace_predictions *k = &d->pred[e->predictions];
  uint64_t start, length;
  p = trace_varint(p, &start);
  p = trace_varint(p, &length);
  r->t_start_ns = k->start += (uint64_t)mfu_unzigzag(start);
  r->t_end_ns = r->t_start_ns + (uint64_t)mfu_unzigzag(length);
  switch (r->kind) { /* the commonest kinds, their slots inlined */
  case MFU_REC_GEMM:
    d->p = trace_put_slots(r, k->slot, tag, p, MFU_REC_GEMM);
    break;
  case MFU_REC_NCCL:
    d->p = trace_put_slots(r, k->slot, tag, p, MFU_REC_NCCL);
    break;
  case MFU_REC_KERNEL:
    d->p = trace_put_slots(r, k->slot, tag, p, MFU_REC_KERNEL);
    break;
  case MFU_REC_CORRELATION:
    d->p = trace_put_slots(r, k->slot, tag, p, MFU_REC_CORRELATION);
    break;
  default:
    d->p = trace_put_any_slots(r, k->slot, tag, p);
  }
  return r;
}

/* The next record of the block trace_decode_block started (there must be one left), and the
 * index of its descriptor in the block's dictionary (TRACE_NO_DESCRIPTOR in a v1 file). */
static inline const struct mfu_record *trace_decode_next(struct trace_decoder *d,
                                                         uint32_t *descriptor) {
  if (d->version < 2) {
    *descriptor = TRACE_NO_DESCRIPTOR;
    return trace_decode_v1(d);
  }
  unsigned tag = d->p[0];
  if (tag == 0) return trace_decode_record(d, d->p + 1, 0, descriptor);
  return trace_decode_record(d, d->p + 1, tag, descriptor);
}

void trace_decoder_free(struct trace_decoder *d);

#endif
