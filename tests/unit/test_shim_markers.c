/* The shim's explicit step markers, in-process: NVTX's injection handshake (a fake NVTX
 * export table, as nvtx3's nvtxInitializeInjectionLibrary hands it to InitializeInjectionNvtx2),
 * the range callbacks it installs and the MARKER records they make; cudaProfilerStart/Stop
 * (on the cudart double). */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <wchar.h>

#include <cmocka.h>
#include <cuda_profiler_api.h>
#include <cuda_runtime_api.h>

#define NVTX_NO_IMPL
#include <nvtx3/nvToolsExt.h>

#include "mfu/api.h"
#include "resolve.h"
#include "ring.h"
#include "shim_fixture.h"
#include "writer.h"

int InitializeInjectionNvtx2(NvtxGetExportTableFunc_t get_export_table);

/* --- a fake NVTX instance: its CORE table, slots pointing at no-op defaults */
static NvtxFunctionPointer core_slot[NVTX_CBID_CORE_SIZE + 1];
static NvtxFunctionPointer *core_table[NVTX_CBID_CORE_SIZE + 1];
static unsigned core_size = NVTX_CBID_CORE_SIZE; /* what nvtx3 reports: entries - 1 */
static int version_set;

static int NVTX_API get_module(NvtxCallbackModule module, NvtxFunctionTable *out, unsigned *size) {
  if (module != NVTX_CB_MODULE_CORE) return 0;
  *out = core_table;
  *size = core_size;
  return 1;
}
static void NVTX_API set_version(uint32_t v) { version_set = (int)v; }

static const NvtxExportTableCallbacks callbacks = {sizeof callbacks, get_module};
static const NvtxExportTableVersionInfo version_info = {sizeof version_info, NVTX_VERSION, 0,
                                                        set_version};

static const void *NVTX_API get_export_table(uint32_t id) {
  if (id == NVTX_ETID_CALLBACKS) return &callbacks;
  if (id == NVTX_ETID_VERSIONINFO) return &version_info;
  return NULL;
}
static const void *NVTX_API no_export_table(uint32_t id) {
  (void)id;
  return NULL;
}

static void reset_table(void) {
  for (unsigned i = 0; i <= NVTX_CBID_CORE_SIZE; i++) {
    core_slot[i] = NULL;
    core_table[i] = &core_slot[i];
  }
  core_table[0] = NULL; /* like nvtx3: slot 0 is unused */
  core_size = NVTX_CBID_CORE_SIZE;
}

static uint64_t head(void) { return mfu_self ? atomic_load(&mfu_self->head) : 0; }
static const struct mfu_record *at(uint64_t i) { return &mfu_self->slots[i & (MFU_RING_SLOTS - 1)]; }

static const struct mfu_marker *marker(uint64_t index, unsigned api, unsigned kind) {
  const struct mfu_record *r = at(index);
  assert_int_equal(r->kind, MFU_REC_MARKER);
  assert_string_equal(mfu_api_name(r->api), mfu_api_name(api));
  assert_int_equal(r->status, 0);
  assert_int_equal(r->u.marker.kind, kind);
  return &r->u.marker;
}

static void refusals_install_nothing(void **state) {
  (void)state;
  reset_table();
  assert_int_equal(InitializeInjectionNvtx2(NULL), 0);
  assert_int_equal(InitializeInjectionNvtx2(no_export_table), 0);
  core_size = NVTX_CBID_CORE_RangePop - 1; /* an older, smaller table: all or nothing */
  assert_int_equal(InitializeInjectionNvtx2(get_export_table), 0);
  reset_table();
  core_table[NVTX_CBID_CORE_RangeEnd] = NULL;
  assert_int_equal(InitializeInjectionNvtx2(get_export_table), 0);
  for (unsigned i = 0; i <= NVTX_CBID_CORE_SIZE; i++) assert_null(core_slot[i]);
}

