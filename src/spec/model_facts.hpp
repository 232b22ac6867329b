// Facts beside the layer pattern: MoE, quantization, dtype, maximum positions.
#pragma once

#include "arch/config_view.hpp"
#include "kvspec/spec.hpp"
#include "spec/validate_spec.hpp"

namespace kvspec {

// Records in `keys` the fields it read, for validate_spec's messages.
Status read_model_facts(const ConfigView& cfg, ModelCacheSpec& spec, SpecKeys& keys);

}  // namespace kvspec
