/* Test double of the CUDA runtime (libcudart.so.13, and .so.12 for a CUDA 12 stack), so that
 * programs linked against the real toolkit run on a machine without a GPU:
 * LD_LIBRARY_PATH=build/test-doubles ./program.
 *
 * It does no GPU work and reports one device (MFU_DOUBLE_DEVICES=N: N alike), named "mfushim
 * test double (no GPU)" so that programs can say plainly that they ran on the doubles. Device
 * memory is the doubles' shared model (devmem.h; cudart_memory.c): real, copied and set, but
 * not accessible to the host at its device address. Kernels of programs built with nvcc
 * (cudart_launch.c) register and launch, and do nothing. Stream capture is modelled (capture
 * status and id, graph instantiate and launch) so that CUDA graph handling can be tested
 * without a GPU. Functions of the header not written here are generated stubs (gen_stubs.py)
 * that return cudaErrorNotSupported.
 *
 * When the fake GPU is there (fake_gpu.h: the CUPTI double is loaded), copies, memsets and
 * kernels run on it, synchronizations wait for it, events are recorded at its time for their
 * stream (so cudaEventElapsedTime measures it), stream and event queries answer
 * cudaErrorNotReady while its work is pending, captures keep the work launched on a capturing
 * stream, and a graph launch launches that work again. Without it, events time the host clock
 * and nothing waits. MFU_DOUBLE_CUDART_VERSION=12040 makes cudaRuntimeGetVersion and
 * cudaDriverGetVersion say 12.4 (default: the stack's, 13.0 or 12.9). Thread-safe: allocation and capture state are atomic or locked, errors
 * and the device are per thread. */
#if MFU_DOUBLE_CUDA == 12 /* CUDA 12 names CUDA 13's capture query _v3 (cudart12.c) */
#define cudaStreamGetCaptureInfo cudaStreamGetCaptureInfo_v3
#endif
#include <cuda_runtime_api.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cudart.h"
#include "doubles.h"

#define DEVICE_NAME "mfushim test double (no GPU)"

static _Thread_local cudaError_t last_error;

/* Every failure is remembered for cudaGetLastError, as in the real runtime. */
cudaError_t cudart_fail(cudaError_t e) {
  last_error = e;
  return e;
}
#define fail cudart_fail

/* ---- the device ------------------------------------------------------------------------- */

static _Thread_local int current_device;

/* Shaped like an H100 SXM, so that code sizing itself by the device sees sane numbers. */
static void describe(struct cudaDeviceProp *p) {
  memset(p, 0, sizeof *p);
  strcpy(p->name, DEVICE_NAME);
  p->totalGlobalMem = DEVICE_MEMORY;
  p->major = 9;
  p->minor = 0;
  p->multiProcessorCount = 132;
  p->warpSize = 32;
  p->maxThreadsPerBlock = 1024;
  p->maxThreadsPerMultiProcessor = 2048;
  p->sharedMemPerBlock = 48 << 10;
  p->sharedMemPerBlockOptin = 227 << 10;
  p->sharedMemPerMultiprocessor = 228 << 10;
  p->regsPerBlock = p->regsPerMultiprocessor = 65536;
  p->l2CacheSize = 50 << 20;
  p->memoryBusWidth = 5120;
  p->unifiedAddressing = p->managedMemory = p->concurrentKernels = 1;
  p->hostNumaId = -1;
}

/* MFU_DOUBLE_DEVICES (1-64, default 1) devices, all alike. */
static int device_count(void) {
  const char *v = getenv("MFU_DOUBLE_DEVICES");
  int n = v ? atoi(v) : 1;
  return n < 1 ? 1 : n > 64 ? 64 : n;
}

static bool bad_device(int device) { return device < 0 || device >= device_count(); }

cudaError_t cudaGetDeviceCount(int *count) {
  if (!count) return fail(cudaErrorInvalidValue);
  *count = device_count();
  return cudaSuccess;
}

cudaError_t cudaGetDevice(int *device) {
  if (!device) return fail(cudaErrorInvalidValue);
  *device = current_device;
  return cudaSuccess;
}

