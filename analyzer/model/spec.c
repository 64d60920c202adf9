/* spec: see spec.h. */
#include "spec.h"

#include <stdint.h>
#include <string.h>

void model_spec_init(struct model_spec *s) {
  memset(s, 0, sizeof *s);
  s->work = (struct formula_work){.batch = 1, .seq = 2048, .attention = ATTENTION_CAUSAL,
                                  .recompute = RECOMPUTE_NONE};
  s->convention = CONV_EXACT;
  s->dtype = MFU_PREC_BF16;
}

struct formula_work model_spec_work(const struct model_spec *s, int64_t devices) {
  struct formula_work w = s->work;
  if (s->batch_per_rank <= 0) return w;
  if (devices < 1) devices = 1;
  /* Below 2^31, as --batch is, so that batch·seq² cannot overflow. */
  w.batch = s->batch_per_rank > INT32_MAX / devices ? INT32_MAX : s->batch_per_rank * devices;
  return w;
}

bool model_spec_has_model(const struct model_spec *s) {
  return s->config || s->preset || model_overrides_any(&s->overrides);
}

int model_spec_peak(const struct model_spec *s, const char *fallback_device, struct hw_peak *p,
                    char *err, size_t errsz) {
  memset(p, 0, sizeof *p);
  p->dtype = s->dtype;
  const char *device = s->device ? s->device : fallback_device;
  if (device) {
    p->hw = hw_find(device, err, errsz);
    /* --peak-tflops stands in for a device the table lacks, but not for a mistyped --device. */
    if (!p->hw && (s->device || s->peak_tflops <= 0)) return -1;
  }
  if (s->peak_tflops > 0) {
    p->tflops = s->peak_tflops;
    p->from_flag = true;
    return 1;
  }
  if (!p->hw) return 0;
  p->tflops = hw_tflops(p->hw, s->dtype, err, errsz);
  return p->tflops > 0 ? 1 : -1;
}
