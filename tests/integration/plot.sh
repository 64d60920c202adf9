# mfu plot on a generated 4-rank job of the example workload on the doubles, rank 2 a straggler
# with ten times the memory-bound work, each rank all-reducing another size: every figure is
# drawn as PNG (1200 x 750 pixels) and SVG from report.json, which holds the report's numbers;
# figures without data are left out with a note; without matplotlib mfu plot says how to
# install it and still writes report.json (SKIP for the figures then).
. "$MFU_ROOT/tests/lib.sh"
example=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
model=(--layers 2 --hidden 512 --heads 8 --ffn 1024 --vocab 2000 --seq 128)
for r in 0 1 2 3; do
  RANK=$r WORLD_SIZE=4 MFU_JOB_ID=four traced "$example" "${model[@]}" --batch 2 --steps 8 \
    --allreduce-mb $((1 << r)) --memory-bound-us $([ $r = 2 ] && echo 300 || echo 30) \
    --comm-stream side > /dev/null
done
opts=("${model[@]}" --batch-per-rank 2 --attention full --peak-tflops 100)

# Without matplotlib: the numbers, and how to get the figures.
expect 1 "apt-get install python3-matplotlib" env MFU_PYTHON=/nonexistent/python3 \
  "$MFU" plot traces -o none "${opts[@]}"
"$MFU" report traces "${opts[@]}" --json > report.json
python3 - <<'PY' || fail "report.json differs from mfu report --json"
import json
a, b = json.load(open("none/report.json")), json.load(open("report.json"))
for k in ("mfu", "efficiency", "gemm_shapes", "nccl_by_size", "totals"):
    assert a[k] == b[k], k
PY
expect 2 "cannot open .nowhere." "$MFU" plot nowhere -o x
expect 0 "Example" "$MFU" plot --help

if [ -z "$(matplotlib_python)" ]; then
  echo "SKIP: the figures need python3-matplotlib (apt-get install python3-matplotlib)"
  exit 77
fi
"$MFU" plot traces -o plots "${opts[@]}" > plot.txt 2>&1 || fail "mfu plot: $(cat plot.txt)"
figures="mfu_per_step waterfall gpu_time gemm_roofline nccl_bandwidth"
for f in $figures; do
  grep -q "^plots/$f.png$" plot.txt || fail "$f.png not reported: $(cat plot.txt)"
  expect_eq "$f.png" "$(png_size plots/$f.png)" 1200x750
  grep -q '<svg' plots/$f.svg || fail "$f.svg is no SVG"
done
# What the figures show is in their SVG text: rank 2's bar, the shapes that lose most time.
grep -q 'ms lost' plots/gemm_roofline.svg || fail "no labelled shape in the roofline"
grep -q 'peak 100 TFLOP/s' plots/gemm_roofline.svg || fail "no peak line in the roofline"
grep -q 'busbw is 0' plots/nccl_bandwidth.svg || fail "a 1-rank busbw is not explained"

# Host timing only, no NCCL: the figures that have data, and a note for each of the others.
rm -rf traces
MFU_CUPTI=off traced "$example" "${model[@]}" --batch 2 --steps 6 --sync > /dev/null
"$MFU" plot traces -o host "${opts[@]}" > host.txt 2>&1 || fail "host: $(cat host.txt)"
expect_eq "host figures" "$(ls host/*.png | xargs -n1 basename | tr '\n' ' ')" "mfu_per_step.png "
for why in "no waterfall" "no GPU timeline: no GPU time figure" "no GEMM shape was timed" "no NCCL call"; do
  grep -q "$why" host.txt || fail "no note '$why': $(cat host.txt)"
done
echo "ok: mfu plot"
