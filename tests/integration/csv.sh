# --csv: every table for spreadsheets. mfu report --csv on a 2-rank job of the example
# workload on the doubles has every table, each after its "# NAME" line, with the numbers of
# --json (FLOPs exact, every step, the factors and MFU); mfu hw --csv and mfu models --csv are
# --json's rows, mfu predict --csv its figures, mfu calibrate --csv its measurements; --json
# with --csv is refused.
. "$MFU_ROOT/tests/lib.sh"
example=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
model=(--layers 2 --hidden 256 --heads 4 --ffn 512 --vocab 1000 --batch 4 --seq 64)
for rank in 0 1; do
  RANK=$rank WORLD_SIZE=2 MFU_JOB_ID=two traced "$example" "${model[@]}" --steps 6 \
    --allreduce-mb 2 --memory-bound-us 20 > /dev/null
done
opts=("${model[@]}" --attention full --peak-tflops 100)
"$MFU" report traces "${opts[@]}" --json > report.json
"$MFU" report traces "${opts[@]}" --csv --by-phase > report.csv
python3 - <<'PY' || fail "mfu report --csv differs from --json: $(cat report.csv)"
import csv, json
r = json.load(open("report.json"))
tables, name = {}, None
for line in open("report.csv").read().split("\n\n"):
    if not line.strip():
        continue
    head, _, body = line.strip("\n").partition("\n")
    assert head.startswith("# "), head
    tables[head[2:]] = list(csv.DictReader(body.splitlines()))
want = ["summary", "gemm_by_precision", "gemm_by_api", "nccl_by_operation", "per_rank", "steps",
        "waterfall", "pace", "gemm_shapes", "kernels", "nccl_sizes", "phases", "notes", "warnings"]
assert list(tables) == want, list(tables)
s = tables["summary"][0]
assert s["job"] == "two" and s["ranks"] == "2" and s["world_size"] == "2", s
assert abs(float(s["mfu_pct"]) - 100 * r["mfu"]) < 1e-9, (s, r["mfu"])
assert abs(float(s["step_s"]) - r["steps"]["mean_time_s"]) < 1e-9, s
assert int(tables["gemm_by_precision"][0]["flops"]) == r["totals"]["gemm_flops"]
assert sum(int(a["flops"]) for a in tables["gemm_by_api"]) == r["totals"]["gemm_flops"]
assert [int(x["calls"]) for x in tables["nccl_by_operation"]] == [r["nccl_by_op"]["AllReduce"]["calls"]]
assert [x["rank"] for x in tables["per_rank"]] == ["0", "1"], tables["per_rank"]
# Every step of the shown rank, not the condensed selection of the text.
shown = next(p for p in r["per_rank"] if p["rank"] == 0)["steps"]["per_step"]
assert len(tables["steps"]) == len(shown) == 6, tables["steps"]
for row, st in zip(tables["steps"], shown):
    assert abs(float(row["time_ms"]) - 1e3 * st["time_s"]) < 1e-6, (row, st)
w = {x["factor"]: x for x in tables["waterfall"]}
for f, v in r["efficiency"].items():
    assert abs(float(w[f]["value"]) - v) < 1e-12, (f, w[f], v)
assert abs(float(w["MFU"]["running_pct"]) - 100 * r["mfu"]) < 1e-9, w["MFU"]
assert abs(float(w["parallelism"]["running_pct"]) - 100 * r["mfu"]) < 1e-9 * 100, w
assert len(tables["gemm_shapes"]) == len(r["gemm_shapes"]), "CSV lists every shape"
assert {x["phase"] for x in tables["phases"]} == {"forward", "backward", "optimizer", "other"}
assert [x["text"] for x in tables["warnings"]] == r["warnings"]
PY
expect 2 "--json or --csv, not both" "$MFU" report traces --json --csv

# mfu hw --csv: one row per accelerator, the peaks of --json.
"$MFU" hw --json > hw.json
"$MFU" hw --csv > hw.csv
python3 - <<'PY' || fail "mfu hw --csv: $(head -3 hw.csv)"
import csv, json
rows = list(csv.DictReader(open("hw.csv")))
j = json.load(open("hw.json"))["accelerators"]
assert [r["device"] for r in rows] == [a["id"] for a in j]
for r, a in zip(rows, j):
    for p, v in a["peak_tflops"].items():
        assert (r[p + "_tflops"] == "") == (v is None) and (v is None or float(r[p + "_tflops"]) == v), (r, a)
    assert r["unpublished"].split() == a["unpublished"], (r, a)
