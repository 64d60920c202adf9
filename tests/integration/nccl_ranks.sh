# NCCL across ranks: tests/integration/nccl_ranks.c run as 4 ranks of one job by Open MPI's
# mpirun (without it: 4 processes with torchrun's variables), the shim preloaded in each.
#  1. On the NCCL double: 4 files, one job, exact bytes per operation and per rank.
#  2. On the real libnccl.so.2 without a GPU: every data call is intercepted, and failed.
#  3. Rank 2 killed (SIGKILL) half way: 4 ranks, rank 2 incomplete, every number exact.
. "$MFU_ROOT/tests/lib.sh"

# What one rank moves (n = 4 ranks; S = count x element size, x n for AllGather,
# ReduceScatter, AlltoAll, Gather and Scatter), worked out by hand from nccl_ranks.c:
#   AllReduce      1048576 bf16 = 2097152; 4096 fp32 = 16384 (in the group);
#                  3000 int8 = 3000 (on the split communicator)        3 calls  2116536 bytes
#   Broadcast      1000 fp32 = 4000; ncclBcast 300 int64 = 2400         2 calls     6400
#   Reduce         5000 fp16                                            1 call     10000
#   AllGather      250 fp32 x 4 = 4000; 32 bf16 x 4 = 256 (in the group)  2 calls   4256
#   ReduceScatter  128 fp8 x 4                                          1 call       512
#   AlltoAll       64 fp64 x 4                                          1 call      2048
#   Gather         100 int32 x 4                                        1 call      1600
#   Scatter        10 uint8 x 4                                         1 call        40
#   Send, Recv     777 fp8 each (in the group)                          1 call each  777
#   total          14 calls, 2142946 bytes; Send, Recv, an AllReduce and an AllGather in 1 group
OPS="AllReduce Broadcast Reduce AllGather ReduceScatter AlltoAll Gather Scatter Send Recv"
declare -A CALLS=([AllReduce]=3 [Broadcast]=2 [Reduce]=1 [AllGather]=2 [ReduceScatter]=1
  [AlltoAll]=1 [Gather]=1 [Scatter]=1 [Send]=1 [Recv]=1)
declare -A BYTES=([AllReduce]=2116536 [Broadcast]=6400 [Reduce]=10000 [AllGather]=4256
  [ReduceScatter]=512 [AlltoAll]=2048 [Gather]=1600 [Scatter]=40 [Send]=777 [Recv]=777)
RANK_CALLS=14 RANK_BYTES=2142946

if command -v mpirun >/dev/null && mpirun --version 2>/dev/null | grep -q "Open MPI"; then
  LAUNCHER=mpirun
else
  LAUNCHER=torchrun-variables
fi
echo "launcher: $LAUNCHER"

# ranks NAME LIBS [VAR=VALUE...]: the program as the 4 ranks of one job on the libraries in
# LIBS, traces in NAME/, rank 0's ncclUniqueId passed through NAME.id.
ranks() {
  local name=$1 libs=$2
  shift 2
  local cmd=(env LD_PRELOAD="$PRELOAD" ASAN_OPTIONS="$HOST_ASAN" LD_LIBRARY_PATH="$libs" MFU_TRACE_DIR="$PWD/$name"
    MFU_FLUSH_MS=50 NCCL_RANKS_ID_FILE="$PWD/$name.id" "$@" "$BIN/nccl_ranks")
  if [ $LAUNCHER = mpirun ]; then
    mpirun --oversubscribe --allow-run-as-root -np 4 "${cmd[@]}"
  else
    local r pids=() status=0
    for r in 0 1 2 3; do
      RANK=$r WORLD_SIZE=4 LOCAL_RANK=$r LOCAL_WORLD_SIZE=4 TORCHELASTIC_RUN_ID="job-$name" \
        "${cmd[@]}" &
      pids+=($!)
    done
    for r in "${pids[@]}"; do wait "$r" || status=$?; done
    return $status
  fi
}

