/* detect: see detect.h. */
#include "detect.h"

#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect_index.h"
#include "detect_warmup.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/sort.h"

/* At most this many candidate anchors are tried, those made most often first. */
#define MAX_CANDIDATES 64

/* "Most", throughout: at least three quarters, and at least one. A quarter of the periods
 * may differ: the first (warm-up), logging steps, evaluation. */
static bool most(size_t part, size_t whole) { return part > 0 && 4 * part >= 3 * whole; }

/* The value held by more than half of v[0..n), if one is (Boyer-Moore), and how many hold
 * the value returned. */
static uint64_t majority(const uint64_t *v, size_t n, size_t *count) {
  uint64_t value = 0;
  size_t lead = 0;
  for (size_t i = 0; i < n; i++) {
    if (lead == 0) value = v[i];
    lead += lead == 0 || v[i] == value ? 1 : (size_t)-1;
  }
  *count = 0;
  for (size_t i = 0; i < n; i++) *count += v[i] == value;
  return value;
}

/* -------------------------------------------------------------- automatic detection */

static const uint32_t *positions(const struct detect_index *ix, size_t g) { return detect_positions(ix, g); }
static size_t count(const struct detect_index *ix, size_t g) { return detect_count(ix, g); }

/* The k-th smallest of v[0..n) (k < n), reordering v: quickselect, O(n) expected. */
static uint32_t select_u32(uint32_t *v, size_t n, size_t k) {
  ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, want = (ptrdiff_t)k;
  while (lo < hi) {
    uint32_t pivot = v[lo + (hi - lo) / 2];
    ptrdiff_t i = lo, j = hi;
    while (i <= j) { /* Hoare: v[lo..j] <= pivot <= v[i..hi], pivots between */
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        uint32_t t = v[i];
        v[i++] = v[j], v[j--] = t;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else break;
  }
  return v[want];
}

/* Whether most of the span from a call's first to its last occurrence lies in gaps within a
 * factor of two of the median gap: true of a call made once per step (steps vary in length
 * a little, a warm-up or logging step more), false of calls made in bursts (once per layer
 * in the forward pass) or at random (gaps spread out exponentially). Fewer than half the
 * gaps exceed twice their mean: the median is at most limit / 2, and where that range is
 * smaller than their number, the gaps are counted into it (buf: room for c); otherwise the
 * median is found by quickselect. */
static bool regular(const uint32_t *p, size_t c, uint32_t *buf) {
  size_t gaps = c - 1, span = p[c - 1] - p[0], inside = 0, med = 0;
  size_t limit = 2 * (2 * span / gaps + 1);
  if (limit < gaps) {
    memset(buf, 0, (limit + 1) * sizeof *buf);
    for (size_t i = 0; i < gaps; i++)
      if (p[i + 1] - p[i] <= limit) buf[p[i + 1] - p[i]]++;
    for (size_t below = 0; below + buf[med] <= gaps / 2; med++) below += buf[med];
    for (size_t v = (med + 1) / 2; v <= 2 * med; v++) inside += v * buf[v];
  } else {
    for (size_t i = 0; i < gaps; i++) buf[i] = p[i + 1] - p[i];
    med = select_u32(buf, gaps, gaps / 2);
    for (size_t i = 0; i < gaps; i++)
      if (2 * (size_t)buf[i] >= med && buf[i] <= 2 * med) inside += buf[i];
  }
  return most(inside, span);
}

/* A candidate anchor: a key and how its periods look. The periods ("segments") run from one
 * occurrence of the anchor to the next. */
struct candidate {
  size_t group;
  size_t segments;  /* count − 1 */
  size_t agree;     /* segments with the usual signature */
  size_t explained; /* calls, over all segments, of the keys periodic for this anchor */
  bool valid;
};

/* A key that recurs regularly: a candidate anchor, before it is evaluated. */
struct recurring {
  size_t count, group;
};

static int by_count(const void *a, const void *b) {
  const struct recurring *x = a, *y = b;
  return MFU_COMPARE(y->count, x->count);
}

/* Scratch space, reused for every candidate. */
struct detect_scratch {
  uint32_t *stamp;    /* per group: the last segment it was seen in */
  uint64_t *periodic; /* per group: bit k set when present in most segments of candidate k */
  uint64_t *seg;      /* per segment: a signature hash, or a count */
  uint64_t *sets;     /* per segment of the candidate being chosen: its set of keys */
};

static bool is_periodic(const struct detect_scratch *w, size_t g, size_t k) {
  return w->periodic[g] >> k & 1;
}

/* For each call p from the anchor's first occurrence a[0] to its last a[c − 1], with the
 * segment j it is in: [a[j], a[j + 1]) (uint32_t j, for the stamps). */
#define FOR_SEGMENT_CALLS(p, j, a, c) \
  for (uint32_t j = 0; j + 1 < (c); j++) \
    for (size_t p = (a)[j]; p < (a)[j + 1]; p++)

/* The first i in [from, xc) with x[i] >= v, else xc (x ascends): galloping from `from`,
 * O(log(i − from)). */
static size_t gallop(const uint32_t *x, size_t from, size_t xc, uint32_t v) {
  size_t lo = from, hi = from, step = 1;
  while (hi < xc && x[hi] < v) lo = hi + 1, hi += step, step *= 2; /* x[lo − 1] < v */
  if (hi > xc) hi = xc;
  while (lo < hi) { /* x[lo − 1] < v, and x[hi] >= v or hi = xc */
    size_t mid = lo + (hi - lo) / 2;
    if (x[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Of the calls at x[0..xc), those the segments between a[0..c) hold: how many segments hold
 * one (returned), how many they are in all (*calls), and, with counts, how many each holds.
 * O(c log(xc / c)) by galloping, for calls made about once per segment or more. */
static size_t per_segment(const uint32_t *x, size_t xc, const uint32_t *a, size_t c,
                          uint64_t *counts, size_t *calls) {
  size_t i = gallop(x, 0, xc, a[0]), from = i, held = 0;
  for (size_t j = 0; j + 1 < c; j++) { /* x[i ..) in segment j, [a[j], a[j + 1]) */
    size_t end = gallop(x, i, xc, a[j + 1]);
    if (counts) counts[j] = end - i;
    held += end > i, i = end;
  }
  *calls = i - from;
  return held;
}

/* Marks (bit k of w->periodic) the keys present in most of the segments between the
 * occurrences a[0..c) of candidate k, and returns how many calls of those keys the segments
 * hold; *keys: how many keys. Only a key made in most segments at all can be. */
static size_t mark_periodic(const struct detect_index *ix, struct detect_scratch *w, size_t k,
                            const uint32_t *a, size_t c, size_t *keys) {
  size_t explained = 0, calls;
  *keys = 0;
  for (size_t g = 0; g < ix->ngroups; g++)
    if (most(count(ix, g), c - 1) &&
        most(per_segment(positions(ix, g), count(ix, g), a, c, NULL, &calls), c - 1)) {
      w->periodic[g] |= (uint64_t)1 << k;
      explained += calls, ++*keys;
    }
  return explained;
}

/* How many segments have the usual signature: their periodic keys in order of first
 * occurrence, each once. Repeats do not count, so that layers repeated a varying number of
 * times leave the signature alone; the order does, so that random calls do not agree. */
static size_t agreement(const struct detect_index *ix, struct detect_scratch *w, size_t k,
                        const uint32_t *a, size_t c) {
  size_t segments = c - 1, agree;
  for (size_t g = 0; g < ix->ngroups; g++) /* seen in segments before stamp[g], or not periodic */
    w->stamp[g] = is_periodic(w, g, k) ? 0 : DETECT_NONE;
  for (size_t j = 0; j < segments; j++) w->seg[j] = MFU_HASH_SEED;
  FOR_SEGMENT_CALLS(p, j, a, c) {
    uint32_t g = ix->group[p];
    if (w->stamp[g] > j) continue;
    w->stamp[g] = j + 1;
    w->seg[j] = mfu_hash_mix(w->seg[j], ix->key[g]);
  }
  majority(w->seg, segments, &agree);
  return agree;
}

/* Whether group g's calls occur the same number of times, *times, in most segments. */
static bool steady_group(const struct detect_index *ix, size_t g, const uint32_t *a, size_t c,
                         uint64_t *counts, uint64_t *times) {
  size_t agree, calls;
  per_segment(positions(ix, g), count(ix, g), a, c, counts, &calls);
  *times = majority(counts, c - 1, &agree);
  return most(agree, c - 1);
}

/* A candidate is valid when most segments have the usual signature; when at least three
 * periodic keys, the anchor included, are steady (random calls that happen to be in most
 * segments are not: their count per segment varies), and these steady calls, counted over
 * the agreeing segments, are at least MIN_EVIDENCE (two periods of eight calls, or sixteen
 * of three); and when every candidate made more often is steady too: a call made once every
 * few steps (at the first step of each new sequence length, say) would otherwise make
 * several steps look like one. Each test is made only while the others pass, the cheapest
 * first. */
#define MIN_EVIDENCE 16
static bool enough(size_t steady_keys, size_t agree) {
  return steady_keys >= 3 && steady_keys * agree >= MIN_EVIDENCE;
}

static void evaluate(const struct detect_index *ix, struct detect_scratch *w,
                     struct candidate *cand, size_t k) {
  struct candidate *x = &cand[k];
  const uint32_t *a = positions(ix, x->group);
  size_t c = count(ix, x->group), keys = 0, steady_keys = 0;
  uint64_t times;
  x->segments = c - 1;
  x->valid = true;
  for (size_t i = 0; i < k && x->valid; i++)
    x->valid = steady_group(ix, cand[i].group, a, c, w->seg, &times);
  if (x->valid) x->explained = mark_periodic(ix, w, k, a, c, &keys);
  x->valid = x->valid && keys >= 3;
  if (x->valid) x->agree = agreement(ix, w, k, a, c);
  x->valid = x->valid && most(x->agree, x->segments);
  for (size_t g = 0; x->valid && g < ix->ngroups && !enough(steady_keys, x->agree); g++)
    steady_keys += is_periodic(w, g, k) && steady_group(ix, g, a, c, w->seg, &times);
  x->valid = x->valid && enough(steady_keys, x->agree);
}

/* The set of keys in each segment, as an order-free hash, into h. */
static void segment_sets(const struct detect_index *ix, struct detect_scratch *w, const uint32_t *a,
                         size_t c, uint64_t *h) {
  for (size_t g = 0; g < ix->ngroups; g++) w->stamp[g] = DETECT_NONE;
  for (size_t j = 0; j + 1 < c; j++) h[j] = 0;
  FOR_SEGMENT_CALLS(p, j, a, c) {
    uint32_t g = ix->group[p];
    if (w->stamp[g] != j) w->stamp[g] = j, h[j] += mfu_hash_mix(MFU_HASH_SEED, ix->key[g]);
  }
}

/* Whether the coarser valid candidate y absorbs x: x's period is a whole part of y's that
 * leaves much of y's pattern unexplained, like a layer of a step when the layer's calls recur
 * throughout the step (recomputed activations, or forward and backward GEMMs of one shape).
 * Then x occurs a steady m >= 2 times in y's periods, and not more than m times per
 * occurrence of y overall (give or take a period): y recurs all along, not at a few places;
 * x's periods repeat their calls every m periods; and x explains less than three quarters
 * of the calls y explains. (Logging every tenth step makes a whole super-period of the step,
 * but explains few more calls; a call that recurs every few steps by chance, at the steps of
 * one sequence length, does not make x's periods repeat.) w->sets holds x's segment_sets,
 * once *sets says so. */
static bool absorbs(const struct detect_index *ix, struct detect_scratch *w,
                    const struct candidate *x, const struct candidate *y, bool *sets) {
  uint64_t m;
  const uint32_t *a = positions(ix, y->group);
  if (most(x->explained, y->explained) ||
      !steady_group(ix, x->group, a, y->segments + 1, w->seg, &m) || m < 2 ||
      x->segments + 1 > m * (y->segments + 2) || m >= x->segments)
    return false;
  if (!*sets) segment_sets(ix, w, positions(ix, x->group), x->segments + 1, w->sets);
  *sets = true;
  size_t same = 0;
  for (size_t j = 0; j + m < x->segments; j++) same += w->sets[j] == w->sets[j + m];
  return most(same, x->segments - m);
}

/* The anchor: the valid candidate with the most periods that no coarser valid candidate
 * absorbs. Candidates come made most often (finest) first. */
static const struct candidate *choose(const struct detect_index *ix, struct detect_scratch *w,
                                      const struct candidate *cand, size_t k) {
  for (size_t i = 0; i < k; i++) {
    if (!cand[i].valid) continue;
    bool sets = false;
    size_t j = i + 1;
    while (j < k && !(cand[j].valid && absorbs(ix, w, &cand[i], &cand[j], &sets))) j++;
    if (j == k) return &cand[i];
  }
  return NULL;
}

/* The periodic calls of the anchor, in call order: their positions, and their groups. */
struct periodic {
  const uint32_t *at;    /* NULL when every call is periodic: z is the sequence itself */
  const uint32_t *group; /* of each call: z[i]'s is group[z_at(i)] */
  size_t n;
};

static size_t z_at(const struct periodic *z, size_t i) { return z->at ? z->at[i] : i; }
static uint32_t z_group(const struct periodic *z, size_t i) { return z->group[z_at(z, i)]; }

/* The index in z of the periodic call at position p, from index i on (z->at[i] <= p): at most
 * i + (p − z->at[i]), and there when all calls between are periodic. */
static size_t z_index(const struct periodic *z, size_t i, uint32_t p) {
  size_t last = i + (p - z_at(z, i)) < z->n ? i + (p - z_at(z, i)) : z->n - 1;
  return z_at(z, last) == p ? last : gallop(z->at, i, last, p);
}

/* Where one step ends and the next starts, in the periodic calls: `last` followed by
 * `first` (groups), with the two periodic calls usual before them and the two usual after
 * (keys; 0 where there were none to tell). */
struct cut {
  uint32_t last, first;
  uint64_t before[2], after[2]; /* at offsets −3, −2 and +1, +2 from `first` */
  size_t shortest;              /* the fewest periodic calls a step holds: a quarter of the
                                   usual number, which steps of varying length stay above */
  uint32_t *firsts;             /* the indexes in z of `first`'s calls, the only places for
                                   a cut (free it) */
  size_t nfirsts;
};

/* The key of the periodic call at offset o from z[i], or whether there is none. */
static bool z_key(const struct detect_index *ix, const struct periodic *z, size_t i, long o,
                  uint64_t *key) {
  if ((o < 0 && (size_t)-o > i) || i + o >= z->n) return false;
  *key = ix->key[z_group(z, i + o)];
  return true;
}

/* How many periodic calls from z[i] on repeat those at the start of the sequence. */
static size_t repeats_start(const struct periodic *z, size_t i) {
  size_t m = 0;
  while (m < i && i + m < z->n && z_group(z, i + m) == z_group(z, m)) m++;
  return m;
}

/* What step_end knows of each group that precedes `first`: in how many segments exactly
 * once, the segment it last did so in and how often there, and its first such place. */
struct pred {
  uint32_t once, seg, times, at;
};

/* The periodic call that ends a step, before `first` that starts one: one that precedes
 * `first` exactly once in most segments (a layer's first call also follows the previous
 * layer's last). If several do (with recomputed layers the first layer's forward GEMM also
 * follows the LM head), the one after which the calls repeat the sequence's start the
 * longest; of those, the one in most segments; of those, the one of the smallest key. */
static bool step_end(const struct detect_index *ix, const struct periodic *z, const uint32_t *a,
                     size_t na, const struct cut *cut, uint32_t *last) {
  struct pred *p = mfu_xmalloc(ix->ngroups, sizeof *p);
  struct mfu_sort_pair *keys = mfu_xmalloc(ix->ngroups, sizeof *keys); /* key, group */
  size_t distinct = 0, best_match = 0, best_once = 0;
  for (size_t g = 0; g < ix->ngroups; g++) p[g].seg = DETECT_NONE;
  for (size_t f = 0, j = 0; f < cut->nfirsts; f++) { /* pairs ending in (a[j], a[j + 1]] */
    size_t i = cut->firsts[f];
    if (i == 0 || z_at(z, i) <= a[0] || z_at(z, i) > a[na - 1]) continue;
    while (z_at(z, i) > a[j + 1]) j++;
    uint32_t g = z_group(z, i - 1);
    struct pred *q = &p[g];
    if (q->seg == DETECT_NONE) {
      *q = (struct pred){0, (uint32_t)j, 1, (uint32_t)i};
      keys[distinct++] = (struct mfu_sort_pair){ix->key[g], g};
    } else if (q->seg == j) {
      q->times++;
    } else {
      q->once += q->times == 1, q->seg = (uint32_t)j, q->times = 1;
    }
  }
  mfu_sort(keys, distinct, sizeof *keys, mfu_compare_pairs);
  for (size_t k = 0; k < distinct; k++) {
    const struct pred *q = &p[keys[k].index];
    size_t once = q->once + (q->times == 1), match = repeats_start(z, q->at);
    if (most(once, na - 1) && (match > best_match || (match == best_match && once > best_once)))
      best_match = match, best_once = once, *last = (uint32_t)keys[k].index;
  }
  free(keys);
  free(p);
  return best_once > 0;
}

/* The cut before the periodic call `first`: the call that ends a step, the usual calls
 * around the pair, and the fewest periodic calls in a step, against stray pairs made by
 * extra calls just after a boundary. False when no call ends a step before `first`. */
static bool find_cut(const struct detect_index *ix, const struct periodic *z, const uint32_t *a,
                     size_t na, uint32_t first, struct cut *cut, uint64_t *buf) {
  size_t calls, i = 0;
  cut->first = first, cut->nfirsts = count(ix, first);
  cut->firsts = mfu_xmalloc(cut->nfirsts, sizeof *cut->firsts);
  for (size_t f = 0; f < cut->nfirsts; f++) /* first is periodic: all its calls are in z */
    cut->firsts[f] = (uint32_t)(i = z_index(z, i, positions(ix, first)[f]));
  if (!step_end(ix, z, a, na, cut, &cut->last)) {
    free(cut->firsts);
    return false;
  }
  if (z->at) per_segment(z->at, z->n, a, na, buf, &calls); /* periodic calls per segment */
  else for (size_t j = 0; j + 1 < na; j++) buf[j] = a[j + 1] - a[j];
  mfu_sort(buf, na - 1, sizeof *buf, mfu_compare_u64);
  cut->shortest = (buf[(na - 1) / 2] + 3) / 4;
  static const long offset[4] = {-3, -2, 1, 2};
  uint64_t *usual[4] = {&cut->before[0], &cut->before[1], &cut->after[0], &cut->after[1]};
  size_t pairs = 0; /* where `last` is followed by `first`, into buf first */
  for (size_t f = 0; f < cut->nfirsts; f++)
    if (cut->firsts[f] > 0 && z_group(z, cut->firsts[f] - 1) == cut->last) buf[pairs++] = cut->firsts[f];
  uint64_t *keys = mfu_xmalloc(pairs, sizeof *keys);
  for (int o = 0; o < 4; o++) {
    size_t m = 0, agree;
    for (size_t k = 0; k < pairs; k++) m += z_key(ix, z, buf[k], offset[o], &keys[m]);
    *usual[o] = majority(keys, m, &agree);
  }
  free(keys);
  return true;
}

/* Whether one side of a possible boundary is as usual: one of its two calls at least, so
 * that one call missing or added there keeps the boundary, while a stray `last` followed by
 * `first` inside a step does not make one. */
static bool side_as_usual(const struct detect_index *ix, const struct periodic *z, size_t i,
                          const long offset[2], const uint64_t usual[2]) {
  for (int o = 0; o < 2; o++) {
    uint64_t key;
    if (z_key(ix, z, i, offset[o], &key) && (key == usual[0] || key == usual[1])) return true;
  }
  return false;
}

static bool is_cut(const struct detect_index *ix, const struct periodic *z, size_t i,
                   const struct cut *cut) {
  static const long before[2] = {-3, -2}, after[2] = {1, 2};
  return z_group(z, i - 1) == cut->last && z_group(z, i) == cut->first &&
         side_as_usual(ix, z, i, before, cut->before) &&
         side_as_usual(ix, z, i, after, cut->after);
}

/* Steps from the boundaries found in the periodic calls z. */
static void cut_steps(const struct detect_index *ix, const struct periodic *z,
                      const struct cut *cut, struct steps_detection *d) {
  const struct steps_call *c = ix->c;
  size_t n = ix->n;
  bool lead = z_at(z, 0) > 0; /* the sequence starts with calls that are not periodic */
  d->steps = mfu_xmalloc(cut->nfirsts + 1, sizeof *d->steps);
  size_t from = 0, since = 0; /* the step's first call, and its first periodic call */
  for (size_t f = 0; f < cut->nfirsts; f++) {
    size_t i = cut->firsts[f];
    if (i == 0 || i - since < cut->shortest || !is_cut(ix, z, i, cut)) continue;
    size_t at = lead ? z_at(z, i - 1) + 1 : z_at(z, i);
    d->steps[d->nsteps++] = (struct steps_span){from, at, 0, 0};
    from = at, since = i;
  }
  if (z_group(z, z->n - 1) == cut->last) /* the last step ends like the others */
    d->steps[d->nsteps++] = (struct steps_span){from, lead ? z_at(z, z->n - 1) + 1 : n, 0, 0};
  for (size_t i = 0; i < d->nsteps; i++) {
    struct steps_span *s = &d->steps[i];
    s->start_ns = c[s->first].time_ns;
    s->end_ns = c[s->end < n ? s->end : n - 1].time_ns;
  }
}

/* The candidate anchors, one per count (the earliest regular key: groups come in order of
 * first occurrence, and a count once taken needs no more tests), made most often first. */
static size_t candidates(const struct detect_index *ix, uint32_t *buf, struct candidate *cand) {
  struct recurring *rec = mfu_xmalloc(ix->ngroups, sizeof *rec);
  uint64_t *taken = mfu_xcalloc(ix->n / 64 + 1, sizeof *taken); /* a bit per count */
  size_t nrec = 0, k = 0;
  for (size_t g = 0; g < ix->ngroups; g++) {
    size_t c = count(ix, g);
    if (c < 3 || taken[c / 64] >> c % 64 & 1 || !regular(positions(ix, g), c, buf)) continue;
    taken[c / 64] |= (uint64_t)1 << c % 64;
    rec[nrec++] = (struct recurring){c, g};
  }
  mfu_sort(rec, nrec, sizeof *rec, by_count); /* counts are distinct */
  for (size_t i = 0; i < nrec && k < MAX_CANDIDATES; i++)
    cand[k++] = (struct candidate){.group = rec[i].group};
  free(taken);
  free(rec);
  return k;
}

/* Finds the steps into d; or returns why there are none. */
static const char *detect(const struct detect_index *ix, struct detect_scratch *w, uint32_t *buf,
                          struct steps_detection *d) {
  struct candidate cand[MAX_CANDIDATES];
  size_t k = candidates(ix, buf, cand);
  bool repeats = false;
  for (size_t g = 0; g < ix->ngroups; g++) repeats = repeats || count(ix, g) >= 3;
  if (!repeats) return "no call repeats three times: too few calls to find steps in";
  if (!k) return "no call recurs at regular intervals";
  for (size_t i = 0; i < k; i++) evaluate(ix, w, cand, i);
  const struct candidate *anchor = choose(ix, w, cand, k);
  if (!anchor)
    return "no repeating pattern: between the repeats of every regular call, the calls "
           "differ in more than a quarter of the periods";

  const uint32_t *a = positions(ix, anchor->group);
  size_t na = count(ix, anchor->group), chosen = (size_t)(anchor - cand);
  struct periodic z = {NULL, ix->group, ix->n};
  for (size_t g = 0; g < ix->ngroups && !z.at; g++)
    if (!is_periodic(w, g, chosen)) z.at = buf, z.n = 0;
  for (size_t p = 0; z.at && p < ix->n; p++) /* without a branch: most calls are periodic */
    buf[z.n] = (uint32_t)p, z.n += is_periodic(w, ix->group[p], chosen);
  /* The first periodic call starts the first step; failing that, the anchor a step. */
  struct cut cut;
  if (!find_cut(ix, &z, a, na, z_group(&z, 0), &cut, w->seg) &&
      !find_cut(ix, &z, a, na, (uint32_t)anchor->group, &cut, w->seg))
    return "no consistent boundary in the repeating pattern";
  cut_steps(ix, &z, &cut, d);
  free(cut.firsts);
  if (!d->nsteps) return "no step boundary found";
  d->anchor = ix->key[anchor->group];
  d->score = (double)anchor->agree / (double)anchor->segments;
  return NULL;
}

void steps_detect(const struct steps_call *c, size_t n, long skip, struct steps_detection *d) {
  *d = (struct steps_detection){0};
  if (n >= DETECT_NONE) {
    snprintf(d->reason, sizeof d->reason, "too many calls to find steps in (%zu, at most %u): "
             "mark the steps with NVTX ranges instead", n, DETECT_NONE - 1);
    return;
  }
  struct detect_index ix;
  detect_index_build(&ix, c, n);
  uint32_t *buf = mfu_xmalloc(n + 1, sizeof *buf);
  struct detect_scratch w = {mfu_xmalloc(ix.ngroups, sizeof(uint32_t)),
                             mfu_xcalloc(ix.ngroups, sizeof(uint64_t)),
                             mfu_xmalloc(n, sizeof(uint64_t)), mfu_xmalloc(n, sizeof(uint64_t))};
  const char *why = detect(&ix, &w, buf, d);
  if (why) {
    snprintf(d->reason, sizeof d->reason, "%s", why);
  } else { /* the steps' lengths, sorted, in w.seg: there are at most n steps */
    for (size_t i = 0; i < d->nsteps; i++) w.seg[i] = d->steps[i].end - d->steps[i].first;
    mfu_sort(w.seg, d->nsteps, sizeof *w.seg, mfu_compare_u64);
    d->period = w.seg[d->nsteps / 2];
    d->skip = skip < 0 ? detect_warmup_of_ids(ix.group, ix.ngroups, d->steps, d->nsteps)
              : (size_t)skip < d->nsteps ? (size_t)skip : d->nsteps;
  }
  free(w.sets);
  free(w.seg);
  free(w.periodic);
  free(w.stamp);
  free(buf);
  detect_index_free(&ix);
}

void steps_detection_free(struct steps_detection *d) {
  free(d->steps);
  *d = (struct steps_detection){0};
}
