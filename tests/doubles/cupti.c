/* Test double of CUPTI (libcupti.so.13; built with MFU_DOUBLE_CUPTI_MAJOR=12, libcupti.so.12):
 * the Activity API as a tracer uses it, over the fake GPU (fake_gpu.h) on which the other
 * doubles launch their work.
 *
 * Each launch gets a correlation id. For the kinds enabled with cuptiActivityEnable
 * (CONCURRENT_KERNEL or KERNEL, MEMCPY, MEMSET) its record is queued, in CUDA 13.0's layout
 * (CUpti_ActivityKernel10, CUpti_ActivityMemcpy6, CUpti_ActivityMemset4), or as CUPTI 12.4
 * (API version 22) hands them out, CUpti_ActivityKernel9 and CUpti_ActivityMemcpy5 (CUDA 13
 * keeps their definitions in cupti_activity_deprecated.h); with
 * EXTERNAL_CORRELATION enabled it is preceded, as with the real library, by one
 * CUpti_ActivityExternalCorrelation per external kind whose stack (per thread, Push/Pop) is not
 * empty, carrying the top id. RUNTIME and DRIVER can be enabled but yield no records; other
 * kinds are not modelled: enabling one fails with CUPTI_ERROR_NOT_SUPPORTED. The Callback API is not modelled either: subscribers are counted
 * (one at a time, as before CUDA 13.2) but never called.
 *
 * Queued records are packed back to back, each the size of its kind's record, into buffers
 * asked of the client's bufferRequested, and handed to its bufferCompleted by
 * cuptiActivityFlushAll, or by a thread of this library every cuptiActivityFlushPeriod ms and
 * whenever 4 MiB are queued; buffers are 8-byte aligned, records walked by
 * cuptiActivityGetNextRecord by the sizes of their kinds. Records that find no buffer (declined,
 * misaligned or too small) or no room in the queue (32 MiB) are dropped and counted.
 *
 * MFU_DOUBLE_CUPTI_BUSY=1 makes every cuptiSubscribe fail as when another tool holds CUPTI;
 * MFU_DOUBLE_CUPTI_VERSION=N makes cuptiGetVersion say N (a CUPTI a tracer may not know).
 * CUDA and CUPTI are not usable in a forked child (the real ones hang or fail there): a
 * cuptiActivityFlushAll in a process other than the one that registered the callbacks says so
 * on stderr and aborts, so that a client that calls CUPTI after fork is caught.
 * Thread-safe: one lock for the fake GPU and the queue, never held while calling the client. */
#include <cupti.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(MFU_DOUBLE_CUPTI_MAJOR) && MFU_DOUBLE_CUPTI_MAJOR == 12
typedef CUpti_ActivityKernel9 double_kernel_record;
typedef CUpti_ActivityMemcpy5 double_memcpy_record;
#define DOUBLE_CUPTI_VERSION 22u /* CUDA 12.4 */
#else
typedef CUpti_ActivityKernel10 double_kernel_record;
typedef CUpti_ActivityMemcpy6 double_memcpy_record;
#define DOUBLE_CUPTI_VERSION ((uint32_t)CUPTI_API_VERSION)
#endif

#include "doubles.h"

#define WAKE_BYTES ((size_t)4 << 20)    /* queued bytes that wake the flush thread */
#define MAX_QUEUE ((size_t)32 << 20)    /* queued bytes beyond which records are dropped */
#define EXTERNAL_DEPTH 64               /* per kind and thread */
#define CONTEXT_ID 1u
#define DEVICE_ID 0u
#define EXPORT __attribute__((visibility("default"))) /* the fake GPU, for the other doubles */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* all the state below */

/* A forked child (a DataLoader worker) must not inherit the lock held by another thread. */
static void lock_for_fork(void) { pthread_mutex_lock(&lock); }
static void unlock_after_fork(void) { pthread_mutex_unlock(&lock); }
__attribute__((constructor)) static void fork_safe(void) {
  pthread_atfork(lock_for_fork, unlock_after_fork, unlock_after_fork);
}

