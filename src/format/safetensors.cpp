// The safetensors header reader. simdjson parses the header directly into Tensor records here (one
// translation unit): on a 60-shard checkpoint this is several times faster than building the generic
// json::Value tree first (bench/inspect_bench.cpp, BM_HeaderParse_*).
#include "format/safetensors.hpp"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "util/checked.hpp"
#include "util/file_kind.hpp"

namespace fs = std::filesystem;

namespace kvspec::st {

namespace {

struct DTypeRow {
  DType type;
  std::string_view name;
  int bits;
  bool is_float;
};

// safetensors/src/tensor.rs (v0.6) Dtype::bitsize.
constexpr std::array<DTypeRow, 20> kDTypes{{
    {DType::BOOL, "BOOL", 8, false},      {DType::U8, "U8", 8, false},
    {DType::I8, "I8", 8, false},          {DType::F8_E5M2, "F8_E5M2", 8, true},
    {DType::F8_E4M3, "F8_E4M3", 8, true}, {DType::F8_E8M0, "F8_E8M0", 8, true},
    {DType::I16, "I16", 16, false},       {DType::U16, "U16", 16, false},
    {DType::F16, "F16", 16, true},        {DType::BF16, "BF16", 16, true},
    {DType::I32, "I32", 32, false},       {DType::U32, "U32", 32, false},
    {DType::F32, "F32", 32, true},        {DType::F64, "F64", 64, true},
    {DType::I64, "I64", 64, false},       {DType::U64, "U64", 64, false},
    {DType::C64, "C64", 64, true},        {DType::F4, "F4", 4, true},
    {DType::F6_E2M3, "F6_E2M3", 6, true}, {DType::F6_E3M2, "F6_E3M2", 6, true},
}};

const DTypeRow& row(DType t) {
  return kDTypes[static_cast<std::size_t>(t)];
}

std::string dtype_names() {
  std::string s;
  for (const auto& r : kDTypes) s += (s.empty() ? "" : ", ") + std::string(r.name);
  return s;
}

Error bad(const std::string& path, std::string field, std::string expected, std::string found,
          std::string detail = {}) {
  return make_error(ErrorCode::bad_input, path, std::move(field), std::move(expected), std::move(found),
                    std::move(detail));
}

// A non-negative JSON integer (shape dims, offsets).
Result<std::int64_t> non_negative(simdjson::dom::element el, const std::string& path,
                                  const std::string& field) {
  if (el.type() == simdjson::dom::element_type::INT64) {
    std::int64_t v = el.get_int64().value_unsafe();
    if (v >= 0) return v;
    return bad(path, field, "a non-negative integer", std::to_string(v));
  }
  if (el.type() == simdjson::dom::element_type::UINT64)
    return bad(path, field, "an integer below 2^63", std::to_string(el.get_uint64().value_unsafe()));
  return bad(path, field, "a non-negative integer", "a non-integer value");
}

Result<Tensor> parse_tensor(std::string_view name, simdjson::dom::element el, const std::string& path) {
  Tensor t;
  t.name = std::string(name);
  simdjson::dom::object obj;
  if (el.get_object().get(obj))
    return bad(path, t.name, "an object {dtype, shape, data_offsets}", "another value");
  simdjson::dom::element dtype, shape, offsets;
  if (obj["dtype"].get(dtype) || obj["shape"].get(shape) || obj["data_offsets"].get(offsets))
    return bad(path, t.name, "the keys dtype, shape and data_offsets", "some missing");

  std::string_view dname;
  if (dtype.get_string().get(dname)) return bad(path, t.name + ".dtype", "a dtype string", "another value");
  auto dt = parse_dtype(dname);
  if (!dt)
    return bad(path, t.name + ".dtype", "a safetensors dtype (" + dtype_names() + ")",
               fmt::format("'{}'", dname));
  t.dtype = *dt;

  simdjson::dom::array dims;
  if (shape.get_array().get(dims))
    return bad(path, t.name + ".shape", "an array of dimensions", "another value");
  if (dims.size() > kMaxShapeRank)
    return bad(path, t.name + ".shape", fmt::format("at most {} dimensions", kMaxShapeRank),
               fmt::format("{}", dims.size()));
  t.shape.reserve(dims.size());
  for (simdjson::dom::element d : dims) {
    auto v = non_negative(d, path, t.name + ".shape");
    if (!v) return v.error();
    t.shape.push_back(*v);
  }

  simdjson::dom::array offs;
  if (offsets.get_array().get(offs) || offs.size() != 2)
    return bad(path, t.name + ".data_offsets", "an array [begin, end]", "another value");
  auto b = non_negative(offs.at(0).value_unsafe(), path, t.name + ".data_offsets");
  if (!b) return b.error();
  auto e = non_negative(offs.at(1).value_unsafe(), path, t.name + ".data_offsets");
  if (!e) return e.error();
  t.begin = *b;
  t.end = *e;
  if (t.end < t.begin)
    return bad(path, t.name + ".data_offsets", "begin ≤ end", fmt::format("[{}, {}]", t.begin, t.end));

  // Byte span = elements × bits / 8, on a byte boundary (tensor.rs validate: MisalignedSlice /
  // TensorInvalidInfo).
  std::optional<std::int64_t> n = 1;
  for (auto d : t.shape) n = n ? checked_mul(*n, d) : std::nullopt;
  std::optional<std::int64_t> nbits = n ? checked_mul(*n, bits(t.dtype)) : std::nullopt;
  if (!nbits)
    return bad(path, t.name + ".shape", "a shape whose byte size fits in 64 bits", "an overflowing product");
  if (*nbits % 8 != 0)
    return bad(path, t.name + ".shape", "a whole number of bytes",
               fmt::format("{} bits of {}", *nbits, dname));
  if (*nbits / 8 != t.bytes())
    return bad(path, t.name,
               fmt::format("a byte span of {} ({} elements × {} bits / 8)", *nbits / 8, *n, bits(t.dtype)),
               fmt::format("data_offsets [{}, {}] = {} bytes", t.begin, t.end, t.bytes()),
               "shape/size mismatch");
  return t;
}

Status parse_metadata(simdjson::dom::element el, File& f) {
  simdjson::dom::object obj;
  if (el.get_object().get(obj)) return bad(f.path, "__metadata__", "an object of strings", "another value");
  for (auto field : obj) {
    std::string_view v;
    if (field.value.get_string().get(v))
      return bad(f.path, "__metadata__." + std::string(field.key), "a string", "another value");
    f.metadata.emplace_back(std::string(field.key), std::string(v));
  }
  return Ok{};
}

// Offsets sorted by begin must tile the data section: the first at 0, each where the previous ends.
Status check_layout(File& f) {
  std::vector<std::size_t> order(f.tensors.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Tensor& x = f.tensors[a];
    const Tensor& y = f.tensors[b];
    return x.begin != y.begin ? x.begin < y.begin : x.end < y.end;
  });
  std::int64_t at = 0;
  const Tensor* prev = nullptr;
  for (std::size_t i : order) {
    const Tensor& t = f.tensors[i];
    if (t.begin < at)
      return bad(f.path, t.name + ".data_offsets",
                 fmt::format("to begin at {}, where '{}' ends", at, prev->name),
                 fmt::format("[{}, {}]", t.begin, t.end), "overlapping offsets");
    if (t.begin > at)
      return bad(f.path, t.name + ".data_offsets",
                 prev ? fmt::format("to begin at {}, where '{}' ends", at, prev->name)
                      : std::string("to begin at 0"),
                 fmt::format("[{}, {}]", t.begin, t.end), "a gap between tensors");
    at = t.end;
    prev = &t;
  }
  f.data_bytes = at;
  return Ok{};
}

// A simdjson buffer of exactly `n` bytes plus simdjson's padding, filled by the caller.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

Status read_exact(int fd, char* out, std::int64_t n, std::int64_t offset, const std::string& path) {
  while (n > 0) {
    ssize_t r = ::pread(fd, out, static_cast<std::size_t>(n), static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0)
      return make_error(ErrorCode::io, path, "", "", "", std::string("read failed: ") + std::strerror(errno));
    if (r == 0) return make_error(ErrorCode::io, path, "", "", "", "the file shrank while being read");
    out += r;
    n -= r;
    offset += r;
  }
  return Ok{};
}

// An allocation that failed is kvspec's problem (exit 1), not the file's: never "invalid JSON", never a read
// into a null buffer (simdjson's padded_string allocates with nothrow new).
Error out_of_memory(const std::string& path) {
  return make_error(ErrorCode::internal, path, "", "", "", "out of memory");
}

// An upper bound of the JSON values in `text`: every ',', '[' and '{' byte, strings included (over-counting
// only errs towards refusing). Checked before simdjson fills a tape of up to 16 bytes per value.
std::size_t value_bound(std::string_view text) {
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.end(), ',') +
                                      std::count(text.begin(), text.end(), '[') +
                                      std::count(text.begin(), text.end(), '{'));
}

