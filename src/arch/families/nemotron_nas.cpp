// Nemotron-NAS (DeciLM): every layer states its own attention in `block_configs[i].attention`.
//
// Read in vLLM model_executor/models/nemotron_nas.py (commit 00bd1493, DeciLMDecoderLayer) and mlx-lm
// models/nemotron-nas.py (commit 13c89f49, AttentionConfig / TransformerBlock / make_cache):
//   - no_op: true               -> the layer has no attention block at all: no cache.
//   - replace_with_linear: true -> attention is replaced by one hidden x hidden linear map that ignores the
//   cache
//                                  (mlx LinearSubblockReplacement): no cache.
//   - otherwise                 -> GQA with num_kv_heads = num_attention_heads / n_heads_in_group and
//                                  head_dim = hidden_size / num_attention_heads.
// The top-level num_key_value_heads is a LlamaConfig leftover that no layer uses.
// `window_length` (DeciLM block_config.py AttentionConfig) windows a layer's attention; mlx-lm ignores it and
// the released configs leave it null, so a stated value is taken as a sliding window and said in a note.
#include <fmt/format.h>

#include "arch/families/structural_hooks.hpp"

namespace kvspec {

namespace {

Result<bool> flag(const ConfigView& cfg, const json::Value& obj, const std::string& where,
                  std::string_view key) {
  const json::Value* v = obj.find(key);
  if (v == nullptr || v->is_null()) return false;
  if (!v->is_bool())
    return make_error(ErrorCode::bad_input, cfg.file(), where + "." + std::string(key), "true or false",
                      v->describe());
  return v->as_bool();
}

// One layer from block_configs[i].attention.
Result<LayerSpec> nas_layer(BuildContext& ctx, const json::Value& block, std::int64_t i) {
  const ConfigView& cfg = ctx.cfg;
  std::string where = cfg.path(fmt::format("block_configs[{}]", i));
  if (!block.is_object())
    return make_error(ErrorCode::bad_input, cfg.file(), where, "an object with an `attention` entry",
                      block.describe());
  const json::Value* attn = block.find("attention");
  where += ".attention";
  if (attn == nullptr || !attn->is_object())
    return make_error(ErrorCode::bad_input, cfg.file(), where, "an object",
                      attn == nullptr ? "nothing" : attn->describe());

  auto no_op = flag(cfg, *attn, where, "no_op");
  if (!no_op) return no_op.error();
  auto linear = flag(cfg, *attn, where, "replace_with_linear");
  if (!linear) return linear.error();
  if (*no_op || *linear) {
    LayerSpec none = ctx.layer(LayerKind::none, Tier::config);
    none.num_kv_heads = 0;
    none.head_dim_k = 0;
    none.head_dim_v = 0;
    return none;
  }
  for (std::string_view sub : {"mamba", "llama4"})
    if (const json::Value* v = attn->find(sub); v != nullptr && !v->is_null())
      return make_error(ErrorCode::bad_input, cfg.file(), where + "." + std::string(sub),
                        "null (a standard attention block)", v->describe(),
                        "this attention variant is not supported yet");

  const json::Value* g = attn->find("n_heads_in_group");
  if (g == nullptr || g->is_null())
    return make_error(ErrorCode::bad_input, cfg.file(), where + ".n_heads_in_group",
                      "the GQA group size of an attention layer", "none");
  auto group = cfg.as_integer(*g, where + ".n_heads_in_group", 1, ctx.num_heads);
  if (!group) return group.error();
  if (ctx.num_heads % *group != 0)
    return make_error(ErrorCode::bad_input, cfg.file(), where + ".n_heads_in_group",
                      fmt::format("a divisor of num_attention_heads ({})", ctx.num_heads),
                      std::to_string(*group));

  LayerSpec l = ctx.layer(LayerKind::full_attention, Tier::config);
  l.num_kv_heads = ctx.num_heads / *group;
  if (const json::Value* w = attn->find("window_length"); w != nullptr && !w->is_null()) {
    auto window = cfg.as_integer(*w, where + ".window_length", 1, kMaxTokens);
    if (!window) return window.error();
    l.kind = LayerKind::sliding_attention;
    l.window = *window;
    ctx.window = *window;
  }
  if (const json::Value* s = attn->find("num_sink_tokens"); s != nullptr && !s->is_null())
    ctx.warn(
        fmt::format("layer {}: num_sink_tokens is not modelled (sink tokens kept beside the window)", i));
  return l;
}

}  // namespace

Status nemotron_nas_layers(BuildContext& ctx) {
  const ConfigView& cfg = ctx.cfg;
  const json::Value* blocks = cfg.raw("block_configs");
  if (blocks == nullptr || blocks->is_null()) {
    ctx.warn(fmt::format("no block_configs: every layer sized as full attention with {} KV heads",
                         ctx.num_kv_heads));
    for (std::int64_t i = 0; i < ctx.num_layers; ++i)
      ctx.spec.layers.push_back(ctx.layer(LayerKind::full_attention, Tier::rule));
    return Ok{};
  }
  if (!blocks->is_array())
    return cfg.error("block_configs", "an array with one entry per layer", blocks->describe());
  const json::Array& arr = blocks->as_array();
  if (static_cast<std::int64_t>(arr.size()) != ctx.num_layers)
    return cfg.error("block_configs", fmt::format("{} entries (one per layer)", ctx.num_layers),
                     fmt::format("{} entries", arr.size()));
  std::int64_t windows = 0;
  for (std::int64_t i = 0; i < ctx.num_layers; ++i) {
    auto l = nas_layer(ctx, arr[static_cast<std::size_t>(i)], i);
    if (!l) return l.error();
    windows += l->kind == LayerKind::sliding_attention ? 1 : 0;
    ctx.spec.layers.push_back(*l);
  }
  std::int64_t none = ctx.spec.count(LayerKind::none);
  ctx.note(
      fmt::format("block_configs: {} attention layers with per-layer KV heads "
                  "(num_attention_heads / n_heads_in_group), {} without attention (no_op or "
                  "replace_with_linear)",
                  ctx.num_layers - none, none));
  if (windows > 0)
    ctx.note(
        fmt::format("{} layers state window_length: sized as sliding windows (mlx-lm ignores it)", windows));
  return Ok{};
}

}  // namespace kvspec
