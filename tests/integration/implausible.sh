#!/usr/bin/env bash
# Figures that cannot be right are never printed without a word: `mfu report` on a run of the
# example (test doubles: a simulated GPU whose GEMMs run at 100 TFLOP/s, the peak of its row in
# the accelerator table) warns, in the text and
# in --json, when MFU or HFU exceed 100% or the coverage leaves [0.5, 2] — another model than
# the one traced, a peak of another precision, a convention that overcounts — and says what
# to pass. The traced model itself gets no such warning.
set -euo pipefail
: "${MFU:?}" "${MFU_ROOT:?}" "${TEST_TMP:?}" "${DOUBLES:?}"
. "$MFU_ROOT/tests/lib.sh"
cd "$TEST_TMP"

model=(--layers 4 --hidden 1024 --heads 16 --kv-heads 4 --ffn 2816 --vocab 32000)
work=(--batch 4 --seq 512)
traced "$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step" "${model[@]}" "${work[@]}" --steps 6 \
  --dtype bf16 >run.txt 2>&1 || { cat run.txt; fail "the example failed"; }

# The model that ran, at the simulated peak, which the table has for the doubles' device (no
# --peak-tflops): plausible, MFU below 100% and equal to HFU (no recomputation).
expect 0 "^  peak       100 TFLOP/s bf16 \(test-double: simulated, no GPU\) per device$" \
  "$MFU" report traces "${model[@]}" "${work[@]}" --attention full
grep -qE "^  MFU +[1-9][0-9]\.[0-9]{2}% +HFU +[1-9][0-9]\.[0-9]{2}%$" out.txt || { cat out.txt; fail "no MFU at the simulated peak"; }
! grep -q "cannot be right\|no peak" out.txt || { cat out.txt; fail "a plausible report warned"; }

# Another model: the formula's FLOPs and the counted ones side by side, and what to pass.
expect 0 "^  - MFU [0-9.]+% and coverage [0-9.]+ cannot be right; the formula \(llama-3-8b, exact \
convention, global batch 2 x seq 256 over 1 rank\) gives 23\.158 TFLOP per step per rank, the shim \
counted 1\.008 \([0-9.]+x\): the model or --batch/--seq probably do not match the traced run: pass \
the model it trained" \
  "$MFU" report traces --preset llama-3-8b --batch 2 --seq 256 --device h100
"$MFU" report traces --preset llama-3-8b --batch 2 --seq 256 --device h100 --json >report.json
python3 - <<'EOF' || fail "--json: no warning of the impossible MFU"
import json
j = json.load(open("report.json"))
assert j["mfu"] > 1, j["mfu"]
assert any("cannot be right" in w and "23.158 TFLOP per step per rank" in w for w in j["warnings"]), j["warnings"]
assert j["work"] == {"batch": 2, "batch_scope": "global", "batch_per_rank": 2.0, "seq": 256, "ranks": 1}, j["work"]
EOF

# The peak of another precision than the GEMMs ran in.
expect 0 "^  - MFU 1[0-9][0-9]\.[0-9]+% cannot be right; the peak is fp32's \(67 TFLOP/s fp32 \
\(h100-sxm\)\) but most counted FLOPs are bf16: leave --dtype out, or pass --dtype bf16" \
  "$MFU" report traces "${model[@]}" "${work[@]}" --attention full --device h100 --dtype fp32

# A convention that counts more than the matmuls that ran.
expect 0 "^  - MFU 1[0-9][0-9]\.[0-9]+% cannot be right; .* the 6n convention counts 6 FLOPs per \
parameter and token, the embedding table included, more than the matmuls that ran; --convention \
exact counts those" \
  "$MFU" report traces "${model[@]}" "${work[@]}" --attention full --peak-tflops 100 --convention 6n

# A peak below what ran, with no model to blame: HFU from the counted FLOPs.
expect 0 "^  - HFU [0-9.]+% cannot be right; the peak \(50 TFLOP/s bf16 \(--peak-tflops\) per \
device\) is below what the GEMMs ran at" "$MFU" report traces --peak-tflops 50
echo "all implausible-figure checks passed"
