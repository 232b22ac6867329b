// Real checkpoint layouts, tensor names and shapes as the publishers write them, for tests and the benchmark.
#pragma once

#include <string>

#include "support/safetensors_writer.hpp"

namespace sttest {

// mlx-community/Meta-Llama-3.1-8B-Instruct-4bit: mlx-lm quantizes every nn.Linear and nn.Embedding
// (mlx/nn/layers/quantized.py quantize: "Both Linear and Embedding layers will be quantized") to 4 bits in
// groups of 64: weight U32 [out, in·4/32], scales and biases [out, in/64] in the model dtype (BF16).
// Llama-3.1-8B does not tie embeddings (tie_word_embeddings: false), so lm_head is stored
// (mlx_lm/models/llama.py Model.__init__).
inline void add_mlx_linear(Writer& w, const std::string& prefix, std::int64_t out, std::int64_t in) {
  w.add(prefix + ".weight", "U32", {out, in * 4 / 32});
  w.add(prefix + ".scales", "BF16", {out, in / 64});
  w.add(prefix + ".biases", "BF16", {out, in / 64});
}

inline Writer mlx_llama31_8b_4bit() {
  Writer w;
  w.metadata("format", "mlx");
  add_mlx_linear(w, "model.embed_tokens", 128256, 4096);
  for (int l = 0; l < 32; ++l) {
    std::string p = "model.layers." + std::to_string(l);
    add_mlx_linear(w, p + ".self_attn.q_proj", 4096, 4096);
    add_mlx_linear(w, p + ".self_attn.k_proj", 1024, 4096);
    add_mlx_linear(w, p + ".self_attn.v_proj", 1024, 4096);
    add_mlx_linear(w, p + ".self_attn.o_proj", 4096, 4096);
    add_mlx_linear(w, p + ".mlp.gate_proj", 14336, 4096);
    add_mlx_linear(w, p + ".mlp.up_proj", 14336, 4096);
    add_mlx_linear(w, p + ".mlp.down_proj", 4096, 14336);
    w.add(p + ".input_layernorm.weight", "BF16", {4096});
    w.add(p + ".post_attention_layernorm.weight", "BF16", {4096});
  }
  w.add("model.norm.weight", "BF16", {4096});
  add_mlx_linear(w, "lm_head", 128256, 4096);
  return w;
}

// GPTQ (auto_gptq / optimum, sym, desc_act false, group 128): qweight I32 [in/8, out], qzeros I32 [in/128,
// out/8], scales F16 [in/128, out], g_idx I32 [in]; embeddings, norms and lm_head stay F16.
inline void add_gptq_linear(Writer& w, const std::string& prefix, std::int64_t out, std::int64_t in) {
  w.add(prefix + ".qweight", "I32", {in / 8, out});
  w.add(prefix + ".qzeros", "I32", {in / 128, out / 8});
  w.add(prefix + ".scales", "F16", {in / 128, out});
  w.add(prefix + ".g_idx", "I32", {in});
}

inline Writer gptq_llama31_8b_4bit() {
  Writer w;
  w.add("model.embed_tokens.weight", "F16", {128256, 4096});
  for (int l = 0; l < 32; ++l) {
    std::string p = "model.layers." + std::to_string(l);
    add_gptq_linear(w, p + ".self_attn.q_proj", 4096, 4096);
    add_gptq_linear(w, p + ".self_attn.k_proj", 1024, 4096);
    add_gptq_linear(w, p + ".self_attn.v_proj", 1024, 4096);
    add_gptq_linear(w, p + ".self_attn.o_proj", 4096, 4096);
    add_gptq_linear(w, p + ".mlp.gate_proj", 14336, 4096);
    add_gptq_linear(w, p + ".mlp.up_proj", 14336, 4096);
    add_gptq_linear(w, p + ".mlp.down_proj", 4096, 14336);
    w.add(p + ".input_layernorm.weight", "F16", {4096});
    w.add(p + ".post_attention_layernorm.weight", "F16", {4096});
  }
  w.add("model.norm.weight", "F16", {4096});
  w.add("lm_head.weight", "F16", {128256, 4096});
  return w;
}

// Block-FP8 (Qwen/Qwen3-30B-A3B-FP8, DeepSeek-V3 style, weight_block_size [128, 128]): each quantized linear
// has an F8_E4M3 weight [out, in] and an F32 weight_scale_inv [⌈out/128⌉, ⌈in/128⌉]; embeddings, norms, the
// router (mlp.gate) and lm_head stay BF16 (modules_to_not_convert in its config). Layers [first, last) only,
// so a test can spread them over shards.
inline void add_fp8_linear(Writer& w, const std::string& prefix, std::int64_t out, std::int64_t in) {
  w.add(prefix + ".weight", "F8_E4M3", {out, in});
  w.add(prefix + ".weight_scale_inv", "F32", {(out + 127) / 128, (in + 127) / 128});
}

inline void add_qwen3_moe_fp8_layers(Writer& w, int first, int last) {
  for (int l = first; l < last; ++l) {
    std::string p = "model.layers." + std::to_string(l);
    add_fp8_linear(w, p + ".self_attn.q_proj", 4096, 2048);
    add_fp8_linear(w, p + ".self_attn.k_proj", 512, 2048);
    add_fp8_linear(w, p + ".self_attn.v_proj", 512, 2048);
    add_fp8_linear(w, p + ".self_attn.o_proj", 2048, 4096);
    w.add(p + ".self_attn.q_norm.weight", "BF16", {128});
    w.add(p + ".self_attn.k_norm.weight", "BF16", {128});
    w.add(p + ".mlp.gate.weight", "BF16", {128, 2048});
    for (int e = 0; e < 128; ++e) {
      std::string x = p + ".mlp.experts." + std::to_string(e);
      add_fp8_linear(w, x + ".gate_proj", 768, 2048);
      add_fp8_linear(w, x + ".up_proj", 768, 2048);
      add_fp8_linear(w, x + ".down_proj", 2048, 768);
    }
    w.add(p + ".input_layernorm.weight", "BF16", {2048});
    w.add(p + ".post_attention_layernorm.weight", "BF16", {2048});
  }
}

// `all` cut into `n` shards of consecutive tensors (as save_pretrained cuts at its size limit), none empty.
inline std::vector<Writer> split_shards(const Writer& all, int n) {
  std::vector<Writer> out(static_cast<std::size_t>(n));
  const auto& t = all.tensors();
  for (std::size_t i = 0; i < t.size(); ++i)
    out[i * static_cast<std::size_t>(n) / t.size()].add(t[i].name, t[i].dtype, t[i].shape);
  return out;
}

// model.safetensors.index.json for shards written from `shards` (file name, writer).
inline std::string index_json(const std::vector<std::pair<std::string, const Writer*>>& shards) {
  std::string map;
  std::int64_t total = 0;
  for (const auto& [file, w] : shards) {
    total += w->data_bytes();
    for (const auto& t : w->tensors())
      map += (map.empty() ? "" : ",\n    ") + ("\"" + t.name + "\": \"" + file + "\"");
  }
  return "{\n  \"metadata\": {\"total_size\": " + std::to_string(total) + "},\n  \"weight_map\": {\n    " +
         map + "\n  }\n}\n";
}

}  // namespace sttest
