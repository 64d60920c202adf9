/* Model shapes: parameter counts, command-line overrides, the checks every shape passes,
 * and resolving a shape from a preset (presets.c), a config.json (hf_config.c) or flags. */
#include "model.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf_config.h"
#include "util/errmsg.h"

/* The products of dimensions: a quadrillion parameters is far beyond any model. */
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

void model_params(const struct model_shape *m, struct model_params *p) {
  memset(p, 0, sizeof *p);
  const uint64_t L = (uint64_t)m->layers, h = (uint64_t)m->hidden;
  const uint64_t moe = (uint64_t)model_moe_layers(m), dense = L - moe;
  const uint64_t mats = m->gated_mlp ? 3 : 2, a = (uint64_t)m->heads;

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
    if (m->bias & BIAS_QKV) qkv_b = q + 2 * kv;
    out_w = q * h;
  }
  /* An MLP of intermediate size f: its matmul weights, and its biases if it has any. */
#define MLP_W(f) (mats * h * (uint64_t)(f))
#define MLP_B(f) (m->bias & BIAS_MLP ? (mats - 1) * (uint64_t)(f) + h : 0)
  const uint64_t E = (uint64_t)m->experts, k = (uint64_t)m->top_k;
  const uint64_t router_w = h * E + (m->shared_gate ? h : 0);
  const uint64_t router_b = m->bias & BIAS_ROUTER ? E : 0;
  const uint64_t V = (uint64_t)m->vocab;

  uint64_t *part = p->part, *mm = p->matmul;
  part[PART_EMBEDDING] = (m->tied_embeddings ? 0 : V * h) + (uint64_t)m->positions * h;
  part[PART_QKV] = L * (qkv_w + qkv_b);
  part[PART_OUT_PROJ] = L * (out_w + (m->bias & BIAS_OUT ? h : 0));
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
static void apply_overrides(struct model_shape *m, const struct model_overrides *o) {
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
      return errmsg(err, errsz, "--%s '%s': expected 'gated' (SwiGLU/GeGLU, 3 matrices) or "
                  "'plain' (2 matrices)", flag, arg ? arg : "");
    v = i;
  } else if (f == MODEL_FLAG_tied_embeddings) {
    static const char *const words[] = {"no", "yes", "false", "true", "0", "1", NULL};
    int i = arg ? word_index(arg, words) : 1;  /* the bare flag means yes */
    if (i < 0)
      return errmsg(err, errsz, "--%s '%s': expected yes or no", flag, arg);
    v = i % 2;
  } else {
    char *end;
    errno = 0;
    long long n = strtoll(arg, &end, 10);
    if (errno || end == arg || *end || n < flag_min[f] || n > MODEL_DIM_MAX)
      return errmsg(err, errsz, "--%s '%s': expected a whole number from %" PRId64 " to %" PRId64,
                  flag, arg, flag_min[f], MODEL_DIM_MAX);
    v = n;
  }
  o->set[f] = true;
  o->value[f] = v;
  return 0;
}

void model_overrides_seed(struct model_overrides *o) {
  if (!o->set[MODEL_FLAG_hidden]) return;  /* the usual message names what is missing */
  const int64_t h = o->value[MODEL_FLAG_hidden];
  const struct { enum model_flag f; int64_t v; } assumed[] = {
      {MODEL_FLAG_heads, h % 128 ? 1 : h / 128},  /* any count: multi-head, h/a each */
      {MODEL_FLAG_ffn, 4 * h},
      {MODEL_FLAG_gated_mlp, 0},  /* plain */
  };
  for (size_t i = 0; i < sizeof assumed / sizeof assumed[0]; i++)
    if (!o->set[assumed[i].f]) o->set[assumed[i].f] = true, o->value[assumed[i].f] = assumed[i].v;
}

bool model_overrides_any(const struct model_overrides *o) {
  for (int f = 0; f < MODEL_FLAG_COUNT; f++)
    if (o->set[f]) return true;
  return false;
}

/* ------------------------------------------------------------------ checks */

