// fit(): the largest context (or batch) whose weights + overhead + reserve + cache fit the memory, found by a
// binary search over the runtime profile's own sizing. Every profile's size is non-decreasing in context and
// in batch (padding and steps only round up), so the search is exact: the answer fits and answer + 1 does
// not.
//
// Fixed overheads kvspec can justify:
//   vllm   only gpu_memory_utilization F (default 0.9, vllm/config/cache.py; --gpu-memory-utilization) of
//          the device is planned for weights, activations and the KV cache; the rest is left to the CUDA
//          context and other processes. vLLM v1 computes the planned bytes as
//          requested_memory = math.ceil(total_memory * gpu_memory_utilization), a Python float product
//          (vllm/v1/worker/utils.py request_memory, vllm-project/vllm commit 0027b02769fb), and the KV cache
//          gets requested_memory minus the profiled non-KV memory (weights, activation peak, non-torch
//          allocations; vllm/v1/worker/gpu_worker.py determine_available_memory). Activation and CUDA-graph
//          memory are not modelled (use --reserve).
//   others none: llama.cpp's compute buffers, mlx's and transformers' activations depend on the backend and
//   batch
//          shape and are not modelled (use --reserve).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "kvspec/plan.hpp"
#include "util/checked.hpp"

namespace kvspec {

namespace {

constexpr std::int64_t kDefaultBound = std::int64_t{1} << 20;  // contexts searched when the model states none
constexpr std::int64_t kMaxBatch = std::int64_t{1} << 16;
constexpr std::int64_t kLlamaMaxSeq = 256;  // llama-cparams.h LLAMA_MAX_SEQ

}  // namespace

std::int64_t vllm_requested_memory(std::int64_t memory, double gpu_memory_utilization) {
  // Python multiplies the int by the float as doubles, then math.ceil; the same in C++. A product that
  // rounds up past `memory` (F = 1, or memory beyond 2^53) is held at memory.
  const double product = static_cast<double>(memory) * gpu_memory_utilization;
  if (!(product < static_cast<double>(memory))) return memory;
  return std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil(product)));
}

RuntimeRequest fit_runtime_request(const RuntimeRequest& base, std::int64_t context, std::int64_t batch) {
  RuntimeRequest r = base;
  r.batch = batch;
  r.context = context;  // tokens per sequence in every profile (llama.cpp's -c is context × batch)
  return r;
}

