#include "kvspec/load.hpp"

#include "format/model_description.hpp"
#include "json/json.hpp"
#include "source/resolve.hpp"
#include "spec/build.hpp"

namespace kvspec {

Result<ModelCacheSpec> spec_from_config_text(std::string_view config_json, std::string_view name) {
  auto d = describe_config(config_json, std::string(name), std::string(name));
  if (!d) return d.error();
  return build_spec(*d);
}

Result<ModelCacheSpec> load_model(std::string_view model, const LoadOptions& options) {
  auto loc = locate_model(model, options);
  if (!loc) return loc.error();
  auto text = json::read_file_bounded(loc->config_path, json::kMaxConfigBytes);
  if (!text) return text.error();
  auto d = describe_config(*text, loc->config_path, loc->name);
  if (!d) return d.error();
  return build_spec(*d);
}

}  // namespace kvspec
