/* Unit tests of analyzer/steps/phases: the names PyTorch's frames really have (as its stack
 * traces print them), which phase each says, and which evidence wins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "steps/phases.h"

#define B PHASE_BACKWARD
#define F PHASE_FORWARD
#define O PHASE_OPTIMIZER
#define X PHASE_OTHER

static void names_say_phases(void **state) {
  (void)state;
  static const struct {
    const char *name;
    enum phase phase;
  } cases[] = {
      {"torch::autograd::generated::MmBackward0::apply(std::vector<at::Tensor, "
       "std::allocator<at::Tensor> >&&)", B},
      {"torch::autograd::Engine::evaluate_function(std::shared_ptr<torch::autograd::GraphTask>&, "
       "torch::autograd::Node*, torch::autograd::InputBuffer&, "
       "std::shared_ptr<torch::autograd::ReadyQueue> const&)", B},
      {"torch::autograd::Engine::thread_main(std::shared_ptr<torch::autograd::GraphTask> const&)", B},
      {"flash_bwd_dq_dk_dv_loop_kernel", B},
      {"Tensor.backward", B},
      /* forward ops also run through autograd's VariableType: not the engine */
      {"torch::autograd::VariableType::(anonymous namespace)::mm(c10::DispatchKeySet, at::Tensor "
       "const&, at::Tensor const&)", X},
      {"at::native::structured_mm_out_cuda::impl(at::Tensor const&, at::Tensor const&, at::Tensor const&)", X},
      {"at::cuda::blas::gemm<float>(char, char, long, long, long, at::OpMathType<float>::type, "
       "float const*, long, float const*, long, at::OpMathType<float>::type, float*, long)", X},
      /* template arguments and parameters do not count */
      {"c10::impl::wrap_kernel_functor_unboxed_<c10::impl::detail::WrapFunctionIntoFunctor_<"
       "c10::CompileTimeFunctionPointer<at::Tensor (at::Tensor const&), &torch::autograd::"
       "generated::MmBackward0::apply>>>::call(c10::OperatorKernel*, at::Tensor const&)", X},
      {"std::_Function_handler<void (), torch::autograd::Engine::start_device_threads()::"
       "{lambda()#1}>::_M_invoke(std::_Any_data const&)", X},
      {"at::native::_fused_adamw_kernel_cuda_(c10::ArrayRef<at::Tensor>, c10::ArrayRef<at::Tensor>)", O},
      {"/usr/lib/python3/dist-packages/torch/optim/adamw.py", O},
      {"SGD.step", O},
      {"Linear.forward", F},
      {"torch::nn::LinearImpl::forward(at::Tensor const&)", F},
      {"Module._call_impl", X},
      {"/home/me/model.py", X},
      {"", X},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    if (phase_of_name(cases[i].name) != cases[i].phase)
      fail_msg("%s: %s, expected %s", cases[i].name,
               phase_name(phase_of_name(cases[i].name)),
               phase_name(cases[i].phase));
  assert_int_equal(phase_of_name(NULL), X);
}

static void evidence_in_order(void **state) {
  (void)state;
  const char *forward_native[] = {"cublasSgemm_v2", NULL, "torch::nn::LinearImpl::forward(at::Tensor const&)"};
  const char *engine[] = {"at::cuda::blas::gemm<float>(char)", "torch::autograd::Engine::thread_main()"};
  const char *funcs[] = {"zeropower_via_newtonschulz5", "Muon.step", "_use_grad",
                         "Trainer.forward"};
  const char *files[] = {"/home/me/muon.py", "/home/me/muon.py",
                         "/usr/lib/python3/dist-packages/torch/optim/optimizer.py", "/home/me/train.py"};
  const char *why;
  /* the thread first */
  struct phase_site v = {.thread = "pt_autograd_3", .native = forward_native, .nnative = 3};
  assert_int_equal(phase_of_site(&v, &why), B);
  assert_string_equal(why, "pt_autograd_3");
  /* then native frames, innermost first, unknown ones skipped */
  v.thread = "python";
  assert_int_equal(phase_of_site(&v, &why), F);
  assert_string_equal(why, forward_native[2]);
  v = (struct phase_site){.thread = "python", .native = engine, .nnative = 2};
  assert_int_equal(phase_of_site(&v, &why), B);
  /* then Python frames, innermost first, function before file */
  v = (struct phase_site){.thread = "python", .native = forward_native, .nnative = 1,
                             .py_func = funcs, .py_file = files, .npy = 4};
  assert_int_equal(phase_of_site(&v, &why), O);
  assert_string_equal(why, files[2]); /* its function says nothing, its file does */
  v.npy = 2;
  assert_int_equal(phase_of_site(&v, &why), X);
  assert_null(why);
  v.thread = NULL;
  assert_int_equal(phase_of_site(&v, NULL), X);
}

static void ranges_hold_their_threads_calls(void **state) {
  (void)state;
  const struct phase_range r[] = {
      {.thread = 0, .start_ns = 100, .end_ns = 1000, .name = "train_step"}, /* says nothing */
      {.thread = 7, .start_ns = 100, .end_ns = 400, .name = "forward"},
      {.thread = 7, .start_ns = 150, .end_ns = 200, .name = "aten::mm"},
      {.thread = 9, .start_ns = 420, .end_ns = 800, .name = "MmBackward0, seq = 12"},
      {.thread = 0, .start_ns = 850, .end_ns = 950, .name = "optimizer"},
      {.thread = 7, .start_ns = 880, .end_ns = 900, .name = "Forward of something"},
  };
  struct phase_ranges pr;
  phase_ranges_build(&pr, r, sizeof r / sizeof *r);
  assert_int_equal(pr.n, 4);
  const char *name;
  assert_int_equal(phase_ranges_at(&pr, 7, 160, &name), F); /* aten::mm says nothing: forward holds it */
  assert_string_equal(name, "forward");
  assert_int_equal(phase_ranges_at(&pr, 9, 160, &name), X); /* another thread's range */
  assert_null(name);
  assert_int_equal(phase_ranges_at(&pr, 9, 500, NULL), B);
  assert_int_equal(phase_ranges_at(&pr, 7, 500, NULL), X);
  assert_int_equal(phase_ranges_at(&pr, 9, 800, NULL), X); /* ends are exclusive */
  assert_int_equal(phase_ranges_at(&pr, 3, 860, NULL), O); /* start/end ranges hold every thread */
  assert_int_equal(phase_ranges_at(&pr, 7, 890, &name), F); /* the innermost wins */
  assert_string_equal(name, "Forward of something");
  assert_int_equal(phase_ranges_at(&pr, 7, 50, NULL), X);
  phase_ranges_free(&pr);
  phase_ranges_build(&pr, NULL, 0);
  assert_int_equal(phase_ranges_at(&pr, 7, 50, NULL), X);
  phase_ranges_free(&pr);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(names_say_phases),
      cmocka_unit_test(evidence_in_order),
      cmocka_unit_test(ranges_hold_their_threads_calls),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
