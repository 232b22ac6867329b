#!/usr/bin/env python3
"""Writes small header-only safetensors seeds for fuzz_safetensors into fuzz/corpus/safetensors/: the layouts
the readers know (plain, MLX- and GPTQ-packed, FP8 with scales, Mamba mixers, MLA projections), two layers each."""
import json
import os
import struct

BITS = {"BOOL": 8, "U8": 8, "I8": 8, "F8_E4M3": 8, "I16": 16, "F16": 16, "BF16": 16, "I32": 32, "U32": 32,
        "F32": 32, "F64": 64, "I64": 64, "F4": 4}


def header(tensors, metadata=None):
    h, at = {}, 0
    if metadata:
        h["__metadata__"] = metadata
    for name, dtype, shape in tensors:
        n = 1
        for d in shape:
            n *= d
        size = n * BITS[dtype] // 8
        h[name] = {"dtype": dtype, "shape": shape, "data_offsets": [at, at + size]}
        at += size
    text = json.dumps(h, separators=(",", ":")).encode()
    return struct.pack("<Q", len(text)) + text


def linear(prefix, out, inp, kind):
    if kind == "mlx":
        return [(prefix + ".weight", "U32", [out, inp // 8]), (prefix + ".scales", "BF16", [out, inp // 64]),
                (prefix + ".biases", "BF16", [out, inp // 64])]
    if kind == "gptq":
        return [(prefix + ".qweight", "I32", [inp // 8, out]), (prefix + ".qzeros", "I32", [inp // 128, out // 8]),
                (prefix + ".scales", "F16", [inp // 128, out]), (prefix + ".g_idx", "I32", [inp])]
    if kind == "fp8":
        return [(prefix + ".weight", "F8_E4M3", [out, inp]), (prefix + ".weight_scale_inv", "F32", [out // 128, inp // 128])]
    return [(prefix + ".weight", "BF16", [out, inp])]


def llama(kind):
    t = linear("model.embed_tokens", 256, 512, "plain" if kind != "mlx" else "mlx")
    for l in range(2):
        p = f"model.layers.{l}"
        for m, o in (("q_proj", 512), ("k_proj", 128), ("v_proj", 128), ("o_proj", 512)):
            t += linear(f"{p}.self_attn.{m}", o, 512, kind)
        for m in ("gate_proj", "up_proj"):
            t += linear(f"{p}.mlp.{m}", 1024, 512, kind)
        t += linear(f"{p}.mlp.down_proj", 512, 1024, kind)
        t += [(f"{p}.input_layernorm.weight", "BF16", [512])]
    t += [("model.norm.weight", "BF16", [512]), ("lm_head.weight", "BF16", [256, 512])]
    return t


def mamba():
    t = []
    for l in range(2):
        p = f"backbone.layers.{l}.mixer"
        t += [(p + ".conv1d.weight", "BF16", [1024, 1, 4]), (p + ".A_log", "F32", [16]),
              (p + ".norm.weight", "BF16", [1024]), (p + ".in_proj.weight", "BF16", [2048, 512])]
    return t


def moe_mla():
    t = []
    for l in range(2):
        p = f"model.layers.{l}"
        t += [(p + ".self_attn.kv_a_proj_with_mqa.weight", "BF16", [576, 512]),
              (p + ".self_attn.kv_b_proj.weight", "BF16", [4096, 512])]
        for e in range(2):
            t += linear(f"{p}.mlp.experts.{e}.down_proj", 512, 256, "plain")
    return t


def main():
    out = os.path.join(os.path.dirname(__file__), "corpus", "safetensors")
    os.makedirs(out, exist_ok=True)
    seeds = {"llama-bf16": header(llama("plain"), {"format": "pt"}), "llama-mlx4": header(llama("mlx"), {"format": "mlx"}),
             "llama-gptq4": header(llama("gptq")), "llama-fp8": header(llama("fp8")), "mamba2": header(mamba()),
             "mla-moe": header(moe_mla()), "empty": header([])}
    for name, data in seeds.items():
        with open(os.path.join(out, f"seed-{name}.safetensors"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