# report NAME: its JSON report, flattened to "path=value" lines (dots between keys) in NAME.flat
report() {
  "$MFU" report "$1" --json > "$1.json"
  python3 - "$1.json" > "$1.flat" <<'PY'
import json, sys
def walk(path, v):
    if isinstance(v, dict):
        for k, x in v.items(): walk(path + [k], x)
    elif isinstance(v, list):
        print(".".join(path) + ".length=%d" % len(v))
        for i, x in enumerate(v): walk(path + [str(i)], x)
    else:
        print(".".join(path) + "=" + ("null" if v is None else json.dumps(v).strip('"')))
walk([], json.load(open(sys.argv[1])))
PY
}
# get NAME PATH: one value of NAME's report
get() { awk -v k="$2" 'index($0, k "=") == 1 { print substr($0, length(k) + 2) }' "$1.flat"; }
# expect_ops NAME PREFIX K ok|failed: the ops at PREFIX hold the calls of K ranks, all
# successful (with their bytes) or all failed (no bytes)
expect_ops() {
  local name=$1 at=$2 k=$3 op calls bytes failed
  for op in $OPS; do
    calls=$((CALLS[$op] * k)) bytes=$((BYTES[$op] * k)) failed=0
    [ "$4" = ok ] || failed=$calls calls=0 bytes=0
    expect_eq "$name $at$op.calls" "$(get "$name" "$at$op.calls")" $calls
    expect_eq "$name $at$op.bytes" "$(get "$name" "$at$op.bytes")" $bytes
    expect_eq "$name $at$op.failed" "$(get "$name" "$at$op.failed")" $failed
  done
}
expect_one_job() { # NAME
  expect_eq "$1: trace files" "$(ls "$1" | wc -l)" 4
  expect_eq "$1: files" "$(get "$1" files)" 4
  expect_eq "$1: ranks" "$(get "$1" ranks)" 4
  expect_eq "$1: world_size" "$(get "$1" world_size)" 4
  expect_eq "$1: other jobs" "$(get "$1" other_jobs.length)" 0
  for r in 0 1 2 3; do expect_eq "$1: per_rank.$r.rank" "$(get "$1" per_rank.$r.rank)" $r; done
  [ $LAUNCHER = mpirun ] || expect_eq "$1: job_id" "$(get "$1" job_id)" "job-$1"
}

# --- 1. the double: every call succeeds
ranks double "$DOUBLES" > double.out 2> double.err || { cat double.err; fail "the ranks failed"; }
for r in 0 1 2 3; do
  grep -qx "rank $r done" double.out || fail "no 'rank $r done': $(cat double.out)"
done
expect_eq "program: expected_calls" "$(sed -n 's/^expected_calls=//p' double.out)" $RANK_CALLS
expect_eq "program: expected_bytes" "$(sed -n 's/^expected_bytes=//p' double.out)" $RANK_BYTES
for op in $OPS; do
  expect_eq "program: $op bytes" "$(sed -n "s/^expected_bytes_$op=//p" double.out)" "${BYTES[$op]}"
  expect_eq "program: $op calls" "$(sed -n "s/^expected_calls_$op=//p" double.out)" "${CALLS[$op]}"
done
report double
expect_one_job double
expect_eq "nccl_calls" "$(get double totals.nccl_calls)" 56
expect_eq "nccl_failed" "$(get double totals.nccl_failed)" 0
expect_eq "nccl_bytes" "$(get double totals.nccl_bytes)" 8571784
expect_eq "nccl_groups" "$(get double totals.nccl_groups)" 4
expect_eq "nccl_grouped_calls" "$(get double totals.nccl_grouped_calls)" 16
expect_ops double nccl_by_op. 4 ok
for r in 0 1 2 3; do
  expect_eq "rank $r nccl_calls" "$(get double per_rank.$r.nccl_calls)" $RANK_CALLS
  expect_eq "rank $r nccl_bytes" "$(get double per_rank.$r.nccl_bytes)" $RANK_BYTES
  expect_eq "rank $r complete" "$(get double per_rank.$r.complete)" true
  expect_ops double per_rank.$r.nccl_by_op. 1 ok
done
expect_eq "warnings" "$(get double warnings.length)" 0
"$MFU" report double --full > double.txt
grep -qE '^  AllReduce +12 +0 +8466144 ' double.txt || fail "no AllReduce row: $(cat double.txt)"
grep -qE '^  total +56 +0 +8571784 ' double.txt || fail "no total row: $(cat double.txt)"

