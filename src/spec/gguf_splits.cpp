#include "spec/gguf_splits.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "kvspec/gguf.hpp"

namespace kvspec {

namespace {

// `NAME-00001-of-00003.gguf` -> ("NAME", 1, 3).
struct SplitName {
  std::string prefix;
  int index = 0;
  int count = 0;
};

std::optional<SplitName> parse_split_name(const std::string& path) {
  // "-%05d-of-%05d.gguf" (llama_split_path, llama.cpp src/llama.cpp).
  constexpr std::size_t kTail = 20;  // "-00001-of-00003.gguf"
  if (path.size() < kTail || !is_gguf_path(path)) return std::nullopt;
  std::string tail = path.substr(path.size() - kTail);
  auto digits = [&](std::size_t at) {
    int v = 0;
    for (std::size_t i = at; i < at + 5; ++i) {
      if (tail[i] < '0' || tail[i] > '9') return -1;
      v = v * 10 + (tail[i] - '0');
    }
    return v;
  };
  if (tail[0] != '-' || tail.compare(6, 4, "-of-") != 0) return std::nullopt;
  int index = digits(1);
  int count = digits(10);
  if (index < 1 || count < 1 || index > count) return std::nullopt;
  return SplitName{path.substr(0, path.size() - kTail), index, count};
}

std::string split_path(const SplitName& s, int index) {
  return fmt::format("{}-{:05d}-of-{:05d}.gguf", s.prefix, index, s.count);
}

// A file's identity: stat() follows symbolic links, so every alias of one file (hardlink, symlink, "./"
// spelling) has the same (st_dev, st_ino).
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const FileId& o) const { return dev == o.dev && ino == o.ino; }
};

std::optional<FileId> file_id(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileId{st.st_dev, st.st_ino};
}

Error part_error(const std::string& path, std::string field, std::string expected, std::string found,
                 std::string detail = {}) {
  return make_error(ErrorCode::bad_input, path, std::move(field), std::move(expected), std::move(found),
                    std::move(detail));
}

// A string value of `f`, or "" when absent or not a kept string.
std::string string_of(const gguf::File& f, std::string_view key) {
  const gguf::Value* v = f.find(key);
  return v != nullptr && v->type == gguf::ValueType::string && v->kept ? v->text : std::string();
}

// An integer value in [lo, hi] of `f`; nullopt when absent.
Result<std::optional<std::int64_t>> integer_of(const gguf::File& f, const std::string& key, std::int64_t lo,
                                               std::int64_t hi) {
  const gguf::Value* v = f.find(key);
  if (v == nullptr) return std::optional<std::int64_t>{};
  if (v->type == gguf::ValueType::array || v->type == gguf::ValueType::string ||
      v->type == gguf::ValueType::f32 || v->type == gguf::ValueType::f64 || !v->integer || *v->integer < lo ||
      *v->integer > hi)
    return part_error(f.path, key, fmt::format("an integer in [{}, {}]", lo, hi),
                      v->integer ? std::to_string(*v->integer) : std::string(gguf::to_string(v->type)));
  return v->integer;
}

// A part must come from the same model as the first: the same architecture and split count, its own number.
Status check_part(const gguf::File& first, const gguf::File& part, int index, std::int64_t count) {
  auto no = integer_of(part, "split.no", 0, kMaxSplitCount);
  if (!no) return no.error();
  if (no->value_or(index - 1) != index - 1)
    return part_error(part.path, "split.no", std::to_string(index - 1), std::to_string(**no),
                      "a part numbered otherwise than its file name");
  auto n = integer_of(part, "split.count", 0, kMaxSplitCount);
  if (!n) return n.error();
  if (*n && **n != count)
    return part_error(part.path, "split.count", fmt::format("{} (as the first part)", count),
                      std::to_string(**n), "a part of another split set");
  std::string arch0 = string_of(first, "general.architecture");
  std::string arch = string_of(part, "general.architecture");
  if (!arch.empty() && arch != arch0)
    return part_error(part.path, "general.architecture", fmt::format("'{}' (as the first part)", arch0),
                      fmt::format("'{}'", arch), "a part of another model");
  return Ok{};
}

