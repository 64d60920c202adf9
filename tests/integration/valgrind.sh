# valgrind's memcheck on the analyzer (report, export, compare) over generated traces (several
# threads, a GPU timeline, zstd blocks, a torn block, a file cut short): no invalid access, no
# use of uninitialized memory, no leak.
. "$MFU_ROOT/tests/lib.sh"
[ "${MFU_SANITIZE:-}" = "" ] || { echo "SKIP: valgrind cannot run programs built with a sanitizer: make test runs this"; exit 77; }
command -v valgrind > /dev/null || { echo "SKIP: no valgrind (apt-get install valgrind)"; exit 77; }
MFU_TRACE_DIR=$PWD/t traced "$BIN/host" threads 3 200 > /dev/null
MFU_TRACE_DIR=$PWD/t MFU_ZSTD=3 MFU_CUPTI=on traced "$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step" \
  --layers 1 --steps 4 --hidden 64 --heads 2 --ffn 128 --vocab 256 --seq 16 --batch 1 > /dev/null
# damage: one file cut short, a byte of another's first block flipped
f=$(ls t/*.mfutrace | head -1)
head -c $(($(stat -c %s "$f") - 100)) "$f" > t/cut.mfutrace
cp "$f" t/torn.mfutrace
printf '\xff' | dd of=t/torn.mfutrace bs=1 seek=2100 conv=notrunc status=none
vg() { valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
  --show-leak-kinds=definite,indirect "$@"; }
# the second run for mfu compare: the same program again
MFU_TRACE_DIR=$PWD/u traced "$BIN/host" threads 2 300 > /dev/null
for args in "report t --json" "report t --full" "export t --perfetto -o out.json" "compare t u" \
  "compare t u --json"; do
  st=0; MFU_THREADS=2 vg "$MFU" $args > vg.out 2> vg.err || st=$?
  [ $st != 99 ] || fail "memcheck, mfu $args: $(cat vg.err)"
  [ $st = 0 ] || fail "mfu $args exited $st: $(cat vg.err)"
done
echo "ok: memcheck clean on mfu report (--json, --full), export and compare (text, --json) over $(ls t | wc -l) trace files"
