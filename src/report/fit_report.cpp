// The output of `kvspec fit`: the budget and what takes it, the answer, and memory vs context.
#include <cctype>

#include <fmt/format.h>

#include "kvspec/escape.hpp"
#include "kvspec/plan.hpp"
#include "kvspec/units.hpp"
#include "report/json_writer.hpp"

namespace kvspec {

namespace {

std::string bytes_long(std::int64_t b) {
  return fmt::format("{} ({} B)", format_bytes(b), b);
}

std::string sequences(std::int64_t n) {
  return fmt::format("{} sequence{}", n, n == 1 ? "" : "s");
}

// 155904 -> "155,904"
std::string grouped(std::int64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    const std::size_t left = digits.size() - i;  // digits from here to the end
    if (i > 0 && left % 3 == 0 && std::isdigit(static_cast<unsigned char>(digits[i - 1]))) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

// Why the context stops where it does, when the limit (not the memory) decides it.
std::string limit_line(const FitResult& r) {
  std::string limit;
  if (r.max_context_source == "--max-context")
    limit = fmt::format("the limit asked (--max-context) is {}", grouped(r.max_context));
  else if (r.max_context_source == "max_position_embeddings")
    limit = fmt::format("the model's limit is {} (max_position_embeddings; --max-context N plans past it)",
                        grouped(r.max_context));
  else
    limit = fmt::format("the model states no max_position_embeddings: searched up to {} (--max-context N)",
                        grouped(r.max_context));
  if (r.context_asked)
    return fmt::format("--context {} is past the limit: sized at {}; {}", grouped(*r.context_asked),
                       grouped(r.max_context), limit);
  if (r.memory_allows) return fmt::format("memory allows {} tokens; {}", grouped(*r.memory_allows), limit);
  return fmt::format("memory allows any context (the cache stops growing); {}", limit);
}

}  // namespace

Result<std::string> render_fit_text(const ModelCacheSpec& spec, const FitResult& r) {
  const FitRequest& q = r.request;
  const RuntimeRequest& rt = q.runtime;
  // The source, the weights' source and the notes name files: escaped.
  std::string out = fmt::format("{}\n", escape_for_terminal(spec.source));
  std::string ranks = rt.tp > 1 || rt.pp > 1 ? fmt::format(", per rank (tp {}, pp {})", rt.tp, rt.pp) : "";
  out += fmt::format("  {:<14}{} ({}){}\n", "memory", bytes_long(q.memory),
                     q.memory_unit.empty() ? "bytes" : q.memory_unit, ranks);
  out += fmt::format("  {:<14}{}  {}\n", "weights", format_bytes(r.weights_bytes),
                     escape_for_terminal(q.weights.source));
  for (const auto& n : q.weights.notes) out += fmt::format("  {:<14}  - {}\n", "", escape_for_terminal(n));
  out += fmt::format("  {:<14}{}  {}\n", "overhead", format_bytes(r.overhead_bytes),
                     escape_for_terminal(r.overhead_note));
  if (q.reserve > 0) out += fmt::format("  {:<14}{}\n", "reserve", format_bytes(q.reserve));
  out += fmt::format("  {:<14}{}\n", "for the cache",
                     r.cache_budget >= 0 ? bytes_long(r.cache_budget)
                                         : fmt::format("none ({} over)", format_bytes(-r.cache_budget)));
  out += fmt::format("  {:<14}{}, K {} / V {}\n", "runtime", to_string(rt.runtime), to_string(rt.k_dtype),
                     to_string(rt.v_dtype));
  out += "\n";
  const bool by_context = q.target == FitTarget::context;
  if (!r.answer) {
    out += by_context ? fmt::format("nothing fits: not even 1 token for {}\n", sequences(rt.batch))
                      : fmt::format("nothing fits: not even 1 sequence of {} tokens\n", rt.context);
  } else if (by_context) {
    out += fmt::format("largest context for {}: {} tokens{}\n", sequences(rt.batch), *r.answer,
                       r.context_capped ? " (capped at the limit)" : "");
  } else {
    out += fmt::format("largest batch at {} tokens: {}{}\n", rt.context, sequences(*r.answer),
                       r.capped ? fmt::format(" (the search limit{})",
                                              rt.runtime == Runtime::llama_cpp ? ", LLAMA_MAX_SEQ" : "")
                                : "");
  }
  if (r.context_capped) out += fmt::format("  {:<14}{}\n", "limit", limit_line(r));
  if (r.at_answer) {
    out += fmt::format("  cache there   {}", bytes_long(r.at_answer->total_bytes));
    if (r.next_step)
      out += fmt::format("; {} {} would need {}", by_context ? "context" : "batch", *r.answer + 1,
                         bytes_long(r.next_step->total_bytes));
    out += "\n";
    if (rt.runtime == Runtime::llama_cpp && r.at_answer->n_ctx)
      out += fmt::format("  llama.cpp     -c {} -np {} ({} cells per stream)\n", *r.at_answer->n_ctx,
                         r.at_answer->batch, r.at_answer->cells.value_or(0));
    if (rt.runtime == Runtime::vllm && r.at_answer->blocks_per_request && r.at_answer->bytes_per_block &&
        *r.at_answer->bytes_per_block > 0 && r.cache_budget > 0) {
      std::int64_t blocks = r.cache_budget / *r.at_answer->bytes_per_block;
      out += fmt::format("  vllm          {} blocks of {} tokens, {} per request: max concurrency {:.2f}\n",
                         blocks, r.at_answer->block_size.value_or(rt.vllm.block_size),
                         *r.at_answer->blocks_per_request,
                         static_cast<double>(blocks) / static_cast<double>(*r.at_answer->blocks_per_request));
    }
    for (const auto& n : r.at_answer->notes) out += fmt::format("  - {}\n", escape_for_terminal(n));
  }
  if (!r.table.empty()) {
    out += fmt::format("\nmemory vs context ({})\n", sequences(r.table.front().batch));
    out += fmt::format("  {:>9}  {:>12}  {:>12}  {}\n", "context", "cache", "total", "fits");
    for (const auto& row : r.table)
      out +=
          fmt::format("  {:>9}  {:>12}  {:>12}  {}\n", format_count(row.context),
                      format_bytes(row.cache_bytes), format_bytes(row.total_bytes), row.fits ? "yes" : "no");
  }
  for (const auto& n : r.notes) out += fmt::format("- {}\n", escape_for_terminal(n));
  return escape_report_lines(out);
}

Result<std::string> render_fit_json(const ModelCacheSpec& spec, const FitResult& r) {
  const FitRequest& q = r.request;
  JsonWriter w;
  w.begin_object();
  w.key("schema_version").value(JsonWriter::kSchemaVersion);
  w.key("source").value(spec.source);
  w.key("source_format").value(spec.gguf ? "gguf" : "hf");
  w.key("runtime").value(to_string(q.runtime.runtime));
  w.key("memory_bytes").value(q.memory);
  w.key("memory_unit").value(q.memory_unit);
  w.key("reserve_bytes").value(q.reserve);
  w.key("tp").value(q.runtime.tp);
  w.key("pp").value(q.runtime.pp);
  w.key("weights").begin_object();
  w.key("bytes").value(r.weights_bytes);
  w.key("total_bytes").value(q.weights.bytes);
  w.key("parameters").value(q.weights.parameters);
  w.key("estimate").value(q.weights.estimate);
  w.key("source").value(q.weights.source);
  w.key("caveats").begin_array();
  for (const auto& n : q.weights.notes) w.value(n);
  w.end_array();
  w.end_object();
  w.key("overhead_bytes").value(r.overhead_bytes);
  w.key("overhead_note").value(r.overhead_note);
  w.key("cache_budget_bytes").value(r.cache_budget);
  w.key("target").value(q.target == FitTarget::context ? "context" : "batch");
  w.key("context").value(q.target == FitTarget::context ? r.answer
                                                        : std::optional<std::int64_t>(q.runtime.context));
  w.key("batch").value(q.target == FitTarget::batch ? r.answer
                                                    : std::optional<std::int64_t>(q.runtime.batch));
  w.key("fits").value(r.answer.has_value());  // false: not even a context (or batch) of 1 fits
  w.key("capped").value(r.capped);
  w.key("max_context").value(r.max_context);
  w.key("max_context_source").value(r.max_context_source);
  w.key("context_capped").value(r.context_capped);
  w.key("memory_allows_context").value(r.memory_allows);
  w.key("context_asked").value(r.context_asked);
  w.key("cache_bytes")
      .value(r.at_answer ? std::optional<std::int64_t>(r.at_answer->total_bytes) : std::nullopt);
  w.key("next_step_cache_bytes")
      .value(r.next_step ? std::optional<std::int64_t>(r.next_step->total_bytes) : std::nullopt);
  w.key("kv_dtype").value(to_string(q.runtime.k_dtype));
  w.key("v_dtype").value(to_string(q.runtime.v_dtype));
  // The runtime figures the text shows: llama.cpp's flags to type, vLLM's blocks and concurrency.
  w.key("llama_cpp");
  if (q.runtime.runtime == Runtime::llama_cpp && r.at_answer && r.at_answer->n_ctx) {
    w.begin_object();
    w.key("n_ctx").value(*r.at_answer->n_ctx);
    w.key("n_seq_max").value(r.at_answer->batch);
    w.key("cells_per_stream").value(r.at_answer->cells);
    w.key("flags").value(fmt::format("-c {} -np {}", *r.at_answer->n_ctx, r.at_answer->batch));
    w.end_object();
  } else {
    w.null();
  }
  w.key("vllm");
  if (q.runtime.runtime == Runtime::vllm) {
    w.begin_object();
    w.key("gpu_memory_utilization").value(q.runtime.vllm.gpu_memory_utilization);
    w.key("planned_bytes").value(q.memory - r.overhead_bytes);
    const auto* a = r.at_answer ? &*r.at_answer : nullptr;
    const bool blocks = a != nullptr && a->blocks_per_request && a->bytes_per_block &&
                        *a->bytes_per_block > 0 && r.cache_budget > 0;
    w.key("block_size").value(a != nullptr ? a->block_size : std::nullopt);
    w.key("num_blocks")
        .value(blocks ? std::optional<std::int64_t>(r.cache_budget / *a->bytes_per_block) : std::nullopt);
    w.key("blocks_per_request").value(blocks ? a->blocks_per_request : std::nullopt);
    w.key("max_concurrency");
    if (blocks)
      w.value(static_cast<double>(r.cache_budget / *a->bytes_per_block) /
              static_cast<double>(*a->blocks_per_request));
    else
      w.null();
    w.end_object();
  } else {
    w.null();
  }
  w.key("table").begin_array();
  for (const auto& row : r.table) {
    w.begin_object();
    w.key("context").value(row.context);
    w.key("batch").value(row.batch);
    w.key("cache_bytes").value(row.cache_bytes);
    w.key("total_bytes").value(row.total_bytes);
    w.key("fits").value(row.fits);
    w.end_object();
  }
  w.end_array();
  w.key("notes").begin_array();
  for (const auto& n : r.notes) w.value(n);
  if (r.at_answer)
    for (const auto& n : r.at_answer->notes) w.value(n);
  w.end_array();
  w.end_object();
  return w.str();
}

}  // namespace kvspec
