// Weights estimated from config.json, for the planner until weights headers are read: a decoder's parameter
// count from its dimensions, times the bytes each parameter takes. Labelled an estimate everywhere it is
// shown.
//
//   embeddings  vocab_size × hidden (+ the same again for an untied LM head: tie_word_embeddings false)
//   attention   q hidden × heads·hd, k and v hidden × kv_heads·hd each, o heads·hd × hidden; MLA: q (through
//               q_lora_rank when set), kv_a hidden × (kv_lora_rank + rope), kv_b kv_lora_rank × heads·(nope +
//               v), o heads·v × hidden
//   MLP         gated (gate, up, down): 3 × hidden × intermediate; MoE: experts × 3 × hidden × expert width,
//               + router hidden × experts, + shared experts; DeepSeek's first_k_dense_replace layers dense
//   norms       2 × hidden per layer + the final norm
// Biases, recurrent mixers and vision towers are left out (noted). Quantized configs (bits, group_size) take
// bits/8 bytes per parameter plus an f16 scale and bias per group.
#include <fmt/format.h>

#include "arch/config_view.hpp"
#include "arch/rule.hpp"
#include "format/model_description.hpp"
#include "kvspec/gguf.hpp"
#include "kvspec/plan.hpp"
#include "source/resolve.hpp"
#include "spec/build.hpp"
#include "util/checked.hpp"

