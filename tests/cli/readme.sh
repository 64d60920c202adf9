#!/usr/bin/env bash
# The README's examples of the commands that need no trace (mfu predict, mfu models, mfu hw)
# print what the README shows: each `    $ mfu ...` line of README.md (a trailing backslash
# continues it) is run as written, in tests/fixtures/configs (where its config files are), and
# the lines shown under it must all be in its output (stdout and stderr), in that order, each
# exactly but for trailing spaces. The README may leave lines out: a line `...`, or one that
# starts `... ` or is in [brackets], stands for lines not shown.
source "$MFU_ROOT/tests/lib.sh"
cd "$TEST_TMP" || exit 1
mkdir -p bin && ln -sf "$MFU" bin/mfu

PATH=$PWD/bin:$PATH python3 - "$MFU_ROOT/README.md" "$MFU_ROOT/tests/fixtures/configs" <<'PY'
import re, subprocess, sys
readme, cwd = sys.argv[1], sys.argv[2]
lines = open(readme).read().split("\n")
examples, i = [], 0
while i < len(lines):
    m = re.match(r"    \$ (mfu (predict|models|hw)\b.*)", lines[i])
    i += 1
    if not m:
        continue
    where, cmd = i, m.group(1)
    while cmd.endswith("\\") and i < len(lines):
        cmd = cmd[:-1] + " " + lines[i].strip()
        i += 1
    shown = []
    while i < len(lines) and not lines[i].startswith("    $ ") and (
            lines[i].startswith("    ") or not lines[i].strip()):
        shown.append(lines[i][4:].rstrip())
        i += 1
    while shown and not shown[-1]:
        shown.pop()
    examples.append((where, cmd, shown))
if len(examples) < 12:
    sys.exit(f"only {len(examples)} examples of mfu predict/models/hw found in the README")
failed = 0
for where, cmd, shown in examples:
    run = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=cwd, capture_output=True, text=True)
    got = [l.rstrip() for l in (run.stdout + run.stderr).split("\n")]
    at, missing = 0, None
    for want in shown:
        if want == "..." or want.startswith("... ") or re.fullmatch(r"\[.*\]", want):
            continue
        try:
            at = got.index(want, at) + 1
        except ValueError:
            missing = want
            break
    if missing is not None:
        failed += 1
        print(f"FAIL: README.md:{where}: $ {cmd}\n  the README shows: {missing!r}\n  not printed "
              f"(in this order); it printed (exit {run.returncode}):")
        print("\n".join("    " + l for l in got))
print(f"{len(examples) - failed} of {len(examples)} README examples print what the README shows")
sys.exit(1 if failed else 0)
PY