static void nvtx_ranges_make_markers(void **state) {
  (void)state;
  reset_table();
  assert_int_equal(InitializeInjectionNvtx2(get_export_table), 1);
  assert_int_equal(version_set, NVTX_VERSION);
  /* Only the range slots are taken. */
  assert_null(core_slot[NVTX_CBID_CORE_MarkA]);
  assert_null(core_slot[NVTX_CBID_CORE_NameOsThreadA]);
  nvtxRangePushA_impl_fntype push_a = (nvtxRangePushA_impl_fntype)core_slot[NVTX_CBID_CORE_RangePushA];
  nvtxRangePushW_impl_fntype push_w = (nvtxRangePushW_impl_fntype)core_slot[NVTX_CBID_CORE_RangePushW];
  nvtxRangePushEx_impl_fntype push_ex = (nvtxRangePushEx_impl_fntype)core_slot[NVTX_CBID_CORE_RangePushEx];
  nvtxRangePop_impl_fntype pop = (nvtxRangePop_impl_fntype)core_slot[NVTX_CBID_CORE_RangePop];
  nvtxRangeStartA_impl_fntype start_a = (nvtxRangeStartA_impl_fntype)core_slot[NVTX_CBID_CORE_RangeStartA];
  nvtxRangeStartEx_impl_fntype start_ex = (nvtxRangeStartEx_impl_fntype)core_slot[NVTX_CBID_CORE_RangeStartEx];
  nvtxRangeEnd_impl_fntype end = (nvtxRangeEnd_impl_fntype)core_slot[NVTX_CBID_CORE_RangeEnd];
  assert_non_null(push_a);
  assert_non_null(push_w);
  assert_non_null(push_ex);
  assert_non_null(pop);
  assert_non_null(start_a);
  assert_non_null(core_slot[NVTX_CBID_CORE_RangeStartW]);
  assert_non_null(start_ex);
  assert_non_null(end);

  /* Push/pop: nesting levels returned, one record each, id = the thread. */
  assert_int_equal(pop(), -1); /* nothing open: no record */
  bool fresh = !mfu_self;
  uint64_t before = head();
  assert_int_equal(push_a("train_step"), 0);
  if (fresh) before++; /* the thread's first record is its DEVICE record */
  assert_int_equal(push_w(L"forward"), 1);
  nvtxEventAttributes_t ex = {.version = NVTX_VERSION, .size = NVTX_EVENT_ATTRIB_STRUCT_SIZE,
                              .messageType = NVTX_MESSAGE_TYPE_ASCII, .message.ascii = "layer"};
  assert_int_equal(push_ex(&ex), 2);
  nvtxEventAttributes_t reg = ex;
  reg.messageType = NVTX_MESSAGE_TYPE_REGISTERED;
  reg.message.registered = (nvtxStringHandle_t)0x1234;
  assert_int_equal(push_ex(&reg), 3);
  assert_int_equal(push_w(L"caf\u00e9"), 4);
  for (int level = 4; level >= 0; level--) assert_int_equal(pop(), level);
  assert_int_equal(head() - before, 10);

  uint32_t tid = mfu_self->tid;
  const struct mfu_marker *m = marker(before, MFU_API_nvtxRangePushA, MFU_MARKER_PUSH);
  assert_int_equal(m->name, mfu_writer_intern("train_step"));
  assert_true(m->name >= MFU_STRING_DYNAMIC);
  assert_int_equal(m->id, tid);
  assert_int_equal(marker(before + 1, MFU_API_nvtxRangePushW, MFU_MARKER_PUSH)->name,
                   mfu_writer_intern("forward"));
  assert_int_equal(marker(before + 2, MFU_API_nvtxRangePushEx, MFU_MARKER_PUSH)->name,
                   mfu_writer_intern("layer"));
  assert_int_equal(marker(before + 3, MFU_API_nvtxRangePushEx, MFU_MARKER_PUSH)->name, 0);
  assert_int_equal(marker(before + 4, MFU_API_nvtxRangePushW, MFU_MARKER_PUSH)->name, 0);
  for (int i = 5; i < 10; i++) {
    m = marker(before + (uint64_t)i, MFU_API_nvtxRangePop, MFU_MARKER_POP);
    assert_int_equal(m->id, tid);
    assert_int_equal(m->name, 0);
  }
  assert_true(at(before)->t_start_ns <= at(before + 9)->t_start_ns);

  /* Start/end: the shim's range ids, distinct and non-zero. */
  before = head();
  nvtxRangeId_t a = start_a("eval"), b = start_ex(&ex);
  assert_true(a != 0 && b != 0 && a != b);
  end(a);
  end(b);
  assert_int_equal(head() - before, 4);
  m = marker(before, MFU_API_nvtxRangeStartA, MFU_MARKER_START);
  assert_int_equal(m->id, a);
  assert_int_equal(m->name, mfu_writer_intern("eval"));
  assert_int_equal(marker(before + 1, MFU_API_nvtxRangeStartEx, MFU_MARKER_START)->id, b);
  m = marker(before + 2, MFU_API_nvtxRangeEnd, MFU_MARKER_END);
  assert_int_equal(m->id, a);
  assert_int_equal(m->name, 0);
  assert_int_equal(marker(before + 3, MFU_API_nvtxRangeEnd, MFU_MARKER_END)->id, b);
}

static void profiler_start_stop_make_markers(void **state) {
  (void)state;
  bool fresh = !mfu_self;
  uint64_t before = head();
  assert_int_equal(cudaProfilerStart(), cudaSuccess);
  if (fresh) before++; /* the thread's first record is its DEVICE record */
  assert_int_equal(cudaProfilerStop(), cudaSuccess);
  assert_int_equal(head() - before, 2);
  const struct mfu_marker *m = marker(before, MFU_API_cudaProfilerStart, MFU_MARKER_PROFILER_START);
  assert_int_equal(m->id, 0);
  assert_int_equal(m->name, 0);
  marker(before + 1, MFU_API_cudaProfilerStop, MFU_MARKER_PROFILER_STOP);
  assert_true(atomic_load(&mfu_hooks_resolved) & MFU_HOOK_CUDART);
}

int main(void) {
  int device; /* a call into the cudart double itself keeps it linked (--as-needed) */
  if (cudaGetDevice(&device) != cudaSuccess) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(refusals_install_nothing),
      cmocka_unit_test(nvtx_ranges_make_markers),
      cmocka_unit_test(profiler_start_stop_make_markers),
  };
  return run_shim_tests(tests, NULL);
}
