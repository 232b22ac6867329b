#include <fmt/format.h>

#include "format/model_description.hpp"

namespace kvspec {

Result<ModelDescription> describe_config(std::string_view text, std::string file, std::string name) {
  auto doc = json::parse(text, file);
  if (!doc) return doc.error();
  ModelDescription d;
  d.config_file = std::move(file);
  d.name = std::move(name);
  d.doc = std::move(*doc);
  if (!d.doc.root.is_object())
    return make_error(ErrorCode::bad_input, d.config_file, "", "a JSON object at the top level",
                      d.doc.root.describe());
  for (const char* key : kTextConfigKeys) {
    const json::Value* t = d.doc.root.find(key);
    if (t == nullptr || t->is_null()) continue;
    if (!t->is_object())
      return make_error(ErrorCode::bad_input, d.config_file, key, "an object (the nested text config)",
                        t->describe());
    d.text_key = key;
    break;
  }
  return d;
}

}  // namespace kvspec
