/* Unit tests of include/mfu/nccl.h: nccl-tests' byte rule (S) and bus-bandwidth factor for
 * every operation, every datatype of nccl.h (bf16 and both fp8 included) and 1, 2, 4, 8
 * ranks, against values written out here; 64-bit saturation; unknown datatypes and
 * operations. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <nccl.h>

#include "mfu/nccl.h"

#define COUNT 12345u
static const int ranks[] = {1, 2, 4, 8};

/* Every datatype of nccl.h, in the order of the tables below. */
static const ncclDataType_t types[] = {
    ncclInt8,    ncclUint8,   ncclInt32,    ncclUint32,     ncclInt64,     ncclUint64,
    ncclFloat16, ncclFloat32, ncclFloat64, ncclBfloat16, ncclFloat8e4m3, ncclFloat8e5m2,
};
#define NTYPES (sizeof types / sizeof *types)

/* COUNT elements of each type: AllReduce, Broadcast, Reduce, Send, Recv, whatever the ranks */
static const uint64_t per_call[NTYPES] = {
    12345, 12345, 49380, 49380, 98760, 98760, 24690, 49380, 98760, 24690, 12345, 12345,
};

/* ... and AllGather, Gather (sendcount), ReduceScatter, Scatter (recvcount), AlltoAll: the
 * buffer of all ranks */
static const uint64_t per_job[4][NTYPES] = {
    {12345, 12345, 49380, 49380, 98760, 98760, 24690, 49380, 98760, 24690, 12345, 12345},
    {24690, 24690, 98760, 98760, 197520, 197520, 49380, 98760, 197520, 49380, 24690, 24690},
    {49380, 49380, 197520, 197520, 395040, 395040, 98760, 197520, 395040, 98760, 49380, 49380},
    {98760, 98760, 395040, 395040, 790080, 790080, 197520, 395040, 790080, 197520, 98760, 98760},
};

/* Bus factors for 1, 2, 4, 8 ranks: 2(n-1)/n, (n-1)/n, 1 (all exact in binary) */
static const double allreduce_factor[4] = {0, 1, 1.5, 1.75};
static const double gather_factor[4] = {0, 0.5, 0.75, 0.875};
static const double one[4] = {1, 1, 1, 1};

static const struct {
  unsigned op;
  const char *name;
  bool scales; /* S grows with the ranks */
  const double *factor;
} ops[] = {
    {MFU_NCCL_ALLREDUCE, "AllReduce", false, allreduce_factor},
    {MFU_NCCL_BROADCAST, "Broadcast", false, one},
    {MFU_NCCL_REDUCE, "Reduce", false, one},
    {MFU_NCCL_ALLGATHER, "AllGather", true, gather_factor},
    {MFU_NCCL_REDUCESCATTER, "ReduceScatter", true, gather_factor},
    {MFU_NCCL_ALLTOALL, "AlltoAll", true, gather_factor},
    {MFU_NCCL_GATHER, "Gather", true, one},
    {MFU_NCCL_SCATTER, "Scatter", true, one},
    {MFU_NCCL_SEND, "Send", false, one},
    {MFU_NCCL_RECV, "Recv", false, one},
};

static const unsigned not_data[] = {MFU_NCCL_NONE,      MFU_NCCL_GROUP_START, MFU_NCCL_GROUP_END,
                                    MFU_NCCL_COMM_INIT, MFU_NCCL_COMM_END,    MFU_NCCL_COMM_QUERY,
                                    MFU_NCCL_OP_COUNT,  255};

static void test_type_sizes(void **state) {
  (void)state;
  static const unsigned size[NTYPES] = {1, 1, 4, 4, 8, 8, 2, 4, 8, 2, 1, 1};
  for (size_t t = 0; t < NTYPES; t++) assert_int_equal(mfu_nccl_type_size(types[t]), size[t]);
  assert_int_equal(mfu_nccl_type_size(ncclNumTypes), 0);
  assert_int_equal(mfu_nccl_type_size(-1), 0);
  assert_int_equal(mfu_nccl_type_size(1000), 0);
}

static void test_bytes_of_every_op_type_and_size(void **state) {
  (void)state;
  for (size_t o = 0; o < sizeof ops / sizeof *ops; o++)
    for (size_t n = 0; n < 4; n++)
      for (size_t t = 0; t < NTYPES; t++) {
        bool saturated = false;
        uint64_t want = ops[o].scales ? per_job[n][t] : per_call[t];
        uint64_t got = mfu_nccl_bytes(ops[o].op, COUNT, types[t], ranks[n], &saturated);
        if (got != want)
          fail_msg("%s of %u elements of type %d on %d ranks: %llu bytes, expected %llu",
                   ops[o].name, COUNT, types[t], ranks[n], (unsigned long long)got,
                   (unsigned long long)want);
        assert_false(saturated);
      }
}

