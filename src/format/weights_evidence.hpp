// Tier 2: what each decoder layer's tensors show — attention projections and their K/V output widths,
// recurrent mixers and the state their shapes imply.
#pragma once

#include "format/model_description.hpp"
#include "format/safetensors.hpp"
#include "format/tensor_names.hpp"

namespace kvspec {

WeightsEvidence weights_evidence(const st::Checkpoint& ck, const TensorIndex& index);

}  // namespace kvspec
