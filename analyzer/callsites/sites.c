/* sites: see sites.h. */
#include "sites.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mfu/trace.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/slots.h"
#include "util/sort.h"

/* A site as first seen, with what is needed to name it later. */
struct built_frame {
  uint32_t module; /* in the builder's modules; UINT32_MAX: none */
  uint64_t offset;
};

struct built_module {
  char *path;
  uint8_t build_id[32];
  size_t build_id_len;
};

struct built_site {
  uint64_t hash;
  char thread[17];
  struct built_frame *frames;
  size_t nframes;
  struct callsite_pyframe *py; /* strings owned */
  size_t npy;
  bool truncated;
  size_t ranks, last_file;
  struct callsite_work by_range[PHASE_COUNT]; /* PHASE_OTHER: no NVTX range said a phase */
  struct callsite_shape *shapes;
  size_t nshapes, shapes_cap;
};

struct callsites_builder {
  struct built_site *sites;
  size_t nsites, sites_cap;
  struct slots site_slots;
  struct built_module *modules;
  size_t nmodules, modules_cap;
  struct slots module_slots;
  struct callsite_work unattributed_by_range[PHASE_COUNT];
  struct callsites_file *by_file; /* index: the site's index in `sites` + 1, until finished */
  size_t files, files_with_sites, by_file_cap;
  bool has_info, mixed_info;
  struct mfu_cs_info info;
};

struct callsites_builder *callsites_builder_new(void) {
  return mfu_xcalloc(1, sizeof(struct callsites_builder));
}

static uint64_t hash_text(uint64_t h, const char *s) {
  for (; *s; s++) h = mfu_hash_mix(h, (unsigned char)*s);
  return mfu_hash_mix(h, 0);
}

/* A thread's name without its trailing number: the device of PyTorch's autograd threads. */
static uint64_t hash_thread(uint64_t h, const char *name) {
  size_t n = strnlen(name, 16);
  while (n > 0 && isdigit((unsigned char)name[n - 1])) n--;
  for (size_t i = 0; i < n; i++) h = mfu_hash_mix(h, (unsigned char)name[i]);
  return mfu_hash_mix(h, 0);
}

static uint64_t module_hash(const struct trace_cs_module *m) {
  uint64_t h = hash_text(MFU_HASH_SEED, m->path);
  for (size_t i = 0; i < m->build_id_len; i++) h = mfu_hash_mix(h, m->build_id[i]);
  return h;
}

static bool same_module(const void *entries, size_t i, const void *key) {
  const struct built_module *a = (const struct built_module *)entries + i;
  const struct trace_cs_module *b = key;
  return a->build_id_len == b->build_id_len && !memcmp(a->build_id, b->build_id, b->build_id_len) &&
         !strcmp(a->path, b->path);
}

static uint32_t module_index(struct callsites_builder *b, const struct trace_cs_module *m) {
  size_t i = slots_find(&b->module_slots, module_hash(m), same_module, b->modules, m, b->nmodules);
  if (i == b->nmodules) {
    MFU_GROW(b->modules, b->nmodules, b->modules_cap);
    struct built_module *x = &b->modules[b->nmodules++];
    *x = (struct built_module){.path = mfu_xstrdup(m->path), .build_id_len = m->build_id_len};
    memcpy(x->build_id, m->build_id, sizeof x->build_id);
  }
  return (uint32_t)i;
}

/* The identity of a site across ranks: its frames by module file and offset, its Python
 * frames, its thread's name without the number. */
static uint64_t site_hash(const struct trace_callsites *t, const struct trace_cs_site *s) {
  uint64_t h = hash_thread(MFU_HASH_SEED, s->thread);
  for (unsigned i = 0; i < s->depth; i++) {
    const struct trace_cs_module *m = trace_callsites_module(t, mfu_cs_frame_module(s->frames[i]));
    h = mfu_hash_mix(mfu_hash_mix(h, m ? module_hash(m) : 0), mfu_cs_frame_offset(s->frames[i]));
  }
  for (unsigned i = 0; i < s->py_depth; i++) {
    const struct trace_cs_code *c = trace_callsites_code(t, s->py[i].code);
    h = mfu_hash_mix(c ? hash_text(hash_text(h, c->name), c->file) : h, (uint32_t)s->py[i].line);
  }
  return h;
}

