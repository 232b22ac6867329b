// kvspec: the command line. Argument parsing and output choice only; everything else is the library.
//   kvspec [inspect] MODEL [--context N] [--batch B] [--kv-dtype T] [--runtime R ...] [--json]
//   kvspec compare MODEL... [--context N] [--batch B] [--kv-dtype T] [--runtime R ...] [--json]
//   kvspec fit MODEL --memory 24GiB [--runtime R] [--context N | --batch B] [--reserve 1GiB] [--json]
// Exit codes: 0 ok, 2 bad input or usage, 1 internal error.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kvspec/load.hpp"
#include "kvspec/plan.hpp"
#include "kvspec/registry.hpp"
#include "kvspec/report.hpp"
#include "kvspec/runtime.hpp"
#include "kvspec/size.hpp"
#include "kvspec/units.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitBadInput = 2;

int exit_code(const kvspec::Error& e) {
  return e.code == kvspec::ErrorCode::internal ? kExitInternal : kExitBadInput;
}

int fail(const kvspec::Error& e) {
  fmt::print(stderr, "kvspec: error: {}\n", e.message());
  return exit_code(e);
}

struct SizeOptions {
  std::string context;
  std::int64_t batch = 0;  // 0 = not given (1)
  std::string kv_dtype = "f16";
  bool json = false;
  std::string hf_cache;
  // runtime profiles
  std::string runtime = "exact";
  std::int64_t parallel = 0;  // llama.cpp n_seq_max; 0 = not given
  bool kv_unified = false;
  std::int64_t ubatch = 512;
  std::string flash_attn = "auto";
  bool swa_full = false;
  std::string v_dtype;  // empty = --kv-dtype
  std::int64_t kv_bits = 0;
  std::int64_t block_size = 16;
  std::int64_t max_num_batched_tokens = 8192;
  std::int64_t tp = 1;
  std::int64_t pp = 1;
  std::string memory;
  std::string reserve;
  std::string weights;  // fit: weights bytes, overriding the estimate
};

void add_size_options(CLI::App* cmd, SizeOptions& o) {
  cmd->add_option(
      "--context,-c", o.context,
      "Context length in tokens per sequence: 4096, 32k, 128K, 1M (llama.cpp: n_ctx for all sequences)");
  cmd->add_option("--batch,-b", o.batch, "Number of sequences (default 1)")->check(CLI::PositiveNumber);
  cmd->add_option(
      "--kv-dtype", o.kv_dtype,
      "Cache dtype (K and V, or K with --v-dtype): f32, f16 (default), bf16, fp8_e4m3, fp8_e5m2, q8_0, "
      "q4_0, q4_1, q5_0, q5_1, iq4_nl");
  cmd->add_option("--v-dtype", o.v_dtype, "V cache dtype (default: --kv-dtype)");
  cmd->add_flag("--json", o.json, "Print the machine-readable form (JSON contract in README.md)");
  cmd->add_option("--hf-cache", o.hf_cache,
                  "Hugging Face hub cache for repo ids (default: $HF_HUB_CACHE, ...)");
  cmd->add_option("--runtime", o.runtime,
                  "Size as a runtime allocates: exact (default), llama.cpp, mlx, vllm, "
                  "transformers");
  cmd->add_option("--parallel", o.parallel, "llama.cpp: sequences (n_seq_max, -np; default 1)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--kv-unified", o.kv_unified, "llama.cpp: one KV stream shared by all sequences");
  cmd->add_option("--ubatch", o.ubatch, "llama.cpp: micro-batch n_ubatch (default 512)");
  cmd->add_option("--flash-attn", o.flash_attn, "llama.cpp: on, off or auto (default)");
  cmd->add_flag("--swa-full", o.swa_full, "llama.cpp: full-size cache for sliding-window layers");
  cmd->add_option("--kv-bits", o.kv_bits, "mlx: QuantizedKVCache bits, 4 or 8 (group 64)");
  cmd->add_option("--block-size", o.block_size, "vllm: tokens per block (default 16)");
  cmd->add_option("--max-num-batched-tokens", o.max_num_batched_tokens,
                  "vllm: scheduler token budget (default 8192, vllm serve on >= 70 GiB GPUs)");
  cmd->add_option("--tp", o.tp, "vllm: tensor-parallel ranks; figures per rank (default 1)");
  cmd->add_option("--pp", o.pp, "vllm: pipeline stages; figures for the largest stage (default 1)");
  cmd->add_option(
      "--memory", o.memory,
      "inspect: memory for the cache (vllm: blocks and max concurrency); fit: the device's memory. "
      "512MiB, 24GiB, 24G (= GiB), 80GB (= 10^9 bytes)");
  cmd->add_option("--reserve", o.reserve, "Memory to keep free out of --memory (e.g. 1GiB)");
}

