/* The cuBLASLt double's algorithms: the search a program makes before it multiplies
 * (cublasLtMatmulAlgoGetHeuristic, AlgoGetIds, AlgoInit, AlgoCheck, the capability and
 * configuration attributes). Every non-negative id is an algorithm (a program may preset an id
 * the real library gave it), and AlgoGetIds and the heuristic offer the first ALGO_COUNT; all
 * are alike: each needs no workspace, supports strided batches and out-of-place results, and
 * has no tile or stage choices. An algorithm's configuration lives in its
 * cublasLtMatmulAlgo_t, as in the real library. */
#include <cublasLt.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define ALGO_COUNT 4
#define ALGO_MAGIC 0x6d667561u /* marks an initialized algorithm */
#define SLOT_MAGIC 15

/* The configuration attributes' sizes, by attribute (slots of data viewed as uint32_t[16]). */
static size_t config_size(cublasLtMatmulAlgoConfigAttributes_t attr) {
  switch (attr) {
  case CUBLASLT_ALGO_CONFIG_ID: case CUBLASLT_ALGO_CONFIG_TILE_ID:
  case CUBLASLT_ALGO_CONFIG_SPLITK_NUM: case CUBLASLT_ALGO_CONFIG_REDUCTION_SCHEME:
  case CUBLASLT_ALGO_CONFIG_CTA_SWIZZLING: case CUBLASLT_ALGO_CONFIG_CUSTOM_OPTION:
  case CUBLASLT_ALGO_CONFIG_STAGES_ID: return 4;
  case CUBLASLT_ALGO_CONFIG_INNER_SHAPE_ID: case CUBLASLT_ALGO_CONFIG_CLUSTER_SHAPE_ID: return 2;
  default: return 0;
  }
}

/* The slots are read and written by memcpy: algo->data is uint64_t[8], and stores through a
 * uint32_t pointer would be invisible to a copy of the struct (strict aliasing), which the
 * compiler may then drop. */
static uint32_t slot(const cublasLtMatmulAlgo_t *algo, int i) {
  uint32_t v;
  memcpy(&v, (const char *)algo->data + 4 * i, sizeof v);
  return v;
}

static void set_slot(cublasLtMatmulAlgo_t *algo, int i, uint32_t v) {
  memcpy((char *)algo->data + 4 * i, &v, sizeof v);
}

static void algo_init(cublasLtMatmulAlgo_t *algo, int id) {
  memset(algo, 0, sizeof *algo);
  set_slot(algo, CUBLASLT_ALGO_CONFIG_ID, (uint32_t)id);
  set_slot(algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, 1);
  set_slot(algo, SLOT_MAGIC, ALGO_MAGIC);
}

static bool valid(const cublasLtMatmulAlgo_t *algo) {
  return algo && slot(algo, SLOT_MAGIC) == ALGO_MAGIC;
}

