#!/usr/bin/env bash
# A Python program under the shim, end to end: its GEMMs go through a C extension (ctypes,
# which releases the GIL, calls the preloaded shim's cublasSgemm_v2 in front of the cuBLAS
# double); mfu report counts them exactly and names their call site by its Python functions,
# files and lines, innermost first, as --by-callsite prints it too.
source "$MFU_ROOT/tests/lib.sh"
minor=$(python3 -c 'import sys; print(sys.version_info[1] if sys.version_info[0] == 3 else 0)')
[ "$minor" -ge 10 ] && [ "$minor" -le 13 ] ||
  { echo "python3 is $(python3 -V 2>&1), its frames are not read: needs CPython 3.10 to 3.13"; exit 77; }
cat > model.py <<'PY'
import ctypes, os
cublas = ctypes.CDLL("libcublas.so." + os.environ.get("MFU_CUDA_STACK", "13")) # as torch loads it
blas = ctypes.CDLL(None)                 # the process's symbols: the preloaded shim's first
handle = ctypes.c_void_p()
assert cublas.cublasCreate_v2(ctypes.byref(handle)) == 0
buf = (ctypes.c_float * 64)()
def attention(calls):
    for _ in range(calls):
        assert blas.cublasSgemm_v2(handle, 0, 0, 2, 3, 4, buf, buf, 2, buf, 4, buf, buf, 2) == 0
class Model:
    def forward(self):
        attention(3)
Model().forward()
PY
traced python3 model.py >run.txt 2>&1 || { cat run.txt; fail "the program failed under the shim"; }
"$MFU" report traces --json >report.json || fail "mfu report --json failed"
expect_eq "GEMMs" "$(json report.json totals.gemm_calls)" 3
expect_eq "FLOPs" "$(json report.json totals.gemm_flops)" 144 # 3 x 2*2*3*4
expect_eq "python" "$(json report.json stacks.python)" READ
expect_eq "calls at the site" "$(json report.json callsites.0.calls)" 3
method=Model.forward
[ "$minor" -ge 11 ] || method=forward # 3.10 has no qualified names
frame() { echo "$(json report.json callsites.0.python.$1.function) $(basename "$(json report.json callsites.0.python.$1.file)"):$(json report.json callsites.0.python.$1.line)"; }
expect_eq "innermost Python frame" "$(frame 0)" "attention model.py:9"
expect_eq "its caller" "$(frame 1)" "$method model.py:12"
expect_eq "the module" "$(frame 2)" "<module> model.py:13"
expect 0 '^    1 .* 3 .* attention \(model\.py:9\)' "$MFU" report traces --by-callsite
echo "ok: 3 GEMMs at attention (model.py:9) < $method (model.py:12) < <module>"
