# The shim never harms its host: in each bad environment below, the host's stdout, stderr
# (apart from at most one `mfushim:` line), exit status and results are the same with and
# without it. Then cuBLAS loaded late by dlopen, 64 threads (MFU_SAFETY_CALLS calls each:
# 20,000 here, 1,000,000 in make stress) and 16 forked workers, counted exactly.
. "$MFU_ROOT/tests/lib.sh"
H=$BIN/host

# same NAME [VAR=VALUE...] -- CMD...: CMD with and without the shim under the same variables.
same() {
  local name=$1 vars=() plain=0 traced=0
  shift
  while [ "$1" != -- ]; do vars+=("$1"); shift; done
  shift
  env "${vars[@]}" LD_LIBRARY_PATH="$DOUBLES" LD_PRELOAD="$SAN_PRELOAD" ASAN_OPTIONS="$HOST_ASAN" "$@" > "$name.plain.out" 2> "$name.plain.err" || plain=$?
  env "${vars[@]}" LD_LIBRARY_PATH="$DOUBLES" LD_PRELOAD="$PRELOAD" ASAN_OPTIONS="$HOST_ASAN" "$@" > "$name.out" 2> "$name.err" || traced=$?
  expect_eq "$name: exit status" "$traced" "$plain"
  cmp -s "$name.plain.out" "$name.out" || fail "$name: stdout differs: $(diff "$name.plain.out" "$name.out" | head -5)"
  { grep -av '^mfushim: ' "$name.err" || true; } | cmp -s "$name.plain.err" - || fail "$name: stderr differs: $(cat "$name.err")"
  [ "$(grep -ac '^mfushim: ' "$name.err")" -le 1 ] || fail "$name: more than one mfushim line: $(cat "$name.err")"
}
said() { grep -aqE "^mfushim: .*$2" "$1.err" || fail "$1: no message like '$2': $(cat "$1.err")"; }
calls() { "$MFU" report "$1" --json > "$1.json"; json "$1.json" totals.gemm_calls; }

# --- the trace directory
same missing MFU_TRACE_DIR="$PWD/not/yet/there" -- "$H" threads 2 100
expect_eq "missing directory: created, calls" "$(calls not/yet/there)" 200
touch afile
same a_file MFU_TRACE_DIR="$PWD/afile" -- "$H" threads 2 100
said a_file "cannot create .*Not a directory"
same under_a_file MFU_TRACE_DIR="$PWD/afile/sub" -- "$H" threads 2 100
said under_a_file "cannot create the trace directory"
# Unwritable, as a user the permissions apply to (CI runs as root, which they do not stop).
ro=$(mktemp -d "${TMPDIR:-/tmp}/mfu-ro.XXXXXX")
chmod 755 "$ro" && mkdir "$ro/ro" && chmod 555 "$ro/ro"
if [ "$(id -u)" != 0 ]; then as_user=()
elif command -v setpriv > /dev/null; then as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
elif command -v runuser > /dev/null; then as_user=(runuser -u nobody --)
else as_user=(none); fi
if [ "${as_user[0]:-}" = none ]; then
  echo "SKIP: unwritable directory (root, and neither setpriv nor runuser)"
else
  same unwritable MFU_TRACE_DIR="$ro/ro" -- "${as_user[@]}" "$H" threads 2 100
  said unwritable "cannot create .*Permission denied"
  same unwritable_sub MFU_TRACE_DIR="$ro/ro/sub" -- "${as_user[@]}" "$H" threads 2 100
  said unwritable_sub "cannot create the trace directory"
fi
rm -rf "$ro"

# --- a full filesystem: the file size limit (our writes then fail with EFBIG and raise
# SIGXFSZ at the writing thread, whose default action would end the host), and a small tmpfs
(ulimit -f 8; same fsize MFU_TRACE_DIR="$PWD/fsize" -- "$H" threads 4 20000)
said fsize "cannot write .*File too large"
(ulimit -f 8; same fsize_exit MFU_TRACE_DIR="$PWD/fsize_exit" -- "$H" exit 2000 3)
mkdir small
if mount -t tmpfs -o size=64k tmpfs small 2> /dev/null; then
  same tmpfs MFU_TRACE_DIR="$PWD/small" -- "$H" threads 4 20000
  said tmpfs "cannot write .*No space left on device"
  umount small
else
  echo "SKIP: small tmpfs (mount refused)"
fi

# --- a symbolic link planted at the file's name (which the shell that execs the host knows:
# the pid stays): refused, never followed; what it points to is untouched.
host=$(hostname | cut -c1-63 | tr -c 'A-Za-z0-9._\n-' '_')
echo "precious" > victim
mkdir planted
same symlink MFU_JOB_ID=j RANK=0 MFU_TRACE_DIR="$PWD/planted" -- bash -c \
  'ln -sf "$1" "$2/mfu-j-r0-$3-$$.mfutrace"; shift 3; exec "$@"' _ "$PWD/victim" "$PWD/planted" "$host" \
  "$H" threads 2 100
said symlink "a symbolic link is in the way"
expect_eq "symlink: its target" "$(cat victim)" precious

