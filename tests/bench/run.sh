#!/usr/bin/env bash
# make bench: what the shim costs a program and what the analyzer costs a job, as one line per
# figure,
#
#     bench: NAME VALUE UNIT
#
# then a table of the figures against their targets. Figures of a few seconds are medians of
# MFU_BENCH_REPEAT runs (default 3); the large synthetic job is read once.
#
#   shim     the timed loop (tests/bench/overhead.c) on the lock-free double (double.c):
#            latency added per call (median, p99; 1 and 8 threads; NCCL), the floor of two
#            timestamps and a record store on each clock, the CPU the whole process spends
#            per call with the writer thread (unpaced loop, from the slope between two loop
#            lengths), and Debian's uftrace and ltrace on the same loop (skipped if absent);
#            call sites (tests/bench/stacks.c, in-process): recognizing a call's site,
#            unwinding a stack 48 frames deep, and the two amortized at the default MFU_STACKS
#   trace    bytes per GEMM call of the example workload (the demo's), host only and with the
#            GPU timeline of the test doubles' simulated GPU
#   analyzer `mfu report` over synthetic jobs (job_rank.c under the shim on the test doubles,
#            generated once into build/bench/jobs/): records per second per core (over CPU
#            time, which other load on the machine does not inflate), a 1,024-rank job's time,
#            peak memory and records per second per core, and how its time grows with 4x the
#            steps, the calls per step and the ranks
#
# MFU_BENCH_ONLY=shim|trace|analyzer runs one part.
set -eu
cd "$(dirname "$0")/../.."
root=$PWD
repeat=${MFU_BENCH_REPEAT:-3}
only=${MFU_BENCH_ONLY:-}
bench=$root/build/bench
jobs=$bench/jobs
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mfu-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
results=$scratch/results

figure() { # NAME VALUE UNIT [note]
  printf 'bench: %s %s %s%s\n' "$1" "$2" "$3" "${4:+  # $4}"
  printf '%s %s %s\n' "$1" "$2" "$3" >>"$results"
}
skipped() { # NAME why
  printf 'bench: %s skipped  # %s\n' "$1" "$2"
  printf '%s skipped -\n' "$1" >>"$results"
}
median() { sort -g | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : "nan"}'; }
calc() { awk "BEGIN {printf \"%.${2:-2}f\", ($1)}"; }
value() { awk -v n="$1" '$1 == n {print $2}' "$results" | tail -n 1; }

shim_env=(env MFU_CUPTI=off LD_PRELOAD="$root/build/libmfushim.so")

# A field of the trace headers in DIR (struct mfu_file_header, include/mfu/trace.h, at its
# offset there), summed over the files: records_written, or clock_source.
header_field() { python3 - "$1" "$2" <<'PY'
import glob, struct, sys
offset, form = {"records_written": (96, "<Q"), "clock_source": (1304, "<I")}[sys.argv[2]]
print(sum(struct.unpack_from(form, open(f, "rb").read(2048), offset)[0]
          for f in glob.glob(sys.argv[1] + "/*.mfutrace")))
PY
}
records_of() { header_field "$1" records_written; }

echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)," \
  "clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- the shim ------------------------------------------------------------------------------
