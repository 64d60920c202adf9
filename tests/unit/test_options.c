/* cli/options and model/spec: the options `mfu predict` and `mfu report` share: one getopt_long loop over the shared and
 * the command's own options, positional arguments left in place, and the peak's sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cli/options.h"
#include "model/spec.h"

struct own {
  int verbose;
  const char *out;
};

static int on_own(void *ctx, int id, const char *arg) {
  struct own *o = ctx;
  if (id == 'v') o->verbose++;
  else if (id == 'o') o->out = arg;
  else return 2;
  return 0;
}

static const struct option own_options[] = {
    {"verbose", no_argument, NULL, 'v'}, {"out", required_argument, NULL, 'o'}, {0}};

static int parse(int argc, char **argv, struct own *own, struct model_spec *mo) {
  model_spec_init(mo);
  return options_parse(argc, argv, "mfu test", own_options, on_own, own, mo);
}

static void test_shared_and_own_options(void **state) {
  (void)state;
  char *argv[] = {"report", "--preset", "llama-3-8b", "traces/", "--verbose", "--layers=16",
                  "--out", "x.json", "--batch", "8", "--seq", "4096", "--convention", "megatron",
                  "--attention", "full", "--recompute", "selective", "--dtype", "fp8", NULL};
  int argc = (int)(sizeof argv / sizeof argv[0]) - 1;
  struct own own = {0};
  struct model_spec mo;
  int first = parse(argc, argv, &own, &mo);
  assert_int_equal(first, argc - 1);  /* getopt moved the positional argument last */
  assert_string_equal(argv[first], "traces/");
  assert_int_equal(own.verbose, 1);
  assert_string_equal(own.out, "x.json");
  assert_true(model_spec_has_model(&mo));
  assert_true(mo.batch_given && mo.seq_given);
  assert_int_equal(mo.work.batch, 8);
  assert_int_equal(mo.work.seq, 4096);
  assert_int_equal(mo.convention, CONV_MEGATRON);
  assert_int_equal(mo.work.attention, ATTENTION_FULL);
  assert_int_equal(mo.work.recompute, RECOMPUTE_SELECTIVE);
  assert_int_equal(mo.dtype, MFU_PREC_FP8);
  struct model_shape m;
  char err[512];
  assert_int_equal(model_resolve(mo.config, mo.preset, &mo.overrides, &m, NULL, err, sizeof err), 0);
  assert_int_equal(m.layers, 16);
}

static void test_defaults_and_errors(void **state) {
  (void)state;
  struct own own = {0};
  struct model_spec mo;
  char *none[] = {"report", "dir", NULL};
  assert_int_equal(parse(2, none, &own, &mo), 1);
  assert_false(model_spec_has_model(&mo));
  assert_false(mo.batch_given || mo.seq_given);
  assert_int_equal(mo.work.batch, 1);
  assert_int_equal(mo.work.seq, 2048);
  assert_int_equal(mo.convention, CONV_EXACT);
  assert_int_equal(mo.dtype, MFU_PREC_BF16);
  /* Each is refused with exit status 2 (the message goes to stderr). */
  char *bad[][3] = {{"x", "--seq", "0"},         {"x", "--convention", "kaplan"},
                    {"x", "--heads", "-1"},      {"x", "--peak-tflops", "inf"},
                    {"x", "--bogus", "1"},       {"x", "--dtype", "other"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(parse(3, bad[i], &own, &mo), -2);
  char *missing[] = {"x", "--seq", NULL};
  assert_int_equal(parse(2, missing, &own, &mo), -2);
}

static void test_peak_sources(void **state) {
  (void)state;
  struct model_spec mo;
  struct hw_peak p;
  char err[512];
  model_spec_init(&mo);
  assert_int_equal(model_spec_peak(&mo, NULL, &p, err, sizeof err), 0);  /* none asked for */
  /* The device a trace recorded, when no --device is given. */
  assert_int_equal(model_spec_peak(&mo, "NVIDIA H100 80GB HBM3", &p, err, sizeof err), 1);
  assert_true(p.tflops == 989.4 && !p.from_flag);
  assert_string_equal(p.hw->id, "h100-sxm");
  mo.device = "a100";
  assert_int_equal(model_spec_peak(&mo, "NVIDIA H100 80GB HBM3", &p, err, sizeof err), 1);
  assert_true(p.tflops == 312);
  /* --peak-tflops wins, and stands in for a device the table lacks ... */
  mo.device = NULL;
  mo.peak_tflops = 70;
  assert_int_equal(model_spec_peak(&mo, "NVIDIA RTX A5000", &p, err, sizeof err), 1);
  assert_true(p.tflops == 70 && p.from_flag && !p.hw);
  /* ... but not for a mistyped --device, nor without it for an unknown one. */
  mo.device = "h1000";
  assert_int_equal(model_spec_peak(&mo, NULL, &p, err, sizeof err), -1);
  mo.device = NULL;
  mo.peak_tflops = 0;
  assert_int_equal(model_spec_peak(&mo, "NVIDIA RTX A5000", &p, err, sizeof err), -1);
  assert_non_null(strstr(err, "--peak-tflops"));
  /* A precision the device lacks. */
  mo.device = "v100";
  mo.dtype = MFU_PREC_BF16;
  assert_int_equal(model_spec_peak(&mo, NULL, &p, err, sizeof err), -1);
  assert_non_null(strstr(err, "no bf16"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shared_and_own_options),
      cmocka_unit_test(test_defaults_and_errors),
      cmocka_unit_test(test_peak_sources),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
