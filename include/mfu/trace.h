/* Trace format v2 (and v1, which readers keep reading): the one definition both the shim
 * (writer) and the analyzer (reader) use.
 *
 * A trace file is
 *
 *     struct mfu_file_header                      (MFU_HEADER_SIZE bytes, at offset 0)
 *     block, block, ...                           (until the end of the file)
 *
 * and each block is a struct mfu_block_header followed by `payload_size` bytes:
 *
 *     MFU_BLOCK_RECORDS   `count` records: v2, encoded (below); v1, `count` fixed-size
 *                         records of MFU_RECORD_V1_SIZE bytes (the first bytes of a
 *                         struct mfu_record)
 *     MFU_BLOCK_STRINGS   `count` string-table entries: struct mfu_string + the bytes of the
 *                         string, NUL-terminated, padded with NULs to a multiple of 8
 *     MFU_BLOCK_END       no payload; written last by a clean exit
 *     MFU_BLOCK_CALLSITES call-site table entries (include/mfu/callsites.h), which records'
 *                         `callsite` ids name; a reader that does not use them skips it
 *
 * Every block is self-delimiting and decodable on its own: magic, sequence number and checksum
 * let a reader find the next valid block after damage, and a v2 RECORDS block carries all it
 * needs (its delta state starts afresh, its descriptors are its own); only string ids refer to
 * STRINGS blocks, written before the first records that use them. v2 RECORDS blocks may be
 * compressed with zstd (block header `encoding`; the header's `zstd_level` says at which
 * level the writer compressed); the checksum covers the bytes as stored.
 *
 * v2 RECORDS payload: struct mfu_records_prefix (the thread, the size of the encoded records,
 * a time base), then the records, then NULs to a multiple of 8. Each record is
 *
 *     tag            1 byte: MFU_V2_FORM (bits 0-1): MFU_V2_USE, a descriptor of the block's
 *                    dictionary follows as a varint index, or MFU_V2_NEW, a new descriptor
 *                    follows (MFU_V2_MASK_BYTES bytes whose bit i says that byte i of the
 *                    descriptor is not zero, then those bytes in order), which is appended to
 *                    the dictionary; MFU_V2_TID (bit 2): a varint thread id follows, else the
 *                    prefix's; bits 3 + s: dynamic slot s is coded, else it is as predicted
 *     start          zigzag varint: t_start_ns minus the previous t_start_ns of this kind in
 *                    the block (the prefix's base_ns for the first)
 *     duration       zigzag varint: t_end_ns - t_start_ns
 *     slots          for each coded slot, in order, a zigzag varint: its value minus its
 *                    prediction
 *
 * A descriptor is a struct mfu_record with tid, times and the kind's dynamic slots zeroed: what
 * the calls of one shape (one API, one GEMM shape, one collective on one communicator, one
 * kernel configuration) have in common, stored once per block. The dynamic slots of a kind
 * (mfu_v2_slots) are the fields that change from call to call: the correlation ids, capture
 * ids, NCCL group sequence, a graph node. A slot's prediction is its previous value in the
 * block for records of the same kind (0 at the block's start), plus one for counters that are
 * not 0 (correlation ids count up). Varints are LEB128, least significant 7 bits first;
 * zigzag maps 0, -1, 1, -2... to 0, 1, 2, 3... A GEMM call then takes 4 to 8 bytes.
 *
 * The header is rewritten in place (pwrite at offset 0) at every flush, so its counters and
 * `hooks_resolved` are current up to the last flush. A file whose flags lack
 * MFU_FILE_COMPLETE, or that lacks the END block, was cut short (crash, SIGKILL): every block
 * whose checksum verifies is still valid.
 *
 * All integers are in the producer's byte order; `byte_order` tells the reader which one.
 * Checksums: mfu_checksum() below, over the block header's first 24 bytes then the payload.
 */
