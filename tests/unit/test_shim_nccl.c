/* The shim's NCCL records, field by field: each wrapper is called in-process (the shim's
 * objects linked in, the NCCL double behind them) and the record it left in this thread's
 * ring is inspected. */
#include <dirent.h>
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <nccl.h>

#include "mfu/api.h"
#include "mfu/nccl.h"
#include "ring.h"
#include "shim_fixture.h"
#include "writer.h"

static char buf[64];
static ncclUniqueId uid;
static ncclComm_t world; /* rank 2 of 4 */

static uint64_t head(void) { return mfu_self ? atomic_load(&mfu_self->head) : 0; }

static const struct mfu_nccl *last(uint64_t before, unsigned api, int status) {
  assert_non_null(mfu_self);
  uint64_t now = atomic_load(&mfu_self->head);
  assert_int_equal(now, before + 1);
  const struct mfu_record *r = &mfu_self->slots[(now - 1) & (MFU_RING_SLOTS - 1)];
  assert_int_equal(r->kind, MFU_REC_NCCL);
  assert_string_equal(mfu_api_name(r->api), mfu_api_name(api));
  assert_int_equal(r->status, status);
  assert_int_equal(r->flops, 0);
  return &r->u.nccl;
}
#define LAST(api) last(before, MFU_API_##api, ncclSuccess)

static void init_rank_records_the_communicator(void **state) {
  (void)state;
  memset(&uid, 0x5a, sizeof uid);
  uint64_t before = head();
  assert_int_equal(ncclCommInitRank(&world, 4, uid, 2), ncclSuccess);
  const struct mfu_nccl *n = LAST(ncclCommInitRank);
  assert_int_equal(n->op, MFU_NCCL_COMM_INIT);
  assert_int_equal(n->comm, (uint64_t)(uintptr_t)world);
  assert_int_equal(n->comm_id, mfu_checksum(MFU_CHECKSUM_SEED, &uid, sizeof uid));
  assert_int_equal(n->comm_rank, 2);
  assert_int_equal(n->comm_size, 4);
}

static void collectives_count_nccl_tests_bytes(void **state) {
  (void)state;
  cudaStream_t s = (cudaStream_t)0x77;
  uint64_t id = mfu_checksum(MFU_CHECKSUM_SEED, &uid, sizeof uid), before;
  const struct mfu_nccl *n;
  before = head();
  ncclAllReduce(buf, buf, 1000, ncclFloat32, ncclSum, world, s);
  n = LAST(ncclAllReduce);
  assert_int_equal(n->op, MFU_NCCL_ALLREDUCE);
  assert_int_equal(n->bytes, 4000);
  assert_int_equal(n->count, 1000);
  assert_int_equal(n->redop, ncclSum);
  assert_int_equal(n->comm_id, id);
  assert_int_equal(n->comm_rank, 2);
  assert_int_equal(n->comm_size, 4);
  assert_int_equal(n->group_depth, 0);
  assert_int_equal(n->group_seq, 0);
  before = head();
  ncclAllGather(buf, buf, 10, ncclBfloat16, world, s);
  assert_int_equal(LAST(ncclAllGather)->bytes, 10 * 2 * 4);
  before = head();
  ncclReduceScatter(buf, buf, 10, ncclFloat8e4m3, ncclMax, world, s);
  assert_int_equal(LAST(ncclReduceScatter)->bytes, 10 * 1 * 4);
  before = head();
  ncclAlltoAll(buf, buf, 3, ncclInt64, world, s);
  assert_int_equal(LAST(ncclAlltoAll)->bytes, 3 * 8 * 4);
  before = head();
  ncclBcast(buf, 7, ncclFloat64, 1, world, s);
  n = LAST(ncclBcast);
  assert_int_equal(n->op, MFU_NCCL_BROADCAST);
  assert_int_equal(n->bytes, 56);
  assert_int_equal(n->peer, 1);
  before = head();
  ncclGather(buf, buf, 5, ncclFloat16, 0, world, s);
  assert_int_equal(LAST(ncclGather)->bytes, 5 * 2 * 4);
  before = head();
  ncclScatter(buf, buf, 5, ncclUint8, 0, world, s);
  assert_int_equal(LAST(ncclScatter)->bytes, 5 * 4);
  before = head();
  ncclReduce(buf, buf, 5, ncclInt32, ncclProd, 3, world, s);
  n = LAST(ncclReduce);
  assert_int_equal(n->bytes, 20);
  assert_int_equal(n->peer, 3);
  const struct mfu_record *r = &mfu_self->slots[(head() - 1) & (MFU_RING_SLOTS - 1)];
  assert_int_equal(r->stream, 0x77);
}

