# The shim in a host that uses threads, forks, is killed, or crashes: exact counts, no lost
# records, and the host's output and exit status unchanged.
. "$MFU_ROOT/tests/lib.sh"
H=$BIN/host
calls() { "$MFU" report "$1" --json > "$1.json"; json "$1.json" totals.gemm_calls; }

# 8 threads x 100,000 calls: every record arrives.
MFU_TRACE_DIR=$PWD/threads traced "$H" threads 8 100000 > /dev/null
expect_eq "8x100000 calls" "$(calls threads)" 800000
expect_eq "8x100000 flops" "$(json threads.json totals.gemm_flops)" $((800000 * 48))

# fork: same output and status with and without the shim; only the parent writes a trace.
LD_LIBRARY_PATH=$DOUBLES "$H" fork 10 > plain.out; plain=$?
MFU_TRACE_DIR=$PWD/fork traced "$H" fork 10 > traced.out; status=$?
expect_eq "fork exit status" "$status" "$plain"
cmp -s plain.out traced.out || fail "fork: output differs: $(diff plain.out traced.out)"
grep -q "parent saw child exit 3" traced.out || fail "fork: child's exit code lost"
expect_eq "fork: trace files" "$(ls fork | wc -l)" 1
expect_eq "fork: parent's calls" "$(calls fork)" 20

# exit codes pass through
set +e
MFU_TRACE_DIR=$PWD/exit traced "$H" exit 5 7; status=$?
set -e
expect_eq "exit status" "$status" 7
expect_eq "exit: calls" "$(calls exit)" 5

# SIGTERM and SIGSEGV: the host dies of the same signal; what was buffered is flushed first.
set +e
MFU_FLUSH_MS=100000 MFU_TRACE_DIR=$PWD/term traced "$H" raise 500 15; status=$?
MFU_FLUSH_MS=100000 MFU_TRACE_DIR=$PWD/segv traced "$H" segv 300 2>/dev/null; segv=$?
set -e
expect_eq "SIGTERM status" "$status" 143
expect_eq "SIGTERM: calls flushed by the handler" "$(calls term)" 500
expect_eq "SIGTERM: file complete" "$(json term.json per_rank.0.complete)" False
expect_eq "SIGSEGV status" "$segv" 139
expect_eq "SIGSEGV: calls flushed by the handler" "$(calls segv)" 300

# SIGKILL: nothing runs at death; what the periodic flush wrote is intact, and the file is
# reported incomplete.
# A simple command, not the `traced` function, so that $! is the host itself.
MFU_FLUSH_MS=50 MFU_TRACE_DIR=$PWD/kill LD_LIBRARY_PATH=$DOUBLES LD_PRELOAD=$PRELOAD ASAN_OPTIONS=$HOST_ASAN "$H" hang 1000 > hang.out &
pid=$!
for _ in $(seq 100); do grep -q ready hang.out 2>/dev/null && break; sleep 0.05; done
sleep 0.5 # several flush intervals
kill -9 $pid; wait $pid 2>/dev/null || true
expect_eq "SIGKILL: calls before the last flush" "$(calls kill)" 1000
expect_eq "SIGKILL: incomplete files" "$(json kill.json incomplete_files | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 1

# MFU_DISABLE: no trace at all, same behaviour.
MFU_DISABLE=1 MFU_TRACE_DIR=$PWD/off traced "$H" threads 2 10 > /dev/null
[ ! -e off ] || fail "MFU_DISABLE=1 still wrote $(ls off)"

# An unwritable trace directory: one message, the host runs on unharmed.
touch blocker
MFU_CUPTI=off MFU_TRACE_DIR=$PWD/blocker/sub traced "$H" exit 5 0 2> unwritable.err
grep -q "^mfushim: cannot create the trace directory" unwritable.err || fail "no message: $(cat unwritable.err)"
expect_eq "one message" "$(grep -c mfushim: unwritable.err)" 1
echo "ok: threads, fork, exit codes, SIGTERM, SIGSEGV, SIGKILL, MFU_DISABLE, unwritable dir"
