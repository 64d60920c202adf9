/* The accelerator table and name matching. Every value carries the keys of its sources
 * (hw_sources). */
#include "hardware.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errmsg.h"
#include "util/strings.h"

#define NO HW_UNSUPPORTED
#define NP HW_UNPUBLISHED
/* Columns as the table below lists them (fp64 first), into the precision enum's order. */
#define P(fp64, fp32, tf32, bf16, fp16, fp8, int8, fp4)                                 \
  {[MFU_PREC_FP64] = fp64, [MFU_PREC_FP32] = fp32, [MFU_PREC_TF32] = tf32,              \
   [MFU_PREC_BF16] = bf16, [MFU_PREC_FP16] = fp16, [MFU_PREC_FP8] = fp8,                \
   [MFU_PREC_INT8] = int8, [MFU_PREC_FP4] = fp4, [MFU_PREC_OTHER] = NO}
#define GIB 1.073741824 /* GB per GiB, for the rows the vendor gives in GiB */

/* Where several rows share a product (A100 SXM4/PCIe, 40/80 GB), the one whose `match`
 * has the fewest words is what a bare product name ("A100") selects. FP64 is the tensor-core
 * (matrix) rate where a source gives it, else n/p. */
const struct accelerator hw_table[] = {
    /* NVIDIA Volta, Turing, Ampere */
    {"v100-sxm2-32gb", "NVIDIA", "V100 SXM2 32GB", P(NP, 15.7, NO, NO, 125, NO, NO, NO), 32, 0.90,
     {"Tesla V100-SXM2-32GB"}, {"v100", "v100-sxm2"}, "v100", "L,C"},
    {"v100-sxm2-16gb", "NVIDIA", "V100 SXM2 16GB", P(NP, 15.7, NO, NO, 125, NO, NO, NO), 16, 0.90,
     {"Tesla V100-SXM2-16GB"}, {0}, "v100 16gb", "L,C"},
    {"v100-pcie-32gb", "NVIDIA", "V100 PCIe 32GB", P(NP, 14, NO, NO, 112, NO, NO, NO), 32, 0.90,
     {"Tesla V100-PCIE-32GB"}, {"v100-pcie"}, "v100 pcie", "L,C"},
    {"v100-pcie-16gb", "NVIDIA", "V100 PCIe 16GB", P(NP, 14, NO, NO, 112, NO, NO, NO), 16, 0.90,
     {"Tesla V100-PCIE-16GB"}, {0}, "v100 pcie 16gb", "L,C"},
    {"t4", "NVIDIA", "T4", P(NP, 8.1, NO, NO, 65, NO, 130, NO), 16, 0.32,
     {"Tesla T4"}, {0}, "t4", "L,C"},
    {"a10", "NVIDIA", "A10", P(NP, 31.2, 62.5, 125, 125, NO, 250, NO), 24, 0.60,
     {"NVIDIA A10"}, {0}, "a10", "C,G"},
    {"a10g", "NVIDIA", "A10G (AWS)", P(NP, 35, 35, 70, 70, NO, 140, NO), 24, 0.60,
     {"NVIDIA A10G"}, {0}, "a10g", "AW"},
    {"a30", "NVIDIA", "A30", P(NP, 10.3, 82, 165, 165, NO, 330, NO), 24, 0.933,
     {"NVIDIA A30"}, {0}, "a30", "AC,G"},
    {"a40", "NVIDIA", "A40", P(NP, 37.4, 74.8, 149.7, 149.7, NO, 299.3, NO), 48, 0.696,
     {"NVIDIA A40"}, {0}, "a40", "L"},
    {"rtx-a6000", "NVIDIA", "RTX A6000", P(NP, 38.7, 77.4, 154.8, 154.8, NO, 309.7, NO), 48, 0.768,
     {"NVIDIA RTX A6000"}, {"a6000"}, "rtx a6000", "GA,RA"},
    {"a100-sxm4-80gb", "NVIDIA", "A100 SXM4 80GB", P(19.5, 19.5, 156, 312, 312, NO, 624, NO), 80, 2.039,
     {"NVIDIA A100-SXM4-80GB"}, {"a100", "a100-sxm", "a100-80gb"}, "a100", "L,AC,M"},
    {"a100-sxm4-40gb", "NVIDIA", "A100 SXM4 40GB", P(19.5, 19.5, 156, 312, 312, NO, 624, NO), 40, 1.555,
     {"NVIDIA A100-SXM4-40GB"}, {"a100-40gb"}, "a100 40gb", "L,AC,M"},
    {"a100-pcie-80gb", "NVIDIA", "A100 PCIe 80GB", P(19.5, 19.5, 156, 312, 312, NO, 624, NO), 80, 1.935,
     {"NVIDIA A100 80GB PCIe"}, {"a100-pcie"}, "a100 pcie", "AC,G"},
    {"a100-pcie-40gb", "NVIDIA", "A100 PCIe 40GB", P(19.5, 19.5, 156, 312, 312, NO, 624, NO), 40, 1.555,
     {"NVIDIA A100-PCIE-40GB"}, {0}, "a100 pcie 40gb", "AC,G"},
    {"a800-sxm4", "NVIDIA", "A800 SXM4 80GB", P(19.5, 19.5, 156, 312, 312, NO, 624, NO), 80, 2.039,
     {"NVIDIA A800-SXM4-80GB"}, {"a800"}, "a800", "CM"},
    {"a800-pcie", "NVIDIA", "A800 PCIe 80GB", P(19.5, 19.5, 156, 312, 312, NO, 624, NO), 80, 1.935,
     {"NVIDIA A800 80GB PCIe"}, {0}, "a800 pcie", "CM"},
    /* NVIDIA Ada */
    {"l4", "NVIDIA", "L4", P(NP, 30.3, 60, 121, 121, 242, 242, NO), 24, 0.30,
     {"NVIDIA L4"}, {0}, "l4", "L,AC"},
    {"l40", "NVIDIA", "L40", P(NP, 90.5, 90.5, 181, 181, 362, 362, NO), 48, 0.864,
     {"NVIDIA L40"}, {0}, "l40", "L,G"},
    {"l40s", "NVIDIA", "L40S", P(NP, 91.6, 183, 362, 362, 733, 733, NO), 48, 0.864,
     {"NVIDIA L40S"}, {0}, "l40s", "AC,M,G"},
    {"rtx-6000-ada", "NVIDIA", "RTX 6000 Ada", P(NP, 91.1, 182, 364, 364, 728.5, 728.5, NO), 48, 0.96,
     {"NVIDIA RTX 6000 Ada Generation"}, {0}, "rtx 6000 ada", "G"},
    /* NVIDIA Hopper */
    {"h100-sxm", "NVIDIA", "H100 SXM5 80GB", P(67, 67, 494.7, 989.4, 989.4, 1979, 1979, NO), 80, 3.35,
     {"NVIDIA H100 80GB HBM3"}, {"h100", "h100-sxm5"}, "h100", "L,AC,M"},
    {"h100-pcie", "NVIDIA", "H100 PCIe 80GB", P(NP, 51, 378, 756, 756, 1513, 1513, NO), 80, 2.0,
     {"NVIDIA H100 PCIe"}, {0}, "h100 pcie", "L,T,AC"},
    {"h100-nvl", "NVIDIA", "H100 NVL 94GB", P(NP, 60, 417.5, 835.5, 835.5, 1670.5, 1670.5, NO), 94, 3.9,
     {"NVIDIA H100 NVL"}, {0}, "h100 nvl", "L,T,G"},
    {"h800", "NVIDIA", "H800 SXM5 80GB", P(NP, 67, 494.7, 989.4, 989.4, 1979, 1979, NO), 80, 3.35,
     {"NVIDIA H800"}, {"h800-sxm"}, "h800", "AC"},
    {"h20", "NVIDIA", "H20 96GB", P(NP, 44, NP, 148, 148, 296, 296, NO), 96, 4.0,
     {"NVIDIA H20"}, {0}, "h20", "T,AC,G"},
    {"h200-sxm", "NVIDIA", "H200 SXM 141GB", P(67, 67, 494.7, 989.4, 989.4, 1979, 1979, NO), 141, 4.8,
     {"NVIDIA H200"}, {"h200"}, "h200", "L,AC,M"},
    {"h200-nvl", "NVIDIA", "H200 NVL 141GB", P(NP, 60, 417.5, 835.5, 835.5, 1670.5, 1670.5, NO), 141, 4.8,
     {"NVIDIA H200 NVL"}, {0}, "h200 nvl", "L,G"},
    {"gh200", "NVIDIA", "GH200 96GB HBM3", P(NP, 67, 494.7, 989, 989, 1979, 1979, NO), 96, 4.0,
     {"NVIDIA GH200 480GB"}, {0}, "gh200", "M"},
    {"gh200-hbm3e", "NVIDIA", "GH200 144GB HBM3e", P(NP, 67, 494.7, 989, 989, 1979, 1979, NO), 144, 4.9,
     {"NVIDIA GH200 144G HBM3e"}, {0}, "gh200 hbm3e", "M"},
    /* NVIDIA Blackwell */
    {"b100", "NVIDIA", "B100 HGX 700 W", P(NP, NP, 900, 1750, 1750, 3500, 3500, 7000), 192, 8.0,
     {"NVIDIA B100"}, {0}, "b100", "BW"},
    {"b200", "NVIDIA", "B200 HGX/DGX", P(NP, 80, 1125, 2250, 2250, 4500, 4500, 9000), 180, 8.0,
     {"NVIDIA B200"}, {0}, "b200", "T,AC,M,BW"},
    {"gb200", "NVIDIA", "GB200 (per GPU)", P(NP, 80, 1250, 2500, 2500, 5000, 5000, 10000), 186, 8.0,
     {"NVIDIA GB200"}, {0}, "gb200", "T,AC,M,BW"},
    {"b300", "NVIDIA", "B300 HGX", P(NP, 80, 1125, 2250, 2250, 4500, 153.5, 13500), 288, 7.75,
     {"NVIDIA B300 SXM6 AC"}, {"b300-sxm6"}, "b300", "AC,M"},
    {"gb300", "NVIDIA", "GB300 (per GPU)", P(NP, 80, 1250, 2500, 2500, 5000, 165, 15000), 288, 8.0,
     {"NVIDIA GB300"}, {0}, "gb300", "AC,M"},
    /* NVIDIA GeForce: tensor-core rates with FP32 accumulation */
    {"rtx-3090", "NVIDIA", "GeForce RTX 3090", P(NP, 35.6, 35.6, 71, 71, NO, 284, NO), 24, 0.936,
     {"NVIDIA GeForce RTX 3090"}, {0}, "rtx 3090", "GA"},
    {"rtx-4090", "NVIDIA", "GeForce RTX 4090", P(NP, 82.6, 82.6, 165.2, 165.2, 330.3, 660.6, NO), 24, 1.008,
     {"NVIDIA GeForce RTX 4090"}, {0}, "rtx 4090", "AD"},
    {"rtx-5090", "NVIDIA", "GeForce RTX 5090", P(NP, 104.8, 104.8, 209.5, 209.5, 419, 838, 1676), 32, 1.792,
     {"NVIDIA GeForce RTX 5090"}, {0}, "rtx 5090", "G,AC"},
    /* AMD Instinct */
    {"mi100", "AMD", "Instinct MI100", P(NP, 23.1, NO, 92.3, 184.6, NO, 184.6, NO), 32, 1.229,
     {"AMD Instinct MI100"}, {0}, "mi100", "R"},
    {"mi210", "AMD", "Instinct MI210", P(NP, 22.6, NO, 181, 181, NO, 181, NO), 64, 1.6,
     {"AMD Instinct MI210"}, {0}, "mi210", "BM"},
    {"mi250", "AMD", "Instinct MI250 (OAM: 2 GCDs)", P(NP, 45.3, NO, 362.1, 362.1, NO, 362.1, NO), 128, 3.2,
     {"AMD Instinct MI250"}, {0}, "mi250", "R,M"},
    {"mi250x", "AMD", "Instinct MI250X (OAM: 2 GCDs)", P(NP, 47.9, NO, 383, 383, NO, 383, NO), 128, 3.28,
     {"AMD Instinct MI250X"}, {0}, "mi250x", "M,T"},
    {"mi300x", "AMD", "Instinct MI300X", P(163.4, 163.4, 653.7, 1307.4, 1307.4, 2614.9, 2614.9, NO), 192, 5.3,
     {"AMD Instinct MI300X", "AMD Instinct MI300X VF"}, {0}, "mi300x", "R,M,T"},
    {"mi325x", "AMD", "Instinct MI325X", P(NP, 163.4, 653.7, 1307.4, 1307.4, 2614.9, 2614.9, NO), 256, 6.0,
     {"AMD Instinct MI325X"}, {0}, "mi325x", "M,T"},
    {"mi355x", "AMD", "Instinct MI355X", P(NP, 157.3, NP, 2500, 2500, 5000, 5000, 10000), 288, 8.0,
     {"AMD Instinct MI355X"}, {0}, "mi355x", "M,T"},
    /* Intel Gaudi */
    {"gaudi2", "Intel", "Gaudi 2", P(NP, NP, NP, 432, NP, 865, NP, NO), 96, 2.46,
     {"GAUDI2"}, {"gaudi-2"}, "gaudi2", "M"},
    {"gaudi3", "Intel", "Gaudi 3", P(NP, 229, 459, 1835, 459, 1835, NP, NO), 128, 3.7,
     {"GAUDI3"}, {"gaudi-3"}, "gaudi3", "M"},
    /* Google TPU (JAX device_kind) */
    {"tpu-v4", "Google", "TPU v4", P(NO, NO, NO, 275, NO, NO, 275, NO), 32, 1.2,
     {"TPU v4"}, {0}, "tpu v4", "GT,J"},
    {"tpu-v5e", "Google", "TPU v5e", P(NO, NO, NO, 197, NO, NO, 393, NO), 16, 0.819,
     {"TPU v5 lite"}, {0}, "tpu v5 lite", "GT,J"},
    {"tpu-v5p", "Google", "TPU v5p", P(NO, NO, NO, 459, NO, 459, 918, NO), 95, 2.765,
     {"TPU v5p"}, {0}, "tpu v5p", "GT,J"},
    {"tpu-v6e", "Google", "TPU v6e (Trillium)", P(NO, NO, NO, 918, NO, 918, 1836, NO), 32, 1.64,
     {"TPU v6 lite"}, {"trillium"}, "tpu v6 lite", "GT,J"},
    {"tpu7x", "Google", "TPU7x (Ironwood), 192 GiB", P(NO, NO, NO, 2307, NO, 4614, NP, NO), 192 * GIB, 7.37,
     {"TPU7x"}, {"tpu-v7x", "ironwood"}, "tpu7x", "GT,J"},
    /* AWS */
    {"trainium", "AWS", "Trainium (trn1), 32 GiB", P(NP, 47.5, 190, 190, 190, 190, 380, NO), 32 * GIB, 0.82,
     {0}, {"trn1", "trainium1"}, "trainium", "N"},
    {"trainium2", "AWS", "Trainium2 (trn2), 96 GiB", P(NP, 181, 667, 667, 667, 1299, NP, NO), 96 * GIB, 2.9,
     {0}, {"trn2"}, "trainium2", "N"},
    /* Huawei Ascend: community figures only */
    {"ascend-910b1", "Huawei", "Ascend 910B1", P(NP, NP, NP, 374, 374, NO, NO, NO), 64, 1.6,
     {"Ascend910B1"}, {0}, "ascend910b1", "CW"},
    {"ascend-910b2", "Huawei", "Ascend 910B2", P(NP, NP, NP, 354, 354, NO, NO, NO), 64, 1.6,
     {"Ascend910B2"}, {0}, "ascend910b2", "CW"},
    {"ascend-910b3", "Huawei", "Ascend 910B3", P(NP, NP, NP, 295, 295, NO, NO, NO), 64, 1.6,
     {"Ascend910B3"}, {0}, "ascend910b3", "CW"},
    {"ascend-910b4", "Huawei", "Ascend 910B4", P(NP, NP, NP, 246, 246, NO, NO, NO), 32, 1.6,
     {"Ascend910B4"}, {0}, "ascend910b4", "CW"},
    /* Not hardware: the GPU that mfushim's test doubles simulate (tests/doubles/fake_gpu.h),
     * every GEMM at 100 TFLOP/s and memory at 1 TB/s, under the device name the CUDA runtime
     * double reports, so that a run on the doubles has an MFU. */
    {"test-double", "mfushim", "test double (simulated)", P(100, 100, 100, 100, 100, 100, 100, 100),
     80 * GIB, 1.0, {"mfushim test double (no GPU)"}, {0}, "mfushim test double no gpu", "SIM"},
};
const size_t hw_count = sizeof hw_table / sizeof hw_table[0];

