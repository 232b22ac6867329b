// The hybrid families' layer selection (which layers are recurrent, attention or both) and head-dim
// overrides; the states and the rule table are in hybrid.cpp.
#include <fmt/format.h>

#include "arch/families/hybrid_hooks.hpp"
#include "arch/recurrent_state.hpp"
#include "util/checked.hpp"

namespace kvspec::hybrid_detail {

// ---- layer selection -------------------------------------------------------------------------------------

std::optional<LayerSpec> map_type(const BuildContext& ctx, unsigned flags, std::string_view type, Tier tier) {
  if ((flags & kLinear) && (type == "linear_attention" || type == "mamba"))
    return recurrent_placeholder(tier);
  if ((flags & kConv) && type == "conv") return recurrent_placeholder(tier);
  if (type == "full_attention" || ((flags & kAttention) && type == "attention"))
    return ctx.layer(LayerKind::full_attention, tier);
  if ((flags & kHybrid) && type == "hybrid") return ctx.layer(LayerKind::full_attention, tier);
  if ((flags & kNoCache) && (type == "moe" || type == "mlp")) return cacheless_layer(tier);
  return std::nullopt;
}

// Layers from a list of block-type strings under `key` (e.g. Zamba2's layers_block_type). With
// `count_from_list`, the list sets the layer count (Nemotron-H); otherwise it must match it.
static Result<bool> layers_from_list(BuildContext& ctx, std::string_view key, unsigned flags,
                                     bool count_from_list) {
  const json::Value* v = ctx.cfg.raw(key);
  if (v == nullptr || v->is_null()) return false;
  if (!v->is_array()) return ctx.cfg.error(key, "an array of block-type strings", v->describe());
  const json::Array& arr = v->as_array();
  auto n = static_cast<std::int64_t>(arr.size());
  if (n < 1 || n > kMaxLayers)
    return ctx.cfg.error(key, "1 to 10000 entries", std::to_string(n) + " entries");
  if (!count_from_list && n != ctx.num_layers)
    return ctx.cfg.error(key, fmt::format("{} entries (one per layer)", ctx.num_layers),
                         fmt::format("{} entries", n));
  if (count_from_list) ctx.num_layers = n;
  ctx.spec.layers.clear();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string field = ctx.cfg.path(fmt::format("{}[{}]", key, i));
    if (!arr[i].is_string())
      return make_error(ErrorCode::bad_input, ctx.cfg.file(), field, "a block-type string",
                        arr[i].describe());
    auto layer = map_type(ctx, flags, arr[i].as_string(), Tier::config);
    if (!layer)
      return make_error(ErrorCode::bad_input, ctx.cfg.file(), field, "a block type this family uses",
                        arr[i].describe());
    ctx.spec.layers.push_back(*layer);
  }
  return true;
}

// Indices listed under `key` (Bamba attn_layer_indices, LFM2 full_attn_idxs) are attention, the rest
// recurrent.
static Result<bool> layers_from_indices(BuildContext& ctx, std::string_view key) {
  const json::Value* v = ctx.cfg.raw(key);
  if (v == nullptr || v->is_null()) return false;
  if (!v->is_array()) return ctx.cfg.error(key, "an array of layer indices", v->describe());
  ctx.spec.layers.assign(static_cast<std::size_t>(ctx.num_layers), recurrent_placeholder(Tier::config));
  const json::Array& arr = v->as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    auto idx = ctx.cfg.as_integer(arr[i], ctx.cfg.path(fmt::format("{}[{}]", key, i)), 0, ctx.num_layers - 1);
    if (!idx) return idx.error();
    ctx.spec.layers[static_cast<std::size_t>(*idx)] = ctx.layer(LayerKind::full_attention, Tier::config);
  }
  return true;
}

Tier tier_of(const BuildContext& ctx, std::string_view key) {
  return ctx.cfg.present(key) ? Tier::config : Tier::rule;
}

// Every layer recurrent (Mamba, RWKV): `layer_types` absent.
Status all_recurrent(BuildContext& ctx) {
  ctx.spec.layers.assign(static_cast<std::size_t>(ctx.num_layers), recurrent_placeholder(Tier::rule));
  return Ok{};
}

// Jamba: layer i is attention iff i % attn_layer_period == attn_layer_offset (JambaConfig.layers_block_type,
// transformers configuration_jamba.py; defaults period 8, offset 4).
Status jamba_layers(BuildContext& ctx) {
  auto period = state_field(ctx, {"attn_layer_period"}, 8, 1, kMaxLayers);
  if (!period) return period.error();
  auto offset = state_field(ctx, {"attn_layer_offset"}, 4, 0, *period - 1);
  if (!offset) return offset.error();
  Tier tier = tier_of(ctx, "attn_layer_period");
  ctx.spec.layers.clear();
  for (std::int64_t i = 0; i < ctx.num_layers; ++i)
    ctx.spec.layers.push_back(i % *period == *offset ? ctx.layer(LayerKind::full_attention, tier)
                                                     : recurrent_placeholder(tier));
  return Ok{};
}