/* Fills the fields a config may leave out and checks that the whole makes sense. */
static int complete(struct model_shape *m, const struct model_overrides *o, char *err, size_t errsz) {
  const struct { int64_t value; enum model_flag flag; } required[] = {
      {m->layers, MODEL_FLAG_layers}, {m->hidden, MODEL_FLAG_hidden},
      {m->heads, MODEL_FLAG_heads}, {m->vocab, MODEL_FLAG_vocab}};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
    if (required[i].value <= 0)
      return errmsg(err, errsz, "no model given: pass --preset NAME (`mfu models` lists them), "
                  "--config config.json, or the shape (--layers --hidden --heads --ffn --vocab; "
                  "--%s is missing)", model_flag_info[required[i].flag].flag);
  if (!model_is_mla(m) && !m->head_dim) {
    if (m->hidden % m->heads)
      return errmsg(err, errsz, "heads %" PRId64 " does not divide hidden %" PRId64 ": give the head "
                  "size with --head-dim, or fix --heads", m->heads, m->hidden);
    m->head_dim = m->hidden / m->heads;
  }
  if (!m->kv_heads) m->kv_heads = m->heads;
  if (m->kv_heads > m->heads || m->heads % m->kv_heads)
    return errmsg(err, errsz, "kv-heads %" PRId64 " does not divide heads %" PRId64 ": each key/value "
                "head serves a whole group of query heads; fix --kv-heads or --heads",
                m->kv_heads, m->heads);

  if (!m->experts) {  /* dense: flags that only make sense for experts are mistakes */
    static const enum model_flag moe_flags[] = {MODEL_FLAG_top_k, MODEL_FLAG_moe_ffn,
                                                MODEL_FLAG_shared_experts, MODEL_FLAG_shared_ffn,
                                                MODEL_FLAG_dense_layers};
    for (size_t i = 0; i < sizeof moe_flags / sizeof moe_flags[0]; i++)
      if (o->set[moe_flags[i]])
        return errmsg(err, errsz, "--%s %" PRId64 " applies to a mixture of experts, but this model "
                    "has none: add --experts", model_flag_info[moe_flags[i]].flag,
                    o->value[moe_flags[i]]);
    m->top_k = m->moe_ffn = m->shared_experts = m->shared_ffn = m->dense_layers = 0;
    m->shared_gate = false;
  } else {
    if (m->top_k < 1 || m->top_k > m->experts)
      return errmsg(err, errsz, "top-k %" PRId64 " with %" PRId64 " experts: each token runs between "
                  "1 and all of the experts; fix --top-k or --experts", m->top_k, m->experts);
    if (!m->moe_ffn) m->moe_ffn = m->ffn;
    if (!m->moe_ffn)
      return errmsg(err, errsz, "the experts have no size: pass --moe-ffn (or --ffn)");
    if (!m->shared_ffn) m->shared_ffn = m->shared_experts * m->moe_ffn;
    if (m->dense_layers > m->layers)
      return errmsg(err, errsz, "dense-layers %" PRId64 " exceeds layers %" PRId64 "; fix "
                  "--dense-layers", m->dense_layers, m->layers);
  }
  if ((!m->experts || m->dense_layers) && !m->ffn)
    return errmsg(err, errsz, "the MLP has no size: pass --ffn (the intermediate size)");

  if (!m->window && o->set[MODEL_FLAG_window_layers] && o->value[MODEL_FLAG_window_layers])
    return errmsg(err, errsz, "--sliding-layers %" PRId64 " without a window: add --sliding-window",
                o->value[MODEL_FLAG_window_layers]);
  if (!m->window) m->window_layers = 0;
  else if (!m->window_layers) m->window_layers = m->layers;
  if (m->window_layers > m->layers)
    return errmsg(err, errsz, "sliding-layers %" PRId64 " exceeds layers %" PRId64 "; fix "
                "--sliding-layers", m->window_layers, m->layers);

  /* A generous size bound first, so that the exact counts cannot overflow. */
  double h = (double)m->hidden, f = (double)(m->ffn > m->moe_ffn ? m->ffn : m->moe_ffn);
  double attn = (double)m->heads * (double)(m->head_dim + m->qk_nope_dim + m->qk_rope_dim + m->v_head_dim) +
                (double)(m->q_lora_rank + m->kv_lora_rank);
  double mlp = f * (double)(1 + m->experts) + (double)m->shared_ffn;
  double bound = (double)m->layers * h * 4 * (attn + mlp) + h * (double)(2 * m->vocab + m->positions);
  if (bound > PARAMS_MAX)
    return errmsg(err, errsz, "about %.2g parameters: that is no real model; check the sizes "
                "(%" PRId64 " layers, hidden %" PRId64 ", ffn %" PRId64 ", %" PRId64 " experts)",
                bound, m->layers, m->hidden, m->ffn, m->experts);
  return 0;
}

/* The presets nearest to a mistyped name, as "a" or "a, b or c": by edit distance between
 * their letters and digits ("llama3-8b" is llama-3-8b, "gpt-2" gpt2), within a quarter of the
 * name (2 edits at least). Empty when nothing is that close. */
static void closest_presets(const char *name, char *out, size_t n) {
  char key[64], cand[64];
  mfu_squash(name, key, sizeof key);
  size_t limit = strlen(key) / 4 > 2 ? strlen(key) / 4 : 2, best = limit + 1, count = 0;
  out[0] = '\0';
  for (int pass = 0; pass < 2; pass++)  /* the best distance and its names, then them */
    for (size_t i = 0, shown = 0; i < model_preset_count; i++) {
      mfu_squash(model_presets[i].name, cand, sizeof cand);
      size_t d = mfu_edit_distance(key, cand);
      if (pass == 0 && d < best) best = d, count = 0;
      if (pass == 0 && d == best) count++;
      if (pass == 1 && d == best) {
        const char *sep = !shown ? "" : shown + 1 == count ? " or " : ", ";
        snprintf(out + strlen(out), n - strlen(out), "%s%s", sep, model_presets[i].name);
        shown++;
      }
    }
}

int model_resolve(const char *config_path, const char *preset, const struct model_overrides *o,
                  struct model_shape *m, struct mfu_strings *warnings, char *err, size_t errsz) {
  memset(m, 0, sizeof *m);
  if (config_path && preset)
    return errmsg(err, errsz, "--config %s and --preset %s both name a model; give one", config_path,
                preset);
  if (preset) {
    const struct model_preset *p = model_preset_find(preset);
    if (!p) {
      char near[160];
      closest_presets(preset, near, sizeof near);
      return errmsg(err, errsz, "unknown preset '%s'%s%s%s; `mfu models` lists them", preset,
                  near[0] ? " (did you mean " : "", near, near[0] ? "?)" : "");
    }
    *m = p->m;
    snprintf(m->name, sizeof m->name, "%s", p->name);
  } else if (config_path) {
    if (hf_config_load(config_path, o, m, warnings, err, errsz)) return -1;
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

void model_describe(const struct model_shape *m, char *buf, size_t n) {
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
