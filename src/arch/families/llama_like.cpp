// Dense and MoE families whose every layer is full attention unless `layer_types` says otherwise.
// Defaults are those of each transformers config class (configuration_<family>.py, v4.5x / v5).
#include <array>

#include "arch/rule.hpp"

namespace kvspec {

namespace {

constexpr std::array kRules{
    ArchRule{
        .model_type = "llama",
        .config_class = "LlamaConfig",
        .source =
            "transformers configuration_llama.py: num_key_value_heads None -> heads, head_dim None -> "
            "hidden/heads; defaults vocab 32000 untied, intermediate 11008, max_position_embeddings 2048 "
            "(LlamaConfig at 008e5743); all layers full (llama.cpp LLM_ARCH_LLAMA reads no SWA keys)",
        .defaults = {.num_layers = 32,
                     .hidden_size = 4096,
                     .num_heads = 32,
                     .vocab_size = 32000,
                     .tie_word_embeddings = false,
                     .intermediate_size = 11008,
                     .max_position_embeddings = 2048}},
    ArchRule{.model_type = "granite",
             .config_class = "GraniteConfig",
             .source = "transformers configuration_granite.py: llama attention; all layers full",
             .defaults = {.num_layers = 32, .num_heads = 32}},
    ArchRule{.model_type = "granitemoe",
             .config_class = "GraniteMoeConfig",
             .source = "transformers configuration_granitemoe.py: llama attention, MoE MLP; all layers full",
             .defaults = {.num_layers = 32, .num_heads = 32}},
    ArchRule{.model_type = "stablelm",
             .config_class = "StableLmConfig",
             .source = "transformers configuration_stablelm.py: num_key_value_heads default 32, head_dim = "
                       "hidden/heads (partial rotary does not change the cache); all layers full",
             .defaults = {.num_layers = 32, .num_heads = 32, .num_kv_heads = 32}},
    ArchRule{
        .model_type = "olmo2",
        .config_class = "Olmo2Config",
        .source = "transformers configuration_olmo2.py: num_key_value_heads None -> heads; all layers full",
        .defaults = {.num_layers = 32, .num_heads = 32}},
    ArchRule{.model_type = "gemma",
             .config_class = "GemmaConfig",
             .source =
                 "transformers configuration_gemma.py: head_dim default 256 (gemma-7b: 256, not 3072/16); "
                 "all layers full",
             .defaults = {.num_layers = 28, .num_heads = 16, .num_kv_heads = 16, .head_dim = 256}},
    ArchRule{.model_type = "mixtral",
             .config_class = "MixtralConfig",
             .source = "transformers configuration_mixtral.py: num_key_value_heads default 8, sliding_window "
                       "default None (a stated window applies to every layer)",
             .defaults = {.num_layers = 32, .num_heads = 32, .num_kv_heads = 8},
             .pattern = Pattern::window_all_layers},
};

}  // namespace

std::span<const ArchRule> llama_like_rules() {
  return kRules;
}

}  // namespace kvspec