const struct hw_source hw_sources[] = {
    {"L", "Lightning fabric, lightning/fabric/utilities/throughput.py"},
    {"C", "MosaicML Composer, GPU_AVAILABLE_FLOPS"},
    {"T", "torchtitan, get_peak_flops"},
    {"AC", "NVIDIA aiconfigurator, systems/*.yaml"},
    {"M", "stas00/ml-engineering, compute/accelerator/README.md"},
    {"BW", "NVIDIA Blackwell datasheet table"},
    {"G", "community copy of NVIDIA datasheets"},
    {"GA", "NVIDIA GA102 (Ampere) whitepaper"},
    {"AW", "NVIDIA A10G datasheet for AWS EC2 G5 (NVIDIA_AWS_A10G_DataSheet_FINAL_02_17_2022)"},
    {"RA", "NVIDIA RTX A6000 datasheet (proviz-print-nvidia-rtx-a6000-datasheet)"},
    {"AD", "NVIDIA Ada Lovelace architecture whitepaper"},
    {"GT", "Google Cloud TPU documentation"},
    {"J", "JAX tpu_info.py"},
    {"R", "ROCm documentation"},
    {"BM", "AMD MI210 specification copy"},
    {"N", "AWS Neuron documentation"},
    {"CM", "community reports: A800 = A100 compute with NVLink cut"},
    {"CW", "community figures (weak)"},
    {"SIM", "the project's test doubles: a simulated GPU, not hardware (tests/doubles/fake_gpu.h)"},
};
const size_t hw_source_count = sizeof hw_sources / sizeof hw_sources[0];

