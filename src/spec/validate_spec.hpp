// One validation of a built spec, whatever its source (config.json or GGUF): the rules between fields that
// the runtimes themselves enforce. The readers only transcribe what a file says (each value within its own
// range); this judges the whole, so a config and a GGUF stating the same nonsense are refused alike. Each
// reader names its keys, so a message names the field as the file spells it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kvspec/error.hpp"
#include "kvspec/spec.hpp"

namespace kvspec {

struct SpecKeys {
  std::string file;
  std::string heads = "num_attention_heads";
  std::string kv_heads = "num_key_value_heads";
  bool kv_heads_per_layer = false;  // the key holds one entry per layer: messages add [layer]
  std::string experts = "num_experts";
  std::string experts_per_token = "num_experts_per_tok";
  std::string window = "sliding_window";
  std::string bits = "quantization_config.bits";
  // Query heads of each layer where the file states them per layer (GGUF arrays); empty: every layer has
  // spec.num_attention_heads.
  std::vector<std::int64_t> heads_per_layer;
};

// Refuses (bad_input, naming keys.file and the field):
//   - an attention layer whose KV heads exceed or do not divide its query heads (grouped-query attention
//     shares each KV head among heads / kv_heads query heads);
//   - a sliding or chunked layer whose window is below 1 token;
//   - more experts per token than experts;
//   - GPTQ bits outside {2, 3, 4, 8}, AWQ bits outside 2-8.
Status validate_spec(const ModelCacheSpec& spec, const SpecKeys& keys);

}  // namespace kvspec