struct site_key {
  uint64_t hash;
};

static bool same_site(const void *entries, size_t i, const void *key) {
  return ((const struct built_site *)entries)[i].hash == ((const struct site_key *)key)->hash;
}

static struct built_site *site_of(struct callsites_builder *b, const struct trace_callsites *t,
                                  const struct trace_cs_site *s) {
  struct site_key key = {site_hash(t, s)};
  size_t i = slots_find(&b->site_slots, key.hash, same_site, b->sites, &key, b->nsites);
  if (i < b->nsites) return &b->sites[i];
  MFU_GROW(b->sites, b->nsites, b->sites_cap);
  struct built_site *x = &b->sites[b->nsites++];
  *x = (struct built_site){.hash = key.hash, .nframes = s->depth, .npy = s->py_depth,
                           .truncated = (s->flags & MFU_CS_SITE_TRUNCATED) != 0,
                           .last_file = SIZE_MAX};
  memcpy(x->thread, s->thread, sizeof x->thread);
  x->frames = mfu_xmalloc(s->depth, sizeof *x->frames);
  for (unsigned k = 0; k < s->depth; k++) {
    const struct trace_cs_module *m = trace_callsites_module(t, mfu_cs_frame_module(s->frames[k]));
    x->frames[k] = (struct built_frame){m ? module_index(b, m) : UINT32_MAX,
                                        mfu_cs_frame_offset(s->frames[k])};
  }
  x->py = mfu_xmalloc(s->py_depth, sizeof *x->py);
  for (unsigned k = 0; k < s->py_depth; k++) {
    const struct trace_cs_code *c = trace_callsites_code(t, s->py[k].code);
    x->py[k] = (struct callsite_pyframe){mfu_xstrdup(c ? c->name : "?"), mfu_xstrdup(c ? c->file : "?"),
                                         s->py[k].line};
  }
  return x;
}

static void work_add(struct callsite_work *w, const struct call_times_site *r) {
  w->calls += r->calls;
  w->timed_calls += r->timed_calls;
  w->flops += r->flops;
  w->gpu_ns += r->gpu_ns;
  w->host_ns += r->host_ns;
}

static void work_sum(struct callsite_work *w, const struct callsite_work *x) {
  w->calls += x->calls;
  w->timed_calls += x->timed_calls;
  w->flops += x->flops;
  w->gpu_ns += x->gpu_ns;
  w->host_ns += x->host_ns;
}

static bool same_shape(const struct callsite_shape *s, uint8_t kind, const struct call_times_gemm *g,
                       const struct call_times_nccl *n) {
  if (s->kind != kind) return false;
  if (kind == MFU_REC_GEMM)
    return s->gemm.m == g->m && s->gemm.n == g->n && s->gemm.k == g->k && s->gemm.batch == g->batch &&
           s->gemm.transa == g->transa && s->gemm.transb == g->transb && s->gemm.precision == g->precision;
  return s->nccl.op == n->op && s->nccl.bytes == n->bytes && s->nccl.comm_size == n->comm_size;
}

/* A site has a handful of shapes: a linear search is enough. */
static void shape_add(struct built_site *x, const struct call_times_site *r, const struct call_times *times) {
  const struct call_times_gemm *g = r->kind == MFU_REC_GEMM && r->shape < times->ngemm ? &times->gemm[r->shape] : NULL;
  const struct call_times_nccl *n = r->kind == MFU_REC_NCCL && r->shape < times->nnccl ? &times->nccl[r->shape] : NULL;
  if (!g && !n) return;
  size_t i = 0;
  while (i < x->nshapes && !same_shape(&x->shapes[i], r->kind, g, n)) i++;
  if (i == x->nshapes) {
    MFU_GROW(x->shapes, x->nshapes, x->shapes_cap);
    x->shapes[x->nshapes++] = (struct callsite_shape){.kind = r->kind};
    if (g) x->shapes[i].gemm = *g;
    if (n) x->shapes[i].nccl = *n;
  }
  work_add(&x->shapes[i].work, r);
}

