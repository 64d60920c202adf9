/* For the call-site tests: distinct call paths to one "intercepted" function, which does what
 * a wrapper does (asks the stacks module for its call site), and the way back from the shim's
 * entries to names: parsed as the analyzer parses them, symbolized from the ELF files. Every
 * function here is noinline and does something after its call, so that each keeps its frame. */
#ifndef MFU_STACKS_FIXTURE_H
#define MFU_STACKS_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mfu/callsites.h"
#include "stacks.h"
#include "symbols/symbolizer.h"
#include "trace/callsites.h"

#define KEEP_FRAME() __asm__ volatile("" ::: "memory")

/* Under TSan a thread that unwound with libunwind crashes as it ends (libunwind's thread-exit
 * destructor locks a mutex after TSan has finished the thread): tests whose threads unwind so
 * are skipped there (exit 77), and run under ASan and in make test. */
#ifdef __SANITIZE_THREAD__
#define FX_SKIP_UNDER_TSAN()                                                                    \
  do {                                                                                          \
    puts("SKIP: TSan ends a thread before libunwind's thread-exit destructor, which then crashes"); \
    return 77;                                                                                  \
  } while (0)
#else
#define FX_SKIP_UNDER_TSAN() ((void)0)
#endif

__attribute__((noinline)) uint32_t intercepted(void) {
  int local;
  uint32_t site = mfu_stacks_site(__builtin_return_address(0), &local, (uint32_t)syscall(SYS_gettid));
  KEEP_FRAME();
  return site;
}
__attribute__((noinline)) uint32_t gemm(void) {
  uint32_t s = intercepted();
  KEEP_FRAME();
  return s;
}
__attribute__((noinline)) uint32_t a(void) {
  uint32_t s = gemm();
  KEEP_FRAME();
  return s;
}
__attribute__((noinline)) uint32_t c(void) {
  uint32_t s = gemm();
  KEEP_FRAME();
  return s;
}
__attribute__((noinline)) uint32_t b(void) {
  uint32_t s = c();
  KEEP_FRAME();
  return s;
}

/* Everything the shim has to give, as the analyzer reads it. */
static inline void fx_take_sites(struct trace_callsites *t) {
  size_t cap = 1 << 20, n;
  unsigned char *buf = malloc(cap);
  char err[256] = "";
  while ((n = mfu_stacks_take(buf, cap)) > 0)
    if (trace_callsites_add(t, buf, n, err, sizeof err) != 0) {
      fprintf(stderr, "%s\n", err);
      abort();
    }
  free(buf);
}

/* The function name of native frame i of site `id` ("?" if none). */
static inline const char *fx_frame_name(struct symbolizer *z, const struct trace_callsites *t,
                                        uint32_t id, unsigned i) {
  const struct trace_cs_site *s = trace_callsites_site(t, id);
  if (!s || i >= s->depth) return "(no such frame)";
  const struct trace_cs_module *m = trace_callsites_module(t, mfu_cs_frame_module(s->frames[i]));
  if (!m) return "(no module)";
  uint64_t into;
  const char *why;
  const char *name = symbolizer_name(z, m->path, m->build_id, m->build_id_len,
                                     mfu_cs_frame_offset(s->frames[i]), &into, &why);
  return name ? name : "?";
}

#endif
