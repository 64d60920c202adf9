/* memo: see memo.h. */
#include "memo.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

void trace_memo_put(struct trace_memo *m, const struct mfu_trace *t, uint64_t value) {
  uint32_t d = t->descriptor;
  if (d == TRACE_NO_DESCRIPTOR || t->records_block == 0) return;
  if (d >= m->cap) {
    size_t cap = m->cap ? m->cap : 64;
    while (cap <= d) cap *= 2;
    m->block = mfu_xrealloc(m->block, cap * sizeof *m->block);
    m->value = mfu_xrealloc(m->value, cap * sizeof *m->value);
    memset(m->block + m->cap, 0, (cap - m->cap) * sizeof *m->block);
    m->cap = cap;
  }
  m->block[d] = t->records_block;
  m->value[d] = value;
}

void trace_memo_free(struct trace_memo *m) {
  free(m->block);
  free(m->value);
  *m = (struct trace_memo){0};
}
