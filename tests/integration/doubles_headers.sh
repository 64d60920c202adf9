# The doubles export every function of the toolkit's headers: the list that gen_stubs.py reads
# from the preprocessed headers, which must itself hold every name a plain text search of the
# headers finds (so that a parsing slip cannot shrink both sides alike).
. "$MFU_ROOT/tests/lib.sh"
inc=${CUDA_HOME:-/usr/local/cuda}/include
[ -f "$inc/cublasLt.h" ] && [ -f "$inc/nccl.h" ] || { echo "skip: no CUDA headers in $inc"; exit 77; }
stack=${MFU_CUDA_STACK:-13}
grep_names() { # LIBRARY: the names a text search of its headers finds
  case $1 in
    cudart) cat "$inc/cuda_runtime_api.h" "$inc/cuda_profiler_api.h" | tr '\n' ' ' |
              grep -oE 'CUDARTAPI +[A-Za-z_][A-Za-z0-9_]* *\(' | sed 's/CUDARTAPI *//; s/ *(//' ;;
    cublas) tr '\n' ' ' < "$inc/cublas_api.h" | grep -oE 'CUBLASWINAPI +cublas[A-Za-z0-9_]*' |
              awk '{print $2}' ;;
    cublaslt) tr '\n' ' ' < "$inc/cublasLt.h" | grep -oE 'CUBLASWINAPI +cublasLt[A-Za-z0-9_]*' |
              awk '{print $2}' ;;
    nccl) grep -oE '^(ncclResult_t|const char\*|void) +p?nccl[A-Za-z0-9_]+' "$inc/nccl.h" |
              awk '{print $NF}' ;;
  esac | sort -u
}
total=0
for lib in cudart:libcudart.so.$stack cublas:libcublas.so.$stack cublaslt:libcublasLt.so.$stack \
           nccl:libnccl.so.2; do
  name=${lib%%:*} so=$DOUBLES/${lib#*:}
  python3 "$MFU_ROOT/tests/doubles/gen_stubs.py" "$name" --cuda-include "$inc" --list > "$name.list"
  [ "$(wc -l < "$name.list")" -gt 40 ] || fail "$name: only $(wc -l < "$name.list") functions read"
  unread=$(comm -23 <(grep_names "$name") "$name.list")
  [ -z "$unread" ] || fail "$name: in the headers but not in gen_stubs.py's list: $unread"
  nm -D --defined-only "$so" | awk '{print $3}' | sed 's/@.*//' | sort -u > "$name.exported"
  missing=$(comm -23 "$name.list" "$name.exported")
  [ -z "$missing" ] || fail "$(basename "$so") lacks: $missing"
  total=$((total + $(wc -l < "$name.list")))
done
# A stub answers "not supported" in the library's own terms; a written function really works.
cat > probe.c <<'C'
#include <cuda_runtime_api.h>
#include <stdio.h>
int main(void) {
  int v = 0;
  cudaError_t stub = cudaGraphicsUnregisterResource(NULL), real = cudaRuntimeGetVersion(&v);
  printf("%s %d %s\n", cudaGetErrorName(stub), real, v >= 12000 ? "versioned" : "unversioned");
  return 0;
}
C
cc -I"$inc" probe.c -o probe -L"$DOUBLES" -l:libcudart.so.$stack
got=$(LD_LIBRARY_PATH=$DOUBLES LD_PRELOAD=$SAN_PRELOAD ASAN_OPTIONS=$HOST_ASAN ./probe)
expect_eq "stub and written function" "$got" "cudaErrorNotSupported 0 versioned"
echo "ok: the doubles export all $total header functions"
