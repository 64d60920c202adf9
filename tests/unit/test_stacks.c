/* Call sites in-process, with libunwind: distinct paths to one intercepted function are two
 * sites, each named down to its functions; a path through a library loaded with dlopen after
 * the start is named too; a call from a thread named like PyTorch's autograd threads is
 * backward. The shim's entries are read back as the analyzer reads a trace's. */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "steps/phases.h"
#include "config.h"
#include "stacks_fixture.h"
#include "unwind.h"

static struct trace_callsites table;
static struct symbolizer *z;

static int setup(void **state) {
  (void)state;
  unsetenv("MFU_STACKS");
  unsetenv("MFU_LIBUNWIND");
  mfu_config_load();
  mfu_stacks_start();
  z = symbolizer_new();
  return 0;
}

static int teardown(void **state) {
  (void)state;
  trace_callsites_free(&table);
  symbolizer_free(z);
  return 0;
}

static void two_paths_are_two_sites(void **state) {
  (void)state;
  assert_int_equal(mfu_unwind_method(), MFU_UNWINDER_LIBUNWIND);
  uint32_t first = a(), other = b(), again = a();
  assert_int_not_equal(first, 0);
  assert_int_not_equal(other, 0);
  assert_int_not_equal(first, other);
  assert_int_equal(again, first); /* recognized without unwinding: the same key */
  fx_take_sites(&table);
  assert_true(table.has_info);
  assert_int_equal(table.info.unwinder, MFU_UNWINDER_LIBUNWIND);
  assert_int_equal(table.info.sample_every, MFU_STACKS_DEFAULT);
  assert_string_equal(fx_frame_name(z, &table, first, 0), "gemm");
  assert_string_equal(fx_frame_name(z, &table, first, 1), "a");
  assert_string_equal(fx_frame_name(z, &table, other, 0), "gemm");
  assert_string_equal(fx_frame_name(z, &table, other, 1), "c");
  assert_string_equal(fx_frame_name(z, &table, other, 2), "b");
  const struct trace_cs_site *s = trace_callsites_site(&table, first);
  assert_string_equal(s->thread, "test_stacks");
  const struct trace_cs_module *m = trace_callsites_module(&table, mfu_cs_frame_module(s->frames[0]));
  assert_non_null(m);
  assert_string_equal(basename(m->path), "test_stacks");
  assert_true(m->build_id_len > 0);
}

static void *autograd_thread(void *site) {
  pthread_setname_np(pthread_self(), "pt_autograd_0");
  *(uint32_t *)site = a();
  return NULL;
}

static enum phase phase_of(uint32_t id, const char **why) {
  const struct trace_cs_site *s = trace_callsites_site(&table, id);
  const char *names[MFU_STACKS_DEPTH];
  for (unsigned i = 0; i < s->depth; i++) names[i] = fx_frame_name(z, &table, id, i);
  struct phase_site v = {.thread = s->thread, .native = names, .nnative = s->depth};
  return phase_of_site(&v, why);
}

static void autograd_thread_call(void **state) {
  (void)state;
  pthread_t t;
  uint32_t site = 0, main_site = a();
  assert_int_equal(pthread_create(&t, NULL, autograd_thread, &site), 0);
  pthread_join(t, NULL);
  assert_int_not_equal(site, 0);
  assert_int_not_equal(site, main_site);
  fx_take_sites(&table);
  assert_string_equal(trace_callsites_site(&table, site)->thread, "pt_autograd_0");
  const char *why;
  assert_int_equal(phase_of(site, &why), PHASE_BACKWARD);
  assert_string_equal(why, "pt_autograd_0");
  assert_int_equal(phase_of(main_site, &why), PHASE_OTHER);
  assert_null(why);
}

static void library_loaded_later_is_named(void **state) {
  (void)state;
  char exe[PATH_MAX], path[PATH_MAX + 32];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  assert_true(n > 0);
  exe[n] = '\0';
  snprintf(path, sizeof path, "%s/libstacks_dlopen.so", dirname(exe));
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) fail_msg("%s", dlerror());
  uint32_t (*call)(uint32_t (*)(void)) = (uint32_t (*)(uint32_t (*)(void)))dlsym(lib, "dlopened_gemm");
  assert_non_null(call);
  uint32_t site = call(intercepted);
  assert_int_not_equal(site, 0);
  fx_take_sites(&table);
  assert_string_equal(fx_frame_name(z, &table, site, 0), "dlopened_gemm");
  const struct trace_cs_site *s = trace_callsites_site(&table, site);
  const struct trace_cs_module *m = trace_callsites_module(&table, mfu_cs_frame_module(s->frames[0]));
  assert_string_equal(basename(m->path), "libstacks_dlopen.so");
  dlclose(lib);
}

int main(void) {
  FX_SKIP_UNDER_TSAN();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(two_paths_are_two_sites),
      cmocka_unit_test(autograd_thread_call),
      cmocka_unit_test(library_loaded_later_is_named),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