Result<FitResult> fit(const ModelCacheSpec& spec, const FitRequest& request) {
  if (request.memory <= 0)
    return make_error(ErrorCode::usage, "", "--memory", "a positive size such as 24GiB or 80GB",
                      std::to_string(request.memory));
  if (request.reserve < 0)
    return make_error(ErrorCode::usage, "", "--reserve", "a size of zero or more",
                      std::to_string(request.reserve));
  if (request.reserve >= request.memory)  // no budget at all: refused, never a negative one
    return make_error(ErrorCode::usage, "", "--reserve",
                      fmt::format("less than --memory ({} bytes)", request.memory),
                      std::to_string(request.reserve));
  if (request.weights.bytes < 0)  // a public struct: a negative size would overflow the budget below
    return make_error(ErrorCode::usage, "", "weights", "a size of zero or more",
                      std::to_string(request.weights.bytes));
  RuntimeRequest base = request.runtime;  // its context is capped below when past the model's limit
  if ((base.tp > 1 || base.pp > 1) && base.runtime != Runtime::vllm)
    return make_error(ErrorCode::usage, "", base.tp > 1 ? "--tp" : "--pp",
                      "1 (tensor and pipeline splits are modelled for --runtime vllm)",
                      std::to_string(base.tp > 1 ? base.tp : base.pp));
  FitResult out;
  out.request = request;

  // Weights per rank: split evenly across tensor and pipeline ranks.
  const auto checked_ranks =
      checked_mul(std::max<std::int64_t>(1, base.tp), std::max<std::int64_t>(1, base.pp));
  if (!checked_ranks)
    return make_error(ErrorCode::usage, "", "--tp", "tensor × pipeline ranks that fit in 64 bits",
                      "an overflow");
  const std::int64_t ranks = *checked_ranks;
  out.weights_bytes = request.weights.bytes / ranks + (request.weights.bytes % ranks != 0 ? 1 : 0);
  if (ranks > 1) out.notes.push_back(fmt::format("weights split evenly over {} ranks", ranks));
  if (base.runtime == Runtime::vllm) {
    const double f = base.vllm.gpu_memory_utilization;
    if (!(f > 0 && f <= 1))  // also refuses NaN
      return make_error(ErrorCode::usage, "", "--gpu-memory-utilization", "a fraction with 0 < F ≤ 1",
                        fmt::format("{}", f));
    auto planned = vllm_requested_memory(request.memory, f);
    out.overhead_bytes = request.memory - planned;
    out.overhead_note = fmt::format(
        "vLLM plans within gpu_memory_utilization {} of the device: ceil({} × {}) = {} bytes "
        "(vllm/v1/worker/utils.py request_memory)",
        f, request.memory, f, planned);
  } else {
    out.overhead_note = fmt::format("{}: compute buffers and activations not modelled (use --reserve)",
                                    to_string(base.runtime));
  }
  auto used = checked_add(out.weights_bytes, out.overhead_bytes);
  if (used) used = checked_add(*used, request.reserve);
  if (!used) return make_error(ErrorCode::usage, "", "--memory", "sizes that fit in 64 bits", "an overflow");
  auto budget = checked_sub(request.memory, *used);  // memory > 0 and used ≥ 0: cannot wrap, still checked
  if (!budget)
    return make_error(ErrorCode::usage, "", "--memory", "sizes that fit in 64 bits", "an overflow");
  out.cache_budget = *budget;

  const bool by_context = request.target == FitTarget::context;
  // The context limit: --max-context, else the model's max positions, else a search bound.
  if (request.max_context && (*request.max_context < 1 || *request.max_context > kMaxSpecTokens))
    return make_error(ErrorCode::usage, "", "--max-context", fmt::format("1 to {} tokens", kMaxSpecTokens),
                      std::to_string(*request.max_context));
  if (request.max_context) {
    out.max_context = *request.max_context;
    out.max_context_source = "--max-context";
  } else if (spec.max_position_embeddings) {
    out.max_context = std::min(*spec.max_position_embeddings, kMaxSpecTokens);
    out.max_context_source = "max_position_embeddings";
  } else {
    out.max_context = kDefaultBound;
    out.max_context_source = "search bound";
    if (by_context)
      out.notes.push_back(
          fmt::format("max_position_embeddings unknown: contexts searched up to {}", out.max_context));
  }
  if (!by_context && base.context > out.max_context && out.max_context_source != "search bound") {
    // A context past the limit is sized at the limit (--max-context plans past it on purpose).
    out.context_asked = base.context;
    out.context_capped = true;
    base.context = out.max_context;
    out.request.runtime.context = base.context;  // the reports say why (context_asked)
  }
  // Context target: the memory's own answer is searched up to kMaxSpecTokens (the search doubles and adds
  // one to contexts, which must stay far from 2^63), then capped at the limit.
  const std::int64_t bound =
      by_context ? kMaxSpecTokens : (base.runtime == Runtime::llama_cpp ? kLlamaMaxSeq : kMaxBatch);
  out.bound = by_context ? out.max_context : bound;
  const std::int64_t fixed = by_context ? base.batch : base.context;
  if (fixed <= 0)
    return make_error(ErrorCode::usage, "", by_context ? "--batch" : "--context", "a positive integer",
                      std::to_string(fixed));

  auto size_at = [&](std::int64_t x) -> Result<RuntimeSize> {
    return size_runtime(
        spec, by_context ? fit_runtime_request(base, x, fixed) : fit_runtime_request(base, fixed, x));
  };
  // Overflow at huge contexts means "does not fit", not an error.
  auto fits = [&](std::int64_t x) -> Result<bool> {
    auto s = size_at(x);
    if (!s) {
      if (s.error().expected == "sizes that fit in 64 bits") return false;
      return s.error();
    }
    return s->total_bytes <= out.cache_budget;
  };

  auto one = fits(1);
  if (!one) return one.error();
  if (*one) {
    std::int64_t lo = 1, hi = bound;  // fits(lo) holds
    auto top = fits(hi);
    if (!top) return top.error();
    bool all_fit = false;
    if (*top) {
      lo = hi;
      all_fit = true;
    }
    while (lo < hi) {
      std::int64_t mid = lo + (hi - lo + 1) / 2;
      auto f = fits(mid);
      if (!f) return f.error();
      if (*f)
        lo = mid;
      else
        hi = mid - 1;
    }
    if (by_context) {
      if (!all_fit) out.memory_allows = lo;
      if (lo > out.max_context) {
        lo = out.max_context;
        out.context_capped = true;
        out.capped = true;
      }
    } else {
      out.capped = all_fit;
    }
    out.answer = lo;
    auto at = size_at(lo);
    if (!at) return at.error();
    out.at_answer = std::move(*at);
    if (!out.capped) {
      auto next = size_at(lo + 1);
      if (next) out.next_step = std::move(*next);
    }
  }

  // Memory vs context at the batch: powers of two up to the model's max positions (and that bound itself).
  const std::int64_t table_batch = by_context ? fixed : out.answer.value_or(1);
  const std::int64_t table_bound =
      by_context ? out.max_context
                 : std::min(spec.max_position_embeddings.value_or(std::max<std::int64_t>(fixed, 1024)),
                            kMaxSpecTokens);
  std::vector<std::int64_t> contexts;
  for (std::int64_t c = std::min<std::int64_t>(1024, table_bound); c < table_bound; c *= 2)
    contexts.push_back(c);
  contexts.push_back(table_bound);
  for (std::int64_t c : contexts) {
    auto s = size_runtime(spec, fit_runtime_request(base, c, table_batch));
    if (!s) {
      if (s.error().expected == "sizes that fit in 64 bits") break;
      return s.error();
    }
    FitRow row{c, table_batch, s->total_bytes, 0, false};
    auto total = checked_add(*used, s->total_bytes);
    row.total_bytes = total.value_or(INT64_MAX);
    row.fits = s->total_bytes <= out.cache_budget;
    out.table.push_back(row);
  }
  if (request.weights.estimate) out.notes.push_back("weights are an estimate from config.json");
  return out;
}

}  // namespace kvspec
