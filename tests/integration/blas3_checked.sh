# The other Level-3 routines computed by the doubles, like small GEMMs: blas3_checked.c checks
# every result (rank-k updates, symm/hemm, trmm, trsm and batched trsm, real and complex) and
# only the uplo triangle changing, under the shim, which counts each call by LAPACK Working
# Note 41 (S = 5, K = 3): syrk k·n(n+1) = 90, herk 4·k·n(n+1) = 360, syr2k 2kn² + n = 155,
# her2k 8kn² + 2n = 610, symm 2m²n = 250, hemm 8m²n = 1000, trmm and real trsm m²n = 125,
# complex trsm 4m²n + 2mn = 550, the batched trsm twice 125.
. "$MFU_ROOT/tests/lib.sh"
expect_eq program "$(traced "$BIN/blas3_checked")" "checked=15"
"$MFU" report traces --json > report.json
for want in syrk:2:180 herk:1:360 syrkx:1:90 syr2k:1:155 her2k:1:610 symm:2:500 hemm:1:1000 \
  trmm:1:125 trsm:4:1050; do
  IFS=: read -r routine calls flops <<< "$want"
  expect_eq "$routine calls" "$(json report.json blas3_by_routine.$routine.calls)" "$calls"
  expect_eq "$routine flops" "$(json report.json blas3_by_routine.$routine.flops)" "$flops"
done
expect_eq "blas3 calls" "$(json report.json totals.blas3_calls)" 14
expect_eq "blas3 flops" "$(json report.json totals.blas3_flops)" 4070
expect_eq "gemm flops" "$(json report.json totals.gemm_flops)" 0
echo "ok: 15 results of 14 Level-3 calls checked; 4070 FLOPs counted by routine"
