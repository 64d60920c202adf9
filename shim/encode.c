/* Encoding records into a v2 RECORDS payload: see encode.h, and trace.h for the format.
 *
 * The writer thread encodes every record the shim makes, so this is a hot path too (a few ns a
 * record): a record is handled as WORDS 64-bit words; its descriptor is those words under its
 * kind's mask (tid, times and dynamic slots cleared). It is first compared with the descriptor
 * its call site used last in the block (a loop's calls from one site mostly repeat a shape);
 * failing that, looked up in the block's dictionary by a hash of the words and confirmed by
 * comparing them. */
#include "encode.h"

#include <stddef.h>
#include <string.h>

enum { WORDS = MFU_ENCODE_WORDS };

/* The dynamic slots of each kind, and the bits of a record of each kind that its descriptor
 * keeps: all but tid, the times and the kind's dynamic slots. */
static void init_masks(struct mfu_encoder *e) {
  for (unsigned k = 0; k < MFU_V2_KINDS; k++) {
    struct mfu_record keep;
    memset(&keep, 0xff, sizeof keep);
    keep.tid = 0, keep.t_start_ns = 0, keep.t_end_ns = 0;
    /* kinds past MFU_V2_KINDS have kind 0's slots (and predictions) */
    const struct mfu_v2_slot *slots;
    unsigned nslots = e->nslots[k] = mfu_v2_slots(k, &slots);
    e->slots[k] = slots;
    for (unsigned s = 0; s < nslots; s++)
      memset((unsigned char *)&keep + slots[s].offset, 0, slots[s].size);
    memcpy(e->mask[k], &keep, sizeof keep);
  }
}

void mfu_encode_begin(struct mfu_encoder *e, unsigned char *buf, size_t cap, uint32_t tid) {
  e->buf = buf;
  e->at = buf + sizeof e->prefix;
  e->end = buf + cap - 8; /* room for the padding */
  e->prefix = (struct mfu_records_prefix){.tid = tid};
  e->records = 0;
  e->ndescriptors = 0;
  memset(e->prev_slot, 0, sizeof e->prev_slot);
  /* The first block, and every 2^32 blocks: entries of old generations could match again. */
  if (e->generation == 0 || ++e->generation == 0) {
    memset(e->table, 0, sizeof e->table);
    memset(e->recent_generation, 0, sizeof e->recent_generation);
    init_masks(e);
    e->generation = 1;
  }
}

/* The descriptor of r: its words under its kind's mask. (The time words are not read: the
 * writer passes the times converted, and the ring's may be raw clock stamps.) */
static inline void descriptor_of(uint64_t d[WORDS], const struct mfu_record *r,
                                 const uint64_t mask[WORDS]) {
  enum { START = offsetof(struct mfu_record, t_start_ns) / 8, END = START + 1 };
  static_assert(offsetof(struct mfu_record, t_end_ns) == 8 * END, "the times' words");
  _Pragma("GCC unroll 17") for (unsigned i = 0; i < WORDS; i++) {
    uint64_t w = 0;
    if (i != START && i != END) memcpy(&w, (const unsigned char *)r + 8 * i, 8);
    d[i] = w & mask[i];
  }
}

/* A hash of a descriptor's words: pairs of words folded into one (most fields are small), the
 * folds multiplied by distinct odd constants and summed (the products do not wait on each
 * other); the table is indexed by the top bits, where the products mix best. */
static inline uint64_t descriptor_hash(const uint64_t d[WORDS]) {
  uint64_t h = 0;
  _Pragma("GCC unroll 9") for (unsigned i = 0; i < WORDS; i += 2) {
    uint64_t hi = i + 1 < WORDS ? d[i + 1] : 0;
    h += (d[i] ^ (hi << 32 | hi >> 32)) * (0x9e3779b97f4a7c15ull + 2 * i);
  }
  return h ^ h >> 29;
}

static inline bool words_equal(const uint64_t a[WORDS], const uint64_t b[WORDS]) {
  uint64_t x = 0;
  _Pragma("GCC unroll 17") for (unsigned i = 0; i < WORDS; i++) x |= a[i] ^ b[i];
  return !x;
}

/* The index of descriptor d in the block's dictionary, added if new (*added set); false when
 * the dictionary is full. */
static inline bool intern(struct mfu_encoder *e, const uint64_t d[WORDS], uint32_t *index,
                          bool *added) {
  enum { BITS = __builtin_ctz(2 * MFU_ENCODE_DESCRIPTORS) };
  uint64_t h = descriptor_hash(d);
  size_t mask = 2 * MFU_ENCODE_DESCRIPTORS - 1, i = h >> (64 - BITS);
  for (; e->table[i].generation == e->generation; i = (i + 1) & mask)
    if (e->table[i].hash == h && words_equal(e->descriptor[e->table[i].index], d)) {
      *index = e->table[i].index;
      *added = false;
      return true;
    }
  if (e->ndescriptors == MFU_ENCODE_DESCRIPTORS) return false;
  *index = e->ndescriptors++;
  memcpy(e->descriptor[*index], d, sizeof e->descriptor[0]);
  e->table[i].hash = h, e->table[i].generation = e->generation, e->table[i].index = *index;
  *added = true;
  return true;
}

