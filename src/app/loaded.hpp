// The commands on a model already loaded (the C API's handles, src/capi): the same option parsing, sizing
// and rendering as inspect_command / compare_command / fit_command, after the load, so the output is the
// CLI's byte for byte when the model was loaded with the options the CLI would have used.
#pragma once

#include <string>
#include <vector>

#include "kvspec/commands.hpp"
#include "kvspec/load.hpp"
#include "kvspec/spec.hpp"

namespace kvspec {

struct LoadedModel {
  std::string model;  // as named (empty: the bundled example); fit estimates the weights from it
  LoadOptions load;   // as loaded; fit reads the weights' headers with them
  ModelCacheSpec spec;
};

// The remote options (--offline, --timeout, ...) as the commands set them from CommandOptions.
Result<RemoteOptions> command_remote_options(const CommandOptions& options);

// The load fields of `options` (hf_cache, format and the remote options) are not used: the model is loaded.
Result<std::string> inspect_loaded(const LoadedModel& model, const CommandOptions& options,
                                   OutputFormat format);
Result<std::string> compare_loaded(const std::vector<const LoadedModel*>& models,
                                   const CommandOptions& options, OutputFormat format);
Result<std::string> fit_loaded(const LoadedModel& model, const CommandOptions& options, OutputFormat format);

}  // namespace kvspec
