#!/usr/bin/env bash
# CLI tests of `mfu report` and `mfu run`: exit statuses and messages for bad paths, flags and
# input; `mfu run` passing the command's exit status through (signals as 128+N, 127 for a
# command not found), its environment, signal forwarding and summary. It builds a stand-in
# shim (a library whose constructor writes a one-GEMM trace with tests/unit/trace_fixture.h),
# so that it does not depend on build/libmfushim.so.
set -euo pipefail
: "${MFU:?path of build/mfu}" "${MFU_ROOT:?repository root}" "${TEST_TMP:?scratch directory}"
cd "$TEST_TMP"
tmp=$(pwd -P)
# An mfu built with ASan refuses to start when LD_PRELOAD (set by one check below) precedes it.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

. "$MFU_ROOT/tests/lib.sh"

# --- mfu report
expect 0 '^usage: mfu report' "$MFU" report --help
# The shared options mean one thing: their help lines are the same in both commands, and
# --batch is the global batch in both.
"$MFU" report --help >report-help.txt
"$MFU" predict --help >predict-help.txt
for flag in --batch --batch-per-rank --seq --dtype --device --peak-tflops --convention; do
  a=$(grep -E -- "^  $flag " report-help.txt) || fail "mfu report --help has no $flag line"
  b=$(grep -E -- "^  $flag " predict-help.txt) || fail "mfu predict --help has no $flag line"
  [ "$a" = "$b" ] || fail "$flag: report says '$a', predict '$b'"
done
grep -q -- "--batch N .*the global batch: sequences per step of all devices together" report-help.txt ||
  fail "--batch is not described as the global batch"
grep -qi "per rank and step" report-help.txt && fail "mfu report --help still calls --batch per rank"
grep -q -- "--batch is the global batch" report-help.txt || fail "mfu report --help: --batch's scope"
expect 2 "--batch and --batch-per-rank both give the batch: pass one" \
  "$MFU" report --batch 4 --batch-per-rank 2
expect 2 "cannot open '$tmp/nope': No such file or directory: .*MFU_TRACE_DIR" "$MFU" report "$tmp/nope"
expect 2 "unknown option '--bogus'" "$MFU" report --bogus
# A bad option fails at once, before any trace is read, with the status predict gives it.
expect 2 "mfu report: --device 'nosuch': unknown device 'nosuch'.*--peak-tflops" \
  "$MFU" report "$tmp/nope" --device nosuch
expect 2 "mfu report: unknown preset 'llama3-8b' \(did you mean llama-3-8b\?\)" \
  "$MFU" report "$tmp/nope" --preset llama3-8b
expect 2 "one directory at a time" "$MFU" report a b
mkdir empty
expect 2 "no trace files \(\*\.mfutrace\) in 'empty'.*mfu run -- CMD" "$MFU" report empty
expect 2 "no trace files \(\*\.mfutrace\) in 'empty'" env MFU_TRACE_DIR=empty "$MFU" report
mkdir bad && echo hello >bad/x.mfutrace && : >bad/y.mfutrace
expect 2 "none of the 2 trace files in bad could be read" "$MFU" report bad
expect 2 "x\.mfutrace is unreadable: not an mfu trace" "$MFU" report bad --json
expect 2 "y\.mfutrace is unreadable: empty file" "$MFU" report bad

# --- mfu run, with a stand-in shim next to a copy of mfu
cat >fake_shim.c <<'EOF'
#include "trace_fixture.h"
__attribute__((constructor)) static void write_trace(void) {
  const char *dir = getenv("MFU_TRACE_DIR");
  if (!dir || getenv("FAKE_SHIM_QUIET")) return;
  struct fx fx;
  char path[4096];
  fx_begin(&fx, "cli-job", 0, 1);
  fx_api_names(&fx);
  struct mfu_record r = fx_gemm(&fx, MFU_API_cublasGemmEx, 64, 64, 64, MFU_PREC_BF16, 0);
  fx_records(&fx, &r, 1);
  fx_end(&fx);
  fx_header(&fx, MFU_FILE_COMPLETE);
  snprintf(path, sizeof path, "%s/cli-job.%d.mfutrace", dir, (int)getpid());
  fx_save(&fx, path, fx.len);
  fx_free(&fx);
}
EOF
mkdir -p bin prefix/bin prefix/lib alone other
"${CC:-cc}" -std=c11 -D_GNU_SOURCE -shared -fPIC -I"$MFU_ROOT/include" -I"$MFU_ROOT/tests/unit" \
  -o bin/libmfushim.so fake_shim.c
cp "$MFU" bin/mfu
cp "$MFU" prefix/bin/mfu && cp bin/libmfushim.so prefix/lib/
cp "$MFU" alone/mfu
"${CC:-cc}" -shared -fPIC -o other/libother.so -x c /dev/null
cp other/libother.so other/libasan.so.8 # named as ASan's runtime, which must stay first

