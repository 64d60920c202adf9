# Every way a traced process can end: what was recorded reaches the file, the file is marked
# complete where the process ended on purpose, and the exit status is the program's own.
. "$MFU_ROOT/tests/lib.sh"
H=$BIN/host
report() { "$MFU" report "$1" --json > "$1.json"; }
calls() { json "$1.json" totals.gemm_calls; }
incomplete() { json "$1.json" incomplete_files | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
# run DIR CMD...: CMD under the shim (traces in DIR), its status in $status
run() { local dir=$1; shift; status=0; MFU_TRACE_DIR=$PWD/$dir traced "$@" > "$dir.out" 2> "$dir.err" || status=$?; report "$dir"; }
# untraced CMD...: the same without the shim, for comparison
untraced() { plain=0; LD_LIBRARY_PATH=$DOUBLES LD_PRELOAD=$SAN_PRELOAD ASAN_OPTIONS=$HOST_ASAN "$@" > plain.out 2> plain.err || plain=$?; }

# _exit right after one GEMM: the GEMM is counted, the file complete.
for end in _exit _Exit quick_exit; do
  run "$end" "$H" "$end" 1 7
  expect_eq "$end: status" "$status" 7
  expect_eq "$end: calls" "$(calls "$end")" 1
  expect_eq "$end: flops" "$(json "$end.json" totals.gemm_flops)" 48
  expect_eq "$end: incomplete files" "$(incomplete "$end")" 0
done
run _exit0 "$H" _exit 1 0
expect_eq "_exit(0): status" "$status" 0
expect_eq "_exit(0): calls" "$(calls _exit0)" 1

# Python's os._exit, as at the end of a training script that skips NCCL's teardown.
cat > osexit.py <<'PY'
# cuBLAS in the global scope and called by name from there, as PyTorch's libraries call it.
import ctypes, os
ctypes.CDLL("libcublas.so." + os.environ.get("MFU_CUDA_STACK", "13"), mode=ctypes.RTLD_GLOBAL)
g = ctypes.CDLL(None)
h = ctypes.c_void_p()
assert g.cublasCreate_v2(ctypes.byref(h)) == 0
buf = (ctypes.c_float * 64)()
p = ctypes.byref(buf)
assert g.cublasSgemm_v2(h, 0, 0, 2, 3, 4, p, p, 2, p, 4, p, p, 2) == 0
os._exit(3)
PY
run py python3 osexit.py
expect_eq "os._exit: status" "$status" 3
expect_eq "os._exit: calls" "$(calls py)" 1
expect_eq "os._exit: incomplete files" "$(incomplete py)" 0

# exit() and _exit() from a thread other than main
for end in thread-exit thread-_exit; do
  run "$end" "$H" "$end" 500 9
  expect_eq "$end: status" "$status" 9
  expect_eq "$end: calls" "$(calls "$end")" 500
  expect_eq "$end: incomplete files" "$(incomplete "$end")" 0
done

# abort() and the signals whose default action ends the process: the records are flushed by
# the handler, the process dies of the same signal. (SIGQUIT would dump core: none here.)
ulimit -c 0
for sig in abort 2 1 3 13 15; do
  if [ $sig = abort ]; then args=(abort 300) want=134; else args=(raise 300 $sig) want=$((128 + sig)); fi
  untraced "$H" "${args[@]}"
  run "sig$sig" "$H" "${args[@]}"
  expect_eq "signal $sig: status" "$status" "$want"
  expect_eq "signal $sig: status without the shim" "$plain" "$want"
  expect_eq "signal $sig: calls" "$(calls "sig$sig")" 300
  grep -q "died from a fatal signal" "sig$sig.json" || fail "signal $sig: $(cat "sig$sig.json")"
done

# The host's own disposition stays its own: a handler of its own, or SIG_IGN, and the process
# goes on and ends normally, its file complete.
for how in handled ignored; do
  for sig in 15 2; do
    untraced "$H" "raise-$how" 200 $sig
    run "$how$sig" "$H" "raise-$how" 200 $sig
    expect_eq "$how $sig: status" "$status" 0
    cmp -s plain.out "$how$sig.out" || fail "$how $sig: output differs: $(diff plain.out "$how$sig.out")"
    expect_eq "$how $sig: calls" "$(calls "$how$sig")" 400
    expect_eq "$how $sig: incomplete files" "$(incomplete "$how$sig")" 0
  done
done

# A signal handler of the host that calls _exit while other threads are in the middle of
# calls, and the writer's thread in the middle of its flushes (every 10 ms): the handler's
# thread waits for the writer's lock, then completes the file.
for i in 1 2 3 4 5 6 7 8; do
  status=0
  MFU_FLUSH_MS=10 MFU_TRACE_DIR=$PWD/handler$i timeout 60 env LD_LIBRARY_PATH=$DOUBLES \
    LD_PRELOAD=$PRELOAD ASAN_OPTIONS=$HOST_ASAN "$H" handler-exit 3 12 20 || status=$?
  expect_eq "handler _exit $i: status" "$status" 12
  report "handler$i"
  [ "$(calls "handler$i")" -gt 0 ] || fail "handler _exit $i: no calls"
  expect_eq "handler _exit $i: incomplete files" "$(incomplete "handler$i")" 0
done
# Calls back to back fill the rings, which their threads then drain themselves: the signal may
# land in such a drain, on the thread that holds the lock. That flush is given up (never a
# deadlock); the file stays readable and the status is the host's.
for i in 1 2 3 4 5 6 7 8; do
  status=0
  MFU_TRACE_DIR=$PWD/busy$i timeout 60 env LD_LIBRARY_PATH=$DOUBLES LD_PRELOAD=$PRELOAD ASAN_OPTIONS=$HOST_ASAN \
    "$H" handler-exit 3 12 || status=$?
  expect_eq "handler _exit, busy $i: status" "$status" 12
  report "busy$i"
  expect_eq "handler _exit, busy $i: readable" "$(json "busy$i.json" files)" 1
done

# execve: the old image's file is complete before the new image starts; the new image (same
# pid) writes the next file. A failed execve goes on in the same file.
untraced "$H" exec 5
run exec "$H" exec 5
expect_eq "exec: status" "$status" "$plain"
expect_eq "exec: status" "$status" 4
expect_eq "exec: files" "$(json exec.json files)" 2
expect_eq "exec: calls" "$(calls exec)" 8
expect_eq "exec: incomplete files" "$(incomplete exec)" 0
ls exec | grep -q '\.2\.mfutrace$' || fail "exec: no second image's file: $(ls exec)"
untraced "$H" exec-fail 5
run execfail "$H" exec-fail 5
expect_eq "failed exec: status" "$status" 0
cmp -s plain.out execfail.out || fail "failed exec: output differs: $(diff plain.out execfail.out)"
expect_eq "failed exec: calls" "$(calls execfail)" 10
expect_eq "failed exec: files" "$(json execfail.json files)" 1
expect_eq "failed exec: incomplete files" "$(incomplete execfail)" 0

# Killed right after its first call: the file and its header exist from that call on.
run killed "$H" raise 1 9
expect_eq "killed at once: status" "$status" 137
expect_eq "killed at once: files" "$(json killed.json files)" 1
expect_eq "killed at once: readable" "$(json killed.json incomplete_files.0.readable)" True

# The dynamic linker's "symbol lookup error" ends the process from inside ld.so (exit 127),
# where nothing of the shim's runs: what the periodic flush wrote is there.
cat > gone.c <<'C'
void gone(void) {}
C
cat > lookup.c <<'C'
#include <cublas_v2.h>
#include <unistd.h>
void gone(void);
int main(void) {
  static float buf[64];
  cublasHandle_t h;
  cublasCreate(&h);
  cublasSgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 3, 4, buf, buf, 2, buf, 4, buf, buf, 2);
  usleep(200000); /* many flush intervals */
  gone();
  return 0;
}
C
cc -shared -fPIC -o libgone.so gone.c
v=${MFU_CUDA_STACK:-13}
cc -I"$CUDA_HOME/include" -o lookup_error lookup.c -L. -lgone -L"$DOUBLES" -l:libcublas.so.$v -l:libcublasLt.so.$v \
  -Wl,-rpath,"$PWD" -Wl,-z,lazy
echo 'void other(void) {}' > gone.c && cc -shared -fPIC -o libgone.so gone.c
untraced ./lookup_error
MFU_FLUSH_MS=10 run lookup ./lookup_error
expect_eq "symbol lookup error: status" "$status" 127
expect_eq "symbol lookup error: status without the shim" "$plain" 127
expect_eq "symbol lookup error: calls" "$(calls lookup)" 1
echo "ok: _exit, _Exit, quick_exit, os._exit, exits from threads, abort and signals, a handler's _exit, exec, a failed exec, kill at once, ld.so's exit"
