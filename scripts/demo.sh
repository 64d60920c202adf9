#!/usr/bin/env bash
# make demo: the example Transformer training workload under the shim, its report, and the
# FLOPs the shim counted beside the FLOPs the formulas predict for the same model.
# On a machine without an NVIDIA GPU it runs on the test doubles, and says so. The traces go
# to build/demo-traces (DEMO_TRACES=DIR: there instead). README.md's copy of what it prints is
# checked by tests/integration/demo.sh.
set -eu
cd "$(dirname "$0")/.."
traces=${DEMO_TRACES:-build/demo-traces}
rm -rf "$traces"
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  echo "== GPU found: $(nvidia-smi -L | head -n 1)"
  libs=${LD_LIBRARY_PATH:-}
else
  echo "== No NVIDIA GPU on this machine: the workload runs on mfushim's test doubles"
  echo "   (build/test-doubles: stand-ins for cuBLAS, cuBLASLt, NCCL, the CUDA runtime and CUPTI"
  echo "   that do no GPU work). FLOPs are exact; GPU times come from the doubles' simulated GPU,"
  echo "   whose peak (100 TFLOP/s, the test-double row of \`mfu hw\`) MFU is measured against:"
  echo "   MFU and the factors below are the simulation's, not a GPU's."
  libs=$PWD/build/test-doubles
fi
steps=6
model=(--layers 4 --hidden 1024 --heads 16 --kv-heads 4 --ffn 2816 --vocab 32000)
work=(--batch 4 --seq 512)
# Planted, so that every factor has something to show: 2 ms of host idle between steps,
# memory-bound kernels, and an all-reduce on the compute stream (not overlapped).
planted=(--idle-us 2000 --memory-bound-us 100 --allreduce-mb 32 --comm-stream same)
# The example issues every GEMM of a training step with the full s x s attention matrix, so
# the formula to measure it with is `exact --attention full`. The peak is the device's, from
# the table (the doubles' device is in it).
echo
echo "== mfu run --trace-dir $traces ${model[*]} ${work[*]} --attention full -- transformer_step ${model[*]} ${work[*]} --steps $steps ${planted[*]}"
LD_LIBRARY_PATH=$libs build/mfu run --trace-dir "$traces" "${model[@]}" "${work[@]}" --attention full -- \
  build/examples/transformer_step "${model[@]}" "${work[@]}" --steps $steps --dtype bf16 "${planted[@]}" 2>&1

counted=$(build/mfu report "$traces" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"]["gemm_flops"])')
predicted=$(build/mfu predict "${model[@]}" "${work[@]}" --attention full --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["flops_per_step"])')
echo
echo "== counted vs predicted, per training step"
python3 - "$counted" "$steps" "$predicted" <<'PY'
import sys
counted, steps, predicted = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
per_step = counted / steps
print(f"   counted by the shim   {per_step:18,.0f} FLOPs  ({counted:,} over {steps} steps)")
print(f"   predicted (exact)     {predicted:18,.0f} FLOPs  (mfu predict ... --attention full)")
print(f"   difference            {100 * (per_step - predicted) / predicted:+.4f}%")
PY
