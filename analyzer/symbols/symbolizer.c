/* symbolizer: see symbolizer.h. A stripped file's symbols are completed from its separate
 * debug file when one is installed under /usr/lib/debug/.build-id/ (Debian's -dbgsym packages). */
#include "symbolizer.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/strings.h"

struct loaded {
  char *path;
  uint8_t build_id[32];
  size_t build_id_len;
  uint64_t path_hash;
  struct elf_symbols syms;
  char **shown; /* per symbol: its demangled name, made when first asked for */
  char *problem; /* why the file gives no names; NULL if it does */
};

struct symbolizer {
  struct loaded *v;
  size_t n, cap;
  char *(*demangle)(const char *, char *, size_t *, int *); /* __cxa_demangle, or NULL */
};

struct symbolizer *symbolizer_new(void) {
  struct symbolizer *z = mfu_xcalloc(1, sizeof *z);
  void *cxx = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
  if (cxx) *(void **)&z->demangle = dlsym(cxx, "__cxa_demangle");
  return z;
}

static uint64_t hash_text(const char *s) {
  uint64_t h = MFU_HASH_SEED;
  for (; *s; s++) h = mfu_hash_mix(h, (unsigned char)*s);
  return h;
}

static char *hex(const uint8_t *id, size_t n) {
  char *s = mfu_xmalloc(2 * n + 1, 1);
  for (size_t i = 0; i < n; i++) snprintf(s + 2 * i, 3, "%02x", id[i]);
  s[2 * n] = '\0';
  return s;
}

static void load(struct loaded *m) {
  char err[512];
  if (elf_read(&m->syms, m->path, err, sizeof err) != 0) {
    m->problem = mfu_xasprintf("%s", err);
    return;
  }
  if (m->build_id_len &&
      (m->syms.build_id_len != m->build_id_len || memcmp(m->syms.build_id, m->build_id, m->build_id_len))) {
    char *want = hex(m->build_id, m->build_id_len), *got = hex(m->syms.build_id, m->syms.build_id_len);
    m->problem = mfu_xasprintf("%s has build id %s, the run's had %s: the file changed since the "
                               "run (analyze where the run's files are)",
                               m->path, *got ? got : "(none)", want);
    free(want);
    free(got);
    return;
  }
  if (!m->syms.has_symtab && m->build_id_len > 1) {
    char *id = hex(m->build_id, m->build_id_len);
    char *debug = mfu_xasprintf("/usr/lib/debug/.build-id/%.2s/%s.debug", id, id + 2);
    elf_merge(&m->syms, debug, err, sizeof err); /* none installed: the file's own symbols */
    free(debug);
    free(id);
  }
  m->shown = mfu_xcalloc(m->syms.n, sizeof *m->shown);
}

static struct loaded *find(struct symbolizer *z, const char *path, const uint8_t *build_id, size_t len) {
  static const uint8_t none[1];
  if (!len) build_id = none; /* memcmp and memcpy want a pointer even for no bytes */
  if (len > 32) len = 32;
  uint64_t h = hash_text(path);
  for (size_t i = 0; i < z->n; i++)
    if (z->v[i].path_hash == h && z->v[i].build_id_len == len &&
        !memcmp(z->v[i].build_id, build_id, len) && !strcmp(z->v[i].path, path))
      return &z->v[i];
  MFU_GROW(z->v, z->n, z->cap);
  struct loaded *m = &z->v[z->n++];
  *m = (struct loaded){.path = mfu_xstrdup(path), .build_id_len = len, .path_hash = h};
  memcpy(m->build_id, build_id, len);
  load(m);
  return m;
}

const char *symbolizer_name(struct symbolizer *z, const char *path, const uint8_t *build_id,
                            size_t build_id_len, uint64_t offset, uint64_t *into, const char **why) {
  struct loaded *m = find(z, path, build_id, build_id_len);
  if (m->problem) {
    *why = m->problem;
    return NULL;
  }
  const struct elf_symbol *s = offset ? elf_lookup(&m->syms, offset - 1) : NULL;
  if (!s) {
    *why = "no symbol covers the address";
    return NULL;
  }
  size_t i = (size_t)(s - m->syms.v);
  if (!m->shown[i]) {
    int status = -1;
    char *d = z->demangle && !strncmp(s->name, "_Z", 2) ? z->demangle(s->name, NULL, NULL, &status) : NULL;
    m->shown[i] = d && status == 0 ? d : mfu_xstrdup(s->name);
    if (m->shown[i] != d) free(d);
  }
  *into = offset - s->value;
  return m->shown[i];
}

void symbolizer_free(struct symbolizer *z) {
  if (!z) return;
  for (size_t i = 0; i < z->n; i++) {
    for (size_t j = 0; z->v[i].shown && j < z->v[i].syms.n; j++) free(z->v[i].shown[j]);
    free(z->v[i].shown);
    elf_free(&z->v[i].syms);
    free(z->v[i].path);
    free(z->v[i].problem);
  }
  free(z->v);
  free(z);
}
