/* What programs built with nvcc call: the registration of their fat binaries, kernels and
 * __device__ variables at start-up, the <<<...>>> launch configuration and the launch itself.
 * Kernels do nothing; on the fake GPU each launch runs for FAKE_KERNEL_NS under the kernel's
 * own (mangled) name. __device__ variables get device memory (devmem.h), first holding what
 * their host shadow holds, so that cudaMemcpyToSymbol and friends work. */
#include <cuda_runtime_api.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cudart.h"
#include "devmem.h"
#include "doubles.h"

#define fail cudart_fail

/* One kernel or variable: the host address nvcc registers it by. cudaKernel_t points here. */
struct CUkern_st {
  const void *host;
  const char *name;    /* kernels: the device name; variables: the symbol name */
  void *device;        /* variables: their device memory */
  size_t size;
  struct CUkern_st *next;
};

static struct CUkern_st *registered;
static pthread_mutex_t registered_lock = PTHREAD_MUTEX_INITIALIZER;

static void remember(const void *host, const char *name, void *device, size_t size) {
  struct CUkern_st *k = calloc(1, sizeof *k);
  if (!k) return;
  *k = (struct CUkern_st){.host = host, .name = name, .device = device, .size = size};
  pthread_mutex_lock(&registered_lock);
  k->next = registered;
  registered = k;
  pthread_mutex_unlock(&registered_lock);
}

static struct CUkern_st *lookup(const void *host) {
  pthread_mutex_lock(&registered_lock);
  struct CUkern_st *k = registered;
  while (k && k->host != host) k = k->next;
  pthread_mutex_unlock(&registered_lock);
  return k;
}

void *cudart_symbol(const void *symbol, size_t *size) {
  struct CUkern_st *k = lookup(symbol);
  if (!k || !k->device) return NULL;
  if (size) *size = k->size;
  return k->device;
}

/* ---- registration: the handle is the fat binary's wrapper, as the runtime keeps it -------- */

void **__cudaRegisterFatBinary(void *fatCubin) {
  void **handle = malloc(sizeof *handle);
  if (handle) *handle = fatCubin;
  return handle;
}

void __cudaRegisterFatBinaryEnd(void **fatCubinHandle) { (void)fatCubinHandle; }

void __cudaUnregisterFatBinary(void **fatCubinHandle) { free(fatCubinHandle); }

char __cudaInitModule(void **fatCubinHandle) {
  (void)fatCubinHandle;
  return 1;
}

void __cudaRegisterFunction(void **fatCubinHandle, const char *hostFun, char *deviceFun,
                            const char *deviceName, int thread_limit, uint3 *tid, uint3 *bid,
                            dim3 *bDim, dim3 *gDim, int *wSize) {
  (void)fatCubinHandle, (void)deviceFun, (void)thread_limit, (void)tid, (void)bid, (void)bDim;
  (void)gDim, (void)wSize;
  remember(hostFun, deviceName, NULL, 0);
}

static void register_variable(char *hostVar, const char *deviceName, size_t size) {
  void *device = mfu_devmem_alloc(size ? size : 1, MFU_DEVMEM_DEVICE);
  void *view = device ? mfu_devmem_host(device, size) : NULL;
  if (view && size) memcpy(view, hostVar, size);
  if (view) mfu_devmem_written(device);
  if (device) remember(hostVar, deviceName, device, size);
}

void __cudaRegisterVar(void **fatCubinHandle, char *hostVar, char *deviceAddress,
                       const char *deviceName, int ext, size_t size, int constant, int global) {
  (void)fatCubinHandle, (void)deviceAddress, (void)ext, (void)constant, (void)global;
  register_variable(hostVar, deviceName, size);
}

/* A __managed__ variable: the host reaches it through *hostVarPtrAddress, set to managed
 * memory here. */
