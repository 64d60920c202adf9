# Programs built with nvcc run unmodified on the doubles under the shim.
# cuda_program.cu (-cudart shared): a kernel, copies, cuBLAS, cuBLASLt with an algorithm search,
# NCCL and a CUDA graph; its GEMMs' results are checked by the program itself, and the counts
# must be exactly what it says it issued. static_cudart.cpp (nvcc's default -cudart static):
# the shim still sees cuBLAS and NCCL, but none of the runtime's graph calls. collectives.cu
# (-cudart shared): an NCCL benchmark as nccl-tests writes one, on two devices; every
# operation counted as it says it issued (graph launches included).
. "$MFU_ROOT/tests/lib.sh"
NVCC=${CUDA_HOME:-/usr/local/cuda}/bin/nvcc
[ -x "$NVCC" ] || { echo "skip: no nvcc at $NVCC"; exit 77; }
[ "${MFU_CUDA_STACK:-13}" = 13 ] || { echo "skip: nvcc builds against CUDA 13's runtime, not a CUDA 12 stack"; exit 77; }
src=$MFU_ROOT/tests/integration
"$NVCC" -cudart shared -o cuda_program "$src/cuda_program.cu" -lcublas -lcublasLt -lnccl
"$NVCC" -cudart static -o static_cudart "$src/static_cudart.cpp" -lcublas -lnccl
"$NVCC" -cudart shared -o collectives "$src/collectives.cu" -lnccl
readelf -d cuda_program | grep -q 'NEEDED.*libcudart.so' || fail "cuda_program: no shared runtime"
! readelf -d static_cudart | grep -q 'NEEDED.*libcudart' || fail "static_cudart needs libcudart"

# Unmodified, with and without the shim: the same output, exit 0 (every result checked).
LD_LIBRARY_PATH=$DOUBLES LD_PRELOAD=$SAN_PRELOAD ASAN_OPTIONS=$HOST_ASAN ./cuda_program > plain.txt || fail "cuda_program failed on the doubles"
traced ./cuda_program > traced.txt || fail "cuda_program failed under the shim"
cmp -s plain.txt traced.txt || fail "the shim changed the program's output"
issued=$(cat traced.txt)
expect_eq "what cuda_program issued" "$issued" \
  "issued: gemm_calls=6 gemm_flops=3264 nccl_calls=2 nccl_bytes=5120"
"$MFU" report traces --json > report.json
# 4x2x3 Sgemm and Dgemm (48 each), 8x8x8 x2 strided (2048), 8x8x8 Lt (1024), the captured
# Sgemm launched twice (96); all-reduce of 1024 floats, broadcast of 256.
expect_eq gemm_calls "$(json report.json totals.gemm_calls)" 6
expect_eq gemm_flops "$(json report.json totals.gemm_flops)" 3264
expect_eq fp64 "$(json report.json gemm_flops_by_dtype.fp64)" 48
expect_eq "cublasLtMatmul calls" "$(json report.json gemm_by_api.cublasLtMatmul.calls)" 1
expect_eq nccl_calls "$(json report.json totals.nccl_calls)" 2
expect_eq nccl_bytes "$(json report.json totals.nccl_bytes)" 5120
expect_eq "graph launches" "$(json report.json graphs.launches)" 2
expect_eq "launched flops" "$(json report.json graphs.launched_gemm_flops)" 96

# Static runtime: the capture, instantiation and launches are invisible (on the doubles they
# fail: no driver), the Sgemm and the all-reduce are counted, the Sgemm as if run once.
MFU_TRACE_DIR=$PWD/static traced ./static_cudart > static.txt || fail "static_cudart failed"
"$MFU" report static --json > static.json
expect_eq "static: gemm flops" "$(json static.json totals.gemm_flops)" 524288   # 2*64^3
expect_eq "static: nccl bytes" "$(json static.json totals.nccl_bytes)" 4096
expect_eq "static: graph calls seen" "$(json static.json graphs.captures)/$(json static.json graphs.launches)" 0/0
# An NCCL benchmark on two devices: per operation, the calls and bytes it issued.
MFU_DOUBLE_DEVICES=2 LD_LIBRARY_PATH=$DOUBLES LD_PRELOAD=$SAN_PRELOAD ASAN_OPTIONS=$HOST_ASAN ./collectives > coll_plain.txt || fail "collectives failed on the doubles"
MFU_DOUBLE_DEVICES=2 MFU_TRACE_DIR=$PWD/coll traced ./collectives > coll.txt || fail "collectives failed under the shim"
cmp -s coll_plain.txt coll.txt || fail "the shim changed collectives' output"
# 4 grouped iterations on 2 devices, then a graph per device launched 3 times: 14 calls of each
# operation (AllReduce twice: sum and PreMulSum), 4096 bytes each (the gathers: 512 x 4 x 2).
expect_eq "AllReduce issued" "$(grep '^AllReduce ' coll.txt)" "AllReduce 28 114688"
"$MFU" report coll --json > coll.json
while read -r op calls bytes; do
  expect_eq "$op calls" "$(json coll.json nccl_by_op.$op.calls)" "$calls"
  expect_eq "$op bytes" "$(json coll.json nccl_by_op.$op.bytes)" "$bytes"
  expect_eq "$op failed" "$(json coll.json nccl_by_op.$op.failed)" 0
done < coll.txt
expect_eq "collectives: graph launches" "$(json coll.json graphs.launches)" 48
expect_eq "collectives: launched calls" "$(json coll.json graphs.launched_nccl_calls)" 54
echo "ok: $issued; collectives: $(wc -l < coll.txt) operations counted as issued; static runtime: cuBLAS and NCCL counted, graph calls unseen"