#ifndef MFU_TRACE_H
#define MFU_TRACE_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MFU_TRACE_MAGIC "MFUTRACE"         /* 8 bytes, no NUL stored */
#define MFU_TRACE_VERSION 2u
#define MFU_RECORD_V1_SIZE 128u            /* a v1 record: struct mfu_record up to `callsite` */
#define MFU_BYTE_ORDER_MARK 0x0102030405060708ull
#define MFU_HEADER_SIZE 2048u
#define MFU_BLOCK_MAGIC 0x4255464du        /* "MFUB" little-endian */
#define MFU_BLOCK_MAX_PAYLOAD (64u << 20)   /* a reader rejects larger blocks as corrupt */
#define MFU_TRACE_SUFFIX ".mfutrace"

/* The enums below that are stored in traces are X-macro lists, so that the one table of their
 * names (analyzer/trace/names.c) is generated from here and cannot drift from the values. */

/* Libraries whose functions the shim resolved (header.hooks_resolved): X(name, bit, key, label) */
#define MFU_HOOKS(X)                           \
  X(CUBLAS, 1u << 0, "cublas", "cuBLAS")       \
  X(CUBLASLT, 1u << 1, "cublaslt", "cuBLASLt") \
  X(NCCL, 1u << 2, "nccl", "NCCL")             \
  X(CUDART, 1u << 3, "cudart", "CUDA runtime") \
  X(CUPTI, 1u << 4, "cupti", "CUPTI")
enum {
#define MFU_HOOK_ENUM(name, bit, key, label) MFU_HOOK_##name = bit,
  MFU_HOOKS(MFU_HOOK_ENUM)
#undef MFU_HOOK_ENUM
};

/* header.cupti_state, what became of the GPU timeline: X(name, value, description) */
#define MFU_CUPTI_STATES(X)                                                                   \
  X(OFF, 0, "off (MFU_CUPTI=off, or never started)")                                          \
  X(ACTIVE, 1, "active")                         /* activity records were collected */         \
  X(UNAVAILABLE, 2, "unavailable (neither libcupti.so.13 nor .12 found)")                       \
  X(STEPPED_ASIDE, 3, "stepped aside (another tool held CUPTI)") /* torch.profiler, Nsight */  \
  X(FAILED, 4, "failed")                         /* a CUPTI call failed: cupti_error says which */ \
  X(UNSUPPORTED, 5, "unsupported (a CUPTI older than CUDA 12.0, or newer than 13.x)")
enum mfu_cupti_state {
#define MFU_CUPTI_STATE_ENUM(name, value, description) MFU_CUPTI_##name = value,
  MFU_CUPTI_STATES(MFU_CUPTI_STATE_ENUM)
#undef MFU_CUPTI_STATE_ENUM
};

/* header.clock_source */
enum mfu_clock_source {
  MFU_CLOCK_MONOTONIC = 0, /* clock_gettime(CLOCK_MONOTONIC) through the vDSO */
  MFU_CLOCK_TSC = 1,       /* rdtsc, converted to CLOCK_MONOTONIC */
};

/* header.flags */
enum {
  MFU_FILE_COMPLETE = 1u << 0,          /* closed cleanly: END block written */
  MFU_FILE_CMDLINE_TRUNCATED = 1u << 1, /* command line longer than the field */
  MFU_FILE_WRITE_ERROR = 1u << 2,       /* a write failed (disk full...): records were lost */
  MFU_FILE_SIGNAL_FLUSH = 1u << 3,      /* last flush happened in a fatal-signal handler */
  MFU_FILE_SIZE_LIMIT = 1u << 4,        /* MFU_MAX_MB reached: recording stopped there; the
                                           records after it are in records_lost */
};

/* header.window_kind: what MFU_STEPS / MFU_WINDOW_S asked to write (shim/window.h) */
enum mfu_window_kind {
  MFU_WINDOW_NONE = 0,
  MFU_WINDOW_STEPS = 1, /* steps A..B, a step being an outermost NVTX range matching a pattern */
  MFU_WINDOW_TIME = 2,  /* seconds since the shim started */
};
/* header.window_state */
enum { MFU_WINDOW_OPENED = 1u << 0, MFU_WINDOW_CLOSED = 1u << 1 };