/* ---- results ---------------------------------------------------------------------------- */

#define RESULTS(X)                                                                                 \
  X(CUPTI_SUCCESS) X(CUPTI_ERROR_INVALID_PARAMETER) X(CUPTI_ERROR_INVALID_OPERATION)               \
  X(CUPTI_ERROR_OUT_OF_MEMORY) X(CUPTI_ERROR_MAX_LIMIT_REACHED) X(CUPTI_ERROR_NOT_INITIALIZED)     \
  X(CUPTI_ERROR_QUEUE_EMPTY) X(CUPTI_ERROR_INVALID_KIND) X(CUPTI_ERROR_NOT_SUPPORTED)              \
  X(CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED) X(CUPTI_ERROR_UNKNOWN)

/* The results this double returns, and a few common ones; any other is "invalid" here. */
CUptiResult cuptiGetResultString(CUptiResult result, const char **str) {
  if (!str) return CUPTI_ERROR_INVALID_PARAMETER;
  switch (result) {
#define NAME(r) \
  case r:       \
    *str = #r;  \
    return CUPTI_SUCCESS;
    RESULTS(NAME)
#undef NAME
  default:
    return CUPTI_ERROR_INVALID_PARAMETER;
  }
}

CUptiResult cuptiGetVersion(uint32_t *version) {
  if (!version) return CUPTI_ERROR_INVALID_PARAMETER;
  const char *said = getenv("MFU_DOUBLE_CUPTI_VERSION");
  *version = said && *said ? (uint32_t)strtoul(said, NULL, 10) : DOUBLE_CUPTI_VERSION;
  return CUPTI_SUCCESS;
}

CUptiResult cuptiGetTimestamp(uint64_t *timestamp) {
  if (!timestamp) return CUPTI_ERROR_INVALID_PARAMETER;
  *timestamp = double_now_ns() + FAKE_CUPTI_CLOCK_OFFSET_NS;
  return CUPTI_SUCCESS;
}

/* ---- subscribers ------------------------------------------------------------------------ */

struct CUpti_Subscriber_st {
  CUpti_CallbackFunc callback; /* kept, never called */
  void *userdata;
};
static struct CUpti_Subscriber_st subscriber;
static bool subscribed;

CUptiResult cuptiSubscribe(CUpti_SubscriberHandle *handle, CUpti_CallbackFunc callback,
                           void *userdata) {
  if (!handle) return CUPTI_ERROR_INVALID_PARAMETER;
  const char *busy = getenv("MFU_DOUBLE_CUPTI_BUSY");
  CUptiResult r = CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED;
  pthread_mutex_lock(&lock);
  if (!subscribed && !(busy && strcmp(busy, "1") == 0)) {
    subscribed = true;
    subscriber = (struct CUpti_Subscriber_st){callback, userdata};
    *handle = &subscriber;
    r = CUPTI_SUCCESS;
  }
  pthread_mutex_unlock(&lock);
  return r;
}

CUptiResult cuptiUnsubscribe(CUpti_SubscriberHandle handle) {
  CUptiResult r = CUPTI_ERROR_INVALID_PARAMETER;
  pthread_mutex_lock(&lock);
  if (subscribed && handle == &subscriber) {
    subscribed = false;
    r = CUPTI_SUCCESS;
  }
  pthread_mutex_unlock(&lock);
  return r;
}

/* ---- activity kinds and records --------------------------------------------------------- */

static uint64_t enabled; /* bit per CUpti_ActivityKind */

static size_t record_size(CUpti_ActivityKind kind) {
  switch (kind) {
  case CUPTI_ACTIVITY_KIND_KERNEL:
  case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL: return sizeof(double_kernel_record);
  case CUPTI_ACTIVITY_KIND_MEMCPY: return sizeof(double_memcpy_record);
  case CUPTI_ACTIVITY_KIND_MEMSET: return sizeof(CUpti_ActivityMemset4);
  case CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION: return sizeof(CUpti_ActivityExternalCorrelation);
  default: return 0; /* not modelled */
  }
}

