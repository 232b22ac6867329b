// Families with sliding-window or chunked attention: windows on every layer (Mistral, Phi-3, StarCoder2) or
// interleaved local/global layers (gpt-oss, Cohere2, OLMo 3, EXAONE 4) and Llama 4's chunked layers.
#include <array>

#include <fmt/format.h>

#include "arch/rule.hpp"

namespace kvspec {

namespace {

// EXAONE 4: layer_types when stated (handled generically); else no window -> all global; else
// `sliding_window_pattern`, an int period (HF default 4) or a string such as "LLLG" (L = local, G = global)
// read cyclically (transformers modular_exaone4.py; mlx-lm exaone4.py for the string form).
Status exaone4_layers(BuildContext& ctx) {
  const ConfigView& cfg = ctx.cfg;
  auto& layers = ctx.spec.layers;
  const json::Value* p = cfg.raw("sliding_window_pattern");
  if (!ctx.window) {
    for (std::int64_t i = 0; i < ctx.num_layers; ++i)
      layers.push_back(ctx.layer(LayerKind::full_attention, Tier::rule));
    return Ok{};
  }
  if (p != nullptr && p->is_string()) {
    const std::string& s = p->as_string();
    if (s.empty() || s.find_first_not_of("LG") != std::string::npos)
      return cfg.error("sliding_window_pattern", "an integer period or a string of L and G", p->describe());
    for (std::int64_t i = 0; i < ctx.num_layers; ++i) {
      bool local = s[static_cast<std::size_t>(i) % s.size()] == 'L';
      layers.push_back(
          ctx.layer(local ? LayerKind::sliding_attention : LayerKind::full_attention, Tier::config));
    }
    return Ok{};
  }
  std::int64_t period = ctx.rule.defaults.period;
  Tier tier = Tier::rule;
  if (p != nullptr && !p->is_null()) {
    auto n = cfg.as_integer(*p, cfg.path("sliding_window_pattern"), 1, kMaxLayers);
    if (!n) return n.error();
    period = *n;
    tier = Tier::config;
  }
  for (std::int64_t i = 0; i < ctx.num_layers; ++i)
    layers.push_back(
        ctx.layer((i + 1) % period == 0 ? LayerKind::full_attention : LayerKind::sliding_attention, tier));
  return Ok{};
}

// Llama 4 text: layer_types when stated; else `no_rope_layers` (1 = RoPE layer -> chunked, 0 = NoPE -> full),
// an empty list meaning the default: NoPE iff (i + 1) % no_rope_layer_interval (4) == 0.
// attention_chunk_size default 8192 (Llama4TextConfig); a null chunk size makes every layer full.
Status llama4_resolve(BuildContext& ctx) {
  if (ctx.cfg.raw("attention_chunk_size") == nullptr) {
    ctx.spec.attention_chunk_size = 8192;
    ctx.fact("attention_chunk_size", "8192", Tier::rule, "Llama4TextConfig default");
  }
  return Ok{};
}

Status llama4_layers(BuildContext& ctx) {
  const ConfigView& cfg = ctx.cfg;
  auto interval = cfg.integer("no_rope_layer_interval", 1, kMaxLayers);
  if (!interval) return interval.error();
  std::int64_t every = interval->value_or(4);
  const json::Value* nrl = cfg.raw("no_rope_layers");
  const json::Array* list = nullptr;
  if (nrl != nullptr && !nrl->is_null()) {
    if (!nrl->is_array()) return cfg.error("no_rope_layers", "an array of 0/1 per layer", nrl->describe());
    if (!nrl->as_array().empty()) list = &nrl->as_array();
  }
  if (list != nullptr && static_cast<std::int64_t>(list->size()) != ctx.num_layers)
    return cfg.error("no_rope_layers",
                     fmt::format("{} entries (one per layer) or an empty list", ctx.num_layers),
                     fmt::format("{} entries", list->size()));
  for (std::int64_t i = 0; i < ctx.num_layers; ++i) {
    bool rope = (i + 1) % every != 0;
    Tier tier = Tier::rule;
    if (list != nullptr) {
      auto v = cfg.as_integer((*list)[static_cast<std::size_t>(i)],
                              cfg.path(fmt::format("no_rope_layers[{}]", i)), 0, 1);
      if (!v) return v.error();
      rope = *v == 1;
      tier = Tier::config;
    }
    bool chunked = rope && ctx.spec.attention_chunk_size.has_value();
    ctx.spec.layers.push_back(
        ctx.layer(chunked ? LayerKind::chunked_attention : LayerKind::full_attention, tier));
  }
  return Ok{};
}

// MuseGlimmerTextConfig.__post_init__ (transformers configuration_muse_glimmer.py at 38e862f): without
// layer_types, layer i is full iff (num_hidden_layers - 1 - i) % 4 == 0 (the NoPE layers, counted back from
// the last), sliding otherwise; sliding_window default 2048. A null window leaves every layer full, as for
// the periodic families.
Status muse_glimmer_layers(BuildContext& ctx) {
  for (std::int64_t i = 0; i < ctx.num_layers; ++i) {
    bool global = !ctx.window || (ctx.num_layers - 1 - i) % 4 == 0;
    ctx.spec.layers.push_back(
        ctx.layer(global ? LayerKind::full_attention : LayerKind::sliding_attention, Tier::rule));
  }
  return Ok{};
}

constexpr std::array kRules{
    ArchRule{.model_type = "mistral",
             .config_class = "MistralConfig",
             .source = "transformers configuration_mistral.py: num_key_value_heads default 8, sliding_window "
                       "default 4096 (absent key), applied to every layer (no layer_types); null = no window",
             .defaults = {.num_layers = 32, .num_heads = 32, .num_kv_heads = 8, .sliding_window = 4096},
             .pattern = Pattern::window_all_layers},
    ArchRule{
        .model_type = "ministral",
        .config_class = "MinistralConfig",
        .source = "transformers configuration_ministral.py: layer_types, else sliding_window on every layer",
        .defaults = {.num_layers = 32, .num_heads = 32, .num_kv_heads = 8},
        .pattern = Pattern::window_all_layers},
    ArchRule{.model_type = "ministral3",
             .config_class = "Ministral3Config",
             .source = "transformers configuration_ministral3.py / mlx-lm ministral3.py: layer_types, else a "
                       "stated sliding_window on every layer; null = all full",
             .defaults = {.num_layers = 34, .num_heads = 32, .num_kv_heads = 8},
             .pattern = Pattern::window_all_layers},
    ArchRule{.model_type = "phi3",
             .config_class = "Phi3Config",
             .source =
                 "transformers configuration_phi3.py: sliding_window (default None) applies to every layer "
                 "(DynamicCache without layer_types); llama.cpp disables Phi-3 SWA",
             .defaults = {.num_layers = 32, .num_heads = 32},
             .pattern = Pattern::window_all_layers},
    ArchRule{.model_type = "phimoe",
             .config_class = "PhimoeConfig",
             .source =
                 "transformers configuration_phimoe.py: num_key_value_heads default 8, sliding_window on "
                 "every layer when stated",
             .defaults = {.num_layers = 32, .num_heads = 32, .num_kv_heads = 8},
             .pattern = Pattern::window_all_layers},
    ArchRule{.model_type = "starcoder2",
             .config_class = "Starcoder2Config",
             .source =
                 "transformers configuration_starcoder2.py: num_key_value_heads default 2, sliding_window "
                 "on every layer when stated (released configs: 4096)",
             .defaults = {.num_layers = 30, .num_heads = 24, .num_kv_heads = 2},
             .pattern = Pattern::window_all_layers},
    ArchRule{.model_type = "gpt_oss",
             .config_class = "GptOssConfig",
             .source =
                 "transformers configuration_gpt_oss.py: layer_types default sliding iff (i + 1) % 2 != 0; "
                 "head_dim 64, kv 8, sliding_window 128; attention sinks hold no KV",
             .defaults = {.num_layers = 36,
                          .num_heads = 64,
                          .num_kv_heads = 8,
                          .head_dim = 64,
                          .sliding_window = 128,
                          .period = 2},
             .pattern = Pattern::periodic_global},
    ArchRule{.model_type = "cohere2",
             .config_class = "Cohere2Config",
             .source =
                 "transformers configuration_cohere2.py: sliding_window_pattern default 4 -> global iff "
                 "(i + 1) % 4 == 0; sliding_window default 4096; llama.cpp set_swa_pattern(4)",
             .defaults = {.num_layers = 40, .num_heads = 64, .sliding_window = 4096, .period = 4},
             .pattern = Pattern::periodic_global},
    ArchRule{.model_type = "olmo3",
             .config_class = "Olmo3Config",
             .source = "transformers modular_olmo3.py: layer_types default sliding iff (i + 1) % 4 != 0; "
                       "sliding_window default 4096",
             .defaults = {.num_layers = 32, .num_heads = 32, .sliding_window = 4096, .period = 4},
             .pattern = Pattern::periodic_global},
    ArchRule{.model_type = "exaone4",
             .config_class = "Exaone4Config",
             .source =
                 "transformers modular_exaone4.py: layer_types, else sliding_window_pattern (int period, "
                 "default 4, or an L/G string) with global layers where the pattern says G",
             .defaults =
                 {.num_layers = 32, .num_heads = 32, .num_kv_heads = 32, .sliding_window = 4096, .period = 4},
             .pattern = Pattern::custom,
             .layers = exaone4_layers},
    ArchRule{.model_type = "muse_glimmer",
             .config_class = "MuseGlimmerConfig",
             .source = "transformers configuration_muse_glimmer.py: text_config is a MuseGlimmerTextConfig",
             .text_model_type = "muse_glimmer_text"},
    ArchRule{.model_type = "muse_glimmer_text",
             .config_class = "MuseGlimmerTextConfig",
             .source = "transformers configuration_muse_glimmer.py (38e862f): layers 52, heads 32, "
                       "num_key_value_heads 2, head_dim 128, sliding_window 2048; layer_types, else full iff "
                       "(num_hidden_layers - 1 - i) % 4 == 0, sliding otherwise",
             .defaults = {.num_layers = 52,
                          .hidden_size = 6656,
                          .num_heads = 32,
                          .num_kv_heads = 2,
                          .head_dim = 128,
                          .sliding_window = 2048},
             .pattern = Pattern::custom,
             .layers = muse_glimmer_layers},
    ArchRule{.model_type = "laguna",
             .config_class = "LagunaConfig",
             .source =
                 "transformers configuration_laguna.py / modeling_laguna.py (08911d5): layers 40, heads "
                 "48 (num_attention_heads_per_layer overrides Q heads only), num_key_value_heads 8 on "
                 "every layer, head_dim 128, sliding_window 512; layer_types, else all full",
             .defaults = {.num_layers = 40,
                          .hidden_size = 2048,
                          .num_heads = 48,
                          .num_kv_heads = 8,
                          .head_dim = 128,
                          .sliding_window = 512}},
    ArchRule{
        .model_type = "llama4_text",
        .config_class = "Llama4TextConfig",
        .source =
            "transformers configuration_llama4.py: layer_types default chunked_attention on RoPE layers, "
            "full on NoPE layers (no_rope_layers; default NoPE iff (i + 1) % 4 == 0); "
            "attention_chunk_size 8192",
        .defaults = {.num_layers = 48, .num_heads = 40, .num_kv_heads = 8, .head_dim = 128},
        .pattern = Pattern::custom,
        .resolve = llama4_resolve,
        .layers = llama4_layers},
};

}  // namespace

std::span<const ArchRule> sliding_family_rules() {
  return kRules;
}

}  // namespace kvspec