struct mfu_file_header {
  char magic[8];               /* MFU_TRACE_MAGIC */
  uint32_t version;            /* MFU_TRACE_VERSION */
  uint32_t header_size;        /* MFU_HEADER_SIZE */
  uint64_t byte_order;         /* MFU_BYTE_ORDER_MARK as the producer stores it */
  uint32_t record_size;        /* sizeof(struct mfu_record) */
  uint32_t flags;              /* MFU_FILE_* */
  char shim_version[16];       /* "0.1.0" */
  int32_t pid;
  int32_t ppid;
  int32_t rank;                /* -1: unknown */
  int32_t local_rank;          /* -1: unknown */
  int32_t world_size;          /* -1: unknown */
  uint32_t hooks_resolved;     /* MFU_HOOK_* */
  uint64_t start_realtime_ns;  /* CLOCK_REALTIME at shim start */
  uint64_t start_monotonic_ns; /* CLOCK_MONOTONIC at the same instant; records use this clock */
  uint64_t end_monotonic_ns;   /* at the last flush */
  uint64_t records_written;    /* records in blocks written so far */
  uint64_t records_lost;       /* records that could not be written (write errors) */
  uint64_t blocks_written;
  char job_id[64];
  char hostname[64];
  char cmdline[1024];          /* argv joined by spaces, NUL-terminated */
  /* The GPU timeline (CUPTI): whether it was collected, and how its clock maps to
   * CLOCK_MONOTONIC. Activity records already carry monotonic times (cupti - offset); the
   * offsets measured at start and at the last flush bound the drift between the two clocks. */
  uint32_t cupti_state;        /* enum mfu_cupti_state */
  uint32_t cupti_error;        /* CUptiResult of the failure, for CUPTI_FAILED */
  int64_t cupti_offset_start_ns;
  int64_t cupti_offset_end_ns;
  uint64_t cupti_dropped;      /* activity records CUPTI dropped (buffers full) */
  /* The host clock: what timed the calls. Record times are CLOCK_MONOTONIC ns either way: TSC
   * stamps are converted by the shim at tsc_hz, a rate it measures against CLOCK_MONOTONIC
   * during the run and renews at every flush. */
  uint32_t clock_source;       /* enum mfu_clock_source */
  uint32_t clock_rebases;      /* times the rate was measured afresh: the TSC's rate changed */
  uint64_t tsc_hz;             /* TSC ticks per second; 0 when not timed by the TSC */
  uint64_t clock_max_error_ns; /* largest gap seen between the converted TSC and the clock */
  uint32_t zstd_level;         /* v2: RECORDS blocks compressed at this zstd level; 0: none */
  uint32_t reserved32;
  /* The recording window (MFU_STEPS, MFU_WINDOW_S): outside it calls were intercepted and
   * not written. All zero without one (and in files of shims that had none). */
  uint32_t window_kind;        /* enum mfu_window_kind */
  uint32_t window_state;       /* MFU_WINDOW_OPENED | MFU_WINDOW_CLOSED, as of the last flush */
  uint64_t window_first;       /* STEPS: the first step written (from 1); TIME: its start, ns
                                  after start_monotonic_ns */
  uint64_t window_last;        /* STEPS: the last step; TIME: its end; UINT64_MAX: to the end */
  uint64_t window_open_ns;     /* CLOCK_MONOTONIC when it opened; 0: it never did */
  uint64_t window_close_ns;    /* when it closed; 0: it did not (the run ended inside it) */
  uint64_t window_steps;       /* STEPS: the step ranges that had begun by the last flush */
  uint64_t window_outside;     /* calls intercepted outside the window (not written) */
  char window_step_range[64];  /* STEPS: the NVTX range pattern that marks a step */
  uint8_t reserved[MFU_HEADER_SIZE - 1464]; /* zero; room for later fields */
  uint64_t checksum;           /* mfu_checksum of the header with this field zero */
};
static_assert(sizeof(struct mfu_file_header) == MFU_HEADER_SIZE, "header size is part of v1");

enum mfu_block_type {
  MFU_BLOCK_RECORDS = 1,
  MFU_BLOCK_STRINGS = 2,
  MFU_BLOCK_END = 3,
  MFU_BLOCK_CALLSITES = 4, /* the call sites records' `callsite` ids name (callsites.h) */
};

