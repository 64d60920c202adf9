// An NCCL benchmark as nccl-tests writes one, built with nvcc: one process drives every device
// it is given (cudaGetDeviceCount; on the doubles MFU_DOUBLE_DEVICES), one communicator per
// device made in a group (ncclCommInitRankConfig), buffers from ncclMemAlloc set by cudaMemset
// and registered (ncclCommRegister, ncclCommWindowRegister), a PreMulSum reduction
// (ncclRedOpCreatePreMulSum). Each operation is issued on every device inside one group, ITERS
// times, timed by events and waited for by polling (cudaStreamQuery, ncclCommGetAsyncError);
// then once more captured in a CUDA graph (thread-local capture) that is launched LAUNCHES
// times. After each operation a check kernel is launched through cudaLaunchKernel, writing
// its count of wrong elements into mapped pinned memory (cudaHostAlloc): on a GPU that checks
// the data; on the doubles kernels do not run and the count stays 0.
// Prints, by its own arithmetic (nccl-tests' bytes: count x element size, x ranks for the
// gathers, scatters and all-to-all), per operation as the report names it: "Op calls bytes";
// exits 1 on any failure.
#include <cuda_runtime.h>
#include <nccl.h>

#include <cstdio>
#include <cstring>

#define ITERS 4
#define LAUNCHES 3
#define COUNT 1024 // floats per rank and operation

static int failures = 0;
#define CHECK(what, ok)                                                              \
  do {                                                                               \
    if (!(ok)) {                                                                     \
      std::fprintf(stderr, "collectives: %s failed (line %d)\n", what, __LINE__);    \
      failures++;                                                                    \
    }                                                                                \
  } while (0)
#define NCCL(call) CHECK(#call, (call) == ncclSuccess)
#define CUDA(call) CHECK(#call, (call) == cudaSuccess)

__global__ void count_wrong(const float *got, const float *want, size_t n, long long *wrong) {
  size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
  if (i < n && got[i] != want[i]) atomicAdd((unsigned long long *)wrong, 1ull);
}

enum { ALLREDUCE, PREMULSUM, ALLGATHER, REDUCESCATTER, BROADCAST, REDUCE, ALLTOALL, SENDRECV,
       OPS };
// What is counted, by the report's operation names: a PreMulSum is an AllReduce, a SendRecv
// a Send and a Recv.
enum {
  C_ALLREDUCE, C_ALLGATHER, C_REDUCESCATTER, C_BROADCAST, C_REDUCE, C_ALLTOALL, C_SEND, C_RECV,
  COUNTED
};
static const char *const names[COUNTED] = {"AllReduce", "AllGather", "ReduceScatter", "Broadcast",
                                           "Reduce",    "AlltoAll",  "Send",          "Recv"};

struct rank {
  ncclComm_t comm;
  cudaStream_t stream;
  float *send, *recv, *want;
  void *send_reg, *recv_reg;
  ncclWindow_t window;
  ncclRedOp_t premulsum;
};

struct issued {
  unsigned long long calls[COUNTED], bytes[COUNTED];
};

static void add(struct issued *to, int what, unsigned long long bytes) {
  to->calls[what]++, to->bytes[what] += bytes;
}

