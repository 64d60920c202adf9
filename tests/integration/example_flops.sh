#!/usr/bin/env bash
# The example workload (examples/transformer_step.c) counts exactly the FLOPs of a Transformer
# training step: it runs on the test doubles for two model shapes, and its issued_gemm_flops must
# equal the count derived here by hand from the shape; nonsense options exit 2.
# Env: MFU_ROOT (repo root), DOUBLES (build/test-doubles), CUDA_LIB (the real CUDA libraries).
set -u
example=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Per step, with T = batch*seq tokens, d = hidden/heads and every GEMM costing 2*m*n*k:
#   a projection x (T x in) * W^T (in x out) costs 2*T*in*out forward, and the same again for
#     each of dx and dW backward: 6*T*in*out;
#   a layer projects hidden -> (heads + 2*kv_heads)*d (QKV), hidden -> hidden (attention
#     output), and hidden <-> ffn for each MLP matrix (3 gated, 2 plain);
#   the attention core is 2 forward GEMMs (Q*K^T, P*V) and 4 backward (dP, dV, dQ, dK), each
#     2*s*s*d per (sequence, head), so 6 * 2*batch*heads*s*s*d = 12*batch*s^2*hidden;
#   the LM head is a projection hidden -> vocab.
# GEMM calls per step: layers * (3 per projection + 6) + 3.
expected_flops() { # layers hidden heads kv_heads ffn vocab batch seq steps mlp_matrices
  local L=$1 h=$2 a=$3 g=$4 f=$5 V=$6 B=$7 s=$8 steps=$9 mlp=${10}
  local T=$((B * s)) d=$((h / a))
  local proj=$((6 * T * h * ((a + 2 * g) * d + h + mlp * f)))
  local core=$((12 * B * s * s * h))
  local head=$((6 * T * h * V))
  echo $((steps * (L * (proj + core) + head)))
}
expected_calls() { # layers steps mlp_matrices
  echo $(($2 * ($1 * (3 * (2 + $3) + 6) + 3)))
}

value() { # key, output: the value of the machine-readable line key=N
  sed -n "s/^$1=\([0-9]*\)$/\1/p" <<<"$2"
}

check_run() { # name, expected flops, expected calls, example options...
  local name=$1 flops=$2 calls=$3 before=$failures out rc
  shift 3
  out=$(LD_LIBRARY_PATH=$DOUBLES "$example" "$@" 2>&1)
  rc=$?
  [ $rc -eq 0 ] || fail "$name: exit $rc"
  [ "$(value issued_gemm_flops "$out")" = "$flops" ] ||
    fail "$name: issued_gemm_flops=$(value issued_gemm_flops "$out"), expected $flops"
  [ "$(value issued_gemm_calls "$out")" = "$calls" ] ||
    fail "$name: issued_gemm_calls=$(value issued_gemm_calls "$out"), expected $calls"
  [ "$(value failed_gemm_calls "$out")" = 0 ] || fail "$name: failed_gemm_calls is not 0"
  grep -q '^  device: mfushim test double (no GPU)$' <<<"$out" || fail "$name: device not named"
  [ $failures -eq $before ] || echo "$out"
}

# GQA, gated MLP, bf16: 3 layers, hidden 768, 12 heads of d = 64, 4 kv heads, ffn 2048,
# vocab 5000, batch 2 x seq 192 (T = 384), 2 steps.
#   projections per layer: 6*384*768*(20*64 + 768 + 3*2048) = 1769472*8192 = 14495514624
#   attention core per layer: 12*2*192^2*768                                =   679477248
#   LM head: 6*384*768*5000                                                  =  8847360000
#   per step: 3*(14495514624 + 679477248) + 8847360000 = 54372335616; 2 steps: 108744671232
#   calls: 2 * (3*(3*5 + 6) + 3) = 132
gqa=(--layers 3 --hidden 768 --heads 12 --kv-heads 4 --ffn 2048 --vocab 5000 --batch 2
  --seq 192 --steps 2 --dtype bf16 --mlp gated)
[ "$(expected_flops 3 768 12 4 2048 5000 2 192 2 3)" = 108744671232 ] || fail "formula (GQA)"
check_run "GQA gated bf16" "$(expected_flops 3 768 12 4 2048 5000 2 192 2 3)" \
  "$(expected_calls 3 2 3)" "${gqa[@]}"

