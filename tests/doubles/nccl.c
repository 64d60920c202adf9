/* Test double for libnccl.so.2 (NCCL 2.28). Like the real library, every function is a strong
 * pncclX definition with a weak ncclX alias, so that the shim can forward to the profiling
 * twins. The functions of the shim's API spec are generated from MFU_NCCL_APIS; the few others
 * a program needs (version, unique id, error strings, device, memory) are written out.
 *
 * Communicators are small real objects holding size, rank and device, answering as if every
 * rank of the job made the same calls: a split keeps size and rank (every rank chose the same
 * color), a shrink closes the gaps left by the excluded ranks. Data movements and groups do
 * no work and return ncclSuccess, or MFU_DOUBLE_STATUS. When the fake GPU is there
 * (fake_gpu.h), each successful data movement launches a kernel named as NCCL's on its stream;
 * inside ncclGroupStart/End (per thread, as in NCCL) the kernels are launched by the outermost
 * ncclGroupEnd, one per call. Buffers registered (ncclCommRegister, ncclCommWindowRegister) must
 * be device memory of the doubles (devmem.h); PreMulSum operations are created and destroyed
 * per communicator, as in NCCL. No state is shared between threads, and a communicator is used
 * by one thread at a time (as NCCL asks): thread-safe. */
#include <nccl.h>
#include <stdlib.h>
#include <unistd.h>

#include "devmem.h"
#include "doubles.h"
#include "mfu/api_spec.h"
#include "mfu/nccl.h"

struct ncclComm {
  int nranks, rank, device;
  unsigned premulsum_ops; /* ncclRedOpCreatePreMulSum's ops: bit i is ncclNumOps + i */
};

/* Programs link the weak ncclX; the strong pncclX is what a profiler (the shim) calls. */
#define WEAK_ALIAS(name) extern __typeof__(p##name) name __attribute__((weak, alias("p" #name)));

/* --- communicators */

static ncclResult_t comm_new(ncclComm_t *comm, int nranks, int rank, int device) {
  if (!comm || nranks < 1 || rank < 0 || rank >= nranks) return ncclInvalidArgument;
  *comm = malloc(sizeof **comm);
  if (!*comm) return ncclSystemError;
  **comm = (struct ncclComm){.nranks = nranks, .rank = rank, .device = device};
  return ncclSuccess;
}

static ncclResult_t comm_ncclCommInitRank(ncclComm_t *comm, int nranks, ncclUniqueId id,
                                          int rank) {
  (void)id;
  return comm_new(comm, nranks, rank, 0);
}

static ncclResult_t comm_ncclCommInitRankConfig(ncclComm_t *comm, int nranks, ncclUniqueId id,
                                                int rank, ncclConfig_t *config) {
  (void)config;
  return comm_ncclCommInitRank(comm, nranks, id, rank);
}

static ncclResult_t comm_ncclCommInitRankScalable(ncclComm_t *comm, int nranks, int rank,
                                                  int nids, ncclUniqueId *ids,
                                                  ncclConfig_t *config) {
  (void)config;
  if (nids < 1 || !ids) return ncclInvalidArgument;
  return comm_new(comm, nranks, rank, 0);
}

/* One process drives ndev devices: communicator i is rank i. */
static ncclResult_t comm_ncclCommInitAll(ncclComm_t *comms, int ndev, const int *devlist) {
  if (!comms || ndev < 1) return ncclInvalidArgument;
  for (int i = 0; i < ndev; i++) {
    ncclResult_t status = comm_new(&comms[i], ndev, i, devlist ? devlist[i] : i);
    if (status != ncclSuccess) {
      while (i--) free(comms[i]);
      return status;
    }
  }
  return ncclSuccess;
}

static ncclResult_t comm_ncclCommSplit(ncclComm_t comm, int color, int key, ncclComm_t *newcomm,
                                       ncclConfig_t *config) {
  (void)key, (void)config;
  if (!comm || !newcomm || (color < 0 && color != NCCL_SPLIT_NOCOLOR)) return ncclInvalidArgument;
  if (color == NCCL_SPLIT_NOCOLOR) {
    *newcomm = NULL;
    return ncclSuccess;
  }
  return comm_new(newcomm, comm->nranks, comm->rank, comm->device);
}