// One operation on one rank, added to what was issued.
static void issue(int op, struct rank *r, int rank, int nranks, struct issued *to) {
  const size_t per = COUNT / nranks, s = sizeof(float);
  void *in = r->send, *out = r->recv;
  ncclComm_t c = r->comm;
  cudaStream_t st = r->stream;
  ncclResult_t rc = ncclSuccess;
  switch (op) {
  case ALLREDUCE: rc = ncclAllReduce(in, out, COUNT, ncclFloat, ncclSum, c, st); break;
  case PREMULSUM: rc = ncclAllReduce(in, out, COUNT, ncclFloat, r->premulsum, c, st); break;
  case ALLGATHER: rc = ncclAllGather(in, out, per, ncclFloat, c, st); break;
  case REDUCESCATTER: rc = ncclReduceScatter(in, out, per, ncclFloat, ncclSum, c, st); break;
  case BROADCAST: rc = ncclBroadcast(in, out, COUNT, ncclFloat, 0, c, st); break;
  case REDUCE: rc = ncclReduce(in, out, COUNT, ncclFloat, ncclSum, 0, c, st); break;
  case ALLTOALL: rc = ncclAlltoAll(in, out, per, ncclFloat, c, st); break;
  case SENDRECV: // a ring, each pair in a group of its own (nested in the devices' group)
    NCCL(ncclGroupStart());
    NCCL(ncclSend(in, COUNT, ncclFloat, (rank + 1) % nranks, c, st));
    NCCL(ncclRecv(out, COUNT, ncclFloat, (rank + nranks - 1) % nranks, c, st));
    NCCL(ncclGroupEnd());
    add(to, C_SEND, COUNT * s), add(to, C_RECV, COUNT * s);
    return;
  }
  static const int counted_as[OPS] = {C_ALLREDUCE, C_ALLREDUCE,  C_ALLGATHER, C_REDUCESCATTER,
                                      C_BROADCAST, C_REDUCE,     C_ALLTOALL};
  const int what = counted_as[op];
  CHECK(names[what], rc == ncclSuccess);
  // nccl-tests' bytes: the gathers, scatters and all-to-all move count x size x ranks.
  bool whole = what == C_ALLGATHER || what == C_REDUCESCATTER || what == C_ALLTOALL;
  add(to, what, whole ? per * s * nranks : COUNT * s);
}

static void wait_all(struct rank *ranks, int n) {
  for (int i = 0; i < n; i++) {
    cudaError_t e;
    while ((e = cudaStreamQuery(ranks[i].stream)) == cudaErrorNotReady) {
      ncclResult_t async;
      NCCL(ncclCommGetAsyncError(ranks[i].comm, &async));
      CHECK("no asynchronous error", async == ncclSuccess);
    }
    CHECK("cudaStreamQuery", e == cudaSuccess);
  }
}

