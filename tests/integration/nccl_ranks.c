/* One rank of an NCCL job, launched by mpirun (OMPI_COMM_WORLD_RANK/SIZE) or with torchrun's
 * variables (RANK, WORLD_SIZE). Rank 0 makes the ncclUniqueId and publishes it in the file
 * $NCCL_RANKS_ID_FILE (written under a temporary name, then renamed); the others wait for it.
 * Every rank then calls every data movement the shim wraps with known counts and datatypes:
 * nine outside any group, four in a group nested once, one on a communicator split from the
 * world; it asks sizes and ranks, and destroys its communicators. Rank 0 prints what a correct
 * shim must count for one rank, computed here (nccl-tests' S: count x element size, x ranks
 * for the gathers, scatters and all-to-all):
 *
 *     expected_calls=N expected_failed=N expected_bytes=N
 *     expected_calls_<Op>=N expected_bytes_<Op>=N                 (one per line)
 *
 * and every rank prints "rank R done" last. With NCCL_RANKS_DIE_RANK=R and
 * NCCL_RANKS_DIE_FILE=PATH, rank R writes its pid to PATH after the calls outside the group
 * and waits to be killed. Built against the real nccl.h and -lnccl: it runs on the test
 * double (every call succeeds) or the real library without a GPU (every call fails). */
#include <nccl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { ALLREDUCE, BROADCAST, REDUCE, ALLGATHER, REDUCESCATTER, ALLTOALL, GATHER, SCATTER, SEND,
       RECV, NOPS };
static const char *const op_name[NOPS] = {"AllReduce", "Broadcast", "Reduce",  "AllGather",
                                          "ReduceScatter", "AlltoAll", "Gather", "Scatter",
                                          "Send", "Recv"};
static uint64_t calls[NOPS], bytes[NOPS], failed;

static void expect(const char *what, ncclResult_t status, int op, uint64_t n) {
  if (status != ncclSuccess) {
    failed++;
    fprintf(stderr, "%s: %s\n", what, ncclGetErrorString(status));
    return;
  }
  calls[op]++;
  bytes[op] += n;
}
#define CALL(op, n, call) expect(#call, call, op, n)

/* Host stand-in for device memory, as large as the largest call: the double never touches
 * it, and the real library fails before it would. */
static char buf[4 << 20];

static int env_int(const char *name) {
  const char *v = getenv(name);
  return v && *v ? atoi(v) : -1;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  nanosleep(&ts, NULL);
}

/* Writes `n` bytes to `path` atomically: readers see the whole file or none. */
static void publish(const char *path, const void *data, size_t n) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid());
  FILE *f = fopen(tmp, "wb");
  if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0 || rename(tmp, path) != 0) {
    perror(path);
    exit(2);
  }
}

/* Rank 0's id, read once its file exists (30 s at most). */
static ncclUniqueId wait_for_id(const char *path) {
  ncclUniqueId id;
  for (int i = 0; i < 3000; i++, sleep_ms(10)) {
    FILE *f = fopen(path, "rb");
    if (!f) continue;
    size_t n = fread(&id, 1, sizeof id, f);
    fclose(f);
    if (n == sizeof id) return id;
  }
  fprintf(stderr, "no ncclUniqueId in %s after 30 s: did rank 0 start?\n", path);
  exit(2);
}

/* Rank `rank` of the job stops here, visibly, until it is killed (60 s at most). */
static void die_here_if_asked(int rank) {
  const char *path = getenv("NCCL_RANKS_DIE_FILE");
  if (env_int("NCCL_RANKS_DIE_RANK") != rank || !path) return;
  char pid[32];
  int n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
  publish(path, pid, (size_t)n);
  sleep_ms(60000);
  fprintf(stderr, "rank %d was not killed\n", rank);
  exit(3);
}

/* Where the library answers, it must say what every rank asked for. */
static void check_identity(ncclComm_t comm, int rank, int size, const char *what) {
  int count, me;
  if (ncclCommCount(comm, &count) == ncclSuccess && ncclCommUserRank(comm, &me) == ncclSuccess &&
      (count != size || me != rank)) {
    fprintf(stderr, "the %s communicator says rank %d of %d, not %d of %d\n", what, me, count,
            rank, size);
    exit(1);
  }
}

