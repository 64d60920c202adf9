#!/usr/bin/env bash
# Runs every test: the cmocka unit tests ($MFU_BUILD/tests/unit/*), the layering check
# (tests/layers/check.py), then the shell tests (tests/cli/*.sh, tests/integration/*.sh), each
# in its own scratch directory.
# Prints one line per test and ends with "N passed, N failed" (", N skipped" when a test exits
# 77: its prerequisite, which its last line names, is missing); exits 1 if any failed.
#   tests/run.sh            everything, on the build in ./build
#   tests/run.sh --unit     the unit tests only (make test-sanitize: MFU_BUILD=build-asan)
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

passed=0 failed=0 skipped=0 failures=()
run_one() { # name, command...
  local name=$1; shift
  local log="$scratch/$(echo "$name" | tr '/' '_').log"
  local dir="$scratch/$(echo "$name" | tr '/' '_').d"
  mkdir -p "$dir"
  local t0=$SECONDS
  local rc=0
  (cd "$dir" && TEST_TMP="$dir" "$@") >"$log" 2>&1 || rc=$?
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1)); printf 'PASS  %-50s %3ds\n' "$name" $((SECONDS - t0))
  elif [ $rc -eq 77 ]; then # the test's own prerequisite is missing: it says which
    skipped=$((skipped + 1)); printf 'SKIP  %-50s %3ds  %s\n' "$name" $((SECONDS - t0)) "$(tail -n 1 "$log")"
  else
    failed=$((failed + 1)); failures+=("$name")
    printf 'FAIL  %-50s %3ds\n' "$name" $((SECONDS - t0)); sed 's/^/    | /' "$log" | tail -n 40
  fi
}

for t in "$build"/tests/unit/test_*; do
  [ -x "$t" ] && [ "${t%.d}" = "$t" ] || continue
  run_one "unit/$(basename "$t")" "$PWD/$t"
done
[ "${1:-}" = --unit ] || run_one "layers/check.py" python3 "$PWD/tests/layers/check.py"
for t in tests/cli/*.sh tests/integration/*.sh; do
  [ -f "$t" ] && [ "${1:-}" != --unit ] || continue
  run_one "${t#tests/}" bash "$PWD/$t"
done

echo
[ $failed -eq 0 ] || printf 'failed: %s\n' "${failures[*]}"
echo "$passed passed, $failed failed$([ $skipped -eq 0 ] || echo ", $skipped skipped")"
[ $failed -eq 0 ]
