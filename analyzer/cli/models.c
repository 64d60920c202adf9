/* models: `mfu models [--json | --csv]`: the built-in model presets. */
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "model/model.h"
#include "model_view.h"
#include "report/table.h"

static const struct table_column csv_cols[] = {
    {"", "preset", 0},  {"", "kind", 0},     {"", "layers", 0},  {"", "hidden", 0},
    {"", "heads", 0},   {"", "kv_heads", 0}, {"", "head_dim", 0}, {"", "ffn", 0},
    {"", "vocab", 0},   {"", "experts", 0},  {"", "top_k", 0},   {"", "params", 0},
    {"", "params_active", 0}, {"", "source", 0}};

static void csv_row(struct table *t, const struct model_shape *m, const struct model_params *p,
                    const struct model_preset *pr) {
  table_str(t, pr->name);
  table_str(t, m->experts ? "moe" : "dense");
  const int64_t v[] = {m->layers, m->hidden, m->heads, m->kv_heads, m->head_dim, m->ffn, m->vocab,
                       m->experts, m->top_k};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) table_uint(t, (unsigned long long)v[i]);
  table_uint(t, (unsigned long long)p->total);
  table_uint(t, (unsigned long long)p->active_total);
  table_str(t, pr->source);
  table_end_row(t);
}

int cmd_models(int argc, char **argv) {
  bool json = false, csv = false;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--json")) {
      json = true;
    } else if (!strcmp(argv[i], "--csv")) {
      csv = true;
    } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: mfu models [--json | --csv]\n\nLists the built-in model presets for --preset, "
             "with their shapes, parameter counts and sources.\n\n"
             "  --json     one JSON object\n"
             "  --csv      the table as CSV (parameters as exact counts)\n\n"
             "Examples:\n"
             "  mfu models\n"
             "  mfu predict --preset llama-3-8b      # one preset in full\n"
             "\nExit status: 0, 2 for bad usage.\n");
      return 0;
    } else {
      fprintf(stderr, "mfu models: unexpected argument '%s'; usage: mfu models [--json | --csv]\n",
              argv[i]);
      return 2;
    }
  }
  if (json && csv) {
    fprintf(stderr, "mfu models: --json or --csv, not both\n");
    return 2;
  }
  json_t *all = json ? json_array() : NULL;
  struct table t;
  if (csv) table_begin(&t, stdout, true, NULL, NULL, csv_cols, sizeof csv_cols / sizeof csv_cols[0]);
  else if (!json)
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
    if (csv) {
      csv_row(&t, &m, &p, pr);
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
  if (csv) return 0;
  printf("\nexperts: top-k/routed. `mfu predict --preset NAME` shows one in full.\n");
  return 0;
}
