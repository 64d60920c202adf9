/* Unit tests of analyzer/timeline/kernels: real kernel names, as profilers (CUPTI, Nsight
 * Systems, the PyTorch profiler) print them in public traces, issues and blog posts, with
 * their category. Demangled names are given whole or cut where
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
};

#define GEMM CAT_GEMM
#define ATTN CAT_ATTENTION
#define NCCL CAT_NCCL
#define OTHER CAT_OTHER

static const struct known names[] = {
    /* ---- NCCL and other collectives */
    {"ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)", NCCL},
    {"ncclDevKernel_ReduceScatter_Sum_bf16_RING_LL", NCCL},
    {"ncclDevKernel_AllGather_RING_LL", NCCL},
    {"ncclDevKernel_SendRecv(ncclDevKernelArgsStorage<4096ul>)", NCCL},
    {"ncclDevKernel_AllReduce_Sum_f32_RING_SIMPLE", NCCL},
    {"ncclKernel_AllReduce_RING_LL_Sum_float(ncclWorkElem)", NCCL}, /* NCCL before 2.19 */
    {"_Z40ncclDevKernel_AllReduce_Sum_bf16_RING_LL24ncclDevKernelArgsStorageILm4096EE", NCCL},
    {"void vllm::cross_device_reduce_1stage<__nv_bfloat16, 8>(vllm::RankData*, "
     "vllm::RankSignals, vllm::Signal*, __nv_bfloat16*, int, int)", NCCL},
    {"void flashinfer::trtllm_allreduce_fus", NCCL}, /* as cut in a profile table */

    /* ---- attention */
    {"flash_fwd_kernel", ATTN},
    {"void flash_fwd_kernel<Flash_fwd_kernel_traits<128, 128, 64, 4, false, false, "
     "cutlass::bfloat16_t, Flash_kernel_traits<128, 128, 64, 4, cutlass::bfloat16_t> >, "
     "false, true, false, false, true, true, false, false>(Flash_fwd_params)", ATTN},
    {"flash_fwd_splitkv_combine_kernel", ATTN},
    {"pytorch_flash::flash_bwd_dq_dk_dv_loop_seqk_parallel_kernel", ATTN},
    {"void pytorch_flash::flash_bwd_dot_do_o_kernel<true, "
     "pytorch_flash::Flash_bwd_kernel_traits<...> >(pytorch_flash::Flash_bwd_params)", ATTN},
    {"_ZN13pytorch_flash16flash_fwd_kernelINS_23Flash_fwd_kernel_traitsILi128ELi128ELi64ELi4EEE"
     "Lb0ELb1EEEvNS_16Flash_fwd_paramsE", ATTN},
    {"void cutlass::device_kernel<flash::enable_sm90_or_later<flash::FlashAttnFwdSm90<"
     "flash::CollectiveMainloopFwdSm90<2, cute::tuple<cute::C<1>, cute::C<1>, cute::C<1> >, "
     "cute::tuple<cute::C<128>, cute::C<176>, cute::C<128> >, 128, cutlass::bfloat16_t, "
     "float, cutlass::arch::Sm90, false", ATTN}, /* CUTLASS wrapper: not a GEMM */
    {"flash::FlashAttnFwdCombine", ATTN},
    {"kernel_cutlass_kernel_flash_attncuteflash_fwd_sm100FlashAttentionForwardSm100_object_at_"
     "_tensor0000o11101213_0", ATTN},
    {"fmha_cutlassF_f16_aligned_64x64_rf_sm80", ATTN},
    {"fmha_cutlassF_f16_aligned_64x128_rf_sm80(PyTorchMemEffAttention::AttentionKernel<"
     "cutlass::half_t, cutlass::arch::Sm80, true, 64, 128, 128, true, true>::Params)", ATTN},
    {"fmha_cutlassB_bf16_aligned_128x128_k128_sm80", ATTN},
    {"fmhaSm100aKernel_QE4m3KvE2m1OE4m3H128PagedKvDenseP16VarSeqQ8Kv128PersistentSwapsAbForGen", ATTN},
    {"cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_7_64x128x128_4x1x1_"
     "kernel0_0", ATTN},
    {"cudnn_generated_fort_native_sdpa_sm80_flash_fprop_wmma_f16_knob_3_64x64x128_4x1x1_"
     "kernel0_0", ATTN},
    {"cudnn_generated_fort_native_sdpa_sm100_flash_fprop_f16", ATTN},
    {"triton_tem_fused_flex_attention_0", ATTN}, /* a template, but not a GEMM */
    {"triton_tem_fused_flex_attention_backward_zeros_1", ATTN},
    {"BatchPrefillWithRaggedKVCacheKernel", ATTN},
    {"void vllm::paged_attention_v2_kernel<__nv_bfloat16, __nv_bfloat16, ...>(...)", ATTN},

    /* ---- GEMM */
    {"sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64_warpgroupsize1x1x1_execute_"
     "segment_k_off_kernel__5x_cublas", GEMM},
    {"sm90_xmma_gemm_e4m3bf16_e4m3f32_f32_tn_n_tilesize64x64x128_warpgroupsize1x1x1_execute_"
     "segment_k_off_kernel__5x_cublas", GEMM},
    {"sm80_xmma_gemm_f32f32_f32f32_f32_nn_n_tilesize64x64x8_stage3_warpsize1x4x1_ffma_aligna4_"
     "alignc4_execute_kernel__5x_cublas", GEMM},
    {"void cutlass::Kernel2<cutlass_80_tensorop_s16816gemm_relu_bf16_64x64_64x4_tn_align8>("
     "cutlass_80_tensorop_s16816gemm_relu_bf16_64x64_64x4_tn_align8::Params)", GEMM},
    {"void cutlass::Kernel2<cutlass_80_simt_sgemm_256x128_8x4_nn_align1>("
     "cutlass_80_simt_sgemm_256x128_8x4_nn_align1::Params)", GEMM},
    {"void cutlass::Kernel2<cutlass_80_wmma_tensorop_bf16_s161616gemm_bf16_16x16_128x2_tn_"
     "align8>(cutlass_80_wmma_tensorop_bf16_s161616gemm_bf16_16x16_128x2_tn_align8::Params)", GEMM},
    {"_ZN7cutlass7Kernel2I58cutlass_80_tensorop_s16816gemm_bf16_128x128_32x3_tn_align8EEvNT_"
     "6ParamsE", GEMM},
    {"ampere_bf16_s16816gemm_bf16_128x128_ldg8_f2f_stages_32x5_tn", GEMM},
    {"volta_gcgemm_32x32_nt", GEMM}, /* complex */
    {"nvjet_tst_128x256_64x4_2x1_v_bz_coopB_TNT", GEMM},
    {"nvjet_tst_64x32_64x16_2x2_2cta_h_bz_splitK_TNT", GEMM},
    {"nvjet_tss_64x8_64x16_2x1_v_bz_splitK_TNT", GEMM},
    {"void splitKreduce_kernel<32, 16, int, float, __nv_bfloat16, float, __nv_bfloat16, true, "
     "false, false>(cublasSplitKParams<float>, float const*, __nv_bfloat16 const*, "
     "__nv_bfloat16*, float const*, float const*, __nv_bfloat16 const*, float const*, "
     "__nv_bfloat16*, void*, long, float*, int*)", GEMM},
    {"void gemv2T_kernel_val<int, int, float, float, float, float, 128, 16, 4, 4, false, "
     "false, cublasGemvParamsEx<...> >(...)", OTHER}, /* GEMM when correlated */
    {"void internal::gemvx::kernel<...>(...)", OTHER},
    {"_Z15axpy_kernel_valIffEv19cublasAxpyParamsValIT_S1_T0_E", OTHER},
    {"void scal_kernel_val<float, float>(cublasScalParamsVal<float, float>)", OTHER},
    {"void cutlass::device_kernel<at::cuda::detail::enable_3x_kernel_for_sm9x<cutlass::gemm::"
     "kernel::GemmUniversal<cutlass::gemm::GroupProblemShape<cute::tuple<int, int, int> >, "
     "...> > >(...)", GEMM}, /* torch._grouped_mm (MoE) */
    {"sm80_xmma_fprop_implicit_gemm_bf16bf16_bf16f32_f32_nhwckrsc_nhwc_tilesize128x128x32_"
     "stage4_warpsize2x2x1_g1_tensor16x8x16_kernel", GEMM}, /* cuDNN convolution */
    {"void deep_gemm::fp8_gemm_kernel<...>(...)", GEMM},
    {"triton_tem_fused_mm_0", GEMM},
    {"triton_tem_fused_addmm_relu_1", GEMM},
    {"matmul_kernel", GEMM}, /* a Triton matmul */

    /* ---- memory-bound and other compute */
    {"void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<float>, "
     "std::array<char*, 1ul> >(int, at::native::FillFunctor<float>, std::array<char*, 1ul>)", OTHER},
    {"_ZN2at6native29vectorized_elementwise_kernelILi4ENS0_11FillFunctorIfEESt5arrayIPcLm1EEEEv"
     "iT0_T1_", OTHER},
    {"void at::native::elementwise_kernel<128, 2, at::native::gpu_kernel_impl_nocast<"
     "at::native::direct_copy_kernel_cuda(at::TensorIteratorBase&)::{lambda()#3}::operator()() "
     "const::{lambda()#12}::operator()() const::{lambda(c10::BFloat16)#1}>(...)", OTHER},
    {"void at::native::(anonymous namespace)::cunn_SoftMaxForward<4, float, float, float, "
     "at::native::(anonymous namespace)::SoftMaxForwardEpilogue>(float*, float const*, int)", OTHER},
    {"void at::native::(anonymous namespace)::vectorized_layer_norm_kernel<c10::BFloat16, "
     "float>(int, float, c10::BFloat16 const*, c10::BFloat16 const*, c10::BFloat16 const*, "
     "float*, float*, c10::BFloat16*)", OTHER},
    {"void at::native::reduce_kernel<128, 4, at::native::ReduceOp<c10::BFloat16, "
     "at::native::func_wrapper_t<c10::BFloat16, at::native::sum_functor<c10::BFloat16, float, "
     "c10::BFloat16>::operator()(at::TensorIterator&)::{lambda(float, float)#1}>, unsigned "
     "int, c10::BFloat16, 4, 4> >(...)", OTHER},
    {"void at::native::(anonymous namespace)::indexSelectSmallIndex<c10::BFloat16, long, "
     "unsigned int, 2, 2, -2>(...)", OTHER},
    {"void at::native::(anonymous namespace)::CatArrayBatchedCopy<...>(...)", OTHER},
    {"void vllm::rms_norm_kernel<c10::BFloat16>(c10::BFloat16*, c10::BFloat16 const*, "
     "c10::BFloat16 const*, float, int, int)", OTHER},
    {"void vllm::reshape_and_cache_flash_kernel<...>(...)", OTHER}, /* no attention */
    {"flashinfer::BatchQKApplyRotary", OTHER},    /* rotary embedding */
    {"void fast_hadamard_transform_kernel<...>(HadamardParamsBase)", OTHER}, /* not "adam" */
    {"void cub::DeviceRadixSortOnesweepKernel<...>(...)", OTHER},
    {"triton_poi_fused_add_mul_0", OTHER},
    {"triton_per_fused__softmax_1", OTHER},
    {"triton_red_fused__to_copy_add_mean_mul_pow_rsqrt_0", OTHER}, /* RMSNorm */
    {"triton_poi_fused__scaled_dot_product_flash_attention_transpose_0", OTHER},
    {"triton_poi_fused_all_gather_into_tensor_0", OTHER}, /* copy-in of a collective */
    {"triton_poi_fused_mm_view_2", OTHER},

    /* ---- optimizer steps: memory-bound too */
    {"void at::native::(anonymous namespace)::multi_tensor_apply_kernel<at::native::(anonymous "
     "namespace)::TensorListMetadata<4>, at::native::(anonymous namespace)::"
     "FusedAdamMathFunctor<float, 4>>(at::native::(anonymous namespace)::TensorListMetadata<4>, "
     "at::native::(anonymous namespace)::FusedAdamMathFunctor<float, 4>)", OTHER},
    {"_ZN2at6native12_GLOBAL__N_125multi_tensor_apply_kernelINS1_18TensorListMetadataILi4EEENS1_"
     "20FusedAdamMathFunctorIfLi4EEEJEEEvT_T0_DpT1_", OTHER},
    {"void at::native::(anonymous namespace)::multi_tensor_apply_kernel<"
     "at::native::FusedOptimizerTensorListMetadata<4>, at::native::(anonymous namespace)::"
     "FusedAdamMathFunctor<float, 4, (at::native::ADAM_MODE)1, false>, ...>(...)", OTHER},
    {"void at::native::(anonymous namespace)::multi_tensor_apply_kernel<at::native::(anonymous "
     "namespace)::TensorListMetadata<2>, at::native::(anonymous namespace)::"
     "BinaryOpScalarFunctor<float, 2, 1, 1>, std::multiplies<float>, double>(...)", OTHER},
    {"void multi_tensor_apply_kernel<TensorListMetadata<4>, AdamFunctor<float, float, float>, "
     "float, float, float, float, int, int, adamMode_t, float>(...)", OTHER}, /* Apex */
    {"triton_for_fused_0", OTHER},
    {"triton_poi_fused__foreach_addcdiv__foreach_addcmul__foreach_mul_0", OTHER},
    {"void kOptimizer32bit2State<...>(...)", OTHER}, /* bitsandbytes */
};

static void test_known_names(void **state) {
  (void)state;
  assert_true(sizeof names / sizeof *names >= 40);
  int wrong = 0;
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    enum activity_category got = kernel_category(names[i].name);
    if (got != names[i].cat) {
      print_error("%s: %s, expected %s\n", names[i].name, activity_category_name[got],
                  activity_category_name[names[i].cat]);
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
}

/* Unknown, empty and missing names are other compute. */
static void test_unknown_names(void **state) {
  (void)state;
  assert_int_equal(kernel_category("my_custom_kernel"), CAT_OTHER);
  assert_int_equal(kernel_category(""), CAT_OTHER);
  assert_int_equal(kernel_category(NULL), CAT_OTHER);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_known_names),
      cmocka_unit_test(test_case_insensitive),
      cmocka_unit_test(test_unknown_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
