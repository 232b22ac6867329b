#include "format/gguf.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "kvspec/gguf.hpp"
#include "util/checked.hpp"
#include "util/file_kind.hpp"

namespace kvspec::gguf {

std::string_view to_string(ValueType type) {
  switch (type) {
    case ValueType::u8:
      return "uint8";
    case ValueType::i8:
      return "int8";
    case ValueType::u16:
      return "uint16";
    case ValueType::i16:
      return "int16";
    case ValueType::u32:
      return "uint32";
    case ValueType::i32:
      return "int32";
    case ValueType::f32:
      return "float32";
    case ValueType::boolean:
      return "bool";
    case ValueType::string:
      return "string";
    case ValueType::array:
      return "array";
    case ValueType::u64:
      return "uint64";
    case ValueType::i64:
      return "int64";
    case ValueType::f64:
      return "float64";
  }
  return "?";
}

const Value* File::find(std::string_view key) const {
  for (const auto& kv : kvs)
    if (kv.key == key) return &kv.value;
  return nullptr;
}

namespace {

constexpr char kMagic[4] = {'G', 'G', 'U', 'F'};

// Byte size of a fixed-size value type; 0 for string / array / unknown.
std::uint64_t scalar_size(ValueType t) {
  switch (t) {
    case ValueType::u8:
    case ValueType::i8:
    case ValueType::boolean:
      return 1;
    case ValueType::u16:
    case ValueType::i16:
      return 2;
    case ValueType::u32:
    case ValueType::i32:
    case ValueType::f32:
      return 4;
    case ValueType::u64:
    case ValueType::i64:
    case ValueType::f64:
      return 8;
    case ValueType::string:
    case ValueType::array:
      return 0;
  }
  return 0;
}

bool known_type(std::uint32_t t) {
  return t <= static_cast<std::uint32_t>(ValueType::f64);
}

// Random access to the bytes: a file (read in buffered chunks) or a buffer in memory.
class Source {
 public:
  virtual ~Source() = default;
  virtual bool read_at(std::uint64_t offset, void* dst, std::size_t n) = 0;
  // Bytes readable from `offset` (a remote prefix holds fewer than the file's size).
  virtual std::uint64_t available(std::uint64_t offset) { return size - offset; }
  std::uint64_t size = 0;
};

class FileSource final : public Source {
 public:
  explicit FileSource(std::FILE* f) : f_(f) {}
  ~FileSource() override { std::fclose(f_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  bool read_at(std::uint64_t offset, void* dst, std::size_t n) override {
    if (offset > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max())) return false;
    if (fseeko(f_, static_cast<off_t>(offset), SEEK_SET) != 0) return false;
    return std::fread(dst, 1, n, f_) == n;
  }

 private:
  std::FILE* f_;
};

class MemorySource final : public Source {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) { size = bytes.size(); }
  bool read_at(std::uint64_t offset, void* dst, std::size_t n) override {
    if (offset > bytes_.size() || n > bytes_.size() - offset) return false;
    std::memcpy(dst, bytes_.data() + offset, n);
    return true;
  }

 private:
  std::string_view bytes_;
};

// Sequential reads through a 64 KiB window; every read and skip is checked against the file's size first.
class Reader {
 public:
  Reader(Source& src, std::string name) : src_(src), name_(std::move(name)) {}

  [[nodiscard]] std::uint64_t pos() const { return pos_; }
  [[nodiscard]] std::uint64_t remaining() const { return src_.size - pos_; }
  [[nodiscard]] const std::string& name() const { return name_; }

  // Charges `n` bytes against kMaxKeptBytes: false (nothing charged) once it would be exceeded.
  bool keep(std::uint64_t n) {
    if (n > kept_budget_) return false;
    kept_budget_ -= n;
    return true;
  }