/* block header `encoding`: how the payload is stored (v1: always plain) */
enum mfu_block_encoding {
  MFU_ENCODING_PLAIN = 0,
  MFU_ENCODING_ZSTD = 1, /* struct mfu_zstd_prefix, then one zstd frame, then NULs to 8 */
};

struct mfu_block_header {
  uint32_t magic;        /* MFU_BLOCK_MAGIC */
  uint16_t type;         /* enum mfu_block_type */
  uint16_t encoding;     /* enum mfu_block_encoding */
  uint32_t count;        /* records or strings in the payload */
  uint32_t payload_size; /* bytes that follow this header */
  uint64_t seq;          /* 0, 1, 2, ... within the file */
  uint64_t checksum;     /* mfu_checksum(first 24 bytes of this header, payload) */
};
static_assert(sizeof(struct mfu_block_header) == 32, "block header size is part of v1");

/* One entry of a STRINGS block; `len` bytes of text follow, then NULs to a multiple of 8. */
struct mfu_string {
  uint32_t id;  /* the number records use to name this string */
  uint32_t len; /* without the terminating NUL */
};

/* String ids below MFU_STRING_DYNAMIC name intercepted APIs (enum mfu_api in api.h); the
 * writer puts their names in the first STRINGS block so that a trace describes itself. Ids
 * from MFU_STRING_DYNAMIC on are made as the run goes (kernel names), each in a STRINGS block
 * written before the first records block that uses it. */
#define MFU_STRING_DYNAMIC 0x10000u

/* X(name, value, key) */
#define MFU_RECORD_KINDS(X)                                                                      \
  X(GEMM, 1, "gemm")                                                                           \
  X(NCCL, 2, "nccl")                                                                           \
  X(GRAPH, 3, "graph")                                                                         \
  X(DEVICE, 4, "device")                                                                       \
  X(KERNEL, 5, "kernel")           /* GPU activity (CUPTI): t_start_ns/t_end_ns are GPU times */ \
  X(MEMCPY, 6, "memcpy")                                                                       \
  X(MEMSET, 7, "memset")                                                                       \
  X(CORRELATION, 8, "correlation") /* ties a CUPTI correlation id to the record of the call */  \
  X(MARKER, 9, "marker")           /* an explicit step marker: NVTX range, cudaProfilerStart/Stop */ \
  X(BLAS3, 10, "blas3")            /* a non-GEMM Level-3 BLAS call (syrk, trsm...): payload gemm */
enum mfu_record_kind {
#define MFU_RECORD_KIND_ENUM(name, value, key) MFU_REC_##name = value,
  MFU_RECORD_KINDS(MFU_RECORD_KIND_ENUM)
#undef MFU_RECORD_KIND_ENUM
};

/* record.flags */
enum {
  MFU_RF_FLOPS_SATURATED = 1u << 0, /* FLOPs overflowed 64 bits: flops = UINT64_MAX */
  MFU_RF_MIXED_SHAPES = 1u << 1,    /* grouped GEMM whose groups differ: m, n, k of group 0 */
  MFU_RF_SHAPE_UNKNOWN = 1u << 2,   /* shape could not be decoded: flops = 0 */
  MFU_RF_BYTES_SATURATED = 1u << 3, /* NCCL bytes overflowed 64 bits: bytes = UINT64_MAX */
  MFU_RF_DTYPE_UNKNOWN = 1u << 4,   /* NCCL datatype not known: bytes = 0 */
  MFU_RF_COMM_UNKNOWN = 1u << 5,    /* communicator not seen at creation: comm_id 0 */
  MFU_RF_CAPTURED = 1u << 6,        /* made during stream capture: payload.capture says which */
};

/* GEMM payload. Shapes follow BLAS: op(A) is m x k, op(B) is k x n. BLAS3 records use it too:
 * m x n is C's shape (B's for trmm and trsm), k the inner dimension of rank-k updates (else 0),
 * transa the routine's trans, and routine, side, uplo, diag say the rest (include/mfu/blas3.h;
 * MFU_BLAS3_NA where the routine has no such argument; all 0 in GEMM records). */
