/* Native stacks of the calling thread. libunwind's unw_backtrace walks the stack from cached
 * DWARF unwind information, fast after a frame's first visit; it is loaded with dlopen at the
 * start ($MFU_LIBUNWIND, by default libunwind.so.8 from the library path) so that the shim
 * links nothing but libc, and RTLD_LOCAL so that its _Unwind_* and backtrace definitions never
 * interpose the host's. Without it, glibc's backtrace() (libgcc's unwinder, slower) does the
 * same; its first call loads libgcc_s, which mfu_unwind_start makes so that no later one
 * allocates. */
#include <dlfcn.h>
#include <execinfo.h>
#include <stdatomic.h>
#include <string.h>

#include "config.h"
#include "mfu/callsites.h"
#include "unwind.h"

static int (*unw_backtrace_fn)(void **, int);
static atomic_uint method = MFU_UNWINDER_NONE;

void mfu_unwind_start(void) {
  const char *path = mfu_config.libunwind;
  bool by_default = !strcmp(path, "libunwind.so.8");
  if (strcmp(path, "none") != 0) {
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib) unw_backtrace_fn = (int (*)(void **, int))dlsym(lib, "unw_backtrace");
    if (!unw_backtrace_fn && !by_default)
      mfu_say("cannot use MFU_LIBUNWIND=%s (%s): native stacks by glibc's backtrace() instead",
              path, lib ? "no unw_backtrace in it" : "not found");
    dlerror(); /* a failed lookup must not leave an error for the host's next dlerror() */
  }
  if (unw_backtrace_fn) {
    atomic_store(&method, MFU_UNWINDER_LIBUNWIND);
    return;
  }
  void *probe[4];
  if (backtrace(probe, 4) > 0) {
    atomic_store(&method, MFU_UNWINDER_BACKTRACE);
    return;
  }
  mfu_say("neither libunwind nor glibc's backtrace() can unwind here: call sites are not recorded");
}

unsigned mfu_unwind_method(void) { return atomic_load_explicit(&method, memory_order_relaxed); }

__attribute__((noinline)) int mfu_unwind(void **frames, int max) {
  switch (mfu_unwind_method()) {
  case MFU_UNWINDER_LIBUNWIND: return unw_backtrace_fn(frames, max);
  case MFU_UNWINDER_BACKTRACE: return backtrace(frames, max);
  default: return 0;
  }
}
