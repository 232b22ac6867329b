// Cache element types and their exact storage cost, block formats included.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kvspec {

enum class CacheDType : std::uint8_t {
  f32,
  f16,
  bf16,
  fp8_e4m3,
  fp8_e5m2,
  q8_0,
  q4_0,
  q4_1,
  q5_0,
  q5_1,
  iq4_nl
};

struct DTypeInfo {
  CacheDType type;
  std::string_view name;      // canonical name, as printed and in JSON
  std::int64_t block_values;  // values per storage block (1 for plain types)
  std::int64_t block_bytes;   // bytes per block
};

const DTypeInfo& info(CacheDType type);
inline std::string_view to_string(CacheDType type) {
  return info(type).name;
}

// Accepts the canonical names and common spellings: f16/fp16/float16/half, bf16/bfloat16, f32/fp32/float32,
// fp8/fp8_e4m3/f8_e4m3, fp8_e5m2, q8_0, q4_0, ...
std::optional<CacheDType> parse_cache_dtype(std::string_view name);

// Bytes for one row of `values` elements: whole blocks (ggml rows are block multiples; a partial block still
// costs a whole one). nullopt on overflow.
std::optional<std::int64_t> row_bytes(CacheDType type, std::int64_t values);

// The model's dtype string from a config ("bfloat16", "float16", "float32"), as a cache dtype.
std::optional<CacheDType> cache_dtype_from_torch(std::string_view torch_dtype);

}  // namespace kvspec
