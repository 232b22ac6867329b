// The commands — inspect, compare, fit — as the CLI and the Python module run them: the options as a user
// writes them ("32k", "24GiB", "llama.cpp"), parsed and checked in one place, then load → spec → size →
// report. Errors name the option as the CLI spells it (field "--context").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kvspec/error.hpp"

namespace kvspec {

struct CommandOptions {
  std::string context;     // tokens per sequence: "4096", "32k", "1M"; empty = no sizing (inspect/compare)
  std::int64_t batch = 0;  // sequences; 0 = not given (1)
  std::string kv_dtype = "f16";  // or "auto": the model's dtype (as vLLM resolves --kv-cache-dtype auto)
  std::string v_dtype;           // empty = kv_dtype
  std::string hf_cache;          // empty = the environment's Hugging Face cache
  std::string runtime = "exact";
  std::int64_t images = -1;  // images per sequence for image cross-attention (Mllama); -1 = not given (1)
  std::size_t width = 0;     // compare's text table: the terminal's columns; 0 = no limit (see ReportOptions)
  // llama.cpp
  std::int64_t parallel = 0;  // n_seq_max (the same as batch; both given must agree); 0 = not given
  bool kv_unified = false;
  std::int64_t ubatch = 512;
  std::string flash_attn = "auto";
  bool swa_full = false;
  // mlx
  std::int64_t kv_bits = 0;  // 0 = unquantized cache
  // vllm
  std::int64_t block_size = 16;
  std::int64_t max_num_batched_tokens = 8192;
  // fit: the share of --memory vLLM plans weights + cache within (0 < F <= 1); 0 = not given (vLLM's 0.9).
  double gpu_memory_utilization = 0;
  std::int64_t tp = 1;
  std::int64_t pp = 1;
  // budgets
  std::string memory;   // inspect: memory for the cache; fit: the device's memory ("24GiB", "80GB")
  std::string reserve;  // kept free out of memory
  std::string weights;  // fit: weights bytes instead of the headers / estimate
  // The context limit ("256k"): empty = the model's max_position_embeddings. Past it, inspect warns and fit
  // caps; set it to plan past the model's positions on purpose (rope scaling).
  std::string max_context;
  // Which file of a folder holding both config.json and a GGUF: "hf", "gguf", or empty = the GGUF for
  // --runtime llama.cpp, else config.json.
  std::string format;
  // remote models (hf://, org/name not in the local cache, org/name:QUANT, URLs)
  bool offline = false;         // no network (also HF_HUB_OFFLINE=1)
  bool refresh = false;         // ignore kvspec's cache
  bool no_cache = false;        // neither read nor write kvspec's cache
  bool quiet = false;           // no progress on stderr
  double timeout = 60;          // seconds for one transfer
  double connect_timeout = 10;  // seconds to connect
  std::int64_t retries = 3;     // retries of 429 / 5xx answers
  double retry_wait = 1;        // seconds before the first retry (doubling), unless Retry-After says
};

enum class OutputFormat : std::uint8_t { text, json };

// One model (a path, a repo id, or the bundled example when `model` is empty), as `kvspec inspect`.
Result<std::string> inspect_command(const std::string& model, const CommandOptions& options,
                                    OutputFormat format);
// Several models side by side, as `kvspec compare`.
Result<std::string> compare_command(const std::vector<std::string>& models, const CommandOptions& options,
                                    OutputFormat format);
// The largest context (options.batch given or neither) or batch (options.context given) that fits
// options.memory, as `kvspec fit`.
Result<std::string> fit_command(const std::string& model, const CommandOptions& options, OutputFormat format);

}  // namespace kvspec
