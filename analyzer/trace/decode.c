/* decode: see decode.h; the format is include/mfu/trace.h's. */
#include "decode.h"

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

static void slot_put(struct mfu_record *r, const struct mfu_v2_slot *s, uint64_t v) {
  unsigned char *p = (unsigned char *)r + s->offset;
  if (s->size == 4) {
    uint32_t x = (uint32_t)v;
    memcpy(p, &x, 4);
  } else {
    memcpy(p, &v, 8);
  }
}

/* Room for n elements of `size` bytes in *v, of capacity *cap. */
static void *room(void *v, size_t *cap, size_t n, size_t size) {
  void **p = v;
  if (n > *cap) {
    *p = mfu_xrealloc(*p, n * size);
    *cap = n;
  }
  return *p;
}

/* A descriptor: the mask of its nonzero bytes, then those bytes. */
static const unsigned char *get_descriptor(const unsigned char *p, const unsigned char *end,
                                           struct mfu_record *d) {
  if (end - p < (ptrdiff_t)MFU_V2_MASK_BYTES) return NULL;
  const unsigned char *mask = p;
  unsigned char *b = (unsigned char *)d;
  p += MFU_V2_MASK_BYTES;
  memset(d, 0, sizeof *d);
  for (size_t i = 0; i < sizeof *d; i++)
    if (mask[i / 8] >> (i % 8) & 1) {
      if (p == end) return NULL;
      b[i] = *p++;
    }
  return p;
}

#define BAD(...) (errmsg(err, errlen, __VA_ARGS__), (const struct mfu_record *)NULL)

/* v2 encoded records (the payload after decompression). */
static const struct mfu_record *decode_v2(struct trace_decoder *d, const unsigned char *payload,
                                          size_t size, uint32_t count, char *err, size_t errlen) {
  struct mfu_records_prefix prefix;
  if (size < sizeof prefix) return BAD("RECORDS block of %u records without its prefix", count);
  memcpy(&prefix, payload, sizeof prefix);
  if (prefix.size > size - sizeof prefix)
    return BAD("RECORDS block claims %u bytes of records in a payload of %zu", prefix.size, size);
  /* Each record takes a tag and two times, 3 bytes at least: a count beyond that is damage,
   * and must not size the arrays below. */
  if (count > prefix.size / 3)
    return BAD("RECORDS block claims %u records in %u bytes of records", count, prefix.size);
  const unsigned char *p = payload + sizeof prefix, *end = p + prefix.size;
  struct mfu_record *out = room(&d->records, &d->records_cap, count, sizeof *out);
  struct mfu_record *dict = room(&d->descriptors, &d->descriptors_cap, count, sizeof *dict);
  struct trace_descriptor_slots *dslots = room(&d->slots, &d->slots_cap, count, sizeof *dslots);
  uint32_t *of = room(&d->descriptor_of, &d->descriptor_of_cap, count, sizeof *of);
  uint64_t prev_start[MFU_V2_KINDS], prev_slot[MFU_V2_KINDS][MFU_V2_SLOTS] = {{0}};
  for (unsigned k = 0; k < MFU_V2_KINDS; k++) prev_start[k] = prefix.base_ns;
  uint32_t ndict = 0;
  for (uint32_t i = 0; i < count; i++) {
    if (p == end) return BAD("RECORDS block ends after %u of its %u records", i, count);
    unsigned tag = *p++;
    uint64_t v = 0, start, length;
    struct mfu_record *r = &out[i];
    if ((tag & MFU_V2_FORM) == MFU_V2_USE) {
      if (!(p = get_varint(p, end, &v)) || v >= ndict)
        return BAD("record %u of a RECORDS block names descriptor %llu of %u", i,
                   (unsigned long long)v, ndict);
      *r = dict[v];
      of[i] = (uint32_t)v;
    } else if ((tag & MFU_V2_FORM) == MFU_V2_NEW) {
      if (!(p = get_descriptor(p, end, &dict[ndict])))
        return BAD("record %u of a RECORDS block: its descriptor overruns the block", i);
      struct trace_descriptor_slots *ds = &dslots[ndict];
      ds->nslots = (uint8_t)mfu_v2_slots(dict[ndict].kind, &ds->slots);
      ds->predictions = dict[ndict].kind < MFU_V2_KINDS ? dict[ndict].kind : 0;
      of[i] = ndict;
      *r = dict[ndict++];
    } else {
      return BAD("record %u of a RECORDS block has tag 0x%02x, of no known form", i, tag);
    }
    r->tid = prefix.tid;
    if (tag & MFU_V2_TID) {
      if (!(p = get_varint(p, end, &v)) || v > UINT32_MAX)
        return BAD("record %u of a RECORDS block: bad thread id", i);
      r->tid = (uint32_t)v;
    }
    const struct trace_descriptor_slots *ds = &dslots[of[i]];
    const struct mfu_v2_slot *slots = ds->slots;
    unsigned nslots = ds->nslots, k = ds->predictions;
    if (!(p = get_varint(p, end, &start)) || !(p = get_varint(p, end, &length)))
      return BAD("record %u of a RECORDS block: its times overrun the block", i);
    r->t_start_ns = prev_start[k] += (uint64_t)mfu_unzigzag(start);
    r->t_end_ns = r->t_start_ns + (uint64_t)mfu_unzigzag(length);
    if (tag >> (MFU_V2_SLOT_BIT + nslots))
      return BAD("record %u of a RECORDS block codes slots its kind %u does not have", i,
                 r->kind);
    for (unsigned s = 0; s < nslots; s++) {
      uint64_t prev = prev_slot[k][s], value = prev + (slots[s].counter && prev);
      if (tag >> (MFU_V2_SLOT_BIT + s) & 1) {
        if (!(p = get_varint(p, end, &v)))
          return BAD("record %u of a RECORDS block: its fields overrun the block", i);
        value += (uint64_t)mfu_unzigzag(v);
      }
      if (slots[s].size == 4) value = (uint32_t)value;
      slot_put(r, &slots[s], value);
      prev_slot[k][s] = value;
    }
  }
  if (p != end)
    return BAD("RECORDS block holds %zu bytes after its %u records", (size_t)(end - p), count);
  return out;
}

