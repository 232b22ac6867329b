#include "format/weights_evidence.hpp"

#include <string>

#include "util/checked.hpp"

namespace kvspec {

namespace {

const st::Tensor* find(const TensorIndex& index, const std::string& name) {
  auto it = index.find(name);
  return it == index.end() ? nullptr : it->second;
}

// Output width of the linear module `prefix` (e.g. "model.layers.0.self_attn.k_proj"), whatever its storage:
// plain, FP8 and MLX-packed weights are [out, in·] (MLX packs the input dim: mlx/nn/layers/quantized.py
// QuantizedLinear), compressed-tensors `weight_packed` is [out, in/pack]; GPTQ `qweight` is [in/pack, out]
// and AWQ's [in, out/pack], so for those the `scales` [in/group, out] give the width (auto_gptq / autoawq
// packing).
std::optional<std::int64_t> output_width(const TensorIndex& index, const std::string& prefix) {
  if (find(index, prefix + ".qweight") != nullptr) {
    const st::Tensor* s = find(index, prefix + ".scales");
    if (s != nullptr && s->shape.size() == 2) return s->shape[1];
    return std::nullopt;
  }
  bool bnb4 = find(index, prefix + ".weight.absmax") != nullptr;  // bitsandbytes 4-bit: flattened [n/2, 1]
  for (const char* leaf : {".weight", ".weight_packed"}) {
    const st::Tensor* w = find(index, prefix + leaf);
    if (w != nullptr && w->shape.size() == 2 && !bnb4) return w->shape[0];
  }
  const st::Tensor* b = find(index, prefix + ".bias");
  if (b != nullptr && b->shape.size() == 1) return b->shape[0];
  return std::nullopt;
}

std::string join(const std::vector<std::string_view>& tokens, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count && i < tokens.size(); ++i) {
    if (i) out += '.';
    out += tokens[i];
  }
  return out;
}

// Position of the layer number in `tokens` (decoder_layer found it, so it exists).
std::size_t layer_token(const std::vector<std::string_view>& tokens) {
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i)
    if ((tokens[i] == "layers" || tokens[i] == "h" || tokens[i] == "blocks" || tokens[i] == "layer" ||
         tokens[i] == "block") &&
        !tokens[i + 1].empty() && tokens[i + 1][0] >= '0' && tokens[i + 1][0] <= '9')
      return i + 1;
  return 0;
}

}  // namespace

WeightsEvidence weights_evidence(const st::Checkpoint& ck, const TensorIndex& index) {
  WeightsEvidence ev;
  ev.file = ck.index_path.value_or(ck.files.empty() ? ck.dir : ck.files.front().path);
  constexpr std::int64_t kMaxEvidenceLayers = 10'000;  // the config's own layer limit
  for (const auto& f : ck.files) {
    for (const auto& t : f.tensors) {
      auto tokens = split_name(t.name);
      auto layer = decoder_layer(tokens);
      if (!layer || *layer >= kMaxEvidenceLayers) continue;
      if (static_cast<std::size_t>(*layer) >= ev.layers.size())
        ev.layers.resize(static_cast<std::size_t>(*layer) + 1);
      LayerEvidence& le = ev.layers[static_cast<std::size_t>(*layer)];
      ++le.tensors;
      if (tokens.size() < 2) continue;
      std::size_t at = layer_token(tokens);
      std::string_view module = tokens[tokens.size() - 2];
      std::string_view leaf = tokens.back();
      bool recurrent = false;
      for (auto tok : tokens) recurrent = recurrent || is_recurrent_token(tok);
      if (at + 1 < tokens.size() && tokens[at + 1] == "conv") recurrent = true;  // LFM2 ShortConv
      if (recurrent) {
        le.has_recurrent_mixer = true;
        // conv1d weight: [C, 1, K] in transformers, [C, K, 1] in MLX; the cache keeps K − 1 columns.
        if ((module == "conv1d" || module == "conv") && leaf == "weight" && t.shape.size() == 3) {
          // Checked: a zero-element tensor ([0, 2^32, 2^32]) passes the header's size check.
          auto k = checked_mul(t.shape[1], t.shape[2]);
          if (auto v = k && *k >= 1 ? checked_mul(t.shape[0], *k - 1) : std::nullopt)
            le.conv_state_values = *v;
        }
        if (leaf == "A_log" && t.shape.size() == 2) le.ssm_state_values = t.elements();  // Mamba-1
        bool in_linear_attn = false;
        for (auto tok : tokens) in_linear_attn = in_linear_attn || tok == "linear_attn";
        if (leaf == "A_log" && t.shape.size() == 1 && !in_linear_attn) {
          // Mamba-2: the gated RMSNorm spans d_inner (transformers MambaRMSNormGated(intermediate_size)).
          std::string parent = join(tokens, tokens.size() - 1);
          if (const st::Tensor* n = find(index, parent + ".norm.weight");
              n != nullptr && n->shape.size() == 1)
            le.ssm_inner = n->shape[0];
        }
        continue;
      }
      if (is_attention_projection(module)) {
        le.has_attention = true;
        std::string prefix = join(tokens, tokens.size() - 1);
        if ((module == "k_proj" || module == "wk") && !le.k_width) le.k_width = output_width(index, prefix);
        if ((module == "v_proj" || module == "wv") && !le.v_width) le.v_width = output_width(index, prefix);
      }
    }
  }
  return ev;
}

}  // namespace kvspec
