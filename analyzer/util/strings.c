/* strings: see strings.h. */
#include "strings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

void mfu_strings_take(struct mfu_strings *l, char *s) {
  MFU_GROW(l->v, l->n, l->cap);
  l->v[l->n++] = s;
}

void mfu_strings_add(struct mfu_strings *l, const char *s) { mfu_strings_take(l, mfu_xstrdup(s)); }

void mfu_strings_vaddf(struct mfu_strings *l, const char *fmt, va_list ap) {
  char *s;
  if (vasprintf(&s, fmt, ap) < 0) mfu_out_of_memory();
  mfu_strings_take(l, s);
}

void mfu_strings_addf(struct mfu_strings *l, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  mfu_strings_vaddf(l, fmt, ap);
  va_end(ap);
}

void mfu_strings_free(struct mfu_strings *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  *l = (struct mfu_strings){0};
}

char *mfu_xasprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s;
  if (vasprintf(&s, fmt, ap) < 0) mfu_out_of_memory();
  va_end(ap);
  return s;
}