/* The caller cannot exclude itself; each excluded rank below it moves it down by one. */
static ncclResult_t comm_ncclCommShrink(ncclComm_t comm, int *excluded, int nexcluded,
                                        ncclComm_t *newcomm, ncclConfig_t *config, int flags) {
  (void)config, (void)flags;
  if (!comm || !newcomm || nexcluded < 0 || (nexcluded && !excluded)) return ncclInvalidArgument;
  int below = 0;
  for (int i = 0; i < nexcluded; i++) {
    if (excluded[i] < 0 || excluded[i] >= comm->nranks || excluded[i] == comm->rank)
      return ncclInvalidArgument;
    for (int k = 0; k < i; k++)
      if (excluded[k] == excluded[i]) return ncclInvalidArgument;
    below += excluded[i] < comm->rank;
  }
  return comm_new(newcomm, comm->nranks - nexcluded, comm->rank - below, comm->device);
}

/* Destroying or aborting NULL is allowed, as in NCCL. */
static ncclResult_t comm_ncclCommDestroy(ncclComm_t comm) {
  free(comm);
  return ncclSuccess;
}

static ncclResult_t comm_ncclCommAbort(ncclComm_t comm) { return comm_ncclCommDestroy(comm); }

static ncclResult_t comm_ncclCommFinalize(ncclComm_t comm) {
  return comm ? ncclSuccess : ncclInvalidArgument;
}

static ncclResult_t comm_ncclCommCount(const ncclComm_t comm, int *count) {
  if (!comm || !count) return ncclInvalidArgument;
  *count = comm->nranks;
  return ncclSuccess;
}

static ncclResult_t comm_ncclCommUserRank(const ncclComm_t comm, int *rank) {
  if (!comm || !rank) return ncclInvalidArgument;
  *rank = comm->rank;
  return ncclSuccess;
}

/* --- data movements and groups: kernels on the fake GPU */

#define KERNEL_NAME 128

struct kernel {
  char name[KERNEL_NAME];
  cudaStream_t stream;
  uint64_t duration_ns;
};

/* This thread's group: its depth, and the kernels its calls will launch at the end. */
static _Thread_local struct {
  int depth;
  struct kernel *kernels;
  size_t n, size;
} group;

/* NCCL's kernel names, mangled as CUPTI reports them: reductions name the operation and type
 * (Max and Min share a kernel; Avg is a PreMulSum), the point-to-point family is SendRecv. */
static void kernel_name(char name[KERNEL_NAME], unsigned op, int redop, ncclDataType_t type) {
  static const char *const redops[] = {"Sum", "Prod", "MinMax", "MinMax", "PreMulSum"};
  static const char *const types[] = {"i8",  "u8",  "i32", "u32",    "i64",   "u64",
                                      "f16", "f32", "f64", "bf16", "f8e4m3", "f8e5m2"};
  char base[80];
  switch (op) {
  case MFU_NCCL_ALLREDUCE: case MFU_NCCL_REDUCE: case MFU_NCCL_REDUCESCATTER:
    snprintf(base, sizeof base, "ncclDevKernel_%s_%s_%s_RING_LL", mfu_nccl_op_name(op),
             (unsigned)redop < sizeof redops / sizeof *redops ? redops[redop] : "PreMulSum",
             (unsigned)type < sizeof types / sizeof *types ? types[type] : "u8");
    break;
  case MFU_NCCL_ALLGATHER: case MFU_NCCL_BROADCAST:
    snprintf(base, sizeof base, "ncclDevKernel_%s_RING_LL", mfu_nccl_op_name(op));
    break;
  default:
    snprintf(base, sizeof base, "ncclDevKernel_SendRecv");
  }
  snprintf(name, KERNEL_NAME, "_Z%zu%s24ncclDevKernelArgsStorageILm4096EE", strlen(base), base);
}

static void launch(const struct kernel *k) {
  fake_launch_kernel(k->name, k->stream, k->duration_ns);
}

static void keep_for_group_end(const struct kernel *k) {
  if (group.n == group.size) {
    size_t size = group.size ? 2 * group.size : 8;
    struct kernel *grown = realloc(group.kernels, size * sizeof *grown);
    if (!grown) return; /* out of memory: this kernel is not launched */
    group.kernels = grown;
    group.size = size;
  }
  group.kernels[group.n++] = *k;
}

