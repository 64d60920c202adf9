#!/bin/sh
# Checks the build (and test) dependencies and installs the missing ones with apt-get (Debian/Ubuntu).
# Called by `make` once per build tree; safe to run by hand.
set -e
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
missing=""
[ -f /usr/include/cmocka.h ]  || missing="$missing libcmocka-dev"
[ -f /usr/include/jansson.h ] || missing="$missing libjansson-dev"
[ -f /usr/include/zlib.h ]    || missing="$missing zlib1g-dev"
[ -f /usr/include/zstd.h ]    || missing="$missing libzstd-dev"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
# For the tests: the call-site unwinder (loaded at run time) and an embeddable CPython.
ldconfig -p 2>/dev/null | grep -q 'libunwind\.so\.8 ' || missing="$missing libunwind8"
command -v python3-config >/dev/null 2>&1 || missing="$missing python3-dev"
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "mfushim: missing build dependencies:$missing" >&2
    echo "mfushim: install them (Debian/Ubuntu: sudo apt-get install$missing) and run make again" >&2
    exit 1
  fi
  echo "mfushim: installing build dependencies:$missing"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
for h in cublas_api.h cublasLt.h cuda_runtime_api.h; do
  if [ ! -f "$CUDA_HOME/include/$h" ]; then
    echo "mfushim: $CUDA_HOME/include/$h not found: the CUDA toolkit headers are needed at build time." >&2
    echo "mfushim: install the CUDA toolkit, or run make CUDA_HOME=/path/to/cuda" >&2
    exit 1
  fi
done
