// safetensors headers, read without touching tensor data: an 8-byte little-endian header length N, then N
// bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}, then the data
// section. Validated as the reference implementation does (huggingface/safetensors safetensors/src/tensor.rs,
// v0.6: MAX_HEADER_SIZE = 100_000_000; offsets sorted, the first at 0, each beginning where the previous
// ends; byte span = elements × dtype bits / 8, on a byte boundary). A file shorter than its data section (a
// header-only copy) is still inspected, with a warning.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kvspec/error.hpp"
#include "kvspec/spec.hpp"

namespace kvspec::st {

// Memory bounds (docs/limits.md): simdjson's DOM costs ~6 bytes per header byte for real headers and up to
// ~12 for dense arrays, so the byte limits are kvspec's, below the format's own MAX_HEADER_SIZE of 100 MB
// (which allowed a 100 MB header to take 1.3 GiB), and values are counted before parsing. The largest real
// headers are ~2-5 MB (a 50 GB shard of 3 MB expert tensors holds ~16k tensors, ~2 MB).
inline constexpr std::int64_t kMaxHeaderBytes = 8 << 20;
inline constexpr std::size_t kMaxHeaderValues = 1u << 19;  // ~65k tensors (8 values each)
// The largest real index (Kimi-K2, ~140k fp8 weights and scales) is ~14 MB; DeepSeek-V3's is 9 MB.
inline constexpr std::size_t kMaxIndexBytes = 24u << 20;
// One value per weight_map entry: 2^19 is 3.7× Kimi-K2's; simdjson's DOM costs up to ~70 bytes per entry of
// the shortest form ("1":"1"), so 2^20 entries took 75 MB.
inline constexpr std::size_t kMaxIndexValues = 1u << 19;
inline constexpr std::size_t kMaxShapeRank = 16;  // real tensors have rank ≤ 5
// A checkpoint's shards and the tensors kept from all of them (docs/limits.md): the largest real checkpoints
// have ~200 shards (Llama-3.1-405B: 191) and ~140k tensors (Kimi-K2 with its fp8 scales). Shards are counted
// before any is opened, tensors as each shard is read.
inline constexpr std::size_t kMaxShards = 4096;
inline constexpr std::size_t kMaxCheckpointTensors = 1u << 18;

// The dtypes of safetensors' Dtype enum (v0.6), with their widths in bits.
enum class DType : std::uint8_t {
  BOOL,
  U8,
  I8,
  F8_E5M2,
  F8_E4M3,
  F8_E8M0,
  I16,
  U16,
  F16,
  BF16,
  I32,
  U32,
  F32,
  F64,
  I64,
  U64,
  C64,
  F4,
  F6_E2M3,
  F6_E3M2,
};
std::string_view to_string(DType t);
int bits(DType t);
bool is_float(DType t);
std::optional<DType> parse_dtype(std::string_view name);

struct Tensor {
  std::string name;
  DType dtype = DType::F32;
  std::vector<std::int64_t> shape;
  std::int64_t begin = 0;  // data_offsets, relative to the start of the data section
  std::int64_t end = 0;

  [[nodiscard]] std::int64_t bytes() const { return end - begin; }
  [[nodiscard]] std::int64_t elements() const;  // product of the shape (validated not to overflow)
};

struct File {
  std::string path;
  std::int64_t file_size = 0;
  std::int64_t header_size = 0;  // N, the JSON header's length
  std::int64_t data_bytes = 0;   // the end of the data section (sum of the byte spans)
  bool data_present = true;      // false: the file is shorter than 8 + N + data_bytes (header-only copy)
  std::vector<Tensor> tensors;   // in header order
  std::vector<std::pair<std::string, std::string>> metadata;  // __metadata__
};

struct Checkpoint {
  std::string dir;
  std::optional<std::string> index_path;  // model.safetensors.index.json, when the checkpoint is sharded
  std::vector<File> files;
  std::int64_t bytes_read = 0;  // everything read from disk: the headers (8 + N each) and the index
  std::vector<Note> notes;

  [[nodiscard]] std::int64_t tensor_count() const;
};

// Validates a header already in memory (`json` is the N bytes after the length); `file_size` bounds the data.
// Exposed for tests and the benchmark.
Result<File> parse_header(std::string_view json, std::string path, std::int64_t file_size);

// Reads one file's header: 8 bytes, then N bytes, never the data.
Result<File> read_header(const std::string& path);

// metadata.total_size of `dir`/model.safetensors.index.json (the weights' data bytes, as the hub's sharding
// writes it), reading the index only; nullopt without an index or without that field.
Result<std::optional<std::int64_t>> index_total_size(const std::string& dir);

// The checkpoint in `dir`: the files model.safetensors.index.json names (weight_map), else every
// *.safetensors in the folder. nullopt when there is none. Refused (bad_input): two names of one file (a
// hardlink, a symbolic link, "./" spellings; by st_dev/st_ino), a name holding a NUL byte, a tensor in two
// shards, more than kMaxShards shards or kMaxCheckpointTensors tensors.
Result<std::optional<Checkpoint>> read_checkpoint(const std::string& dir);

}  // namespace kvspec::st
