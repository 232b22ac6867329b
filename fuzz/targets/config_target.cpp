// config.json → spec → exact sizes → reports. The input is the file's bytes, so the fixture configs seed it.
#include <array>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "arch/config_view.hpp"
#include "json/json.hpp"
#include "kvspec/load.hpp"
#include "kvspec/report.hpp"
#include "kvspec/size.hpp"
#include "targets/fuzz_check.hpp"
#include "targets/targets.hpp"

namespace kvspec::fuzz {

namespace {

void check_spec(const ModelCacheSpec& spec) {
  const auto n = static_cast<std::int64_t>(spec.layers.size());
  KVSPEC_FUZZ_CHECK(n >= 1 && n <= kMaxLayers, fmt::format("{} layers", n));
  for (const LayerSpec& l : spec.layers) {
    KVSPEC_FUZZ_CHECK(l.num_kv_heads >= 0 && l.head_dim_k >= 0 && l.head_dim_v >= 0);
    KVSPEC_FUZZ_CHECK(l.state_bytes >= 0 && l.conv_state_values >= 0 && l.recurrent_state_values >= 0);
    KVSPEC_FUZZ_CHECK(!l.window || *l.window >= 1);
    KVSPEC_FUZZ_CHECK(!l.fixed_tokens || *l.fixed_tokens >= 0);
    KVSPEC_FUZZ_CHECK(!l.shares_with || (*l.shares_with >= 0 && *l.shares_with < n));
  }
  KVSPEC_FUZZ_CHECK(static_cast<std::int64_t>(layer_strip(spec).size()) == n);
  KVSPEC_FUZZ_CHECK(!compact_pattern(spec).empty());
}

void check_size(const CacheSize& c, std::size_t layers) {
  KVSPEC_FUZZ_CHECK(c.kv_bytes >= 0 && c.state_bytes >= 0 && c.total_bytes == c.kv_bytes + c.state_bytes);
  KVSPEC_FUZZ_CHECK(c.per_layer_bytes.size() == layers);
  std::int64_t sum = 0;
  for (std::int64_t b : c.per_layer_bytes) {
    KVSPEC_FUZZ_CHECK(b >= 0);
    sum += b;  // cannot wrap: each term is part of total_bytes, which fitted
  }
  // The extra components (indexer keys, pooled buffers) are counted beside the layers.
  KVSPEC_FUZZ_CHECK(c.extra_bytes >= 0 && c.extra_bytes <= c.kv_bytes);
  KVSPEC_FUZZ_CHECK(sum + c.extra_bytes == c.total_bytes);
}

// The JSON report must be JSON: every string from the config (model_type, notes) escaped.
void check_json_output(const std::string& text) {
  auto doc = json::parse(text, "render_json output");
  KVSPEC_FUZZ_CHECK(doc.ok(), doc ? "" : doc.error().message());
  KVSPEC_FUZZ_CHECK(doc->root.is_object());
}

}  // namespace

void config_one(std::string_view bytes) {
  if (bytes.size() > json::kMaxConfigBytes) return;  // load_model refuses these before parsing
  auto spec = spec_from_config_text(bytes, "fuzz/config.json");
  if (!spec) {
    const Error& e = spec.error();
    KVSPEC_FUZZ_CHECK(e.code != ErrorCode::internal, e.message());
    KVSPEC_FUZZ_CHECK(e.file == "fuzz/config.json", e.message());
    return;
  }
  check_spec(*spec);

  ReportOptions plain;
  auto text = render_text(*spec, plain);
  KVSPEC_FUZZ_CHECK(text.ok());
  auto js = render_json(*spec, plain);
  KVSPEC_FUZZ_CHECK(js.ok());
  check_json_output(*js);

  // Sizes at contexts from one token to kMaxTokens: the arithmetic either fits or says it overflowed, and
  // more context never costs less.
  constexpr std::array<std::int64_t, 5> kContexts = {1, 4096, 131072, std::int64_t{1} << 30, kMaxTokens};
  constexpr std::array<CacheDType, 3> kTypes = {CacheDType::f16, CacheDType::q4_0, CacheDType::f32};
  for (CacheDType t : kTypes) {
    std::int64_t previous = 0;
    for (std::int64_t ctx : kContexts) {
      auto size = size_exact(*spec, {ctx, 1, t, t});
      if (!size) {
        KVSPEC_FUZZ_CHECK(size.error().code == ErrorCode::usage, size.error().message());
        break;  // larger contexts overflow too
      }
      check_size(*size, spec->layers.size());
      KVSPEC_FUZZ_CHECK(size->total_bytes >= previous, fmt::format("context {}", ctx));
      previous = size->total_bytes;
      if (ctx == 4096 || ctx == kMaxTokens) {
        ReportOptions with{t, *size};
        auto t2 = render_text(*spec, with);
        KVSPEC_FUZZ_CHECK(t2.ok());
        auto j2 = render_json(*spec, with);
        KVSPEC_FUZZ_CHECK(j2.ok());
        check_json_output(*j2);
      }
    }
  }
}

}  // namespace kvspec::fuzz
