#!/usr/bin/env bash
# device-check.sh — proves mfushim on a real NVIDIA GPU: builds everything there,
# measures the GPU, runs the example workload and a PyTorch Llama training loop
# (scripts/train_llama.py) with and without the shim, checks what the traces hold (size, phases,
# call sites, Perfetto export), and prints one PASS/FAIL/SKIP row per check with its numbers. ≤ 8 minutes on one H200: every check has its own time limit, cut to
# what is left of the budget, and a failed check never stops the others.
#
#   bash scripts/device-check.sh            on the device machine, from the repository root
#   bash scripts/device-check.sh --doubles  without a GPU: the calibration and example rows run
#                                           on the test doubles (a dry run of the script itself)
#   bash scripts/device-check.sh --bundle   HERE, before a device run: puts what the device may
#                                           lack into build/device-deps, to be carried
#
# From a session with the device tool, prepare here, then run there (one call):
#
#   bash scripts/device-check.sh --bundle
#   run(command="bash scripts/device-check.sh", carry=["build/device-deps"], timeout_s=600)
#
# build/device-deps holds jansson's headers and static library (the device has no network and
# may lack libjansson-dev, which `mfu` needs), nccl.h (in case its toolkit lacks it), and a
# prebuilt mfu (jansson, zstd and zlib linked in), libmfushim.so and transformer_step, used
# only if the build fails there. The script always builds from source on the device first.
#
# Output: the table at the end. With $OUT set (the device tool sets it; at most 8 files come
# back): $OUT/device-check.log (all that was printed), $OUT/results.json (the rows),
# $OUT/logs.tar.gz (each check's log and report) and up to 5 $OUT/traces/*.mfutrace, small real
# traces to commit to examples/traces/ (see its README.md). Everything else stays in
# build/device-check/.
#
# Exit status: 0 when no row FAILs (SKIP rows, e.g. every GPU row on a machine without a GPU,
# do not fail it), 1 when some row FAILs, 2 for bad usage.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
W=$ROOT/build/device-check           # scratch: logs, traces, reports
DEPS=$ROOT/build/device-deps         # carried from the development machine (--bundle)
BUDGET=${DEVICE_CHECK_BUDGET_S:-450} # seconds: the table must be out well inside 8 minutes
PY=${PYTHON:-python3}
MFU=$ROOT/build/mfu
SHIM=$ROOT/build/libmfushim.so
EXAMPLE=$ROOT/build/examples/transformer_step
MODE=${1:-device}
case $MODE in
  device | --doubles | --bundle) ;;
  *) echo "usage: bash scripts/device-check.sh [--doubles | --bundle]" >&2; exit 2 ;;
esac

# ---- helpers ---------------------------------------------------------------------------------

ROWS=() # "check|status|numbers"
row() { # CHECK STATUS NUMBERS
  ROWS+=("$1|$2|$3")
  printf '%-4s  %-20s %s\n' "$2" "$1" "$3"
}

# limit SECONDS: a check's own time limit, cut to what is left of the budget.
limit() {
  local left=$((BUDGET - SECONDS))
  [ "$left" -lt "$1" ] && echo $((left > 5 ? left : 5)) || echo "$1"
}
# have_time NEED CHECK: true when NEED seconds are left; else CHECK gets a SKIP row.
have_time() {
  [ $((BUDGET - SECONDS)) -ge "$1" ] && return 0
  row "$2" SKIP "time budget: ${SECONDS} s of ${BUDGET} s used"
  return 1
}

# jget FILE PATH: the value at PATH (keys separated by dots) of the JSON in FILE; "" if none.
jget() {
  python3 - "$1" "$2" 2>/dev/null <<'PY'
import json, sys
try:
    v = json.load(open(sys.argv[1]))
    for key in sys.argv[2].split("."):
        v = v[int(key)] if isinstance(v, list) else v[key]
except Exception:
    v = None
print("" if v is None else json.dumps(v) if isinstance(v, (dict, list, bool)) else v)
PY
}

# val NAME KEY: the value of the last KEY=value line that run NAME printed.
val() { sed -n "s/^$2=//p" "$W/$1.log" 2>/dev/null | tail -n 1; }
is_int() { [[ $1 =~ ^[0-9]+$ ]]; }
# pct A B: 100·(A−B)/B, signed, 3 decimals.
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.3f", (b == 0 ? 0 : 100 * (a - b) / b) }'; }
# within A B PERCENT: |A−B| ≤ PERCENT% of |B|.
within() {
  awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; if (b < 0) b = -b; exit !(b > 0 && 100 * d <= p * b) }'
}

