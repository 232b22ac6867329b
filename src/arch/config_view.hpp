// Typed, validated access to a model's (text) config. Every error names the file and the field's dotted path.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "format/model_description.hpp"

namespace kvspec {

// Limits on what a config may state, with reasons. Beyond them a value is an error, not a huge allocation.
inline constexpr std::int64_t kMaxLayers = 10'000;    // the deepest real models have ~200 layers
inline constexpr std::int64_t kMaxHeads = 1 << 16;    // real models have ≤ 256 heads
inline constexpr std::int64_t kMaxHeadDim = 1 << 16;  // real head dims are ≤ 1024 (MLA latents ≤ 1024)
inline constexpr std::int64_t kMaxHidden = 1 << 22;   // real hidden sizes are ≤ 32768
inline constexpr std::int64_t kMaxTokens = std::int64_t{1} << 40;  // windows, chunks and contexts
inline constexpr std::int64_t kMaxExperts = 1 << 20;

class ConfigView {
 public:
  explicit ConfigView(const ModelDescription& d) : d_(d) {}

  [[nodiscard]] const ModelDescription& description() const { return d_; }
  [[nodiscard]] const std::string& file() const { return d_.config_file; }
  [[nodiscard]] const json::Value& text() const { return d_.text(); }
  [[nodiscard]] const json::Value& root() const { return d_.root(); }

  // The key in the text config (absent -> nullptr; a JSON null is returned as a null Value).
  [[nodiscard]] const json::Value* raw(std::string_view key) const { return text().find(key); }
  [[nodiscard]] bool present(std::string_view key) const {
    const json::Value* v = raw(key);
    return v != nullptr && !v->is_null();
  }
  // "text_config.key" when nested, else "key".
  [[nodiscard]] std::string path(std::string_view key) const;

  [[nodiscard]] Error error(std::string_view key, std::string expected, std::string found,
                            std::string detail = {}) const;

  // Absent or null -> nullopt. Not an integer, or outside [lo, hi] -> error.
  [[nodiscard]] Result<std::optional<std::int64_t>> integer(std::string_view key, std::int64_t lo,
                                                            std::int64_t hi) const;
  [[nodiscard]] Result<std::optional<bool>> boolean(std::string_view key) const;
  [[nodiscard]] Result<std::optional<std::string>> string(std::string_view key) const;

  struct Named {
    std::int64_t value;
    std::string key;
  };
  // The first of `keys` that is present and non-null, validated as integer(key, lo, hi).
  [[nodiscard]] Result<std::optional<Named>> first_integer(std::initializer_list<std::string_view> keys,
                                                           std::int64_t lo, std::int64_t hi) const;

  // Validation of an integer already found (e.g. inside an array or nested object).
  [[nodiscard]] Result<std::int64_t> as_integer(const json::Value& v, const std::string& field_path,
                                                std::int64_t lo, std::int64_t hi) const;

 private:
  const ModelDescription& d_;
};

}  // namespace kvspec
