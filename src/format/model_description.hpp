// The neutral model description every source produces and the architecture rules read: the parsed config
// (with the nested text config located), plus what the weights show when their headers were read (tier 2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "json/json.hpp"

namespace kvspec {

// What one layer's tensors show (tier 2). Filled by the safetensors / GGUF readers.
struct LayerEvidence {
  bool has_attention = false;           // q/k/v projections present
  std::optional<std::int64_t> k_width;  // output width of k_proj = kv_heads × head_dim_k
  std::optional<std::int64_t> v_width;  // output width of v_proj = kv_heads × head_dim_v
  bool has_recurrent_mixer = false;     // Mamba / linear-attention mixer tensors present
  std::int64_t tensors = 0;             // tensors under this layer (0: the layer has none in the weights)
  std::optional<std::int64_t> conv_state_values;  // conv1d [channels, 1, kernel]: channels × (kernel − 1)
  std::optional<std::int64_t> ssm_state_values;   // Mamba-1 A_log [d_inner, d_state]: its element count
  std::optional<std::int64_t> ssm_inner;  // Mamba-2: d_inner (gated norm width), state = d_inner × d_state
};

struct WeightsEvidence {
  std::string file;                   // header the evidence came from (for messages)
  std::vector<LayerEvidence> layers;  // indexed by layer number
};

struct ModelDescription {
  std::string config_file;  // path (or name) of config.json, for messages
  std::string name;         // what the user asked for
  json::Document doc;       // the parsed config.json
  std::string text_key;     // "" when the text config is the root, else e.g. "text_config"
  std::optional<WeightsEvidence> weights;

  [[nodiscard]] const json::Value& root() const { return doc.root; }
  [[nodiscard]] const json::Value& text() const {
    if (text_key.empty()) return doc.root;
    const json::Value* t = doc.root.find(text_key);
    return t ? *t : doc.root;
  }
};

// Keys under which multimodal and wrapper configs nest their language model's config.
inline constexpr const char* kTextConfigKeys[] = {"text_config", "llm_config", "language_config",
                                                  "text_model"};

// Parses config.json text into a description (locating the nested text config). `file` names it in messages.
Result<ModelDescription> describe_config(std::string_view text, std::string file, std::string name);

}  // namespace kvspec
