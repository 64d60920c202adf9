# cuBLASLt's algorithm choices as programs make them (lt_search.c: a timed autotuning over the
# heuristic's algorithms, a custom search over every id with its capabilities, a preset id, an
# FP64-emulated DGEMM): every result checked by the program, and each product counted once,
# exactly as the program says it issued (its autotuning and search runs included).
. "$MFU_ROOT/tests/lib.sh"
traced "$BIN/lt_search" > issued.txt || fail "lt_search failed on the doubles"
# 4 heuristic algorithms x 3 runs, 4 ids x 3 runs, 2 DGEMMs: 26 products of 6x5x4 (240 FLOPs).
expect_eq "what lt_search issued" "$(cat issued.txt)" "issued: gemm_calls=26 gemm_flops=6240 fp64_flops=480"
"$MFU" report traces --json > report.json
expect_eq gemm_calls "$(json report.json totals.gemm_calls)" 26
expect_eq gemm_failed "$(json report.json totals.gemm_failed)" 0
expect_eq gemm_flops "$(json report.json totals.gemm_flops)" 6240
expect_eq fp64 "$(json report.json gemm_flops_by_dtype.fp64)" 480
expect_eq fp32 "$(json report.json gemm_flops_by_dtype.fp32)" 5760
expect_eq "cublasLtMatmul calls" "$(json report.json gemm_by_api.cublasLtMatmul.calls)" 26
echo "ok: $(cat issued.txt), counted exactly"