int main(void) {
  int rank = env_int("OMPI_COMM_WORLD_RANK"), size = env_int("OMPI_COMM_WORLD_SIZE");
  if (rank < 0) rank = env_int("RANK");
  if (size < 0) size = env_int("WORLD_SIZE");
  const char *id_file = getenv("NCCL_RANKS_ID_FILE");
  if (rank < 0 || size < 1 || rank >= size || !id_file) {
    fprintf(stderr, "usage: NCCL_RANKS_ID_FILE=PATH mpirun -np N nccl_ranks (or with RANK and "
                    "WORLD_SIZE set)\n");
    return 2;
  }
  ncclUniqueId id;
  if (rank == 0) {
    memset(&id, 0, sizeof id); /* the others must not wait forever if it fails */
    ncclResult_t status = ncclGetUniqueId(&id);
    if (status != ncclSuccess) fprintf(stderr, "ncclGetUniqueId: %s\n", ncclGetErrorString(status));
    publish(id_file, &id, sizeof id);
  } else {
    id = wait_for_id(id_file);
  }

  ncclComm_t world = NULL, split = NULL, none = NULL;
  ncclResult_t status = ncclCommInitRank(&world, size, id, rank);
  if (status != ncclSuccess) fprintf(stderr, "ncclCommInitRank: %s\n", ncclGetErrorString(status));
  check_identity(world, rank, size, "world");

  const uint64_t n = (uint64_t)size;
  cudaStream_t s = NULL; /* the legacy default stream: no CUDA call needed */
  void *b = buf;
  CALL(ALLREDUCE, 1048576 * 2, ncclAllReduce(b, b, 1048576, ncclBfloat16, ncclSum, world, s));
  CALL(BROADCAST, 1000 * 4, ncclBroadcast(b, b, 1000, ncclFloat32, 0, world, s));
  CALL(BROADCAST, 300 * 8, ncclBcast(b, 300, ncclInt64, 1, world, s));
  CALL(REDUCE, 5000 * 2, ncclReduce(b, b, 5000, ncclFloat16, ncclMax, 2 % size, world, s));
  CALL(ALLGATHER, 250 * 4 * n, ncclAllGather(b, b, 250, ncclFloat32, world, s));
  CALL(REDUCESCATTER, 128 * 1 * n, ncclReduceScatter(b, b, 128, ncclFloat8e4m3, ncclSum, world, s));
  CALL(ALLTOALL, 64 * 8 * n, ncclAlltoAll(b, b, 64, ncclFloat64, world, s));
  CALL(GATHER, 100 * 4 * n, ncclGather(b, b, 100, ncclInt32, 0, world, s));
  CALL(SCATTER, 10 * 1 * n, ncclScatter(b, b, 10, ncclUint8, 3 % size, world, s));
  die_here_if_asked(rank);

  /* A ring exchange and two collectives in one launch; the inner group joins the outer one. */
  ncclGroupStart();
  CALL(SEND, 777, ncclSend(b, 777, ncclFloat8e5m2, (rank + 1) % size, world, s));
  ncclGroupStart();
  CALL(RECV, 777, ncclRecv(b, 777, ncclFloat8e5m2, (rank + size - 1) % size, world, s));
  CALL(ALLREDUCE, 4096 * 4, ncclAllReduce(b, b, 4096, ncclFloat32, ncclSum, world, s));
  ncclGroupEnd();
  CALL(ALLGATHER, 32 * 2 * n, ncclAllGather(b, b, 32, ncclBfloat16, world, s));
  ncclGroupEnd();

  /* Every rank picks the same color: a communicator as large as the world. */
  ncclCommSplit(world, 0, rank, &split, NULL);
  check_identity(split, rank, size, "split");
  CALL(ALLREDUCE, 3000 * 1, ncclAllReduce(b, b, 3000, ncclInt8, ncclSum, split, s));
  ncclCommSplit(world, NCCL_SPLIT_NOCOLOR, rank, &none, NULL);
  if (none) {
    fprintf(stderr, "a split with NCCL_SPLIT_NOCOLOR gave a communicator\n");
    return 1;
  }
  ncclCommDestroy(split);
  ncclCommFinalize(world);
  ncclCommDestroy(world);

  if (rank == 0) {
    uint64_t all_calls = 0, all_bytes = 0;
    for (int op = 0; op < NOPS; op++) {
      all_calls += calls[op];
      all_bytes += bytes[op];
    }
    printf("expected_calls=%llu\nexpected_failed=%llu\nexpected_bytes=%llu\n",
           (unsigned long long)all_calls, (unsigned long long)failed,
           (unsigned long long)all_bytes);
    for (int op = 0; op < NOPS; op++)
      printf("expected_calls_%s=%llu\nexpected_bytes_%s=%llu\n", op_name[op],
             (unsigned long long)calls[op], op_name[op], (unsigned long long)bytes[op]);
  }
  printf("rank %d done\n", rank);
  return 0;
}