void __cudaRegisterManagedVar(void **fatCubinHandle, void **hostVarPtrAddress,
                              char *deviceAddress, const char *deviceName, int ext, size_t size,
                              int constant, int global) {
  (void)fatCubinHandle, (void)deviceAddress, (void)ext, (void)constant, (void)global;
  void *managed = mfu_devmem_alloc(size ? size : 1, MFU_DEVMEM_MANAGED);
  if (!managed) return;
  if (*hostVarPtrAddress && size) memcpy(managed, *hostVarPtrAddress, size);
  *hostVarPtrAddress = managed;
  remember(hostVarPtrAddress, deviceName, managed, size);
}

void __cudaRegisterHostVar(void **fatCubinHandle, const char *deviceName, char *hostVar,
                           size_t size) {
  (void)fatCubinHandle, (void)deviceName, (void)hostVar, (void)size;
}

/* ---- launches --------------------------------------------------------------------------- */

#define CONFIG_DEPTH 8 /* nested <<<>>> while evaluating arguments: a few levels */

static _Thread_local struct {
  dim3 grid, block;
  size_t shared;
  cudaStream_t stream;
} configs[CONFIG_DEPTH];
static _Thread_local int config_depth;

unsigned __cudaPushCallConfiguration(dim3 gridDim, dim3 blockDim, size_t sharedMem,
                                     struct CUstream_st *stream) {
  if (config_depth == CONFIG_DEPTH) return 1;
  configs[config_depth].grid = gridDim;
  configs[config_depth].block = blockDim;
  configs[config_depth].shared = sharedMem;
  configs[config_depth].stream = stream;
  config_depth++;
  return 0;
}

cudaError_t __cudaPopCallConfiguration(dim3 *gridDim, dim3 *blockDim, size_t *sharedMem,
                                       void *stream) {
  if (config_depth == 0) return fail(cudaErrorMissingConfiguration);
  config_depth--;
  *gridDim = configs[config_depth].grid;
  *blockDim = configs[config_depth].block;
  *sharedMem = configs[config_depth].shared;
  *(cudaStream_t *)stream = configs[config_depth].stream;
  return cudaSuccess;
}

static cudaError_t launch(const struct CUkern_st *k, dim3 grid, dim3 block, cudaStream_t stream) {
  if (!k || k->device) return fail(cudaErrorInvalidDeviceFunction);
  if (!grid.x || !grid.y || !grid.z || !block.x || !block.y || !block.z ||
      (unsigned long long)block.x * block.y * block.z > 1024)
    return fail(cudaErrorInvalidConfiguration);
  fake_launch_kernel(k->name, stream, FAKE_KERNEL_NS);
  return cudaSuccess;
}

cudaError_t __cudaGetKernel(cudaKernel_t *kernel, const void *funcAddr) {
  if (!kernel) return fail(cudaErrorInvalidValue);
  *kernel = lookup(funcAddr);
  return *kernel && !(*kernel)->device ? cudaSuccess : fail(cudaErrorInvalidDeviceFunction);
}

cudaError_t cudaGetKernel(cudaKernel_t *kernelPtr, const void *entryFuncAddr) {
  return __cudaGetKernel(kernelPtr, entryFuncAddr);
}

cudaError_t __cudaLaunchKernel(cudaKernel_t kernel, dim3 gridDim, dim3 blockDim, void **args,
                               size_t sharedMem, cudaStream_t stream) {
  (void)args, (void)sharedMem;
  return launch(kernel, gridDim, blockDim, stream);
}

cudaError_t __cudaLaunchKernel_ptsz(cudaKernel_t kernel, dim3 gridDim, dim3 blockDim,
                                    void **args, size_t sharedMem, cudaStream_t stream) {
  (void)args, (void)sharedMem;
  return launch(kernel, gridDim, blockDim, stream);
}

cudaError_t cudaLaunchKernel(const void *func, dim3 gridDim, dim3 blockDim, void **args,
                             size_t sharedMem, cudaStream_t stream) {
  (void)args, (void)sharedMem;
  return launch(lookup(func), gridDim, blockDim, stream);
}

