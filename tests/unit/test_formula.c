/* FLOP conventions against published numbers and hand derivations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/formula.h"
#include "model/model.h"

#define assert_near(actual, expected, tol)                                                   \
  do {                                                                                       \
    double a_ = (double)(actual), e_ = (double)(expected), t_ = (tol);                       \
    if (!(fabs(a_ - e_) <= t_)) fail_msg("%s = %.15g, expected %.15g +- %.3g", #actual, a_, e_, t_); \
  } while (0)
/* Equal but for rounding: the conventions multiply the same factors in different orders. */
#define assert_same(actual, expected) assert_near(actual, expected, 1e-12 * fabs((double)(expected)))

static struct model_shape preset(const char *name, const char *const flags[][2]) {
  struct model_overrides o = {0};
  char err[512];
  for (int i = 0; flags && flags[i][0]; i++) {
    int f = 0;
    while (f < MODEL_FLAG_COUNT && strcmp(model_flag_info[f].flag, flags[i][0])) f++;
    if (f == MODEL_FLAG_COUNT || model_override_parse(&o, (enum model_flag)f, flags[i][1], err, sizeof err))
      fail_msg("flag --%s %s", flags[i][0], flags[i][1]);
  }
  struct model_shape m;
  if (model_resolve(NULL, name, &o, &m, NULL, err, sizeof err)) fail_msg("%s", err);
  return m;
}

static struct flops run(const struct model_shape *m, int64_t batch, int64_t seq, enum convention c,
                        enum attention a, enum recompute r) {
  struct formula_work w = {batch, seq, a, r};
  struct flops f;
  formula_flops(m, &w, c, &f);
  return f;
}

#define FWD(f, name) ((f).part[PART_##name][PASS_FORWARD])
#define REC(f, name) ((f).part[PART_##name][PASS_RECOMPUTE])

/* ------------------------------------------------------------------ the seed */

/* The seed's own numbers: B=4, s=512, A100 at 312 TFLOP/s, 0.5 s dense and 0.3 s MoE
 * iterations; its MoE is 8 experts with 2 active. Exact values from its Python. */
static void test_seed_reproduces_its_numbers(void **state) {
  (void)state;
  static const char *const moe[][2] = {{"experts", "8"}, {"top-k", "2"}, {NULL}};
  struct model_shape ds = preset("deepseek-llm-7b", NULL), qw = preset("seed-qwen3-7b", NULL);
  struct model_shape ds_moe = preset("deepseek-llm-7b", moe), qw_moe = preset("seed-qwen3-7b", moe);
  struct flops f[4] = {
      run(&ds, 4, 512, CONV_SEED, ATTENTION_CAUSAL, RECOMPUTE_NONE),
      run(&qw, 4, 512, CONV_SEED, ATTENTION_CAUSAL, RECOMPUTE_NONE),
      run(&ds_moe, 4, 512, CONV_SEED, ATTENTION_CAUSAL, RECOMPUTE_NONE),
      run(&qw_moe, 4, 512, CONV_SEED, ATTENTION_CAUSAL, RECOMPUTE_NONE),
  };
  static const double printed[] = {80.14, 165.47, 84.27, 174.06};  /* TFLOPs per iteration */
  static const double exact[] = {80144089743360.0, 165466299432960.0, 84271284879360.0,
                                 174062944911360.0};
  for (int i = 0; i < 4; i++) {
    assert_near(f[i].model / 1e12, printed[i], 0.005);
    assert_same(f[i].model, exact[i]);
    assert_same(f[i].hardware, f[i].model);
  }
  assert_near(100 * f[0].model / 0.5 / 312e12, 51.37, 0.005);
  assert_near(100 * f[2].model / 0.3 / 312e12, 90.03, 0.005);
  /* Error 5: the seed's MoE costs more than its dense model. */
  assert_true(f[2].model > f[0].model);
}

