#!/usr/bin/env bash
# `mfu hw`'s table keeps its columns aligned whatever the length of a product's name (the
# longest, "Instinct MI250X (OAM: 2 GCDs)", once pushed its row's numbers one column right).
source "$MFU_ROOT/tests/lib.sh"
cd "$TEST_TMP" || exit 1

"$MFU" hw >table.txt || fail "mfu hw failed"
python3 - table.txt <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
header, rows = lines[0], lines[1:lines.index("")]
assert len(rows) > 50, f"only {len(rows)} rows"
ends = [header.index(c) + len(c) for c in ("fp64", "bf16", "fp4", "mem GB", "TB/s")]
for row in rows:
    for end in ends:
        if row[end - 1] == " " or row[end] != " ":
            sys.exit(f"FAIL: column ending at {end} of the header is not aligned in:\n{header}\n{row}")
print(f"{len(rows)} rows aligned")
PY
