// Tier 1: the layer kinds a config states explicitly in `layer_types`.
#pragma once

#include "arch/rule.hpp"

namespace kvspec {

// Builds ctx.spec.layers from `layer_types` when the config has it: true if it did, false if the key is
// absent. Errors: not an array of strings, length ≠ layer count, unknown type strings, sliding layers without
// a window.
Result<bool> layers_from_layer_types(BuildContext& ctx);

}  // namespace kvspec