Status check_values(std::string_view text, std::size_t max, const std::string& path) {
  if (std::size_t n = value_bound(text); n > max)
    return bad(path, "", fmt::format("JSON of at most {} values", max), fmt::format("up to {} values", n),
               "far more than any real checkpoint holds");
  return Ok{};
}

Result<File> parse_padded(const simdjson::padded_string& json, std::string path, std::int64_t file_size) {
  File f;
  f.path = std::move(path);
  f.file_size = file_size;
  f.header_size = static_cast<std::int64_t>(json.size());
  if (auto s = check_values(json, kMaxHeaderValues, f.path); !s) return s.error();
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(json).get(root)) {
    if (err == simdjson::MEMALLOC) return out_of_memory(f.path);
    return bad(f.path, "", "a JSON header", "invalid JSON", simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) return bad(f.path, "", "a JSON object as the header", "another JSON value");
  f.tensors.reserve(obj.size());
  std::unordered_set<std::string_view> seen;
  seen.reserve(obj.size());
  for (auto field : obj) {
    if (!seen.insert(field.key).second)
      return bad(f.path, std::string(field.key), "unique names", "a duplicate");
    if (field.key == "__metadata__") {
      if (auto s = parse_metadata(field.value, f); !s) return s.error();
      continue;
    }
    auto t = parse_tensor(field.key, field.value, f.path);
    if (!t) return t.error();
    f.tensors.push_back(std::move(*t));
  }
  if (auto s = check_layout(f); !s) return s.error();
  std::int64_t available = file_size - 8 - f.header_size;
  f.data_present = f.data_bytes <= available;
  return f;
}