struct mfu_gemm {
  int64_t m, n, k;
  int64_t batch;        /* matrix products in this call (batchCount, sum of group sizes) */
  int32_t groups;       /* grouped GEMMs: group_count; otherwise 1 */
  uint8_t transa;       /* cublasOperation_t: 0 N, 1 T, 2 C */
  uint8_t transb;
  uint8_t precision;    /* enum mfu_precision */
  uint8_t math_mode;    /* cublasMath_t of the handle (classic cuBLAS), else 0 */
  int16_t a_type;       /* cudaDataType of A, B, C (-1: n/a) */
  int16_t b_type;
  int16_t c_type;
  int16_t compute_type; /* cublasComputeType_t (-1: n/a) */
  int16_t scale_type;   /* cudaDataType of alpha/beta (-1: n/a) */
  uint16_t epilogue;    /* cublasLtEpilogue_t, 0 for classic cuBLAS */
  uint8_t routine;      /* BLAS3: enum mfu_blas3_routine */
  uint8_t side;         /* BLAS3: cublasSideMode_t */
  uint8_t uplo;         /* BLAS3: cublasFillMode_t */
  uint8_t diag;         /* BLAS3: cublasDiagType_t */
  uint64_t handle;      /* cublasHandle_t / cublasLtHandle_t */
  uint64_t capture;     /* CUDA stream-capture id if the call was captured into a graph (it ran
                           at each launch of the graph, not now); 0 otherwise */
};
static_assert(sizeof(struct mfu_gemm) == 72, "gemm payload size");

/* NCCL payload (include/mfu/nccl.h has the byte rules). Communicator calls (CommInit*,
 * CommSplit, CommShrink: op COMM_INIT; CommDestroy/Abort/Finalize: COMM_END) carry the
 * communicator they made or ended. */
struct mfu_nccl {
  uint64_t count;       /* elements, as passed (sendcount/recvcount for the gathers) */
  uint64_t bytes;       /* nccl-tests' S; 0 unless mfu_nccl_accepted(status) */
  uint64_t comm_id;     /* the same on every rank of the communicator, within a job */
  uint64_t comm;        /* ncclComm_t in this process */
  uint64_t group_seq;   /* 1, 2, ...: the outermost ncclGroupStart/End this call is in; 0 none */
  int32_t datatype;     /* ncclDataType_t (-1: n/a) */
  int32_t redop;        /* ncclRedOp_t (-1: n/a) */
  int32_t peer;         /* root, or peer of Send/Recv (-1: n/a) */
  int32_t comm_rank;    /* this process's rank in the communicator (-1: unknown) */
  int32_t comm_size;    /* ranks in the communicator (-1: unknown) */
  uint8_t op;           /* enum mfu_nccl_op */
  uint8_t group_depth;  /* ncclGroupStart nesting at the call (after it, for GroupStart) */
  uint16_t reserved;
  uint64_t capture;     /* as in struct mfu_gemm */
};
static_assert(sizeof(struct mfu_nccl) == 72, "nccl payload size");

/* CUDA graphs. GEMM and NCCL calls made on a capturing stream carry the capture id; the graph
 * records tie captures to graphs, graphs to executables and executables to launches, so that
 * a reader counts captured work once per launch:
 *   BEGIN_CAPTURE   stream, capture id, graph (the graph being captured into)
 *   END_CAPTURE     stream, graph returned
 *   INSTANTIATE     graph -> exec
 *   EXEC_UPDATE     exec now runs graph
 *   EXEC_DESTROY    exec; GRAPH_DESTROY graph (addresses may be reused after these)
 *   LAUNCH          exec, stream */
#define MFU_GRAPH_OPS(X)                   \
  X(BEGIN_CAPTURE, 1, "begin_capture")     \
  X(END_CAPTURE, 2, "end_capture")         \
  X(INSTANTIATE, 3, "instantiate")         \
  X(EXEC_UPDATE, 4, "exec_update")         \
  X(EXEC_DESTROY, 5, "exec_destroy")       \
  X(GRAPH_DESTROY, 6, "graph_destroy")     \
  X(LAUNCH, 7, "launch")
enum mfu_graph_op {
#define MFU_GRAPH_OP_ENUM(name, value, key) MFU_GRAPH_##name = value,
  MFU_GRAPH_OPS(MFU_GRAPH_OP_ENUM)
#undef MFU_GRAPH_OP_ENUM
};

