// Gemma 3n and Gemma 4: KV sharing across layers, and Gemma 4's different heads and head dim on global
// layers.
//
// KV sharing (transformers configuration_gemma3n.py, commit 01854809, `num_kv_shared_layers` docstring and
// `kv_sharing_roles`; modeling_gemma4.py, commit 0246b4f3, Gemma4TextAttention `is_kv_shared_layer` /
// `store_full_length_kv`): the last `num_kv_shared_layers` layers compute no K/V; each reads the cache of the
// last layer of its own type (sliding or full) before the shared range. Those layers own nothing here (kind
// `shared`, `shares_with` = that producer). mlx-lm gemma3n.py make_cache and vLLM gemma3n.py
// (kv_sharing_target_layer_name) allocate caches for the same producer layers only.
#include <fmt/format.h>

#include "arch/families/structural_hooks.hpp"

namespace kvspec {

namespace {

Status apply_kv_sharing(BuildContext& ctx, std::int64_t default_shared, std::string_view cls) {
  auto& layers = ctx.spec.layers;
  std::int64_t n_layers = static_cast<std::int64_t>(layers.size());
  auto stated = ctx.cfg.integer("num_kv_shared_layers", 0, n_layers);
  if (!stated) return stated.error();
  std::int64_t shared = stated->value_or(default_shared);
  if (!*stated && default_shared > 0)
    ctx.note(fmt::format("num_kv_shared_layers is absent: {} defaults it to {}", cls, default_shared));
  if (shared > n_layers) shared = n_layers;  // only a class default can exceed a small stated layer count
  if (shared == 0) return Ok{};
  Tier tier = *stated ? Tier::config : Tier::rule;
  std::int64_t first = n_layers - shared;
  std::int64_t orphans = 0;
  for (std::int64_t i = first; i < n_layers; ++i) {
    LayerSpec& l = layers[static_cast<std::size_t>(i)];
    std::optional<std::int64_t> producer;
    for (std::int64_t j = first - 1; j >= 0 && !producer; --j)
      if (layers[static_cast<std::size_t>(j)].kind == l.kind) producer = j;
    if (producer) {
      // Keep the producer's heads, dims and window for display; a shared layer owns no bytes.
      l = layers[static_cast<std::size_t>(*producer)];
      l.shares_with = static_cast<std::int32_t>(*producer);
    } else {
      ++orphans;
    }
    l.kind = LayerKind::shared;
    l.source = tier;
  }
  ctx.fact("num_kv_shared_layers", std::to_string(shared), tier,
           *stated ? ctx.cfg.path("num_kv_shared_layers") : std::string(cls) + " default");
  ctx.note(fmt::format(
      "the last {} layers (from layer {}) reuse the KV of the last earlier layer of the same type: "
      "{} layers own a cache",
      shared, first, first));
  if (orphans > 0)
    ctx.note(
        fmt::format("{} shared layers have no earlier layer of their type in this model: they read a cache "
                    "this model does not own (e.g. a draft model's)",
                    orphans));
  return Ok{};
}

}  // namespace

// Gemma3nTextConfig: num_kv_shared_layers default 15 (the E4B layout).
Status gemma3n_finish(BuildContext& ctx) {
  return apply_kv_sharing(ctx, 15, "Gemma3nTextConfig");
}

// Gemma 4 (transformers configuration_gemma4.py, commit 008e5743, Gemma4TextConfig.__post_init__;
// modeling_gemma4.py, commit 0246b4f3, Gemma4TextAttention):
//   - layer_types default: sliding iff (i + 1) % 6 != 0 (a fixed pattern; `sliding_window_pattern` is not
//   read), and
//     the last layer is forced to full_attention.
//   - use_bidirectional_attention == "all": sliding_window becomes sliding_window / 2 + 1.
//   - full_attention (global) layers: head_dim = global_head_dim (absent: 512; null: head_dim); KV heads =
//     num_global_key_value_heads when attention_k_eq_v, else num_key_value_heads.
//   - attention_k_eq_v (global layers only): V is projected by k_proj (no v_proj weights), but K and V are
//   still
//     both cached: K gets k_norm and RoPE, V gets v_norm without RoPE, so they differ, and
//     `past_key_values.update(key_states, value_states, ...)` stores both. K = V saves weights, not cache.
//   - num_kv_shared_layers default 0 (no sharing), as above otherwise.
Status gemma4_resolve(BuildContext& ctx) {
  auto bidi = ctx.cfg.string("use_bidirectional_attention");
  if (!bidi) return bidi.error();
  if (*bidi && **bidi == "all" && ctx.window) {
    std::int64_t w = *ctx.window / 2 + 1;
    ctx.note(
        fmt::format("use_bidirectional_attention 'all': Gemma4TextConfig sets sliding_window {} / 2 + 1 = {}",
                    *ctx.window, w));
    ctx.window = w;
  }
  return Ok{};
}

Status gemma4_layers(BuildContext& ctx) {
  if (ctx.cfg.present("sliding_window_pattern"))
    ctx.warn(
        "sliding_window_pattern is ignored: Gemma4TextConfig builds layer_types with a fixed period of 6");
  for (std::int64_t i = 0; i < ctx.num_layers; ++i) {
    bool full = (i + 1) % 6 == 0 || !ctx.window;
    ctx.spec.layers.push_back(
        ctx.layer(full ? LayerKind::full_attention : LayerKind::sliding_attention, Tier::rule));
  }
  return Ok{};
}

Status gemma4_finish(BuildContext& ctx) {
  const ConfigView& cfg = ctx.cfg;
  auto& layers = ctx.spec.layers;
  if (!layers.empty() && layers.back().kind != LayerKind::full_attention) {
    ctx.note("the last layer is forced to full_attention, as Gemma4TextConfig does");
    LayerSpec& last = layers.back();
    last.kind = LayerKind::full_attention;
    last.window.reset();
  }

  std::int64_t global_dim = 512;
  Tier dim_tier = Tier::rule;
  std::string dim_origin = "Gemma4TextConfig default global_head_dim = 512";
  if (const json::Value* g = cfg.raw("global_head_dim"); g != nullptr) {
    dim_tier = Tier::config;
    dim_origin = cfg.path("global_head_dim");
    if (g->is_null()) {
      global_dim = ctx.head_dim;
      dim_origin += " (null: head_dim)";
    } else {
      auto v = cfg.as_integer(*g, cfg.path("global_head_dim"), 1, kMaxHeadDim);
      if (!v) return v.error();
      global_dim = *v;
    }
  }

  auto k_eq_v = cfg.boolean("attention_k_eq_v");
  if (!k_eq_v) return k_eq_v.error();
  auto global_kv = cfg.integer("num_global_key_value_heads", 1, kMaxHeads);
  if (!global_kv) return global_kv.error();
  std::int64_t kv = ctx.num_kv_heads;
  std::string kv_origin = "num_key_value_heads (attention_k_eq_v is false)";
  if (k_eq_v->value_or(false)) {
    if (*global_kv) {
      kv = **global_kv;
      kv_origin = cfg.path("num_global_key_value_heads") + " (attention_k_eq_v)";
      if (ctx.num_heads % kv != 0)
        return cfg.error("num_global_key_value_heads",
                         fmt::format("a divisor of num_attention_heads ({})", ctx.num_heads),
                         std::to_string(kv));
    } else {
      ctx.warn(
          fmt::format("attention_k_eq_v without num_global_key_value_heads: global layers use "
                      "num_key_value_heads {}",
                      kv));
      kv_origin = "num_key_value_heads (num_global_key_value_heads unset)";
    }
  }

  std::int64_t globals = 0;
  for (LayerSpec& l : layers) {
    if (l.kind != LayerKind::full_attention) continue;
    l.num_kv_heads = kv;
    l.head_dim_k = global_dim;
    l.head_dim_v = global_dim;
    ++globals;
  }
  if (globals > 0) {
    ctx.fact("global_head_dim", std::to_string(global_dim), dim_tier, dim_origin);
    ctx.fact("global_num_kv_heads", std::to_string(kv), Tier::config, kv_origin);
    ctx.note(
        fmt::format("{} global (full_attention) layers: {} KV heads × head dim {}{}", globals, kv, global_dim,
                    k_eq_v->value_or(false) ? "; attention_k_eq_v shares the K/V projection, but K and V are "
                                              "both cached (K normed and roped, V normed)"
                                            : ""));
  }
  return apply_kv_sharing(ctx, 0, "Gemma4TextConfig");
}

}  // namespace kvspec
