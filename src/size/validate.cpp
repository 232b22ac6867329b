// The preconditions of sizing, checked before any arithmetic: a spec from any reader, or built by hand, is
// either sized exactly or refused with a message naming the layer and field.
#include <fmt/format.h>

#include "kvspec/size.hpp"

namespace kvspec {

Status validate_layer(const LayerSpec& l, std::int64_t index, std::int64_t num_layers,
                      const std::string& source) {
  auto bad = [&](std::string_view field, std::string expected, std::int64_t found) -> Status {
    return make_error(ErrorCode::bad_input, source, fmt::format("layers[{}].{}", index, field),
                      std::move(expected), std::to_string(found), "the spec cannot be sized");
  };
  if (l.num_kv_heads < 0 || l.num_kv_heads > kMaxSpecHeads)
    return bad("num_kv_heads", fmt::format("0 to {}", kMaxSpecHeads), l.num_kv_heads);
  if (l.head_dim_k < 0 || l.head_dim_k > kMaxSpecHeadDim)
    return bad("head_dim_k", fmt::format("0 to {}", kMaxSpecHeadDim), l.head_dim_k);
  if (l.head_dim_v < 0 || l.head_dim_v > kMaxSpecHeadDim)
    return bad("head_dim_v", fmt::format("0 to {}", kMaxSpecHeadDim), l.head_dim_v);
  auto outside = [](std::int64_t v, std::int64_t lo, std::int64_t hi) { return v < lo || v > hi; };
  if (l.window && outside(*l.window, 1, kMaxSpecTokens))
    return bad("window", fmt::format("1 to {}", kMaxSpecTokens), *l.window);
  if (l.fixed_tokens && outside(*l.fixed_tokens, 0, kMaxSpecTokens))
    return bad("fixed_tokens", fmt::format("0 to {}", kMaxSpecTokens), *l.fixed_tokens);
  if (outside(l.state_bytes, 0, kMaxSpecState))
    return bad("state_bytes", fmt::format("0 to {}", kMaxSpecState), l.state_bytes);
  if (outside(l.conv_state_values, 0, kMaxSpecState))
    return bad("conv_state_values", fmt::format("0 to {}", kMaxSpecState), l.conv_state_values);
  if (outside(l.recurrent_state_values, 0, kMaxSpecState))
    return bad("recurrent_state_values", fmt::format("0 to {}", kMaxSpecState), l.recurrent_state_values);
  if (outside(l.conv_kernel, 0, kMaxSpecHeadDim))
    return bad("conv_kernel", fmt::format("0 to {}", kMaxSpecHeadDim), l.conv_kernel);
  if (l.shares_with && (*l.shares_with < 0 || *l.shares_with >= num_layers))
    return bad("shares_with", fmt::format("a layer index below {}", num_layers), *l.shares_with);
  return Ok{};
}

Status validate_for_sizing(const ModelCacheSpec& spec) {
  const auto n = static_cast<std::int64_t>(spec.layers.size());
  for (std::int64_t i = 0; i < n; ++i)
    if (auto s = validate_layer(spec.layers[static_cast<std::size_t>(i)], i, n, spec.source); !s) return s;
  return Ok{};
}

}  // namespace kvspec
