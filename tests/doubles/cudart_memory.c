/* The runtime double's memory calls, on the doubles' shared device memory (devmem.h):
 * allocations (device, managed, stream-ordered, pitched; pinned and registered host memory),
 * copies and sets that move real bytes, __device__ variables, pointer attributes. The pointers,
 * not the copy kind, decide where bytes are (as with unified addressing). On the fake GPU
 * (fake_gpu.h) each copy and set runs on its stream; the synchronous ones return once done. */
#include <cuda_runtime_api.h>

#include <stdlib.h>
#include <string.h>

#include "cudart.h"
#include "devmem.h"
#include "doubles.h"

#define fail cudart_fail

static cudaError_t device_alloc(void **devPtr, size_t size, enum mfu_devmem_kind kind) {
  if (!devPtr) return fail(cudaErrorInvalidValue);
  *devPtr = NULL;
  if (size == 0) return cudaSuccess;
  *devPtr = mfu_devmem_alloc(size, kind);
  return *devPtr ? cudaSuccess : fail(cudaErrorMemoryAllocation);
}

cudaError_t cudaMalloc(void **devPtr, size_t size) {
  return device_alloc(devPtr, size, MFU_DEVMEM_DEVICE);
}

cudaError_t cudaMallocManaged(void **devPtr, size_t size, unsigned int flags) {
  (void)flags;
  return device_alloc(devPtr, size, MFU_DEVMEM_MANAGED);
}

cudaError_t cudaMallocAsync(void **devPtr, size_t size, cudaStream_t hStream) {
  (void)hStream;
  return device_alloc(devPtr, size, MFU_DEVMEM_DEVICE);
}

/* Rows padded to 512 bytes, as the texture alignment of current GPUs. */
cudaError_t cudaMallocPitch(void **devPtr, size_t *pitch, size_t width, size_t height) {
  if (!pitch) return fail(cudaErrorInvalidValue);
  *pitch = (width + 511) & ~(size_t)511;
  return device_alloc(devPtr, *pitch * height, MFU_DEVMEM_DEVICE);
}

static cudaError_t device_free(void *devPtr) {
  if (!devPtr) return cudaSuccess;
  enum mfu_devmem_kind kind = mfu_devmem_find(devPtr, NULL, NULL);
  if (kind != MFU_DEVMEM_DEVICE && kind != MFU_DEVMEM_MANAGED) return fail(cudaErrorInvalidValue);
  return mfu_devmem_free(devPtr) ? cudaSuccess : fail(cudaErrorInvalidValue);
}

cudaError_t cudaFree(void *devPtr) { return device_free(devPtr); }

cudaError_t cudaFreeAsync(void *devPtr, cudaStream_t hStream) {
  (void)hStream;
  return device_free(devPtr);
}

/* Pinned memory is host memory: real, and remembered so that pointer queries know it. */
static cudaError_t host_alloc(void **ptr, size_t size) {
  if (!ptr) return fail(cudaErrorInvalidValue);
  *ptr = NULL;
  if (size == 0) return cudaSuccess;
  if (posix_memalign(ptr, 4096, size) != 0) return fail(cudaErrorMemoryAllocation);
  memset(*ptr, 0, size);
  if (!mfu_devmem_register_host(*ptr, size)) {
    free(*ptr);
    *ptr = NULL;
    return fail(cudaErrorMemoryAllocation);
  }
  return cudaSuccess;
}

cudaError_t cudaMallocHost(void **ptr, size_t size) { return host_alloc(ptr, size); }

cudaError_t cudaHostAlloc(void **pHost, size_t size, unsigned int flags) {
  (void)flags;
  return host_alloc(pHost, size);
}

cudaError_t cudaFreeHost(void *ptr) {
  if (!ptr) return cudaSuccess;
  if (mfu_devmem_find(ptr, NULL, NULL) != MFU_DEVMEM_HOST) return fail(cudaErrorInvalidValue);
  mfu_devmem_free(ptr);
  free(ptr);
  return cudaSuccess;
}

cudaError_t cudaHostRegister(void *ptr, size_t size, unsigned int flags) {
  (void)flags;
  if (!ptr || !size) return fail(cudaErrorInvalidValue);
  return mfu_devmem_register_host(ptr, size) ? cudaSuccess
                                             : fail(cudaErrorHostMemoryAlreadyRegistered);
}

cudaError_t cudaHostUnregister(void *ptr) {
  void *base;
  if (mfu_devmem_find(ptr, &base, NULL) != MFU_DEVMEM_HOST || base != ptr)
    return fail(cudaErrorHostMemoryNotRegistered);
  mfu_devmem_free(ptr);
  return cudaSuccess;
}

