/* Precision classes: the arithmetic a GEMM really ran in, which selects the peak it is
 * measured against. Shared by the shim (classification), the trace format (one byte per
 * record) and the analyzer (peak tables, report keys). */
#ifndef MFU_PRECISION_H
#define MFU_PRECISION_H

#include <string.h>

/* X(enum suffix, report key). The order is the on-disk value: append only. */
#define MFU_PRECISIONS(X) \
  X(FP64, "fp64")         \
  X(FP32, "fp32")         \
  X(TF32, "tf32")         \
  X(FP16, "fp16")         \
  X(BF16, "bf16")         \
  X(FP8, "fp8")           \
  X(INT8, "int8")         \
  X(FP4, "fp4")           \
  X(OTHER, "other")

enum mfu_precision {
#define MFU_PREC_ENUM(e, key) MFU_PREC_##e,
  MFU_PRECISIONS(MFU_PREC_ENUM)
#undef MFU_PREC_ENUM
  MFU_PREC_COUNT
};

static inline const char *mfu_precision_name(unsigned p) {
  static const char *const names[] = {
#define MFU_PREC_NAME(e, key) key,
      MFU_PRECISIONS(MFU_PREC_NAME)
#undef MFU_PREC_NAME
  };
  return p < MFU_PREC_COUNT ? names[p] : "invalid";
}

/* Returns the class named `name` ("bf16"), or -1. */
static inline int mfu_precision_parse(const char *name) {
  for (unsigned p = 0; p < MFU_PREC_COUNT; p++)
    if (strcmp(name, mfu_precision_name(p)) == 0) return (int)p;
  return -1;
}

#endif