  // Charges `n` elements to be walked against kMaxWalkedElements before the walk begins.
  Status walk(std::uint64_t n, std::string_view field) {
    if (n > walk_budget_)
      return make_error(ErrorCode::bad_input, name_, std::string(field),
                        fmt::format("at most {} string or array elements walked in all (kvspec's limit)",
                                    kMaxWalkedElements),
                        fmt::format("{} more, {} left", n, walk_budget_),
                        fmt::format("array at offset {}: too many elements to walk", pos_));
    walk_budget_ -= n;
    return Ok{};
  }

  Error truncated(std::string_view field, std::uint64_t need) const {
    return make_error(ErrorCode::bad_input, name_, std::string(field),
                      fmt::format("{} more byte{} at offset {}", need, need == 1 ? "" : "s", pos_),
                      fmt::format("the file ends after {} byte{}", remaining(), remaining() == 1 ? "" : "s"),
                      "truncated or malformed GGUF header");
  }

  Status read(void* dst, std::uint64_t n, std::string_view field) {
    if (n > remaining()) return truncated(field, n);
    auto* out = static_cast<unsigned char*>(dst);
    while (n > 0) {
      if (pos_ < buf_start_ || pos_ >= buf_start_ + buf_.size()) {
        if (!fill()) {
          if (over_read_budget_)
            return make_error(
                ErrorCode::bad_input, name_, std::string(field),
                fmt::format("a header read in at most {} bytes (kvspec's limit)", kMaxHeaderBytesRead),
                fmt::format("more at offset {}", pos_), "header too large to walk");
          return make_error(ErrorCode::io, name_, std::string(field), "", "",
                            fmt::format("read failed at offset {}: {}", pos_, std::strerror(errno)));
        }
      }
      std::uint64_t at = pos_ - buf_start_;
      std::uint64_t take = std::min<std::uint64_t>(n, buf_.size() - at);
      std::memcpy(out, buf_.data() + at, take);
      out += take;
      pos_ += take;
      n -= take;
    }
    return Ok{};
  }

  Status skip(std::uint64_t n, std::string_view field) {
    if (n > remaining()) return truncated(field, n);
    pos_ += n;
    return Ok{};
  }

  template <class T>
  Result<T> scalar(std::string_view field) {
    T v{};
    if (auto s = read(&v, sizeof v, field); !s) return s.error();
    return v;
  }

  // A gguf_string: u64 length then bytes. Kept when length <= keep_max, else skipped (kept = false).
  Status string(std::string_view field, std::uint64_t keep_max, std::string& out, std::uint64_t& length,
                bool& kept) {
    auto n = scalar<std::uint64_t>(field);
    if (!n) return n.error();
    length = *n;
    if (length > remaining())
      return make_error(ErrorCode::bad_input, name_, std::string(field),
                        fmt::format("a string length of at most the {} bytes left", remaining()),
                        fmt::format("{} bytes", length), fmt::format("length at offset {}", pos_ - 8));
    if (length > kMaxStringLength)
      return make_error(
          ErrorCode::bad_input, name_, std::string(field),
          fmt::format("a string of at most {} bytes (GGUF_MAX_STRING_LENGTH)", kMaxStringLength),
          fmt::format("{} bytes", length), fmt::format("length at offset {}", pos_ - 8));
    if (length > keep_max || !keep(length)) {
      kept = false;
      out.clear();
      return skip(length, field);
    }
    kept = true;
    out.resize(static_cast<std::size_t>(length));
    return read(out.data(), length, field);
  }

 private:
  bool fill() {
    buf_start_ = pos_;
    std::uint64_t n = std::min<std::uint64_t>({kWindow, remaining(), src_.available(pos_)});
    if (n == 0) return false;
    if (n > read_budget_) {
      over_read_budget_ = true;  // reported by read()
      return false;
    }
    read_budget_ -= n;
    buf_.resize(static_cast<std::size_t>(n));
    return src_.read_at(pos_, buf_.data(), buf_.size());
  }

