/* The NCCL wrappers, one per entry of MFU_NCCL_APIS (include/mfu/api_spec.h), forwarding to
 * the pnccl* twins. Besides bytes (include/mfu/nccl.h), each record says which communicator
 * the call used, as an id that every rank of that communicator computes alike (a hash of the
 * ncclUniqueId it was made from, or of its parent and split color), and which group launch it
 * belongs to. */
#include <nccl.h>
#include <pthread.h>
#include <unistd.h>

#include "call.h"
#include "mfu/api.h"
#include "mfu/nccl.h"
#include "resolve.h"
#include "ring.h"
#include "writer.h"

static_assert(ncclInProgress == 7, "mfu_nccl_accepted");

/* --- communicators: comm pointer -> (id, rank, size). Written when a communicator is made
 * (rare, under a lock), read lock-free on every call. An ended communicator's entry becomes a
 * tombstone, so that probing goes on past it and a new communicator at the same address is
 * not taken for the old one. */
#define COMM_SLOTS 4096u
#define TOMBSTONE ((uintptr_t)1)

struct comm_entry {
  _Atomic(uintptr_t) key;
  _Atomic(uint64_t) id;
  atomic_int rank, size;
};
static struct comm_entry comms[COMM_SLOTS];
static pthread_mutex_t comms_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned comm_slot(uintptr_t key) { return (unsigned)((key >> 4) * 0x9e3779b97f4a7c15ull >> 52); }

static struct comm_entry *comm_find(ncclComm_t comm) {
  uintptr_t key = (uintptr_t)comm;
  for (unsigned i = 0, s = comm_slot(key); i < COMM_SLOTS; i++, s = (s + 1) % COMM_SLOTS) {
    uintptr_t k = atomic_load_explicit(&comms[s].key, memory_order_acquire);
    if (k == key) return &comms[s];
    if (k == 0) return NULL;
  }
  return NULL;
}

static void comm_register(ncclComm_t comm, uint64_t id, int rank, int size) {
  if (!comm) return;
  pthread_mutex_lock(&comms_lock);
  struct comm_entry *e = comm_find(comm);
  for (unsigned i = 0, s = comm_slot((uintptr_t)comm); !e && i < COMM_SLOTS; i++, s = (s + 1) % COMM_SLOTS) {
    uintptr_t k = atomic_load(&comms[s].key);
    if (k == 0 || k == TOMBSTONE) e = &comms[s];
  }
  if (e) {
    atomic_store(&e->id, id);
    atomic_store(&e->rank, rank);
    atomic_store(&e->size, size);
    atomic_store_explicit(&e->key, (uintptr_t)comm, memory_order_release);
  }
  pthread_mutex_unlock(&comms_lock);
  if (rank >= 0) mfu_writer_adopt_rank(rank, size);
}

static void comm_forget(ncclComm_t comm) {
  pthread_mutex_lock(&comms_lock);
  struct comm_entry *e = comm_find(comm);
  if (e) atomic_store_explicit(&e->key, TOMBSTONE, memory_order_release);
  pthread_mutex_unlock(&comms_lock);
}

/* Rank and size from the library itself (uncounted calls); -1 where it cannot say yet (a
 * non-blocking communicator still being made). */
static void comm_query(ncclComm_t comm, int *rank, int *size) {
  static _Atomic(void *) count_fn, rank_fn;
  ncclResult_t (*count)(const ncclComm_t, int *) = mfu_real(&count_fn, "ncclCommCount", MFU_HOOK_NCCL);
  ncclResult_t (*user_rank)(const ncclComm_t, int *) = mfu_real(&rank_fn, "ncclCommUserRank", MFU_HOOK_NCCL);
  if (!comm || !count || !user_rank || count(comm, size) != ncclSuccess ||
      user_rank(comm, rank) != ncclSuccess)
    *rank = *size = -1;
}

/* Fills the communicator fields of `rec`; a communicator not seen at creation (made before the
 * shim was loaded, or in a table overflow) gets id 0, and its rank and size are asked for,
 * unless the call just ended it (`alive` false). */