cudaError_t cudaSetDevice(int device) {
  if (bad_device(device)) return fail(cudaErrorInvalidDevice);
  current_device = device;
  return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp *prop, int device) {
  if (!prop) return fail(cudaErrorInvalidValue);
  if (bad_device(device)) return fail(cudaErrorInvalidDevice);
  describe(prop);
  return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int device) {
  if (!value) return fail(cudaErrorInvalidValue);
  if (bad_device(device)) return fail(cudaErrorInvalidDevice);
  struct cudaDeviceProp p;
  describe(&p);
  const struct {
    enum cudaDeviceAttr attr;
    int value;
  } known[] = {
      {cudaDevAttrComputeCapabilityMajor, p.major},
      {cudaDevAttrComputeCapabilityMinor, p.minor},
      {cudaDevAttrMultiProcessorCount, p.multiProcessorCount},
      {cudaDevAttrWarpSize, p.warpSize},
      {cudaDevAttrMaxThreadsPerBlock, p.maxThreadsPerBlock},
      {cudaDevAttrMaxThreadsPerMultiProcessor, p.maxThreadsPerMultiProcessor},
      {cudaDevAttrMaxSharedMemoryPerBlock, (int)p.sharedMemPerBlock},
      {cudaDevAttrMaxSharedMemoryPerBlockOptin, (int)p.sharedMemPerBlockOptin},
      {cudaDevAttrL2CacheSize, p.l2CacheSize},
      {cudaDevAttrGlobalMemoryBusWidth, p.memoryBusWidth},
      {cudaDevAttrUnifiedAddressing, p.unifiedAddressing},
      {cudaDevAttrClockRate, 1980000},       /* kHz, H100 SXM boost */
      {cudaDevAttrMemoryClockRate, 2619000}, /* kHz */
  };
  *value = 0; /* what the double does not know of, it lacks */
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (known[i].attr == attr) *value = known[i].value;
  return cudaSuccess;
}

/* Waits for the fake GPU, if there is one: for `stream`, or the whole device (NULL). */
static void wait_for(cudaStream_t stream) {
  const struct fake_gpu *gpu = fake_gpu();
  if (gpu) gpu->sync(stream);
}

/* cudaErrorNotReady (not an error: not remembered) while the fake GPU has work pending. */
static cudaError_t ready_at(uint64_t t_ns) {
  return t_ns > double_now_ns() ? cudaErrorNotReady : cudaSuccess;
}

cudaError_t cudaDeviceSynchronize(void) {
  wait_for(NULL);
  return cudaSuccess;
}

/* The device's work is done and its errors forgotten; its memory stays (the doubles' memory
 * is the process's). */
cudaError_t cudaDeviceReset(void) {
  wait_for(NULL);
  last_error = cudaSuccess;
  return cudaSuccess;
}

static int version_said(void) {
  const char *v = getenv("MFU_DOUBLE_CUDART_VERSION");
  return v && atoi(v) > 0 ? atoi(v) : DOUBLE_CUDART_VERSION;
}

cudaError_t cudaRuntimeGetVersion(int *runtimeVersion) {
  if (!runtimeVersion) return fail(cudaErrorInvalidValue);
  *runtimeVersion = version_said();
  return cudaSuccess;
}

cudaError_t cudaDriverGetVersion(int *driverVersion) {
  if (!driverVersion) return fail(cudaErrorInvalidValue);
  *driverVersion = version_said();
  return cudaSuccess;
}

/* ---- errors ----------------------------------------------------------------------------- */

#define ERRORS(X)                                                                                \
  X(cudaSuccess, "no error")                                                                     \
  X(cudaErrorInvalidValue, "invalid argument")                                                   \
  X(cudaErrorMemoryAllocation, "out of memory")                                                  \
  X(cudaErrorInitializationError, "initialization error")                                        \
  X(cudaErrorInsufficientDriver, "CUDA driver version is insufficient for CUDA runtime version") \
  X(cudaErrorNoDevice, "no CUDA-capable device is detected")                                     \
  X(cudaErrorInvalidDevice, "invalid device ordinal")                                            \
  X(cudaErrorInvalidResourceHandle, "invalid resource handle")                                   \
  X(cudaErrorIllegalState, "the operation cannot be performed in the present state")             \
  X(cudaErrorNotReady, "device not ready")                                                       \
  X(cudaErrorNotSupported, "operation not supported")                                            \
  X(cudaErrorStreamCaptureUnsupported, "operation not permitted when stream is capturing")       \
  X(cudaErrorUnknown, "unknown error")

const char *cudaGetErrorName(cudaError_t error) {
  switch (error) {
#define NAME(code, text) \
  case code:             \
    return #code;
    ERRORS(NAME)
#undef NAME
    default:
      return "unrecognized error code";
  }
}