// Every *.safetensors in `dir`, by name; "consolidated*" (Mistral's single-file duplicate) skipped beside
// others.
Result<std::vector<std::string>> list_safetensors(const std::string& dir, std::vector<Note>& notes) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.size() > 12 && name.compare(name.size() - 12, 12, ".safetensors") == 0 &&
        e.is_regular_file(ec)) {
      if (names.size() == kMaxShards)
        return bad(dir, "", fmt::format("at most {} *.safetensors files (kvspec's limit)", kMaxShards),
                   "more", "far more shards than any real checkpoint");
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  auto is_consolidated = [](const std::string& n) { return n.rfind("consolidated", 0) == 0; };
  if (names.size() > 1 && !std::all_of(names.begin(), names.end(), is_consolidated)) {
    auto it = std::remove_if(names.begin(), names.end(), is_consolidated);
    if (it != names.end()) {
      notes.push_back(
          {Note::Level::info, fmt::format("skipped {} (a consolidated copy of the same weights)", *it)});
      names.erase(it, names.end());
    }
  }
  return names;
}

struct Index {
  std::vector<std::string> files;  // distinct, in first-seen order
  std::int64_t tensors = 0;        // weight_map entries
  std::optional<std::int64_t> total_size;
  std::int64_t bytes = 0;
};

