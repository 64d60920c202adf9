/* hw: `mfu hw [--json | --csv] [NAME]`: the accelerator table, or the row a name selects. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "model/hardware.h"
#include "model_view.h"
#include "report/table.h"

/* The precisions the table shows, in the order of its columns. */
static const enum mfu_precision shown[] = {MFU_PREC_FP64, MFU_PREC_FP32, MFU_PREC_TF32,
                                           MFU_PREC_BF16, MFU_PREC_FP16, MFU_PREC_FP8,
                                           MFU_PREC_INT8, MFU_PREC_FP4};
#define N_SHOWN (sizeof shown / sizeof shown[0])

/* Whether a row cites a source ("L,AC,M" cites AC). */
static bool cites(const struct accelerator *a, const struct hw_source *src) {
  char keys[32], key[8];
  snprintf(keys, sizeof keys, ",%s,", a->sources);
  snprintf(key, sizeof key, ",%s,", src->key);
  return strstr(keys, key) != NULL;
}

static json_t *hw_json(const struct accelerator *a) {
  json_t *peaks = json_object(), *names = json_array(), *aliases = json_array(),
         *unpublished = json_array(), *sources = json_array();
  for (size_t i = 0; i < N_SHOWN; i++) {
    double v = a->tflops[shown[i]];
    json_object_set_new(peaks, mfu_precision_name(shown[i]), v > 0 ? json_real(v) : json_null());
    if (v == HW_UNPUBLISHED) json_array_append_new(unpublished, json_string(mfu_precision_name(shown[i])));
  }
  for (int i = 0; i < 4 && a->names[i]; i++) json_array_append_new(names, json_string(a->names[i]));
  for (int i = 0; i < 4 && a->aliases[i]; i++) json_array_append_new(aliases, json_string(a->aliases[i]));
  for (size_t i = 0; i < hw_source_count; i++)
    if (cites(a, &hw_sources[i])) json_array_append_new(sources, json_string(hw_sources[i].what));
  return json_pack("{s:s, s:s, s:s, s:o, s:o, s:f, s:f, s:o, s:o, s:o}", "id", a->id, "vendor",
                   a->vendor, "product", a->product, "peak_tflops", peaks, "unpublished",
                   unpublished, "memory_gb", a->memory_gb, "bandwidth_tbs", a->bandwidth_tbs,
                   "device_names", names, "aliases", aliases, "sources", sources);
}

static void print_table(void) {
  char buf[32];
  int width = (int)strlen("product"); /* the longest product name: the columns stay aligned */
  for (size_t r = 0; r < hw_count; r++)
    if ((int)strlen(hw_table[r].product) > width) width = (int)strlen(hw_table[r].product);
  printf("%-15s %-*s", "device", width, "product");
  for (size_t i = 0; i < N_SHOWN; i++) printf(" %7s", mfu_precision_name(shown[i]));
  printf(" %7s %6s  %s\n", "mem GB", "TB/s", "sources");
  for (size_t r = 0; r < hw_count; r++) {
    const struct accelerator *a = &hw_table[r];
    printf("%-15s %-*s", a->id, width, a->product);
    for (size_t i = 0; i < N_SHOWN; i++) printf(" %7s", hw_format(a->tflops[shown[i]], buf, sizeof buf));
    printf(" %7.0f %6g  %s\n", a->memory_gb, a->bandwidth_tbs, a->sources);
  }
  printf("\nDense peaks in TFLOP/s (TOPS for int8), sparsity not counted; fp64 is the matrix rate. "
         "- : not supported, n/p: not published.\nSources: ");
  for (size_t i = 0; i < hw_source_count; i++)
    printf("%s%s = %s", i ? "; " : "", hw_sources[i].key, hw_sources[i].what);
  printf(".\n`mfu hw NAME` shows one device; NAME is a short name or a device-name string.\n");
}

/* The table for spreadsheets: a peak is empty where the device has none or none is published
 * (`unpublished` lists those). */
