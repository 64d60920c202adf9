/* models: `mfu models [--json]`: the built-in model presets. */
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "model/model.h"
#include "model_view.h"

int cmd_models(int argc, char **argv) {
  bool json = false;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--json")) {
      json = true;
    } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: mfu models [--json]\n\nLists the built-in model presets for --preset, with "
             "their shapes, parameter counts and sources.\n");
      return 0;
    } else {
      fprintf(stderr, "mfu models: unexpected argument '%s'; usage: mfu models [--json]\n", argv[i]);
      return 2;
    }
  }
  json_t *all = json ? json_array() : NULL;
  if (!json)
    printf("%-18s %-5s %6s %6s %5s %4s %8s %9s %9s  %s\n", "preset", "kind", "layers", "hidden",
           "heads", "kv", "experts", "params", "active", "source");
  for (size_t i = 0; i < model_preset_count; i++) {
    const struct model_preset *pr = &model_presets[i];
    char err[512];
    struct model_shape m;
    struct model_overrides none = {0};
    if (model_resolve(NULL, pr->name, &none, &m, NULL, err, sizeof err)) {
      fprintf(stderr, "mfu models: preset %s: %s\n", pr->name, err);
      return 1;
    }
    struct model_params p;
    model_params(&m, &p);
    if (json) {
      json_t *j = model_view_json(&m, pr->source);
      json_object_set_new(j, "params_total", json_integer((json_int_t)p.total));
      json_object_set_new(j, "params_active", json_integer((json_int_t)p.active_total));
      json_array_append_new(all, j);
      continue;
    }
    char experts[32] = "-", total[32], active[32];
    if (m.experts) snprintf(experts, sizeof experts, "%" PRId64 "/%" PRId64, m.top_k, m.experts);
    printf("%-18s %-5s %6" PRId64 " %6" PRId64 " %5" PRId64 " %4" PRId64 " %8s %9s %9s  %s\n",
           pr->name, m.experts ? "moe" : "dense", m.layers, m.hidden,
           m.heads, m.kv_heads, experts, model_view_params(p.total, total, sizeof total),
           model_view_params(p.active_total, active, sizeof active), pr->source);
  }
  if (json) return cli_json_print("mfu models", json_pack("{s:o}", "presets", all));
  printf("\nexperts: top-k/routed. `mfu predict --preset NAME` shows one in full.\n");
  return 0;
}
