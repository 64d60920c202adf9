/* NCCL counting rules (nccl-tests' conventions, shared by the shim and the analyzer).
 *
 * bytes (S, the size of the operation) per call, with n ranks in the communicator:
 *   AllReduce, Broadcast, Bcast, Reduce   count * size
 *   AllGather, Gather                     (send)count * size * n
 *   ReduceScatter, Scatter                (recv)count * size * n
 *   AlltoAll                              count * size * n
 *   Send, Recv                            count * size
 * Bus bandwidth = (S / t) * factor: 2(n-1)/n for AllReduce, (n-1)/n for AllGather,
 * ReduceScatter and AlltoAll, 1 for the rest. */
#ifndef MFU_NCCL_H
#define MFU_NCCL_H

#include <stdbool.h>
#include <stdint.h>

/* X(enum suffix, name). The order is the on-disk value (mfu_nccl.op): append only. */
#define MFU_NCCL_OPS(X)        \
  X(NONE, "none")              \
  X(ALLREDUCE, "AllReduce")    \
  X(BROADCAST, "Broadcast")    \
  X(REDUCE, "Reduce")          \
  X(ALLGATHER, "AllGather")    \
  X(REDUCESCATTER, "ReduceScatter") \
  X(ALLTOALL, "AlltoAll")      \
  X(GATHER, "Gather")          \
  X(SCATTER, "Scatter")        \
  X(SEND, "Send")              \
  X(RECV, "Recv")              \
  X(GROUP_START, "GroupStart") \
  X(GROUP_END, "GroupEnd")     \
  X(COMM_INIT, "CommInit")     \
  X(COMM_END, "CommEnd")       \
  X(COMM_QUERY, "CommQuery")

enum mfu_nccl_op {
#define MFU_NCCL_OP_ENUM(e, name) MFU_NCCL_##e,
  MFU_NCCL_OPS(MFU_NCCL_OP_ENUM)
#undef MFU_NCCL_OP_ENUM
  MFU_NCCL_OP_COUNT
};

static inline const char *mfu_nccl_op_name(unsigned op) {
  static const char *const names[] = {
#define MFU_NCCL_OP_NAME(e, name) name,
      MFU_NCCL_OPS(MFU_NCCL_OP_NAME)
#undef MFU_NCCL_OP_NAME
  };
  return op < MFU_NCCL_OP_COUNT ? names[op] : "invalid";
}

/* Whether `op` moves data (a collective or point-to-point operation). */
static inline bool mfu_nccl_op_moves_data(unsigned op) {
  return op >= MFU_NCCL_ALLREDUCE && op <= MFU_NCCL_RECV;
}

/* Whether an NCCL call with return code `status` counts: ncclSuccess, or ncclInProgress (7), a
 * non-blocking communicator's "accepted, completes later". */
static inline bool mfu_nccl_accepted(int status) { return status == 0 || status == 7; }

/* Bytes of one element of ncclDataType_t `t` (ABI values of nccl.h), 0 if unknown. */
static inline unsigned mfu_nccl_type_size(int t) {
  static const unsigned char size[] = {
      1, 1, /* int8, uint8 */
      4, 4, /* int32, uint32 */
      8, 8, /* int64, uint64 */
      2,    /* float16 */
      4,    /* float32 */
      8,    /* float64 */
      2,    /* bfloat16 */
      1, 1, /* float8 e4m3, e5m2 */
  };
  return t >= 0 && (unsigned)t < sizeof size ? size[t] : 0;
}

/* S for one call; saturates at UINT64_MAX (sets *saturated). n < 1 counts as 1. */
static inline uint64_t mfu_nccl_bytes(unsigned op, uint64_t count, int datatype, int64_t n,
                                      bool *saturated) {
  uint64_t s, per = (uint64_t)mfu_nccl_type_size(datatype);
  uint64_t ranks = n > 0 ? (uint64_t)n : 1;
  switch (op) {
  case MFU_NCCL_ALLGATHER: case MFU_NCCL_GATHER: case MFU_NCCL_REDUCESCATTER:
  case MFU_NCCL_SCATTER: case MFU_NCCL_ALLTOALL:
    break;
  case MFU_NCCL_ALLREDUCE: case MFU_NCCL_BROADCAST: case MFU_NCCL_REDUCE:
  case MFU_NCCL_SEND: case MFU_NCCL_RECV:
    ranks = 1;
    break;
  default:
    return 0;
  }
  if (__builtin_mul_overflow(count, per, &s) || __builtin_mul_overflow(s, ranks, &s)) {
    *saturated = true;
    return UINT64_MAX;
  }
  return s;
}

/* nccl-tests' bus-bandwidth factor for `op` on n ranks. */
static inline double mfu_nccl_bus_factor(unsigned op, int64_t n) {
  if (n < 1) n = 1;
  switch (op) {
  case MFU_NCCL_ALLREDUCE: return 2.0 * (double)(n - 1) / (double)n;
  case MFU_NCCL_ALLGATHER: case MFU_NCCL_REDUCESCATTER: case MFU_NCCL_ALLTOALL:
    return (double)(n - 1) / (double)n;
  default: return 1.0;
  }
}

#endif
