/* Model descriptions: every model type parses from its config.json, presets match their
 * published parameter counts, and bad input says what is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/model.h"

#define assert_near(actual, expected, tol)                                                   \
  do {                                                                                       \
    double a_ = (double)(actual), e_ = (double)(expected), t_ = (tol);                       \
    if (!(fabs(a_ - e_) <= t_)) fail_msg("%s = %.10g, expected %.10g +- %.3g", #actual, a_, e_, t_); \
  } while (0)
#define assert_contains(text, part)                                                          \
  do {                                                                                       \
    if (!strstr((text), (part))) fail_msg("'%s' does not contain '%s'", (text), (part));     \
  } while (0)

static const char *fixture(const char *name) {
  static char path[1024];
  const char *root = getenv("MFU_ROOT");
  snprintf(path, sizeof path, "%s/tests/fixtures/configs/%s", root ? root : ".", name);
  return path;
}

static const struct model_overrides no_overrides;

static struct model_shape load(const char *file) {
  struct model_shape m;
  char err[512];
  if (model_resolve(fixture(file), NULL, &no_overrides, &m, NULL, err, sizeof err)) fail_msg("%s: %s", file, err);
  return m;
}

static struct model_shape preset(const char *name) {
  struct model_shape m;
  char err[512];
  if (model_resolve(NULL, name, &no_overrides, &m, NULL, err, sizeof err)) fail_msg("%s: %s", name, err);
  return m;
}

static uint64_t total(const struct model_shape *m) {
  struct model_params p;
  model_params(m, &p);
  return p.total;
}

static uint64_t active(const struct model_shape *m) {
  struct model_params p;
  model_params(m, &p);
  return p.active_total;
}

/* ------------------------------------------------------------------ config.json */

/* One row per model type: the fields it must yield and, where the published count is exact
 * (Hugging Face num_parameters() or a paper's table), the total parameters. */