int main() {
  int n = 0;
  CUDA(cudaGetDeviceCount(&n));
  if (n < 1 || n > 8) return std::fprintf(stderr, "collectives: %d devices\n", n), 1;
  struct rank ranks[8];
  std::memset(ranks, 0, sizeof ranks);
  ncclUniqueId id;
  NCCL(ncclGetUniqueId(&id));
  NCCL(ncclGroupStart());
  for (int i = 0; i < n; i++) {
    ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
    CUDA(cudaSetDevice(i));
    NCCL(ncclCommInitRankConfig(&ranks[i].comm, n, id, i, &config));
  }
  NCCL(ncclGroupEnd());
  const size_t size = COUNT * sizeof(float);
  for (int i = 0; i < n; i++) {
    struct rank *r = &ranks[i];
    CUDA(cudaSetDevice(i));
    CUDA(cudaStreamCreateWithFlags(&r->stream, cudaStreamNonBlocking));
    NCCL(ncclMemAlloc((void **)&r->send, size));
    NCCL(ncclMemAlloc((void **)&r->recv, size));
    CUDA(cudaMalloc(&r->want, size));
    CUDA(cudaMemset(r->send, 0, size));
    CUDA(cudaMemset(r->recv, 0, size));
    CUDA(cudaMemset(r->want, 0, size));
    NCCL(ncclCommRegister(r->comm, r->send, size, &r->send_reg));
    NCCL(ncclCommRegister(r->comm, r->recv, size, &r->recv_reg));
    NCCL(ncclCommWindowRegister(r->comm, r->recv, size, &r->window, NCCL_WIN_COLL_SYMMETRIC));
    float scalar = i % 2 ? 2.0f : 1.0f;
    NCCL(ncclRedOpCreatePreMulSum(&r->premulsum, &scalar, ncclFloat, ncclScalarHostImmediate,
                                  r->comm));
  }
  long long *wrong = nullptr;
  CUDA(cudaHostAlloc((void **)&wrong, sizeof *wrong, cudaHostAllocMapped));
  cudaEvent_t start, stop;
  CUDA(cudaEventCreate(&start));
  CUDA(cudaEventCreate(&stop));

  struct issued issued;
  std::memset(&issued, 0, sizeof issued);
  for (int op = 0; op < OPS; op++) {
    CUDA(cudaEventRecord(start, ranks[0].stream));
    for (int it = 0; it < ITERS; it++) {
      NCCL(ncclGroupStart());
      for (int i = 0; i < n; i++) issue(op, &ranks[i], i, n, &issued);
      NCCL(ncclGroupEnd());
    }
    CUDA(cudaEventRecord(stop, ranks[0].stream));
    wait_all(ranks, n);
    float ms = -1;
    CUDA(cudaEventElapsedTime(&ms, start, stop));
    CHECK("a time", ms >= 0);

    // Once more in a graph per device, launched LAUNCHES times: each launch runs the calls.
    cudaGraph_t graphs[8];
    cudaGraphExec_t execs[8];
    struct issued captured;
    std::memset(&captured, 0, sizeof captured);
    for (int i = 0; i < n; i++)
      CUDA(cudaStreamBeginCapture(ranks[i].stream, cudaStreamCaptureModeThreadLocal));
    NCCL(ncclGroupStart());
    for (int i = 0; i < n; i++) issue(op, &ranks[i], i, n, &captured);
    NCCL(ncclGroupEnd());
    for (int i = 0; i < n; i++) {
      CUDA(cudaStreamEndCapture(ranks[i].stream, &graphs[i]));
      CUDA(cudaGraphInstantiate(&execs[i], graphs[i], 0));
    }
    for (int l = 0; l < LAUNCHES; l++)
      for (int i = 0; i < n; i++) CUDA(cudaGraphLaunch(execs[i], ranks[i].stream));
    for (int c = 0; c < COUNTED; c++)
      issued.calls[c] += LAUNCHES * captured.calls[c],
          issued.bytes[c] += LAUNCHES * captured.bytes[c];
    wait_all(ranks, n);
    for (int i = 0; i < n; i++) cudaGraphExecDestroy(execs[i]), cudaGraphDestroy(graphs[i]);

    // The check kernel on each device, through cudaLaunchKernel as nccl-tests launches it.
    for (int i = 0; i < n; i++) {
      *wrong = 0;
      size_t count = COUNT;
      void *args[] = {&ranks[i].recv, &ranks[i].want, &count, &wrong};
      CUDA(cudaSetDevice(i));
      CUDA(cudaLaunchKernel((const void *)count_wrong, dim3(COUNT / 256), dim3(256), args, 0,
                            ranks[i].stream));
      CUDA(cudaStreamSynchronize(ranks[i].stream));
      CHECK("the check's count", *wrong == 0);
    }
  }
  for (int i = 0; i < n; i++) {
    struct rank *r = &ranks[i];
    NCCL(ncclRedOpDestroy(r->premulsum, r->comm));
    NCCL(ncclCommWindowDeregister(r->comm, r->window));
    NCCL(ncclCommDeregister(r->comm, r->send_reg));
    NCCL(ncclCommDeregister(r->comm, r->recv_reg));
    NCCL(ncclMemFree(r->send));
    NCCL(ncclMemFree(r->recv));
    cudaFree(r->want);
    cudaStreamDestroy(r->stream);
    NCCL(ncclCommDestroy(r->comm));
  }
  cudaFreeHost(wrong);
  for (int c = 0; c < COUNTED; c++)
    std::printf("%s %llu %llu\n", names[c], issued.calls[c], issued.bytes[c]);
  return failures ? 1 : 0;
}
