// Links against kvspec as a consumer would and sizes the bundled example (gemma-3-12b-it), through the C++
// API and the C API (kvspec/kvspec.h).
#include <cstdio>
#include <cstring>
#include <string>

#include "kvspec/kvspec.h"
#include "kvspec/load.hpp"
#include "kvspec/size.hpp"

int main() {
  auto spec = kvspec::spec_from_config_text(kvspec::bundled_example_config(), kvspec::bundled_example_name());
  if (!spec) {
    std::puts("spec_from_config_text failed");
    return 1;
  }
  auto bytes = kvspec::kv_bytes_per_token(*spec, kvspec::CacheDType::f16, kvspec::CacheDType::f16);
  // Gemma 3 12B: 48 layers × 8 KV heads × head_dim 256 (Gemma3TextConfig default) × (K+V) × 2 bytes (f16).
  constexpr long long expected = 48LL * 8 * 256 * 2 * 2;
  if (!bytes || *bytes != expected) {
    std::printf("kv_bytes_per_token: got %lld, expected %lld\n",
                bytes ? static_cast<long long>(*bytes) : -1LL, expected);
    return 1;
  }
  kvspec_model* model = kvspec_model_load_example(nullptr);
  char* json = kvspec_inspect_json(model, nullptr, nullptr);
  const std::string want = "\"kv_bytes_per_token\": " + std::to_string(expected) + ",";
  const bool ok = json != nullptr && std::strstr(json, want.c_str()) != nullptr;
  kvspec_string_free(json);
  kvspec_model_free(model);
  if (!ok) {
    std::printf("C API: kvspec_inspect_json lacks %s\n", want.c_str());
    return 1;
  }
  std::printf("ok %lld (kvspec %s)\n", expected, kvspec_version());
  return 0;
}
