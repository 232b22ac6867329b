#include "arch/config_view.hpp"

#include <cmath>

#include <fmt/format.h>

namespace kvspec {

std::string ConfigView::path(std::string_view key) const {
  if (d_.text_key.empty()) return std::string(key);
  return d_.text_key + "." + std::string(key);
}

Error ConfigView::error(std::string_view key, std::string expected, std::string found,
                        std::string detail) const {
  return make_error(ErrorCode::bad_input, file(), path(key), std::move(expected), std::move(found),
                    std::move(detail));
}

Result<std::int64_t> ConfigView::as_integer(const json::Value& v, const std::string& field_path,
                                            std::int64_t lo, std::int64_t hi) const {
  std::string expected = lo == 1   ? "a positive integer"
                         : lo == 0 ? "a non-negative integer"
                                   : fmt::format("an integer from {}", lo);
  if (hi < kMaxTokens) expected += fmt::format(" ≤ {}", hi);
  std::optional<std::int64_t> value;
  if (v.is_int()) {
    value = v.as_int();
  } else if (v.type() == json::Type::number) {
    // 32.0 is accepted as 32; 32.5, NaN and 1e30 are not.
    double d = v.as_double();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) value = static_cast<std::int64_t>(d);
  }
  if (!value || *value < lo || *value > hi) {
    std::string found = v.describe();
    if (value && *value > hi) found += " (too large)";
    return make_error(ErrorCode::bad_input, file(), field_path, expected, found);
  }
  return *value;
}

Result<std::optional<std::int64_t>> ConfigView::integer(std::string_view key, std::int64_t lo,
                                                        std::int64_t hi) const {
  const json::Value* v = raw(key);
  if (v == nullptr || v->is_null()) return std::optional<std::int64_t>{};
  auto r = as_integer(*v, path(key), lo, hi);
  if (!r) return r.error();
  return std::optional<std::int64_t>{*r};
}

Result<std::optional<bool>> ConfigView::boolean(std::string_view key) const {
  const json::Value* v = raw(key);
  if (v == nullptr || v->is_null()) return std::optional<bool>{};
  if (!v->is_bool()) return error(key, "true or false", v->describe());
  return std::optional<bool>{v->as_bool()};
}

Result<std::optional<std::string>> ConfigView::string(std::string_view key) const {
  const json::Value* v = raw(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return error(key, "a string", v->describe());
  return std::optional<std::string>{v->as_string()};
}

Result<std::optional<ConfigView::Named>> ConfigView::first_integer(
    std::initializer_list<std::string_view> keys, std::int64_t lo, std::int64_t hi) const {
  for (std::string_view key : keys) {
    auto r = integer(key, lo, hi);
    if (!r) return r.error();
    if (*r) return std::optional<Named>{Named{**r, std::string(key)}};
  }
  return std::optional<Named>{};
}

}  // namespace kvspec
