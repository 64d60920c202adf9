/* Model descriptions: parameter counts, command-line overrides, built-in presets and
 * Hugging Face config.json files. */
#include "model.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errmsg.h"

/* No real model has a dimension near this; it keeps every product in range. */
#define DIM_MAX INT64_C(2147483647)
/* ...and the products themselves: a quadrillion parameters is far beyond any model. */
#define PARAMS_MAX 1e15

const char *model_part_name(enum model_part p) {
  static const char *const names[] = {
#define MODEL_PART_NAME(e, key) key,
      MODEL_PARTS(MODEL_PART_NAME)
#undef MODEL_PART_NAME
  };
  return p < PART_COUNT ? names[p] : "invalid";
}

/* ------------------------------------------------------------------ parameters */

void model_params(const struct model *m, struct model_params *p) {
  memset(p, 0, sizeof *p);
  const uint64_t L = (uint64_t)m->layers, h = (uint64_t)m->hidden;
  const uint64_t moe = (uint64_t)model_moe_layers(m), dense = L - moe;
  const uint64_t mats = m->gated_mlp ? 3 : 2, a = (uint64_t)m->heads;
  const bool all_bias = m->bias == BIAS_ALL;

  /* Attention matmuls and biases, per layer. */
  uint64_t qkv_w, qkv_b = 0, out_w;
  if (model_is_mla(m)) {
    const uint64_t ql = (uint64_t)m->q_lora_rank, kvl = (uint64_t)m->kv_lora_rank;
    const uint64_t dqk = (uint64_t)(m->qk_nope_dim + m->qk_rope_dim);
    qkv_w = (ql ? h * ql + ql * a * dqk : h * a * dqk) + h * (kvl + (uint64_t)m->qk_rope_dim) +
            kvl * a * (uint64_t)(m->qk_nope_dim + m->v_head_dim);
    out_w = a * (uint64_t)m->v_head_dim * h;
  } else {
    const uint64_t q = a * (uint64_t)m->head_dim, kv = (uint64_t)(m->kv_heads * m->head_dim);
    qkv_w = h * (q + 2 * kv);
    if (m->bias != BIAS_NONE) qkv_b = q + 2 * kv;
    out_w = q * h;
  }
  /* An MLP of intermediate size f: its matmul weights, and its biases if it has any. */
#define MLP_W(f) (mats * h * (uint64_t)(f))
#define MLP_B(f) (all_bias ? (mats - 1) * (uint64_t)(f) + h : 0)
  const uint64_t E = (uint64_t)m->experts, k = (uint64_t)m->top_k;
  const uint64_t router_w = h * E + (m->shared_gate ? h : 0), router_b = all_bias ? E : 0;
  const uint64_t V = (uint64_t)m->vocab;

  uint64_t *part = p->part, *mm = p->matmul;
  part[PART_EMBEDDING] = (m->tied_embeddings ? 0 : V * h) + (uint64_t)m->positions * h;
  part[PART_QKV] = L * (qkv_w + qkv_b);
  part[PART_OUT_PROJ] = L * (out_w + (all_bias ? h : 0));
  part[PART_MLP] = dense * (MLP_W(m->ffn) + MLP_B(m->ffn));
  part[PART_ROUTER] = moe * (router_w + router_b);
  part[PART_EXPERTS] = moe * E * (MLP_W(m->moe_ffn) + MLP_B(m->moe_ffn));
  part[PART_SHARED_EXPERTS] = m->shared_ffn ? moe * (MLP_W(m->shared_ffn) + MLP_B(m->shared_ffn)) : 0;
  part[PART_LM_HEAD] = V * h;
  /* Two norms per layer and a final one; extra norms (QK-norm, Gemma's post-norms, MLA's
   * latent norms) are left out: they are under 0.01% of any model. */
  part[PART_NORMS] = (2 * L + 1) * h * (m->norm == NORM_LAYER ? 2 : 1);

  memcpy(p->active, part, sizeof p->active);
  p->active[PART_EXPERTS] = moe * k * (MLP_W(m->moe_ffn) + MLP_B(m->moe_ffn));

  mm[PART_QKV] = L * qkv_w;
  mm[PART_OUT_PROJ] = L * out_w;
  mm[PART_MLP] = dense * MLP_W(m->ffn);
  mm[PART_ROUTER] = moe * router_w;
  mm[PART_EXPERTS] = moe * k * MLP_W(m->moe_ffn);
  mm[PART_SHARED_EXPERTS] = moe * MLP_W(m->shared_ffn);
  mm[PART_LM_HEAD] = V * h;
#undef MLP_W
#undef MLP_B

  for (int i = 0; i < PART_COUNT; i++) {
    p->total += part[i];
    p->active_total += p->active[i];
  }
}