/* From the seed's number to exact's: the corrections add up, and only those that apply. */
static void test_seed_walk_adds_up(void **state) {
  (void)state;
  static const char *const gpt[][2] = {{"layers", "24"}, {"hidden", "2048"}, {"heads", "16"},
                                       {"ffn", "8192"}, {"vocab", "50304"}, {"mlp", "plain"}, {NULL}};
  struct model_shape models[] = {preset(NULL, gpt), preset("llama-3-8b", NULL),
                           preset("mixtral-8x7b", NULL), preset("deepseek-v3", NULL)};
  for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
    for (int a = ATTENTION_CAUSAL; a <= ATTENTION_FULL; a++) {
      struct formula_work w = {2, 4096, (enum attention)a, RECOMPUTE_SELECTIVE};
      struct seed_step steps[SEED_STEPS_MAX];
      size_t n = formula_seed_walk(&models[i], &w, steps);
      struct flops seed, exact;
      formula_flops(&models[i], &w, CONV_SEED, &seed);
      formula_flops(&models[i], &w, CONV_EXACT, &exact);
      double sum = seed.model;
      for (size_t j = 0; j < n; j++) sum += steps[j].delta;
      assert_same(sum, exact.model);
      /* errors 1 (all), 2-4 (MoE), architecture (not for the GPT shape), causal mask */
      size_t want = 1 + (models[i].experts ? 3 : 0) + (i > 0) + (a == ATTENTION_CAUSAL);
      assert_int_equal(n, want);
    }
}

/* ------------------------------------------------------------------ published MFUs */

/* Korthikanti et al. 2022, Table: GPT 175B (L=96, h=12288, 96 heads, s=2048, V=51200) on 64
 * A100s, global batch 64, 13.75 s per iteration: MFU 51.4%, HFU 52.8% (selective recompute). */
static void test_megatron_reproduces_korthikanti(void **state) {
  (void)state;
  static const char *const v51200[][2] = {{"vocab", "51200"}, {NULL}};
  struct model_shape m = preset("gpt3-175b", v51200);
  struct flops f = run(&m, 64, 2048, CONV_MEGATRON, ATTENTION_FULL, RECOMPUTE_SELECTIVE);
  const double B = 64, L = 96, s = 2048, h = 12288, V = 51200;
  assert_same(f.model, 72 * B * L * s * h * h * (1 + s / (6 * h) + V / (12 * h * L)));
  assert_same(f.hardware, 72 * B * L * s * h * h * (1 + s / (3 * h) + V / (12 * h * L)));
  const double peak = 64 * 312e12 * 13.75;
  assert_near(100 * f.model / peak, 51.4, 0.05);
  assert_near(100 * f.hardware / peak, 52.8, 0.05);
  /* Narayanan et al. 2021, eq. 3: full recomputation, 96·B·s·L·h²·(1 + s/6h + V/16hL). */
  f = run(&m, 64, 2048, CONV_MEGATRON, ATTENTION_FULL, RECOMPUTE_FULL);
  assert_same(f.hardware, 96 * B * s * L * h * h * (1 + s / (6 * h) + V / (16 * h * L)));
}

/* PaLM (Chowdhery et al. 2022, App. B): 540B on 6144 TPU v4 chips (275 TFLOP/s bf16) at
 * 238.3K tokens/s: MFU 46.2% with the attention term, 45.7% with 6N alone. */
static void test_palm_reproduces_palm(void **state) {
  (void)state;
  struct model_shape m = preset("palm-540b", NULL);
  struct model_params p;
  model_params(&m, &p);
  struct flops palm = run(&m, 1, 2048, CONV_PALM, ATTENTION_CAUSAL, RECOMPUTE_NONE);
  struct flops six = run(&m, 1, 2048, CONV_SIX_N, ATTENTION_CAUSAL, RECOMPUTE_NONE);
  const double N = (double)p.total, LHQT = 118.0 * 48 * 256 * 2048;
  assert_same(palm.per_token, 6 * N + 12 * LHQT);
  assert_same(six.per_token, 6 * N);
  const double peak = 6144 * 275e12;
  assert_near(100 * palm.per_token * 238.3e3 / peak, 46.2, 0.05);
  assert_near(100 * six.per_token * 238.3e3 / peak, 45.7, 0.05);
  /* and with PaLM's own N = 540.35e9 */
  assert_near(100 * (6 * 540.35e9 + 12 * LHQT) * 238.3e3 / peak, 46.2, 0.05);
}

/* ------------------------------------------------------------------ exact */

/* A GPT-style model (plain 4h MLP, multi-head attention, untied head) with full attention:
 * exact and Megatron count the same matmuls, term by term. */