namespace kvspec {

namespace {

struct Counter {
  std::int64_t total = 0;
  bool overflow = false;
  void add(std::optional<std::int64_t> v) {
    if (!v) {
      overflow = true;
      return;
    }
    auto s = checked_add(total, *v);
    if (!s)
      overflow = true;
    else
      total = *s;
  }
};

std::int64_t value_or(const Result<std::optional<std::int64_t>>& r, std::int64_t fallback) {
  return r && *r ? **r : fallback;
}

}  // namespace

Result<WeightsSize> estimate_weights_from_config(std::string_view config_json, std::string_view name) {
  auto d = describe_config(config_json, std::string(name), std::string(name));
  if (!d) return d.error();
  auto spec = build_spec(*d);
  if (!spec) return spec.error();
  ConfigView cfg(*d);
  WeightsSize w;
  const std::int64_t H = spec->hidden_size;
  const std::int64_t L = spec->num_layers();
  const std::int64_t heads = spec->num_attention_heads;
  if (H <= 0) return cfg.error("hidden_size", "the hidden size, to estimate the weights", "none");

  Counter n;
  std::optional<std::int64_t> vocab;
  {
    auto v = cfg.integer("vocab_size", 1, std::int64_t{1} << 32);
    if (!v) return v.error();
    vocab = *v;
    // Wrappers sometimes state it beside the nested text config.
    const json::Value* rv = d->root().find("vocab_size");
    if (!vocab && rv != nullptr && rv->is_int() && rv->as_int() > 0) vocab = rv->as_int();
  }
  auto tie = cfg.boolean("tie_word_embeddings");
  if (!tie) return tie.error();
  // A nested text config often leaves both to its class (Gemma3TextConfig: 262208, tied).
  if (const ArchRule* rule = find_rule(spec->text_model_type.value_or(spec->model_type))) {
    if (!vocab && rule->defaults.vocab_size) {
      vocab = rule->defaults.vocab_size;
      w.notes.push_back(fmt::format("vocab_size absent: {} from {}", *vocab, rule->config_class));
    }
    if (!tie->has_value() && rule->defaults.tie_word_embeddings) *tie = rule->defaults.tie_word_embeddings;
  }
  if (vocab) {
    n.add(checked_mul(*vocab, H));
    if (!tie->value_or(false)) n.add(checked_mul(*vocab, H));
    if (!tie->has_value()) w.notes.push_back("tie_word_embeddings absent: an untied LM head counted");
  } else {
    w.notes.push_back("vocab_size absent: embeddings and LM head not counted");
  }

  auto inter = cfg.integer("intermediate_size", 1, std::int64_t{1} << 32);
  if (!inter) return inter.error();
  const std::int64_t I = inter->value_or(0);
  const std::int64_t I_expert = value_or(cfg.integer("moe_intermediate_size", 1, 1LL << 32), I);
  const std::int64_t shared_width = value_or(cfg.integer("shared_expert_intermediate_size", 1, 1LL << 32),
                                             spec->moe ? spec->moe->num_shared_experts * I_expert : 0);
  const std::int64_t first_dense = value_or(cfg.integer("first_k_dense_replace", 0, kMaxLayers), 0);
  if (I == 0 && !spec->moe) w.notes.push_back("intermediate_size absent: MLP not counted");
  const std::int64_t q_lora = value_or(cfg.integer("q_lora_rank", 1, 1LL << 20), 0);

  std::int64_t recurrent = 0;
  for (std::int64_t i = 0; i < L; ++i) {
    const LayerSpec& l = spec->layers[static_cast<std::size_t>(i)];
    n.add(2 * H);  // input and post-attention norms
    if (l.kind == LayerKind::recurrent) {
      ++recurrent;
    } else if (l.kind == LayerKind::mla && spec->mla) {
      const MlaDims& m = *spec->mla;
      const std::int64_t qk = m.qk_nope_head_dim + m.qk_rope_head_dim;
      if (q_lora > 0) {
        n.add(checked_mul(H, q_lora));
        n.add(checked_product(q_lora, m.num_heads, qk));
      } else {
        n.add(checked_product(H, m.num_heads, qk));
      }
      n.add(checked_mul(H, m.kv_lora_rank + m.qk_rope_head_dim));
      n.add(checked_product(m.kv_lora_rank, m.num_heads, m.qk_nope_head_dim + m.v_head_dim));
      n.add(checked_product(m.num_heads, m.v_head_dim, H));
    } else {
      const std::int64_t hd = spec->head_dim > 0 ? spec->head_dim : H / std::max<std::int64_t>(heads, 1);
      const std::int64_t kv = l.num_kv_heads > 0 ? l.num_kv_heads : spec->num_kv_heads();
      n.add(checked_product(2, H, heads, hd));  // q and o
      n.add(checked_product(2, H, kv, hd));     // k and v
    }
    if (spec->moe && spec->moe->num_experts > 0 && i >= first_dense) {
      n.add(checked_product(3, H, I_expert, spec->moe->num_experts));
      n.add(checked_mul(H, spec->moe->num_experts));
      n.add(checked_product(3, H, shared_width));
    } else {
      n.add(checked_product(3, H, I));
    }
  }
  n.add(H);  // final norm
  if (n.overflow)
    return make_error(ErrorCode::bad_input, d->config_file, "", "dimensions whose product fits",
                      "an overflow");
  if (recurrent > 0) w.notes.push_back(fmt::format("{} recurrent mixers not counted", recurrent));
  w.parameters = n.total;

  std::string how;
  if (spec->quantization && spec->quantization->bits) {
    const std::int64_t bits = *spec->quantization->bits;
    const std::int64_t group = spec->quantization->group_size.value_or(64);
    auto packed = checked_mul(n.total, bits);
    auto scales = checked_mul(n.total / std::max<std::int64_t>(group, 1), 4);
    auto bytes = packed && scales ? checked_add(*packed / 8, *scales) : std::nullopt;
    if (!bytes) return make_error(ErrorCode::bad_input, d->config_file, "", "sizes that fit", "an overflow");
    w.bytes = *bytes;
    how = fmt::format("{}-bit, group {} ({})", bits, group, spec->quantization->method);
  } else {
    std::int64_t per = 2;
    std::string dt = spec->dtype.empty() ? "unstated, 2 bytes assumed" : spec->dtype;
    if (auto t = cache_dtype_from_torch(spec->dtype)) per = info(*t).block_bytes;
    auto b = checked_mul(n.total, per);
    if (!b) return make_error(ErrorCode::bad_input, d->config_file, "", "sizes that fit", "an overflow");
    w.bytes = *b;
    how = fmt::format("{} byte{} ({})", per, per == 1 ? "" : "s", dt);
  }
  w.estimate = true;
  w.source = fmt::format("estimate from config.json: {:.2f} B parameters × {}",
                         static_cast<double>(n.total) / 1e9, how);
  return w;
}

Result<WeightsSize> estimate_weights(std::string_view model, const LoadOptions& options) {
  if (model.empty()) return estimate_weights_from_config(bundled_example_config(), bundled_example_name());
  auto loc = locate_model(model, options);
  if (!loc) return loc.error();
  if (is_gguf_path(loc->config_path)) {  // GGUF: the tensor infos give the exact bytes
    auto spec = spec_from_gguf(loc->config_path);
    if (!spec) return spec.error();
    WeightsSize w;
    w.bytes = spec->weights ? spec->weights->total_bytes : 0;
    if (spec->weights) w.parameters = spec->weights->parameters;
    w.estimate = false;
    w.source = "GGUF tensor infos: " + loc->config_path;
    if (spec->gguf && !spec->gguf->tensor_data_present)
      w.notes.push_back("header-only copy: sized from its tensor infos");
    return w;
  }
  auto text = json::read_file_bounded(loc->config_path, json::kMaxConfigBytes);
  if (!text) return text.error();
  return estimate_weights_from_config(*text, loc->config_path);
}

Result<WeightsSize> weights_for_fit(const ModelCacheSpec& spec, std::string_view model,
                                    const LoadOptions& options) {
  if (!spec.weights) return estimate_weights(model, options);
  WeightsSize w;
  w.bytes = spec.weights->total_bytes;
  w.parameters = spec.weights->parameters;
  w.estimate = false;
  w.source = fmt::format("exact, from the headers of {} weight file{}", spec.weights->files.size(),
                         spec.weights->files.size() == 1 ? "" : "s");
  return w;
}

}  // namespace kvspec
