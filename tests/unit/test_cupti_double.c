/* Unit tests of the CUPTI double (build/test-doubles/libcupti.so.13) and its fake GPU, used as
 * mfushim's shim/gpu_timeline.c uses CUPTI: loaded with dlopen, buffers through the registered
 * callbacks, records walked with cuptiActivityGetNextRecord. Then the other doubles' work on
 * the fake GPU: GEMMs, BLAS-1, cuBLASLt, NCCL groups, copies, events and graphs. Every double
 * is reached through its own handle (dlsym), so that the shim's wrappers in the archive this
 * test links stay out of the way. Expected durations come from tests/doubles/fake_gpu.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cupti.h>
#include <dlfcn.h>
#include <nccl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../doubles/fake_gpu.h"

#define MS 1000000ull
#define OFFSET FAKE_CUPTI_CLOCK_OFFSET_NS
#define MAX_SEEN 256

/* A double, from the directory of the NCCL double this test links: by path, since under ASan
 * dlopen searches the sanitizer's run path, not this program's, and would find the real CUPTI. */
static void *lib(const char *soname) {
  Dl_info info;
  char path[4096];
  if (!dladdr((void *)pncclGetUniqueId, &info) || !strrchr(info.dli_fname, '/'))
    fail_msg("where are the doubles?");
  snprintf(path, sizeof path, "%.*s/%s", (int)(strrchr(info.dli_fname, '/') - info.dli_fname),
           info.dli_fname, soname);
  void *h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
  if (!h) fail_msg("%s: %s", path, dlerror());
  return h;
}

/* The sonames of the stack under test (make CUDA_STACK=12: libcublas.so.12...). */
#ifndef MFU_CUDA_STACK
#define MFU_CUDA_STACK 13
#endif
#define STACK_STR_(x) #x
#define STACK_STR(x) STACK_STR_(x)
#define STACK_SONAME(base) base "." STACK_STR(MFU_CUDA_STACK)

static void *sym(void *h, const char *name) {
  void *f = dlsym(h, name);
  if (!f) fail_msg("%s not found", name);
  return f;
}

static void *cupti_lib, *cublas_lib, *cublaslt_lib, *cudart_lib;
#define CUPTI(name) ((__typeof__(name) *)sym(cupti_lib, #name))
#define CUBLAS(name) ((__typeof__(name) *)sym(cublas_lib, #name))
#define CUBLASLT(name) ((__typeof__(name) *)sym(cublaslt_lib, #name))
#define CUDART(name) ((__typeof__(name) *)sym(cudart_lib, #name))

/* ---- what the callbacks saw ------------------------------------------------------------- */

struct seen {
  CUpti_ActivityKind kind;
  union {
    CUpti_ActivityKernel10 kernel;
    CUpti_ActivityMemcpy6 memcpy;
    CUpti_ActivityMemset4 memset;
    CUpti_ActivityExternalCorrelation external;
  } u;
};

static struct {
  pthread_mutex_t lock;
  struct seen record[MAX_SEEN];
  size_t n, buffers, empty_buffers;
  CUptiResult last; /* of the walk */
  pthread_t thread;
  /* what bufferRequested answers */
  size_t buffer_size, max_records;
  bool decline;
} seen = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void CUPTIAPI requested(uint8_t **buffer, size_t *size, size_t *max_records) {
  *size = seen.buffer_size;
  *max_records = seen.max_records;
  *buffer = seen.decline ? NULL : aligned_alloc(8, (*size + 7) / 8 * 8);
}

static void CUPTIAPI completed(CUcontext context, uint32_t stream, uint8_t *buffer, size_t size,
                               size_t valid) {
  (void)context, (void)stream, (void)size;
  static __typeof__(cuptiActivityGetNextRecord) *next;
  if (!next) next = CUPTI(cuptiActivityGetNextRecord);
  pthread_mutex_lock(&seen.lock);
  CUpti_Activity *r = NULL;
  while ((seen.last = next(buffer, valid, &r)) == CUPTI_SUCCESS && seen.n < MAX_SEEN) {
    struct seen *s = &seen.record[seen.n++];
    s->kind = r->kind;
    size_t n = r->kind == CUPTI_ACTIVITY_KIND_MEMCPY   ? sizeof s->u.memcpy
               : r->kind == CUPTI_ACTIVITY_KIND_MEMSET ? sizeof s->u.memset
               : r->kind == CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION ? sizeof s->u.external
                                                                    : sizeof s->u.kernel;
    memcpy(&s->u, r, n);
  }
  seen.buffers++;
  seen.empty_buffers += valid == 0;
  seen.thread = pthread_self();
  pthread_mutex_unlock(&seen.lock);
  free(buffer);
}

