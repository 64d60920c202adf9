/* The shim's settings from the environment (shim/config.h) on any values: the input is the
 * values, NUL-separated, of the variables below in turn; reading them must never crash, and
 * every setting ends within its range. */
#include <fcntl.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

static const char *const vars[] = {
    "MFU_DISABLE", "NVIDIA_TF32_OVERRIDE", "MFU_FLUSH_MS", "MFU_ZSTD", "MFU_CUPTI",
    "MFU_STACKS", "MFU_LIBUNWIND", "MFU_TRACE_DIR", "MFU_JOB_ID", "RANK", "LOCAL_RANK",
    "WORLD_SIZE", "TORCHELASTIC_RUN_ID", "SLURM_JOB_ID", "SLURM_STEP_ID", "MASTER_ADDR",
    "MASTER_PORT",
};
#define NVARS (sizeof vars / sizeof vars[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) abort();
  memcpy(text, data, size);
  text[size] = '\0';
  size_t at = 0; /* where the next value starts; past the end: the rest are unset */
  for (size_t i = 0; i < NVARS; i++) {
    if (at >= size) {
      unsetenv(vars[i]);
      continue;
    }
    setenv(vars[i], text + at, 1);
    at += strlen(text + at) + 1;
  }
  free(text);
  int saved = dup(2), null = open("/dev/null", O_WRONLY); /* mfu_say writes to descriptor 2 */
  dup2(null, 2);
  mfu_config_load();
  struct mfu_file_header h;
  memset(&h, 0, sizeof h);
  mfu_identity_fill(&h);
  dup2(saved, 2);
  close(saved);
  close(null);
  if (mfu_config.flush_ms < 10 || mfu_config.flush_ms > 3600000 || mfu_config.zstd_level < 0 ||
      mfu_config.zstd_level > 19 || !memchr(mfu_config.trace_dir, 0, sizeof mfu_config.trace_dir))
    abort();
  return 0;
}
