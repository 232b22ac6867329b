// KV sharing across layers, cross-attention, per-layer heads (Nemotron-NAS) and encoder-decoder models. The
// hooks live in nemotron_nas.cpp, kv_sharing.cpp and cross_attention.cpp, each with the source its rule was
// read from.
#include <array>
#include <span>

#include "arch/families/structural_hooks.hpp"

namespace kvspec {

namespace {

constexpr std::array kRules{
    ArchRule{
        .model_type = "nemotron-nas",
        .config_class = "DeciLMConfig",
        .source =
            "vLLM nemotron_nas.py DeciLMDecoderLayer / mlx-lm nemotron-nas.py: block_configs[i].attention: "
            "no_op or replace_with_linear -> no cache, else num_kv_heads = num_attention_heads / "
            "n_heads_in_group; head_dim = hidden_size / num_attention_heads",
        .pattern = Pattern::custom,
        // No `architecture` fallback: DeciLMForCausalLM also names DeciLM-7B (model_type "deci"), whose
        // per-layer KV heads live in num_key_value_heads_per_layer instead.
        .layers = nemotron_nas_layers},
    ArchRule{.model_type = "gemma3n_text",
             .config_class = "Gemma3nTextConfig",
             .source =
                 "transformers configuration_gemma3n.py: layer_types default full iff (i + 1) % 5 == 0; "
                 "defaults 35 layers, 8 heads, 2 KV heads, head_dim 256, sliding_window 512, "
                 "num_kv_shared_layers 15 (kv_sharing_roles: a shared layer reads the last earlier layer of "
                 "its type)",
             .defaults = {.num_layers = 35,
                          .hidden_size = 2048,
                          .num_heads = 8,
                          .num_kv_heads = 2,
                          .head_dim = 256,
                          .sliding_window = 512,
                          .period = 5},
             .pattern = Pattern::periodic_global,
             .finish = gemma3n_finish},
    ArchRule{.model_type = "gemma3n",
             .config_class = "Gemma3nConfig",
             .source = "transformers configuration_gemma3n.py: multimodal wrapper; text_config is a "
                       "Gemma3nTextConfig",
             .text_model_type = "gemma3n_text"},
    ArchRule{.model_type = "gemma4_text",
             .config_class = "Gemma4TextConfig",
             .source =
                 "transformers configuration_gemma4.py / modeling_gemma4.py: layer_types default sliding iff "
                 "(i + 1) % 6 != 0, last layer full; global layers: global_head_dim (default 512), "
                 "num_global_key_value_heads when attention_k_eq_v (K and V both cached); "
                 "num_kv_shared_layers default 0",
             .defaults = {.num_layers = 30,
                          .hidden_size = 2304,
                          .num_heads = 8,
                          .num_kv_heads = 4,
                          .head_dim = 256,
                          .sliding_window = 512,
                          .period = 6},
             .pattern = Pattern::custom,
             .resolve = gemma4_resolve,
             .layers = gemma4_layers,
             .finish = gemma4_finish},
    ArchRule{
        .model_type = "gemma4",
        .config_class = "Gemma4Config",
        .source =
            "transformers configuration_gemma4.py: multimodal wrapper; text_config is a Gemma4TextConfig",
        .text_model_type = "gemma4_text"},
    ArchRule{
        .model_type = "mllama_text_model",
        .config_class = "MllamaTextConfig",
        .source =
            "transformers configuration_mllama.py / modeling_mllama.py: cross_attention_layers (default "
            "[3, 8, ..., 38]) hold one image's vision tokens, max_num_tiles × ((image_size / "
            "patch_size)² + 1); other layers full self-attention; defaults 40 layers, 32 heads, 8 KV heads",
        .defaults = {.num_layers = 40, .hidden_size = 4096, .num_heads = 32, .num_kv_heads = 8},
        .pattern = Pattern::custom,
        .layers = mllama_layers},
    ArchRule{.model_type = "mllama",
             .config_class = "MllamaConfig",
             .source =
                 "transformers configuration_mllama.py: text_config is a MllamaTextConfig, vision_config a "
                 "MllamaVisionConfig",
             .text_model_type = "mllama_text_model"},
    ArchRule{.model_type = "whisper",
             .config_class = "WhisperConfig",
             .source = "transformers configuration_whisper.py / modeling_whisper.py: decoder_layers × "
                       "(self-attention + cross-attention over max_source_positions = 1500 encoder frames), "
                       "decoder_attention_heads, head_dim = d_model / heads, no GQA",
             .pattern = Pattern::custom,
             .core = whisper_core,
             .layers = whisper_layers},
    ArchRule{
        .model_type = "t5",
        .config_class = "T5Config",
        .source =
            "transformers configuration_t5.py / modeling_t5.py: num_decoder_layers (default num_layers) × "
            "(self-attention + cross-attention over the encoder input, n_positions or 512 tokens), "
            "num_heads × d_kv, no GQA",
        .pattern = Pattern::custom,
        .core = t5_core,
        .layers = t5_layers},
};

}  // namespace

std::span<const ArchRule> structural_rules() {
  return kRules;
}

}  // namespace kvspec