Result<Index> read_index(const std::string& path) {
  Index idx;
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return make_error(ErrorCode::io, path, "", "", "", "cannot stat: " + ec.message());
  if (size > kMaxIndexBytes)
    return bad(path, "", fmt::format("an index of at most {} bytes", kMaxIndexBytes),
               fmt::format("{} bytes", size));
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);  // never blocks on a FIFO
  if (fd < 0)
    return make_error(ErrorCode::io, path, "", "", "", std::string("cannot open: ") + std::strerror(errno));
  FdCloser closer{fd};
  simdjson::padded_string text(static_cast<std::size_t>(size));
  if (text.data() == nullptr) return out_of_memory(path);
  if (auto s = read_exact(fd, text.data(), static_cast<std::int64_t>(size), 0, path); !s) return s.error();
  idx.bytes = static_cast<std::int64_t>(size);
  if (auto s = check_values(text, kMaxIndexValues, path); !s) return s.error();
  // Its own parser, freed on return: the index DOM (up to ~100 MB for a 24 MiB index) must not stay
  // resident while the shards' headers are parsed.
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(text).get(root)) {
    if (err == simdjson::MEMALLOC) return out_of_memory(path);
    return bad(path, "", "valid JSON", "invalid JSON", simdjson::error_message(err));
  }
  simdjson::dom::object map;
  if (root["weight_map"].get_object().get(map))
    return bad(path, "weight_map", "an object {tensor: file}", "none");
  std::unordered_set<std::string_view> seen;
  for (auto field : map) {
    std::string_view file;
    if (field.value.get_string().get(file))
      return bad(path, "weight_map." + std::string(field.key), "a file name", "another value");
    ++idx.tensors;
    if (seen.insert(file).second) {
      // open() would stop at a NUL byte and read another file than the one named.
      if (file.find('\0') != std::string_view::npos)
        return bad(path, "weight_map." + std::string(field.key), "a file name without NUL bytes",
                   fmt::format("'{}'", std::string(file.substr(0, file.find('\0'))) + "\\u0000…"));
      if (seen.size() > kMaxShards)
        return bad(path, "weight_map", fmt::format("at most {} distinct files (kvspec's limit)", kMaxShards),
                   "more", "far more shards than any real checkpoint");
      fs::path p{std::string(file)};
      bool escapes = p.is_absolute() || file.empty() ||
                     std::any_of(p.begin(), p.end(), [](const fs::path& part) { return part == ".."; });
      if (escapes)
        return bad(path, "weight_map." + std::string(field.key), "a file name inside the model folder",
                   fmt::format("'{}'", file));
      idx.files.emplace_back(file);
    }
  }
  std::int64_t total = 0;
  if (!root["metadata"]["total_size"].get(total)) idx.total_size = total;
  return idx;
}

// Two names of one file (a hardlink, a symbolic link, "./" spellings) would count its tensors twice: refused.
// stat() follows links, so (st_dev, st_ino) identifies the file whatever the name.
Status check_distinct_files(const std::string& dir, const std::vector<std::string>& names) {
  std::vector<std::tuple<dev_t, ino_t, std::size_t>> ids;
  ids.reserve(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    struct stat st {};
    if (::stat((fs::path(dir) / names[i]).c_str(), &st) == 0) ids.emplace_back(st.st_dev, st.st_ino, i);
  }
  std::sort(ids.begin(), ids.end());
  for (std::size_t i = 1; i < ids.size(); ++i)
    if (std::get<0>(ids[i - 1]) == std::get<0>(ids[i]) && std::get<1>(ids[i - 1]) == std::get<1>(ids[i])) {
      auto [a, b] = std::minmax(std::get<2>(ids[i - 1]), std::get<2>(ids[i]));
      return bad((fs::path(dir) / names[b]).string(), "", "each shard a file of its own",
                 fmt::format("the same file as {}", names[a]),
                 "a hardlink, symbolic link or alias of a shard");
    }
  return Ok{};
}

