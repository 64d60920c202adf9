# The shim depends on nothing but glibc: no DT_NEEDED on any CUDA (or other) library, and every
# wrapper is exported without a version node, so it interposes cu12 and cu13 references alike.
. "$MFU_ROOT/tests/lib.sh"
needed=$(readelf -d "$SHIM" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
for lib in $needed; do
  case $lib in libc.so.*|libdl.so.*|libpthread.so.*|libm.so.*|ld-linux*) ;;
    lib[atu]san.so.*|libubsan.so.*) [ -n "${MFU_SANITIZE:-}" ] ||
      fail "libmfushim.so needs $lib, a sanitizer's runtime, outside make check-sanitize" ;;
    *) fail "libmfushim.so needs $lib (only glibc is allowed)" ;;
  esac
done
versioned=$(nm -D --with-symbol-versions --defined-only "$SHIM" | grep -E ' cublas' | grep -c '@' || true)
expect_eq "versioned wrappers" "$versioned" 0
# Every entry of the API spec is exported.
spec=$(cat "$MFU_ROOT/include/mfu/api_spec.h" "$MFU_ROOT/include/mfu/api_spec_blas3.h" |
  grep -oE '^  X\((cublas[A-Za-z0-9_]+)' | sed 's/  X(//' | sort)
exported=$(nm -D --defined-only "$SHIM" | awk '{print $3}' | grep -E '^cublas' | sort)
missing=$(comm -23 <(echo "$spec") <(echo "$exported"))
[ -z "$missing" ] || fail "not exported: $missing"
# ...and the spec is the whole GEMM family of the toolkit's header.
header=$(grep -oE 'CUBLASWINAPI (cublas[A-Za-z0-9_]*[gG]emm[A-Za-z0-9_]*)' "$CUDA_HOME/include/cublas_api.h" |
  awk '{print $2}' | grep -vE 'gemv|Gemv|dgmm|gemmt|Uint8gemmBias' | sort -u)
extra=$(comm -23 <(echo "$header") <(echo "$spec" | grep -v cublasLtMatmul))
[ -z "$extra" ] || fail "GEMMs of cublas_api.h missing from the spec: $extra"
# ...and every other Level-3 routine of it (symm, hemm, syrk, herk, syr2k, her2k, trmm, trsm).
header=$(grep -oE 'CUBLASWINAPI (cublas[A-Za-z0-9_]*(symm|hemm|syrk|herk|syr2k|her2k|trmm|trsm)[A-Za-z0-9_]*)' \
  "$CUDA_HOME/include/cublas_api.h" | awk '{print $2}' | sort -u)
extra=$(comm -23 <(echo "$header") <(echo "$spec"))
[ -z "$extra" ] || fail "Level-3 routines of cublas_api.h missing from the spec: $extra"
echo "ok: NEEDED = $needed; $(echo "$spec" | wc -l) unversioned wrappers"
