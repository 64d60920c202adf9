/* Predicted FLOPs of one training step of a model, under the conventions the field uses,
 * part by part (QKV, attention scores, attention·V, output projection, MLP, router,
 * experts, shared experts, LM head) and pass by pass (forward, backward, recomputation).
 * FLOPs are doubles: they are predictions, and exceed 2^53 for large jobs. */
#ifndef MFU_FORMULA_H
#define MFU_FORMULA_H

#include "model.h"

/* X(enum suffix, name, what it counts) */
#define CONVENTIONS(X)                                                                           \
  X(EXACT, "exact", "every matmul of the architecture; causal attention as attended pairs; "     \
                    "router counted")                                                            \
  X(MEGATRON, "megatron", "Megatron-LM num_floating_point_operations: causal s/2 (full: its "    \
                          "2021-2024 form); no router")                                          \
  X(PALM, "palm", "PaLM App. B: 6N + 12*L*H*Q*T per token, N = all (active) parameters; full "   \
                  "attention")                                                                   \
  X(SIX_N, "6n", "6N per token (Kaplan, Chinchilla), N = all (active) parameters; no attention " \
                 "term")                                                                         \
  X(SEED, "seed", "the seed's formulas verbatim, its errors included")

enum convention {
#define CONVENTION_ENUM(e, name, summary) CONV_##e,
  CONVENTIONS(CONVENTION_ENUM)
#undef CONVENTION_ENUM
  CONV_COUNT
};

enum attention { ATTENTION_CAUSAL, ATTENTION_FULL };
enum recompute { RECOMPUTE_NONE, RECOMPUTE_SELECTIVE, RECOMPUTE_FULL };
enum pass { PASS_FORWARD, PASS_BACKWARD, PASS_RECOMPUTE, PASS_COUNT };

const char *convention_name(enum convention c);
const char *convention_summary(enum convention c);  /* one line: what it counts, its source */
const char *attention_name(enum attention a);
const char *recompute_name(enum recompute r);
const char *pass_name(enum pass p);
/* Name to value, or -1. */
int convention_parse(const char *s);
int attention_parse(const char *s);
int recompute_parse(const char *s);

/* One training step: `batch` sequences of `seq` tokens (across all devices). */
struct formula_work {
  int64_t batch, seq;
  enum attention attention;  /* causal: each query attends to its prefix; full: to all s keys */
  enum recompute recompute;  /* activation recomputation, counted in hardware FLOPs only */
};

struct flops {
  double part[PART_COUNT][PASS_COUNT];  /* per step */
  double model;      /* forward + backward: the numerator of MFU */
  double hardware;   /* model + recompute: the numerator of HFU */
  double per_token;  /* model / (batch · seq) */
};

void formula_flops(const struct model_shape *m, const struct formula_work *w, enum convention c,
                   struct flops *out);

/* The seed's errors, quantified: from the seed's number to exact's, one correction at a
 * time (docs/DESIGN.md lists the errors). Only corrections that change the number are listed. */
struct seed_step {
  const char *what;
  double delta;  /* FLOPs per step this correction adds (negative: removes) */
};
#define SEED_STEPS_MAX 8
size_t formula_seed_walk(const struct model_shape *m, const struct formula_work *w,
                         struct seed_step out[SEED_STEPS_MAX]);

#endif
