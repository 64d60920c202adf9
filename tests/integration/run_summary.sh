# mfu run with the model options of mfu report: the summary after the job has MFU, the
# command's own stdout is left untouched (it can be piped on), --json FILE holds the summary,
# and mfu report finds traces in a directory tree of any depth, as a shared trace directory
# of a multi-node job has them.
. "$MFU_ROOT/tests/lib.sh"
example=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
model=(--layers 2 --hidden 512 --heads 8 --ffn 1024 --vocab 2000)
work=(--batch 4 --seq 128)

LD_LIBRARY_PATH=$DOUBLES LD_PRELOAD=$SAN_PRELOAD ASAN_OPTIONS=$HOST_ASAN "$MFU" run --trace-dir traces --json summary.json "${model[@]}" "${work[@]}" \
  --attention full --peak-tflops 100 "$example" "${model[@]}" "${work[@]}" --steps 6 \
  >stdout.txt 2>stderr.txt || fail "mfu run exited $?: $(cat stderr.txt)"
# stdout is the command's alone: its lines, none of mfu's
grep -q '^issued_gemm_flops=120342970368$' stdout.txt || fail "the command's output is gone: $(cat stdout.txt)"
grep -qE '^(mfu[ :]|steps$|  MFU )' stdout.txt && fail "mfu wrote to the command's stdout: $(cat stdout.txt)"
mfu=$(json summary.json mfu)
[ "$mfu" != null ] || fail "no MFU in the JSON summary"
pct=$(python3 -c "print('%.2f%%' % (100 * $mfu))")
grep -qE "^  MFU +$pct +HFU +$pct$" stderr.txt || fail "the summary has no 'MFU $pct': $(cat stderr.txt)"
grep -q "^  model      0.020 TFLOP per step per rank (formula: global batch 4 x seq 128 over 1 rank)$" \
  stderr.txt || fail "the summary has no model line: $(cat stderr.txt)"
grep -q "^mfu run: the summary as JSON is in summary.json$" stderr.txt || fail "where the JSON is, unsaid"
# the full report is named with the options that give the same MFU (mfu run's own left out)
grep -qxF "full report: mfu report $PWD/traces ${model[*]} ${work[*]} --attention full --peak-tflops 100" \
  stderr.txt || fail "the full report's command lacks the model: $(grep 'full report' stderr.txt)"
# each measured step has its MFU; the last, whose end is unknown, none
[ "$(json summary.json per_rank.0.steps.per_step.-2.mfu)" != null ] || fail "a measured step has no MFU"
expect_eq "the last step's MFU" "$(json summary.json per_rank.0.steps.per_step.-1.mfu)" null
expect_eq "work.batch" "$(json summary.json work.batch)" 4
expect_eq "counted FLOPs" "$(json summary.json totals.gemm_flops)" 120342970368

# The same run without a model: no MFU, and no error
LD_LIBRARY_PATH=$DOUBLES LD_PRELOAD=$SAN_PRELOAD ASAN_OPTIONS=$HOST_ASAN "$MFU" run --trace-dir plain "$example" "${model[@]}" --steps 3 \
  >/dev/null 2>plain.txt || fail "mfu run without a model exited $?"
grep -qE "^  GEMMs +135 calls" plain.txt || fail "no summary without a model: $(cat plain.txt)"

# A tree: traces three levels down are read with those at the top
mkdir -p tree/node0/job/r0 tree/node1
cp traces/*.mfutrace tree/node0/job/r0/
ln -s .. tree/node1/loop  # a link back up is not followed
expect 0 '"gemm_calls": 270,' "$MFU" report tree --json
expect 0 '"files": 1,' "$MFU" report tree --json
# A second run into the same directory: the full report's command names this run's job, and
# that command reports it (not the earlier run, whose files are there too)
LD_LIBRARY_PATH=$DOUBLES LD_PRELOAD=$SAN_PRELOAD ASAN_OPTIONS=$HOST_ASAN "$MFU" run --trace-dir traces \
  "$example" "${model[@]}" --steps 2 \
  >/dev/null 2>again.txt || fail "the second mfu run exited $?"
again=$(sed -n 's/^full report: mfu report [^ ]* --job \([^ ]*\)$/\1/p' again.txt)
[ -n "$again" ] || fail "no --job in the second run's last line: $(tail -1 again.txt)"
expect 0 '"gemm_calls": 90,' "$MFU" report traces --job "$again" --json

echo "run_summary.sh: all passed"