// A tensor in two shards is refused, as llama.cpp refuses a tensor in two GGUF parts ("invalid model: tensor
// '%s' is duplicated", llama-model-loader.cpp 0034764); transformers would silently load one of them. Sorting
// (shard, tensor) index pairs costs 8 bytes a tensor.
Status check_no_duplicate_tensors(const std::vector<File>& files) {
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
      return bad(files[order[i].first].path, name(order[i]), "each tensor in one shard only",
                 fmt::format("it is also in {}", files[order[i - 1].first].path), "a duplicated tensor");
  return Ok{};
}

}  // namespace

std::string_view to_string(DType t) {
  return row(t).name;
}
int bits(DType t) {
  return row(t).bits;
}
bool is_float(DType t) {
  return row(t).is_float;
}

std::optional<DType> parse_dtype(std::string_view name) {
  for (const auto& r : kDTypes)
    if (r.name == name) return r.type;
  return std::nullopt;
}

std::int64_t Tensor::elements() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;  // validated by parse_tensor not to overflow
  return n;
}

std::int64_t Checkpoint::tensor_count() const {
  std::int64_t n = 0;
  for (const auto& f : files) n += static_cast<std::int64_t>(f.tensors.size());
  return n;
}

Result<File> parse_header(std::string_view json, std::string path, std::int64_t file_size) {
  return parse_padded(simdjson::padded_string(json), std::move(path), file_size);
}

Result<File> read_header(const std::string& path) {
  // O_NONBLOCK: a FIFO named *.safetensors (or listed by an index) is refused below instead of blocking here.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    ErrorCode code = errno == ENOENT ? ErrorCode::not_found : ErrorCode::io;
    return make_error(code, path, "", "", "", std::string("cannot open: ") + std::strerror(errno));
  }
  FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    return make_error(ErrorCode::io, path, "", "", "", std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return make_error(ErrorCode::io, path, "", "a regular file", std::string(describe_file_mode(st.st_mode)));
  const std::int64_t size = st.st_size;
  if (size < 8) return bad(path, "", "at least 8 bytes (the header length)", fmt::format("{} bytes", size));
  unsigned char len_bytes[8];
  if (auto s = read_exact(fd, reinterpret_cast<char*>(len_bytes), 8, 0, path); !s) return s.error();
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | len_bytes[i];
  if (n > static_cast<std::uint64_t>(kMaxHeaderBytes))
    return bad(path, "header length",
               fmt::format("at most {} bytes (kvspec's limit; real headers are a few MB)", kMaxHeaderBytes),
               fmt::format("{} bytes", n), "header too large");
  if (static_cast<std::int64_t>(n) > size - 8)
    return bad(path, "header length", fmt::format("at most {} bytes (the file is {} bytes)", size - 8, size),
               fmt::format("{} bytes", n), "header length past the end of the file");
  simdjson::padded_string json(static_cast<std::size_t>(n));
  if (json.data() == nullptr && n > 0) return out_of_memory(path);
  if (auto s = read_exact(fd, json.data(), static_cast<std::int64_t>(n), 8, path); !s) return s.error();
  return parse_padded(json, path, size);
}

Result<std::optional<std::int64_t>> index_total_size(const std::string& dir) {
  fs::path index_path = fs::path(dir) / "model.safetensors.index.json";
  std::error_code ec;
  if (!fs::is_regular_file(index_path, ec)) return std::optional<std::int64_t>{};
  auto idx = read_index(index_path.string());
  if (!idx) return idx.error();
  if (idx->total_size && *idx->total_size <= 0) return std::optional<std::int64_t>{};
  return idx->total_size;
}

