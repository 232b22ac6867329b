// The transformers profile: the DynamicCache of generate(), as transformers 5.17.0 holds it (cache_utils.py
// DynamicLayer, DynamicSlidingWindowLayer, LinearAttentionLayer; the shapes below were measured on 5.17.0).
// Figures are the memory held (storage), not the logical length of the views.
//
//   DynamicLayer               keeps every token: torch.cat -> T.
//   DynamicSlidingWindowLayer  keeps `full[:, :, -sliding_window + 1:]`, a view into the concatenation of
//   what
//                              it kept and the new tokens. After a decode step that concatenation is a fresh
//                              tensor of min(T, window) tokens, so between steps a layer holds min(T,
//                              window); right after a one-pass prefill of T tokens the view still holds the
//                              whole T-token concatenation (peak_bytes) until the first decode step. Chunked
//                              layers are built as sliding ones (`config.sliding_window or
//                              attention_chunk_size`).
//   MLA                        deepseek_v2, deepseek_v3 (Kimi K2 / K2.5 on it), glm4_moe_lite and minicpm3
//                              cache the latent: keys [batch, 1, T, kv_lora_rank], values [batch, 1, T,
//                              qk_rope_head_dim]. deepseek_v32 and glm_moe_dsa cache the decompressed K
//                              (heads × (nope + rope)) and V (heads × v_head_dim), plus the DSA indexer's
//                              keys [batch, T, index_head_dim] on each indexed layer.
//   shared layers              DynamicCache(config) drops the last num_kv_shared_layers layer types
//                              (Gemma 3n): nothing cached.
//   LinearAttentionLayer       (Mamba-1/2, gated delta net, short convs, and the Mamba half of Falcon-H1's
//   and
//                              Zamba2's hybrid layers) keeps all conv_kernel columns of the conv state (LFM2:
//                              L_cache columns), in the model's dtype, and the SSM / recurrent state in
//                              float32 whatever the config's mamba_ssm_dtype / mamba_ssm_cache_dtype say
//                              (those are other runtimes' settings; measured with both set to bfloat16).
//                              MiniMax's lightning-attention state is allocated `.to(value_states)` (model
//                              dtype).
//   recurrent_gemma            its own cache: attention blocks preallocate attention_window_size tokens
//                              (_setup_cache), the conv state keeps conv1d_width - 1 columns.
// Allocation is exact (torch.cat), so no padding.
#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "runtime/profiles.hpp"