const char *cudaGetErrorString(cudaError_t error) {
  switch (error) {
#define TEXT(code, text) \
  case code:             \
    return text;
    ERRORS(TEXT)
#undef TEXT
    default:
      return "unrecognized error code";
  }
}

cudaError_t cudaGetLastError(void) {
  cudaError_t e = last_error;
  last_error = cudaSuccess;
  return e;
}

cudaError_t cudaPeekAtLastError(void) { return last_error; }

/* ---- streams and capture ---------------------------------------------------------------- */

struct CUgraph_st {
  unsigned long long capture_id;
};
struct CUgraphExec_st {
  cudaGraph_t graph;
  unsigned long long capture_id; /* the graph's, which may be destroyed before the exec */
};
struct CUstream_st {
  _Atomic(cudaGraph_t) capturing; /* the graph being captured, NULL when not capturing */
};

static atomic_ullong next_capture_id = 1;

/* The state of a stream; NULL for the legacy default stream, which cannot be captured. */
static struct CUstream_st *stream_state(cudaStream_t stream) {
  static _Thread_local struct CUstream_st per_thread;
  if (stream == cudaStreamPerThread) return &per_thread;
  return stream == NULL || stream == cudaStreamLegacy ? NULL : stream;
}

static cudaError_t new_stream(cudaStream_t *pStream) {
  if (!pStream) return fail(cudaErrorInvalidValue);
  *pStream = calloc(1, sizeof **pStream);
  return *pStream ? cudaSuccess : fail(cudaErrorMemoryAllocation);
}

cudaError_t cudaStreamCreate(cudaStream_t *pStream) { return new_stream(pStream); }

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *pStream, unsigned int flags) {
  (void)flags;
  return new_stream(pStream);
}

cudaError_t cudaStreamCreateWithPriority(cudaStream_t *pStream, unsigned int flags, int priority) {
  (void)flags, (void)priority;
  return new_stream(pStream);
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  struct CUstream_st *s = stream_state(stream);
  if (!s || s == stream_state(cudaStreamPerThread)) return fail(cudaErrorInvalidResourceHandle);
  free(s);
  return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  wait_for(stream);
  return cudaSuccess;
}

cudaError_t cudaStreamQuery(cudaStream_t stream) {
  const struct fake_gpu *gpu = fake_gpu();
  return gpu ? ready_at(gpu->idle_at(stream)) : cudaSuccess;
}

cudaError_t cudaStreamBeginCapture(cudaStream_t stream, enum cudaStreamCaptureMode mode) {
  (void)mode;
  struct CUstream_st *s = stream_state(stream);
  if (!s) return fail(cudaErrorStreamCaptureUnsupported);
  cudaGraph_t graph = malloc(sizeof *graph), idle = NULL;
  if (!graph) return fail(cudaErrorMemoryAllocation);
  graph->capture_id = atomic_fetch_add(&next_capture_id, 1);
  if (!atomic_compare_exchange_strong(&s->capturing, &idle, graph)) {
    free(graph);
    return fail(cudaErrorIllegalState);
  }
  const struct fake_gpu *gpu = fake_gpu();
  if (gpu) gpu->capture(stream, graph->capture_id);
  return cudaSuccess;
}

cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *pGraph) {
  struct CUstream_st *s = stream_state(stream);
  if (!pGraph) return fail(cudaErrorInvalidValue);
  *pGraph = s ? atomic_exchange(&s->capturing, NULL) : NULL;
  if (!*pGraph) return fail(cudaErrorIllegalState);
  const struct fake_gpu *gpu = fake_gpu();
  if (gpu) gpu->capture(stream, 0);
  return cudaSuccess;
}

static cudaGraph_t capture_graph(cudaStream_t stream) {
  struct CUstream_st *s = stream_state(stream);
  return s ? atomic_load(&s->capturing) : NULL;
}

cudaError_t cudaStreamIsCapturing(cudaStream_t stream,
                                  enum cudaStreamCaptureStatus *pCaptureStatus) {
  if (!pCaptureStatus) return fail(cudaErrorInvalidValue);
  *pCaptureStatus =
      capture_graph(stream) ? cudaStreamCaptureStatusActive : cudaStreamCaptureStatusNone;
  return cudaSuccess;
}