Result<std::optional<Checkpoint>> read_checkpoint(const std::string& dir) {
  Checkpoint ck;
  ck.dir = dir;
  std::vector<std::string> names;
  std::optional<Index> index;
  fs::path index_path = fs::path(dir) / "model.safetensors.index.json";
  std::error_code ec;
  if (fs::is_regular_file(index_path, ec)) {
    auto idx = read_index(index_path.string());
    if (!idx) return idx.error();
    ck.index_path = index_path.string();
    ck.bytes_read += idx->bytes;
    std::size_t missing = 0;
    std::string first_missing;
    for (const auto& f : idx->files) {
      struct stat st {};
      if (::stat((fs::path(dir) / f).c_str(), &st) != 0 && missing++ == 0) first_missing = f;
    }
    if (missing > 0) {
      // A partial download: totals from some shards would mislead, so none are reported.
      ck.notes.push_back(
          {Note::Level::warning,
           fmt::format("weights not summarized: {} of the {} files {} lists are absent (e.g. {})", missing,
                       idx->files.size(), index_path.filename().string(), first_missing)});
      ck.files.clear();
      return std::optional<Checkpoint>{std::move(ck)};
    }
    names = idx->files;
    index = std::move(*idx);
  } else {
    auto listed = list_safetensors(dir, ck.notes);
    if (!listed) return listed.error();
    names = std::move(*listed);
    if (names.empty()) return std::optional<Checkpoint>{};
  }
  if (auto s = check_distinct_files(dir, names); !s) return s.error();
  ck.files.reserve(names.size());
  std::int64_t header_only = 0;
  std::size_t kept = 0;
  for (const auto& name : names) {
    auto f = read_header((fs::path(dir) / name).string());
    if (!f) return f.error();
    ck.bytes_read += 8 + f->header_size;
    kept += f->tensors.size();
    if (kept > kMaxCheckpointTensors)
      return bad(
          f->path, "",
          fmt::format("at most {} tensors in all shards together (kvspec's limit)", kMaxCheckpointTensors),
          fmt::format("{} up to this shard", kept));
    std::int64_t available = f->file_size - 8 - f->header_size;
    if (!f->data_present)
      ++header_only;
    else if (f->data_bytes < available)
      ck.notes.push_back({Note::Level::warning,
                          fmt::format("{}: {} bytes follow the data section's end ({} of {} data bytes used)",
                                      f->path, available - f->data_bytes, f->data_bytes, available)});
    ck.files.push_back(std::move(*f));
  }
  if (auto s = check_no_duplicate_tensors(ck.files); !s) return s.error();
  if (header_only > 0)
    ck.notes.push_back(
        {Note::Level::warning,
         header_only == static_cast<std::int64_t>(ck.files.size())
             ? fmt::format("tensor data absent ({} header-only file{}): sizes come from the headers",
                           header_only, header_only == 1 ? "" : "s")
             : fmt::format("{} of {} files are shorter than their data section (header-only or "
                           "truncated): sizes come from the headers",
                           header_only, ck.files.size())});
  if (index) {
    // Checked: shards whose data sections add up past 2^63 are refused by the weights summary, which names
    // the shard; here such a total is simply not compared with the index's total_size.
    std::optional<std::int64_t> data = 0;
    for (const auto& f : ck.files)
      if (data) data = checked_add(*data, f.data_bytes);
    if (index->tensors != ck.tensor_count())
      ck.notes.push_back({Note::Level::warning,
                          fmt::format("{} maps {} tensors, the headers hold {}",
                                      index_path.filename().string(), index->tensors, ck.tensor_count())});
    if (index->total_size && data && *index->total_size != *data)
      ck.notes.push_back({Note::Level::warning,
                          fmt::format("{} states total_size {}, the headers' data sections add up to {}",
                                      index_path.filename().string(), *index->total_size, *data)});
  }
  return std::optional<Checkpoint>{std::move(ck)};
}

}  // namespace kvspec::st
