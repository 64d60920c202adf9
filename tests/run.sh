#!/usr/bin/env bash
# Runs every test: the cmocka unit tests ($MFU_BUILD/tests/unit/*), the layering check
# (tests/layers/check.py), then the shell tests (tests/cli/*.sh, tests/integration/*.sh), each
# in its own scratch directory.
# Prints one line per test and ends with "N passed, N failed" (", N skipped" when a test exits
# 77: its prerequisite, which its last line names, is missing); exits 1 if any failed.
#   tests/run.sh            everything, on the build in ./build
#   tests/run.sh --unit     the unit tests only
#   tests/run.sh NAME...    only the tests named (unit/test_x, integration/x.sh; --unit too)
# MFU_SANITIZE=address or thread (make check-sanitize) says that MFU_BUILD's programs carry
# ASan and UBSan, or TSan: each test's sanitizer reports go to files, and a test that left one
# fails, whatever its own status; sanitizers stop at the first error.
set -u
cd "$(dirname "$0")/.."
export MFU_BUILD=${MFU_BUILD:-build}
build=$MFU_BUILD
export MFU_ROOT=$PWD
export MFU=$PWD/$build/mfu
export SHIM=$PWD/$build/libmfushim.so
export DOUBLES=$PWD/$build/test-doubles
export CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
export CUDA_LIB=$CUDA_HOME/lib64
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mfu-tests.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# A sanitized shim is preloaded behind its sanitizer's runtime (lib.sh's $PRELOAD), which ASan
# requires first; leak checks stay on for the analyzer and our own programs.
san_options=
case ${MFU_SANITIZE:-} in
  address)
    runtime=libasan.so MFU_SAN_CFLAGS="-fsanitize=address,undefined"
    san_options="ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1"
    san_options+=" UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1" ;;
  thread) # the hosts' own faults are theirs (host_behaviour's SIGSEGV)
    runtime=libtsan.so MFU_SAN_CFLAGS="-fsanitize=thread"
    san_options="TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:handle_segv=0"
    # TSan ends a thread before libunwind's thread-exit destructor, which then crashes: the
    # shim unwinds with glibc's backtrace() instead (unit/test_stacks skips)
    export MFU_LIBUNWIND=none ;;
  '') ;;
  *) echo "run.sh: MFU_SANITIZE='$MFU_SANITIZE': expected address or thread"; exit 1 ;;
esac
if [ -n "$san_options" ]; then
  MFU_SAN_RUNTIME=$(${CC:-cc} -print-file-name=$runtime)
  [ -f "$MFU_SAN_RUNTIME" ] || { echo "run.sh: no $MFU_SANITIZE sanitizer runtime: '$MFU_SAN_RUNTIME'"; exit 1; }
  export MFU_SAN_RUNTIME MFU_SAN_CFLAGS
fi

passed=0 failed=0 skipped=0 failures=()
run_one() { # name, command...
  local name=$1; shift
  local log="$scratch/$(echo "$name" | tr '/' '_').log"
  local dir="$scratch/$(echo "$name" | tr '/' '_').d"
  mkdir -p "$dir"
  local t0=$SECONDS
  local rc=0 san=() opt
  for opt in $san_options; do san+=("$opt:log_path=$dir.san/${opt%%_*}"); done
  mkdir -p "$dir.san"
  (cd "$dir" && { [ ${#san[@]} -eq 0 ] || export "${san[@]}"; } && TEST_TMP="$dir" "$@") >"$log" 2>&1 || rc=$?
  if [ -n "$(ls -A "$dir.san")" ]; then # a sanitizer's report fails the test
    [ $rc -ne 0 ] && [ $rc -ne 77 ] || rc=1
    for opt in "$dir.san"/*; do echo "--- $(basename "$opt"):"; head -n 60 "$opt"; done >>"$log"
  fi
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1)); printf 'PASS  %-50s %3ds\n' "$name" $((SECONDS - t0))
  elif [ $rc -eq 77 ]; then # the test's own prerequisite is missing: it says which
    skipped=$((skipped + 1)); printf 'SKIP  %-50s %3ds  %s\n' "$name" $((SECONDS - t0)) "$(tail -n 1 "$log")"
  else
    failed=$((failed + 1)); failures+=("$name")
    printf 'FAIL  %-50s %3ds\n' "$name" $((SECONDS - t0)); sed 's/^/    | /' "$log" | tail -n 40
  fi
}

only=" $* "
selected() { # name: whether the arguments select this test
  [ "$only" = "  " ] || [ "${only#* $1 }" != "$only" ] ||
    { [ "${1#unit/}" != "$1" ] && [ "${only#* --unit }" != "$only" ]; }
}
for t in "$build"/tests/unit/test_*; do
  [ -x "$t" ] && [ "${t%.d}" = "$t" ] || continue
  selected "unit/$(basename "$t")" && run_one "unit/$(basename "$t")" "$PWD/$t"
done
selected layers/check.py && run_one "layers/check.py" python3 "$PWD/tests/layers/check.py"
for t in tests/cli/*.sh tests/integration/*.sh; do
  [ -f "$t" ] && selected "${t#tests/}" || continue
  run_one "${t#tests/}" bash "$PWD/$t"
done
[ $((passed + failed + skipped)) -gt 0 ] || { echo "run.sh: no test is named '$*'"; exit 1; }

echo
[ $failed -eq 0 ] || printf 'failed: %s\n' "${failures[*]}"
echo "$passed passed, $failed failed$([ $skipped -eq 0 ] || echo ", $skipped skipped")"
[ $failed -eq 0 ]
