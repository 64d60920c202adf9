/* A Transformer's shape: what the FLOP formulas and the parameter count need, read from a
 * Hugging Face config.json, taken from a built-in preset, or given by command-line flags
 * (flags edit a preset or config field by field). */
#ifndef MFU_MODEL_H
#define MFU_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strings.h"

/* No real model has a dimension near this; it keeps every product in range. */
#define MODEL_DIM_MAX INT64_C(2147483647)

enum model_norm { NORM_RMS, NORM_LAYER };          /* LayerNorm also has a bias vector */
/* Which linear layers carry biases, a set of bits. */
enum model_bias {
  BIAS_NONE = 0,
  BIAS_QKV = 1,     /* the query, key and value projections (Qwen2: these alone) */
  BIAS_OUT = 2,     /* the attention's output projection */
  BIAS_MLP = 4,     /* every MLP and expert matrix */
  BIAS_ROUTER = 8,  /* the MoE router */
  BIAS_ATTENTION = BIAS_QKV | BIAS_OUT, /* Llama's attention_bias */
  BIAS_ALL = BIAS_ATTENTION | BIAS_MLP | BIAS_ROUTER,
};

struct model_shape {
  char name[64];       /* preset name, or the config's model_type */
  int64_t layers, hidden, heads, kv_heads, head_dim, ffn, vocab;
  bool gated_mlp;        /* SwiGLU/GeGLU: 3 matrices; plain: 2 */
  bool tied_embeddings;  /* the LM head is the input embedding matrix */
  int64_t positions;     /* learned absolute position embeddings (GPT-2/3); 0 with rotary */
  enum model_norm norm;
  unsigned bias;        /* enum model_bias bits */
  /* Mixture of experts; experts == 0 is a dense model. */
  int64_t experts, top_k, moe_ffn;
  int64_t shared_experts;  /* experts every token runs */
  int64_t shared_ffn;      /* their intermediate size, all together */
  bool shared_gate;        /* Qwen2-MoE gates its shared expert with a 1-wide linear */
  int64_t dense_layers;    /* layers with a dense MLP instead of experts (DeepSeek's first k) */
  /* Multi-head latent attention (DeepSeek-V2/V3) when kv_lora_rank > 0; q_lora_rank 0 is a
   * plain query projection. */
  int64_t q_lora_rank, kv_lora_rank, qk_nope_dim, qk_rope_dim, v_head_dim;
  /* Sliding-window attention: each query sees at most `window` keys on `window_layers`
   * layers; the others attend to the whole prefix. */
  int64_t window, window_layers;
};

/* The parts of a model, for parameter counts and per-term FLOPs alike (the attention core,
 * scores and attention·V, has no parameters; the embedding lookup and norms no matmuls). */
#define MODEL_PARTS(X)                         \
  X(EMBEDDING, "embedding")                    \
  X(QKV, "qkv")                                \
  X(SCORES, "scores")                          \
  X(ATTN_V, "attn_v")                          \
  X(OUT_PROJ, "out_proj")                      \
  X(MLP, "mlp")                                \
  X(ROUTER, "router")                          \
  X(EXPERTS, "experts")                        \
  X(SHARED_EXPERTS, "shared_experts")          \
  X(LM_HEAD, "lm_head")                        \
  X(NORMS, "norms")

enum model_part {
#define MODEL_PART_ENUM(e, key) PART_##e,
  MODEL_PARTS(MODEL_PART_ENUM)
#undef MODEL_PART_ENUM
  PART_COUNT
};
const char *model_part_name(enum model_part p);

/* Parameters by part. The embedding part holds what the LM head does not share (an untied
 * input table, learned positions); biases count with their matrices. */
struct model_params {
  uint64_t part[PART_COUNT];    /* all parameters */
  uint64_t active[PART_COUNT];  /* those one token uses: top_k of the routed experts */
  uint64_t matmul[PART_COUNT];  /* weights of the matmuls one token runs (no biases, norms,
                                   embedding lookup) */
  uint64_t total, active_total;
};
void model_params(const struct model_shape *m, struct model_params *p);

static inline int64_t model_moe_layers(const struct model_shape *m) {
  return m->experts ? m->layers - m->dense_layers : 0;
}
static inline bool model_is_mla(const struct model_shape *m) { return m->kv_lora_rank > 0; }

