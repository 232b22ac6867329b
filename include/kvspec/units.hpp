// Parsing and printing quantities at the edges (CLI, text output). Inside, everything is integers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kvspec {

// Token counts: 4096, 32k, 32K, 128k, 1M (k = 1024, M = 1024², as context lengths are quoted). nullopt if
// invalid, non-positive or above `max`.
std::optional<std::int64_t> parse_count(std::string_view text, std::int64_t max = std::int64_t{1} << 40);

// Byte sizes: 512MiB, 24GiB, 24G (= GiB), 80GB (= 10⁹), 1.5GiB, 1024 (bytes). Integers are exact; fractions
// are floored to whole bytes.
std::optional<std::int64_t> parse_bytes(std::string_view text);

// The same, with which unit was read, for output that says so: "GiB = 2^30 bytes", "GB = 10^9 bytes",
// "bytes".
struct ByteQuantity {
  std::int64_t bytes = 0;
  std::string unit;  // "GiB = 2^30 bytes", ...
};
std::optional<ByteQuantity> parse_byte_quantity(std::string_view text);

// "384 MiB", "2.31 GiB", "512 B": binary units, up to 2 decimals, trailing zeros dropped.
std::string format_bytes(std::int64_t bytes);
// "32768" -> "32k" style, only where exact ("1024" -> "1k", "1000" -> "1000").
std::string format_count(std::int64_t count);

}  // namespace kvspec
