/* correlation: which intercepted call launched each GPU activity of one rank. CUPTI gives an
 * activity the correlation id of the runtime or driver call that launched it; a CORRELATION
 * record ties that id to the external id the shim pushed around the intercepted call (the
 * call record's `correlation`). Built once per rank from its pairs and its calls; each lookup
 * is then two array reads (the ids of a trace are dense: 1, 2, 3... per process), or two
 * binary searches for ids that are not. Pure functions: no trace format, no I/O.
 *
 *     struct correlation_index ix;     // calls: an array of structs with a uint64_t external id
 *     correlation_index_init(&ix, pairs, npairs, &calls[0].external, sizeof *calls, ncalls);
 *     size_t i = correlation_find(&ix, kernel->correlation);   // calls[i], or CORRELATION_NONE
 *     correlation_index_free(&ix);
 */
#ifndef MFU_CORRELATION_H
#define MFU_CORRELATION_H

#include <stddef.h>
#include <stdint.h>

#define CORRELATION_NONE ((size_t)-1)

/* A CORRELATION record: CUPTI's correlation id -> the intercepted call's external id. */
struct correlation_pair {
  uint64_t cupti, external;
};

struct correlation_call; /* private */

struct correlation_index {
  const struct correlation_pair *pairs; /* sorted by cupti, unless pair_of indexes them */
  size_t npairs;
  struct correlation_call *calls;       /* sorted by external id, unless call_of indexes them */
  size_t ncalls;
  uint32_t *pair_of, *call_of; /* by id, for dense ids: 1 + the pair's or call's index, 0 none */
  uint64_t max_cupti, max_external;
};

/* Indexes `pairs` (sorting them in place if their ids are sparse; they stay the caller's and
 * must outlive the index) and the ncalls calls whose external ids are at `external`, `stride`
 * bytes apart (0: the call has none); NULL when ncalls is 0. Of pairs or calls that share an
 * id, the first counts. */
void correlation_index_init(struct correlation_index *ix, struct correlation_pair *pairs,
                            size_t npairs, const uint64_t *external, size_t stride, size_t ncalls);

/* The index of the intercepted call that launched the activity with CUPTI correlation id
 * `cupti`, or CORRELATION_NONE (no CORRELATION record, or no such call). */
/* The same with the calls' external ids in an array of 32-bit ids. */
void correlation_index_init32(struct correlation_index *ix, struct correlation_pair *pairs,
                              size_t npairs, const uint32_t *external, size_t ncalls);

size_t correlation_find(const struct correlation_index *ix, uint64_t cupti);

void correlation_index_free(struct correlation_index *ix);

#endif
