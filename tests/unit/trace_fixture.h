/* trace_fixture: builds trace files by hand from the structs of include/mfu/trace.h (header,
 * STRINGS, RECORDS and END blocks with correct checksums), so that the analyzer's tests do
 * not depend on the shim's writer. They are version 1 files (fixed-size records), which
 * readers keep reading; the shim writes version 2, which test_trace_v2 covers.
 *
 *     struct fx fx;
 *     fx_begin(&fx, "job", 0, 2);            // rank 0 of 2
 *     fx_api_names(&fx);                     // STRINGS block naming every API
 *     struct mfu_record r[] = {fx_gemm(&fx, MFU_API_cublasGemmEx, 64, 64, 64, MFU_PREC_BF16, 0),
 *                              fx_nccl(&fx, MFU_API_ncclAllReduce, MFU_NCCL_ALLREDUCE, 1024,
 *                                      9, 2, 0)};      // 1024 bf16 (ncclBfloat16) on 2 ranks
 *     fx_records(&fx, r, 2);                 // or fx_records_shuffled: out of time order
 *     fx_end(&fx);                           // END block
 *     fx_header(&fx, MFU_FILE_COMPLETE);     // (re)writes the header, as each flush does
 *     fx_save(&fx, "dir/x.mfutrace", fx.len);
 *     fx_free(&fx);
 *
 * Tests may change fx.h before fx_header to forge headers; fx.block_start[] and
 * fx.block_records[] say where each block starts and how many records it holds. */
#ifndef MFU_TRACE_FIXTURE_H
#define MFU_TRACE_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mfu/api.h"
#include "mfu/nccl.h"
#include "mfu/precision.h"
#include "mfu/trace.h"

#define FX_MAX_BLOCKS 64
#define FX_START_REALTIME_NS 1700000000000000000ull /* 2023-11-14 22:13:20 UTC */
#define FX_START_MONOTONIC_NS 1000000000ull

struct fx {
  unsigned char *buf;
  size_t len, cap;
  struct mfu_file_header h;
  uint64_t seq, records, clock_ns;
  size_t nblocks;
  size_t block_start[FX_MAX_BLOCKS];
  uint32_t block_records[FX_MAX_BLOCKS];
};

static inline void fx_append(struct fx *fx, const void *p, size_t n) {
  if (fx->len + n > fx->cap) {
    fx->cap = 2 * (fx->len + n);
    fx->buf = realloc(fx->buf, fx->cap);
    if (!fx->buf) abort();
  }
  memcpy(fx->buf + fx->len, p, n);
  fx->len += n;
}

/* A header like the shim's at start (not yet complete); room for it at offset 0. */
static inline void fx_begin(struct fx *fx, const char *job_id, int rank, int world_size) {
  *fx = (struct fx){.clock_ns = FX_START_MONOTONIC_NS + 1000};
  struct mfu_file_header *h = &fx->h;
  memcpy(h->magic, MFU_TRACE_MAGIC, sizeof h->magic);
  h->version = 1;
  h->header_size = MFU_HEADER_SIZE;
  h->byte_order = MFU_BYTE_ORDER_MARK;
  h->record_size = MFU_RECORD_V1_SIZE;
  snprintf(h->shim_version, sizeof h->shim_version, "0.1.0");
  h->pid = 1000 + rank;
  h->ppid = 1;
  h->rank = rank;
  h->local_rank = rank;
  h->world_size = world_size;
  h->hooks_resolved = MFU_HOOK_CUBLAS | MFU_HOOK_CUBLASLT;
  h->start_realtime_ns = FX_START_REALTIME_NS;
  h->start_monotonic_ns = FX_START_MONOTONIC_NS;
  snprintf(h->job_id, sizeof h->job_id, "%s", job_id);
  snprintf(h->hostname, sizeof h->hostname, "node%d", rank < 0 ? 0 : rank / 8);
  snprintf(h->cmdline, sizeof h->cmdline, "python train.py --rank %d", rank);
  fx_append(fx, h, sizeof *h);
}

/* Writes fx->h at offset 0 with `flags`, the counters so far and its checksum. */
static inline void fx_header(struct fx *fx, uint32_t flags) {
  fx->h.flags = flags;
  fx->h.records_written = fx->records;
  fx->h.blocks_written = fx->seq;
  fx->h.end_monotonic_ns = fx->clock_ns;
  fx->h.checksum = mfu_header_checksum(&fx->h);
  memcpy(fx->buf, &fx->h, sizeof fx->h);
}

