#include "kvspec/units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace kvspec {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::int64_t> parse_count(std::string_view text, std::int64_t max) {
  text = trim(text);
  std::int64_t mult = 1;
  if (!text.empty()) {
    char c = text.back();
    if (c == 'k' || c == 'K')
      mult = 1024;
    else if (c == 'm' || c == 'M')
      mult = 1024 * 1024;
    if (mult != 1) text.remove_suffix(1);
  }
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty() || v <= 0) return std::nullopt;
  if (v > max / mult) return std::nullopt;
  return v * mult;
}

std::optional<ByteQuantity> parse_byte_quantity(std::string_view text) {
  text = trim(text);
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  std::string_view num = text.substr(0, i);
  std::string unit(trim(text.substr(i)));
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (num.empty()) return std::nullopt;
  struct Unit {
    const char* names[2];
    std::int64_t mult;
    const char* note;
  };
  // G, M, K and T alone are binary, as memory sizes are usually meant (24G = 24 GiB).
  static constexpr Unit kUnits[] = {
      {{"", "b"}, 1, "bytes"},
      {{"k", "kib"}, std::int64_t{1} << 10, "KiB = 2^10 bytes"},
      {{"m", "mib"}, std::int64_t{1} << 20, "MiB = 2^20 bytes"},
      {{"g", "gib"}, std::int64_t{1} << 30, "GiB = 2^30 bytes"},
      {{"t", "tib"}, std::int64_t{1} << 40, "TiB = 2^40 bytes"},
      {{"kb", "kb"}, 1'000, "kB = 10^3 bytes"},
      {{"mb", "mb"}, 1'000'000, "MB = 10^6 bytes"},
      {{"gb", "gb"}, 1'000'000'000, "GB = 10^9 bytes"},
      {{"tb", "tb"}, 1'000'000'000'000, "TB = 10^12 bytes"},
  };
  const Unit* u = nullptr;
  for (const auto& candidate : kUnits)
    if (unit == candidate.names[0] || unit == candidate.names[1]) u = &candidate;
  if (u == nullptr) return std::nullopt;
  ByteQuantity q;
  q.unit = u->note;
  if (num.find('.') == std::string_view::npos) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
    if (ec != std::errc() || p != num.data() + num.size() ||
        v > std::numeric_limits<std::int64_t>::max() / u->mult)
      return std::nullopt;
    q.bytes = v * u->mult;
    return q;
  }
  double v = 0;
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (ec != std::errc() || p != num.data() + num.size() || !(v >= 0)) return std::nullopt;
  double bytes = std::floor(v * static_cast<double>(u->mult));
  if (bytes > 9.0e18) return std::nullopt;
  q.bytes = static_cast<std::int64_t>(bytes);
  return q;
}

std::optional<std::int64_t> parse_bytes(std::string_view text) {
  auto q = parse_byte_quantity(text);
  if (!q) return std::nullopt;
  return q->bytes;
}

std::string format_bytes(std::int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (std::fabs(v) >= 1024.0 && u < 6) {
    v /= 1024.0;
    ++u;
  }
  if (u == 0) return fmt::format("{} B", bytes);
  std::string s = fmt::format("{:.2f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s + " " + kUnits[u];
}

std::string format_count(std::int64_t count) {
  if (count >= 1024 * 1024 && count % (1024 * 1024) == 0) return fmt::format("{}M", count / (1024 * 1024));
  if (count >= 1024 && count % 1024 == 0) return fmt::format("{}k", count / 1024);
  return std::to_string(count);
}

}  // namespace kvspec
