/* Unit tests of analyzer/symbols: this test's own functions found in its ELF file by their
 * offsets, as the shim records frames; C++ names demangled (libstdc++'s own); a file that is
 * not the run's (another build id), damaged or missing gives no name and says why. */
#include <dlfcn.h>
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/elf.h"
#include "symbols/symbolizer.h"
#include "trace_fixture.h"

__attribute__((noinline)) int symbols_probe(int x) { return x * 3 + 1; }

/* The offset of `fn` from its module's load address, and the module's path. */
static uint64_t offset_of(void *fn, char *path, size_t size) {
  Dl_info info;
  assert_true(dladdr(fn, &info) != 0);
  if (strchr(info.dli_fname, '/')) {
    snprintf(path, size, "%s", info.dli_fname);
  } else { /* the main program: dladdr names it as argv[0] did */
    ssize_t n = readlink("/proc/self/exe", path, size - 1);
    assert_true(n > 0);
    path[n] = '\0';
  }
  return (uint64_t)((uintptr_t)fn - (uintptr_t)info.dli_fbase);
}

static void own_function_by_offset(void **state) {
  (void)state;
  char path[4096];
  uint64_t off = offset_of((void *)symbols_probe, path, sizeof path);
  struct elf_symbols s;
  char err[256];
  assert_int_equal(elf_read(&s, path, err, sizeof err), 0);
  assert_true(s.has_symtab);
  assert_true(s.build_id_len > 0);
  const struct elf_symbol *sym = elf_lookup(&s, off);
  assert_non_null(sym);
  assert_string_equal(sym->name, "symbols_probe");
  assert_int_equal(sym->value, off);
  assert_null(elf_lookup(&s, 0)); /* below every symbol */

  struct symbolizer *z = symbolizer_new();
  uint64_t into;
  const char *why;
  /* a return address 5 bytes into the function; and one just past a function's end */
  const char *name = symbolizer_name(z, path, s.build_id, s.build_id_len, off + 5, &into, &why);
  assert_non_null(name);
  assert_string_equal(name, "symbols_probe");
  assert_int_equal(into, 5);
  if (sym->size) {
    name = symbolizer_name(z, path, s.build_id, s.build_id_len, off + sym->size, &into, &why);
    assert_string_equal(name, "symbols_probe");
  }
  /* the same file under another build id is not the run's */
  uint8_t other[32];
  memcpy(other, s.build_id, s.build_id_len);
  other[0] ^= 0xff;
  assert_null(symbolizer_name(z, path, other, s.build_id_len, off + 5, &into, &why));
  assert_non_null(strstr(why, "the file changed since the run"));
  symbolizer_free(z);
  elf_free(&s);
}

static void cxx_names_demangled(void **state) {
  (void)state;
  void *cxx = dlopen("libstdc++.so.6", RTLD_NOW | RTLD_LOCAL);
  if (!cxx) skip();
  void *fn = dlsym(cxx, "_ZNSt9exceptionD1Ev");
  assert_non_null(fn);
  char path[4096];
  uint64_t off = offset_of(fn, path, sizeof path);
  struct symbolizer *z = symbolizer_new();
  uint64_t into;
  const char *why;
  const char *name = symbolizer_name(z, path, NULL, 0, off + 1, &into, &why);
  assert_non_null(name);
  assert_string_equal(name, "std::exception::~exception()");
  symbolizer_free(z);
  dlclose(cxx);
}

static void bad_files_say_why(void **state) {
  (void)state;
  char dir[256], path[300], err[256];
  fx_tmpdir(dir);
  struct elf_symbols s;
  snprintf(path, sizeof path, "%s/missing.so", dir);
  assert_int_equal(elf_read(&s, path, err, sizeof err), -1);
  assert_non_null(strstr(err, "cannot open"));

  snprintf(path, sizeof path, "%s/text.so", dir);
  FILE *f = fopen(path, "w");
  fprintf(f, "this is no ELF file, but long enough to have a header's worth of bytes in it..\n");
  fclose(f);
  assert_int_equal(elf_read(&s, path, err, sizeof err), -1);
  assert_non_null(strstr(err, "no ELF magic"));

  /* this program's own header, cut short: section headers beyond the end */
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n] = '\0';
  unsigned char head[1024];
  f = fopen(exe, "rb");
  assert_int_equal(fread(head, 1, sizeof head, f), sizeof head);
  fclose(f);
  snprintf(path, sizeof path, "%s/cut.so", dir);
  f = fopen(path, "wb");
  fwrite(head, 1, sizeof head, f);
  fclose(f);
  assert_int_equal(elf_read(&s, path, err, sizeof err), -1);
  assert_non_null(strstr(err, "section headers are damaged or cut off"));

  head[EI_CLASS] = ELFCLASS32;
  f = fopen(path, "wb");
  fwrite(head, 1, sizeof head, f);
  fclose(f);
  assert_int_equal(elf_read(&s, path, err, sizeof err), -1);
  assert_non_null(strstr(err, "32-bit"));

  struct symbolizer *z = symbolizer_new();
  uint64_t into;
  const char *why;
  assert_null(symbolizer_name(z, path, NULL, 0, 100, &into, &why));
  assert_non_null(strstr(why, "32-bit"));
  assert_null(symbolizer_name(z, "linux-vdso.so.1", NULL, 0, 100, &into, &why));
  assert_non_null(strstr(why, "cannot open linux-vdso.so.1"));
  symbolizer_free(z);
  fx_rmtree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(own_function_by_offset),
      cmocka_unit_test(cxx_names_demangled),
      cmocka_unit_test(bad_files_say_why),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
