#!/usr/bin/env python3
"""The blocks of a trace file (include/mfu/trace.h, v2 or v1), for the shell tests.

  trace_blocks.py FILE              one line per block: offset type count payload_size seq gemms
                                    (gemms: GEMM records in a RECORDS block, -1 if compressed)
  trace_blocks.py FILE tear N       flips a byte in the payload of the N-th RECORDS block
                                    (0-based) and prints that block's line
  trace_blocks.py FILE zero N M     zeros from the N-th RECORDS block's start to the M-th's
                                    end (their headers too) and prints one line per block

It walks the blocks by their headers, so it is meant for undamaged files.
"""
import struct
import sys

from mfutrace import BLOCK_HEADER, HEADER_SIZE, record_kinds

RECORDS, GEMM = 1, 1


def blocks(data):
    off = HEADER_SIZE
    while off + BLOCK_HEADER <= len(data):
        magic, btype, _, count, size, seq, _ = struct.unpack_from("<IHHIIQQ", data, off)
        kinds = record_kinds(data, off) if btype == RECORDS else []
        gemms = -1 if kinds is None else sum(1 for k in kinds if k == GEMM)
        yield off, btype, count, size, seq, gemms
        off += BLOCK_HEADER + size


def main():
    path = sys.argv[1]
    data = bytearray(open(path, "rb").read())
    every = list(blocks(data))
    records = [b for b in every if b[1] == RECORDS]
    if len(sys.argv) == 2:
        chosen = every
    elif sys.argv[2] == "tear":
        b = records[int(sys.argv[3])]
        data[b[0] + BLOCK_HEADER + b[3] // 2] ^= 0xff
        chosen = [b]
    elif sys.argv[2] == "zero":
        first, last = records[int(sys.argv[3])], records[int(sys.argv[4])]
        end = last[0] + BLOCK_HEADER + last[3]
        data[first[0]:end] = bytes(end - first[0])
        chosen = [b for b in every if first[0] <= b[0] <= last[0]]
    else:
        sys.exit(__doc__)
    open(path, "wb").write(data)
    for b in chosen:
        print(*b)


main()
