// description + registry (+ tier-2 evidence) -> ModelCacheSpec.
#pragma once

#include "format/model_description.hpp"
#include "kvspec/error.hpp"
#include "kvspec/spec.hpp"

namespace kvspec {

Result<ModelCacheSpec> build_spec(const ModelDescription& description);

}  // namespace kvspec