cudaError_t cudaStreamGetCaptureInfo(cudaStream_t stream,
                                     enum cudaStreamCaptureStatus *captureStatus_out,
                                     unsigned long long *id_out, cudaGraph_t *graph_out,
                                     const cudaGraphNode_t **dependencies_out,
                                     const cudaGraphEdgeData **edgeData_out,
                                     size_t *numDependencies_out) {
  if (!captureStatus_out) return fail(cudaErrorInvalidValue);
  cudaGraph_t graph = capture_graph(stream);
  *captureStatus_out = graph ? cudaStreamCaptureStatusActive : cudaStreamCaptureStatusNone;
  /* Outputs other than the status are only defined while capturing. */
  if (graph && id_out) *id_out = graph->capture_id;
  if (graph && graph_out) *graph_out = graph;
  if (graph && dependencies_out) *dependencies_out = NULL;
  if (graph && edgeData_out) *edgeData_out = NULL;
  if (graph && numDependencies_out) *numDependencies_out = 0;
  return cudaSuccess;
}

cudaError_t cudaGraphInstantiate(cudaGraphExec_t *pGraphExec, cudaGraph_t graph,
                                 unsigned long long flags) {
  (void)flags;
  if (!pGraphExec || !graph) return fail(cudaErrorInvalidValue);
  *pGraphExec = malloc(sizeof **pGraphExec);
  if (!*pGraphExec) return fail(cudaErrorMemoryAllocation);
  **pGraphExec = (struct CUgraphExec_st){.graph = graph, .capture_id = graph->capture_id};
  return cudaSuccess;
}

cudaError_t cudaGraphLaunch(cudaGraphExec_t graphExec, cudaStream_t stream) {
  if (!graphExec) return fail(cudaErrorInvalidResourceHandle);
  const struct fake_gpu *gpu = fake_gpu();
  if (gpu) gpu->replay(graphExec->capture_id, stream);
  return cudaSuccess;
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t graphExec) {
  free(graphExec);
  return cudaSuccess;
}

cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
  free(graph);
  return cudaSuccess;
}

/* ---- events: the fake GPU's time, else the host clock ----------------------------------- */

struct CUevent_st {
  unsigned int flags;
  atomic_llong recorded_ns; /* CLOCK_MONOTONIC; 0 until recorded */
};

static cudaError_t new_event(cudaEvent_t *event, unsigned int flags) {
  if (!event) return fail(cudaErrorInvalidValue);
  *event = calloc(1, sizeof **event);
  if (!*event) return fail(cudaErrorMemoryAllocation);
  (*event)->flags = flags;
  return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t *event) { return new_event(event, cudaEventDefault); }

cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags) {
  return new_event(event, flags);
}

cudaError_t cudaEventDestroy(cudaEvent_t event) {
  if (!event) return fail(cudaErrorInvalidResourceHandle);
  free(event);
  return cudaSuccess;
}

/* The event completes when the work queued on `stream` before it does. */
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
  if (!event) return fail(cudaErrorInvalidResourceHandle);
  const struct fake_gpu *gpu = fake_gpu();
  atomic_store(&event->recorded_ns, (long long)(gpu ? gpu->idle_at(stream) : double_now_ns()));
  return cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  if (!event) return fail(cudaErrorInvalidResourceHandle);
  double_sleep_until((uint64_t)atomic_load(&event->recorded_ns));
  return cudaSuccess;
}

cudaError_t cudaEventQuery(cudaEvent_t event) {
  if (!event) return fail(cudaErrorInvalidResourceHandle);
  return ready_at((uint64_t)atomic_load(&event->recorded_ns));
}

/* Later work on `stream` starts after the event. */
cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags) {
  (void)flags;
  if (!event) return fail(cudaErrorInvalidResourceHandle);
  const struct fake_gpu *gpu = fake_gpu();
  long long t = atomic_load(&event->recorded_ns);
  if (gpu && t) gpu->wait(stream, (uint64_t)t);
  return cudaSuccess;
}

cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end) {
  if (!ms) return fail(cudaErrorInvalidValue);
  if (!start || !end || ((start->flags | end->flags) & cudaEventDisableTiming))
    return fail(cudaErrorInvalidResourceHandle);
  long long t0 = atomic_load(&start->recorded_ns), t1 = atomic_load(&end->recorded_ns);
  if (!t0 || !t1) return fail(cudaErrorInvalidResourceHandle);
  *ms = (float)((double)(t1 - t0) / 1e6);
  return cudaSuccess;
}

/* ---- profiler control: Nsight's region markers; nothing to start or stop here ------------ */

cudaError_t cudaProfilerStart(void) { return cudaSuccess; }
cudaError_t cudaProfilerStop(void) { return cudaSuccess; }