static void test_exact_equals_megatron_for_gpt(void **state) {
  (void)state;
  static const char *const gpt[][2] = {{"layers", "24"}, {"hidden", "2048"}, {"heads", "16"},
                                       {"ffn", "8192"}, {"vocab", "50304"}, {"mlp", "plain"}, {NULL}};
  struct model_shape m = preset(NULL, gpt);
  for (int r = RECOMPUTE_NONE; r <= RECOMPUTE_FULL; r += 2) {  /* none, full */
    struct flops e = run(&m, 8, 2048, CONV_EXACT, ATTENTION_FULL, (enum recompute)r);
    struct flops g = run(&m, 8, 2048, CONV_MEGATRON, ATTENTION_FULL, (enum recompute)r);
    for (int i = 0; i < PART_COUNT; i++)
      for (int p = 0; p < PASS_COUNT; p++) assert_same(e.part[i][p], g.part[i][p]);
    assert_same(e.model, g.model);
    assert_same(e.hardware, g.hardware);
  }
  /* ...and both are Megatron's 2021 closed form 72·B·s·L·h²·(1 + s/6h + V/12hL). */
  struct flops e = run(&m, 8, 2048, CONV_EXACT, ATTENTION_FULL, RECOMPUTE_NONE);
  const double B = 8, s = 2048, L = 24, h = 2048, V = 50304;
  assert_same(e.model, 72 * B * s * L * h * h * (1 + s / (6 * h) + V / (12 * h * L)));
}

/* Llama-3-8B (GQA 32/8 heads of 128, SwiGLU 14336, untied V=128256), batch 2 x 4096,
 * causal: every term derived by hand. */
static void test_exact_llama3_8b_by_hand(void **state) {
  (void)state;
  struct model_shape m = preset("llama-3-8b", NULL);
  struct flops f = run(&m, 2, 4096, CONV_EXACT, ATTENTION_CAUSAL, RECOMPUTE_NONE);
  /* qkv: 2 · tokens 8192 · 32 layers · 4096 · (32·128 + 2·8·128) */
  assert_same(FWD(f, QKV), 13194139533312.0);
  /* scores: 2 · batch 2 · 32 layers · 32 heads · 128 · 4096·4097/2 attended pairs */
  assert_same(FWD(f, SCORES), 4399120252928.0);
  assert_same(FWD(f, ATTN_V), 4399120252928.0);
  /* out: 2 · 8192 · 32 · 4096 · 4096 */
  assert_same(FWD(f, OUT_PROJ), 8796093022208.0);
  /* mlp: 2 · 8192 · 32 · 3 matrices · 4096 · 14336 */
  assert_same(FWD(f, MLP), 92358976733184.0);
  /* lm head: 2 · 8192 · 4096 · 128256 */
  assert_same(FWD(f, LM_HEAD), 8607114461184.0);
  assert_true(FWD(f, ROUTER) == 0 && FWD(f, EXPERTS) == 0 && FWD(f, SHARED_EXPERTS) == 0);
  assert_true(FWD(f, EMBEDDING) == 0 && FWD(f, NORMS) == 0);  /* lookups and norms: no matmul */
  double fwd = 0;
  for (int i = 0; i < PART_COUNT; i++) {
    assert_same(f.part[i][PASS_BACKWARD], 2 * f.part[i][PASS_FORWARD]);
    assert_true(f.part[i][PASS_RECOMPUTE] == 0);
    fwd += f.part[i][PASS_FORWARD];
  }
  assert_same(f.model, 3 * fwd);
  assert_same(f.per_token, f.model / 8192);
  assert_same(f.hardware, f.model);

  /* Full attention counts s² pairs: QK^T and AV grow by 2·4096/4097. */
  struct flops full = run(&m, 2, 4096, CONV_EXACT, ATTENTION_FULL, RECOMPUTE_NONE);
  assert_same(FWD(full, SCORES), FWD(f, SCORES) * 2 * 4096 / 4097);

  /* Selective recomputation: the attention core's forward again; full: every layer's. */
  struct flops sel = run(&m, 2, 4096, CONV_EXACT, ATTENTION_CAUSAL, RECOMPUTE_SELECTIVE);
  assert_same(sel.model, f.model);
  assert_same(sel.hardware - sel.model, FWD(f, SCORES) + FWD(f, ATTN_V));
  struct flops all = run(&m, 2, 4096, CONV_EXACT, ATTENTION_CAUSAL, RECOMPUTE_FULL);
  assert_same(all.hardware - all.model, fwd - FWD(f, LM_HEAD));
  assert_true(REC(all, LM_HEAD) == 0);
}

/* An MoE with shared experts and dense-first layers: 6 layers (2 dense), hidden 1024,
 * 16 heads / 4 KV of 64, dense SwiGLU 4096, 16 routed experts of 512 (top 2), 2 shared,
 * vocab 32000; batch 4 x 1024. */