/* ------------------------------------------------------------------ name matching */

#define WORDS_MAX 12
#define WORD_LEN 24
struct words {
  size_t n;
  char w[WORDS_MAX][WORD_LEN];
};

/* The runs of letters and digits of s, lower-cased (longer runs cut): "NVIDIA
 * A100-SXM4-80GB" -> nvidia a100 sxm4 80gb. */
static void split_words(const char *s, struct words *out) {
  out->n = 0;
  while (out->n < WORDS_MAX) {
    while (*s && !isalnum((unsigned char)*s)) s++;
    if (!*s) break;
    size_t len = 0;
    for (; isalnum((unsigned char)*s); s++)
      if (len + 1 < WORD_LEN) out->w[out->n][len++] = (char)tolower((unsigned char)*s);
    out->w[out->n++][len] = '\0';
  }
}

static bool has_word(const struct words *ws, const char *w) {
  for (size_t i = 0; i < ws->n; i++)
    if (!strcmp(ws->w[i], w)) return true;
  return false;
}

/* Words that name no product: vendors, brands, form factors ("SXM6 AC" of the B300, "VF" of
 * a virtual function), memory kinds and sizes. A name may carry them or not ("NVIDIA H100
 * 80GB HBM3" and "H100 SXM" are the same device). */
static bool is_noise(const char *w) {
  static const char *const noise[] = {"nvidia", "amd", "instinct", "tesla", "geforce", "intel",
                                      "habana", "google", "aws", "huawei", "vf", "oam", "ac",
                                      "gpu", "generation", NULL};
  for (int i = 0; noise[i]; i++)
    if (!strcmp(w, noise[i])) return true;
  if (!strncmp(w, "sxm", 3) || !strncmp(w, "hbm", 3)) return true;
  size_t d = strspn(w, "0123456789");
  return d > 0 && (!strcmp(w + d, "g") || !strcmp(w + d, "gb"));  /* 80gb, 144g */
}