shim_part() {
  local lat=$scratch/latency source
  for i in $(seq "$repeat"); do
    MFU_TRACE_DIR=$scratch/t-lat-$i "${shim_env[@]}" "$bench/overhead" latency >>"$lat"
    source=$(header_field "$scratch/t-lat-$i" clock_source)
    rm -rf "$scratch/t-lat-$i"
  done
  for name in $(awk '!seen[$2]++ {print $2}' "$lat"); do
    figure "$name" "$(awk -v n="$name" '$2 == n {print $3}' "$lat" | median)" ns \
      "$(awk -v n="$name" '$2 == n {sub(/.*# /, ""); print; exit}' "$lat")"
  done
  if [ "$source" = 1 ]; then
    figure clock_floor_ns "$(value clock_floor_rdtsc_ns)" ns "the floor on the shim's clock, the TSC"
  else
    figure clock_floor_ns "$(value clock_floor_monotonic_ns)" ns \
      "the floor on the shim's clock, CLOCK_MONOTONIC"
  fi

  # Call sites (tests/bench/stacks.c): their part of the shim's cost per call.
  local st=$scratch/stacks
  for i in $(seq "$repeat"); do "$bench/stacks" >>"$st"; done
  for name in stacks_lookup_ns stacks_unwind_ns stacks_ns_per_call_median; do
    figure "$name" "$(awk -v n="$name" '$2 == n {print $3}' "$st" | median)" ns \
      "$(awk -v n="$name" '$2 == n {sub(/.*# /, ""); print; exit}' "$st")"
  done

  # CPU per call, every thread of the process (the writer's too), from the slope between two
  # loop lengths: the fixed costs (start, exit, the file) cancel out.
  local n1=2000000 n2=6000000
  cpu_of() { # N, then the command prefix
    local n=$1 out=$scratch/cpu.$RANDOM; shift
    "$@" "$bench/measure" "$out" "$bench/overhead" loop "$n" gemm >/dev/null
    sed 's/.*cpu_s=\([0-9.]*\).*/\1/' "$out"
  }
  local samples=()
  for i in $(seq "$repeat"); do
    local d1 d2 s1 s2
    d1=$(cpu_of $n1 env) d2=$(cpu_of $n2 env)
    s1=$(cpu_of $n1 env MFU_TRACE_DIR="$scratch/t-cpu" "${shim_env[@]}")
    rm -rf "$scratch/t-cpu"
    s2=$(cpu_of $n2 env MFU_TRACE_DIR="$scratch/t-cpu" "${shim_env[@]}")
    rm -rf "$scratch/t-cpu"
    samples+=("$(calc "(($s2 - $s1) - ($d2 - $d1)) * 1e9 / ($n2 - $n1)")")
  done
  figure shim_cpu_ns_per_call "$(printf '%s\n' "${samples[@]}" | median)" ns \
    "CPU added per call, all threads (writer included), unpaced"

  # Other tracers on the same loop: their added time per call over the shim's.
  loop_ns() { "$@" "$bench/overhead" loop "$n" gemm | awk '/ns_per_call/ {print $2}'; }
  local n=2000000 direct shim
  direct=$(for i in $(seq "$repeat"); do loop_ns env; done | median)
  shim=$(for i in $(seq "$repeat"); do
    MFU_TRACE_DIR=$scratch/t-loop loop_ns "${shim_env[@]}"; rm -rf "$scratch/t-loop"
  done | median)
  figure shim_ns_per_call_unpaced "$(calc "$shim - $direct")" ns "added, calls back to back"
  if command -v uftrace >/dev/null; then
    local uf
    uf=$(for i in $(seq "$repeat"); do
      loop_ns uftrace record --force -d "$scratch/uftrace.data"; rm -rf "$scratch/uftrace.data"
    done | median)
    figure uftrace_ratio "$(calc "($uf - $direct) / ($shim - $direct)")" x \
      "uftrace record --force: $(calc "$uf - $direct" 1) ns added per call"
  else
    skipped uftrace_ratio "uftrace is not installed (apt-get install uftrace)"
  fi
  if command -v ltrace >/dev/null; then
    local lt
    n=2000 lt=$(loop_ns ltrace -o /dev/null -e cublasSgemm_v2)
    figure ltrace_ratio "$(calc "($lt - $direct) / ($shim - $direct)" 0)" x \
      "ltrace -e cublasSgemm_v2: $(calc "($lt - $direct) / 1000" 1) us added per call"
  else
    skipped ltrace_ratio "ltrace is not installed (apt-get install ltrace)"
  fi
}