/* A data movement: its kernel lasts by its bytes (nccl-tests' S), launched now or at the end
 * of the group. */
static ncclResult_t collective(unsigned op, size_t count, ncclDataType_t type, int redop,
                               ncclComm_t comm, cudaStream_t stream) {
  ncclResult_t status = (ncclResult_t)double_status();
  if (status != ncclSuccess || !fake_gpu()) return status;
  bool saturated = false;
  uint64_t bytes = mfu_nccl_bytes(op, count, (int)type, comm ? comm->nranks : 1, &saturated);
  struct kernel k = {.stream = stream, .duration_ns = fake_nccl_ns(bytes)};
  kernel_name(k.name, op, redop, type);
  if (group.depth)
    keep_for_group_end(&k);
  else
    launch(&k);
  return status;
}

static ncclResult_t group_call(unsigned op) {
  ncclResult_t status = (ncclResult_t)double_status();
  if (op == MFU_NCCL_GROUP_START) {
    group.depth++;
  } else if (group.depth > 0 && --group.depth == 0) {
    for (size_t i = 0; status == ncclSuccess && i < group.n; i++) launch(&group.kernels[i]);
    free(group.kernels);
    group.kernels = NULL;
    group.n = group.size = 0;
  }
  return status;
}

/* --- the spec's functions. The description tells what kind of call each is: data movements
 * and groups go to collective() and group_call() (which swallow the trailing (name, args));
 * communicator calls go to comm_<name> above. */
#define SWALLOW(name, args)
#define KIND_COLL(op, count, type, redop, peer, comm, stream)                                   \
  collective(op, count, type, redop, comm, stream) SWALLOW
#define KIND_GROUP(op) group_call(op) SWALLOW
#define KIND_COMM_FROM_IDS(...) communicator
#define KIND_COMM_ALL(...) communicator
#define KIND_COMM_SPLIT(...) communicator
#define KIND_COMM_SHRINK(...) communicator
#define KIND_COMM_END(...) communicator
#define KIND_COMM_COUNT(...) communicator
#define KIND_COMM_RANK(...) communicator
#define communicator(name, args) comm_##name args

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define DOUBLE(name, params, args, describe)                                                   \
  ncclResult_t p##name params { return KIND_##describe(name, args); }                          \
  WEAK_ALIAS(name)
MFU_NCCL_APIS(DOUBLE)
#pragma GCC diagnostic pop

/* --- what programs call around them */

ncclResult_t pncclGetVersion(int *version) {
  if (!version) return ncclInvalidArgument;
  *version = NCCL_VERSION_CODE;
  return ncclSuccess;
}
WEAK_ALIAS(ncclGetVersion)

/* Distinct for every call, like the real id (which holds an address and a random magic). */
ncclResult_t pncclGetUniqueId(ncclUniqueId *id) {
  if (!id) return ncclInvalidArgument;
  return getentropy(id->internal, sizeof id->internal) == 0 ? ncclSuccess : ncclSystemError;
}
WEAK_ALIAS(ncclGetUniqueId)

const char *pncclGetErrorString(ncclResult_t result) {
  static const char *const text[] = {
      [ncclSuccess] = "no error",
      [ncclUnhandledCudaError] = "unhandled cuda error",
      [ncclSystemError] = "unhandled system error",
      [ncclInternalError] = "internal error",
      [ncclInvalidArgument] = "invalid argument",
      [ncclInvalidUsage] = "invalid usage",
      [ncclRemoteError] = "remote process exited or there was a network error",
      [ncclInProgress] = "NCCL operation in progress",
  };
  return (unsigned)result < sizeof text / sizeof *text ? text[result] : "unknown result code";
}
WEAK_ALIAS(ncclGetErrorString)

const char *pncclGetLastError(ncclComm_t comm) {
  (void)comm;
  return "";
}
WEAK_ALIAS(ncclGetLastError)

ncclResult_t pncclCommGetAsyncError(ncclComm_t comm, ncclResult_t *asyncError) {
  if (!comm || !asyncError) return ncclInvalidArgument;
  *asyncError = ncclSuccess;
  return ncclSuccess;
}
WEAK_ALIAS(ncclCommGetAsyncError)

