/* What call sites cost an intercepted call (shim/stacks.h), in-process, so that the figures
 * are the call sites' alone: a function shaped like a wrapper asks for its call's site, 48
 * frames below the thread's start (as deep as the shim keeps stacks), timed with rdtsc in
 * batches of 256 calls, interleaved with the same function not asking (the baseline) and with
 * every call unwound (MFU_STACKS=1), with a pause after each round, as a job makes its calls.
 * Prints `bench:` lines (medians of the batches' means, minus the baseline's):
 *
 *   stacks_lookup_ns           recognizing the call's site, which every call pays
 *   stacks_unwind_ns           unwinding and interning its stack, which one call in N pays
 *   stacks_ns_per_call_median  the two at the default N: lookup + unwind / N */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "config.h"
#include "stacks.h"

enum { BATCH = 256, BATCHES = 2000, DEPTH = 48 };

static uint32_t tid;
static volatile uint32_t sink;

__attribute__((noinline)) static void wrapper(int ask) {
  int frame = 0;
  if (ask) sink = mfu_stacks_site(__builtin_return_address(0), &frame, tid);
  else sink = (uint32_t)(uintptr_t)&frame; /* the same frame, the site not asked for */
}

static double batch_ticks(int ask) {
  uint64_t t0 = __rdtsc();
  for (int i = 0; i < BATCH; i++) wrapper(ask);
  return (double)(__rdtsc() - t0) / BATCH;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
static double median(double *v) {
  qsort(v, BATCHES, sizeof *v, cmp_double);
  return v[BATCHES / 2];
}

static double base[BATCHES], sampled[BATCHES], every[BATCHES];

static void measure(void) {
  unsigned n = mfu_config.stacks_every;
  for (int b = 0; b < BATCHES; b++) {
    base[b] = batch_ticks(0);
    sampled[b] = batch_ticks(1);
    mfu_config.stacks_every = 1; /* read when a site is unwound: from now on, every call */
    every[b] = batch_ticks(1);
    mfu_config.stacks_every = n;
    wrapper(1); /* unwound once more, then one call in n again */
    nanosleep(&(struct timespec){0, 200000}, NULL);
  }
}

__attribute__((noinline)) static void descend(int depth) {
  if (depth > 0) descend(depth - 1);
  else measure();
  __asm__ volatile("" ::: "memory"); /* no tail call: this frame stays */
}

int main(void) {
  unsetenv("MFU_STACKS");
  mfu_config_load();
  mfu_stacks_start();
  tid = (uint32_t)syscall(SYS_gettid);
  descend(DEPTH);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a); /* the TSC's rate, on the wall clock */
  uint64_t ca = __rdtsc();
  nanosleep(&(struct timespec){0, 100000000}, NULL);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ns_per_tick = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)(__rdtsc() - ca);
  double m0 = median(base), lookup = (median(sampled) - m0) * ns_per_tick,
         unwind = (median(every) - m0) * ns_per_tick - lookup;
  printf("bench: stacks_lookup_ns %.2f ns  # recognizing a call's site, every call\n", lookup);
  printf("bench: stacks_unwind_ns %.0f ns  # unwinding %d frames and interning them, one call in N\n",
         unwind, DEPTH);
  printf("bench: stacks_ns_per_call_median %.2f ns  # lookup + unwind / %u, the default MFU_STACKS\n",
         lookup + unwind / MFU_STACKS_DEFAULT, MFU_STACKS_DEFAULT);
  return 0;
}
