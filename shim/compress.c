/* zstd for RECORDS blocks: see compress.h. */
#include "compress.h"

#include <dlfcn.h>

#include "config.h"

/* The few functions of zstd.h used, by their stable ABI (zstd >= 1.0). */
static struct {
  void *(*create)(void);
  size_t (*compress)(void *ctx, void *dst, size_t cap, const void *src, size_t n, int level);
  unsigned (*is_error)(size_t code);
  void *ctx;
  int level;
} z;

bool mfu_compress_start(int level) {
  void *lib = dlopen("libzstd.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (lib) {
    *(void **)&z.create = dlsym(lib, "ZSTD_createCCtx");
    *(void **)&z.compress = dlsym(lib, "ZSTD_compressCCtx");
    *(void **)&z.is_error = dlsym(lib, "ZSTD_isError");
  }
  dlerror();
  z.ctx = z.create && z.compress && z.is_error ? z.create() : NULL;
  if (!z.ctx) {
    mfu_say("MFU_ZSTD=%d: libzstd.so.1 not found or unusable: records are written uncompressed",
            level);
    return false;
  }
  z.level = level;
  return true;
}

size_t mfu_compress(const void *src, size_t n, void *dst, size_t cap) {
  if (!z.ctx) return 0;
  size_t done = z.compress(z.ctx, dst, cap, src, n, z.level);
  return z.is_error(done) || done >= n ? 0 : done;
}
