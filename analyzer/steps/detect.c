/* detect: see detect.h. */
#include "detect.h"

#include <math.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ------------------------------------------------------------------------- warm-up */

static double median(double *v, size_t n) {
  mfu_sort(v, n, sizeof *v, mfu_compare_double);
  return v[n / 2];
}

/* Calls are indexed by 32 bits throughout (half the memory traffic of size_t): a sequence
 * has fewer than NONE calls, and NONE marks an empty slot or a group not seen yet. */
#define NONE UINT32_MAX

/* The calls' keys as dense ids, 0, 1, 2... by first occurrence, into id: open addressing on
 * the keys themselves (they are hashes already), the table at most half full. n < NONE. */
static size_t dense_ids(const struct steps_call *c, size_t n, uint32_t *id) {
  size_t cap = 64;
  uint32_t distinct = 0;
  uint64_t *keys = mfu_xmalloc(cap, sizeof *keys);
  uint32_t *ids = mfu_xmalloc(cap, sizeof *ids);
  for (size_t i = 0; i < cap; i++) ids[i] = NONE;
  for (size_t i = 0; i < n; i++) {
    uint64_t key = c[i].key;
    size_t at = (size_t)(key ^ key >> 29) & (cap - 1);
    while (ids[at] != NONE && keys[at] != key) at = (at + 1) & (cap - 1);
    if (ids[at] != NONE) {
      id[i] = ids[at];
      continue;
    }
    keys[at] = key, ids[at] = id[i] = distinct++;
    if (2 * (size_t)distinct <= cap) continue;
    size_t grown = 2 * cap; /* rehash into twice the room */
    uint64_t *k2 = mfu_xmalloc(grown, sizeof *k2);
    uint32_t *i2 = mfu_xmalloc(grown, sizeof *i2);
    for (size_t j = 0; j < grown; j++) i2[j] = NONE;
    for (size_t j = 0; j < cap; j++) {
      if (ids[j] == NONE) continue;
      size_t to = (size_t)(keys[j] ^ keys[j] >> 29) & (grown - 1);
      while (i2[to] != NONE) to = (to + 1) & (grown - 1);
      k2[to] = keys[j], i2[to] = ids[j];
    }
    free(keys);
    free(ids);
    keys = k2, ids = i2, cap = grown;
  }
  free(keys);
  free(ids);
  return distinct;
}

/* The distinct ids of a step's calls, into set (seen[id] = mark for each), and how many. */
static size_t id_set(const uint32_t *id, const struct steps_span *s, uint32_t *seen,
                     uint32_t mark, uint32_t *set) {
  size_t distinct = 0;
  for (size_t i = s->first; i < s->end; i++)
    if (seen[id[i]] != mark) seen[id[i]] = mark, set[distinct++] = id[i];
  return distinct;
}

/* steps_warmup over the calls' dense ids (id[i] < distinct). */
static size_t warmup_of_ids(const uint32_t *id, size_t distinct, const struct steps_span *s,
                            size_t n) {
  if (n < 3) return 0;
  /* The median step: of median length and, among equals, position (not the first). */
  struct mfu_sort_pair *by_length = mfu_xmalloc(n, sizeof *by_length);
  for (size_t i = 0; i < n; i++) by_length[i] = (struct mfu_sort_pair){s[i].end - s[i].first, i};
  mfu_sort(by_length, n, sizeof *by_length, mfu_compare_pairs);
  size_t ref = by_length[n / 2].index, longest = by_length[n - 1].value;
  uint32_t *seen = mfu_xmalloc(distinct, sizeof *seen), *in_ref = mfu_xcalloc(distinct, sizeof *in_ref);
  uint32_t *set = mfu_xmalloc(longest, sizeof *set);
  for (size_t i = 0; i < distinct; i++) seen[i] = NONE;
  size_t nref = id_set(id, &s[ref], in_ref, 1, set);
  double *sim = mfu_xmalloc(n, sizeof *sim), *v = mfu_xmalloc(n, sizeof *v);
  for (size_t i = 0; i < n; i++) { /* the Jaccard similarity of its set of keys and ref's */
    size_t nset = id_set(id, &s[i], seen, (uint32_t)i, set), shared = 0;
    for (size_t k = 0; k < nset; k++) shared += in_ref[set[k]];
    v[i] = sim[i] = nset + nref ? (double)shared / (double)(nset + nref - shared) : 1;
  }
  double typical = median(v, n);
  for (size_t i = 0; i < n; i++) v[i] = fabs(sim[i] - typical);
  double threshold = typical - 3 * median(v, n);
  size_t warm = 0;
  while (warm < n && sim[warm] < threshold) warm++;
  free(v);
  free(sim);
  free(set);
  free(in_ref);
  free(seen);
  free(by_length);
  return warm;
}