static void print_csv(const struct accelerator *rows, size_t n) {
  struct table_column cols[5 + N_SHOWN + 2];
  char keys[N_SHOWN][24];
  size_t nc = 0;
  cols[nc++] = (struct table_column){"", "device", 0};
  cols[nc++] = (struct table_column){"", "vendor", 0};
  cols[nc++] = (struct table_column){"", "product", 0};
  for (size_t i = 0; i < N_SHOWN; i++) {
    snprintf(keys[i], sizeof keys[i], "%s_tflops", mfu_precision_name(shown[i]));
    cols[nc++] = (struct table_column){"", keys[i], 0};
  }
  cols[nc++] = (struct table_column){"", "unpublished", 0};
  cols[nc++] = (struct table_column){"", "memory_gb", 0};
  cols[nc++] = (struct table_column){"", "bandwidth_tbs", 0};
  cols[nc++] = (struct table_column){"", "sources", 0};
  struct table t;
  table_begin(&t, stdout, true, NULL, NULL, cols, nc);
  for (size_t r = 0; r < n; r++) {
    const struct accelerator *a = &rows[r];
    char unpublished[64] = "";
    table_str(&t, a->id);
    table_str(&t, a->vendor);
    table_str(&t, a->product);
    for (size_t i = 0; i < N_SHOWN; i++) {
      double v = a->tflops[shown[i]];
      table_num(&t, v > 0 ? v : NAN, 0);
      if (v == HW_UNPUBLISHED)
        snprintf(unpublished + strlen(unpublished), sizeof unpublished - strlen(unpublished), "%s%s",
                 unpublished[0] ? " " : "", mfu_precision_name(shown[i]));
    }
    table_str(&t, unpublished);
    table_num(&t, a->memory_gb, 0);
    table_num(&t, a->bandwidth_tbs, 0);
    table_str(&t, a->sources);
    table_end_row(&t);
  }
}

static void print_one(const struct accelerator *a, const char *asked) {
  char buf[32];
  printf("%s: %s %s", a->id, a->vendor, a->product);
  if (asked && !hw_same_name(asked, a->id)) printf("   (selected by '%s')", asked);
  printf("\n  dense peak, TFLOP/s:");
  for (size_t i = 0; i < N_SHOWN; i++)
    printf(" %s %s", mfu_precision_name(shown[i]), hw_format(a->tflops[shown[i]], buf, sizeof buf));
  printf("\n  memory %.4g GB, bandwidth %g TB/s\n  device names:", a->memory_gb, a->bandwidth_tbs);
  for (int i = 0; i < 4 && a->names[i]; i++) printf(" \"%s\"", a->names[i]);
  printf("%s\n  short names: %s", a->names[0] ? "" : " (none listed)", a->id);
  for (int i = 0; i < 4 && a->aliases[i]; i++) printf(", %s", a->aliases[i]);
  printf("\n  sources:\n");
  for (size_t i = 0; i < hw_source_count; i++)
    if (cites(a, &hw_sources[i])) printf("    %s: %s\n", hw_sources[i].key, hw_sources[i].what);
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: mfu hw [--json | --csv] [NAME]\n\n"
          "Without NAME, lists the accelerator table: dense peak TFLOP/s per precision, memory,\n"
          "bandwidth and sources. With NAME (a short name such as h100-sxm, a100, mi300x, tpu-v5p,\n"
          "or a device-name string such as \"NVIDIA H100 80GB HBM3\"), shows the row it selects.\n"
          "\n"
          "  --json     one JSON object\n"
          "  --csv      the table (or the row) as CSV\n"
          "\n"
          "Examples:\n"
          "  mfu hw\n"
          "  mfu hw \"NVIDIA H100 80GB HBM3\"\n"
          "  mfu hw --csv > accelerators.csv\n"
          "\nExit status: 0, 2 for bad usage or an unknown NAME.\n");
}

int cmd_hw(int argc, char **argv) {
  static const struct option options[] = {{"json", no_argument, NULL, 'j'},
                                          {"csv", no_argument, NULL, 'c'},
                                          {"help", no_argument, NULL, 'h'},
                                          {0}};
  bool json = false, csv = false;
  int c;
  optind = 0;  /* a full reset of glibc's getopt */
  while ((c = getopt_long(argc, argv, "jh", options, NULL)) != -1) {
    if (c == 'j') json = true;
    else if (c == 'c') csv = true;
    else if (c == 'h') {
      usage(stdout);
      return 0;
    } else {
      usage(stderr);
      return 2;
    }
  }
  if (json && csv) {
    fprintf(stderr, "mfu hw: --json or --csv, not both\n");
    return 2;
  }
  if (argc - optind > 1) {
    fprintf(stderr, "mfu hw: one NAME at a time (got %d); quote names with spaces\n", argc - optind);
    return 2;
  }
  if (optind == argc) {
    if (csv) {
      print_csv(hw_table, hw_count);
      return 0;
    }
    if (!json) {
      print_table();
      return 0;
    }
    json_t *all = json_array();
    for (size_t r = 0; r < hw_count; r++) json_array_append_new(all, hw_json(&hw_table[r]));
    return cli_json_print("mfu hw", json_pack("{s:o}", "accelerators", all));
  }
  char err[512];
  const struct accelerator *a = hw_find(argv[optind], err, sizeof err);
  if (!a) {
    fprintf(stderr, "mfu hw: %s\n", err);
    return 2;
  }
  if (json) return cli_json_print("mfu hw", hw_json(a));
  if (csv) print_csv(a, 1);
  else print_one(a, argv[optind]);
  return 0;
}
