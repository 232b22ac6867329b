// Tier 2 in the builder: where the config is silent (an unknown model_type without a layer pattern) the
// weights decide each layer's kind; where it speaks, the weights check it and any disagreement is a warning
// naming both values.
#pragma once

#include "arch/rule.hpp"
#include "format/model_description.hpp"

namespace kvspec {

Status apply_weights_evidence(BuildContext& ctx, const ModelDescription& d);

}  // namespace kvspec
