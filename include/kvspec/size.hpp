// Sizing the "exact" runtime: the bytes the cache must hold, no runtime padding. Full layers hold the
// context, sliding layers min(context, window), chunked layers min(context, chunk), cross-attention layers
// their fixed encoder tokens; recurrent state is added once per sequence. Everything in checked 64-bit
// integers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kvspec/dtype.hpp"
#include "kvspec/error.hpp"
#include "kvspec/spec.hpp"

namespace kvspec {

struct SizeRequest {
  std::int64_t context = 0;  // tokens per sequence
  std::int64_t batch = 1;    // sequences
  CacheDType k_dtype = CacheDType::f16;
  CacheDType v_dtype = CacheDType::f16;
};

// A runtime's own figure beside the totals (llama.cpp cells, vLLM blocks, ...): printed, and a key of the
// JSON `cache` object.
struct CacheDetail {
  std::string key;  // JSON key, e.g. "cells", "swa_cells", "k_bytes", "blocks_per_request"
  std::int64_t value = 0;
};

struct CacheSize {
  std::string runtime = "exact";
  std::int64_t context = 0;
  std::int64_t batch = 1;
  CacheDType k_dtype = CacheDType::f16;
  CacheDType v_dtype = CacheDType::f16;
  std::int64_t kv_bytes = 0;     // attention K/V (or latents), all sequences
  std::int64_t state_bytes = 0;  // recurrent state, all sequences
  std::int64_t total_bytes = 0;  // kv_bytes + state_bytes
  std::int64_t extra_bytes = 0;  // the spec's extra_components (indexer keys, pooled KV), part of kv_bytes
  // What the runtime holds right after a one-pass prefill of the context, when that is more than it holds
  // between decode steps (transformers' sliding layers, mlx-lm's RotatingKVCache); total_bytes otherwise.
  std::int64_t peak_bytes = 0;
  std::vector<std::int64_t> per_layer_bytes;  // each layer's K/V + state, all sequences
  // Tokens each layer holds per sequence as the runtime allocates them (cells, pages × block, steps); empty
  // for the exact runtime, whose holdings are exact_tokens_held().
  std::vector<std::int64_t> per_layer_tokens;
  std::vector<CacheDetail> details;  // runtime-specific figures, in print order
  std::vector<std::string> notes;    // how the runtime's options were resolved, what is not modelled
};

// What sizing relies on, checked by every sizing function before any arithmetic (the spec is a public struct,
// so a caller or a reader may hand over anything): per layer, heads and head dims in [0, kMaxSpecHeads] and
// [0, kMaxSpecHeadDim] (so heads × dim cannot overflow, whatever the runtime does with it), windows in
// [1, kMaxSpecTokens], fixed tokens in [0, kMaxSpecTokens], state bytes and state element counts in
// [0, kMaxSpecState], `shares_with` naming an existing layer. The bounds
// are far above any real model (≤ 256 KV heads, head dims ≤ 1024) and above what the readers accept.
inline constexpr std::int64_t kMaxSpecHeads = std::int64_t{1} << 24;
inline constexpr std::int64_t kMaxSpecHeadDim = std::int64_t{1} << 24;
// Windows and fixed token counts, as configs allow them (kMaxTokens); state sizes per layer and sequence
// (real ones are < 2^30 bytes). The runtime profiles add and round these unchecked within those bounds.
inline constexpr std::int64_t kMaxSpecTokens = std::int64_t{1} << 40;
inline constexpr std::int64_t kMaxSpecState = std::int64_t{1} << 48;
Status validate_layer(const LayerSpec& layer, std::int64_t index, std::int64_t num_layers,
                      const std::string& source);
Status validate_for_sizing(const ModelCacheSpec& spec);

// K+V bytes one token costs in one layer at the given dtypes (0 for layers without per-token cache).
Result<std::int64_t> layer_bytes_per_token(const LayerSpec& layer, CacheDType k, CacheDType v);

// Sum over the layers that own KV, uncapped by windows: the `kv_bytes_per_token` of the JSON contract.
// Cross-attention layers are left out: their cache is fixed by the encoder tokens, not grown by the context.
Result<std::int64_t> kv_bytes_per_token(const ModelCacheSpec& spec, CacheDType k, CacheDType v);

// Tokens a layer holds for a sequence of `context` tokens, in the exact runtime.
std::int64_t exact_tokens_held(const LayerSpec& layer, std::int64_t context);

// Elements a component holds for a sequence of `context` tokens: values_per_token × context, or for pooled
// buffers the sum of floor(context / ratio) × values.
Result<std::int64_t> component_values_held(const CacheComponent& component, std::int64_t context);

Result<CacheSize> size_exact(const ModelCacheSpec& spec, const SizeRequest& request);

}  // namespace kvspec
