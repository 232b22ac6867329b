// The hybrid families' layer-selection and head-dim hooks (hybrid_layers.cpp), named by the rule table in
// hybrid.cpp. Private to src/arch/families.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "arch/rule.hpp"

namespace kvspec::hybrid_detail {

// Which block-type strings a family uses (transformers configuration_utils.py _LEGACY_LAYER_TYPE_REMAP maps
// "mamba" -> "linear_attention" and "attention" -> "full_attention").
enum TypeFlags : unsigned {
  kLinear = 1,     // "linear_attention", "mamba": a recurrent layer
  kConv = 2,       // "conv": LFM2's short convolution
  kAttention = 4,  // "attention": legacy name of full attention
  kHybrid = 8,     // "hybrid": attention and a recurrent state in one layer (Zamba2, Falcon-H1)
  kNoCache = 16,   // "moe", "mlp": blocks without a sequence mixer (Nemotron-H)
};

// A block-type string as a layer of this family group, or nullopt when `flags` do not admit it.
std::optional<LayerSpec> map_type(const BuildContext& ctx, unsigned flags, std::string_view type, Tier tier);

// The ArchRule::layer_type hook for `layer_types` entries outside the attention table.
template <unsigned Flags>
Result<std::optional<LayerSpec>> typed_layer(BuildContext& ctx, std::string_view type, std::int64_t) {
  return map_type(ctx, Flags, type, Tier::config);
}

// Layer hooks (Pattern::custom): which layers are recurrent, attention or both.
Status all_recurrent(BuildContext& ctx);
Status jamba_layers(BuildContext& ctx);
Status bamba_layers(BuildContext& ctx);
Status interval_layers(BuildContext& ctx);
Status lfm2_layers(BuildContext& ctx);
Status minimax_layers(BuildContext& ctx);
Status zamba2_layers(BuildContext& ctx);
Status nemotron_h_layers(BuildContext& ctx);

// Head-dim overrides (resolve hooks).
Status zamba2_resolve(BuildContext& ctx);
Status nemotron_h_resolve(BuildContext& ctx);

}  // namespace kvspec::hybrid_detail
