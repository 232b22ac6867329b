#include "kvspec/dtype.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "util/checked.hpp"

namespace kvspec {

namespace {

// Block formats follow ggml's layouts (ggml-common.h): q8_0 = f16 scale + 32 int8 (34 B / 32 values),
// q4_0 = f16 scale + 16 B nibbles (18 B / 32), q4_1 = 2×f16 + 16 B (20 B), q5_0 = f16 + 4 B high bits + 16 B
// (22 B), q5_1 = 2×f16 + 4 B + 16 B (24 B), iq4_nl = f16 + 16 B (18 B / 32).
constexpr std::array<DTypeInfo, 11> kInfos{{
    {CacheDType::f32, "f32", 1, 4},
    {CacheDType::f16, "f16", 1, 2},
    {CacheDType::bf16, "bf16", 1, 2},
    {CacheDType::fp8_e4m3, "fp8_e4m3", 1, 1},
    {CacheDType::fp8_e5m2, "fp8_e5m2", 1, 1},
    {CacheDType::q8_0, "q8_0", 32, 34},
    {CacheDType::q4_0, "q4_0", 32, 18},
    {CacheDType::q4_1, "q4_1", 32, 20},
    {CacheDType::q5_0, "q5_0", 32, 22},
    {CacheDType::q5_1, "q5_1", 32, 24},
    {CacheDType::iq4_nl, "iq4_nl", 32, 18},
}};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

const DTypeInfo& info(CacheDType type) {
  return kInfos[static_cast<std::size_t>(type)];
}

std::optional<CacheDType> parse_cache_dtype(std::string_view name) {
  const std::string n = lower(name);
  for (const auto& i : kInfos)
    if (n == i.name) return i.type;
  if (n == "fp16" || n == "float16" || n == "half") return CacheDType::f16;
  if (n == "bfloat16") return CacheDType::bf16;
  if (n == "fp32" || n == "float32" || n == "float") return CacheDType::f32;
  if (n == "fp8" || n == "f8_e4m3" || n == "float8_e4m3fn" || n == "e4m3") return CacheDType::fp8_e4m3;
  if (n == "f8_e5m2" || n == "float8_e5m2" || n == "e5m2") return CacheDType::fp8_e5m2;
  return std::nullopt;
}

std::optional<std::int64_t> row_bytes(CacheDType type, std::int64_t values) {
  const DTypeInfo& i = info(type);
  if (values < 0) return std::nullopt;
  std::int64_t blocks = values / i.block_values + (values % i.block_values != 0 ? 1 : 0);
  return checked_mul(blocks, i.block_bytes);
}

std::optional<CacheDType> cache_dtype_from_torch(std::string_view torch_dtype) {
  return parse_cache_dtype(torch_dtype);
}

}  // namespace kvspec
