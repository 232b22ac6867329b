// The mlx-lm profile, read from ml-explore/mlx-lm at d78bf58e (mlx_lm 0.32.0, Aug 2026).
//
//   KVCache           mlx_lm/models/cache.py: buffers grow in `step = 256` tokens (n_steps = ceil(S / 256)
//   new
//                     steps whenever the buffer is full) -> a sequence of T tokens holds round_up(T, 256)
//                     tokens.
//   RotatingKVCache   cache.py: grows in 256-token steps up to max_size (new_size = min(step, max_size -
//   prev)),
//                     then rotates -> min(round_up(T, 256), window) during decoding. A multi-token prefill
//                     (_update_concat) briefly holds window + S - 1 (S ≤ prefill_step_size, 2048 in
//                     generate.py): peak_bytes. KVCache grows in place (no peak beyond its steps).
//   ChunkedKVCache    cache.py: trimmed to the chunk at each step (maybe_trim_front), then grown by a 256
//   step
//                     -> at most chunk + 256 tokens.
//   QuantizedKVCache  cache.py: per row of d values, d·bits/32 uint32 words plus d/group_size scales and as
//   many
//                     biases in the activation dtype; the same 256-token steps. generate.py
//                     maybe_quantize_kv_cache converts each cache that has to_quantized(): KVCache does,
//                     ArraysCache and ChunkedKVCache have none (they stay unquantized), RotatingKVCache
//                     raises "RotatingKVCache Quantization NYI".
//   ArraysCache       cache.py / models/mamba.py etc.: the recurrent layers' conv and SSM arrays, per
//   sequence.
//
// Which layers get which cache is each model file's make_cache(); models without one get a KVCache per layer
// (cache.py make_prompt_cache). Family quirks that change the allocation, keyed on model_type:
//   - windowed layers are honoured only by the families whose make_cache builds RotatingKVCache /
//   ChunkedKVCache
//     (afmoe, baichuan_m1, cohere2, exaone4, exaone_moe, gemma3_text (and the gemma3 wrapper), gemma3n,
//     gemma4_text, gpt_oss, llama (only from `layer_types`; mistral is remapped to llama in utils.py
//     MODEL_REMAPPING), llama4, ministral3, olmo3, recurrent_gemma, step3p5, mimo_v2_flash, laguna,
//     mellum). Everyone else (gemma2, mistral without layer_types, qwen2, phi3, starcoder2, mixtral, plamo2
//     — "TODO use RotatingKVCache" in its make_cache —, ...) keeps every token in a KVCache.
//   - deepseek_v2.py and minicpm3.py cache the decompressed K (heads × (nope + rope)) and V (heads ×
//   v_head_dim);
//     deepseek_v3.py (and kimi_k2, remapped to it) caches the latent and k_pe (kv_lora_rank + rope).
#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "runtime/profiles.hpp"