struct Parsed {
  kvspec::CacheDType dtype = kvspec::CacheDType::f16;
  std::optional<std::int64_t> context;
  kvspec::RuntimeRequest runtime;  // context 0 when none was given
  std::optional<kvspec::ByteQuantity> memory;
  std::int64_t reserve = 0;
};

kvspec::Error usage(std::string field, std::string expected, std::string found) {
  return kvspec::make_error(kvspec::ErrorCode::usage, "", std::move(field), std::move(expected),
                            std::move(found));
}

kvspec::Result<kvspec::CacheDType> parse_dtype(const std::string& text, const std::string& flag) {
  auto dt = kvspec::parse_cache_dtype(text);
  if (!dt)
    return usage(flag, "one of f32, f16, bf16, fp8_e4m3, fp8_e5m2, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl",
                 "'" + text + "'");
  return *dt;
}

kvspec::Result<Parsed> parse_size_options(const SizeOptions& o) {
  Parsed p;
  auto dt = parse_dtype(o.kv_dtype, "--kv-dtype");
  if (!dt) return dt.error();
  p.dtype = *dt;
  if (!o.context.empty()) {
    auto c = kvspec::parse_count(o.context);
    if (!c)
      return usage("--context", "a positive token count such as 4096, 32k or 1M", "'" + o.context + "'");
    p.context = *c;
  }
  kvspec::RuntimeRequest& r = p.runtime;
  auto rt = kvspec::parse_runtime(o.runtime);
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
  // Sequences: --batch, or llama.cpp's --parallel (the same thing; both given must agree).
  if (o.parallel > 0 && o.batch > 0 && o.parallel != o.batch)
    return usage("--parallel", "the same count as --batch (both name the sequences)",
                 std::to_string(o.parallel));
  r.batch = o.parallel > 0 ? o.parallel : (o.batch > 0 ? o.batch : 1);
  auto fa = kvspec::parse_flash_attn(o.flash_attn);
  if (!fa) return usage("--flash-attn", "on, off or auto", "'" + o.flash_attn + "'");
  r.llama_cpp = {o.kv_unified, o.ubatch, *fa, o.swa_full};
  if (o.kv_bits != 0) r.mlx.kv_bits = o.kv_bits;
  r.vllm.block_size = o.block_size;
  r.vllm.max_num_batched_tokens = o.max_num_batched_tokens;
  r.tp = o.tp;
  r.pp = o.pp;
  if (!o.memory.empty()) {
    p.memory = kvspec::parse_byte_quantity(o.memory);
    if (!p.memory || p.memory->bytes <= 0)
      return usage("--memory", "a positive size such as 512MiB, 24GiB, 24G or 80GB", "'" + o.memory + "'");
  }
  if (!o.reserve.empty()) {
    auto rq = kvspec::parse_byte_quantity(o.reserve);
    if (!rq) return usage("--reserve", "a size such as 1GiB or 512MiB", "'" + o.reserve + "'");
    p.reserve = rq->bytes;
  }
  return p;
}

kvspec::Result<kvspec::ModelCacheSpec> load(const std::string& model, const SizeOptions& o) {
  kvspec::LoadOptions lo;
  if (!o.hf_cache.empty()) lo.hf_cache_dir = o.hf_cache;
  return kvspec::load_model(model, lo);
}