# MHA, plain MLP, fp32 through cublasLt: 2 layers, hidden 320, 5 heads of d = 64, ffn 1280,
# vocab 3001, batch 3 x seq 100 (T = 300), 3 steps.
#   projections per layer: 6*300*320*(3*320 + 320 + 2*1280) = 576000*3840 = 2211840000
#   attention core per layer: 12*3*100^2*320                              =  115200000
#   LM head: 6*300*320*3001                                                = 1728576000
#   per step: 2*(2211840000 + 115200000) + 1728576000 = 6382656000; 3 steps: 19147968000
#   calls: 3 * (2*(3*4 + 6) + 3) = 117
mha=(--layers 2 --hidden 320 --heads 5 --ffn 1280 --vocab 3001 --batch 3 --seq 100 --steps 3
  --dtype fp32 --mlp plain --lt)
[ "$(expected_flops 2 320 5 5 1280 3001 3 100 3 2)" = 19147968000 ] || fail "formula (MHA)"
check_run "MHA plain fp32 --lt" "$(expected_flops 2 320 5 5 1280 3001 3 100 3 2)" \
  "$(expected_calls 2 3 2)" "${mha[@]}"

# GEMMs that fail are reported and not counted; the run goes on and exits 1.
out=$(MFU_DOUBLE_STATUS=13 LD_LIBRARY_PATH=$DOUBLES "$example" "${mha[@]}" 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "failing GEMMs: exit $rc, expected 1"
[ "$(value issued_gemm_flops "$out")" = 0 ] || fail "failing GEMMs: FLOPs counted"
[ "$(value failed_gemm_calls "$out")" = "$(expected_calls 2 3 2)" ] ||
  fail "failing GEMMs: failed_gemm_calls=$(value failed_gemm_calls "$out")"
grep -q 'cublasLtMatmul failed' <<<"$out" || fail "failing GEMMs: not reported"

# The same binary on the real libraries issues every GEMM. With a GPU each one succeeds, for
# the default model (2 layers, 512 hidden, 8 heads, ffn 1376, vocab 8192, 2 x 256 tokens,
# 3 steps: 3*(2*(6*512*512*(3*512 + 512 + 3*1376) + 12*2*256^2*512) + 6*512*512*8192)
# = 101770592256 FLOPs); without one (no device to name) each fails and the exit status is 1.
if [ -e "$CUDA_LIB/libcublas.so.${MFU_CUDA_STACK:-13}" ]; then
  out=$(LD_LIBRARY_PATH=$CUDA_LIB "$example" 2>&1)
  rc=$?
  ok=$(value issued_gemm_calls "$out") failed=$(value failed_gemm_calls "$out")
  [ $((ok + failed)) -eq 135 ] || fail "real libraries: $ok + $failed GEMMs issued, expected 135"
  if grep -q '^  device: unavailable$' <<<"$out"; then
    [ $rc -eq 1 ] || fail "real libraries, no GPU: exit $rc, expected 1"
  else
    [ $rc -eq 0 ] || fail "real libraries, GPU: exit $rc"
    [ "$(value issued_gemm_flops "$out")" = 101770592256 ] || fail "real libraries, GPU: FLOPs"
  fi
  [ $failures -eq 0 ] || echo "$out"
fi

# Nonsense options: a message and exit 2, before any GEMM.
while read -ra args; do
  out=$(LD_LIBRARY_PATH=$DOUBLES "$example" "${args[@]}" 2>&1)
  rc=$?
  [ $rc -eq 2 ] || fail "'${args[*]}': exit $rc, expected 2"
  grep -q '^transformer_step: ' <<<"$out" || fail "'${args[*]}': no message"
  ! grep -q issued_gemm <<<"$out" || fail "'${args[*]}': ran anyway"
done <<'EOF'
--layers 0
--hidden -512
--batch two
--seq 12x
--steps 99999999999
--heads 7
--kv-heads 3
--kv-heads 0
--dtype fp8
--mlp swiglu
--frobnicate
--layers
stray
--batch 65536 --seq 65536
EOF
out=$(LD_LIBRARY_PATH=$DOUBLES "$example" --help 2>&1) || fail "--help: exit $?"
grep -q -- '--kv-heads' <<<"$out" || fail "--help: no usage"

[ $failures -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "example_flops: all checks passed"
