// Hybrids whose layer pattern is not a per-layer list: RecurrentGemma (Griffin: RG-LRU recurrences and local
// attention) and PLaMo 2 (Mamba-2-style mixers and sliding-window attention). State dtypes follow hybrid.cpp:
// conv states in the model's dtype, recurrent states as the reference modeling keeps them (float32 for both),
// element counts on every layer for runtime profiles to re-price.
#include <array>
#include <vector>

#include <fmt/format.h>

#include "arch/recurrent_state.hpp"
#include "util/checked.hpp"

namespace kvspec {

namespace {

Status attach(BuildContext& ctx, Result<StateValues> v, std::string_view policy_source,
              std::string_view formula) {
  if (!v) return v.error();
  auto dt = state_dtypes(ctx, RecurrentDtype::float32, policy_source);
  if (!dt) return dt.error();
  return attach_state(ctx, *v, *dt, StateScope::recurrent_layers, formula);
}

// ---- RecurrentGemma --------------------------------------------------------------------------------------

// The attention blocks are local: attention_window_size (RecurrentGemmaConfig default 2048) bounds the cache
// (transformers _setup_cache allocates (batch, num_key_value_heads, attention_window_size, head_dim); mlx-lm
// recurrent_gemma.py RotatingKVCache(max_size=attention_window_size)).
Status recurrent_gemma_resolve(BuildContext& ctx) {
  auto w = state_field(ctx, {"attention_window_size"}, 2048, 1, kMaxTokens);
  if (!w) return w.error();
  ctx.window = *w;
  return Ok{};
}

// Layer i takes block_types[i % len] (RecurrentGemmaConfig.layers_block_type = (block_types * 100)[:L];
// mlx-lm block_types[i % len]). The 2B checkpoint's config spells the key `_block_types`, the 9B one
// `block_types` (mlx-lm accepts both); the class default is (recurrent, recurrent, attention).
Status recurrent_gemma_layers(BuildContext& ctx) {
  std::string_view key = ctx.cfg.present("block_types") ? "block_types" : "_block_types";
  const json::Value* v = ctx.cfg.raw(key);
  ctx.spec.layers.clear();
  auto add = [&](std::string_view type, Tier tier) {
    if (type == "attention")
      ctx.spec.layers.push_back(ctx.layer(LayerKind::sliding_attention, tier));
    else
      ctx.spec.layers.push_back(recurrent_placeholder(tier));
  };
  if (v == nullptr || v->is_null()) {
    constexpr std::array<std::string_view, 3> kDefault{"recurrent", "recurrent", "attention"};
    for (std::int64_t i = 0; i < ctx.num_layers; ++i)
      add(kDefault[static_cast<std::size_t>(i % 3)], Tier::rule);
    ctx.note("block_types is absent: RecurrentGemmaConfig repeats (recurrent, recurrent, attention)");
    return Ok{};
  }
  if (!v->is_array() || v->as_array().empty() || static_cast<std::int64_t>(v->as_array().size()) > kMaxLayers)
    return ctx.cfg.error(key, "a non-empty array of \"recurrent\" / \"attention\"", v->describe());
  const json::Array& arr = v->as_array();
  for (std::size_t i = 0; i < arr.size(); ++i)
    if (!arr[i].is_string() || (arr[i].as_string() != "recurrent" && arr[i].as_string() != "attention"))
      return make_error(ErrorCode::bad_input, ctx.cfg.file(), ctx.cfg.path(fmt::format("{}[{}]", key, i)),
                        "\"recurrent\" or \"attention\"", arr[i].describe());
  for (std::int64_t i = 0; i < ctx.num_layers; ++i)
    add(arr[static_cast<std::size_t>(i) % arr.size()].as_string(), Tier::config);
  return Ok{};
}

// RG-LRU block (RecurrentGemmaRecurrentBlock._setup_cache, transformers modeling_recurrent_gemma.py): a
// depthwise conv1d over lru_width channels keeping conv1d_width - 1 columns in the model's dtype, and one
// (lru_width) recurrent state in float32 ("recurrent_states always computed in full precision").
// transformers sizes the conv state by hidden_size; lru_width defaults to it and equals it in the released
// checkpoints, and the conv's own channels are lru_width (as mlx-lm's ArraysCache holds them).
Status recurrent_gemma_finish(BuildContext& ctx) {
  auto lru = state_field(ctx, {"lru_width"}, ctx.hidden, 1, kMaxStateDim);
  if (!lru) return lru.error();
  auto k = state_field(ctx, {"conv1d_width"}, 4, 1, kMaxKernel);
  if (!k) return k.error();
  auto conv = checked_product(*k - 1, *lru);
  if (!conv) return ctx.cfg.error("lru_width", "a state size that fits", std::to_string(*lru));
  return attach(ctx, StateValues{*conv, *lru, *k},
                "transformers modeling_recurrent_gemma.py: RG-LRU recurrent_states are float32",
                "RG-LRU: (conv1d_width - 1) × lru_width conv + lru_width recurrent");
}

// ---- PLaMo 2 ---------------------------------------------------------------------------------------------

// Attention heads are hidden_size_per_head wide (Plamo2Config default 128), not hidden / heads (vLLM
// plamo2.py sets head_dim = hidden_size_per_head). Attention layers outside full_attention_idx are windowed:
// the reference modeling (pfnet remote code, ported in mlx-examples llms/mlx_lm/models/plamo2.py
// PlamoCache.update_attention) keeps the last attention_window_size tokens (default 2048), and the config
// class copies the window into `sliding_window` for vLLM.
Status plamo2_resolve(BuildContext& ctx) {
  auto hd = state_field(ctx, {"hidden_size_per_head"}, 128, 1, kMaxHeadDim);
  if (!hd) return hd.error();
  std::erase_if(ctx.spec.facts, [](const Fact& f) { return f.name == "head_dim"; });
  std::erase_if(ctx.spec.notes, [](const Note& n) { return n.text.starts_with("head_dim is absent"); });
  ctx.head_dim = *hd;
  ctx.head_dim_v = *hd;
  auto w = state_field(ctx, {"attention_window_size"}, 2048, 1, kMaxTokens);
  if (!w) return w.error();
  ctx.window = *w;
  return Ok{};
}

// is_mamba(i) (vLLM and mlx-lm plamo2.py, remote modeling): with mamba_enabled (default true), layer i is
// Mamba iff i % mamba_step != mamba_step / 2, except that a model of at most mamba_step / 2 layers has
// attention only in its last layer; mamba_step defaults to 2 and must exceed 1.
Status plamo2_layers(BuildContext& ctx) {
  auto enabled = ctx.cfg.boolean("mamba_enabled");
  if (!enabled) return enabled.error();
  auto step = state_field(ctx, {"mamba_step"}, 2, 2, kMaxLayers);
  if (!step) return step.error();
  std::vector<bool> full(static_cast<std::size_t>(ctx.num_layers), false);
  if (const json::Value* f = ctx.cfg.raw("full_attention_idx"); f != nullptr && !f->is_null()) {
    if (!f->is_array())
      return ctx.cfg.error("full_attention_idx", "an array of layer indices", f->describe());
    const json::Array& arr = f->as_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
      auto idx = ctx.cfg.as_integer(arr[i], ctx.cfg.path(fmt::format("full_attention_idx[{}]", i)), 0,
                                    ctx.num_layers - 1);
      if (!idx) return idx.error();
      full[static_cast<std::size_t>(*idx)] = true;
    }
  }
  Tier tier = ctx.cfg.present("mamba_step") ? Tier::config : Tier::rule;
  ctx.spec.layers.clear();
  for (std::int64_t i = 0; i < ctx.num_layers; ++i) {
    bool mamba = enabled->value_or(true) &&
                 (ctx.num_layers <= *step / 2 ? i != ctx.num_layers - 1 : i % *step != *step / 2);
    if (mamba)
      ctx.spec.layers.push_back(recurrent_placeholder(tier));
    else
      ctx.spec.layers.push_back(ctx.layer(
          full[static_cast<std::size_t>(i)] ? LayerKind::full_attention : LayerKind::sliding_attention,
          tier));
  }
  ctx.note(
      "PLaMo 2 attention layers keep the last attention_window_size tokens (remote modeling PlamoCache); "
      "mlx-lm plamo2.py gives them a plain KVCache (full context)");
  return Ok{};
}

// The Mamba mixer (vLLM plamo2.py get_mamba_state_shape_from_config: mamba2_state_shape with n_groups = 0,
// d_inner = mamba_num_heads × hidden_size_per_head): conv over d_inner channels only (B and C are projected
// after the conv), SSM (mamba_num_heads, hidden_size_per_head, mamba_d_state); the reference modeling keeps
// the conv state in the model's dtype and the SSM state in float32. Defaults 64 heads, d_state 64, d_conv 4.
Status plamo2_finish(BuildContext& ctx) {
  auto nh = state_field(ctx, {"mamba_num_heads"}, 64, 1, kMaxHeads);
  if (!nh) return nh.error();
  auto n = state_field(ctx, {"mamba_d_state"}, 64, 1, kMaxHeadDim);
  if (!n) return n.error();
  auto k = state_field(ctx, {"mamba_d_conv"}, 4, 1, kMaxKernel);
  if (!k) return k.error();
  auto d_inner = checked_mul(*nh, ctx.head_dim);
  if (!d_inner) return ctx.cfg.error("mamba_num_heads", "a Mamba width that fits", std::to_string(*nh));
  return attach(ctx, mamba2_state(ctx, {*d_inner, 0, *n, *k, *nh, ctx.head_dim}),
                "PLaMo 2 remote modeling: ssm_state float32",
                "PLaMo 2 Mamba: (mamba_d_conv - 1) × mamba_num_heads × hidden_size_per_head conv + "
                "mamba_num_heads × hidden_size_per_head × mamba_d_state SSM");
}

constexpr std::array kRules{
    ArchRule{.model_type = "recurrent_gemma",
             .config_class = "RecurrentGemmaConfig",
             .source = "transformers configuration_recurrent_gemma.py / modeling_recurrent_gemma.py (v5): "
                       "block_types cycled over the layers, attention blocks local (attention_window_size "
                       "2048), RG-LRU blocks recurrent; defaults 26 layers, hidden 2560, 10 heads, KV heads "
                       "= heads",
             .defaults = {.num_layers = 26, .hidden_size = 2560, .num_heads = 10},
             .pattern = Pattern::custom,
             .resolve = recurrent_gemma_resolve,
             .layers = recurrent_gemma_layers,
             .finish = recurrent_gemma_finish},
    ArchRule{.model_type = "plamo2",
             .config_class = "Plamo2Config (pfnet remote code)",
             .source = "vLLM model_executor/models/plamo2.py and mlx-lm plamo2.py is_mamba(i); pfnet remote "
                       "modeling (mlx-examples port) for the windowed attention cache; defaults 32 layers, "
                       "hidden 4096, 32 heads, 4 KV heads, hidden_size_per_head 128",
             .defaults =
                 {.num_layers = 32, .hidden_size = 4096, .num_heads = 32, .num_kv_heads = 4, .head_dim = 128},
             .pattern = Pattern::custom,
             .resolve = plamo2_resolve,
             .layers = plamo2_layers,
             .finish = plamo2_finish},
};

}  // namespace

std::span<const ArchRule> hybrid_extra_rules() {
  return kRules;
}

}  // namespace kvspec
