#!/usr/bin/env bash
# CLI tests of `mfu predict`, `mfu models` and `mfu hw`: exit statuses and messages for
# nonsense flags (exit 2, naming the value), the published numbers end to end, the JSON keys,
# `--compare`, and the preset and accelerator listings.
set -euo pipefail
: "${MFU:?path of build/mfu}" "${MFU_ROOT:?repository root}"
cd "${TEST_TMP:-$(mktemp -d)}"
configs=$MFU_ROOT/tests/fixtures/configs

. "$MFU_ROOT/tests/lib.sh"

# json CMD... -- PYTHON: runs CMD (exit 0), parses its stdout as JSON into `j` and asserts
# the Python expression.
json() {
  local args=() got=0
  while [ "$1" != "--" ]; do args+=("$1"); shift; done
  shift
  "${args[@]}" >out.json 2>err.txt || got=$?
  [ "$got" = 0 ] || { cat err.txt; fail "'${args[*]}' exited $got"; }
  python3 - "$1" <<'EOF' || { head -c 3000 out.json; fail "'${args[*]}': $1"; }
import json, sys
j = json.load(open("out.json"))
assert eval("(" + sys.argv[1] + ")"), sys.argv[1]
EOF
}

# --- nonsense flags: exit 2 and a message that names the value and what to do
P=(--preset llama-3-8b)
expect 2 "--layers '-3': expected a whole number from 1" "$MFU" predict "${P[@]}" --layers -3
expect 2 "--layers '0': expected a whole number from 1" "$MFU" predict "${P[@]}" --layers 0
expect 2 "--hidden 'abc'" "$MFU" predict "${P[@]}" --hidden abc
expect 2 "heads 7 does not divide hidden 4096: give the head size with --head-dim" \
  "$MFU" predict "${P[@]}" --heads 7
expect 2 "kv-heads 5 does not divide heads 32" "$MFU" predict "${P[@]}" --kv-heads 5
expect 2 "top-k 9 with 8 experts" "$MFU" predict --preset mixtral-8x7b --top-k 9
expect 2 "top-k 3 with 2 experts" "$MFU" predict "${P[@]}" --experts 2 --top-k 3
expect 2 "--top-k 2 applies to a mixture of experts.*add --experts" "$MFU" predict "${P[@]}" --top-k 2
expect 2 "--mlp 'swiglu': expected 'gated'" "$MFU" predict "${P[@]}" --mlp swiglu
expect 2 "--batch '0': expected a whole number from 1" "$MFU" predict "${P[@]}" --batch 0
expect 2 "--seq '-8'" "$MFU" predict "${P[@]}" --seq -8
expect 2 "--gpus '0'" "$MFU" predict "${P[@]}" --gpus 0
expect 2 "--convention 'kaplan': expected one of exact, megatron, palm, 6n, seed" \
  "$MFU" predict "${P[@]}" --convention kaplan
expect 2 "--attention 'half': expected one of causal, full" "$MFU" predict "${P[@]}" --attention half
expect 2 "--recompute 'some'" "$MFU" predict "${P[@]}" --recompute some
expect 2 "--dtype 'fp12'" "$MFU" predict "${P[@]}" --dtype fp12
expect 2 "--step-time '0': expected a positive number" "$MFU" predict "${P[@]}" --step-time 0
expect 2 "--tokens-per-sec 'fast'" "$MFU" predict "${P[@]}" --tokens-per-sec fast
expect 2 "--peak-tflops '-1'" "$MFU" predict "${P[@]}" --peak-tflops -1
expect 2 "give one time" "$MFU" predict "${P[@]}" --step-time 1 --tokens-per-sec 5
expect 2 "unknown device 'NVIDIA RTX A5000' \(close: rtx-a6000, .*--peak-tflops" \
  "$MFU" predict "${P[@]}" --device "NVIDIA RTX A5000" --step-time 1
expect 0 "peak        70 TFLOP/s bf16 per device \(a10g, NVIDIA A10G \(AWS\)\)" \
  "$MFU" predict "${P[@]}" --device "NVIDIA A10G" --step-time 1
expect 2 "v100-sxm2-32gb has no bf16 arithmetic; pick another --dtype or pass --peak-tflops" \
  "$MFU" predict "${P[@]}" --device v100 --step-time 1