static bool is_enabled(CUpti_ActivityKind kind) { return enabled >> kind & 1; }

static CUptiResult set_enabled(CUpti_ActivityKind kind, bool on) {
  /* API records are accepted (a tracer enables them so that external correlation works) but
   * not emitted: nothing here is a runtime or driver call. */
  if (kind == CUPTI_ACTIVITY_KIND_RUNTIME || kind == CUPTI_ACTIVITY_KIND_DRIVER) return CUPTI_SUCCESS;
  if (!record_size(kind)) return CUPTI_ERROR_NOT_SUPPORTED;
  pthread_mutex_lock(&lock);
  enabled = on ? enabled | 1ull << kind : enabled & ~(1ull << kind);
  pthread_mutex_unlock(&lock);
  return CUPTI_SUCCESS;
}

CUptiResult cuptiActivityEnable(CUpti_ActivityKind kind) { return set_enabled(kind, true); }
CUptiResult cuptiActivityDisable(CUpti_ActivityKind kind) { return set_enabled(kind, false); }

/* The kind of the record at p (which may be unaligned: the client's buffer). */
static CUpti_ActivityKind kind_at(const uint8_t *p) {
  CUpti_ActivityKind kind;
  memcpy(&kind, p, sizeof kind);
  return kind;
}

CUptiResult cuptiActivityGetNextRecord(uint8_t *buffer, size_t valid, CUpti_Activity **record) {
  if (!buffer || !record) return CUPTI_ERROR_INVALID_PARAMETER;
  size_t at = 0;
  if (*record) {
    const uint8_t *prev = (const uint8_t *)*record;
    if (prev < buffer || prev >= buffer + valid) return CUPTI_ERROR_INVALID_PARAMETER;
    size_t size = record_size(kind_at(prev));
    if (!size) return CUPTI_ERROR_INVALID_KIND;
    at = (size_t)(prev - buffer) + size;
  }
  if (at >= valid) return CUPTI_ERROR_MAX_LIMIT_REACHED;
  size_t size = valid - at >= sizeof(CUpti_Activity) ? record_size(kind_at(buffer + at)) : 0;
  if (!size || size > valid - at) return CUPTI_ERROR_INVALID_KIND; /* unknown or cut short */
  *record = (CUpti_Activity *)(buffer + at);
  return CUPTI_SUCCESS;
}

/* ---- the queue of records, and their delivery ------------------------------------------- */

static struct queue {
  uint8_t *bytes;
  size_t used, size;
} queue;
static size_t dropped;
static CUpti_BuffersCallbackRequestFunc requested;
static CUpti_BuffersCallbackCompleteFunc completed;
static pid_t registered_by; /* the process that registered them */
static pthread_cond_t wake_flusher = PTHREAD_COND_INITIALIZER;
static uint32_t flush_period_ms;

static void enqueue(const void *record, size_t size) {
  if (queue.used + size > queue.size) {
    size_t grown = queue.size ? queue.size * 2 : 64 << 10;
    uint8_t *bytes = grown <= MAX_QUEUE ? realloc(queue.bytes, grown) : NULL;
    if (!bytes) {
      dropped++;
      return;
    }
    queue = (struct queue){bytes, queue.used, grown};
  }
  memcpy(queue.bytes + queue.used, record, size);
  queue.used += size;
  if (queue.used >= WAKE_BYTES && queue.used - size < WAKE_BYTES)
    pthread_cond_signal(&wake_flusher);
}

/* Hands every queued record to the client. Deliveries are serialized, so that a FlushAll
 * returns only once everything queued before it has been handed over. */
