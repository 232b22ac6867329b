// Reading meaning from checkpoint tensor names: which layer a tensor belongs to, which component, and what
// the quantization packing around it looks like. Naming follows transformers' modeling_*.py modules and
// mlx-lm's models/*.py (which keep the transformers names), plus the quantizers' suffixes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "format/safetensors.hpp"
#include "kvspec/weights.hpp"

namespace kvspec {

// Every tensor of a checkpoint by name (views into the checkpoint, which must outlive it).
using TensorIndex = std::unordered_map<std::string_view, const st::Tensor*>;
TensorIndex index_tensors(const st::Checkpoint& ck);

// "model.layers.3.self_attn.k_proj.weight" -> {"model", "layers", "3", "self_attn", "k_proj", "weight"}.
std::vector<std::string_view> split_name(std::string_view name);

// The decoder layer a tensor belongs to: the number after the first `layers`, `h`, `blocks`, `layer` or
// `block` token. nullopt for tensors outside the decoder stack (embeddings, vision or audio towers, encoders,
// MTP heads).
std::optional<std::int64_t> decoder_layer(const std::vector<std::string_view>& tokens);

// The component a tensor belongs to, from its name.
WeightComponent classify_component(const std::vector<std::string_view>& tokens);

// Module names that are attention projections (q/k/v, fused qkv, MLA's low-rank projections).
bool is_attention_projection(std::string_view module);
// Tokens that mark a recurrent mixer (Mamba, linear attention, RWKV time mixing, LFM2 short convolution).
bool is_recurrent_token(std::string_view token);

}  // namespace kvspec
