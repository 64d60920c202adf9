/* strings: see strings.h. */
#include "strings.h"

#include <ctype.h>
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

void mfu_squash(const char *s, char *out, size_t n) {
  size_t j = 0;
  for (; *s && j + 1 < n; s++)
    if (isalnum((unsigned char)*s)) out[j++] = (char)tolower((unsigned char)*s);
  out[j] = '\0';
}

size_t mfu_edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b), row[64];
  if (la >= 63 || lb >= 63) return 99;
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}