// Bamba: attention at attn_layer_indices, Mamba-2 elsewhere; none listed means every layer is Mamba-2
// (BambaConfig.layers_block_type, transformers configuration_bamba.py).
Status bamba_layers(BuildContext& ctx) {
  auto listed = layers_from_indices(ctx, "attn_layer_indices");
  if (!listed) return listed.error();
  if (!*listed) return all_recurrent(ctx);
  return Ok{};
}

// Qwen3-Next / Qwen3.5 without `layer_types`: full attention iff (i + 1) % full_attention_interval == 0,
// Gated DeltaNet otherwise (Qwen3NextConfig, transformers configuration_qwen3_next.py; default interval 4;
// llama.cpp qwen3next uses the same rule).
Status interval_layers(BuildContext& ctx) {
  auto interval = state_field(ctx, {"full_attention_interval"}, 4, 1, kMaxLayers);
  if (!interval) return interval.error();
  Tier tier = tier_of(ctx, "full_attention_interval");
  ctx.spec.layers.clear();
  for (std::int64_t i = 0; i < ctx.num_layers; ++i)
    ctx.spec.layers.push_back((i + 1) % *interval == 0 ? ctx.layer(LayerKind::full_attention, tier)
                                                       : recurrent_placeholder(tier));
  return Ok{};
}

// LFM2 without `layer_types`: attention at full_attn_idxs, short convolution elsewhere; neither key means
// every layer is attention (Lfm2Config, transformers configuration_lfm2.py).
Status lfm2_layers(BuildContext& ctx) {
  auto listed = layers_from_indices(ctx, "full_attn_idxs");
  if (!listed) return listed.error();
  if (!*listed) {
    ctx.spec.layers.assign(static_cast<std::size_t>(ctx.num_layers),
                           ctx.layer(LayerKind::full_attention, Tier::rule));
    ctx.note("neither layer_types nor full_attn_idxs: Lfm2Config makes every layer attention");
  }
  return Ok{};
}

// MiniMax-Text-01 / M1 without `layer_types`: attn_type_list[i] 1 = softmax attention, 0 = lightning (linear)
// attention (MiniMaxConfig, transformers configuration_minimax.py).
Status minimax_layers(BuildContext& ctx) {
  const json::Value* v = ctx.cfg.raw("attn_type_list");
  if (v == nullptr || v->is_null())
    return ctx.cfg.error("layer_types", "layer_types or attn_type_list (which layers are softmax attention)",
                         "neither");
  if (!v->is_array() || static_cast<std::int64_t>(v->as_array().size()) != ctx.num_layers)
    return ctx.cfg.error("attn_type_list", fmt::format("an array of {} zeros and ones", ctx.num_layers),
                         v->describe());
  ctx.spec.layers.clear();
  const json::Array& arr = v->as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    auto t = ctx.cfg.as_integer(arr[i], ctx.cfg.path(fmt::format("attn_type_list[{}]", i)), 0, 1);
    if (!t) return t.error();
    ctx.spec.layers.push_back(*t == 1 ? ctx.layer(LayerKind::full_attention, Tier::config)
                                      : recurrent_placeholder(Tier::config));
  }
  return Ok{};
}

// Zamba2: layers_block_type "mamba" (Mamba-2) or "hybrid" (the shared transformer block, then Mamba-2). Each
// hybrid layer caches its own K/V under its own layer index (Zamba2HybridDynamicCache.update(key, value,
// layer_idx)), so the shared block is attention, not `shared`. Absent: Zamba2Config's default 54-layer list.
Status zamba2_layers(BuildContext& ctx) {
  auto listed = layers_from_list(ctx, "layers_block_type", kLinear | kHybrid, false);
  if (!listed) return listed.error();
  if (*listed) return Ok{};
  if (ctx.num_layers != 54)
    return ctx.cfg.error("layers_block_type",
                         "the per-layer block types (Zamba2Config defaults them only for "
                         "its 54-layer model)",
                         "none");
  ctx.spec.layers.clear();
  auto push = [&](LayerSpec l, int n) {
    for (int i = 0; i < n; ++i) ctx.spec.layers.push_back(l);
  };
  LayerSpec mamba = recurrent_placeholder(Tier::rule);
  LayerSpec hybrid = ctx.layer(LayerKind::full_attention, Tier::rule);
  push(mamba, 1);
  for (int i = 0; i < 7; ++i) {
    push(mamba, 5);
    push(hybrid, 1);
  }
  push(mamba, 4);
  push(hybrid, 1);
  push(mamba, 3);
  push(hybrid, 1);
  push(mamba, 2);
  ctx.note("layers_block_type is absent: Zamba2Config's default 54-layer pattern applied");
  return Ok{};
}

