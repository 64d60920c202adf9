/* The clock of host records: see clock.h. */
#include "clock.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if MFU_HAVE_TSC
#include <cpuid.h>
#endif

#include "config.h"

#define MFU_CLOCK_BASELINE_NS 1000000ull /* the shortest span the rate is measured over */
#define MFU_CLOCK_REBASE_NS 100000        /* an anchor mispredicted by more restarts the rate */

bool mfu_clock_tsc;

struct mfu_clock_conversion mfu_clock_conv;

static struct {
  uint64_t base_tsc, base_ns; /* where the rate's measurement starts */
  uint32_t rebases;
  uint64_t max_error_ns;
} cal;

/* The TSC counts at a constant rate through frequency and power states (CPUID's "invariant
 * TSC"), and the kernel keeps CLOCK_MONOTONIC with it: it judged the TSC stable here (a VM
 * whose TSC is not gets kvm-clock or another source). */
static bool tsc_trusted(void) {
#if MFU_HAVE_TSC
  unsigned a, b, c, d;
  if (!__get_cpuid(0x80000007, &a, &b, &c, &d) || !(d & (1u << 8))) return false;
  char source[32] = {0};
  int fd = open("/sys/devices/system/clocksource/clocksource0/current_clocksource",
                O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = read(fd, source, sizeof source - 1);
  close(fd);
  return n > 0 && !strcmp(source, "tsc\n");
#else
  return false;
#endif
}

/* A (TSC, CLOCK_MONOTONIC) pair: the best of three tries, the one whose clock read the two TSC
 * reads bracket most tightly, at their midpoint. */
static void anchor(uint64_t *tsc, uint64_t *ns) {
#if MFU_HAVE_TSC
  uint64_t best = UINT64_MAX;
  for (int i = 0; i < 3; i++) {
    uint64_t a = __rdtsc(), m = mfu_clock_monotonic_ns(), b = __rdtsc();
    if (b - a < best) best = b - a, *tsc = a + (b - a) / 2, *ns = m;
  }
#else
  *tsc = 0, *ns = mfu_clock_monotonic_ns();
#endif
}

void mfu_clock_init(void) {
  const char *v = getenv("MFU_CLOCK");
  bool trusted = tsc_trusted();
  if (v && !strcmp(v, "tsc")) {
    mfu_clock_tsc = MFU_HAVE_TSC;
    if (!mfu_clock_tsc) mfu_say("MFU_CLOCK=tsc: this CPU has no TSC; using CLOCK_MONOTONIC");
  } else if (v && !strcmp(v, "monotonic")) {
    mfu_clock_tsc = false;
  } else {
    if (v && *v && strcmp(v, "auto"))
      mfu_say("ignoring MFU_CLOCK=%s: expected auto, tsc or monotonic; using auto",
              mfu_shown(v, (char[MFU_SHOWN_SIZE]){0}));
    mfu_clock_tsc = trusted;
  }
  memset(&cal, 0, sizeof cal);
  memset(&mfu_clock_conv, 0, sizeof mfu_clock_conv);
  anchor(&cal.base_tsc, &cal.base_ns);
  mfu_clock_conv.last_tsc = cal.base_tsc, mfu_clock_conv.last_ns = cal.base_ns;
}

void mfu_clock_calibrate(void) {
  if (!mfu_clock_tsc) return;
  struct mfu_clock_conversion *c = &mfu_clock_conv;
  uint64_t tsc, ns;
  anchor(&tsc, &ns);
  while (!c->mult && ns - cal.base_ns < MFU_CLOCK_BASELINE_NS) anchor(&tsc, &ns); /* once */
  if (c->mult) {
    int64_t error = (int64_t)(ns - mfu_clock_to_ns(tsc));
    uint64_t off = (uint64_t)(error < 0 ? -error : error);
    if (off > cal.max_error_ns) cal.max_error_ns = off;
    if (off > MFU_CLOCK_REBASE_NS) cal.rebases++, cal.base_tsc = c->last_tsc, cal.base_ns = c->last_ns;
  }
  if (ns - cal.base_ns >= MFU_CLOCK_BASELINE_NS && tsc > cal.base_tsc)
    c->mult = (uint64_t)((double)(ns - cal.base_ns) / (double)(tsc - cal.base_tsc) * 4294967296.0);
  c->last_tsc = tsc, c->last_ns = ns;
}

void mfu_clock_note(struct mfu_file_header *h) {
  uint64_t mult = mfu_clock_conv.mult;
  h->clock_source = mfu_clock_tsc ? MFU_CLOCK_TSC : MFU_CLOCK_MONOTONIC;
  h->clock_rebases = cal.rebases;
  h->tsc_hz = mfu_clock_tsc && mult ? (uint64_t)(4294967296.0e9 / (double)mult) : 0;
  h->clock_max_error_ns = cal.max_error_ns;
}
