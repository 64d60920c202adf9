/* callsites: a trace file's call-site table (include/mfu/callsites.h), built from the entries
 * of its CALLSITES blocks as they are read, every entry checked: sizes, strings, and that each
 * id it uses was defined before it. */
#ifndef MFU_TRACE_CALLSITES_H
#define MFU_TRACE_CALLSITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mfu/callsites.h"

struct trace_cs_module {
  uint32_t id; /* 0: no such entry */
  uint64_t base, size;
  uint8_t build_id[32];
  size_t build_id_len;
  char *path;
};

struct trace_cs_code {
  uint32_t id;
  int32_t first_line;
  char *name, *file;
};

struct trace_cs_site {
  uint32_t id;
  uint32_t flags;        /* MFU_CS_SITE_* */
  char thread[17];
  uint16_t depth, py_depth;
  uint64_t *frames;      /* mfu_cs_frame(module, offset), innermost first */
  struct mfu_cs_pyframe *py; /* code 0: a Python function the shim could not name */
};

struct trace_callsites {
  bool has_info;
  struct mfu_cs_info info; /* the last INFO entry */
  /* by id: element i has id i (0 unused); an id never defined has id 0 */
  struct trace_cs_module *modules;
  size_t nmodules;
  struct trace_cs_code *codes;
  size_t ncodes;
  struct trace_cs_site *sites;
  size_t nsites;
  uint64_t skipped;        /* entries of types this reader does not know (a newer shim) */
};

/* Adds the entries of one payload. Returns 0, or -1 with err saying which entry (its byte
 * offset in the payload) is wrong and how; entries before it are kept. */
int trace_callsites_add(struct trace_callsites *t, const void *payload, size_t size, char *err,
                        size_t errsz);

/* Entry `id`, or NULL if the table has none. */
const struct trace_cs_site *trace_callsites_site(const struct trace_callsites *t, uint32_t id);
const struct trace_cs_module *trace_callsites_module(const struct trace_callsites *t, uint32_t id);
const struct trace_cs_code *trace_callsites_code(const struct trace_callsites *t, uint32_t id);

void trace_callsites_free(struct trace_callsites *t);

#endif