ncclResult_t pncclCommCuDevice(const ncclComm_t comm, int *device) {
  if (!comm || !device) return ncclInvalidArgument;
  *device = comm->device;
  return ncclSuccess;
}
WEAK_ALIAS(ncclCommCuDevice)

/* Device memory of the doubles' shared model (devmem.h), which the runtime double accepts. */
ncclResult_t pncclMemAlloc(void **ptr, size_t size) {
  if (!ptr) return ncclInvalidArgument;
  *ptr = mfu_devmem_alloc(size ? size : 1, MFU_DEVMEM_DEVICE);
  return *ptr ? ncclSuccess : ncclSystemError;
}
WEAK_ALIAS(ncclMemAlloc)

ncclResult_t pncclMemFree(void *ptr) {
  if (!ptr) return ncclSuccess;
  return mfu_devmem_free(ptr) == MFU_DEVMEM_DEVICE ? ncclSuccess : ncclInvalidArgument;
}
WEAK_ALIAS(ncclMemFree)

/* --- user-defined reductions: a PreMulSum is ncclNumOps + i, i its slot in the communicator */

#define PREMULSUM_SLOTS 32

ncclResult_t pncclRedOpCreatePreMulSum(ncclRedOp_t *op, void *scalar, ncclDataType_t datatype,
                                       ncclScalarResidence_t residence, ncclComm_t comm) {
  if (!op || !scalar || !comm || (unsigned)datatype >= ncclNumTypes ||
      (residence != ncclScalarDevice && residence != ncclScalarHostImmediate))
    return ncclInvalidArgument;
  if (residence == ncclScalarDevice && !mfu_devmem_device(scalar, 1)) return ncclInvalidArgument;
  for (int i = 0; i < PREMULSUM_SLOTS; i++)
    if (!(comm->premulsum_ops & (1u << i))) {
      comm->premulsum_ops |= 1u << i;
      *op = (ncclRedOp_t)(ncclNumOps + i);
      return ncclSuccess;
    }
  return ncclInvalidUsage; /* every slot taken: destroy some first */
}
WEAK_ALIAS(ncclRedOpCreatePreMulSum)

ncclResult_t pncclRedOpDestroy(ncclRedOp_t op, ncclComm_t comm) {
  int i = (int)op - ncclNumOps;
  if (!comm || i < 0 || i >= PREMULSUM_SLOTS || !(comm->premulsum_ops & (1u << i)))
    return ncclInvalidArgument;
  comm->premulsum_ops &= ~(1u << i);
  return ncclSuccess;
}
WEAK_ALIAS(ncclRedOpDestroy)

/* --- buffer registration: a handle (or window) is a record of the registered range */

struct registration {
  ncclComm_t comm;
  void *buff;
  size_t size;
};

static ncclResult_t do_register(ncclComm_t comm, void *buff, size_t size, void **handle) {
  if (!comm || !handle || !size) return ncclInvalidArgument;
  if (!mfu_devmem_device(buff, size)) return ncclInvalidArgument; /* not device memory */
  struct registration *r = malloc(sizeof *r);
  if (!r) return ncclSystemError;
  *r = (struct registration){.comm = comm, .buff = buff, .size = size};
  *handle = r;
  return ncclSuccess;
}

static ncclResult_t do_deregister(ncclComm_t comm, void *handle) {
  struct registration *r = handle;
  if (!comm || !r || r->comm != comm) return ncclInvalidArgument;
  free(r);
  return ncclSuccess;
}

ncclResult_t pncclCommRegister(const ncclComm_t comm, void *buff, size_t size, void **handle) {
  return do_register(comm, buff, size, handle);
}
WEAK_ALIAS(ncclCommRegister)

ncclResult_t pncclCommDeregister(const ncclComm_t comm, void *handle) {
  return do_deregister(comm, handle);
}
WEAK_ALIAS(ncclCommDeregister)

ncclResult_t pncclCommWindowRegister(ncclComm_t comm, void *buff, size_t size, ncclWindow_t *win,
                                     int winFlags) {
  (void)winFlags;
  return do_register(comm, buff, size, (void **)win);
}
WEAK_ALIAS(ncclCommWindowRegister)

ncclResult_t pncclCommWindowDeregister(ncclComm_t comm, ncclWindow_t win) {
  return do_deregister(comm, win);
}
WEAK_ALIAS(ncclCommWindowDeregister)