/* Drains what earlier tests left, and starts afresh with every kind the shim enables. */
static int fresh(void **state) {
  (void)state;
  CUPTI(cuptiActivityFlushPeriod)(0);
  CUPTI(cuptiActivityFlushAll)(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  size_t dropped;
  CUPTI(cuptiActivityGetNumDroppedRecords)(NULL, 0, &dropped);
  pthread_mutex_lock(&seen.lock);
  seen.n = seen.buffers = seen.empty_buffers = 0;
  seen.buffer_size = 1 << 20;
  seen.max_records = 0;
  seen.decline = false;
  pthread_mutex_unlock(&seen.lock);
  const CUpti_ActivityKind kinds[] = {CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL,
                                      CUPTI_ACTIVITY_KIND_MEMCPY, CUPTI_ACTIVITY_KIND_MEMSET,
                                      CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION};
  CUPTI(cuptiActivityDisable)(CUPTI_ACTIVITY_KIND_KERNEL);
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    assert_int_equal(CUPTI(cuptiActivityEnable)(kinds[i]), CUPTI_SUCCESS);
  return 0;
}

static void flush(void) {
  assert_int_equal(CUPTI(cuptiActivityFlushAll)(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED), CUPTI_SUCCESS);
}

static const CUpti_ActivityKernel10 *kernel(size_t i) {
  assert_true(i < seen.n);
  assert_int_equal(seen.record[i].kind, CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
  return &seen.record[i].u.kernel;
}

static const CUpti_ActivityExternalCorrelation *external(size_t i) {
  assert_true(i < seen.n);
  assert_int_equal(seen.record[i].kind, CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION);
  return &seen.record[i].u.external;
}

static uint64_t cupti_now(void) {
  uint64_t t;
  assert_int_equal(CUPTI(cuptiGetTimestamp)(&t), CUPTI_SUCCESS);
  return t;
}

static uint32_t launch(const char *name, void *stream, uint64_t ns) {
  return CUPTI(mfu_fake_gpu_launch)(
      &(struct fake_work){.kind = FAKE_KERNEL, .name = name, .stream = stream, .duration_ns = ns});
}

static char stream_a, stream_b; /* their addresses: fake cudaStream_t handles */

/* ---- CUPTI ------------------------------------------------------------------------------ */

static void test_results_and_clock(void **state) {
  (void)state;
  const char *s = NULL;
  assert_int_equal(CUPTI(cuptiGetResultString)(CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED, &s),
                   CUPTI_SUCCESS);
  assert_string_equal(s, "CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED");
  assert_int_equal(CUPTI(cuptiGetResultString)(CUPTI_SUCCESS, &s), CUPTI_SUCCESS);
  assert_string_equal(s, "CUPTI_SUCCESS");
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  uint64_t before = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
  uint64_t cupti = cupti_now();
  clock_gettime(CLOCK_MONOTONIC, &t);
  uint64_t after = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
  assert_true(cupti >= before + OFFSET && cupti <= after + OFFSET);
}

static void test_one_subscriber(void **state) {
  (void)state;
  CUpti_SubscriberHandle a, b;
  assert_int_equal(CUPTI(cuptiSubscribe)(&a, NULL, NULL), CUPTI_SUCCESS);
  assert_int_equal(CUPTI(cuptiSubscribe)(&b, NULL, NULL),
                   CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED);
  assert_int_equal(CUPTI(cuptiUnsubscribe)(a), CUPTI_SUCCESS);
  assert_int_equal(CUPTI(cuptiUnsubscribe)(a), CUPTI_ERROR_INVALID_PARAMETER);
  /* Another tool holds CUPTI: every subscribe fails, until it lets go. */
  setenv("MFU_DOUBLE_CUPTI_BUSY", "1", 1);
  assert_int_equal(CUPTI(cuptiSubscribe)(&a, NULL, NULL),
                   CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED);
  unsetenv("MFU_DOUBLE_CUPTI_BUSY");
  assert_int_equal(CUPTI(cuptiSubscribe)(&a, NULL, NULL), CUPTI_SUCCESS);
  assert_int_equal(CUPTI(cuptiUnsubscribe)(a), CUPTI_SUCCESS);
}

/* Work on one stream runs back to back; another stream runs concurrently. */
static void test_streams(void **state) {
  (void)state;
  uint64_t before = cupti_now();
  uint32_t c = launch("first", &stream_a, 30 * MS);
  assert_int_equal(launch("second", &stream_a, 1 * MS), c + 1);
  assert_int_equal(launch("concurrent", &stream_b, 2 * MS), c + 2);
  uint64_t after = cupti_now();
  flush();
  assert_int_equal(seen.n, 3);
  assert_int_equal(seen.last, CUPTI_ERROR_MAX_LIMIT_REACHED);
  const CUpti_ActivityKernel10 *a = kernel(0), *b = kernel(1), *x = kernel(2);
  assert_string_equal(a->name, "first");
  assert_string_equal(b->name, "second");
  assert_string_equal(x->name, "concurrent");
  assert_int_equal(a->correlationId, c);
  assert_int_equal(b->correlationId, c + 1);
  assert_int_equal(x->correlationId, c + 2);
  assert_true(a->start >= before && a->start <= after);
  assert_int_equal(a->end - a->start, 30 * MS);
  assert_int_equal(a->completed, a->end);
  assert_int_equal(b->start, a->end);
  assert_int_equal(b->end, a->end + 1 * MS);
  assert_true(x->start >= before && x->start <= after);
  assert_int_equal(x->end - x->start, 2 * MS);
  assert_int_equal(a->streamId, b->streamId);
  assert_int_not_equal(a->streamId, x->streamId);
  assert_int_equal(a->deviceId, 0);
  assert_int_not_equal(a->gridId, b->gridId);

  /* The host waits for the GPU: stream a's work ends last. */
  assert_int_equal(CUPTI(mfu_fake_gpu_idle_at)(&stream_a), b->end - OFFSET);
  assert_int_equal(CUPTI(mfu_fake_gpu_idle_at)(NULL), b->end - OFFSET);
  CUPTI(mfu_fake_gpu_sync)(NULL);
  assert_true(cupti_now() >= b->end);

  /* A wait for an event: later work starts after it. */
  uint64_t t = CUPTI(mfu_fake_gpu_idle_at)(&stream_b) + 5 * MS;
  CUPTI(mfu_fake_gpu_wait)(&stream_b, t);
  launch("after", &stream_b, 1000);
  flush();
  assert_int_equal(kernel(3)->start, t + OFFSET);
}

static void *launch_elsewhere(void *name) {
  launch(name, &stream_a, 1000);
  return NULL;
}

/* Each launch made while ids are pushed is preceded by one record per external kind in use
 * on its thread, with the top id. */
static void test_external_correlation(void **state) {
  (void)state;
  __typeof__(cuptiActivityPushExternalCorrelationId) *push =
      CUPTI(cuptiActivityPushExternalCorrelationId);
  __typeof__(cuptiActivityPopExternalCorrelationId) *pop =
      CUPTI(cuptiActivityPopExternalCorrelationId);
  uint64_t last = 0;
  assert_int_equal(pop(CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM2, &last), CUPTI_ERROR_QUEUE_EMPTY);
  assert_int_equal(push(CUPTI_EXTERNAL_CORRELATION_KIND_INVALID, 1), CUPTI_ERROR_INVALID_PARAMETER);
  assert_int_equal(push(CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM2, 7), CUPTI_SUCCESS);
  assert_int_equal(push(CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM2, 8), CUPTI_SUCCESS);
  assert_int_equal(push(CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM0, 100), CUPTI_SUCCESS);
  uint32_t c1 = launch("k1", &stream_a, 1000);
  pthread_t other; /* its stack is its own: nothing pushed there */
  pthread_create(&other, NULL, launch_elsewhere, "k2");
  pthread_join(other, NULL);
  assert_int_equal(pop(CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM0, &last), CUPTI_SUCCESS);
  assert_int_equal(last, 100);
  assert_int_equal(pop(CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM2, &last), CUPTI_SUCCESS);
  assert_int_equal(last, 8);
  uint32_t c3 = launch("k3", &stream_a, 1000);
  assert_int_equal(pop(CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM2, NULL), CUPTI_SUCCESS);
  launch("k4", &stream_a, 1000);
  flush();
  assert_int_equal(seen.n, 7);
  assert_int_equal(external(0)->externalKind, CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM0);
  assert_int_equal(external(0)->externalId, 100);
  assert_int_equal(external(0)->correlationId, c1);
  assert_int_equal(external(1)->externalKind, CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM2);
  assert_int_equal(external(1)->externalId, 8);
  assert_int_equal(external(1)->correlationId, c1);
  assert_string_equal(kernel(2)->name, "k1");
  assert_string_equal(kernel(3)->name, "k2");
  assert_int_equal(external(4)->externalKind, CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM2);
  assert_int_equal(external(4)->externalId, 7);
  assert_int_equal(external(4)->correlationId, c3);
  assert_int_equal(kernel(5)->correlationId, c3);
  assert_string_equal(kernel(6)->name, "k4");
}

/* Records go only to the kinds enabled; KERNEL serves when CONCURRENT_KERNEL is off. */
static void test_kinds(void **state) {
  (void)state;
  assert_int_equal(CUPTI(cuptiActivityEnable)(CUPTI_ACTIVITY_KIND_RUNTIME), CUPTI_SUCCESS);
  assert_int_equal(CUPTI(cuptiActivityEnable)(CUPTI_ACTIVITY_KIND_OPENACC_DATA),
                   CUPTI_ERROR_NOT_SUPPORTED);
  assert_int_equal(CUPTI(cuptiActivityDisable)(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL),
                   CUPTI_SUCCESS);
  launch("unseen", &stream_a, 1000);
  assert_int_equal(CUPTI(cuptiActivityEnable)(CUPTI_ACTIVITY_KIND_KERNEL), CUPTI_SUCCESS);
  launch("serial", &stream_a, 1000);
  flush();
  assert_int_equal(seen.n, 1);
  assert_int_equal(seen.record[0].kind, CUPTI_ACTIVITY_KIND_KERNEL);
  assert_string_equal(seen.record[0].u.kernel.name, "serial");
}

/* Buffers as the client gives them: at most maxNumRecords records each; none, or too small:
 * the records are dropped and counted, and the dropped count resets when read. */
static void test_buffers(void **state) {
  (void)state;
  size_t dropped = 1;
  __typeof__(cuptiActivityGetNumDroppedRecords) *get_dropped =
      CUPTI(cuptiActivityGetNumDroppedRecords);
  seen.max_records = 1;
  for (int i = 0; i < 3; i++) launch("one per buffer", &stream_a, 1000);
  flush();
  assert_int_equal(seen.n, 3);
  assert_int_equal(seen.buffers, 3);
  assert_int_equal(get_dropped(NULL, 0, &dropped), CUPTI_SUCCESS);
  assert_int_equal(dropped, 0);

  seen.decline = true;
  for (int i = 0; i < 4; i++) launch("declined", &stream_a, 1000);
  flush();
  seen.decline = false;
  seen.buffer_size = sizeof(CUpti_ActivityKernel10) - 8;
  launch("too big", &stream_a, 1000);
  flush();
  assert_int_equal(seen.n, 3);
  assert_int_equal(seen.empty_buffers, 1); /* handed back, so that the client can free it */
  assert_int_equal(get_dropped(NULL, 0, &dropped), CUPTI_SUCCESS);
  assert_int_equal(dropped, 5);
  assert_int_equal(get_dropped(NULL, 0, &dropped), CUPTI_SUCCESS);
  assert_int_equal(dropped, 0);
}

/* The walk, as the real function: by each kind's record size, to the end of the valid bytes. */
static void test_get_next_record(void **state) {
  (void)state;
  __typeof__(cuptiActivityGetNextRecord) *next = CUPTI(cuptiActivityGetNextRecord);
  _Alignas(8) uint8_t buffer[sizeof(CUpti_ActivityKernel10) + sizeof(CUpti_ActivityMemset4)] = {0};
  CUpti_ActivityKernel10 k = {.kind = CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL};
  CUpti_ActivityMemset4 m = {.kind = CUPTI_ACTIVITY_KIND_MEMSET};
  memcpy(buffer, &k, sizeof k);
  memcpy(buffer + sizeof k, &m, sizeof m);
  CUpti_Activity *r = NULL;
  assert_int_equal(next(buffer, 0, &r), CUPTI_ERROR_MAX_LIMIT_REACHED);
  assert_int_equal(next(NULL, sizeof buffer, &r), CUPTI_ERROR_INVALID_PARAMETER);
  assert_int_equal(next(buffer, sizeof buffer, &r), CUPTI_SUCCESS);
  assert_ptr_equal(r, buffer);
  assert_int_equal(next(buffer, sizeof buffer, &r), CUPTI_SUCCESS);
  assert_ptr_equal(r, buffer + sizeof k);
  assert_int_equal(next(buffer, sizeof buffer, &r), CUPTI_ERROR_MAX_LIMIT_REACHED);
  r = NULL; /* a record cut short */
  assert_int_equal(next(buffer, sizeof buffer - 8, &r), CUPTI_SUCCESS);
  assert_int_equal(next(buffer, sizeof buffer - 8, &r), CUPTI_ERROR_INVALID_KIND);
  r = NULL; /* a kind it does not know */
  buffer[sizeof k] = CUPTI_ACTIVITY_KIND_RUNTIME;
  assert_int_equal(next(buffer, sizeof buffer, &r), CUPTI_SUCCESS);
  assert_int_equal(next(buffer, sizeof buffer, &r), CUPTI_ERROR_INVALID_KIND);
}

/* With a flush period, buffers come from the double's own thread without a FlushAll. */
static void test_periodic_flush(void **state) {
  (void)state;
  assert_int_equal(CUPTI(cuptiActivityFlushPeriod)(10), CUPTI_SUCCESS);
  launch("periodic", &stream_a, 1000);
  size_t n = 0;
  for (int i = 0; i < 400 && !n; i++) {
    nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
    pthread_mutex_lock(&seen.lock);
    n = seen.n;
    pthread_mutex_unlock(&seen.lock);
  }
  assert_int_equal(CUPTI(cuptiActivityFlushPeriod)(0), CUPTI_SUCCESS);
  assert_int_equal(n, 1);
  assert_false(pthread_equal(seen.thread, pthread_self()));
}

/* Work launched on a capturing stream is kept, and launched again at each replay under one
 * correlation id, as the graph's nodes. */
static void test_capture_and_replay(void **state) {
  (void)state;
  CUPTI(mfu_fake_gpu_capture)(&stream_b, 42);
  assert_int_equal(launch("node 1", &stream_b, 2 * MS), 0);
  assert_int_equal(launch("node 2", &stream_b, 3 * MS), 0);
  CUPTI(mfu_fake_gpu_capture)(&stream_b, 0);
  flush();
  assert_int_equal(seen.n, 0);
  uint32_t c = CUPTI(mfu_fake_gpu_replay)(42, &stream_a);
  assert_int_equal(CUPTI(mfu_fake_gpu_replay)(42, &stream_a), c + 1);
  assert_int_equal(CUPTI(mfu_fake_gpu_replay)(43, &stream_a), 0); /* nothing captured */
  flush();
  assert_int_equal(seen.n, 4);
  for (size_t i = 0; i < 4; i++) {
    assert_int_equal(kernel(i)->correlationId, c + i / 2);
    assert_int_equal(kernel(i)->graphId, 42);
    assert_int_equal(kernel(i)->graphNodeId, 42ull << 32 | (i % 2 + 1));
    assert_string_equal(kernel(i)->name, i % 2 ? "node 2" : "node 1");
    assert_int_equal(kernel(i)->end - kernel(i)->start, (i % 2 ? 3 : 2) * MS);
    if (i) assert_int_equal(kernel(i)->start, kernel(i - 1)->end);
  }
}

/* ---- the other doubles on the fake GPU -------------------------------------------------- */

static const CUpti_ActivityKernel10 *only_kernel(void) {
  flush();
  assert_int_equal(seen.n, 1);
  const CUpti_ActivityKernel10 *k = kernel(0);
  seen.n = 0;
  return k;
}

static void test_cublas(void **state) {
  (void)state;
  cudaStream_t s;
  cublasHandle_t h;
  static char buf[64];
  const float one = 1;
  assert_int_equal(CUDART(cudaStreamCreate)(&s), cudaSuccess);
  assert_int_equal(CUBLAS(cublasCreate_v2)(&h), CUBLAS_STATUS_SUCCESS);
  assert_int_equal(CUBLAS(cublasSetStream_v2)(h, s), CUBLAS_STATUS_SUCCESS);

  assert_int_equal(CUBLAS(cublasGemmEx)(h, CUBLAS_OP_T, CUBLAS_OP_N, 1024, 512, 4096, &one, buf,
                                        CUDA_R_16BF, 4096, buf, CUDA_R_16BF, 4096, &one, buf,
                                        CUDA_R_16BF, 1024, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                   CUBLAS_STATUS_SUCCESS);
  const CUpti_ActivityKernel10 *k = only_kernel();
  assert_int_equal(k->end - k->start, fake_gemm_ns(2ull * 1024 * 512 * 4096));
  assert_non_null(strstr(k->name, "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n"));

  /* Sgemm follows the math mode; batches multiply. */
  CUBLAS(cublasSetMathMode)(h, CUBLAS_TF32_TENSOR_OP_MATH);
  CUBLAS(cublasSgemmStridedBatched)(h, CUBLAS_OP_N, CUBLAS_OP_N, 64, 32, 16, &one, (float *)buf,
                                    64, 0, (float *)buf, 16, 0, &one, (float *)buf, 64, 0, 10);
  k = only_kernel();
  assert_int_equal(k->end - k->start, fake_gemm_ns(2ull * 64 * 32 * 16 * 10));
  assert_non_null(strstr(k->name, "_f32f32_tf32f32_f32_nn_n"));

  /* Grouped: one kernel per group. */
  const cublasOperation_t ops[2] = {CUBLAS_OP_N, CUBLAS_OP_T};
  const int m[2] = {8, 16}, n[2] = {8, 16}, kk[2] = {8, 16}, ld[2] = {16, 16}, sizes[2] = {3, 1};
  const float alpha[2] = {1, 1};
  const float *arrays[4] = {0};
  CUBLAS(cublasSgemmGroupedBatched)(h, ops, ops, m, n, kk, alpha, arrays, ld, arrays, ld, alpha,
                                    (float *const *)arrays, ld, 2, sizes);
  flush();
  assert_int_equal(seen.n, 2);
  assert_int_equal(kernel(0)->end - kernel(0)->start, fake_gemm_ns(2ull * 8 * 8 * 8 * 3));
  assert_int_equal(kernel(1)->end - kernel(1)->start, fake_gemm_ns(2ull * 16 * 16 * 16));
  seen.n = 0;

  /* Memory-bound BLAS-1: bytes moved over the memory bandwidth. */
  assert_int_equal(CUBLAS(cublasSaxpy_v2)(h, 1000000, &one, (float *)buf, 1, (float *)buf, 1),
                   CUBLAS_STATUS_SUCCESS);
  k = only_kernel();
  assert_int_equal(k->end - k->start, fake_memory_ns(3ull * 1000000 * sizeof(float)));
  assert_string_equal(k->name, "_Z15axpy_kernel_valIffEv19cublasAxpyParamsValIT_S1_T0_E");
  assert_int_equal(CUBLAS(cublasSscal_v2)(h, 500, &one, (float *)buf, 1), CUBLAS_STATUS_SUCCESS);
  k = only_kernel();
  assert_int_equal(k->end - k->start, fake_memory_ns(2ull * 500 * sizeof(float)));
  assert_string_equal(k->name, "_Z15scal_kernel_valIffEv19cublasScalParamsValIT_T0_E");

  CUBLAS(cublasDestroy_v2)(h);
  CUDART(cudaStreamDestroy)(s);
}

static void test_cublaslt(void **state) {
  (void)state;
  cublasLtHandle_t h;
  cublasLtMatmulDesc_t desc;
  cublasLtMatrixLayout_t a, b, d;
  const int32_t t = CUBLAS_OP_T, batch = 4;
  const float one = 1;
  static char buf[64];
  CUBLASLT(cublasLtCreate)(&h);
  CUBLASLT(cublasLtMatmulDescCreate)(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F);
  CUBLASLT(cublasLtMatmulDescSetAttribute)(desc, CUBLASLT_MATMUL_DESC_TRANSA, &t, sizeof t);
  CUBLASLT(cublasLtMatrixLayoutCreate)(&a, CUDA_R_16F, 300, 100, 300); /* op(A) = A^T: 100 x 300 */
  CUBLASLT(cublasLtMatrixLayoutCreate)(&b, CUDA_R_16F, 300, 50, 300);
  CUBLASLT(cublasLtMatrixLayoutCreate)(&d, CUDA_R_16F, 100, 50, 100);
  CUBLASLT(cublasLtMatrixLayoutSetAttribute)(d, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &batch,
                                             sizeof batch);
  assert_int_equal(CUBLASLT(cublasLtMatmul)(h, desc, &one, buf, a, buf, b, &one, buf, d, buf, d,
                                            NULL, NULL, 0, (cudaStream_t)&stream_b),
                   CUBLAS_STATUS_SUCCESS);
  const CUpti_ActivityKernel10 *k = only_kernel();
  assert_int_equal(k->end - k->start, fake_gemm_ns(2ull * 100 * 50 * 300 * 4));
  assert_non_null(strstr(k->name, "_f16f16_f16f32_f32_tn_n"));
  CUBLASLT(cublasLtMatrixLayoutDestroy)(a);
  CUBLASLT(cublasLtMatrixLayoutDestroy)(b);
  CUBLASLT(cublasLtMatrixLayoutDestroy)(d);
  CUBLASLT(cublasLtMatmulDescDestroy)(desc);
  CUBLASLT(cublasLtDestroy)(h);
}

/* NCCL: bytes over the bus bandwidth; a group's kernels are launched by its outermost end. */
static void test_nccl(void **state) {
  (void)state;
  ncclUniqueId id;
  ncclComm_t comm;
  static char buf[64];
  cudaStream_t s = (cudaStream_t)&stream_b;
  assert_int_equal(pncclGetUniqueId(&id), ncclSuccess);
  assert_int_equal(pncclCommInitRank(&comm, 4, id, 1), ncclSuccess);
  assert_int_equal(pncclAllReduce(buf, buf, 1000000, ncclBfloat16, ncclSum, comm, s), ncclSuccess);
  const CUpti_ActivityKernel10 *k = only_kernel();
  assert_int_equal(k->end - k->start, fake_nccl_ns(2000000));
  assert_string_equal(k->name, "_Z40ncclDevKernel_AllReduce_Sum_bf16_RING_LL"
                               "24ncclDevKernelArgsStorageILm4096EE");

  pncclGroupStart();
  pncclGroupStart();
  pncclAllGather(buf, buf, 10000000, ncclFloat32, comm, s); /* long enough for the host */
  pncclSend(buf, 10, ncclInt8, 0, comm, s);
  pncclGroupEnd();
  flush();
  assert_int_equal(seen.n, 0);
  assert_int_equal(pncclGroupEnd(), ncclSuccess);
  flush();
  assert_int_equal(seen.n, 2);
  assert_int_equal(kernel(0)->end - kernel(0)->start, fake_nccl_ns(10000000ull * 4 * 4));
  assert_string_equal(kernel(0)->name,
                      "_Z31ncclDevKernel_AllGather_RING_LL24ncclDevKernelArgsStorageILm4096EE");
  assert_int_equal(kernel(1)->start, kernel(0)->end);
  assert_string_equal(kernel(1)->name,
                      "_Z22ncclDevKernel_SendRecv24ncclDevKernelArgsStorageILm4096EE");
  pncclCommDestroy(comm);
}

/* Copies, memsets, events, stream waits and queries on the fake GPU's time. */
static void test_runtime(void **state) {
  (void)state;
  cudaStream_t s, s2;
  cudaEvent_t e0, e1;
  void *dev;
  static char host[4096];
  assert_int_equal(CUDART(cudaStreamCreate)(&s), cudaSuccess);
  assert_int_equal(CUDART(cudaStreamCreate)(&s2), cudaSuccess);
  assert_int_equal(CUDART(cudaMalloc)(&dev, 1 << 20), cudaSuccess);

  assert_int_equal(CUDART(cudaMemcpy)(dev, host, sizeof host, cudaMemcpyHostToDevice), cudaSuccess);
  assert_int_equal(CUDART(cudaMemsetAsync)(dev, 0xab, 1 << 20, s), cudaSuccess);
  flush();
  assert_int_equal(seen.n, 2);
  const CUpti_ActivityMemcpy6 *c = &seen.record[0].u.memcpy;
  assert_int_equal(seen.record[0].kind, CUPTI_ACTIVITY_KIND_MEMCPY);
  assert_int_equal(c->copyKind, CUPTI_ACTIVITY_MEMCPY_KIND_HTOD);
  assert_int_equal(c->srcKind, CUPTI_ACTIVITY_MEMORY_KIND_PAGEABLE);
  assert_int_equal(c->dstKind, CUPTI_ACTIVITY_MEMORY_KIND_DEVICE);
  assert_int_equal(c->bytes, sizeof host);
  assert_int_equal(c->end - c->start, fake_copy_ns(sizeof host));
  assert_true(cupti_now() >= c->end); /* cudaMemcpy returned once it was done */
  const CUpti_ActivityMemset4 *m = &seen.record[1].u.memset;
  assert_int_equal(seen.record[1].kind, CUPTI_ACTIVITY_KIND_MEMSET);
  assert_int_equal(m->value, 0xab);
  assert_int_equal(m->bytes, 1 << 20);
  assert_int_equal(m->end - m->start, fake_copy_ns(1 << 20));
  seen.n = 0;

  /* Events take the stream's time: elapsed time is the fake GPU's, exactly. */
  CUDART(cudaEventCreate)(&e0);
  CUDART(cudaEventCreate)(&e1);
  launch("before", s, 20 * MS);
  CUDART(cudaEventRecord)(e0, s);
  launch("timed", s, 5 * MS);
  CUDART(cudaEventRecord)(e1, s);
  assert_int_equal(CUDART(cudaEventQuery)(e1), cudaErrorNotReady);
  assert_int_equal(CUDART(cudaStreamQuery)(s), cudaErrorNotReady);
  assert_int_equal(CUDART(cudaGetLastError)(), cudaSuccess); /* not an error */
  float ms = 0;
  assert_int_equal(CUDART(cudaEventElapsedTime)(&ms, e0, e1), cudaSuccess);
  assert_float_equal(ms, 5.0, 1e-6);
  /* s2 waits for e1: its work starts when s's does end. */
  assert_int_equal(CUDART(cudaStreamWaitEvent)(s2, e1, 0), cudaSuccess);
  launch("waited", s2, 1000);
  assert_int_equal(CUDART(cudaEventSynchronize)(e1), cudaSuccess);
  assert_int_equal(CUDART(cudaEventQuery)(e1), cudaSuccess);
  assert_int_equal(CUDART(cudaStreamQuery)(s), cudaSuccess);
  flush();
  assert_int_equal(seen.n, 3);
  assert_int_equal(kernel(2)->start, kernel(1)->end);
  CUDART(cudaStreamSynchronize)(s2);
  assert_true(cupti_now() >= kernel(2)->end);

  CUDART(cudaEventDestroy)(e0);
  CUDART(cudaEventDestroy)(e1);
  CUDART(cudaFree)(dev);
  CUDART(cudaStreamDestroy)(s);
  CUDART(cudaStreamDestroy)(s2);
}

/* A graph captured from cuBLAS calls launches their kernels again at each cudaGraphLaunch. */
static void test_graph(void **state) {
  (void)state;
  cudaStream_t s;
  cudaGraph_t g;
  cudaGraphExec_t exec;
  cublasHandle_t h;
  static float buf[64];
  const float one = 1;
  CUDART(cudaStreamCreate)(&s);
  CUBLAS(cublasCreate_v2)(&h);
  CUBLAS(cublasSetStream_v2)(h, s);
  assert_int_equal(CUDART(cudaStreamBeginCapture)(s, cudaStreamCaptureModeGlobal), cudaSuccess);
  CUBLAS(cublasSgemm_v2)(h, CUBLAS_OP_N, CUBLAS_OP_N, 128, 128, 128, &one, buf, 128, buf, 128,
                         &one, buf, 128);
  assert_int_equal(CUDART(cudaStreamEndCapture)(s, &g), cudaSuccess);
  assert_int_equal(CUDART(cudaGraphInstantiate)(&exec, g, 0), cudaSuccess);
  assert_int_equal(CUDART(cudaGraphDestroy)(g), cudaSuccess); /* the exec lives on */
  flush();
  assert_int_equal(seen.n, 0);
  for (int i = 0; i < 3; i++) assert_int_equal(CUDART(cudaGraphLaunch)(exec, s), cudaSuccess);
  flush();
  assert_int_equal(seen.n, 3);
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(kernel(i)->end - kernel(i)->start, fake_gemm_ns(2ull * 128 * 128 * 128));
    assert_int_not_equal(kernel(i)->graphId, 0);
    if (i) assert_int_equal(kernel(i)->correlationId, kernel(i - 1)->correlationId + 1);
  }
  CUDART(cudaGraphExecDestroy)(exec);
  CUBLAS(cublasDestroy_v2)(h);
  CUDART(cudaStreamDestroy)(s);
}

static int load(void **state) {
  (void)state;
  cupti_lib = lib("libcupti.so.13");
  cublas_lib = lib(STACK_SONAME("libcublas.so"));
  cublaslt_lib = lib(STACK_SONAME("libcublasLt.so"));
  cudart_lib = lib(STACK_SONAME("libcudart.so"));
  sym(cupti_lib, "mfu_fake_gpu_launch"); /* the double, not a real CUPTI */
  assert_int_equal(CUPTI(cuptiActivityRegisterCallbacks)(requested, completed), CUPTI_SUCCESS);
  assert_int_equal(CUPTI(cuptiActivityRegisterCallbacks)(NULL, completed),
                   CUPTI_ERROR_INVALID_PARAMETER);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_results_and_clock, fresh),
      cmocka_unit_test_setup(test_one_subscriber, fresh),
      cmocka_unit_test_setup(test_streams, fresh),
      cmocka_unit_test_setup(test_external_correlation, fresh),
      cmocka_unit_test_setup(test_kinds, fresh),
      cmocka_unit_test_setup(test_buffers, fresh),
      cmocka_unit_test_setup(test_get_next_record, fresh),
      cmocka_unit_test_setup(test_periodic_flush, fresh),
      cmocka_unit_test_setup(test_capture_and_replay, fresh),
      cmocka_unit_test_setup(test_cublas, fresh),
      cmocka_unit_test_setup(test_cublaslt, fresh),
      cmocka_unit_test_setup(test_nccl, fresh),
      cmocka_unit_test_setup(test_runtime, fresh),
      cmocka_unit_test_setup(test_graph, fresh),
  };
  return cmocka_run_group_tests(tests, load, NULL);
}