static void groups_link_their_calls(void **state) {
  (void)state;
  uint64_t before = head();
  ncclGroupStart();
  const struct mfu_nccl *start = LAST(ncclGroupStart);
  uint64_t seq = start->group_seq;
  assert_true(seq > 0);
  assert_int_equal(start->group_depth, 1);
  before = head();
  ncclSend(buf, 8, ncclFloat32, 3, world, NULL);
  const struct mfu_nccl *n = LAST(ncclSend);
  assert_int_equal(n->bytes, 32);
  assert_int_equal(n->peer, 3);
  assert_int_equal(n->group_depth, 1);
  assert_int_equal(n->group_seq, seq);
  ncclGroupStart(); /* nested: the same launch */
  before = head();
  ncclRecv(buf, 8, ncclFloat32, 1, world, NULL);
  n = LAST(ncclRecv);
  assert_int_equal(n->group_depth, 2);
  assert_int_equal(n->group_seq, seq);
  ncclGroupEnd();
  before = head();
  ncclGroupEnd();
  n = LAST(ncclGroupEnd);
  assert_int_equal(n->group_depth, 0);
  assert_int_equal(n->group_seq, seq);
  before = head();
  ncclAllReduce(buf, buf, 1, ncclFloat32, ncclSum, world, NULL);
  assert_int_equal(LAST(ncclAllReduce)->group_seq, 0);
  ncclGroupStart();
  before = head();
  ncclAllReduce(buf, buf, 1, ncclFloat32, ncclSum, world, NULL);
  assert_int_equal(LAST(ncclAllReduce)->group_seq, seq + 1);
  ncclGroupEnd();
}

static void split_ids_agree_across_ranks(void **state) {
  (void)state;
  ncclComm_t a = NULL, b = NULL, c = NULL;
  uint64_t before = head();
  ncclCommSplit(world, 7, 0, &a, NULL);
  uint64_t id_a = LAST(ncclCommSplit)->comm_id;
  before = head();
  ncclCommSplit(world, 7, 5, &b, NULL); /* another rank, same color: same communicator */
  const struct mfu_nccl *n = LAST(ncclCommSplit);
  assert_int_equal(n->comm_id, id_a);
  assert_int_equal(n->comm_rank, 2); /* as the double answers */
  assert_int_equal(n->comm_size, 4);
  before = head();
  ncclCommSplit(world, 8, 0, &c, NULL);
  assert_int_not_equal(LAST(ncclCommSplit)->comm_id, id_a);
  before = head();
  int count = 0;
  ncclCommCount(a, &count);
  assert_int_equal(count, 4);
  assert_int_equal(LAST(ncclCommCount)->comm_id, id_a);
  ncclCommDestroy(b);
  ncclCommDestroy(c);
  before = head();
  ncclCommDestroy(a);
  n = LAST(ncclCommDestroy);
  assert_int_equal(n->op, MFU_NCCL_COMM_END);
  assert_int_equal(n->comm_id, id_a);
}

/* A communicator made behind the shim's back (straight through the library): id 0, flagged,
 * rank and size asked of the library. */
static void unseen_communicators_are_flagged(void **state) {
  (void)state;
  void *lib = dlopen("libnccl.so.2", RTLD_NOLOAD | RTLD_LAZY);
  assert_non_null(lib);
  ncclResult_t (*init)(ncclComm_t *, int, ncclUniqueId, int) =
      (ncclResult_t(*)(ncclComm_t *, int, ncclUniqueId, int))dlsym(lib, "pncclCommInitRank");
  assert_non_null(init);
  ncclComm_t hidden;
  assert_int_equal(init(&hidden, 8, uid, 5), ncclSuccess);
  uint64_t before = head();
  ncclAllReduce(buf, buf, 2, ncclFloat32, ncclSum, hidden, NULL);
  const struct mfu_nccl *n = LAST(ncclAllReduce);
  const struct mfu_record *r = &mfu_self->slots[(head() - 1) & (MFU_RING_SLOTS - 1)];
  assert_true(r->flags & MFU_RF_COMM_UNKNOWN);
  assert_int_equal(n->comm_id, 0);
  assert_int_equal(n->comm_rank, 5);
  assert_int_equal(n->comm_size, 8);
  assert_int_equal(n->bytes, 8);
  dlclose(lib);
}

static void unknown_datatypes_move_no_bytes(void **state) {
  (void)state;
  uint64_t before = head();
  ncclAllReduce(buf, buf, 10, (ncclDataType_t)99, ncclSum, world, NULL);
  assert_int_equal(LAST(ncclAllReduce)->bytes, 0);
  const struct mfu_record *r = &mfu_self->slots[(head() - 1) & (MFU_RING_SLOTS - 1)];
  assert_true(r->flags & MFU_RF_DTYPE_UNKNOWN);
}

/* Without RANK & co., the first communicator names the file: rank 2. */
static void first_communicator_gives_the_rank(void **state) {
  (void)state;
  if (getenv("RANK") || getenv("OMPI_COMM_WORLD_RANK") || getenv("PMI_RANK") || getenv("SLURM_PROCID"))
    skip(); /* the launcher's rank wins */
  mfu_writer_final_flush();
  DIR *d = opendir("mfu-traces");
  assert_non_null(d);
  int named = 0;
  for (struct dirent *e; (e = readdir(d));) {
    named += strstr(e->d_name, "-r2-") != NULL;
    unlinkat(dirfd(d), e->d_name, 0);
  }
  closedir(d);
  rmdir("mfu-traces");
  assert_int_equal(named, 1);
}

int main(void) {
  int version; /* a call into the double itself keeps it linked (--as-needed) */
  if (ncclGetVersion(&version) != ncclSuccess) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(init_rank_records_the_communicator),
      cmocka_unit_test(collectives_count_nccl_tests_bytes),
      cmocka_unit_test(groups_link_their_calls),
      cmocka_unit_test(split_ids_agree_across_ranks),
      cmocka_unit_test(unseen_communicators_are_flagged),
      cmocka_unit_test(unknown_datatypes_move_no_bytes),
      cmocka_unit_test(first_communicator_gives_the_rank),
  };
  return run_shim_tests(tests, NULL);
}
