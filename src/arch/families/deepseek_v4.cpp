// DeepSeek-V4 (transformers modeling_deepseek_v4.py, stored snapshot; DeepseekV4Attention /
// DeepseekV4Compressor / DeepseekV4Indexer / DeepseekV4Cache). Every layer caches one shared K/V entry of
// head_dim (512) values per token (wkv -> a single head used as both K and V) in a sliding window of
// `sliding_window` (128) tokens. Layers with compress_ratios[i] = r > 0 also pool each r consecutive tokens
// into one head_dim entry (compressor_state.pooled_kv, grows with the context: floor(tokens / r) entries); r
// = 4 layers (CSA) add an indexer whose own compressor pools index_head_dim keys at ratio 4
// (indexer_state.pooled_kv); r = 128 layers are HCA. compress_ratios may list more entries than layers (the
// MTP layer's); only the first num_hidden_layers are read.
//
// The spec records the window layers exactly (kind sliding, 1 head, K = head_dim, no separate V); the pooled
// buffers are components whose per-token figure is the pooled width / ratio, i.e. exact only at multiples of
// the ratio (floor(context / r) entries), and which kv_bytes_per_token and `exact` do not count yet.
#include <array>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "arch/rule.hpp"
#include "util/checked.hpp"

namespace kvspec {

namespace {

Status v4_resolve(BuildContext& ctx) {
  if (!ctx.cfg.present("head_dim"))
    return ctx.cfg.error("head_dim", "the shared K/V width (DeepSeek-V4 states it; hidden / heads is not it)",
                         "none");
  ctx.head_dim_v = 0;  // one tensor serves as K and V (past_key_values.update(kv, kv))
  if (!ctx.window) return ctx.cfg.error("sliding_window", "the window of every layer's K/V (128)", "none");
  return Ok{};
}

// compress_ratios[0 .. num_layers): 0 = window only, r > 0 = a compressor of ratio r (r = 4 also an indexer).
Result<std::vector<std::int64_t>> v4_ratios(BuildContext& ctx) {
  const ConfigView& cfg = ctx.cfg;
  const json::Value* v = cfg.raw("compress_ratios");
  if (v == nullptr || v->is_null())
    return std::vector<std::int64_t>(static_cast<std::size_t>(ctx.num_layers));
  if (!v->is_array() || static_cast<std::int64_t>(v->as_array().size()) < ctx.num_layers)
    return cfg.error("compress_ratios", fmt::format("an array of at least {} ratios", ctx.num_layers),
                     v->describe());
  std::vector<std::int64_t> out;
  for (std::int64_t i = 0; i < ctx.num_layers; ++i) {
    auto r = cfg.as_integer(v->as_array()[static_cast<std::size_t>(i)],
                            cfg.path(fmt::format("compress_ratios[{}]", i)), 0, kMaxTokens);
    if (!r) return r.error();
    out.push_back(*r);
  }
  return out;
}

Status v4_layers(BuildContext& ctx) {
  for (std::int64_t i = 0; i < ctx.num_layers; ++i)
    ctx.spec.layers.push_back(ctx.layer(LayerKind::sliding_attention, Tier::config));
  return Ok{};
}

std::pair<std::int64_t, std::string> model_dtype(const ConfigView& cfg) {
  for (std::string_view key : {"torch_dtype", "dtype"}) {
    const json::Value* v = cfg.raw(key);
    if (v != nullptr && v->is_string()) return {v->as_string() == "float32" ? 4 : 2, v->as_string()};
  }
  return {2, "16-bit (dtype unstated)"};
}

Status v4_finish(BuildContext& ctx) {
  if (auto s = mtp_note(ctx); !s) return s.error();
  auto ratios = v4_ratios(ctx);
  if (!ratios) return ratios.error();
  auto idx_dim = ctx.cfg.integer("index_head_dim", 1, kMaxHeadDim);
  if (!idx_dim) return idx_dim.error();
  std::int64_t csa = 0, hca = 0, kv_values = 0, idx_values = 0;
  bool whole = true;  // every pooled width divides by its ratio
  std::vector<PooledBuffer> kv_pools, idx_pools;
  for (std::int64_t r : *ratios) {
    if (r == 0) continue;
    (r == 4 ? csa : hca) += 1;
    whole = whole && ctx.head_dim % r == 0;
    kv_values += ctx.head_dim / r;
    kv_pools.push_back({r, ctx.head_dim});
    if (r == 4) {
      if (!*idx_dim)
        return ctx.cfg.error("index_head_dim", "the indexer key width (CSA layers, ratio 4)", "none");
      whole = whole && **idx_dim % 4 == 0;
      idx_values += **idx_dim / 4;
      idx_pools.push_back({4, **idx_dim});
    }
  }
  auto [elem, dtype] = model_dtype(ctx.cfg);
  ctx.note(fmt::format(
      "DeepSeek-V4: every layer keeps a {}-token window of one shared {}-wide K/V entry; {} CSA layers "
      "(compress_ratio 4, with an indexer) and {} HCA layers (other ratios) also pool every r tokens into "
      "one "
      "entry, buffers that grow with the context",
      *ctx.window, ctx.head_dim, csa, hca));
  if (kv_values == 0) return Ok{};
  std::string exactness =
      whole ? "per token: the average; exact sizing keeps floor(context / r) entries"
            : "per token: rounded down per layer; exact sizing keeps floor(context / r) entries";
  CacheComponent kv;
  kv.name = "compressed KV";
  kv.values_per_token = kv_values;
  kv.bytes_per_token = kv_values * elem;
  kv.pooled = std::move(kv_pools);
  kv.note = fmt::format(
      "DeepSeek-V4 compressor pooled_kv: sum over compressed layers of head_dim {} / ratio × {} bytes ({}); "
      "{}; "
      "not in kv_bytes_per_token",
      ctx.head_dim, elem, dtype, exactness);
  ctx.spec.extra_components.push_back(std::move(kv));
  if (idx_values > 0) {
    CacheComponent ix;
    ix.name = "compressed indexer keys";
    ix.values_per_token = idx_values;
    ix.bytes_per_token = idx_values * elem;
    ix.pooled = std::move(idx_pools);
    ix.note = fmt::format(
        "DeepSeek-V4 indexer pooled keys: {} CSA layers × index_head_dim {} / 4 × {} bytes ({}); {}; not in "
        "kv_bytes_per_token",
        csa, **idx_dim, elem, dtype, exactness);
    ctx.spec.extra_components.push_back(std::move(ix));
  }
  return Ok{};
}

constexpr std::array kRules{
    ArchRule{.model_type = "deepseek_v4",
             .config_class = "DeepseekV4Config",
             .source = "transformers modeling_deepseek_v4.py: every layer a sliding window "
                       "(sliding_window) of one shared head_dim K/V entry; compress_ratios[i] > 0 adds a "
                       "pooled compressed KV of floor(tokens / ratio) entries, ratio 4 (CSA) also an indexer "
                       "pooling index_head_dim keys at 4 (DeepseekV4Cache compressor_state / indexer_state)",
             .pattern = Pattern::custom,
             .resolve = v4_resolve,
             .layers = v4_layers,
             .finish = v4_finish},
};

}  // namespace

std::span<const ArchRule> deepseek_v4_rules() {
  return kRules;
}

}  // namespace kvspec
