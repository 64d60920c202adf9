#!/usr/bin/env bash
# make bench: the shim's added cost per intercepted call (see tests/bench/overhead.c).
set -eu
cd "$(dirname "$0")/../.."
dir=$(mktemp -d "${TMPDIR:-/tmp}/mfu-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
# The host cost only: without the GPU timeline (MFU_CUPTI=off), which the doubles' fake GPU
# would otherwise simulate on these same CPUs.
echo "clock: CLOCK_MONOTONIC (vDSO); $(nproc) CPUs; traces to $dir; MFU_CUPTI=off"
MFU_CUPTI=off MFU_TRACE_DIR=$dir LD_LIBRARY_PATH=$PWD/build/test-doubles LD_PRELOAD=$PWD/build/libmfushim.so \
  build/bench/overhead
