// The commands behind the CLI and the Python module (kvspec/commands.hpp): options parsed once, then
// load → spec → size (runtime profile, fit) → report.
#include "kvspec/commands.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "kvspec/load.hpp"
#include "kvspec/plan.hpp"
#include "kvspec/report.hpp"
#include "kvspec/runtime.hpp"
#include "kvspec/size.hpp"
#include "kvspec/units.hpp"

namespace kvspec {
namespace {

struct Parsed {
  CacheDType dtype = CacheDType::f16;
  std::optional<std::int64_t> context;
  RuntimeRequest runtime;  // context 0 when none was given
  std::optional<ByteQuantity> memory;
  std::int64_t reserve = 0;
};

Error usage(std::string field, std::string expected, std::string found) {
  return make_error(ErrorCode::usage, "", std::move(field), std::move(expected), std::move(found));
}

Result<CacheDType> parse_dtype(const std::string& text, const std::string& flag) {
  auto dt = parse_cache_dtype(text);
  if (!dt)
    return usage(flag, "one of f32, f16, bf16, fp8_e4m3, fp8_e5m2, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl",
                 "'" + text + "'");
  return *dt;
}

Result<Parsed> parse_size_options(const CommandOptions& o) {
  Parsed p;
  auto dt = parse_dtype(o.kv_dtype, "--kv-dtype");
  if (!dt) return dt.error();
  p.dtype = *dt;
  if (!o.context.empty()) {
    auto c = parse_count(o.context);
    if (!c)
      return usage("--context", "a positive token count such as 4096, 32k or 1M", "'" + o.context + "'");
    p.context = *c;
  }
  RuntimeRequest& r = p.runtime;
  auto rt = parse_runtime(o.runtime);
  if (!rt)
    return usage("--runtime", "one of exact, llama.cpp, mlx, vllm, transformers", "'" + o.runtime + "'");
  r.runtime = *rt;
  r.context = p.context.value_or(0);
  r.k_dtype = *dt;
  r.v_dtype = *dt;
  if (!o.v_dtype.empty()) {
    auto v = parse_dtype(o.v_dtype, "--v-dtype");
    if (!v) return v.error();
    r.v_dtype = *v;
  }
  // Sequences: --batch, or llama.cpp's --parallel (the same thing; both given must agree); 0 = not given.
  if (o.batch < 0) return usage("--batch", "a positive number of sequences", std::to_string(o.batch));
  if (o.parallel < 0)
    return usage("--parallel", "a positive number of sequences", std::to_string(o.parallel));
  if (o.parallel > 0 && o.batch > 0 && o.parallel != o.batch)
    return usage("--parallel", "the same count as --batch (both name the sequences)",
                 std::to_string(o.parallel));
  r.batch = o.parallel > 0 ? o.parallel : (o.batch > 0 ? o.batch : 1);
  auto fa = parse_flash_attn(o.flash_attn);
  if (!fa) return usage("--flash-attn", "on, off or auto", "'" + o.flash_attn + "'");
  r.llama_cpp = {o.kv_unified, o.ubatch, *fa, o.swa_full};
  if (o.kv_bits != 0) r.mlx.kv_bits = o.kv_bits;
  r.vllm.block_size = o.block_size;
  r.vllm.max_num_batched_tokens = o.max_num_batched_tokens;
  r.tp = o.tp;
  r.pp = o.pp;
  if (!o.memory.empty()) {
    p.memory = parse_byte_quantity(o.memory);
    if (!p.memory || p.memory->bytes <= 0)
      return usage("--memory", "a positive size such as 512MiB, 24GiB, 24G or 80GB", "'" + o.memory + "'");
  }
  if (!o.reserve.empty()) {
    auto rq = parse_byte_quantity(o.reserve);
    if (!rq) return usage("--reserve", "a size such as 1GiB or 512MiB", "'" + o.reserve + "'");
    p.reserve = rq->bytes;
  }
  return p;
}

LoadOptions load_options(const CommandOptions& o) {
  LoadOptions lo;
  if (!o.hf_cache.empty()) lo.hf_cache_dir = o.hf_cache;
  RemoteOptions& r = lo.remote;
  r.offline = o.offline;
  r.refresh = o.refresh;
  r.no_cache = o.no_cache;
  r.quiet = o.quiet;
  auto ms = [](double seconds) {
    return static_cast<std::int64_t>(std::clamp(seconds, 0.001, 86400.0) * 1000);
  };
  r.timeout_ms = ms(o.timeout);
  r.connect_timeout_ms = ms(o.connect_timeout);
  r.max_tries = static_cast<int>(std::clamp<std::int64_t>(o.retries, 0, 20)) + 1;
  r.retry_base_ms = ms(o.retry_wait);
  return lo;
}

Result<ModelCacheSpec> load(const std::string& model, const CommandOptions& o) {
  return load_model(model, load_options(o));
}

Result<std::optional<CacheSize>> size_if_asked(const ModelCacheSpec& spec, const Parsed& p) {
  if (!p.context) return std::optional<CacheSize>{};
  auto c = size_runtime(spec, p.runtime);
  if (!c) return c.error();
  CacheSize out = *c;
  if (p.memory) {
    // --memory on inspect: the memory given to the cache.
    const std::int64_t budget = p.memory->bytes - p.reserve;
    out.details.push_back({"memory_bytes", budget});
    if (p.runtime.runtime == Runtime::vllm) {
      auto cap = vllm_capacity(spec, p.runtime, budget);
      if (!cap) return cap.error();
      out.details.push_back({"num_blocks", cap->num_blocks});
      out.notes.push_back(fmt::format("{} blocks in {} ({}): max concurrency {:.2f} requests of {} tokens",
                                      cap->num_blocks, format_bytes(budget), p.memory->unit,
                                      cap->max_concurrency, p.runtime.context));
    } else {
      out.notes.push_back(c->total_bytes <= budget
                              ? fmt::format("fits in {} ({} free)", format_bytes(budget),
                                            format_bytes(budget - c->total_bytes))
                              : fmt::format("does not fit in {} ({} short)", format_bytes(budget),
                                            format_bytes(c->total_bytes - budget)));
    }
  }
  return std::optional<CacheSize>{out};
}

Result<ModelCacheSpec> load_or_bundled(const std::string& model, const CommandOptions& o) {
  if (model.empty()) return spec_from_config_text(bundled_example_config(), bundled_example_name());
  return load(model, o);
}

}  // namespace

Result<std::string> inspect_command(const std::string& model, const CommandOptions& options,
                                    OutputFormat format) {
  auto p = parse_size_options(options);
  if (!p) return p.error();
  auto spec = load_or_bundled(model, options);
  if (!spec) return spec.error();
  auto cache = size_if_asked(*spec, *p);
  if (!cache) return cache.error();
  ReportOptions ro{p->dtype, *cache};
  return format == OutputFormat::json ? render_json(*spec, ro) : render_text(*spec, ro);
}

Result<std::string> compare_command(const std::vector<std::string>& models, const CommandOptions& options,
                                    OutputFormat format) {
  auto p = parse_size_options(options);
  if (!p) return p.error();
  std::vector<ModelCacheSpec> specs;
  specs.reserve(models.size());
  for (const auto& m : models) {
    auto s = load(m, options);
    if (!s) return s.error();
    specs.push_back(std::move(*s));
  }
  std::vector<CompareEntry> entries;
  for (const auto& s : specs) {
    auto c = size_if_asked(s, *p);
    if (!c) return c.error();
    entries.push_back({&s, *c});
  }
  ReportOptions ro{p->dtype, std::nullopt};
  return format == OutputFormat::json ? render_compare_json(entries, ro) : render_compare(entries, ro);
}

Result<std::string> fit_command(const std::string& model, const CommandOptions& options,
                                OutputFormat format) {
  const CommandOptions& o = options;
  auto p = parse_size_options(o);
  if (!p) return p.error();
  if (!p->memory) return usage("--memory", "the device's memory, e.g. 24GiB or 80GB", "nothing");
  const bool batch_given = o.batch > 0 || o.parallel > 0;
  if (p->context && batch_given)
    return usage("--context", "either --context (to find the largest batch) or --batch (the largest context)",
                 "both");
  auto spec = load_or_bundled(model, o);
  if (!spec) return spec.error();
  FitRequest fr;
  fr.memory = p->memory->bytes;
  fr.memory_unit = p->memory->unit;
  fr.reserve = p->reserve;
  fr.runtime = p->runtime;
  fr.target = p->context ? FitTarget::batch : FitTarget::context;
  if (!o.weights.empty()) {
    auto wq = parse_byte_quantity(o.weights);
    if (!wq) return usage("--weights", "a size such as 16GiB", "'" + o.weights + "'");
    fr.weights.bytes = wq->bytes;
    fr.weights.estimate = false;
    fr.weights.source = "as given (--weights " + o.weights + ")";
  } else {
    auto w = weights_for_fit(*spec, model, load_options(o));
    if (!w) return w.error();
    fr.weights = *w;
  }
  auto r = fit(*spec, fr);
  if (!r) return r.error();
  return format == OutputFormat::json ? render_fit_json(*spec, *r) : render_fit_text(*spec, *r);
}

}  // namespace kvspec
