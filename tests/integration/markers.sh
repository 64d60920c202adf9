# Explicit step markers (tests/integration/markers.c): five "train_step" NVTX ranges with two
# GEMMs each (196608 + 65536 = 262144 FLOPs) and noise between them. Through NVTX's injection
# interface (NVTX_INJECTION64_PATH=the shim) the report takes exactly those ranges as steps;
# with cudaProfilerStart/Stop around each step it takes those by default.
. "$MFU_ROOT/tests/lib.sh"

NVTX_INJECTION64_PATH=$SHIM traced "$BIN/markers" > expected.txt
expect_eq "program: step flops" "$(grep step_flops= expected.txt)" "step_flops=262144"
"$MFU" report traces --step-range '^train_step$' --json > report.json
"$MFU" report traces --step-range '^train_step$' > report.txt

expect_eq "steps.count" "$(json report.json per_rank.0.steps.count)" 5
expect_eq "job steps.count" "$(json report.json steps.count)" 4   # measured: the last's end is not used
expect_eq "steps.measured" "$(json report.json per_rank.0.steps.measured)" 4
expect_eq "steps.method" "$(json report.json steps.method)" 'markers ^train_step$'
expect_eq "per-rank method" "$(json report.json per_rank.0.steps.method)" 'markers ^train_step$'
for i in 0 1 2 3 4; do
  expect_eq "step $i flops" "$(json report.json per_rank.0.steps.per_step.$i.gemm_flops)" 262144
  expect_eq "step $i calls" "$(json report.json per_rank.0.steps.per_step.$i.calls)" 2
done
expect_eq "counted per step" "$(json report.json per_rank.0.counted_flops_per_step)" 262144
# Every call is still counted in the totals: 5 steps and 6 noise GEMMs.
expect_eq "total flops" "$(json report.json totals.gemm_flops)" $((5 * 262144 + 6 * 8192))
grep -qF "method     markers ^train_step$" report.txt || fail "no method line: $(cat report.txt)"

# A pattern that matches nothing: no steps, and why.
"$MFU" report traces --step-range '^nothing$' --json > none.json
expect_eq "no match: count" "$(json none.json per_rank.0.steps.count)" 0
json none.json per_rank.0.steps.not_found | grep -q "no NVTX range matches" ||
  fail "no reason: $(json none.json per_rank.0.steps.not_found)"
# A bad pattern is bad usage.
status=0
"$MFU" report traces --step-range '(' > /dev/null 2> bad.txt || status=$?
expect_eq "bad regex status" $status 2
grep -q "step-range" bad.txt || fail "bad regex message: $(cat bad.txt)"
# Without --step-range and without profiler ranges: automatic detection.
"$MFU" report traces --json > auto.json
expect_eq "automatic method" "$(json auto.json per_rank.0.steps.method)" automatic

# Without the injection variable NVTX stays a no-op: no markers, the program is unaffected.
rm -rf traces
traced "$BIN/markers" > plain.txt
cmp -s expected.txt plain.txt || fail "output differs without NVTX injection"
"$MFU" report traces --step-range '^train_step$' --json > plain.json
expect_eq "no injection: count" "$(json plain.json per_rank.0.steps.count)" 0

# cudaProfilerStart/Stop around each step: the default method.
rm -rf traces
traced "$BIN/markers" profiler > /dev/null
"$MFU" report traces --json > profiler.json
expect_eq "profiler method" "$(json profiler.json steps.method)" profiler
expect_eq "profiler steps" "$(json profiler.json per_rank.0.steps.count)" 5
expect_eq "profiler step flops" "$(json profiler.json per_rank.0.steps.per_step.2.gemm_flops)" 262144

# mfu run sets NVTX_INJECTION64_PATH.
rm -rf traces
LD_PRELOAD=$SAN_PRELOAD ASAN_OPTIONS=$HOST_ASAN "$MFU" run --trace-dir traces -- env LD_LIBRARY_PATH="$DOUBLES" "$BIN/markers" > /dev/null 2>&1 ||
  fail "mfu run failed"
"$MFU" report traces --step-range '^train_step$' --json > run.json
expect_eq "mfu run: steps" "$(json run.json per_rank.0.steps.count)" 5
echo "ok: 5 train_step NVTX ranges are 5 steps of 262144 FLOPs; profiler ranges too"
