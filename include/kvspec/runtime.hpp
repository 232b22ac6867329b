// Runtime profiles: the same ModelCacheSpec sized as each runtime allocates it. A profile knows its runtime's
// allocation rules (padding, steps, pages, separate window caches, state dtypes) and the options that change
// them; it never reads a file. Each rule is cited, with the runtime version it was read from, in
// src/runtime/*.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "kvspec/dtype.hpp"
#include "kvspec/error.hpp"
#include "kvspec/size.hpp"
#include "kvspec/spec.hpp"

namespace kvspec {

enum class Runtime : std::uint8_t { exact, llama_cpp, mlx, vllm, transformers };

std::string_view to_string(Runtime runtime);  // "exact", "llama.cpp", "mlx", "vllm", "transformers"
std::optional<Runtime> parse_runtime(std::string_view name);  // also accepts llama_cpp, llamacpp, mlx-lm, hf

enum class FlashAttn : std::uint8_t { automatic, on, off };
std::optional<FlashAttn> parse_flash_attn(std::string_view name);  // auto, on, off

struct LlamaCppOptions {
  bool kv_unified = false;    // --kv-unified: one stream shared by all sequences
  std::int64_t ubatch = 512;  // --ubatch (n_ubatch)
  FlashAttn flash_attn = FlashAttn::automatic;
  bool swa_full = false;  // --swa-full: windowed layers get the full context
};

struct MlxOptions {
  std::optional<std::int64_t> kv_bits;  // --kv-bits 4 | 8: QuantizedKVCache
  std::int64_t kv_group_size = 64;      // mlx-lm's --kv-group-size default
};

struct VllmOptions {
  std::int64_t block_size = 16;                // --block-size
  std::int64_t max_num_batched_tokens = 8192;  // --max-num-batched-tokens (vllm serve on ≥ 70 GiB GPUs)
  double gpu_memory_utilization = 0.9;         // --gpu-memory-utilization: fit plans within F × memory
};

struct RuntimeRequest {
  Runtime runtime = Runtime::exact;
  // Tokens per sequence, in every runtime. llama.cpp: -c (n_ctx, shared by the sequences) = context × batch.
  std::int64_t context = 0;
  // Sequences. llama.cpp: n_seq_max (--parallel). vLLM: requests of `context` tokens held at once.
  std::int64_t batch = 1;
  CacheDType k_dtype = CacheDType::f16;
  CacheDType v_dtype = CacheDType::f16;
  std::int64_t tp = 1;  // tensor-parallel ranks (vLLM): figures are per rank
  std::int64_t pp = 1;  // pipeline stages (vLLM): figures are for the stage holding the most cache
  // Images per sequence for models whose cross-attention layers hold image tokens (Mllama): their fixed
  // tokens are those of one image times this; 0 = text-only input. nullopt = 1 image.
  std::optional<std::int64_t> images;
  LlamaCppOptions llama_cpp;
  MlxOptions mlx;
  VllmOptions vllm;
};

// The cache as one runtime allocates it. CacheSize's totals cover all sequences (per rank under tp/pp); the
// fields below are the runtime's own figures, also listed in `details` for printing and JSON.
struct RuntimeSize : CacheSize {
  std::int64_t k_bytes = 0;  // K (or latent) bytes, all caches and sequences
  std::int64_t v_bytes = 0;  // V bytes
  // llama.cpp
  std::optional<std::int64_t> n_ctx;            // after padding to 256
  std::optional<std::int64_t> cells;            // cells per stream of the (non-SWA) KV cache
  std::optional<std::int64_t> swa_cells;        // cells per stream of the SWA cache
  std::optional<std::int64_t> swa_bytes;        // K + V bytes of the SWA cache (included in k_bytes, v_bytes)
  std::optional<std::int64_t> streams;          // KV streams (n_seq_max unless --kv-unified)
  std::optional<std::int64_t> recurrent_cells;  // recurrent state cells (max(1, n_seq_max))
  std::int64_t r_bytes = 0;                     // recurrent conv state (R), f32
  std::int64_t s_bytes = 0;                     // recurrent SSM state (S), f32
  std::optional<bool> flash_attn;               // as resolved
  // vLLM
  std::optional<std::int64_t> block_size;          // tokens per block of the attention groups
  std::optional<std::int64_t> page_bytes;          // one layer's page (after unification)
  std::optional<std::int64_t> bytes_per_block;     // one block id across the KV cache tensors of a rank
  std::optional<std::int64_t> blocks_per_request;  // blocks one request of `context` tokens may use
  std::optional<std::int64_t> kv_groups;           // KV cache groups
  std::optional<std::int64_t> group_size;          // layers per group (tensors sharing a block id)
  // parallelism (vLLM)
  std::int64_t tp = 1;
  std::int64_t pp = 1;
  std::optional<std::int64_t> kv_heads_per_rank;  // max(1, kv_heads / tp); 1 for MLA
  std::optional<std::int64_t> layers_per_rank;    // layers of the largest pipeline stage
  std::optional<std::int64_t> images;             // images assumed for image cross-attention layers
};

// At most this many images per sequence (--images).
inline constexpr std::int64_t kMaxImages = 1 << 16;

// Sizes the cache as `request.runtime` allocates it. Errors (usage) for option combinations the runtime
// refuses, e.g. a quantized V cache without flash attention in llama.cpp, or --kv-bits with windowed layers
// in mlx.
Result<RuntimeSize> size_runtime(const ModelCacheSpec& spec, const RuntimeRequest& request);

// vLLM: how many requests of `context` tokens `kv_memory` bytes of KV cache hold at once, as vLLM reports it
// (num_blocks / blocks_per_request; v1/core/kv_cache_utils.py get_max_concurrency_for_kv_cache_config).
struct VllmCapacity {
  std::int64_t num_blocks = 0;
  std::int64_t blocks_per_request = 0;
  double max_concurrency = 0;
};
Result<VllmCapacity> vllm_capacity(const ModelCacheSpec& spec, const RuntimeRequest& request,
                                   std::int64_t kv_memory);

}  // namespace kvspec
