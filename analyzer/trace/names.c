/* names: see names.h. */
#include "names.h"

const struct trace_hook trace_hooks[TRACE_HOOK_COUNT] = {
#define HOOK(name, bit, key, label) {bit, key, label},
    MFU_HOOKS(HOOK)
#undef HOOK
};

#define NAME_OF(table, value)                                                                  \
  ((value) < sizeof(table) / sizeof *(table) ? (table)[value] : NULL)

const char *trace_cupti_state_text(uint32_t state) {
  static const char *const text[] = {
#define STATE(name, value, description) [value] = description,
      MFU_CUPTI_STATES(STATE)
#undef STATE
  };
  const char *t = NAME_OF(text, state);
  return t ? t : "unknown (a newer shim's state)";
}

#define KEY(name, value, key) [value] = key,

const char *trace_record_kind_name(unsigned kind) {
  static const char *const names[] = {MFU_RECORD_KINDS(KEY)};
  return NAME_OF(names, kind);
}

const char *trace_marker_kind_name(unsigned kind) {
  static const char *const names[] = {MFU_MARKER_KINDS(KEY)};
  return NAME_OF(names, kind);
}

const char *trace_graph_op_name(unsigned op) {
  static const char *const names[] = {MFU_GRAPH_OPS(KEY)};
  return NAME_OF(names, op);
}