  static constexpr std::uint64_t kWindow = 64 * 1024;
  std::uint64_t kept_budget_ = kMaxKeptBytes;
  std::uint64_t walk_budget_ = kMaxWalkedElements;
  std::uint64_t read_budget_ = kMaxHeaderBytesRead;
  bool over_read_budget_ = false;
  Source& src_;
  std::string name_;
  std::uint64_t pos_ = 0;
  std::uint64_t buf_start_ = 0;
  std::vector<unsigned char> buf_;
};

Error bad(const Reader& r, std::string field, std::string expected, std::string found,
          std::string detail = {}) {
  return make_error(ErrorCode::bad_input, r.name(), std::move(field), std::move(expected), std::move(found),
                    std::move(detail));
}

Result<std::optional<std::int64_t>> read_integer(Reader& r, ValueType t, std::string_view field) {
  switch (t) {
    case ValueType::u8: {
      auto v = r.scalar<std::uint8_t>(field);
      if (!v) return v.error();
      return std::optional<std::int64_t>{*v};
    }
    case ValueType::i8: {
      auto v = r.scalar<std::int8_t>(field);
      if (!v) return v.error();
      return std::optional<std::int64_t>{*v};
    }
    case ValueType::u16: {
      auto v = r.scalar<std::uint16_t>(field);
      if (!v) return v.error();
      return std::optional<std::int64_t>{*v};
    }
    case ValueType::i16: {
      auto v = r.scalar<std::int16_t>(field);
      if (!v) return v.error();
      return std::optional<std::int64_t>{*v};
    }
    case ValueType::u32: {
      auto v = r.scalar<std::uint32_t>(field);
      if (!v) return v.error();
      return std::optional<std::int64_t>{*v};
    }
    case ValueType::i32: {
      auto v = r.scalar<std::int32_t>(field);
      if (!v) return v.error();
      return std::optional<std::int64_t>{*v};
    }
    case ValueType::u64: {
      auto v = r.scalar<std::uint64_t>(field);
      if (!v) return v.error();
      if (*v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return std::optional<std::int64_t>{};
      return std::optional<std::int64_t>{static_cast<std::int64_t>(*v)};
    }
    case ValueType::i64: {
      auto v = r.scalar<std::int64_t>(field);
      if (!v) return v.error();
      return std::optional<std::int64_t>{*v};
    }
    case ValueType::boolean: {
      auto v = r.scalar<std::uint8_t>(field);
      if (!v) return v.error();
      return std::optional<std::int64_t>{*v != 0 ? 1 : 0};
    }
    default:
      return std::optional<std::int64_t>{};
  }
}

Result<double> read_real(Reader& r, ValueType t, std::string_view field) {
  if (t == ValueType::f32) {
    auto v = r.scalar<float>(field);
    if (!v) return v.error();
    return static_cast<double>(*v);
  }
  auto v = r.scalar<double>(field);
  if (!v) return v.error();
  return *v;
}

Result<ValueType> read_type(Reader& r, std::string_view field) {
  std::uint64_t at = r.pos();
  auto t = r.scalar<std::uint32_t>(field);
  if (!t) return t.error();
  if (!known_type(*t))
    return bad(r, std::string(field), "a GGUF value type 0-12", std::to_string(*t),
               fmt::format("unknown value type at offset {}", at));
  return static_cast<ValueType>(*t);
}

Status read_value(Reader& r, ValueType t, Value& v, const std::string& field, int depth);

Status read_array(Reader& r, Value& v, const std::string& field, int depth) {
  if (depth >= kMaxArrayDepth)
    return bad(r, field, fmt::format("arrays nested at most {} deep", kMaxArrayDepth), "deeper nesting");
  auto et = read_type(r, field + " (array element type)");
  if (!et) return et.error();
  v.element_type = *et;
  auto n = r.scalar<std::uint64_t>(field + " (array count)");
  if (!n) return n.error();
  v.length = *n;
  // Every element takes at least this many bytes: check the count against what is left before anything else.
  std::uint64_t min_bytes = scalar_size(*et);
  if (min_bytes == 0)
    min_bytes = *et == ValueType::string ? 8 : 12;  // string: u64 length; array: type + count
  if (*n > r.remaining() / min_bytes)
    return bad(r, field, fmt::format("an array count that fits the {} bytes left", r.remaining()),
               fmt::format("{} elements of {} (at least {} bytes each)", *n, to_string(*et), min_bytes),
               fmt::format("array at offset {}", v.file_offset));
  v.file_offset = r.pos();
  std::uint64_t size = scalar_size(*et);
  if (size > 0) {
    if (*n > kMaxLoadedArray || !r.keep(*n * sizeof(std::int64_t))) {
      v.kept = false;
      return r.skip(*n * size, field);
    }
    bool real = *et == ValueType::f32 || *et == ValueType::f64;
    if (real)
      v.reals.reserve(static_cast<std::size_t>(*n));
    else
      v.integers.reserve(static_cast<std::size_t>(*n));
    for (std::uint64_t i = 0; i < *n; ++i) {
      if (real) {
        auto x = read_real(r, *et, field);
        if (!x) return x.error();
        v.reals.push_back(*x);
      } else {
        auto x = read_integer(r, *et, field);
        if (!x) return x.error();
        // u64 elements above INT64_MAX are stored as -1: no per-layer value is that large, and the mapping
        // rejects negatives where it reads them.
        v.integers.push_back(x->value_or(-1));
      }
    }
    return Ok{};
  }
  // Strings and nested arrays are walked (each length checked) but not kept; the count is charged first.
  v.kept = false;
  if (auto s = r.walk(*n, field); !s) return s.error();
  for (std::uint64_t i = 0; i < *n; ++i) {
    if (*et == ValueType::string) {
      auto len = r.scalar<std::uint64_t>(field);
      if (!len) return len.error();
      if (*len > r.remaining())
        return bad(r, field, fmt::format("a string length of at most the {} bytes left", r.remaining()),
                   fmt::format("{} bytes", *len), fmt::format("element {} at offset {}", i, r.pos() - 8));
      if (*len > kMaxStringLength)
        return bad(r, field,
                   fmt::format("strings of at most {} bytes (GGUF_MAX_STRING_LENGTH)", kMaxStringLength),
                   fmt::format("{} bytes", *len), fmt::format("element {} at offset {}", i, r.pos() - 8));
      if (auto s = r.skip(*len, field); !s) return s.error();
    } else {
      Value inner;
      if (auto s = read_value(r, *et, inner, field, depth + 1); !s) return s.error();
    }
  }
  return Ok{};
}

Status read_value(Reader& r, ValueType t, Value& v, const std::string& field, int depth) {
  v.type = t;
  v.file_offset = r.pos();
  switch (t) {
    case ValueType::f32:
    case ValueType::f64: {
      auto x = read_real(r, t, field);
      if (!x) return x.error();
      v.real = *x;
      return Ok{};
    }
    case ValueType::string:
      return r.string(field, kMaxKeptString, v.text, v.length, v.kept);
    case ValueType::array:
      return read_array(r, v, field, depth);
    default: {
      auto x = read_integer(r, t, field);
      if (!x) return x.error();
      v.integer = *x;
      v.boolean = x->value_or(1) != 0;
      return Ok{};
    }
  }
}

Status read_tensor_info(Reader& r, TensorInfo& ti, std::uint64_t index) {
  std::string field = fmt::format("tensor_info[{}]", index);
  std::uint64_t length = 0;
  bool kept = true;
  if (auto s = r.string(field + ".name", kMaxKeyLength, ti.name, length, kept); !s) return s.error();
  if (!kept)
    return bad(
        r, field + ".name",
        fmt::format("a name of at most {} bytes, all names within {} bytes", kMaxKeyLength, kMaxKeptBytes),
        fmt::format("{} bytes", length));
  field = fmt::format("tensor '{}'", ti.name);
  auto nd = r.scalar<std::uint32_t>(field + " n_dims");
  if (!nd) return nd.error();
  if (*nd > kMaxDims)
    return bad(r, field + " n_dims", fmt::format("at most {} dimensions", kMaxDims), std::to_string(*nd));
  ti.n_dims = *nd;
  for (std::uint32_t d = 0; d < *nd; ++d) {
    auto ne = r.scalar<std::uint64_t>(field + " dims");
    if (!ne) return ne.error();
    if (*ne > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return bad(r, field + " dims", "dimensions below 2^63", std::to_string(*ne));
    ti.ne[d] = static_cast<std::int64_t>(*ne);
  }
  auto type = r.scalar<std::uint32_t>(field + " type");
  if (!type) return type.error();
  ti.type = *type;
  const GgmlTypeInfo* info = ggml_type_info(*type);
  if (info == nullptr)
    return bad(r, field + " type", "a ggml tensor type ggml still defines", std::to_string(*type));
  auto off = r.scalar<std::uint64_t>(field + " offset");
  if (!off) return off.error();
  ti.offset = *off;

  // Elements and bytes, in checked arithmetic (ggml_nelements / ggml_nbytes; gguf.cpp rejects the same
  // overflows).
  std::optional<std::int64_t> elements = checked_product(ti.ne[0], ti.ne[1], ti.ne[2], ti.ne[3]);
  if (!elements)
    return bad(r, field + " dims", "a tensor whose element count fits in 64 bits",
               fmt::format("[{}, {}, {}, {}]", ti.ne[0], ti.ne[1], ti.ne[2], ti.ne[3]));
  if (ti.ne[0] % info->block_values != 0)
    return bad(r, field + " dims",
               fmt::format("ne[0] a multiple of {}'s block size {}", info->name, info->block_values),
               std::to_string(ti.ne[0]));
  std::optional<std::int64_t> bytes =
      checked_product(ti.ne[0] / info->block_values, info->block_bytes, ti.ne[1], ti.ne[2], ti.ne[3]);
  if (!bytes)
    return bad(r, field + " dims", "a tensor whose byte size fits in 64 bits",
               fmt::format("[{}, {}, {}, {}] of {}", ti.ne[0], ti.ne[1], ti.ne[2], ti.ne[3], info->name));
  ti.elements = *elements;
  ti.bytes = *bytes;
  return Ok{};
}

// The first name that occurs twice in `items` (by sorting 4-byte indices: no copies of the names).
template <class T, class Name>
std::optional<std::string_view> first_duplicate(const std::vector<T>& items, Name name) {
  std::vector<std::uint32_t> order(items.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return name(items[a]) < name(items[b]); });
  for (std::size_t i = 1; i < order.size(); ++i)
    if (name(items[order[i - 1]]) == name(items[order[i]])) return name(items[order[i]]);
  return std::nullopt;
}

Result<File> parse(Source& src, const std::string& name) {
  Reader r(src, name);
  File f;
  f.path = name;
  f.file_size = src.size;
  char magic[4];
  if (auto s = r.read(magic, 4, "magic"); !s) return s.error();
  if (std::memcmp(magic, kMagic, 4) != 0)
    return bad(r, "magic", "\"GGUF\" (a GGUF file)",
               fmt::format("{:02x} {:02x} {:02x} {:02x}", static_cast<unsigned char>(magic[0]),
                           static_cast<unsigned char>(magic[1]), static_cast<unsigned char>(magic[2]),
                           static_cast<unsigned char>(magic[3])));
  auto version = r.scalar<std::uint32_t>("version");
  if (!version) return version.error();
  if ((*version & 0xFFFF) == 0 && *version != 0)
    return bad(r, "version", "a little-endian GGUF file", fmt::format("version bytes {:#010x}", *version),
               "big-endian GGUF files are not supported");
  if (*version == 1)
    return bad(r, "version", "GGUF version 2 or 3", "1", "version 1 (32-bit counts) is no longer supported");
  if (*version < 2 || *version > 3) return bad(r, "version", "GGUF version 2 or 3", std::to_string(*version));
  f.version = *version;
  auto nt = r.scalar<std::uint64_t>("tensor_count");
  if (!nt) return nt.error();
  auto nkv = r.scalar<std::uint64_t>("metadata_kv_count");
  if (!nkv) return nkv.error();
  // A key/value pair takes at least 8 (key length) + 4 (type) + 1 bytes, a tensor info 8 + 4 + 4 + 8.
  if (*nkv > r.remaining() / 13)
    return bad(r, "metadata_kv_count", fmt::format("a count that fits the {} bytes left", r.remaining()),
               std::to_string(*nkv));
  if (*nt > r.remaining() / 24)
    return bad(r, "tensor_count", fmt::format("a count that fits the {} bytes left", r.remaining()),
               std::to_string(*nt));
  if (*nkv > kMaxKvCount)
    return bad(r, "metadata_kv_count", fmt::format("at most {} keys (kvspec's limit)", kMaxKvCount),
               std::to_string(*nkv));
  if (*nt > kMaxTensorCount)
    return bad(r, "tensor_count", fmt::format("at most {} tensors (kvspec's limit)", kMaxTensorCount),
               std::to_string(*nt));
  f.tensor_count = *nt;
  f.kv_count = *nkv;
  f.kvs.reserve(static_cast<std::size_t>(*nkv));  // bounded as nt below

  for (std::uint64_t i = 0; i < *nkv; ++i) {
    KeyValue kv;
    std::uint64_t length = 0;
    bool kept = true;
    std::string field = fmt::format("metadata[{}].key", i);
    if (auto s = r.string(field, kMaxKeyLength, kv.key, length, kept); !s) return s.error();
    if (!kept)
      return bad(r, field,
                 fmt::format("a key of at most {} bytes, all keys and kept values within {} bytes",
                             kMaxKeyLength, kMaxKeptBytes),
                 fmt::format("{} bytes", length));
    auto t = read_type(r, kv.key);
    if (!t) return t.error();
    if (auto s = read_value(r, *t, kv.value, kv.key, 0); !s) return s.error();
    f.kvs.push_back(std::move(kv));
  }

  // Duplicate keys are rejected, as gguf.cpp does.
  if (auto key = first_duplicate(f.kvs, [](const KeyValue& kv) -> std::string_view { return kv.key; }))
    return bad(r, std::string(*key), "each metadata key once", "a duplicate key");

  if (const Value* a = f.find("general.alignment")) {
    if (a->type != ValueType::u32 || !a->integer || *a->integer == 0 ||
        (*a->integer & (*a->integer - 1)) != 0)
      return bad(r, "general.alignment", "a uint32 power of two",
                 a->integer ? fmt::format("{} ({})", *a->integer, to_string(a->type))
                            : std::string(to_string(a->type)));
    f.alignment = *a->integer;
  }

  // Reserved up front (nt is bounded by kMaxTensorCount and the bytes left), so the vector never holds two
  // copies while it grows; duplicates are found by sorting indices (4 bytes a tensor, not a set of copies).
  f.tensors.reserve(static_cast<std::size_t>(*nt));
  for (std::uint64_t i = 0; i < *nt; ++i) {
    TensorInfo ti;
    if (auto s = read_tensor_info(r, ti, i); !s) return s.error();
    f.tensors.push_back(std::move(ti));
  }
  if (auto dup = first_duplicate(f.tensors, [](const TensorInfo& t) -> std::string_view { return t.name; }))
    return bad(r, fmt::format("tensor '{}'", *dup), "each tensor name once", "a duplicate name");
  f.header_end = r.pos();
  auto align = static_cast<std::uint64_t>(f.alignment);
  f.data_offset = f.header_end + (align - f.header_end % align) % align;

  // Tensor data is laid out back to back, each padded to the alignment; gguf.cpp requires each offset to be
  // the running padded sum ("tensor '%s' has offset %" PRIu64 ", expected %zu").
  std::uint64_t expect = 0;
  for (const auto& ti : f.tensors) {
    if (ti.offset != expect)
      return bad(r, fmt::format("tensor '{}' offset", ti.name), std::to_string(expect),
                 std::to_string(ti.offset),
                 "tensors must follow one another in the data section, each padded to the alignment");
    auto bytes = static_cast<std::uint64_t>(ti.bytes);
    std::uint64_t padded = bytes + (align - bytes % align) % align;
    if (padded < bytes || expect > std::numeric_limits<std::uint64_t>::max() - padded)
      return bad(r, fmt::format("tensor '{}'", ti.name), "a data section below 2^64 bytes", "an overflow");
    expect += padded;
  }
  f.data_size = expect;

  // Header-only copies end at (or before) the data section: inspected, with a note. A file that holds some of
  // the data but not all of it is truncated.
  if (f.file_size <= f.data_offset) {
    f.data_present = f.data_size == 0;
  } else if (f.data_size > f.file_size - f.data_offset) {
    std::uint64_t have = f.file_size - f.data_offset;
    for (const auto& ti : f.tensors)
      if (ti.offset + static_cast<std::uint64_t>(ti.bytes) > have)
        return bad(r, fmt::format("tensor '{}'", ti.name),
                   fmt::format("its {} bytes at data offset {} inside the file", ti.bytes, ti.offset),
                   fmt::format("a data section of {} bytes (file size {})", have, f.file_size),
                   "tensor data past the end of the file: truncated download?");
  }
  return f;
}

}  // namespace

namespace {

// The first bytes of a file of `size` bytes; reading past them marks the prefix short.
class PrefixSource final : public Source {
 public:
  PrefixSource(std::string_view prefix, std::uint64_t file_size) : prefix_(prefix) { size = file_size; }
  bool read_at(std::uint64_t offset, void* dst, std::size_t n) override {
    if (offset > prefix_.size() || n > prefix_.size() - offset) {
      short_ = true;
      return false;
    }
    std::memcpy(dst, prefix_.data() + offset, n);
    return true;
  }
  std::uint64_t available(std::uint64_t offset) override {
    if (offset >= prefix_.size()) {
      short_ = true;
      return 0;
    }
    return prefix_.size() - offset;
  }
  [[nodiscard]] bool was_short() const { return short_; }