static void deliver(void) {
  static pthread_mutex_t delivering = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&delivering);
  pthread_mutex_lock(&lock);
  struct queue q = queue;
  queue = (struct queue){0};
  CUpti_BuffersCallbackRequestFunc request = requested;
  CUpti_BuffersCallbackCompleteFunc complete = completed;
  pthread_mutex_unlock(&lock);

  size_t at = 0, lost = 0;
  while (at < q.used) {
    uint8_t *buffer = NULL;
    size_t size = 0, max_records = 0, valid = 0, records = 0;
    request(&buffer, &size, &max_records);
    bool usable = buffer && (uintptr_t)buffer % ACTIVITY_RECORD_ALIGNMENT == 0;
    while (usable && at < q.used && (!max_records || records < max_records)) {
      size_t n = record_size(kind_at(q.bytes + at));
      if (n > size - valid) break;
      memcpy(buffer + valid, q.bytes + at, n);
      valid += n;
      at += n;
      records++;
    }
    if (!records) /* no buffer, or one too small for the next record: the rest is lost */
      for (; at < q.used; at += record_size(kind_at(q.bytes + at))) lost++;
    if (buffer) complete(NULL, 0, buffer, size, valid);
  }
  free(q.bytes);
  pthread_mutex_lock(&lock);
  dropped += lost;
  pthread_mutex_unlock(&lock);
  pthread_mutex_unlock(&delivering);
}

/* Waits (with the lock) for the flush period to pass, or for a wake-up. */
static void wait_for_flush(void) {
  if (!flush_period_ms) {
    pthread_cond_wait(&wake_flusher, &lock);
    return;
  }
  struct timespec t; /* the condition variable's clock: CLOCK_REALTIME */
  clock_gettime(CLOCK_REALTIME, &t);
  uint64_t ns = (uint64_t)t.tv_nsec + (uint64_t)flush_period_ms * 1000000u;
  t.tv_sec += (time_t)(ns / 1000000000u);
  t.tv_nsec = (long)(ns % 1000000000u);
  pthread_cond_timedwait(&wake_flusher, &lock, &t);
}

/* The flush thread: delivers every flush period (if one is set), and whenever the queue is
 * large, at once if it grew large during the last delivery. */
static void *flusher(void *unused) {
  (void)unused;
  pthread_mutex_lock(&lock);
  for (;;) {
    if (queue.used < WAKE_BYTES) wait_for_flush();
    if (!queue.used) continue;
    pthread_mutex_unlock(&lock);
    deliver();
    pthread_mutex_lock(&lock);
  }
  return NULL;
}

