/* The recording window: see window.h. Step ranges are counted under a small lock (markers are
 * few); the hot path reads only mfu_window_open. */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "mfu/nccl.h"
#include "window.h"

/* A time window's flag opens this long before its start: the writer thread that moves it may
 * wake late, and what it lets in before the start is left out by the writer. */
#define TIME_MARGIN_NS 50000000ull
#define OPEN_IDS 64 /* start/end step ranges open at once that are followed */

atomic_int mfu_window_open = 1;

static struct {
  atomic_flag lock;
  regex_t pattern;
  bool have_pattern;
  uint64_t t0;                  /* CLOCK_MONOTONIC at load: a time window's zero */
  _Atomic uint64_t steps;       /* step ranges begun */
  unsigned depth;               /* step ranges open (nested ones count once) */
  uint64_t ids[OPEN_IDS];       /* start/end ranges that are steps, open */
  _Atomic uint32_t state;       /* MFU_WINDOW_OPENED | MFU_WINDOW_CLOSED */
  _Atomic uint64_t open_ns, close_ns;
  _Atomic uint32_t first_id, last_id; /* CUPTI correlation ids launched inside; 0: none yet */
  atomic_flag said;
} win = {.lock = ATOMIC_FLAG_INIT, .said = ATOMIC_FLAG_INIT};

/* Which push levels of this thread are open step ranges (bit n: level n; deeper: none). */
static __thread __attribute__((tls_model("initial-exec"))) uint64_t pushed_steps;

void mfu_window_load(void) {
  win.t0 = mfu_clock_monotonic_ns();
  if (mfu_config.window == MFU_WINDOW_NONE) return;
  if (mfu_config.window == MFU_WINDOW_STEPS) {
    int rc = regcomp(&win.pattern, mfu_config.step_range, REG_EXTENDED | REG_NOSUB);
    if (rc) {
      char why[120], shown[MFU_SHOWN_SIZE];
      regerror(rc, &win.pattern, why, sizeof why);
      mfu_say("ignoring MFU_STEP_RANGE=%s: %s; using [Ss]tep", mfu_shown(mfu_config.step_range, shown), why);
      strcpy(mfu_config.step_range, "[Ss]tep");
      rc = regcomp(&win.pattern, mfu_config.step_range, REG_EXTENDED | REG_NOSUB);
    }
    win.have_pattern = rc == 0;
  }
  atomic_store(&mfu_window_open, 0);
  mfu_window_tick(win.t0);
}

static void lock(void) {
  while (atomic_flag_test_and_set_explicit(&win.lock, memory_order_acquire)) {
  }
}
static void unlock(void) { atomic_flag_clear_explicit(&win.lock, memory_order_release); }

static void open_now(uint64_t at) {
  atomic_store(&win.open_ns, at);
  atomic_fetch_or(&win.state, MFU_WINDOW_OPENED);
  atomic_store(&mfu_window_open, 1);
}

static void close_now(uint64_t at) {
  atomic_store(&mfu_window_open, 0);
  atomic_store(&win.close_ns, at);
  atomic_fetch_or(&win.state, MFU_WINDOW_CLOSED);
}

static bool is_step(const char *message) {
  return mfu_config.window == MFU_WINDOW_STEPS && win.have_pattern && message &&
         regexec(&win.pattern, message, 0, NULL, 0) == 0;
}

/* A step range opens (caller holds the lock): the first of a nest begins a step. */
static void step_opens(void) {
  if (win.depth++ == 0 && atomic_fetch_add(&win.steps, 1) + 1 == mfu_config.window_first)
    open_now(mfu_clock_monotonic_ns());
}
static void step_closes(void) {
  if (win.depth > 0 && --win.depth == 0 && atomic_load(&win.steps) == mfu_config.window_last)
    close_now(mfu_clock_monotonic_ns());
}

void mfu_window_push(const char *message, int level) {
  if (level >= 0 && level < 64) pushed_steps &= ~(1ull << level);
  if (!is_step(message)) return;
  if (level >= 0 && level < 64) pushed_steps |= 1ull << level;
  lock();
  step_opens();
  unlock();
}

void mfu_window_pop(int level) {
  if (level < 0 || level >= 64 || !(pushed_steps & (1ull << level))) return;
  pushed_steps &= ~(1ull << level);
  lock();
  step_closes();
  unlock();
}

void mfu_window_start(const char *message, uint64_t id) {
  if (!is_step(message)) return;
  lock();
  for (int i = 0; i < OPEN_IDS; i++)
    if (!win.ids[i]) {
      win.ids[i] = id;
      step_opens();
      break;
    }
  unlock();
}

void mfu_window_end(uint64_t id) {
  if (mfu_config.window != MFU_WINDOW_STEPS || !id) return;
  lock();
  for (int i = 0; i < OPEN_IDS; i++)
    if (win.ids[i] == id) {
      win.ids[i] = 0;
      step_closes();
      break;
    }
  unlock();
}

