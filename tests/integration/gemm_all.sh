# Every wrapped GEMM, called once with known shapes, on the doubles: the report's totals equal
# the exact integers per precision class. Then the same program on the REAL toolkit libraries
# (no GPU): every call fails, and every call is still intercepted (gemm_failed), with 0 FLOPs.
. "$MFU_ROOT/tests/lib.sh"

traced "$BIN/gemm_all" > expected.txt
"$MFU" report traces --json > report.json
# The program's own count, and the same numbers written down (2mnk per real product, 8mnk per
# complex one, m=48 n=40 k=24, batches of 3; see gemm_all.c).
expect_eq "expected calls" "$(grep expected_calls= expected.txt)" "expected_calls=65"
expect_eq "expected bf16" "$(grep expected_flops_bf16= expected.txt)" "expected_flops_bf16=1390592"
for line in $(cat expected.txt); do
  key=${line%%=*} want=${line#*=}
  case $key in
    expected_calls) expect_eq gemm_calls "$(json report.json totals.gemm_calls)" "$want" ;;
    expected_failed) expect_eq gemm_failed "$(json report.json totals.gemm_failed)" "$want" ;;
    expected_flops_*) p=${key#expected_flops_}
      expect_eq "flops $p" "$(json report.json gemm_flops_by_dtype.$p)" "$want" ;;
  esac
done
expect_eq total "$(json report.json totals.gemm_flops)" 25393152
expect_eq ranks "$(json report.json ranks)" 1
expect_eq "cublasGemmGroupedBatchedEx calls" "$(json report.json gemm_by_api.cublasGemmGroupedBatchedEx.calls)" 1
expect_eq "cublasLtMatmul calls" "$(json report.json gemm_by_api.cublasLtMatmul.calls)" 6

# The real cuBLAS without a GPU: calls fail, and are all seen (the toolkit's is CUDA 13's).
[ "${MFU_CUDA_STACK:-13}" = 13 ] || { echo "ok: 65 GEMMs counted exactly on the CUDA 12 doubles"; exit 0; }
rm -rf traces
LIBS=$CUDA_LIB traced "$BIN/gemm_all" > real.txt 2>real.err || true
"$MFU" report traces --json > real.json
expect_eq "real: expected failed" "$(grep expected_failed= real.txt)" "expected_failed=65"
expect_eq "real: gemm_failed" "$(json real.json totals.gemm_failed)" 65
expect_eq "real: gemm_calls" "$(json real.json totals.gemm_calls)" 0
expect_eq "real: gemm_flops" "$(json real.json totals.gemm_flops)" 0
echo "ok: 65 GEMMs counted exactly on the doubles; 65 failed calls intercepted on the real libraries"
