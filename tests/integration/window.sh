#!/usr/bin/env bash
# The recording window: MFU_STEPS=A:B writes steps A to B only (a step: an outermost NVTX range
# matching MFU_STEP_RANGE, default [Ss]tep), MFU_WINDOW_S=START:END the seconds START to END of
# the run. The program's output and exit status are untouched; outside the window nothing is
# written; the header says what was asked and what happened, and mfu report takes the steps
# from the same ranges and says what the counts cover. Values that do not parse: one mfushim
# line each, the whole run written.
. "$MFU_ROOT/tests/lib.sh"
step=262144 noise=8192 # tests/integration/markers.c: 2 GEMMs per "train_step", 1 before each and 1 after

run_markers() { # DIR VAR=VALUE...: markers.c under the shim with NVTX, traces in DIR
  local dir=$1; shift
  env "$@" NVTX_INJECTION64_PATH=$SHIM MFU_TRACE_DIR=$PWD/$dir LD_PRELOAD=$PRELOAD \
    ASAN_OPTIONS=$HOST_ASAN LD_LIBRARY_PATH=$DOUBLES "$BIN/markers" >"$dir.out" 2>"$dir.err"
}
LD_LIBRARY_PATH=$DOUBLES "$BIN/markers" >plain.out

# Steps 2 to 4 of 5: exactly three steps' GEMMs and the two noise GEMMs between them.
run_markers s24 MFU_STEPS=2:4 || fail "the program failed under MFU_STEPS=2:4: $(cat s24.err)"
cmp -s plain.out s24.out || fail "the program's output changed"
[ ! -s s24.err ] || fail "the shim said something: $(cat s24.err)"
"$MFU" report s24 --json >s24.json
expect_eq "gemm calls" "$(json s24.json totals.gemm_calls)" 8
expect_eq "gemm flops" "$(json s24.json totals.gemm_flops)" $((3 * step + 2 * noise))
expect_eq "steps (from the header's ranges)" "$(json s24.json per_rank.0.steps.count)" 3
expect_eq "method" "$(json s24.json steps.method)" "markers [Ss]tep"
for i in 0 1 2; do
  expect_eq "step $i flops" "$(json s24.json per_rank.0.steps.per_step.$i.gemm_flops)" $step
done
expect_eq "window" "$(python3 -c '
import json; w = json.load(open("s24.json"))["per_rank"][0]["window"]
print(w["kind"], w["first_step"], w["last_step"], w["step_range"], w["steps_begun"], w["opened"], w["closed"],
      w["calls_outside"] > 0, 0 < w["opened_at_s"] < w["closed_at_s"])')" "steps 2 4 [Ss]tep 5 True True True True"
expect 0 "^  - rank \? recorded steps 2 to 4 only \(MFU_STEPS, a step being an NVTX range matching \
'\[Ss\]tep'\): the counts, steps and times cover that window" "$MFU" report s24

# The same steps by an explicit pattern; from step 4 to the end (the run ends inside it).
run_markers exact MFU_STEPS=2:4 MFU_STEP_RANGE='^train_step$'
"$MFU" report exact --json >exact.json
expect_eq "explicit pattern: flops" "$(json exact.json totals.gemm_flops)" $((3 * step + 2 * noise))
expect_eq "explicit pattern: method" "$(json exact.json steps.method)" 'markers ^train_step$'
run_markers tail MFU_STEPS=4:
"$MFU" report tail --json >tail.json
expect_eq "4: flops (and the noise after the last step)" "$(json tail.json totals.gemm_flops)" $((2 * step + 2 * noise))
expect_eq "4: last step" "$(json tail.json per_rank.0.window.last_step)" null
expect_eq "4: closed" "$(json tail.json per_rank.0.window.closed)" False
run_markers one MFU_STEPS=3
expect_eq "3 alone: flops" "$("$MFU" report one --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"]["gemm_flops"])')" $step

# A window that never opens: said once by the shim, warned by the report, nothing counted.
run_markers never MFU_STEPS=7:9
expect_eq "never: shim lines" "$(grep -c '^mfushim: MFU_STEPS=7:9: the window never opened: 5 step ranges began' never.err)" 1
expect_eq "never: lines" "$(wc -l <never.err)" 1
expect 0 "^  - rank \? \(.*\) recorded nothing: its window \(steps 7 to 9, a step being an NVTX range matching '\[Ss\]tep'\) never opened, as the run began 5 step ranges" \
  "$MFU" report never
"$MFU" report never --json >never.json
expect_eq "never: calls" "$(json never.json totals.gemm_calls)" 0

