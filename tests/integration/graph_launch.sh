# A step captured into a CUDA graph once and launched N times, then run eagerly once, on the
# doubles (whose runtime models stream capture): the report counts every GEMM and collective
# N + 1 times, exactly as if the step had run eagerly N + 1 times.
. "$MFU_ROOT/tests/lib.sh"

N=7
traced "$BIN/graph_launch" $N > expected.txt
"$MFU" report traces --json > report.json
"$MFU" report traces > report.txt

# One step (see graph_launch.c: M=64 N=48 K=32, batch 4, 1024 fp32 all-reduced):
#   cublasGemmEx bf16              2*64*48*32     =  196608
#   cublasLtMatmul bf16            2*64*48*32     =  196608
#   cublasSgemmStridedBatched fp32 2*64*48*32 * 4 =  786432
#   ncclAllReduce 1024 fp32        1024 * 4 bytes =    4096
# so a step is 3 GEMM calls, 393216 bf16 + 786432 fp32 = 1179648 FLOPs, 1 AllReduce of 4096
# bytes; the run is N + 1 = 8 steps (7 launched, 1 eager).
expect_eq "program: step bf16" "$(grep step_flops_bf16= expected.txt)" "step_flops_bf16=393216"
expect_eq "program: step fp32" "$(grep step_flops_fp32= expected.txt)" "step_flops_fp32=786432"
expect_eq "program: step bytes" "$(grep step_nccl_bytes= expected.txt)" "step_nccl_bytes=4096"
expect_eq "program: total flops" "$(grep expected_gemm_flops= expected.txt)" \
  "expected_gemm_flops=9437184"                                           # 8 * 1179648

expect_eq gemm_calls "$(json report.json totals.gemm_calls)" 24           # 8 * 3
expect_eq gemm_failed "$(json report.json totals.gemm_failed)" 0
expect_eq gemm_flops "$(json report.json totals.gemm_flops)" 9437184      # 8 * 1179648
expect_eq "bf16 flops" "$(json report.json gemm_flops_by_dtype.bf16)" 3145728   # 8 * 393216
expect_eq "fp32 flops" "$(json report.json gemm_flops_by_dtype.fp32)" 6291456   # 8 * 786432
expect_eq "cublasGemmEx flops" "$(json report.json gemm_by_api.cublasGemmEx.flops)" 1572864
expect_eq "cublasLtMatmul calls" "$(json report.json gemm_by_api.cublasLtMatmul.calls)" 8
expect_eq "cublasSgemmStridedBatched flops" \
  "$(json report.json gemm_by_api.cublasSgemmStridedBatched.flops)" 6291456
expect_eq nccl_calls "$(json report.json totals.nccl_calls)" 8
expect_eq nccl_bytes "$(json report.json totals.nccl_bytes)" 32768        # 8 * 4096
expect_eq "AllReduce calls" "$(json report.json nccl_by_op.AllReduce.calls)" 8
# The program's own count agrees.
for key in gemm_calls gemm_flops nccl_calls nccl_bytes; do
  expect_eq "program: $key" "$(grep "expected_$key=" expected.txt)" \
    "expected_$key=$(json report.json totals.$key)"
done

# What the launches ran: 7 of the 8 steps.
expect_eq "graphs.captures" "$(json report.json graphs.captures)" 1
expect_eq "graphs.instantiations" "$(json report.json graphs.instantiations)" 1
expect_eq "graphs.launches" "$(json report.json graphs.launches)" 7
expect_eq "graphs.unknown_launches" "$(json report.json graphs.unknown_launches)" 0
expect_eq "graphs.launched_gemm_calls" "$(json report.json graphs.launched_gemm_calls)" 21
expect_eq "graphs.launched_gemm_flops" "$(json report.json graphs.launched_gemm_flops)" 8257536
expect_eq "graphs.launched_nccl_bytes" "$(json report.json graphs.launched_nccl_bytes)" 28672
expect_eq "graphs.never_launched_captures" "$(json report.json graphs.never_launched_captures)" 0
expect_eq "per rank: launched flops" \
  "$(json report.json per_rank.0.graphs.launched_gemm_flops)" 8257536
grep -q "CUDA graph" <(json report.json warnings) && fail "graph warnings: $(json report.json warnings)"
grep -qx "CUDA graphs: 7 launches of 1 executable ran 21 GEMM calls (0.000 TFLOP) and 7 NCCL calls (0.000 GB) captured in 1 capture" report.txt ||
  fail "no CUDA graphs line in the report: $(cat report.txt)"
echo "ok: a step captured once, launched 7 times and run once eagerly counts 8 times: 9437184 FLOPs"
