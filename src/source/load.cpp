#include "kvspec/load.hpp"

#include "format/model_description.hpp"
#include "format/safetensors.hpp"
#include "format/tensor_names.hpp"
#include "format/weights_evidence.hpp"
#include "json/json.hpp"
#include "kvspec/gguf.hpp"
#include "source/resolve.hpp"
#include "spec/build.hpp"
#include "spec/weights_summary.hpp"

namespace kvspec {

Result<ModelCacheSpec> spec_from_config_text(std::string_view config_json, std::string_view name) {
  auto d = describe_config(config_json, std::string(name), std::string(name));
  if (!d) return d.error();
  return build_spec(*d);
}

Result<ModelCacheSpec> load_model(std::string_view model, const LoadOptions& options) {
  auto loc = locate_model(model, options);
  if (!loc) return loc.error();
  if (is_gguf_location(*loc)) {
    auto spec = spec_from_gguf(loc->config_path);
    if (spec) spec->source = loc->name;
    if (spec && !loc->note.empty()) spec->notes.push_back({Note::Level::info, loc->note});
    if (spec) spec->remote = loc->remote;
    return spec;
  }
  auto text = json::read_file_bounded(loc->config_path, json::kMaxConfigBytes);
  if (!text) return text.error();
  auto d = describe_config(*text, loc->config_path, loc->name);
  if (!d) return d.error();
  // The safetensors headers beside config.json, if any: tier-2 evidence for the builder, then the weights
  // summary.
  auto ck = st::read_checkpoint(loc->dir);
  if (!ck) return ck.error();
  TensorIndex index;
  if (*ck && !(*ck)->files.empty()) {
    index = index_tensors(**ck);
    d->weights = weights_evidence(**ck, index);
  }
  auto spec = build_spec(*d);
  if (!spec) return spec.error();
  if (!loc->note.empty()) spec->notes.push_back({Note::Level::info, loc->note});
  spec->remote = loc->remote;
  if (*ck) {
    spec->notes.insert(spec->notes.end(), (*ck)->notes.begin(), (*ck)->notes.end());
    if (!(*ck)->files.empty()) {
      auto w = summarize_weights(**ck, index, d->root(), *spec, spec->notes);
      if (!w) return w.error();
      spec->weights = std::move(*w);
    }
  }
  return spec;
}

}  // namespace kvspec