struct mfu_graph {
  uint64_t capture; /* capture id (BEGIN_CAPTURE), else 0 */
  uint64_t graph;   /* cudaGraph_t, 0 where n/a */
  uint64_t exec;    /* cudaGraphExec_t, 0 where n/a */
  int32_t mode;     /* cudaStreamCaptureMode (BEGIN_CAPTURE), else -1 */
  uint8_t op;       /* enum mfu_graph_op */
  uint8_t reserved[3];
};
static_assert(sizeof(struct mfu_graph) == 32, "graph payload size");

/* The GPU a thread records on: one DEVICE record when the thread makes its first recorded call
 * (CUDA runtime's current device then). The name selects the peak (mfu hw). */
struct mfu_device {
  int32_t ordinal;     /* CUDA device ordinal in this process */
  int32_t sm_count;    /* -1: unknown */
  int32_t cc_major;    /* compute capability, -1: unknown */
  int32_t cc_minor;
  uint64_t reserved;
  char name[48];       /* cudaDeviceProp.name, NUL-terminated (truncated if longer) */
};
static_assert(sizeof(struct mfu_device) == 72, "device payload size");

/* GPU activities, from CUPTI's activity records; times are converted to CLOCK_MONOTONIC.
 * `correlation` is CUPTI's correlation id of the launching runtime/driver call; a CORRELATION
 * record maps it to the `correlation` field of the intercepted call that launched it. */
struct mfu_kernel {
  uint32_t name;        /* string id (dynamic strings) of the kernel's (mangled) name */
  uint32_t device;      /* CUDA device ordinal */
  uint32_t context;     /* CUPTI context id */
  uint32_t stream;      /* CUPTI stream id */
  uint32_t correlation; /* CUPTI correlation id */
  uint32_t graph;       /* CUDA graph id when launched as part of a graph, else 0 */
  uint64_t graph_node;
  int32_t grid[3];
  int32_t block[3];
  uint32_t shared_bytes; /* static + dynamic shared memory per block */
  uint16_t registers;    /* per thread */
  uint16_t reserved;
  uint64_t reserved2;
};
static_assert(sizeof(struct mfu_kernel) == 72, "kernel payload size");

struct mfu_memop {      /* MEMCPY and MEMSET */
  uint64_t bytes;
  uint32_t device;
  uint32_t context;
  uint32_t stream;
  uint32_t correlation;
  uint32_t graph;
  uint8_t copy_kind;    /* CUpti_ActivityMemcpyKind (MEMCPY): HtoD, DtoH, DtoD... */
  uint8_t src_kind;     /* CUpti_ActivityMemoryKind (MEMCPY) */
  uint8_t dst_kind;
  uint8_t reserved;
  uint32_t value;       /* MEMSET: the value */
  uint8_t reserved2[36];
};
static_assert(sizeof(struct mfu_memop) == 72, "memop payload size");

struct mfu_correlation {
  uint32_t correlation; /* CUPTI correlation id */
  uint32_t kind;        /* CUpti_ExternalCorrelationKind the shim pushed */
  uint64_t external;    /* the intercepted call's record.correlation */
  uint8_t reserved[56];
};
static_assert(sizeof(struct mfu_correlation) == 72, "correlation payload size");

/* Explicit markers, from which the analyzer can take the training steps (mfu report
 * --step-range REGEX). t_start_ns is when the marker was set; status is 0.
 *   PUSH, POP         nvtxRangePush* / nvtxRangePop: nested per thread, id = the thread (tid)
 *   START, END        nvtxRangeStart* / nvtxRangeEnd: id = the range id the shim returned
 *                     (1, 2, ... per process); END may come from another thread
 *   PROFILER_START,   cudaProfilerStart / cudaProfilerStop (the Nsight convention): process-
 *   PROFILER_STOP     wide, id 0; record.status is the runtime's return code
 * NVTX markers reach the shim through NVTX's injection interface (NVTX_INJECTION64_PATH set to
 * libmfushim.so; `mfu run` sets it). `name` (PUSH, START) is the range's message as a dynamic
 * string id; 0 when it had none, was not ASCII, or was a registered string. */
