"""What the shell tests' tools need of the trace format (include/mfu/trace.h): the kinds of the
records of a RECORDS block, in version 2 (uncompressed) or version 1."""
import struct

HEADER_SIZE, BLOCK_HEADER, V1_RECORD, RECORD = 2048, 32, 128, 136
MASK_BYTES, SLOT_BIT = (RECORD + 7) // 8, 3
# Dynamic slots per kind (mfu_v2_slots): the correlation id, and GEMM 1, NCCL 2, KERNEL 2,
# MEMCPY and MEMSET 1, CORRELATION 2, BLAS3 (as GEMM) 1 more.
SLOTS = {1: 2, 2: 3, 5: 3, 6: 2, 7: 2, 8: 3, 10: 2}


def version(data):
    return struct.unpack_from("<I", data, 8)[0]


def _varint(data, at):
    value, shift = 0, 0
    while True:
        b = data[at]
        value |= (b & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if not b & 0x80:
            return value, at


def record_kinds(data, block):
    """The kind of each record of the RECORDS block at offset `block` (None if it is
    compressed: its kinds are not told here)."""
    _, _, encoding, count, _, _, _ = struct.unpack_from("<IHHIIQQ", data, block)
    start = block + BLOCK_HEADER
    if version(data) < 2:
        return [struct.unpack_from("<H", data, start + i * V1_RECORD)[0] for i in range(count)]
    if encoding:
        return None
    size = struct.unpack_from("<I", data, start + 4)[0]
    at, end, descriptors, kinds = start + 16, start + 16 + size, [], []
    while at < end:
        tag = data[at]
        at += 1
        if tag & 3 == 1:  # a new descriptor: the mask of its nonzero bytes, then those bytes
            mask = data[at:at + MASK_BYTES]
            at += MASK_BYTES
            nonzero = [i for i in range(RECORD) if mask[i // 8] >> (i % 8) & 1]
            value = dict(zip(nonzero, data[at:at + len(nonzero)]))
            at += len(nonzero)
            descriptors.append(value.get(0, 0) | value.get(1, 0) << 8)
            kind = descriptors[-1]
        else:
            index, at = _varint(data, at)
            kind = descriptors[index]
        if tag & 4:  # a thread of its own
            _, at = _varint(data, at)
        for _ in range(2):  # start, duration
            _, at = _varint(data, at)
        for slot in range(SLOTS.get(kind, 1)):
            if tag >> (SLOT_BIT + slot) & 1:
                _, at = _varint(data, at)
        kinds.append(kind)
    return kinds