/* A block with the next sequence number and a correct checksum. */
static inline void fx_block(struct fx *fx, uint16_t type, uint32_t count, const void *payload,
                            uint32_t size) {
  struct mfu_block_header bh = {.magic = MFU_BLOCK_MAGIC, .type = type, .count = count,
                                .payload_size = size, .seq = fx->seq++};
  bh.checksum = mfu_block_checksum(&bh, payload);
  if (fx->nblocks < FX_MAX_BLOCKS) {
    fx->block_start[fx->nblocks] = fx->len;
    fx->block_records[fx->nblocks++] = type == MFU_BLOCK_RECORDS ? count : 0;
  }
  fx_append(fx, &bh, sizeof bh);
  if (size) fx_append(fx, payload, size);
  if (type == MFU_BLOCK_RECORDS) fx->records += count;
}

static inline void fx_strings(struct fx *fx, size_t n, const uint32_t *ids,
                              const char *const *names) {
  struct fx payload = {0};
  for (size_t i = 0; i < n; i++) {
    struct mfu_string e = {ids[i], (uint32_t)strlen(names[i])};
    static const char zeros[8];
    fx_append(&payload, &e, sizeof e);
    fx_append(&payload, names[i], e.len);
    fx_append(&payload, zeros, 8 - e.len % 8); /* the NUL, then up to a multiple of 8 */
  }
  fx_block(fx, MFU_BLOCK_STRINGS, (uint32_t)n, payload.buf, (uint32_t)payload.len);
  free(payload.buf);
}

/* The first STRINGS block of a trace: the names of every API, as the shim writes it. */
static inline void fx_api_names(struct fx *fx) {
  uint32_t ids[MFU_API_COUNT];
  const char *names[MFU_API_COUNT];
  size_t n = 0;
  for (unsigned id = 1; id < MFU_API_COUNT; id++) {
    ids[n] = id;
    names[n++] = mfu_api_name(id);
  }
  fx_strings(fx, n, ids, names);
}

/* A GEMM record as the shim fills it: 2mnk FLOPs when status is 0, none otherwise. */
static inline struct mfu_record fx_gemm(struct fx *fx, unsigned api, int64_t m, int64_t n,
                                        int64_t k, unsigned precision, int status) {
  struct mfu_record r = {.kind = MFU_REC_GEMM, .api = (uint16_t)api, .status = status,
                         .tid = 4242, .t_start_ns = fx->clock_ns, .t_end_ns = fx->clock_ns + 500};
  fx->clock_ns += 1000;
  r.flops = status ? 0 : (uint64_t)(2 * m * n * k);
  r.u.gemm = (struct mfu_gemm){.m = m, .n = n, .k = k, .batch = 1, .groups = 1,
                               .precision = (uint8_t)precision, .a_type = -1, .b_type = -1,
                               .c_type = -1, .compute_type = -1, .scale_type = -1};
  return r;
}

/* An NCCL record as the shim fills it, on a communicator of `nranks`: nccl-tests' bytes when
 * status is 0, none otherwise. Not in a group; datatype, redop and peer as given or -1. */
static inline struct mfu_record fx_nccl(struct fx *fx, unsigned api, unsigned op, uint64_t count,
                                        int datatype, int nranks, int status) {
  struct mfu_record r = {.kind = MFU_REC_NCCL, .api = (uint16_t)api, .status = status,
                         .tid = 4242, .t_start_ns = fx->clock_ns, .t_end_ns = fx->clock_ns + 500};
  fx->clock_ns += 1000;
  bool saturated = false;
  r.u.nccl = (struct mfu_nccl){.count = count, .comm_id = 0xc0ffee, .comm = 0x5000,
                               .datatype = datatype, .redop = -1, .peer = -1,
                               .comm_rank = fx->h.rank, .comm_size = nranks, .op = (uint8_t)op};
  r.u.nccl.bytes = status ? 0 : mfu_nccl_bytes(op, count, datatype, nranks, &saturated);
  if (saturated) r.flags |= MFU_RF_BYTES_SATURATED;
  return r;
}

