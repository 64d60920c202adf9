# Helpers for the shell tests; sourced. run.sh exports MFU, SHIM, DOUBLES, CUDA_LIB, MFU_ROOT
# and runs each test in its own scratch directory ($TEST_TMP).
set -euo pipefail
BIN=$MFU_ROOT/${MFU_BUILD:-build}/tests/integration

# Under make check-sanitize the shim and the doubles carry a sanitizer, whose runtime (run.sh's
# MFU_SAN_RUNTIME) hosts preload first: $PRELOAD is it and the shim. ASan's must be the first
# library of any process that loads its libraries: a program not built with ASan preloads
# $SAN_PRELOAD (empty otherwise; TSan's runtime alone crashes bash) to run on the doubles. Such
# hosts run with $HOST_ASAN as their ASAN_OPTIONS: no leak check, since a host's own leaks
# (python's, sh's) are not ours, and the host's signals its own.
SAN_PRELOAD=$([ "${MFU_SANITIZE:-}" != address ] || echo "$MFU_SAN_RUNTIME")
PRELOAD=${MFU_SAN_RUNTIME:+$MFU_SAN_RUNTIME:}${SHIM:-}
HOST_ASAN=${ASAN_OPTIONS:-}${SAN_PRELOAD:+:detect_leaks=0:handle_segv=0:handle_sigbus=0:handle_sigfpe=0}

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect STATUS REGEX CMD...: CMD exits with STATUS and its output (stdout and stderr) has a
# line matching the extended REGEX.
expect() {
  local want=$1 regex=$2 got=0
  shift 2
  "$@" >out.txt 2>&1 || got=$?
  [ "$got" = "$want" ] || { cat out.txt; fail "'$*' exited $got, expected $want"; }
  grep -qE -- "$regex" out.txt || { cat out.txt; fail "'$*': no line matches /$regex/"; }
}

# Runs a command with the shim preloaded and the doubles (or $LIBS) behind it; traces go to
# ./traces unless MFU_TRACE_DIR is set.
traced() {
  LD_LIBRARY_PATH=${LIBS:-$DOUBLES} LD_PRELOAD=$PRELOAD ASAN_OPTIONS=$HOST_ASAN MFU_TRACE_DIR=${MFU_TRACE_DIR:-$PWD/traces} "$@"
}

# json FILE PATH: prints the value at PATH (dots between keys) of the JSON object in FILE.
json() {
  python3 - "$1" "$2" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
for key in sys.argv[2].split("."):
    v = v[int(key)] if isinstance(v, list) else v[key]
print("null" if v is None else json.dumps(v) if isinstance(v, (dict, list)) else v)
PY
}

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"; }

# A python3 that has matplotlib, as mfu plot picks it ($MFU_PYTHON, python3, /usr/bin/python3);
# empty if none.
matplotlib_python() {
  local py
  for py in ${MFU_PYTHON:-python3} /usr/bin/python3; do
    "$py" -c 'import matplotlib' 2>/dev/null && { echo "$py"; return; }
  done
}

# png_size FILE: "WIDTHxHEIGHT" from the PNG's IHDR.
png_size() {
  python3 - "$1" <<'PY'
import struct, sys
head = open(sys.argv[1], "rb").read(24)
assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", "not a PNG"
print("%dx%d" % struct.unpack(">II", head[16:24]))
PY
}
