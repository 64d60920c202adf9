# syrk, herk and trsm are counted exactly, by routine, in their own class: never in the GEMM
# counts. The numbers are LAPACK Working Note 41's, written out in blas3.c beside each call.
# Then on the REAL cuBLAS without a GPU: every call fails, is still seen, and counts nothing.
. "$MFU_ROOT/tests/lib.sh"

expect_eq program "$(traced "$BIN/blas3")" "calls=8 succeeded=8"
"$MFU" report traces --json > report.json
expect_eq "syrk calls" "$(json report.json blas3_by_routine.syrk.calls)" 2
expect_eq "syrk flops" "$(json report.json blas3_by_routine.syrk.flops)" 266240
expect_eq "herk flops" "$(json report.json blas3_by_routine.herk.flops)" 8704
expect_eq "trsm calls" "$(json report.json blas3_by_routine.trsm.calls)" 4
expect_eq "trsm flops" "$(json report.json blas3_by_routine.trsm.flops)" 209152
expect_eq "symm calls" "$(json report.json blas3_by_routine.symm.calls)" 0
expect_eq "blas3 calls" "$(json report.json totals.blas3_calls)" 7
expect_eq "blas3 flops" "$(json report.json totals.blas3_flops)" 484096
expect_eq "gemm calls" "$(json report.json totals.gemm_calls)" 1
expect_eq "gemm flops" "$(json report.json totals.gemm_flops)" 65536
expect_eq "fp64 gemm flops" "$(json report.json gemm_flops_by_dtype.fp64)" 65536
"$MFU" report traces > report.txt
grep -qE '^  BLAS-3    7 calls \(0 failed\), 0\.000 TFLOP: syrk 2, herk 1, trsm 4 \(not GEMMs: in no MFU or HFU\)$' report.txt ||
  { cat report.txt; fail "no BLAS-3 line in the report"; }

# --csv and --full have them by routine, in a table of their own.
"$MFU" report traces --csv > report.csv
expect_eq "csv blas3_by_routine" "$(sed -n '/^# blas3_by_routine$/,/^$/p' report.csv | tr '\n' ' ')" \
  "# blas3_by_routine routine,calls,failed,flops,tflop syrk,2,0,266240,2.6624e-07 herk,1,0,8704,8.704e-09 trsm,4,0,209152,2.09152e-07  "
"$MFU" report traces --full > full.txt
grep -qE '^  trsm +4 +0 +209152 +0\.000$' full.txt || { cat full.txt; fail "no BLAS-3 table in --full"; }

# The timeline has each of them, with its routine, shape and FLOPs, apart from the GEMM.
expect 0 'wrote [0-9]+ slices of 1 rank to timeline.json' "$MFU" export traces -o timeline.json
python3 - <<'PY' || fail "the timeline's BLAS-3 calls differ from the counts"
import json
ev = json.load(open("timeline.json"))["traceEvents"]
blas3 = [e["args"] for e in ev if e.get("cat") == "blas3"]
got = sorted((a["routine"], a["flops"]) for a in blas3)
want = sorted([("syrk", 133120), ("syrk", 133120), ("herk", 8704), ("trsm", 131072),
               ("trsm", 65536), ("trsm", 8448), ("trsm", 4096)])
assert got == want, got
first = next(a for a in blas3 if a["routine"] == "syrk")
shape = {k: first[k] for k in ("m", "n", "k", "batch", "trans", "precision", "status")}
assert shape == {"m": 64, "n": 64, "k": 32, "batch": 1, "trans": "N", "precision": "fp64",
                 "status": 0}, first
gemm = [e["args"]["flops"] for e in ev if e.get("cat") == "gemm" and e["ph"] == "X" and "routine" not in e["args"]
        and "flops" in e["args"] and e["tid"] < 1 << 30]
assert gemm == [65536], gemm
PY

[ "${MFU_CUDA_STACK:-13}" = 13 ] || { echo "ok: on the CUDA 12 doubles (the real libraries are CUDA 13's)"; exit 0; }
rm -rf traces
expect_eq "real program" "$(LIBS=$CUDA_LIB traced "$BIN/blas3" 2>/dev/null)" "calls=8 succeeded=0"
"$MFU" report traces --json > real.json
expect_eq "real: blas3 failed" "$(json real.json totals.blas3_failed)" 7
expect_eq "real: blas3 calls" "$(json real.json totals.blas3_calls)" 0
expect_eq "real: blas3 flops" "$(json real.json totals.blas3_flops)" 0
expect_eq "real: trsm failed" "$(json real.json blas3_by_routine.trsm.failed)" 4
"$MFU" report traces --csv > real.csv
grep -qx 'trsm,0,4,0,0' real.csv || { cat real.csv; fail "real: no failed trsm row in --csv"; }
echo "ok: 7 BLAS-3 calls, 484096 FLOPs by routine (the timeline and --csv too), apart from 1 GEMM of 65536; 7 failed calls on the real cuBLAS"