# Garbage: one line each, the program unharmed, the whole run written (5 steps, 6 noise GEMMs).
for v in MFU_STEPS=abc MFU_STEPS=4:2 MFU_STEPS=0:3 MFU_STEPS=2:x MFU_WINDOW_S=x MFU_WINDOW_S=3:1 \
    MFU_WINDOW_S=-1:2 MFU_WINDOW_S=nan: "MFU_STEPS=2:3 MFU_WINDOW_S=1:2"; do
  rm -rf bad bad.err
  # shellcheck disable=SC2086
  run_markers bad $v || fail "$v: the program failed"
  cmp -s plain.out bad.out || fail "$v: the program's output changed"
  expect_eq "$v: lines on stderr" "$(wc -l <bad.err)" 1
  grep -q '^mfushim: ignoring MFU_' bad.err || fail "$v: $(cat bad.err)"
  want=$((5 * step + 6 * noise))
  [ "$v" = "MFU_STEPS=2:3 MFU_WINDOW_S=1:2" ] && want=$((2 * step + noise)) # MFU_STEPS wins
  expect_eq "$v: flops" "$("$MFU" report bad --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"]["gemm_flops"])')" $want
done
rm -rf bad
run_markers bad MFU_STEPS=2:3 'MFU_STEP_RANGE=('
grep -q "^mfushim: ignoring MFU_STEP_RANGE=(: .*; using \[Ss\]tep$" bad.err || fail "bad pattern: $(cat bad.err)"
expect_eq "bad pattern: flops" "$("$MFU" report bad --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"]["gemm_flops"])')" $((2 * step + noise))

# The example workload marks each step ("train_step"): steps 2 to 4 of 6 are 3 x 45 GEMMs,
# 3 x 33,923,530,752 FLOPs, exactly, and their MFU is reported from those steps.
example=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
MFU_STEPS=2:4 NVTX_INJECTION64_PATH=$SHIM MFU_TRACE_DIR=$PWD/ex traced "$example" --steps 6 >ex.out 2>ex.err ||
  fail "the example failed: $(cat ex.err)"
grep -q '^issued_gemm_calls=270$' ex.out || fail "the example's output changed: $(cat ex.out)"
"$MFU" report ex --layers 2 --hidden 512 --heads 8 --ffn 1376 --vocab 8192 --batch 2 --seq 256 \
  --attention full --json >ex.json
expect_eq "example: calls" "$(json ex.json totals.gemm_calls)" 135
expect_eq "example: flops" "$(json ex.json totals.gemm_flops)" $((3 * 33923530752))
expect_eq "example: steps" "$(json ex.json per_rank.0.steps.count)" 3
expect_eq "example: outside" "$(json ex.json per_rank.0.window.calls_outside)" \
  "$(python3 -c 'import json; print(json.load(open("ex.json"))["per_rank"][0]["window"]["calls_outside"])')"
python3 -c 'import json; j = json.load(open("ex.json")); assert 0 < j["mfu"] <= 1, j["mfu"]' ||
  fail "no MFU from the window's steps: $(json ex.json mfu)"

# A CUDA graph captured before the window and launched in it: the capture is written (its
# records say what each launch runs), the launches of steps 2 and 3 of 5 count, the eager step
# after them not.
MFU_STEPS=2:3 NVTX_INJECTION64_PATH=$SHIM MFU_TRACE_DIR=$PWD/graph traced "$BIN/graph_launch" 5 >graph.out
sed -n 's/^step_gemm_calls=//p; s/^step_flops_bf16=//p; s/^step_flops_fp32=//p' graph.out >graph.want
"$MFU" report graph --json >graph.json
expect_eq "graph: calls" "$(json graph.json totals.gemm_calls)" $((2 * $(sed -n 1p graph.want)))
expect_eq "graph: flops" "$(json graph.json totals.gemm_flops)" $((2 * ($(sed -n 2p graph.want) + $(sed -n 3p graph.want))))
expect_eq "graph: launches" "$(json graph.json graphs.launches)" 2

# A time window: three steps 0.5 s apart (idle); the first 0.25 s hold step 0 alone, and from
# 0.25 s on the two others. Exact counts: 45 GEMMs a step.
for w in ":0.25 45" "0.25: 90"; do
  set -- $w
  rm -rf tw
  MFU_WINDOW_S=$1 MFU_TRACE_DIR=$PWD/tw traced "$example" --steps 3 --idle-us 500000 >tw.out 2>tw.err ||
    fail "MFU_WINDOW_S=$1: the program failed: $(cat tw.err)"
  grep -q '^issued_gemm_calls=135$' tw.out || fail "MFU_WINDOW_S=$1: the program's output changed"
  "$MFU" report tw --json >tw.json
  expect_eq "MFU_WINDOW_S=$1: calls" "$(json tw.json totals.gemm_calls)" "$2"
  expect_eq "MFU_WINDOW_S=$1: outside" "$(json tw.json per_rank.0.window.calls_outside)" $((135 - $2))
  expect_eq "MFU_WINDOW_S=$1: kind" "$(json tw.json per_rank.0.window.kind)" time
done
expect 0 "^  - rank \? recorded seconds 0.25 to the end only \(MFU_WINDOW_S\)" "$MFU" report tw
echo "window.sh: all passed"