namespace kvspec {

using namespace runtime_detail;

namespace {

// modeling_recurrent_gemma.py keeps its own fixed-size caches: RecurrentGemmaSdpaAttention._setup_cache
// allocates (batch, kv_heads, attention_window_size, head_dim) up front, whatever the context, and the
// recurrent block's conv1d_state keeps conv1d_width - 1 columns.
bool own_fixed_cache(std::string_view type) {
  return is_one_of(type, {"recurrent_gemma"});
}

// MLA families whose modeling caches the latent (compressed_kv normed, k_pe) instead of the decompressed K/V.
bool caches_latent(std::string_view type) {
  return is_one_of(type, {"deepseek_v2", "deepseek_v3", "kimi_k2", "kimi_k25", "glm4_moe_lite", "minicpm3"});
}

// Families whose recurrent state is kept in the model's dtype, not float32.
bool state_in_model_dtype(std::string_view type) {
  return is_one_of(type, {"minimax"});
}

// One sequence's state as transformers holds it; the spec's own bytes when it states no element counts.
Result<std::int64_t> state_bytes(const ModelCacheSpec& spec, const LayerSpec& l, std::string_view type) {
  if (l.conv_state_values == 0 && l.recurrent_state_values == 0) return l.state_bytes;
  const std::int64_t model = model_dtype_bytes(spec);
  std::int64_t conv = l.conv_state_values;
  if (l.conv_kernel >= 2 && !own_fixed_cache(type)) {  // K - 1 columns -> K columns
    auto c = product("conv state", conv / (l.conv_kernel - 1), l.conv_kernel);
    if (!c) return c.error();
    conv = *c;
  }
  auto cb = product("conv state", conv, model);
  auto rb = product("recurrent state", l.recurrent_state_values, state_in_model_dtype(type) ? model : 4);
  if (!cb) return cb.error();
  if (!rb) return rb.error();
  return sum("recurrent state", *cb, *rb);
}

}  // namespace

Result<RuntimeSize> size_transformers(const ModelCacheSpec& spec, const RuntimeRequest& request) {
  RuntimeSize out;
  start(out, request);
  const std::string& type = spec.text_model_type ? *spec.text_model_type : spec.model_type;
  const std::int64_t T = request.context;
  std::int64_t prefill_extra = 0;  // bytes the windowed layers hold beyond the steady state after a prefill
  bool any_state = false, any_conv_kernel = false;
  out.per_layer_bytes.assign(spec.layers.size(), 0);
  out.per_layer_tokens.assign(spec.layers.size(), 0);
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    if (holds_state(l)) {
      any_state = true;
      any_conv_kernel = any_conv_kernel || l.conv_kernel >= 2;
      auto sb = state_bytes(spec, l, type);
      if (!sb) return sb.error();
      if (auto s = add_layer_state(out, i, *sb, request.batch); !s) return s.error();
    }
    if (!l.owns_kv()) continue;
    std::int64_t tokens = T;
    std::int64_t prefill_tokens = T;
    if ((l.kind == LayerKind::sliding_attention || l.kind == LayerKind::chunked_attention) && l.window) {
      tokens = own_fixed_cache(type) ? *l.window : std::min(T, *l.window);
      prefill_tokens = own_fixed_cache(type) ? *l.window : T;
    }
    if (l.kind == LayerKind::cross_attention) tokens = prefill_tokens = l.fixed_tokens.value_or(0);
    std::int64_t k_values = l.k_values_per_token();
    std::int64_t v_values = l.v_values_per_token();
    if (l.kind == LayerKind::mla && spec.mla) {
      const MlaDims& m = *spec.mla;
      if (caches_latent(type)) {
        k_values = m.kv_lora_rank;
        v_values = m.qk_rope_head_dim;
      } else {
        k_values = m.num_heads * (m.qk_nope_head_dim + m.qk_rope_head_dim);
        v_values = m.num_heads * m.v_head_dim;
      }
    } else if (l.kind == LayerKind::mla && !caches_latent(type)) {
      return make_error(ErrorCode::bad_input, spec.source, "kv_lora_rank",
                        "MLA dimensions (transformers' " + type + " caches the decompressed K and V)",
                        "none");
    }
    auto kr = plain_bytes(request.k_dtype, k_values, "transformers");
    auto vr = plain_bytes(request.v_dtype, v_values, "transformers");
    if (!kr) return kr.error();
    if (!vr) return vr.error();
    if (auto lt = add_layer_kv(out, i, *kr, *vr, tokens, request.batch); !lt) return lt.error();
    if (prefill_tokens > tokens) {
      auto row = sum("layer bytes", *kr, *vr);
      if (!row) return row.error();
      auto extra = product("peak bytes", *row, prefill_tokens - tokens, request.batch);
      if (!extra) return extra.error();
      auto pe = sum("peak bytes", prefill_extra, *extra);
      if (!pe) return pe.error();
      prefill_extra = *pe;
    }
  }
  // The DSA indexer's keys (deepseek_v32, glm_moe_dsa): [batch, T, index_head_dim] per indexed layer, in the
  // activation dtype; part of the cache total (counted with K).
  std::int64_t indexer_bytes = 0;
  if (spec.count(LayerKind::mla) > 0 && !caches_latent(type)) {
    for (const CacheComponent& c : spec.extra_components) {
      if (c.name != "indexer keys") continue;
      auto row = plain_bytes(request.k_dtype, c.values_per_token, "transformers");
      if (!row) return row.error();
      auto b = product("indexer keys", *row, T, request.batch);
      if (!b) return b.error();
      auto ib = sum("indexer keys", indexer_bytes, *b);
      if (!ib) return ib.error();
      indexer_bytes = *ib;
    }
    if (auto s = add_kv_totals(out, indexer_bytes, 0); !s) return s.error();
    out.extra_bytes = indexer_bytes;
  }
  if (auto closed = close_totals(out); !closed) return closed.error();
  auto peak = sum("peak bytes", out.total_bytes, prefill_extra);
  if (!peak) return peak.error();
  out.peak_bytes = *peak;
  if (spec.count(LayerKind::mla) > 0)
    out.notes.push_back(caches_latent(type)
                            ? "MLA layers cache the latent: K [batch, 1, T, kv_lora_rank], V [batch, 1, T, "
                              "qk_rope_head_dim]"
                            : "MLA layers cache the decompressed K and V");
  if (indexer_bytes > 0)
    out.notes.push_back(fmt::format("DSA indexer keys: {} bytes (in the K bytes)", indexer_bytes));
  if (prefill_extra > 0)
    out.notes.push_back(
        "windowed layers hold min(T, window) tokens between decode steps; right after a one-pass prefill "
        "they still hold all T tokens (peak_bytes)");
  if (any_state)
    out.notes.push_back(
        any_conv_kernel && !own_fixed_cache(type)
            ? "recurrent state: the conv state keeps all conv_kernel columns (model dtype), the SSM / "
              "recurrent state is float32 (LinearAttentionLayer)"
            : "recurrent state as the model's own cache keeps it");
  finish(out);
  if (indexer_bytes > 0) out.details.push_back({"indexer_bytes", indexer_bytes});
  return out;
}

}  // namespace kvspec