size_t steps_warmup(const struct steps_call *c, const struct steps_span *s, size_t n) {
  size_t calls = n < 3 ? 0 : s[n - 1].end;
  if (n < 3 || calls >= NONE) return 0; /* none found in more than 32 bits' worth of calls */
  uint32_t *id = mfu_xmalloc(calls, sizeof *id);
  size_t warm = warmup_of_ids(id, dense_ids(c, calls, id), s, n);
  free(id);
  return warm;
}

/* -------------------------------------------------------------- automatic detection */

/* The calls grouped by key (groups in no particular order). */
struct index {
  const struct steps_call *c;
  size_t n;
  uint32_t *pos;   /* call positions, grouped by key, each group in call order */
  uint32_t *start; /* group g's positions are pos[start[g] .. start[g + 1]) */
  uint32_t *group; /* the group of each call */
  size_t ngroups;
};

/* Groups in order of first occurrence (dense_ids), each group's positions by counting: O(n). */
static void index_build(struct index *ix, const struct steps_call *c, size_t n) {
  *ix = (struct index){c, n, mfu_xmalloc(n, sizeof(uint32_t)), NULL, mfu_xmalloc(n, sizeof(uint32_t)), 0};
  ix->ngroups = dense_ids(c, n, ix->group);
  ix->start = mfu_xcalloc(ix->ngroups + 1, sizeof(uint32_t));
  for (size_t i = 0; i < n; i++) ix->start[ix->group[i] + 1]++;
  for (size_t g = 0; g < ix->ngroups; g++) ix->start[g + 1] += ix->start[g];
  uint32_t *next = mfu_xmalloc(ix->ngroups, sizeof *next);
  memcpy(next, ix->start, ix->ngroups * sizeof *next);
  for (size_t i = 0; i < n; i++) ix->pos[next[ix->group[i]]++] = (uint32_t)i;
  free(next);
}

static void index_free(struct index *ix) {
  free(ix->pos);
  free(ix->start);
  free(ix->group);
}

static const uint32_t *positions(const struct index *ix, size_t g) { return ix->pos + ix->start[g]; }
static size_t count(const struct index *ix, size_t g) { return ix->start[g + 1] - ix->start[g]; }

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
 * in the forward pass) or at random (gaps spread out exponentially). */
static bool regular(const uint32_t *p, size_t c, uint32_t *gaps) {
  for (size_t i = 0; i + 1 < c; i++) gaps[i] = p[i + 1] - p[i];
  size_t med = select_u32(gaps, c - 1, (c - 1) / 2), inside = 0;
  for (size_t i = 0; i + 1 < c; i++)
    if (2 * (size_t)gaps[i] >= med && gaps[i] <= 2 * med) inside += gaps[i];
  return most(inside, p[c - 1] - p[0]);
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
  size_t count, first, group;
};

static int by_count_then_first(const void *a, const void *b) {
  const struct recurring *x = a, *y = b;
  return x->count != y->count ? MFU_COMPARE(y->count, x->count) : MFU_COMPARE(x->first, y->first);
}

