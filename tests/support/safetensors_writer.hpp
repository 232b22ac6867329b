// Test support: writes small safetensors files (real tensor names and shapes, tiny or absent data), temporary
// model folders (support/temp_dir.hpp). Independent of kvspec's reader: the header is built by hand here.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "support/temp_dir.hpp"

namespace sttest {

namespace fs = std::filesystem;

// Bits per element, as the safetensors format defines them.
inline std::int64_t dtype_bits(const std::string& d) {
  if (d == "F64" || d == "I64" || d == "U64" || d == "C64") return 64;
  if (d == "F32" || d == "I32" || d == "U32") return 32;
  if (d == "F16" || d == "BF16" || d == "I16" || d == "U16") return 16;
  if (d == "F4") return 4;
  if (d == "F6_E2M3" || d == "F6_E3M2") return 6;
  return 8;  // BOOL, U8, I8, F8_*
}

struct TensorDef {
  std::string name;
  std::string dtype;
  std::vector<std::int64_t> shape;
};

inline std::int64_t tensor_bytes(const TensorDef& t) {
  std::int64_t n = 1;
  for (auto d : t.shape) n *= d;
  return n * dtype_bits(t.dtype) / 8;
}

class Writer {
 public:
  Writer& add(std::string name, std::string dtype, std::vector<std::int64_t> shape) {
    tensors_.push_back({std::move(name), std::move(dtype), std::move(shape)});
    return *this;
  }
  Writer& metadata(std::string key, std::string value) {
    metadata_.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  [[nodiscard]] const std::vector<TensorDef>& tensors() const { return tensors_; }

  [[nodiscard]] std::int64_t data_bytes() const {
    std::int64_t n = 0;
    for (const auto& t : tensors_) n += tensor_bytes(t);
    return n;
  }

  // The JSON header, offsets laid end to end in insertion order.
  [[nodiscard]] std::string header() const {
    std::string h = "{";
    if (!metadata_.empty()) {
      h += "\"__metadata__\":{";
      for (std::size_t i = 0; i < metadata_.size(); ++i)
        h += (i ? "," : "") + quote(metadata_[i].first) + ":" + quote(metadata_[i].second);
      h += "}";
    }
    std::int64_t at = 0;
    for (std::size_t i = 0; i < tensors_.size(); ++i) {
      const auto& t = tensors_[i];
      if (i > 0 || !metadata_.empty()) h += ",";
      h += quote(t.name) + ":{\"dtype\":" + quote(t.dtype) + ",\"shape\":[";
      for (std::size_t j = 0; j < t.shape.size(); ++j) h += (j ? "," : "") + std::to_string(t.shape[j]);
      std::int64_t end = at + tensor_bytes(t);
      h += "],\"data_offsets\":[" + std::to_string(at) + "," + std::to_string(end) + "]}";
      at = end;
    }
    h += "}";
    while (h.size() % 8 != 0) h += ' ';  // safetensors pads the header to 8 bytes with spaces
    return h;
  }

  // Header only (data absent) unless with_data: then zero bytes for the whole data section.
  void write(const fs::path& path, bool with_data = false) const {
    std::string h = header();
    write_raw(path, static_cast<std::uint64_t>(h.size()), h, with_data ? data_bytes() : 0);
  }

  // Any bytes at all: the 8-byte length `declared`, the header text, then `data` zero bytes.
  static void write_raw(const fs::path& path, std::uint64_t declared, const std::string& header_text,
                        std::int64_t data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path.string());
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((declared >> (8 * i)) & 0xff));
    out << header_text;
    std::string zeros(1 << 16, '\0');
    while (data > 0) {
      auto n = std::min<std::int64_t>(data, static_cast<std::int64_t>(zeros.size()));
      out.write(zeros.data(), n);
      data -= n;
    }
  }

 private:
  static std::string quote(const std::string& s) { return "\"" + s + "\""; }
  std::vector<TensorDef> tensors_;
  std::vector<std::pair<std::string, std::string>> metadata_;
};

using TempDir = kvspec::test::TempDir;

inline void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

inline void copy_config(const fs::path& from, const fs::path& dir) {
  fs::copy_file(from, dir / "config.json", fs::copy_options::overwrite_existing);
}

}  // namespace sttest
