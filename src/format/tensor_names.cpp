#include "format/tensor_names.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace kvspec {

namespace {

template <std::size_t N>
bool in(std::string_view s, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

// Vision towers and projectors: llava/gemma3/mistral3 `vision_tower`, mllama `vision_model`, qwen2-vl
// `visual`, `multi_modal_projector` / `mm_projector`, idefics `connector`.
constexpr std::array<std::string_view, 9> kVisionTokens{
    "vision_tower", "vision_model", "visual",        "vision",   "multi_modal_projector",
    "mm_projector", "vision_embed", "image_newline", "connector"};
// Stacks that are not the decoder: encoders (T5, Whisper), audio towers, DeepSeek's multi-token-prediction
// head.
constexpr std::array<std::string_view, 6> kNonDecoderTokens{"encoder", "audio_tower",  "audio_model",
                                                            "mtp",     "speech_model", "audio"};
constexpr std::array<std::string_view, 5> kLayerTokens{"layers", "h", "blocks", "layer", "block"};

constexpr std::array<std::string_view, 17> kAttentionProjections{
    "q_proj", "k_proj", "v_proj", "qkv_proj", "query_key_value",    "c_attn",   "Wqkv",      "wqkv",
    "W_pack", "wq",     "wk",     "wv",       "kv_a_proj_with_mqa", "q_a_proj", "kv_b_proj", "q_b_proj",
    "qkv"};
constexpr std::array<std::string_view, 11> kAttentionTokens{
    "self_attn",  "attn", "attention", "cross_attn",          "self_attention", "encoder_attn",
    "attn_layer", "mha",  "sa",        "temporal_block_attn", "global_attn"};
constexpr std::array<std::string_view, 7> kRecurrentTokens{"mamba", "linear_attn", "ssm",   "conv1d",
                                                           "A_log", "dt_bias",     "mamba2"};
constexpr std::array<std::string_view, 14> kMlpTokens{
    "mlp",  "feed_forward", "ffn",           "block_sparse_moe", "moe",    "dense", "fc1", "fc2",
    "c_fc", "c_proj",       "shared_expert", "shared_experts",   "router", "gate"};
constexpr std::array<std::string_view, 4> kMlpModules{"up_proj", "down_proj", "gate_proj", "gate_up_proj"};

bool is_number(std::string_view s) {
  if (s.empty() || s.size() > 9) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

}  // namespace

TensorIndex index_tensors(const st::Checkpoint& ck) {
  TensorIndex idx;
  idx.reserve(static_cast<std::size_t>(ck.tensor_count()));
  for (const auto& f : ck.files)
    for (const auto& t : f.tensors) idx.emplace(t.name, &t);
  return idx;
}

std::vector<std::string_view> split_name(std::string_view name) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = name.find('.', start);
    out.push_back(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

std::optional<std::int64_t> decoder_layer(const std::vector<std::string_view>& tokens) {
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (in(tokens[i], kVisionTokens) || in(tokens[i], kNonDecoderTokens)) return std::nullopt;
    if (in(tokens[i], kLayerTokens) && is_number(tokens[i + 1])) {
      std::int64_t n = 0;
      std::from_chars(tokens[i + 1].data(), tokens[i + 1].data() + tokens[i + 1].size(), n);
      return n;
    }
  }
  return std::nullopt;
}

bool is_attention_projection(std::string_view module) {
  return in(module, kAttentionProjections);
}

bool is_recurrent_token(std::string_view token) {
  return in(token, kRecurrentTokens) || token.rfind("time_", 0) == 0;  // RWKV: time_decay, time_mix_k, ...
}

WeightComponent classify_component(const std::vector<std::string_view>& tokens) {
  if (tokens.empty()) return WeightComponent::other;
  for (auto t : tokens)
    if (in(t, kVisionTokens)) return WeightComponent::vision;
  // The module is the token before the leaf ("weight", "bias", "scales", ...).
  std::string_view module = tokens.size() >= 2 ? tokens[tokens.size() - 2] : tokens[0];
  for (auto t : tokens)
    if (t == "lm_head" || t == "embed_out") return WeightComponent::lm_head;
  if (tokens.size() == 2 && tokens[0] == "output") return WeightComponent::lm_head;  // Meta's original layout
  for (auto t : tokens)
    if (contains(t, "embed") || t == "wte" || t == "wpe") return WeightComponent::embeddings;
  if (tokens.size() == 2 && tokens[0] == "shared")
    return WeightComponent::embeddings;  // T5's shared embedding
  if (contains(module, "norm") || module.rfind("ln", 0) == 0 || module == "layernorm")
    return WeightComponent::norms;
  for (auto t : tokens)
    if (t == "experts" || t == "switch_mlp") return WeightComponent::moe_experts;
  for (auto t : tokens)
    if (is_recurrent_token(t)) return WeightComponent::recurrent;
  if (tokens.size() >= 2 && is_recurrent_token(tokens.back())) return WeightComponent::recurrent;
  bool mixer = std::find(tokens.begin(), tokens.end(), std::string_view("mixer")) != tokens.end();
  if (mixer) {
    // Nemotron-H puts attention, Mamba and MLP blocks all under `mixer`: the projection names tell them
    // apart.
    if (is_attention_projection(module) || module == "o_proj") return WeightComponent::attention;
    if (in(module, kMlpModules)) return WeightComponent::mlp;
    return WeightComponent::recurrent;
  }
  for (auto t : tokens)
    if (in(t, kAttentionTokens)) return WeightComponent::attention;
  if (is_attention_projection(module) || module == "o_proj") return WeightComponent::attention;
  for (auto t : tokens)
    if (t == "conv" || t == "linear_attention") return WeightComponent::recurrent;  // LFM2 short convolution
  for (auto t : tokens)
    if (in(t, kMlpTokens)) return WeightComponent::mlp;
  if (in(module, kMlpModules)) return WeightComponent::mlp;
  return WeightComponent::other;
}

std::string_view to_string(WeightComponent c) {
  switch (c) {
    case WeightComponent::embeddings:
      return "embeddings";
    case WeightComponent::attention:
      return "attention";
    case WeightComponent::recurrent:
      return "recurrent";
    case WeightComponent::mlp:
      return "mlp";
    case WeightComponent::moe_experts:
      return "moe_experts";
    case WeightComponent::norms:
      return "norms";
    case WeightComponent::lm_head:
      return "lm_head";
    case WeightComponent::vision:
      return "vision";
    case WeightComponent::other:
      return "other";
  }
  return "?";
}

}  // namespace kvspec