/* Scratch space, reused for every candidate. */
struct detect_scratch {
  uint32_t *stamp;   /* per group: the last segment it was seen in */
  uint32_t *present; /* per group: in how many segments */
  uint32_t *calls;   /* per group: how many calls the segments hold */
  bool *periodic;  /* per group: present in most segments */
  uint64_t *seg;   /* per segment: a signature hash, or a count */
  uint64_t *sets;  /* per segment of the candidate being chosen: its set of keys */
};

/* For each call p from the anchor's first occurrence a[0] to its last a[c − 1], with the
 * segment j it is in: [a[j], a[j + 1]) (uint32_t j, for the stamps). */
#define FOR_SEGMENT_CALLS(p, j, a, c) \
  for (uint32_t j = 0; j + 1 < (c); j++) \
    for (size_t p = (a)[j]; p < (a)[j + 1]; p++)

/* How many of the calls at x[0..xc) each segment holds, into counts. */
static void count_per_segment(const uint32_t *x, size_t xc, const uint32_t *a, size_t c,
                              uint64_t *counts) {
  memset(counts, 0, (c - 1) * sizeof *counts);
  size_t i = 0, j = 0;
  while (i < xc && x[i] < a[0]) i++;
  for (; i < xc && x[i] < a[c - 1]; i++) { /* x and a ascend: x[i] in segment j */
    while (x[i] >= a[j + 1]) j++;
    counts[j]++;
  }
}

/* Marks the keys present in most of the segments between the occurrences a[0..c) of an
 * anchor, and returns how many calls of those keys the segments hold. */
static size_t mark_periodic(const struct index *ix, struct detect_scratch *w, const uint32_t *a,
                            size_t c) {
  size_t explained = 0;
  for (size_t g = 0; g < ix->ngroups; g++) w->stamp[g] = NONE, w->present[g] = w->calls[g] = 0;
  FOR_SEGMENT_CALLS(p, j, a, c) {
    uint32_t g = ix->group[p];
    w->calls[g]++;
    if (w->stamp[g] != j) w->stamp[g] = j, w->present[g]++;
  }
  for (size_t g = 0; g < ix->ngroups; g++) {
    w->periodic[g] = most(w->present[g], c - 1);
    explained += w->periodic[g] ? w->calls[g] : 0;
  }
  return explained;
}

/* How many segments have the usual signature: their periodic keys in order of first
 * occurrence, each once. Repeats do not count, so that layers repeated a varying number of
 * times leave the signature alone; the order does, so that random calls do not agree. */
static size_t agreement(const struct index *ix, struct detect_scratch *w, const uint32_t *a,
                        size_t c) {
  size_t segments = c - 1, agree;
  for (size_t g = 0; g < ix->ngroups; g++) w->stamp[g] = NONE;
  for (size_t j = 0; j < segments; j++) w->seg[j] = MFU_HASH_SEED;
  FOR_SEGMENT_CALLS(p, j, a, c) {
    uint32_t g = ix->group[p];
    if (!w->periodic[g] || w->stamp[g] == j) continue;
    w->stamp[g] = j;
    w->seg[j] = mfu_hash_mix(w->seg[j], ix->c[p].key);
  }
  majority(w->seg, segments, &agree);
  return agree;
}

/* Whether the calls at x[0..xc) occur the same number of times, *times, in most segments. */
static bool steady(const uint32_t *x, size_t xc, const uint32_t *a, size_t c, uint64_t *counts,
                   uint64_t *times) {
  size_t agree;
  count_per_segment(x, xc, a, c, counts);
  *times = majority(counts, c - 1, &agree);
  return most(agree, c - 1);
}

static bool steady_group(const struct index *ix, size_t g, const uint32_t *a, size_t c,
                         uint64_t *counts, uint64_t *times) {
  return steady(positions(ix, g), count(ix, g), a, c, counts, times);
}