bool mfu_window_exempt(const struct mfu_record *rec) {
  switch (rec->kind) {
  case MFU_REC_DEVICE: return true;
  case MFU_REC_GRAPH: return rec->u.graph.op != MFU_GRAPH_LAUNCH;
  case MFU_REC_NCCL:
    if (rec->u.nccl.op == MFU_NCCL_COMM_INIT || rec->u.nccl.op == MFU_NCCL_COMM_END ||
        rec->u.nccl.op == MFU_NCCL_COMM_QUERY)
      return true;
    return (rec->flags & MFU_RF_CAPTURED) != 0;
  case MFU_REC_GEMM:
  case MFU_REC_BLAS3: return (rec->flags & MFU_RF_CAPTURED) != 0;
  default: return false;
  }
}

static uint64_t edge(uint64_t offset) { return offset == UINT64_MAX ? UINT64_MAX : win.t0 + offset; }

bool mfu_window_keeps_timed(const struct mfu_record *rec, uint64_t start_ns) {
  bool timed = rec->kind == MFU_REC_GEMM || rec->kind == MFU_REC_NCCL || rec->kind == MFU_REC_BLAS3 ||
               rec->kind == MFU_REC_GRAPH || rec->kind == MFU_REC_MARKER;
  return !timed || mfu_window_exempt(rec) ||
         (start_ns >= edge(mfu_config.window_first) && start_ns <= edge(mfu_config.window_last));
}

uint64_t mfu_window_tick(uint64_t now_ns) {
  if (mfu_config.window != MFU_WINDOW_TIME) return 0;
  uint64_t start = edge(mfu_config.window_first), end = edge(mfu_config.window_last);
  uint32_t state = atomic_load(&win.state);
  if (now_ns >= end) {
    if (!(state & MFU_WINDOW_CLOSED)) {
      if (!(state & MFU_WINDOW_OPENED)) open_now(start);
      close_now(end);
    }
    return 0;
  }
  if (now_ns + TIME_MARGIN_NS >= start && !atomic_load(&mfu_window_open)) {
    atomic_store(&mfu_window_open, 1);
  }
  if (now_ns >= start) {
    if (!(state & MFU_WINDOW_OPENED)) {
      atomic_store(&win.open_ns, start);
      atomic_fetch_or(&win.state, MFU_WINDOW_OPENED);
    }
    return end;
  }
  return now_ns + TIME_MARGIN_NS >= start ? start : start - TIME_MARGIN_NS;
}

void mfu_window_correlated(uint32_t id) {
  if (mfu_config.window == MFU_WINDOW_NONE || !id) return;
  uint32_t first = atomic_load(&win.first_id), last = atomic_load(&win.last_id);
  while ((!first || id < first) && !atomic_compare_exchange_weak(&win.first_id, &first, id)) {
  }
  while (id > last && !atomic_compare_exchange_weak(&win.last_id, &last, id)) {
  }
}

bool mfu_window_keeps_gpu(uint64_t start_ns, uint32_t id) {
  if (mfu_config.window == MFU_WINDOW_NONE) return true;
  uint32_t state = atomic_load(&win.state), first = atomic_load(&win.first_id);
  uint64_t opened = mfu_config.window == MFU_WINDOW_TIME ? edge(mfu_config.window_first)
                                                         : atomic_load(&win.open_ns);
  /* While the window is open, its last launch is not known yet: what was launched since its
   * first is in it (CUPTI may hand a kernel over before its launch's correlation record). */
  return (state & MFU_WINDOW_OPENED) && first && id >= first && start_ns >= opened &&
         (!(state & MFU_WINDOW_CLOSED) || id <= atomic_load(&win.last_id));
}

void mfu_window_note(struct mfu_file_header *h, uint64_t outside) {
  h->window_kind = mfu_config.window;
  if (mfu_config.window == MFU_WINDOW_NONE) return;
  h->window_first = mfu_config.window_first;
  h->window_last = mfu_config.window_last;
  h->window_state = atomic_load(&win.state);
  h->window_open_ns = atomic_load(&win.open_ns);
  h->window_close_ns = atomic_load(&win.close_ns);
  h->window_steps = atomic_load(&win.steps); /* no lock: a signal handler may be here */
  h->window_outside = outside;
  if (mfu_config.window == MFU_WINDOW_STEPS)
    snprintf(h->window_step_range, sizeof h->window_step_range, "%s", mfu_config.step_range);
}

void mfu_window_stop(void) {
  if (mfu_config.window == MFU_WINDOW_NONE || (atomic_load(&win.state) & MFU_WINDOW_OPENED) ||
      atomic_flag_test_and_set(&win.said))
    return;
  if (mfu_config.window == MFU_WINDOW_STEPS)
    mfu_say("%s: the window never opened: %llu step range%s began (NVTX ranges matching '%s'; "
            "NVTX reaches the shim with NVTX_INJECTION64_PATH set to it, as mfu run does); "
            "nothing was written", mfu_config.window_text, (unsigned long long)atomic_load(&win.steps),
            atomic_load(&win.steps) == 1 ? "" : "s", mfu_config.step_range);
  else
    mfu_say("%s: the run ended after %.3f s, before the window opened; nothing was written",
            mfu_config.window_text, (double)(mfu_clock_monotonic_ns() - win.t0) / 1e9);
}
