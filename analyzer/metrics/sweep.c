/* sweep: see sweep.h. */
#include "sweep.h"

#include <math.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof *(a))

static const char *const keys[] = {
#define SWEEP_OUTCOME_KEY(e, key, text) key,
    SWEEP_OUTCOMES(SWEEP_OUTCOME_KEY)
#undef SWEEP_OUTCOME_KEY
};
static const char *const texts[] = {
#define SWEEP_OUTCOME_TEXT(e, key, text) text,
    SWEEP_OUTCOMES(SWEEP_OUTCOME_TEXT)
#undef SWEEP_OUTCOME_TEXT
};

const char *sweep_outcome_key(enum sweep_outcome o) { return (size_t)o < N(keys) ? keys[o] : "?"; }
const char *sweep_outcome_text(enum sweep_outcome o) { return (size_t)o < N(texts) ? texts[o] : "?"; }

/* What PyTorch, JAX, TensorFlow, CUDA, cuBLAS and C++ say when memory runs out. */
static const char *const oom_words[] = {
    "out of memory",              /* torch.OutOfMemoryError: CUDA out of memory; CUDA's text */
    "outofmemory",                /* OutOfMemoryError, CUDA_ERROR_OUT_OF_MEMORY */
    "out_of_memory",
    "cudaErrorMemoryAllocation",
    "CUBLAS_STATUS_ALLOC_FAILED",
    "RESOURCE_EXHAUSTED",         /* XLA: Out of memory while trying to allocate */
    "std::bad_alloc",
};

enum sweep_outcome sweep_classify(int exit_status, bool started, bool timed_out, const char *tail) {
  if (!started) return SWEEP_NOT_STARTED;
  if (timed_out) return SWEEP_TIMEOUT;
  if (exit_status == 0) return SWEEP_OK;
  for (size_t i = 0; tail && i < N(oom_words); i++)
    if (strcasestr(tail, oom_words[i])) return SWEEP_OOM;
  return exit_status > 128 ? SWEEP_KILLED : SWEEP_FAILED;
}

void sweep_measure(struct sweep_point *p, const struct mfu_job *j, const struct job_utilization *u) {
  p->step_s = p->tokens_per_s = p->mfu = p->hfu = p->counted_flops = NAN;
  for (int f = 0; f < EFF_COUNT; f++) p->factor[f] = NAN;
  p->ranks = j ? j->ranks : 0;
  p->steps = u ? u->steps : 0;
  if (!j || !u || !u->steps || !(u->step_s > 0)) {
    if (p->outcome == SWEEP_OK) p->outcome = SWEEP_NO_STEPS;
    return;
  }
  p->step_s = u->step_s;
  p->tokens_per_s = (double)p->batch * (double)p->seq * (double)p->ranks / u->step_s;
  p->mfu = u->mfu;
  p->hfu = u->hfu;
  double counted = 0;
  for (size_t i = 0; i < u->nranks; i++)
    if (u->ranks[i].used) counted += u->ranks[i].counted_flops;
  p->counted_flops = counted;
  for (int f = 0; f < EFF_COUNT; f++) p->factor[f] = u->timeline ? u->eff.value[f] : NAN;
  p->factor[EFF_MFU] = u->mfu;
}
