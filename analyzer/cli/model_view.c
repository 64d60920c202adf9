/* model_view: see model_view.h. */
#include "model_view.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* 8030261248 -> "8.03B" */
const char *model_view_params(uint64_t n, char *buf, size_t size) {
  static const struct { double scale; const char *suffix; } units[] = {
      {1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}};
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if ((double)n >= units[i].scale) {
      snprintf(buf, size, "%.2f%s", (double)n / units[i].scale, units[i].suffix);
      return buf;
    }
  snprintf(buf, size, "%" PRIu64, n);
  return buf;
}

json_t *model_view_json(const struct model_shape *m, const char *source) {
  json_t *j = json_pack("{s:s, s:s, s:s, s:b}", "name", m->name, "source", source, "mlp",
                        m->gated_mlp ? "gated" : "plain", "tied_embeddings", m->tied_embeddings);
  const struct { const char *key; int64_t v; } sizes[] = {
      {"layers", m->layers}, {"hidden", m->hidden}, {"heads", m->heads},
      {"kv_heads", m->kv_heads}, {"head_dim", m->head_dim}, {"ffn", m->ffn},
      {"vocab", m->vocab}, {"experts", m->experts}, {"top_k", m->top_k},
      {"moe_ffn", m->moe_ffn}, {"shared_experts", m->shared_experts},
      {"shared_ffn", m->shared_ffn}, {"moe_layers", model_moe_layers(m)},
      {"dense_layers", m->layers - model_moe_layers(m)}, {"q_lora_rank", m->q_lora_rank},
      {"kv_lora_rank", m->kv_lora_rank}, {"qk_nope_head_dim", m->qk_nope_dim},
      {"qk_rope_head_dim", m->qk_rope_dim}, {"v_head_dim", m->v_head_dim},
      {"sliding_window", m->window}, {"sliding_layers", m->window_layers}};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    json_object_set_new(j, sizes[i].key, json_integer((json_int_t)sizes[i].v));
  return j;
}

int cli_json_print(const char *cmd, json_t *j) {
  char *text = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
  json_decref(j);
  if (!text) {
    fprintf(stderr, "%s: out of memory\n", cmd);
    return 1;
  }
  puts(text);
  free(text);
  return 0;
}
