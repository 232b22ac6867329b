// kvspec: the command line. Argument parsing and output choice only; everything else is the library.
//   kvspec [inspect] MODEL [--context N] [--batch B] [--kv-dtype T] [--runtime R ...] [--json]
//   kvspec compare MODEL... [--context N] [--batch B] [--kv-dtype T] [--runtime R ...] [--json]
//   kvspec fit MODEL --memory 24GiB [--runtime R] [--context N | --batch B] [--reserve 1GiB] [--json]
// Exit codes: 0 ok, 2 bad input or usage, 1 internal error, 74 the output could not be written.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli_docs.hpp"
#include "kvspec/commands.hpp"
#include "kvspec/escape.hpp"
#include "kvspec/registry.hpp"
#include "kvspec/report.hpp"
#include "kvspec/runtime.hpp"
#include "kvspec/units.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitOutput = 74;  // EX_IOERR (sysexits.h): stdout full, closed or otherwise failing

// Writes `text` and flushes; false on any error (a full disk, a closed descriptor). Never throws and never
// allocates, so it is safe inside a catch block (fmt::print throws on such errors).
bool write_all(std::FILE* f, std::string_view text) noexcept {
  if (!text.empty() && std::fwrite(text.data(), 1, text.size(), f) != text.size()) return false;
  return std::fflush(f) == 0 && std::ferror(f) == 0;
}

// A message on stderr in pieces, if stderr can take it: with stderr closed or full the exit code still says
// it all.
void report(std::string_view a, std::string_view b = {}, std::string_view c = {}) noexcept {
  (void)write_all(stderr, a);
  (void)write_all(stderr, b);
  (void)write_all(stderr, c);
}

// The output could not be written (errno from the failed write or flush): exit 74, never 0.
int output_failed() noexcept {
  const int err = errno;
  report("kvspec: error: cannot write the output to stdout", err != 0 ? ": " : "",
         err != 0 ? std::strerror(err) : "");
  report("\n");
  return kExitOutput;
}

// stdout once everything was written to it (CLI11's --help and --version too): a failed write or flush is
// exit 74.
int finish(int rc) noexcept {
  if (rc == kExitOutput || (std::fflush(stdout) == 0 && std::ferror(stdout) == 0)) return rc;
  return rc == kExitOk ? output_failed() : rc;
}

// A closed stdin, stdout or stderr (`2>&-`) is given /dev/null, so no file kvspec opens later takes its
// number; stdout's is opened read-only, so writing the output fails (exit 74) instead of vanishing.
void guard_standard_descriptors() noexcept {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    int opened = open("/dev/null", fd == 2 ? O_WRONLY : O_RDONLY);
    if (opened >= 0 && opened != fd) {  // a lower number was free too; it is handled on its own turn
      dup2(opened, fd);
      close(opened);
    }
  }
}

int exit_code(const kvspec::Error& e) {
  return e.code == kvspec::ErrorCode::internal ? kExitInternal : kExitBadInput;
}

// The message on stderr; under --json also the error as a JSON object on stdout, for programs (README "JSON
// output"). The exit code is the same either way.
int fail(const kvspec::Error& e, bool json = false) {
  report(fmt::format("kvspec: error: {}\n", e.message()));
  if (json && !write_all(stdout, kvspec::render_error_json(e))) return output_failed();
  return exit_code(e);
}

kvspec::Error usage_error(std::string message) {
  return kvspec::make_error(kvspec::ErrorCode::usage, "", "", "", "", std::move(message));
}

