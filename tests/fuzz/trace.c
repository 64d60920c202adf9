/* The trace reader's public API (analyzer/trace/reader.h) on any bytes: every record and the
 * strings it names, every gap; it must never crash, hang, leak or read out of bounds. */
#include "fuzz.h"
#include "trace/reader.h"
#include "trace_mutants.h"

static volatile size_t trace_seen; /* what was read, so that reading it is not optimized out */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t n;
  uint8_t *bytes = trace_mutant(data, size, &n);
  const char *path = fuzz_file("t.mfutrace", bytes, n);
  free(bytes);
  struct mfu_trace t;
  if (mfu_trace_open(&t, path) == 0) {
    size_t seen = 0;
    for (const struct mfu_record *r; (r = mfu_trace_next(&t));) {
      const char *api = mfu_trace_string(&t, r->api);
      seen += api ? strlen(api) : 1;
    }
    for (size_t i = 0; i < t.gaps.n && i < TRACE_GAPS_KEPT; i++)
      seen += strlen(t.gaps.list[i].reason);
    trace_seen = seen + strlen(t.problem);
  }
  mfu_trace_close(&t);
  return 0;
}
