/* presets: the built-in models (model.h, struct model_preset). */
#include <strings.h>

#include "model.h"

/* Values from the published config.json of each model (Hugging Face repo in `source`), or
 * from the paper for models without one. Fields left 0 are derived as for a config: KV
 * heads = heads, head dim = hidden/heads, expert size = ffn. */
#define DENSE_GATED .gated_mlp = true
#define GPT_STYLE .norm = NORM_LAYER, .bias = BIAS_ALL, .tied_embeddings = true
#define MLA(q, kv) .q_lora_rank = q, .kv_lora_rank = kv, .qk_nope_dim = 128, .qk_rope_dim = 64, \
                   .v_head_dim = 128
const struct model_preset model_presets[] = {
    /* Meta Llama */
    {"llama-2-7b", "meta-llama/Llama-2-7b-hf",
     {.layers = 32, .hidden = 4096, .heads = 32, .ffn = 11008, .vocab = 32000, DENSE_GATED}},
    {"llama-2-13b", "meta-llama/Llama-2-13b-hf",
     {.layers = 40, .hidden = 5120, .heads = 40, .ffn = 13824, .vocab = 32000, DENSE_GATED}},
    {"llama-2-70b", "meta-llama/Llama-2-70b-hf",
     {.layers = 80, .hidden = 8192, .heads = 64, .kv_heads = 8, .ffn = 28672, .vocab = 32000,
      DENSE_GATED}},
    {"llama-3-8b", "meta-llama/Meta-Llama-3-8B (same shape: Llama-3.1-8B)",
     {.layers = 32, .hidden = 4096, .heads = 32, .kv_heads = 8, .ffn = 14336, .vocab = 128256,
      DENSE_GATED}},
    {"llama-3-70b", "meta-llama/Meta-Llama-3-70B (same shape: Llama-3.1/3.3-70B)",
     {.layers = 80, .hidden = 8192, .heads = 64, .kv_heads = 8, .ffn = 28672, .vocab = 128256,
      DENSE_GATED}},
    {"llama-3.1-405b", "meta-llama/Llama-3.1-405B",
     {.layers = 126, .hidden = 16384, .heads = 128, .kv_heads = 8, .ffn = 53248,
      .vocab = 128256, DENSE_GATED}},
    {"llama-3.2-1b", "meta-llama/Llama-3.2-1B",
     {.layers = 16, .hidden = 2048, .heads = 32, .kv_heads = 8, .head_dim = 64, .ffn = 8192,
      .vocab = 128256, DENSE_GATED, .tied_embeddings = true}},
    {"llama-3.2-3b", "meta-llama/Llama-3.2-3B",
     {.layers = 28, .hidden = 3072, .heads = 24, .kv_heads = 8, .head_dim = 128, .ffn = 8192,
      .vocab = 128256, DENSE_GATED, .tied_embeddings = true}},
    /* Mistral */
    {"mistral-7b-v0.1", "mistralai/Mistral-7B-v0.1",
     {.layers = 32, .hidden = 4096, .heads = 32, .kv_heads = 8, .ffn = 14336, .vocab = 32000,
      DENSE_GATED, .window = 4096}},
    {"mixtral-8x7b", "mistralai/Mixtral-8x7B-v0.1",
     {.layers = 32, .hidden = 4096, .heads = 32, .kv_heads = 8, .ffn = 14336, .vocab = 32000,
      DENSE_GATED, .experts = 8, .top_k = 2}},
    {"mixtral-8x22b", "mistralai/Mixtral-8x22B-v0.1",
     {.layers = 56, .hidden = 6144, .heads = 48, .kv_heads = 8, .ffn = 16384, .vocab = 32768,
      DENSE_GATED, .experts = 8, .top_k = 2}},
    /* Qwen */
    {"qwen2.5-7b", "Qwen/Qwen2.5-7B",
     {.layers = 28, .hidden = 3584, .heads = 28, .kv_heads = 4, .ffn = 18944, .vocab = 152064,
      DENSE_GATED, .bias = BIAS_QKV}},
    {"qwen2.5-72b", "Qwen/Qwen2.5-72B",
     {.layers = 80, .hidden = 8192, .heads = 64, .kv_heads = 8, .ffn = 29568, .vocab = 152064,
      DENSE_GATED, .bias = BIAS_QKV}},
    {"qwen1.5-moe-a2.7b", "Qwen/Qwen1.5-MoE-A2.7B",
     {.layers = 24, .hidden = 2048, .heads = 16, .ffn = 5632, .vocab = 151936, DENSE_GATED,
      .bias = BIAS_QKV, .experts = 60, .top_k = 4, .moe_ffn = 1408, .shared_experts = 1,
      .shared_ffn = 5632, .shared_gate = true}},
    {"qwen3-8b", "Qwen/Qwen3-8B",
     {.layers = 36, .hidden = 4096, .heads = 32, .kv_heads = 8, .head_dim = 128, .ffn = 12288,
      .vocab = 151936, DENSE_GATED}},
    {"qwen3-32b", "Qwen/Qwen3-32B",
     {.layers = 64, .hidden = 5120, .heads = 64, .kv_heads = 8, .head_dim = 128, .ffn = 25600,
      .vocab = 151936, DENSE_GATED}},
    {"qwen3-30b-a3b", "Qwen/Qwen3-30B-A3B",
     {.layers = 48, .hidden = 2048, .heads = 32, .kv_heads = 4, .head_dim = 128, .ffn = 6144,
      .vocab = 151936, DENSE_GATED, .experts = 128, .top_k = 8, .moe_ffn = 768}},
    {"qwen3-235b-a22b", "Qwen/Qwen3-235B-A22B",
     {.layers = 94, .hidden = 4096, .heads = 64, .kv_heads = 4, .head_dim = 128, .ffn = 12288,
      .vocab = 151936, DENSE_GATED, .experts = 128, .top_k = 8, .moe_ffn = 1536}},
    /* The seed's "Qwen3-7B" as written (L=40, h=5120, V=151936; it is no Qwen3 model). The
     * seed gives no heads or MLP: 40 heads of 128 and its plain 4h MLP are assumed. */
    {"seed-qwen3-7b", "the seed tutorial's \"Qwen3-7B\" (L=40, h=5120), as written",
     {.layers = 40, .hidden = 5120, .heads = 40, .ffn = 20480, .vocab = 151936}},
    /* DeepSeek */
    {"deepseek-llm-7b", "deepseek-ai/deepseek-llm-7b-base",
     {.layers = 30, .hidden = 4096, .heads = 32, .ffn = 11008, .vocab = 102400, DENSE_GATED}},
    {"deepseek-v2-lite", "deepseek-ai/DeepSeek-V2-Lite",
     {.layers = 27, .hidden = 2048, .heads = 16, .ffn = 10944, .vocab = 102400, DENSE_GATED,
      .experts = 64, .top_k = 6, .moe_ffn = 1408, .shared_experts = 2, .dense_layers = 1,
      MLA(0, 512)}},
    {"deepseek-v2", "deepseek-ai/DeepSeek-V2",
     {.layers = 60, .hidden = 5120, .heads = 128, .ffn = 12288, .vocab = 102400, DENSE_GATED,
      .experts = 160, .top_k = 6, .moe_ffn = 1536, .shared_experts = 2, .dense_layers = 1,
      MLA(1536, 512)}},
    {"deepseek-v3", "deepseek-ai/DeepSeek-V3 (same shape: DeepSeek-R1); MTP module left out",
     {.layers = 61, .hidden = 7168, .heads = 128, .ffn = 18432, .vocab = 129280, DENSE_GATED,
      .experts = 256, .top_k = 8, .moe_ffn = 2048, .shared_experts = 1, .dense_layers = 3,
      MLA(1536, 512)}},
    /* Google */
    {"gemma-2b", "google/gemma-2b",
     {.layers = 18, .hidden = 2048, .heads = 8, .kv_heads = 1, .head_dim = 256, .ffn = 16384,
      .vocab = 256000, DENSE_GATED, .tied_embeddings = true}},
    {"gemma-7b", "google/gemma-7b",
     {.layers = 28, .hidden = 3072, .heads = 16, .head_dim = 256, .ffn = 24576, .vocab = 256000,
      DENSE_GATED, .tied_embeddings = true}},
    {"gemma-2-9b", "google/gemma-2-9b (sliding window on every other layer)",
     {.layers = 42, .hidden = 3584, .heads = 16, .kv_heads = 8, .head_dim = 256, .ffn = 14336,
      .vocab = 256000, DENSE_GATED, .tied_embeddings = true, .window = 4096,
      .window_layers = 21}},
    {"gemma-2-27b", "google/gemma-2-27b (sliding window on every other layer)",
     {.layers = 46, .hidden = 4608, .heads = 32, .kv_heads = 16, .head_dim = 128, .ffn = 36864,
      .vocab = 256000, DENSE_GATED, .tied_embeddings = true, .window = 4096,
      .window_layers = 23}},
    {"gemma-3-1b", "google/gemma-3-1b-pt (5 of every 6 layers windowed)",
     {.layers = 26, .hidden = 1152, .heads = 4, .kv_heads = 1, .head_dim = 256, .ffn = 6912,
      .vocab = 262144, DENSE_GATED, .tied_embeddings = true, .window = 512,
      .window_layers = 22}},
    {"gemma-3-27b", "google/gemma-3-27b-pt text_config (5 of every 6 layers windowed)",
     {.layers = 62, .hidden = 5376, .heads = 32, .kv_heads = 16, .head_dim = 128, .ffn = 21504,
      .vocab = 262208, DENSE_GATED, .tied_embeddings = true, .window = 1024,
      .window_layers = 52}},
    {"palm-540b", "Chowdhery et al. 2022, PaLM, Table 1 (multi-query, SwiGLU, shared embedding)",
     {.layers = 118, .hidden = 18432, .heads = 48, .kv_heads = 1, .head_dim = 256,
      .ffn = 73728, .vocab = 256000, DENSE_GATED, .tied_embeddings = true}},
    /* Microsoft */
    {"phi-3-mini", "microsoft/Phi-3-mini-4k-instruct",
     {.layers = 32, .hidden = 3072, .heads = 32, .ffn = 8192, .vocab = 32064, DENSE_GATED,
      .window = 2047}},
    /* AI2, EleutherAI */
    {"olmo-2-7b", "allenai/OLMo-2-1124-7B",
     {.layers = 32, .hidden = 4096, .heads = 32, .ffn = 11008, .vocab = 100352, DENSE_GATED}},
    {"olmoe-1b-7b", "allenai/OLMoE-1B-7B-0924",
     {.layers = 16, .hidden = 2048, .heads = 16, .ffn = 1024, .vocab = 50304, DENSE_GATED,
      .experts = 64, .top_k = 8}},
    {"pythia-6.9b", "EleutherAI/pythia-6.9b",
     {.layers = 32, .hidden = 4096, .heads = 32, .ffn = 16384, .vocab = 50432,
      .norm = NORM_LAYER, .bias = BIAS_ALL}},
    /* OpenAI */
    {"gpt2", "openai-community/gpt2 (124M)",
     {.layers = 12, .hidden = 768, .heads = 12, .ffn = 3072, .vocab = 50257, .positions = 1024,
      GPT_STYLE}},
    {"gpt2-xl", "openai-community/gpt2-xl (1.5B)",
     {.layers = 48, .hidden = 1600, .heads = 25, .ffn = 6400, .vocab = 50257, .positions = 1024,
      GPT_STYLE}},
    {"gpt3-175b", "Brown et al. 2020, GPT-3, Table 2.1 (Megatron pads the vocab to 51200)",
     {.layers = 96, .hidden = 12288, .heads = 96, .ffn = 49152, .vocab = 50257,
      .positions = 2048, GPT_STYLE}},
    {"gpt-oss-20b", "openai/gpt-oss-20b (sliding window on every other layer)",
     {.layers = 24, .hidden = 2880, .heads = 64, .kv_heads = 8, .head_dim = 64, .ffn = 2880,
      .vocab = 201088, DENSE_GATED, .bias = BIAS_ALL, .experts = 32, .top_k = 4, .window = 128,
      .window_layers = 12}},
    {"gpt-oss-120b", "openai/gpt-oss-120b (sliding window on every other layer)",
     {.layers = 36, .hidden = 2880, .heads = 64, .kv_heads = 8, .head_dim = 64, .ffn = 2880,
      .vocab = 201088, DENSE_GATED, .bias = BIAS_ALL, .experts = 128, .top_k = 4,
      .window = 128, .window_layers = 18}},
};
const size_t model_preset_count = sizeof model_presets / sizeof model_presets[0];
#undef DENSE_GATED
#undef GPT_STYLE
#undef MLA

const struct model_preset_alias model_preset_aliases[] = {
    {"llama-3.1-8b", "llama-3-8b"},  {"llama-3.1-70b", "llama-3-70b"},
    {"llama-3.3-70b", "llama-3-70b"}, {"deepseek-r1", "deepseek-v3"},
};
const size_t model_preset_alias_count = sizeof model_preset_aliases / sizeof model_preset_aliases[0];

const struct model_preset *model_preset_find(const char *name) {
  for (size_t i = 0; i < model_preset_alias_count; i++)
    if (!strcasecmp(name, model_preset_aliases[i].alias)) name = model_preset_aliases[i].preset;
  for (size_t i = 0; i < model_preset_count; i++)
    if (!strcasecmp(name, model_presets[i].name)) return &model_presets[i];
  return NULL;
}
