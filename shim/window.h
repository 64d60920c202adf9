/* The recording window (window.c): MFU_STEPS=A:B writes steps A to B only, MFU_WINDOW_S=
 * START:END the seconds from START to END since the shim started. Outside the window every
 * call is still intercepted and forwarded as always, and nothing is written but the state the
 * analyzer needs whatever the window (window_exempt); the header says which window was asked
 * for and when it opened and closed.
 *
 * A step, as the shim sees it while the program runs: an outermost NVTX range (push/pop on a
 * thread, or start/end) whose message matches MFU_STEP_RANGE (POSIX extended, default
 * `[Ss]tep`: "train_step", "ProfilerStep#3"). Ranges are counted from 1 as they open; the
 * window opens with the opening of step A (its marker written) and closes with the end of
 * step B (its marker written), so the calls between those steps' ranges are in it too. A time
 * window's edges are exact on the clock of the records: what starts before START or after END
 * is left out. GPU activities are written when they were launched inside the window (they may
 * run on the GPU after it closed: the host runs ahead of the GPU). */
#ifndef MFU_SHIM_WINDOW_H
#define MFU_SHIM_WINDOW_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "mfu/trace.h"

/* 1 while calls are written (always, without a window); a time window's opens a little
 * before its start, and the writer leaves out what came before (mfu_window_keeps_host). */
extern atomic_int mfu_window_open;

void mfu_window_load(void); /* in the constructor, after the configuration */
void mfu_window_stop(void); /* at unload: a window that never opened is said, once */

/* Records written outside the window: the device, CUDA-graph captures and their calls,
 * communicators (what a launch or a call inside the window needs to be counted). */
bool mfu_window_exempt(const struct mfu_record *rec);

static inline bool mfu_window_writes(const struct mfu_record *rec) {
  return atomic_load_explicit(&mfu_window_open, memory_order_relaxed) || mfu_window_exempt(rec);
}

/* NVTX ranges, for step windows: before an opening's marker is recorded, after a closing's.
 * `level` is the thread's push nesting of the range (0: outermost); `id` a start/end range's. */
void mfu_window_push(const char *message, int level);
void mfu_window_pop(int level);
void mfu_window_start(const char *message, uint64_t id);
void mfu_window_end(uint64_t id);

/* The writer's: whether a host record that starts at start_ns (CLOCK_MONOTONIC) is written
 * (inline: asked of every record; only a time window leaves any out); and, at `now_ns`, the
 * time window's flag moved, with when to look again (0: never). */
bool mfu_window_keeps_timed(const struct mfu_record *rec, uint64_t start_ns);
static inline bool mfu_window_keeps_host(const struct mfu_record *rec, uint64_t start_ns) {
  return mfu_config.window != MFU_WINDOW_TIME || mfu_window_keeps_timed(rec, start_ns);
}
uint64_t mfu_window_tick(uint64_t now_ns);
/* CUPTI's. A call inside the window was launched under CUPTI correlation id `id` (an external
 * correlation record of the shim's: made only for calls inside the window). */
void mfu_window_correlated(uint32_t id);
/* Whether an activity of CUPTI correlation id `id` that starts at start_ns on the GPU is
 * written: it was launched inside the window, between the first and the last call there (as
 * CUPTI numbers API calls in order, whoever made them), and starts after the window opened. */
bool mfu_window_keeps_gpu(uint64_t start_ns, uint32_t id);

/* The header's window fields; `outside`: the calls not written. */
void mfu_window_note(struct mfu_file_header *h, uint64_t outside);

#endif
