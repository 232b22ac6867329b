// Model handles and the commands over them (kvspec/kvspec.h): each entry point checks its pointers, then runs
// the library's command (src/app/loaded.hpp) inside capi::guarded.
#include <memory>
#include <string>
#include <vector>

#include "capi/capi.hpp"
#include "capi/options.hpp"
#include "kvspec/registry.hpp"

namespace kvspec::capi {
namespace {

Error null_argument(const char* name, const char* expected) {
  return usage_error(name, expected, "NULL");
}

Result<kvspec_model*> adopt(LoadedModel loaded) {
  return new kvspec_model{std::move(loaded)};
}

Result<char*> output(const Result<std::string>& text) {
  if (!text) return text.error();
  return malloc_copy(*text);
}

using Command = Result<std::string> (*)(const LoadedModel&, const CommandOptions&, OutputFormat);

char* run_one(const kvspec_model* model, const kvspec_options* options, kvspec_error** err, Command command,
              bool allow_weights, OutputFormat format) {
  return guarded(err, static_cast<char*>(nullptr), [&]() -> Result<char*> {
    if (model == nullptr) return null_argument("model", "a model from kvspec_model_load");
    auto o = command_options(options, allow_weights);
    if (!o) return o.error();
    return output(command(model->loaded, *o, format));
  });
}

char* run_compare(const kvspec_model* const* models, std::size_t count, const kvspec_options* options,
                  kvspec_error** err, OutputFormat format) {
  return guarded(err, static_cast<char*>(nullptr), [&]() -> Result<char*> {
    if (models == nullptr) return null_argument("models", "an array of models from kvspec_model_load");
    if (count == 0) return usage_error("count", "at least one model", "0");
    std::vector<const LoadedModel*> loaded;
    loaded.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      if (models[i] == nullptr)
        return usage_error("models[" + std::to_string(i) + "]", "a model from kvspec_model_load", "NULL");
      loaded.push_back(&models[i]->loaded);
    }
    auto o = command_options(options, false);
    if (!o) return o.error();
    return output(compare_loaded(loaded, *o, format));
  });
}

}  // namespace
}  // namespace kvspec::capi

using kvspec::OutputFormat;
using namespace kvspec::capi;

extern "C" {

kvspec_model* kvspec_model_load(const char* model, const kvspec_load_options* options, kvspec_error** err) {
  return guarded(err, static_cast<kvspec_model*>(nullptr), [&]() -> kvspec::Result<kvspec_model*> {
    if (model == nullptr)
      return null_argument("model", "a folder, config.json, .gguf, org/name[@revision], hf://... or URL");
    if (model[0] == '\0')
      return usage_error("model",
                         "a folder, config.json, .gguf, org/name[@revision], hf://... or URL "
                         "(kvspec_model_load_example for the bundled example)",
                         "''");
    auto load = load_options(options);
    if (!load) return load.error();
    auto spec = kvspec::load_model(model, *load);
    if (!spec) return spec.error();
    return adopt(kvspec::LoadedModel{model, std::move(*load), std::move(*spec)});
  });
}

kvspec_model* kvspec_model_load_example(kvspec_error** err) {
  return guarded(err, static_cast<kvspec_model*>(nullptr), [&]() -> kvspec::Result<kvspec_model*> {
    auto spec =
        kvspec::spec_from_config_text(kvspec::bundled_example_config(), kvspec::bundled_example_name());
    if (!spec) return spec.error();
    // An empty name is the bundled example to the commands (fit estimates its weights from it).
    return adopt(kvspec::LoadedModel{"", kvspec::LoadOptions{}, std::move(*spec)});
  });
}

void kvspec_model_free(kvspec_model* model) {
  delete model;
}

char* kvspec_inspect_json(const kvspec_model* model, const kvspec_options* options, kvspec_error** err) {
  return run_one(model, options, err, kvspec::inspect_loaded, false, OutputFormat::json);
}
char* kvspec_inspect_text(const kvspec_model* model, const kvspec_options* options, kvspec_error** err) {
  return run_one(model, options, err, kvspec::inspect_loaded, false, OutputFormat::text);
}
char* kvspec_compare_json(const kvspec_model* const* models, size_t count, const kvspec_options* options,
                          kvspec_error** err) {
  return run_compare(models, count, options, err, OutputFormat::json);
}
char* kvspec_compare_text(const kvspec_model* const* models, size_t count, const kvspec_options* options,
                          kvspec_error** err) {
  return run_compare(models, count, options, err, OutputFormat::text);
}
char* kvspec_fit_json(const kvspec_model* model, const kvspec_options* options, kvspec_error** err) {
  return run_one(model, options, err, kvspec::fit_loaded, true, OutputFormat::json);
}
char* kvspec_fit_text(const kvspec_model* model, const kvspec_options* options, kvspec_error** err) {
  return run_one(model, options, err, kvspec::fit_loaded, true, OutputFormat::text);
}
char* kvspec_families_json(kvspec_error** err) {
  return guarded(err, static_cast<char*>(nullptr),
                 [&]() -> kvspec::Result<char*> { return malloc_copy(kvspec::render_families_json()); });
}

}  // extern "C"
