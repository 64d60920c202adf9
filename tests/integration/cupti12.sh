# A CUDA 12 program's CUPTI: when the runtime says 12.x (the cudart double told to say 12.4),
# the shim loads libcupti.so.12 (the CUPTI double built as CUPTI 12.4, which hands out
# CUpti_ActivityKernel9 and CUpti_ActivityMemcpy5 records) before any libcupti.so.13 (this
# machine's toolkit may have a real one on the loader's path), reads its records, and the same
# planted workload gives the same GPU timeline and efficiency factors as the CUPTI 13 double.
. "$MFU_ROOT/tests/lib.sh"
example=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
# Beside the CUDA 13 doubles in a folder of its own; in a CUDA 12 stack, among its doubles.
cupti12=$(dirname "$DOUBLES")/test-doubles-cupti12/libcupti.so.12
[ "${MFU_CUDA_STACK:-13}" = 12 ] && cupti12=$DOUBLES/libcupti.so.12
[ -f "$cupti12" ] || { echo "the CUPTI 12 double $cupti12 is not built (make all)"; exit 77; }
# The doubles with CUPTI 12 in place of CUPTI 13.
mkdir stack12
for lib in "$DOUBLES"/lib*.so*; do
  case $lib in *.map|*.d|*/libcupti.so.1[23]) ;; *) ln -s "$lib" stack12/ ;; esac
done
ln -s "$cupti12" stack12/

model=(--layers 2 --hidden 1024 --heads 8 --ffn 2816 --vocab 32000 --batch 2 --seq 512)
planted=(--steps 5 --sync --memory-bound-us 200 --allreduce-mb 16 --comm-stream same)
for stack in 13 12; do
  libs=$DOUBLES version=13000
  [ $stack = 12 ] && libs=$PWD/stack12 version=12040
  MFU_DOUBLE_CUDART_VERSION=$version LIBS=$libs MFU_TRACE_DIR=$PWD/traces$stack traced "$example" "${model[@]}" "${planted[@]}" > planted$stack.txt
  "$MFU" report traces$stack "${model[@]}" --attention full --peak-tflops 100 --json > report$stack.json
  expect_eq "CUPTI $stack: timeline" "$(json report$stack.json per_rank.0.gpu_timeline)" active
done
python3 - <<'PY' || fail "the CUPTI 12 timeline differs from the CUPTI 13 one"
import json
a, b = (json.load(open(f"report{v}.json")) for v in (13, 12))
bad = []
for k in ("coverage", "kernel", "memory", "communication"):  # GPU times only: deterministic
    x, y = a["efficiency"][k], b["efficiency"][k]
    print(f"{k:14s} CUPTI 13 {x:.9f}  CUPTI 12 {y:.9f}")
    if x is None or y is None or abs(x - y) > 1e-9 * abs(x): bad.append(k)
for v in (a, b):  # the host's own gaps are in parallelism: present, not compared
    if v["efficiency"]["parallelism"] is None: bad.append("parallelism")
def kernels(r): return sorted((k["name"], k["count"], round(k["gpu_time_s"], 12)) for k in r["kernels"])
if kernels(a) != kernels(b): bad.append("kernels")
if a["steps"]["count"] != b["steps"]["count"]: bad.append("steps")
if a["totals"] != b["totals"]: bad.append("totals")
if bad: raise SystemExit("differ: " + ", ".join(bad))
PY
# A CUPTI whose records the shim does not know (CUDA 11.8's, API version 18; a future 14.0) is
# refused, said once, and the run goes on timed on the host.
for v in 18 140000; do
  rm -rf traces
  MFU_DOUBLE_CUPTI_VERSION=$v traced "$example" "${model[@]}" --steps 3 > /dev/null 2> err.txt
  expect_eq "version $v: stderr" "$(grep -c '^mfushim: no GPU timeline (CUPTI API version '"$v"' is not supported' err.txt)" 1
  "$MFU" report traces --json > v$v.json
  expect_eq "version $v: timeline" "$(json v$v.json per_rank.0.gpu_timeline)" \
    "unsupported (a CUPTI older than CUDA 12.0, or newer than 13.x)"
  expect_eq "version $v: GEMMs still counted" "$(json v$v.json totals.gemm_flops)" $(($(json report13.json totals.gemm_flops) * 3 / 5))
done
echo "ok: a CUDA 12.4 runtime gets the CUPTI 12 double; coverage, kernel, memory and communication factors, kernels and counts equal to CUPTI 13's"
