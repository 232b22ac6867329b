#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "kvspec/size.hpp"
#include "util/checked.hpp"

namespace kvspec {

namespace {

Error overflow(std::string_view what) {
  return make_error(ErrorCode::usage, "", "", "sizes that fit in 64 bits", "an overflow",
                    fmt::format("while computing {}", what));
}

// The per-token bytes of a layer already validated.
Result<std::int64_t> validated_layer_bytes(const LayerSpec& layer, CacheDType k, CacheDType v) {
  if (!layer.owns_kv()) return std::int64_t{0};
  auto kb = row_bytes(k, layer.k_values_per_token());
  auto vb = row_bytes(v, layer.v_values_per_token());
  if (!kb || !vb) return overflow("bytes per token");
  auto sum = checked_add(*kb, *vb);
  if (!sum) return overflow("bytes per token");
  return *sum;
}

}  // namespace

Result<std::int64_t> layer_bytes_per_token(const LayerSpec& layer, CacheDType k, CacheDType v) {
  // Alone, a layer cannot say whether `shares_with` exists: pass an index bound that accepts any.
  if (auto s = validate_layer(layer, 0, std::numeric_limits<std::int32_t>::max(), ""); !s) return s.error();
  return validated_layer_bytes(layer, k, v);
}

Result<std::int64_t> kv_bytes_per_token(const ModelCacheSpec& spec, CacheDType k, CacheDType v) {
  if (auto s = validate_for_sizing(spec); !s) return s.error();
  std::int64_t total = 0;
  for (const auto& layer : spec.layers) {
    // Cross-attention layers hold a fixed number of encoder tokens: a new context token adds nothing to them.
    if (layer.kind == LayerKind::cross_attention) continue;
    auto b = validated_layer_bytes(layer, k, v);
    if (!b) return b.error();
    auto t = checked_add(total, *b);
    if (!t) return overflow("bytes per token");
    total = *t;
  }
  return total;
}

std::int64_t exact_tokens_held(const LayerSpec& layer, std::int64_t context) {
  switch (layer.kind) {
    case LayerKind::full_attention:
    case LayerKind::mla:
      return context;
    case LayerKind::sliding_attention:
    case LayerKind::chunked_attention:
      return layer.window ? std::min(context, *layer.window) : context;
    case LayerKind::cross_attention:
      return layer.fixed_tokens.value_or(0);
    case LayerKind::recurrent:
    case LayerKind::shared:
    case LayerKind::none:
      return 0;
  }
  return 0;
}

Result<std::int64_t> component_values_held(const CacheComponent& c, std::int64_t context) {
  if (context < 0) return overflow("a component's size");
  if (c.pooled.empty()) {
    auto v = checked_mul(c.values_per_token, context);
    if (!v || c.values_per_token < 0) return overflow("a component's size");
    return *v;
  }
  std::int64_t total = 0;
  for (const PooledBuffer& b : c.pooled) {
    if (b.ratio < 1 || b.values < 0)
      return make_error(ErrorCode::usage, "", c.name, "pooled buffers with ratio >= 1 and values >= 0",
                        fmt::format("ratio {}, values {}", b.ratio, b.values));
    auto v = checked_mul(context / b.ratio, b.values);
    if (!v) return overflow("a component's size");
    auto t = checked_add(total, *v);
    if (!t) return overflow("a component's size");
    total = *t;
  }
  return total;
}

Result<CacheSize> size_exact(const ModelCacheSpec& spec, const SizeRequest& request) {
  if (request.context <= 0 || request.batch <= 0)
    return make_error(ErrorCode::usage, "", request.context <= 0 ? "context" : "batch", "a positive integer",
                      std::to_string(request.context <= 0 ? request.context : request.batch));
  if (auto s = validate_for_sizing(spec); !s) return s.error();
  CacheSize out;
  out.context = request.context;
  out.batch = request.batch;
  out.k_dtype = request.k_dtype;
  out.v_dtype = request.v_dtype;
  out.per_layer_bytes.reserve(spec.layers.size());
  for (const auto& layer : spec.layers) {
    auto per_token = validated_layer_bytes(layer, request.k_dtype, request.v_dtype);
    if (!per_token) return per_token.error();
    auto kv = checked_product(*per_token, exact_tokens_held(layer, request.context), request.batch);
    auto state = checked_mul(layer.state_bytes, request.batch);
    if (!kv || !state) return overflow("the cache size");
    auto layer_total = checked_add(*kv, *state);
    auto kv_sum = checked_add(out.kv_bytes, *kv);
    auto state_sum = checked_add(out.state_bytes, *state);
    if (!layer_total || !kv_sum || !state_sum) return overflow("the cache size");
    out.per_layer_bytes.push_back(*layer_total);
    out.kv_bytes = *kv_sum;
    out.state_bytes = *state_sum;
  }
  // The caches beside the attention K/V (DSA indexer keys, DeepSeek-V4's pooled entries), priced in the K
  // type (llama.cpp's llama_kv_cache_dsa keeps its indexer keys in the K cache type).
  for (const CacheComponent& c : spec.extra_components) {
    auto values = component_values_held(c, request.context);
    if (!values) return values.error();
    auto row = row_bytes(request.k_dtype, *values);
    if (!row) return overflow("a component's size");
    auto bytes = checked_mul(*row, request.batch);
    if (!bytes) return overflow("a component's size");
    auto extra = checked_add(out.extra_bytes, *bytes);
    auto kv_sum = checked_add(out.kv_bytes, *bytes);
    if (!extra || !kv_sum) return overflow("the cache size");
    out.extra_bytes = *extra;
    out.kv_bytes = *kv_sum;
  }
  auto total = checked_add(out.kv_bytes, out.state_bytes);
  if (!total) return overflow("the cache size");
  out.total_bytes = *total;
  out.peak_bytes = *total;
  return out;
}

}  // namespace kvspec