static const struct expect {
  const char *file, *type;
  int64_t layers, hidden, heads, kv_heads, head_dim, ffn, vocab;
  bool gated, tied;
  int64_t experts, top_k, moe_ffn, shared_ffn, dense_layers, window, window_layers, kv_lora;
  uint64_t params;  /* 0: checked elsewhere against a rounded figure */
} expected[] = {
    /* file, type, L, h, a, g, d, ffn, V, gated, tied, E, k, moe_ffn, shared, dense, W, WL, kvl, N */
    {"llama.json", "llama", 32, 4096, 32, 8, 128, 14336, 128256, true, false, 0, 0, 0, 0, 0, 0, 0, 0,
     8030261248u},
    {"mistral.json", "mistral", 32, 4096, 32, 8, 128, 14336, 32000, true, false, 0, 0, 0, 0, 0, 4096,
     32, 0, 7241732096u},
    {"mixtral.json", "mixtral", 32, 4096, 32, 8, 128, 14336, 32000, true, false, 8, 2, 14336, 0, 0, 0,
     0, 0, 46702792704u},
    {"qwen2.json", "qwen2", 28, 3584, 28, 4, 128, 18944, 152064, true, false, 0, 0, 0, 0, 0, 0, 0, 0,
     7615616512u},
    {"qwen2_moe.json", "qwen2_moe", 24, 2048, 16, 16, 128, 5632, 151936, true, false, 60, 4, 1408,
     5632, 0, 0, 0, 0, 0},
    {"qwen3.json", "qwen3", 36, 4096, 32, 8, 128, 12288, 151936, true, false, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {"qwen3_moe.json", "qwen3_moe", 48, 2048, 32, 4, 128, 6144, 151936, true, false, 128, 8, 768, 0,
     0, 0, 0, 0, 0},
    {"deepseek_v2.json", "deepseek_v2", 27, 2048, 16, 16, 128, 10944, 102400, true, false, 64, 6,
     1408, 2816, 1, 0, 0, 512, 0},
    {"deepseek_v3.json", "deepseek_v3", 61, 7168, 128, 128, 56, 18432, 129280, true, false, 256, 8,
     2048, 2048, 3, 0, 0, 512, 0},
    {"gemma.json", "gemma", 28, 3072, 16, 16, 256, 24576, 256000, true, true, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {"gemma2.json", "gemma2", 42, 3584, 16, 8, 256, 14336, 256000, true, true, 0, 0, 0, 0, 0, 4096,
     21, 0, 0},
    {"gemma3_text.json", "gemma3_text", 26, 1152, 4, 1, 256, 6912, 262144, true, true, 0, 0, 0, 0, 0,
     512, 22, 0, 0},
    {"phi3.json", "phi3", 32, 3072, 32, 32, 96, 8192, 32064, true, false, 0, 0, 0, 0, 0, 2047, 32, 0,
     3821079552u},
    {"gpt2.json", "gpt2", 12, 768, 12, 12, 64, 3072, 50257, false, true, 0, 0, 0, 0, 0, 0, 0, 0,
     124439808u},
    {"gpt_neox.json", "gpt_neox", 32, 4096, 32, 32, 128, 16384, 50432, false, false, 0, 0, 0, 0, 0, 0,
     0, 0, 6857302016u},
    {"olmo2.json", "olmo2", 32, 4096, 32, 32, 128, 11008, 100352, true, false, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {"olmoe.json", "olmoe", 16, 2048, 16, 16, 128, 1024, 50304, true, false, 64, 8, 1024, 0, 0, 0, 0, 0,
     0},
    {"gpt_oss.json", "gpt_oss", 24, 2880, 64, 8, 64, 2880, 201088, true, false, 32, 4, 2880, 0, 0, 128,
     12, 0, 0},
};

static void test_every_model_type_parses(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
    const struct expect *x = &expected[i];
    struct model_shape m = load(x->file);
    print_message("  %s\n", x->file);
    assert_string_equal(m.name, x->type);
    assert_int_equal(m.layers, x->layers);
    assert_int_equal(m.hidden, x->hidden);
    assert_int_equal(m.heads, x->heads);
    assert_int_equal(m.kv_heads, x->kv_heads);
    if (!x->kv_lora) assert_int_equal(m.head_dim, x->head_dim);
    assert_int_equal(m.ffn, x->ffn);
    assert_int_equal(m.vocab, x->vocab);
    assert_int_equal(m.gated_mlp, x->gated);
    assert_int_equal(m.tied_embeddings, x->tied);
    assert_int_equal(m.experts, x->experts);
    assert_int_equal(m.top_k, x->top_k);
    assert_int_equal(m.moe_ffn, x->moe_ffn);
    assert_int_equal(m.shared_ffn, x->shared_ffn);
    assert_int_equal(m.dense_layers, x->dense_layers);
    assert_int_equal(m.window, x->window);
    assert_int_equal(m.window_layers, x->window_layers);
    assert_int_equal(m.kv_lora_rank, x->kv_lora);
    if (x->params) assert_int_equal(total(&m), x->params);
  }
}

static void test_config_details(void **state) {
  (void)state;
  struct model_shape m = load("deepseek_v3.json");
  assert_int_equal(m.q_lora_rank, 1536);
  assert_int_equal(m.qk_nope_dim, 128);
  assert_int_equal(m.qk_rope_dim, 64);
  assert_int_equal(m.v_head_dim, 128);
  assert_int_equal(m.shared_experts, 1);
  m = load("deepseek_v2.json");  /* q_lora_rank null: a plain query projection */
  assert_int_equal(m.q_lora_rank, 0);
  m = load("qwen2_moe.json");
  assert_true(m.shared_gate);
  assert_int_equal(m.bias, BIAS_QKV);
  m = load("gpt2.json");
  assert_int_equal(m.positions, 1024);
  assert_int_equal(m.norm, NORM_LAYER);
  assert_int_equal(m.bias, BIAS_ALL);
  m = load("gpt_oss.json");
  assert_int_equal(m.bias, BIAS_ALL);
  /* A config and its preset describe the same model. */
  struct model_shape a = load("llama.json"), b = preset("llama-3-8b");
  assert_int_equal(total(&a), total(&b));
  a = load("deepseek_v3.json"), b = preset("deepseek-v3");
  assert_int_equal(total(&a), total(&b));
  assert_int_equal(active(&a), active(&b));
}

/* A multimodal config trains its text model (text_config); a model's directory holds its
 * config.json; Llama's attention_bias and mlp_bias add exactly their vectors. */
static void test_text_config_dirs_and_biases(void **state) {
  (void)state;
  struct model_shape a = load("gemma3.json"), b = preset("gemma-3-27b");
  assert_string_equal(a.name, "gemma3_text");
  assert_int_equal(a.window_layers, 52);  /* the text model's type rule: 5 of every 6 */
  assert_true(a.tied_embeddings);
  assert_int_equal(total(&a), total(&b));
  a = load("qwen2_5_vl.json"), b = preset("qwen2.5-7b");  /* qwen2_5_vl_text: built as qwen2_5_vl */
  assert_int_equal(a.bias, BIAS_QKV);
  assert_int_equal(total(&a), total(&b));
  a = load("llama4.json");  /* Llama-4-Scout: 16 experts of 8192 and one shared, every layer */
  assert_int_equal(a.experts, 16);
  assert_int_equal(a.top_k, 1);
  assert_int_equal(a.dense_layers, 0);
  assert_int_equal(a.moe_ffn, 8192);
  assert_int_equal(a.shared_ffn, 8192);
  assert_int_equal(a.ffn, 16384);
  assert_int_equal(total(&a), 107769861120);  /* published: 109B with the vision model */
  assert_int_equal(active(&a), 17172894720);  /* published: 17B */

  a = load("llama.json"), b = load("llama_bias.json");
  assert_int_equal(a.bias, BIAS_NONE);
  assert_int_equal(b.bias, BIAS_ATTENTION | BIAS_MLP);
  /* per layer: q, k, v (4096 + 2 * 1024) and o (4096); gate and up (2 * 14336) and down (4096) */
  assert_int_equal(total(&b) - total(&a), 32 * (4096 + 2 * 1024 + 4096 + 2 * 14336 + 4096));
  assert_int_equal(total(&b) - total(&a), 1376256);

  char err[512];
  const char *dir = fixture("model_dir");
  assert_int_equal(model_resolve(dir, NULL, &no_overrides, &a, NULL, err, sizeof err), 0);
  assert_int_equal(total(&a), total(&b) - 1376256);
  char slash[1100];
  snprintf(slash, sizeof slash, "%s/", dir);
  assert_int_equal(model_resolve(slash, NULL, &no_overrides, &a, NULL, err, sizeof err), 0);
  assert_int_equal(model_resolve(fixture(""), NULL, &no_overrides, &a, NULL, err, sizeof err), -1);
  assert_contains(err, "configs/config.json");
}

/* Writes a config to a temporary file; the caller unlinks it. */
static const char *temp_config(const char *json) {
  static char path[] = "/tmp/mfu-test-config-XXXXXX";
  strcpy(path + strlen(path) - 6, "XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
  close(fd);
  return path;
}

static struct model_shape parse_text(const char *json) {
  const char *path = temp_config(json);
  struct model_shape m;
  char err[512];
  int rc = model_resolve(path, NULL, &no_overrides, &m, NULL, err, sizeof err);
  unlink(path);
  if (rc) fail_msg("%s", err);
  return m;
}

static void test_layer_rules(void **state) {
  (void)state;
  /* Qwen2-MoE: every second layer sparse, layer 3 forced dense -> 8 layers: 1,5,7 MoE. */
  struct model_shape m = parse_text(
      "{\"model_type\": \"qwen2_moe\", \"num_hidden_layers\": 8, \"hidden_size\": 256, "
      "\"num_attention_heads\": 4, \"intermediate_size\": 512, \"vocab_size\": 1000, "
      "\"num_experts\": 4, \"num_experts_per_tok\": 1, \"moe_intermediate_size\": 64, "
      "\"decoder_sparse_step\": 2, \"mlp_only_layers\": [3]}");
  assert_int_equal(model_moe_layers(&m), 3);
  assert_int_equal(m.dense_layers, 5);
  /* DeepSeek: first 2 dense, then every second layer from there (0-based index even). */
  m = parse_text("{\"model_type\": \"deepseek_v3\", \"num_hidden_layers\": 10, \"hidden_size\": 256, "
                 "\"num_attention_heads\": 4, \"intermediate_size\": 512, \"vocab_size\": 1000, "
                 "\"n_routed_experts\": 4, \"num_experts_per_tok\": 2, \"moe_intermediate_size\": 64, "
                 "\"first_k_dense_replace\": 2, \"moe_layer_freq\": 2}");
  assert_int_equal(model_moe_layers(&m), 4); /* layers 2, 4, 6, 8 */
  /* Qwen sliding window only with use_sliding_window, from max_window_layers on. */
  m = parse_text("{\"model_type\": \"qwen2\", \"num_hidden_layers\": 28, \"hidden_size\": 256, "
                 "\"num_attention_heads\": 4, \"intermediate_size\": 512, \"vocab_size\": 1000, "
                 "\"use_sliding_window\": true, \"sliding_window\": 4096, \"max_window_layers\": 21}");
  assert_int_equal(m.window, 4096);
  assert_int_equal(m.window_layers, 7);
  /* layer_types, when present, decide. */
  m = parse_text("{\"model_type\": \"gemma2\", \"num_hidden_layers\": 4, \"hidden_size\": 256, "
                 "\"num_attention_heads\": 4, \"intermediate_size\": 512, \"vocab_size\": 1000, "
                 "\"sliding_window\": 64, \"layer_types\": [\"sliding_attention\", \"full_attention\", "
                 "\"full_attention\", \"full_attention\"]}");
  assert_int_equal(m.window_layers, 1);
  /* Integral reals are accepted (some exporters write 4096.0). */
  m = parse_text("{\"model_type\": \"llama\", \"num_hidden_layers\": 2.0, \"hidden_size\": 256, "
                 "\"num_attention_heads\": 4, \"intermediate_size\": 512, \"vocab_size\": 1000}");
  assert_int_equal(m.layers, 2);
}

static void test_unknown_type_warns_and_works(void **state) {
  (void)state;
  struct model_shape m;
  struct mfu_strings warnings = {0};
  char err[512];
  assert_int_equal(model_resolve(fixture("unknown_type.json"), NULL, &no_overrides, &m, &warnings,
                                 err, sizeof err), 0);
  assert_int_equal(warnings.n, 1);
  assert_contains(warnings.v[0], "not one mfu knows");
  assert_contains(warnings.v[0], "my_transformer");
  mfu_strings_free(&warnings);
  assert_string_equal(m.name, "my_transformer");
  assert_true(m.gated_mlp);
  assert_int_equal(total(&m), 6738415616u); /* the shape of Llama-2-7B: HF counts 6,738,415,616 */
}

static void test_bad_configs(void **state) {
  (void)state;
  static const struct {
    const char *file;
    const char *says[3];
  } cases[] = {
      {"bad_syntax.json", {"not valid JSON", "bad_syntax.json:3"}},
      {"bad_not_object.json", {"expected a JSON object"}},
      {"bad_missing_hidden.json", {"\"hidden_size\"", "--hidden"}},
      {"bad_hidden_string.json", {"\"hidden_size\" is \"4096\"", "whole number"}},
      {"bad_negative_layers.json", {"\"num_hidden_layers\" is -36"}},
      {"bad_heads_divide.json", {"heads 30 does not divide hidden 4096", "--head-dim"}},
      {"bad_kv_heads.json", {"kv-heads 5 does not divide heads 32", "--kv-heads"}},
      {"bad_top_k.json", {"top-k 9 with 8 experts", "--top-k"}},
      {"bad_moe_no_top_k.json", {"num_experts_per_tok", "--top-k"}},
      {"bad_mla_incomplete.json", {"kv_lora_rank", "qk_nope_head_dim"}},
      {"no_such_file.json", {"cannot read", "no_such_file.json"}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct model_shape m;
    char err[512] = "";
    print_message("  %s\n", cases[i].file);
    assert_int_equal(model_resolve(fixture(cases[i].file), NULL, &no_overrides, &m, NULL, err, sizeof err), -1);
    for (int j = 0; j < 3 && cases[i].says[j]; j++) assert_contains(err, cases[i].says[j]);
  }
}

static void test_flag_fills_missing_field(void **state) {
  (void)state;
  struct model_overrides o = {0};
  char err[512];
  assert_int_equal(model_override_parse(&o, MODEL_FLAG_hidden, "4096", err, sizeof err), 0);
  struct model_shape m;
  assert_int_equal(model_resolve(fixture("bad_missing_hidden.json"), NULL, &o, &m, NULL, err, sizeof err), 0);
  assert_int_equal(total(&m), 8030261248u);
}

/* ------------------------------------------------------------------ presets */

static void test_every_preset_parses(void **state) {
  (void)state;
  assert_true(model_preset_count >= 11);
  for (size_t i = 0; i < model_preset_count; i++) {
    struct model_shape m = preset(model_presets[i].name);
    assert_string_equal(m.name, model_presets[i].name);
    assert_true(total(&m) > 0);
    assert_true(active(&m) <= total(&m));
    assert_true(model_presets[i].source && model_presets[i].source[0]);
  }
  static const char *const required[] = {
      "deepseek-llm-7b", "qwen3-8b", "seed-qwen3-7b", "llama-3-8b", "llama-3-70b",
      "llama-3.1-405b", "mixtral-8x7b", "qwen3-30b-a3b", "qwen3-235b-a22b", "deepseek-v3",
      "gpt3-175b"};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
    assert_non_null(model_preset_find(required[i]));
}

/* Published sizes, with the tolerance of how each source rounds. "active" for MoE models
 * includes the embedding (as Mistral and Qwen count) unless `without_embedding` says the
 * source leaves the input embedding out (DeepSeek, OpenAI). */
static void test_preset_published_sizes(void **state) {
  (void)state;
  static const struct {
    const char *name;
    double total, total_tol, active, active_tol;
    bool without_embedding;
  } sizes[] = {
      {"llama-3-8b", 8.03e9, 0.005e9, 0, 0, false},        /* HF: 8.03B */
      {"llama-3-70b", 70.6e9, 0.05e9, 0, 0, false},        /* HF: 70.6B */
      {"llama-3.1-405b", 406e9, 0.5e9, 0, 0, false},       /* HF: 406B (405B in the name) */
      {"llama-2-7b", 6.74e9, 0.005e9, 0, 0, false},        /* HF: 6.74B */
      {"mixtral-8x7b", 46.7e9, 0.05e9, 12.9e9, 0.05e9, false},  /* Mistral: 46.7B / 12.9B */
      {"mixtral-8x22b", 141e9, 0.5e9, 39e9, 0.5e9, false},      /* Mistral: 141B / 39B */
      {"qwen3-235b-a22b", 235e9, 0.5e9, 22e9, 0.5e9, false},    /* Qwen: 235B / 22B */
      /* Qwen: 30.5B / 3.3B; the active figure is cut, not rounded, to one decimal. */
      {"qwen3-30b-a3b", 30.5e9, 0.05e9, 3.35e9, 0.05e9, false},
      {"qwen1.5-moe-a2.7b", 14.3e9, 0.05e9, 2.7e9, 0.05e9, false},  /* Qwen: 14.3B / 2.7B */
      /* DeepSeek-V3 without its 14B MTP module: 671B, 37B activated (whole billions). */
      {"deepseek-v3", 671e9, 0.5e9, 37e9, 0.5e9, true},
      {"deepseek-v2", 236e9, 0.5e9, 21e9, 0.5e9, true},    /* DeepSeek: 236B / 21B */
      {"deepseek-v2-lite", 15.7e9, 0.05e9, 0, 0, true},    /* DeepSeek: 15.7B */
      {"gpt-oss-120b", 116.83e9, 0.005e9, 5.13e9, 0.005e9, true},  /* OpenAI: 116.83B / 5.13B */
      {"gpt-oss-20b", 20.91e9, 0.005e9, 3.61e9, 0.005e9, true},    /* OpenAI: 20.91B / 3.61B */
      {"olmoe-1b-7b", 6.9e9, 0.05e9, 1.3e9, 0.05e9, false},        /* AI2: 6.9B / 1.3B */
      {"gemma-7b", 8.54e9, 0.005e9, 0, 0, false},          /* Google: 8.54B */
      {"gemma-2-9b", 9.24e9, 0.005e9, 0, 0, false},        /* Google: 9.24B */
      {"phi-3-mini", 3.82e9, 0.005e9, 0, 0, false},        /* Microsoft: 3.8B; HF 3.82B */
      {"gpt3-175b", 175e9, 0.5e9, 0, 0, false},            /* Brown et al.: 175.0B */
      /* PaLM: 540.35B; mfu also counts the layer norms (+4.4M). */
      {"palm-540b", 540.35e9, 0.01e9, 0, 0, false},
  };
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    struct model_shape m = preset(sizes[i].name);
    struct model_params p;
    model_params(&m, &p);
    print_message("  %-18s %.4gB total, %.4gB active, %.4gB without the input embedding\n",
                  sizes[i].name, (double)p.total / 1e9, (double)p.active_total / 1e9,
                  (double)(p.active_total - p.part[PART_EMBEDDING]) / 1e9);
    assert_near(p.total, sizes[i].total, sizes[i].total_tol);
    if (sizes[i].active == 0) continue;
    uint64_t a = p.active_total - (sizes[i].without_embedding ? p.part[PART_EMBEDDING] : 0);
    assert_near(a, sizes[i].active, sizes[i].active_tol);
  }
  /* The exact counts behind the checks: Llama-3-8B, Mixtral, DeepSeek-V3 within 1%. */
  struct model_shape m = preset("llama-3-8b");
  assert_int_equal(total(&m), 8030261248u);
  m = preset("mixtral-8x7b");
  assert_int_equal(total(&m), 46702792704u);
  assert_int_equal(active(&m), 12879925248u);
  m = preset("deepseek-v3");
  assert_near(total(&m), 671e9, 0.01 * 671e9);
  /* HF counts 2048 more per layer: the latent norms, which mfu leaves out (0.00002%). */
  assert_int_equal(total(&m), 671026279424u);
  assert_int_equal(active(&m), 37552157696u);  /* 36.63B without the input embedding */
}

/* ------------------------------------------------------------------ flags */

static void test_overrides(void **state) {
  (void)state;
  struct model_overrides o = {0};
  char err[512];
  assert_int_equal(model_override_parse(&o, MODEL_FLAG_layers, "16", err, sizeof err), 0);
  assert_int_equal(model_override_parse(&o, MODEL_FLAG_gated_mlp, "plain", err, sizeof err), 0);
  assert_int_equal(model_override_parse(&o, MODEL_FLAG_tied_embeddings, NULL, err, sizeof err), 0);
  assert_true(model_overrides_any(&o));
  struct model_shape m;
  assert_int_equal(model_resolve(NULL, "llama-3-8b", &o, &m, NULL, err, sizeof err), 0);
  assert_int_equal(m.layers, 16);
  assert_false(m.gated_mlp);
  assert_true(m.tied_embeddings);
  assert_int_equal(model_override_parse(&o, MODEL_FLAG_tied_embeddings, "no", err, sizeof err), 0);
  assert_int_equal(model_resolve(NULL, "llama-3-8b", &o, &m, NULL, err, sizeof err), 0);
  assert_false(m.tied_embeddings);

  /* --experts 0 turns an MoE preset dense; --experts/--top-k an MoE one from a dense one. */
  struct model_overrides d = {0};
  model_override_parse(&d, MODEL_FLAG_experts, "0", err, sizeof err);
  assert_int_equal(model_resolve(NULL, "mixtral-8x7b", &d, &m, NULL, err, sizeof err), 0);
  assert_int_equal(m.experts, 0);
  assert_int_equal(m.top_k, 0);
  struct model_overrides e = {0};
  model_override_parse(&e, MODEL_FLAG_experts, "8", err, sizeof err);
  model_override_parse(&e, MODEL_FLAG_top_k, "2", err, sizeof err);
  model_override_parse(&e, MODEL_FLAG_shared_experts, "1", err, sizeof err);
  assert_int_equal(model_resolve(NULL, "llama-3-8b", &e, &m, NULL, err, sizeof err), 0);
  assert_int_equal(m.moe_ffn, 14336);
  assert_int_equal(m.shared_ffn, 14336);
  assert_int_equal(model_moe_layers(&m), 32);
}

static void test_flags_only_model(void **state) {
  (void)state;
  struct model_overrides o = {0};
  char err[512];
  const char *flags[][2] = {{"layers", "2"}, {"hidden", "64"}, {"heads", "4"}, {"ffn", "256"},
                            {"vocab", "100"}, {"mlp", "plain"}};
  static const enum model_flag ids[] = {MODEL_FLAG_layers, MODEL_FLAG_hidden, MODEL_FLAG_heads,
                                        MODEL_FLAG_ffn, MODEL_FLAG_vocab, MODEL_FLAG_gated_mlp};
  for (size_t i = 0; i < 6; i++)
    assert_int_equal(model_override_parse(&o, ids[i], flags[i][1], err, sizeof err), 0);
  struct model_shape m;
  assert_int_equal(model_resolve(NULL, NULL, &o, &m, NULL, err, sizeof err), 0);
  assert_string_equal(m.name, "custom");
  assert_int_equal(m.head_dim, 16);
  assert_int_equal(m.kv_heads, 4);
  /* 2 layers of (4·64² attention + 2·64·256 MLP + 2·64 norms) + 64 norm + 2·100·64 */
  assert_int_equal(total(&m), 2 * (4 * 64 * 64 + 2 * 64 * 256 + 2 * 64) + 64 + 2 * 100 * 64);
}

static void test_bad_flag_values(void **state) {
  (void)state;
  static const struct {
    enum model_flag flag;
    const char *arg, *says;
  } cases[] = {
      {MODEL_FLAG_layers, "-3", "--layers '-3'"},   {MODEL_FLAG_layers, "0", "from 1"},
      {MODEL_FLAG_hidden, "4k", "--hidden '4k'"},   {MODEL_FLAG_heads, "", "whole number"},
      {MODEL_FLAG_vocab, "99999999999", "to 2147483647"},
      {MODEL_FLAG_gated_mlp, "swiglu", "'gated'"},  {MODEL_FLAG_tied_embeddings, "maybe", "yes or no"},
      {MODEL_FLAG_experts, "-1", "from 0"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct model_overrides o = {0};
    char err[512] = "";
    assert_int_equal(model_override_parse(&o, cases[i].flag, cases[i].arg, err, sizeof err), -1);
    assert_contains(err, cases[i].says);
    assert_false(model_overrides_any(&o));
  }
}

static void test_bad_combinations(void **state) {
  (void)state;
  static const struct {
    const char *preset;
    const char *flags[4][2];
    const char *says;
  } cases[] = {
      {NULL, {{NULL}}, "no model given"},
      {NULL, {{"layers", "2"}, {"hidden", "64"}, {"heads", "4"}}, "--vocab is missing"},
      {"llama-3-8b", {{"heads", "7"}}, "heads 7 does not divide hidden 4096"},
      {"llama-3-8b", {{"kv-heads", "3"}}, "kv-heads 3 does not divide heads 32"},
      {"llama-3-8b", {{"top-k", "2"}}, "add --experts"},
      {"llama-3-8b", {{"experts", "8"}, {"top-k", "9"}}, "top-k 9 with 8 experts"},
      {"llama-3-8b", {{"experts", "8"}}, "top-k 0 with 8 experts"},
      {"mixtral-8x7b", {{"dense-layers", "33"}}, "dense-layers 33 exceeds layers 32"},
      {"llama-3-8b", {{"sliding-layers", "4"}}, "add --sliding-window"},
      {"llama-3-8b", {{"sliding-window", "128"}, {"sliding-layers", "40"}}, "sliding-layers 40"},
      {"llama-3-8b", {{"hidden", "2000000000"}, {"heads", "8"}}, "no real model"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct model_overrides o = {0};
    char err[512] = "";
    for (int j = 0; j < 4 && cases[i].flags[j][0]; j++) {
      enum model_flag f = MODEL_FLAG_COUNT;
      for (int k = 0; k < MODEL_FLAG_COUNT; k++)
        if (!strcmp(model_flag_info[k].flag, cases[i].flags[j][0])) f = (enum model_flag)k;
      assert_int_not_equal(f, MODEL_FLAG_COUNT);
      assert_int_equal(model_override_parse(&o, f, cases[i].flags[j][1], err, sizeof err), 0);
    }
    struct model_shape m;
    print_message("  expecting: %s\n", cases[i].says);
    assert_int_equal(model_resolve(NULL, cases[i].preset, &o, &m, NULL, err, sizeof err), -1);
    assert_contains(err, cases[i].says);
  }
}

static void test_bad_names(void **state) {
  (void)state;
  struct model_shape m;
  char err[512];
  assert_int_equal(model_resolve(NULL, "llama-3-9b", &no_overrides, &m, NULL, err, sizeof err), -1);
  assert_contains(err, "unknown preset 'llama-3-9b'");
  assert_contains(err, "did you mean llama-3");
  assert_contains(err, "mfu models");
  assert_int_equal(model_resolve(fixture("llama.json"), "llama-3-8b", &no_overrides, &m, NULL, err, sizeof err), -1);
  assert_contains(err, "give one");
  assert_non_null(model_preset_find("LLAMA-3-8B")); /* names are not case-sensitive */
}

/* A mistyped preset gets the nearest names by edit distance; a model of a preset's shape
 * selects it by its own name. */
static void test_preset_hints_and_aliases(void **state) {
  (void)state;
  static const char *const cases[][2] = {
      {"llama3-8b", "(did you mean llama-3-8b?)"},  {"deepseekv3", "(did you mean deepseek-v3?)"},
      {"gpt-2", "(did you mean gpt2?)"},            {"Qwen3_8B", "(did you mean qwen3-8b?)"},
      {"mixtral-7x8b", "(did you mean mixtral-8x7b?)"},    {"gemma-2-2b", "(did you mean gemma-2b, gemma-2-9b or gemma-2-27b?)"},
      {"llama-3-7b", "(did you mean llama-2-7b, llama-3-8b or llama-3-70b?)"},
  };
  struct model_shape m;
  char err[512];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    assert_int_equal(model_resolve(NULL, cases[i][0], &no_overrides, &m, NULL, err, sizeof err), -1);
    assert_contains(err, cases[i][1]);
  }
  assert_int_equal(model_resolve(NULL, "nothing-like-it", &no_overrides, &m, NULL, err, sizeof err), -1);
  assert_null(strstr(err, "did you mean"));
  assert_ptr_equal(model_preset_find("llama-3.1-8b"), model_preset_find("llama-3-8b"));
  assert_ptr_equal(model_preset_find("Llama-3.3-70B"), model_preset_find("llama-3-70b"));
  assert_ptr_equal(model_preset_find("deepseek-r1"), model_preset_find("deepseek-v3"));
  for (size_t i = 0; i < model_preset_alias_count; i++)
    assert_non_null(model_preset_find(model_preset_aliases[i].preset));
}

static void test_describe(void **state) {
  (void)state;
  char buf[512];
  struct model_shape m = preset("deepseek-v3");
  model_describe(&m, buf, sizeof buf);
  assert_contains(buf, "61 layers");
  assert_contains(buf, "latent attention");
  assert_contains(buf, "256 experts (top 8)");
  assert_contains(buf, "3 dense layers");
  m = preset("gemma-2-9b");
  model_describe(&m, buf, sizeof buf);
  assert_contains(buf, "window 4096 on 21 layers");
  assert_string_equal(model_part_name(PART_ATTN_V), "attn_v");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_model_type_parses),
      cmocka_unit_test(test_config_details),
      cmocka_unit_test(test_layer_rules),
      cmocka_unit_test(test_unknown_type_warns_and_works),
      cmocka_unit_test(test_bad_configs),
      cmocka_unit_test(test_flag_fills_missing_field),
      cmocka_unit_test(test_every_preset_parses),
      cmocka_unit_test(test_preset_published_sizes),
      cmocka_unit_test(test_preset_hints_and_aliases),
      cmocka_unit_test(test_text_config_dirs_and_biases),
      cmocka_unit_test(test_overrides),
      cmocka_unit_test(test_flags_only_model),
      cmocka_unit_test(test_bad_flag_values),
      cmocka_unit_test(test_bad_combinations),
      cmocka_unit_test(test_describe),
      cmocka_unit_test(test_bad_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
