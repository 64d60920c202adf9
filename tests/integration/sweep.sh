# mfu sweep over the example workload on the doubles: a 4 x 3 grid of batch sizes and sequence
# lengths, one point of which fails as a training script runs out of memory; the sweep records
# it and goes on, measures every other point as mfu report does, shows its progress, and writes
# the CSV and the two figures (1200 x 750 pixels; SKIP for them without matplotlib). Then a
# point that crashes, one that hangs (--timeout), the table as CSV on stdout (--csv), and bad
# usage.
. "$MFU_ROOT/tests/lib.sh"
example=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
model=(--layers 2 --hidden 512 --heads 8 --ffn 1024 --vocab 2000)
cat > job.sh <<SH
#!/bin/sh
# A training script that runs out of memory at batch 8 and sequence length 256.
if [ "\$1" -ge 8 ] && [ "\$2" -ge 256 ]; then
  echo "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB" >&2
  exit 1
fi
exec $example ${model[*]} --batch "\$1" --seq "\$2" --steps 5
SH
chmod +x job.sh
opts=("${model[@]}" --attention full --peak-tflops 100)
LD_LIBRARY_PATH=$DOUBLES LD_PRELOAD=$SAN_PRELOAD ASAN_OPTIONS=$HOST_ASAN "$MFU" sweep --batch 1,2,4,8 --seq 64,128,256 "${opts[@]}" -o out \
  -- ./job.sh {batch} {seq} > sweep.txt 2> progress.txt || fail "sweep exited $?: $(cat progress.txt)"
for i in $(seq 1 12); do
  grep -q "^mfu sweep: point $i/12 (batch [0-9]*, seq [0-9]*): running; [0-9.]* s elapsed" progress.txt ||
    fail "no progress line for point $i: $(cat progress.txt)"
done
grep -q '^mfu sweep: point 5/12 (batch 1, seq 128): running; [0-9.]* s elapsed, about [0-9.]* s left$' \
  progress.txt || fail "no ETA: $(cat progress.txt)"
grep -q '^mfu sweep: point 12/12 (batch 8, seq 256): out of memory (exit status 1): see out/logs/b8-s256.log$' \
  progress.txt || fail "the failed point is not reported: $(cat progress.txt)"
grep -q 'CUDA out of memory' out/logs/b8-s256.log || fail "the failed run's output is not in its log"
grep -q '^11 of 12 points measured' sweep.txt || fail "summary: $(cat sweep.txt)"
python3 - <<'PY' || fail "sweep.csv"
import csv
rows = list(csv.DictReader(open("out/sweep.csv")))
assert [(int(r["batch"]), int(r["seq"])) for r in rows] == [(b, s) for s in (64, 128, 256) for b in (1, 2, 4, 8)]
outcomes = [r["outcome"] for r in rows]
assert outcomes == ["ok"] * 11 + ["oom"], outcomes
oom = rows[-1]
assert oom["exit_status"] == "1" and oom["mfu"] == "" and oom["step_s"] == "", oom
for r in rows[:-1]:
    assert 0 < float(r["mfu"]) < 1 and float(r["step_s"]) > 0 and r["steps"] == "4", r
    assert abs(float(r["tokens_per_s"]) - int(r["batch"]) * int(r["seq"]) / float(r["step_s"])) < 1e-6 * float(r["tokens_per_s"])
# Measured, not assumed: the fake GPU's 2 us per GEMM weighs less in bigger steps, so its math
# kernels run faster (the kernel factor, from the GPU timeline alone: the host's jitter on a
# loaded machine, which moves MFU through parallelism, cannot reorder it).
by = {(int(r["batch"]), int(r["seq"])): float(r["kernel"]) for r in rows[:-1]}
for s in (64, 128):
    assert by[(1, s)] < by[(2, s)] < by[(4, s)] < by[(8, s)], by
PY
# A point's figures are mfu report's on its traces.
"$MFU" report out/traces/b4-s128 "${opts[@]}" --batch-per-rank 4 --seq 128 --json > b4.json
want=$(json b4.json mfu)
got=$(python3 -c 'import csv; print(next(r["mfu"] for r in csv.DictReader(open("out/sweep.csv")) if r["batch"] == "4" and r["seq"] == "128"))')
python3 -c "import sys; sys.exit(abs($got - $want) > 1e-5 * $want)" || fail "b4-s128: sweep says MFU $got, mfu report $want"

# A crash and a hang are recorded too; the sweep still exits 0 as one point was measured.
cat > flaky.sh <<SH
#!/bin/sh
case "\$1" in
  2) kill -9 \$\$ ;;
  3) exec sleep 30 ;;
esac
exec $example ${model[*]} --batch "\$1" --seq 64 --steps 4
SH
chmod +x flaky.sh
LD_LIBRARY_PATH=$DOUBLES LD_PRELOAD=$SAN_PRELOAD ASAN_OPTIONS=$HOST_ASAN "$MFU" sweep --batch 1,2,3 --seq 64 --timeout 1 --no-plot --csv \
  "${opts[@]}" -o flaky -- ./flaky.sh {batch} > flaky.csv 2> flaky.txt ||
  fail "flaky sweep exited $?: $(cat flaky.txt)"
expect_eq "outcomes" "$(cut -d, -f3 flaky/sweep.csv | tr '\n' ' ')" "outcome ok killed timeout "
cmp flaky.csv flaky/sweep.csv || fail "--csv printed another table than sweep.csv: $(cat flaky.csv)"
grep -q '^1 of 3 points measured' flaky.txt || fail "--csv: no summary on stderr: $(cat flaky.txt)"
[ ! -e flaky/mfu_vs_batch.png ] || fail "--no-plot drew figures"

# Bad usage: said, exit 2, nothing run.
expect 2 "put the command after --" "$MFU" sweep --batch 1,2 --seq 64 ./job.sh
expect 2 "--batch has 2 values but the command has no \{batch\}" "$MFU" sweep --batch 1,2 --seq 64 -- ./job.sh 1 {seq}
expect 2 "--seq '64,x': expected whole numbers" "$MFU" sweep --batch 1 --seq 64,x -- ./job.sh {batch} {seq}
expect 2 "give the points: --batch LIST and --seq LIST" "$MFU" sweep --batch 1 -- ./job.sh {batch} 64
expect 2 "out/traces/b1-s64 already holds traces of an earlier run" \
  "$MFU" sweep --batch 1 --seq 64 -o out -- ./job.sh {batch} {seq}
expect 0 "Example" "$MFU" sweep --help

# The figures: what matplotlib drew, at the size promised.
if [ -z "$(matplotlib_python)" ]; then
  echo "SKIP: the sweep's figures need python3-matplotlib (apt-get install python3-matplotlib)"
  exit 77
fi
for f in mfu_vs_batch mfu_vs_seq; do
  expect_eq "$f.png" "$(png_size out/$f.png)" 1200x750
  grep -q '<svg' out/$f.svg || fail "$f.svg is no SVG"
done
echo "ok: mfu sweep"