expect 2 "unknown option '--frobnicate'" "$MFU" predict "${P[@]}" --frobnicate
expect 2 "--seq needs a value" "$MFU" predict "${P[@]}" --seq
expect 2 "unexpected argument 'llama'" "$MFU" predict llama
expect 2 "unknown preset 'llama-3-9b' \(did you mean llama-3" "$MFU" predict --preset llama-3-9b
expect 2 "unknown preset 'llama3-8b' \(did you mean llama-3-8b\?\)" "$MFU" predict --preset llama3-8b
expect 2 "unknown preset 'deepseekv3' \(did you mean deepseek-v3\?\)" "$MFU" predict --preset deepseekv3
expect 2 "unknown preset 'gpt-2' \(did you mean gpt2\?\)" "$MFU" predict --preset gpt-2
expect 0 "model       llama-3-8b \(preset" "$MFU" predict --preset llama-3.1-8b
expect 2 "no model given: pass --preset NAME" "$MFU" predict
expect 2 "give one" "$MFU" predict "${P[@]}" --config "$configs/llama.json"
expect 2 "cannot read nope.json" "$MFU" predict --config nope.json
expect 2 "bad_syntax.json:3:.*not valid JSON" "$MFU" predict --config "$configs/bad_syntax.json"
expect 2 "no \"hidden_size\" or \"n_embd\" or \"d_model\".*pass --hidden" \
  "$MFU" predict --config "$configs/bad_missing_hidden.json"
expect 2 "\"num_hidden_layers\" is -36" "$MFU" predict --config "$configs/bad_negative_layers.json"
expect 2 "top-k 9 with 8 experts" "$MFU" predict --config "$configs/bad_top_k.json"
expect 0 "warning: .*model_type \"my_transformer\"" "$MFU" predict --config "$configs/unknown_type.json"
expect 0 "^usage: mfu predict" "$MFU" predict --help

# --- every model type parses from its config
for f in "$configs"/[a-z]*.json; do
  case $(basename "$f") in bad_* | unknown_*) continue ;; esac
  expect 0 "^params " "$MFU" predict --config "$f"
done

# --- published numbers, end to end
S=(--batch 4 --seq 512 --convention seed)
expect 0 "FLOPs/step  80.144 TFLOP" "$MFU" predict --preset deepseek-llm-7b "${S[@]}"
expect 0 "FLOPs/step  165.466 TFLOP" "$MFU" predict --preset seed-qwen3-7b "${S[@]}"
expect 0 "FLOPs/step  84.271 TFLOP" "$MFU" predict --preset deepseek-llm-7b --experts 8 --top-k 2 "${S[@]}"
expect 0 "FLOPs/step  174.063 TFLOP" "$MFU" predict --preset seed-qwen3-7b --experts 8 --top-k 2 "${S[@]}"
# ... and from the seed's own inputs alone: layers, hidden, vocab (experts and top-k for MoE)
D=(--layers 30 --hidden 4096 --vocab 102400)
expect 0 "FLOPs/step  80.144 TFLOP" "$MFU" predict "${D[@]}" "${S[@]}"
expect 0 "FLOPs/step  84.271 TFLOP" "$MFU" predict "${D[@]}" --experts 8 --top-k 2 "${S[@]}"
expect 0 "FLOPs/step  174.063 TFLOP" "$MFU" predict --layers 40 --hidden 5120 --vocab 151936 \
  --experts 8 --top-k 2 "${S[@]}"
expect 2 "--heads is missing" "$MFU" predict "${D[@]}" --batch 4 --seq 512
# --config DIR reads DIR/config.json; a multimodal config's text model is its text_config
expect 0 "^model       llama \(config $configs/model_dir\)" "$MFU" predict --config "$configs/model_dir"
expect 2 "cannot read $configs/config.json" "$MFU" predict --config "$configs"
expect 0 "^params      27.01B total" "$MFU" predict --config "$configs/gemma3.json"
expect 0 "MFU         51.37%" "$MFU" predict --preset deepseek-llm-7b "${S[@]}" --step-time 0.5 --device a100
expect 0 "MFU         90.03%" "$MFU" predict --preset deepseek-llm-7b --experts 8 --top-k 2 "${S[@]}" \
  --step-time 0.3 --peak-tflops 312
K=(--preset gpt3-175b --vocab 51200 --convention megatron --attention full --batch 64 --seq 2048
   --gpus 64 --step-time 13.75 --device "NVIDIA A100-SXM4-80GB" --recompute selective)
expect 0 "MFU         51.39%    HFU 52.77%" "$MFU" predict "${K[@]}"
expect 0 "MFU         46.23%" "$MFU" predict --preset palm-540b --convention palm --gpus 6144 \
  --tokens-per-sec 238300 --device "TPU v4"