static void test_exact_moe_by_hand(void **state) {
  (void)state;
  static const char *const moe[][2] = {
      {"layers", "6"}, {"hidden", "1024"}, {"heads", "16"}, {"kv-heads", "4"},
      {"ffn", "4096"}, {"vocab", "32000"}, {"experts", "16"}, {"top-k", "2"},
      {"moe-ffn", "512"}, {"shared-experts", "2"}, {"dense-layers", "2"}, {NULL}};
  struct model_shape m = preset(NULL, moe);
  struct flops f = run(&m, 4, 1024, CONV_EXACT, ATTENTION_CAUSAL, RECOMPUTE_NONE);
  assert_same(FWD(f, QKV), 77309411328.0);       /* 2·4096·6·1024·(16·64 + 2·4·64) */
  assert_same(FWD(f, SCORES), 25794969600.0);    /* 2·4·6·16·64·1024·1025/2 */
  assert_same(FWD(f, ATTN_V), 25794969600.0);
  assert_same(FWD(f, OUT_PROJ), 51539607552.0);  /* 2·4096·6·1024·1024 */
  assert_same(FWD(f, MLP), 206158430208.0);      /* 2·4096·2 dense layers·3·1024·4096 */
  assert_same(FWD(f, ROUTER), 536870912.0);      /* 2·4096·4 MoE layers·1024·16 */
  assert_same(FWD(f, EXPERTS), 103079215104.0);  /* 2·4096·4·2 experts·3·1024·512 */
  assert_same(FWD(f, SHARED_EXPERTS), 103079215104.0);  /* 2·4096·4·3·1024·(2·512) */
  assert_same(FWD(f, LM_HEAD), 268435456000.0);  /* 2·4096·1024·32000 */
  struct model_params p;
  model_params(&m, &p);
  assert_int_equal(p.total, 219755520);
  assert_int_equal(p.active_total, 131675136);

  /* Megatron: the same but for the router it does not count and its s/2 causal halving. */
  struct flops g = run(&m, 4, 1024, CONV_MEGATRON, ATTENTION_CAUSAL, RECOMPUTE_NONE);
  assert_true(FWD(g, ROUTER) == 0);
  assert_same(FWD(g, SCORES), FWD(f, SCORES) * 1024 / 1025);
  assert_same(FWD(g, EXPERTS), FWD(f, EXPERTS));
  assert_same(FWD(g, SHARED_EXPERTS), FWD(f, SHARED_EXPERTS));
}

/* Megatron's formula as written in megatron/training/training.py, transcribed here on its
 * own, against the megatron convention: GQA + SwiGLU (Llama-3-8B) and MLA + MoE (DeepSeek-V3). */
static void test_megatron_matches_its_source(void **state) {
  (void)state;
  const double B = 4, s = 4096;
  {
    struct model_shape m = preset("llama-3-8b", NULL);
    const double L = 32, h = 4096, q = 128 * 32, kv = 128 * 8, f = 14336, V = 128256;
    double attn = 3 * 2 * (h * (q + kv + kv) + q * s / 2 * 2 + q * h);
    double total = B * s * (3 * 2 * h * (f * 3) * L + attn * L + 3 * 2 * h * V);
    assert_same(run(&m, 4, 4096, CONV_MEGATRON, ATTENTION_CAUSAL, RECOMPUTE_NONE).model, total);
  }
  {
    struct model_shape m = preset("deepseek-v3", NULL);
    const double L = 61, h = 7168, a = 128, nope = 128, rope = 64, v = 128, ql = 1536, kvl = 512;
    const double dense = 3, moe = 58, f = 18432, fm = 2048, k = 8, shared = 2048, V = 129280;
    double q_term = ql * (h + a * (nope + rope) + 1);
    double attn = 3 * 2 * (q_term + kvl * (h + a * (nope + v) + 1) + h * rope + a * v * h +
                           s * (a * (nope + rope)) / 2 + s * a * v / 2);
    double mlp = 3 * 2 * h * (f * 3 * dense + fm * k * 3 * moe + shared * 3 * moe);
    double total = B * s * (mlp + attn * L + 3 * 2 * h * V);
    assert_same(run(&m, 4, 4096, CONV_MEGATRON, ATTENTION_CAUSAL, RECOMPUTE_NONE).model, total);
    /* exact's latent-attention projections, per token and layer, by hand */
    struct flops e = run(&m, 4, 4096, CONV_EXACT, ATTENTION_CAUSAL, RECOMPUTE_NONE);
    assert_same(FWD(e, QKV), 2 * B * s * L * (7168.0 * 1536 + 1536.0 * 128 * 192 + 7168.0 * 576 +
                                              512.0 * 128 * 256));
    assert_same(FWD(e, OUT_PROJ), 2 * B * s * L * 128.0 * 128 * 7168);
    assert_same(FWD(e, SCORES), 2 * B * L * 128 * 192 * (s * (s + 1) / 2));
    assert_same(FWD(e, ATTN_V), 2 * B * L * 128 * 128 * (s * (s + 1) / 2));
  }
}

