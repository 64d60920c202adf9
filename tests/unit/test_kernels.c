/* Unit tests of analyzer/kernels: real kernel names, as profilers (CUPTI, Nsight Systems, the
 * PyTorch profiler) print them in public traces, issues and blog posts, with their category
 * and whether they belong to the optimizer step. Demangled names are given whole or cut where
 * their template arguments stop mattering; the mangled ones were checked with c++filt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "timeline/kernels.h"

struct known {
  const char *name;
  enum activity_category cat;
  bool optimizer;
};

#define GEMM CAT_GEMM
#define ATTN CAT_ATTENTION
#define NCCL CAT_NCCL
#define OTHER CAT_OTHER

static const struct known names[] = {
    /* ---- NCCL and other collectives */
    {"ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)", NCCL, false},
    {"ncclDevKernel_ReduceScatter_Sum_bf16_RING_LL", NCCL, false},
    {"ncclDevKernel_AllGather_RING_LL", NCCL, false},
    {"ncclDevKernel_SendRecv(ncclDevKernelArgsStorage<4096ul>)", NCCL, false},
    {"ncclDevKernel_AllReduce_Sum_f32_RING_SIMPLE", NCCL, false},
    {"ncclKernel_AllReduce_RING_LL_Sum_float(ncclWorkElem)", NCCL, false}, /* NCCL before 2.19 */
    {"_Z40ncclDevKernel_AllReduce_Sum_bf16_RING_LL24ncclDevKernelArgsStorageILm4096EE", NCCL,
     false},
    {"void vllm::cross_device_reduce_1stage<__nv_bfloat16, 8>(vllm::RankData*, "
     "vllm::RankSignals, vllm::Signal*, __nv_bfloat16*, int, int)", NCCL, false},
    {"void flashinfer::trtllm_allreduce_fus", NCCL, false}, /* as cut in a profile table */

    /* ---- attention */
    {"flash_fwd_kernel", ATTN, false},
    {"void flash_fwd_kernel<Flash_fwd_kernel_traits<128, 128, 64, 4, false, false, "
     "cutlass::bfloat16_t, Flash_kernel_traits<128, 128, 64, 4, cutlass::bfloat16_t> >, "
     "false, true, false, false, true, true, false, false>(Flash_fwd_params)", ATTN, false},
    {"flash_fwd_splitkv_combine_kernel", ATTN, false},
    {"pytorch_flash::flash_bwd_dq_dk_dv_loop_seqk_parallel_kernel", ATTN, false},
    {"void pytorch_flash::flash_bwd_dot_do_o_kernel<true, "
     "pytorch_flash::Flash_bwd_kernel_traits<...> >(pytorch_flash::Flash_bwd_params)", ATTN, false},
    {"_ZN13pytorch_flash16flash_fwd_kernelINS_23Flash_fwd_kernel_traitsILi128ELi128ELi64ELi4EEE"
     "Lb0ELb1EEEvNS_16Flash_fwd_paramsE", ATTN, false},
    {"void cutlass::device_kernel<flash::enable_sm90_or_later<flash::FlashAttnFwdSm90<"
     "flash::CollectiveMainloopFwdSm90<2, cute::tuple<cute::C<1>, cute::C<1>, cute::C<1> >, "
     "cute::tuple<cute::C<128>, cute::C<176>, cute::C<128> >, 128, cutlass::bfloat16_t, "
     "float, cutlass::arch::Sm90, false", ATTN, false}, /* CUTLASS wrapper: not a GEMM */
    {"flash::FlashAttnFwdCombine", ATTN, false},
    {"kernel_cutlass_kernel_flash_attncuteflash_fwd_sm100FlashAttentionForwardSm100_object_at_"
     "_tensor0000o11101213_0", ATTN, false},
    {"fmha_cutlassF_f16_aligned_64x64_rf_sm80", ATTN, false},
    {"fmha_cutlassF_f16_aligned_64x128_rf_sm80(PyTorchMemEffAttention::AttentionKernel<"
     "cutlass::half_t, cutlass::arch::Sm80, true, 64, 128, 128, true, true>::Params)", ATTN, false},
    {"fmha_cutlassB_bf16_aligned_128x128_k128_sm80", ATTN, false},
    {"fmhaSm100aKernel_QE4m3KvE2m1OE4m3H128PagedKvDenseP16VarSeqQ8Kv128PersistentSwapsAbForGen",
     ATTN, false},
    {"cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_7_64x128x128_4x1x1_"
     "kernel0_0", ATTN, false},
    {"cudnn_generated_fort_native_sdpa_sm80_flash_fprop_wmma_f16_knob_3_64x64x128_4x1x1_"
     "kernel0_0", ATTN, false},
    {"cudnn_generated_fort_native_sdpa_sm100_flash_fprop_f16", ATTN, false},
    {"triton_tem_fused_flex_attention_0", ATTN, false}, /* a template, but not a GEMM */
    {"triton_tem_fused_flex_attention_backward_zeros_1", ATTN, false},
    {"BatchPrefillWithRaggedKVCacheKernel", ATTN, false},
    {"void vllm::paged_attention_v2_kernel<__nv_bfloat16, __nv_bfloat16, ...>(...)", ATTN, false},

    /* ---- GEMM */
    {"sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64_warpgroupsize1x1x1_execute_"
     "segment_k_off_kernel__5x_cublas", GEMM, false},
    {"sm90_xmma_gemm_e4m3bf16_e4m3f32_f32_tn_n_tilesize64x64x128_warpgroupsize1x1x1_execute_"
     "segment_k_off_kernel__5x_cublas", GEMM, false},
    {"sm80_xmma_gemm_f32f32_f32f32_f32_nn_n_tilesize64x64x8_stage3_warpsize1x4x1_ffma_aligna4_"
     "alignc4_execute_kernel__5x_cublas", GEMM, false},
    {"void cutlass::Kernel2<cutlass_80_tensorop_s16816gemm_relu_bf16_64x64_64x4_tn_align8>("
     "cutlass_80_tensorop_s16816gemm_relu_bf16_64x64_64x4_tn_align8::Params)", GEMM, false},
    {"void cutlass::Kernel2<cutlass_80_simt_sgemm_256x128_8x4_nn_align1>("
     "cutlass_80_simt_sgemm_256x128_8x4_nn_align1::Params)", GEMM, false},
    {"void cutlass::Kernel2<cutlass_80_wmma_tensorop_bf16_s161616gemm_bf16_16x16_128x2_tn_"
     "align8>(cutlass_80_wmma_tensorop_bf16_s161616gemm_bf16_16x16_128x2_tn_align8::Params)",
     GEMM, false},
    {"_ZN7cutlass7Kernel2I58cutlass_80_tensorop_s16816gemm_bf16_128x128_32x3_tn_align8EEvNT_"
     "6ParamsE", GEMM, false},
    {"ampere_bf16_s16816gemm_bf16_128x128_ldg8_f2f_stages_32x5_tn", GEMM, false},
    {"volta_gcgemm_32x32_nt", GEMM, false}, /* complex */
    {"nvjet_tst_128x256_64x4_2x1_v_bz_coopB_TNT", GEMM, false},
    {"nvjet_tst_64x32_64x16_2x2_2cta_h_bz_splitK_TNT", GEMM, false},
    {"nvjet_tss_64x8_64x16_2x1_v_bz_splitK_TNT", GEMM, false},
    {"void splitKreduce_kernel<32, 16, int, float, __nv_bfloat16, float, __nv_bfloat16, true, "
     "false, false>(cublasSplitKParams<float>, float const*, __nv_bfloat16 const*, "
     "__nv_bfloat16*, float const*, float const*, __nv_bfloat16 const*, float const*, "
     "__nv_bfloat16*, void*, long, float*, int*)", GEMM, false},
    {"void gemv2T_kernel_val<int, int, float, float, float, float, 128, 16, 4, 4, false, "
     "false, cublasGemvParamsEx<...> >(...)", OTHER, false}, /* GEMM when correlated */
    {"void internal::gemvx::kernel<...>(...)", OTHER, false},
    {"_Z15axpy_kernel_valIffEv19cublasAxpyParamsValIT_S1_T0_E", OTHER, false},
    {"void scal_kernel_val<float, float>(cublasScalParamsVal<float, float>)", OTHER, false},
    {"void cutlass::device_kernel<at::cuda::detail::enable_3x_kernel_for_sm9x<cutlass::gemm::"
     "kernel::GemmUniversal<cutlass::gemm::GroupProblemShape<cute::tuple<int, int, int> >, "
     "...> > >(...)", GEMM, false}, /* torch._grouped_mm (MoE) */
    {"sm80_xmma_fprop_implicit_gemm_bf16bf16_bf16f32_f32_nhwckrsc_nhwc_tilesize128x128x32_"
     "stage4_warpsize2x2x1_g1_tensor16x8x16_kernel", GEMM, false}, /* cuDNN convolution */
    {"void deep_gemm::fp8_gemm_kernel<...>(...)", GEMM, false},
    {"triton_tem_fused_mm_0", GEMM, false},
    {"triton_tem_fused_addmm_relu_1", GEMM, false},
    {"matmul_kernel", GEMM, false}, /* a Triton matmul */

    /* ---- memory-bound and other compute */
    {"void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<float>, "
     "std::array<char*, 1ul> >(int, at::native::FillFunctor<float>, std::array<char*, 1ul>)",
     OTHER, false},
    {"_ZN2at6native29vectorized_elementwise_kernelILi4ENS0_11FillFunctorIfEESt5arrayIPcLm1EEEEv"
     "iT0_T1_", OTHER, false},
    {"void at::native::elementwise_kernel<128, 2, at::native::gpu_kernel_impl_nocast<"
     "at::native::direct_copy_kernel_cuda(at::TensorIteratorBase&)::{lambda()#3}::operator()() "
     "const::{lambda()#12}::operator()() const::{lambda(c10::BFloat16)#1}>(...)", OTHER, false},
    {"void at::native::(anonymous namespace)::cunn_SoftMaxForward<4, float, float, float, "
     "at::native::(anonymous namespace)::SoftMaxForwardEpilogue>(float*, float const*, int)",
     OTHER, false},
    {"void at::native::(anonymous namespace)::vectorized_layer_norm_kernel<c10::BFloat16, "
     "float>(int, float, c10::BFloat16 const*, c10::BFloat16 const*, c10::BFloat16 const*, "
     "float*, float*, c10::BFloat16*)", OTHER, false},
    {"void at::native::reduce_kernel<128, 4, at::native::ReduceOp<c10::BFloat16, "
     "at::native::func_wrapper_t<c10::BFloat16, at::native::sum_functor<c10::BFloat16, float, "
     "c10::BFloat16>::operator()(at::TensorIterator&)::{lambda(float, float)#1}>, unsigned "
     "int, c10::BFloat16, 4, 4> >(...)", OTHER, false},
    {"void at::native::(anonymous namespace)::indexSelectSmallIndex<c10::BFloat16, long, "
     "unsigned int, 2, 2, -2>(...)", OTHER, false},
    {"void at::native::(anonymous namespace)::CatArrayBatchedCopy<...>(...)", OTHER, false},
    {"void vllm::rms_norm_kernel<c10::BFloat16>(c10::BFloat16*, c10::BFloat16 const*, "
     "c10::BFloat16 const*, float, int, int)", OTHER, false},
    {"void vllm::reshape_and_cache_flash_kernel<...>(...)", OTHER, false}, /* no attention */
    {"flashinfer::BatchQKApplyRotary", OTHER, false},    /* rotary embedding */
    {"void fast_hadamard_transform_kernel<...>(HadamardParamsBase)", OTHER, false}, /* not "adam" */
    {"void cub::DeviceRadixSortOnesweepKernel<...>(...)", OTHER, false},
    {"triton_poi_fused_add_mul_0", OTHER, false},
    {"triton_per_fused__softmax_1", OTHER, false},
    {"triton_red_fused__to_copy_add_mean_mul_pow_rsqrt_0", OTHER, false}, /* RMSNorm */
    {"triton_poi_fused__scaled_dot_product_flash_attention_transpose_0", OTHER, false},
    {"triton_poi_fused_all_gather_into_tensor_0", OTHER, false}, /* copy-in of a collective */
    {"triton_poi_fused_mm_view_2", OTHER, false},

    /* ---- optimizer steps: memory-bound too */
    {"void at::native::(anonymous namespace)::multi_tensor_apply_kernel<at::native::(anonymous "
     "namespace)::TensorListMetadata<4>, at::native::(anonymous namespace)::"
     "FusedAdamMathFunctor<float, 4>>(at::native::(anonymous namespace)::TensorListMetadata<4>, "
     "at::native::(anonymous namespace)::FusedAdamMathFunctor<float, 4>)", OTHER, true},
    {"_ZN2at6native12_GLOBAL__N_125multi_tensor_apply_kernelINS1_18TensorListMetadataILi4EEENS1_"
     "20FusedAdamMathFunctorIfLi4EEEJEEEvT_T0_DpT1_", OTHER, true},
    {"void at::native::(anonymous namespace)::multi_tensor_apply_kernel<"
     "at::native::FusedOptimizerTensorListMetadata<4>, at::native::(anonymous namespace)::"
     "FusedAdamMathFunctor<float, 4, (at::native::ADAM_MODE)1, false>, ...>(...)", OTHER, true},
    {"void at::native::(anonymous namespace)::multi_tensor_apply_kernel<at::native::(anonymous "
     "namespace)::TensorListMetadata<2>, at::native::(anonymous namespace)::"
     "BinaryOpScalarFunctor<float, 2, 1, 1>, std::multiplies<float>, double>(...)", OTHER, true},
    {"void multi_tensor_apply_kernel<TensorListMetadata<4>, AdamFunctor<float, float, float>, "
     "float, float, float, float, int, int, adamMode_t, float>(...)", OTHER, true}, /* Apex */
    {"triton_for_fused_0", OTHER, true},
    {"triton_poi_fused__foreach_addcdiv__foreach_addcmul__foreach_mul_0", OTHER, true},
    {"void kOptimizer32bit2State<...>(...)", OTHER, true}, /* bitsandbytes */
};

