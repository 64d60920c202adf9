/* Encoding records into a v2 RECORDS payload: see encode.h, and trace.h for the format. */
#include "encode.h"

#include <string.h>

static uint64_t slot_get(const struct mfu_record *r, const struct mfu_v2_slot *s) {
  const unsigned char *p = (const unsigned char *)r + s->offset;
  if (s->size == 4) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
  }
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

static void slot_clear(struct mfu_record *r, const struct mfu_v2_slot *s) {
  memset((unsigned char *)r + s->offset, 0, s->size);
}

/* A hash of the descriptor's 17 words: products by distinct odd constants, summed (they do not
 * wait on each other), then mixed. */
static uint64_t descriptor_hash(const struct mfu_record *d) {
  const unsigned char *p = (const unsigned char *)d;
  uint64_t h = 0;
  for (size_t i = 0; i < sizeof *d / 8; i++) {
    uint64_t w;
    memcpy(&w, p + 8 * i, 8);
    h += (w ^ (w >> 31)) * (0x9e3779b97f4a7c15ull + 2 * i);
  }
  h ^= h >> 32;
  return h * 0xbf58476d1ce4e5b9ull;
}

void mfu_encode_begin(struct mfu_encoder *e, unsigned char *buf, size_t cap, uint32_t tid) {
  e->buf = buf;
  e->at = buf + sizeof e->prefix;
  e->end = buf + cap - 8; /* room for the padding */
  e->prefix = (struct mfu_records_prefix){.tid = tid};
  e->records = 0;
  e->ndescriptors = 0;
  memset(e->prev_slot, 0, sizeof e->prev_slot);
  if (++e->generation == 0) { /* every 2^32 blocks: entries of old generations could match */
    memset(e->table, 0, sizeof e->table);
    e->generation = 1;
  }
}

/* The index of descriptor d in the block's dictionary, added if new (*added set); false when
 * the dictionary is full. */
static bool intern(struct mfu_encoder *e, const struct mfu_record *d, uint32_t *index, bool *added) {
  uint64_t h = descriptor_hash(d);
  size_t mask = 2 * MFU_ENCODE_DESCRIPTORS - 1, i = h & mask;
  for (; e->table[i].generation == e->generation; i = (i + 1) & mask)
    if (e->table[i].hash == h && !memcmp(&e->descriptor[e->table[i].index], d, sizeof *d)) {
      *index = e->table[i].index;
      *added = false;
      return true;
    }
  if (e->ndescriptors == MFU_ENCODE_DESCRIPTORS) return false;
  *index = e->ndescriptors++;
  e->descriptor[*index] = *d;
  e->table[i].hash = h, e->table[i].generation = e->generation, e->table[i].index = *index;
  *added = true;
  return true;
}

/* The descriptor's mask of nonzero bytes, then those bytes. */
static unsigned char *put_descriptor(unsigned char *p, const struct mfu_record *d) {
  const unsigned char *b = (const unsigned char *)d;
  unsigned char *mask = p;
  memset(mask, 0, MFU_V2_MASK_BYTES);
  p += MFU_V2_MASK_BYTES;
  for (size_t i = 0; i < sizeof *d; i++)
    if (b[i]) mask[i / 8] |= (unsigned char)(1u << (i % 8)), *p++ = b[i];
  return p;
}

bool mfu_encode_add(struct mfu_encoder *e, const struct mfu_record *r) {
  if (e->end - e->at < (ptrdiff_t)MFU_V2_RECORD_MAX) return false;
  unsigned k = r->kind < MFU_V2_KINDS ? r->kind : 0;
  const struct mfu_v2_slot *slots;
  unsigned nslots = mfu_v2_slots(r->kind, &slots);
  struct mfu_record d = *r;
  d.tid = 0, d.t_start_ns = 0, d.t_end_ns = 0;
  uint64_t value[MFU_V2_SLOTS], delta[MFU_V2_SLOTS];
  unsigned tag = r->tid != e->prefix.tid ? MFU_V2_TID : 0;
  for (unsigned s = 0; s < nslots; s++) {
    value[s] = slot_get(r, &slots[s]);
    slot_clear(&d, &slots[s]);
    uint64_t prev = e->prev_slot[k][s], predicted = prev + (slots[s].counter && prev);
    delta[s] = value[s] - predicted;
    if (delta[s]) tag |= 1u << (MFU_V2_SLOT_BIT + s);
  }
  uint32_t index;
  bool added;
  if (!intern(e, &d, &index, &added)) return false;
  if (e->records++ == 0) {
    e->prefix.base_ns = r->t_start_ns;
    for (unsigned i = 0; i < MFU_V2_KINDS; i++) e->prev_start[i] = r->t_start_ns;
  }
  unsigned char *p = e->at;
  *p++ = (unsigned char)(tag | (added ? MFU_V2_NEW : MFU_V2_USE));
  p = added ? put_descriptor(p, &d) : mfu_put_varint(p, index);
  if (tag & MFU_V2_TID) p = mfu_put_varint(p, r->tid);
  p = mfu_put_varint(p, mfu_zigzag((int64_t)(r->t_start_ns - e->prev_start[k])));
  p = mfu_put_varint(p, mfu_zigzag((int64_t)(r->t_end_ns - r->t_start_ns)));
  for (unsigned s = 0; s < nslots; s++) {
    if (delta[s]) p = mfu_put_varint(p, mfu_zigzag((int64_t)delta[s]));
    e->prev_slot[k][s] = value[s];
  }
  e->prev_start[k] = r->t_start_ns;
  e->at = p;
  return true;
}

size_t mfu_encode_end(struct mfu_encoder *e) {
  size_t size = (size_t)(e->at - e->buf);
  e->prefix.size = (uint32_t)(size - sizeof e->prefix);
  memcpy(e->buf, &e->prefix, sizeof e->prefix);
  while (size % 8) e->buf[size++] = 0;
  return size;
}
