#!/usr/bin/env bash
# make demo: the example Transformer training workload under the shim, then its report.
# On a machine without an NVIDIA GPU it runs on the test doubles, and says so.
set -eu
cd "$(dirname "$0")/.."
traces=build/demo-traces
rm -rf "$traces"
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  echo "== GPU found: $(nvidia-smi -L | head -n 1)"
  libs=${LD_LIBRARY_PATH:-}
else
  echo "== No NVIDIA GPU on this machine: the workload runs on mfushim's test doubles"
  echo "   (build/test-doubles: cuBLAS, cuBLASLt and CUDA runtime stand-ins that return success"
  echo "   and do no GPU work). FLOPs are exact; times are CPU times of the doubles, not GPU times."
  libs=$PWD/build/test-doubles
fi
model=(--layers 4 --hidden 1024 --heads 16 --kv-heads 4 --ffn 2816 --vocab 32000
       --batch 4 --seq 512 --steps 3 --dtype bf16)
echo "== build/mfu run --trace-dir $traces -- build/examples/transformer_step ${model[*]}"
LD_LIBRARY_PATH=$libs build/mfu run --trace-dir "$traces" -- build/examples/transformer_step "${model[@]}"
echo
echo "== build/mfu report $traces"
build/mfu report "$traces"
