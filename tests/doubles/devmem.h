/* The test doubles' device memory (devmem.c, libmfu_devmem.so): one model for the runtime,
 * cuBLAS, cuBLASLt and NCCL doubles, which all link it, so that memory any of them hands out
 * (cudaMalloc, ncclMemAlloc, cudaMallocManaged) every other one accepts.
 *
 * Device memory is real memory seen at two addresses: the device address the program gets,
 * which the host cannot touch (a host dereference faults, as it would with a GPU), and a host
 * view of the same pages through which the doubles copy, set and compute. Managed memory is
 * accessible at its device address too. Pages are taken as they are first written (a
 * gigabyte that is never written costs nothing); freed ranges are returned and never reused,
 * so a use after free faults. Pinned host memory (cudaMallocHost, cudaHostRegister) is
 * remembered, so that pointer queries can tell it. Thread-safe. */
#ifndef MFU_DOUBLES_DEVMEM_H
#define MFU_DOUBLES_DEVMEM_H

#include <stdbool.h>
#include <stddef.h>

enum mfu_devmem_kind { MFU_DEVMEM_NONE, MFU_DEVMEM_DEVICE, MFU_DEVMEM_MANAGED, MFU_DEVMEM_HOST };

/* A new range of `size` bytes (0 < size), zero-filled, aligned to a page; kind DEVICE or
 * MANAGED. NULL when the address range is exhausted. */
void *mfu_devmem_alloc(size_t size, enum mfu_devmem_kind kind);
/* Pinned host memory: `ptr` (size bytes) is remembered as kind HOST (cudaHostRegister). */
bool mfu_devmem_register_host(void *ptr, size_t size);
/* Forgets `ptr`, the start of a range from the calls above, and returns its pages (device
 * ranges). Its kind, MFU_DEVMEM_NONE if it was none of them. */
enum mfu_devmem_kind mfu_devmem_free(void *ptr);
/* The kind of the range holding `ptr`, its start and size (either may be NULL). */
enum mfu_devmem_kind mfu_devmem_find(const void *ptr, void **base, size_t *size);
/* Where the host reads and writes the `len` bytes at `ptr`: device and managed memory through
 * the host view, any other pointer as it is (host memory). NULL if the bytes run past the end
 * of the device range they start in, or start in none and are NULL. */
void *mfu_devmem_host(const void *ptr, size_t len);
/* Where the host reads and writes the `len` bytes at `ptr` when they must be memory a GPU
 * reaches (device, managed or pinned host memory, within one range): NULL otherwise. */
void *mfu_devmem_device(const void *ptr, size_t len);
/* Device memory is known to hold only zeros until something writes it through the doubles
 * (copies, non-zero sets, GEMM results): mfu_devmem_written marks the range holding `ptr`;
 * mfu_devmem_zeros is true for a device range never marked (managed memory, which the host
 * writes directly, never is). Lets the doubles skip products of zeros. */
void mfu_devmem_written(const void *ptr);
bool mfu_devmem_zeros(const void *ptr);
/* Returns the pages of [ptr, ptr+len) of a device range to zero (a memset to 0 of a large
 * range costs no memory). */
void mfu_devmem_zero(void *ptr, size_t len);

#endif
