/* strings: a growable list of owned strings (paths, warnings, notes). */
#ifndef MFU_STRINGS_H
#define MFU_STRINGS_H

#include <stdarg.h>
#include <stddef.h>

struct mfu_strings {
  char **v;
  size_t n, cap;
};

void mfu_strings_add(struct mfu_strings *l, const char *s);
/* Takes ownership of `s`, a malloc'ed string. */
void mfu_strings_take(struct mfu_strings *l, char *s);
__attribute__((format(printf, 2, 3))) void mfu_strings_addf(struct mfu_strings *l,
                                                             const char *fmt, ...);
__attribute__((format(printf, 2, 0))) void mfu_strings_vaddf(struct mfu_strings *l,
                                                              const char *fmt, va_list ap);
void mfu_strings_free(struct mfu_strings *l);

/* `one` or `many`, as n says: "1 call", "2 calls". */
static inline const char *mfu_plural(unsigned long long n, const char *one, const char *many) {
  return n == 1 ? one : many;
}

/* The letters and digits of s, lower-cased, into out (n bytes): "NVIDIA A100-SXM4" ->
 * "nvidiaa100sxm4", "Llama-3.1-8B" -> "llama318b". For names that users spell loosely. */
void mfu_squash(const char *s, char *out, size_t n);

/* Levenshtein distance between a and b (insertions, deletions, substitutions); strings of
 * 63 bytes or more are "far" (99). For "did you mean" hints. */
size_t mfu_edit_distance(const char *a, const char *b);

/* A formatted, malloc'ed string. */
__attribute__((format(printf, 1, 2))) char *mfu_xasprintf(const char *fmt, ...);

#endif
