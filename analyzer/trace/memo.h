/* memo: what a consumer derived from a record (a key, the index of its row), kept per
 * descriptor (reader.h), so that the records of one shape pay for it once per block instead
 * of once each:
 *
 *     uint64_t key;
 *     if (!trace_memo_get(&m, t, &key)) trace_memo_put(&m, t, key = derive(r));
 *
 * Records without a descriptor (v1 files) are never memoized: get says false, put does
 * nothing. A memo holds one entry per descriptor index seen, and an index is below the
 * number of descriptors its block really spelled out, whatever a damaged file claims: its
 * size follows the file's content. */
#ifndef MFU_TRACE_MEMO_H
#define MFU_TRACE_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reader.h"

struct trace_memo {
  uint64_t *block; /* per descriptor index: the records_block of its value; 0: none */
  uint64_t *value;
  size_t cap;
};

static inline bool trace_memo_get(const struct trace_memo *m, const struct mfu_trace *t,
                                  uint64_t *value) {
  uint32_t d = t->descriptor;
  if (d >= m->cap || m->block[d] != t->records_block) return false;
  *value = m->value[d];
  return true;
}

/* Keeps `value` for the descriptor of the record t handed out last. */
void trace_memo_put(struct trace_memo *m, const struct mfu_trace *t, uint64_t value);
void trace_memo_free(struct trace_memo *m);

#endif
