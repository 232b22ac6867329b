// The runtime profiles behind size_runtime(), one file each, and what they share.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "kvspec/runtime.hpp"
#include "util/checked.hpp"

namespace kvspec {

Result<RuntimeSize> size_llama_cpp(const ModelCacheSpec& spec, const RuntimeRequest& request);
Result<RuntimeSize> size_mlx(const ModelCacheSpec& spec, const RuntimeRequest& request);
Result<RuntimeSize> size_vllm(const ModelCacheSpec& spec, const RuntimeRequest& request);
Result<RuntimeSize> size_transformers(const ModelCacheSpec& spec, const RuntimeRequest& request);

namespace runtime_detail {

Error overflow(std::string_view what);
Error usage(std::string field, std::string expected, std::string found, std::string detail = {});

// Checked a × b × ... and a + b, or an overflow error naming `what`.
template <class... Ts>
Result<std::int64_t> product(std::string_view what, std::int64_t first, Ts... rest);
Result<std::int64_t> sum(std::string_view what, std::int64_t a, std::int64_t b);

// Bytes of `values` elements of a plain (non-block) type; error for ggml block types, which only llama.cpp
// has.
Result<std::int64_t> plain_bytes(CacheDType type, std::int64_t values, std::string_view runtime);

inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return a / b + (a % b != 0 ? 1 : 0);
}
inline std::int64_t round_up(std::int64_t a, std::int64_t m) {
  return ceil_div(a, m) * m;
}

// The model's own dtype in bytes per element (bf16/f16 = 2), from spec.dtype; 2 when unstated.
std::int64_t model_dtype_bytes(const ModelCacheSpec& spec);

// Adds K and V bytes to out's K/V totals (checked).
Status add_kv_totals(RuntimeSize& out, std::int64_t k_bytes, std::int64_t v_bytes);
// Adds layer `i`'s recurrent state (bytes per sequence × copies) to out's state total and to its per-layer
// entry (which a hybrid layer's K/V also adds to).
Result<std::int64_t> add_layer_state(RuntimeSize& out, std::size_t i, std::int64_t state_bytes,
                                     std::int64_t copies);
// Adds layer `i`'s K and V — row bytes per token × tokens × copies (sequences or streams) — to out's K/V
// totals and its per-layer entries (adding to what is there); returns the layer's K/V bytes.
Result<std::int64_t> add_layer_kv(RuntimeSize& out, std::size_t i, std::int64_t k_row, std::int64_t v_row,
                                  std::int64_t tokens, std::int64_t copies);
// kv_bytes = K + V bytes; total_bytes = kv_bytes + state_bytes.
Status close_totals(RuntimeSize& out);

// Fills the common fields of a result and mirrors the typed runtime fields into `details`.
void start(RuntimeSize& out, const RuntimeRequest& request);
void finish(RuntimeSize& out);

// Whether a layer keeps a recurrent state: recurrent layers, and the hybrid layers that run attention and a
// Mamba mixer side by side (Falcon-H1, Zamba2's hybrid layers), which hold both K/V and a state.
inline bool holds_state(const LayerSpec& l) {
  return l.state_bytes > 0 || l.conv_state_values > 0 || l.recurrent_state_values > 0;
}

bool is_one_of(std::string_view model_type, std::initializer_list<std::string_view> names);

// The DSA lightning indexer's key cache (the spec's "indexer keys" component) of a sparse-attention model
// (GGUF deepseek32 / glm-dsa, HF deepseek_v32 / glm_moe_dsa, given as `type`); nullptr for any other.
const CacheComponent* dsa_indexer(const ModelCacheSpec& spec, std::string_view type);

}  // namespace runtime_detail

template <class... Ts>
Result<std::int64_t> runtime_detail::product(std::string_view what, std::int64_t first, Ts... rest) {
  std::optional<std::int64_t> acc = checked_product(first, rest...);
  if (!acc) return overflow(what);
  return *acc;
}

}  // namespace kvspec