expect 0 '^usage: mfu run' bin/mfu run --help
expect 2 "no command given" bin/mfu run
expect 2 "no command given" bin/mfu run --trace-dir x --
expect 2 "unknown option '--bogus'" bin/mfu run --bogus -- true
expect 2 "--trace-dir needs a value" bin/mfu run --trace-dir
expect 2 "--json needs a file for the JSON summary \('-' for stdout\), got '--'" bin/mfu run --json -- true
expect 2 "mfu run: unknown preset 'llama3-8b' \(did you mean llama-3-8b\?\)" \
  bin/mfu run --preset llama3-8b -- true
expect 2 "mfu run: --device 'nosuch': unknown device" bin/mfu run --device nosuch -- true

expect 7 "traces of this run are in $tmp/traces" bin/mfu run --trace-dir traces -- sh -c 'exit 7'
grep -qE "^  GEMMs     1 call \(0 failed\), 0.000 TFLOP: bf16 100.0%$" out.txt || { cat out.txt; fail "no summary"; }
# A second run in the same directory: the summary covers this run's trace only.
bin/mfu run --trace-dir traces --json - -- true >run.json 2>run.err || fail "mfu run -- true failed"
[ "$(ls traces | wc -l)" = 2 ] || fail "expected 2 traces in traces/"
grep -q '"files": 1,' run.json || { cat run.json run.err; fail "the summary counted older traces"; }
grep -q '"gemm_calls": 1,' run.json || { cat run.json; fail "wrong JSON summary"; }

expect 137 "'sh' was killed by signal 9" bin/mfu run --trace-dir traces -- sh -c 'kill -KILL $$'
expect 143 "killed by signal 15" bin/mfu run --trace-dir traces -- sh -c 'kill -TERM $$'
expect 127 "cannot run 'no-such-command-xyz': No such file or directory \(not found in PATH\)" \
  bin/mfu run -- no-such-command-xyz
expect 126 "cannot run '/etc/passwd': Permission denied" bin/mfu run -- /etc/passwd
expect 3 "traces of this run" prefix/bin/mfu run --trace-dir traces -- sh -c 'exit 3'
expect 1 "the shim libmfushim.so is neither at $tmp/alone/libmfushim.so nor at $tmp/alone/../lib/libmfushim.so" \
  alone/mfu run -- true
chmod 0555 empty
if ! mkdir empty/probe 2>/dev/null; then # (root can write anyway)
  expect 2 "cannot create the trace directory 'empty/x/y': Permission denied: choose another with --trace-dir" \
    bin/mfu run --trace-dir empty/x/y -- true
fi
chmod 0755 empty

# The environment: MFU_TRACE_DIR absolute, the shim first in LD_PRELOAD, earlier entries kept.
export FAKE_SHIM_QUIET=1
expect 0 "^P=$tmp/bin/libmfushim.so:$tmp/other/libother.so D=$tmp/quiet\$" \
  env LD_PRELOAD="$tmp/other/libother.so" bin/mfu run --trace-dir quiet -- \
  sh -c 'echo "P=$LD_PRELOAD D=$MFU_TRACE_DIR"'
grep -q "the command wrote no trace to $tmp/quiet. Possible reasons: it made no cuBLAS" out.txt ||
  { cat out.txt; fail "no explanation for a run without traces"; }
expect 0 "^P=$tmp/other/libasan.so.8:$tmp/bin/libmfushim.so:$tmp/other/libother.so\$" \
  env LD_PRELOAD="$tmp/other/libasan.so.8:$tmp/other/libother.so" bin/mfu run --trace-dir quiet -- \
  sh -c 'echo "P=$LD_PRELOAD"'
expect 0 "^P=$tmp/other/libasan.so.8:$tmp/bin/libmfushim.so\$" \
  env LD_PRELOAD="$tmp/other/libasan.so.8:$tmp/bin/libmfushim.so" bin/mfu run --trace-dir quiet -- \
  sh -c 'echo "P=$LD_PRELOAD"'

# SIGTERM and SIGINT sent to mfu reach the command, whose exit status comes back.
for sig in TERM INT; do
  rm -f ready
  # A background job starts with SIGINT ignored, which mfu passes on and sh could not trap:
  # start mfu with the default action, as from a terminal or a batch system.
  env --default-signal="$sig" bin/mfu run --trace-dir quiet -- \
    sh -c "trap 'exit 42' $sig; touch ready; while :; do sleep 0.1; done" >fwd.txt 2>&1 &
  pid=$!
  for _ in $(seq 200); do [ -f ready ] && break; sleep 0.05; done
  [ -f ready ] || fail "the command did not start"
  kill -"$sig" "$pid"
  ( sleep 20; kill -9 "$pid" 2>/dev/null ) & watchdog=$! # a lost signal fails, never hangs
  status=0
  wait "$pid" || status=$?
  kill "$watchdog" 2>/dev/null || true
  [ "$status" = 42 ] || { cat fwd.txt; fail "SIG$sig: mfu exited $status, expected 42 from the command"; }
done
echo "all CLI checks passed"
