/* phases: which part of a training step a call belongs to (forward, backward, optimizer, or
 * other), from the evidence a trace has, strongest first:
 *
 *   1. an NVTX range around the call whose name says a phase (the program's own words; with
 *      torch.autograd.profiler.emit_nvtx the backward ops' ranges are named "MmBackward0...");
 *   2. the calling thread: PyTorch runs backward on its autograd engine's threads, which it
 *      names "pt_autograd_<device>" (torch/csrc/autograd/engine.cpp, Engine::thread_init);
 *   3. the call site's frames, innermost first, native then Python (function, then file): the
 *      first whose name says a phase decides (torch::autograd::Engine::evaluate_function,
 *      MmBackward0::apply, Linear.forward, torch/optim/adamw.py...);
 *   4. otherwise other.
 *
 * What a name says, ignoring case: "backward", "bwd" or "autograd::engine" → backward;
 * "optim", "adam" or "sgd" → optimizer; "forward" or "fwd" → forward. Activation
 * recomputation runs in backward and is counted there. Pure functions. */
#ifndef MFU_STEPS_PHASES_H
#define MFU_STEPS_PHASES_H

#include <stddef.h>
#include <stdint.h>

/* X(name, key) */
#define PHASES(X)       \
  X(FORWARD, "forward")     \
  X(BACKWARD, "backward")   \
  X(OPTIMIZER, "optimizer") \
  X(OTHER, "other")
enum phase {
#define PHASE_ENUM(name, key) PHASE_##name,
  PHASES(PHASE_ENUM)
#undef PHASE_ENUM
  PHASE_COUNT
};
const char *phase_name(enum phase p); /* "forward"... */

/* The phase a name says, or OTHER. A C++ name's parameters and template arguments are left
 * out: only the function's own name and scope count. */
enum phase phase_of_name(const char *name);

/* A call site as the phase rules see it. */
struct phase_site {
  const char *thread;         /* the thread's name */
  const char *const *native;  /* symbolized native frames (NULL entries: unknown), innermost first */
  size_t nnative;
  const char *const *py_func; /* Python frames' qualified names and files, innermost first */
  const char *const *py_file;
  size_t npy;
};

/* The phase of a call site by rules 2 and 3; *evidence (may be NULL) is set to the thread
 * name or frame name that decided, NULL for OTHER. */
enum phase phase_of_site(const struct phase_site *v, const char **evidence);

/* NVTX ranges that say a phase, for rule 1. A range on `thread` (an NVTX push/pop range) holds
 * only that thread's calls; thread 0 (a start/end range) holds every thread's. */
struct phase_range {
  uint64_t thread;
  uint64_t start_ns, end_ns;
  enum phase phase;
  const char *name;
};
struct phase_ranges {
  struct phase_range *v; /* by start */
  size_t n;
};

/* Keeps, of ranges r[0..n), those whose names say a phase (phase_of_name). */
void phase_ranges_build(struct phase_ranges *pr, const struct phase_range *r, size_t n);
/* The phase of the innermost kept range that holds time t on `thread`, or OTHER; *name (may
 * be NULL) its name. */
enum phase phase_ranges_at(const struct phase_ranges *pr, uint64_t thread, uint64_t t,
                           const char **name);
void phase_ranges_free(struct phase_ranges *pr);

#endif