 private:
  std::string_view prefix_;
  bool short_ = false;
};

}  // namespace

Result<PrefixParse> read_prefix(std::string_view prefix, std::uint64_t file_size, const std::string& name) {
  if (prefix.size() > file_size)
    return make_error(ErrorCode::internal, name, "", "a prefix no longer than the file", "a longer one");
  PrefixSource src(prefix, file_size);
  auto f = parse(src, name);
  PrefixParse out;
  if (!f) {
    if (!src.was_short()) return f.error();
    out.need = prefix.size() + 1;
    return out;
  }
  if (f->header_end > prefix.size()) {
    out.need = f->header_end;
    return out;
  }
  out.file = std::move(*f);
  return out;
}

Result<File> read_buffer(std::string_view bytes, const std::string& name) {
  MemorySource src(bytes);
  return parse(src, name);
}

Result<File> read_file(const std::string& path) {
  // O_NONBLOCK and S_ISREG first: fopen on a FIFO with no writer blocks forever, and a device never ends.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return make_error(errno == ENOENT ? ErrorCode::not_found : ErrorCode::io, path, "", "", "",
                      std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return make_error(ErrorCode::io, path, "", "", "", std::string("cannot stat: ") + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(ErrorCode::io, path, "", "a regular file", std::string(describe_file_mode(st.st_mode)));
  }
  std::FILE* fp = ::fdopen(fd, "rb");
  if (fp == nullptr) {
    ::close(fd);
    return make_error(ErrorCode::io, path, "", "", "", std::strerror(errno));
  }
  std::setvbuf(fp, nullptr, _IONBF, 0);  // the Reader keeps its own 64 KiB window
  auto src = std::make_unique<FileSource>(fp);
  if (fseeko(fp, 0, SEEK_END) != 0) return make_error(ErrorCode::io, path, "", "", "", "cannot seek");
  off_t end = ftello(fp);
  if (end < 0) return make_error(ErrorCode::io, path, "", "", "", "cannot tell the file size");
  src->size = static_cast<std::uint64_t>(end);
  return parse(*src, path);
}

}  // namespace kvspec::gguf