// The CLI's options are the library's CommandOptions plus the output choice.
// The columns a text table may use: the terminal's when stdout is one, else $COLUMNS, else 100 (a pipe or a
// file: a width that still reads well).
std::size_t terminal_width() {
  struct winsize ws {};
  if (isatty(STDOUT_FILENO) != 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
    return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS"); c != nullptr) {
    char* end = nullptr;
    const long n = std::strtol(c, &end, 10);
    if (end != c && *end == '\0' && n >= 20 && n <= 10'000) return static_cast<std::size_t>(n);
  }
  return 100;
}

struct SizeOptions : kvspec::CommandOptions {
  bool json = false;
  std::string ctx_size;            // llama.cpp's -c: n_ctx, the total shared by the sequences
  std::int64_t logical_batch = 0;  // llama.cpp's -b (n_batch): compute buffers only, never the cache
};

// "--batch must be >= 1" instead of CLI11's range of 300 digits.
CLI::Validator at_least_one(const std::string& flag) {
  return CLI::Validator(
      [flag](std::string& value) -> std::string {
        long long v = 0;
        try {
          std::size_t used = 0;
          v = std::stoll(value, &used);
          if (used != value.size()) return flag + " must be a whole number ≥ 1 (found '" + value + "')";
        } catch (const std::exception&) {
          return flag + " must be a whole number ≥ 1 (found '" + value + "')";
        }
        return v >= 1 ? std::string() : flag + " must be ≥ 1 (found " + value + ")";
      },
      "≥ 1");
}

// "--gpu-memory-utilization must be > 0 and ≤ 1": 0 is refused here, where it was typed (0 in CommandOptions
// means "not given").
CLI::Validator fraction(const std::string& flag) {
  return CLI::Validator(
      [flag](std::string& value) -> std::string {
        double v = 0;
        try {
          std::size_t used = 0;
          v = std::stod(value, &used);
          if (used != value.size()) v = -1;
        } catch (const std::exception&) {
          v = -1;
        }
        return v > 0 && v <= 1
                   ? std::string()
                   : flag + " must be a fraction with 0 < F ≤ 1, e.g. 0.9 (found '" + value + "')";
      },
      "0 < F ≤ 1");
}

void add_size_options(CLI::App* cmd, SizeOptions& o) {
  cmd->add_option("--context,--max-model-len", o.context,
                  "Context length in tokens per sequence: 4096, 32k, 128K, 1M (vLLM: --max-model-len)");
  cmd->add_option("--ctx-size,-c", o.ctx_size,
                  "llama.cpp: total context n_ctx shared by the sequences; per sequence = n_ctx / sequences "
                  "(-c 16384 -np 4 = --context 4096 --parallel 4)");
  cmd->add_option("--batch,--max-num-seqs", o.batch, "Number of sequences (default 1; vLLM: --max-num-seqs)")
      ->check(at_least_one("--batch"));
  cmd->add_option("--batch-size,-b", o.logical_batch,
                  "llama.cpp: logical batch n_batch; sizes compute buffers, not the cache (sequences are "
                  "--parallel/-np or --batch)")
      ->check(at_least_one("--batch-size"));
  cmd->add_option(
      "--kv-dtype,--cache-type-k,--kv-cache-dtype", o.kv_dtype,
      "Cache dtype (K and V, or K with --v-dtype): f32, f16 (default), bf16, fp8_e4m3, fp8_e5m2, q8_0, "
      "q4_0, q4_1, q5_0, q5_1, iq4_nl, or auto (the model's dtype, as vLLM's --kv-cache-dtype auto)");
  cmd->add_option("--v-dtype,--cache-type-v", o.v_dtype, "V cache dtype (default: --kv-dtype)");
  cmd->add_flag("--json", o.json, "Print the machine-readable form (JSON contract in README.md)");
  cmd->add_option("--hf-cache", o.hf_cache,
                  "Hugging Face hub cache for repo ids (default: $HF_HUB_CACHE, ...)");
  cmd->add_option("--runtime", o.runtime,
                  "Size as a runtime allocates: exact (default), llama.cpp, mlx, vllm, "
                  "transformers");
  cmd->add_option("--images", o.images,
                  "Images per sequence for image cross-attention layers (Mllama; default 1, 0 = text only)");
  cmd->add_option("--parallel", o.parallel, "llama.cpp: sequences (n_seq_max, -np; default 1)")
      ->check(at_least_one("--parallel"));
  cmd->add_flag("--kv-unified", o.kv_unified, "llama.cpp: one KV stream shared by all sequences");
  cmd->add_option("--ubatch,--ubatch-size", o.ubatch, "llama.cpp: micro-batch n_ubatch (default 512)");
  cmd->add_option("--flash-attn", o.flash_attn, "llama.cpp: on, off or auto (default)");
  cmd->add_flag("--swa-full", o.swa_full, "llama.cpp: full-size cache for sliding-window layers");
  cmd->add_option("--kv-bits", o.kv_bits, "mlx: QuantizedKVCache bits, 4 or 8 (group 64)")
      ->check(at_least_one("--kv-bits"));
  cmd->add_option("--block-size", o.block_size, "vllm: tokens per block (default 16)");
  cmd->add_option("--max-num-batched-tokens", o.max_num_batched_tokens,
                  "vllm: scheduler token budget (default 8192, vllm serve on >= 70 GiB GPUs); sizes the "
                  "blocks a request holds in sliding-window and chunked-attention layers");
  cmd->add_option("--gpu-memory-utilization", o.gpu_memory_utilization,
                  "vllm, fit: the share of --memory vLLM plans weights + cache within, 0 < F <= 1 "
                  "(default 0.9; ceil(F x memory) as vLLM computes it)")
      ->check(fraction("--gpu-memory-utilization"));
  cmd->add_option("--tp,--tensor-parallel-size", o.tp,
                  "vllm: tensor-parallel ranks; figures per rank (default 1)");
  cmd->add_option("--pp,--pipeline-parallel-size", o.pp,
                  "vllm: pipeline stages; figures for the largest stage (default 1)");
  cmd->add_option(
      "--memory", o.memory,
      "inspect: memory for the cache (vllm: blocks and max concurrency); fit: the device's memory. "
      "512MiB, 24GiB, 24G (= GiB), 80GB (= 10^9 bytes)");
  cmd->add_option("--reserve", o.reserve, "Memory to keep free out of --memory (e.g. 1GiB)");
  cmd->add_option("--max-context", o.max_context,
                  "The context limit instead of the model's max_position_embeddings (to plan past it on "
                  "purpose, e.g. rope scaling): fit caps there, inspect warns past it");
  cmd->add_option("--format", o.format,
                  "A folder with both config.json and a GGUF: hf or gguf (default: gguf for --runtime "
                  "llama.cpp, else hf)");
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

// The runtimes' single-dash multi-letter spellings (llama.cpp's -np, -ctk, ...; vLLM's -tp, -pp): CLI11
// would read `-ctk q8_0` as `-c tk`, so they become their long forms before parsing.
constexpr std::pair<std::string_view, std::string_view> kSpellings[] = {
    {"-np", "--parallel"},
    {"-ctk", "--cache-type-k"},
    {"-ctv", "--cache-type-v"},
    {"-fa", "--flash-attn"},
    {"-ub", "--ubatch-size"},
    {"-tp", "--tensor-parallel-size"},
    {"-pp", "--pipeline-parallel-size"},
};

void rewrite_runtime_spellings(std::vector<std::string>& args) {
  for (auto& a : args)
    for (const auto& [from, to] : kSpellings)
      if (a == from) a = std::string(to);
}

// After parsing: llama.cpp's total -c becomes tokens per sequence (n_ctx_seq = n_ctx / n_seq_max, llama.cpp
// src/llama-context.cpp), and flags the chosen runtime does not read are warned about, not dropped silently.
// An error (exit 2) when the spellings contradict each other.
std::optional<kvspec::Error> resolve_runtime_spellings(SizeOptions& o, const CLI::App& cmd) {
  const bool for_vllm = kvspec::parse_runtime(o.runtime) == kvspec::Runtime::vllm;
  auto error = [](std::string field, std::string expected, std::string found) {
    return kvspec::make_error(kvspec::ErrorCode::usage, "", std::move(field), std::move(expected),
                              std::move(found));
  };
  if (!o.ctx_size.empty()) {
    if (!o.context.empty())
      return error("--ctx-size", "either -c/--ctx-size (llama.cpp's total) or --context (per sequence)",
                   "both");
    auto total = kvspec::parse_count(o.ctx_size);
    if (!total || *total <= 0)
      return error("--ctx-size", "a positive token count such as 16384 or 32k", "'" + o.ctx_size + "'");
    const std::int64_t seqs = o.parallel > 0 ? o.parallel : (o.batch > 0 ? o.batch : 1);
    if (*total < seqs)
      return error("--ctx-size", fmt::format("at least one token per sequence ({} sequences)", seqs),
                   o.ctx_size);
    o.context = std::to_string(*total / seqs);
    if (*total % seqs != 0)
      report(fmt::format("kvspec: note: -c {} over {} sequences: {} tokens each (llama.cpp rounds down)\n",
                         *total, seqs, *total / seqs));
  }
  if (o.logical_batch > 0)
    report(
        "kvspec: note: -b/--batch-size is llama.cpp's logical batch (n_batch): it sizes compute buffers, "
        "not the KV cache, so the figures do not change; sequences are -np/--parallel (or --batch)\n");
  struct OnlyFor {
    const char* flag;
    const char* runtime;
  };
  static constexpr OnlyFor kOnlyFor[] = {
      {"--kv-unified", "llama.cpp"},
      {"--ubatch", "llama.cpp"},
      {"--flash-attn", "llama.cpp"},
      {"--swa-full", "llama.cpp"},
      {"--kv-bits", "mlx"},
      {"--block-size", "vllm"},
      {"--max-num-batched-tokens", "vllm"},
      {"--gpu-memory-utilization", "vllm"},
  };
  for (const auto& f : kOnlyFor)
    if (cmd.count(f.flag) > 0 && kvspec::parse_runtime(o.runtime) != kvspec::parse_runtime(f.runtime))
      report(fmt::format("kvspec: warning: {} applies to --runtime {} only; ignored for --runtime {}\n",
                         f.flag, f.runtime, kvspec::escape_for_terminal(o.runtime)));
  // inspect and compare take --memory as the cache's own memory: no weights to share it with.
  if (for_vllm && cmd.count("--gpu-memory-utilization") > 0 && cmd.get_name() != "fit")
    report(
        "kvspec: warning: --gpu-memory-utilization applies to `kvspec fit` (the device's memory, shared "
        "with the weights); --memory here is the cache's memory already, so it is ignored\n");
  return std::nullopt;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// `kvspec inpsect x`: a first word that is no path, no repo id and close to a command is a typo.
std::optional<std::string> mistyped_command(const std::string& word) {
  static constexpr std::string_view kCommands[] = {"inspect", "compare", "fit", "families", "completions"};
  if (word.empty() || word[0] == '-' || word.find('/') != std::string::npos ||
      word.find('.') != std::string::npos || access(word.c_str(), F_OK) == 0)
    return std::nullopt;
  for (auto c : kCommands)
    if (word == c) return std::nullopt;
  for (auto c : kCommands)
    if (edit_distance(word, c) <= (c.size() <= 3 ? 1U : 2U)) return std::string(c);
  return std::nullopt;
}

// `kvspec fit m --contxt 8k`: a long option the command does not know but is close to one it does, as
// {typed, meant}. Options are compared without their dashes; a value after `=` is not part of the name.
std::optional<std::pair<std::string, std::string>> mistyped_flag(const std::vector<std::string>& args,
                                                                 const CLI::App& cmd) {
  const auto names = kvspec::cli::option_names(cmd);
  for (const auto& a : args) {
    if (a == "--") break;
    if (a.size() < 4 || a.rfind("--", 0) != 0) continue;
    const std::string typed = a.substr(0, a.find('='));
    if (typed == "--version" || std::find(names.begin(), names.end(), typed) != names.end()) continue;
    std::optional<std::string> best;
    std::size_t best_distance = 0;
    for (const auto& n : names) {
      if (n.rfind("--", 0) != 0) continue;
      const std::size_t d = edit_distance(std::string_view(typed).substr(2), std::string_view(n).substr(2));
      if (!best || d < best_distance) {
        best = n;
        best_distance = d;
      }
    }
    if (best && best_distance <= (typed.size() <= 6 ? 1U : 2U)) return std::make_pair(typed, *best);
  }
  return std::nullopt;
}

constexpr const char* kModelForms =
    "MODEL is one of:\n"
    "  a folder with config.json (and safetensors headers) or with a GGUF file\n"
    "  a config.json path\n"
    "  a GGUF file, or the first part of a split set (model-00001-of-00003.gguf)\n"
    "  org/name[@revision]: a Hugging Face repo id found offline in the local Hugging Face cache\n"
    "  ollama:NAME[:TAG]: a model in Ollama's store ($OLLAMA_MODELS, else ~/.ollama/models)\n"
    "  lmstudio:PUBLISHER/MODEL[/FILE.gguf]: a model in LM Studio's models folder\n";

constexpr const char* kExitCodes =
    "0 ok, 2 bad input or usage, 1 internal error, 74 the output could not be written.\n";

constexpr const char* kExamples =
    "Examples:\n"
    "  kvspec inspect ./Llama-3.1-8B --context 32k\n"
    "  kvspec inspect model.gguf --runtime llama.cpp -c 16384 -np 4 -ctk q8_0 -ctv q8_0\n"
    "  kvspec inspect Qwen/Qwen3-8B --runtime vllm --max-model-len 32768 --kv-cache-dtype fp8_e4m3 "
    "--memory 80GB\n"
    "  kvspec compare ./a ./b --context 8k\n"
    "  kvspec fit ./Llama-3.1-8B --memory 24GiB --context 32k\n";

int print(const kvspec::Result<std::string>& text, bool json = false) {
  if (!text) return fail(text.error(), json);
  return write_all(stdout, *text) ? kExitOk : output_failed();
}

kvspec::OutputFormat format(const SizeOptions& o) {
  return o.json ? kvspec::OutputFormat::json : kvspec::OutputFormat::text;
}

int run(int argc, char** argv) {
  try {
    CLI::App app{
        "kvspec: a model's KV cache, layer by layer, from its files — before you download or load it.",
        "kvspec"};
    app.set_version_flag("--version", std::string("kvspec ") + KVSPEC_VERSION);
    app.require_subcommand(0, 1);
    // CLI11's parse errors quote the arguments: the same prefix as every other error, and escaped.
    app.failure_message([](const CLI::App*, const CLI::Error& e) {
      return fmt::format("kvspec: error: {}\nRun with --help for more information.\n",
                         kvspec::escape_for_terminal(e.what()));
    });
    app.footer(
        std::string(kModelForms) +
        "`kvspec MODEL` is short for `kvspec inspect MODEL`. llama.cpp and vLLM spellings are accepted "
        "(README: \"Runtime spellings\").\n"
        "Exit codes: " +
        kExitCodes + "\n" + kExamples);

    SizeOptions inspect_opts;
    std::string inspect_model;
    CLI::App* inspect =
        app.add_subcommand("inspect", "Summarize one model's cache (default: the bundled example)");
    inspect->add_option("MODEL", inspect_model, "Model folder, config.json or org/name[@revision]");
    add_size_options(inspect, inspect_opts);
    inspect->footer(std::string(kModelForms) + "\n" + kExamples);

    SizeOptions compare_opts;
    std::vector<std::string> compare_models;
    CLI::App* compare = app.add_subcommand("compare", "Show models side by side");
    compare->add_option("MODEL", compare_models, "Models to compare")->required();
    add_size_options(compare, compare_opts);
    bool compare_wide = false;
    compare->add_flag("--wide", compare_wide,
                      "One row of columns however wide (default: groups of models that fit the terminal)");
    compare->footer(std::string(kModelForms) + "\n" + kExamples);

    SizeOptions fit_opts;
    std::string fit_model;
    CLI::App* fit = app.add_subcommand(
        "fit", "Largest context (for --batch) or batch (for --context) that fits --memory, with weights");
    fit->add_option("MODEL", fit_model,
                    "Model folder, config.json or org/name[@revision] (default: the example)");
    add_size_options(fit, fit_opts);
    fit->add_option("--weights", fit_opts.weights, "Weights bytes, instead of the estimate from config.json");
    fit->footer(std::string(kModelForms) + "\n" + kExamples);

    bool families_json = false;
    CLI::App* families = app.add_subcommand("families", "List the architecture families the registry knows");
    families->add_flag("--json", families_json, "One object per family");

    std::string shell;
    CLI::App* completions = app.add_subcommand(
        "completions", "Print a shell completion script for bash, zsh or fish, generated from these options");
    completions->add_option("SHELL", shell, "bash, zsh or fish")->required();

    // The man page, generated at build time (CMakeLists.txt); hidden from --help.
    std::string man_output;
    CLI::App* manpage = app.add_subcommand("manpage", "Print the man page (roff)");
    manpage->group("");
    manpage->add_option("--output,-o", man_output, "Write it to this file instead of stdout");
    const kvspec::cli::CliDefinition definition{
        &app, std::vector<kvspec::cli::Spelling>(std::begin(kSpellings), std::end(kSpellings)), "inspect"};

    // `kvspec MODEL ...` means `kvspec inspect MODEL ...`; bare `kvspec` inspects the bundled example.
    std::vector<std::string> args(argv + 1, argv + argc);
    rewrite_runtime_spellings(args);
    // --json anywhere: errors go to stdout as JSON too (parse errors included).
    const bool want_json = std::find(args.begin(), args.end(), "--json") != args.end();
    if (!args.empty())
      if (auto near = mistyped_command(args[0])) {
        // Raw in the Error (its message() escapes once, for stderr and the JSON alike).
        const kvspec::Error e =
            usage_error(fmt::format("unknown command '{}': did you mean '{}'?", args[0], *near));
        report("kvspec: error: ", e.message(), " (Run with --help for more information.)\n");
        if (want_json && !write_all(stdout, kvspec::render_error_json(e))) return output_failed();
        return kExitBadInput;
      }
    if (args.empty() ||
        (app.get_subcommands([&](const CLI::App* c) { return c->get_name() == args[0]; }).empty() &&
         args[0] != "--help" && args[0] != "-h" && args[0] != "--version"))
      args.insert(args.begin(), "inspect");
    if (args[0] != "--help" && args[0] != "-h" && args[0] != "--version")
      if (auto typo = mistyped_flag(args, *app.get_subcommand(args[0]))) {
        const kvspec::Error e = usage_error(
            fmt::format("unknown option '{}' for {}: did you mean {}?", typo->first, args[0], typo->second));
        report("kvspec: error: ", e.message(), " (Run with --help for more information.)\n");
        if (want_json && !write_all(stdout, kvspec::render_error_json(e))) return output_failed();
        return kExitBadInput;
      }
    std::reverse(args.begin(), args.end());
    try {
      app.parse(args);
    } catch (const CLI::ParseError& e) {
      int rc = app.exit(e);
      if (rc != 0 && want_json && !write_all(stdout, kvspec::render_error_json(usage_error(e.what()))))
        return output_failed();
      return rc == 0 ? kExitOk : kExitBadInput;
    }
    if (*completions) {
      const std::string script = kvspec::cli::completion_script(definition, shell);
      if (script.empty())
        return fail(kvspec::make_error(kvspec::ErrorCode::usage, "", "SHELL", "bash, zsh or fish",
                                       "'" + kvspec::escape_for_terminal(shell) + "'"));
      return write_all(stdout, script) ? kExitOk : output_failed();
    }
    if (*manpage) {
      const std::string page = kvspec::cli::man_page(
          definition, KVSPEC_VERSION,
          {{"MODEL", kModelForms}, {"EXIT STATUS", kExitCodes}, {"EXAMPLES", kExamples}});
      if (man_output.empty()) return write_all(stdout, page) ? kExitOk : output_failed();
      std::FILE* f = std::fopen(man_output.c_str(), "w");
      const bool ok = f != nullptr && write_all(f, page);
      if (f != nullptr && std::fclose(f) != 0) return output_failed();
      return ok ? kExitOk : output_failed();
    }
    struct Chosen {
      CLI::App* cmd;
      SizeOptions* opts;
    };
    for (Chosen c : {Chosen{inspect, &inspect_opts}, Chosen{compare, &compare_opts}, Chosen{fit, &fit_opts}})
      if (c.cmd->parsed())
        if (auto e = resolve_runtime_spellings(*c.opts, *c.cmd)) return fail(*e, want_json);
    if (*compare) {
      compare_opts.width = compare_wide ? 0 : terminal_width();
      return print(kvspec::compare_command(compare_models, compare_opts, format(compare_opts)), want_json);
    }
    if (*fit) return print(kvspec::fit_command(fit_model, fit_opts, format(fit_opts)), want_json);
    if (*families)
      return print(families_json ? kvspec::render_families_json() : kvspec::render_families_text());
    auto text = kvspec::inspect_command(inspect_model, inspect_opts, format(inspect_opts));
    if (text && inspect_model.empty() && !inspect_opts.json)
      return print(
          std::string("No MODEL given: showing the bundled example. Try `kvspec inspect PATH --context 32k`, "
                      "or --help.\n\n") +
          *text);
    return print(text, want_json);
  } catch (const std::bad_alloc&) {
    // Every limit keeps inputs within 64 MiB (docs/limits.md): running out is kvspec's failure, not the
    // input's.
    report("kvspec: internal error: out of memory\n");
    return kExitInternal;
  } catch (const std::exception& e) {
    report("kvspec: internal error: ", kvspec::escape_for_terminal(e.what()), "\n");
    return kExitInternal;
  } catch (...) {
    report("kvspec: internal error\n");
    return kExitInternal;
  }
}

}  // namespace

int main(int argc, char** argv) {
  guard_standard_descriptors();
  return finish(run(argc, argv));
}