static void describe_comm(struct mfu_record *rec, ncclComm_t comm, bool alive) {
  struct mfu_nccl *n = &rec->u.nccl;
  n->comm = (uint64_t)(uintptr_t)comm;
  struct comm_entry *e = comm_find(comm);
  if (!e && comm && alive) {
    int rank, size;
    comm_query(comm, &rank, &size);
    comm_register(comm, 0, rank, size);
    e = comm_find(comm);
  }
  if (!e || atomic_load(&e->id) == 0) rec->flags |= MFU_RF_COMM_UNKNOWN;
  if (e && alive && atomic_load(&e->size) < 0) { /* made non-blocking: known once ready */
    int rank, size;
    comm_query(comm, &rank, &size);
    atomic_store(&e->rank, rank);
    atomic_store(&e->size, size);
  }
  n->comm_id = e ? atomic_load(&e->id) : 0;
  n->comm_rank = e ? atomic_load(&e->rank) : -1;
  n->comm_size = e ? atomic_load(&e->size) : -1;
}

/* --- groups: calls between the outermost ncclGroupStart and its ncclGroupEnd are one launch */
static MFU_TLS int group_depth;
static MFU_TLS uint64_t group_seq;
static atomic_uint_fast64_t groups_started;

static void describe_header(struct mfu_record *rec, unsigned op) {
  rec->u.nccl = (struct mfu_nccl){.datatype = -1, .redop = -1, .peer = -1, .comm_rank = -1,
                                  .comm_size = -1, .op = (uint8_t)op,
                                  .group_depth = (uint8_t)(group_depth > 255 ? 255 : group_depth),
                                  .group_seq = group_depth > 0 ? group_seq : 0};
}

static void describe_coll(struct mfu_record *rec, unsigned op, size_t count, ncclDataType_t type,
                          int redop, int peer, ncclComm_t comm, cudaStream_t stream) {
  describe_header(rec, op);
  struct mfu_nccl *n = &rec->u.nccl;
  n->count = count;
  n->datatype = (int32_t)type;
  n->redop = redop;
  n->peer = peer;
  rec->stream = (uint64_t)(uintptr_t)stream;
  describe_comm(rec, comm, true);
  if (mfu_nccl_type_size(type) == 0) rec->flags |= MFU_RF_DTYPE_UNKNOWN;
  if (!mfu_nccl_accepted(rec->status)) return;
  bool saturated = false;
  n->bytes = mfu_nccl_bytes(op, count, type, n->comm_size, &saturated);
  if (saturated) rec->flags |= MFU_RF_BYTES_SATURATED;
}

static void describe_group(struct mfu_record *rec, unsigned op) {
  if (mfu_nccl_accepted(rec->status)) {
    if (op == MFU_NCCL_GROUP_START && group_depth++ == 0)
      group_seq = atomic_fetch_add(&groups_started, 1) + 1;
    else if (op == MFU_NCCL_GROUP_END && group_depth > 0)
      group_depth--;
  }
  describe_header(rec, op);
  if (op == MFU_NCCL_GROUP_END) rec->u.nccl.group_seq = group_seq; /* the launch it closed */
}

/* A communicator was made (or is being made, for a non-blocking one). */
static void describe_new(struct mfu_record *rec, ncclComm_t *newcomm, uint64_t id, int rank, int size) {
  describe_header(rec, MFU_NCCL_COMM_INIT);
  ncclComm_t comm = newcomm ? *newcomm : NULL;
  if (mfu_nccl_accepted(rec->status) && comm) comm_register(comm, id, rank, size);
  rec->u.nccl.comm = (uint64_t)(uintptr_t)comm;
  rec->u.nccl.comm_id = id;
  rec->u.nccl.comm_rank = rank;
  rec->u.nccl.comm_size = size;
}

static uint64_t parent_id(ncclComm_t parent) {
  struct comm_entry *e = comm_find(parent);
  return e ? atomic_load(&e->id) : 0;
}

