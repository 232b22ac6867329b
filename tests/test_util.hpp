// Helpers shared by the tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "kvspec/load.hpp"
#include "kvspec/size.hpp"
#include "kvspec/spec.hpp"

namespace kvspec::test {

inline std::string data_path(const std::string& rel) {
  return std::string(KVSPEC_TEST_DATA) + "/" + rel;
}

// Loads tests/data/configs/NAME; fails the test (and returns an empty spec) on error.
inline ModelCacheSpec load_fixture(const std::string& name) {
  auto spec = load_model(data_path("configs/" + name));
  EXPECT_TRUE(spec) << (spec ? "" : spec.error().message());
  return spec ? *spec : ModelCacheSpec{};
}

inline ModelCacheSpec from_json(const std::string& json) {
  auto spec = spec_from_config_text(json, "inline.json");
  EXPECT_TRUE(spec) << (spec ? "" : spec.error().message());
  return spec ? *spec : ModelCacheSpec{};
}

inline std::int64_t bytes_per_token_f16(const ModelCacheSpec& spec) {
  auto b = kv_bytes_per_token(spec, CacheDType::f16, CacheDType::f16);
  EXPECT_TRUE(b);
  return b ? *b : -1;
}

inline std::int64_t exact_bytes(const ModelCacheSpec& spec, std::int64_t context, std::int64_t batch = 1,
                                CacheDType dt = CacheDType::f16) {
  auto c = size_exact(spec, {context, batch, dt, dt});
  EXPECT_TRUE(c);
  return c ? c->total_bytes : -1;
}

// The first layer of `kind`; fails the test (and returns an empty layer) when there is none.
inline const LayerSpec& first(const ModelCacheSpec& spec, LayerKind kind) {
  for (const auto& l : spec.layers)
    if (l.kind == kind) return l;
  static const LayerSpec none;
  ADD_FAILURE() << "no layer of kind " << to_string(kind);
  return none;
}

// Whether one of the spec's notes contains `fragment`.
inline bool has_note(const ModelCacheSpec& spec, const std::string& fragment) {
  for (const Note& n : spec.notes)
    if (n.text.find(fragment) != std::string::npos) return true;
  return false;
}

inline bool has_warning(const ModelCacheSpec& spec) {
  return spec.has_warnings();
}

constexpr std::int64_t MiB = 1024 * 1024;

}  // namespace kvspec::test
