#!/usr/bin/env bash
# make demo prints what the README says it prints: the README's copy of its output (Quick
# start) is a run of it, line for line, but for the numbers (times, ids, dates: each run of
# digits is N here) and the spacing. The run says MFU at once: the doubles' device is in the
# accelerator table with its simulated peak, so there is no "no peak" note, no second report.
set -euo pipefail
: "${MFU_ROOT:?}" "${TEST_TMP:?}"
. "$MFU_ROOT/tests/lib.sh"
cd "$TEST_TMP"
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  echo "a GPU is here: make demo runs on it, not on the doubles the README shows"; exit 77
fi
[ "${MFU_BUILD:-build}" = build ] || { echo "make demo runs on build/, not ${MFU_BUILD}"; exit 77; }
DEMO_TRACES=$TEST_TMP/demo-traces bash "$MFU_ROOT/scripts/demo.sh" >demo.txt 2>&1 ||
  { cat demo.txt; fail "make demo failed"; }
python3 - "$MFU_ROOT/README.md" demo.txt "$TEST_TMP/demo-traces" <<'PY'
import re, sys
readme, got, traces = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3]
start = readme.index("What `make demo` prints on a machine without a GPU")
block = readme[start:].split("\n\n", 1)[1]
lines = []
for line in block.split("\n"):
    if line and not line.startswith("    "):
        break
    lines.append(line[4:])
while lines and not lines[-1]:
    lines.pop()
def norm(text, where):
    """Each run of digits N, the traces' directory TRACES, the host HOST, spacing one blank."""
    text = re.sub(where, "TRACES", text)
    text = re.sub(r"[0-9]+", "N", text)
    text = re.sub(r"-r(N|x)-[^ ]*-N\.mfutrace", r"-r\1-HOST-N.mfutrace", text)
    text = re.sub(r"\(pid N on [^)]*\)", "(pid N on HOST)", text)
    return [re.sub(r"\s+", " ", l).strip() for l in text.split("\n") if l.strip()]
want = norm("\n".join(lines), r"(/\S*/)?build/demo-traces")
have = norm(got.replace(traces, "build/demo-traces"), r"(/\S*/)?build/demo-traces")
if want != have:
    import difflib
    print("\n".join(difflib.unified_diff(want, have, "README.md", "make demo", lineterm="")))
    sys.exit(1)
for needed in ["MFU N.N% HFU N.N%", "peak N TFLOP/s bfN (test-double: simulated, no GPU) per device"]:
    assert needed in have, needed
assert not any("no peak" in l or "..." == l for l in have), "a no-peak note or an elided line"
print("README's demo output matches make demo:", len(have), "lines")
PY
