# The project around the code: a license, make help and make uninstall (an install into a
# scratch DESTDIR removed again to the last file), the runtime dependencies stated, and no
# words in the product that only make sense inside this repository's history.
set -euo pipefail
: "${MFU_ROOT:?repository root}" "${TEST_TMP:?scratch directory}"
. "$MFU_ROOT/tests/lib.sh"
cd "$TEST_TMP"

grep -q "^MIT License$" "$MFU_ROOT/LICENSE" || fail "no MIT LICENSE file"
make -s -C "$MFU_ROOT" help >help.txt || fail "make help failed"
for t in "make test" "make demo" "make install" "make uninstall" "make help"; do
  grep -q "^$t " help.txt || fail "make help does not list '$t': $(cat help.txt)"
done

# install, then uninstall: nothing of it is left
if [ -x "$MFU_ROOT/build/mfu" ] && [ -e "$MFU_ROOT/build/libmfushim.so" ]; then
  make -s -C "$MFU_ROOT" install DESTDIR="$TEST_TMP/root" PREFIX=/opt/mfu >/dev/null ||
    fail "make install failed"
  [ -x root/opt/mfu/bin/mfu ] && [ -e root/opt/mfu/lib/libmfushim.so ] || fail "install left out files"
  make -s -C "$MFU_ROOT" uninstall DESTDIR="$TEST_TMP/root" PREFIX=/opt/mfu >/dev/null ||
    fail "make uninstall failed"
  left=$(find root -type f)
  [ -z "$left" ] || fail "make uninstall left: $left"
fi

# the runtime dependencies, said where a user installs
grep -q 'needs libjansson, zlib and libzstd' "$MFU_ROOT/README.md" || fail "README: mfu's runtime libraries"
ldd "${MFU:-$MFU_ROOT/build/mfu}" >ldd.txt
grep -q libjansson ldd.txt || fail "mfu does not link libjansson: fix the README"

# words that mean something only inside this repository's history (split, so that this file
# does not match itself)
cd "$MFU_ROOT"
for w in "issue"' [0-9]' "shared"'/seed' "000_""7f6494936a69c788" "/work/""brief" "\.\./""shared"; do
  hits=$(git grep -nIE "$w" -- README.md docs analyzer shim include scripts examples tests Makefile \
    2>/dev/null || true)
  [ -z "$hits" ] || fail "repository-history words ('$w') in the product: $hits"
done
echo "project.sh: all passed"
