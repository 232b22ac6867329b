// The weights summary: exact bytes from the headers, parameters with quantization packing undone, active
// parameters for MoE models.
#pragma once

#include <vector>

#include "format/safetensors.hpp"
#include "format/tensor_names.hpp"
#include "json/json.hpp"
#include "kvspec/error.hpp"
#include "kvspec/spec.hpp"
#include "kvspec/weights.hpp"

namespace kvspec {

// `config_root` is the config.json root (where `quantization` / `quantization_config` live); `spec` supplies
// the MoE shape for active parameters. Notes (e.g. packing whose bits the config does not state) go to
// `notes`.
Result<WeightsSummary> summarize_weights(const st::Checkpoint& ck, const TensorIndex& index,
                                         const json::Value& config_root, const ModelCacheSpec& spec,
                                         std::vector<Note>& notes);

}  // namespace kvspec
