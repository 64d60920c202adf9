/* `mfu predict --config FILE` on a config.json of any bytes: the Hugging Face config reader,
 * then the model it describes resolved and its FLOPs predicted, or a message and status 2. */
#include "cli/commands.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file("config.json", data, size);
  char *argv[] = {"predict", "--config", (char *)path, "--batch", "8", "--seq", "2048",
                  "--device", "h100-sxm", NULL};
  cmd_predict(9, argv);
  return 0;
}
