# Where the GPU time went (mfu report: top GEMM shapes, kernels per category, NCCL by size),
# end to end on the doubles, whose fake GPU gives every kernel a known duration
# (tests/doubles/fake_gpu.h): a GEMM of F FLOPs lasts 2000 + F / 100000 ns, an all-reduce of S
# bytes 5000 + S / 100 ns. So each shape's GPU time, TFLOP/s and share, and each NCCL size's
# time, algbw and busbw are known exactly from the FLOPs and bytes alone.
. "$MFU_ROOT/tests/lib.sh"
example=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
traced "$example" --layers 2 --hidden 256 --heads 4 --ffn 512 --vocab 1000 --batch 2 --seq 64 \
  --steps 4 --allreduce-mb 8 --memory-bound-us 20 > /dev/null
"$MFU" report traces --json > report.json
python3 - <<'PY' || fail "the profile differs from the fake GPU's durations"
import json
r = json.load(open("report.json"))
shapes, t = r["gemm_shapes"], r["totals"]
assert sum(g["calls"] for g in shapes) == t["gemm_calls"], "calls"
assert sum(g["flops"] for g in shapes) == t["gemm_flops"], "FLOPs"
total_ns = 0
for g in shapes:
    per_call = g["flops"] // g["calls"]
    ns = g["calls"] * (2000 + per_call // 100000)
    total_ns += ns
    assert g["timed_calls"] == g["calls"], g
    assert abs(g["gpu_time_s"] * 1e9 - ns) < 1e-6, (g, ns)
    assert abs(g["achieved_flops_per_s"] - g["flops"] / (ns * 1e-9)) < 1e-6 * g["achieved_flops_per_s"], g
times = [g["gpu_time_s"] for g in shapes]
assert times == sorted(times, reverse=True), "not by GPU time"
for g in shapes:
    want = g["calls"] * (2000 + g["flops"] // g["calls"] // 100000) / total_ns
    assert abs(g["share"] - want) < 1e-12, g
[n] = r["nccl_by_size"]
assert (n["op"], n["bytes"], n["comm_size"], n["calls"]) == ("AllReduce", 8000000, 1, 4), n
assert abs(n["time_per_call_s"] - (5000 + 8000000 // 100) * 1e-9) < 1e-15, n
assert abs(n["algbw_bytes_per_s"] - 8e6 / 85e-6) < 1e-3, n
assert n["busbw_bytes_per_s"] == 0, n  # one rank: nothing crosses a bus
cats = {}
for k in r["kernels"]:
    cats[k["category"]] = cats.get(k["category"], 0) + k["gpu_time_s"]
assert abs(cats["gemm"] * 1e9 - total_ns) < 1e-3, cats
assert abs(cats["nccl"] * 1e9 - 4 * 85000) < 1e-3, cats
assert abs(cats["other"] * 1e9 - 4 * 2 * 20000) < 1e-3, cats  # one 20 us saxpy per layer
print("ok:", len(shapes), "shapes")
PY
"$MFU" report traces --full --top 2 > report.txt
grep -q '^top GEMM shapes by GPU time' report.txt || fail "no GEMM shapes table"
grep -q '^top kernels by GPU time, per category' report.txt || fail "no kernels table"
grep -qE '^  AllReduce +8\.000 +1 +4 +85\.0 +94\.12 +0\.00$' report.txt || fail "NCCL row: $(grep AllReduce report.txt)"
shapes=$(python3 -c 'import json; print(len(json.load(open("report.json"))["gemm_shapes"]))')
grep -q "^  \.\.\. $((shapes - 2)) more shapes" report.txt || fail "--top 2 shows more than 2 shapes"
expect 2 "mfu report: --top '-1': expected a whole number" "$MFU" report traces --top -1
# Host timing only: shapes by FLOPs, no GPU times.
rm -rf traces
MFU_CUPTI=off traced "$example" --layers 2 --hidden 256 --heads 4 --ffn 512 --vocab 1000 \
  --batch 2 --seq 64 --steps 3 > /dev/null
"$MFU" report traces --json > host.json
expect_eq "host: GPU time" "$(json host.json gemm_shapes.0.gpu_time_s)" null
expect_eq "host: achieved" "$(json host.json gemm_shapes.0.achieved_flops_per_s)" null
expect_eq "host: kernels" "$(json host.json kernels)" "[]"
"$MFU" report traces --full > host.txt
grep -q '^top GEMM shapes by FLOPs' host.txt || fail "host: no table by FLOPs"
grep -q 'no GPU timeline: GPU time and TFLOP/s unknown' host.txt || fail "host: no note"
echo "ok: GEMM shapes, kernels and NCCL sizes at the fake GPU's durations"
