// The commands behind the CLI and the Python module (kvspec/commands.hpp): options parsed once, then
// load → spec → size (runtime profile, fit) → report.
#include "kvspec/commands.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "app/loaded.hpp"
#include "kvspec/load.hpp"
#include "kvspec/plan.hpp"
#include "kvspec/report.hpp"
#include "kvspec/runtime.hpp"
#include "kvspec/size.hpp"
#include "kvspec/units.hpp"
#include "util/checked.hpp"

namespace kvspec {
namespace {

struct Parsed {
  CacheDType dtype = CacheDType::f16;
  bool kv_auto = false;   // --kv-dtype auto: resolved from the model (resolve_auto_dtype)
  bool v_given = false;   // --v-dtype given (not following --kv-dtype)
  std::size_t width = 0;  // compare's text table (CommandOptions::width)
  std::optional<std::int64_t> context;
  RuntimeRequest runtime;  // context 0 when none was given
  std::optional<ByteQuantity> memory;
  std::int64_t reserve = 0;
  std::optional<std::int64_t> max_context;  // --max-context: the limit instead of max_position_embeddings
  LoadOptions load;
};

Error usage(std::string field, std::string expected, std::string found) {
  return make_error(ErrorCode::usage, "", std::move(field), std::move(expected), std::move(found));
}

// A size given as a bare number ("--memory 24") is refused rather than read as 24 bytes: nobody means
// that, and the unit (GiB or GB) is a 7% difference. Explicit bytes ("24B") stay accepted.
std::optional<Error> bare_size(const std::string& flag, const std::string& text) {
  std::string_view t = text;
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (t.empty() || !(std::isdigit(static_cast<unsigned char>(t.back())) || t.back() == '.'))
    return std::nullopt;
  if (t.find_first_not_of("0") == std::string_view::npos) return std::nullopt;  // 0 is 0 in any unit
  std::string n(t);
  return usage(flag, fmt::format("a size with a unit: {0}GiB (binary, 2^30 bytes) or {0}GB (10^9 bytes)", n),
               "'" + text + "' (a bare number)");
}

Result<CacheDType> parse_dtype(const std::string& text, const std::string& flag) {
  auto dt = parse_cache_dtype(text);
  if (!dt)
    return usage(flag, "one of f32, f16, bf16, fp8_e4m3, fp8_e5m2, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl",
                 "'" + text + "'");
  return *dt;
}

}  // namespace

// The remote-model options (hf://, org/name not in the local cache, URLs), checked here for every front end
// (CLI, Python, C): NaN passes range checks, and its conversion to milliseconds would be undefined.
Result<RemoteOptions> command_remote_options(const CommandOptions& o) {
  for (auto [flag, v, zero_ok] :
       {std::tuple{"--timeout", o.timeout, false}, std::tuple{"--connect-timeout", o.connect_timeout, false},
        std::tuple{"--retry-wait", o.retry_wait, true}})
    if (!std::isfinite(v) || v < 0 || (v == 0 && !zero_ok) || v > 86400)
      return usage(flag, zero_ok ? "seconds from 0 to 86400" : "seconds above 0, at most 86400",
                   fmt::format("{}", v));
  if (o.retries < 0 || o.retries > 20) return usage("--retries", "0 to 20", std::to_string(o.retries));
  RemoteOptions r;
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
  return r;
}

namespace {

Result<Parsed> parse_size_options(const CommandOptions& o) {
  Parsed p;
  p.width = o.width;
  p.kv_auto = o.kv_dtype == "auto";
  auto dt = p.kv_auto ? Result<CacheDType>(CacheDType::f16) : parse_dtype(o.kv_dtype, "--kv-dtype");
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
    p.v_given = true;
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
  if (o.gpu_memory_utilization != 0) {
    if (!(o.gpu_memory_utilization > 0 && o.gpu_memory_utilization <= 1))  // also refuses NaN
      return usage("--gpu-memory-utilization", "a fraction with 0 < F ≤ 1, e.g. 0.9",
                   fmt::format("{}", o.gpu_memory_utilization));
    r.vllm.gpu_memory_utilization = o.gpu_memory_utilization;
  }
  r.tp = o.tp;
  r.pp = o.pp;
  if (o.images < -1 || o.images > kMaxImages)
    return usage("--images", fmt::format("0 to {} images", kMaxImages), std::to_string(o.images));
  if (o.images >= 0) r.images = o.images;
  if (!o.memory.empty()) {
    if (auto e = bare_size("--memory", o.memory)) return *e;
    p.memory = parse_byte_quantity(o.memory);
    if (!p.memory || p.memory->bytes <= 0)
      return usage("--memory", "a positive size such as 512MiB, 24GiB, 24G or 80GB", "'" + o.memory + "'");
  }
  if (!o.reserve.empty()) {
    if (auto e = bare_size("--reserve", o.reserve)) return *e;
    auto rq = parse_byte_quantity(o.reserve);
    if (!rq) return usage("--reserve", "a size such as 1GiB or 512MiB", "'" + o.reserve + "'");
    p.reserve = rq->bytes;
    // Memory minus a reserve that swallows it is no budget at all ("does not fit in -24 GiB").
    if (p.memory && p.reserve >= p.memory->bytes)
      return usage("--reserve", fmt::format("less than --memory ({})", format_bytes(p.memory->bytes)),
                   "'" + o.reserve + "'");
  }
  if (!o.max_context.empty()) {
    auto m = parse_count(o.max_context);
    if (!m || *m > kMaxSpecTokens)
      return usage("--max-context", "a positive token count such as 131072, 256k or 1M",
                   "'" + o.max_context + "'");
    p.max_context = *m;
  }
  if (!o.hf_cache.empty()) p.load.hf_cache_dir = o.hf_cache;
  auto remote = command_remote_options(o);
  if (!remote) return remote.error();
  p.load.remote = *remote;
  // A folder with both config.json and a GGUF: the GGUF is what llama.cpp loads.
  if (o.format.empty())
    p.load.format = r.runtime == Runtime::llama_cpp ? SourceFormat::prefer_gguf : SourceFormat::prefer_hf;
  else if (o.format == "hf")
    p.load.format = SourceFormat::hf;
  else if (o.format == "gguf")
    p.load.format = SourceFormat::gguf;
  else
    return usage("--format", "hf or gguf", "'" + o.format + "'");
  return p;
}

// --kv-dtype auto: the model's dtype, as vLLM resolves `--kv-cache-dtype auto` (the cache takes
// model_config.dtype). vLLM's model dtype "auto" is the config's torch_dtype / dtype, float32 (stated or
// unstated) downcast to the platform's preferred dtype, bfloat16 on CUDA GPUs of compute capability ≥ 8.0
// (vllm/config/model.py _resolve_auto_dtype, vllm-project/vllm commit 18ec66292536). Other runtimes: the
// model's stated dtype, f16 when it states none.
Result<CacheDType> resolve_auto_dtype(Parsed& p, ModelCacheSpec& spec) {
  if (!p.kv_auto) return p.dtype;
  const auto stated = spec.dtype.empty() ? std::nullopt : cache_dtype_from_torch(spec.dtype);
  CacheDType dt = stated.value_or(CacheDType::f16);
  std::string why = stated ? fmt::format("the model's dtype {}", spec.dtype) : "the model states no dtype";
  if (p.runtime.runtime == Runtime::vllm && (!stated || *stated == CacheDType::f32)) {
    dt = CacheDType::bf16;
    why += stated ? ", downcast as vLLM does" : "; vLLM reads float32 and downcasts";
    why += " (bfloat16 on compute capability ≥ 8.0 GPUs)";
  } else if (!stated) {
    why += "; kvspec's default f16";
  }
  p.dtype = dt;
  p.runtime.k_dtype = dt;
  if (!p.v_given) p.runtime.v_dtype = dt;
  spec.notes.push_back({Note::Level::info, fmt::format("--kv-dtype auto: {} ({})", to_string(dt), why)});
  return dt;
}

// inspect / compare: a context past the model's limit is sized as asked, with a warning.
void warn_past_limit(ModelCacheSpec& spec, const Parsed& p) {
  if (!p.context) return;
  const std::optional<std::int64_t> limit = p.max_context ? p.max_context : spec.max_position_embeddings;
  if (!limit || *p.context <= *limit) return;
  spec.notes.push_back(
      {Note::Level::warning,
       p.max_context ? fmt::format("context {} is past --max-context {}", *p.context, *limit)
                     : fmt::format("context {} is past the model's limit of {} (max_position_embeddings); "
                                   "--max-context N to plan past it on purpose (rope scaling)",
                                   *p.context, *limit)});
}

Result<ModelCacheSpec> load(const std::string& model, const Parsed& p) {
  return load_model(model, p.load);
}

Result<std::optional<CacheSize>> size_if_asked(const ModelCacheSpec& spec, const Parsed& p) {
  if (!p.context) return std::optional<CacheSize>{};
  auto c = size_runtime(spec, p.runtime);
  if (!c) return c.error();
  CacheSize out = *c;
  if (p.memory) {
    // --memory on inspect: the memory given to the cache.
    // parse_size_options keeps 0 ≤ reserve < memory, so the budget is positive; still checked.
    const std::int64_t budget = checked_sub(p.memory->bytes, p.reserve).value_or(0);
    out.details.push_back({"memory_bytes", budget});
    if (p.runtime.runtime == Runtime::vllm) {
      auto cap = vllm_capacity(spec, p.runtime, budget);
      if (!cap) return cap.error();
      out.details.push_back({"num_blocks", cap->num_blocks});
      out.notes.push_back(fmt::format("{} blocks in {} ({}): max concurrency {:.2f} requests of {} tokens",
                                      cap->num_blocks, format_bytes(budget), p.memory->unit,
                                      cap->max_concurrency, p.runtime.context));
    } else {
      // Both operands are non-negative here, so neither difference can wrap.
      out.notes.push_back(c->total_bytes <= budget
                              ? fmt::format("fits in {} ({} free)", format_bytes(budget),
                                            format_bytes(checked_sub(budget, c->total_bytes).value_or(0)))
                              : fmt::format("does not fit in {} ({} short)", format_bytes(budget),
                                            format_bytes(checked_sub(c->total_bytes, budget).value_or(0))));
    }
  }
  return std::optional<CacheSize>{out};
}

Result<ModelCacheSpec> load_or_bundled(const std::string& model, const Parsed& p) {
  if (model.empty()) return spec_from_config_text(bundled_example_config(), bundled_example_name());
  return load(model, p);
}

// inspect once the spec is loaded (copies: --kv-dtype auto resolves against it, and the past-limit warning is
// added to its notes).
Result<std::string> inspect_spec(ModelCacheSpec spec, Parsed p, OutputFormat format) {
  if (auto dt = resolve_auto_dtype(p, spec); !dt) return dt.error();
  warn_past_limit(spec, p);
  auto cache = size_if_asked(spec, p);
  if (!cache) return cache.error();
  ReportOptions ro{p.dtype, *cache};
  return format == OutputFormat::json ? render_json(spec, ro) : render_text(spec, ro);
}

// compare over `load_spec(i)`, which yields model i's spec; each is sized, rendered and dropped before the
// next.
template <class Load>
Result<std::string> compare_specs(std::size_t count, Load&& load_spec, Parsed p, OutputFormat format) {
  std::size_t i = 0;
  std::optional<ModelCacheSpec> spec;
  ReportOptions ro{p.dtype, std::nullopt};
  ro.width = p.width;
  NextCompareEntry next = [&]() -> Result<std::optional<CompareEntry>> {
    spec.reset();
    if (i == count) return std::optional<CompareEntry>{};
    Result<ModelCacheSpec> s = load_spec(i++);
    if (!s) return s.error();
    if (p.kv_auto) {
      // One dtype labels the whole table: models whose dtypes differ need the dtype given.
      const CacheDType before = p.dtype;
      auto dt = resolve_auto_dtype(p, *s);
      if (!dt) return dt.error();
      if (i > 1 && *dt != before)
        return usage(
            "--kv-dtype", "a dtype for models of different dtypes (auto resolves per model)",
            fmt::format("auto = {} for {} but {} before it", to_string(*dt), s->source, to_string(before)));
      ro.kv_dtype = *dt;
    }
    warn_past_limit(*s, p);
    spec = std::move(*s);
    auto c = size_if_asked(*spec, p);
    if (!c) return c.error();
    return std::optional<CompareEntry>(CompareEntry{&*spec, *c});
  };
  return format == OutputFormat::json ? render_compare_json_stream(next, ro)
                                      : render_compare_stream(next, ro);
}

// fit's own option checks, before anything is loaded.
std::optional<Error> fit_usage(const CommandOptions& o, const Parsed& p) {
  if (!p.memory) return usage("--memory", "the device's memory, e.g. 24GiB or 80GB", "nothing");
  const bool batch_given = o.batch > 0 || o.parallel > 0;
  if (p.context && batch_given)
    return usage("--context", "either --context (to find the largest batch) or --batch (the largest context)",
                 "both");
  return std::nullopt;
}

// fit once the spec is loaded; `model` and `load` find the weights (headers, else the config's estimate).
Result<std::string> fit_spec(ModelCacheSpec spec, const std::string& model, const LoadOptions& load,
                             const CommandOptions& o, Parsed p, OutputFormat format) {
  if (auto dt = resolve_auto_dtype(p, spec); !dt) return dt.error();
  const std::string auto_note = p.kv_auto ? spec.notes.back().text : "";  // what auto resolved to
  FitRequest fr;
  fr.max_context = p.max_context;
  fr.memory = p.memory->bytes;
  fr.memory_unit = p.memory->unit;
  fr.reserve = p.reserve;
  fr.runtime = p.runtime;
  fr.target = p.context ? FitTarget::batch : FitTarget::context;
  if (!o.weights.empty()) {
    if (auto e = bare_size("--weights", o.weights)) return *e;
    auto wq = parse_byte_quantity(o.weights);
    if (!wq) return usage("--weights", "a size such as 16GiB", "'" + o.weights + "'");
    fr.weights.bytes = wq->bytes;
    fr.weights.estimate = false;
    fr.weights.source = "as given (--weights " + o.weights + ")";
  } else {
    auto w = weights_for_fit(spec, model, load);
    if (!w) return w.error();
    fr.weights = *w;
  }
  auto r = fit(spec, fr);
  if (!r) return r.error();
  if (p.kv_auto) r->notes.push_back(auto_note);
  return format == OutputFormat::json ? render_fit_json(spec, *r) : render_fit_text(spec, *r);
}

}  // namespace

Result<std::string> inspect_command(const std::string& model, const CommandOptions& options,
                                    OutputFormat format) {
  auto p = parse_size_options(options);
  if (!p) return p.error();
  auto spec = load_or_bundled(model, *p);
  if (!spec) return spec.error();
  return inspect_spec(std::move(*spec), *p, format);
}

Result<std::string> compare_command(const std::vector<std::string>& models, const CommandOptions& options,
                                    OutputFormat format) {
  auto p = parse_size_options(options);
  if (!p) return p.error();
  // One model at a time: each spec is loaded, sized, rendered and dropped before the next is loaded.
  return compare_specs(
      models.size(), [&](std::size_t i) { return load(models[i], *p); }, *p, format);
}

Result<std::string> fit_command(const std::string& model, const CommandOptions& options,
                                OutputFormat format) {
  auto p = parse_size_options(options);
  if (!p) return p.error();
  if (auto e = fit_usage(options, *p)) return *e;
  auto spec = load_or_bundled(model, *p);
  if (!spec) return spec.error();
  return fit_spec(std::move(*spec), model, p->load, options, *p, format);
}

Result<std::string> inspect_loaded(const LoadedModel& model, const CommandOptions& options,
                                   OutputFormat format) {
  auto p = parse_size_options(options);
  if (!p) return p.error();
  return inspect_spec(model.spec, *p, format);
}

Result<std::string> compare_loaded(const std::vector<const LoadedModel*>& models,
                                   const CommandOptions& options, OutputFormat format) {
  auto p = parse_size_options(options);
  if (!p) return p.error();
  return compare_specs(
      models.size(), [&](std::size_t i) -> Result<ModelCacheSpec> { return models[i]->spec; }, *p, format);
}

Result<std::string> fit_loaded(const LoadedModel& model, const CommandOptions& options, OutputFormat format) {
  auto p = parse_size_options(options);
  if (!p) return p.error();
  if (auto e = fit_usage(options, *p)) return *e;
  return fit_spec(model.spec, model.model, model.load, options, *p, format);
}

}  // namespace kvspec
