// kvspec: the command line. Argument parsing and output choice only; everything else is the library.
//   kvspec [inspect] MODEL [--context N] [--batch B] [--kv-dtype T] [--runtime R ...] [--json]
//   kvspec compare MODEL... [--context N] [--batch B] [--kv-dtype T] [--runtime R ...] [--json]
//   kvspec fit MODEL --memory 24GiB [--runtime R] [--context N | --batch B] [--reserve 1GiB] [--json]
// Exit codes: 0 ok, 2 bad input or usage, 1 internal error.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kvspec/commands.hpp"
#include "kvspec/registry.hpp"

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

// The CLI's options are the library's CommandOptions plus the output choice.
struct SizeOptions : kvspec::CommandOptions {
  bool json = false;
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
  cmd->add_flag("--offline", o.offline,
                "Remote models: no network, kvspec's cache only (also HF_HUB_OFFLINE=1)");
  cmd->add_flag("--refresh", o.refresh, "Remote models: fetch again, ignoring kvspec's cache");
  cmd->add_flag("--no-cache", o.no_cache, "Remote models: neither read nor write kvspec's cache");
  cmd->add_flag("--quiet,-q", o.quiet, "No progress on stderr");
  cmd->add_option("--timeout", o.timeout, "Remote models: seconds one transfer may take (default 60)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--connect-timeout", o.connect_timeout, "Remote models: seconds to connect (default 10)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--retries", o.retries, "Remote models: retries of 429 / 5xx answers (default 3)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--retry-wait", o.retry_wait,
                  "Remote models: seconds before the first retry, doubling; Retry-After wins (default 1)")
      ->check(CLI::NonNegativeNumber);
}

int print(const kvspec::Result<std::string>& text) {
  if (!text) return fail(text.error());
  fmt::print("{}", *text);
  return kExitOk;
}

kvspec::OutputFormat format(const SizeOptions& o) {
  return o.json ? kvspec::OutputFormat::json : kvspec::OutputFormat::text;
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
    if (*compare) return print(kvspec::compare_command(compare_models, compare_opts, format(compare_opts)));
    if (*fit) return print(kvspec::fit_command(fit_model, fit_opts, format(fit_opts)));
    if (*families) {
      fmt::print("{}", families_json ? kvspec::render_families_json() : kvspec::render_families_text());
      return kExitOk;
    }
    auto text = kvspec::inspect_command(inspect_model, inspect_opts, format(inspect_opts));
    if (text && inspect_model.empty() && !inspect_opts.json)
      fmt::print(
          "No MODEL given: showing the bundled example. Try `kvspec inspect PATH --context 32k`, or "
          "--help.\n\n");
    return print(text);
  } catch (const std::exception& e) {
    fmt::print(stderr, "kvspec: internal error: {}\n", e.what());
    return kExitInternal;
  } catch (...) {
    fmt::print(stderr, "kvspec: internal error\n");
    return kExitInternal;
  }
}
