/* hf_config: see hf_config.h. */
#include "hf_config.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/errmsg.h"

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
  bool llama4;  /* dense layers of intermediate_size_mlp, one shared expert beside the routed */
};

static const struct model_type model_types[] = {
    {"llama", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_NONE, false},
    {"mistral", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_ALL, false},
    {"mixtral", true, false, NORM_RMS, BIAS_NONE, false, true, false, WINDOW_ALL, false},
    {"qwen2", true, false, NORM_RMS, BIAS_QKV, false, false, false, WINDOW_QWEN, false},
    {"qwen2_moe", true, false, NORM_RMS, BIAS_QKV, false, false, true, WINDOW_QWEN, false},
    {"qwen2_vl", true, false, NORM_RMS, BIAS_QKV, false, false, false, WINDOW_QWEN, false},
    {"qwen2_5_vl", true, false, NORM_RMS, BIAS_QKV, false, false, false, WINDOW_QWEN, false},
    {"qwen3", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_QWEN, false},
    {"qwen3_moe", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_QWEN, false},
    {"deepseek_v2", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_NONE, false},
    {"deepseek_v3", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_NONE, false},
    {"gemma", true, true, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_NONE, false},
    {"gemma2", true, true, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_EVEN, false},
    {"gemma3_text", true, true, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_PATTERN, false},
    {"phi3", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_ALL, false},
    {"gpt2", false, true, NORM_LAYER, BIAS_ALL, true, false, false, WINDOW_NONE, false},
    {"gpt_neox", false, false, NORM_LAYER, BIAS_ALL, false, false, false, WINDOW_NONE, false},
    {"olmo2", true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_NONE, false},
    {"olmoe", true, false, NORM_RMS, BIAS_NONE, false, true, false, WINDOW_NONE, false},
    {"gpt_oss", true, false, NORM_RMS, BIAS_ALL, false, true, false, WINDOW_EVEN, false},
    {"llama4_text", true, false, NORM_RMS, BIAS_NONE, false, true, false, WINDOW_NONE, true},
};
/* An unknown model_type is read with the standard field names and these assumptions. */
static const struct model_type unknown_type = {
    NULL, true, false, NORM_RMS, BIAS_NONE, false, false, false, WINDOW_ALL, false};

/* A config being read: its JSON (a multimodal model's text_config, whose keys come first,
 * and the whole file), its path for messages, and the flags that may stand in for missing
 * fields. */
struct config {
  json_t *root, *outer;
  const char *path;
  const struct model_overrides *o;
  struct mfu_strings *warnings; /* may be NULL */
  char *err;
  size_t errsz;
};

/* A key of the text model, else of the whole file (NULL if in neither). */
static json_t *get(const struct config *c, const char *key) {
  json_t *v = json_object_get(c->root, key);
  return v || c->outer == c->root ? v : json_object_get(c->outer, key);
}

/* Reads the first present, non-null key of a NULL-terminated list as an integer >= min.
 * 1: found, 0: absent, -1: wrong type or range (message in c->err). */
