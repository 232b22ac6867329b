// What the architecture registry knows: one entry per model_type, with the config class its defaults come
// from and the source its rule was read from.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kvspec {

struct FamilyInfo {
  std::string_view model_type;
  std::string_view config_class;
  std::string_view source;
  std::string_view text_model_type;  // wrappers: the nested text config's default model_type
  std::string_view architecture;     // an `architectures` class name that also selects it
};

// Every family, sorted by model_type.
std::vector<FamilyInfo> known_families();

// `kvspec families`: a table (model_type, config class, wrapper target) or a JSON array with the sources.
std::string render_families_text();
std::string render_families_json();

}  // namespace kvspec
