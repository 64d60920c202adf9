/* The clock of host records (clock.c). A call is bracketed by two reads of the cheapest honest
 * clock: the TSC (rdtsc, ~12 ns a read on a VM) where it is invariant and the kernel itself
 * keeps time with it, else CLOCK_MONOTONIC through the vDSO (~30 ns); MFU_CLOCK=auto|tsc|
 * monotonic chooses. Rings hold these raw stamps; the writer turns them into CLOCK_MONOTONIC
 * nanoseconds before they reach the file, with a calibration it renews at every drain
 * (mfu_clock_calibrate), so a trace is on CLOCK_MONOTONIC whichever clock timed it, and CUPTI's
 * times (converted to CLOCK_MONOTONIC, gpu_timeline.c) line up with the host's.
 *
 * Calibration: each drain takes an anchor, a (TSC, CLOCK_MONOTONIC) pair read back to back,
 * and converts stamps from it at the TSC rate measured since the start of the run; so the
 * error of a converted time is the anchor's read jitter plus the rate error times the stamp's
 * age (both about 100 ns at most). An anchor that the rate did not predict within
 * MFU_CLOCK_REBASE_NS (a TSC whose rate changed: a VM migrated) restarts the measurement of
 * the rate from the anchor before it. The header records the source, the rate, the restarts
 * and the largest misprediction (mfu_clock_note). */
#ifndef MFU_SHIM_CLOCK_H
#define MFU_SHIM_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "mfu/trace.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define MFU_HAVE_TSC 1
#else
#define MFU_HAVE_TSC 0
#endif

extern bool mfu_clock_tsc; /* set once at load: stamps are TSC ticks, else monotonic ns */

static inline uint64_t mfu_clock_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A stamp, for a record's t_start_ns / t_end_ns: converted by the writer. */
static inline uint64_t mfu_clock_stamp(void) {
#if MFU_HAVE_TSC
  if (__builtin_expect(mfu_clock_tsc, 1)) return __rdtsc();
#endif
  return mfu_clock_monotonic_ns();
}

void mfu_clock_init(void);      /* at load: which clock, and the first anchor */
void mfu_clock_calibrate(void); /* a new anchor; under the writer's lock, async-signal-safe */

/* The latest calibration (the writer's, under its lock): stamps are converted from its anchor. */
struct mfu_clock_conversion {
  uint64_t last_tsc, last_ns; /* the anchor */
  uint64_t mult;              /* ns per tick, 32.32 fixed point; 0 until measured */
};
extern struct mfu_clock_conversion mfu_clock_conv;

/* CLOCK_MONOTONIC ns of a stamp, by the latest calibration. Inline: the writer converts two
 * stamps of every record. */
static inline uint64_t mfu_clock_to_ns(uint64_t stamp) {
  if (!mfu_clock_tsc) return stamp;
  __int128 ticks = (int64_t)(stamp - mfu_clock_conv.last_tsc);
  return mfu_clock_conv.last_ns + (uint64_t)(int64_t)((ticks * (__int128)mfu_clock_conv.mult) >> 32);
}
/* The clock fields of the trace header. */
void mfu_clock_note(struct mfu_file_header *h);

#endif