/* How well an unlisted name fits a row: the number of its words when every one of them is
 * in the name and the name has no other product words, else -1. */
static int match_score(const struct accelerator *a, const struct words *name) {
  struct words need;
  split_words(a->match, &need);
  for (size_t i = 0; i < need.n; i++)
    if (!has_word(name, need.w[i])) return -1;
  for (size_t i = 0; i < name->n; i++)
    if (!is_noise(name->w[i]) && !has_word(&need, name->w[i])) return -1;
  return (int)need.n;
}

bool hw_simulated(const struct accelerator *a) { return !strcmp(a->sources, "SIM"); }

bool hw_same_name(const char *a, const char *b) {
  char x[96], y[96];
  mfu_squash(a, x, sizeof x);
  mfu_squash(b, y, sizeof y);
  return x[0] && !strcmp(x, y);
}

/* Rows whose short name or match words are within an edit or two of the name (vendor words
 * dropped), or that share its product word (tpu, rtx, mi250), as "a, b, c" in table order. */
static void close_names(const struct words *name, char *out, size_t n) {
  char key[96] = "";
  for (size_t i = 0; i < name->n; i++)
    if (!is_noise(name->w[i])) strncat(key, name->w[i], sizeof key - strlen(key) - 1);
  const size_t edits = strlen(key) <= 5 ? 1 : 2;
  out[0] = '\0';
  for (size_t r = 0, shown = 0; r < hw_count && shown < 6; r++) {
    const struct accelerator *a = &hw_table[r];
    char id[32], match[32];
    mfu_squash(a->id, id, sizeof id);
    mfu_squash(a->match, match, sizeof match);
    struct words need;
    split_words(a->match, &need);
    if (mfu_edit_distance(key, id) <= edits || mfu_edit_distance(key, match) <= edits ||
        has_word(name, need.w[0]))
      snprintf(out + strlen(out), n - strlen(out), "%s%s", shown++ ? ", " : "", a->id);
  }
}

