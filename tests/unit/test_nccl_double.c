/* Unit tests of the NCCL test double (build/test-doubles/libnccl.so.2), called through its
 * pnccl* names so that the shim's wrappers (in the archive this test links) stay out of the
 * way: communicators answer as the ranks of a real job would, ncclX are aliases of pncclX,
 * and data movements and groups return MFU_DOUBLE_STATUS. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <nccl.h>
#include <stdio.h>
#include <stdlib.h>

static void assert_comm(ncclComm_t comm, int rank, int size) {
  int r = -1, n = -1, device = -1;
  assert_non_null(comm);
  assert_int_equal(pncclCommUserRank(comm, &r), ncclSuccess);
  assert_int_equal(pncclCommCount(comm, &n), ncclSuccess);
  assert_int_equal(pncclCommCuDevice(comm, &device), ncclSuccess);
  assert_int_equal(r, rank);
  assert_int_equal(n, size);
  assert_true(device >= 0);
}

static void test_init(void **state) {
  (void)state;
  ncclUniqueId a, b;
  assert_int_equal(pncclGetUniqueId(&a), ncclSuccess);
  assert_int_equal(pncclGetUniqueId(&b), ncclSuccess);
  assert_memory_not_equal(&a, &b, sizeof a);
  ncclComm_t c[3];
  assert_int_equal(pncclCommInitRank(&c[0], 8, a, 5), ncclSuccess);
  assert_comm(c[0], 5, 8);
  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  assert_int_equal(pncclCommInitRankConfig(&c[1], 2, a, 1, &config), ncclSuccess);
  assert_comm(c[1], 1, 2);
  ncclUniqueId ids[2] = {a, b};
  assert_int_equal(pncclCommInitRankScalable(&c[2], 16, 15, 2, ids, NULL), ncclSuccess);
  assert_comm(c[2], 15, 16);
  for (int i = 0; i < 3; i++) assert_int_equal(pncclCommDestroy(c[i]), ncclSuccess);

  ncclComm_t bad = NULL;
  assert_int_equal(pncclCommInitRank(&bad, 4, a, 4), ncclInvalidArgument);
  assert_int_equal(pncclCommInitRank(&bad, 0, a, 0), ncclInvalidArgument);
  assert_int_equal(pncclCommInitRankScalable(&bad, 4, 0, 0, ids, NULL), ncclInvalidArgument);
  assert_null(bad);
  int n;
  assert_int_equal(pncclCommCount(NULL, &n), ncclInvalidArgument);
}

static void test_init_all(void **state) {
  (void)state;
  ncclComm_t c[4];
  const int devices[4] = {3, 2, 1, 0};
  assert_int_equal(pncclCommInitAll(c, 4, devices), ncclSuccess);
  for (int i = 0; i < 4; i++) {
    int device;
    assert_comm(c[i], i, 4);
    assert_int_equal(pncclCommCuDevice(c[i], &device), ncclSuccess);
    assert_int_equal(device, 3 - i);
    assert_int_equal(i % 2 ? pncclCommAbort(c[i]) : pncclCommDestroy(c[i]), ncclSuccess);
  }
}

/* Every rank chose the same color: same size and rank; NCCL_SPLIT_NOCOLOR: no communicator. */
static void test_split(void **state) {
  (void)state;
  ncclUniqueId id = {{0}};
  ncclComm_t world, split, none = (ncclComm_t)&id;
  assert_int_equal(pncclCommInitRank(&world, 6, id, 4), ncclSuccess);
  assert_int_equal(pncclCommSplit(world, 3, 0, &split, NULL), ncclSuccess);
  assert_comm(split, 4, 6);
  assert_int_equal(pncclCommSplit(world, NCCL_SPLIT_NOCOLOR, 0, &none, NULL), ncclSuccess);
  assert_null(none);
  assert_int_equal(pncclCommSplit(world, -7, 0, &none, NULL), ncclInvalidArgument);
  assert_int_equal(pncclCommFinalize(split), ncclSuccess);
  assert_int_equal(pncclCommDestroy(split), ncclSuccess);
  assert_int_equal(pncclCommDestroy(world), ncclSuccess);
  assert_int_equal(pncclCommDestroy(NULL), ncclSuccess);
  assert_int_equal(pncclCommFinalize(NULL), ncclInvalidArgument);
}

