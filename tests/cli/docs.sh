#!/usr/bin/env bash
# The documentation says what mfu does: every command and option of `mfu --help` and
# `mfu COMMAND --help` has its entry in the man page and the README, every MFU_* variable read
# has its entry in the man pages (tests/tools/docs_check.py, which is shown to catch an entry
# removed); every help has examples; the man pages render without a warning; the bash
# completion completes every command, every option, presets and devices; make install puts
# the man pages and the completion in place and make uninstall removes what it installed.
set -euo pipefail
: "${MFU:?path of build/mfu}" "${MFU_ROOT:?repository root}"
cd "${TEST_TMP:-$(mktemp -d)}"
. "$MFU_ROOT/tests/lib.sh"
check=$MFU_ROOT/tests/tools/docs_check.py

python3 "$check" "$MFU" "$MFU_ROOT" > problems.txt || fail "the docs disagree with mfu: $(cat problems.txt)"

# The check fails when an option, a command or a variable loses its entry.
mkdir -p root/docs/man
cp "$MFU_ROOT/README.md" root/
ln -s "$MFU_ROOT/shim" "$MFU_ROOT/analyzer" root/
cp "$MFU_ROOT"/docs/man/* root/docs/man/
python3 - <<'PY'
import re
p = "root/docs/man/mfu.1"
s = open(p).read()
# report's --csv entry, compare's section heading, MFU_THREADS' entry
s = s.replace(".TP\n.B \\-\\-csv\nevery table as CSV", "every table as CSV", 1)
s = s.replace('.SS "mfu compare', '.SS "mfu kompare', 1)
s = s.replace(".TP\n.B MFU_THREADS\n", "", 1)
open(p, "w").write(s)
p = "root/README.md"
s = open(p).read()
open(p, "w").write(s.replace("## `mfu hw`", "## The hw command", 1))
PY
got=0
python3 "$check" "$MFU" root > broken.txt || got=$?
expect_eq "the check of broken docs" "$got" 1
for want in "\`mfu report --csv\` (in its --help) has no entry" "no section for \`mfu compare\`" \
    "mfu reads MFU_THREADS, which ENVIRONMENT does not describe" \
    "README.md: no section for \`mfu hw\`"; do
  grep -qF "$want" broken.txt || fail "the check does not say '$want': $(cat broken.txt)"
done

# Every help has examples.
for cmd in "" $("$MFU" --help | awk '/^commands:/ {on = 1; next} on && !NF {exit} on {print $1}'); do
  "$MFU" $cmd --help > help.txt || fail "mfu $cmd --help exited $?"
  grep -qiE '^examples?( \(.*\))?:' help.txt || fail "mfu $cmd --help has no examples"
done

# The man pages render cleanly (groff -ww: every warning).
if command -v groff > /dev/null; then
  for page in mfu.1 libmfushim.7; do
    LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$MFU_ROOT/docs/man/$page" 2> groff.txt
    [ ! -s groff.txt ] || fail "$page: groff warns: $(cat groff.txt)"
  done
else
  echo "note: no groff, the man pages' rendering is not checked"
fi

# The completion, on the mfu under test.
complete_words() { # WORDS...: what completing the last word offers, one per line
  bash -c '. "$1/scripts/mfu.bash-completion"; shift; COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _mfu; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$MFU_ROOT" "$@"
}
complete_words "$MFU" "" > commands.txt
for cmd in run report compare plot sweep export predict models hw calibrate; do
  grep -qx "$cmd" commands.txt || fail "completion: no command $cmd: $(cat commands.txt)"
done
complete_words "$MFU" report -- > report-options.txt
for o in --csv --json --full --by-phase --step-range --preset --peak-tflops --tied-embeddings; do
  grep -qx -- "$o" report-options.txt || fail "completion: mfu report has no $o: $(cat report-options.txt)"
done
complete_words "$MFU" sweep - > sweep-options.txt
grep -qx -- -o sweep-options.txt && grep -qx -- --no-plot sweep-options.txt ||
  fail "completion: mfu sweep: $(cat sweep-options.txt)"
expect_eq "--preset llama-3-8" "$(complete_words "$MFU" report --preset llama-3-8 | tr '\n' ' ')" "llama-3-8b "
expect_eq "--device h100-s" "$(complete_words "$MFU" report --device h100-s | tr '\n' ' ')" "h100-sxm "
expect_eq "--convention m" "$(complete_words "$MFU" predict --convention m | tr '\n' ' ')" "megatron "
expect_eq "report --steps" "$(complete_words "$MFU" report --steps "" | tr '\n' ' ')" "all "
complete_words "$MFU" run -- bas > after-dashdash.txt
grep -qx bash after-dashdash.txt || fail "completion after --: no command bash"

# make install and make uninstall, into a scratch root.
make -s -C "$MFU_ROOT" install uninstall DESTDIR= PREFIX="$PWD/prefix" > /dev/null 2>&1 &&
  [ -z "$(find prefix -type f)" ] || fail "make uninstall left: $(find prefix -type f)"
make -s -C "$MFU_ROOT" install DESTDIR= PREFIX="$PWD/prefix" > /dev/null
for f in bin/mfu lib/libmfushim.so share/man/man1/mfu.1 share/man/man7/libmfushim.7 \
    share/bash-completion/completions/mfu share/mfushim/mfu_plot.py; do
  [ -f "prefix/$f" ] || fail "make install did not install $f"
done
cmp prefix/share/man/man1/mfu.1 "$MFU_ROOT/docs/man/mfu.1"
echo "ok: help, man pages, README and completion agree"
