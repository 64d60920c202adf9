/* phases: see phases.h. */
#include "phases.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/sort.h"

const char *phase_name(enum phase p) {
  static const char *const names[] = {
#define NAME(name, key) key,
      PHASES(NAME)
#undef NAME
  };
  return p < PHASE_COUNT ? names[p] : "other";
}

static const struct {
  const char *word;
  enum phase phase;
} words[] = {
    {"backward", PHASE_BACKWARD}, {"bwd", PHASE_BACKWARD},
    {"autograd::engine", PHASE_BACKWARD}, {"optim", PHASE_OPTIMIZER},
    {"adam", PHASE_OPTIMIZER},    {"sgd", PHASE_OPTIMIZER},
    {"forward", PHASE_FORWARD},   {"fwd", PHASE_FORWARD},
};

#define ANON "(anonymous namespace)"

/* The lowercase function name and scope of `name`: template arguments and parameters left
 * out (but "(anonymous namespace)" kept as scope). */
static void own_name(const char *name, char *out, size_t size) {
  size_t n = 0;
  int angle = 0, brace = 0;
  for (const char *p = name; *p && n + 1 < size; p++) {
    if (*p == '(' && !angle && !brace && strncmp(p, ANON, strlen(ANON)) != 0) break;
    if (*p == '<') angle++;
    else if (*p == '>' && angle) angle--;
    else if (*p == '{') brace++;
    else if (*p == '}' && brace) brace--;
    else if (!angle && !brace) out[n++] = (char)tolower((unsigned char)*p);
  }
  out[n] = '\0';
}

enum phase phase_of_name(const char *name) {
  if (!name) return PHASE_OTHER;
  char own[512];
  own_name(name, own, sizeof own);
  for (size_t i = 0; i < sizeof words / sizeof *words; i++)
    if (strstr(own, words[i].word)) return words[i].phase;
  return PHASE_OTHER;
}

#define AUTOGRAD_THREAD "pt_autograd_"

enum phase phase_of_site(const struct phase_site *v, const char **evidence) {
  const char *why = NULL;
  enum phase p = PHASE_OTHER;
  if (v->thread && !strncmp(v->thread, AUTOGRAD_THREAD, strlen(AUTOGRAD_THREAD)))
    p = PHASE_BACKWARD, why = v->thread;
  for (size_t i = 0; p == PHASE_OTHER && i < v->nnative; i++)
    if ((p = phase_of_name(v->native[i])) != PHASE_OTHER) why = v->native[i];
  for (size_t i = 0; p == PHASE_OTHER && i < v->npy; i++) {
    if ((p = phase_of_name(v->py_func[i])) != PHASE_OTHER)
      why = v->py_func[i];
    else if ((p = phase_of_name(v->py_file[i])) != PHASE_OTHER)
      why = v->py_file[i];
  }
  if (evidence) *evidence = why;
  return p;
}

static int by_start(const void *a, const void *b) {
  const struct phase_range *x = a, *y = b;
  return x->start_ns != y->start_ns ? MFU_COMPARE(x->start_ns, y->start_ns)
                                    : MFU_COMPARE(y->end_ns, x->end_ns); /* outer first */
}

void phase_ranges_build(struct phase_ranges *pr, const struct phase_range *r, size_t n) {
  pr->v = mfu_xmalloc(n, sizeof *pr->v);
  pr->n = 0;
  for (size_t i = 0; i < n; i++) {
    enum phase p = phase_of_name(r[i].name);
    if (p == PHASE_OTHER) continue;
    pr->v[pr->n] = r[i];
    pr->v[pr->n++].phase = p;
  }
  mfu_sort(pr->v, pr->n, sizeof *pr->v, by_start);
}

/* Ranges looked at, back from the last one to start before t, for one that holds t: nested
 * ranges are found at once; only ranges that overlap without nesting make it look further. */
#define WALK_BACK 256

enum phase phase_ranges_at(const struct phase_ranges *pr, uint64_t thread, uint64_t t,
                           const char **name) {
  size_t lo = 0, hi = pr->n;
  while (lo < hi) { /* the first range that starts after t */
    size_t mid = lo + (hi - lo) / 2;
    if (pr->v[mid].start_ns <= t)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (size_t i = lo, k = 0; i > 0 && k < WALK_BACK; i--, k++) {
    const struct phase_range *r = &pr->v[i - 1];
    if (t < r->end_ns && (r->thread == 0 || r->thread == thread)) {
      if (name) *name = r->name;
      return r->phase;
    }
  }
  if (name) *name = NULL;
  return PHASE_OTHER;
}

void phase_ranges_free(struct phase_ranges *pr) {
  free(pr->v);
  pr->v = NULL;
  pr->n = 0;
}
