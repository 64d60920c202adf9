/* GEMM counting rules (docs/DESIGN.md, "Counting rules for GEMMs"): FLOPs of a call and the
 * precision class that selects its peak. Pure functions, shared by the shim and the tests.
 *
 * The CUDA enum values below are ABI constants of library_types.h and cublas_api.h, repeated
 * here so that the analyzer needs no CUDA header; shim/gemm_describe.c checks them against
 * the real headers at compile time. */
#ifndef MFU_GEMM_H
#define MFU_GEMM_H

#include <stdbool.h>
#include <stdint.h>

#include "mfu/precision.h"

/* cudaDataType */
enum {
  MFU_CUDA_R_32F = 0, MFU_CUDA_R_64F = 1, MFU_CUDA_R_16F = 2, MFU_CUDA_R_8I = 3,
  MFU_CUDA_C_32F = 4, MFU_CUDA_C_64F = 5, MFU_CUDA_C_16F = 6, MFU_CUDA_C_8I = 7,
  MFU_CUDA_R_8U = 8, MFU_CUDA_C_8U = 9, MFU_CUDA_R_32I = 10, MFU_CUDA_C_32I = 11,
  MFU_CUDA_R_16BF = 14, MFU_CUDA_C_16BF = 15,
  MFU_CUDA_R_8F_E4M3 = 28, MFU_CUDA_R_8F_E5M2 = 29, MFU_CUDA_R_8F_UE8M0 = 30,
  MFU_CUDA_R_6F_E2M3 = 31, MFU_CUDA_R_6F_E3M2 = 32, MFU_CUDA_R_4F_E2M1 = 33,
};

/* cublasComputeType_t */
enum {
  MFU_COMPUTE_16F = 64, MFU_COMPUTE_16F_PEDANTIC = 65,
  MFU_COMPUTE_32F = 68, MFU_COMPUTE_32F_PEDANTIC = 69,
  MFU_COMPUTE_64F = 70, MFU_COMPUTE_64F_PEDANTIC = 71,
  MFU_COMPUTE_32I = 72, MFU_COMPUTE_32I_PEDANTIC = 73,
  MFU_COMPUTE_32F_FAST_16F = 74, MFU_COMPUTE_32F_FAST_16BF = 75,
  MFU_COMPUTE_32F_FAST_TF32 = 77, MFU_COMPUTE_32F_EMULATED_16BFX9 = 78,
  MFU_COMPUTE_64F_EMULATED_FIXEDPOINT = 79,
};

/* cublasMath_t (low 4 bits; the rest are flags) */
enum {
  MFU_MATH_DEFAULT = 0, MFU_MATH_TENSOR_OP = 1, MFU_MATH_PEDANTIC = 2, MFU_MATH_TF32_TENSOR_OP = 3,
};

static inline bool mfu_dtype_is_complex(int t) {
  switch (t) {
  case MFU_CUDA_C_32F: case MFU_CUDA_C_64F: case MFU_CUDA_C_16F: case MFU_CUDA_C_8I:
  case MFU_CUDA_C_8U: case MFU_CUDA_C_32I: case MFU_CUDA_C_16BF:
  case 17: case 19: case 21: case 23: case 25: case 27: /* C_4I C_4U C_16I C_16U C_64I C_64U */
    return true;
  default:
    return false;
  }
}

/* The compute type that an fp32-input routine without an explicit compute type (Sgemm, Cgemm,
 * SgemmEx...) runs with, given the handle's math mode. */
static inline int mfu_compute_for_math_mode(unsigned math_mode) {
  switch (math_mode & 0xfu) {
  case MFU_MATH_TF32_TENSOR_OP: return MFU_COMPUTE_32F_FAST_TF32;
  case MFU_MATH_TENSOR_OP: return MFU_COMPUTE_32F_FAST_16F; /* deprecated mode: cuBLAS docs */
  default: return MFU_COMPUTE_32F;
  }
}

/* Class of one operand type under `compute`. `math_mode` matters for fp32 inputs with
 * CUBLAS_COMPUTE_32F (cuBLAS lets TF32 math mode apply there); `tf32_allowed` is false when
 * NVIDIA_TF32_OVERRIDE=0 forbids TF32 process-wide. */
