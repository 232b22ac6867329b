#include "spec/validate_spec.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace kvspec {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool grouped_attention(LayerKind k) {
  return k == LayerKind::full_attention || k == LayerKind::sliding_attention ||
         k == LayerKind::chunked_attention || k == LayerKind::cross_attention;
}

}  // namespace

Status validate_spec(const ModelCacheSpec& spec, const SpecKeys& keys) {
  auto bad = [&](const std::string& field, std::string expected, std::string found) -> Status {
    return make_error(ErrorCode::bad_input, keys.file, field, std::move(expected), std::move(found));
  };

  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    // Grouped-query attention: each KV head serves heads / kv_heads query heads (transformers repeat_kv,
    // llama.cpp's GQA broadcast in ggml_mul_mat: ne[2] of Q a multiple of K's). MLA caches a latent instead.
    const std::int64_t heads =
        i < keys.heads_per_layer.size() ? keys.heads_per_layer[i] : spec.num_attention_heads;
    if (grouped_attention(l.kind) && heads > 0 && l.num_kv_heads > 0 &&
        (l.num_kv_heads > heads || heads % l.num_kv_heads != 0))
      return bad(keys.kv_heads_per_layer ? fmt::format("{}[{}]", keys.kv_heads, i) : keys.kv_heads,
                 fmt::format("a divisor of {} ({})", keys.heads, heads), std::to_string(l.num_kv_heads));
    // A window of 0 tokens attends to nothing; configs refuse it as a field value (sliding_window ≥ 1), and a
    // GGUF's stated 0 replaces llama.cpp's default (get_key(LLM_KV_ATTENTION_SLIDING_WINDOW, n_swa, false)).
    if ((l.kind == LayerKind::sliding_attention || l.kind == LayerKind::chunked_attention) && l.window &&
        *l.window < 1)
      return bad(keys.window, "a window of at least 1 token", std::to_string(*l.window));
  }

  // llama.cpp load_hparams: GGML_ASSERT(hparams.n_expert_used <= hparams.n_expert); a router cannot pick more
  // experts than it has (torch.topk(k > n) raises in transformers). 0 means the file does not say.
  if (spec.moe && spec.moe->experts_per_token > spec.moe->num_experts)
    return bad(keys.experts_per_token,
               fmt::format("at most the {} experts ({})", spec.moe->num_experts, keys.experts),
               std::to_string(spec.moe->experts_per_token));

  if (spec.quantization && spec.quantization->bits) {
    const std::string method = lower(spec.quantization->method);
    const std::int64_t bits = *spec.quantization->bits;
    // transformers GPTQConfig.post_init (utils/quantization_config.py, 000e2231; optimum GPTQQuantizer
    // alike): "Only support quantization to [2,3,4,8] bits".
    if (method == "gptq" && bits != 2 && bits != 3 && bits != 4 && bits != 8)
      return bad(keys.bits, "2, 3, 4 or 8 (GPTQ bits, as transformers' GPTQConfig accepts)",
                 std::to_string(bits));
    // transformers AwqConfig checks no bits and vLLM's AWQConfig takes only 4; AWQ packs 32 / bits values per
    // int32, so kvspec takes the widths a packer can write, 2 to 8.
    if (method == "awq" && (bits < 2 || bits > 8))
      return bad(keys.bits, "2 to 8 (AWQ bits)", std::to_string(bits));
  }
  return Ok{};
}

}  // namespace kvspec
