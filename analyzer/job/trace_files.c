/* trace_files: see trace_files.h. */
#include "trace_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mfu/trace.h"
#include "util/errmsg.h"
#include "util/sort.h"

static bool is_trace_name(const char *name) {
  size_t n = strlen(name), s = strlen(MFU_TRACE_SUFFIX);
  return n > s && strcmp(name + n - s, MFU_TRACE_SUFFIX) == 0;
}

/* The directories from the top down to the one being read: a link back to one of them (a
 * loop) is not followed. */
struct ancestors {
  const struct ancestors *up;
  dev_t dev;
  ino_t ino;
};

static bool is_ancestor(const struct ancestors *a, const struct stat *st) {
  for (; a; a = a->up)
    if (a->dev == st->st_dev && a->ino == st->st_ino) return true;
  return false;
}

/* Every trace file in the tree under dir, at any depth (a shared trace directory with one
 * subdirectory per node, job or run). */
static void scan(DIR *d, const char *dir, const struct ancestors *up, struct mfu_strings *out,
                 struct mfu_strings *warnings) {
  const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
  for (struct dirent *e; (e = readdir(d));) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char *path = mfu_xasprintf("%s%s%s", dir, sep, e->d_name);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
      DIR *sub = is_ancestor(up, &st) ? NULL : opendir(path);
      struct ancestors here = {up, st.st_dev, st.st_ino};
      if (sub) {
        scan(sub, path, &here, out, warnings);
        closedir(sub);
      } else if (warnings && !is_ancestor(up, &st)) {
        mfu_strings_addf(warnings, "cannot read subdirectory %s: %s: its traces are not counted",
                         path, strerror(errno));
      }
    } else if (is_trace_name(e->d_name)) {
      mfu_strings_take(out, path);
      continue;
    }
    free(path);
  }
}

int trace_files_find(const char *path, struct mfu_strings *out, struct mfu_strings *warnings,
                     char *err, size_t errlen) {
  struct stat st;
  DIR *d = NULL;
  if (stat(path, &st) != 0 || (S_ISDIR(st.st_mode) && !(d = opendir(path))))
    return errmsg(err, errlen,
                  "cannot open '%s': %s: give the directory the traces were written to "
                  "(MFU_TRACE_DIR of the traced program, default ./mfu-traces)",
                  path, strerror(errno));
  size_t first = out->n;
  if (d) {
    struct ancestors top = {NULL, st.st_dev, st.st_ino};
    scan(d, path, &top, out, warnings);
    closedir(d);
  } else {
    mfu_strings_add(out, path); /* a file named explicitly is read whatever its name */
  }
  if (out->n > first) mfu_sort(out->v + first, out->n - first, sizeof *out->v, mfu_compare_strings);
  return 0;
}
