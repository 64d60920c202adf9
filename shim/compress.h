/* zstd for RECORDS blocks (compress.c), through libzstd.so.1 loaded at run time: the shim
 * links only libc, and without libzstd it writes its blocks uncompressed. */
#ifndef MFU_SHIM_COMPRESS_H
#define MFU_SHIM_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>

/* Loads libzstd and makes a compression context for `level` (MFU_ZSTD); false, said once, if
 * it cannot. Not in a signal handler. */
bool mfu_compress_start(int level);
/* Compresses src[0..n) into dst[0..cap); the frame's size, or 0 if not smaller than n (or no
 * zstd). Allocates nothing once started, but is not async-signal-safe. */
size_t mfu_compress(const void *src, size_t n, void *dst, size_t cap);

#endif
