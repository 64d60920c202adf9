/* Load, first use, fork, fatal signals and exit.
 *
 * The constructor only reads the environment: nothing that could reach an intercepted
 * library. The writer thread and the signal handlers start with the first recorded call. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "device.h"
#include "gpu_timeline.h"
#include "lifecycle.h"
#include "ring.h"
#include "writer.h"

atomic_int mfu_tracing;
static bool forked_child;

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM};

/* Flushes what is buffered, then lets the signal do what it would have done without us:
 * the handler was installed with SA_RESETHAND over SIG_DFL, so a fault re-executes into the
 * default action, and a sent signal (si_code <= 0: kill, raise, abort) is raised again. */
static void on_fatal_signal(int sig, siginfo_t *info, void *context) {
  (void)context;
  int saved = errno;
  atomic_store(&mfu_tracing, 0);
  mfu_writer_signal_flush();
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

static void start(void) {
  mfu_writer_start();
  install_signal_handlers();
  mfu_cupti_start();
}

void mfu_first_call(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  int saved = errno;
  pthread_once(&once, start);
  struct mfu_ring *r = mfu_ring_attach();
  if (r) mfu_device_note(r);
  errno = saved;
}

/* A forked child (a DataLoader worker) never writes into the parent's file, and is not
 * traced: its buffers hold the parent's records, and it has no writer thread. */
static void in_child_after_fork(void) {
  forked_child = true;
  atomic_store(&mfu_tracing, 0);
  mfu_writer_forget();
}

__attribute__((constructor)) static void mfu_load(void) {
  mfu_config_load();
  if (!mfu_config.enabled) return;
  mfu_writer_init();
  pthread_atfork(NULL, NULL, in_child_after_fork);
  atomic_store(&mfu_tracing, 1);
}

__attribute__((destructor)) static void mfu_unload(void) {
  if (!mfu_config.enabled || forked_child) return;
  atomic_store(&mfu_tracing, 0);
  mfu_cupti_stop();
  mfu_writer_final_flush();
}
