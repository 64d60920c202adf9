# End to end on the doubles: the example workload with planted inefficiencies, traced with the
# GPU timeline (the CUPTI double's fake GPU), then `mfu report` with the same model. Each
# efficiency factor must come within 1% of what was planted, and MFU must equal
# F_model / (T * P) and the product of the factors.
#
# Planted per step (the example prints them; tests/doubles/fake_gpu.h has the durations):
#   G  = fake_gemm_ns           GEMM kernel time (FLOPs / 100 TFLOP/s + 2 us each)
#   M  = planted_memory_bound   saxpy kernels (memory-bound)
#   Cx = planted_comm_ns        all-reduce on the compute stream: fully exposed
#   I  = planted_idle_ns        the host sleeps between steps: the GPU idles
# so, with P = 100 TFLOP/s and F the counted (= model) FLOPs per step:
#   kernel        = (F / P) / G
#   memory        = G / (G + M)
#   communication = (G + M) / (G + M + Cx)
#   parallelism   = (G + M + Cx) / (G + M + Cx + I)   less the host's own gaps, which only add
#                   idle time (a loaded machine's, any number of %): so it is at most that (1%
#                   above), and the GPU's busy time per step, parallelism x the mean step time,
#                   is G + M + Cx within 1%, whatever the load
. "$MFU_ROOT/tests/lib.sh"
example=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
# Steps of ~0.1 s, so that the host's own jitter (a sleep that overshoots on a loaded machine)
# stays well under 1% of a step.
model=(--layers 4 --hidden 2048 --heads 16 --ffn 5632 --vocab 32000 --batch 4 --seq 1024)
traced "$example" "${model[@]}" --steps 8 --sync --idle-us 10000 --memory-bound-us 400 \
  --allreduce-mb 128 --comm-stream same > planted.txt
v() { sed -n "s/^$1=\([0-9]*\)$/\1/p" planted.txt; }
G=$(v fake_gemm_ns) M=$(v planted_memory_bound_ns) C=$(v planted_comm_ns) I=$(v planted_idle_ns)
F=$(( $(v issued_gemm_flops) / 8 ))
[ -n "$G" ] && [ -n "$M" ] && [ -n "$C" ] && [ -n "$I" ] || fail "the example printed no planted values"

"$MFU" report traces "${model[@]}" --attention full --peak-tflops 100 --json > report.json
"$MFU" report traces "${model[@]}" --attention full --peak-tflops 100 > report.txt
python3 - "$G" "$M" "$C" "$I" "$F" <<'PY' || fail "factors differ from what was planted"
import json, math, sys
G, M, C, I, F = map(float, sys.argv[1:])
r = json.load(open("report.json"))
e = r["efficiency"]
want = {
    "coverage": 1.0,  # the model is the workload's
    "kernel": (F / 1e14) / (G * 1e-9),
    "memory": G / (G + M),
    "communication": (G + M) / (G + M + C),
    "parallelism": (G + M + C) / (G + M + C + I),
}
bad = []
for k, w in want.items():
    got = e[k]
    print(f"{k:14s} planted {w:.5f}  measured {got:.5f}")
    below = 1 if k == "parallelism" else 0.01
    if got is None or not (w * (1 - below) <= got <= w * 1.01):
        bad.append(k)
assert r["steps"]["count"] == 7, r["steps"]  # 8 steps, the last one's end unknown
T, P = r["steps"]["mean_time_s"], 1e14
busy = e["parallelism"] * T * 1e9
print(f"GPU busy per step {busy:.0f} ns  planted {G + M + C:.0f} ns")
if not abs(busy - (G + M + C)) <= 0.01 * (G + M + C): bad.append("GPU busy time per step")
mfu = r["mfu"]
print(f"mfu {mfu:.5f}  F/(T*P) {F / (T * P):.5f}")
if abs(mfu - F / (T * P)) > 1e-9 * mfu: bad.append("mfu vs F/(T*P)")
prod = math.prod(e[k] for k in want)
if abs(prod - mfu) > 1e-9 * mfu: bad.append("mfu vs the product of the factors")
if bad: sys.exit("wrong: " + ", ".join(bad))
PY
grep -q "^from peak to MFU" report.txt || fail "no waterfall in the human report"

# Without the GPU timeline: steps are timed on the host, MFU is still there, and the factors
# are null with the reason.
rm -rf traces
MFU_CUPTI=off traced "$example" "${model[@]}" --steps 6 --sync > /dev/null
"$MFU" report traces "${model[@]}" --attention full --peak-tflops 100 --json > host.json
expect_eq "host-timed steps" "$(json host.json steps.count)" 5
expect_eq "host-timed: factors" "$(json host.json efficiency.kernel)" null
expect_eq "host-timed: why" "$(json host.json efficiency_unavailable.kernel)" "no GPU timeline"
[ "$(json host.json mfu)" != null ] || fail "no MFU from host timing"
# Without a model: no MFU, HFU from the counted FLOPs.
"$MFU" report traces --peak-tflops 100 --json > nomodel.json
expect_eq "no model: mfu" "$(json nomodel.json mfu)" null
[ "$(json nomodel.json hfu)" != null ] || fail "no HFU without a model"
echo "ok: every factor at the planted value (within 1%; parallelism's busy time); MFU = F/(T*P) = their product"
