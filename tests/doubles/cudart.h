/* What the runtime double's files share (cudart.c, cudart_memory.c, cudart_launch.c); hidden,
 * not exported. */
#ifndef MFU_DOUBLES_CUDART_H
#define MFU_DOUBLES_CUDART_H

#include <cuda_runtime_api.h>

#define CUDART_HIDDEN __attribute__((visibility("hidden")))

#define DEVICE_MEMORY (80ull << 30)

/* Remembers `e` for cudaGetLastError and returns it. */
CUDART_HIDDEN cudaError_t cudart_fail(cudaError_t e);
/* The device memory of a __device__ variable registered for `symbol` (its host shadow's
 * address) and its size; NULL if there is none. */
CUDART_HIDDEN void *cudart_symbol(const void *symbol, size_t *size);

#endif
