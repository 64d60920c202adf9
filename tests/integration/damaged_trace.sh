# A trace damaged in the middle, as a disk or a copy can leave it: mfu report reads every
# block around the damage, counts exactly what they hold, and reports each damaged region
# (where, how many bytes, how many blocks and records) in the text and in --json.
. "$MFU_ROOT/tests/lib.sh"
H=$BIN/host
BLOCKS="python3 $MFU_ROOT/tests/tools/trace_blocks.py"

# 20,000 calls on one thread: the ring is drained every 2048 records or so, many blocks.
MFU_TRACE_DIR=$PWD/t traced "$H" threads 1 20000 > /dev/null
f=$(echo t/*.mfutrace)
[ "$($BLOCKS "$f" | awk '$2 == 1' | wc -l)" -ge 8 ] || fail "too few blocks: $($BLOCKS "$f")"

# One torn block (records block 2): its GEMMs are lost, every other one counts.
cp -r t torn
read -r off _ count size _ gemms < <($BLOCKS torn/*.mfutrace tear 2)
"$MFU" report torn --json > torn.json
expect_eq "torn: GEMM calls" "$(json torn.json totals.gemm_calls)" $((20000 - gemms))
expect_eq "torn: gaps" "$(json torn.json incomplete_files.0.gaps_count)" 1
expect_eq "torn: gap offset" "$(json torn.json incomplete_files.0.gaps.0.offset)" "$off"
expect_eq "torn: gap bytes" "$(json torn.json incomplete_files.0.gaps.0.bytes)" $((32 + size))
expect_eq "torn: gap blocks" "$(json torn.json incomplete_files.0.gaps.0.blocks)" 1
expect_eq "torn: gap records" "$(json torn.json incomplete_files.0.gaps.0.records)" "$count"
expect_eq "torn: tail" "$(json torn.json incomplete_files.0.tail)" null
expect_eq "torn: per_rank complete" "$(json torn.json per_rank.0.complete)" False
"$MFU" report torn > torn.txt
grep -q "was read past 1 damaged region ($((32 + size)) bytes, $count records lost; at byte $off" \
  torn.txt || fail "torn: no warning: $(cat torn.txt)"

# Zeros over records blocks 3 to 5, headers and all: the blocks lost are known from the
# sequence numbers, their records are not.
cp -r t zeroed
$BLOCKS zeroed/*.mfutrace zero 3 5 > zeroed.blocks
"$MFU" report zeroed --json > zeroed.json
expect_eq "zeroed: GEMM calls" "$(json zeroed.json totals.gemm_calls)" \
  $((20000 - $(awk '{n += $6} END {print n}' zeroed.blocks)))
expect_eq "zeroed: gap blocks" "$(json zeroed.json incomplete_files.0.gaps.0.blocks)" \
  "$(wc -l < zeroed.blocks)"
expect_eq "zeroed: gap records" "$(json zeroed.json incomplete_files.0.gaps.0.records)" null
"$MFU" report zeroed | grep -q "an unknown number of records" || fail "zeroed: no warning"
echo "ok: a torn block and a zeroed region read past; every other GEMM counted"