static void start_flusher(void) {
  /* Signals stay with the program's threads, as they would without this library. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t thread;
  if (pthread_create(&thread, NULL, flusher, NULL) == 0) pthread_detach(thread);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}

CUptiResult cuptiActivityRegisterCallbacks(CUpti_BuffersCallbackRequestFunc request,
                                           CUpti_BuffersCallbackCompleteFunc complete) {
  if (!request || !complete) return CUPTI_ERROR_INVALID_PARAMETER;
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, start_flusher);
  pthread_mutex_lock(&lock);
  requested = request;
  completed = complete;
  registered_by = getpid();
  pthread_mutex_unlock(&lock);
  return CUPTI_SUCCESS;
}

CUptiResult cuptiActivityFlushPeriod(uint32_t ms) {
  pthread_mutex_lock(&lock);
  flush_period_ms = ms;
  pthread_cond_signal(&wake_flusher);
  pthread_mutex_unlock(&lock);
  return CUPTI_SUCCESS;
}

/* Forced or not, everything queued is handed over: the fake GPU's records are complete when
 * queued (a record may end in the future, when the host has run ahead). */
CUptiResult cuptiActivityFlushAll(uint32_t flag) {
  (void)flag;
  pthread_mutex_lock(&lock);
  bool registered = requested != NULL;
  pid_t by = registered_by;
  pthread_mutex_unlock(&lock);
  if (registered && by != getpid()) {
    static const char msg[] = "libcupti double: cuptiActivityFlushAll in a forked child\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    abort();
  }
  if (!registered) return CUPTI_ERROR_INVALID_OPERATION;
  deliver();
  return CUPTI_SUCCESS;
}

CUptiResult cuptiActivityGetNumDroppedRecords(CUcontext context, uint32_t stream_id,
                                              size_t *count) {
  (void)context, (void)stream_id;
  if (!count) return CUPTI_ERROR_INVALID_PARAMETER;
  pthread_mutex_lock(&lock);
  *count = dropped;
  dropped = 0; /* as documented: reset by reading */
  pthread_mutex_unlock(&lock);
  return CUPTI_SUCCESS;
}

/* ---- external correlation: a stack per kind and thread ---------------------------------- */

static _Thread_local struct {
  uint64_t id[CUPTI_EXTERNAL_CORRELATION_KIND_SIZE][EXTERNAL_DEPTH];
  unsigned depth[CUPTI_EXTERNAL_CORRELATION_KIND_SIZE];
} external;

static bool valid_external_kind(CUpti_ExternalCorrelationKind kind) {
  return kind > CUPTI_EXTERNAL_CORRELATION_KIND_INVALID &&
         kind < CUPTI_EXTERNAL_CORRELATION_KIND_SIZE;
}

CUptiResult cuptiActivityPushExternalCorrelationId(CUpti_ExternalCorrelationKind kind,
                                                   uint64_t id) {
  if (!valid_external_kind(kind)) return CUPTI_ERROR_INVALID_PARAMETER;
  if (external.depth[kind] == EXTERNAL_DEPTH) return CUPTI_ERROR_OUT_OF_MEMORY;
  external.id[kind][external.depth[kind]++] = id;
  return CUPTI_SUCCESS;
}

CUptiResult cuptiActivityPopExternalCorrelationId(CUpti_ExternalCorrelationKind kind,
                                                  uint64_t *last) {
  if (!valid_external_kind(kind)) return CUPTI_ERROR_INVALID_PARAMETER;
  if (!external.depth[kind]) return CUPTI_ERROR_QUEUE_EMPTY;
  uint64_t id = external.id[kind][--external.depth[kind]];
  if (last) *last = id;
  return CUPTI_SUCCESS;
}

/* One record per external kind in use on the calling thread, for correlation id `c`. */
static void correlate(uint32_t c) {
  if (!is_enabled(CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION)) return;
  for (int kind = 0; kind < CUPTI_EXTERNAL_CORRELATION_KIND_SIZE; kind++)
    if (external.depth[kind]) {
      CUpti_ActivityExternalCorrelation r = {
          .kind = CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION,
          .externalKind = (CUpti_ExternalCorrelationKind)kind,
          .externalId = external.id[kind][external.depth[kind] - 1],
          .correlationId = c};
      enqueue(&r, sizeof r);
    }
}

/* ---- the fake GPU ----------------------------------------------------------------------- */

struct stream {
  const void *handle;
  uint32_t id;            /* CUPTI stream id */
  uint64_t end_ns;        /* when its last work ends */
  struct capture *capture; /* being captured into, or NULL */
  struct stream *next;
};

struct capture {
  uint64_t id;
  struct fake_work *work; /* names interned */
  size_t n, size;
  struct capture *next;
};

struct name {
  struct name *next;
  char text[];
};

static struct stream *streams;
static struct capture *captures;
static struct name *names;
static uint32_t last_correlation, last_stream_id;
static int64_t last_grid_id;

/* Kernel names live as long as the process: records point to them. */
static const char *intern(const char *text) {
  if (!text) text = "";
  for (struct name *n = names; n; n = n->next)
    if (strcmp(n->text, text) == 0) return n->text;
  size_t len = strlen(text) + 1;
  struct name *n = malloc(sizeof *n + len);
  if (!n) return "";
  memcpy(n->text, text, len);
  n->next = names;
  names = n;
  return n->text;
}

/* The legacy default stream: NULL or cudaStreamLegacy. Its work is ordered with its own only,
 * but waiting for it waits for the whole device, as it synchronizes with the other streams. */
static bool is_legacy(const void *handle) {
  return handle == NULL || handle == (void *)cudaStreamLegacy;
}

/* The fake stream behind a cudaStream_t (made on first use); NULL if out of memory.
 * cudaStreamPerThread is one stream per thread. */
static struct stream *stream_of(void *handle) {
  static _Thread_local char per_thread;
  if (is_legacy(handle)) handle = NULL;
  if (handle == (void *)cudaStreamPerThread) handle = &per_thread;
  for (struct stream *s = streams; s; s = s->next)
    if (s->handle == handle) return s;
  struct stream *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  *s = (struct stream){.handle = handle, .id = ++last_stream_id, .next = streams};
  return streams = s;
}

static struct capture *capture_of(uint64_t id, bool make) {
  for (struct capture *c = captures; c; c = c->next)
    if (c->id == id) return c;
  struct capture *c = make ? calloc(1, sizeof *c) : NULL;
  if (!c) return NULL;
  *c = (struct capture){.id = id, .next = captures};
  return captures = c;
}

static void keep(struct capture *c, const struct fake_work *work) {
  if (c->n == c->size) {
    size_t size = c->size ? 2 * c->size : 16;
    struct fake_work *grown = realloc(c->work, size * sizeof *grown);
    if (!grown) return;
    c->work = grown;
    c->size = size;
  }
  c->work[c->n] = *work;
  c->work[c->n++].name = intern(work->name);
}

/* Runs `work` on stream s: its interval, and its record if its kind is enabled. */
static void run(struct stream *s, const struct fake_work *work, uint32_t correlation,
                uint32_t graph, uint64_t graph_node) {
  uint64_t now = double_now_ns();
  uint64_t start = s->end_ns > now ? s->end_ns : now;
  uint64_t end = start + (work->duration_ns < FAKE_MAX_NS ? work->duration_ns : FAKE_MAX_NS);
  s->end_ns = end;
  start += FAKE_CUPTI_CLOCK_OFFSET_NS;
  end += FAKE_CUPTI_CLOCK_OFFSET_NS;
  switch (work->kind) {
  case FAKE_KERNEL: {
    CUpti_ActivityKind kind = is_enabled(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL)
                                  ? CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL
                                  : CUPTI_ACTIVITY_KIND_KERNEL;
    if (!is_enabled(kind)) return;
    double_kernel_record r = {
        .kind = kind, .registersPerThread = 128, .start = start, .end = end, .completed = end,
        .deviceId = DEVICE_ID, .contextId = CONTEXT_ID, .streamId = s->id,
        .gridX = 132, .gridY = 1, .gridZ = 1, .blockX = 256, .blockY = 1, .blockZ = 1,
        .correlationId = correlation, .gridId = ++last_grid_id,
        .name = intern(work->name), .launchType = CUPTI_ACTIVITY_LAUNCH_TYPE_REGULAR,
        .graphNodeId = graph_node, .graphId = graph,
        .clusterX = 1, .clusterY = 1, .clusterZ = 1};
    enqueue(&r, sizeof r);
    return;
  }
  case FAKE_MEMCPY: {
    if (!is_enabled(CUPTI_ACTIVITY_KIND_MEMCPY)) return;
    static const uint8_t copy_kind[2][2] = {
        {CUPTI_ACTIVITY_MEMCPY_KIND_HTOH, CUPTI_ACTIVITY_MEMCPY_KIND_HTOD},
        {CUPTI_ACTIVITY_MEMCPY_KIND_DTOH, CUPTI_ACTIVITY_MEMCPY_KIND_DTOD}}; /* [src][dst] */
    static const uint8_t memory_kind[2] = {CUPTI_ACTIVITY_MEMORY_KIND_PAGEABLE,
                                           CUPTI_ACTIVITY_MEMORY_KIND_DEVICE}; /* [on device] */
    double_memcpy_record r = {
        .kind = CUPTI_ACTIVITY_KIND_MEMCPY,
        .copyKind = copy_kind[work->src_device][work->dst_device],
        .srcKind = memory_kind[work->src_device], .dstKind = memory_kind[work->dst_device],
        .bytes = work->bytes, .start = start, .end = end, .deviceId = DEVICE_ID,
        .contextId = CONTEXT_ID, .streamId = s->id, .correlationId = correlation,
        .runtimeCorrelationId = correlation, .graphNodeId = graph_node, .graphId = graph};
#if !defined(MFU_DOUBLE_CUPTI_MAJOR) || MFU_DOUBLE_CUPTI_MAJOR != 12
    r.copyCount = 1; /* from Memcpy6 on */
#endif
    enqueue(&r, sizeof r);
    return;
  }
  case FAKE_MEMSET: {
    if (!is_enabled(CUPTI_ACTIVITY_KIND_MEMSET)) return;
    CUpti_ActivityMemset4 r = {
        .kind = CUPTI_ACTIVITY_KIND_MEMSET, .value = work->value, .bytes = work->bytes,
        .start = start, .end = end, .deviceId = DEVICE_ID, .contextId = CONTEXT_ID,
        .streamId = s->id, .correlationId = correlation,
        .memoryKind = CUPTI_ACTIVITY_MEMORY_KIND_DEVICE, .graphNodeId = graph_node,
        .graphId = graph};
    enqueue(&r, sizeof r);
    return;
  }
  }
}

EXPORT uint32_t mfu_fake_gpu_launch(const struct fake_work *work) {
  uint32_t correlation = 0;
  pthread_mutex_lock(&lock);
  struct stream *s = stream_of(work->stream);
  if (s && s->capture) {
    keep(s->capture, work);
  } else if (s) {
    correlation = ++last_correlation;
    correlate(correlation);
    run(s, work, correlation, 0, 0);
  }
  pthread_mutex_unlock(&lock);
  return correlation;
}

EXPORT uint32_t mfu_fake_gpu_replay(uint64_t capture_id, void *stream) {
  uint32_t correlation = 0;
  pthread_mutex_lock(&lock);
  struct capture *c = capture_of(capture_id, false);
  struct stream *s = stream_of(stream);
  if (c && c->n && s && s->capture) { /* a graph launched into a capture: its work is kept */
    for (size_t i = 0; i < c->n; i++) keep(s->capture, &c->work[i]);
  } else if (c && c->n && s) {
    correlation = ++last_correlation;
    correlate(correlation);
    for (size_t i = 0; i < c->n; i++)
      run(s, &c->work[i], correlation, (uint32_t)capture_id, capture_id << 32 | (i + 1));
  }
  pthread_mutex_unlock(&lock);
  return correlation;
}

EXPORT void mfu_fake_gpu_capture(void *stream, uint64_t capture_id) {
  pthread_mutex_lock(&lock);
  struct stream *s = stream_of(stream);
  struct capture *c = capture_id ? capture_of(capture_id, true) : NULL;
  if (c) c->n = 0; /* a capture id is never reused; start afresh if it were */
  if (s) s->capture = c;
  pthread_mutex_unlock(&lock);
}

EXPORT uint64_t mfu_fake_gpu_idle_at(void *stream) {
  uint64_t t = double_now_ns();
  pthread_mutex_lock(&lock);
  if (!is_legacy(stream)) {
    struct stream *s = stream_of(stream);
    if (s && s->end_ns > t) t = s->end_ns;
  } else {
    for (struct stream *s = streams; s; s = s->next)
      if (s->end_ns > t) t = s->end_ns;
  }
  pthread_mutex_unlock(&lock);
  return t;
}

EXPORT void mfu_fake_gpu_sync(void *stream) {
  double_sleep_until(mfu_fake_gpu_idle_at(stream));
}

EXPORT void mfu_fake_gpu_wait(void *stream, uint64_t t_ns) {
  pthread_mutex_lock(&lock);
  struct stream *s = stream_of(stream);
  if (s && s->end_ns < t_ns) s->end_ns = t_ns;
  pthread_mutex_unlock(&lock);
}
