// The transformers profile: DynamicCache between generate() steps, read from transformers
// src/transformers/cache_utils.py (v4.56+ / v5 layered caches).
//
//   DynamicLayer               keeps every token: T.
//   DynamicSlidingWindowLayer  "Only cache the last `self.sliding_window - 1` tokens": min(T, window - 1)
//   (the
//                              current token makes the window; during a forward of q tokens it holds
//                              window-1+q).
//   chunked layers             DynamicCache builds sliding-window layers with
//                              `sliding_window = config.sliding_window or config.attention_chunk_size`:
//                              min(T, chunk - 1).
//   MLA                        modeling_deepseek_v3.py (and v2, glm4_moe_lite, minicpm3) call
//                              past_key_values.update() on the decompressed key (heads × (nope + rope)) and
//                              value (heads × v_head_dim) states: no latent caching.
//   shared layers              DynamicCache(config) drops the last num_kv_shared_layers layer types
//                              (Gemma 3n): nothing cached.
//   recurrent layers           the model's own cache class (MambaCache, HybridMambaAttentionDynamicCache,
//                              ...) holds conv and SSM state per sequence, priced as the spec prices it: conv
//                              at the model dtype, SSM / recurrent state in float32 where the modeling keeps
//                              it so (each family's rule says which).
//   recurrent_gemma            its attention blocks preallocate attention_window_size tokens (_setup_cache).
// Allocation is exact (torch.cat), so no padding.
#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "runtime/profiles.hpp"

namespace kvspec {

using namespace runtime_detail;

namespace {

// Families whose modeling keeps its own fixed-size attention cache instead of a DynamicCache:
// modeling_recurrent_gemma.py RecurrentGemmaSdpaAttention._setup_cache allocates (batch, kv_heads,
// attention_window_size, head_dim) up front, whatever the context.
bool preallocates_window(std::string_view model_type) {
  return is_one_of(model_type, {"recurrent_gemma"});
}

}  // namespace

Result<RuntimeSize> size_transformers(const ModelCacheSpec& spec, const RuntimeRequest& request) {
  RuntimeSize out;
  start(out, request);
  const std::int64_t T = request.context;
  out.per_layer_bytes.assign(spec.layers.size(), 0);
  out.per_layer_tokens.assign(spec.layers.size(), 0);
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    if (l.kind == LayerKind::recurrent) {
      if (auto s = add_layer_state(out, i, l.state_bytes, request.batch); !s) return s.error();
      continue;
    }
    if (!l.owns_kv()) continue;
    std::int64_t tokens = T;
    if ((l.kind == LayerKind::sliding_attention || l.kind == LayerKind::chunked_attention) && l.window)
      tokens = preallocates_window(spec.model_type) ? *l.window
                                                    : std::min(T, std::max<std::int64_t>(*l.window - 1, 0));
    if (l.kind == LayerKind::cross_attention) tokens = l.fixed_tokens.value_or(0);
    std::int64_t k_values = l.k_values_per_token();
    std::int64_t v_values = l.v_values_per_token();
    if (l.kind == LayerKind::mla) {
      if (!spec.mla)
        return make_error(ErrorCode::bad_input, spec.source, "kv_lora_rank",
                          "MLA dimensions (transformers caches the decompressed K and V)", "none");
      const MlaDims& m = *spec.mla;
      k_values = m.num_heads * (m.qk_nope_head_dim + m.qk_rope_head_dim);
      v_values = m.num_heads * m.v_head_dim;
    }
    auto kr = plain_bytes(request.k_dtype, k_values, "transformers");
    auto vr = plain_bytes(request.v_dtype, v_values, "transformers");
    if (!kr) return kr.error();
    if (!vr) return vr.error();
    auto lt = add_layer_kv(out, i, *kr, *vr, tokens, request.batch);
    if (!lt) return lt.error();
  }
  if (auto closed = close_totals(out); !closed) return closed.error();
  if (spec.count(LayerKind::mla) > 0) out.notes.push_back("MLA layers cache the decompressed K and V");
  if (spec.count(LayerKind::sliding_attention) + spec.count(LayerKind::chunked_attention) > 0)
    out.notes.push_back(
        "windowed layers keep window - 1 tokens between steps (window - 1 + q during a step)");
  if (spec.count(LayerKind::recurrent) > 0)
    out.notes.push_back(
        "recurrent state as the spec prices it (conv at the model dtype, SSM state as each family's modeling "
        "keeps it); transformers' conv caches keep the whole kernel "
        "(K columns), one more than the K - 1 counted here");
  finish(out);
  return out;
}

}  // namespace kvspec
