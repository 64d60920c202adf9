/* The process's lifecycle in one place: load, the first recorded call (of the process and of
 * each thread), fork, fatal signals and exit. The modules with a part in it are the rows of
 * `modules` below: lifecycle runs their hooks, in that order or its reverse, and no module
 * starts or stops itself.
 *
 * The constructor only reads the environment: nothing that could reach an intercepted
 * library. The writer thread, the signal handlers and CUPTI start with the first recorded
 * call. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "device.h"
#include "gpu_timeline.h"
#include "lifecycle.h"
#include "ring.h"
#include "writer.h"

atomic_int mfu_tracing;
static bool forked_child;

/* A module's part in the lifecycle; a NULL hook is no part. */
struct mfu_module {
  void (*load)(void);         /* in the constructor, before any call is recorded */
  void (*start)(void);        /* once, on the first recorded call, before the real call runs */
  void (*stop)(void);         /* at unload (the destructor); harmless if it already ran */
  bool stop_at_exit;          /* stop in exit() too, while the CUDA libraries are still up */
  void (*fork_child)(void);   /* in a forked child, which is not traced */
  void (*signal_flush)(void); /* in a fatal-signal handler: async-signal-safe */
};

static void install_signal_handlers(void);

/* Loaded and started in this order, stopped in the reverse: CUPTI hands its last buffers to
 * the rings before the writer's final drain, and the writer closes the file last. */
static const struct mfu_module modules[] = {
    /* the clock of host records (clock.c) */
    {.load = mfu_clock_init},
    /* the trace file (writer.c) */
    {.load = mfu_writer_init, .start = mfu_writer_start, .stop = mfu_writer_final_flush,
     .fork_child = mfu_writer_forget, .signal_flush = mfu_writer_signal_flush},
    /* the fatal-signal handlers (below), before CUPTI loads libcupti: they judge the
     * dispositions the host left, not a library's */
    {.start = install_signal_handlers},
    /* the GPU timeline (gpu_timeline.c) */
    {.start = mfu_cupti_start, .stop = mfu_cupti_stop, .stop_at_exit = true},
};
#define MODULES (sizeof modules / sizeof modules[0])

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM};

/* Flushes what is buffered, then lets the signal do what it would have done without us:
 * the handler was installed with SA_RESETHAND over SIG_DFL, so a fault re-executes into the
 * default action, and a sent signal (si_code <= 0: kill, raise, abort) is raised again. */
static void on_fatal_signal(int sig, siginfo_t *info, void *context) {
  (void)context;
  int saved = errno;
  atomic_store(&mfu_tracing, 0);
  for (size_t i = 0; i < MODULES; i++)
    if (modules[i].signal_flush) modules[i].signal_flush();
  if (info->si_code <= 0) raise(sig);
  errno = saved;
}

/* Only where the host left the default action: a host handler is never replaced. */
static void install_signal_handlers(void) {
  for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
    struct sigaction old;
    if (sigaction(fatal_signals[i], NULL, &old) != 0 || old.sa_handler != SIG_DFL ||
        (old.sa_flags & SA_SIGINFO))
      continue;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fatal_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(fatal_signals[i], &sa, NULL);
  }
}

/* In reverse order: every module at unload, or only those that must stop in exit(). */
static void stop_modules(bool in_exit) {
  for (size_t i = MODULES; i-- > 0;)
    if (modules[i].stop && (!in_exit || modules[i].stop_at_exit)) modules[i].stop();
}

static void stop_in_exit(void) { stop_modules(true); }

static void start_process(void) {
  for (size_t i = 0; i < MODULES; i++)
    if (modules[i].start) modules[i].start();
  /* The shim, preloaded, is finalized last: after libcupti and the CUDA runtime. A handler
   * registered now runs at exit before theirs, while CUPTI can still be flushed. */
  atexit(stop_in_exit);
}

void mfu_first_call(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  int saved = errno;
  pthread_once(&once, start_process);
  struct mfu_ring *r = mfu_ring_attach();
  if (r) mfu_device_note(r);
  errno = saved;
}

/* A forked child (a DataLoader worker) never writes into the parent's file, and is not
 * traced: its buffers hold the parent's records, and it has no writer thread. */
static void in_child_after_fork(void) {
  forked_child = true;
  atomic_store(&mfu_tracing, 0);
  for (size_t i = 0; i < MODULES; i++)
    if (modules[i].fork_child) modules[i].fork_child();
}

__attribute__((constructor)) static void mfu_load(void) {
  mfu_config_load();
  if (!mfu_config.enabled) return;
  for (size_t i = 0; i < MODULES; i++)
    if (modules[i].load) modules[i].load();
  pthread_atfork(NULL, NULL, in_child_after_fork);
  atomic_store(&mfu_tracing, 1);
}

__attribute__((destructor)) static void mfu_unload(void) {
  if (!mfu_config.enabled || forked_child) return;
  atomic_store(&mfu_tracing, 0);
  stop_modules(false);
}