# --- garbage in every MFU_* variable the shim reads, and in the launchers' rank variables:
# non-numbers, huge and negative numbers, 10,000 bytes, bytes that are not UTF-8, empty,
# space-padded
long=$(head -c 10000 /dev/zero | tr '\0' x)
values=(abc 99999999999999999999999 -1 "$long" $'\xff\xfe\x80bad' "" " 10" 1e3)
vars="$(grep -ohE '"MFU_[A-Z_0-9]+"' "$MFU_ROOT"/shim/*.c | tr -d '"' | sort -u) RANK LOCAL_RANK WORLD_SIZE"
tried=0
for var in $vars; do
  for i in "${!values[@]}"; do
    dir=$PWD/garbage-$var-$i
    value=${values[$i]}
    [ "$var" = MFU_TRACE_DIR ] && dir=$PWD/$value
    [ "$var" = MFU_TRACE_DIR ] && [ "$value" = "$long" ] && value=$PWD/$long
    if [ "$var=$value" = MFU_LIBUNWIND= ] && [ "${MFU_SANITIZE:-}" = thread ]; then
      echo "not under TSan: MFU_LIBUNWIND='' (the default libunwind, which TSan cannot run)"
      continue
    fi
    set +e
    (cd "$PWD" && same "garbage-$var-$i" MFU_TRACE_DIR="$dir" "$var=$value" -- "$H" threads 2 100)
    ok=$?
    set -e
    [ $ok = 0 ] || fail "$var=${value:0:40}...: the host was harmed"
    tried=$((tried + 1))
    # whatever was written, mfu reads without harm: status 0, or 2 for no readable trace
    if [ -d "$dir" ]; then
      st=0; "$MFU" report "$dir" --json > garbage.json 2> /dev/null || st=$?
      [ $st = 0 ] || [ $st = 2 ] || fail "$var=${value:0:40}: mfu report exited $st"
      [ $st != 0 ] || python3 -c 'import json,sys; json.load(open("garbage.json"))' || fail "$var: bad JSON"
    fi
  done
done
said "garbage-MFU_FLUSH_MS-0" "ignoring MFU_FLUSH_MS=abc"
said "garbage-MFU_FLUSH_MS-3" 'ignoring MFU_FLUSH_MS=xxxx.*\.\.\. \(10000 bytes\)'
said "garbage-MFU_FLUSH_MS-4" 'ignoring MFU_FLUSH_MS=\\xff\\xfe\\x80bad'
said "garbage-MFU_TRACE_DIR-3" "MFU_TRACE_DIR is 100.. bytes long"
echo "garbage: $tried values of $(echo $vars | wc -w) variables"

# --- cuBLAS loaded late, by dlopen, into the global scope or a local one (as Python loads
# extension modules): the shim finds the real functions either way, and counts every call.
cat > gemms.c <<'C'
#include <cublas_v2.h>
long gemms(long n) {
  static float buf[64];
  cublasHandle_t h;
  long ok = 0;
  if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) return -1;
  for (long i = 0; i < n; i++)
    ok += cublasSgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 3, 4, buf, buf, 2, buf, 4, buf, buf, 2) == 0;
  return ok;
}
C
cat > late.c <<'C'
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  void *lib = dlopen(argv[1], RTLD_NOW | (strcmp(argv[2], "global") ? RTLD_LOCAL : RTLD_GLOBAL));
  long (*gemms)(long) = lib ? (long (*)(long))dlsym(lib, "gemms") : NULL;
  if (!gemms) return 2;
  printf("%ld successful calls\n", gemms(1000));
  return 0;
}
C
cc ${MFU_SAN_CFLAGS:-} -shared -fPIC -I"$CUDA_HOME/include" -o libgemms.so gemms.c -L"$DOUBLES" \
  -l:libcublas.so.${MFU_CUDA_STACK:-13}
cc ${MFU_SAN_CFLAGS:-} -o late late.c -ldl
for scope in global local; do
  same "late_$scope" MFU_TRACE_DIR="$PWD/late_$scope" -- ./late "$PWD/libgemms.so" $scope
  expect_eq "dlopen $scope: output" "$(cat late_$scope.out)" "1000 successful calls"
  expect_eq "dlopen $scope: calls" "$(calls late_$scope)" 1000
done

# --- 64 threads: no record lost, no deadlock
n=${MFU_SAFETY_CALLS:-20000}
same threads64 MFU_TRACE_DIR="$PWD/t64" -- timeout 1200 "$H" threads 64 "$n"
expect_eq "64 threads x $n: calls" "$(calls t64)" $((64 * n))
expect_eq "64 threads x $n: FLOPs" "$(json t64.json totals.gemm_flops)" $((64 * n * 48))
expect_eq "64 threads: incomplete files" "$(json t64.json incomplete_files | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 0
rm -rf t64

# --- 16 forked workers: one file (the parent's), intact; the workers are not traced
same forks MFU_TRACE_DIR="$PWD/forks" -- "$H" forks 16 100
expect_eq "forks: output" "$(cat forks.out)" "16 of 16 workers made 100 calls"
expect_eq "forks: files" "$(ls forks | wc -l)" 1
expect_eq "forks: parent's calls" "$(calls forks)" 200
expect_eq "forks: complete" "$(json forks.json per_rank.0.complete)" True
echo "ok: missing, file, unwritable, full (RLIMIT_FSIZE, tmpfs), symlink, $tried garbage values, late dlopen, 64 threads x $n, 16 forks"
