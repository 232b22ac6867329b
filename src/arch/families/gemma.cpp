// Gemma 2 and Gemma 3: interleaved local (sliding) and global layers, head_dim stated or defaulted to 256.
#include <array>

#include <fmt/format.h>

#include "arch/rule.hpp"

namespace kvspec {

namespace {

// use_bidirectional_attention: true makes a Gemma 3 text model a non-causal encoder (EmbeddingGemma,
// Gemma3TextModel). Gemma3TextConfig then sets sliding_window = sliding_window // 2 + 1 (modular_gemma3.py);
// the attention no longer keeps a cache between calls: llama.cpp's gemma-embedding has no memory
// (create_memory returns nullptr) and vLLM runs it as an encoder-only pooling model. Every layer is `none`.
Status gemma3_bidirectional(BuildContext& ctx) {
  auto bidi = ctx.cfg.boolean("use_bidirectional_attention");
  if (!bidi) return bidi.error();
  if (!*bidi || !**bidi) return Ok{};
  std::string window = ctx.window ? fmt::format("; the attention window is sliding_window {} // 2 + 1 = {}",
                                                *ctx.window, *ctx.window / 2 + 1)
                                  : "";
  for (LayerSpec& l : ctx.spec.layers) {
    l.kind = LayerKind::none;
    l.window.reset();
    l.source = Tier::config;
  }
  ctx.note(fmt::format(
      "use_bidirectional_attention: a non-causal encoder (an embedding model): no KV cache is kept between "
      "calls (llama.cpp gemma-embedding has no memory; vLLM runs it encoder-only){}",
      window));
  return Ok{};
}

constexpr std::array kRules{
    ArchRule{.model_type = "gemma2",
             .config_class = "Gemma2Config",
             .source =
                 "transformers modular_gemma2.py: layer_types default sliding iff (i + 1) % 2 != 0 (even "
                 "layers sliding, odd global); defaults heads 8, kv 4, head_dim 256, sliding_window 4096; "
                 "llama.cpp LLM_ARCH_GEMMA2 set_swa_pattern(2)",
             .defaults = {.num_layers = 26,
                          .num_heads = 8,
                          .num_kv_heads = 4,
                          .head_dim = 256,
                          .sliding_window = 4096,
                          .period = 2},
             .pattern = Pattern::periodic_global},
    ArchRule{.model_type = "gemma3_text",
             .config_class = "Gemma3TextConfig",
             .source =
                 "transformers configuration_gemma3.py: sliding_window_pattern default 6 -> global iff "
                 "(i + 1) % 6 == 0; defaults heads 8, kv 4, head_dim 256, sliding_window 4096, vocab 262208 "
                 "tied, hidden 2304, intermediate 9216, max_position_embeddings 131072 (Gemma3TextConfig "
                 "at 008f5c8c); llama.cpp LLM_ARCH_GEMMA3 set_swa_pattern(6)",
             .defaults = {.num_layers = 26,
                          .hidden_size = 2304,
                          .num_heads = 8,
                          .num_kv_heads = 4,
                          .head_dim = 256,
                          .sliding_window = 4096,
                          .period = 6,
                          .vocab_size = 262208,
                          .tie_word_embeddings = true,
                          .intermediate_size = 9216,
                          .max_position_embeddings = 131072},
             .pattern = Pattern::periodic_global,
             .finish = gemma3_bidirectional},
    ArchRule{.model_type = "gemma3",
             .config_class = "Gemma3Config",
             .source = "transformers configuration_gemma3.py: multimodal wrapper; text_config is a "
                       "Gemma3TextConfig",
             .text_model_type = "gemma3_text"},
};

}  // namespace

std::span<const ArchRule> gemma_rules() {
  return kRules;
}

}  // namespace kvspec
