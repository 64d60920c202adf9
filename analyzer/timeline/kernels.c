/* kernels: see kernels.h. */
#include "kernels.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof *(a))

struct rule {
  const char *fragment;
  enum activity_category cat;
};

/* In priority order: the first fragment found in the name decides. */
static const struct rule rules[] = {
    /* Inductor names its pointwise, reduction and foreach kernels after the ATen ops they
     * fuse, which may be "mm", "_scaled_dot_product_flash_attention" or "all_gather_into_tensor"
     * (the copies around them): these kernels never do the math or the communication. */
    {"triton_poi_", CAT_OTHER},
    {"triton_per_", CAT_OTHER},
    {"triton_red_", CAT_OTHER},
    {"triton_for_", CAT_OTHER},
    /* Communication: NCCL's device kernels, and the custom all-reduce kernels of other stacks. */
    {"nccl", CAT_NCCL},
    {"allreduce", CAT_NCCL},
    {"all_reduce", CAT_NCCL},
    {"allgather", CAT_NCCL},
    {"all_gather", CAT_NCCL},
    {"reducescatter", CAT_NCCL},
    {"reduce_scatter", CAT_NCCL},
    {"alltoall", CAT_NCCL},
    {"all_to_all", CAT_NCCL},
    {"cross_device_reduce", CAT_NCCL},
    /* Attention, before GEMM: fused attention kernels are built from CUTLASS or wgmma and
     * often say so. Not bare "flash": vLLM's reshape_and_cache_flash and FlashInfer's
     * rotary and norm kernels are memory-bound. */
    {"flash_fwd", CAT_ATTENTION},  /* FlashAttention 2 (also vendored as pytorch_flash::) */
    {"flash_bwd", CAT_ATTENTION},
    {"flashattn", CAT_ATTENTION},  /* FlashAttention 3: flash::FlashAttnFwdSm90 */
    {"flash_attn", CAT_ATTENTION}, /* FlashAttention 4 (CuTe DSL) */
    {"flashattention", CAT_ATTENTION},
    {"fmha", CAT_ATTENTION},       /* memory-efficient (xFormers/PyTorch), TensorRT-LLM */
    {"sdpa", CAT_ATTENTION},       /* cuDNN: cudnn_generated_fort_native_sdpa_... */
    {"attention", CAT_ATTENTION},  /* FlexAttention templates, paged attention */
    {"prefillwith", CAT_ATTENTION}, /* FlashInfer: BatchPrefillWithPagedKVCacheKernel */
    {"decodewith", CAT_ATTENTION},
    /* cuBLAS's level-1 and level-2 kernels are memory-bound ("cublas" is in their template
     * arguments, so they come before the GEMM rules). A gemv kernel that runs a GEMM call
     * (cuBLAS picks one when n or m is 1) is made GEMM by its correlation to the call. */
    {"axpy_kernel", CAT_OTHER},
    {"scal_kernel", CAT_OTHER},
    {"dot_kernel", CAT_OTHER},
    {"nrm2_kernel", CAT_OTHER},
    {"asum_kernel", CAT_OTHER},
    {"gemv", CAT_OTHER},
    /* GEMM: cuBLAS (sm90_xmma_gemm_..._cublas, ampere_*gemm*, nvjet_*, split-K
     * reduction), CUTLASS (also torch._grouped_mm and rowwise FP8), cuDNN implicit GEMM,
     * Inductor GEMM templates, Triton matmuls. */
    {"gemm", CAT_GEMM},
    {"nvjet", CAT_GEMM},
    {"xmma", CAT_GEMM},
    {"cutlass", CAT_GEMM},
    {"cublas", CAT_GEMM},
    {"splitkreduce", CAT_GEMM},
    {"matmul", CAT_GEMM},
    {"triton_tem_", CAT_GEMM},
};

enum activity_category kernel_category(const char *name) {
  for (size_t i = 0; name && i < N(rules); i++)
    if (strcasestr(name, rules[i].fragment)) return rules[i].cat;
  return CAT_OTHER;
}

/* Itanium C++ mangling, as far as names go: _Z<len><id>... or _ZN<len><id>...<len><id>E... */
static bool unmangle(const char *s, char *out, size_t outlen) {
  if (strncmp(s, "_Z", 2)) return false;
  s += 2;
  bool nested = *s == 'N';
  s += nested;
  size_t used = 0, parts = 0;
  while (*s >= '1' && *s <= '9') {
    char *end;
    unsigned long len = strtoul(s, &end, 10);
    if (strnlen(end, len) < len) return false;
    int w = snprintf(out + used, outlen - used, "%s%.*s", parts++ ? "::" : "", (int)len, end);
    if (w < 0 || (size_t)w >= outlen - used) return false;
    used += (size_t)w;
    s = end + len;
    if (!nested) break;
  }
  return parts > 0;
}

const char *kernel_short_name(const char *name, char *out, size_t outlen) {
  if (!name || !outlen) return name;
  if (unmangle(name, out, outlen)) return out;
  /* Demangled: "void ns::kernel<args>(params)" -> "ns::kernel<args>" */
  const char *s = strncmp(name, "void ", 5) ? name : name + 5;
  size_t n = strlen(s);
  if (n && s[n - 1] == ')') {
    int depth = 0;
    for (size_t i = n; i-- > 0;) {
      depth += s[i] == ')' ? 1 : s[i] == '(' ? -1 : 0;
      if (!depth) {
        n = i;
        break;
      }
    }
  }
  snprintf(out, outlen, "%.*s", (int)n, s);
  return out;
}
