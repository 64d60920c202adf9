/* The option parsers on any command line: the input is the arguments, NUL-separated, given to
 * `mfu predict` (the shared model, work and peak options, cli/options.h) or, when the first
 * byte is odd, to `mfu report` (its own options too) over a directory with no traces. */
#include "cli/commands.h"
#include "fuzz.h"

#define ARGS_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  int report = data[0] & 1;
  char *text = malloc(size);
  if (!text) abort();
  memcpy(text, data + 1, size - 1);
  text[size - 1] = '\0';
  char *argv[ARGS_MAX + 2] = {report ? "report" : "predict"};
  int argc = 1;
  for (char *a = text; a < text + size && argc <= ARGS_MAX; a += strlen(a) + 1)
    argv[argc++] = a;
  argv[argc] = NULL;
  fuzz_setup();
  if (report) {
    if (argc <= ARGS_MAX) argv[argc++] = fuzz_dir; /* traces: none there */
    argv[argc] = NULL;
    cmd_report(argc, argv);
  } else {
    cmd_predict(argc, argv);
  }
  free(text);
  return 0;
}