cublasStatus_t cublasLtMatmulAlgoGetIds(cublasLtHandle_t lightHandle,
                                        cublasComputeType_t computeType, cudaDataType_t scaleType,
                                        cudaDataType_t Atype, cudaDataType_t Btype,
                                        cudaDataType_t Ctype, cudaDataType_t Dtype,
                                        int requestedAlgoCount, int algoIdsArray[],
                                        int *returnAlgoCount) {
  (void)lightHandle, (void)computeType, (void)scaleType, (void)Atype, (void)Btype, (void)Ctype;
  (void)Dtype;
  if (requestedAlgoCount < 1 || !algoIdsArray || !returnAlgoCount)
    return CUBLAS_STATUS_INVALID_VALUE;
  int n = requestedAlgoCount < ALGO_COUNT ? requestedAlgoCount : ALGO_COUNT;
  for (int i = 0; i < n; i++) algoIdsArray[i] = i;
  *returnAlgoCount = n;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmulAlgoInit(cublasLtHandle_t lightHandle,
                                      cublasComputeType_t computeType, cudaDataType_t scaleType,
                                      cudaDataType_t Atype, cudaDataType_t Btype,
                                      cudaDataType_t Ctype, cudaDataType_t Dtype, int algoId,
                                      cublasLtMatmulAlgo_t *algo) {
  (void)lightHandle, (void)computeType, (void)scaleType, (void)Atype, (void)Btype, (void)Ctype;
  (void)Dtype;
  if (!algo || algoId < 0) return CUBLAS_STATUS_INVALID_VALUE;
  algo_init(algo, algoId);
  return CUBLAS_STATUS_SUCCESS;
}

static void heuristic(cublasLtMatmulHeuristicResult_t *r, const cublasLtMatmulAlgo_t *algo) {
  memset(r, 0, sizeof *r);
  r->algo = *algo;
  r->state = CUBLAS_STATUS_SUCCESS;
  r->wavesCount = 1.0f;
}

cublasStatus_t cublasLtMatmulAlgoCheck(cublasLtHandle_t lightHandle,
                                       cublasLtMatmulDesc_t operationDesc,
                                       cublasLtMatrixLayout_t Adesc, cublasLtMatrixLayout_t Bdesc,
                                       cublasLtMatrixLayout_t Cdesc, cublasLtMatrixLayout_t Ddesc,
                                       const cublasLtMatmulAlgo_t *algo,
                                       cublasLtMatmulHeuristicResult_t *result) {
  (void)lightHandle, (void)operationDesc, (void)Adesc, (void)Bdesc, (void)Cdesc, (void)Ddesc;
  if (!valid(algo) || !result) return CUBLAS_STATUS_INVALID_VALUE;
  heuristic(result, algo);
  return CUBLAS_STATUS_SUCCESS;
}

/* The best algorithms first: here, the first `requested` of them. */
cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t lightHandle,
                                              cublasLtMatmulDesc_t operationDesc,
                                              cublasLtMatrixLayout_t Adesc,
                                              cublasLtMatrixLayout_t Bdesc,
                                              cublasLtMatrixLayout_t Cdesc,
                                              cublasLtMatrixLayout_t Ddesc,
                                              cublasLtMatmulPreference_t preference,
                                              int requestedAlgoCount,
                                              cublasLtMatmulHeuristicResult_t heuristicResultsArray[],
                                              int *returnAlgoCount) {
  (void)lightHandle, (void)operationDesc, (void)Adesc, (void)Bdesc, (void)Cdesc, (void)Ddesc;
  (void)preference;
  if (requestedAlgoCount < 1 || !heuristicResultsArray || !returnAlgoCount)
    return CUBLAS_STATUS_INVALID_VALUE;
  int n = requestedAlgoCount < ALGO_COUNT ? requestedAlgoCount : ALGO_COUNT;
  for (int i = 0; i < n; i++) {
    cublasLtMatmulAlgo_t algo;
    algo_init(&algo, i);
    heuristic(&heuristicResultsArray[i], &algo);
  }
  *returnAlgoCount = n;
  return CUBLAS_STATUS_SUCCESS;
}