expect 0 "MFU         45.73%" "$MFU" predict --preset palm-540b --convention 6n --gpus 6144 \
  --tokens-per-sec-per-gpu 38.785807 --device tpu-v4

# --- JSON
json "$MFU" predict --preset mixtral-8x7b --batch 2 --seq 4096 --gpus 8 --step-time 0.5 \
  --device h100-sxm --json -- \
  'all(k in j for k in ["flops_per_step", "flops_per_token", "params_total", "params_active",
                         "mfu", "hfu", "convention", "breakdown"])
   and j["convention"] == "exact" and j["params_total"] == 46702792704
   and j["params_active"] == 12879925248 and isinstance(j["flops_per_step"], int)
   and set(j["breakdown"]) >= {"qkv", "scores", "attn_v", "out_proj", "mlp", "router", "experts",
                               "shared_experts", "lm_head"}
   and all(set(v) == {"forward", "backward", "recompute"} for v in j["breakdown"].values())
   and abs(sum(v["forward"] + v["backward"] for v in j["breakdown"].values())
           - j["flops_per_step"]) < 1e-9 * j["flops_per_step"]
   and abs(j["mfu"] - j["flops_per_step"] / 0.5 / 8 / 989.4e12) < 1e-12
   and j["peak"]["device"] == "h100-sxm" and j["work"]["tokens_per_step"] == 8192'
json "$MFU" predict --preset llama-3-8b --json -- 'j["mfu"] is None and j["hfu"] is None and j["peak"] is None'
json "$MFU" predict --preset llama-3-8b --recompute full --step-time 1 --peak-tflops 100 --json -- \
  'j["hfu"] > j["mfu"] and j["breakdown"]["lm_head"]["recompute"] == 0 and j["peak"]["from"] == "--peak-tflops"'

# --- --compare
expect 0 "^  .*1\. the attention core counts QK\^T only" "$MFU" predict --preset llama-3-8b --compare
for c in exact megatron palm 6n seed; do grep -qE "^$c " out.txt || fail "--compare lacks $c"; done
grep -q "= exact (causal attention)" out.txt || fail "--compare lacks the walk's end"
expect 0 "2\. the dense MLP inside 72" "$MFU" predict --preset mixtral-8x7b --compare
grep -q "5. the seed's MoE formula gives" out.txt || fail "--compare lacks error 5 for an MoE"
expect 0 "6\. the seed's \"Qwen3-7B\"" "$MFU" predict --preset seed-qwen3-7b --compare
json "$MFU" predict --preset deepseek-v3 --seq 4096 --compare --json -- \
  '[c["convention"] for c in j["conventions"]] == ["exact", "megatron", "palm", "6n", "seed"]
   and abs(j["conventions"][4]["flops_per_step"] + sum(s["flops"] for s in j["seed_walk"])
           - j["conventions"][0]["flops_per_step"]) < 1e-6 * j["conventions"][0]["flops_per_step"]'

# --- mfu models
expect 0 "^llama-3-8b +dense +32 +4096 +32 +8 +- +8.03B +8.03B" "$MFU" models
for p in deepseek-llm-7b qwen3-8b seed-qwen3-7b llama-3-70b llama-3.1-405b mixtral-8x7b \
         qwen3-30b-a3b qwen3-235b-a22b deepseek-v3 gpt3-175b; do
  grep -qE "^$p " out.txt || fail "mfu models lacks $p"
done
json "$MFU" models --json -- 'len(j["presets"]) >= 11 and
  [p for p in j["presets"] if p["name"] == "deepseek-v3"][0]["params_total"] == 671026279424'
expect 2 "unexpected argument 'x'" "$MFU" models x

# --- mfu hw
expect 0 "^h100-sxm +H100 SXM5 80GB +67 +67 +494.7 +989.4" "$MFU" hw
expect 0 "dense peak, TFLOP/s: .*bf16 989.4" "$MFU" hw "NVIDIA H100 80GB HBM3"
json "$MFU" hw --json "NVIDIA H200" -- 'j["id"] == "h200-sxm" and j["peak_tflops"]["bf16"] == 989.4'
json "$MFU" hw --json -- 'len(j["accelerators"]) > 50'
expect 2 "unknown device 'MI350X' \(close: .*mi355x.*--peak-tflops" "$MFU" hw MI350X
expect 2 "one NAME at a time" "$MFU" hw H100 SXM

echo "predict.sh: all passed"
