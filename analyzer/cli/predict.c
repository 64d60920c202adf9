/* predict: `mfu predict`: a model's FLOPs per step and per token, part by part, its
 * parameters, and, given a time and a peak, its MFU and HFU; `--compare` puts every
 * convention side by side and walks from the seed's number to exact's. */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "model/formula.h"
#include "model/hardware.h"
#include "model/model.h"
#include "model_view.h"
#include "options.h"
#include "report/table.h"

/* ------------------------------------------------------------------ formatting */

/* The SI prefix that suits a FLOP count: its scale and name ("T", 1e12). */
static double flop_unit(double v, const char **prefix) {
  static const struct { double scale; const char *prefix; } units[] = {
      {1e18, "E"}, {1e15, "P"}, {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (fabs(v) >= units[i].scale) {
      *prefix = units[i].prefix;
      return units[i].scale;
    }
  *prefix = "";
  return 1;
}

/* 8.0143e13 -> "80.144 TFLOP" */
static const char *flops_text(double v, char *buf, size_t size) {
  const char *prefix;
  double scale = flop_unit(v, &prefix);
  snprintf(buf, size, "%.3f %sFLOP", v / scale, prefix);
  return buf;
}

/* FLOPs as JSON: an exact integer while doubles hold one exactly, else a real. */
static json_t *json_flops(double v) {
  if (v == floor(v) && fabs(v) < 9007199254740992.0) return json_integer((json_int_t)v);
  return json_real(v);
}

static json_t *json_ratio(bool known, double v) { return known ? json_real(v) : json_null(); }

/* FLOPs (or a change of FLOPs) in CSV: every digit while it is a whole number. */
static void csv_flops(struct table *t, double v) {
  if (v == floor(v) && fabs(v) < 9.2e18) table_int(t, (long long)v);
  else table_num(t, v, 0);
}

/* ------------------------------------------------------------------ options */

struct predict_args {
  struct model_spec spec;
  int64_t gpus;
  double step_time, tokens_per_sec, tokens_per_sec_per_gpu;
  int times;  /* how many of the three were given */
  bool json, csv, compare, help;
};

enum { OPT_GPUS = 256, OPT_STEP_TIME, OPT_TPS, OPT_TPS_GPU, OPT_JSON, OPT_COMPARE, OPT_HELP,
       OPT_CSV };

static const struct option predict_options[] = {
    {"gpus", required_argument, NULL, OPT_GPUS},
    {"step-time", required_argument, NULL, OPT_STEP_TIME},
    {"tokens-per-sec", required_argument, NULL, OPT_TPS},
    {"tokens-per-sec-per-gpu", required_argument, NULL, OPT_TPS_GPU},
    {"json", no_argument, NULL, OPT_JSON},
    {"csv", no_argument, NULL, OPT_CSV},
    {"compare", no_argument, NULL, OPT_COMPARE},
    {"help", no_argument, NULL, OPT_HELP},
    {0}};

static int on_option(void *ctx, int id, const char *arg) {
  static const char cmd[] = "mfu predict";
  struct predict_args *a = ctx;
  switch (id) {
  case OPT_GPUS: return options_count(cmd, "gpus", arg, 1, INT32_MAX, &a->gpus);
  case OPT_STEP_TIME:
    a->times++;
    return options_positive(cmd, "step-time", arg, "seconds per step", &a->step_time);
  case OPT_TPS:
    a->times++;
    return options_positive(cmd, "tokens-per-sec", arg, "tokens/s of the whole job", &a->tokens_per_sec);
  case OPT_TPS_GPU:
    a->times++;
    return options_positive(cmd, "tokens-per-sec-per-gpu", arg, "tokens/s per device",
                           &a->tokens_per_sec_per_gpu);
  case OPT_JSON: a->json = true; return 0;
  case OPT_CSV: a->csv = true; return 0;
  case OPT_COMPARE: a->compare = true; return 0;
  case OPT_HELP: a->help = true; return 0;
  }
  return 2;
}

static void predict_help(void) {
  printf("usage: mfu predict MODEL [WORK] [TIME] [PEAK] [options]\n\n"
         "Predicted training FLOPs per step and per token, part by part (QKV, attention scores,\n"
         "attention*V, output projection, MLP or experts, router, shared experts, LM head;\n"
         "forward, backward, recompute), parameters, and with a time and a peak, MFU and HFU.\n\n");
  options_help(stdout);
  printf("time (one of):\n");
  options_help_line(stdout, "--step-time S", "seconds per step of the global batch on all --gpus");
  options_help_line(stdout, "--tokens-per-sec X", "tokens per second of the whole job");
  options_help_line(stdout, "--tokens-per-sec-per-gpu X", "tokens per second per device");
  options_help_line(stdout, "--gpus N", "devices the step runs on (default 1)");
  printf("output:\n");
  options_help_line(stdout, "--compare", "every convention side by side, and the seed's errors");
  options_help_line(stdout, "--json", "one JSON object");
  options_help_line(stdout, "--csv", "the tables as CSV, each after a '# NAME' line, FLOPs exact");
  printf("\nexample: mfu predict --preset llama-3-8b --batch 512 --seq 8192 --gpus 64 \\\n"
         "           --step-time 9.8 --device h100-sxm\n");
}

/* ------------------------------------------------------------------ the estimate */

/* Everything a report needs for one convention. */
struct estimate {
  enum convention convention;
  struct flops f;
  bool rated;          /* a time and a peak were given */
  double mfu, hfu;
  double tflops_per_gpu;  /* achieved model FLOP/s per device, when a time was given */
};

/* The job's throughput from whichever time was given; 0 when none was. */
static double tokens_per_sec(const struct predict_args *a) {
  double tokens = (double)a->spec.work.batch * (double)a->spec.work.seq;
  if (a->step_time > 0) return tokens / a->step_time;
  if (a->tokens_per_sec > 0) return a->tokens_per_sec;
  return a->tokens_per_sec_per_gpu * (double)a->gpus;
}

static void estimate(const struct model_shape *m, const struct predict_args *a, const struct hw_peak *pk,
                     enum convention c, struct estimate *e) {
  memset(e, 0, sizeof *e);
  e->convention = c;
  formula_flops(m, &a->spec.work, c, &e->f);
  double tps = tokens_per_sec(a), tokens = (double)a->spec.work.batch * (double)a->spec.work.seq;
  e->tflops_per_gpu = e->f.per_token * tps / (double)a->gpus / 1e12;
  if (tps > 0 && pk->tflops > 0) {
    e->rated = true;
    e->mfu = e->tflops_per_gpu / pk->tflops;
    e->hfu = e->f.hardware / tokens * tps / (double)a->gpus / 1e12 / pk->tflops;
  }
}

/* Where the model came from, for people. */
static void model_source(const struct model_spec *o, char *buf, size_t n) {
  const struct model_preset *p = o->preset ? model_preset_find(o->preset) : NULL;
  const char *edited = model_overrides_any(&o->overrides) ? "; edited by flags" : "";
  if (p)
    snprintf(buf, n, "preset, %s%s", p->source, edited);
  else if (o->config)
    snprintf(buf, n, "config %s%s", o->config, edited);
  else
    snprintf(buf, n, "command-line flags");
}

/* ------------------------------------------------------------------ JSON */

static json_t *breakdown_json(const struct flops *f) {
  json_t *b = json_object();
  for (int i = 0; i < PART_COUNT; i++) {
    json_t *row = json_object();
    for (int p = 0; p < PASS_COUNT; p++)
      json_object_set_new(row, pass_name((enum pass)p), json_flops(f->part[i][p]));
    json_object_set_new(b, model_part_name((enum model_part)i), row);
  }
  return b;
}

static json_t *estimate_json(const struct estimate *e) {
  json_t *j = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "convention", convention_name(e->convention),
                        "flops_per_step", json_flops(e->f.model), "flops_per_token",
                        json_flops(e->f.per_token), "hardware_flops_per_step",
                        json_flops(e->f.hardware), "mfu", json_ratio(e->rated, e->mfu), "hfu",
                        json_ratio(e->rated, e->hfu));
  json_object_set_new(j, "breakdown", breakdown_json(&e->f));
  return j;
}

static json_t *common_json(const struct model_shape *m, const struct predict_args *a,
                           const struct hw_peak *pk) {
  char source[256];
  model_source(&a->spec, source, sizeof source);
  struct model_params p;
  model_params(m, &p);
  const struct formula_work *w = &a->spec.work;
  double tps = tokens_per_sec(a), tokens = (double)w->batch * (double)w->seq;
  json_t *j = json_object();
  json_object_set_new(j, "model", model_view_json(m, source));
  json_object_set_new(j, "params_total", json_integer((json_int_t)p.total));
  json_object_set_new(j, "params_active", json_integer((json_int_t)p.active_total));
  json_object_set_new(j, "params_embedding", json_integer((json_int_t)p.part[PART_EMBEDDING]));
  json_object_set_new(j, "work", json_pack("{s:I, s:s, s:f, s:I, s:I, s:I, s:s, s:s}", "batch",
                                           (json_int_t)w->batch, "batch_scope", "global",
                                           "batch_per_rank", (double)w->batch / (double)a->gpus,
                                           "seq", (json_int_t)w->seq,
                                           "tokens_per_step", (json_int_t)(w->batch * w->seq),
                                           "gpus", (json_int_t)a->gpus, "attention",
                                           attention_name(w->attention), "recompute",
                                           recompute_name(w->recompute)));
  json_object_set_new(j, "tokens_per_sec", tps > 0 ? json_real(tps) : json_null());
  json_object_set_new(j, "step_time_s", tps > 0 ? json_real(tokens / tps) : json_null());
  json_t *peak = json_null();
  if (pk->tflops > 0)
    peak = json_pack("{s:s?, s:s, s:f, s:s}", "device", pk->hw ? pk->hw->id : NULL, "dtype",
                     mfu_precision_name(pk->dtype), "tflops_per_device", pk->tflops, "from",
                     pk->from_flag ? "--peak-tflops" : "datasheet");
  json_object_set_new(j, "peak", peak);
  return j;
}

/* ------------------------------------------------------------------ text */

static void print_header(const struct model_shape *m, const struct predict_args *a,
                         const struct hw_peak *pk) {
  char source[256], desc[512], total[32], active[32], emb[32];
  model_source(&a->spec, source, sizeof source);
  model_describe(m, desc, sizeof desc);
  struct model_params p;
  model_params(m, &p);
  const struct formula_work *w = &a->spec.work;
  printf("model       %s (%s)\n            %s\n", m->name, source, desc);
  printf("params      %s total, %s active", model_view_params(p.total, total, sizeof total),
         model_view_params(p.active_total, active, sizeof active));
  if (p.part[PART_EMBEDDING])
    printf(" (%s of them the input embedding)", model_view_params(p.part[PART_EMBEDDING], emb, sizeof emb));
  printf("\nstep        global batch %" PRId64 "%s x seq %" PRId64 "%s = %" PRId64 " tokens on %" PRId64
         " device%s; %s attention; recompute %s\n",
         w->batch, a->spec.batch_given ? "" : " (default)", w->seq, a->spec.seq_given ? "" : " (default)",
         w->batch * w->seq, a->gpus, a->gpus > 1 ? "s" : "", attention_name(w->attention),
         recompute_name(w->recompute));
  if (pk->tflops > 0) {
    printf("peak        %g TFLOP/s %s per device", pk->tflops, mfu_precision_name(pk->dtype));
    if (pk->hw)
      printf(" (%s, %s %s%s)", pk->hw->id, pk->hw->vendor, pk->hw->product,
             pk->from_flag ? "; --peak-tflops overrides its datasheet" : "");
    printf("\n");
  }
  double tps = tokens_per_sec(a);
  if (tps > 0)
    printf("time        %.4g s per step = %.6g tokens/s (%.6g per device)\n",
           (double)w->batch * (double)w->seq / tps, tps, tps / (double)a->gpus);
}

/* The rate lines: achieved FLOP/s, MFU and HFU, or what is missing for them. */
static void print_rates(const struct estimate *e, const struct predict_args *a) {
  if (tokens_per_sec(a) <= 0) {
    printf("MFU         needs a time: --step-time, --tokens-per-sec or --tokens-per-sec-per-gpu\n");
    return;
  }
  printf("achieved    %.2f TFLOP/s per device (model FLOPs)\n", e->tflops_per_gpu);
  if (!e->rated)
    printf("MFU         needs a peak: --device NAME or --peak-tflops N\n");
  else
    printf("MFU         %.2f%%    HFU %.2f%%\n", 100 * e->mfu, 100 * e->hfu);
}

static void print_breakdown(const struct estimate *e) {
  const struct flops *f = &e->f;
  const char *prefix;
  double scale = flop_unit(f->hardware, &prefix);
  char unit[16];
  snprintf(unit, sizeof unit, "%sFLOP", prefix);
  printf("\n%-16s %12s %12s %12s %12s %7s\n", unit, "forward", "backward", "recompute", "total", "share");
  for (int i = 0; i < PART_COUNT; i++) {
    const double *r = f->part[i];
    double sum = r[PASS_FORWARD] + r[PASS_BACKWARD] + r[PASS_RECOMPUTE];
    if (sum == 0) continue;
    printf("%-16s %12.3f %12.3f %12.3f %12.3f %6.2f%%\n", model_part_name((enum model_part)i),
           r[PASS_FORWARD] / scale, r[PASS_BACKWARD] / scale, r[PASS_RECOMPUTE] / scale,
           sum / scale, 100 * sum / f->hardware);
  }
  double pass[PASS_COUNT] = {0};
  for (int i = 0; i < PART_COUNT; i++)
    for (int p = 0; p < PASS_COUNT; p++) pass[p] += f->part[i][p];
  printf("%-16s %12.3f %12.3f %12.3f %12.3f\n\n", "total", pass[0] / scale, pass[1] / scale,
         pass[2] / scale, f->hardware / scale);
}

/* The estimate's figures in one row, then its FLOPs part by part. */
static void csv_one(const struct estimate *e) {
  static const struct table_column figures[] = {
      {"", "convention", 0}, {"", "flops_per_step", 0}, {"", "hardware_flops_per_step", 0},
      {"", "flops_per_token", 0}, {"", "tflops_per_device", 0}, {"", "mfu_pct", 0},
      {"", "hfu_pct", 0}};
  static const struct table_column parts[] = {
      {"", "part", 0}, {"", "forward_flops", 0}, {"", "backward_flops", 0},
      {"", "recompute_flops", 0}, {"", "total_flops", 0}, {"", "share_pct", 0}};
  struct table t;
  table_begin(&t, stdout, true, NULL, "summary", figures, sizeof figures / sizeof *figures);
  table_str(&t, convention_name(e->convention));
  csv_flops(&t, e->f.model);
  csv_flops(&t, e->f.hardware);
  csv_flops(&t, e->f.per_token);
  table_num(&t, e->tflops_per_gpu > 0 ? e->tflops_per_gpu : NAN, 2);
  table_pct(&t, e->rated ? e->mfu : NAN, 2);
  table_pct(&t, e->rated ? e->hfu : NAN, 2);
  table_end_row(&t);
  table_end(&t);
  table_begin(&t, stdout, true, NULL, "breakdown", parts, sizeof parts / sizeof *parts);
  for (int i = 0; i < PART_COUNT; i++) {
    const double *r = e->f.part[i];
    double sum = r[PASS_FORWARD] + r[PASS_BACKWARD] + r[PASS_RECOMPUTE];
    if (sum == 0) continue;
    table_str(&t, model_part_name((enum model_part)i));
    for (int p = 0; p < PASS_COUNT; p++) csv_flops(&t, r[p]);
    csv_flops(&t, sum);
    table_pct(&t, sum / e->f.hardware, 2);
    table_end_row(&t);
  }
  table_end(&t);
}

static int predict_one(const struct model_shape *m, const struct predict_args *a, const struct hw_peak *pk) {
  struct estimate e;
  estimate(m, a, pk, a->spec.convention, &e);
  if (a->csv) {
    csv_one(&e);
    return 0;
  }
  if (a->json) {
    json_t *j = common_json(m, a, pk), *est = estimate_json(&e);
    json_object_update(j, est);
    json_decref(est);
    return cli_json_print("mfu predict", j);
  }
  char buf[64], buf2[64];
  print_header(m, a, pk);
  printf("convention  %s: %s\n", convention_name(e.convention), convention_summary(e.convention));
  print_breakdown(&e);
  printf("FLOPs/step  %s model, %s with recompute\n", flops_text(e.f.model, buf, sizeof buf),
         flops_text(e.f.hardware, buf2, sizeof buf2));
  printf("FLOPs/token %s\n", flops_text(e.f.per_token, buf, sizeof buf));
  print_rates(&e, a);
  return 0;
}

/* ------------------------------------------------------------------ --compare */

struct seed_notes {
  size_t n;
  char text[2][256];
};

/* The seed's errors 5 and 6, where they apply; they do not change the walk's sum. */
static void seed_notes(const struct model_shape *m, const struct formula_work *w, struct seed_notes *out) {
  out->n = 0;
  if (m->experts) {
    struct model_shape dense = *m;
    dense.experts = 0;
    struct flops moe, plain;
    formula_flops(m, w, CONV_SEED, &moe);
    formula_flops(&dense, w, CONV_SEED, &plain);
    char x[64], y[64];
    snprintf(out->text[out->n++], sizeof out->text[0],
             "5. the seed's MoE formula gives %s, %.1f%% more than its dense formula for the same "
             "L, h, V (%s), against the 50-75%% saving it claims",
             flops_text(moe.model, x, sizeof x), 100 * (moe.model / plain.model - 1),
             flops_text(plain.model, y, sizeof y));
  }
  if (!strcmp(m->name, "seed-qwen3-7b"))
    snprintf(out->text[out->n++], sizeof out->text[0],
             "6. the seed's \"Qwen3-7B\" (L=40, h=5120) is no Qwen3 model; Qwen3-8B (L=36, h=4096, "
             "8 KV heads) is --preset qwen3-8b");
}

/* Every convention in a row, then the walk from the seed's number to exact's. */
static void csv_compare(const struct estimate *e, const struct seed_step *steps, size_t n) {
  static const struct table_column conventions[] = {
      {"", "convention", 0}, {"", "flops_per_step", 0}, {"", "flops_per_token", 0},
      {"", "vs_exact_pct", 0}, {"", "mfu_pct", 0}, {"", "hfu_pct", 0}, {"", "what", 0}};
  static const struct table_column walk[] = {{"", "step", 0}, {"", "flops", 0}};
  struct table t;
  table_begin(&t, stdout, true, NULL, "conventions", conventions, sizeof conventions / sizeof *conventions);
  for (int c = 0; c < CONV_COUNT; c++) {
    table_str(&t, convention_name((enum convention)c));
    csv_flops(&t, e[c].f.model);
    csv_flops(&t, e[c].f.per_token);
    table_change(&t, e[c].f.model / e[CONV_EXACT].f.model - 1, 2);
    table_pct(&t, e[c].rated ? e[c].mfu : NAN, 2);
    table_pct(&t, e[c].rated ? e[c].hfu : NAN, 2);
    table_str(&t, convention_summary((enum convention)c));
    table_end_row(&t);
  }
  table_end(&t);
  table_begin(&t, stdout, true, NULL, "seed_walk", walk, 2);
  table_str(&t, "seed, as written");
  csv_flops(&t, e[CONV_SEED].f.model);
  table_end_row(&t);
  for (size_t i = 0; i < n; i++) {
    table_str(&t, steps[i].what);
    csv_flops(&t, steps[i].delta);
    table_end_row(&t);
  }
  table_end(&t);
}

static int predict_compare(const struct model_shape *m, const struct predict_args *a, const struct hw_peak *pk) {
  struct estimate e[CONV_COUNT];
  for (int c = 0; c < CONV_COUNT; c++) estimate(m, a, pk, (enum convention)c, &e[c]);
  struct seed_step steps[SEED_STEPS_MAX];
  size_t n = formula_seed_walk(m, &a->spec.work, steps);
  struct seed_notes notes;
  seed_notes(m, &a->spec.work, &notes);

  if (a->csv) {
    csv_compare(e, steps, n);
    return 0;
  }
  if (a->json) {
    json_t *j = common_json(m, a, pk), *all = json_array(), *walk = json_array(), *nt = json_array();
    for (int c = 0; c < CONV_COUNT; c++) json_array_append_new(all, estimate_json(&e[c]));
    for (size_t i = 0; i < n; i++)
      json_array_append_new(walk, json_pack("{s:s, s:o}", "what", steps[i].what, "flops",
                                            json_flops(steps[i].delta)));
    for (size_t i = 0; i < notes.n; i++) json_array_append_new(nt, json_string(notes.text[i]));
    json_object_set_new(j, "conventions", all);
    json_object_set_new(j, "seed_walk", walk);
    json_object_set_new(j, "seed_notes", nt);
    return cli_json_print("mfu predict", j);
  }

  print_header(m, a, pk);
  const char *prefix;
  double scale = flop_unit(e[CONV_EXACT].f.model, &prefix);
  printf("\n%-10s %11s %11s %9s %8s %8s  %s\n", "convention", "step", "token", "vs exact", "MFU", "HFU",
         "what it counts");
  for (int c = 0; c < CONV_COUNT; c++) {
    char mfu[16] = "-", hfu[16] = "-", step[32], token[32];
    if (e[c].rated) {
      snprintf(mfu, sizeof mfu, "%.2f%%", 100 * e[c].mfu);
      snprintf(hfu, sizeof hfu, "%.2f%%", 100 * e[c].hfu);
    }
    const char *tp;
    double ts = flop_unit(e[CONV_EXACT].f.per_token, &tp);
    snprintf(step, sizeof step, "%.3f %s", e[c].f.model / scale, prefix);
    snprintf(token, sizeof token, "%.3f %s", e[c].f.per_token / ts, tp);
    printf("%-10s %11s %11s %+8.2f%% %8s %8s  %s\n", convention_name((enum convention)c), step, token,
           100 * (e[c].f.model / e[CONV_EXACT].f.model - 1), mfu, hfu,
           convention_summary((enum convention)c));
  }
  if (!e[CONV_EXACT].rated) printf("(MFU and HFU need a time and a peak)\n");

  printf("\nFrom the seed's number to exact's, %sFLOP per step:\n", prefix);
  double running = e[CONV_SEED].f.model;
  printf("  %12.3f   seed, as written\n", running / scale);
  for (size_t i = 0; i < n; i++) {
    running += steps[i].delta;
    printf("  %+12.3f   %s\n", steps[i].delta / scale, steps[i].what);
  }
  printf("  %12.3f   = exact (%s attention)\n", running / scale, attention_name(a->spec.work.attention));
  for (size_t i = 0; i < notes.n; i++) printf("  %s\n", notes.text[i]);
  return 0;
}

/* ------------------------------------------------------------------ mfu predict */

int cmd_predict(int argc, char **argv) {
  struct predict_args a = {.gpus = 1};
  model_spec_init(&a.spec);
  int first = options_parse(argc, argv, "mfu predict", predict_options, on_option, &a, &a.spec);
  if (first < 0) return -first;
  if (a.help) {
    predict_help();
    return 0;
  }
  if (first < argc) {
    fprintf(stderr, "mfu predict: unexpected argument '%s'; everything is given by options "
            "(`mfu predict --help`)\n", argv[first]);
    return 2;
  }
  if (a.json && a.csv) {
    fprintf(stderr, "mfu predict: --json or --csv, not both\n");
    return 2;
  }
  if (a.times > 1) {
    fprintf(stderr, "mfu predict: give one time: --step-time, --tokens-per-sec or "
            "--tokens-per-sec-per-gpu\n");
    return 2;
  }
  char err[512];
  a.spec.work = model_spec_work(&a.spec, a.gpus); /* --batch-per-rank: times --gpus */
  struct model_shape m;
  if (cli_model(&a.spec, &m, "mfu predict")) return 2;
  struct hw_peak pk;
  if (model_spec_peak(&a.spec, NULL, &pk, err, sizeof err) < 0) {
    fprintf(stderr, "mfu predict: %s\n", err);
    return 2;
  }
  return a.compare ? predict_compare(&m, &a, &pk) : predict_one(&m, &a, &pk);
}
