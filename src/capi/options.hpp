// The C options structs as the library's options (src/capi/options.cpp).
#pragma once

#include "kvspec/commands.hpp"
#include "kvspec/kvspec.h"
#include "kvspec/load.hpp"

namespace kvspec::capi {

// NULL: the defaults. A struct_size that is no version of the struct is a usage error.
Result<LoadOptions> load_options(const kvspec_load_options* options);
// `allow_weights`: fit's weights field; the other commands refuse it.
Result<CommandOptions> command_options(const kvspec_options* options, bool allow_weights);

}  // namespace kvspec::capi
