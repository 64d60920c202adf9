# The shim writes trace format v2, plain or, with MFU_ZSTD, zstd-compressed RECORDS blocks:
# the same workload counts the same either way, host-only and with the GPU timeline, and the
# compressed file says so in its header and block headers. A bad level is refused, plainly.
. "$MFU_ROOT/tests/lib.sh"
EX=$MFU_ROOT/${MFU_BUILD:-build}/examples/transformer_step
BLOCKS="python3 $MFU_ROOT/tests/tools/trace_blocks.py"
args=(--layers 3 --steps 5 --allreduce-mb 4 --memory-bound-us 20)
summary() { "$MFU" report "$1" --json > "$1.json"; for k in totals.gemm_calls totals.gemm_flops \
  totals.nccl_bytes steps.count steps.mean_time_s; do json "$1.json" $k; done | paste -sd' '; }
header() { python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(2048); print(struct.unpack_from("<I",d,8)[0], struct.unpack_from("<I",d,1328)[0])' "$1"; } # version, zstd_level (their offsets in the header)

for cupti in off auto; do
  MFU_CUPTI=$cupti MFU_TRACE_DIR=$PWD/plain-$cupti traced "$EX" "${args[@]}" > /dev/null
  MFU_CUPTI=$cupti MFU_ZSTD=3 MFU_TRACE_DIR=$PWD/zstd-$cupti traced "$EX" "${args[@]}" > /dev/null
  plain=$(summary plain-$cupti) zstd=$(summary zstd-$cupti)
  [ "$(echo "$plain" | cut -d' ' -f1-4)" = "$(echo "$zstd" | cut -d' ' -f1-4)" ] ||
    fail "MFU_CUPTI=$cupti: plain '$plain', zstd '$zstd'"
  expect_eq "MFU_CUPTI=$cupti: GEMM calls" "$(echo "$plain" | cut -d' ' -f1)" 330
  expect_eq "plain header: version, zstd level" "$(header plain-$cupti/*.mfutrace)" "2 0"
  expect_eq "zstd header: version, zstd level" "$(header zstd-$cupti/*.mfutrace)" "2 3"
  # compressed RECORDS blocks show -1 GEMMs (trace_blocks.py does not decompress)
  [ "$($BLOCKS zstd-$cupti/*.mfutrace | awk '$2 == 1 && $6 == -1' | wc -l)" -ge 1 ] ||
    fail "no compressed block: $($BLOCKS zstd-$cupti/*.mfutrace)"
  [ "$($BLOCKS plain-$cupti/*.mfutrace | awk '$2 == 1 && $6 == -1' | wc -l)" = 0 ] ||
    fail "a compressed block without MFU_ZSTD"
done

MFU_ZSTD=fast MFU_TRACE_DIR=$PWD/bad expect 0 \
  "ignoring MFU_ZSTD=fast: expected a zstd level from 1 to 19, or 0 for none; using 0" traced "$EX" --steps 1
expect_eq "bad level: zstd level" "$(header bad/*.mfutrace)" "2 0"
echo "ok: v2 plain and zstd, host-only and with the timeline, count alike"