kvspec::Result<std::optional<kvspec::CacheSize>> size_if_asked(const kvspec::ModelCacheSpec& spec,
                                                               const Parsed& p) {
  if (!p.context) return std::optional<kvspec::CacheSize>{};
  auto c = kvspec::size_runtime(spec, p.runtime);
  if (!c) return c.error();
  kvspec::CacheSize out = *c;
  if (p.memory) {
    // --memory on inspect: the memory given to the cache.
    const std::int64_t budget = p.memory->bytes - p.reserve;
    out.details.push_back({"memory_bytes", budget});
    if (p.runtime.runtime == kvspec::Runtime::vllm) {
      auto cap = kvspec::vllm_capacity(spec, p.runtime, budget);
      if (!cap) return cap.error();
      out.details.push_back({"num_blocks", cap->num_blocks});
      out.notes.push_back(fmt::format("{} blocks in {} ({}): max concurrency {:.2f} requests of {} tokens",
                                      cap->num_blocks, kvspec::format_bytes(budget), p.memory->unit,
                                      cap->max_concurrency, p.runtime.context));
    } else {
      out.notes.push_back(c->total_bytes <= budget
                              ? fmt::format("fits in {} ({} free)", kvspec::format_bytes(budget),
                                            kvspec::format_bytes(budget - c->total_bytes))
                              : fmt::format("does not fit in {} ({} short)", kvspec::format_bytes(budget),
                                            kvspec::format_bytes(c->total_bytes - budget)));
    }
  }
  return std::optional<kvspec::CacheSize>{out};
}

int run_inspect(const std::string& model, const SizeOptions& o) {
  auto p = parse_size_options(o);
  if (!p) return fail(p.error());
  kvspec::Result<kvspec::ModelCacheSpec> spec = kvspec::Error{};
  bool bundled = model.empty();
  if (bundled)
    spec = kvspec::spec_from_config_text(kvspec::bundled_example_config(), kvspec::bundled_example_name());
  else
    spec = load(model, o);
  if (!spec) return fail(spec.error());
  auto cache = size_if_asked(*spec, *p);
  if (!cache) return fail(cache.error());
  kvspec::ReportOptions ro{p->dtype, *cache};
  auto text = o.json ? kvspec::render_json(*spec, ro) : kvspec::render_text(*spec, ro);
  if (!text) return fail(text.error());
  if (bundled && !o.json)
    fmt::print(
        "No MODEL given: showing the bundled example. Try `kvspec inspect PATH --context 32k`, or "
        "--help.\n\n");
  fmt::print("{}", *text);
  return kExitOk;
}

int run_compare(const std::vector<std::string>& models, const SizeOptions& o) {
  auto p = parse_size_options(o);
  if (!p) return fail(p.error());
  std::vector<kvspec::ModelCacheSpec> specs;
  specs.reserve(models.size());
  for (const auto& m : models) {
    auto s = load(m, o);
    if (!s) return fail(s.error());
    specs.push_back(std::move(*s));
  }
  std::vector<kvspec::CompareEntry> entries;
  for (const auto& s : specs) {
    auto c = size_if_asked(s, *p);
    if (!c) return fail(c.error());
    entries.push_back({&s, *c});
  }
  kvspec::ReportOptions ro{p->dtype, std::nullopt};
  auto text = o.json ? kvspec::render_compare_json(entries, ro) : kvspec::render_compare(entries, ro);
  if (!text) return fail(text.error());
  fmt::print("{}", *text);
  return kExitOk;
}

