// A small owned JSON tree. simdjson does the parsing (one translation unit, json.cpp); the rest of kvspec
// sees only this type, which is cheap to build in tests and keeps simdjson's heavy header out of every other
// file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "kvspec/error.hpp"

namespace kvspec::json {

class Value;
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
using Object =
    std::vector<Member>;  // file order kept; lookups take the last duplicate, as Python's json does

enum class Type { null, boolean, integer, number, string, array, object };

class Value {
 public:
  Value() = default;
  explicit Value(bool b) : v_(b) {}
  explicit Value(std::int64_t i) : v_(i) {}
  explicit Value(double d) : v_(d) {}
  explicit Value(std::string s) : v_(std::move(s)) {}
  explicit Value(Array a) : v_(std::move(a)) {}
  explicit Value(Object o) : v_(std::move(o)) {}

  [[nodiscard]] Type type() const { return static_cast<Type>(v_.index()); }
  [[nodiscard]] bool is_null() const { return type() == Type::null; }
  [[nodiscard]] bool is_bool() const { return type() == Type::boolean; }
  [[nodiscard]] bool is_int() const { return type() == Type::integer; }
  [[nodiscard]] bool is_number() const { return type() == Type::integer || type() == Type::number; }
  [[nodiscard]] bool is_string() const { return type() == Type::string; }
  [[nodiscard]] bool is_array() const { return type() == Type::array; }
  [[nodiscard]] bool is_object() const { return type() == Type::object; }

  [[nodiscard]] bool as_bool() const { return std::get<bool>(v_); }
  [[nodiscard]] std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
  [[nodiscard]] double as_double() const {
    return is_int() ? static_cast<double>(as_int()) : std::get<double>(v_);
  }
  [[nodiscard]] const std::string& as_string() const { return std::get<std::string>(v_); }
  [[nodiscard]] const Array& as_array() const { return std::get<Array>(v_); }
  [[nodiscard]] const Object& as_object() const { return std::get<Object>(v_); }
  Array& as_array() { return std::get<Array>(v_); }
  Object& as_object() { return std::get<Object>(v_); }

  // Member lookup on an object (nullptr if absent or if this is not an object).
  [[nodiscard]] const Value* find(std::string_view key) const;

  // A short rendering for error messages: 12, "sliding", [3 items], {object}, null.
  [[nodiscard]] std::string describe() const;

 private:
  std::variant<std::monostate, bool, std::int64_t, double, std::string, Array, Object> v_;
};

struct Document {
  Value root;
  // NaN / Infinity / -Infinity tokens (Python's json writes them), read as the doubles they name: a field
  // that needs an integer then says "found NaN" instead of taking the family default.
  int nonstandard_literals = 0;
};

// Limits, with reasons (all of kvspec's are listed in docs/limits.md). Parsing costs up to ~12 bytes of
// simdjson tape and indexes per input byte of dense structure, plus ~70 bytes per value in the tree: these
// keep any config under 64 MiB of peak memory. A config.json is a few KiB (the largest real ones, with
// 21k-class id2label maps, are ~1 MiB).
inline constexpr std::size_t kMaxConfigBytes = 4u << 20;
// Real configs hold < 50k values (id2label maps included); counted before simdjson touches its buffers.
inline constexpr std::size_t kMaxValues = 1u << 18;
inline constexpr std::size_t kMaxDepth = 256;  // real configs nest < 6 deep; bounds recursion

// Parses `text`; `file` only names the source in error messages.
Result<Document> parse(std::string_view text, std::string_view file);

// Reads a whole file of at most `max_bytes` and parses it.
Result<Document> parse_file(const std::string& path, std::size_t max_bytes = kMaxConfigBytes);

// Reads a whole small file with a size bound; errors name the file.
Result<std::string> read_file_bounded(const std::string& path, std::size_t max_bytes);

}  // namespace kvspec::json
