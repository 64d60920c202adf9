/* replay: runs a fuzz target once over each file of the directories (or files) it is given,
 * the checked-in seed corpora and what `make fuzz` found: the targets' regression test,
 * without libFuzzer. Prints "replay: N inputs" on stdout; a failing input aborts. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  static uint8_t buf[1 << 22];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  LLVMFuzzerTestOneInput(buf, n);
  return 1;
}

int main(int argc, char **argv) {
  FILE *out = stdout; /* the target may point stdout elsewhere */
  long inputs = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "replay: %s: no such file or directory\n", argv[i]);
      return 2;
    }
    if (!S_ISDIR(st.st_mode)) {
      inputs += replay_file(argv[i]);
      continue;
    }
    DIR *d = opendir(argv[i]);
    for (struct dirent *e; d && (e = readdir(d));) {
      if (e->d_name[0] == '.') continue;
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
      inputs += replay_file(path);
    }
    if (d) closedir(d);
  }
  fprintf(out, "replay: %ld inputs\n", inputs);
  return inputs ? 0 : 1;
}
