// Qwen 2 / 2.5 / 3 (dense and MoE). Their configs carry a `sliding_window` that is inert unless
// `use_sliding_window` is true, and then only layers >= max_window_layers are windowed.
#include <array>

#include "arch/rule.hpp"

namespace kvspec {

namespace {

// `defaults.period` holds the class default of max_window_layers.
constexpr std::array kRules{
    ArchRule{
        .model_type = "qwen2",
        .config_class = "Qwen2Config",
        .source = "transformers configuration_qwen2.py: sliding_window only if use_sliding_window (default "
                  "false); layer_types[i] sliding iff i >= max_window_layers (default 28); head_dim = "
                  "hidden/heads",
        .defaults =
            {.num_layers = 32, .num_heads = 32, .num_kv_heads = 32, .sliding_window = 4096, .period = 28},
        .pattern = Pattern::qwen_max_window},
    ArchRule{
        .model_type = "qwen2_moe",
        .config_class = "Qwen2MoeConfig",
        .source = "transformers configuration_qwen2_moe.py: as qwen2 (use_sliding_window default false, "
                  "max_window_layers 28); shared expert stated by shared_expert_intermediate_size",
        .defaults =
            {.num_layers = 24, .num_heads = 16, .num_kv_heads = 16, .sliding_window = 4096, .period = 28},
        .pattern = Pattern::qwen_max_window},
    ArchRule{.model_type = "qwen3",
             .config_class = "Qwen3Config",
             .source = "transformers configuration_qwen3.py: head_dim default 128 (Qwen3-0.6B/4B/32B: not "
                       "hidden/heads); sliding rule as qwen2",
             .defaults = {.num_layers = 32,
                          .num_heads = 32,
                          .num_kv_heads = 32,
                          .head_dim = 128,
                          .sliding_window = 4096,
                          .period = 28},
             .pattern = Pattern::qwen_max_window},
    ArchRule{.model_type = "qwen3_moe",
             .config_class = "Qwen3MoeConfig",
             .source =
                 "transformers configuration_qwen3_moe.py: num_key_value_heads default 4; head_dim stated "
                 "in released configs (128); sliding only if use_sliding_window, from max_window_layers",
             .defaults =
                 {.num_layers = 24, .num_heads = 32, .num_kv_heads = 4, .sliding_window = 4096, .period = 28},
             .pattern = Pattern::qwen_max_window},
};

}  // namespace

std::span<const ArchRule> qwen_rules() {
  return kRules;
}

}  // namespace kvspec