static void test_bus_factors(void **state) {
  (void)state;
  for (size_t o = 0; o < sizeof ops / sizeof *ops; o++)
    for (size_t n = 0; n < 4; n++)
      if (mfu_nccl_bus_factor(ops[o].op, ranks[n]) != ops[o].factor[n])
        fail_msg("%s on %d ranks: factor %g, expected %g", ops[o].name, ranks[n],
                 mfu_nccl_bus_factor(ops[o].op, ranks[n]), ops[o].factor[n]);
  /* fewer than one rank counts as one */
  assert_true(mfu_nccl_bus_factor(MFU_NCCL_ALLREDUCE, 0) == 0);
  assert_true(mfu_nccl_bus_factor(MFU_NCCL_ALLGATHER, -3) == 0);
  assert_true(mfu_nccl_bus_factor(MFU_NCCL_SEND, 0) == 1);
}

static void test_names_and_data_ops(void **state) {
  (void)state;
  for (size_t o = 0; o < sizeof ops / sizeof *ops; o++) {
    assert_string_equal(mfu_nccl_op_name(ops[o].op), ops[o].name);
    assert_true(mfu_nccl_op_moves_data(ops[o].op));
  }
  for (size_t i = 0; i < sizeof not_data / sizeof *not_data; i++)
    assert_false(mfu_nccl_op_moves_data(not_data[i]));
  assert_string_equal(mfu_nccl_op_name(MFU_NCCL_GROUP_START), "GroupStart");
  assert_string_equal(mfu_nccl_op_name(MFU_NCCL_COMM_INIT), "CommInit");
  assert_string_equal(mfu_nccl_op_name(MFU_NCCL_OP_COUNT), "invalid");
}

/* Calls that move nothing, types that are not known, ranks below one. */
static void test_zero_bytes(void **state) {
  (void)state;
  bool saturated = false;
  for (size_t i = 0; i < sizeof not_data / sizeof *not_data; i++)
    assert_int_equal(mfu_nccl_bytes(not_data[i], COUNT, ncclFloat32, 4, &saturated), 0);
  for (size_t o = 0; o < sizeof ops / sizeof *ops; o++) {
    assert_int_equal(mfu_nccl_bytes(ops[o].op, COUNT, ncclNumTypes, 4, &saturated), 0);
    assert_int_equal(mfu_nccl_bytes(ops[o].op, COUNT, -1, 4, &saturated), 0);
    assert_int_equal(mfu_nccl_bytes(ops[o].op, 0, ncclFloat64, 8, &saturated), 0);
  }
  assert_int_equal(mfu_nccl_bytes(MFU_NCCL_ALLGATHER, COUNT, ncclFloat32, 0, &saturated), 49380);
  assert_int_equal(mfu_nccl_bytes(MFU_NCCL_ALLTOALL, COUNT, ncclFloat32, -2, &saturated), 49380);
  assert_false(saturated);
}

/* S saturates at 2^64-1 and says so, in the element size or in the ranks. */
static void test_saturation(void **state) {
  (void)state;
  const uint64_t big = (1ull << 60) - 1; /* x 8 bytes = 2^63 - 8 */
  bool saturated = false;
  assert_int_equal(mfu_nccl_bytes(MFU_NCCL_ALLREDUCE, big, ncclInt64, 8, &saturated),
                   9223372036854775800ull);
  assert_int_equal(mfu_nccl_bytes(MFU_NCCL_ALLGATHER, big, ncclUint64, 2, &saturated),
                   18446744073709551600ull);
  assert_false(saturated);
  assert_int_equal(mfu_nccl_bytes(MFU_NCCL_ALLGATHER, big, ncclUint64, 4, &saturated), UINT64_MAX);
  assert_true(saturated);
  saturated = false;
  assert_int_equal(mfu_nccl_bytes(MFU_NCCL_SEND, 1ull << 61, ncclFloat64, 1, &saturated),
                   UINT64_MAX);
  assert_true(saturated);
  saturated = false;
  assert_int_equal(mfu_nccl_bytes(MFU_NCCL_ALLREDUCE, UINT64_MAX, ncclInt8, 8, &saturated),
                   UINT64_MAX); /* fits: one byte each, and AllReduce does not scale */
  assert_false(saturated);
  assert_int_equal(mfu_nccl_bytes(MFU_NCCL_SCATTER, UINT64_MAX, ncclFloat8e5m2, 2, &saturated),
                   UINT64_MAX);
  assert_true(saturated);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_type_sizes),
      cmocka_unit_test(test_bytes_of_every_op_type_and_size),
      cmocka_unit_test(test_bus_factors),
      cmocka_unit_test(test_names_and_data_ops),
      cmocka_unit_test(test_zero_bytes),
      cmocka_unit_test(test_saturation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
