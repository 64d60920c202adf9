/* The accelerator table: every name selects its row, none of the known substring traps,
 * unknown devices are refused with close names, and the dense peaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "model/hardware.h"
#include "../doubles/fake_gpu.h"

#define assert_contains(text, part)                                                      \
  do {                                                                                   \
    if (!strstr((text), (part))) fail_msg("'%s' does not contain '%s'", (text), (part)); \
  } while (0)

static const char *find_id(const char *name) {
  char err[512];
  const struct accelerator *a = hw_find(name, err, sizeof err);
  if (!a) fail_msg("'%s' not found: %s", name, err);
  return a->id;
}

static void test_every_name_selects_its_row(void **state) {
  (void)state;
  for (size_t r = 0; r < hw_count; r++) {
    const struct accelerator *a = &hw_table[r];
    assert_string_equal(find_id(a->id), a->id);
    for (int i = 0; i < 4 && a->names[i]; i++) {
      assert_string_equal(find_id(a->names[i]), a->id);
      /* The same name with an extra memory word is not listed: its words alone must still
       * single out the row. */
      char longer[128];
      snprintf(longer, sizeof longer, "%s 96GB", a->names[i]);
      assert_string_equal(find_id(longer), a->id);
    }
    for (int i = 0; i < 4 && a->aliases[i]; i++) assert_string_equal(find_id(a->aliases[i]), a->id);
  }
}

static void test_table_is_consistent(void **state) {
  (void)state;
  for (size_t r = 0; r < hw_count; r++) {
    const struct accelerator *a = &hw_table[r];
    for (size_t s = r + 1; s < hw_count; s++) assert_string_not_equal(a->id, hw_table[s].id);
    assert_true(a->match && a->match[0]);
    assert_true(a->memory_gb > 0 && a->bandwidth_tbs > 0);
    /* Every row cites sources that the key list explains. */
    char keys[32];
    snprintf(keys, sizeof keys, "%s", a->sources);
    for (char *k = strtok(keys, ","); k; k = strtok(NULL, ",")) {
      bool known = false;
      for (size_t i = 0; i < hw_source_count; i++) known |= !strcmp(k, hw_sources[i].key);
      if (!known) fail_msg("%s cites unknown source %s", a->id, k);
    }
    /* Every row has a usable low-precision peak (none lost to a typo). */
    assert_true(a->tflops[MFU_PREC_BF16] > 0 || a->tflops[MFU_PREC_FP16] > 0);
  }
}

