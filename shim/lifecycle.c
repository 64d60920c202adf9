/* The process's lifecycle in one place: load, the first recorded call (of the process and of
 * each thread), fork, fatal signals, exit, and the ends without exit handlers (_exit, execve:
 * exits.c). The modules with a part in it are the rows of `modules` below: lifecycle runs
 * their hooks, in that order or its reverse, and no module starts or stops itself.
 *
 * The constructor only reads the environment: nothing that could reach an intercepted
 * library. The writer thread, the signal handlers and CUPTI start with the first recorded
 * call. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "device.h"
#include "gpu_timeline.h"
#include "lifecycle.h"
#include "ring.h"
#include "stacks.h"
#include "window.h"
#include "writer.h"

atomic_int mfu_tracing;
static bool forked_child;
static pid_t loaded_pid;    /* the process the shim was loaded into (a vfork child is not it) */
static atomic_bool started; /* the start hooks ran */
static atomic_int ending;   /* an end without exit handlers is under way */

/* A module's part in the lifecycle; a NULL hook is no part. */
struct mfu_module {
  void (*load)(void);         /* in the constructor, before any call is recorded */
  void (*start)(void);        /* once, on the first recorded call, before the real call runs */
  void (*stop)(void);         /* at unload (the destructor); harmless if it already ran */
  bool stop_at_exit;          /* stop in exit() too, while the CUDA libraries are still up */
  void (*fork_child)(void);   /* in a forked child, which is not traced */
  void (*signal_flush)(void); /* in a fatal-signal handler: async-signal-safe */
  /* The process ends, or replaces its image, without exit handlers (_exit, execve): perhaps
   * in a signal handler, so async-signal-safe and bounded; and, if the execve failed, goes on. */
  void (*end_now)(void);
  void (*resume)(void);
};

static void install_signal_handlers(void);
static void flush_cupti_elsewhere(void);

/* Loaded and started in this order, stopped in the reverse: CUPTI hands its last buffers to
 * the rings before the writer's final drain, and the writer closes the file last. */
static const struct mfu_module modules[] = {
    /* the clock of host records (clock.c) */
    {.load = mfu_clock_init},
    /* the real ends without exit handlers (exits.c) */
    {.load = mfu_exits_load},
    /* call sites (stacks.c): the unwinder chosen and the libraries mapped before any call's
     * stack is taken */
    {.start = mfu_stacks_start},
    /* the trace file (writer.c) */
    {.load = mfu_writer_init, .start = mfu_writer_start, .stop = mfu_writer_final_flush,
     .fork_child = mfu_writer_forget, .signal_flush = mfu_writer_signal_flush,
     .end_now = mfu_writer_end, .resume = mfu_writer_resume},
    /* the recording window (window.c): its zero (after the header's start), and what it
     * says at the end */
    {.load = mfu_window_load, .stop = mfu_window_stop},
    /* the fatal-signal handlers (below), before CUPTI loads libcupti: they judge the
     * dispositions the host left, not a library's */
    {.start = install_signal_handlers},
    /* the GPU timeline (gpu_timeline.c) */
    {.start = mfu_cupti_start, .stop = mfu_cupti_stop, .stop_at_exit = true,
     .fork_child = mfu_cupti_forget, .end_now = flush_cupti_elsewhere},
};
#define MODULES (sizeof modules / sizeof modules[0])

/* Every signal whose default action ends the process. */
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGSYS,  SIGABRT, SIGTERM,
                                    SIGINT,  SIGHUP, SIGQUIT, SIGPIPE, SIGXCPU, SIGXFSZ};

/* Where the process ends without exit handlers, CUPTI's last buffers are asked for on the
 * writer's thread, a bounded time: the caller may be a signal handler, where CUPTI cannot be
 * called safely. */
static void flush_cupti_elsewhere(void) {
  if (atomic_load(&mfu_cupti_active)) mfu_writer_run(mfu_cupti_flush);
}

/* Flushes what is buffered, then lets the signal do what it would have done without us. The
 * handler was installed with SA_RESETHAND over SIG_DFL: a fault (si_code > 0 for the signals
 * a faulting instruction raises) re-executes into the default action, so that the core shows
 * the fault; any other signal is raised again, and the default action follows the handler. */
static void on_fatal_signal(int sig, siginfo_t *info, void *context) {
  (void)context;
  int saved = errno;
  atomic_store(&mfu_tracing, 0);
  for (size_t i = 0; i < MODULES; i++)
    if (modules[i].signal_flush) modules[i].signal_flush();
  bool fault = sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGSYS;
  if (!fault || info->si_code <= 0) raise(sig);
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

/* Whether this process is the traced one: not a forked child (which inherits the parent's
 * atexit handler and memory), nor a vfork child (which shares them, without fork handlers). */
static bool traced_here(void) {
  return mfu_config.enabled && !forked_child && getpid() == loaded_pid;
}

static void stop_in_exit(void) {
  if (traced_here()) stop_modules(true);
}

static void start_process(void) {
  for (size_t i = 0; i < MODULES; i++)
    if (modules[i].start) modules[i].start();
  /* The shim, preloaded, is finalized last: after libcupti and the CUDA runtime. A handler
   * registered now runs at exit before theirs, while CUPTI can still be flushed. */
  atexit(stop_in_exit);
  atomic_store(&started, true);
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

/* Runs the end_now hooks in reverse, once at a time; false if there was nothing to end. */
static bool end_modules(void) {
  if (!traced_here() || !atomic_load(&started) || atomic_exchange(&ending, 1)) return false;
  int saved = errno, depth = mfu_depth;
  mfu_depth = 1; /* nothing called from here is recorded */
  atomic_store(&mfu_tracing, 0);
  for (size_t i = MODULES; i-- > 0;)
    if (modules[i].end_now) modules[i].end_now();
  mfu_depth = depth;
  errno = saved;
  return true;
}

void mfu_end_now(void) { end_modules(); }

bool mfu_before_exec(void) { return end_modules(); }

void mfu_exec_failed(void) {
  int saved = errno;
  for (size_t i = 0; i < MODULES; i++)
    if (modules[i].resume) modules[i].resume();
  atomic_store(&ending, 0);
  atomic_store(&mfu_tracing, 1);
  errno = saved;
}

__attribute__((constructor)) static void mfu_load(void) {
  mfu_config_load();
  if (!mfu_config.enabled) return;
  loaded_pid = getpid();
  for (size_t i = 0; i < MODULES; i++)
    if (modules[i].load) modules[i].load();
  pthread_atfork(NULL, NULL, in_child_after_fork);
  atomic_store(&mfu_tracing, 1);
}

__attribute__((destructor)) static void mfu_unload(void) {
  if (!traced_here()) return;
  atomic_store(&mfu_tracing, 0);
  stop_modules(false);
}