/* A GEMM, BLAS3 or NCCL record made during stream capture `capture`: it runs at each graph
 * launch. */
static inline struct mfu_record fx_captured(struct mfu_record r, uint64_t capture) {
  r.flags |= MFU_RF_CAPTURED;
  if (r.kind == MFU_REC_GEMM || r.kind == MFU_REC_BLAS3) r.u.gemm.capture = capture;
  if (r.kind == MFU_REC_NCCL) r.u.nccl.capture = capture;
  return r;
}

/* A CUDA graph record (struct mfu_graph) as the shim fills it, made by the plain API of `op`
 * (cudaStreamBeginCapture, cudaStreamEndCapture, cudaGraphInstantiate, cudaGraphExecUpdate,
 * cudaGraphExecDestroy, cudaGraphDestroy, cudaGraphLaunch): the stream, the capture id
 * (BEGIN_CAPTURE), the graph and executable handles the call took or made, 0 where n/a. */
static inline struct mfu_record fx_graph(struct fx *fx, unsigned op, uint64_t stream,
                                         uint64_t capture, uint64_t graph, uint64_t exec,
                                         int status) {
  static const uint16_t apis[] = {
      [MFU_GRAPH_BEGIN_CAPTURE] = MFU_API_cudaStreamBeginCapture,
      [MFU_GRAPH_END_CAPTURE] = MFU_API_cudaStreamEndCapture,
      [MFU_GRAPH_INSTANTIATE] = MFU_API_cudaGraphInstantiate,
      [MFU_GRAPH_EXEC_UPDATE] = MFU_API_cudaGraphExecUpdate,
      [MFU_GRAPH_EXEC_DESTROY] = MFU_API_cudaGraphExecDestroy,
      [MFU_GRAPH_GRAPH_DESTROY] = MFU_API_cudaGraphDestroy,
      [MFU_GRAPH_LAUNCH] = MFU_API_cudaGraphLaunch,
  };
  struct mfu_record r = {.kind = MFU_REC_GRAPH, .api = op <= MFU_GRAPH_LAUNCH ? apis[op] : 0,
                         .status = status, .tid = 4242, .t_start_ns = fx->clock_ns,
                         .t_end_ns = fx->clock_ns + 500, .stream = stream};
  fx->clock_ns += 1000;
  r.u.graph = (struct mfu_graph){.capture = capture, .graph = graph, .exec = exec,
                                 .mode = op == MFU_GRAPH_BEGIN_CAPTURE ? 0 : -1,
                                 .op = (uint8_t)op};
  return r;
}

/* GPU activity and the records around it, as the shim writes them from CUPTI and at the first
 * recorded call: times are given (GPU times already on CLOCK_MONOTONIC), not taken from the
 * fixture's clock. `name` is a dynamic string id (fx_strings), 0 none. */
static inline struct mfu_record fx_kernel(uint64_t start_ns, uint64_t end_ns, uint32_t name,
                                          uint32_t correlation) {
  struct mfu_record r = {.kind = MFU_REC_KERNEL, .t_start_ns = start_ns, .t_end_ns = end_ns};
  r.u.kernel = (struct mfu_kernel){.name = name, .stream = 7, .correlation = correlation,
                                   .grid = {1, 1, 1}, .block = {128, 1, 1}};
  return r;
}

/* A MEMCPY (kind MFU_REC_MEMCPY) or MEMSET record of `bytes`. */
static inline struct mfu_record fx_memop(unsigned kind, uint64_t start_ns, uint64_t end_ns,
                                         uint64_t bytes, uint32_t correlation) {
  struct mfu_record r = {.kind = (uint16_t)kind, .t_start_ns = start_ns, .t_end_ns = end_ns};
  r.u.memop = (struct mfu_memop){.bytes = bytes, .stream = 7, .correlation = correlation};
  return r;
}

/* Ties CUPTI's correlation id to the intercepted call whose record.correlation is `external`. */
static inline struct mfu_record fx_correlation(uint32_t cupti, uint64_t external) {
  struct mfu_record r = {.kind = MFU_REC_CORRELATION};
  r.u.correlation = (struct mfu_correlation){.correlation = cupti, .kind = 1, .external = external};
  return r;
}

