// The files of one GGUF model: a single file, or the parts of a split set (NAME-00001-of-00003.gguf, as
// llama.cpp's gguf-split writes them). Parts are checked to belong together before their tensors count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/gguf.hpp"
#include "kvspec/error.hpp"
#include "kvspec/spec.hpp"

namespace kvspec {

// Bounds on a split set (docs/limits.md). llama.cpp reads split.count as a uint16 (llama-model-loader.cpp,
// 0034764: `uint16_t n_split`), and file names allow 5 digits; kvspec probes that many names but reads at
// most kMaxSplitParts parts, and all parts together hold at most gguf::kMaxTensorCount tensors (as one file
// may), so a split set costs no more memory than one file.
inline constexpr std::int64_t kMaxSplitCount = 99999;
inline constexpr std::int64_t kMaxSplitParts = 4096;

struct ModelFiles {
  std::vector<gguf::File> files;  // files[0] holds the metadata; the other parts keep only their tensors
  std::int64_t split_count = 1;
  std::vector<Note> notes;
};

// Reads `path` (any part of a split set reads the set from its first part). Refused (bad_input): a part that
// is the same file as another (hardlink, symlink; by st_dev/st_ino), a part of another model (another
// general.architecture, another split.count, a wrong split.no), a tensor in two parts (llama.cpp: "invalid
// model: tensor '%s' is duplicated").
Result<ModelFiles> read_model_files(const std::string& path);

// "2-4, 7, 9-99999": consecutive numbers as ranges, at most `max_ranges` of them then "and N more".
std::string summarize_numbers(const std::vector<int>& numbers, std::size_t max_ranges = 8);

}  // namespace kvspec
