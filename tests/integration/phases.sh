#!/usr/bin/env bash
# Phases from NVTX ranges, end to end: the example workload marks its forward and backward
# passes with NVTX ranges; run under the shim on the doubles (mfu run attaches NVTX), the report
# splits the counted FLOPs between them exactly: backward is twice forward (a projection's dX
# and dW, the attention core's four backward GEMMs to two), the phases add up to the total, and
# the measured backward/forward ratio is 2. The shim's call sites name the example's functions.
source "$MFU_ROOT/tests/lib.sh"
LD_PRELOAD=$SAN_PRELOAD ASAN_OPTIONS=$HOST_ASAN "$MFU" run --trace-dir traces -- env LD_LIBRARY_PATH="$DOUBLES" "$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step" \
  --layers 2 --hidden 256 --heads 4 --ffn 512 --vocab 1000 --batch 2 --seq 64 --steps 4 >run.txt 2>&1 \
  || { cat run.txt; fail "the example failed under mfu run"; }
"$MFU" report traces --json >report.json || fail "mfu report --json failed"
total=$(json report.json totals.gemm_flops)
fwd=$(json report.json phases.forward.flops)
bwd=$(json report.json phases.backward.flops)
python3 - "$total" "$fwd" "$bwd" <<'PY' || fail "forward $fwd + backward $bwd FLOPs: not a third and two thirds of $total"
import sys
total, fwd, bwd = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
assert total > 0 and fwd * 3 == total and bwd == 2 * fwd, (total, fwd, bwd)
PY
expect_eq "optimizer calls" "$(json report.json phases.optimizer.calls)" 0
expect_eq "other calls" "$(json report.json phases.other.calls)" 0
expect_eq "forward calls" "$(json report.json phases.forward.calls)" 60
expect_eq "backward calls" "$(json report.json phases.backward.calls)" 120
expect_eq "ratio" "$(json report.json phases.backward_forward_flops)" 2
# The example issues every GEMM from one call in gemm(), for single and for batched shapes: two
# call sites, named down to main.
expect_eq "call sites" "$(python3 -c 'import json; print(len(json.load(open("report.json"))["callsites"]))')" 2
expect_eq "outermost named" "$(json report.json callsites.1.frames.2.function)" main
for i in 0 1; do
  expect_eq "site $i" "$(json report.json callsites.$i.frames.0.function) < $(json report.json callsites.$i.frames.1.function)" "gemm < step"
done
expect_eq "calls at the sites" "$(json report.json callsites.0.calls) $(json report.json callsites.1.calls)" "132 48"
expect 0 'backward/forward FLOPs 2\.00 \(the formulas assume 2\.00\)' "$MFU" report traces --by-phase
grep -qE '^  backward +120 ' out.txt || { cat out.txt; fail "no backward row of 120 calls"; }
expect 0 '^    2 .* 48 .* gemm < step < main$' "$MFU" report traces --by-callsite
grep -q 'stacks by libunwind, each site.s first call and one in 1000 after it' out.txt || { cat out.txt; fail "no stacks note"; }
echo "ok: forward $fwd, backward $bwd of $total FLOPs"
