/* The GPU timeline, through CUPTI's Activity API: kernels, memcpys and memsets with their GPU
 * start and end times, and, for each, the intercepted call that launched it (an external
 * correlation id is pushed around every intercepted call).
 *
 * CUPTI is optional and shared. libcupti is found at run time (never linked): the copy the
 * program already loaded (PyTorch's), else the one of the CUDA runtime's major version on the
 * library path (libcupti.so.12 when the runtime says 12.x, else libcupti.so.13, then .12),
 * else $MFU_CUPTI_PATH. CUPTI 12.x (API versions 19 to 28) and 13.x (13xxyy) are read;
 * another version is refused rather than read with a guessed layout. Policy MFU_CUPTI: `auto` (default) uses it unless another tool holds it
 * (Nsight's injection, or a CUPTI subscriber such as torch.profiler already active), `on`
 * uses it even then, `off` never. A CUPTI tool started after the shim (torch.profiler later
 * in the run) takes the activity buffers over: the timeline then stops, the tool works, and
 * the trace says so by its last kernel. Whatever happens, host timing goes on.
 *
 * Buffer callbacks run on CUPTI's threads (or the thread calling FlushAll); they convert
 * activity records into trace records on that thread's ring. FlushAll is never called with
 * the writer's lock held. */
#include <cupti.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "gpu_timeline.h"
#include "resolve.h"
#include "ring.h"
#include "window.h"
#include "writer.h"

#define BUFFER_BYTES (8u << 20)
#define EXTERNAL_KIND CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM2 /* Kineto uses CUSTOM0/1 */

atomic_bool mfu_cupti_active;
static atomic_uint_fast64_t next_correlation;
static int64_t clock_offset; /* CUPTI timestamp minus CLOCK_MONOTONIC, ns */

/* The activity records each major version hands out: CUPTI 12.x CUpti_ActivityKernel9 and
 * CUpti_ActivityMemcpy5, CUPTI 13.x Kernel10 and
 * Memcpy6; Memset4 and ExternalCorrelation in both. The newer versions only append fields, so
 * every field read here lies at the same offset in both: checked below against CUDA 13's
 * headers (which keep the 12.x structures in cupti_activity_deprecated.h) and against the
 * offsets of CUPTI 12.4's cupti_activity.h (nvidia-cuda-cupti-cu12 12.4.127), written out. */
