/* callsites: see callsites.h. */
#include "callsites.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/errmsg.h"

/* Ids above this are refused: the shim's tables are far smaller, and a damaged id must not
 * make the reader allocate gigabytes. */
#define MAX_ID (1u << 20)

/* Element `id` of the by-id array *v of *n elements of `size` bytes (each beginning with its
 * uint32_t id), grown to hold it; NULL if id is 0, too large or already defined. */
static void *define(void *v, size_t *n, size_t size, uint32_t id) {
  void **array = v;
  if (id == 0 || id > MAX_ID) return NULL;
  if (id >= *n) {
    *array = mfu_xrealloc(*array, (id + 1) * size);
    memset((char *)*array + *n * size, 0, (id + 1 - *n) * size);
    *n = id + 1;
  }
  unsigned char *slot = (unsigned char *)*array + id * size;
  uint32_t defined;
  memcpy(&defined, slot, sizeof defined);
  return defined ? NULL : slot;
}
#define DEFINE(v, n, id) define(&(v), &(n), sizeof *(v), id)

/* The NUL-terminated string at p, of at most `left` bytes; NULL if there is no NUL. */
static const char *text_at(const unsigned char *p, size_t left) {
  return left && memchr(p, '\0', left) ? (const char *)p : NULL;
}

static int add_module(struct trace_callsites *t, const unsigned char *body, size_t len, size_t at,
                      char *err, size_t errsz) {
  struct mfu_cs_module m;
  const char *path = len > sizeof m ? text_at(body + sizeof m, len - sizeof m) : NULL;
  if (!path) return errmsg(err, errsz, "MODULE entry at byte %zu has no path", at);
  memcpy(&m, body, sizeof m);
  if (m.build_id_len > sizeof m.build_id)
    return errmsg(err, errsz, "MODULE entry at byte %zu: build id of %u bytes (at most 32)", at,
                  m.build_id_len);
  struct trace_cs_module *slot = m.id != MFU_CS_NO_MODULE ? DEFINE(t->modules, t->nmodules, m.id) : NULL;
  if (!slot)
    return errmsg(err, errsz, "MODULE entry at byte %zu: id %u is 0, reserved, too large or "
                              "defined twice", at, m.id);
  *slot = (struct trace_cs_module){.id = m.id, .base = m.base, .size = m.size,
                                   .build_id_len = m.build_id_len, .path = mfu_xstrdup(path)};
  memcpy(slot->build_id, m.build_id, m.build_id_len);
  return 0;
}

static int add_code(struct trace_callsites *t, const unsigned char *body, size_t len, size_t at,
                    char *err, size_t errsz) {
  struct mfu_cs_code c;
  const char *name = len > sizeof c ? text_at(body + sizeof c, len - sizeof c) : NULL;
  const char *file = name ? text_at((const unsigned char *)name + strlen(name) + 1,
                                    len - sizeof c - strlen(name) - 1) : NULL;
  if (!file) return errmsg(err, errsz, "CODE entry at byte %zu lacks its name or file", at);
  memcpy(&c, body, sizeof c);
  struct trace_cs_code *slot = DEFINE(t->codes, t->ncodes, c.id);
  if (!slot)
    return errmsg(err, errsz, "CODE entry at byte %zu: id %u is 0, too large or defined twice", at, c.id);
  *slot = (struct trace_cs_code){.id = c.id, .first_line = c.first_line, .name = mfu_xstrdup(name),
                                 .file = mfu_xstrdup(file)};
  return 0;
}

