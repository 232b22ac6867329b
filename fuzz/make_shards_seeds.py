#!/usr/bin/env python3
"""Writes the seeds of fuzz/corpus/shards/ (format: fuzz/targets/shards_target.cpp): safetensors shards and
GGUF split parts that alias one another (hardlinks, symbolic links, "./" names), repeat a tensor, or belong
to another model, and one clean set of each."""
import json
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "shards")


def st_file(tensors):
    header, offset = {}, 0
    for name in tensors:
        header[name] = {"dtype": "F32", "shape": [1], "data_offsets": [offset, offset + 4]}
        offset += 4
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + b"\0" * offset


def gstr(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf_file(arch, count, no, tensors, total=None):
    kv = [gstr("general.architecture") + struct.pack("<I", 8) + gstr(arch),
          gstr("split.count") + struct.pack("<I", 2) + struct.pack("<H", count),
          gstr("split.no") + struct.pack("<I", 2) + struct.pack("<H", no)]
    if total is not None:
        kv.append(gstr("split.tensors.count") + struct.pack("<I", 5) + struct.pack("<i", total))
    infos, offset = b"", 0
    for name in tensors:
        infos += gstr(name) + struct.pack("<I", 1) + struct.pack("<Q", 8) + struct.pack("<I", 0)
        infos += struct.pack("<Q", offset)
        offset += 32
    return b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kv)) + b"".join(kv) + infos


def rec(op, payload):
    return bytes([op]) + struct.pack(">H", len(payload)) + payload


SEEDS = {
    "st-clean": b"\0" + rec(0, st_file(["a"])) + rec(0, st_file(["b"])),
    "st-hardlink": b"\0" + rec(0, st_file(["a"])) + rec(1, b"\0"),
    "st-symlink": b"\0" + rec(0, st_file(["a"])) + rec(2, b"\0"),
    "st-duplicate-tensor": b"\0" + rec(0, st_file(["a", "b"])) + rec(0, st_file(["b"])),
    "st-index-dot-alias": b"\0" + rec(0, st_file(["a", "b"])) + rec(0, st_file(["c"])) + rec(3, json.dumps(
        {"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "./model-00001-of-00002.safetensors",
                        "c": "model-00002-of-00002.safetensors"}}).encode()),
    "st-index-nul": b"\0" + rec(0, st_file(["a"])) + rec(3, b'{"weight_map": {"a": "model-00001-of-00001.safetensors\\u0000x"}}'),
    "gguf-clean": b"\1" + rec(0, gguf_file("llama", 2, 0, ["t0"], 2)) + rec(0, gguf_file("llama", 2, 1, ["t1"])),
    "gguf-symlink": b"\1" + rec(0, gguf_file("llama", 2, 0, ["t0"], 2)) + rec(2, b"\0"),
    "gguf-hardlink": b"\1" + rec(0, gguf_file("llama", 2, 0, ["t0"], 2)) + rec(1, b"\0"),
    "gguf-other-arch": b"\1" + rec(0, gguf_file("llama", 2, 0, ["t0"], 2)) + rec(0, gguf_file("qwen2", 2, 1, ["t1"])),
    "gguf-other-count": b"\1" + rec(0, gguf_file("llama", 2, 0, ["t0"], 2)) + rec(0, gguf_file("llama", 3, 1, ["t1"])),
    "gguf-duplicate-tensor": b"\1" + rec(0, gguf_file("llama", 2, 0, ["t0"], 2)) + rec(0, gguf_file("llama", 2, 1, ["t0"])),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