// Nemotron-H: hybrid_override_pattern, one character per layer: M = Mamba-2, * = attention, - = MLP, E = MoE
// (the last two cache nothing). Newer configs write layers_block_type instead; the pattern's length is the
// layer count (NemotronHConfig, transformers configuration_nemotron_h.py: _pattern_to_list; num_hidden_layers
// is deprecated there).
// Without num_hidden_layers the pattern alone sets the layer count: the class default (4) is not used.
void nemotron_h_count_from(BuildContext& ctx, std::string_view key) {
  if (ctx.cfg.present("num_hidden_layers")) return;
  std::erase_if(ctx.spec.notes,
                [](const Note& n) { return n.text.starts_with("num_hidden_layers is absent"); });
  std::erase_if(ctx.spec.facts, [](const Fact& f) { return f.name == "num_layers"; });
  ctx.fact("num_layers", std::to_string(ctx.num_layers), Tier::config,
           fmt::format("the length of {}", ctx.cfg.path(key)));
  ctx.note(
      fmt::format("num_hidden_layers is absent: the {} entries of {} are the layers", ctx.num_layers, key));
}

Status nemotron_h_layers(BuildContext& ctx) {
  const json::Value* p = ctx.cfg.raw("hybrid_override_pattern");
  if (p == nullptr || p->is_null()) {
    auto listed = layers_from_list(ctx, "layers_block_type", kLinear | kAttention | kNoCache, true);
    if (!listed) return listed.error();
    if (!*listed)
      return ctx.cfg.error("hybrid_override_pattern", "the per-layer pattern (or layers_block_type)",
                           "neither");
    nemotron_h_count_from(ctx, "layers_block_type");
    return Ok{};
  }
  if (!p->is_string() || p->as_string().empty() ||
      static_cast<std::int64_t>(p->as_string().size()) > kMaxLayers)
    return ctx.cfg.error("hybrid_override_pattern", "a string of M, *, - and E, one per layer",
                         p->describe());
  const std::string& s = p->as_string();
  ctx.spec.layers.clear();
  for (std::size_t i = 0; i < s.size(); ++i) {
    switch (s[i]) {
      case 'M':
        ctx.spec.layers.push_back(recurrent_placeholder(Tier::config));
        break;
      case '*':
        ctx.spec.layers.push_back(ctx.layer(LayerKind::full_attention, Tier::config));
        break;
      case '-':
      case 'E':
        ctx.spec.layers.push_back(cacheless_layer(Tier::config));
        break;
      default:
        return make_error(ErrorCode::bad_input, ctx.cfg.file(), ctx.cfg.path("hybrid_override_pattern"),
                          "only the characters M, *, - and E", fmt::format("'{}' at position {}", s[i], i));
    }
  }
  auto n = static_cast<std::int64_t>(s.size());
  if (n != ctx.num_layers && ctx.cfg.present("num_hidden_layers"))
    ctx.warn(
        fmt::format("num_hidden_layers is {} but hybrid_override_pattern has {} layers: the pattern wins",
                    ctx.num_layers, n));
  ctx.num_layers = n;
  nemotron_h_count_from(ctx, "hybrid_override_pattern");
  return Ok{};
}

// ---- head-dim overrides ----------------------------------------------------------------------------------

// Zamba2's shared attention reads the concatenation of the hidden state and the embeddings, so its head dim
// is 2 * hidden_size / num_attention_heads (Zamba2Config.attention_head_dim); the Zyphra-format `kv_channels`
// (hidden / heads) is not what transformers uses.
Status zamba2_resolve(BuildContext& ctx) {
  auto stated = ctx.cfg.integer("attention_head_dim", 1, kMaxHeadDim);
  if (!stated) return stated.error();
  if (*stated) {
    ctx.head_dim = **stated;
    ctx.fact("head_dim", std::to_string(ctx.head_dim), Tier::config, ctx.cfg.path("attention_head_dim"));
  } else {
    ctx.head_dim = 2 * ctx.hidden / ctx.num_heads;
    ctx.fact(
        "head_dim", std::to_string(ctx.head_dim), Tier::rule,
        fmt::format("Zamba2Config.attention_head_dim = 2 * hidden_size / num_attention_heads = 2 * {} / {}",
                    ctx.hidden, ctx.num_heads));
  }
  ctx.head_dim_v = ctx.head_dim;
  return Ok{};
}

// Nemotron-H: `head_dim` (NemotronHConfig, default 128), written `attention_head_dim` by the remote-code
// configs.
Status nemotron_h_resolve(BuildContext& ctx) {
  if (ctx.cfg.present("head_dim")) return Ok{};
  auto stated = ctx.cfg.integer("attention_head_dim", 1, kMaxHeadDim);
  if (!stated) return stated.error();
  if (*stated) {
    ctx.head_dim = ctx.head_dim_v = **stated;
    ctx.fact("head_dim", std::to_string(ctx.head_dim), Tier::config, ctx.cfg.path("attention_head_dim"));
  }
  return Ok{};
}

}  // namespace kvspec::hybrid_detail
