# The fuzz targets (tests/fuzz) over their checked-in seeds, which hold the inputs that once
# crashed them: each ends normally on every input, without libFuzzer (make fuzz explores).
. "$MFU_ROOT/tests/lib.sh"
for t in trace report config options env; do
  out=$("$MFU_ROOT/${MFU_BUILD:-build}/tests/fuzz/$t" "$MFU_ROOT/tests/fuzz/corpus/$t") ||
    fail "$t: a seed input failed: $out"
  n=$(ls "$MFU_ROOT/tests/fuzz/corpus/$t" | wc -l)
  expect_eq "$t: inputs" "$out" "replay: $n inputs"
done
echo "ok: every seed of trace, report, config, options and env"
