/* Small GEMMs computed on the CPU by the cuBLAS and cuBLASLt doubles (gemm_cpu.c), so that
 * programs that check their results pass: D = alpha * op(A) * op(B) + beta * C, column-major,
 * in double precision, stored rounded to D's type. Only when m*n*k*batch <= 512^3 and every
 * type is one the CPU knows (real and complex 16F/16BF/32F/64F, 8I/8U into 32I, FP8 E4M3/E5M2):
 * larger ones are only counted and timed, as before. Matrices must be in memory the GPU
 * reaches (devmem.h: device, managed, pinned host), each within its allocation; otherwise D is
 * left untouched. alpha and beta may be anywhere (host or device pointer mode). */
#ifndef MFU_DOUBLES_GEMM_CPU_H
#define MFU_DOUBLES_GEMM_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GEMM_CPU_MAX_WORK ((int64_t)512 * 512 * 512)

struct gemm_cpu_matrix {
  const void *ptr;          /* the first matrix, or (array) the device array of pointers */
  int type;                 /* cudaDataType */
  int64_t ld, stride;       /* leading dimension; elements between batch members */
  bool array;               /* batched: ptr is an array of one pointer per batch member */
};

struct gemm_cpu {
  int transa, transb; /* cublasOperation_t */
  int64_t m, n, k, batch;
  struct gemm_cpu_matrix a, b, c, d; /* cuBLAS: d is c */
  const void *alpha, *beta;          /* host or device pointers, of scale_type */
  int scale_type;
};

/* Computes g on the CPU; false (nothing written) when it is too large or not computable. */
bool gemm_cpu_run(const struct gemm_cpu *g);
/* C = alpha * op(A) + beta * op(B), m x n, as cublasLtMatrixTransform (A or B may be absent:
 * a NULL ptr). */
struct gemm_cpu_add {
  int transa, transb;
  int64_t m, n, batch;
  struct gemm_cpu_matrix a, b, c;
  const void *alpha, *beta;
  int scale_type;
};
bool gemm_cpu_add_run(const struct gemm_cpu_add *g);
/* The scale type cuBLAS uses for `compute` (cublasComputeType_t) and output type `ctype`. */
int gemm_cpu_scale_type(int compute, int ctype);

/* Elements as the CPU computes with them: any of the types above, read into and stored from
 * a complex double (stores round to the type; complex parts of real types are dropped). */
struct gemm_cpu_cplx {
  double re, im;
};
size_t gemm_cpu_type_size(int type); /* bytes of one element; 0 for a type the CPU lacks */
struct gemm_cpu_cplx gemm_cpu_load(int type, const void *base, int64_t i);
void gemm_cpu_store(int type, void *base, int64_t i, struct gemm_cpu_cplx v);

#endif
