/* The FLOP conventions. Each fills the same per-part, per-pass table; sources:
 *   exact     every matmul of the architecture (this project's definition, docs/DESIGN.md)
 *   megatron  Megatron-LM megatron/training/training.py, num_floating_point_operations
 *   palm      Chowdhery et al. 2022, PaLM, Appendix B
 *   6n        Kaplan et al. 2020; Hoffmann et al. 2022 (Chinchilla)
 *   seed      the seed document, verbatim, errors included */
#include "formula.h"

#include <string.h>

static const char *const convention_names[] = {
#define CONVENTION_NAME(e, name, summary) name,
    CONVENTIONS(CONVENTION_NAME)
#undef CONVENTION_NAME
};
static const char *const convention_summaries[] = {
#define CONVENTION_SUMMARY(e, name, summary) summary,
    CONVENTIONS(CONVENTION_SUMMARY)
#undef CONVENTION_SUMMARY
};
static const char *const attention_names[] = {"causal", "full", NULL};
static const char *const recompute_names[] = {"none", "selective", "full", NULL};
static const char *const pass_names[] = {"forward", "backward", "recompute"};

static int lookup(const char *s, const char *const *names, int n) {
  for (int i = 0; i < n; i++)
    if (s && !strcmp(s, names[i])) return i;
  return -1;
}

const char *convention_name(enum convention c) { return c < CONV_COUNT ? convention_names[c] : "?"; }
const char *attention_name(enum attention a) { return attention_names[a]; }
const char *recompute_name(enum recompute r) { return recompute_names[r]; }
const char *pass_name(enum pass p) { return pass_names[p]; }
int convention_parse(const char *s) { return lookup(s, convention_names, CONV_COUNT); }
int attention_parse(const char *s) { return lookup(s, attention_names, 2); }
int recompute_parse(const char *s) { return lookup(s, recompute_names, 3); }

const char *convention_summary(enum convention c) {
  return c < CONV_COUNT ? convention_summaries[c] : "?";
}

/* Key positions each query attends to, summed over a sequence of s tokens. */
static double attended_pairs(int64_t s, int64_t window, enum attention a) {
  const double S = (double)s, W = (double)window;
  if (a == ATTENTION_FULL) return S * S;
  if (!window || window >= s) return S * (S + 1) / 2;
  return W * (W + 1) / 2 + (S - W) * W;  /* the first W fill up, the rest see W each */
}

static double qk_dim(const struct model_shape *m) {
  return (double)(model_is_mla(m) ? m->qk_nope_dim + m->qk_rope_dim : m->head_dim);
}
static double v_dim(const struct model_shape *m) {
  return (double)(model_is_mla(m) ? m->v_head_dim : m->head_dim);
}

/* Parts whose FLOPs are 2 per matmul weight per token. */
static const enum model_part linear_parts[] = {PART_QKV, PART_OUT_PROJ, PART_MLP, PART_ROUTER,
                                               PART_EXPERTS, PART_SHARED_EXPERTS, PART_LM_HEAD};
#define N_LINEAR (sizeof linear_parts / sizeof linear_parts[0])

/* exact: every matmul; the attention core over the pairs really attended, window by window. */
static void exact(const struct model_shape *m, const struct formula_work *w, const struct model_params *p,
                  double tokens, double f[PART_COUNT][PASS_COUNT]) {
  for (size_t i = 0; i < N_LINEAR; i++)
    f[linear_parts[i]][PASS_FORWARD] = 2 * tokens * (double)p->matmul[linear_parts[i]];
  const double windowed = (double)m->window_layers, plain = (double)(m->layers - m->window_layers);
  const double pairs = (double)w->batch * (windowed * attended_pairs(w->seq, m->window, w->attention) +
                                           plain * attended_pairs(w->seq, 0, w->attention));
  f[PART_SCORES][PASS_FORWARD] = 2 * pairs * (double)m->heads * qk_dim(m);
  f[PART_ATTN_V][PASS_FORWARD] = 2 * pairs * (double)m->heads * v_dim(m);
  for (int i = 0; i < PART_COUNT; i++) f[i][PASS_BACKWARD] = 2 * f[i][PASS_FORWARD];
}

/* megatron: Megatron-LM's formula, term for term. It halves the s^2 core for causal masks
 * (s/2 pairs per query, not (s+1)/2), ignores windows and the router, and for latent
 * attention counts the two latent norms as one FLOP per element. */