/* A candidate is valid when most segments have the usual signature; when at least three
 * periodic keys, the anchor included, are steady (random calls that happen to be in most
 * segments are not: their count per segment varies), and these steady calls, counted over
 * the agreeing segments, are at least MIN_EVIDENCE (two periods of eight calls, or sixteen
 * of three); and when every candidate made more often is steady too: a call made once every
 * few steps (at the first step of each new sequence length, say) would otherwise make
 * several steps look like one. */
#define MIN_EVIDENCE 16
static void evaluate(const struct index *ix, struct detect_scratch *w, struct candidate *cand, size_t k) {
  struct candidate *x = &cand[k];
  const uint32_t *a = positions(ix, x->group);
  size_t c = count(ix, x->group), steady_keys = 0;
  uint64_t times;
  x->segments = c - 1;
  x->explained = mark_periodic(ix, w, a, c);
  x->agree = agreement(ix, w, a, c);
  for (size_t g = 0; g < ix->ngroups; g++)
    steady_keys += w->periodic[g] && steady_group(ix, g, a, c, w->seg, &times);
  x->valid = most(x->agree, x->segments) && steady_keys >= 3 &&
             steady_keys * x->agree >= MIN_EVIDENCE;
  for (size_t i = 0; i < k && x->valid; i++)
    x->valid = steady_group(ix, cand[i].group, a, c, w->seg, &times);
}

