#!/usr/bin/env bash
# Python frames in call sites: an embedded CPython calls a GEMM through a C extension (which
# releases the GIL first, as PyTorch does), built against every CPython found here (Debian's
# python3-dev, and pyenv's when present); supported versions (3.10 to 3.13) name the Python
# functions and lines, others say they are unsupported and name none.
source "$MFU_ROOT/tests/lib.sh"
configs=()
for c in /usr/bin/python3-config /root/.pyenv/versions/*/bin/python3.*-config; do
  command -v "$c" >/dev/null 2>&1 && configs+=("$(command -v "$c")")
done
[ ${#configs[@]} -gt 0 ] || fail "no python3-config: install python3-dev"
supported=0 seen=" "
for config in "${configs[@]}"; do
  prefix=$("$config" --prefix)
  version=$("$config" --includes | grep -o 'python3\.[0-9]*' | head -1)
  [ "$version" ] && [[ "$seen" != *" $prefix:$version "* ]] || continue # python3.7m-config too
  seen+="$prefix:$version "
  minor=${version#python3.}
  ldflags=$("$config" --ldflags --embed 2>/dev/null) || ldflags=$("$config" --ldflags) # < 3.8
  # shellcheck disable=SC2046
  ${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wno-missing-field-initializers ${MFU_SAN_CFLAGS:-} \
    -I"$MFU_ROOT/include" -I"$MFU_ROOT/shim" -I"$MFU_ROOT/analyzer" -I"$MFU_ROOT/tests/unit" \
    $("$config" --includes) -o "embed-$version" "$MFU_ROOT/tests/integration/pyembed/embed.c" \
    "$MFU_ROOT/${MFU_BUILD:-build}/libmfu_shim.a" "$MFU_ROOT/${MFU_BUILD:-build}/libmfu_analyzer.a" \
    $ldflags -Wl,-rpath,"$prefix/lib" -ldl -lpthread \
    || fail "$version: cannot build the embedded program with $config"
  ASAN_OPTIONS=$HOST_ASAN ./"embed-$version" >"out-$version.txt" 2>&1 || { cat "out-$version.txt"; fail "$version: exited $?"; }
  echo "== $version ($config)"; cat "out-$version.txt"
  if [ "$minor" -ge 10 ] && [ "$minor" -le 13 ]; then
    supported=$((supported + 1))
    grep -qx "python 3.$minor: read from the thread state" "out-$version.txt" || fail "$version: not read"
    sed -n 2,4p "out-$version.txt" > frames.txt
    method=Model.forward
    [ "$minor" -ge 11 ] || method=forward # 3.10 has no qualified names
    printf 'frame attention model.py:4\nframe %s model.py:8\nframe <module> model.py:10\n' $method > want.txt
    diff want.txt frames.txt || fail "$version: wrong Python frames"
  else
    grep -qx "python 3.$minor: unsupported CPython version" "out-$version.txt" || fail "$version: not refused"
    grep -q '^frame' "out-$version.txt" && fail "$version: frames from an unsupported version"
    grep -q "Python 3.$minor: its frames are not read" "out-$version.txt" || fail "$version: not said"
  fi
done
[ $supported -gt 0 ] || fail "no supported CPython (3.10-3.13) found: install python3-dev"
