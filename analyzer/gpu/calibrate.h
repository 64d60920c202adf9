/* calibrate: the GEMM throughput this machine's GPU really achieves per precision (the
 * "achievable peak" beside the datasheet peak): square cuBLASLt matmuls on random data, timed
 * with CUDA events. The analyzer links no CUDA library: the CUDA runtime and cuBLASLt of one
 * major version (13, else 12) are loaded at run time. Without a GPU or a driver it fails
 * cleanly; on mfushim's test doubles it runs every GEMM and times none (UNTIMED). */
#ifndef MFU_CALIBRATE_H
#define MFU_CALIBRATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define CALIBRATE_MAX_SIZE 32768
#define CALIBRATE_DEFAULT_PRECISIONS "bf16,fp16,tf32,fp8"

/* The precisions it can measure. Inputs are A and B; C and D have the output type. FP8 runs
 * as PyTorch's _scaled_mm does: e4m3 inputs, bf16 output, A transposed (cuBLASLt's only FP8
 * layout, used for every precision here so that all run alike). */
struct calibrate_precision {
  const char *name; /* as mfu_precision_name: "bf16" */
  int in_type, out_type, compute;
  size_t in_size, out_size;
  int exp_bits, mant_bits; /* of the input format, to make random values */
  int min_cc;              /* 10*major + minor */
};
#define CALIBRATE_PRECISIONS 5
extern const struct calibrate_precision calibrate_precisions[CALIBRATE_PRECISIONS];

/* UNTIMED: every GEMM ran, but on mfushim's test doubles, which do no GPU work: no time to
 * measure, so no TFLOP/s (any figure would be no GPU's). */
enum calibrate_outcome { CALIBRATE_OK, CALIBRATE_UNTIMED, CALIBRATE_UNSUPPORTED, CALIBRATE_FAILED };

struct calibrate_result {
  enum calibrate_outcome outcome;
  double ms_per_gemm, tflops;
  char why[256]; /* for UNTIMED, UNSUPPORTED and FAILED */
};

struct calibrate_cuda; /* private: the loaded libraries */

struct calibrate_gpu {
  char rt_path[PATH_MAX], lt_path[PATH_MAX]; /* the libraries loaded */
  size_t cublaslt_version;
  char device[256]; /* device 0's name */
  int cc_major, cc_minor;
  bool is_double;   /* mfushim's test double: no GPU */
  struct calibrate_cuda *cuda;
};

/* Loads CUDA and opens device 0; 0, or -1 with err saying why there is no usable device. */
int calibrate_open(struct calibrate_gpu *g, char *err, size_t errsz);

/* Times `iters` size³ GEMMs of precision p after `warmup` untimed ones. */
void calibrate_measure(struct calibrate_gpu *g, const struct calibrate_precision *p, int size,
                       int warmup, int iters, struct calibrate_result *r);

/* Releases the cuBLASLt handle. The libraries stay loaded: unloading CUDA at exit is known to
 * race its own threads. */
void calibrate_close(struct calibrate_gpu *g);

#endif