/* The set of keys in each segment, as an order-free hash, into h. */
static void segment_sets(const struct index *ix, struct detect_scratch *w, const uint32_t *a,
                         size_t c, uint64_t *h) {
  for (size_t g = 0; g < ix->ngroups; g++) w->stamp[g] = NONE;
  for (size_t j = 0; j + 1 < c; j++) h[j] = 0;
  FOR_SEGMENT_CALLS(p, j, a, c) {
    uint32_t g = ix->group[p];
    if (w->stamp[g] != j) w->stamp[g] = j, h[j] += mfu_hash_mix(MFU_HASH_SEED, ix->c[p].key);
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
 * one sequence length, does not make x's periods repeat.) w->sets holds x's segment_sets. */
static bool absorbs(const struct index *ix, struct detect_scratch *w, const struct candidate *x,
                    const struct candidate *y) {
  uint64_t m;
  const uint32_t *a = positions(ix, y->group);
  if (most(x->explained, y->explained) ||
      !steady_group(ix, x->group, a, y->segments + 1, w->seg, &m) || m < 2 ||
      x->segments + 1 > m * (y->segments + 2) || m >= x->segments)
    return false;
  size_t same = 0;
  for (size_t j = 0; j + m < x->segments; j++) same += w->sets[j] == w->sets[j + m];
  return most(same, x->segments - m);
}

/* The anchor: the valid candidate with the most periods that no coarser valid candidate
 * absorbs. Candidates come made most often (finest) first. */
static const struct candidate *choose(const struct index *ix, struct detect_scratch *w,
                                      const struct candidate *cand, size_t k) {
  for (size_t i = 0; i < k; i++) {
    if (!cand[i].valid) continue;
    segment_sets(ix, w, positions(ix, cand[i].group), cand[i].segments + 1, w->sets);
    size_t j = i + 1;
    while (j < k && !(cand[j].valid && absorbs(ix, w, &cand[i], &cand[j]))) j++;
    if (j == k) return &cand[i];
  }
  return NULL;
}

/* Where one step ends and the next starts, in the periodic calls: `last` followed by
 * `first`, with the two periodic calls usual before them and the two usual after. */
struct cut {
  uint64_t last, first;
  uint64_t before[2], after[2]; /* at offsets −3, −2 and +1, +2 from `first` */
  size_t shortest;              /* the fewest periodic calls a step holds: a quarter of the
                                   usual number, which steps of varying length stay above */
};

struct pred {
  uint64_t key;
  size_t seg, at; /* the segment, and the index in z of the call it precedes */
};

/* The key of the periodic call at offset o from z[i], or whether there is none. */
static bool z_key(const struct steps_call *c, const uint32_t *z, size_t nz, size_t i, long o,
                  uint64_t *key) {
  if ((o < 0 && (size_t)-o > i) || i + o >= nz) return false;
  *key = c[z[i + o]].key;
  return true;
}

/* How many periodic calls from z[i] on repeat those at the start of the sequence. */
static size_t repeats_start(const struct steps_call *c, const uint32_t *z, size_t nz, size_t i) {
  size_t m = 0;
  while (m < i && i + m < nz && c[z[i + m]].key == c[z[m]].key) m++;
  return m;
}

/* The key of the periodic call that ends a step, before `first` that starts one: a key that
 * precedes `first` exactly once in most segments (a layer's first call also follows the
 * previous layer's last). If several do (with recomputed layers the first layer's forward
 * GEMM also follows the LM head), the one after which the calls repeat the sequence's start
 * the longest. */
static bool step_end(const struct index *ix, const uint32_t *z, size_t nz, const uint32_t *a,
                     size_t na, uint64_t first, uint64_t *last) {
  const struct steps_call *c = ix->c;
  struct pred *found = mfu_xmalloc(nz, sizeof *found);
  size_t np = 0, best_match = 0, best_once = 0, distinct = 0;
  size_t *place = mfu_xcalloc(ix->ngroups, sizeof *place); /* per group: its preds, then where */
  struct mfu_sort_pair *keys = mfu_xmalloc(ix->ngroups, sizeof *keys); /* key, group */
  for (size_t i = 1, j = 0; i < nz; i++) { /* pairs ending in (a[j], a[j + 1]] */
    if (c[z[i]].key != first || z[i] <= a[0] || z[i] > a[na - 1]) continue;
    while (z[i] > a[j + 1]) j++;
    size_t g = ix->group[z[i - 1]];
    found[np++] = (struct pred){c[z[i - 1]].key, j, i};
    if (place[g]++ == 0) keys[distinct++] = (struct mfu_sort_pair){c[z[i - 1]].key, g};
  }
  /* By key, then segment (the order found in): the keys present sorted, each given the run of
   * places its preds take, then the preds into them in order (a counting sort). */
  mfu_sort(keys, distinct, sizeof *keys, mfu_compare_pairs);
  for (size_t k = 0, at = 0; k < distinct; k++) {
    size_t g = keys[k].index, n = place[g];
    place[g] = at, at += n;
  }
  struct pred *p = mfu_xmalloc(np, sizeof *p);
  for (size_t i = 0; i < np; i++) p[place[ix->group[z[found[i].at - 1]]]++] = found[i];
  free(keys);
  free(place);
  free(found);
  for (size_t i = 0, k = 0; i < np; i = k) {
    size_t once = 0; /* segments in which p[i].key precedes `first` exactly once */
    while (k < np && p[k].key == p[i].key) {
      size_t s = k;
      while (k < np && p[k].key == p[i].key && p[k].seg == p[s].seg) k++;
      once += k - s == 1;
    }
    size_t match = repeats_start(c, z, nz, p[i].at);
    if (most(once, na - 1) && (match > best_match || (match == best_match && once > best_once)))
      best_match = match, best_once = once, *last = p[i].key;
  }
  free(p);
  return best_once > 0;
}

/* The cut before the periodic call `first`: the call that ends a step, the usual calls
 * around the pair, and the fewest periodic calls in a step, against stray pairs made by
 * extra calls just after a boundary. False when no call ends a step before `first`. */
static bool find_cut(const struct index *ix, const uint32_t *z, size_t nz, const uint32_t *a,
                     size_t na, uint64_t first, struct cut *cut, uint64_t *buf) {
  const struct steps_call *c = ix->c;
  if (!step_end(ix, z, nz, a, na, first, &cut->last)) return false;
  cut->first = first;
  count_per_segment(z, nz, a, na, buf); /* periodic calls per segment */
  mfu_sort(buf, na - 1, sizeof *buf, mfu_compare_u64);
  cut->shortest = (buf[(na - 1) / 2] + 3) / 4;
  static const long offset[4] = {-3, -2, 1, 2};
  uint64_t *usual[4] = {&cut->before[0], &cut->before[1], &cut->after[0], &cut->after[1]};
  size_t pairs = 0; /* where `last` is followed by `first`, into buf first */
  for (size_t i = 1; i < nz; i++)
    if (c[z[i - 1]].key == cut->last && c[z[i]].key == first) buf[pairs++] = i;
  uint64_t *keys = mfu_xmalloc(pairs, sizeof *keys);
  for (int o = 0; o < 4; o++) {
    size_t m = 0, agree;
    for (size_t k = 0; k < pairs; k++) m += z_key(c, z, nz, buf[k], offset[o], &keys[m]);
    *usual[o] = majority(keys, m, &agree);
  }
  free(keys);
  return true;
}

/* Whether one side of a possible boundary is as usual: one of its two calls at least, so
 * that one call missing or added there keeps the boundary, while a stray `last` followed by
 * `first` inside a step does not make one. */
static bool side_as_usual(const struct steps_call *c, const uint32_t *z, size_t nz, size_t i,
                          const long offset[2], const uint64_t usual[2]) {
  for (int o = 0; o < 2; o++) {
    uint64_t key;
    if (z_key(c, z, nz, i, offset[o], &key) && (key == usual[0] || key == usual[1])) return true;
  }
  return false;
}

static bool is_cut(const struct steps_call *c, const uint32_t *z, size_t nz, size_t i,
                   const struct cut *cut) {
  static const long before[2] = {-3, -2}, after[2] = {1, 2};
  return c[z[i - 1]].key == cut->last && c[z[i]].key == cut->first &&
         side_as_usual(c, z, nz, i, before, cut->before) &&
         side_as_usual(c, z, nz, i, after, cut->after);
}

/* Steps from the boundaries found in the periodic calls z[0..nz). */
static void cut_steps(const struct steps_call *c, size_t n, const uint32_t *z, size_t nz,
                      const struct cut *cut, struct steps_detection *d) {
  bool lead = z[0] > 0; /* the sequence starts with calls that are not periodic */
  d->steps = mfu_xmalloc(nz + 1, sizeof *d->steps);
  size_t from = 0, since = 0; /* the step's first call, and its first periodic call */
  for (size_t i = 1; i < nz; i++) {
    if (i - since < cut->shortest || !is_cut(c, z, nz, i, cut)) continue;
    size_t at = lead ? (size_t)z[i - 1] + 1 : z[i];
    d->steps[d->nsteps++] = (struct steps_span){from, at, 0, 0};
    from = at, since = i;
  }
  if (c[z[nz - 1]].key == cut->last) /* the last step ends like the others */
    d->steps[d->nsteps++] = (struct steps_span){from, lead ? (size_t)z[nz - 1] + 1 : n, 0, 0};
  for (size_t i = 0; i < d->nsteps; i++) {
    struct steps_span *s = &d->steps[i];
    s->start_ns = c[s->first].time_ns;
    s->end_ns = c[s->end < n ? s->end : n - 1].time_ns;
  }
}

/* The candidate anchors, one per count (the earliest key), made most often first. */
static size_t candidates(const struct index *ix, uint32_t *buf, struct candidate *cand) {
  struct recurring *rec = mfu_xmalloc(ix->ngroups, sizeof *rec);
  size_t nrec = 0, k = 0;
  for (size_t g = 0; g < ix->ngroups; g++)
    if (count(ix, g) >= 3 && regular(positions(ix, g), count(ix, g), buf))
      rec[nrec++] = (struct recurring){count(ix, g), positions(ix, g)[0], g};
  mfu_sort(rec, nrec, sizeof *rec, by_count_then_first);
  for (size_t i = 0; i < nrec && k < MAX_CANDIDATES; i++)
    if (i == 0 || rec[i].count != rec[i - 1].count)
      cand[k++] = (struct candidate){.group = rec[i].group};
  free(rec);
  return k;
}

/* Finds the steps into d; or returns why there are none. */
static const char *detect(const struct index *ix, struct detect_scratch *w, uint32_t *buf,
                          struct steps_detection *d) {
  struct candidate cand[MAX_CANDIDATES];
  size_t k = candidates(ix, buf, cand), nz = 0;
  bool repeats = false;
  for (size_t g = 0; g < ix->ngroups; g++) repeats = repeats || count(ix, g) >= 3;
  if (!repeats) return "no call repeats three times: too few calls to find steps in";
  if (!k) return "no call recurs at regular intervals";
  for (size_t i = 0; i < k; i++) evaluate(ix, w, cand, i);
  const struct candidate *anchor = choose(ix, w, cand, k);
  if (!anchor)
    return "no repeating pattern: between the repeats of every regular call, the calls "
           "differ in more than a quarter of the periods";

  const struct steps_call *c = ix->c;
  const uint32_t *a = positions(ix, anchor->group);
  size_t na = count(ix, anchor->group);
  mark_periodic(ix, w, a, na);
  for (size_t p = 0; p < ix->n; p++)
    if (w->periodic[ix->group[p]]) buf[nz++] = (uint32_t)p;
  /* The first periodic call starts the first step; failing that, the anchor a step. */
  struct cut cut;
  if (!find_cut(ix, buf, nz, a, na, c[buf[0]].key, &cut, w->seg) &&
      !find_cut(ix, buf, nz, a, na, c[a[0]].key, &cut, w->seg))
    return "no consistent boundary in the repeating pattern";
  cut_steps(c, ix->n, buf, nz, &cut, d);
  if (!d->nsteps) return "no step boundary found";
  d->anchor = c[a[0]].key;
  d->score = (double)anchor->agree / (double)anchor->segments;
  return NULL;
}

void steps_detect(const struct steps_call *c, size_t n, long skip, struct steps_detection *d) {
  *d = (struct steps_detection){0};
  if (n >= NONE) {
    snprintf(d->reason, sizeof d->reason, "too many calls to find steps in (%zu, at most %u): "
             "mark the steps with NVTX ranges instead", n, NONE - 1);
    return;
  }
  struct index ix;
  index_build(&ix, c, n);
  uint32_t *buf = mfu_xmalloc(n + 1, sizeof *buf);
  struct detect_scratch w = {mfu_xmalloc(ix.ngroups, sizeof(uint32_t)), mfu_xmalloc(ix.ngroups, sizeof(uint32_t)),
                   mfu_xmalloc(ix.ngroups, sizeof(uint32_t)), mfu_xmalloc(ix.ngroups, sizeof(bool)),
                   mfu_xmalloc(n, sizeof(uint64_t)), mfu_xmalloc(n, sizeof(uint64_t))};
  const char *why = detect(&ix, &w, buf, d);
  if (why) {
    snprintf(d->reason, sizeof d->reason, "%s", why);
  } else { /* the steps' lengths, sorted, in w.seg: there are at most n steps */
    for (size_t i = 0; i < d->nsteps; i++) w.seg[i] = d->steps[i].end - d->steps[i].first;
    mfu_sort(w.seg, d->nsteps, sizeof *w.seg, mfu_compare_u64);
    d->period = w.seg[d->nsteps / 2];
    d->skip = skip < 0 ? warmup_of_ids(ix.group, ix.ngroups, d->steps, d->nsteps)
              : (size_t)skip < d->nsteps ? (size_t)skip : d->nsteps;
  }
  free(w.sets);
  free(w.seg);
  free(w.periodic);
  free(w.calls);
  free(w.present);
  free(w.stamp);
  free(buf);
  index_free(&ix);
}

void steps_detection_free(struct steps_detection *d) {
  free(d->steps);
  *d = (struct steps_detection){0};
}
