#!/usr/bin/env bash
# CLI tests of `mfu calibrate`: usage errors (exit 2), a clean "no CUDA device" failure (exit 1)
# on a machine without a GPU, and a run on the test doubles, which it must recognise and say
# that it times nothing there (status untimed, no TFLOP/s). The GPU itself is measured by scripts/device-check.sh.
source "$MFU_ROOT/tests/lib.sh"
cd "$TEST_TMP" || exit 1

mfu=("$MFU" calibrate)
# It loads libcudart.so.13 before .12, and this machine's toolkit has a real .13: on a CUDA 12
# stack of doubles it would find that one.
[ "${MFU_CUDA_STACK:-13}" = 13 ] || { echo "skip: mfu calibrate prefers the toolkit's libcudart.so.13"; exit 77; }

# --- usage
expect 0 '^usage: mfu calibrate' "${mfu[@]}" --help
expect 2 'not a multiple of 16' "${mfu[@]}" --size 17
expect 2 '--size must be an integer from 16 to 32768' "${mfu[@]}" --size 0
expect 2 '--iters must be an integer' "${mfu[@]}" --iters x
expect 2 "unknown precision 'fp7'" "${mfu[@]}" --precision bf16,fp7
expect 2 "unknown option '--bogus'" "${mfu[@]}" --bogus
expect 2 "unexpected argument 'extra'" "${mfu[@]}" extra

# --- no GPU: the real runtime (or none at all) fails cleanly
if ! nvidia-smi -L >/dev/null 2>&1; then
  expect 1 '^mfu calibrate: no CUDA device: ' env -u LD_LIBRARY_PATH "${mfu[@]}" --size 256
fi

# --- the test doubles: it runs, and says the device is not a GPU
export LD_LIBRARY_PATH=$DOUBLES
expect 0 "test double \(no GPU\): the GEMMs run, nothing is timed" "${mfu[@]}" --size 256 --iters 2
grep -qE "^  bf16 +untimed .*test doubles do no GPU work" out.txt || { cat out.txt; fail "no untimed bf16 row"; }
! grep -qE '^  [a-z0-9]+ +[0-9.]+ ' out.txt || { cat out.txt; fail "a TFLOP/s figure from the doubles"; }
"${mfu[@]}" --size 256 --iters 2 --json >cal.json || fail "--json run failed"
expect_eq "test_double" "$(json cal.json test_double)" True
expect_eq "device" "$(json cal.json device)" "mfushim test double (no GPU)"
expect_eq "size" "$(json cal.json size)" 256
for p in bf16 fp16 tf32 fp8; do
  expect_eq "$p status" "$(json cal.json results.$p.status)" untimed
  expect_eq "$p tflops" "$(json cal.json results.$p.tflops)" null
done
python3 -c 'import json,sys; r=json.load(open("cal.json"))["results"]; sys.exit("fp32" in r)' ||
  fail "default precisions wrong: $(cat cal.json)"
"${mfu[@]}" --size 256 --iters 2 --precision fp32 --json >fp32.json || fail "--precision fp32 failed"
expect_eq "fp32 only" "$(python3 -c 'import json; print(list(json.load(open("fp32.json"))["results"]))')" "['fp32']"

# A GEMM that fails is reported with its status, and the exit status is 1.
expect 1 'bf16: cublasLtMatmul failed: cuBLAS status 13' \
  env MFU_DOUBLE_STATUS=13 "${mfu[@]}" --size 256 --precision bf16
echo "all calibrate CLI checks passed"
