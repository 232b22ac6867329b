// kvspec: the command line. Argument parsing and output choice only; everything else is the library.
//   kvspec [inspect] MODEL [--context N] [--batch B] [--kv-dtype T] [--json]
//   kvspec compare MODEL... [--context N] [--batch B] [--kv-dtype T] [--json]
// Exit codes: 0 ok, 2 bad input or usage, 1 internal error.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kvspec/load.hpp"
#include "kvspec/report.hpp"
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
  std::int64_t batch = 1;
  std::string kv_dtype = "f16";
  bool json = false;
  std::string hf_cache;
};

void add_size_options(CLI::App* cmd, SizeOptions& o) {
  cmd->add_option("--context,-c", o.context, "Context length in tokens per sequence: 4096, 32k, 128K, 1M");
  cmd->add_option("--batch,-b", o.batch, "Number of sequences (default 1)")->check(CLI::PositiveNumber);
  cmd->add_option("--kv-dtype", o.kv_dtype,
                  "Cache dtype: f32, f16 (default), bf16, fp8_e4m3, fp8_e5m2, q8_0, q4_0");
  cmd->add_flag("--json", o.json, "Print the machine-readable form (JSON contract in README.md)");
  cmd->add_option("--hf-cache", o.hf_cache,
                  "Hugging Face hub cache for repo ids (default: $HF_HUB_CACHE, ...)");
}

struct Parsed {
  kvspec::CacheDType dtype = kvspec::CacheDType::f16;
  std::optional<std::int64_t> context;
};

kvspec::Result<Parsed> parse_size_options(const SizeOptions& o) {
  Parsed p;
  auto dt = kvspec::parse_cache_dtype(o.kv_dtype);
  if (!dt)
    return kvspec::make_error(
        kvspec::ErrorCode::usage, "", "--kv-dtype",
        "one of f32, f16, bf16, fp8_e4m3, fp8_e5m2, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl",
        "'" + o.kv_dtype + "'");
  p.dtype = *dt;
  if (!o.context.empty()) {
    auto c = kvspec::parse_count(o.context);
    if (!c)
      return kvspec::make_error(kvspec::ErrorCode::usage, "", "--context",
                                "a positive token count such as 4096, 32k or 1M", "'" + o.context + "'");
    p.context = *c;
  }
  return p;
}

kvspec::Result<kvspec::ModelCacheSpec> load(const std::string& model, const SizeOptions& o) {
  kvspec::LoadOptions lo;
  if (!o.hf_cache.empty()) lo.hf_cache_dir = o.hf_cache;
  return kvspec::load_model(model, lo);
}

kvspec::Result<std::optional<kvspec::CacheSize>> size_if_asked(const kvspec::ModelCacheSpec& spec,
                                                               const Parsed& p, std::int64_t batch) {
  if (!p.context) return std::optional<kvspec::CacheSize>{};
  auto c = kvspec::size_exact(spec, {*p.context, batch, p.dtype, p.dtype});
  if (!c) return c.error();
  return std::optional<kvspec::CacheSize>{*c};
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
  auto cache = size_if_asked(*spec, *p, o.batch);
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
    auto c = size_if_asked(s, *p, o.batch);
    if (!c) return fail(c.error());
    entries.push_back({&s, *c});
  }
  kvspec::ReportOptions ro{p->dtype, std::nullopt};
  auto text = o.json ? kvspec::render_compare_json(entries, ro) : kvspec::render_compare(entries, ro);
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

    // `kvspec MODEL ...` means `kvspec inspect MODEL ...`; bare `kvspec` inspects the bundled example.
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || (args[0] != "inspect" && args[0] != "compare" && args[0] != "--help" &&
                         args[0] != "-h" && args[0] != "--version"))
      args.insert(args.begin(), "inspect");
    std::reverse(args.begin(), args.end());
    try {
      app.parse(args);
    } catch (const CLI::ParseError& e) {
      int rc = app.exit(e);
      return rc == 0 ? kExitOk : kExitBadInput;
    }
    if (*compare) return run_compare(compare_models, compare_opts);
    return run_inspect(inspect_model, inspect_opts);
  } catch (const std::exception& e) {
    fmt::print(stderr, "kvspec: internal error: {}\n", e.what());
    return kExitInternal;
  } catch (...) {
    fmt::print(stderr, "kvspec: internal error\n");
    return kExitInternal;
  }
}
