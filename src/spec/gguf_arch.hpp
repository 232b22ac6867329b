// llama.cpp's per-architecture rules for GGUF files, as a table (the GGUF counterpart of src/arch/): which
// layers are windowed and how, the built-in window sizes and periods used where the file says nothing, and
// which layers are recurrent. Keyed on `general.architecture`. Learned from llama.cpp src/llama-model.cpp
// load_hparams (00342301), src/llama-arch.cpp llm_arch_is_recurrent / llm_arch_is_hybrid (00395eb2) and
// src/llama-hparams.cpp set_swa_pattern / n_embd_r / n_embd_s (01b77b5).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kvspec {

// llama_swa_type.
enum class GgufSwa : std::uint8_t { none, standard, chunked, symmetric };

// When the architecture's window applies.
enum class GgufWindowRule : std::uint8_t {
  always,       // windowed; n_swa from `attention.sliding_window`, else `default_window`
  if_positive,  // windowed only when the file states sliding_window > 0 (olmo2, smallthinker)
  unless_zero,  // windowed unless the file states sliding_window = 0 (llama4)
  ignored,      // llama.cpp reads the key but runs every layer full (phi3: "Phi SWA is currently disabled")
};

// Which layers are recurrent (hparams.recurrent_layer_arr).
enum class GgufRecurrent : std::uint8_t {
  none,
  all,              // llm_arch_is_recurrent: mamba, mamba2, rwkv6, rwkv6qwen2, rwkv7, arwkv7
  kv_zero,          // head_count_kv[i] == 0 (jamba, plamo2, granitehybrid, lfm2, lfm2moe, kimi-linear)
  kv_zero_ff_zero,  // head_count_kv[i] == 0 && feed_forward_length[i] == 0 (nemotron_h)
  interval,  // attention.recurrent_layers, else (i + 1) % full_attention_interval != 0 (qwen3next, qwen35)
  every_layer_too,  // falcon-h1: every layer has attention and a recurrent state
};

struct GgufArchRule {
  std::string_view arch;
  GgufSwa swa = GgufSwa::none;
  GgufWindowRule window_rule = GgufWindowRule::always;
  std::int64_t period = 0;   // set_swa_pattern(period); 0 = the file's pattern array decides
  bool dense_first = false;  // set_swa_pattern(period, dense_first)
  std::optional<std::int64_t> default_window;  // n_swa when the file has no sliding_window
  bool window_forced = false;                  // llama.cpp replaces the file's n_swa with default_window
  std::int64_t only_if_layers = 0;             // exaone4: windowed only for this block count
  GgufRecurrent recurrent = GgufRecurrent::none;
  std::int64_t default_interval = 0;       // GgufRecurrent::interval
  std::int64_t kv_layers_from_start = -1;  // gemma3n: only the first 20 layers own KV
  std::string_view source;                 // the llama.cpp code it was read from
};

const GgufArchRule* find_gguf_arch(std::string_view arch);

}  // namespace kvspec
