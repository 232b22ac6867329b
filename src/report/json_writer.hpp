// A minimal streaming JSON writer (pretty-printed, two-space indent) for kvspec's outputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kvspec {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(bool b);
  JsonWriter& value(double d);  // non-finite as null
  // The version of kvspec's JSON documents (README "JSON output"): the first key of every top-level object.
  static constexpr std::int64_t kSchemaVersion = 1;
  JsonWriter& null();
  JsonWriter& value(const std::optional<std::int64_t>& n) { return n ? value(*n) : null(); }
  JsonWriter& value(const std::optional<std::string>& s) { return s ? value(std::string_view(*s)) : null(); }

  [[nodiscard]] std::string str() const { return out_ + "\n"; }

 private:
  void before_value();
  void newline();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

std::string json_escape(std::string_view s);

}  // namespace kvspec