static inline enum mfu_precision mfu_operand_precision(int dtype, int compute, unsigned math_mode,
                                                       bool tf32_allowed) {
  switch (dtype) {
  case MFU_CUDA_R_64F: case MFU_CUDA_C_64F:
    return MFU_PREC_FP64;
  case MFU_CUDA_R_32F: case MFU_CUDA_C_32F:
    switch (compute) {
    case MFU_COMPUTE_32F_FAST_TF32: return tf32_allowed ? MFU_PREC_TF32 : MFU_PREC_FP32;
    case MFU_COMPUTE_32F_FAST_16F: return MFU_PREC_FP16;
    case MFU_COMPUTE_32F_FAST_16BF: return MFU_PREC_BF16;
    case MFU_COMPUTE_32F:
      return (math_mode & 0xfu) == MFU_MATH_TF32_TENSOR_OP && tf32_allowed ? MFU_PREC_TF32
                                                                            : MFU_PREC_FP32;
    default: return MFU_PREC_FP32; /* pedantic, bf16x9 emulation: fp32 results */
    }
  case MFU_CUDA_R_16F: case MFU_CUDA_C_16F:
    return MFU_PREC_FP16;
  case MFU_CUDA_R_16BF: case MFU_CUDA_C_16BF:
    return MFU_PREC_BF16;
  case MFU_CUDA_R_8F_E4M3: case MFU_CUDA_R_8F_E5M2:
    return MFU_PREC_FP8;
  case MFU_CUDA_R_8I: case MFU_CUDA_C_8I: case MFU_CUDA_R_8U: case MFU_CUDA_C_8U:
    return MFU_PREC_INT8;
  case MFU_CUDA_R_4F_E2M1:
    return MFU_PREC_FP4;
  default:
    return MFU_PREC_OTHER;
  }
}

/* The class of a GEMM: the wider of its two input operands (the tensor-core rate is set by
 * the wider one), e.g. fp8 x bf16 runs at the bf16 rate. */
static inline enum mfu_precision mfu_gemm_precision(int atype, int btype, int compute,
                                                    unsigned math_mode, bool tf32_allowed) {
  static const unsigned char width[MFU_PREC_COUNT] = {
      [MFU_PREC_FP64] = 64, [MFU_PREC_FP32] = 32, [MFU_PREC_TF32] = 19, [MFU_PREC_FP16] = 16,
      [MFU_PREC_BF16] = 16, [MFU_PREC_FP8] = 8,   [MFU_PREC_INT8] = 8,  [MFU_PREC_FP4] = 4,
      [MFU_PREC_OTHER] = 0,
  };
  enum mfu_precision a = mfu_operand_precision(atype, compute, math_mode, tf32_allowed);
  enum mfu_precision b = mfu_operand_precision(btype, compute, math_mode, tf32_allowed);
  return width[b] > width[a] ? b : a;
}

/* FLOPs of `batch` products of an m x k by a k x n matrix: 2mnk each for real types, 8mnk
 * for complex (a complex multiply-add is 8 real FLOPs; the 3m algorithms are counted by the
 * same model FLOPs). Negative sizes count 0. On overflow returns UINT64_MAX and sets
 * *saturated. */
static inline uint64_t mfu_gemm_flops(int64_t m, int64_t n, int64_t k, int64_t batch,
                                      bool complex, bool *saturated) {
  if (m <= 0 || n <= 0 || k <= 0 || batch <= 0) return 0;
  uint64_t f = complex ? 8 : 2;
  if (__builtin_mul_overflow(f, (uint64_t)m, &f) || __builtin_mul_overflow(f, (uint64_t)n, &f) ||
      __builtin_mul_overflow(f, (uint64_t)k, &f) || __builtin_mul_overflow(f, (uint64_t)batch, &f)) {
    *saturated = true;
    return UINT64_MAX;
  }
  return f;
}

/* a + b, saturating at UINT64_MAX (and setting *saturated). */
static inline uint64_t mfu_add_saturating(uint64_t a, uint64_t b, bool *saturated) {
  uint64_t s;
  if (__builtin_add_overflow(a, b, &s)) {
    *saturated = true;
    return UINT64_MAX;
  }
  return s;
}

#endif
