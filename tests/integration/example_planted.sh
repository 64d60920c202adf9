#!/usr/bin/env bash
# The example's planted inefficiencies (--idle-us, --memory-bound-us, --allreduce-mb,
# --comm-stream, --sync): they leave the GEMMs and their FLOPs unchanged, and the planted_*
# and fake_* lines it prints are exactly what the fake GPU's durations (tests/doubles/fake_gpu.h)
# give, worked out here independently. Under the shim (which loads the CUPTI double, and so the
# fake GPU) the example's CUDA-event step times are the fake GPU's, and its all-reduces are
# intercepted although it reaches NCCL at run time only.
# Env: MFU_ROOT (repo root), DOUBLES (build/test-doubles), SHIM, MFU.
. "$MFU_ROOT/tests/lib.sh" # $PRELOAD and $HOST_ASAN; this test counts its failures instead
set +e +o pipefail
example=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
value() { sed -n "s/^$1=\([0-9]*\)$/\1/p" <<<"$2"; }
expect() { # what, actual, expected
  [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

# The model: 2 layers, hidden 256, 4 heads of d = 64 (GQA off), gated MLP of 512, vocab 1000,
# batch 2 x seq 64 (T = 128 tokens), bf16.
model=(--layers 2 --hidden 256 --heads 4 --ffn 512 --vocab 1000 --batch 2 --seq 64 --dtype bf16)
L=2 T=128

# Fake GPU durations (ns): GEMM 2000 + FLOPs/100000; memory 2000 + bytes/1000;
# NCCL 5000 + bytes/100 (integer division).
gemm_ns() { echo $((2000 + $1 / 100000)); }
# A projection in -> out costs 2*T*in*out FLOPs in each of its 3 GEMMs (y, dx, dW); the
# attention core 2*s*s*d per (sequence, head), 8 of them, in each of its 6 GEMMs (2 forward).
proj_ns=0
for io in "256 768" "256 256" "256 512" "256 512" "512 256"; do # qkv, o, gate, up, down
  set -- $io
  proj_ns=$((proj_ns + $(gemm_ns $((2 * T * $1 * $2)))))
done
attn_ns=$(gemm_ns $((2 * 64 * 64 * 64 * 8)))
head_ns=$(gemm_ns $((2 * T * 256 * 1000)))
# Per step: every GEMM; and the layers' backward pass (2 GEMMs per projection, 4 for the
# attention core), which follows the all-reduce and can hide it on the side stream.
step_gemm_ns=$((L * (3 * proj_ns + 6 * attn_ns) + 3 * head_ns))
backward_ns=$((L * (2 * proj_ns + 4 * attn_ns)))
expect "hand count: per-step GEMM time" "$step_gemm_ns" 102507 # 2*(3*11675 + 6*2041) + 3*2655
expect "hand count: layers' backward time" "$backward_ns" 63028 # 2*(2*11675 + 4*2041)

run() { # options...: the example on the doubles; its output
  LD_LIBRARY_PATH=$DOUBLES "$example" "${model[@]}" --steps 3 "$@" 2>&1
}
base=$(run)
flops=$(value issued_gemm_flops "$base") calls=$(value issued_gemm_calls "$base")
[ -n "$flops" ] && [ "$flops" -gt 0 ] || fail "baseline: no FLOPs: $base"
expect "baseline fake_gemm_ns" "$(value fake_gemm_ns "$base")" "$step_gemm_ns"
for key in planted_idle_ns planted_memory_bound_ns planted_comm_ns fake_comm_ns; do
  expect "baseline $key" "$(value $key "$base")" 0
done

# check NAME IDLE MEMORY COMM FAKE_COMM options...: exact planted lines, same GEMMs.
check() {
  local name=$1 idle=$2 memory=$3 comm=$4 fake_comm=$5 out rc before=$failures
  shift 5
  out=$(run "$@")
  rc=$?
  expect "$name: exit" $rc 0
  expect "$name: issued_gemm_flops" "$(value issued_gemm_flops "$out")" "$flops"
  expect "$name: issued_gemm_calls" "$(value issued_gemm_calls "$out")" "$calls"
  expect "$name: planted_idle_ns" "$(value planted_idle_ns "$out")" "$idle"
  expect "$name: planted_memory_bound_ns" "$(value planted_memory_bound_ns "$out")" "$memory"
  expect "$name: planted_comm_ns" "$(value planted_comm_ns "$out")" "$comm"
  expect "$name: fake_comm_ns" "$(value fake_comm_ns "$out")" "$fake_comm"
  expect "$name: fake_gemm_ns" "$(value fake_gemm_ns "$out")" "$step_gemm_ns"
  [ $failures -eq $before ] || echo "$out"
}

# A saxpy per layer sized to last N us exactly (N >= 2: the 2 us launch cost).
check "idle" 1500000 0 0 0 --idle-us 1500
check "memory-bound" 0 $((L * 37000)) 0 0 --memory-bound-us 37
check "memory-bound, 1 us" 0 $((L * 2000)) 0 0 --memory-bound-us 1 # one element: 2 us
# 1 MB all-reduce: 5000 + 10^6/100 = 15000 ns; 10 MB: 105000 ns.
check "all-reduce, compute stream" 0 0 15000 15000 --allreduce-mb 1 --sync
check "all-reduce, side stream, hidden" 0 0 0 15000 --allreduce-mb 1 --comm-stream side
check "all-reduce, side stream, partly exposed" 0 0 $((105000 - backward_ns)) 105000 \
  --allreduce-mb 10 --comm-stream side
check "everything" 250000 $((L * 10000)) 105000 105000 \
  --idle-us 250 --memory-bound-us 10 --allreduce-mb 10 --comm-stream same --sync

# Under the shim, the fake GPU runs the work: each step lasts at least its kernels plus the idle
# time (8 ms of memory-bound kernels, 0.1 ms of GEMMs, 0.1 ms of all-reduce, 1 ms idle), as the
# example's own event timing shows; and every all-reduce was intercepted.
traces=${TEST_TMP:-$(mktemp -d)}/traces
opts=(--idle-us 1000 --memory-bound-us 4000 --allreduce-mb 10 --sync)
out=$(LD_LIBRARY_PATH=$DOUBLES LD_PRELOAD=$PRELOAD ASAN_OPTIONS=$HOST_ASAN MFU_TRACE_DIR=$traces \
  "$example" "${model[@]}" --steps 3 "${opts[@]}" 2>&1)
expect "traced: exit" $? 0
least_us=$(((step_gemm_ns + 2 * 4000000 + 105000 + 1000000) / 1000))
steps=0
while read -r n ms; do
  steps=$((steps + 1))
  us=$(awk -v ms="$ms" 'BEGIN { printf "%d", ms * 1000 }')
  [ "$us" -ge "$least_us" ] || fail "traced: step $n lasted $us us, less than $least_us"
done < <(sed -n 's/^  step \([0-9]*\): \([0-9.]*\) ms.*/\1 \2/p' <<<"$out")
expect "traced: steps timed" $steps 3
if "$MFU" report "$traces" --json > report.json 2>report.err; then
  read -r ncalls nbytes < <(python3 -c '
import json, sys
t = json.load(open("report.json"))["totals"]
print(t["nccl_calls"], t["nccl_bytes"])')
  expect "traced: NCCL calls" "$ncalls" 3 # data movements: the all-reduces
  expect "traced: NCCL bytes" "$nbytes" 30000000
else
  fail "traced: mfu report: $(cat report.err)"
fi
[ $failures -eq 0 ] || echo "$out"

# Nonsense: a message and exit 2.
while read -ra args; do
  out=$(LD_LIBRARY_PATH=$DOUBLES "$example" "${args[@]}" 2>&1)
  rc=$?
  expect "'${args[*]}': exit" $rc 2
  grep -q '^transformer_step: ' <<<"$out" || fail "'${args[*]}': no message"
done <<'EOF'
--idle-us 0
--memory-bound-us -5
--memory-bound-us 99999999
--allreduce-mb ten
--comm-stream sideways
EOF

[ $failures -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "example_planted: all checks passed"
