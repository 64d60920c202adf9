/* Finding the real functions behind the wrappers, lazily on first use.
 *
 * dlsym(RTLD_NEXT) finds the library that the caller would have reached without the shim.
 * When that library is not in the global scope (loaded RTLD_LOCAL, e.g. by Python), the
 * soname is looked up among the loaded objects (RTLD_NOLOAD never loads anything). NCCL
 * calls go to the pnccl* profiling twins when the library exports them. Races
 * between threads are benign: every thread finds the same pointer. */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "resolve.h"

atomic_uint mfu_hooks_resolved;

static const char *const *sonames_for(unsigned hook) {
  static const char *const cublas[] = {"libcublas.so.13", "libcublas.so.12", "libcublas.so.11", NULL};
  static const char *const cublaslt[] = {"libcublasLt.so.13", "libcublasLt.so.12",
                                         "libcublasLt.so.11", NULL};
  static const char *const nccl[] = {"libnccl.so.2", NULL};
  static const char *const cudart[] = {"libcudart.so.13", "libcudart.so.12", NULL};
  static const char *const none[] = {NULL};
  switch (hook) {
  case MFU_HOOK_CUBLAS: return cublas;
  case MFU_HOOK_CUBLASLT: return cublaslt;
  case MFU_HOOK_NCCL: return nccl;
  case MFU_HOOK_CUDART: return cudart;
  default: return none;
  }
}

static void *find(const char *name, unsigned hook) {
  void *p = dlsym(RTLD_NEXT, name);
  for (const char *const *so = sonames_for(hook); !p && *so; so++) {
    void *lib = dlopen(*so, RTLD_NOLOAD | RTLD_LAZY);
    if (!lib) continue;
    p = dlsym(lib, name);
    dlclose(lib);
  }
  dlerror(); /* a failed lookup must not leave an error for the host's next dlerror() */
  return p;
}

void *mfu_real_slow(_Atomic(void *) *slot, const char *name, unsigned hook, bool quiet) {
  void *p = NULL;
  if (hook == MFU_HOOK_NCCL) { /* NCCL's profiling twin: the strong definition, ncclX is weak */
    char twin[64];
    snprintf(twin, sizeof twin, "p%s", name);
    p = find(twin, hook);
  }
  if (!p) p = find(name, hook);
  if (p) {
    atomic_store_explicit(slot, p, memory_order_release);
    atomic_fetch_or_explicit(&mfu_hooks_resolved, hook, memory_order_relaxed);
  } else if (!quiet) {
    static atomic_flag said = ATOMIC_FLAG_INIT;
    if (!atomic_flag_test_and_set(&said))
      mfu_say("cannot find the real %s (is its library loaded with RTLD_DEEPBIND, or linked "
              "statically?); such calls return an error",
              name);
  }
  return p;
}