#define MFU_MARKER_KINDS(X)                  \
  X(PUSH, 1, "push")                         \
  X(POP, 2, "pop")                           \
  X(START, 3, "start")                       \
  X(END, 4, "end")                           \
  X(PROFILER_START, 5, "profiler_start")     \
  X(PROFILER_STOP, 6, "profiler_stop")
enum mfu_marker_kind {
#define MFU_MARKER_KIND_ENUM(name, value, key) MFU_MARKER_##name = value,
  MFU_MARKER_KINDS(MFU_MARKER_KIND_ENUM)
#undef MFU_MARKER_KIND_ENUM
};

struct mfu_marker {
  uint32_t name;        /* dynamic string id of the message, 0 none */
  uint8_t kind;         /* enum mfu_marker_kind */
  uint8_t reserved[3];
  uint64_t id;          /* PUSH, POP: the thread; START, END: the range id; else 0 */
  uint8_t reserved2[56];
};
static_assert(sizeof(struct mfu_marker) == 72, "marker payload size");

struct mfu_record {
  uint16_t kind;        /* enum mfu_record_kind */
  uint16_t api;         /* string id of the API name (enum mfu_api) */
  int32_t status;       /* return code of the real call; counted only when 0 (success), or
                           for NCCL also ncclInProgress (mfu_nccl_accepted) */
  uint32_t tid;         /* kernel thread id of the caller */
  uint32_t flags;       /* MFU_RF_* */
  uint64_t t_start_ns;  /* CLOCK_MONOTONIC around the real call */
  uint64_t t_end_ns;
  uint64_t stream;      /* cudaStream_t as an integer; 0 = legacy default stream */
  uint64_t correlation; /* intercepted calls: the external correlation id pushed to CUPTI
                           around the call (1, 2, ... per process); 0 = none */
  uint64_t flops;       /* GEMM: FLOPs this call performed; 0 when status != 0. NCCL: 0 */
  union {
    struct mfu_gemm gemm;
    struct mfu_nccl nccl;
    struct mfu_graph graph;
    struct mfu_device device;
    struct mfu_kernel kernel;
    struct mfu_memop memop;
    struct mfu_correlation correlation;
    struct mfu_marker marker;
    uint8_t raw[72];
  } u;
  /* From v2 on (v1 records end before it: read as 0). */
  uint32_t callsite;    /* GEMM and NCCL: the call site (a CALLSITES block's id); 0 = none */
  uint32_t reserved;
};
static_assert(offsetof(struct mfu_record, callsite) == MFU_RECORD_V1_SIZE, "v1 records");
static_assert(sizeof(struct mfu_record) == 136, "the record model of v2");

/* --- v2 RECORDS blocks (see the top of this file) */

/* A RECORDS payload after decompression starts with this. */
struct mfu_records_prefix {
  uint32_t tid;     /* the thread of the records whose tag has no MFU_V2_TID */
  uint32_t size;    /* bytes of encoded records after the prefix (then NULs to a multiple of 8) */
  uint64_t base_ns; /* the time the first record of each kind is coded from */
};
static_assert(sizeof(struct mfu_records_prefix) == 16, "records prefix");

/* A zstd-compressed payload starts with this. */
struct mfu_zstd_prefix {
  uint32_t raw_size; /* bytes after decompression: the RECORDS payload, a multiple of 8 */
  uint32_t size;     /* bytes of the zstd frame that follows */
};

enum {
  MFU_V2_FORM = 3u,       /* tag bits 0-1: */
  MFU_V2_USE = 0u,        /*   a descriptor index follows */
  MFU_V2_NEW = 1u,        /*   a new descriptor follows */
  MFU_V2_TID = 1u << 2,   /* the record's thread follows */
  MFU_V2_SLOT_BIT = 3,    /* tag bit of slot 0; slot s is bit 3 + s */
  MFU_V2_SLOTS = 5,       /* dynamic slots of a kind at most: correlation and 4 more */
  MFU_V2_KINDS = 16,      /* kinds with their own predictions; larger kinds share kind 0's */
  MFU_V2_MASK_BYTES = (sizeof(struct mfu_record) + 7) / 8,
  MFU_V2_RECORD_MAX = 1 + 5 + MFU_V2_MASK_BYTES + sizeof(struct mfu_record) + 5 + 10 * (2 + MFU_V2_SLOTS),
};

