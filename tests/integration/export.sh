# mfu export --perfetto: the timeline of a 2-rank job of the example workload on the doubles is
# valid Chrome trace-event JSON as Perfetto reads it (tests/tools/perfetto_check.py:
# phases, pids and tids, time order and nesting per track, flows, names), and it says what the
# report says: the same steps with the same times and MFU, every call with its FLOPs, bytes and
# call site, every kernel, and a TFLOP/s counter whose integral over time is the FLOPs of the GEMMs that
# ran. --ranks and --steps select; .gz is gzip; bad selections are refused with the choices.
. "$MFU_ROOT/tests/lib.sh"
example=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
check=$MFU_ROOT/tests/tools/perfetto_check.py
model=(--layers 2 --hidden 256 --heads 4 --ffn 512 --vocab 1000 --batch 2 --seq 64)
for rank in 0 1; do
  RANK=$rank WORLD_SIZE=2 MFU_JOB_ID=two traced "$example" "${model[@]}" --steps 5 \
    --allreduce-mb 4 --comm-stream side --memory-bound-us $((10 + 20 * rank)) > /dev/null
done
opts=("${model[@]}" --attention full --peak-tflops 100)
"$MFU" report traces "${opts[@]}" --json > report.json
expect 0 'wrote [0-9]+ slices of 2 ranks to all.json' "$MFU" export traces --perfetto -o all.json "${opts[@]}"
python3 "$check" all.json > summary.json || fail "all.json is not a valid timeline: $(cat summary.json)"
expect_eq "processes" "$(json summary.json processes)" 2
python3 - <<'PY' || fail "the timeline differs from the report"
import json
r, t = json.load(open("report.json")), json.load(open("all.json"))
ev = t["traceEvents"]
names = {e["pid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "process_name"}
assert sorted(n.split(" (")[0] for n in names.values()) == ["rank 0", "rank 1"], names
for pid, name in names.items():
    rank = int(name.split()[1])
    pr = next(p for p in r["per_rank"] if p["rank"] == rank)
    mine = [e for e in ev if e.get("pid") == pid]
    steps = [e for e in mine if e["ph"] == "X" and e["cat"] == "step"]
    per_step = pr["steps"]["per_step"]
    assert len(steps) == len(per_step), (len(steps), len(per_step))
    for s, want in zip(steps, per_step):
        assert abs(s["dur"] - want["time_s"] * 1e6) < 1e-3, (s, want)
        got, exp = s["args"]["mfu"], want["mfu"]
        assert (got is None and exp is None) or abs(got - exp) < 1e-12 * exp, (s, want)
    calls = [e for e in mine if e["ph"] == "X" and e["cat"] in ("gemm", "nccl", "graph")
             and e["tid"] < 1 << 30]
    gemm_flops = sum(e["args"].get("flops", 0) for e in calls if e["cat"] == "gemm")
    assert gemm_flops == pr["gemm_flops"], (gemm_flops, pr["gemm_flops"])
    nccl_bytes = sum(e["args"]["bytes"] for e in calls if e["cat"] == "nccl" and e["args"]["status"] == 0)
    assert nccl_bytes == pr["nccl_bytes"], (nccl_bytes, pr["nccl_bytes"])
    kernels = [e for e in mine if e["ph"] == "X" and e["tid"] >= 1 << 30]
    gemm_kernels = [k for k in kernels if k["cat"] == "gemm"]
    assert len(gemm_kernels) == pr["gemm_calls"], (len(gemm_kernels), pr["gemm_calls"])
    assert all("launched_by" in k["args"] for k in gemm_kernels)
    # The TFLOP/s counter, integrated: each GEMM kernel's FLOPs over its time, summed.
    samples = [(e["ts"], e["args"]["TFLOP/s"]) for e in mine if e["ph"] == "C" and e["name"] == "GEMM TFLOP/s"]
    area = sum(v * 1e12 * (t1 - t0) * 1e-6 for (t0, v), (t1, _) in zip(samples, samples[1:]))
    assert abs(area - pr["gemm_flops"]) < 1e-6 * pr["gemm_flops"], (area, pr["gemm_flops"])
    assert samples[-1][1] == 0, samples[-1]
    bw = [(e["ts"], e["args"]["GB/s"]) for e in mine if e["ph"] == "C" and e["name"] == "NCCL GB/s"]
    moved = sum(v * 1e9 * (t1 - t0) * 1e-6 for (t0, v), (t1, _) in zip(bw, bw[1:]))
    assert abs(moved - pr["nccl_bytes"]) < 1e-6 * pr["nccl_bytes"], (moved, pr["nccl_bytes"])
# Every GEMM and collective names its call site as the report does, its calls where it says
# (communicators' set-up and queries are at no site of the report's).
at, where = {}, {}
for e in ev:
    if e["ph"] == "X" and e["tid"] < 1 << 30 and (e["cat"] == "gemm" or e["cat"] == "nccl"
                                                  and e["args"]["bytes"] > 0):
        i = e["args"]["callsite_index"]
        at[i] = at.get(i, 0) + 1
        where.setdefault(i, set()).add(e["args"]["callsite"])
want = {i: s["calls"] for i, s in enumerate(r["callsites"])}
assert at == want, (at, want)
assert where[0] == {"gemm < step < main"}, where
meta = t["otherData"]
assert meta["convention"] == "exact" and meta["peak"].startswith("100 TFLOP/s"), meta
assert abs(meta["mfu"] - r["mfu"]) < 1e-12, (meta["mfu"], r["mfu"])
print("ok: steps, calls, kernels and counters as the report says")
PY

# Selections: rank 1, steps 1-2, compressed.
expect 0 'wrote' "$MFU" export traces --ranks 1 --steps 1-2 -o part.json.gz "${opts[@]}"
[ "$(head -c 2 part.json.gz | od -An -tx1 | tr -d ' ')" = 1f8b ] || fail "part.json.gz is not gzip"
python3 "$check" part.json.gz > part.txt || fail "part.json.gz: $(cat part.txt)"
python3 - <<'PY' || fail "--ranks 1 --steps 1-2 selected something else"
import gzip, json
r = json.load(open("report.json"))
ev = json.load(gzip.open("part.json.gz", "rt"))["traceEvents"]
assert {e["pid"] for e in ev} == {1}, "one process"
name = next(e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "process_name")
assert name.startswith("rank 1 "), name
steps = [e["args"]["step"] for e in ev if e["ph"] == "X" and e["cat"] == "step"]
assert steps == [1, 2], steps
per_step = next(p for p in r["per_rank"] if p["rank"] == 1)["steps"]["per_step"]
calls = [e for e in ev if e["ph"] == "X" and e["cat"] in ("gemm", "nccl") and e["tid"] < 1 << 30]
assert len(calls) == per_step[1]["calls"] + per_step[2]["calls"], (len(calls), per_step[1:3])
print("ok: one rank, two steps")
PY
"$MFU" export traces --ranks 1 --steps 1-2 -o - "${opts[@]}" > part.json
[ "$(gzip -dc part.json.gz | md5sum)" = "$(md5sum < part.json)" ] || fail "-o - and .gz differ"

# The checker itself fails on what Perfetto would reject.
python3 - "$check" <<'PY' || fail "perfetto_check.py accepts broken traces"
import json, subprocess, sys
good = json.load(open("part.json"))
def broken(edit):
    doc = json.loads(json.dumps(good))
    edit(doc["traceEvents"])
    json.dump(doc, open("broken.json", "w"))
    return subprocess.run([sys.executable, sys.argv[1], "broken.json"], capture_output=True).returncode == 1
xs = lambda ev: [e for e in ev if e["ph"] == "X" and e["tid"] > 1 and e["tid"] < 1 << 30]
def overlap(ev):
    a, b = xs(ev)[:2]
    a["dur"] = b["ts"] - a["ts"] + b["dur"] / 2 + 1 if b["dur"] else b["ts"] - a["ts"] + 1
    b["dur"] = max(b["dur"], 2)
assert broken(overlap), "partial overlap"
assert broken(lambda ev: ev.append({"ph": "B", "pid": 1, "tid": 1, "name": "x", "ts": 1})), "phase"
assert broken(lambda ev: ev.remove(next(e for e in ev if e["ph"] == "f"))), "half a flow"
assert broken(lambda ev: ev.remove(next(e for e in ev if e["name"] == "thread_name"))), "unnamed"
assert broken(lambda ev: ev.reverse()), "time order"
print("ok: the checker catches broken timelines")
PY

# Refused, with the choices.
expect 2 "no such rank in job 'two', whose ranks are: 0 1" "$MFU" export traces --ranks 7
expect 2 "steps 40-40: the ranks chosen have 5 steps \(0 to 4\)" "$MFU" export traces --steps 40
expect 2 "--ranks 'one': expected rank numbers" "$MFU" export traces --ranks one
expect 2 "--steps '3-1': expected a step number" "$MFU" export traces --steps 3-1
expect 1 "cannot write 'nodir/x.json'" "$MFU" export traces -o nodir/x.json
expect 0 "Examples:" "$MFU" export --help
echo "ok: mfu export"