static void megatron(const struct model_shape *m, const struct formula_work *w, const struct model_params *p,
                     double tokens, double f[PART_COUNT][PASS_COUNT]) {
  for (size_t i = 0; i < N_LINEAR; i++)
    if (linear_parts[i] != PART_ROUTER)
      f[linear_parts[i]][PASS_FORWARD] = 2 * tokens * (double)p->matmul[linear_parts[i]];
  if (model_is_mla(m))
    f[PART_QKV][PASS_FORWARD] += 2 * tokens * (double)(m->layers * (m->q_lora_rank + m->kv_lora_rank));
  const double keys = w->attention == ATTENTION_CAUSAL ? (double)w->seq / 2 : (double)w->seq;
  const double per_dim = 2 * tokens * keys * (double)(m->layers * m->heads);
  f[PART_SCORES][PASS_FORWARD] = per_dim * qk_dim(m);
  f[PART_ATTN_V][PASS_FORWARD] = per_dim * v_dim(m);
  for (int i = 0; i < PART_COUNT; i++) f[i][PASS_BACKWARD] = 2 * f[i][PASS_FORWARD];
}

/* 6n, and palm's 6N part: 6 FLOPs per parameter per token (2 forward, 4 backward), with
 * the parameters one token uses; palm adds 12·L·H·Q·T, the full s^2 attention core. */
static void six_n(const struct model_shape *m, const struct formula_work *w, const struct model_params *p,
                  double tokens, bool palm, double f[PART_COUNT][PASS_COUNT]) {
  for (int i = 0; i < PART_COUNT; i++) {
    f[i][PASS_FORWARD] = 2 * tokens * (double)p->active[i];
    f[i][PASS_BACKWARD] = 4 * tokens * (double)p->active[i];
  }
  if (palm) {
    const double per_dim = 2 * tokens * (double)(m->layers * m->heads) * (double)w->seq;
    f[PART_SCORES][PASS_FORWARD] = per_dim * qk_dim(m);
    f[PART_ATTN_V][PASS_FORWARD] = per_dim * v_dim(m);
    f[PART_SCORES][PASS_BACKWARD] = 2 * f[PART_SCORES][PASS_FORWARD];
    f[PART_ATTN_V][PASS_BACKWARD] = 2 * f[PART_ATTN_V][PASS_FORWARD];
  }
}

/* seed: compute_dense_flops and compute_moe_flops of the seed, verbatim. It knows L, h, V,
 * E_total and E_active only: multi-head attention and a plain 4h MLP, with only QK^T in the
 * core. Its MoE variant keeps the whole dense 72·L·B·s·h² and adds the expert and router
 * terms without the backward factor 3; those two are put in the forward column. */
static void seed(const struct model_shape *m, const struct formula_work *w, double tokens,
                 double f[PART_COUNT][PASS_COUNT]) {
  const double L = (double)m->layers, h = (double)m->hidden, V = (double)m->vocab;
  const double B = (double)w->batch, s = (double)w->seq;
  f[PART_QKV][PASS_FORWARD] = L * 6 * tokens * h * h;
  f[PART_SCORES][PASS_FORWARD] = L * 2 * B * s * s * h;
  f[PART_OUT_PROJ][PASS_FORWARD] = L * 2 * tokens * h * h;
  f[PART_MLP][PASS_FORWARD] = L * 16 * tokens * h * h;
  f[PART_LM_HEAD][PASS_FORWARD] = 2 * tokens * h * V;
  for (int i = 0; i < PART_COUNT; i++) f[i][PASS_BACKWARD] = 2 * f[i][PASS_FORWARD];
  if (m->experts) {
    const double E = (double)m->experts, k = (double)m->top_k;
    f[PART_EXPERTS][PASS_FORWARD] = 16 * L * tokens * h * h * (k / E);
    f[PART_ROUTER][PASS_FORWARD] = 2 * L * tokens * h * E;
  }
}