static uint64_t ids_hash(const ncclUniqueId *ids, int n) {
  return ids && n > 0 ? mfu_checksum(MFU_CHECKSUM_SEED, ids, (size_t)n * sizeof *ids) : 0;
}

static void describe_split(struct mfu_record *rec, ncclComm_t parent, int color, ncclComm_t *newcomm) {
  uint64_t words[3] = {parent_id(parent), 0x53504c4954ull /* "SPLIT" */, (uint64_t)(int64_t)color};
  int rank = -1, size = -1;
  if (newcomm && *newcomm && mfu_nccl_accepted(rec->status)) comm_query(*newcomm, &rank, &size);
  describe_new(rec, newcomm, mfu_checksum(MFU_CHECKSUM_SEED, words, sizeof words), rank, size);
}

static void describe_shrink(struct mfu_record *rec, ncclComm_t parent, const int *excluded,
                            int n_excluded, ncclComm_t *newcomm) {
  uint64_t words[2] = {parent_id(parent), 0x534852494e4bull /* "SHRINK" */};
  uint64_t id = mfu_checksum(MFU_CHECKSUM_SEED, words, sizeof words);
  for (int i = 0; excluded && i < n_excluded; i++) {
    uint64_t r = (uint64_t)(int64_t)excluded[i];
    id = mfu_checksum(id, &r, sizeof r);
  }
  int rank = -1, size = -1;
  if (newcomm && *newcomm && mfu_nccl_accepted(rec->status)) comm_query(*newcomm, &rank, &size);
  describe_new(rec, newcomm, id, rank, size);
}

/* ncclCommInitAll: one process drives ndev devices; its comms form one communicator. */
static void describe_all(struct mfu_record *rec, ncclComm_t *comms, int ndev) {
  static atomic_uint_fast64_t made;
  uint64_t words[3] = {(uint64_t)getpid(), 0x414c4cull /* "ALL" */, atomic_fetch_add(&made, 1)};
  uint64_t id = mfu_checksum(MFU_CHECKSUM_SEED, words, sizeof words);
  for (int i = 1; comms && mfu_nccl_accepted(rec->status) && i < ndev; i++) comm_register(comms[i], id, i, ndev);
  describe_new(rec, comms, id, 0, ndev);
}

/* Destroy and Abort end a communicator; Finalize only flushes it. */
static void describe_end(struct mfu_record *rec, ncclComm_t comm) {
  describe_header(rec, MFU_NCCL_COMM_END);
  describe_comm(rec, comm, false);
  if (rec->api != MFU_API_ncclCommFinalize && mfu_nccl_accepted(rec->status)) comm_forget(comm);
}

static void describe_query(struct mfu_record *rec, ncclComm_t comm) {
  describe_header(rec, MFU_NCCL_COMM_QUERY);
  describe_comm(rec, comm, true);
}

#define COLL(op, count, type, redop, peer, comm, stream)                                       \
  describe_coll(rec, op, count, type, (int)(redop), peer, comm, stream)
#define GROUP(op) describe_group(rec, op)
#define COMM_FROM_IDS(newcomm, ids, n_ids, rank, nranks)                                       \
  describe_new(rec, newcomm, ids_hash(ids, n_ids), rank, nranks)
#define COMM_ALL(comms, ndev) describe_all(rec, comms, ndev)
#define COMM_SPLIT(parent, color, newcomm) describe_split(rec, parent, color, newcomm)
#define COMM_SHRINK(parent, excluded, n_excluded, newcomm)                                     \
  describe_shrink(rec, parent, excluded, n_excluded, newcomm)
#define COMM_END(comm) describe_end(rec, comm)
#define COMM_COUNT(comm, count) describe_query(rec, comm)
#define COMM_RANK(comm, rank) describe_query(rec, comm)

#define MFU_NCCL_WRAPPER(name, params, args, describe)                                         \
  MFU_WRAPPER(ncclResult_t, ncclSystemError, MFU_HOOK_NCCL, MFU_REC_NCCL, name, params, args,   \
              describe)

MFU_NCCL_APIS(MFU_NCCL_WRAPPER)
