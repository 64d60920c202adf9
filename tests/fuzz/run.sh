#!/usr/bin/env bash
# Runs each fuzz target named (build-fuzz/NAME, `make fuzz` builds them) for $FUZZ_SECONDS
# seconds on its seed corpus (tests/fuzz/corpus/NAME, read only) and what earlier runs kept
# (build-fuzz/corpus/NAME). Prints "fuzz: NAME EXECS executions in SECONDS s (N inputs kept)"
# per target; a crash, a hang (an input over $FUZZ_TIMEOUT s), a leak or running out of memory
# fails the run, its input saved as build-fuzz/NAME-crash-... (replay: build-fuzz/NAME FILE).
set -u
cd "$(dirname "$0")/../.."
failed=0 total=0
for t in "$@"; do
  mkdir -p "build-fuzz/corpus/$t"
  log=build-fuzz/$t.log
  rc=0
  "build-fuzz/$t" -max_total_time="${FUZZ_SECONDS:-60}" -timeout="${FUZZ_TIMEOUT:-10}" \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="build-fuzz/$t-" \
    "build-fuzz/corpus/$t" "tests/fuzz/corpus/$t" > "$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
  kept=$(ls "build-fuzz/corpus/$t" | wc -l)
  if [ $rc -ne 0 ]; then
    failed=1
    echo "fuzz: $t FAILED (exit $rc) after ${execs:-?} executions:"
    grep -E '^(==[0-9]+==|SUMMARY|.*runtime error|artifact_prefix|Test unit written)' "$log" | head -20
  else
    echo "fuzz: $t ${execs:-?} executions in ${secs:-?} s ($kept inputs kept)"
    total=$((total + ${execs:-0}))
  fi
done
echo "fuzz: $total executions in all"
exit $failed
