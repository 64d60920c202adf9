/* Explicit step markers: NVTX ranges and cudaProfilerStart/Stop, recorded as MARKER records
 * (include/mfu/trace.h) from which `mfu report --step-range REGEX` takes the training steps.
 *
 * cudaProfilerStart/Stop are ordinary cudart wrappers (api_spec.h, MFU_CUDART_MARKER_APIS).
 *
 * NVTX is header-only (nvtx3, as PyTorch uses it) or libnvToolsExt: either way its functions
 * are no-ops until a tool attaches through the injection interface, so they cannot be
 * interposed. On its first call NVTX dlopens $NVTX_INJECTION64_PATH (mfu run points it at this
 * library; being preloaded already, dlopen returns the same copy) and calls the exported
 * InitializeInjectionNvtx2 with its getExportTable; the shim asks for the CORE module's
 * callback table and fills the range slots (push/pop, start/end) with its own functions. The
 * other slots stay NVTX's no-ops. If anything in that negotiation is missing or too small,
 * nothing is installed and 0 is returned: NVTX stays a no-op and the program runs as without
 * the shim. The callbacks do what NVTX without a tool does, plus one record each: push and
 * pop return the nesting level, start returns a range id (1, 2, ... per process).
 *
 * Messages: ASCII messages (A functions; Ex with an ASCII or all-ASCII wide message) are
 * interned as dynamic strings; others (non-ASCII wide text, registered strings) record name 0. */
#include <cuda_profiler_api.h>
#include <cuda_runtime_api.h>
#include <errno.h>
#include <wchar.h>

#define NVTX_NO_IMPL /* the types and callback ids a tool needs (nvtxDetail/nvtxTypes.h) */
#include <nvtx3/nvToolsExt.h>

#include "call.h"
#include "config.h"
#include "lifecycle.h"
#include "mfu/api.h"
#include "ring.h"
#include "window.h"
#include "writer.h"

/* --- cudaProfilerStart/Stop */

static void describe_marker(struct mfu_record *rec, unsigned kind) {
  rec->u.marker = (struct mfu_marker){.kind = (uint8_t)kind};
}

#define MARKER(kind) describe_marker(rec, kind)

#define MFU_MARKER_WRAPPER(name, params, args, describe)                                       \
  MFU_WRAPPER(cudaError_t, cudaErrorSharedObjectSymbolNotFound, MFU_HOOK_CUDART, MFU_REC_MARKER,\
              name, params, args, describe)

MFU_CUDART_MARKER_APIS(MFU_MARKER_WRAPPER)

/* --- NVTX */

static MFU_TLS int push_level; /* this thread's open nvtxRangePush ranges */
static atomic_uint_fast64_t next_range_id = 1;

/* Records one marker (PUSH and POP: id = the thread) (unless tracing is off or the thread is inside a recorded call). */
static void record_marker(unsigned api, unsigned kind, const char *message, uint64_t id) {
  if (!atomic_load_explicit(&mfu_tracing, memory_order_relaxed) || mfu_depth) return;
  int saved = errno;
  mfu_depth = 1;
  if (__builtin_expect(!mfu_self, 0)) mfu_first_call();
  if (kind == MFU_MARKER_PUSH || kind == MFU_MARKER_POP) id = mfu_self ? mfu_self->tid : 0;
  uint32_t name = message && *message ? mfu_writer_intern(message) : 0;
  struct mfu_call call = {.t0 = mfu_clock_stamp()};
  struct mfu_record *rec = mfu_call_end(&call, MFU_REC_MARKER, api, 0);
  if (rec) {
    rec->t_end_ns = rec->t_start_ns;
    rec->u.marker = (struct mfu_marker){.name = name, .kind = (uint8_t)kind, .id = id};
    mfu_call_keep(&call, rec);
  }
  mfu_call_finish(&call);
  errno = saved;
}

/* An ASCII copy of a wide message into buf, or NULL if it is not all ASCII (or too long). */
static const char *ascii_of_wide(const wchar_t *w, char *buf, size_t size) {
  if (!w) return NULL;
  size_t i = 0;
  for (; w[i]; i++) {
    if (i + 1 >= size || w[i] < 1 || w[i] > 127) return NULL;
    buf[i] = (char)w[i];
  }
  buf[i] = 0;
  return buf;
}

/* The ASCII message of event attributes, or NULL. */
static const char *ascii_of_attributes(const nvtxEventAttributes_t *a, char *buf, size_t size) {
  if (!a || a->size < offsetof(nvtxEventAttributes_t, message) + sizeof a->message) return NULL;
  if (a->messageType == NVTX_MESSAGE_TYPE_ASCII) {
    const char *s = a->message.ascii;
    for (size_t i = 0; s && s[i]; i++)
      if ((unsigned char)s[i] > 127) return NULL;
    return s;
  }
  if (a->messageType == NVTX_MESSAGE_TYPE_UNICODE) return ascii_of_wide(a->message.unicode, buf, size);
  return NULL; /* registered strings, or none */
}