static void test_known_names(void **state) {
  (void)state;
  assert_true(sizeof names / sizeof *names >= 40);
  int wrong = 0;
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    enum activity_category got = kernel_category(names[i].name);
    bool optimizer = kernel_is_optimizer(names[i].name);
    if (got != names[i].cat || optimizer != names[i].optimizer) {
      print_error("%s: %s%s, expected %s%s\n", names[i].name, activity_category_name[got],
                  optimizer ? " (optimizer)" : "", activity_category_name[names[i].cat],
                  names[i].optimizer ? " (optimizer)" : "");
      wrong++;
    }
  }
  assert_int_equal(wrong, 0);
}

/* Letter case does not matter: some tools print names lowercased. */
static void test_case_insensitive(void **state) {
  (void)state;
  assert_int_equal(kernel_category("NCCLDEVKERNEL_ALLGATHER_RING_LL"), CAT_NCCL);
  assert_int_equal(kernel_category("Flash_Fwd_Kernel"), CAT_ATTENTION);
  assert_int_equal(kernel_category("AMPERE_BF16_S16816GEMM_BF16_128X128_LDG8_F2F_STAGES_32X5_TN"),
                   CAT_GEMM);
  assert_true(kernel_is_optimizer("MULTI_TENSOR_APPLY_KERNEL"));
}

/* Unknown, empty and missing names are other compute, not optimizer kernels. */
static void test_unknown_names(void **state) {
  (void)state;
  assert_int_equal(kernel_category("my_custom_kernel"), CAT_OTHER);
  assert_int_equal(kernel_category(""), CAT_OTHER);
  assert_int_equal(kernel_category(NULL), CAT_OTHER);
  assert_false(kernel_is_optimizer("my_custom_kernel"));
  assert_false(kernel_is_optimizer(NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_known_names),
      cmocka_unit_test(test_case_insensitive),
      cmocka_unit_test(test_unknown_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