/* sizeInBytes 0 with sizeWritten asks for the size, as in the real library. */
static cublasStatus_t give(void *buf, size_t size, size_t *written, const void *value, size_t n) {
  if (size == 0 && written) {
    *written = n;
    return CUBLAS_STATUS_SUCCESS;
  }
  if (size < n || (n && !buf)) return CUBLAS_STATUS_INVALID_VALUE;
  if (n) memcpy(buf, value, n);
  if (written) *written = n;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmulAlgoConfigSetAttribute(cublasLtMatmulAlgo_t *algo,
                                                    cublasLtMatmulAlgoConfigAttributes_t attr,
                                                    const void *buf, size_t sizeInBytes) {
  size_t n = config_size(attr);
  if (!valid(algo) || !n || !buf || sizeInBytes != n || attr == CUBLASLT_ALGO_CONFIG_ID)
    return CUBLAS_STATUS_INVALID_VALUE;
  uint32_t v = 0;
  memcpy(&v, buf, n);
  set_slot(algo, (int)attr, v);
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmulAlgoConfigGetAttribute(const cublasLtMatmulAlgo_t *algo,
                                                    cublasLtMatmulAlgoConfigAttributes_t attr,
                                                    void *buf, size_t sizeInBytes,
                                                    size_t *sizeWritten) {
  size_t n = config_size(attr);
  if (!valid(algo) || !n) return CUBLAS_STATUS_INVALID_VALUE;
  uint32_t v = slot(algo, (int)attr);
  uint16_t v16 = (uint16_t)v;
  return give(buf, sizeInBytes, sizeWritten, n == 2 ? (void *)&v16 : (void *)&v, n);
}

cublasStatus_t cublasLtMatmulAlgoCapGetAttribute(const cublasLtMatmulAlgo_t *algo,
                                                 cublasLtMatmulAlgoCapAttributes_t attr,
                                                 void *buf, size_t sizeInBytes,
                                                 size_t *sizeWritten) {
  if (!valid(algo)) return CUBLAS_STATUS_INVALID_VALUE;
  int32_t i32 = 0;
  uint32_t u32 = 0;
  uint64_t u64 = 0;
  switch (attr) {
  case CUBLASLT_ALGO_CAP_TILE_IDS: case CUBLASLT_ALGO_CAP_STAGES_IDS: /* no choices */
    return give(buf, sizeInBytes, sizeWritten, NULL, 0);
  case CUBLASLT_ALGO_CAP_STRIDED_BATCH_SUPPORT: case CUBLASLT_ALGO_CAP_OUT_OF_PLACE_RESULT_SUPPORT:
  case CUBLASLT_ALGO_CAP_POINTER_ARRAY_BATCH_SUPPORT:
    i32 = 1;
    return give(buf, sizeInBytes, sizeWritten, &i32, sizeof i32);
  case CUBLASLT_ALGO_CAP_SPLITK_SUPPORT: case CUBLASLT_ALGO_CAP_UPLO_SUPPORT:
  case CUBLASLT_ALGO_CAP_CUSTOM_OPTION_MAX: case CUBLASLT_ALGO_CAP_CUSTOM_MEMORY_ORDER:
  case CUBLASLT_ALGO_CAP_LD_NEGATIVE: case CUBLASLT_ALGO_CAP_FLOATING_POINT_EMULATION_SUPPORT:
    return give(buf, sizeInBytes, sizeWritten, &i32, sizeof i32);
  case CUBLASLT_ALGO_CAP_POINTER_MODE_MASK:
    u32 = CUBLASLT_POINTER_MODE_MASK_HOST | CUBLASLT_POINTER_MODE_MASK_DEVICE;
    return give(buf, sizeInBytes, sizeWritten, &u32, sizeof u32);
  case CUBLASLT_ALGO_CAP_EPILOGUE_MASK:
    u32 = CUBLASLT_EPILOGUE_DEFAULT;
    return give(buf, sizeInBytes, sizeWritten, &u32, sizeof u32);
  case CUBLASLT_ALGO_CAP_MIN_ALIGNMENT_A_BYTES: case CUBLASLT_ALGO_CAP_MIN_ALIGNMENT_B_BYTES:
  case CUBLASLT_ALGO_CAP_MIN_ALIGNMENT_C_BYTES: case CUBLASLT_ALGO_CAP_MIN_ALIGNMENT_D_BYTES:
    u32 = 4;
    return give(buf, sizeInBytes, sizeWritten, &u32, sizeof u32);
  case CUBLASLT_ALGO_CAP_REDUCTION_SCHEME_MASK: case CUBLASLT_ALGO_CAP_CTA_SWIZZLING_SUPPORT:
    return give(buf, sizeInBytes, sizeWritten, &u32, sizeof u32);
  case CUBLASLT_ALGO_CAP_NUMERICAL_IMPL_FLAGS:
    return give(buf, sizeInBytes, sizeWritten, &u64, sizeof u64);
  default:
    return CUBLAS_STATUS_INVALID_VALUE;
  }
}
