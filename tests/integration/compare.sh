# mfu compare: runs of the example workload on the doubles that differ in one planted
# inefficiency each (idle time, memory-bound kernels, exposed communication) against a
# baseline; the comparison names the factor planted as the one that moved MFU most, the
# factors' log-ratios add up to MFU's, and the GPU time per step moved where it was planted.
. "$MFU_ROOT/tests/lib.sh"
example=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
# Steps of ~2.3 ms of GEMMs on the fake GPU, and plants of 20 ms and more: the host's jitter on
# a loaded machine (which only ever adds idle time, up to ~10 ms a step here when every core is
# busy) cannot move parallelism as much as the plant moves its factor.
model=(--layers 2 --hidden 1024 --heads 16 --ffn 2816 --vocab 8000 --batch 4 --seq 256)
run() { # DIR, planted options...
  local dir=$1
  shift
  MFU_TRACE_DIR=$PWD/$dir traced "$example" "${model[@]}" --steps 6 --sync --memory-bound-us 20 \
    --allreduce-mb 1 --comm-stream side "$@" > /dev/null
}
run base
run idle --idle-us 50000
run memory --memory-bound-us 20000
run comm --allreduce-mb 4000 --comm-stream same
opts=("${model[@]}" --attention full --peak-tflops 100)
for planted in idle:parallelism memory:memory comm:communication; do
  dir=${planted%%:*} factor=${planted#*:}
  "$MFU" compare base "$dir" "${opts[@]}" --json > "$dir.json"
  python3 - "$dir.json" "$factor" <<'PY' || fail "compare base $dir"
import json, math, sys
c, factor = json.load(open(sys.argv[1])), sys.argv[2]
f = c["figures"]
most = c["moved_mfu_most"]
print(sys.argv[1], {k: round(f[k]["log_ratio"], 4) for k in f if f[k]["log_ratio"] is not None})
assert most["factor"] == factor, (most, factor)
logs = [f[k]["log_ratio"] for k in ("coverage", "kernel", "memory", "communication", "parallelism")]
assert abs(sum(logs) - f["mfu"]["log_ratio"]) < 1e-9, (sum(logs), f["mfu"])
assert abs(math.log(f["mfu"]["b"] / f["mfu"]["a"]) - f["mfu"]["log_ratio"]) < 1e-12
assert abs(f["mfu"]["change"] - (f["mfu"]["b"] / f["mfu"]["a"] - 1)) < 1e-12
assert most["share"] > 0.75, most  # one change planted: it explains nearly all of MFU's
t = c["gpu_time_per_step_s"]
moved = {"parallelism": "idle", "memory": "other", "communication": "exposed_comm"}[factor]
assert t[moved]["b"] - t[moved]["a"] > 0.015, (moved, t[moved])  # 20 ms or more planted
assert abs(t["gemm"]["b"] - t["gemm"]["a"]) < 1e-9, t["gemm"]  # the same GEMMs ran
for g in c["gemm_shapes"]:
    assert g["gpu_time_s"]["a"] == g["gpu_time_s"]["b"], g
PY
done
# The text names it too, with the tables; CSV has each table after a '# name' line.
"$MFU" compare base memory "${opts[@]}" > memory.txt
grep -q '^  memory moved MFU most (time in math vs memory-bound kernels): log-ratio -' memory.txt || fail "text: $(cat memory.txt)"
for title in '^figures$' '^GPU time per step and rank' '^GEMM shapes by GPU time' '^NCCL by operation and size'; do
  grep -q "$title" memory.txt || fail "no table /$title/ in the text"
done
"$MFU" compare base memory "${opts[@]}" --csv > memory.csv
python3 - <<'PY' || fail "CSV"
import csv
tables, name = {}, None
for row in csv.reader(open("memory.csv")):
    if row and row[0].startswith("# "):
        name = row[0][2:]
        tables[name] = []
    elif row:
        tables[name].append(row)
assert list(tables) == ["figures", "gpu_time", "gemm_shapes", "nccl_sizes"], list(tables)
header, *rows = tables["figures"]
assert header == ["figure", "a", "b", "change_pct", "log_ratio"], header
memory = next(r for r in rows if r[0] == "memory")
assert float(memory[2]) < float(memory[1]), memory
PY
# Without a model there is no MFU: the factors that need none still name the change.
"$MFU" compare base idle --json > nomodel.json
expect_eq "no model: MFU" "$(json nomodel.json figures.mfu.a)" null
expect_eq "no model: moved most" "$(json nomodel.json moved_mfu_most.factor)" parallelism
expect 2 "give two trace directories" "$MFU" compare base
expect 2 "--json or --csv, not both" "$MFU" compare base idle --json --csv
expect 2 "nowhere" "$MFU" compare base nowhere
expect 0 "Example:" "$MFU" compare --help
echo "ok: mfu compare names the planted factor"