namespace kvspec {

namespace {

using namespace runtime_detail;

constexpr std::int64_t kStep = 256;          // cache.py KVCache.step, RotatingKVCache.step, ...
constexpr std::int64_t kPrefillStep = 2048;  // generate.py prefill_step_size

// Tokens a RotatingKVCache(max_size = window) holds at most while a prompt of T tokens is prefilled in
// prefill_step_size chunks (generate.py generate_step). _update_concat keeps what it holds, trimmed to
// window - 1, and concatenates the chunk ("the largest size is self.max_size + S - 1"); the first chunk is
// taken as is. With P = 2048 and m = ceil(T / P) chunks: held_1 = c_1, held_k = min(held_{k-1}, window - 1)
// + c_k. Closed form: until held passes window - 1 the chunks add up (k0 = (window - 1) / P + 1 chunks);
// after that each chunk c holds window - 1 + c.
std::int64_t rotating_prefill_tokens(std::int64_t T, std::int64_t window) {
  if (T <= window) return T;
  const std::int64_t m = ceil_div(T, kPrefillStep);
  if (m == 1) return T;
  const std::int64_t last = T - (m - 1) * kPrefillStep;
  const std::int64_t k0 = (window - 1) / kPrefillStep + 1;
  if (k0 >= m) return T;  // held never passed window - 1 before the last chunk: all T tokens at once
  std::int64_t peak = k0 * kPrefillStep;
  if (k0 + 1 <= m - 1) peak = std::max(peak, window - 1 + kPrefillStep);
  return std::max(peak, window - 1 + last);
}

bool honours_windows(std::string_view type, const LayerSpec& layer) {
  if (is_one_of(type, {"llama", "mistral"})) return layer.source == Tier::config;  // from layer_types only
  return is_one_of(type,
                   {"afmoe",         "baichuan_m1", "cohere2",      "exaone4", "exaone_moe",      "gemma3",
                    "gemma3_text",   "gemma3n",     "gemma3n_text", "gemma4",  "gemma4_text",     "gpt_oss",
                    "llama4",        "llama4_text", "ministral3",   "olmo3",   "recurrent_gemma", "step3p5",
                    "mimo_v2_flash", "laguna",      "mellum"});
}

bool caches_decompressed_mla(std::string_view type) {
  return is_one_of(type, {"deepseek_v2", "minicpm3"});
}

enum class CacheClass { kv, rotating, chunked, arrays, none };

// Bytes of one token's row of `values` elements: plain, or QuantizedKVCache's packed words + scales + biases.
// `bits` 0 = unquantized.
Result<std::int64_t> row(std::int64_t values, CacheDType dtype, std::int64_t bits, std::int64_t group,
                         std::string_view flag) {
  auto plain = plain_bytes(dtype, values, "mlx");
  if (!plain) return plain.error();
  if (bits == 0 || values == 0) return *plain;
  if (values % group != 0)
    return usage("--kv-bits",
                 fmt::format("rows that are multiples of the group size {} (mx.quantize)", group),
                 fmt::format("{} values in {}", values, flag));
  const std::int64_t elem = info(dtype).block_bytes;
  auto packed = product("quantized row", values, bits);
  if (!packed) return packed.error();
  auto scales = product("quantized row", values / group, 2, elem);  // scales + biases
  if (!scales) return scales.error();
  return sum("quantized row", *packed / 8, *scales);
}

}  // namespace

Result<RuntimeSize> size_mlx(const ModelCacheSpec& spec, const RuntimeRequest& request) {
  const MlxOptions& o = request.mlx;
  if (o.kv_bits && *o.kv_bits != 4 && *o.kv_bits != 8)
    return usage("--kv-bits", "4 or 8", std::to_string(*o.kv_bits));
  if (o.kv_group_size <= 0)
    return usage("--kv-group-size", "a positive group size", std::to_string(o.kv_group_size));
  for (CacheDType t : {request.k_dtype, request.v_dtype})
    if (t != CacheDType::f16 && t != CacheDType::bf16 && t != CacheDType::f32)
      return usage("--kv-dtype", "f16, bf16 or f32 (mlx caches in the activation dtype; --kv-bits quantizes)",
                   std::string(to_string(t)));
  RuntimeSize out;
  start(out, request);
  const std::string& type = spec.text_model_type ? *spec.text_model_type : spec.model_type;
  const std::int64_t T = request.context;
  const std::int64_t grown = round_up(T, kStep);
  bool window_ignored = false;
  std::vector<std::int64_t> prefill_tokens(spec.layers.size(), 0);  // rotating layers: tokens at the peak
  std::int64_t prefill_extra = 0;

  out.per_layer_bytes.assign(spec.layers.size(), 0);
  out.per_layer_tokens.assign(spec.layers.size(), 0);
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    CacheClass cls = CacheClass::none;
    std::int64_t tokens = 0;
    switch (l.kind) {
      case LayerKind::full_attention:
      case LayerKind::mla:
        cls = CacheClass::kv;
        tokens = grown;
        break;
      case LayerKind::sliding_attention:
        if (honours_windows(type, l) && l.window) {
          cls = CacheClass::rotating;
          tokens = std::min(grown, *l.window);
        } else {
          cls = CacheClass::kv;
          tokens = grown;
          window_ignored = true;
        }
        break;
      case LayerKind::chunked_attention:
        if (honours_windows(type, l) && l.window) {
          cls = CacheClass::chunked;
          tokens = std::min(grown, *l.window + kStep);
        } else {
          cls = CacheClass::kv;
          tokens = grown;
          window_ignored = true;
        }
        break;
      case LayerKind::cross_attention:
        cls = CacheClass::kv;
        tokens = l.fixed_tokens.value_or(0);
        break;
      case LayerKind::recurrent:
        cls = CacheClass::arrays;
        break;
      case LayerKind::shared:
      case LayerKind::none:
        break;
    }
    // Hybrid layers (Falcon-H1: falcon_h1.py make_cache gives each layer a CacheList of a MambaCache and a
    // KVCache) keep an ArraysCache state beside their K/V.
    if (cls == CacheClass::arrays || (cls != CacheClass::none && holds_state(l))) {
      if (auto s = add_layer_state(out, i, l.state_bytes, request.batch); !s) return s.error();
      if (cls == CacheClass::arrays) continue;
    }
    if (cls == CacheClass::none || !l.owns_kv()) continue;
    if (cls == CacheClass::rotating)
      prefill_tokens[i] = std::max(tokens, rotating_prefill_tokens(T, *l.window));
    const bool quantized = o.kv_bits && cls == CacheClass::kv;
    if (o.kv_bits && cls == CacheClass::rotating)
      return usage("--kv-bits", "no --kv-bits for models with windowed layers", std::to_string(*o.kv_bits),
                   "mlx-lm raises NotImplementedError(\"RotatingKVCache Quantization NYI\")");
    std::int64_t k_values = l.k_values_per_token();
    std::int64_t v_values = l.v_values_per_token();
    if (l.kind == LayerKind::mla && caches_decompressed_mla(type)) {
      if (!spec.mla)
        return make_error(ErrorCode::bad_input, spec.source, "kv_lora_rank",
                          "MLA dimensions (mlx-lm's " + type + " caches decompressed K and V)", "none");
      const MlaDims& m = *spec.mla;
      k_values = m.num_heads * (m.qk_nope_head_dim + m.qk_rope_head_dim);
      v_values = m.num_heads * m.v_head_dim;
    }
    const std::int64_t bits = quantized ? o.kv_bits.value_or(0) : 0;
    auto kr = row(k_values, request.k_dtype, bits, o.kv_group_size, "K");
    auto vr = row(v_values, request.v_dtype, bits, o.kv_group_size, "V");
    if (!kr) return kr.error();
    if (!vr) return vr.error();
    auto lt = add_layer_kv(out, i, *kr, *vr, tokens, request.batch);
    if (!lt) return lt.error();
    if (prefill_tokens[i] > tokens) {
      auto extra = product("peak bytes", *kr + *vr, prefill_tokens[i] - tokens, request.batch);
      if (!extra) return extra.error();
      auto pe = sum("peak bytes", prefill_extra, *extra);
      if (!pe) return pe.error();
      prefill_extra = *pe;
    }
  }
  if (auto closed = close_totals(out); !closed) return closed.error();
  auto peak = sum("peak bytes", out.total_bytes, prefill_extra);
  if (!peak) return peak.error();
  out.peak_bytes = *peak;
  if (grown != T)
    out.notes.push_back(fmt::format("KVCache grows in 256-token steps: {} tokens hold {}", T, grown));
  if (window_ignored)
    out.notes.push_back(
        fmt::format("mlx-lm's {} has no sliding-window cache: windowed layers keep every token",
                    type.empty() ? "(unknown)" : type));
  if (spec.count(LayerKind::sliding_attention) > 0 && !window_ignored)
    out.notes.push_back(
        "RotatingKVCache: steady state while decoding; a prefill chunk of S tokens (prefill_step_size "
        "2048) briefly holds window + S - 1 (peak_bytes)");
  if (o.kv_bits)
    out.notes.push_back(fmt::format("QuantizedKVCache: {} bits, group {}, packed data + scales + biases",
                                    *o.kv_bits, o.kv_group_size));
  finish(out);
  return out;
}

}  // namespace kvspec
