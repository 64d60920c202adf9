/* decode: see decode.h; the format is include/mfu/trace.h's. */
#include "decode.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>
#include <zstd.h>

#include "util/alloc.h"
#include "util/errmsg.h"

/* The varint at p (before end) into *v; the byte after it, or NULL if it runs past end or
 * beyond 64 bits. Most are one byte (slots as predicted) or two (times). */
static inline const unsigned char *get_varint(const unsigned char *p, const unsigned char *end,
                                              uint64_t *v) {
  if (p < end && *p < 0x80) {
    *v = *p;
    return p + 1;
  }
  if (end - p >= 2 && p[1] < 0x80) { /* two bytes: most times */
    *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
    return p + 2;
  }
  uint64_t x = 0;
  for (unsigned shift = 0; p < end && shift < 64; shift += 7) {
    unsigned char b = *p++;
    x |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = x;
      return p;
    }
  }
  return NULL;
}

/* A descriptor: the mask of its nonzero bytes, then those bytes. */
static const unsigned char *get_descriptor(const unsigned char *p, const unsigned char *end,
                                           struct mfu_record *d) {
  if (end - p < (ptrdiff_t)MFU_V2_MASK_BYTES) return NULL;
  const unsigned char *mask = p;
  unsigned char *b = (unsigned char *)d;
  p += MFU_V2_MASK_BYTES;
  memset(d, 0, sizeof *d);
  static_assert(sizeof *d % 8 == 0, "whole mask bytes");
  for (size_t i = 0; i < sizeof *d; i += 8) {
    unsigned bits = mask[i / 8];
    if (bits == 0xffu) { /* eight nonzero bytes */
      if (end - p < 8) return NULL;
      memcpy(b + i, p, 8);
      p += 8;
      continue;
    }
    for (unsigned j = 0; bits; j++, bits >>= 1)
      if (bits & 1) {
        if (p == end) return NULL;
        b[i + j] = *p++;
      }
  }
  return p;
}

#define BAD(...) (errmsg(err, errlen, __VA_ARGS__), NULL)

/* The next entry of d's dictionary, the one spelled out by the record at p (after its tag). */
static struct trace_entry *spell(struct trace_decoder *d, const unsigned char **p,
                                 const unsigned char *end) {
  if (d->ndict == d->dict_cap) {
    d->dict_cap = d->dict_cap ? 2 * d->dict_cap : 64;
    d->dict = mfu_xrealloc(d->dict, d->dict_cap * sizeof *d->dict);
  }
  struct trace_entry *e = &d->dict[d->ndict];
  const unsigned char *after = get_descriptor(*p, end, &e->rec);
  if (!after) return NULL;
  const struct mfu_v2_slot *slots;
  e->nslots = (uint8_t)mfu_v2_slots(e->rec.kind, &slots);
  e->predictions = e->rec.kind < MFU_V2_KINDS ? (uint8_t)e->rec.kind : 0;
  e->index = (uint32_t)d->ndict++;
  e->skip = (uint32_t)(after - *p);
  *p = after;
  return e;
}

/* Verifies record i of `count` at p, before end: the byte after it, or NULL with what is
 * wrong in err. Its descriptor, if spelled out, joins d's dictionary. */
static const unsigned char *verify_record(struct trace_decoder *d, const unsigned char *p,
                                          const unsigned char *end, uint32_t i, uint32_t count,
                                          char *err, size_t errlen) {
  if (p == end) return BAD("RECORDS block ends after %u of its %u records", i, count);
  unsigned tag = *p++;
  uint64_t v = 0, start, length;
  const struct trace_entry *e;
  if ((tag & MFU_V2_FORM) == MFU_V2_USE) {
    if (!(p = get_varint(p, end, &v)) || v >= d->ndict)
      return BAD("record %u of a RECORDS block names descriptor %llu of %zu", i,
                 (unsigned long long)v, d->ndict);
    e = &d->dict[v];
  } else if ((tag & MFU_V2_FORM) == MFU_V2_NEW) {
    if (!(e = spell(d, &p, end)))
      return BAD("record %u of a RECORDS block: its descriptor overruns the block", i);
  } else {
    return BAD("record %u of a RECORDS block has tag 0x%02x, of no known form", i, tag);
  }
  if (tag & MFU_V2_TID)
    if (!(p = get_varint(p, end, &v)) || v > UINT32_MAX)
      return BAD("record %u of a RECORDS block: bad thread id", i);
  if (!(p = get_varint(p, end, &start)) || !(p = get_varint(p, end, &length)))
    return BAD("record %u of a RECORDS block: its times overrun the block", i);
  if (tag >> (MFU_V2_SLOT_BIT + e->nslots))
    return BAD("record %u of a RECORDS block codes slots its kind %u does not have", i,
               e->rec.kind);
  for (unsigned s = 0; s < e->nslots; s++)
    if (tag >> (MFU_V2_SLOT_BIT + s) & 1 && !(p = get_varint(p, end, &v)))
      return BAD("record %u of a RECORDS block: its fields overrun the block", i);
  return p;
}

/* The byte after the record at p (10 bytes at least before the end) if it is of the
 * commonest form: a known descriptor's one-byte index, then times and coded slots that all
 * end in the 8 bytes after it; NULL if not, for verify_record to read it. */
