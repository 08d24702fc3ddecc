#!/usr/bin/env python3
"""Writes the example Chakra traces ring4.<rank>.et (4 ranks) with a hand-rolled
protobuf encoder, so no protobuf package is needed: per rank a forward compute, an
all-reduce of process group "0", a backward compute, a send to the next rank and a
receive from the previous one, then an optimizer step. Field numbers: docs/workload-files.md.
Run from this folder: python3 make_traces.py"""

import struct
import sys


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field, wire):
    return varint((field << 3) | wire)


def f_varint(field, v):
    if v < 0:
        v += 1 << 64
    return key(field, 0) + varint(v)


def f_bytes(field, b):
    if isinstance(b, str):
        b = b.encode()
    return key(field, 2) + varint(len(b)) + b


def f_packed(field, values):
    return f_bytes(field, b"".join(varint(v) for v in values))


# Node types and collective types (Chakra's et_def.proto enum values).
COMP, SEND, RECV, COLL, METADATA = 4, 5, 6, 7, 1
ALL_REDUCE = 0


def attr_int64(name, v):
    return f_bytes(10, f_bytes(1, name) + f_varint(9, v))


def attr_int32(name, v):
    return f_bytes(10, f_bytes(1, name) + f_varint(7, v))


def attr_string(name, s):
    return f_bytes(10, f_bytes(1, name) + f_bytes(29, s))


def node(nid, name, ntype, data_deps=(), ctrl_deps=(), micros=0, attrs=b""):
    m = f_varint(1, nid) + f_bytes(2, name) + f_varint(3, ntype)
    if ctrl_deps:
        m += f_packed(4, ctrl_deps)
    if data_deps:
        m += f_packed(5, data_deps)
    if micros:
        m += f_varint(7, micros)
    return m + attrs


def frame(msg):
    return varint(len(msg)) + msg


def trace(rank, ranks):
    out = frame(f_bytes(1, "0.0.4"))  # GlobalMetadata.version
    out += frame(node(1, "forward", COMP, micros=100))
    out += frame(node(2, "all_reduce", COLL, data_deps=[1],
                      attrs=attr_int64("comm_type", ALL_REDUCE) + attr_int64("comm_size", 1 << 20)
                      + attr_string("pg_name", "0")))
    out += frame(node(3, "backward", COMP, data_deps=[2], micros=50))
    out += frame(node(4, "send_next", SEND, data_deps=[3],
                      attrs=attr_int32("comm_dst", (rank + 1) % ranks)
                      + attr_int64("comm_size", 256 << 10) + attr_int32("comm_tag", 7)))
    out += frame(node(5, "recv_prev", RECV, data_deps=[3],
                      attrs=attr_int32("comm_src", (rank - 1) % ranks)
                      + attr_int64("comm_size", 256 << 10) + attr_int32("comm_tag", 7)))
    out += frame(node(6, "optimizer", COMP, data_deps=[5], ctrl_deps=[4], micros=20))
    return out


if __name__ == "__main__":
    prefix = sys.argv[1] if len(sys.argv) > 1 else "ring4"
    for r in range(4):
        with open(f"{prefix}.{r}.et", "wb") as f:
            f.write(trace(r, 4))
