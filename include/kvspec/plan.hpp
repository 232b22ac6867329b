// The memory planner behind `kvspec fit`: weights + a runtime's fixed overheads + the cache as that runtime
// allocates it, against a memory budget; the largest context for a batch, or the largest batch for a context,
// found by searching the runtime profile's own sizing (so its padding and steps are respected exactly).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kvspec/error.hpp"
#include "kvspec/load.hpp"
#include "kvspec/runtime.hpp"
#include "kvspec/spec.hpp"

namespace kvspec {

// The model's weights in bytes, from wherever they were learned. Today: estimated from config.json (parameter
// count × dtype, `estimate` = true). A weights-header reader fills the same struct with exact bytes.
struct WeightsSize {
  std::int64_t bytes = 0;
  std::optional<std::int64_t> parameters;
  bool estimate = true;
  std::string source;  // "estimate from config.json: 8.03 B parameters × 2 bytes (bfloat16)", or a path
  std::vector<std::string> notes;  // what the estimate leaves out
};

// Parameter count × bytes per parameter from a config's dimensions (embeddings, attention or MLA projections,
// gated MLP or MoE experts, norms); quantized configs (bits, group_size) at their packed size.
Result<WeightsSize> estimate_weights_from_config(std::string_view config_json, std::string_view name);
// The same for a model folder, config.json or repo id (as load_model), or the bundled example when `model` is
// empty.
Result<WeightsSize> estimate_weights(std::string_view model, const LoadOptions& options = {});
// What `fit` charges for weights: the exact bytes from the weights' headers when the spec has them
// (safetensors, GGUF), else estimate_weights(model).
Result<WeightsSize> weights_for_fit(const ModelCacheSpec& spec, std::string_view model,
                                    const LoadOptions& options = {});

enum class FitTarget : std::uint8_t { context, batch };

struct FitRequest {
  std::int64_t memory = 0;   // bytes of one device (one rank under tp / pp)
  std::string memory_unit;   // how the budget was written ("GiB = 2^30 bytes"), for the output
  std::int64_t reserve = 0;  // bytes kept free
  FitTarget target = FitTarget::context;
  // The fixed quantity and the runtime's options: `runtime.batch` when searching the context,
  // `runtime.context` when searching the batch. Contexts here are tokens per sequence for every runtime
  // (llama.cpp's n_ctx is context × sequences).
  RuntimeRequest runtime;
  WeightsSize weights;
  // The model's context limit: max_position_embeddings (the config's, or its class default) unless given
  // (--max-context, to plan past it on purpose, e.g. with rope scaling); 1M when neither is known. The
  // answer is capped there; the memory's own answer is still reported (FitResult::memory_allows).
  std::optional<std::int64_t> max_context;
};

struct FitRow {
  std::int64_t context = 0;  // tokens per sequence
  std::int64_t batch = 0;
  std::int64_t cache_bytes = 0;
  std::int64_t total_bytes = 0;  // weights + overhead + reserve + cache
  bool fits = false;
};

struct FitResult {
  FitRequest request;
  std::int64_t weights_bytes = 0;   // per rank
  std::int64_t overhead_bytes = 0;  // the runtime's fixed overheads kvspec can justify
  std::string overhead_note;
  std::int64_t cache_budget = 0;       // memory - weights - overhead - reserve (may be negative)
  std::optional<std::int64_t> answer;  // largest context (or batch) that fits; nullopt: not even 1
  bool capped = false;                 // the search bound itself fits
  std::int64_t bound = 0;
  // The context limit applied (FitRequest::max_context, else max_position_embeddings, else 1M) and where it
  // came from; context_capped: the memory allows more than it (context target) or the --context asked was
  // past it and was sized at the limit (batch target).
  std::int64_t max_context = 0;
  std::string max_context_source;  // "max_position_embeddings", "--max-context", "search bound"
  bool context_capped = false;
  // Context target: the largest context the memory alone allows (past the limit when context_capped);
  // nullopt when every context up to kMaxSpecTokens fits (the cache does not grow with the context).
  std::optional<std::int64_t> memory_allows;
  std::optional<std::int64_t> context_asked;  // batch target: the --context asked, when it was capped
  std::optional<RuntimeSize> at_answer;       // the profile's sizing at the answer
  std::optional<RuntimeSize> next_step;       // at answer + 1, which does not fit (absent when capped)
  std::vector<FitRow> table;  // memory vs context at the batch (powers of two up to the bound)
  std::vector<std::string> notes;
};

// vLLM: the bytes it plans weights + activations + KV cache within on a device of `memory` bytes,
// ceil(memory × gpu_memory_utilization) computed in doubles as vLLM does (at most `memory`).
std::int64_t vllm_requested_memory(std::int64_t memory, double gpu_memory_utilization);

// The request as the runtime profile sees it for `context` tokens per sequence and `batch` sequences.
RuntimeRequest fit_runtime_request(const RuntimeRequest& base, std::int64_t context, std::int64_t batch);

Result<FitResult> fit(const ModelCacheSpec& spec, const FitRequest& request);

Result<std::string> render_fit_text(const ModelCacheSpec& spec, const FitResult& result);
Result<std::string> render_fit_json(const ModelCacheSpec& spec, const FitResult& result);

}  // namespace kvspec
