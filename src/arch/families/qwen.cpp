// Qwen 2 / 2.5 / 3 (dense and MoE). Their configs carry a `sliding_window` that is inert unless
// `use_sliding_window` is true, and then only layers >= max_window_layers are windowed.
#include <array>

#include <fmt/format.h>

#include "arch/rule.hpp"

namespace kvspec {

namespace {

// Qwen3MoeConfig.__post_init__: sliding_window = sliding_window if use_sliding_window else None.
Status gate_window_on_use_sliding_window(BuildContext& ctx) {
  auto use = ctx.cfg.boolean("use_sliding_window");
  if (!use) return use.error();
  if (use->value_or(false) || !ctx.window) return Ok{};
  ctx.note(fmt::format("sliding_window {} is inert: use_sliding_window is {}", *ctx.window,
                       use->has_value() ? "false" : "absent (default false)"));
  ctx.window.reset();
  return Ok{};
}

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
                 "transformers configuration_qwen3_moe.py (v5 @008e5743): sliding_window kept only if "
                 "use_sliding_window (default false), and then on every layer (no max_window_layers field); "
                 "num_key_value_heads default 4; head_dim read from config.json when stated",
             .defaults = {.num_layers = 24,
                          .hidden_size = 2048,
                          .num_heads = 32,
                          .num_kv_heads = 4,
                          .sliding_window = 4096},
             .pattern = Pattern::window_all_layers,
             .resolve = gate_window_on_use_sliding_window},
};

}  // namespace

std::span<const ArchRule> qwen_rules() {
  return kRules;
}

}  // namespace kvspec
