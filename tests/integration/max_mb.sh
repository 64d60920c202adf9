# MFU_MAX_MB: the trace file stops growing at the limit, the shim says so once and marks the
# header, and the host's output and exit status are what they are without the shim; mfu report
# warns that the counts cover the run up to the limit.
. "$MFU_ROOT/tests/lib.sh"
host=$BIN/host
calls=200000  # ~3.4 MB with the GPU timeline, ~0.9 MB without

LD_LIBRARY_PATH=$DOUBLES "$host" exit $calls 5 >plain.out 2>plain.err && fail "host exited 0"
plain=$?
MFU_MAX_MB=1 MFU_TRACE_DIR=$PWD/limited traced "$host" exit $calls 5 >limited.out 2>limited.err &&
  fail "the traced host exited 0"
limited=$?
expect_eq "exit status under the limit" "$limited" "$plain"
cmp plain.out limited.out || fail "the host's stdout changed: $(diff plain.out limited.out)"
[ "$(grep -c '^mfushim:' limited.err)" = 1 ] || fail "expected one mfushim: line: $(cat limited.err)"
grep -q "^mfushim: .*\.mfutrace reached MFU_MAX_MB=1: recording stops here; the program runs on$" \
  limited.err || fail "the limit is not said: $(cat limited.err)"
file=$(ls limited/*.mfutrace)
size=$(stat -c %s "$file")
[ "$size" -le 1048576 ] || fail "the trace is $size bytes, over MFU_MAX_MB=1"
[ "$size" -ge 262144 ] || fail "the trace is $size bytes: it stopped long before the limit"

"$MFU" report limited --json >limited.json || fail "mfu report failed on a limited trace"
counted=$(json limited.json totals.gemm_calls)
[ "$counted" -gt 0 ] && [ "$counted" -lt $calls ] || fail "counted $counted calls of $calls"
python3 - limited.json <<'PY' || fail "not one warning, or the file did not end cleanly"
import json, sys
j = json.load(open(sys.argv[1]))
w = j["warnings"]
assert len(w) == 1 and "stopped recording at MFU_MAX_MB" in w[0], w
assert j["incomplete_files"] == [], j["incomplete_files"]  # its END block and header are there
PY
expect 0 "stopped recording at MFU_MAX_MB \([0-9]+ records after it not kept\): its counts cover the run up to there" \
  "$MFU" report limited

# Without the limit the same run is traced whole.
MFU_TRACE_DIR=$PWD/whole traced "$host" exit $calls 5 >/dev/null 2>&1 || true
"$MFU" report whole --json >whole.json
expect_eq "calls traced without a limit" "$(json whole.json totals.gemm_calls)" $calls
expect_eq "warnings without a limit" "$(json whole.json warnings)" "[]"
# A value that is no number is refused, said once, and nothing is limited.
MFU_MAX_MB=lots MFU_TRACE_DIR=$PWD/bad traced "$host" exit 10 0 >/dev/null 2>bad.err
grep -q "^mfushim: ignoring MFU_MAX_MB=lots: expected megabytes (MiB) from 1, or 0 for no limit; using 0$" \
  bad.err || fail "a bad MFU_MAX_MB is not said: $(cat bad.err)"
echo "max_mb.sh: all passed"
