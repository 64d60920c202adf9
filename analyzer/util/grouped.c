/* grouped: see grouped.h. */
#include "grouped.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

struct mfu_group {
  char *kind, *what, *first; /* first: the first rank's message */
  bool detail;
  long ranks[MFU_GROUPED_RANKS];
  size_t count;
};

void mfu_grouped_add(struct mfu_grouped *g, const char *kind, const char *what, long rank,
                     char *message, bool detail) {
  struct mfu_group *x = NULL;
  for (size_t i = 0; i < g->n && !x; i++)
    if (!strcmp(g->v[i].kind, kind)) x = &g->v[i];
  if (!x) {
    MFU_GROW(g->v, g->n, g->cap);
    x = &g->v[g->n++];
    *x = (struct mfu_group){.kind = mfu_xstrdup(kind), .what = mfu_xstrdup(what),
                            .first = message, .detail = detail};
    message = NULL;
  }
  if (x->count < MFU_GROUPED_RANKS) x->ranks[x->count] = rank;
  x->count++;
  free(message);
}

void mfu_grouped_flush(struct mfu_grouped *g, struct mfu_strings *out) {
  for (size_t i = 0; i < g->n; i++) {
    struct mfu_group *x = &g->v[i];
    if (x->count == 1) {
      mfu_strings_take(out, x->first);
      x->first = NULL;
    } else {
      char ranks[160] = "";
      size_t listed = x->count < MFU_GROUPED_RANKS ? x->count : MFU_GROUPED_RANKS;
      for (size_t k = 0; k < listed; k++) {
        size_t len = strlen(ranks);
        if (x->ranks[k] < 0) snprintf(ranks + len, sizeof ranks - len, "%s?", k ? ", " : "");
        else snprintf(ranks + len, sizeof ranks - len, "%s%ld", k ? ", " : "", x->ranks[k]);
      }
      if (x->count > listed)
        snprintf(ranks + strlen(ranks), sizeof ranks - strlen(ranks), " and %zu more",
                 x->count - listed);
      mfu_strings_addf(out, "%zu %s (%s) %s%s%s", x->count, x->count == 1 ? "rank" : "ranks",
                       ranks, x->what, x->detail ? "; the first: " : "", x->detail ? x->first : "");
    }
    free(x->kind);
    free(x->what);
    free(x->first);
  }
  free(g->v);
  *g = (struct mfu_grouped){0};
}