/* --- flags: each edits one field on top of the preset or config.
 * X(field, flag, metavar, minimum, help); --mlp and --tied-embeddings take words. */
#define MODEL_FLAGS(X)                                                                   \
  X(layers, "layers", "N", 1, "transformer layers")                                      \
  X(hidden, "hidden", "H", 1, "hidden size")                                             \
  X(heads, "heads", "N", 1, "attention (query) heads")                                   \
  X(kv_heads, "kv-heads", "N", 1, "key/value heads (GQA/MQA; default: heads)")           \
  X(head_dim, "head-dim", "D", 1, "head dimension (default: hidden/heads)")              \
  X(ffn, "ffn", "F", 1, "MLP intermediate size (dense layers)")                          \
  X(vocab, "vocab", "V", 1, "vocabulary size")                                           \
  X(gated_mlp, "mlp", "gated|plain", 0, "MLP kind: gated (SwiGLU, 3 matrices) or plain") \
  X(experts, "experts", "E", 0, "routed experts per MoE layer (0: dense)")              \
  X(top_k, "top-k", "K", 1, "routed experts each token runs")                            \
  X(moe_ffn, "moe-ffn", "F", 1, "intermediate size of one expert (default: --ffn)")      \
  X(shared_experts, "shared-experts", "N", 0, "shared experts of --moe-ffn each")        \
  X(shared_ffn, "shared-ffn", "F", 0, "total intermediate size of the shared experts")   \
  X(dense_layers, "dense-layers", "N", 0, "layers of an MoE model with a dense MLP")     \
  X(tied_embeddings, "tied-embeddings", "yes|no", 0, "LM head shares the embedding")     \
  X(window, "sliding-window", "W", 0, "sliding-window size in keys (0: none)")           \
  X(window_layers, "sliding-layers", "N", 0, "layers with the window (default: all)")

enum model_flag {
#define MODEL_FLAG_ENUM(field, flag, metavar, min, help) MODEL_FLAG_##field,
  MODEL_FLAGS(MODEL_FLAG_ENUM)
#undef MODEL_FLAG_ENUM
  MODEL_FLAG_COUNT
};

struct model_flag_info {
  const char *flag, *metavar, *help;
};
extern const struct model_flag_info model_flag_info[MODEL_FLAG_COUNT];

/* Values given on the command line, applied after the preset or config. */
struct model_overrides {
  bool set[MODEL_FLAG_COUNT];
  int64_t value[MODEL_FLAG_COUNT];
};

/* Parses `arg` for flag `f` into `o`; 0, or -1 with a message in err. */
int model_override_parse(struct model_overrides *o, enum model_flag f, const char *arg,
                         char *err, size_t errsz);
bool model_overrides_any(const struct model_overrides *o);
/* The seed convention's own inputs are layers, hidden and vocab (experts and top-k for an
 * MoE): for a model given by those alone, this fills in what the seed assumes of the rest
 * (multi-head attention, plain MLPs and experts of 4·hidden), where no flag says otherwise. */
void model_overrides_seed(struct model_overrides *o);

/* --- presets: published configs, built in. */
struct model_preset {
  const char *name;
  const char *source;  /* where the numbers come from: a Hugging Face repo id or a paper */
  struct model_shape m;
};
extern const struct model_preset model_presets[];
extern const size_t model_preset_count;
/* Other names that select a preset: models of the same shape (Llama-3.1-8B is Llama-3-8B's). */
struct model_preset_alias {
  const char *alias, *preset;
};
extern const struct model_preset_alias model_preset_aliases[];
extern const size_t model_preset_alias_count;
/* A preset by its name or an alias, in any letter case; NULL if none. */
const struct model_preset *model_preset_find(const char *name);

/* The model from a config.json path, a preset name, or neither (flags only), with the
 * overrides applied, defaults derived and every field checked. 0, or -1 with a message in
 * err that names the offending value and what to do about it. Warnings (an unknown
 * model_type) are added to `warnings` (may be NULL). */
int model_resolve(const char *config_path, const char *preset,
                  const struct model_overrides *o, struct model_shape *m,
                  struct mfu_strings *warnings, char *err, size_t errsz);

/* One line describing the architecture ("32 layers, hidden 4096, ..."). */
void model_describe(const struct model_shape *m, char *buf, size_t n);

#endif