/* Recomputed forward work, counted in hardware FLOPs only. */
static void recompute(enum convention c, enum recompute r, double f[PART_COUNT][PASS_COUNT]) {
  if (r == RECOMPUTE_NONE || c == CONV_PALM || c == CONV_SIX_N || c == CONV_SEED) return;
  if (r == RECOMPUTE_SELECTIVE) {
    /* The attention core again. Megatron counts it as Korthikanti et al. 2022 do, forward and
     * backward (HFU 72·B·L·s·h²·(1 + s/3h + V/12hL)); exact counts the one extra forward. */
    for (int i = PART_SCORES; i <= PART_ATTN_V; i++)
      f[i][PASS_RECOMPUTE] = f[i][PASS_FORWARD] + (c == CONV_MEGATRON ? f[i][PASS_BACKWARD] : 0);
    return;
  }
  /* Full: one more forward of every layer, not of the LM head (Narayanan et al. 2021,
   * 96·B·s·L·h²·(1 + s/6h + V/16hL)). */
  for (int i = 0; i < PART_COUNT; i++)
    if (i != PART_LM_HEAD) f[i][PASS_RECOMPUTE] = f[i][PASS_FORWARD];
}

void formula_flops(const struct model_shape *m, const struct formula_work *w, enum convention c,
                   struct flops *out) {
  memset(out, 0, sizeof *out);
  struct model_params p;
  model_params(m, &p);
  const double tokens = (double)w->batch * (double)w->seq;
  switch (c) {
  case CONV_EXACT: exact(m, w, &p, tokens, out->part); break;
  case CONV_MEGATRON: megatron(m, w, &p, tokens, out->part); break;
  case CONV_PALM: six_n(m, w, &p, tokens, true, out->part); break;
  case CONV_SIX_N: six_n(m, w, &p, tokens, false, out->part); break;
  case CONV_SEED: seed(m, w, tokens, out->part); break;
  case CONV_COUNT: break;
  }
  recompute(c, w->recompute, out->part);
  for (int i = 0; i < PART_COUNT; i++) {
    out->model += out->part[i][PASS_FORWARD] + out->part[i][PASS_BACKWARD];
    out->hardware += out->part[i][PASS_RECOMPUTE];
  }
  out->hardware += out->model;
  out->per_token = out->model / tokens;
}

/* ------------------------------------------------------------------ the seed's errors */

size_t formula_seed_walk(const struct model_shape *m, const struct formula_work *w,
                         struct seed_step out[SEED_STEPS_MAX]) {
  const double L = (double)m->layers, h = (double)m->hidden;
  const double B = (double)w->batch, s = (double)w->seq, T = B * s;
  size_t n = 0;
#define STEP(text, value) (out[n++] = (struct seed_step){text, value})
  STEP("1. the attention core counts QK^T only; attention*V costs as much again",
       6 * L * B * s * s * h);
  if (m->experts) {
    const double E = (double)m->experts, k = (double)m->top_k;
    STEP("2. the dense MLP inside 72*L*B*s*h^2 is counted on top of the experts",
         -48 * L * T * h * h);
    STEP("3. the expert and router terms miss the backward factor 3",
         2 * (16 * L * T * h * h * (k / E) + 2 * L * T * h * E));
    STEP("4. each token runs top-k whole experts, not E_active/E_total of one MLP",
         48 * L * T * h * h * (k - k / E));
  }
  /* What remains is Megatron's 2021 formula for the seed's assumptions (multi-head
   * attention, plain 4h MLPs, full attention); the architecture and the mask do the rest. */
  struct flops seed, full, chosen;
  struct formula_work wf = *w;
  wf.attention = ATTENTION_FULL;
  wf.recompute = RECOMPUTE_NONE;
  formula_flops(m, w, CONV_SEED, &seed);
  formula_flops(m, &wf, CONV_EXACT, &full);
  double corrected = seed.model;
  for (size_t i = 0; i < n; i++) corrected += out[i].delta;
  double arch = full.model - corrected;
  if (arch > 1e-12 * full.model || arch < -1e-12 * full.model)
    STEP("the architecture the seed ignores: kv heads, head dim, MLP kind and size, expert "
         "sizes, shared experts, dense layers, latent attention, router", arch);
  if (w->attention == ATTENTION_CAUSAL) {
    struct formula_work wc = wf;
    wc.attention = ATTENTION_CAUSAL;
    formula_flops(m, &wc, CONV_EXACT, &chosen);
    STEP("causal masking: only the attended (query, key) pairs, windows included",
         chosen.model - full.model);
  }
#undef STEP
  return n;
}
