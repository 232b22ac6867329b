// A small GGUF writer for the tests and benchmarks: metadata of every value type, tensor infos with offsets
// laid out as gguf.cpp expects, optional (zero) tensor data, and hooks to write malformed files on purpose.
// Layout per ggml docs/gguf.md: magic, version, tensor count, kv count, key/values, tensor infos, padding,
// data.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kvspec::test {

// Writes `head` then extends the file to `size` bytes with a hole (ftruncate): a "giant" whose claimed arrays
// fit the file, at no cost in disk or time. Never write GiBs of real data in a test.
inline bool write_sparse(const std::string& path, std::string_view head, std::uint64_t size) {
  {
    std::ofstream f(path, std::ios::binary);
    f.write(head.data(), static_cast<std::streamsize>(head.size()));
    if (!f) return false;
  }
  return ::truncate(path.c_str(), static_cast<off_t>(size)) == 0;
}

enum GgufValueType : std::uint32_t {
  kU8 = 0,
  kI8 = 1,
  kU16 = 2,
  kI16 = 3,
  kU32 = 4,
  kI32 = 5,
  kF32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kU64 = 10,
  kI64 = 11,
  kF64 = 12,
};

// ggml type ids and their (block values, block bytes) used by the tests.
enum GgmlType : std::uint32_t {
  kF32T = 0,
  kF16T = 1,
  kQ4_0T = 2,
  kQ8_0T = 8,
  kQ4_KT = 12,
  kQ6_KT = 14,
  kMXFP4T = 39
};

// Unsigned on purpose: crafted (malformed) dims may wrap here; the reader must reject them, not the writer.
inline std::uint64_t ggml_bytes(std::uint32_t type, std::uint64_t elements) {
  switch (type) {
    case kF32T:
      return elements * 4;
    case kF16T:
      return elements * 2;
    case kQ4_0T:
      return elements / 32 * 18;
    case kQ8_0T:
      return elements / 32 * 34;
    case kQ4_KT:
      return elements / 256 * 144;
    case kQ6_KT:
      return elements / 256 * 210;
    case kMXFP4T:
      return elements / 32 * 17;
    default:
      return 0;
  }
}

class GgufWriter {
 public:
  std::uint32_t version = 3;
  std::uint64_t alignment = 32;  // used to lay out offsets; write general.alignment yourself to change it

  // --- scalars
  GgufWriter& u32(std::string_view key, std::uint32_t v) { return scalar(key, kU32, &v, 4); }
  GgufWriter& i32(std::string_view key, std::int32_t v) { return scalar(key, kI32, &v, 4); }
  GgufWriter& u64(std::string_view key, std::uint64_t v) { return scalar(key, kU64, &v, 8); }
  GgufWriter& f32(std::string_view key, float v) { return scalar(key, kF32, &v, 4); }
  GgufWriter& boolean(std::string_view key, bool b) {
    std::uint8_t v = b ? 1 : 0;
    return scalar(key, kBool, &v, 1);
  }
  GgufWriter& str(std::string_view key, std::string_view s) {
    kv_key(key);
    put32(kString);
    put_string(s);
    ++kv_count_;
    return *this;
  }

  // --- arrays
  GgufWriter& arr_u32(std::string_view key, const std::vector<std::uint32_t>& v) {
    return array_of(key, kU32, v.size(), [&](std::string& o) {
      for (auto x : v) append(o, &x, 4);
    });
  }
  GgufWriter& arr_i32(std::string_view key, const std::vector<std::int32_t>& v) {
    return array_of(key, kI32, v.size(), [&](std::string& o) {
      for (auto x : v) append(o, &x, 4);
    });
  }
  GgufWriter& arr_f32(std::string_view key, std::uint64_t n, float value) {
    return array_of(key, kF32, n, [&](std::string& o) {
      for (std::uint64_t i = 0; i < n; ++i) append(o, &value, 4);
    });
  }
  GgufWriter& arr_bool(std::string_view key, const std::vector<bool>& v) {
    return array_of(key, kBool, v.size(), [&](std::string& o) {
      for (bool b : v) o.push_back(static_cast<char>(b ? 1 : 0));
    });
  }
  GgufWriter& arr_str(std::string_view key, const std::vector<std::string>& v) {
    return array_of(key, kString, v.size(), [&](std::string& o) {
      for (const auto& s : v) put_string_to(o, s);
    });
  }
  // n generated strings (a tokenizer vocabulary) without holding them all at once.
  GgufWriter& arr_str_gen(std::string_view key, std::uint64_t n,
                          const std::function<std::string(std::uint64_t)>& gen) {
    return array_of(key, kString, n, [&](std::string& o) {
      for (std::uint64_t i = 0; i < n; ++i) put_string_to(o, gen(i));
    });
  }
  // An array of arrays of u32.
  GgufWriter& arr_nested(std::string_view key, const std::vector<std::vector<std::uint32_t>>& v) {
    return array_of(key, kArray, v.size(), [&](std::string& o) {
      for (const auto& inner : v) {
        put32_to(o, kU32);
        std::uint64_t n = inner.size();
        append(o, &n, 8);
        for (auto x : inner) append(o, &x, 4);
      }
    });
  }