/* A dynamic slot: a field coded with each record, at `offset` in struct mfu_record, `size`
 * bytes, predicted as the previous value (`counter`: plus one unless 0). */
struct mfu_v2_slot {
  uint8_t offset, size, counter;
};

/* The dynamic slots of records of `kind` (the common correlation id first), and how many. */
static inline unsigned mfu_v2_slots(unsigned kind, const struct mfu_v2_slot **slots) {
#define MFU_V2_SLOT(field, counter) {(uint8_t)offsetof(struct mfu_record, field), \
                                      (uint8_t)sizeof(((struct mfu_record *)0)->field), counter}
  static const struct mfu_v2_slot common[] = {MFU_V2_SLOT(correlation, 1)};
  static const struct mfu_v2_slot gemm[] = {MFU_V2_SLOT(correlation, 1), MFU_V2_SLOT(u.gemm.capture, 0)};
  static const struct mfu_v2_slot nccl[] = {MFU_V2_SLOT(correlation, 1), MFU_V2_SLOT(u.nccl.group_seq, 0),
                                            MFU_V2_SLOT(u.nccl.capture, 0)};
  static const struct mfu_v2_slot kernel[] = {MFU_V2_SLOT(correlation, 1),
                                              MFU_V2_SLOT(u.kernel.correlation, 1),
                                              MFU_V2_SLOT(u.kernel.graph_node, 0)};
  static const struct mfu_v2_slot memop[] = {MFU_V2_SLOT(correlation, 1), MFU_V2_SLOT(u.memop.correlation, 1)};
  static const struct mfu_v2_slot corr[] = {MFU_V2_SLOT(correlation, 1),
                                            MFU_V2_SLOT(u.correlation.correlation, 1),
                                            MFU_V2_SLOT(u.correlation.external, 1)};
#undef MFU_V2_SLOT
#define MFU_V2_RETURN(v) return *slots = (v), (unsigned)(sizeof(v) / sizeof((v)[0]))
  switch (kind) {
  case MFU_REC_GEMM: case MFU_REC_BLAS3: MFU_V2_RETURN(gemm);
  case MFU_REC_NCCL: MFU_V2_RETURN(nccl);
  case MFU_REC_KERNEL: MFU_V2_RETURN(kernel);
  case MFU_REC_MEMCPY: case MFU_REC_MEMSET: MFU_V2_RETURN(memop);
  case MFU_REC_CORRELATION: MFU_V2_RETURN(corr);
  default: MFU_V2_RETURN(common);
  }
#undef MFU_V2_RETURN
}

static inline uint64_t mfu_zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t mfu_unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

/* Appends the LEB128 varint of v at p; returns the byte after it (at most 10 bytes). */
static inline unsigned char *mfu_put_varint(unsigned char *p, uint64_t v) {
  while (v >= 0x80) *p++ = (unsigned char)(v | 0x80), v >>= 7;
  *p++ = (unsigned char)v;
  return p;
}

/* FNV-1a over 64-bit little-endian words: each step is a bijection of the running value, so
 * any change confined to one word always changes the result. `n` must be a multiple of 8. */
#define MFU_CHECKSUM_SEED 0xcbf29ce484222325ull
static inline uint64_t mfu_checksum(uint64_t h, const void *data, size_t n) {
  const unsigned char *p = (const unsigned char *)data;
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    h = (h ^ w) * 0x100000001b3ull;
  }
  return h;
}

static inline uint64_t mfu_block_checksum(const struct mfu_block_header *bh, const void *payload) {
  return mfu_checksum(mfu_checksum(MFU_CHECKSUM_SEED, bh, offsetof(struct mfu_block_header, checksum)),
                      payload, bh->payload_size);
}

static inline uint64_t mfu_header_checksum(const struct mfu_file_header *h) {
  struct mfu_file_header copy = *h;
  copy.checksum = 0;
  return mfu_checksum(MFU_CHECKSUM_SEED, &copy, sizeof copy);
}

#endif