/* Whether r under its kind's mask is descriptor d (r's time words meet zeros in the mask):
 * two words at a time (SSE2, which every x86-64 has; elsewhere the compiler's lowering). */
typedef uint64_t word_pair __attribute__((vector_size(16)));
static inline bool is_descriptor(const struct mfu_record *r, const uint64_t d[WORDS],
                                 const uint64_t mask[WORDS]) {
  const unsigned char *b = (const unsigned char *)r;
  word_pair x = {0, 0};
  _Pragma("GCC unroll 8") for (unsigned i = 0; i + 1 < WORDS; i += 2) {
    word_pair w, y, m;
    memcpy(&w, b + 8 * i, sizeof w);
    memcpy(&y, d + i, sizeof y);
    memcpy(&m, mask + i, sizeof m);
    x |= (w ^ y) & m;
  }
  uint64_t tail = 0;
  if (WORDS % 2) {
    memcpy(&tail, b + 8 * (WORDS - 1), 8);
    tail = (tail ^ d[WORDS - 1]) & mask[WORDS - 1];
  }
  return !(x[0] | x[1] | tail);
}

/* Where a record's call site, API and kind keep the descriptor they used last. */
static inline unsigned recent_slot(const struct mfu_record *r) {
  uint32_t h = (r->callsite * 0x9e3779b1u) ^ (((uint32_t)r->api << 8 | r->kind) * 0x85ebca77u);
  return (h * 0xc2b2ae35u) >> (32 - __builtin_ctz(MFU_ENCODE_RECENT));
}

/* The descriptor's mask of nonzero bytes, then those bytes. */
static unsigned char *put_descriptor(unsigned char *p, const uint64_t d[WORDS]) {
  const unsigned char *b = (const unsigned char *)d;
  unsigned char *mask = p;
  memset(mask, 0, MFU_V2_MASK_BYTES);
  p += MFU_V2_MASK_BYTES;
  for (size_t i = 0; i < 8 * WORDS; i++)
    if (b[i]) mask[i / 8] |= (unsigned char)(1u << (i % 8)), *p++ = b[i];
  return p;
}

static inline uint64_t slot_get(const struct mfu_record *r, const struct mfu_v2_slot *s) {
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

bool mfu_encode_add(struct mfu_encoder *e, const struct mfu_record *r, uint64_t start_ns,
                    uint64_t end_ns) {
  if (e->end - e->at < (ptrdiff_t)MFU_V2_RECORD_MAX) return false;
  unsigned k = r->kind < MFU_V2_KINDS ? r->kind : 0, recent = recent_slot(r);
  uint64_t d[WORDS];
  uint32_t index = e->recent[recent];
  bool added = false;
  if (e->recent_generation[recent] != e->generation ||
      !is_descriptor(r, e->descriptor[index], e->mask[k])) {
    descriptor_of(d, r, e->mask[k]);
    if (!intern(e, d, &index, &added)) return false;
    e->recent[recent] = index, e->recent_generation[recent] = e->generation;
  }

  if (e->records++ == 0) {
    e->prefix.base_ns = start_ns;
    for (unsigned i = 0; i < MFU_V2_KINDS; i++) e->prev_start[i] = start_ns;
  }
  /* The tag byte first, set last: the slots that changed are found as their deltas are put. */
  unsigned char *tag_at = e->at, *p = tag_at + 1;
  unsigned tag = added ? MFU_V2_NEW : MFU_V2_USE;
  p = added ? put_descriptor(p, d) : mfu_put_varint(p, index);
  if (r->tid != e->prefix.tid) tag |= MFU_V2_TID, p = mfu_put_varint(p, r->tid);
  p = mfu_put_varint(p, mfu_zigzag((int64_t)(start_ns - e->prev_start[k])));
  p = mfu_put_varint(p, mfu_zigzag((int64_t)(end_ns - start_ns)));
  const struct mfu_v2_slot *slots = e->slots[k];
  for (unsigned s = 0; s < e->nslots[k]; s++) {
    uint64_t value = slot_get(r, &slots[s]), prev = e->prev_slot[k][s];
    uint64_t delta = value - (prev + (slots[s].counter && prev));
    e->prev_slot[k][s] = value;
    if (delta) tag |= 1u << (MFU_V2_SLOT_BIT + s), p = mfu_put_varint(p, mfu_zigzag((int64_t)delta));
  }
  *tag_at = (unsigned char)tag;
  e->prev_start[k] = start_ns;
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
