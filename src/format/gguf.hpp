// A bounded GGUF v2/v3 reader. It reads the header (metadata and tensor infos) in small buffered reads and
// never the tensor data. Every count and length is checked against the bytes left in the file before anything
// is allocated; large arrays (a tokenizer's vocabulary, merges, scores) are skipped and only their place in
// the file is kept, so a 256k-token vocabulary costs a few hundred kilobytes of reading and no copies.
// Format: ggml docs/gguf.md and ggml/src/gguf.cpp (llama.cpp 00395eb).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kvspec/error.hpp"

namespace kvspec::gguf {

enum class ValueType : std::uint32_t {
  u8 = 0,
  i8 = 1,
  u16 = 2,
  i16 = 3,
  u32 = 4,
  i32 = 5,
  f32 = 6,
  boolean = 7,
  string = 8,
  array = 9,
  u64 = 10,
  i64 = 11,
  f64 = 12,
};

std::string_view to_string(ValueType type);

// Arrays with at most this many numeric or bool elements are loaded (per-layer arrays); longer ones are
// skipped.
inline constexpr std::uint64_t kMaxLoadedArray = 1u << 16;
// Strings up to this length are kept; longer ones (chat templates, tokenizer JSON) are skipped.
inline constexpr std::uint64_t kMaxKeptString = 1u << 16;
// Keys longer than this are malformed.
inline constexpr std::uint64_t kMaxKeyLength = 1u << 16;
// Arrays nest at most this deep.
inline constexpr int kMaxArrayDepth = 8;
// GGML_MAX_DIMS.
inline constexpr std::uint32_t kMaxDims = 4;
// Memory bounds (docs/limits.md). Each key/value costs ~200 bytes in memory for as few as 13 in the file,
// each tensor info ~130 for 24, and a kept u8 array 8 bytes per element for 1: without these, a 100 MB header
// of minimal entries took over a GiB. Real files hold < 100 metadata keys and < 5,000 tensors.
inline constexpr std::uint64_t kMaxKvCount = 1u << 16;
inline constexpr std::uint64_t kMaxTensorCount = 1u << 17;
// Keys, kept strings and loaded arrays together; past it, further values are skipped like over-long ones
// (real files keep < 2 MiB: per-layer arrays and short strings).
inline constexpr std::uint64_t kMaxKeptBytes = 16u << 20;
// Time bounds (docs/limits.md): work follows what is read, not what a header claims. Fixed-size arrays are
// skipped without walking; string elements and nested arrays must be walked one by one, so their element
// counts are charged against kMaxWalkedElements (all arrays of a file together) before the walk starts: an
// array of 2^34 empty arrays took 85 minutes. Real files walk < 2^20 elements (a 262k vocabulary plus its
// ~500k merges). llama.cpp's own bounds are looser (gguf.cpp, 067d44f: GGUF_MAX_ARRAY_ELEMENTS and
// GGUF_MAX_STRING_LENGTH, both 2^30; it refuses nested arrays outright).
inline constexpr std::uint64_t kMaxWalkedElements = 1u << 24;
// Strings longer than llama.cpp's GGUF_MAX_STRING_LENGTH are refused, as gguf.cpp refuses them.
inline constexpr std::uint64_t kMaxStringLength = 1u << 30;
// Bytes actually read from the source (the 64 KiB window refills), whatever is skipped: real headers are
// < 64 MiB (vocabulary and merges included).
inline constexpr std::uint64_t kMaxHeaderBytesRead = 256u << 20;

struct Value {
  ValueType type = ValueType::u8;
  // Scalars: integers that fit in int64 (u64 above INT64_MAX leaves `integer` empty), floats, bools.
  std::optional<std::int64_t> integer;
  double real = 0;
  bool boolean = false;
  std::string text;          // strings up to kMaxKeptString
  std::uint64_t length = 0;  // string length, or array element count
  bool kept = true;          // false: a string or array too long to keep (only its length/count is known)
  // Arrays: element type, and the loaded elements (numeric/bool arrays up to kMaxLoadedArray).
  ValueType element_type = ValueType::u8;
  std::vector<std::int64_t> integers;  // integer and bool elements
  std::vector<double> reals;           // float elements
  std::uint64_t file_offset = 0;       // where the value starts in the file
};

struct KeyValue {
  std::string key;
  Value value;
};

struct TensorInfo {
  std::string name;
  std::uint32_t type = 0;  // ggml type id
  std::uint32_t n_dims = 0;
  std::int64_t ne[kMaxDims] = {1, 1, 1, 1};
  std::uint64_t offset = 0;  // relative to the data section
  std::int64_t elements = 0;
  std::int64_t bytes = 0;
};

struct File {
  std::string path;
  std::uint32_t version = 0;
  std::uint64_t tensor_count = 0;
  std::uint64_t kv_count = 0;
  std::int64_t alignment = 32;
  std::uint64_t header_end = 0;   // first byte after the tensor infos
  std::uint64_t data_offset = 0;  // header_end rounded up to the alignment
  std::uint64_t data_size = 0;    // the data section the tensor infos describe
  std::uint64_t file_size = 0;
  bool data_present = true;  // false: the file ends at (or before) the data section
  std::vector<KeyValue> kvs;
  std::vector<TensorInfo> tensors;

  [[nodiscard]] const Value* find(std::string_view key) const;
};

// Reads one file's header. Errors (bad_input, not_found, io) name the file, the field and the byte offset.
Result<File> read_file(const std::string& path);

// Parses a header held in memory (tests and fuzzing); `name` appears in messages.
Result<File> read_buffer(std::string_view bytes, const std::string& name);

// Parses the header from the first bytes of a file of `file_size` bytes (a remote read). `need` > 0 and no
// file: the header goes on past the prefix, read at least `need` bytes in all and call again.
struct PrefixParse {
  std::optional<File> file;
  std::uint64_t need = 0;
};
Result<PrefixParse> read_prefix(std::string_view prefix, std::uint64_t file_size, const std::string& name);

}  // namespace kvspec::gguf
