// Fixed per-sequence state of recurrent and linear-attention layers: the element counts of each mixer's
// convolution and recurrent state, read from the config, and the bytes they take in the dtypes transformers
// keeps them in. Used by the hybrid family rules (src/arch/families/hybrid.cpp).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

#include "arch/rule.hpp"

namespace kvspec {

// Bounds on recurrent-state dimensions read from configs (docs/limits.md).
inline constexpr std::int64_t kMaxStateDim = std::int64_t{1} << 28;  // widths such as d_inner; real < 2^17
inline constexpr std::int64_t kMaxKernel = 1 << 10;                  // conv kernels are 2..4 in practice

// Element counts per sequence of one layer's state.
struct StateValues {
  std::int64_t conv = 0;       // convolution / token-shift state: (kernel - 1) columns of its channels
  std::int64_t recurrent = 0;  // SSM / delta-rule / WKV / linear-attention state
  std::int64_t kernel = 0;     // the conv kernel whose kernel - 1 columns `conv` counts (0: not a kernel)
};

// Bytes per element of each part.
struct StateDtypes {
  std::int64_t conv_bytes = 2;
  std::int64_t recurrent_bytes = 2;
};

// Which dtype a family's recurrent state is kept in, before any explicit config override
// (`mamba_ssm_dtype`, `mamba_ssm_cache_dtype`).
enum class RecurrentDtype : std::uint8_t { model, float32 };

// The model's dtype for the conv part and the family's dtype for the recurrent part; records both as facts.
Result<StateDtypes> state_dtypes(BuildContext& ctx, RecurrentDtype policy, std::string_view policy_source);

// A config integer: the first of `keys` present, else `fallback` (recorded as the config class default), else
// an error naming the first key. A string "auto" counts as absent.
Result<std::int64_t> state_field(BuildContext& ctx, std::initializer_list<std::string_view> keys,
                                 std::optional<std::int64_t> fallback, std::int64_t lo, std::int64_t hi);
// The same without a fallback: nullopt when absent (or "auto").
Result<std::optional<std::int64_t>> optional_state_field(BuildContext& ctx,
                                                         std::initializer_list<std::string_view> keys,
                                                         std::int64_t lo, std::int64_t hi);

// Mixer formulas (element counts; sources next to each definition).
struct Mamba1Dims {
  std::int64_t d_inner, d_state, d_conv;
};
struct Mamba2Dims {
  std::int64_t d_inner, n_groups, d_state, d_conv, n_heads, head_dim;
};
struct DeltaNetDims {
  std::int64_t key_heads, value_heads, key_dim, value_dim, d_conv;
};
Result<StateValues> mamba1_state(const BuildContext& ctx, const Mamba1Dims& d);
Result<StateValues> mamba2_state(const BuildContext& ctx, const Mamba2Dims& d);
Result<StateValues> gated_deltanet_state(const BuildContext& ctx, const DeltaNetDims& d);

// A recurrent layer with no attention cache; its state is attached later by attach_state.
LayerSpec recurrent_placeholder(Tier tier);
// A layer with no cache at all (an MLP- or MoE-only block).
LayerSpec cacheless_layer(Tier tier);

enum class StateScope : std::uint8_t { recurrent_layers, every_layer };
// Sets conv/recurrent values and state_bytes on the layers in `scope`, and notes the per-layer formula once.
Status attach_state(BuildContext& ctx, const StateValues& v, const StateDtypes& d, StateScope scope,
                    std::string_view formula);

}  // namespace kvspec