int run_fit(const std::string& model, const SizeOptions& o) {
  auto p = parse_size_options(o);
  if (!p) return fail(p.error());
  if (!p->memory) return fail(usage("--memory", "the device's memory, e.g. 24GiB or 80GB", "nothing"));
  const bool batch_given = o.batch > 0 || o.parallel > 0;
  if (p->context && batch_given)
    return fail(usage("--context",
                      "either --context (to find the largest batch) or --batch (the largest context)",
                      "both"));
  kvspec::Result<kvspec::ModelCacheSpec> spec = kvspec::Error{};
  if (model.empty())
    spec = kvspec::spec_from_config_text(kvspec::bundled_example_config(), kvspec::bundled_example_name());
  else
    spec = load(model, o);
  if (!spec) return fail(spec.error());
  kvspec::FitRequest fr;
  fr.memory = p->memory->bytes;
  fr.memory_unit = p->memory->unit;
  fr.reserve = p->reserve;
  fr.runtime = p->runtime;
  fr.target = p->context ? kvspec::FitTarget::batch : kvspec::FitTarget::context;
  if (!o.weights.empty()) {
    auto wq = kvspec::parse_byte_quantity(o.weights);
    if (!wq) return fail(usage("--weights", "a size such as 16GiB", "'" + o.weights + "'"));
    fr.weights.bytes = wq->bytes;
    fr.weights.estimate = false;
    fr.weights.source = "as given (--weights " + o.weights + ")";
  } else {
    kvspec::LoadOptions lo;
    if (!o.hf_cache.empty()) lo.hf_cache_dir = o.hf_cache;
    auto w = kvspec::weights_for_fit(*spec, model, lo);
    if (!w) return fail(w.error());
    fr.weights = *w;
  }
  auto r = kvspec::fit(*spec, fr);
  if (!r) return fail(r.error());
  auto text = o.json ? kvspec::render_fit_json(*spec, *r) : kvspec::render_fit_text(*spec, *r);
  if (!text) return fail(text.error());
  fmt::print("{}", *text);
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    CLI::App app{
        "kvspec: a model's KV cache, layer by layer, from its files — before you download or load it."};
    app.set_version_flag("--version", std::string("kvspec ") + KVSPEC_VERSION);
    app.require_subcommand(0, 1);
    app.footer(
        "MODEL is a folder with config.json, a config.json path, or a Hugging Face repo id "
        "(org/name[@revision])\n"
        "found offline in the local Hugging Face cache. `kvspec MODEL` is short for `kvspec inspect MODEL`.\n"
        "Exit codes: 0 ok, 2 bad input or usage, 1 internal error.");

    SizeOptions inspect_opts;
    std::string inspect_model;
    CLI::App* inspect =
        app.add_subcommand("inspect", "Summarize one model's cache (default: the bundled example)");
    inspect->add_option("MODEL", inspect_model, "Model folder, config.json or org/name[@revision]");
    add_size_options(inspect, inspect_opts);

    SizeOptions compare_opts;
    std::vector<std::string> compare_models;
    CLI::App* compare = app.add_subcommand("compare", "Show models side by side");
    compare->add_option("MODEL", compare_models, "Models to compare")->required();
    add_size_options(compare, compare_opts);

    SizeOptions fit_opts;
    std::string fit_model;
    CLI::App* fit = app.add_subcommand(
        "fit", "Largest context (for --batch) or batch (for --context) that fits --memory, with weights");
    fit->add_option("MODEL", fit_model,
                    "Model folder, config.json or org/name[@revision] (default: the example)");
    add_size_options(fit, fit_opts);
    fit->add_option("--weights", fit_opts.weights, "Weights bytes, instead of the estimate from config.json");

    bool families_json = false;
    CLI::App* families = app.add_subcommand("families", "List the architecture families the registry knows");
    families->add_flag("--json", families_json, "One object per family");

    // `kvspec MODEL ...` means `kvspec inspect MODEL ...`; bare `kvspec` inspects the bundled example.
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() ||
        (args[0] != "inspect" && args[0] != "compare" && args[0] != "fit" && args[0] != "families" &&
         args[0] != "--help" && args[0] != "-h" && args[0] != "--version"))
      args.insert(args.begin(), "inspect");
    std::reverse(args.begin(), args.end());
    try {
      app.parse(args);
    } catch (const CLI::ParseError& e) {
      int rc = app.exit(e);
      return rc == 0 ? kExitOk : kExitBadInput;
    }
    if (*compare) return run_compare(compare_models, compare_opts);
    if (*fit) return run_fit(fit_model, fit_opts);
    if (*families) {
      fmt::print("{}", families_json ? kvspec::render_families_json() : kvspec::render_families_text());
      return kExitOk;
    }
    return run_inspect(inspect_model, inspect_opts);
  } catch (const std::exception& e) {
    fmt::print(stderr, "kvspec: internal error: {}\n", e.what());
    return kExitInternal;
  } catch (...) {
    fmt::print(stderr, "kvspec: internal error\n");
    return kExitInternal;
  }
}
