#!/usr/bin/env bash
# Unrelated runs never merge: the example run twice by hand from one shell script (one parent,
# so one job id) into one directory is reported as two jobs, each of one rank, with a warning;
# so are two runs of a 2-rank job (RANK set, the same ranks twice, one run after the other),
# each of 2 ranks. --job picks either.
set -euo pipefail
: "${MFU:?}" "${MFU_ROOT:?}" "${TEST_TMP:?}" "${DOUBLES:?}" "${SHIM:?}"
. "$MFU_ROOT/tests/lib.sh"
cd "$TEST_TMP"
example=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
model=(--layers 2 --hidden 256 --heads 4 --ffn 512 --vocab 1000 --batch 2 --seq 64 --steps 4)
export example SHIM DOUBLES PRELOAD HOST_ASAN

# One shell, two runs: the shim's job id is that shell's pid for both.
sh -c 'for i in 1 2; do LD_LIBRARY_PATH=$DOUBLES LD_PRELOAD=$PRELOAD ASAN_OPTIONS=$HOST_ASAN MFU_TRACE_DIR=$PWD/solo \
  "$example" "$@" >/dev/null; done' sh "${model[@]}"
[ "$(ls solo | wc -l)" = 2 ] || fail "expected 2 trace files in solo/"
ids=$(ls solo | sed 's/^mfu-\([^-]*\)-.*/\1/' | sort -u)
case $ids in ppid[0-9]*) ;; *) fail "job id '$ids' is not the parent's pid" ;; esac
"$MFU" report solo --json >solo.json
python3 - "$ids" <<'EOF' || fail "two runs by hand were not reported as two jobs"
import json, sys
base = sys.argv[1]
j = json.load(open("solo.json"))
assert j["job_id"] in (base + "#1", base + "#2"), j["job_id"]
assert sorted([j["job_id"]] + j["other_jobs"]) == [base + "#1", base + "#2"], j["other_jobs"]
assert j["ranks"] == 1 and j["files"] == 1, (j["ranks"], j["files"])
assert any("job id '%s' is shared by 2 separate runs" % base in w for w in j["warnings"]), j["warnings"]
EOF
expect 0 "^  ranks     1, 1 trace file$" "$MFU" report solo --job "$ids#1"

# Two runs of a 2-rank job by hand, one after the other: ranks 0 and 1 twice.
sh -c 'for run in 1 2; do
  for rank in 0 1; do
    RANK=$rank WORLD_SIZE=2 LD_LIBRARY_PATH=$DOUBLES LD_PRELOAD=$PRELOAD ASAN_OPTIONS=$HOST_ASAN MFU_TRACE_DIR=$PWD/pair \
      "$example" "$@" --idle-us 20000 >/dev/null &
  done
  wait
done' sh "${model[@]}"
[ "$(ls pair | wc -l)" = 4 ] || fail "expected 4 trace files in pair/"
"$MFU" report pair --json >pair.json
python3 - <<'EOF' || fail "two 2-rank runs were not reported as two jobs"
import json
j = json.load(open("pair.json"))
assert j["job_id"].endswith("#2") and len(j["other_jobs"]) == 1, (j["job_id"], j["other_jobs"])
assert j["ranks"] == 2 and j["files"] == 2, (j["ranks"], j["files"])
assert not any("trace files" in w for w in j["warnings"]), j["warnings"]
EOF
echo "all job identity checks passed"