PY
expect_eq "mfu hw h100 --csv" "$("$MFU" hw h100 --csv | sed -n 2p | cut -d, -f1,7)" "h100-sxm,989.4"
expect 2 "--json or --csv, not both" "$MFU" hw --json --csv

# mfu models --csv: parameters as exact counts.
"$MFU" models --json > models.json
"$MFU" models --csv > models.csv
python3 - <<'PY' || fail "mfu models --csv: $(head -3 models.csv)"
import csv, json
rows = list(csv.DictReader(open("models.csv")))
j = json.load(open("models.json"))["presets"]
assert len(rows) == len(j) > 10
for r, m in zip(rows, j):
    assert int(r["params"]) == m["params_total"] and int(r["params_active"]) == m["params_active"], (r, m)
PY
expect_eq "llama-2-7b" "$(grep '^llama-2-7b,' models.csv | cut -d, -f3,4,12)" "32,4096,6738415616"
# mfu predict --csv: the figures and the breakdown of --json, FLOPs exact; --compare's tables.
P=(--preset llama-3-8b --batch 512 --seq 8192 --gpus 64 --step-time 9.8 --device h100-sxm)
"$MFU" predict "${P[@]}" --json > predict.json
"$MFU" predict "${P[@]}" --csv > predict.csv
"$MFU" predict "${P[@]}" --csv --compare > compare.csv
python3 - <<'PY' || fail "mfu predict --csv: $(cat predict.csv)"
import csv, json
def tables(path):
    out = {}
    for block in open(path).read().split("\n\n"):
        if block.strip():
            head, _, body = block.strip("\n").partition("\n")
            out[head[2:]] = list(csv.DictReader(body.splitlines()))
    return out
j, t, c = json.load(open("predict.json")), tables("predict.csv"), tables("compare.csv")
assert list(t) == ["summary", "breakdown"] and list(c) == ["conventions", "seed_walk"], (list(t), list(c))
s = t["summary"][0]
close = lambda a, b: abs(float(a) / b - 1) < 1e-14  # JSON has 15 digits of reals
assert int(s["flops_per_step"]) == 215885809578934272 and close(s["flops_per_step"], j["flops_per_step"]), s
assert abs(float(s["mfu_pct"]) - 100 * j["mfu"]) < 1e-9, s
for row in t["breakdown"]:
    want = j["breakdown"][row["part"]]
    for k in ("forward", "backward", "recompute"):
        assert int(row[k + "_flops"]) == want[k] if isinstance(want[k], int) else close(row[k + "_flops"], want[k]), (row, want)
assert abs(sum(int(r["total_flops"]) for r in t["breakdown"]) / j["hardware_flops_per_step"] - 1) < 1e-12
conv = {r["convention"]: r for r in c["conventions"]}
assert close(conv["exact"]["flops_per_step"], j["flops_per_step"]) and conv["exact"]["vs_exact_pct"] == "0"
walk = c["seed_walk"]
assert abs((int(walk[0]["flops"]) + sum(int(r["flops"]) for r in walk[1:])) / j["flops_per_step"] - 1) < 1e-12, walk
PY
expect 2 "--json or --csv, not both" "$MFU" predict "${P[@]}" --json --csv

# mfu calibrate --csv on the doubles: a row per precision run (untimed), as in --json (on a CUDA 13
# stack: it prefers libcudart.so.13, which this machine's toolkit has).
if [ "${MFU_CUDA_STACK:-13}" = 13 ]; then
LD_LIBRARY_PATH=$DOUBLES "$MFU" calibrate --size 256 --iters 2 --csv > calibrate.csv
python3 - <<'PY' || fail "mfu calibrate --csv: $(cat calibrate.csv)"
import csv
rows = list(csv.DictReader(open("calibrate.csv")))
assert [r["precision"] for r in rows] == ["bf16", "fp16", "tf32", "fp8"], rows
assert all(r["status"] == "untimed" and r["tflops"] == "" and "no GPU work" in r["reason"]
           for r in rows), rows
PY
fi
expect 2 "--json or --csv, not both" "$MFU" calibrate --json --csv
echo "ok: --csv"