void callsites_add_file(struct callsites_builder *b, const struct trace_callsites *table,
                        const struct call_times *times) {
  size_t file = b->files++;
  MFU_GROW(b->by_file, file, b->by_file_cap);
  struct callsites_file *map = &b->by_file[file];
  *map = (struct callsites_file){.table = table, .n = table->nsites};
  map->index = mfu_xcalloc(map->n ? map->n : 1, sizeof *map->index);
  if (table->nsites || table->has_info) b->files_with_sites++;
  if (table->has_info) {
    if (!b->has_info) b->info = table->info, b->has_info = true;
    else if (memcmp(&b->info, &table->info, sizeof b->info)) b->mixed_info = true;
  }
  for (size_t i = 0; i < times->nsites; i++) {
    const struct call_times_site *r = &times->sites[i];
    enum phase range = r->range_phase < PHASE_COUNT ? (enum phase)r->range_phase : PHASE_OTHER;
    const struct trace_cs_site *s = trace_callsites_site(table, r->site);
    if (!s) {
      work_add(&b->unattributed_by_range[range], r);
      continue;
    }
    struct built_site *x = site_of(b, table, s);
    map->index[r->site] = (uint32_t)(x - b->sites) + 1;
    if (x->last_file != file) x->ranks++, x->last_file = file;
    work_add(&x->by_range[range], r);
    shape_add(x, r, times);
  }
}

static int by_work(const struct callsite_work *x, const struct callsite_work *y) {
  if (x->flops != y->flops) return x->flops > y->flops ? -1 : 1;
  return MFU_COMPARE(y->gpu_ns, x->gpu_ns);
}
static int sites_by_work(const void *a, const void *b) {
  return by_work(&((const struct callsite *)a)->work, &((const struct callsite *)b)->work);
}
static int shapes_by_work(const void *a, const void *b) {
  return by_work(&((const struct callsite_shape *)a)->work, &((const struct callsite_shape *)b)->work);
}

static void name_site(struct callsites_builder *b, struct built_site *x, struct symbolizer *z,
                      struct callsite *out) {
  out->frames = mfu_xcalloc(x->nframes, sizeof *out->frames);
  const char **names = mfu_xcalloc(x->nframes, sizeof *names);
  for (size_t k = 0; k < x->nframes; k++) {
    struct callsite_frame *f = &out->frames[k];
    f->offset = x->frames[k].offset;
    if (x->frames[k].module == UINT32_MAX) {
      f->why = "in no module the shim knew of (generated code?)";
      continue;
    }
    const struct built_module *m = &b->modules[x->frames[k].module];
    f->module = m->path;
    f->function = symbolizer_name(z, m->path, m->build_id, m->build_id_len, f->offset, &f->into, &f->why);
    names[k] = f->function;
  }
  const char **funcs = mfu_xcalloc(x->npy, sizeof *funcs), **files = mfu_xcalloc(x->npy, sizeof *files);
  for (size_t k = 0; k < x->npy; k++) funcs[k] = x->py[k].function, files[k] = x->py[k].file;
  struct phase_site v = {.thread = out->thread, .native = names, .nnative = x->nframes,
                         .py_func = funcs, .py_file = files, .npy = x->npy};
  const char *evidence;
  out->phase = phase_of_site(&v, &evidence);
  out->evidence = evidence ? mfu_xstrdup(evidence) : NULL; /* the thread's name moves with sorting */
  free(names);
  free(funcs);
  free(files);
}