# --- trace bytes -----------------------------------------------------------------------------
trace_part() {
  local args=(--layers 4 --hidden 1024 --heads 16 --kv-heads 4 --ffn 2816 --vocab 32000
    --batch 4 --seq 512 --steps 6 --dtype bf16 --idle-us 2000 --memory-bound-us 100
    --allreduce-mb 32 --comm-stream same)
  for mode in host timeline; do
    local dir=$scratch/t-example-$mode cupti=off
    [ $mode = timeline ] && cupti=auto
    MFU_CUPTI=$cupti MFU_TRACE_DIR=$dir LD_LIBRARY_PATH=$root/build/test-doubles \
      LD_PRELOAD=$root/build/libmfushim.so "$root/build/examples/transformer_step" "${args[@]}" >/dev/null
    local bytes calls
    bytes=$(cat "$dir"/*.mfutrace | wc -c)
    calls=$("$root/build/mfu" report "$dir" --json | python3 -c \
      'import json,sys; print(json.load(sys.stdin)["totals"]["gemm_calls"])')
    figure "trace_bytes_per_gemm_$mode" "$(calc "$bytes / $calls" 1)" B \
      "the example workload: $bytes bytes for $calls GEMM calls"
    rm -rf "$dir"
  done
}

# --- the analyzer ----------------------------------------------------------------------------
# A job: NAME RANKS LAYERS STEPS CUPTI. Generated once (the stamp holds how), ranks in parallel.
job() {
  local name=$1 ranks=$2 layers=$3 steps=$4 cupti=$5
  local dir=$jobs/$name how="ranks=$ranks layers=$layers steps=$steps cupti=$cupti"
  how="$how shim=$(md5sum "$root/build/libmfushim.so" | cut -c1-12)"
  if [ "$(cat "$dir/.how" 2>/dev/null)" != "$how" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    seq 0 $((ranks - 1)) | xargs -P "$(nproc)" -I{} env MFU_CUPTI="$cupti" MFU_TRACE_DIR="$dir" \
      MFU_JOB_ID="$name" RANK={} WORLD_SIZE="$ranks" LD_LIBRARY_PATH="$root/build/test-doubles" \
      LD_PRELOAD="$root/build/libmfushim.so" "$bench/job_rank" --rank {} --world "$ranks" \
      --layers "$layers" --steps "$steps"
    echo "$how" >"$dir/.how"
  fi
  echo "$dir"
}

# Runs `mfu report` on DIR (more args after it); sets wall, cpu and rss (MB).
report() {
  local out=$scratch/report.$RANDOM
  "$bench/measure" "$out" "$root/build/mfu" report "$@" >/dev/null
  wall=$(sed 's/.*wall_s=\([0-9.]*\).*/\1/' "$out")
  cpu=$(sed 's/.*cpu_s=\([0-9.]*\).*/\1/' "$out")
  rss=$(sed 's/.*maxrss_mb=\([0-9.]*\).*/\1/' "$out")
}


analyzer_part() {
  local dir wall cpu rss records t1 t4
  dir=$(job rank-host 1 83 2500 off)
  records=$(records_of "$dir")
  report "$dir" && cpu=$(for i in $(seq "$repeat"); do report "$dir"; echo "$cpu"; done | median)
  figure analyzer_records_per_s "$(calc "$records / $cpu" 0)" records/s \
    "per core (CPU time): one rank, host records only, $records records"
  dir=$(job rank-timeline 1 83 500 auto)
  records=$(records_of "$dir")
  cpu=$(for i in $(seq "$repeat"); do report "$dir"; echo "$cpu"; done | median)
  figure analyzer_records_per_s_timeline "$(calc "$records / $cpu" 0)" records/s \
    "per core: one rank with its GPU timeline, $records records"

  # Growth: 4x the steps, 4x the calls per step (CPU time: one file is read by one thread).
  t1=$(for i in $(seq "$repeat"); do report "$(job steps-1x 1 83 250 off)"; echo "$cpu"; done | median)
  t4=$(for i in $(seq "$repeat"); do report "$(job steps-4x 1 83 1000 off)"; echo "$cpu"; done | median)
  figure analyzer_growth_4x_steps "$(calc "$t4 / $t1")" x "CPU time at 4x the steps over 1x"
  t1=$(for i in $(seq "$repeat"); do report "$(job calls-1x 1 20 250 off)"; echo "$cpu"; done | median)
  t4=$(for i in $(seq "$repeat"); do report "$(job calls-4x 1 80 250 off)"; echo "$cpu"; done | median)
  figure analyzer_growth_4x_calls_per_step "$(calc "$t4 / $t1")" x "CPU time at 4x the calls per step"

  # The 1,024-rank job, and 256 of its ranks for the growth with ranks.
  local ranks=${MFU_BENCH_RANKS:-1024} steps=${MFU_BENCH_STEPS:-100}
  local sample per_rank need avail
  sample=$(job sample-rank 1 83 "$steps" off)
  per_rank=$(cat "$sample"/*.mfutrace | wc -c)
  need=$((per_rank * ranks / 1048576)) avail=$(($(df -Pk "$bench" | awk 'NR == 2 {print $4}') / 1024))
  if [ -f "$jobs/ranks-$ranks/.how" ] || [ $((need * 2)) -lt "$avail" ]; then
    dir=$(job "ranks-$ranks" "$ranks" 83 "$steps" off)
    records=$(records_of "$dir")
    report "$dir"
    figure analyzer_ranks_1024_s "$wall" s \
      "$ranks ranks x $steps steps x 1,996 calls: $records records, $(du -sm "$dir" | cut -f1) MB of traces"
    figure analyzer_ranks_1024_rss_mb "$rss" MB "peak resident memory"
    figure analyzer_ranks_1024_cores_busy "$(calc "$cpu / $wall")" cores "CPU time over wall time"
    figure analyzer_ranks_1024_records_per_s "$(calc "$records / $cpu" 0)" records/s "per core"
    local quarter=$jobs/ranks-quarter
    rm -rf "$quarter" && mkdir -p "$quarter"
    ls "$dir"/*.mfutrace | head -n $((ranks / 4)) | xargs -I{} ln {} "$quarter/"
    local tq=$cpu
    report "$quarter"
    figure analyzer_growth_4x_ranks "$(calc "$tq / $cpu")" x "CPU time at $ranks ranks over $((ranks / 4))"
    rm -rf "$quarter"
  else
    skipped analyzer_ranks_1024_s "its traces need ~$need MB of disk, $avail MB are free"
  fi
}

: >"$results"
[ -z "$only" ] || [ "$only" = shim ] && shim_part
[ -z "$only" ] || [ "$only" = trace ] && trace_part
[ -z "$only" ] || [ "$only" = analyzer ] && analyzer_part

# --- the table: each figure against its target ------------------------------------------
floor=$(value clock_floor_ns)
one=$(value shim_ns_per_call_median)
echo
printf '%-36s %14s %-10s %-26s %s\n' figure value unit target ""
while read -r name val unit; do
  target="" ok=""
  case $name in
    shim_ns_per_call_median) target="<= 2x floor ($(calc "2 * $floor" 1))"; ok=$(calc "$val <= 2 * $floor" 0) ;;
    shim_cpu_ns_per_call) target="<= 3x floor ($(calc "3 * $floor" 1))"; ok=$(calc "$val <= 3 * $floor" 0) ;;
    stacks_ns_per_call_median) # within a fifth of the rest of the shim's cost per call
      target="<= 0.2x the rest ($(calc "0.2 * ($one - $val)" 1))"; ok=$(calc "$val <= 0.2 * ($one - $val)" 0) ;;
    shim_ns_per_call_median_8t) target="<= 1.5x 1 thread ($(calc "1.5 * $one" 1))"; ok=$(calc "$val <= 1.5 * $one" 0) ;;
    uftrace_ratio) target=">= 1.0"; ok=$(calc "$val >= 1.0" 0) ;;
    ltrace_ratio) target=">= 1000"; ok=$(calc "$val >= 1000" 0) ;;
    trace_bytes_per_gemm_host) target="<= 32"; ok=$(calc "$val <= 32" 0) ;;
    trace_bytes_per_gemm_timeline) target="<= 64"; ok=$(calc "$val <= 64" 0) ;;
    analyzer_records_per_s|analyzer_ranks_1024_records_per_s) target=">= 20000000"; ok=$(calc "$val >= 20000000" 0) ;;
    analyzer_ranks_1024_s) target="<= 60"; ok=$(calc "$val <= 60" 0) ;;
    analyzer_ranks_1024_rss_mb) target="<= 4096"; ok=$(calc "$val <= 4096" 0) ;;
    analyzer_ranks_1024_cores_busy) target=">= 1.8 of $(nproc)"; ok=$(calc "$val >= 1.8" 0) ;;
    analyzer_growth_4x_*) target="<= 4.5"; ok=$(calc "$val <= 4.5" 0) ;;
  esac
  [ "$val" = skipped ] && ok=""
  verdict=$([ "$ok" = 1 ] && echo met || { [ -n "$ok" ] && echo MISSED; } || true)
  printf '%-36s %14s %-10s %-26s %s\n' "$name" "$val" "$unit" "$target" "$verdict"
done <"$results"