/* Rank 4 of 6 without ranks 0, 2 and 5: rank 2 of 3. */
static void test_shrink(void **state) {
  (void)state;
  ncclUniqueId id = {{0}};
  ncclComm_t world, small;
  assert_int_equal(pncclCommInitRank(&world, 6, id, 4), ncclSuccess);
  int excluded[] = {5, 0, 2};
  assert_int_equal(pncclCommShrink(world, excluded, 3, &small, NULL, NCCL_SHRINK_DEFAULT),
                   ncclSuccess);
  assert_comm(small, 2, 3);
  assert_int_equal(pncclCommDestroy(small), ncclSuccess);
  assert_int_equal(pncclCommShrink(world, NULL, 0, &small, NULL, NCCL_SHRINK_DEFAULT), ncclSuccess);
  assert_comm(small, 4, 6);
  assert_int_equal(pncclCommDestroy(small), ncclSuccess);
  int self[] = {4}, twice[] = {1, 1}, outside[] = {6};
  assert_int_equal(pncclCommShrink(world, self, 1, &small, NULL, 0), ncclInvalidArgument);
  assert_int_equal(pncclCommShrink(world, twice, 2, &small, NULL, 0), ncclInvalidArgument);
  assert_int_equal(pncclCommShrink(world, outside, 1, &small, NULL, 0), ncclInvalidArgument);
  assert_int_equal(pncclCommDestroy(world), ncclSuccess);
}

/* main() set MFU_DOUBLE_STATUS=6 (ncclRemoteError): every data movement and group returns it. */
static void test_status(void **state) {
  (void)state;
  ncclUniqueId id = {{0}};
  ncclComm_t c;
  char buf[64];
  assert_int_equal(pncclCommInitRank(&c, 2, id, 0), ncclSuccess);
  assert_int_equal(pncclAllReduce(buf, buf, 4, ncclFloat32, ncclSum, c, NULL), ncclRemoteError);
  assert_int_equal(pncclSend(buf, 4, ncclBfloat16, 1, c, NULL), ncclRemoteError);
  assert_int_equal(pncclGroupStart(), ncclRemoteError);
  assert_int_equal(pncclGroupEnd(), ncclRemoteError);
  assert_int_equal(pncclCommDestroy(c), ncclSuccess);
}

static void test_library(void **state) {
  (void)state;
  int version = 0;
  assert_int_equal(pncclGetVersion(&version), ncclSuccess);
  assert_int_equal(version, 22809);
  assert_string_equal(pncclGetErrorString(ncclInvalidArgument), "invalid argument");
  assert_string_equal(pncclGetErrorString((ncclResult_t)99), "unknown result code");
  void *p = NULL;
  assert_int_equal(pncclMemAlloc(&p, 100), ncclSuccess);
  assert_non_null(p);
  assert_int_equal(pncclMemFree(p), ncclSuccess);
  /* Like the real library: each ncclX is a weak alias of pncclX. */
  void *lib = dlopen("libnccl.so.2", RTLD_NOLOAD | RTLD_LAZY);
  assert_non_null(lib);
  static const char *const names[] = {"ncclAllReduce", "ncclBcast", "ncclGroupEnd",
                                      "ncclCommShrink", "ncclCommUserRank", "ncclGetUniqueId"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    char twin[64];
    snprintf(twin, sizeof twin, "p%s", names[i]);
    assert_non_null(dlsym(lib, names[i]));
    assert_ptr_equal(dlsym(lib, names[i]), dlsym(lib, twin));
  }
  dlclose(lib);
}

int main(void) {
  setenv("MFU_DOUBLE_STATUS", "6", 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_init),   cmocka_unit_test(test_init_all),
      cmocka_unit_test(test_split),  cmocka_unit_test(test_shrink),
      cmocka_unit_test(test_status), cmocka_unit_test(test_library),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
