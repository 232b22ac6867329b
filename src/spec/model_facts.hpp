// Facts beside the layer pattern: MoE, quantization, dtype, maximum positions.
#pragma once

#include "arch/config_view.hpp"
#include "kvspec/spec.hpp"

namespace kvspec {

Status read_model_facts(const ConfigView& cfg, ModelCacheSpec& spec);

}  // namespace kvspec
