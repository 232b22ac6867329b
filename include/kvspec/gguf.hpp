// GGUF (llama.cpp's model file format): ggml tensor type traits, file type names, and reading a GGUF file's
// header into the same ModelCacheSpec that config folders produce.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kvspec/error.hpp"
#include "kvspec/spec.hpp"

namespace kvspec {

// One ggml tensor type: `block_values` values are stored in `block_bytes` bytes (1 and the element size for
// plain types). Ids and sizes follow ggml's type traits (ggml.h enum ggml_type; gguf-py/gguf/constants.py
// GGML_QUANT_SIZES, llama.cpp ef035f7).
struct GgmlTypeInfo {
  std::uint32_t id;
  std::string_view name;  // "Q4_K", "F16", ... as ggml names it
  std::int64_t block_values;
  std::int64_t block_bytes;
};

// nullptr for ids that are unknown or were removed from ggml (4, 5, 31-33, 36-38).
const GgmlTypeInfo* ggml_type_info(std::uint32_t id);

// The llama_ftype name of `general.file_type` without its MOSTLY_ prefix ("Q4_K_M", "F16", "ALL_F32");
// nullopt for values llama.h does not define.
std::optional<std::string_view> gguf_file_type_name(std::int64_t file_type);

// Reads a GGUF file (or the first part of a split set, `NAME-00001-of-0000N.gguf`, with its siblings) and
// derives the spec llama.cpp's hparams describe. Header-only copies are accepted with a warning note.
Result<ModelCacheSpec> spec_from_gguf(std::string_view path);

// True when `path` names a GGUF file by its extension.
bool is_gguf_path(std::string_view path);

}  // namespace kvspec
