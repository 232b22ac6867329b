// GGUF layouts with the metadata of real models, as llama.cpp's converter (convert_hf_to_gguf.py) writes
// them. Hyper-parameters come from the models' config.json (../shared/fixtures/configs) and
// ../shared/reference/arch-rules-special.md; FFN widths and vocabularies are shrunk where they do not matter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/gguf_writer.hpp"

namespace kvspec::test {

// A tokenizer block like a real conversion's: `n` tokens, their types and (BPE) merges.
inline void add_tokenizer(GgufWriter& w, std::uint64_t n) {
  w.str("tokenizer.ggml.model", "gpt2");
  w.str("tokenizer.ggml.pre", "llama-bpe");
  w.arr_str_gen("tokenizer.ggml.tokens", n, [](std::uint64_t i) { return "tok_" + std::to_string(i); });
  w.arr_i32("tokenizer.ggml.token_type", std::vector<std::int32_t>(n, 1));
  w.arr_str_gen("tokenizer.ggml.merges", n, [](std::uint64_t i) { return "t" + std::to_string(i) + " x"; });
  w.u32("tokenizer.ggml.bos_token_id", 1);
  w.u32("tokenizer.ggml.eos_token_id", 2);
}

struct AttnLayout {
  std::uint64_t n_embd = 0;
  std::uint64_t n_head = 0;
  std::vector<std::uint64_t> n_head_kv;  // per layer; 0 = no attention tensors in that layer
  std::uint64_t head_k = 0, head_v = 0;
  std::uint64_t n_ff = 64;
  std::uint64_t n_vocab = 320;
  std::uint32_t type = kF16T;
};

// token_embd, output_norm, output and per layer attn_norm, attn_q/k/v/output, ffn_norm, ffn_gate/up/down, in
// the converter's order, each handed to `add(name, dims, type)`.
template <class Add>
void for_llama_tensors(const AttnLayout& a, Add&& add) {
  add("token_embd.weight", std::vector<std::uint64_t>{a.n_embd, a.n_vocab}, a.type);
  add("output_norm.weight", std::vector<std::uint64_t>{a.n_embd}, kF32T);
  add("output.weight", std::vector<std::uint64_t>{a.n_embd, a.n_vocab}, a.type);
  for (std::size_t il = 0; il < a.n_head_kv.size(); ++il) {
    std::string p = "blk." + std::to_string(il) + ".";
    add(p + "attn_norm.weight", std::vector<std::uint64_t>{a.n_embd}, kF32T);
    if (a.n_head_kv[il] > 0) {
      add(p + "attn_q.weight", std::vector<std::uint64_t>{a.n_embd, a.n_head * a.head_k}, a.type);
      add(p + "attn_k.weight", std::vector<std::uint64_t>{a.n_embd, a.n_head_kv[il] * a.head_k}, a.type);
      add(p + "attn_v.weight", std::vector<std::uint64_t>{a.n_embd, a.n_head_kv[il] * a.head_v}, a.type);
      add(p + "attn_output.weight", std::vector<std::uint64_t>{a.n_head * a.head_v, a.n_embd}, a.type);
    }
    add(p + "ffn_norm.weight", std::vector<std::uint64_t>{a.n_embd}, kF32T);
    add(p + "ffn_gate.weight", std::vector<std::uint64_t>{a.n_embd, a.n_ff}, a.type);
    add(p + "ffn_up.weight", std::vector<std::uint64_t>{a.n_embd, a.n_ff}, a.type);
    add(p + "ffn_down.weight", std::vector<std::uint64_t>{a.n_ff, a.n_embd}, a.type);
  }
}

inline void add_llama_tensors(GgufWriter& w, const AttnLayout& a) {
  for_llama_tensors(a, [&w](const std::string& name, std::vector<std::uint64_t> dims, std::uint32_t type) {
    w.tensor(name, std::move(dims), type);
  });
}

// Llama-3.1-8B (meta-llama/Llama-3.1-8B config.json): 32 layers, hidden 4096, 32 heads, 8 KV heads, head 128.
inline void add_llama31_8b_metadata(GgufWriter& w, std::uint64_t n_vocab) {
  w.str("general.architecture", "llama");
  w.str("general.name", "Llama-3.1-8B");
  w.u32("general.file_type", 15);  // MOSTLY_Q4_K_M
  w.u32("llama.block_count", 32);
  w.u32("llama.context_length", 131072);
  w.u32("llama.embedding_length", 4096);
  w.u32("llama.feed_forward_length", 14336);
  w.u32("llama.attention.head_count", 32);
  w.u32("llama.attention.head_count_kv", 8);
  w.f32("llama.rope.freq_base", 500000.0f);
  w.f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.u32("llama.rope.dimension_count", 128);
  w.u32("llama.vocab_size", static_cast<std::uint32_t>(n_vocab));
  add_tokenizer(w, n_vocab);
}

inline AttnLayout llama31_8b_layout(std::uint64_t n_vocab) {
  return {.n_embd = 4096,
          .n_head = 32,
          .n_head_kv = std::vector<std::uint64_t>(32, 8),
          .head_k = 128,
          .head_v = 128,
          .n_ff = 256,
          .n_vocab = n_vocab,
          .type = kQ4_KT};
}

inline GgufWriter llama31_8b(std::uint64_t n_vocab = 320) {
  GgufWriter w;
  add_llama31_8b_metadata(w, n_vocab);
  add_llama_tensors(w, llama31_8b_layout(n_vocab));
  return w;
}

// The same model as llama.cpp's gguf-split writes it in `count` parts (examples/gguf-split): the metadata in
// the first part, split.no / split.count (u16) and split.tensors.count (i32) in every part, the tensors in
// order, ceil(tensors / count) to a part.
inline std::vector<GgufWriter> llama31_8b_split(int count, std::uint64_t n_vocab = 320) {
  std::vector<GgufWriter> parts(static_cast<std::size_t>(count));
  std::vector<std::pair<std::string, std::pair<std::vector<std::uint64_t>, std::uint32_t>>> all;
  for_llama_tensors(llama31_8b_layout(n_vocab),
                    [&all](const std::string& name, std::vector<std::uint64_t> dims, std::uint32_t type) {
                      all.push_back({name, {std::move(dims), type}});
                    });
  const std::size_t per =
      (all.size() + static_cast<std::size_t>(count) - 1) / static_cast<std::size_t>(count);
  auto u16 = [](std::uint16_t v) { return std::string(reinterpret_cast<const char*>(&v), 2); };
  for (int i = 0; i < count; ++i) {
    GgufWriter& w = parts[static_cast<std::size_t>(i)];
    if (i == 0) add_llama31_8b_metadata(w, n_vocab);
    w.raw_kv("split.no", kU16, u16(static_cast<std::uint16_t>(i)));
    w.raw_kv("split.count", kU16, u16(static_cast<std::uint16_t>(count)));
    w.i32("split.tensors.count", static_cast<std::int32_t>(all.size()));
    for (std::size_t t = static_cast<std::size_t>(i) * per;
         t < all.size() && t < (static_cast<std::size_t>(i) + 1) * per; ++t)
      w.tensor(all[t].first, all[t].second.first, all[t].second.second);
  }
  return parts;
}

}  // namespace kvspec::test