/* Known traps of name matching (docs/DESIGN.md, "Peaks"): substring tests that pick the wrong row. */
static void test_substring_traps(void **state) {
  (void)state;
  static const char *const cases[][2] = {
      {"NVIDIA L4", "l4"},           {"NVIDIA L40", "l40"},         {"NVIDIA L40S", "l40s"},
      {"NVIDIA A10", "a10"},         {"NVIDIA A100-SXM4-80GB", "a100-sxm4-80gb"},
      {"NVIDIA B200", "b200"},       {"NVIDIA GB200", "gb200"},     {"NVIDIA B300 SXM6 AC", "b300"},
      {"NVIDIA GB300", "gb300"},     {"NVIDIA H200", "h200-sxm"},   {"NVIDIA H20", "h20"},
      {"NVIDIA H200 NVL", "h200-nvl"}, {"NVIDIA H100 NVL", "h100-nvl"},
      {"NVIDIA H100 PCIe", "h100-pcie"}, {"NVIDIA H100 80GB HBM3", "h100-sxm"},
      {"NVIDIA H800", "h800"},       {"NVIDIA GH200 480GB", "gh200"},
      {"AMD Instinct MI300X", "mi300x"}, {"AMD Instinct MI325X", "mi325x"},
      {"AMD Instinct MI250", "mi250"}, {"AMD Instinct MI250X", "mi250x"},
      {"TPU v5 lite", "tpu-v5e"},    {"TPU v5p", "tpu-v5p"},        {"TPU v6 lite", "tpu-v6e"},
      {"Ascend910B1", "ascend-910b1"}, {"Ascend910B4", "ascend-910b4"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    assert_string_equal(find_id(cases[i][0]), cases[i][1]);
}

/* Names nobody listed, written as people and tools write them. */
static void test_names_in_other_spellings(void **state) {
  (void)state;
  static const char *const cases[][2] = {
      {"h100", "h100-sxm"},                 {"H100 SXM", "h100-sxm"},
      {"NVIDIA H100 SXM5 80GB", "h100-sxm"}, {"nvidia-h100-pcie", "h100-pcie"},
      {"A100", "a100-sxm4-80gb"},           {"A100 40GB", "a100-sxm4-40gb"},
      {"A100 PCIe", "a100-pcie-80gb"},      {"NVIDIA A100 PCIe 40GB", "a100-pcie-40gb"},
      {"GH200 144GB HBM3e", "gh200-hbm3e"}, {"Gaudi 2", "gaudi2"},
      {"TPU v5e", "tpu-v5e"},               {"tpu_v6e", "tpu-v6e"},
      {"MI300X", "mi300x"},                 {"AMD Instinct MI300X VF", "mi300x"},
      {"  NVIDIA  L40S ", "l40s"},          {"rtx 4090", "rtx-4090"},
      {"NVIDIA GeForce RTX 4090", "rtx-4090"}, {"trn2", "trainium2"},
      /* the names CUDA and ROCm report for devices users rent */
      {"NVIDIA A10G", "a10g"},              {"NVIDIA RTX A6000", "rtx-a6000"},
      {"NVIDIA L40S", "l40s"},              {"NVIDIA L4", "l4"},
      {"AMD Instinct MI250X", "mi250x"},    {"AMD Instinct MI250", "mi250"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    assert_string_equal(find_id(cases[i][0]), cases[i][1]);
}

/* No guess for what the table does not have: no silent fallback to a near name. */
static void test_unknown_devices_are_refused(void **state) {
  (void)state;
  static const struct {
    const char *name;
    const char *says[2];
  } cases[] = {
      {"NVIDIA A10X", {"close: a10, a10g", "--peak-tflops"}},
      {"Tesla V100S-PCIE-32GB", {"v100-pcie-32gb", "--peak-tflops"}},
      {"NVIDIA GeForce RTX 3090 Ti", {"rtx-3090", "--peak-tflops"}},
      {"AMD Instinct MI350X", {"mi355x", "--peak-tflops"}},
      {"AMD Instinct MI250X / MI250", {"mi250, mi250x", "--peak-tflops"}},
      {"NVIDIA H800 PCIe", {"h800", "--peak-tflops"}},
      {"TPU v5", {"tpu-v5e", "tpu-v5p"}},
      {"NVIDIA H100 80GB HBM3 MIG 1g.10gb", {"MIG slice", "--peak-tflops"}},
      {"", {"unknown device ''", "--peak-tflops"}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char err[512] = "";
    print_message("  %s\n", cases[i].name);
    assert_null(hw_find(cases[i].name, err, sizeof err));
    for (int j = 0; j < 2; j++) assert_contains(err, cases[i].says[j]);
  }
}

static double peak(const char *name, enum mfu_precision p) {
  char err[512];
  return hw_tflops(hw_find(name, err, sizeof err), p, err, sizeof err);
}

/* Dense peaks, not the sparsity-doubled figures some tables ship. */
static void test_dense_peaks(void **state) {
  (void)state;
  assert_true(peak("h100-sxm", MFU_PREC_BF16) == 989.4);
  assert_true(peak("h100-sxm", MFU_PREC_FP8) == 1979);
  assert_true(peak("h100-sxm", MFU_PREC_TF32) == 494.7);
  assert_true(peak("h100-sxm", MFU_PREC_FP64) == 67);
  assert_true(peak("NVIDIA H200", MFU_PREC_BF16) == 989.4);  /* not 1979 */
  assert_true(peak("h100-nvl", MFU_PREC_BF16) == 835.5);     /* not 1671 */
  assert_true(peak("b200", MFU_PREC_BF16) == 2250);          /* not 4500 */
  assert_true(peak("a100", MFU_PREC_BF16) == 312);
  assert_true(peak("a100", MFU_PREC_TF32) == 156);
  assert_true(peak("mi300x", MFU_PREC_BF16) == 1307.4);
  assert_true(peak("tpu-v4", MFU_PREC_BF16) == 275);
  assert_true(peak("tpu-v5p", MFU_PREC_BF16) == 459);
  assert_true(peak("rtx-4090", MFU_PREC_BF16) == 165.2);     /* tensor cores, FP32 accumulate */
  assert_true(peak("NVIDIA A10G", MFU_PREC_BF16) == 70);      /* not the A10's 125 */
  assert_true(peak("NVIDIA RTX A6000", MFU_PREC_BF16) == 154.8);
  assert_true(peak("NVIDIA L40S", MFU_PREC_BF16) == 362);
  assert_true(peak("AMD Instinct MI250X", MFU_PREC_BF16) == 383);
  /* The test doubles' simulated GPU, by the name their CUDA runtime reports: every precision
   * at the rate of its GEMMs (tests/doubles/fake_gpu.h), said to be simulated. */
  const double fake_tflops = FAKE_GEMM_FLOPS_PER_NS / 1e3;
  assert_true(fake_tflops == 100);
  assert_true(peak("mfushim test double (no GPU)", MFU_PREC_BF16) == fake_tflops);
  assert_true(peak("mfushim test double (no GPU)", MFU_PREC_FP32) == fake_tflops);
  char err[512];
  assert_true(hw_simulated(hw_find("mfushim test double (no GPU)", err, sizeof err)));
  for (size_t r = 0; r < hw_count; r++)
    assert_true(hw_simulated(&hw_table[r]) == !strcmp(hw_table[r].id, "test-double"));
  assert_true(hw_tflops(hw_find("v100", err, sizeof err), MFU_PREC_BF16, err, sizeof err) == 0);
  assert_contains(err, "has no bf16 arithmetic");
  assert_true(hw_tflops(hw_find("h20", err, sizeof err), MFU_PREC_TF32, err, sizeof err) == 0);
  assert_contains(err, "no published dense tf32 peak");
  assert_contains(err, "--peak-tflops");
}

static void test_format(void **state) {
  (void)state;
  char buf[32];
  assert_string_equal(hw_format(989.4, buf, sizeof buf), "989.4");
  assert_string_equal(hw_format(HW_UNSUPPORTED, buf, sizeof buf), "-");
  assert_string_equal(hw_format(HW_UNPUBLISHED, buf, sizeof buf), "n/p");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_name_selects_its_row),
      cmocka_unit_test(test_table_is_consistent),
      cmocka_unit_test(test_substring_traps),
      cmocka_unit_test(test_names_in_other_spellings),
      cmocka_unit_test(test_unknown_devices_are_refused),
      cmocka_unit_test(test_dense_peaks),
      cmocka_unit_test(test_format),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