/* The DEVICE record of a thread's first recorded call: cudaDeviceProp.name `name`. */
static inline struct mfu_record fx_device(const char *name) {
  struct mfu_record r = {.kind = MFU_REC_DEVICE, .tid = 4242, .t_start_ns = FX_START_MONOTONIC_NS,
                         .t_end_ns = FX_START_MONOTONIC_NS};
  r.u.device = (struct mfu_device){.sm_count = 132, .cc_major = 9, .cc_minor = 0};
  snprintf(r.u.device.name, sizeof r.u.device.name, "%s", name);
  return r;
}

/* A MARKER record (enum mfu_marker_kind) set at `t_ns`; `name` a dynamic string id or 0. */
static inline struct mfu_record fx_marker(unsigned kind, uint64_t t_ns, uint64_t id,
                                          uint32_t name) {
  struct mfu_record r = {.kind = MFU_REC_MARKER, .tid = 4242, .t_start_ns = t_ns,
                         .t_end_ns = t_ns};
  r.u.marker = (struct mfu_marker){.name = name, .kind = (uint8_t)kind, .id = id};
  return r;
}

/* A v1 RECORDS block: each record's first MFU_RECORD_V1_SIZE bytes. */
static inline void fx_records(struct fx *fx, const struct mfu_record *r, size_t n) {
  unsigned char *v1 = malloc((n ? n : 1) * MFU_RECORD_V1_SIZE);
  if (!v1) abort();
  for (size_t i = 0; i < n; i++) memcpy(v1 + i * MFU_RECORD_V1_SIZE, &r[i], MFU_RECORD_V1_SIZE);
  fx_block(fx, MFU_BLOCK_RECORDS, (uint32_t)n, v1, (uint32_t)(n * MFU_RECORD_V1_SIZE));
  free(v1);
}

/* The records in a fixed pseudo-random order, in blocks of up to 3: out of time order, as
 * the shim's per-thread buffers leave them in a file (and worse: a thread's own records are
 * shuffled too). */
static inline void fx_records_shuffled(struct fx *fx, const struct mfu_record *r, size_t n) {
  struct mfu_record *v = malloc((n ? n : 1) * sizeof *v);
  if (!v) abort();
  memcpy(v, r, n * sizeof *v);
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (size_t i = n; i > 1; i--) { /* Fisher-Yates with a 64-bit LCG */
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    size_t j = (size_t)((x >> 33) % i);
    struct mfu_record t = v[i - 1];
    v[i - 1] = v[j];
    v[j] = t;
  }
  for (size_t i = 0; i < n; i += 3) fx_records(fx, v + i, n - i < 3 ? n - i : 3);
  free(v);
}

static inline void fx_end(struct fx *fx) { fx_block(fx, MFU_BLOCK_END, 0, NULL, 0); }

/* Writes the first `len` bytes (a truncated file when len < fx->len). */
static inline void fx_save(const struct fx *fx, const char *path, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f || (len && fwrite(fx->buf, 1, len, f) != len) || fclose(f) != 0) {
    perror(path);
    abort();
  }
}

static inline void fx_free(struct fx *fx) {
  free(fx->buf);
  fx->buf = NULL;
}

/* A fresh scratch directory under $TMPDIR (or /tmp), removed with fx_rmtree. */
static inline void fx_tmpdir(char path[256]) {
  const char *base = getenv("TMPDIR");
  snprintf(path, 256, "%s/mfu-test.XXXXXX", base && *base ? base : "/tmp");
  if (!mkdtemp(path)) {
    perror(path);
    abort();
  }
}

static inline int fx_remove(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)st, (void)type, (void)ftw;
  return remove(path);
}

static inline void fx_rmtree(const char *path) {
  nftw(path, fx_remove, 16, FTW_DEPTH | FTW_PHYS);
}

/* A cmocka group's scratch directory: fx_dir, made by fx_setup, removed by fx_teardown. */
static char fx_dir[256];

static inline int fx_setup(void **state) {
  (void)state;
  fx_tmpdir(fx_dir);
  return 0;
}

static inline int fx_teardown(void **state) {
  (void)state;
  fx_rmtree(fx_dir);
  return 0;
}

#define assert_contains(text, part)                                                          \
  do {                                                                                       \
    if (!strstr((text), (part))) fail_msg("'%s' does not contain '%s'", (text), (part));     \
  } while (0)

#endif