/* Mapped pinned memory has the same address on the device (unified addressing). */
cudaError_t cudaHostGetDevicePointer(void **pDevice, void *pHost, unsigned int flags) {
  (void)flags;
  if (!pDevice || mfu_devmem_find(pHost, NULL, NULL) != MFU_DEVMEM_HOST)
    return fail(cudaErrorInvalidValue);
  *pDevice = pHost;
  return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t *free, size_t *total) {
  if (!free || !total) return fail(cudaErrorInvalidValue);
  *free = *total = DEVICE_MEMORY;
  return cudaSuccess;
}

cudaError_t cudaPointerGetAttributes(struct cudaPointerAttributes *attributes, const void *ptr) {
  if (!attributes) return fail(cudaErrorInvalidValue);
  *attributes = (struct cudaPointerAttributes){.type = cudaMemoryTypeUnregistered};
  switch (mfu_devmem_find(ptr, NULL, NULL)) {
  case MFU_DEVMEM_DEVICE:
    attributes->type = cudaMemoryTypeDevice;
    attributes->devicePointer = (void *)ptr;
    break;
  case MFU_DEVMEM_MANAGED:
    attributes->type = cudaMemoryTypeManaged;
    attributes->devicePointer = attributes->hostPointer = (void *)ptr;
    break;
  case MFU_DEVMEM_HOST:
    attributes->type = cudaMemoryTypeHost;
    attributes->devicePointer = attributes->hostPointer = (void *)ptr;
    break;
  default:
    break;
  }
  return cudaSuccess;
}

/* ---- copies and sets -------------------------------------------------------------------- */

static bool on_device(const void *p) {
  enum mfu_devmem_kind kind = mfu_devmem_find(p, NULL, NULL);
  return kind == MFU_DEVMEM_DEVICE || kind == MFU_DEVMEM_MANAGED;
}

/* `rows` rows of `width` bytes, `dpitch`/`spitch` apart. */
static cudaError_t copy2d(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width,
                          size_t rows, enum cudaMemcpyKind kind, cudaStream_t stream, bool wait) {
  if ((unsigned)kind > cudaMemcpyDefault || (width && rows && (!dst || !src)) ||
      (rows > 1 && (dpitch < width || spitch < width)))
    return fail(cudaErrorInvalidValue);
  if (!width || !rows) return cudaSuccess;
  size_t dlen = dpitch * (rows - 1) + width, slen = spitch * (rows - 1) + width;
  unsigned char *d = mfu_devmem_host(dst, dlen);
  const unsigned char *s = mfu_devmem_host(src, slen);
  if (!d || !s) return fail(cudaErrorInvalidValue);
  const struct fake_gpu *gpu = fake_gpu();
  if (gpu) {
    gpu->launch(&(struct fake_work){.kind = FAKE_MEMCPY, .stream = stream,
                                    .duration_ns = fake_copy_ns(width * rows),
                                    .bytes = width * rows, .src_device = on_device(src),
                                    .dst_device = on_device(dst)});
    if (wait) gpu->sync(stream);
  }
  if (!mfu_devmem_zeros(src)) mfu_devmem_written(dst);
  if (dpitch == width && spitch == width)
    memmove(d, s, width * rows);
  else
    for (size_t r = 0; r < rows; r++) memmove(d + r * dpitch, s + r * spitch, width);
  return cudaSuccess;
}

cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind) {
  return copy2d(dst, count, src, count, count, 1, kind, NULL, true);
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind,
                            cudaStream_t stream) {
  return copy2d(dst, count, src, count, count, 1, kind, stream, false);
}

cudaError_t cudaMemcpy2D(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width,
                         size_t height, enum cudaMemcpyKind kind) {
  return copy2d(dst, dpitch, src, spitch, width, height, kind, NULL, true);
}

cudaError_t cudaMemcpy2DAsync(void *dst, size_t dpitch, const void *src, size_t spitch,
                              size_t width, size_t height, enum cudaMemcpyKind kind,
                              cudaStream_t stream) {
  return copy2d(dst, dpitch, src, spitch, width, height, kind, stream, false);
}

/* The devices share one memory here. */
cudaError_t cudaMemcpyPeer(void *dst, int dstDevice, const void *src, int srcDevice,
                           size_t count) {
  (void)dstDevice, (void)srcDevice;
  return copy2d(dst, count, src, count, count, 1, cudaMemcpyDeviceToDevice, NULL, true);
}

cudaError_t cudaMemcpyPeerAsync(void *dst, int dstDevice, const void *src, int srcDevice,
                                size_t count, cudaStream_t stream) {
  (void)dstDevice, (void)srcDevice;
  return copy2d(dst, count, src, count, count, 1, cudaMemcpyDeviceToDevice, stream, false);
}