# The folders of the CUDA libraries that PyTorch's wheels bring (nvidia/*), for headers and
# libraries that the toolkit in /usr/local/cuda may lack there.
PYCUDA=()
while IFS= read -r d; do [ -d "$d" ] && PYCUDA+=("$d"); done < <("$PY" -c 'import nvidia; print("\n".join(nvidia.__path__))' 2>/dev/null)
find_in_wheels() { [ ${#PYCUDA[@]} -gt 0 ] && find "${PYCUDA[@]}" "$@" 2>/dev/null | head -n 1; }

# ---- --bundle: on the development machine ----------------------------------------------------

bundle() {
  set -e
  local cuda=${CUDA_HOME:-/usr/local/cuda}
  local static=("-Wl,-Bstatic" -ljansson -lzstd -lz "-Wl,-Bdynamic" -lm)
  make -j"$(nproc)" all build/examples/transformer_step
  rm -rf "$DEPS"
  mkdir -p "$DEPS/jansson/include" "$DEPS/jansson/lib" "$DEPS/nccl/include" "$DEPS/prebuilt"
  cp /usr/include/jansson.h /usr/include/jansson_config.h "$DEPS/jansson/include/"
  cp "$(gcc -print-file-name=libjansson.a)" "$DEPS/jansson/lib/" # static: nothing to install
  cp "$cuda/include/nccl.h" "$DEPS/nccl/include/"
  cc -o "$DEPS/prebuilt/mfu" build/analyzer/cli/main.o build/libmfu_analyzer.a "${static[@]}" -lpthread -ldl
  cp build/libmfushim.so build/examples/transformer_step "$DEPS/prebuilt/"
  du -sh "$DEPS"
  echo "now: run(command=\"bash scripts/device-check.sh\", carry=[\"build/device-deps\"], timeout_s=600)"
}
if [ "$MODE" = --bundle ]; then bundle; exit; fi

# ---- build -----------------------------------------------------------------------------------

EXAMPLE_LIBS=${LD_LIBRARY_PATH:-} # where the example and mfu calibrate find CUDA

# Builds what the checks need, adding include and library paths for what the device lacks
# (from PyTorch's CUDA wheels or build/device-deps) to make's CFLAGS and LDFLAGS.
build() {
  local cuda=${CUDA_HOME:-/usr/local/cuda} cflags=() ldflags=() missing=() h f lib
  for h in cuda_runtime_api.h cublas_api.h cublasLt.h nccl.h; do
    [ -f "$cuda/include/$h" ] && continue
    f=$(find_in_wheels -path '*include*' -name "$h")
    [ -z "$f" ] && [ -f "$DEPS/nccl/include/$h" ] && f=$DEPS/nccl/include/$h
    if [ -n "$f" ]; then cflags+=("-I$(dirname "$f")"); else missing+=("$h"); fi
  done
  # -lcublas etc. need the unversioned names; PyTorch's wheels have only the sonames.
  for lib in cublas cublasLt cudart; do
    [ -e "$cuda/lib64/lib$lib.so" ] && continue
    f=$(find_in_wheels -name "lib$lib.so.1[23]")
    [ -z "$f" ] && { missing+=("lib$lib.so"); continue; }
    mkdir -p "$W/cuda-lib" && ln -sf "$f" "$W/cuda-lib/lib$lib.so"
    ldflags+=("-L$W/cuda-lib")
    EXAMPLE_LIBS=$(dirname "$f")${EXAMPLE_LIBS:+:$EXAMPLE_LIBS}
  done
  EXAMPLE_LIBS=${EXAMPLE_LIBS:+$EXAMPLE_LIBS:}$cuda/lib64
  if [ ! -f /usr/include/jansson.h ]; then
    if [ -f "$DEPS/jansson/include/jansson.h" ]; then
      echo "note: the device lacks libjansson-dev: using the carried build/device-deps/jansson"
      cflags+=("-I$DEPS/jansson/include") && ldflags+=("-L$DEPS/jansson/lib")
    else
      echo "note: the device lacks libjansson-dev (jansson.h), which mfu needs, and none was carried:"
      echo "note: run 'bash scripts/device-check.sh --bundle' here first and carry build/device-deps"
      missing+=(jansson.h)
    fi
  fi
  # cmocka is for the unit tests, not built here; and offline, install-deps.sh would only fail
  # in apt-get: the dependencies are checked above instead.
  if [ ! -f /usr/include/jansson.h ] || [ ! -f /usr/include/cmocka.h ]; then
    mkdir -p build && touch build/.deps-ok
  fi
  echo "note: $("$cuda/bin/nvcc" --version 2>/dev/null | tail -n 1 || echo "no nvcc in $cuda/bin")"
  echo "note: CUDA_HOME=$cuda${cflags[*]:+ CFLAGS=${cflags[*]}}${ldflags[*]:+ LDFLAGS=${ldflags[*]}}${missing[*]:+ missing: ${missing[*]}}"
  CFLAGS="${cflags[*]}" LDFLAGS="${ldflags[*]}" timeout -k 10 "$(limit 240)" \
    make -j"$(nproc)" CUDA_HOME="$cuda" all build/examples/transformer_step
}

check_build() {
  local t0=$SECONDS error
  if build >"$W/build.log" 2>&1; then
    row build PASS "make all + example in $((SECONDS - t0)) s"
  else
    error=$(grep -m1 -E 'lacks|error:|missing|\*\*\*' "$W/build.log" | cut -c1-110)
    if [ -x "$DEPS/prebuilt/mfu" ]; then # in place: build/ is left as make left it
      row build FAIL "make failed ($error); the checks use the carried prebuilt build"
      MFU=$DEPS/prebuilt/mfu SHIM=$DEPS/prebuilt/libmfushim.so EXAMPLE=$DEPS/prebuilt/transformer_step
    else
      row build FAIL "make failed: $error"
    fi
  fi
  sed -n 's/^note: /      /p' "$W/build.log"

  # The shim must load on a machine with nothing but glibc.
  local needed others
  needed=$(readelf -d "$SHIM" 2>/dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
  others=$(tr ' ' '\n' <<<"$needed" | grep -vE '^(libc\.so\.6|libdl\.so\.2|libpthread\.so\.0|libm\.so\.6|librt\.so\.1|ld-linux-x86-64\.so\.2|)$' | tr '\n' ' ')
  if [ -z "$needed" ]; then row "shim DT_NEEDED" FAIL "no NEEDED entries read from $SHIM (missing, or no readelf)"
  elif [ -z "$others" ]; then row "shim DT_NEEDED" PASS "glibc only: $needed"
  else row "shim DT_NEEDED" FAIL "beyond glibc: $others"; fi
}

# ---- the GPU and its peaks -------------------------------------------------------------------

check_gpu() {
  if [ -z "$GPU_NAME" ]; then
    row gpu SKIP "no device (nvidia-smi finds no GPU)"
  elif "$MFU" hw "$GPU_NAME" --json >"$W/hw.json" 2>"$W/hw.log"; then
    row gpu PASS "'$GPU_NAME' -> $(jget "$W/hw.json" id): datasheet bf16 $(jget "$W/hw.json" peak_tflops.bf16), fp16 $(jget "$W/hw.json" peak_tflops.fp16), tf32 $(jget "$W/hw.json" peak_tflops.tf32), fp8 $(jget "$W/hw.json" peak_tflops.fp8) TFLOP/s"
  else
    row gpu FAIL "'$GPU_NAME': $(head -c 150 "$W/hw.log")"
  fi
}

# Achievable GEMM TFLOP/s per precision from `mfu calibrate`.
check_calibrate() {
  if [ -z "$GPU_NAME" ] && [ "$MODE" != --doubles ]; then row calibrate SKIP "no device"; return; fi
  have_time 60 calibrate || return
  local size=8192 counts=() rc summary
  # The doubles compute GEMMs up to 512^3 on the CPU (about a second each at 512 on a loaded
  # VM): a small size and few GEMMs keep the row to seconds.
  [ "$MODE" = --doubles ] && size=256 counts=(--warmup 1 --iters 2)
  LD_LIBRARY_PATH=$EXAMPLE_LIBS timeout -k 5 "$(limit 120)" "$MFU" calibrate --size $size "${counts[@]}" --json \
    >"$W/calibrate.json" 2>"$W/calibrate.log"
  rc=$?
  summary=$(python3 - "$W/calibrate.json" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(0)
parts, too_fast = [], False
for p, r in d["results"].items():
    if r["status"] == "untimed" and d["test_double"]:  # the doubles run GEMMs, time none
        parts.append(f"{p} ran")
        continue
    if r["status"] != "ok":
        parts.append(f"{p} {r['status']}")
        continue
    frac = r["fraction_of_datasheet"]
    parts.append(f"{p} {r['tflops']:.1f}" + (f" ({100 * frac:.0f}%)" if frac else ""))
    too_fast |= bool(frac and frac > 1.05)  # above the datasheet: the timing is wrong
note = " [test double: untimed]" if d["test_double"] else ""
print(("BAD " if too_fast else "OK ") + ", ".join(parts) + f" at {d['size']}^3 (TFLOP/s){note}")
PY
)
  if [ $rc -eq 0 ] && [[ $summary == OK* ]]; then row calibrate PASS "${summary#OK }"
  else row calibrate FAIL "exit $rc: ${summary#* } $(tail -n 1 "$W/calibrate.log" | cut -c1-150)"; fi
}

# ---- the example workload under the shim ------------------------------------------------------

check_example() { # ROW NAME OPTIONS...
  local check=$1 name=$2 issued counted rate rc
  shift 2
  if [ -z "$GPU_NAME" ] && [ "$MODE" != --doubles ]; then row "$check" SKIP "no device"; return; fi
  have_time 30 "$check" || return
  LD_LIBRARY_PATH=$EXAMPLE_LIBS timeout -k 5 "$(limit 90)" "$MFU" run --trace-dir "$W/$name.traces" -- \
    "$EXAMPLE" --layers 4 --hidden 2048 --heads 16 --kv-heads 4 --ffn 5632 --vocab 32000 \
    --batch 4 --seq 1024 --steps 5 "$@" >"$W/$name.log" 2>&1
  rc=$?
  "$MFU" report "$W/$name.traces" --json >"$W/$name.json" 2>>"$W/$name.log"
  issued=$(val "$name" issued_gemm_flops)
  counted=$(jget "$W/$name.json" totals.gemm_flops)
  rate=$(sed -n 's/^ *steps 2-[0-9]*: //p' "$W/$name.log")
  if [ $rc -eq 0 ] && is_int "$issued" && [ "$issued" = "$counted" ]; then
    row "$check" PASS "counted = issued = $counted FLOPs${rate:+; $rate}"
  else
    row "$check" FAIL "exit $rc, issued ${issued:-?}, counted ${counted:-?} FLOPs"
  fi
}

# ---- PyTorch: scripts/train_llama.py ---------------------------------------------------------

LLAMA=(--layers 16 --hidden 2048 --heads 32 --kv-heads 8 --ffn 8192 --vocab 32000 --batch 8 --seq 2048)

# run_llama NAME shim|plain SECONDS ARGS...: runs the training script, its output in
# $W/NAME.log; with the shim preloaded, its traces go to $W/NAME.traces and their
# `mfu report --json` to $W/NAME.json.
run_llama() {
  local name=$1 mode=$2 seconds=$3 preload=() rc
  shift 3
  [ "$mode" = shim ] && preload=(LD_PRELOAD="$SHIM" MFU_TRACE_DIR="$W/$name.traces")
  echo "      [${SECONDS} s] $name: train_llama.py $* (${mode})"
  echo "\$ ${preload[*]} $PY scripts/train_llama.py $*" >"$W/$name.log"
  env PYTHONUNBUFFERED=1 "${preload[@]}" timeout -k 10 "$(limit "$seconds")" \
    "$PY" scripts/train_llama.py --mfu "$MFU" "$@" >>"$W/$name.log" 2>&1
  rc=$?
  echo "exit status $rc" >>"$W/$name.log"
  [ "$mode" = shim ] && "$MFU" report "$W/$name.traces" --json >"$W/$name.json" 2>>"$W/$name.log"
  return $rc
}

# per_step NAME: the GEMM FLOPs the shim counted in run NAME per training step. Every step of
# a run issues the same GEMMs, so the total divides exactly; if not, "~" and the quotient.
per_step() {
  local total steps
  total=$(jget "$W/$1.json" totals.gemm_flops)
  steps=$(val "$1" steps_run)
  is_int "$total" && is_int "$steps" && [ "$steps" -gt 0 ] || return 0
  if [ $((total % steps)) -eq 0 ]; then echo $((total / steps))
  else awk -v t="$total" -v s="$steps" 'BEGIN { printf "~%.1f", t / s }'; fi
}
# why_failed NAME: the exit status and first error line of run NAME.
why_failed() {
  echo "$(grep -m1 '^exit status' "$W/$1.log" 2>/dev/null): $(grep -m1 -E 'Error|error' "$W/$1.log" 2>/dev/null | cut -c1-120)"
}

# report_mfu NAME MODEL_OPTIONS...: the MFU `mfu report` computes for run NAME (with the model
# options of `mfu predict`, per rank), or "" when it cannot (no steps found: the reason is in
# the JSON's per_rank[].steps.not_found).
report_mfu() {
  local name=$1
  shift
  "$MFU" report "$W/$name.traces" --json "$@" --device "$GPU_NAME" >"$W/$name.mfu.json" 2>>"$W/$name.log" ||
    cp "$W/$name.json" "$W/$name.mfu.json" 2>/dev/null
  jget "$W/$name.mfu.json" mfu
}

# Eager, 30 steps, alternately without and with the shim, twice each (step times vary between
# processes by a fraction of a percent): overhead, FLOPs against FlopCounterMode, MFU.
# FlopCounterMode counts the first step, which is warm-up and outside the timing, in all four.
check_eager() {
  local i plain shim overhead detail counted fc self reported step predicted factors
  for i in 1 2; do # (the row says below if the budget cut a run)
    [ $((BUDGET - SECONDS)) -ge 50 ] && run_llama "plain$i" plain 120 --steps 30 --flop-counter
    [ $((BUDGET - SECONDS)) -ge 50 ] && run_llama "shim$i" shim 120 --steps 30 --flop-counter
  done
  plain=$(for i in 1 2; do val "plain$i" step_time_s; done | sort -g | head -n 1)
  shim=$(for i in 1 2; do val "shim$i" step_time_s; done | sort -g | head -n 1)
  if [ -n "$plain" ] && [ -n "$shim" ]; then
    overhead=$(pct "$shim" "$plain")
    detail="step $shim s with the shim, $plain s without (best of 2 each): $overhead% (target <= 1%)"
    if awk -v o="$overhead" 'BEGIN { exit !(o <= 1.0) }'; then row overhead PASS "$detail"
    else row overhead FAIL "$detail"; fi
  else
    row overhead FAIL "no step time (${SECONDS} s of ${BUDGET} s used): $(why_failed shim1)"
  fi

  counted=$(per_step shim1)
  fc=$(val shim1 flop_counter_gemm_flops)
  EAGER_PER_STEP=$counted
  if is_int "$counted" && is_int "$fc"; then
    detail="shim $counted vs FlopCounterMode $fc per step: $(pct "$counted" "$fc")% (target 0.5%)"
    if within "$counted" "$fc" 0.5; then row "flops vs FlopCounter" PASS "$detail"
    else row "flops vs FlopCounter" FAIL "$detail; FlopCounterMode by op: $(val shim1 flop_counter_by_op)"; fi
  else
    row "flops vs FlopCounter" FAIL "shim ${counted:-?} per step ($(jget "$W/shim1.json" totals.gemm_flops) over $(val shim1 steps_run) steps), FlopCounterMode ${fc:-?}"
  fi

  self=$(val shim1 mfu_self)
  reported=$(report_mfu shim1 "${LLAMA[@]}")
  if [ -n "$reported" ] && [[ $self =~ ^[0-9.]+$ ]]; then
    detail="mfu report $reported vs the script's $self: $(pct "$reported" "$self")% (target 2%)"
    if within "$reported" "$self" 2; then row "mfu vs self" PASS "$detail"; else row "mfu vs self" FAIL "$detail"; fi
  else
    step=$(val shim1 step_time_s)
    predicted=$("$MFU" predict "${LLAMA[@]}" --step-time "${step:-1}" --device "$GPU_NAME" --json 2>/dev/null |
      python3 -c 'import json, sys; print(round(json.load(sys.stdin)["mfu"], 6))' 2>/dev/null)
    row "mfu vs self" FAIL "mfu report gave no MFU (see shim1.mfu.json); the script's ${self:-?}, mfu predict --step-time ${step:-?}: ${predicted:-?}"
  fi

  # The efficiency factors, and their product against MFU.
  factors=$(python3 - "$W/shim1.mfu.json" 2>/dev/null <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
e, mfu = d.get("efficiency") or {}, d.get("mfu")
keys = ["coverage", "kernel", "memory", "communication", "parallelism"]
if mfu is None or any(e.get(k) is None for k in keys):
    print("SKIP no GPU timeline in the traces: mfu " + json.dumps(mfu) + ", "
          + ", ".join(f"{k} {json.dumps(e.get(k))}" for k in keys))
else:
    product = math.prod(e[k] for k in keys)
    print(("PASS " if abs(product - mfu) <= 1e-6 * mfu else "FAIL ")
          + " x ".join(f"{k} {e[k]:.4f}" for k in keys) + f" = {product:.6f}, mfu {mfu:.6f}")
PY
)
  if [ -n "$factors" ]; then row efficiency "${factors%% *}" "${factors#* }"
  else row efficiency FAIL "no report of the run"; fi
}

# NCCL, a world of 1: every collective intercepted, with the bytes the script issued.
check_nccl() {
  have_time 60 nccl || return
  local rc result gemm
  run_llama nccl shim 120 --steps 5 --nccl
  rc=$?
  result=$(python3 - "$W/nccl.json" "$W/nccl.log" 2>/dev/null <<'PY'
import json, re, sys
report = json.load(open(sys.argv[1]))
said = dict(l.rstrip("\n").split("=", 1) for l in open(sys.argv[2]) if re.match(r"nccl_expected_\w+=", l))
calls, nbytes = int(said["nccl_expected_calls"]), int(said["nccl_expected_bytes"])
wrong = [f"{op} {v['calls']}:{v['bytes']} counted, {said.get('nccl_expected_' + op, '0:0')} issued"
         for op, v in report["nccl_by_op"].items()
         if f"{v['calls']}:{v['bytes']}" != said.get("nccl_expected_" + op, "0:0")]
t = report["totals"]
ok = not wrong and (t["nccl_calls"], t["nccl_bytes"], t["nccl_failed"]) == (calls, nbytes, 0)
print(("PASS " if ok else "FAIL ") + f"{t['nccl_calls']} calls, {t['nccl_bytes']} bytes counted; "
      f"{calls}, {nbytes} issued" + "".join("; " + w for w in wrong))
PY
)
  gemm=$(per_step nccl)
  if is_int "${EAGER_PER_STEP:-x}" && [ "$gemm" != "$EAGER_PER_STEP" ]; then
    result="FAIL ${result#* }; GEMM FLOPs per step $gemm, eager ${EAGER_PER_STEP:-?}"
  fi
  if [ $rc -ne 0 ]; then row nccl FAIL "$(why_failed nccl)"
  elif [ -n "$result" ]; then row nccl "${result%% *}" "${result#* }"
  else row nccl FAIL "no report, or no nccl_expected_ lines in nccl.log"; fi
}

# MoE, experts through cuBLAS: the shim's count per step over 10 steps (whatever the routing,
# every token runs top-k experts) against FlopCounterMode's for the first step.
check_moe() {
  have_time 60 moe || return
  local rc counted fc detail
  run_llama moe shim 150 --moe --steps 10 --flop-counter
  rc=$?
  counted=$(per_step moe)
  fc=$(val moe flop_counter_gemm_flops)
  detail="shim ${counted:-?} per step (10 steps), FlopCounterMode ${fc:-?} (step 1)"
  if [ $rc -ne 0 ]; then row moe FAIL "$(why_failed moe)"
  elif is_int "$counted" && [ "$counted" = "$fc" ]; then row moe PASS "$detail: equal"
  else row moe FAIL "$detail"; fi
}

# torch.profiler (CUPTI) on while the shim traces: the job still works and both tools report.
check_profile() {
  have_time 60 profile || return
  local rc kernels counted said detail
  run_llama profile shim 120 --steps 8 --profile
  rc=$?
  kernels=$(val profile profiler_cuda_kernels)
  counted=$(per_step profile)
  said=$(grep -m1 '^mfushim:' "$W/profile.log" | cut -c1-100)
  detail="profiler: ${kernels:-?} CUDA kernels; shim: ${counted:-?} GEMM FLOPs per step, eager ${EAGER_PER_STEP:-?}${said:+; $said}"
  if [ $rc -eq 0 ] && is_int "${kernels:-x}" && [ "$kernels" -gt 0 ] && [ -n "$counted" ] &&
    [ "$counted" = "${EAGER_PER_STEP:-}" ]; then
    row profile PASS "$detail"
  else
    row profile FAIL "exit $rc; $detail"
  fi
}

# torch.compile(mode="reduce-overhead"): GEMMs captured into CUDA graphs and replayed must
# count at every replay. 4 layers, so that compiling fits the budget; eager for reference.
check_compile() {
  have_time 150 compile || return
  local rc eager compiled detail
  run_llama eager4 shim 90 --layers 4 --steps 12
  run_llama compile shim 240 --layers 4 --steps 12 --compile
  rc=$?
  eager=$(per_step eager4)
  compiled=$(per_step compile)
  detail="shim per step: compiled ${compiled:-?}, eager ${eager:-?}; step $(val compile step_time_s) s compiled, $(val eager4 step_time_s) s eager"
  if [ $rc -ne 0 ]; then row compile FAIL "$(why_failed compile)"
  elif is_int "$eager" && [ "$compiled" = "$eager" ]; then row compile PASS "$detail"
  else row compile FAIL "$detail"; fi
}

# ---- what the traces hold beyond the counts ---------------------------------------------------

# check_traces NAME: four rows on run NAME: the trace's bytes per GEMM call (targets: 32 B
# host-only, 64 B with the GPU timeline); the FLOPs by phase (in a Transformer's GEMMs backward
# is twice forward: dX and dW per projection); the top call site (with the script's Python
# function where the host is CPython); and `mfu export --perfetto`, validated.
check_traces() {
  local name=$1 rows
  if [ ! -f "$W/$name.json" ]; then
    for r in "trace bytes" phases "call sites" perfetto; do row "$r" SKIP "no run $name"; done
    return
  fi
  "$MFU" report "$W/$name.traces" --json --by-callsite >"$W/$name.sites.json" 2>>"$W/$name.log"
  "$MFU" export "$W/$name.traces" --perfetto -o "$W/$name.perfetto.json.gz" >>"$W/$name.log" 2>&1
  rows=$(python3 - "$name" "$W/$name.sites.json" "$W/$name.traces" "$W/$name.perfetto.json.gz" \
    "$ROOT/tests/tools/perfetto_check.py" 2>&1 <<'PY'
import glob, json, os, subprocess, sys
name, report, traces, perfetto, checker = sys.argv[1:]
d = json.load(open(report))
calls = d["totals"]["gemm_calls"]
size = sum(os.path.getsize(f) for f in glob.glob(os.path.join(traces, "**", "*.mfutrace"), recursive=True))
timeline = any(r.get("gpu_timeline") == "active" for r in d["per_rank"])
target = 64 if timeline else 32
per_call = size / calls if calls else float("inf")
print(f"trace bytes|{'PASS' if per_call <= target else 'FAIL'}|{name}: {size} B for {calls} GEMM calls: "
      f"{per_call:.1f} B per call ({'with' if timeline else 'without'} the GPU timeline; target <= {target})")
ph = d.get("phases") or {}
ratio = ph.get("backward_forward_flops")
total = d["totals"]["gemm_flops"] or 1
shares = ", ".join(f"{p} {100 * (ph.get(p) or {}).get('flops', 0) / total:.1f}%"
                   for p in ("forward", "backward", "optimizer", "other"))
ok = ratio is not None and 1.9 <= ratio <= 2.1 and (ph.get("other") or {}).get("flops", 0) <= 0.05 * total
print(f"phases|{'PASS' if ok else 'FAIL'}|{name}: backward/forward FLOPs {ratio} (2 expected); {shares}")
sites = d.get("callsites") or []
if sites:
    top = sites[0]
    frame = next((f.get("function") for f in top.get("frames") or [] if f.get("function")), None)
    py = top.get("python")
    print(f"call sites|PASS|{name}: {len(sites)} sites, unwinder {(d.get('stacks') or {}).get('unwinder')}; "
          f"top {100 * top['flops'] / total:.1f}% of FLOPs: python {json.dumps(py)[:60]}, native {frame}")
else:
    print(f"call sites|FAIL|{name}: no call sites in the traces (stacks: {json.dumps(d.get('stacks'))})")
check = subprocess.run([sys.executable, checker, perfetto], capture_output=True, text=True)
said = (check.stdout + check.stderr).strip().splitlines()
print(f"perfetto|{'PASS' if check.returncode == 0 else 'FAIL'}|{name}: {said[0][:120] if said else 'no output'}")
PY
)
  while IFS='|' read -r check status numbers; do
    case $status in PASS | FAIL) row "$check" "$status" "$numbers" ;; *) row traces FAIL "$check" ;; esac
  done <<<"$rows"
}

# ---- the run ---------------------------------------------------------------------------------

main() {
  echo "== mfushim device check: $(hostname), $(date -u '+%Y-%m-%d %H:%M:%S UTC'), budget ${BUDGET} s"
  GPU_NAME=""
  if nvidia-smi -L >/dev/null 2>&1; then
    GPU_NAME=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
  fi
  HAVE_TORCH_CUDA=false
  "$PY" -c 'import torch, sys; sys.exit(not torch.cuda.is_available())' >/dev/null 2>&1 && HAVE_TORCH_CUDA=true
  if [ -z "$GPU_NAME" ] && $HAVE_TORCH_CUDA; then
    GPU_NAME=$("$PY" -c 'import torch; print(torch.cuda.get_device_name(0))')
  fi
  echo "   GPU: ${GPU_NAME:-none}; $PY: $("$PY" -c 'import torch; print("torch", torch.__version__)' 2>/dev/null || echo 'no torch')"
  [ "$MODE" = --doubles ] && EXAMPLE_LIBS=$ROOT/build/test-doubles

  echo && echo "== build"
  check_build
  echo && echo "== GPU"
  check_gpu
  check_calibrate
  echo && echo "== examples/transformer_step under the shim (bf16: cublasGemmEx; lt: cublasLtMatmul)"
  check_example "example bf16" example-bf16 --dtype bf16
  check_example "example lt" example-lt --dtype bf16 --lt
  echo && echo "== scripts/train_llama.py: Llama ~1.1B, bf16, batch 8 x seq 2048"
  EAGER_PER_STEP=""
  if $HAVE_TORCH_CUDA; then
    check_eager
    check_nccl
    check_moe
    check_profile
    check_compile
  else
    for r in overhead "flops vs FlopCounter" "mfu vs self" efficiency nccl moe profile compile; do
      row "$r" SKIP "no device (no CUDA in $PY's PyTorch)"
    done
  fi
  echo && echo "== what the traces hold: size, phases, call sites, Perfetto export"
  if [ -f "$W/shim1.json" ]; then check_traces shim1; else check_traces example-bf16; fi

  local fails=0 name status numbers r
  echo
  echo "== mfushim device check: ${GPU_NAME:-no GPU}, $SECONDS s"
  printf '%-20s %-6s %s\n' check result numbers
  for r in "${ROWS[@]}"; do
    IFS='|' read -r name status numbers <<<"$r"
    printf '%-20s %-6s %s\n' "$name" "$status" "$numbers"
    [ "$status" = FAIL ] && fails=$((fails + 1))
  done
  printf '%s\n' "${ROWS[@]}" | python3 -c '
import json, sys
rows = [dict(zip(("check", "status", "numbers"), l.rstrip("\n").split("|", 2))) for l in sys.stdin]
print(json.dumps({"gpu": sys.argv[1] or None, "seconds": int(sys.argv[2]), "rows": rows}, indent=2))
' "$GPU_NAME" "$SECONDS" >"$W/results.json"
  [ $fails -eq 0 ]
}

# What comes back from the device: the log, the rows, the logs of every check, and the small
# real traces for examples/traces/ (one file per run, a few MB in all).
save_outputs() {
  local run r f
  mkdir -p "$OUT/traces"
  # RUNS:NAME, the first run whose trace is at most 4 MiB (with a GPU timeline, the 1.1B
  # model's 30 steps may be more; the 4-layer eager run is the smaller stand-in).
  for run in example-bf16:example-bf16 shim1,eager4:llama-eager moe:llama-moe nccl:llama-nccl \
    compile:llama-compile; do
    for r in $(tr , ' ' <<<"${run%%:*}"); do
      f=$(ls -S "$W/$r.traces"/*.mfutrace 2>/dev/null | head -n 1)
      if [ -n "$f" ] && [ "$(stat -c %s "$f")" -le $((4 << 20)) ]; then
        cp "$f" "$OUT/traces/${run#*:}.mfutrace"
        break
      fi
    done
  done
  cp "$W/device-check.log" "$W/results.json" "$OUT/"
  tar -czf "$OUT/logs.tar.gz" -C "$W" --exclude='*.traces' --exclude=cuda-lib --exclude=device-check.log .
}

rm -rf "$W"
mkdir -p "$W"
main 2>&1 | tee "$W/device-check.log"
status=${PIPESTATUS[0]}
[ -n "${OUT:-}" ] && save_outputs
exit "$status"