/* ------------------------------------------------------------------ flags */

const struct model_flag_info model_flag_info[MODEL_FLAG_COUNT] = {
#define MODEL_FLAG_INFO(field, flag, metavar, min, help) {flag, metavar, help},
    MODEL_FLAGS(MODEL_FLAG_INFO)
#undef MODEL_FLAG_INFO
};

static const int64_t flag_min[MODEL_FLAG_COUNT] = {
#define MODEL_FLAG_MIN(field, flag, metavar, min, help) min,
    MODEL_FLAGS(MODEL_FLAG_MIN)
#undef MODEL_FLAG_MIN
};

/* Writes the override values into the fields they name. */
static void apply_overrides(struct model *m, const struct model_overrides *o) {
#define MODEL_FLAG_APPLY(field, flag, metavar, min, help) \
  if (o->set[MODEL_FLAG_##field]) m->field = o->value[MODEL_FLAG_##field];
  MODEL_FLAGS(MODEL_FLAG_APPLY)
#undef MODEL_FLAG_APPLY
}

/* A word from a small list ("gated"/"plain", "yes"/"no"), as its index, or -1. */
static int word_index(const char *arg, const char *const *words) {
  for (int i = 0; words[i]; i++)
    if (!strcmp(arg, words[i])) return i;
  return -1;
}

int model_override_parse(struct model_overrides *o, enum model_flag f, const char *arg,
                         char *err, size_t errsz) {
  const char *flag = model_flag_info[f].flag;
  int64_t v;
  if (f == MODEL_FLAG_gated_mlp) {
    static const char *const words[] = {"plain", "gated", NULL};
    int i = arg ? word_index(arg, words) : -1;
    if (i < 0)
      return fail(err, errsz, "--%s '%s': expected 'gated' (SwiGLU/GeGLU, 3 matrices) or "
                  "'plain' (2 matrices)", flag, arg ? arg : "");
    v = i;
  } else if (f == MODEL_FLAG_tied_embeddings) {
    static const char *const words[] = {"no", "yes", "false", "true", "0", "1", NULL};
    int i = arg ? word_index(arg, words) : 1;  /* the bare flag means yes */
    if (i < 0)
      return fail(err, errsz, "--%s '%s': expected yes or no", flag, arg);
    v = i % 2;
  } else {
    char *end;
    errno = 0;
    long long n = strtoll(arg, &end, 10);
    if (errno || end == arg || *end || n < flag_min[f] || n > DIM_MAX)
      return fail(err, errsz, "--%s '%s': expected a whole number from %" PRId64 " to %" PRId64,
                  flag, arg, flag_min[f], DIM_MAX);
    v = n;
  }
  o->set[f] = true;
  o->value[f] = v;
  return 0;
}

bool model_overrides_any(const struct model_overrides *o) {
  for (int f = 0; f < MODEL_FLAG_COUNT; f++)
    if (o->set[f]) return true;
  return false;
}

/* ------------------------------------------------------------------ presets */

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
    {"seed-qwen3-7b", "the seed document (000_7f6494936a69c788), as written",
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

const struct model_preset *model_preset_find(const char *name) {
  for (size_t i = 0; i < model_preset_count; i++)
    if (!strcasecmp(name, model_presets[i].name)) return &model_presets[i];
  return NULL;
}

/* ------------------------------------------------------------------ config.json */

/* How transformers builds each model_type beyond what its config.json says: MLP kind,
 * defaults, and which layers use the sliding window. */
enum window_rule {
  WINDOW_NONE,     /* the architecture has no sliding window */
  WINDOW_ALL,      /* every layer, when sliding_window is set (Mistral, Phi-3) */
  WINDOW_QWEN,     /* use_sliding_window: layers from max_window_layers on */
  WINDOW_EVEN,     /* layers 0, 2, 4, ... (Gemma 2, gpt-oss) */
  WINDOW_PATTERN,  /* all but every sliding_window_pattern-th layer (Gemma 3) */
};

struct model_type {
  const char *name;
  bool gated, tied;  /* tied: tie_word_embeddings when the config leaves it out */
  enum model_norm norm;
  enum model_bias bias;
  bool gpt2_keys;        /* learned positions (n_positions); n_inner null means 4h */
  bool experts_use_ffn;  /* intermediate_size is one expert's (no moe_intermediate_size) */
  bool shared_gate;
  enum window_rule window;
};

static const struct model_type model_types[] = {
    {"llama", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_NONE},
    {"mistral", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_ALL},
    {"mixtral", true, false, NORM_RMS, BIAS_NONE, false, true, false, WINDOW_ALL},
    {"qwen2", true, false, NORM_RMS, BIAS_QKV, false, false, false, WINDOW_QWEN},
    {"qwen2_moe", true, false, NORM_RMS, BIAS_QKV, false, false, true, WINDOW_QWEN},
    {"qwen3", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_QWEN},
    {"qwen3_moe", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_QWEN},
    {"deepseek_v2", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_NONE},
    {"deepseek_v3", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_NONE},
    {"gemma", true, true, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_NONE},
    {"gemma2", true, true, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_EVEN},
    {"gemma3_text", true, true, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_PATTERN},
    {"phi3", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_ALL},
    {"gpt2", false, true, NORM_LAYER, BIAS_ALL, true, false, false, WINDOW_NONE},
    {"gpt_neox", false, false, NORM_LAYER, BIAS_ALL, false, false, false, WINDOW_NONE},
    {"olmo2", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_NONE},
    {"olmoe", true, false, NORM_RMS, BIAS_NONE, false, true, false, WINDOW_NONE},
    {"gpt_oss", true, false, NORM_RMS, BIAS_ALL, false, true, false, WINDOW_EVEN},
};
/* An unknown model_type is read with the standard field names and these assumptions. */
static const struct model_type unknown_type = {
    NULL, true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_ALL};

/* A config being read: its JSON, its path for messages, and the flags that may stand in
 * for missing fields. */
struct config {
  json_t *root;
  const char *path;
  const struct model_overrides *o;
  char *err;
  size_t errsz;
};

/* Reads the first present, non-null key of a NULL-terminated list as an integer >= min.
 * 1: found, 0: absent, -1: wrong type or range (message in c->err). */
static int get_int(struct config *c, int64_t *out, int64_t min, const char *const *keys) {
  for (; *keys; keys++) {
    json_t *v = json_object_get(c->root, *keys);
    if (!v || json_is_null(v)) continue;
    /* Some exporters write integral sizes as reals (4096.0). */
    double d = json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
    if (!json_is_number(v) || d < (double)min || d > (double)DIM_MAX || d != (double)(int64_t)d) {
      char *text = json_dumps(v, JSON_ENCODE_ANY);
      fail(c->err, c->errsz, "%s: \"%s\" is %s; expected a whole number from %" PRId64
           " to %" PRId64, c->path, *keys, text ? text : "?", min, DIM_MAX);
      free(text);
      return -1;
    }
    *out = (int64_t)d;
    return 1;
  }
  return 0;
}

/* A key that must be present unless its flag is given. */
static int need_int(struct config *c, int64_t *out, enum model_flag f, const char *const *keys) {
  int r = get_int(c, out, 1, keys);
  if (r) return r < 0 ? -1 : 0;
  if (c->o->set[f]) return 0;  /* the flag will supply it */
  char names[160] = "";
  for (const char *const *k = keys; *k; k++)
    snprintf(names + strlen(names), sizeof names - strlen(names), "%s\"%s\"",
             k == keys ? "" : " or ", *k);
  return fail(c->err, c->errsz, "%s: no %s (the %s); add it to the file or pass --%s", c->path,
              names, model_flag_info[f].help, model_flag_info[f].flag);
}

static int get_bool(struct config *c, bool *out, const char *key) {
  json_t *v = json_object_get(c->root, key);
  if (!v || json_is_null(v)) return 0;
  if (!json_is_boolean(v))
    return fail(c->err, c->errsz, "%s: \"%s\" must be true or false", c->path, key);
  *out = json_is_true(v);
  return 0;
}

#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The layers whose MLP is a set of experts, by DeepSeek's (first_k_dense_replace,
 * moe_layer_freq) and Qwen's (decoder_sparse_step, mlp_only_layers) rules; absent keys
 * leave every layer MoE. Returns the count, or -1. */
static int64_t count_moe_layers(struct config *c, int64_t layers) {
  int64_t first_dense = 0, freq = 1, step = 1;
  if (get_int(c, &first_dense, 0, KEYS("first_k_dense_replace")) < 0 ||
      get_int(c, &freq, 1, KEYS("moe_layer_freq")) < 0 ||
      get_int(c, &step, 1, KEYS("decoder_sparse_step")) < 0)
    return -1;
  json_t *only_mlp = json_object_get(c->root, "mlp_only_layers");
  if (only_mlp && !json_is_null(only_mlp) && !json_is_array(only_mlp))
    return fail(c->err, c->errsz, "%s: \"mlp_only_layers\" must be a list of layer indices",
                c->path);
  int64_t moe = 0;
  for (int64_t i = 0; i < layers; i++) {
    bool is_moe = i >= first_dense && i % freq == 0 && (i + 1) % step == 0;
    size_t j;
    json_t *v;
    json_array_foreach(only_mlp, j, v) if (json_integer_value(v) == i) is_moe = false;
    moe += is_moe;
  }
  return moe;
}

/* How many layers use the sliding window: layer_types when the config lists them (newer
 * transformers write it for every model), else the model type's rule. -1 on error. */
static int64_t count_window_layers(struct config *c, const struct model_type *t, int64_t layers) {
  json_t *types = json_object_get(c->root, "layer_types");
  if (json_is_array(types)) {
    size_t i;
    json_t *v;
    int64_t n = 0;
    json_array_foreach(types, i, v) n += json_is_string(v) && !strcmp(json_string_value(v), "sliding_attention");
    return n;
  }
  switch (t->window) {
  case WINDOW_NONE:
    return 0;
  case WINDOW_ALL:
    return layers;
  case WINDOW_EVEN:
    return (layers + 1) / 2;
  case WINDOW_PATTERN: {
    int64_t every = 6;  /* transformers' default for Gemma 3 */
    if (get_int(c, &every, 1, KEYS("sliding_window_pattern", "_sliding_window_pattern")) < 0)
      return -1;
    return layers - layers / every;
  }
  case WINDOW_QWEN: {
    bool use = false;
    int64_t from = layers;
    if (get_bool(c, &use, "use_sliding_window") < 0 ||
        get_int(c, &from, 0, KEYS("max_window_layers")) < 0)
      return -1;
    return use && from < layers ? layers - from : 0;
  }
  }
  return 0;
}

static int read_config(struct config *c, struct model *m) {
  const char *type_name = json_string_value(json_object_get(c->root, "model_type"));
  const struct model_type *t = &unknown_type;
  for (size_t i = 0; i < sizeof model_types / sizeof model_types[0]; i++)
    if (type_name && !strcmp(type_name, model_types[i].name)) t = &model_types[i];
  if (t == &unknown_type)
    fprintf(stderr, "mfu: warning: %s: model_type %s%s%s is not one mfu knows; reading the "
            "standard fields and assuming a gated MLP, RMSNorm, no biases and untied "
            "embeddings unless the file says otherwise (--mlp, --tied-embeddings override)\n",
            c->path, type_name ? "\"" : "", type_name ? type_name : "(none)", type_name ? "\"" : "");
  snprintf(m->name, sizeof m->name, "%s", type_name ? type_name : "custom");
  m->gated_mlp = t->gated;
  m->tied_embeddings = t->tied;
  m->norm = t->norm;
  m->bias = t->bias;

  if (need_int(c, &m->layers, MODEL_FLAG_layers, KEYS("num_hidden_layers", "n_layer", "num_layers")) ||
      need_int(c, &m->hidden, MODEL_FLAG_hidden, KEYS("hidden_size", "n_embd", "d_model")) ||
      need_int(c, &m->heads, MODEL_FLAG_heads, KEYS("num_attention_heads", "n_head")) ||
      need_int(c, &m->vocab, MODEL_FLAG_vocab, KEYS("vocab_size")) ||
      get_int(c, &m->kv_heads, 1, KEYS("num_key_value_heads")) < 0 ||
      get_int(c, &m->head_dim, 1, KEYS("head_dim")) < 0 ||
      get_bool(c, &m->tied_embeddings, "tie_word_embeddings") < 0)
    return -1;
  if (t->gpt2_keys) {
    if (get_int(c, &m->positions, 1, KEYS("n_positions", "max_position_embeddings")) < 0 ||
        get_int(c, &m->ffn, 1, KEYS("n_inner")) < 0)
      return -1;
    if (!m->ffn) m->ffn = 4 * m->hidden;  /* GPT-2's n_inner: null */
  } else if (need_int(c, &m->ffn, MODEL_FLAG_ffn, KEYS("intermediate_size", "ffn_dim"))) {
    return -1;
  }

  /* Mixture of experts */
  if (get_int(c, &m->experts, 0, KEYS("num_local_experts", "num_experts", "n_routed_experts")) < 0)
    return -1;
  if (m->experts) {
    int64_t shared_size = 0;
    if (get_int(c, &m->top_k, 1, KEYS("num_experts_per_tok", "experts_per_token", "moe_topk")) < 0 ||
        get_int(c, &m->moe_ffn, 1, KEYS("moe_intermediate_size")) < 0 ||
        get_int(c, &m->shared_experts, 0, KEYS("n_shared_experts")) < 0 ||
        get_int(c, &shared_size, 0, KEYS("shared_expert_intermediate_size")) < 0)
      return -1;
    if (!m->top_k && !c->o->set[MODEL_FLAG_top_k])
      return fail(c->err, c->errsz, "%s: %" PRId64 " experts but no \"num_experts_per_tok\"; "
                  "add it or pass --top-k", c->path, m->experts);
    if (t->experts_use_ffn && !m->moe_ffn) m->moe_ffn = m->ffn;
    if (shared_size) {  /* Qwen2-MoE: one shared expert of this size, behind a gate */
      m->shared_experts = 1;
      m->shared_ffn = shared_size;
      m->shared_gate = t->shared_gate;
    }
    int64_t moe = count_moe_layers(c, m->layers);
    if (moe < 0) return -1;
    m->dense_layers = m->layers - moe;
  }

  /* Multi-head latent attention */
  if (get_int(c, &m->kv_lora_rank, 0, KEYS("kv_lora_rank")) < 0) return -1;
  if (m->kv_lora_rank) {
    int nope, rope, v;
    if (get_int(c, &m->q_lora_rank, 0, KEYS("q_lora_rank")) < 0 ||
        (nope = get_int(c, &m->qk_nope_dim, 1, KEYS("qk_nope_head_dim"))) < 0 ||
        (rope = get_int(c, &m->qk_rope_dim, 1, KEYS("qk_rope_head_dim"))) < 0 ||
        (v = get_int(c, &m->v_head_dim, 1, KEYS("v_head_dim"))) < 0)
      return -1;
    if (!nope || !rope || !v)
      return fail(c->err, c->errsz, "%s: \"kv_lora_rank\" (latent attention) needs "
                  "\"qk_nope_head_dim\", \"qk_rope_head_dim\" and \"v_head_dim\"", c->path);
  }

  /* Sliding window */
  if (t->window != WINDOW_NONE || json_is_array(json_object_get(c->root, "layer_types"))) {
    if (get_int(c, &m->window, 0, KEYS("sliding_window")) < 0) return -1;
    int64_t n = m->window ? count_window_layers(c, t, m->layers) : 0;
    if (n < 0) return -1;
    m->window_layers = n;
    if (!n) m->window = 0;
  }
  return 0;
}

static int load_config(const char *path, const struct model_overrides *o, struct model *m,
                       char *err, size_t errsz) {
  json_error_t je;
  json_t *root = json_load_file(path, 0, &je);
  if (!root) {
    if (je.line < 0)  /* could not open or read it */
      return fail(err, errsz, "cannot read %s: %s", path, je.text);
    return fail(err, errsz, "%s:%d:%d: not valid JSON: %s", path, je.line, je.column, je.text);
  }
  struct config c = {root, path, o, err, errsz};
  int rc = json_is_object(root) ? read_config(&c, m)
                                : fail(err, errsz, "%s: expected a JSON object (a Hugging Face "
                                       "config.json), found something else", path);
  json_decref(root);
  return rc;
}

/* ------------------------------------------------------------------ checks */

/* Fills the fields a config may leave out and checks that the whole makes sense. */
static int complete(struct model *m, const struct model_overrides *o, char *err, size_t errsz) {
  const struct { int64_t value; enum model_flag flag; } required[] = {
      {m->layers, MODEL_FLAG_layers}, {m->hidden, MODEL_FLAG_hidden},
      {m->heads, MODEL_FLAG_heads}, {m->vocab, MODEL_FLAG_vocab}};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
    if (required[i].value <= 0)
      return fail(err, errsz, "no model given: pass --preset NAME (`mfu models` lists them), "
                  "--config config.json, or the shape (--layers --hidden --heads --ffn --vocab; "
                  "--%s is missing)", model_flag_info[required[i].flag].flag);
  if (!model_is_mla(m) && !m->head_dim) {
    if (m->hidden % m->heads)
      return fail(err, errsz, "heads %" PRId64 " does not divide hidden %" PRId64 ": give the head "
                  "size with --head-dim, or fix --heads", m->heads, m->hidden);
    m->head_dim = m->hidden / m->heads;
  }
  if (!m->kv_heads) m->kv_heads = m->heads;
  if (m->kv_heads > m->heads || m->heads % m->kv_heads)
    return fail(err, errsz, "kv-heads %" PRId64 " does not divide heads %" PRId64 ": each key/value "
                "head serves a whole group of query heads; fix --kv-heads or --heads",
                m->kv_heads, m->heads);

  if (!m->experts) {  /* dense: flags that only make sense for experts are mistakes */
    static const enum model_flag moe_flags[] = {MODEL_FLAG_top_k, MODEL_FLAG_moe_ffn,
                                                MODEL_FLAG_shared_experts, MODEL_FLAG_shared_ffn,
                                                MODEL_FLAG_dense_layers};
    for (size_t i = 0; i < sizeof moe_flags / sizeof moe_flags[0]; i++)
      if (o->set[moe_flags[i]])
        return fail(err, errsz, "--%s %" PRId64 " applies to a mixture of experts, but this model "
                    "has none: add --experts", model_flag_info[moe_flags[i]].flag,
                    o->value[moe_flags[i]]);
    m->top_k = m->moe_ffn = m->shared_experts = m->shared_ffn = m->dense_layers = 0;
    m->shared_gate = false;
  } else {
    if (m->top_k < 1 || m->top_k > m->experts)
      return fail(err, errsz, "top-k %" PRId64 " with %" PRId64 " experts: each token runs between "
                  "1 and all of the experts; fix --top-k or --experts", m->top_k, m->experts);
    if (!m->moe_ffn) m->moe_ffn = m->ffn;
    if (!m->moe_ffn)
      return fail(err, errsz, "the experts have no size: pass --moe-ffn (or --ffn)");
    if (!m->shared_ffn) m->shared_ffn = m->shared_experts * m->moe_ffn;
    if (m->dense_layers > m->layers)
      return fail(err, errsz, "dense-layers %" PRId64 " exceeds layers %" PRId64 "; fix "
                  "--dense-layers", m->dense_layers, m->layers);
  }
  if ((!m->experts || m->dense_layers) && !m->ffn)
    return fail(err, errsz, "the MLP has no size: pass --ffn (the intermediate size)");

  if (!m->window && o->set[MODEL_FLAG_window_layers] && o->value[MODEL_FLAG_window_layers])
    return fail(err, errsz, "--sliding-layers %" PRId64 " without a window: add --sliding-window",
                o->value[MODEL_FLAG_window_layers]);
  if (!m->window) m->window_layers = 0;
  else if (!m->window_layers) m->window_layers = m->layers;
  if (m->window_layers > m->layers)
    return fail(err, errsz, "sliding-layers %" PRId64 " exceeds layers %" PRId64 "; fix "
                "--sliding-layers", m->window_layers, m->layers);

  /* A generous size bound first, so that the exact counts cannot overflow. */
  double h = (double)m->hidden, f = (double)(m->ffn > m->moe_ffn ? m->ffn : m->moe_ffn);
  double attn = (double)m->heads * (double)(m->head_dim + m->qk_nope_dim + m->qk_rope_dim + m->v_head_dim) +
                (double)(m->q_lora_rank + m->kv_lora_rank);
  double mlp = f * (double)(1 + m->experts) + (double)m->shared_ffn;
  double bound = (double)m->layers * h * 4 * (attn + mlp) + h * (double)(2 * m->vocab + m->positions);
  if (bound > PARAMS_MAX)
    return fail(err, errsz, "about %.2g parameters: that is no real model; check the sizes "
                "(%" PRId64 " layers, hidden %" PRId64 ", ffn %" PRId64 ", %" PRId64 " experts)",
                bound, m->layers, m->hidden, m->ffn, m->experts);
  return 0;
}

/* The preset sharing the longest prefix (3 letters at least) with a name, as a hint. */
static const char *closest_preset(const char *name) {
  const char *best = NULL;
  size_t best_len = 2;
  for (size_t i = 0; i < model_preset_count; i++) {
    const char *p = model_presets[i].name;
    size_t n = 0;
    while (name[n] && tolower((unsigned char)name[n]) == p[n]) n++;
    if (n > best_len) best = p, best_len = n;
  }
  return best;
}

int model_resolve(const char *config_path, const char *preset, const struct model_overrides *o,
                  struct model *m, char *err, size_t errsz) {
  memset(m, 0, sizeof *m);
  if (config_path && preset)
    return fail(err, errsz, "--config %s and --preset %s both name a model; give one", config_path,
                preset);
  if (preset) {
    const struct model_preset *p = model_preset_find(preset);
    if (!p) {
      const char *near = closest_preset(preset);
      return fail(err, errsz, "unknown preset '%s'%s%s%s; `mfu models` lists them", preset,
                  near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
    }
    *m = p->m;
    snprintf(m->name, sizeof m->name, "%s", p->name);
  } else if (config_path) {
    if (load_config(config_path, o, m, err, errsz)) return -1;
  } else {
    snprintf(m->name, sizeof m->name, "custom");
    m->gated_mlp = true;  /* the modern default; --mlp plain for GPT-style models */
  }
  apply_overrides(m, o);
  return complete(m, o, err, errsz);
}

/* ------------------------------------------------------------------ description */

static void append(char *buf, size_t n, const char *fmt, ...) {
  size_t len = strlen(buf);
  if (len >= n) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf + len, n - len, fmt, ap);
  va_end(ap);
}

void model_describe(const struct model *m, char *buf, size_t n) {
  buf[0] = '\0';
  append(buf, n, "%" PRId64 " layers, hidden %" PRId64 ", ", m->layers, m->hidden);
  if (model_is_mla(m))
    append(buf, n, "%" PRId64 " heads with latent attention (q rank %" PRId64 ", kv rank %" PRId64
           ", qk %" PRId64 "+%" PRId64 ", v %" PRId64 ")", m->heads, m->q_lora_rank,
           m->kv_lora_rank, m->qk_nope_dim, m->qk_rope_dim, m->v_head_dim);
  else
    append(buf, n, "%" PRId64 " heads (%" PRId64 " kv) of %" PRId64, m->heads, m->kv_heads, m->head_dim);
  if (m->experts) {
    append(buf, n, ", %" PRId64 " experts (top %" PRId64 ") of %" PRId64 " %s", m->experts,
           m->top_k, m->moe_ffn, m->gated_mlp ? "gated" : "plain");
    if (m->shared_ffn) append(buf, n, ", shared %" PRId64, m->shared_ffn);
    if (m->dense_layers)
      append(buf, n, ", %" PRId64 " dense layers of %" PRId64, m->dense_layers, m->ffn);
  } else {
    append(buf, n, ", %s MLP %" PRId64, m->gated_mlp ? "gated" : "plain", m->ffn);
  }
  append(buf, n, ", vocab %" PRId64 " %s", m->vocab, m->tied_embeddings ? "tied" : "untied");
  if (m->window)
    append(buf, n, ", window %" PRId64 " on %" PRId64 " layers", m->window, m->window_layers);
}