static const unsigned char *skip_common(const struct trace_decoder *d, const unsigned char *p) {
  unsigned tag = p[0], index = p[1];
  if (tag & (MFU_V2_FORM | MFU_V2_TID) || index >= 0x80 || index >= d->ndict ||
      tag >> (MFU_V2_SLOT_BIT + d->dict[index].nslots))
    return NULL;
  uint64_t w;
  memcpy(&w, p + 2, sizeof w);
  if (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) w = __builtin_bswap64(w);
  uint64_t ends = ~w & 0x8080808080808080ull; /* the last byte of each varint */
  ends &= ends - 1; /* past the start: the duration's is now the lowest */
  for (unsigned s = tag >> MFU_V2_SLOT_BIT; s; s &= s - 1) ends &= ends - 1;
  return ends ? p + 2 + (__builtin_ctzll(ends) >> 3) + 1 : NULL;
}

/* Verifies v2 encoded records (the payload after decompression) and starts reading them. */
static bool start_v2(struct trace_decoder *d, const unsigned char *payload, size_t size,
                     uint32_t count, char *err, size_t errlen) {
  struct mfu_records_prefix prefix;
  if (size < sizeof prefix) return BAD("RECORDS block of %u records without its prefix", count);
  memcpy(&prefix, payload, sizeof prefix);
  if (prefix.size > size - sizeof prefix)
    return BAD("RECORDS block claims %u bytes of records in a payload of %zu", prefix.size, size);
  /* Each record takes a tag and two times, 3 bytes at least: a count beyond that is damage. */
  if (count > prefix.size / 3)
    return BAD("RECORDS block claims %u records in %u bytes of records", count, prefix.size);
  const unsigned char *p = payload + sizeof prefix, *end = p + prefix.size;
  /* Before `roomy`, 10 bytes at least are left; the commonest records (tag 0: a known
   * descriptor's index below `known`, then two times in the next 8 bytes) are read inline. */
  const unsigned char *roomy = prefix.size >= 10 ? end - 10 : p;
  unsigned known = 0;
  d->ndict = 0;
  for (uint32_t i = 0; i < count; i++) {
    if (p < roomy && p[0] == 0 && p[1] < known) {
      uint64_t w;
      memcpy(&w, p + 2, sizeof w);
      if (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) w = __builtin_bswap64(w);
      uint64_t ends = ~w & 0x8080808080808080ull; /* the last byte of each varint */
      ends &= ends - 1;                           /* the duration's now the lowest */
      if (ends) {
        p += 3 + (__builtin_ctzll(ends) >> 3);
        continue;
      }
    }
    const unsigned char *next = p < roomy ? skip_common(d, p) : NULL;
    if (!next && !(next = verify_record(d, p, end, i, count, err, errlen))) return false;
    p = next;
    known = d->ndict < 0x80 ? (unsigned)d->ndict : 0x80;
  }
  if (p != end)
    return BAD("RECORDS block holds %zu bytes after its %u records", (size_t)(end - p), count);
  d->version = 2;
  d->p = payload + sizeof prefix;
  d->tid = prefix.tid;
  d->spelled = 0;
  for (unsigned k = 0; k < MFU_V2_KINDS; k++)
    d->pred[k] = (struct trace_predictions){.start = prefix.base_ns};
  return true;
}

const unsigned char *trace_put_any_slots(struct mfu_record *r, uint64_t *state, unsigned tag,
                                         const unsigned char *p) {
  return trace_put_slots(r, state, tag, p, r->kind);
}

const struct mfu_record *trace_decode_v1(struct trace_decoder *d) {
  memcpy(&d->v1, d->p, MFU_RECORD_V1_SIZE);
  d->v1.callsite = 0, d->v1.reserved = 0;
  d->p += MFU_RECORD_V1_SIZE;
  return &d->v1;
}

bool trace_decode_block(struct trace_decoder *d, uint32_t version,
                        const struct mfu_block_header *bh, const unsigned char *payload,
                        char *err, size_t errlen) {
  if (version < 2) { /* fixed-size records, a prefix of today's */
    if (bh->encoding != MFU_ENCODING_PLAIN || (uint64_t)bh->count * MFU_RECORD_V1_SIZE != bh->payload_size)
      return BAD("RECORDS block of %u records of %u bytes has payload_size %u", bh->count,
                 MFU_RECORD_V1_SIZE, bh->payload_size);
    d->version = version;
    d->p = payload;
    return true;
  }
  if (bh->encoding == MFU_ENCODING_PLAIN)
    return start_v2(d, payload, bh->payload_size, bh->count, err, errlen);
  if (bh->encoding != MFU_ENCODING_ZSTD)
    return BAD("RECORDS block of unknown encoding %u: from a newer shim? upgrade mfu",
               bh->encoding);
  struct mfu_zstd_prefix z;
  if (bh->payload_size < sizeof z) return BAD("zstd RECORDS block without its prefix");
  memcpy(&z, payload, sizeof z);
  if (z.size > bh->payload_size - sizeof z || z.raw_size > MFU_BLOCK_MAX_PAYLOAD)
    return BAD("zstd RECORDS block claims %u bytes compressed to %u in a payload of %u",
               z.raw_size, z.size, bh->payload_size);
  if (z.raw_size > d->raw_cap) {
    d->raw = mfu_xrealloc(d->raw, z.raw_size);
    d->raw_cap = z.raw_size;
  }
  size_t got = ZSTD_decompress(d->raw, z.raw_size, payload + sizeof z, z.size);
  if (ZSTD_isError(got) || got != z.raw_size)
    return BAD("zstd RECORDS block does not decompress to its %u bytes: %s", z.raw_size,
               ZSTD_isError(got) ? ZSTD_getErrorName(got) : "a different size");
  return start_v2(d, d->raw, z.raw_size, bh->count, err, errlen);
}

void trace_decoder_free(struct trace_decoder *d) {
  free(d->dict);
  free(d->raw);
  *d = (struct trace_decoder){0};
}
