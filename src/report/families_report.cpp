// `kvspec families`: what the registry knows, for people (a table) and tools (JSON with each rule's source).
#include <algorithm>

#include <fmt/format.h>

#include "kvspec/registry.hpp"
#include "report/json_writer.hpp"

namespace kvspec {

std::string render_families_text() {
  auto families = known_families();
  std::size_t w = 0;
  for (const auto& f : families) w = std::max(w, f.model_type.size());
  std::string out = fmt::format(
      "{} families (model_type → rule; `kvspec families --json` adds each rule's source)\n", families.size());
  for (const auto& f : families) {
    std::string what = std::string(f.config_class);
    if (!f.text_model_type.empty()) what += fmt::format(" (wrapper: text config {})", f.text_model_type);
    if (!f.architecture.empty()) what += fmt::format(" (also selected by {})", f.architecture);
    out += fmt::format("  {:<{}}  {}\n", f.model_type, w, what);
  }
  return out;
}

std::string render_families_json() {
  JsonWriter w;
  w.begin_array();
  for (const auto& f : known_families()) {
    w.begin_object();
    // The document is an array (kept as it was): each entry carries the schema version.
    w.key("schema_version").value(JsonWriter::kSchemaVersion);
    w.key("model_type").value(f.model_type);
    w.key("config_class").value(f.config_class);
    w.key("text_model_type").value(f.text_model_type);
    w.key("architecture").value(f.architecture);
    w.key("source").value(f.source);
    w.end_object();
  }
  w.end_array();
  return w.str();
}

}  // namespace kvspec
