/* Ids and names of the intercepted APIs. A record's `api` field is the id; the writer also
 * stores id -> name in the trace's string table, so a reader never depends on this order. */
#ifndef MFU_API_H
#define MFU_API_H

#include "mfu/api_spec.h"

enum mfu_api {
  MFU_API_NONE = 0,
#define MFU_API_ENUM(name, params, args, describe) MFU_API_##name,
#define MFU_API_ENUM_NAMED(name) MFU_API_##name,
  MFU_CUBLAS_GEMM_APIS(MFU_API_ENUM)
  MFU_CUBLASLT_APIS(MFU_API_ENUM)
  MFU_NCCL_APIS(MFU_API_ENUM)
  MFU_CUDART_GRAPH_APIS(MFU_API_ENUM)
  MFU_CUDART_MARKER_APIS(MFU_API_ENUM)
  MFU_NVTX_APIS(MFU_API_ENUM_NAMED)
  MFU_CUBLAS_BLAS3_APIS(MFU_API_ENUM)
#undef MFU_API_ENUM_NAMED
#undef MFU_API_ENUM
  MFU_API_COUNT
};

/* Name of API `id` as the library exports it, or NULL. */
static inline const char *mfu_api_name(unsigned id) {
  static const char *const names[MFU_API_COUNT] = {
      [MFU_API_NONE] = NULL,
#define MFU_API_NAME(name, params, args, describe) [MFU_API_##name] = #name,
#define MFU_API_NAME_NAMED(name) [MFU_API_##name] = #name,
      MFU_CUBLAS_GEMM_APIS(MFU_API_NAME)
      MFU_CUBLASLT_APIS(MFU_API_NAME)
      MFU_NCCL_APIS(MFU_API_NAME)
      MFU_CUDART_GRAPH_APIS(MFU_API_NAME)
      MFU_CUDART_MARKER_APIS(MFU_API_NAME)
      MFU_NVTX_APIS(MFU_API_NAME_NAMED)
      MFU_CUBLAS_BLAS3_APIS(MFU_API_NAME)
#undef MFU_API_NAME_NAMED
#undef MFU_API_NAME
  };
  return id < MFU_API_COUNT ? names[id] : NULL;
}

#endif