const struct accelerator *hw_find(const char *name, char *err, size_t errsz) {
  for (size_t r = 0; r < hw_count; r++) {
    const struct accelerator *a = &hw_table[r];
    if (hw_same_name(name, a->id)) return a;
    for (int i = 0; i < 4 && a->names[i]; i++)
      if (hw_same_name(name, a->names[i])) return a;
    for (int i = 0; i < 4 && a->aliases[i]; i++)
      if (hw_same_name(name, a->aliases[i])) return a;
  }
  struct words words;
  split_words(name, &words);
  if (has_word(&words, "mig")) {
    errmsg(err, errsz, "device '%s' is a MIG slice: it has a fraction of the whole GPU's peak; "
         "pass --peak-tflops with the slice's share", name);
    return NULL;
  }
  const struct accelerator *best = NULL;
  int best_score = -1, ties = 0;
  for (size_t r = 0; r < hw_count; r++) {
    int s = match_score(&hw_table[r], &words);
    if (s > best_score) best = &hw_table[r], best_score = s, ties = 0;
    else if (s == best_score && s >= 0) ties++;
  }
  char close[256];
  close_names(&words, close, sizeof close);
  if (best_score >= 0 && !ties) return best;
  if (best_score >= 0)
    errmsg(err, errsz, "device '%s' fits several rows (%s); pass one with --device", name, close);
  else
    errmsg(err, errsz, "unknown device '%s'%s%s%s; `mfu hw` lists the table. For a device not in it, "
         "pass --peak-tflops N (its dense peak per device for the run's --dtype)", name,
         close[0] ? " (close: " : "", close, close[0] ? ")" : "");
  return NULL;
}

double hw_tflops(const struct accelerator *a, enum mfu_precision p, char *err, size_t errsz) {
  if ((unsigned)p >= MFU_PREC_COUNT) { /* a damaged record's precision */
    errmsg(err, errsz, "%s: precision %u is none that mfu knows; pass --peak-tflops", a->id,
           (unsigned)p);
    return 0;
  }
  double v = a->tflops[p];
  if (v > 0) return v;
  errmsg(err, errsz, v == HW_UNPUBLISHED
                       ? "%s: no published dense %s peak; pass --peak-tflops or pick another --dtype"
                       : "%s has no %s arithmetic; pick another --dtype or pass --peak-tflops",
       a->id, mfu_precision_name(p));
  return 0;
}

const char *hw_format(double tflops, char *buf, size_t n) {
  if (tflops == HW_UNSUPPORTED) return "-";
  if (tflops == HW_UNPUBLISHED) return "n/p";
  snprintf(buf, n, "%g", tflops);
  return buf;
}