cudaError_t cudaLaunchKernelExC(const cudaLaunchConfig_t *config, const void *func, void **args) {
  (void)args;
  if (!config) return fail(cudaErrorInvalidValue);
  return launch(lookup(func), config->gridDim, config->blockDim, config->stream);
}

cudaError_t cudaLaunchCooperativeKernel(const void *func, dim3 gridDim, dim3 blockDim,
                                        void **args, size_t sharedMem, cudaStream_t stream) {
  (void)args, (void)sharedMem;
  return launch(lookup(func), gridDim, blockDim, stream);
}

/* A host function on a stream runs once the stream's work is done: at once, here. */
cudaError_t cudaLaunchHostFunc(cudaStream_t stream, cudaHostFn_t fn, void *userData) {
  if (!fn) return fail(cudaErrorInvalidValue);
  const struct fake_gpu *gpu = fake_gpu();
  if (gpu) gpu->sync(stream);
  fn(userData);
  return cudaSuccess;
}

cudaError_t cudaStreamAddCallback(cudaStream_t stream, cudaStreamCallback_t callback,
                                  void *userData, unsigned int flags) {
  (void)flags;
  if (!callback) return fail(cudaErrorInvalidValue);
  const struct fake_gpu *gpu = fake_gpu();
  if (gpu) gpu->sync(stream);
  callback(stream, cudaSuccess, userData);
  return cudaSuccess;
}

/* ---- what programs ask of their kernels ------------------------------------------------- */

static const struct CUkern_st *kernel_of(const void *func) {
  const struct CUkern_st *k = lookup(func);
  return k && !k->device ? k : NULL;
}

cudaError_t cudaFuncGetAttributes(struct cudaFuncAttributes *attr, const void *func) {
  if (!attr) return fail(cudaErrorInvalidValue);
  if (!kernel_of(func)) return fail(cudaErrorInvalidDeviceFunction);
  *attr = (struct cudaFuncAttributes){.maxThreadsPerBlock = 1024, .numRegs = 32,
                                      .ptxVersion = 90, .binaryVersion = 90,
                                      .maxDynamicSharedSizeBytes = 48 << 10};
  return cudaSuccess;
}

cudaError_t cudaFuncSetAttribute(const void *func, enum cudaFuncAttribute attr, int value) {
  (void)attr, (void)value;
  return kernel_of(func) ? cudaSuccess : fail(cudaErrorInvalidDeviceFunction);
}

cudaError_t cudaFuncSetCacheConfig(const void *func, enum cudaFuncCache cacheConfig) {
  (void)cacheConfig;
  return kernel_of(func) ? cudaSuccess : fail(cudaErrorInvalidDeviceFunction);
}

cudaError_t cudaFuncGetName(const char **name, const void *func) {
  const struct CUkern_st *k = kernel_of(func);
  if (!name) return fail(cudaErrorInvalidValue);
  if (!k) return fail(cudaErrorInvalidDeviceFunction);
  *name = k->name;
  return cudaSuccess;
}

/* 2048 threads per multiprocessor, at most 32 blocks. */
cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(int *numBlocks,
                                                                   const void *func,
                                                                   int blockSize,
                                                                   size_t dynamicSMemSize,
                                                                   unsigned int flags) {
  (void)dynamicSMemSize, (void)flags;
  if (!numBlocks || blockSize <= 0 || blockSize > 1024) return fail(cudaErrorInvalidValue);
  if (!kernel_of(func)) return fail(cudaErrorInvalidDeviceFunction);
  *numBlocks = 2048 / blockSize < 32 ? 2048 / blockSize : 32;
  return cudaSuccess;
}

cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int *numBlocks, const void *func,
                                                          int blockSize, size_t dynamicSMemSize) {
  return cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(numBlocks, func, blockSize,
                                                                dynamicSMemSize, 0);
}
