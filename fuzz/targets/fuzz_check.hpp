// Shared by the fuzz targets: an invariant check that aborts (a libFuzzer finding) in every build type, and a
// small byte reader for targets that build structured inputs (FuzzedDataProvider is clang-only; the targets
// also run under g++ in the test suite's corpus replay).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

// KVSPEC_FUZZ_CHECK(condition) or KVSPEC_FUZZ_CHECK(condition, detail-string).
#define KVSPEC_FUZZ_CHECK(cond, ...)                                                         \
  do {                                                                                       \
    if (!(cond)) ::kvspec::fuzz::fail(__FILE__, __LINE__, #cond __VA_OPT__(, ) __VA_ARGS__); \
  } while (0)

namespace kvspec::fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* cond, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz invariant failed at %s:%d: %s\n%s\n", file, line, cond, detail.c_str());
  std::abort();
}

// Consumes the input front to back; past the end every read yields zeros.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  [[nodiscard]] bool empty() const { return pos_ >= bytes_.size(); }

  std::uint8_t u8() { return pos_ < bytes_.size() ? static_cast<std::uint8_t>(bytes_[pos_++]) : 0; }

  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | u8();
    return v;
  }

  // A value in [lo, hi] (lo <= hi).
  std::int64_t range(std::int64_t lo, std::int64_t hi) {
    auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    std::uint64_t raw = span < 256 ? u8() : u64();
    std::uint64_t off = span == UINT64_MAX ? raw : raw % (span + 1);
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + off);
  }

  // Small values most of the time, with the edges that break arithmetic mixed in: 0, 1, powers of two up to
  // 2^62, INT64_MAX and (when `negative`) negative numbers.
  std::int64_t count(bool negative = false) {
    switch (u8() % 8) {
      case 0:
        return range(0, 16);
      case 1:
        return range(0, 1 << 20);
      case 2:
        return std::int64_t{1} << range(0, 62);
      case 3:
        return INT64_MAX - range(0, 2);
      case 4:
        return negative ? -range(1, 1 << 20) : range(0, 256);
      case 5:
        return range(0, INT64_MAX);
      default:
        return range(1, 4096);
    }
  }

  // The rest of the input as a string.
  std::string_view rest() {
    std::string_view out = pos_ < bytes_.size() ? bytes_.substr(pos_) : std::string_view();
    pos_ = bytes_.size();
    return out;
  }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace kvspec::fuzz