// A tensor in two parts is refused, as llama_model_loader refuses it ("invalid model: tensor '%s' is
// duplicated", llama-model-loader.cpp 0034764). Sorting (part, tensor) index pairs costs 8 bytes a tensor.
Status check_no_duplicate_tensors(const std::vector<gguf::File>& files) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> order;
  std::size_t total = 0;
  for (const auto& f : files) total += f.tensors.size();
  order.reserve(total);
  for (std::size_t p = 0; p < files.size(); ++p)
    for (std::size_t t = 0; t < files[p].tensors.size(); ++t)
      order.emplace_back(static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(t));
  auto name = [&](const std::pair<std::uint32_t, std::uint32_t>& i) -> const std::string& {
    return files[i.first].tensors[i.second].name;
  };
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) { return name(a) < name(b); });
  for (std::size_t i = 1; i < order.size(); ++i)
    if (name(order[i - 1]) == name(order[i]))
      return part_error(files[order[i].first].path, fmt::format("tensor '{}'", name(order[i])),
                        "each tensor in one part only",
                        fmt::format("it is also in {}", files[order[i - 1].first].path),
                        "invalid model: a duplicated tensor");
  return Ok{};
}

}  // namespace

std::string summarize_numbers(const std::vector<int>& numbers, std::size_t max_ranges) {
  std::string out;
  std::size_t ranges = 0, i = 0;
  while (i < numbers.size()) {
    std::size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    if (ranges == max_ranges) {
      out += fmt::format(" and {} more", numbers.size() - i);
      break;
    }
    out += ranges == 0 ? "" : ", ";
    out += j == i ? std::to_string(numbers[i]) : fmt::format("{}-{}", numbers[i], numbers[j]);
    ++ranges;
    i = j + 1;
  }
  return out;
}

Result<ModelFiles> read_model_files(const std::string& path) {
  ModelFiles out;
  auto name = parse_split_name(path);
  std::string first_path = name ? split_path(*name, 1) : path;
  auto first = gguf::read_file(first_path);
  if (!first) return first.error();
  out.files.push_back(std::move(*first));
  auto count = integer_of(out.files.front(), "split.count", 0, kMaxSplitCount);
  if (!count) return count.error();
  std::int64_t n = count->value_or(name ? name->count : 1);
  if (n < 1) n = 1;
  if (name && name->count != n)
    return part_error(first_path, "split.count",
                      fmt::format("{} (the file name says -of-{:05d})", name->count, name->count),
                      std::to_string(n));
  out.split_count = n;
  if (n == 1) return out;
  if (!name) {
    out.notes.push_back(
        {Note::Level::warning,
         fmt::format("split.count is {} but the file name has no -NNNNN-of-NNNNN part: only this "
                     "file was read, weights are partial",
                     n)});
    return out;
  }
  std::vector<FileId> ids;
  std::vector<std::string> id_paths;
  if (auto id = file_id(first_path)) ids.push_back(*id), id_paths.push_back(first_path);
  std::vector<int> missing;
  std::size_t tensors = out.files.front().tensors.size();
  for (int i = 2; i <= n; ++i) {
    std::string p = split_path(*name, i);
    auto id = file_id(p);
    if (!id) {
      missing.push_back(i);
      continue;
    }
    if (auto seen = std::find(ids.begin(), ids.end(), *id); seen != ids.end())
      return part_error(
          p, "", "each split part a file of its own",
          fmt::format("the same file as {}", id_paths[static_cast<std::size_t>(seen - ids.begin())]),
          "a hardlink or symbolic link standing in for a part");
    if (static_cast<std::int64_t>(out.files.size()) >= kMaxSplitParts)
      return part_error(p, "split.count",
                        fmt::format("at most {} parts present (kvspec's limit)", kMaxSplitParts),
                        fmt::format("part {} of {}", i, n));
    ids.push_back(*id);
    id_paths.push_back(p);
    auto part = gguf::read_file(p);
    if (!part) return part.error();
    if (auto s = check_part(out.files.front(), *part, i, n); !s) return s.error();
    tensors += part->tensors.size();
    if (tensors > gguf::kMaxTensorCount)
      return part_error(
          p, "tensor_count",
          fmt::format("at most {} tensors in all parts together (kvspec's limit)", gguf::kMaxTensorCount),
          fmt::format("{} up to this part", tensors));
    part->kvs.clear();  // only the first part's metadata is used
    part->kvs.shrink_to_fit();
    out.files.push_back(std::move(*part));
  }
  if (auto s = check_no_duplicate_tensors(out.files); !s) return s.error();
  if (!missing.empty()) {
    out.notes.push_back(
        {Note::Level::warning,
         fmt::format("split part{} {} of {} not found next to the first: weights count only the "
                     "parts present (the cache spec needs only the first)",
                     missing.size() == 1 ? "" : "s", summarize_numbers(missing), n)});
  } else {
    auto want = integer_of(out.files.front(), "split.tensors.count", 0, std::int64_t{1} << 40);
    if (!want) return want.error();
    auto total = static_cast<std::int64_t>(tensors);
    if (*want && **want != total)
      return part_error(out.files.front().path, "split.tensors.count",
                        fmt::format("the {} tensors of the {} parts", total, n), std::to_string(**want));
  }
  return out;
}

}  // namespace kvspec