#define WIDE_MAX 512

/* A step window opens before the opening marker is recorded and closes after the closing
 * one (window.h), so that both are in the trace. */
static int push(unsigned api, const char *message) {
  mfu_window_push(message, push_level);
  record_marker(api, MFU_MARKER_PUSH, message, 0);
  return push_level++;
}

static int NVTX_API range_push_a(const char *message) {
  return push(MFU_API_nvtxRangePushA, message);
}
static int NVTX_API range_push_w(const wchar_t *message) {
  char buf[WIDE_MAX];
  return push(MFU_API_nvtxRangePushW, ascii_of_wide(message, buf, sizeof buf));
}
static int NVTX_API range_push_ex(const nvtxEventAttributes_t *attributes) {
  char buf[WIDE_MAX];
  return push(MFU_API_nvtxRangePushEx, ascii_of_attributes(attributes, buf, sizeof buf));
}
static int NVTX_API range_pop(void) {
  if (push_level <= 0) return -1; /* nothing to pop: NVTX's error value */
  record_marker(MFU_API_nvtxRangePop, MFU_MARKER_POP, NULL, 0);
  mfu_window_pop(push_level - 1);
  return --push_level;
}

static nvtxRangeId_t start(unsigned api, const char *message) {
  uint64_t id = atomic_fetch_add_explicit(&next_range_id, 1, memory_order_relaxed);
  mfu_window_start(message, id);
  record_marker(api, MFU_MARKER_START, message, id);
  return id;
}
static nvtxRangeId_t NVTX_API range_start_a(const char *message) {
  return start(MFU_API_nvtxRangeStartA, message);
}
static nvtxRangeId_t NVTX_API range_start_w(const wchar_t *message) {
  char buf[WIDE_MAX];
  return start(MFU_API_nvtxRangeStartW, ascii_of_wide(message, buf, sizeof buf));
}
static nvtxRangeId_t NVTX_API range_start_ex(const nvtxEventAttributes_t *attributes) {
  char buf[WIDE_MAX];
  return start(MFU_API_nvtxRangeStartEx, ascii_of_attributes(attributes, buf, sizeof buf));
}
static void NVTX_API range_end(nvtxRangeId_t id) {
  record_marker(MFU_API_nvtxRangeEnd, MFU_MARKER_END, NULL, id);
  mfu_window_end(id);
}

MFU_EXPORT int InitializeInjectionNvtx2(NvtxGetExportTableFunc_t get_export_table) {
  if (!get_export_table || !mfu_config.enabled) return 0;
  const NvtxExportTableCallbacks *callbacks = get_export_table(NVTX_ETID_CALLBACKS);
  if (!callbacks || callbacks->struct_size < sizeof *callbacks || !callbacks->GetModuleFunctionTable)
    return 0;
  NvtxFunctionTable table = NULL;
  unsigned size = 0;
  if (!callbacks->GetModuleFunctionTable(NVTX_CB_MODULE_CORE, &table, &size) || !table)
    return 0;
  static const struct { unsigned id; NvtxFunctionPointer fn; } slots[] = {
      {NVTX_CBID_CORE_RangePushA, (NvtxFunctionPointer)range_push_a},
      {NVTX_CBID_CORE_RangePushW, (NvtxFunctionPointer)range_push_w},
      {NVTX_CBID_CORE_RangePushEx, (NvtxFunctionPointer)range_push_ex},
      {NVTX_CBID_CORE_RangePop, (NvtxFunctionPointer)range_pop},
      {NVTX_CBID_CORE_RangeStartA, (NvtxFunctionPointer)range_start_a},
      {NVTX_CBID_CORE_RangeStartW, (NvtxFunctionPointer)range_start_w},
      {NVTX_CBID_CORE_RangeStartEx, (NvtxFunctionPointer)range_start_ex},
      {NVTX_CBID_CORE_RangeEnd, (NvtxFunctionPointer)range_end},
  };
  /* All or nothing: check every slot before filling any. */
  for (size_t i = 0; i < sizeof slots / sizeof *slots; i++)
    if (slots[i].id > size || !table[slots[i].id]) return 0;
  for (size_t i = 0; i < sizeof slots / sizeof *slots; i++) *table[slots[i].id] = slots[i].fn;
  const NvtxExportTableVersionInfo *version = get_export_table(NVTX_ETID_VERSIONINFO);
  if (version && version->struct_size >= sizeof *version && version->SetInjectionNvtxVersion)
    version->SetInjectionNvtxVersion(NVTX_VERSION);
  return 1;
}
