/* fuzz: what the fuzz targets share. Each target defines LLVMFuzzerTestOneInput (and may
 * define fuzz_init, run once); it is linked with libFuzzer by `make fuzz`, or with replay.c,
 * which runs it over the checked-in seed corpora, in `make test` and `make check-sanitize`.
 *
 * The commands a target runs print to stdout and stderr through stdio: fuzz_quiet points
 * both FILE streams at /dev/null, so that a run prints only the fuzzer's lines, while the
 * sanitizers' reports, written to descriptor 2, still reach the terminal. */
#ifndef MFU_FUZZ_H
#define MFU_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A scratch directory of this process's, removed at exit. */
static char fuzz_dir[64];

static inline void fuzz_cleanup(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir);
  if (system(cmd)) { /* nothing to do about it at exit */
  }
}

/* Once: the scratch directory, quiet stdio, one analyzer thread (a fuzzer's process runs
 * millions of inputs: no thread pool per input). */
static inline void fuzz_setup(void) {
  if (fuzz_dir[0]) return;
  const char *tmp = getenv("TMPDIR");
  snprintf(fuzz_dir, sizeof fuzz_dir, "%.40s/mfu-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(fuzz_dir)) abort();
  atexit(fuzz_cleanup);
  FILE *null = fopen("/dev/null", "w");
  if (!null) abort();
  stdout = null;
  stderr = null;
  setenv("MFU_THREADS", "1", 1);
}

/* Writes data to the scratch file `name` and returns its path (a static buffer). */
static inline const char *fuzz_file(const char *name, const uint8_t *data, size_t size) {
  static char path[128];
  fuzz_setup();
  snprintf(path, sizeof path, "%s/%s", fuzz_dir, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f)) abort();
  return path;
}

#endif