# --- 2. the real libnccl.so.2, no GPU: the communicator cannot start, every call fails
# (the toolkit's libraries are CUDA 13's: not on a CUDA 12 stack)
if [ "${MFU_CUDA_STACK:-13}" = 13 ]; then
  ranks real "$CUDA_LIB" > real.out 2> real.err || { cat real.err; fail "the ranks failed (real)"; }
  expect_eq "real: program's failed calls" "$(sed -n 's/^expected_failed=//p' real.out)" $RANK_CALLS
  report real
  expect_one_job real
  expect_eq "real: hooks_resolved.nccl" "$(get real hooks_resolved.nccl)" 4
  expect_eq "real: nccl_calls" "$(get real totals.nccl_calls)" 0
  expect_eq "real: nccl_failed" "$(get real totals.nccl_failed)" 56
  expect_eq "real: nccl_bytes" "$(get real totals.nccl_bytes)" 0
  expect_ops real nccl_by_op. 4 failed
  for r in 0 1 2 3; do
    expect_eq "real: rank $r nccl_failed" "$(get real per_rank.$r.nccl_failed)" $RANK_CALLS
  done
  grep -q "every NCCL data call failed" real.json || fail "real: no note on the failed calls"
fi

# --- 3. rank 2 stops after the nine calls outside the group (2097152 + 4000 + 2400 + 10000 +
# 4000 + 512 + 2048 + 1600 + 40 = 2121752 bytes) and is killed once the others are done.
ranks killed "$DOUBLES" NCCL_RANKS_DIE_RANK=2 NCCL_RANKS_DIE_FILE="$PWD/killed.pid" \
  > killed.out 2> killed.err &
launcher=$!
for _ in $(seq 600); do
  [ -s killed.pid ] && [ "$(grep -cE '^rank [013] done$' killed.out)" = 3 ] && break
  sleep 0.05
done
[ -s killed.pid ] || fail "rank 2 never stopped: $(cat killed.err)"
sleep 0.5 # many flush intervals (MFU_FLUSH_MS=50) after rank 2's last call
kill -KILL "$(cat killed.pid)"
wait $launcher || true
report killed
expect_one_job killed
expect_eq "killed: rank 2 complete" "$(get killed per_rank.2.complete)" false
expect_eq "killed: incomplete files" "$(get killed incomplete_files.length)" 1
expect_eq "killed: the incomplete rank" "$(get killed incomplete_files.0.rank)" 2
grep -q '"rank 2 (.*) is incomplete' killed.json || fail "killed: no warning for rank 2"
for r in 0 1 3; do
  expect_eq "killed: rank $r complete" "$(get killed per_rank.$r.complete)" true
  expect_eq "killed: rank $r nccl_calls" "$(get killed per_rank.$r.nccl_calls)" $RANK_CALLS
  expect_eq "killed: rank $r nccl_bytes" "$(get killed per_rank.$r.nccl_bytes)" $RANK_BYTES
  expect_ops killed per_rank.$r.nccl_by_op. 1 ok
done
expect_eq "killed: rank 2 nccl_calls" "$(get killed per_rank.2.nccl_calls)" 9
expect_eq "killed: rank 2 nccl_bytes" "$(get killed per_rank.2.nccl_bytes)" 2121752
expect_eq "killed: rank 2 AllGather" "$(get killed per_rank.2.nccl_by_op.AllGather.bytes)" 4000
expect_eq "killed: rank 2 Send" "$(get killed per_rank.2.nccl_by_op.Send.calls)" 0
expect_eq "killed: nccl_calls" "$(get killed totals.nccl_calls)" $((3 * 14 + 9))
expect_eq "killed: nccl_bytes" "$(get killed totals.nccl_bytes)" 8550590
expect_eq "killed: AllReduce bytes" "$(get killed nccl_by_op.AllReduce.bytes)" 8446760
expect_eq "killed: nccl_groups" "$(get killed totals.nccl_groups)" 3
echo "ok ($LAUNCHER): 4 ranks x 14 NCCL calls counted exactly on the double; 56 failed calls" \
  "intercepted on the real library; a killed rank reported incomplete, the others exact"
