#!/usr/bin/env bash
# Sampling call sites affects only which calls are unwound, never what is counted: the example
# workload under the shim with MFU_STACKS=1 (every call unwound), 7, the default and off counts
# the same calls and exactly the FLOPs of its shape (2 layers, hidden 256, 4 heads, gated MLP
# 512, vocabulary 1000, batch 2, sequence 64, 4 steps: 180 GEMMs, 5,014,290,432 FLOPs, as
# example_flops.sh derives them), and the call sites hold every call but when stacks are off.
source "$MFU_ROOT/tests/lib.sh"
for stacks in 1 7 default off; do
  rm -rf traces
  ( [ $stacks = default ] || export MFU_STACKS=$stacks
    traced "$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step" --layers 2 --hidden 256 --heads 4 \
      --ffn 512 --vocab 1000 --batch 2 --seq 64 --steps 4 >run.txt 2>&1 ) \
    || { cat run.txt; fail "MFU_STACKS=$stacks: the example failed"; }
  "$MFU" report traces --json >report.json || fail "MFU_STACKS=$stacks: mfu report --json failed"
  expect_eq "MFU_STACKS=$stacks: GEMMs" "$(json report.json totals.gemm_calls)" 180
  expect_eq "MFU_STACKS=$stacks: FLOPs" "$(json report.json totals.gemm_flops)" 5014290432
  at_sites=$(python3 -c 'import json; print(sum(s["calls"] for s in json.load(open("report.json"))["callsites"]))')
  if [ $stacks = off ]; then
    expect_eq "MFU_STACKS=off: calls at sites" "$at_sites" 0
    expect_eq "MFU_STACKS=off: sampling" "$(json report.json stacks.sample_every)" 0
  else
    expect_eq "MFU_STACKS=$stacks: calls at sites" "$at_sites" 180
    expect_eq "MFU_STACKS=$stacks: sampling" "$(json report.json stacks.sample_every)" \
      "$([ $stacks = default ] && echo 1000 || echo $stacks)"
  fi
done
echo "ok: the same 180 GEMMs and FLOPs with every call unwound, one in 7, one in 1000, none"
