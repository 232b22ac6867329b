// ggml tensor types and llama file types, as GGUF files name them.
#include "kvspec/gguf.hpp"

namespace kvspec {

namespace {

constexpr std::int64_t QK_K = 256;

// Ids and (block size, bytes per block) from llama.cpp gguf-py/gguf/constants.py (GGMLQuantizationType and
// GGML_QUANT_SIZES, llama.cpp ef035f7), which mirror ggml.h's ggml_type and ggml.c's type_traits. Ids 4, 5
// (Q4_2, Q4_3), 31-33 (Q4_0_4_4/4_8/8_8) and 36-38 (IQ4_NL_4_4/4_8/8_8) were removed from ggml and are
// rejected.
constexpr GgmlTypeInfo kTypes[] = {
    {0, "F32", 1, 4},
    {1, "F16", 1, 2},
    {2, "Q4_0", 32, 2 + 16},
    {3, "Q4_1", 32, 2 + 2 + 16},
    {6, "Q5_0", 32, 2 + 4 + 16},
    {7, "Q5_1", 32, 2 + 2 + 4 + 16},
    {8, "Q8_0", 32, 2 + 32},
    {9, "Q8_1", 32, 4 + 4 + 32},
    {10, "Q2_K", 256, 2 + 2 + QK_K / 16 + QK_K / 4},
    {11, "Q3_K", 256, 2 + QK_K / 4 + QK_K / 8 + 12},
    {12, "Q4_K", 256, 2 + 2 + QK_K / 2 + 12},
    {13, "Q5_K", 256, 2 + 2 + QK_K / 2 + QK_K / 8 + 12},
    {14, "Q6_K", 256, 2 + QK_K / 2 + QK_K / 4 + QK_K / 16},
    {15, "Q8_K", 256, 4 + QK_K + QK_K / 8},
    {16, "IQ2_XXS", 256, 2 + QK_K / 4},
    {17, "IQ2_XS", 256, 2 + QK_K / 4 + QK_K / 32},
    {18, "IQ3_XXS", 256, 2 + QK_K / 4 + QK_K / 8},
    {19, "IQ1_S", 256, 2 + QK_K / 8 + QK_K / 16},
    {20, "IQ4_NL", 32, 2 + 16},
    {21, "IQ3_S", 256, 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4},
    {22, "IQ2_S", 256, 2 + QK_K / 4 + QK_K / 16},
    {23, "IQ4_XS", 256, 2 + 2 + QK_K / 2 + QK_K / 64},
    {24, "I8", 1, 1},
    {25, "I16", 1, 2},
    {26, "I32", 1, 4},
    {27, "I64", 1, 8},
    {28, "F64", 1, 8},
    {29, "IQ1_M", 256, QK_K / 8 + QK_K / 16 + QK_K / 32},
    {30, "BF16", 1, 2},
    {34, "TQ1_0", 256, 2 + 4 * 13},
    {35, "TQ2_0", 256, 2 + 64},
    {39, "MXFP4", 32, 1 + 16},
    {40, "NVFP4", 64, 4 + 32},
    {41, "Q1_0", 128, 2 + 16},
};

struct FileTypeName {
  std::int64_t id;
  std::string_view name;
};

// llama.h enum llama_ftype (mirrored by gguf-py LlamaFileType, llama.cpp ef035f7); 4-6 and 33-35 were
// removed.
constexpr FileTypeName kFileTypes[] = {
    {0, "ALL_F32"}, {1, "F16"},     {2, "Q4_0"},       {3, "Q4_1"},    {7, "Q8_0"},     {8, "Q5_0"},
    {9, "Q5_1"},    {10, "Q2_K"},   {11, "Q3_K_S"},    {12, "Q3_K_M"}, {13, "Q3_K_L"},  {14, "Q4_K_S"},
    {15, "Q4_K_M"}, {16, "Q5_K_S"}, {17, "Q5_K_M"},    {18, "Q6_K"},   {19, "IQ2_XXS"}, {20, "IQ2_XS"},
    {21, "Q2_K_S"}, {22, "IQ3_XS"}, {23, "IQ3_XXS"},   {24, "IQ1_S"},  {25, "IQ4_NL"},  {26, "IQ3_S"},
    {27, "IQ3_M"},  {28, "IQ2_S"},  {29, "IQ2_M"},     {30, "IQ4_XS"}, {31, "IQ1_M"},   {32, "BF16"},
    {36, "TQ1_0"},  {37, "TQ2_0"},  {38, "MXFP4_MOE"}, {39, "NVFP4"},  {40, "Q1_0"},    {1024, "GUESSED"},
};

}  // namespace

const GgmlTypeInfo* ggml_type_info(std::uint32_t id) {
  for (const auto& t : kTypes)
    if (t.id == id) return &t;
  return nullptr;
}

std::optional<std::string_view> gguf_file_type_name(std::int64_t file_type) {
  if (file_type < 0) return std::nullopt;
  for (const auto& f : kFileTypes)
    if (f.id == file_type) return f.name;
  return std::nullopt;
}

bool is_gguf_path(std::string_view path) {
  if (path.size() < 5) return false;
  std::string_view ext = path.substr(path.size() - 5);
  static constexpr std::string_view kExt = ".gguf";
  for (std::size_t i = 0; i < 5; ++i) {
    char c = ext[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kExt[i]) return false;
  }
  return true;
}

}  // namespace kvspec
