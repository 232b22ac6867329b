// Checked 64-bit arithmetic: sizes never wrap; overflow becomes nullopt and then an error at the caller.
#pragma once

#include <cstdint>
#include <optional>

namespace kvspec {

inline std::optional<std::int64_t> checked_mul(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

inline std::optional<std::int64_t> checked_add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

inline std::optional<std::int64_t> checked_sub(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// a * b * c ... with nullopt propagation.
template <class... Ts>
std::optional<std::int64_t> checked_product(std::int64_t first, Ts... rest) {
  std::optional<std::int64_t> acc = first;
  ((acc = acc ? checked_mul(*acc, static_cast<std::int64_t>(rest)) : std::nullopt), ...);
  return acc;
}

}  // namespace kvspec
