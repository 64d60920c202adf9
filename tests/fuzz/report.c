/* `mfu report` on one trace file of any bytes (checksums recomputed for most inputs, so that
 * what the records claim reaches the job, the steps, the timeline and the printers): it ends
 * with a status, never a crash, a hang, a leak or undefined behaviour. The input's first
 * byte chooses the output too: --json, or the text with --full. */
#include "cli/commands.h"
#include "fuzz.h"
#include "trace_mutants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t n;
  uint8_t *bytes = trace_mutant(data, size, &n);
  const char *path = fuzz_file("r.mfutrace", bytes, n);
  free(bytes);
  char *argv[] = {"report", size && (data[0] & 2) ? "--full" : "--json", (char *)path, NULL};
  cmd_report(3, argv);
  return 0;
}