static int get_int(struct config *c, int64_t *out, int64_t min, const char *const *keys) {
  for (; *keys; keys++) {
    json_t *v = get(c, *keys);
    if (!v || json_is_null(v)) continue;
    /* Some exporters write integral sizes as reals (4096.0). */
    double d = json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
    if (!json_is_number(v) || d < (double)min || d > (double)MODEL_DIM_MAX || d != (double)(int64_t)d) {
      char *text = json_dumps(v, JSON_ENCODE_ANY);
      errmsg(c->err, c->errsz, "%s: \"%s\" is %s; expected a whole number from %" PRId64
           " to %" PRId64, c->path, *keys, text ? text : "?", min, MODEL_DIM_MAX);
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
  return errmsg(c->err, c->errsz, "%s: no %s (the %s); add it to the file or pass --%s", c->path,
              names, model_flag_info[f].help, model_flag_info[f].flag);
}

static int get_bool(struct config *c, bool *out, const char *key) {
  json_t *v = get(c, key);
  if (!v || json_is_null(v)) return 0;
  if (!json_is_boolean(v))
    return errmsg(c->err, c->errsz, "%s: \"%s\" must be true or false", c->path, key);
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
      get_int(c, &step, 1, KEYS("decoder_sparse_step", "interleave_moe_layer_step")) < 0)
    return -1;
  json_t *only_mlp = get(c, "mlp_only_layers");
  if (only_mlp && !json_is_null(only_mlp) && !json_is_array(only_mlp))
    return errmsg(c->err, c->errsz, "%s: \"mlp_only_layers\" must be a list of layer indices",
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
  json_t *types = get(c, "layer_types");
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

static int read_config(struct config *c, struct model_shape *m) {
  /* The text model's type, else the whole model's (qwen2_5_vl_text is built as qwen2_5_vl). */
  const char *type_name = json_string_value(get(c, "model_type"));
  const char *outer_type = json_string_value(json_object_get(c->outer, "model_type"));
  const struct model_type *t = &unknown_type;
  for (size_t i = 0; i < sizeof model_types / sizeof model_types[0]; i++)
    if (type_name && !strcmp(type_name, model_types[i].name)) t = &model_types[i];
  for (size_t i = 0; t == &unknown_type && i < sizeof model_types / sizeof model_types[0]; i++)
    if (outer_type && !strcmp(outer_type, model_types[i].name)) t = &model_types[i];
  if (t == &unknown_type && c->warnings)
    mfu_strings_addf(c->warnings, "%s: model_type %s%s%s is not one mfu knows; reading the "
                     "standard fields and assuming a gated MLP, RMSNorm, no biases and untied "
                     "embeddings unless the file says otherwise (--mlp, --tied-embeddings "
                     "override)", c->path, type_name ? "\"" : "", type_name ? type_name : "(none)",
                     type_name ? "\"" : "");
  snprintf(m->name, sizeof m->name, "%s", type_name ? type_name : "custom");
  m->gated_mlp = t->gated;
  m->tied_embeddings = t->tied;
  m->norm = t->norm;
  m->bias = t->bias;
  /* Llama's flags for biases, which other types (Qwen3, OLMo 2, gpt-oss) share. */
  bool attention_bias = m->bias & BIAS_ATTENTION, mlp_bias = m->bias & BIAS_MLP;
  if (get_bool(c, &attention_bias, "attention_bias") < 0 || get_bool(c, &mlp_bias, "mlp_bias") < 0)
    return -1;
  if (get(c, "attention_bias"))
    m->bias = attention_bias ? m->bias | BIAS_ATTENTION : m->bias & ~(unsigned)BIAS_ATTENTION;
  if (get(c, "mlp_bias")) m->bias = mlp_bias ? m->bias | BIAS_MLP : m->bias & ~(unsigned)BIAS_MLP;

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
      return errmsg(c->err, c->errsz, "%s: %" PRId64 " experts but no \"num_experts_per_tok\"; "
                  "add it or pass --top-k", c->path, m->experts);
    if (t->experts_use_ffn && !m->moe_ffn) m->moe_ffn = m->ffn;
    if (t->llama4) {  /* intermediate_size is an expert's; the dense layers' is its own */
      m->shared_experts = 1;
      if (get_int(c, &m->ffn, 1, KEYS("intermediate_size_mlp")) < 0) return -1;
    }
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
      return errmsg(c->err, c->errsz, "%s: \"kv_lora_rank\" (latent attention) needs "
                  "\"qk_nope_head_dim\", \"qk_rope_head_dim\" and \"v_head_dim\"", c->path);
  }

  /* Sliding window */
  if (t->window != WINDOW_NONE || json_is_array(get(c, "layer_types"))) {
    if (get_int(c, &m->window, 0, KEYS("sliding_window")) < 0) return -1;
    int64_t n = m->window ? count_window_layers(c, t, m->layers) : 0;
    if (n < 0) return -1;
    m->window_layers = n;
    if (!n) m->window = 0;
  }
  return 0;
}

int hf_config_load(const char *path, const struct model_overrides *o, struct model_shape *m,
                   struct mfu_strings *warnings, char *err, size_t errsz) {
  /* A model's directory (a checkpoint, a Hugging Face snapshot) holds its config.json. */
  struct stat st;
  char file[4096];
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    snprintf(file, sizeof file, "%s%sconfig.json", path, path[strlen(path) - 1] == '/' ? "" : "/");
    path = file;
  }
  json_error_t je;
  json_t *root = json_load_file(path, 0, &je);
  if (!root) {
    if (je.line < 0)  /* could not open or read it */
      return errmsg(err, errsz, "cannot read %s: %s", path, je.text);
    return errmsg(err, errsz, "%s:%d:%d: not valid JSON: %s", path, je.line, je.column, je.text);
  }
  /* A multimodal model (Gemma 3, Llama 4, Qwen-VL) trains its text model: text_config. */
  json_t *text = json_is_object(root) ? json_object_get(root, "text_config") : NULL;
  struct config c = {json_is_object(text) ? text : root, root, path, o, warnings, err, errsz};
  int rc = json_is_object(root) ? read_config(&c, m)
                                : errmsg(err, errsz, "%s: expected a JSON object (a Hugging Face "
                                       "config.json), found something else", path);
  json_decref(root);
  return rc;
}
