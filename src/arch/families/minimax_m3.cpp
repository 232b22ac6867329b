// MiniMax-M3 (transformers configuration_minimax_m3_vl.py / modeling_minimax_m3_vl.py at 01a05aa): every
// layer is GQA attention caching num_key_value_heads × head_dim K and V per token. Layers whose layer_types
// entry is "minimax_m3_sparse" (derived from sparse_attention_config.sparse_attention_freq[i] != 0 when
// layer_types is absent) also run the lightning indexer, which caches one index-key head of sparse_index_dim
// values per token (MiniMaxM3VLIndexer: k_proj -> sparse_index_dim, cache_layer.update_index) beside K/V.
// Those keys are a separate component, like DeepSeek-V3.2's indexer keys: not in kv_bytes_per_token.
#include <array>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "arch/rule.hpp"
#include "util/checked.hpp"

namespace kvspec {

namespace {

constexpr std::string_view kSparse = "minimax_m3_sparse";

// A "minimax_m3_sparse" layer caches K and V as a full-attention layer (the index keys are counted apart).
Result<std::optional<LayerSpec>> m3_layer_type(BuildContext& ctx, std::string_view type, std::int64_t) {
  if (type != kSparse) return std::optional<LayerSpec>{};
  return std::optional<LayerSpec>{ctx.layer(LayerKind::full_attention, Tier::config)};
}

// The sparse layers: layer_types entries "minimax_m3_sparse" when stated, else sparse_attention_freq != 0.
Result<std::int64_t> m3_sparse_layers(BuildContext& ctx, const json::Value* sac) {
  const ConfigView& cfg = ctx.cfg;
  if (const json::Value* lt = cfg.raw("layer_types"); lt != nullptr && lt->is_array()) {
    std::int64_t n = 0;
    for (const json::Value& e : lt->as_array())
      if (e.is_string() && e.as_string() == kSparse) ++n;
    return n;
  }
  if (sac == nullptr) return std::int64_t{0};
  const json::Value* freq = sac->find("sparse_attention_freq");
  if (freq == nullptr || freq->is_null()) return std::int64_t{0};
  std::string field = cfg.path("sparse_attention_config.sparse_attention_freq");
  if (!freq->is_array() || static_cast<std::int64_t>(freq->as_array().size()) != ctx.num_layers)
    return make_error(ErrorCode::bad_input, cfg.file(), field,
                      fmt::format("an array of {} 0/1 flags (one per layer)", ctx.num_layers),
                      freq->describe());
  std::int64_t n = 0;
  const json::Array& arr = freq->as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    auto f = cfg.as_integer(arr[i], fmt::format("{}[{}]", field, i), 0, 1);
    if (!f) return f.error();
    n += *f;
  }
  return n;
}

// The model's dtype (text config, else the wrapper's top level): float32 4 bytes, else 2.
std::pair<std::int64_t, std::string> model_dtype(const ConfigView& cfg) {
  for (std::string_view key : {"torch_dtype", "dtype"}) {
    const json::Value* v = cfg.raw(key);
    if (v == nullptr || !v->is_string()) v = cfg.root().find(key);
    if (v != nullptr && v->is_string()) return {v->as_string() == "float32" ? 4 : 2, v->as_string()};
  }
  return {2, "16-bit (dtype unstated)"};
}

Status m3_finish(BuildContext& ctx) {
  const ConfigView& cfg = ctx.cfg;
  const json::Value* sac = cfg.raw("sparse_attention_config");
  if (sac != nullptr && sac->is_null()) sac = nullptr;
  if (sac != nullptr && !sac->is_object())
    return cfg.error("sparse_attention_config", "an object", sac->describe());
  auto layers = m3_sparse_layers(ctx, sac);
  if (!layers) return layers.error();
  if (*layers == 0) return Ok{};
  std::string field = cfg.path("sparse_attention_config.sparse_index_dim");
  const json::Value* d = sac != nullptr ? sac->find("sparse_index_dim") : nullptr;
  if (d == nullptr || d->is_null())
    return make_error(ErrorCode::bad_input, cfg.file(), field,
                      "an integer (MiniMaxM3VLIndexer reads it, no default)", "none");
  auto dim = cfg.as_integer(*d, field, 1, kMaxHeadDim);
  if (!dim) return dim.error();
  auto [elem, dtype] = model_dtype(cfg);
  auto values = checked_mul(*layers, *dim);
  if (!values) return cfg.error("sparse_attention_config", "index dims that fit in 64 bits", field);
  auto bytes = checked_mul(*values, elem);
  if (!bytes) return cfg.error("sparse_attention_config", "index dims that fit in 64 bits", field);
  CacheComponent c;
  c.name = "index keys";
  c.values_per_token = *values;
  c.bytes_per_token = *bytes;
  c.note = fmt::format(
      "MiniMax-M3 lightning indexer: {} sparse layers × 1 index-key head × sparse_index_dim {} × {} bytes "
      "({}), grows with the context; not in kv_bytes_per_token",
      *layers, *dim, elem, dtype);
  ctx.spec.extra_components.push_back(std::move(c));
  return Ok{};
}

constexpr std::array kRules{
    ArchRule{.model_type = "minimax_m3_vl",
             .config_class = "MiniMaxM3VLConfig",
             .source = "transformers configuration_minimax_m3_vl.py (01a05aa): text_config is always rebuilt "
                       "as a MiniMaxM3VLTextConfig (its model_type is dropped)",
             .text_model_type = "minimax_m3_vl_text"},
    ArchRule{.model_type = "minimax_m3_vl_text",
             .config_class = "MiniMaxM3VLTextConfig",
             .source =
                 "transformers configuration_minimax_m3_vl.py / modeling_minimax_m3_vl.py (01a05aa): "
                 "layers 60, heads 64, num_key_value_heads 4, head_dim 128; every layer full attention; "
                 "layer_types minimax_m3_sparse (sparse_attention_freq) also caches one "
                 "sparse_index_dim index key per token (MiniMaxM3VLIndexer)",
             .defaults = {.num_layers = 60,
                          .hidden_size = 6144,
                          .num_heads = 64,
                          .num_kv_heads = 4,
                          .head_dim = 128,
                          .vocab_size = 200064,
                          .tie_word_embeddings = false},
             .finish = m3_finish,
             .layer_type = m3_layer_type},
};

}  // namespace

std::span<const ArchRule> minimax_m3_rules() {
  return kRules;
}

}  // namespace kvspec
