#include "spec/layer_types.hpp"

#include <array>

#include <fmt/format.h>

namespace kvspec {

namespace {

struct TypeName {
  std::string_view name;
  LayerKind kind;
};

// The layer type strings transformers' configs use for attention layers (configuration_utils.py
// ALLOWED_LAYER_TYPES and the per-model configs).
constexpr std::array<TypeName, 3> kAttentionTypes{{
    {"full_attention", LayerKind::full_attention},
    {"sliding_attention", LayerKind::sliding_attention},
    {"chunked_attention", LayerKind::chunked_attention},
}};

std::string known_names() {
  std::string s;
  for (const auto& t : kAttentionTypes) s += (s.empty() ? "" : ", ") + std::string(t.name);
  return s;
}

}  // namespace

Result<bool> layers_from_layer_types(BuildContext& ctx) {
  const ConfigView& cfg = ctx.cfg;
  const json::Value* lt = cfg.raw("layer_types");
  if (lt == nullptr || lt->is_null()) return false;
  if (!lt->is_array()) return cfg.error("layer_types", "an array of layer type strings", lt->describe());
  const json::Array& arr = lt->as_array();
  if (static_cast<std::int64_t>(arr.size()) != ctx.num_layers)
    return cfg.error("layer_types", fmt::format("{} entries (one per layer)", ctx.num_layers),
                     fmt::format("{} entries", arr.size()));
  auto& layers = ctx.spec.layers;
  layers.clear();
  layers.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const json::Value& v = arr[i];
    std::string field = cfg.path(fmt::format("layer_types[{}]", i));
    if (!v.is_string())
      return make_error(ErrorCode::bad_input, cfg.file(), field, "a layer type string", v.describe());
    const TypeName* match = nullptr;
    for (const auto& t : kAttentionTypes)
      if (t.name == v.as_string()) match = &t;
    if (match == nullptr) {
      if (ctx.rule.layer_type != nullptr) {
        auto custom = ctx.rule.layer_type(ctx, v.as_string(), static_cast<std::int64_t>(i));
        if (!custom) return custom.error();
        if (*custom) {
          layers.push_back(**custom);
          continue;
        }
      }
      return make_error(ErrorCode::bad_input, cfg.file(), field, "one of " + known_names(), v.describe());
    }
    if (match->kind == LayerKind::sliding_attention && !ctx.window)
      return make_error(ErrorCode::bad_input, cfg.file(), cfg.path("sliding_window"),
                        "a window size, since layer_types has sliding_attention layers", "none");
    if (match->kind == LayerKind::chunked_attention && !ctx.spec.attention_chunk_size)
      return make_error(ErrorCode::bad_input, cfg.file(), cfg.path("attention_chunk_size"),
                        "a chunk size, since layer_types has chunked_attention layers", "none");
    layers.push_back(ctx.layer(match->kind, Tier::config));
  }
  return true;
}

}  // namespace kvspec