const struct mfu_record *trace_decode(struct trace_decoder *d, uint32_t version,
                                      const struct mfu_block_header *bh,
                                      const unsigned char *payload, char *err, size_t errlen) {
  if (version < 2) { /* fixed-size records, a prefix of today's */
    if (bh->encoding != MFU_ENCODING_PLAIN || (uint64_t)bh->count * MFU_RECORD_V1_SIZE != bh->payload_size)
      return BAD("RECORDS block of %u records of %u bytes has payload_size %u", bh->count,
                 MFU_RECORD_V1_SIZE, bh->payload_size);
    struct mfu_record *out = room(&d->records, &d->records_cap, bh->count, sizeof *out);
    uint32_t *of = room(&d->descriptor_of, &d->descriptor_of_cap, bh->count, sizeof *of);
    for (uint32_t i = 0; i < bh->count; i++) {
      memcpy(&out[i], payload + (size_t)i * MFU_RECORD_V1_SIZE, MFU_RECORD_V1_SIZE);
      out[i].callsite = 0, out[i].reserved = 0;
      of[i] = TRACE_NO_DESCRIPTOR;
    }
    return out;
  }
  if (bh->encoding == MFU_ENCODING_PLAIN)
    return decode_v2(d, payload, bh->payload_size, bh->count, err, errlen);
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
  return decode_v2(d, d->raw, z.raw_size, bh->count, err, errlen);
}

void trace_decoder_free(struct trace_decoder *d) {
  free(d->records);
  free(d->descriptors);
  free(d->slots);
  free(d->descriptor_of);
  free(d->raw);
  *d = (struct trace_decoder){0};
}