/* Sliding windows: the attended pairs, counted one by one. */
static void test_sliding_window_pairs(void **state) {
  (void)state;
  static const int seqs[] = {1, 5, 8, 100, 333};
  static const int windows[] = {1, 3, 8, 64, 200};
  for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++)
    for (size_t j = 0; j < sizeof windows / sizeof windows[0]; j++) {
      const int s = seqs[i], W = windows[j];
      double windowed = 0, causal = 0;
      for (int q = 0; q < s; q++)
        for (int k = 0; k <= q; k++) {
          causal += 1;
          windowed += q - k < W;
        }
      char w[16];
      snprintf(w, sizeof w, "%d", W);
      const char *const flags[][2] = {{"layers", "3"}, {"hidden", "64"}, {"heads", "4"},
                                      {"ffn", "128"}, {"vocab", "100"}, {"sliding-window", w},
                                      {"sliding-layers", "2"}, {NULL}};
      struct model_shape m = preset(NULL, flags);
      struct flops f = run(&m, 2, s, CONV_EXACT, ATTENTION_CAUSAL, RECOMPUTE_NONE);
      /* 2 FLOPs · batch 2 · 4 heads · 16 dims per pair; 2 windowed layers and 1 causal */
      assert_same(FWD(f, SCORES), 2.0 * 2 * 4 * 16 * (2 * windowed + causal));
      struct flops full = run(&m, 2, s, CONV_EXACT, ATTENTION_FULL, RECOMPUTE_NONE);
      assert_same(FWD(full, SCORES), 2.0 * 2 * 4 * 16 * 3 * s * s);
    }
}

/* ------------------------------------------------------------------ 6n, palm */

static void test_six_n_and_palm(void **state) {
  (void)state;
  struct model_shape m = preset("mixtral-8x7b", NULL);
  struct model_params p;
  model_params(&m, &p);
  const double tokens = 4.0 * 4096;
  struct flops six = run(&m, 4, 4096, CONV_SIX_N, ATTENTION_CAUSAL, RECOMPUTE_FULL);
  assert_same(six.model, 6 * (double)p.active_total * tokens);
  assert_same(six.hardware, six.model);  /* no recomputation in these conventions */
  assert_same(FWD(six, EXPERTS), 2 * (double)p.active[PART_EXPERTS] * tokens);
  struct flops palm = run(&m, 4, 4096, CONV_PALM, ATTENTION_CAUSAL, RECOMPUTE_NONE);
  assert_same(palm.model, six.model + 12.0 * 32 * 32 * 128 * 4096 * tokens);
}

static void test_names(void **state) {
  (void)state;
  static const char *const names[] = {"exact", "megatron", "palm", "6n", "seed"};
  for (int c = 0; c < CONV_COUNT; c++) {
    assert_string_equal(convention_name((enum convention)c), names[c]);
    assert_int_equal(convention_parse(names[c]), c);
    assert_true(strlen(convention_summary((enum convention)c)) > 10);
  }
  assert_int_equal(convention_parse("Exact"), -1);
  assert_int_equal(attention_parse("full"), ATTENTION_FULL);
  assert_int_equal(attention_parse("half"), -1);
  assert_int_equal(recompute_parse("selective"), RECOMPUTE_SELECTIVE);
  assert_int_equal(recompute_parse(""), -1);
  assert_string_equal(pass_name(PASS_RECOMPUTE), "recompute");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_seed_reproduces_its_numbers),
      cmocka_unit_test(test_seed_walk_adds_up),
      cmocka_unit_test(test_megatron_reproduces_korthikanti),
      cmocka_unit_test(test_palm_reproduces_palm),
      cmocka_unit_test(test_exact_equals_megatron_for_gpt),
      cmocka_unit_test(test_exact_llama3_8b_by_hand),
      cmocka_unit_test(test_exact_moe_by_hand),
      cmocka_unit_test(test_megatron_matches_its_source),
      cmocka_unit_test(test_sliding_window_pairs),
      cmocka_unit_test(test_six_n_and_palm),
      cmocka_unit_test(test_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
