/* Settings from the environment and the identity of this process (config.c), read once at
 * load time, and the shim's one way of telling the user something. */
#ifndef MFU_SHIM_CONFIG_H
#define MFU_SHIM_CONFIG_H

#include <stdbool.h>

#include "mfu/trace.h"

enum mfu_cupti_policy { MFU_CUPTI_AUTO, MFU_CUPTI_ON, MFU_CUPTI_NEVER };

/* MFU_STACKS when unset: one call in this many per call site is unwound, after its first
 * (chosen by `make bench`: the amortized cost stays within a fifth of the shim's per call). */
#define MFU_STACKS_DEFAULT 1000u

struct mfu_config {
  bool enabled;             /* MFU_DISABLE unset or 0 */
  enum mfu_cupti_policy cupti; /* MFU_CUPTI=auto|on|off */
  bool tf32_allowed;        /* NVIDIA_TF32_OVERRIDE != 0 */
  unsigned flush_ms;        /* MFU_FLUSH_MS, default 1000 */
  int zstd_level;           /* MFU_ZSTD: 1..19 compresses RECORDS blocks; 0 (default) not */
  unsigned long long max_bytes; /* MFU_MAX_MB in bytes: the trace file stops there; 0 no limit */
  char trace_dir[1024];     /* MFU_TRACE_DIR, default ./mfu-traces */
  unsigned stacks_every;    /* MFU_STACKS: a call site's first call is unwound, then one in N; 0 off */
  char libunwind[512];      /* MFU_LIBUNWIND, default libunwind.so.8; "none": never load it */
  /* The recording window (window.h): MFU_STEPS=A:B (steps), else MFU_WINDOW_S=START:END
   * (ns after the shim's start); last UINT64_MAX: to the end of the run. */
  enum mfu_window_kind window;
  uint64_t window_first, window_last;
  char window_text[32];     /* the variable as set, for messages ("MFU_STEPS=2:4") */
  char step_range[64];      /* MFU_STEP_RANGE: the NVTX ranges that are steps (window.c) */
};
extern struct mfu_config mfu_config;
void mfu_config_load(void);
/* Fills identity fields of a fresh header: pid, ranks, job id, host, command line, clocks. */
void mfu_identity_fill(struct mfu_file_header *h);

/* Writes "mfushim: <message>\n" to stderr with one write(2); used for the "say it once"
 * messages (callers keep their own once-flags). Not for signal handlers. */
void mfu_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* `v` as a message shows it: bytes outside printable ASCII as \xNN, and no more than fits in
 * a line, with its length when it was cut. Returns buf. */
#define MFU_SHOWN_SIZE 160
const char *mfu_shown(const char *v, char buf[MFU_SHOWN_SIZE]);

#endif
