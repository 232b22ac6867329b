// What the weights weigh, from their safetensors headers: exact bytes, and parameters with quantization
// packing undone (MLX, GPTQ/AWQ, compressed-tensors, FP4 block formats; scales, zero points and biases of the
// packing are overhead, not parameters).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kvspec {

// Where a tensor belongs, from its name.
enum class WeightComponent : std::uint8_t {
  embeddings,   // token (and position) embeddings
  attention,    // attention projections (q/k/v/o, MLA low-rank projections)
  recurrent,    // Mamba / linear-attention / short-convolution mixers
  mlp,          // dense MLPs, MoE routers and shared experts (always active)
  moe_experts,  // routed experts (experts_per_token of num_experts active per token)
  norms,        // normalization weights
  lm_head,      // the output projection
  vision,       // vision tower and multimodal projector
  other,
};
std::string_view to_string(WeightComponent c);

struct WeightsPart {
  std::string name;  // dtype name ("BF16") or component name ("attention")
  std::int64_t bytes = 0;
  std::int64_t parameters = 0;
};

struct WeightsFile {
  std::string path;
  std::int64_t tensors = 0;
  std::int64_t header_bytes = 0;  // 8 + the JSON header's length
  std::int64_t data_bytes = 0;
  bool data_present = true;  // false for a header-only copy
};

struct WeightsSummary {
  std::int64_t total_bytes =
      0;  // sum of the tensors' byte spans (what loading them costs, before any runtime)
  std::int64_t parameters = 0;                    // with packing undone; quantization overhead excluded
  std::optional<std::int64_t> active_parameters;  // MoE only: per token
  std::int64_t tensors = 0;
  std::int64_t packed_tensors = 0;               // tensors whose elements hold several parameters
  std::int64_t quantization_overhead_bytes = 0;  // scales, zero points, biases, group indices of the packing
  std::string packing;                           // "mlx 4-bit", "gptq 4-bit", "fp8", ... ("" when none)
  std::int64_t header_bytes_read = 0;            // bytes read from disk to get all this
  std::vector<WeightsPart> by_dtype;             // largest first
  std::vector<WeightsPart> by_component;         // in WeightComponent order, empty components omitted
  std::vector<WeightsFile> files;
};

}  // namespace kvspec