void callsites_finish(struct callsites_builder *b, struct symbolizer *z, struct callsites *out) {
  *out = (struct callsites){.files = b->files, .files_with_sites = b->files_with_sites,
                            .has_info = b->has_info, .mixed_info = b->mixed_info, .info = b->info};
  out->v = mfu_xcalloc(b->nsites, sizeof *out->v);
  for (size_t i = 0; i < b->nsites; i++) {
    struct built_site *x = &b->sites[i];
    struct callsite *c = &out->v[out->n++];
    *c = (struct callsite){.nframes = x->nframes, .py = x->py, .npy = x->npy,
                           .truncated = x->truncated, .ranks = x->ranks, .first_seen = i,
                           .shapes = x->shapes, .nshapes = x->nshapes};
    memcpy(c->thread, x->thread, sizeof c->thread);
    name_site(b, x, z, c);
    for (enum phase p = 0; p < PHASE_COUNT; p++) {
      work_sum(&c->work, &x->by_range[p]);
      work_sum(&out->phase[p == PHASE_OTHER ? c->phase : p], &x->by_range[p]);
    }
    mfu_sort(c->shapes, c->nshapes, sizeof *c->shapes, shapes_by_work);
    free(x->frames);
  }
  for (enum phase p = 0; p < PHASE_COUNT; p++) {
    work_sum(&out->unattributed, &b->unattributed_by_range[p]);
    work_sum(&out->phase[p], &b->unattributed_by_range[p]);
  }
  mfu_sort(out->v, out->n, sizeof *out->v, sites_by_work);
  uint32_t *sorted = mfu_xmalloc(out->n ? out->n : 1, sizeof *sorted); /* by first_seen */
  for (size_t i = 0; i < out->n; i++) sorted[out->v[i].first_seen] = (uint32_t)i + 1;
  for (size_t f = 0; f < b->files; f++)
    for (size_t k = 0; k < b->by_file[f].n; k++)
      if (b->by_file[f].index[k]) b->by_file[f].index[k] = sorted[b->by_file[f].index[k] - 1];
  free(sorted);
  out->by_file = b->by_file;
  /* module paths now belong to the frames that name them */
  out->module_paths = mfu_xmalloc(b->nmodules, sizeof *out->module_paths);
  for (size_t i = 0; i < b->nmodules; i++) out->module_paths[i] = b->modules[i].path;
  out->nmodule_paths = b->nmodules;
  free(b->modules);
  free(b->sites);
  slots_free(&b->site_slots);
  slots_free(&b->module_slots);
  free(b);
}

void callsites_of_job(const struct mfu_job *j, struct symbolizer *z, struct callsites *out) {
  struct callsites_builder *b = callsites_builder_new();
  for (size_t i = 0; i < j->nfiles; i++) callsites_add_file(b, &j->files[i]->callsites, &j->files[i]->call_times);
  callsites_finish(b, z, out);
}

const uint32_t *callsites_of_file(const struct callsites *c, const struct trace_callsites *table,
                                  size_t *n) {
  for (size_t f = 0; f < c->files; f++)
    if (c->by_file[f].table == table) {
      *n = c->by_file[f].n;
      return c->by_file[f].index;
    }
  *n = 0;
  return NULL;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

void callsites_where(const struct callsite *s, char *buf, size_t size) {
  size_t n = 0;
  buf[0] = '\0';
  if (s->npy)
    n += (size_t)snprintf(buf, size, "%s (%s:%d)", s->py[0].function, base_name(s->py[0].file), s->py[0].line);
  for (size_t i = 0, shown = 0; i < s->nframes && shown < 3 && n + 4 < size; i++) {
    if (!s->frames[i].function) continue;
    char name[96];
    snprintf(name, sizeof name, "%s", s->frames[i].function);
    char *paren = strchr(name, '(');
    if (paren && paren != name) *paren = '\0'; /* C++ parameters: no room for them */
    n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? " < " : "", name);
    shown++;
  }
  if (!n) snprintf(buf, size, "(no frame could be named)");
}

double callsites_backward_forward(const struct callsites *c) {
  double fwd = c->phase[PHASE_FORWARD].flops;
  return fwd > 0 ? c->phase[PHASE_BACKWARD].flops / fwd : -1;
}

void callsites_free(struct callsites *c) {
  for (size_t i = 0; i < c->n; i++) {
    for (size_t k = 0; k < c->v[i].npy; k++) free(c->v[i].py[k].function), free(c->v[i].py[k].file);
    free(c->v[i].py);
    free(c->v[i].evidence);
    free(c->v[i].frames);
    free(c->v[i].shapes);
  }
  for (size_t f = 0; f < c->files; f++) free(c->by_file[f].index);
  free(c->by_file);
  for (size_t i = 0; i < c->nmodule_paths; i++) free(c->module_paths[i]);
  free(c->module_paths);
  free(c->v);
  *c = (struct callsites){0};
}
