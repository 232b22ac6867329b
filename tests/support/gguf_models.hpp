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

// token_embd, output_norm, output and per layer attn_norm, attn_q/k/v/output, ffn_norm, ffn_gate/up/down.
inline void add_llama_tensors(GgufWriter& w, const AttnLayout& a) {
  w.tensor("token_embd.weight", {a.n_embd, a.n_vocab}, a.type);
  w.tensor("output_norm.weight", {a.n_embd}, kF32T);
  w.tensor("output.weight", {a.n_embd, a.n_vocab}, a.type);
  for (std::size_t il = 0; il < a.n_head_kv.size(); ++il) {
    std::string p = "blk." + std::to_string(il) + ".";
    w.tensor(p + "attn_norm.weight", {a.n_embd}, kF32T);
    if (a.n_head_kv[il] > 0) {
      w.tensor(p + "attn_q.weight", {a.n_embd, a.n_head * a.head_k}, a.type);
      w.tensor(p + "attn_k.weight", {a.n_embd, a.n_head_kv[il] * a.head_k}, a.type);
      w.tensor(p + "attn_v.weight", {a.n_embd, a.n_head_kv[il] * a.head_v}, a.type);
      w.tensor(p + "attn_output.weight", {a.n_head * a.head_v, a.n_embd}, a.type);
    }
    w.tensor(p + "ffn_norm.weight", {a.n_embd}, kF32T);
    w.tensor(p + "ffn_gate.weight", {a.n_embd, a.n_ff}, a.type);
    w.tensor(p + "ffn_up.weight", {a.n_embd, a.n_ff}, a.type);
    w.tensor(p + "ffn_down.weight", {a.n_ff, a.n_embd}, a.type);
  }
}

// Llama-3.1-8B (meta-llama/Llama-3.1-8B config.json): 32 layers, hidden 4096, 32 heads, 8 KV heads, head 128.
inline GgufWriter llama31_8b(std::uint64_t n_vocab = 320) {
  GgufWriter w;
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
  add_llama_tensors(w, {.n_embd = 4096,
                        .n_head = 32,
                        .n_head_kv = std::vector<std::uint64_t>(32, 8),
                        .head_k = 128,
                        .head_v = 128,
                        .n_ff = 256,
                        .n_vocab = n_vocab,
                        .type = kQ4_KT});
  return w;
}

}  // namespace kvspec::test