static int add_site(struct trace_callsites *t, const unsigned char *body, size_t len, size_t at,
                    char *err, size_t errsz) {
  struct mfu_cs_site s;
  if (len < sizeof s) return errmsg(err, errsz, "SITE entry at byte %zu is cut short", at);
  memcpy(&s, body, sizeof s);
  size_t need = sizeof s + s.depth * sizeof(uint64_t) + s.py_depth * sizeof(struct mfu_cs_pyframe);
  if (len < need)
    return errmsg(err, errsz, "SITE entry at byte %zu: %u frames and %u Python frames do not fit "
                              "in its %zu bytes", at, s.depth, s.py_depth, len);
  uint64_t *frames = mfu_xmalloc(s.depth, sizeof *frames);
  struct mfu_cs_pyframe *py = mfu_xmalloc(s.py_depth, sizeof *py);
  memcpy(frames, body + sizeof s, s.depth * sizeof *frames);
  memcpy(py, body + sizeof s + s.depth * sizeof *frames, s.py_depth * sizeof *py);
  const char *bad = NULL;
  uint32_t bad_id = 0;
  for (unsigned i = 0; i < s.depth && !bad; i++) {
    uint32_t m = mfu_cs_frame_module(frames[i]);
    if (m != MFU_CS_NO_MODULE && !trace_callsites_module(t, m)) bad = "module", bad_id = m;
  }
  for (unsigned i = 0; i < s.py_depth && !bad; i++)
    if (py[i].code && !trace_callsites_code(t, py[i].code)) bad = "Python code object", bad_id = py[i].code;
  struct trace_cs_site *slot = bad ? NULL : DEFINE(t->sites, t->nsites, s.id);
  if (!slot) {
    free(frames);
    free(py);
    if (bad)
      return errmsg(err, errsz, "SITE entry at byte %zu uses %s %u, not defined before it", at, bad, bad_id);
    return errmsg(err, errsz, "SITE entry at byte %zu: id %u is 0, too large or defined twice", at, s.id);
  }
  *slot = (struct trace_cs_site){.id = s.id, .flags = s.flags, .depth = s.depth,
                                 .py_depth = s.py_depth, .frames = frames, .py = py};
  memcpy(slot->thread, s.thread, sizeof s.thread);
  return 0;
}

int trace_callsites_add(struct trace_callsites *t, const void *payload, size_t size, char *err,
                        size_t errsz) {
  const unsigned char *p = payload;
  for (size_t at = 0; at < size;) {
    struct mfu_cs_entry e;
    if (size - at < sizeof e) return errmsg(err, errsz, "call-site entry at byte %zu is cut short", at);
    memcpy(&e, p + at, sizeof e);
    if (e.size < sizeof e || e.size % 8 || e.size > size - at)
      return errmsg(err, errsz, "call-site entry at byte %zu has size %u (a multiple of 8, at "
                                "least 8, within the %zu bytes left)", at, e.size, size - at);
    const unsigned char *body = p + at + sizeof e;
    size_t len = e.size - sizeof e;
    int rc = 0;
    switch (e.type) {
    case MFU_CS_INFO:
      if (len < sizeof t->info) return errmsg(err, errsz, "INFO entry at byte %zu is cut short", at);
      memcpy(&t->info, body, sizeof t->info);
      t->has_info = true;
      break;
    case MFU_CS_MODULE: rc = add_module(t, body, len, at, err, errsz); break;
    case MFU_CS_CODE: rc = add_code(t, body, len, at, err, errsz); break;
    case MFU_CS_SITE: rc = add_site(t, body, len, at, err, errsz); break;
    default: t->skipped++;
    }
    if (rc) return rc;
    at += e.size;
  }
  return 0;
}

#define BY_ID(v, n, id) ((id) < (n) && (v)[id].id ? &(v)[id] : NULL)

const struct trace_cs_site *trace_callsites_site(const struct trace_callsites *t, uint32_t id) {
  return BY_ID(t->sites, t->nsites, id);
}
const struct trace_cs_module *trace_callsites_module(const struct trace_callsites *t, uint32_t id) {
  return BY_ID(t->modules, t->nmodules, id);
}
const struct trace_cs_code *trace_callsites_code(const struct trace_callsites *t, uint32_t id) {
  return BY_ID(t->codes, t->ncodes, id);
}

void trace_callsites_free(struct trace_callsites *t) {
  for (size_t i = 0; i < t->nmodules; i++) free(t->modules[i].path);
  for (size_t i = 0; i < t->ncodes; i++) free(t->codes[i].name), free(t->codes[i].file);
  for (size_t i = 0; i < t->nsites; i++) free(t->sites[i].frames), free(t->sites[i].py);
  free(t->modules);
  free(t->codes);
  free(t->sites);
  memset(t, 0, sizeof *t);
}