#define AT(type, field, offset) (offsetof(type, field) == (offset))
#define KERNEL_AT(field, offset)                                                               \
  static_assert(AT(CUpti_ActivityKernel10, field, offset) && AT(CUpti_ActivityKernel9, field, offset),     \
                "kernel record: " #field)
#define MEMCPY_AT(field, offset)                                                               \
  static_assert(AT(CUpti_ActivityMemcpy6, field, offset) && AT(CUpti_ActivityMemcpy5, field, offset), \
                "memcpy record: " #field)
KERNEL_AT(kind, 0); KERNEL_AT(registersPerThread, 6); KERNEL_AT(start, 16); KERNEL_AT(end, 24);
KERNEL_AT(deviceId, 40); KERNEL_AT(contextId, 44); KERNEL_AT(streamId, 48); KERNEL_AT(gridX, 52);
KERNEL_AT(gridY, 56); KERNEL_AT(gridZ, 60); KERNEL_AT(blockX, 64); KERNEL_AT(blockY, 68);
KERNEL_AT(blockZ, 72); KERNEL_AT(staticSharedMemory, 76); KERNEL_AT(dynamicSharedMemory, 80);
KERNEL_AT(correlationId, 92); KERNEL_AT(name, 104); KERNEL_AT(graphNodeId, 144);
KERNEL_AT(graphId, 156);
MEMCPY_AT(copyKind, 4); MEMCPY_AT(srcKind, 5); MEMCPY_AT(dstKind, 6); MEMCPY_AT(bytes, 8);
MEMCPY_AT(start, 16); MEMCPY_AT(end, 24); MEMCPY_AT(deviceId, 32); MEMCPY_AT(contextId, 36);
MEMCPY_AT(streamId, 40); MEMCPY_AT(correlationId, 44); MEMCPY_AT(graphId, 72);
static_assert(AT(CUpti_ActivityMemset4, value, 4) && AT(CUpti_ActivityMemset4, bytes, 8) &&
                  AT(CUpti_ActivityMemset4, start, 16) && AT(CUpti_ActivityMemset4, end, 24) &&
                  AT(CUpti_ActivityMemset4, deviceId, 32) && AT(CUpti_ActivityMemset4, contextId, 36) &&
                  AT(CUpti_ActivityMemset4, streamId, 40) &&
                  AT(CUpti_ActivityMemset4, correlationId, 44) && AT(CUpti_ActivityMemset4, graphId, 72),
              "memset record");
static_assert(AT(CUpti_ActivityExternalCorrelation, externalKind, 4) &&
                  AT(CUpti_ActivityExternalCorrelation, externalId, 8) &&
                  AT(CUpti_ActivityExternalCorrelation, correlationId, 16),
              "external correlation record");
static_assert(CUPTI_ACTIVITY_KIND_MEMCPY == 1 && CUPTI_ACTIVITY_KIND_MEMSET == 2 &&
                  CUPTI_ACTIVITY_KIND_DRIVER == 4 && CUPTI_ACTIVITY_KIND_RUNTIME == 5 &&
                  CUPTI_ACTIVITY_KIND_KERNEL == 3 && CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL == 10 &&
                  CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION == 39 &&
                  CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM2 == 5,
              "activity kinds of CUPTI 12.4");
#undef MEMCPY_AT
#undef KERNEL_AT
#undef AT

/* Whether records of CUPTI API version v can be read (cupti_version.h: v19 is CUDA 12.0, v28
 * 12.9 Update 1; from 13.0 on, 13yyzz). */
static bool version_supported(uint32_t v) { return (v >= 19 && v < 100) || (v >= 130000 && v < 140000); }

static struct {
  CUptiResult (*get_version)(uint32_t *);
  CUptiResult (*get_result_string)(CUptiResult, const char **);
  CUptiResult (*subscribe)(CUpti_SubscriberHandle *, CUpti_CallbackFunc, void *);
  CUptiResult (*unsubscribe)(CUpti_SubscriberHandle);
  CUptiResult (*register_callbacks)(CUpti_BuffersCallbackRequestFunc, CUpti_BuffersCallbackCompleteFunc);
  CUptiResult (*enable)(CUpti_ActivityKind);
  CUptiResult (*flush_period)(uint32_t);
  CUptiResult (*flush_all)(uint32_t);
  CUptiResult (*get_timestamp)(uint64_t *);
  CUptiResult (*push)(CUpti_ExternalCorrelationKind, uint64_t);
  CUptiResult (*pop)(CUpti_ExternalCorrelationKind, uint64_t *);
  CUptiResult (*next_record)(uint8_t *, size_t, CUpti_Activity **);
  CUptiResult (*dropped)(CUcontext, uint32_t, size_t *);
} api;

/* The major version of the CUDA runtime the program runs (cudaRuntimeGetVersion, which
 * starts nothing), 0 if none is loaded. */
static int runtime_major(void) {
  int (*get)(int *) = (int (*)(int *))dlsym(RTLD_DEFAULT, "cudaRuntimeGetVersion");
  void *lib = get ? NULL : dlopen("libcudart.so.12", RTLD_NOLOAD | RTLD_LAZY);
  if (lib) get = (int (*)(int *))dlsym(lib, "cudaRuntimeGetVersion");
  int version = 0;
  if (!get || get(&version) != 0) version = 0;
  if (lib) dlclose(lib);
  dlerror();
  return version / 1000;
}

static void *open_library(void) {
  void *lib = dlopen("libcupti.so.13", RTLD_NOLOAD | RTLD_LAZY);
  if (!lib) lib = dlopen("libcupti.so.12", RTLD_NOLOAD | RTLD_LAZY);
  /* CUPTI of the runtime's major version first: a CUDA 12 program (PyTorch cu12x) gets 12. */
  bool runtime12 = !lib && runtime_major() == 12;
  const char *order[] = {runtime12 ? "libcupti.so.12" : "libcupti.so.13",
                         runtime12 ? "libcupti.so.13" : "libcupti.so.12"};
  for (size_t i = 0; !lib && i < 2; i++) lib = dlopen(order[i], RTLD_LAZY | RTLD_LOCAL);
  const char *path = getenv("MFU_CUPTI_PATH");
  if (!lib && path && *path) lib = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
  dlerror();
  return lib;
}

static bool resolve(void *lib) {
  struct { void **slot; const char *name; } table[] = {
      {(void **)&api.get_version, "cuptiGetVersion"},
      {(void **)&api.get_result_string, "cuptiGetResultString"},
      {(void **)&api.subscribe, "cuptiSubscribe"},
      {(void **)&api.unsubscribe, "cuptiUnsubscribe"},
      {(void **)&api.register_callbacks, "cuptiActivityRegisterCallbacks"},
      {(void **)&api.enable, "cuptiActivityEnable"},
      {(void **)&api.flush_period, "cuptiActivityFlushPeriod"},
      {(void **)&api.flush_all, "cuptiActivityFlushAll"},
      {(void **)&api.get_timestamp, "cuptiGetTimestamp"},
      {(void **)&api.push, "cuptiActivityPushExternalCorrelationId"},
      {(void **)&api.pop, "cuptiActivityPopExternalCorrelationId"},
      {(void **)&api.next_record, "cuptiActivityGetNextRecord"},
      {(void **)&api.dropped, "cuptiActivityGetNumDroppedRecords"},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (!(*table[i].slot = dlsym(lib, table[i].name))) {
      dlerror();
      return false;
    }
  return true;
}

static const char *result_string(CUptiResult r) {
  const char *s = NULL;
  return api.get_result_string && api.get_result_string(r, &s) == CUPTI_SUCCESS && s ? s : "?";
}

/* CUPTI minus CLOCK_MONOTONIC, from readings taken back to back. */
static int64_t measure_offset(void) {
  uint64_t before = mfu_clock_monotonic_ns(), cupti = 0;
  api.get_timestamp(&cupti);
  uint64_t after = mfu_clock_monotonic_ns();
  return (int64_t)(cupti - (before + (after - before) / 2));
}

static uint64_t to_monotonic(uint64_t cupti_ns) { return (uint64_t)((int64_t)cupti_ns - clock_offset); }

/* --- buffers */
static void CUPTIAPI buffer_requested(uint8_t **buffer, size_t *size, size_t *max_records) {
  *buffer = aligned_alloc(8, BUFFER_BYTES);
  *size = *buffer ? BUFFER_BYTES : 0;
  *max_records = 0;
}

/* A record of `kind` on this thread's ring, CUPTI times converted (0: a stamp of now, for
 * records without a time of their own); NULL if none can be had. */
static struct mfu_record *activity_record(unsigned kind, uint64_t start, uint64_t end) {
  struct mfu_ring *r = mfu_self ? mfu_self : mfu_ring_attach();
  struct mfu_record *rec = r ? mfu_ring_slot(r) : NULL;
  if (!rec) return NULL;
  uint64_t now = start ? 0 : mfu_clock_stamp();
  *rec = (struct mfu_record){.kind = (uint16_t)kind, .tid = r->tid,
                             .t_start_ns = start ? to_monotonic(start) : now,
                             .t_end_ns = start ? to_monotonic(end) : now};
  return rec;
}

static void convert(const CUpti_Activity *a) {
  struct mfu_record *rec;
  switch (a->kind) {
  case CUPTI_ACTIVITY_KIND_KERNEL:
  case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL: {
    const CUpti_ActivityKernel10 *k = (const CUpti_ActivityKernel10 *)a;
    if (!mfu_window_keeps_gpu(to_monotonic(k->start), k->correlationId) ||
        !(rec = activity_record(MFU_REC_KERNEL, k->start, k->end)))
      return;
    rec->stream = k->streamId;
    rec->u.kernel = (struct mfu_kernel){
        .name = k->name ? mfu_writer_intern(k->name) : 0, .device = k->deviceId,
        .context = k->contextId, .stream = k->streamId, .correlation = k->correlationId,
        .graph = k->graphId, .graph_node = k->graphNodeId,
        .grid = {k->gridX, k->gridY, k->gridZ}, .block = {k->blockX, k->blockY, k->blockZ},
        .shared_bytes = (uint32_t)(k->staticSharedMemory + k->dynamicSharedMemory),
        .registers = k->registersPerThread};
    break;
  }
  case CUPTI_ACTIVITY_KIND_MEMCPY: {
    const CUpti_ActivityMemcpy6 *m = (const CUpti_ActivityMemcpy6 *)a;
    if (!mfu_window_keeps_gpu(to_monotonic(m->start), m->correlationId) ||
        !(rec = activity_record(MFU_REC_MEMCPY, m->start, m->end)))
      return;
    rec->stream = m->streamId;
    rec->u.memop = (struct mfu_memop){
        .bytes = m->bytes, .device = m->deviceId, .context = m->contextId, .stream = m->streamId,
        .correlation = m->correlationId, .graph = m->graphId, .copy_kind = m->copyKind,
        .src_kind = m->srcKind, .dst_kind = m->dstKind};
    break;
  }
  case CUPTI_ACTIVITY_KIND_MEMSET: {
    const CUpti_ActivityMemset4 *m = (const CUpti_ActivityMemset4 *)a;
    if (!mfu_window_keeps_gpu(to_monotonic(m->start), m->correlationId) ||
        !(rec = activity_record(MFU_REC_MEMSET, m->start, m->end)))
      return;
    rec->stream = m->streamId;
    rec->u.memop = (struct mfu_memop){
        .bytes = m->bytes, .device = m->deviceId, .context = m->contextId, .stream = m->streamId,
        .correlation = m->correlationId, .graph = m->graphId, .value = m->value};
    break;
  }
  case CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION: {
    const CUpti_ActivityExternalCorrelation *c = (const CUpti_ActivityExternalCorrelation *)a;
    if (c->externalKind != EXTERNAL_KIND) return;
    mfu_window_correlated(c->correlationId); /* pushed inside the window only */
    if (!(rec = activity_record(MFU_REC_CORRELATION, 0, 0))) return;
    rec->u.correlation = (struct mfu_correlation){
        .correlation = c->correlationId, .kind = c->externalKind, .external = c->externalId};
    break;
  }
  default:
    return; /* kinds another tool enabled */
  }
  mfu_ring_publish(mfu_self);
}

static atomic_bool stopped; /* after the last flush, late buffers are only freed */

static void CUPTIAPI buffer_completed(CUcontext context, uint32_t stream, uint8_t *buffer,
                                      size_t size, size_t valid) {
  (void)size;
  if (atomic_load(&stopped)) {
    free(buffer);
    return;
  }
  int depth = mfu_depth;
  mfu_depth = 1; /* anything this thread calls from here is not recorded */
  CUpti_Activity *a = NULL;
  while (api.next_record(buffer, valid, &a) == CUPTI_SUCCESS) convert(a);
  size_t dropped = 0;
  if (api.dropped(context, stream, &dropped) == CUPTI_SUCCESS && dropped)
    mfu_writer_note_cupti(MFU_CUPTI_ACTIVE, 0, 0, dropped);
  mfu_depth = depth;
  free(buffer);
}

/* --- start, push/pop, stop */
static void give_up(uint32_t state, CUptiResult error, const char *why) {
  mfu_writer_note_cupti(state, (uint32_t)error, 0, 0);
  if (mfu_config.cupti == MFU_CUPTI_ON || state != MFU_CUPTI_UNAVAILABLE)
    mfu_say("no GPU timeline (%s); host timing only", why);
}

/* Someone else's CUPTI: Nsight injects itself; a live subscriber refuses a second one. The
 * probe subscribes and at once lets go, so that a tool starting later still can. Returns
 * CUPTI_SUCCESS if CUPTI is free, CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED if taken,
 * or why CUPTI cannot be used at all (no GPU...). */
static void CUPTIAPI ignore_callback(void *userdata, CUpti_CallbackDomain domain,
                                     CUpti_CallbackId id, const void *data) {
  (void)userdata, (void)domain, (void)id, (void)data; /* the probe enables no callback */
}

static CUptiResult probe_cupti(void) {
  const char *injection = getenv("CUDA_INJECTION64_PATH");
  if (injection && *injection) return CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED;
  CUpti_SubscriberHandle probe;
  CUptiResult r = api.subscribe(&probe, ignore_callback, NULL);
  if (r == CUPTI_SUCCESS) api.unsubscribe(probe);
  return r;
}

static void refused(CUptiResult r) {
  char why[160];
  snprintf(why, sizeof why, "CUPTI: %s", result_string(r));
  give_up(MFU_CUPTI_FAILED, r, why);
}

void mfu_cupti_start(void) {
  if (mfu_config.cupti == MFU_CUPTI_NEVER) return;
  void *lib = open_library();
  if (!lib || !resolve(lib)) {
    give_up(MFU_CUPTI_UNAVAILABLE, CUPTI_SUCCESS,
            "neither libcupti.so.13 nor libcupti.so.12 found: set MFU_CUPTI_PATH to its path, "
            "or MFU_CUPTI=off");
    return;
  }
  uint32_t version = 0;
  if (api.get_version(&version) != CUPTI_SUCCESS || !version_supported(version)) {
    char why[160];
    snprintf(why, sizeof why, "CUPTI API version %u is not supported (CUDA 12.x and 13.x are)",
             (unsigned)version);
    give_up(MFU_CUPTI_UNSUPPORTED, CUPTI_SUCCESS, why);
    return;
  }
  CUptiResult probe = mfu_config.cupti == MFU_CUPTI_AUTO ? probe_cupti() : CUPTI_SUCCESS;
  if (probe == CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED) {
    give_up(MFU_CUPTI_STEPPED_ASIDE, probe,
            "another tool holds CUPTI (torch.profiler, Nsight?): MFU_CUPTI=on to share it anyway");
    return;
  }
  if (probe != CUPTI_SUCCESS) {
    refused(probe);
    return;
  }
  /* External correlation records are made for runtime and driver API records, so those are
   * enabled too (and dropped when read): cuBLAS launches through the runtime, NCCL through the
   * driver. */
  static const CUpti_ActivityKind kinds[] = {
      CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL, CUPTI_ACTIVITY_KIND_MEMCPY,
      CUPTI_ACTIVITY_KIND_MEMSET,            CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION,
      CUPTI_ACTIVITY_KIND_RUNTIME,           CUPTI_ACTIVITY_KIND_DRIVER};
  CUptiResult r = api.register_callbacks(buffer_requested, buffer_completed);
  for (size_t i = 0; r == CUPTI_SUCCESS && i < sizeof kinds / sizeof kinds[0]; i++)
    r = api.enable(kinds[i]);
  if (r != CUPTI_SUCCESS) {
    refused(r);
    return;
  }
  api.flush_period(mfu_config.flush_ms);
  clock_offset = measure_offset();
  mfu_writer_note_cupti(MFU_CUPTI_ACTIVE, 0, clock_offset, 0);
  atomic_fetch_or(&mfu_hooks_resolved, MFU_HOOK_CUPTI);
  atomic_store(&mfu_cupti_active, true);
}

uint64_t mfu_cupti_push(void) {
  uint64_t id = atomic_fetch_add_explicit(&next_correlation, 1, memory_order_relaxed) + 1;
  return api.push(EXTERNAL_KIND, id) == CUPTI_SUCCESS ? id : 0;
}

void mfu_cupti_pop(void) {
  uint64_t id;
  api.pop(EXTERNAL_KIND, &id);
}

void mfu_cupti_flush(void) {
  if (atomic_load(&mfu_cupti_active)) api.flush_all(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
}

/* CUDA and CUPTI are not usable in a forked child: whatever the parent had, the child never
 * calls CUPTI (no push, pop or flush, not even at its exit). */
void mfu_cupti_forget(void) { atomic_store(&mfu_cupti_active, false); }

/* At exit, before the writer's last drain: every buffer CUPTI still holds, and the clock
 * offset again (its change bounds the drift). Not with the writer's lock held. */
void mfu_cupti_stop(void) {
  if (!atomic_exchange(&mfu_cupti_active, false)) return;
  api.flush_all(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  atomic_store(&stopped, true);
  mfu_writer_note_cupti(MFU_CUPTI_ACTIVE, 0, measure_offset(), 0);
}