/* __device__ variables, by the address of their host shadow (cudart_launch.c). */
static cudaError_t symbol_range(const void *symbol, size_t count, size_t offset, void **at) {
  size_t size = 0;
  char *dev = cudart_symbol(symbol, &size);
  if (!dev) return fail(cudaErrorInvalidSymbol);
  if (offset > size || count > size - offset) return fail(cudaErrorInvalidValue);
  *at = dev + offset;
  return cudaSuccess;
}

cudaError_t cudaMemcpyToSymbol(const void *symbol, const void *src, size_t count, size_t offset,
                               enum cudaMemcpyKind kind) {
  void *at = NULL;
  cudaError_t e = symbol_range(symbol, count, offset, &at);
  return e ? e : copy2d(at, count, src, count, count, 1, kind, NULL, true);
}

cudaError_t cudaMemcpyFromSymbol(void *dst, const void *symbol, size_t count, size_t offset,
                                 enum cudaMemcpyKind kind) {
  void *at = NULL;
  cudaError_t e = symbol_range(symbol, count, offset, &at);
  return e ? e : copy2d(dst, count, at, count, count, 1, kind, NULL, true);
}

cudaError_t cudaMemcpyToSymbolAsync(const void *symbol, const void *src, size_t count,
                                    size_t offset, enum cudaMemcpyKind kind, cudaStream_t stream) {
  void *at = NULL;
  cudaError_t e = symbol_range(symbol, count, offset, &at);
  return e ? e : copy2d(at, count, src, count, count, 1, kind, stream, false);
}

cudaError_t cudaMemcpyFromSymbolAsync(void *dst, const void *symbol, size_t count, size_t offset,
                                      enum cudaMemcpyKind kind, cudaStream_t stream) {
  void *at = NULL;
  cudaError_t e = symbol_range(symbol, count, offset, &at);
  return e ? e : copy2d(dst, count, at, count, count, 1, kind, stream, false);
}

cudaError_t cudaGetSymbolAddress(void **devPtr, const void *symbol) {
  if (!devPtr) return fail(cudaErrorInvalidValue);
  return symbol_range(symbol, 0, 0, devPtr);
}

cudaError_t cudaGetSymbolSize(size_t *size, const void *symbol) {
  if (!size) return fail(cudaErrorInvalidValue);
  return cudart_symbol(symbol, size) ? cudaSuccess : fail(cudaErrorInvalidSymbol);
}

/* Device (or pinned) memory only, as the real runtime: pageable host memory is refused. */
static cudaError_t set2d(void *devPtr, size_t pitch, int value, size_t width, size_t rows,
                         cudaStream_t stream) {
  if (!width || !rows) return cudaSuccess;
  if (rows > 1 && pitch < width) return fail(cudaErrorInvalidValue);
  size_t len = pitch * (rows - 1) + width;
  if (mfu_devmem_find(devPtr, NULL, NULL) == MFU_DEVMEM_NONE) return fail(cudaErrorInvalidValue);
  unsigned char *h = mfu_devmem_host(devPtr, len);
  if (!h) return fail(cudaErrorInvalidValue);
  fake_launch(&(struct fake_work){.kind = FAKE_MEMSET, .stream = stream,
                                  .duration_ns = fake_copy_ns(width * rows),
                                  .bytes = width * rows,
                                  .value = (uint32_t)(unsigned char)value});
  if (pitch == width && (unsigned char)value == 0)
    mfu_devmem_zero(devPtr, len); /* no pages taken for zeros */
  else
    for (size_t r = 0; r < rows; r++) memset(h + r * pitch, value, width);
  if ((unsigned char)value) mfu_devmem_written(devPtr);
  return cudaSuccess;
}

cudaError_t cudaMemset(void *devPtr, int value, size_t count) {
  return set2d(devPtr, count, value, count, 1, NULL);
}

cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream) {
  return set2d(devPtr, count, value, count, 1, stream);
}

cudaError_t cudaMemset2D(void *devPtr, size_t pitch, int value, size_t width, size_t height) {
  return set2d(devPtr, pitch, value, width, height, NULL);
}

cudaError_t cudaMemset2DAsync(void *devPtr, size_t pitch, int value, size_t width, size_t height,
                              cudaStream_t stream) {
  return set2d(devPtr, pitch, value, width, height, stream);
}

/* Hints about where memory should live: one memory here, nothing to move. */
cudaError_t cudaMemPrefetchAsync(const void *devPtr, size_t count, struct cudaMemLocation location,
                                 unsigned int flags, cudaStream_t stream) {
  (void)count, (void)location, (void)flags, (void)stream;
  return on_device(devPtr) ? cudaSuccess : fail(cudaErrorInvalidValue);
}

cudaError_t cudaMemAdvise(const void *devPtr, size_t count, enum cudaMemoryAdvise advice,
                          struct cudaMemLocation location) {
  (void)count, (void)advice, (void)location;
  return on_device(devPtr) ? cudaSuccess : fail(cudaErrorInvalidValue);
}