  // --- raw pieces, to write malformed files
  GgufWriter& raw_kv(std::string_view key, std::uint32_t type, std::string_view payload) {
    kv_key(key);
    put32(type);
    kvs_.append(payload);
    ++kv_count_;
    return *this;
  }

  // --- tensors: dims in ggml order (ne[0] first). Offsets are laid out back to back unless `offset` is
  // given.
  GgufWriter& tensor(std::string_view name, std::vector<std::uint64_t> dims, std::uint32_t type,
                     std::optional<std::uint64_t> offset = std::nullopt) {
    std::uint64_t elements = 1;
    for (auto d : dims) elements *= d;
    std::uint64_t bytes = ggml_bytes(type, elements);
    std::uint64_t at = offset.value_or(data_size_);
    put_string_to(tensors_, name);
    put32_to(tensors_, static_cast<std::uint32_t>(dims.size()));
    for (auto d : dims) append(tensors_, &d, 8);
    put32_to(tensors_, type);
    append(tensors_, &at, 8);
    data_size_ += bytes + (alignment - bytes % alignment) % alignment;
    ++tensor_count_;
    return *this;
  }

  // Overrides the counts written in the header (to claim more than the file holds).
  std::optional<std::uint64_t> claimed_tensor_count, claimed_kv_count;

  // The whole file; with_data appends the zero-filled data section, else it is a header-only copy.
  [[nodiscard]] std::string bytes(bool with_data = false) const {
    std::string out("GGUF", 4);
    append(out, &version, 4);
    std::uint64_t nt = claimed_tensor_count.value_or(tensor_count_);
    std::uint64_t nkv = claimed_kv_count.value_or(kv_count_);
    append(out, &nt, 8);
    append(out, &nkv, 8);
    out += kvs_;
    out += tensors_;
    out.append((alignment - out.size() % alignment) % alignment, '\0');
    if (with_data) out.append(data_size_, '\0');
    return out;
  }

  void write(const std::string& path, bool with_data = false) const {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    std::string b = bytes(with_data);
    f.write(b.data(), static_cast<std::streamsize>(b.size()));
  }

  [[nodiscard]] std::uint64_t data_size() const { return data_size_; }

 private:
  static void append(std::string& o, const void* p, std::size_t n) {
    o.append(static_cast<const char*>(p), n);
  }
  static void put32_to(std::string& o, std::uint32_t v) { append(o, &v, 4); }
  static void put_string_to(std::string& o, std::string_view s) {
    std::uint64_t n = s.size();
    append(o, &n, 8);
    o.append(s);
  }
  void put32(std::uint32_t v) { put32_to(kvs_, v); }
  void put_string(std::string_view s) { put_string_to(kvs_, s); }
  void kv_key(std::string_view key) { put_string(key); }
  GgufWriter& scalar(std::string_view key, std::uint32_t type, const void* v, std::size_t n) {
    kv_key(key);
    put32(type);
    append(kvs_, v, n);
    ++kv_count_;
    return *this;
  }
  GgufWriter& array_of(std::string_view key, std::uint32_t elem, std::uint64_t n,
                       const std::function<void(std::string&)>& body) {
    kv_key(key);
    put32(kArray);
    put32(elem);
    append(kvs_, &n, 8);
    body(kvs_);
    ++kv_count_;
    return *this;
  }

  std::string kvs_, tensors_;
  std::uint64_t kv_count_ = 0, tensor_count_ = 0, data_size_ = 0;
};

}  // namespace kvspec::test
