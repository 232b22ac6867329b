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
//   vision      vision_config's tower and the projector (plan/vision_estimate.cpp), in the model's dtype
// Sizes the config leaves to its class come from the registry's class defaults (LlamaConfig: intermediate
// 11008), each named in the caveats. Biases and recurrent mixers are left out (noted). Quantized configs
// (bits, group_size) take bits/8 bytes per parameter plus an f16 scale and bias per group; FP8 block
// quantization (weight_block_size) 1 byte per projection parameter plus a float32 scale per block.
#include <tuple>

#include <fmt/format.h>

#include "arch/config_view.hpp"
#include "arch/rule.hpp"
#include "format/model_description.hpp"
#include "format/safetensors.hpp"
#include "kvspec/gguf.hpp"
#include "kvspec/plan.hpp"
#include "plan/vision_estimate.hpp"
#include "source/resolve.hpp"
#include "spec/build.hpp"
#include "util/checked.hpp"

namespace kvspec {

namespace {

struct Counter {
  std::int64_t total = 0;
  bool overflow = false;
  // Projection matrices (what FP8 block quantization stores in 1 byte) and their scale blocks.
  std::int64_t linear = 0;
  std::int64_t blocks = 0;
  std::int64_t block_rows = 0, block_cols = 0;  // weight_block_size; 0 = no block quantization
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
  // `n` matrices of in × out (nn.Linear(in, out): weight [out, in], one scale per block of it).
  void matrix(std::int64_t in, std::int64_t out, std::int64_t n = 1) {
    auto p = checked_product(n, in, out);
    add(p);
    auto l = p ? checked_add(linear, *p) : std::nullopt;
    if (!l) overflow = true;
    linear = l.value_or(linear);
    if (block_rows > 0 && block_cols > 0) {
      auto b = checked_product(n, (out + block_rows - 1) / block_rows, (in + block_cols - 1) / block_cols);
      auto t = b ? checked_add(blocks, *b) : std::nullopt;
      if (!t) overflow = true;
      blocks = t.value_or(blocks);
    }
  }
};

// FP8 block quantization (DeepSeek-V3 / Qwen3-FP8 style): quantization_config.weight_block_size [rows, cols].
std::optional<std::pair<std::int64_t, std::int64_t>> fp8_blocks(const json::Value& root) {
  const json::Value* q = root.find("quantization_config");
  if (q == nullptr || !q->is_object()) return std::nullopt;
  const json::Value* b = q->find("weight_block_size");
  if (b == nullptr || !b->is_array() || b->as_array().size() != 2) return std::nullopt;
  const auto& a = b->as_array();
  if (!a[0].is_int() || !a[1].is_int() || a[0].as_int() <= 0 || a[1].as_int() <= 0 ||
      a[0].as_int() > (1 << 20) || a[1].as_int() > (1 << 20))
    return std::nullopt;
  return std::pair{a[0].as_int(), a[1].as_int()};
}

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
  const auto blocks = fp8_blocks(d->root());
  if (blocks) std::tie(n.block_rows, n.block_cols) = *blocks;
  // The text config's class, for the sizes a config leaves to it (LlamaConfig: intermediate_size 11008).
  const ArchRule* rule = find_rule(spec->text_model_type.value_or(spec->model_type));
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
  if (rule != nullptr) {
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
  if (!*inter && rule != nullptr && rule->defaults.intermediate_size) {
    *inter = rule->defaults.intermediate_size;
    w.notes.push_back(fmt::format("intermediate_size absent: {} from {}", **inter, rule->config_class));
  }
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
      // Head counts and dims are bounded by the spec (≤ 2^16 each), so these widths fit.
      if (q_lora > 0) {
        n.matrix(H, q_lora);
        n.matrix(q_lora, m.num_heads * qk);
      } else {
        n.matrix(H, m.num_heads * qk);
      }
      n.matrix(H, m.kv_lora_rank + m.qk_rope_head_dim);
      n.matrix(m.kv_lora_rank, m.num_heads * (m.qk_nope_head_dim + m.v_head_dim));
      n.matrix(m.num_heads * m.v_head_dim, H);
    } else {
      const std::int64_t hd = spec->head_dim > 0 ? spec->head_dim : H / std::max<std::int64_t>(heads, 1);
      const std::int64_t kv = l.num_kv_heads > 0 ? l.num_kv_heads : spec->num_kv_heads();
      n.matrix(H, heads * hd, 2);  // q and o
      n.matrix(H, kv * hd, 2);     // k and v
    }
    if (spec->moe && spec->moe->num_experts > 0 && i >= first_dense) {
      n.matrix(H, I_expert, 3 * spec->moe->num_experts);
      n.add(checked_mul(H, spec->moe->num_experts));  // the router (kept unquantized)
      n.matrix(H, shared_width, 3);
    } else {
      n.matrix(H, I, 3);
    }
  }
  n.add(H);  // final norm
  if (n.overflow)
    return make_error(ErrorCode::bad_input, d->config_file, "", "dimensions whose product fits",
                      "an overflow");
  if (recurrent > 0) w.notes.push_back(fmt::format("{} recurrent mixers not counted", recurrent));

  // The model's own dtype: what unquantized parameters take.
  std::int64_t per = 2;
  const std::string dt = spec->dtype.empty() ? "unstated, 2 bytes assumed" : spec->dtype;
  if (auto t = cache_dtype_from_torch(spec->dtype)) per = info(*t).block_bytes;
  auto vision = count_vision(*d, H);
  if (!vision) return vision.error();
  w.notes.insert(w.notes.end(), vision->caveats.begin(), vision->caveats.end());

  std::string how;
  const bool quantized = spec->quantization && (spec->quantization->bits || blocks);
  if (blocks) {
    // Projections in 1 byte with a float32 weight_scale_inv per block; embeddings, LM head, norms and routers
    // stay in the model's dtype (DeepSeek-V3 / Qwen3-FP8 checkpoints).
    std::string fmt_name = "fp8";
    if (const json::Value* q = d->root().find("quantization_config"))
      if (const json::Value* f = q->find("fmt"); f != nullptr && f->is_string())
        fmt_name += " " + f->as_string();
    auto scales = checked_mul(n.blocks, 4);
    auto rest = checked_mul(n.total - n.linear, per);
    auto b = scales && rest ? checked_add(n.linear, *scales) : std::nullopt;
    if (b) b = checked_add(*b, *rest);
    if (!b) return make_error(ErrorCode::bad_input, d->config_file, "", "sizes that fit", "an overflow");
    w.bytes = *b;
    how = fmt::format(
        "{}, blocks {}×{} (weight_block_size): {:.2f} B projection parameters × 1 byte + {} "
        "float32 block scales, the rest × {} bytes ({})",
        fmt_name, n.block_rows, n.block_cols, static_cast<double>(n.linear) / 1e9, n.blocks, per, dt);
  } else if (spec->quantization && spec->quantization->bits) {
    const std::int64_t bits = *spec->quantization->bits;
    // Per channel (-1): one scale per row of in_features values; the hidden size stands in for in_features.
    const bool per_channel = spec->quantization->group_size == -1;
    const std::int64_t group = per_channel ? std::max<std::int64_t>(spec->hidden_size, 1)
                                           : spec->quantization->group_size.value_or(64);
    auto packed = checked_mul(n.total, bits);
    auto scales = checked_mul(n.total / std::max<std::int64_t>(group, 1), 4);
    auto bytes = packed && scales ? checked_add(*packed / 8, *scales) : std::nullopt;
    if (!bytes) return make_error(ErrorCode::bad_input, d->config_file, "", "sizes that fit", "an overflow");
    w.bytes = *bytes;
    how = per_channel ? fmt::format(
                            "{}-bit, per-channel scales (group_size -1; hidden size {} values per "
                            "scale) ({})",
                            bits, group, spec->quantization->method)
                      : fmt::format("{}-bit, group {} ({})", bits, group, spec->quantization->method);
  } else {
    auto b = checked_mul(n.total, per);
    if (!b) return make_error(ErrorCode::bad_input, d->config_file, "", "sizes that fit", "an overflow");
    w.bytes = *b;
    how = fmt::format("{} byte{} ({})", per, per == 1 ? "" : "s", dt);
  }
  std::int64_t parameters = n.total;
  if (vision->parameters > 0) {
    // Vision towers and projectors are usually left unquantized (modules_to_not_convert, mlx-vlm).
    auto vb = checked_mul(vision->parameters, per);
    auto total = vb ? checked_add(w.bytes, *vb) : std::nullopt;
    auto p = checked_add(parameters, vision->parameters);
    if (!total || !p)
      return make_error(ErrorCode::bad_input, d->config_file, "", "sizes that fit", "an overflow");
    w.bytes = *total;
    parameters = *p;
    how += fmt::format("; vision tower {:.2f} B + projector {:.2f} B parameters × {} bytes",
                       static_cast<double>(vision->tower) / 1e9, static_cast<double>(vision->projector) / 1e9,
                       per);
    if (quantized) w.notes.push_back(fmt::format("vision tower and projector counted unquantized ({})", dt));
  }
  w.parameters = parameters;
  w.estimate = true;
  w.source = fmt::format("estimate from config.json: {:.2f} B parameters × {}",
                         static_cast<double>(parameters) / 1e9, how);
  return w;
}

Result<WeightsSize> estimate_weights(std::string_view model, const LoadOptions& options) {
  if (model.empty()) return estimate_weights_from_config(bundled_example_config(), bundled_example_name());
  auto loc = locate_model(model, options);
  if (!loc) return loc.error();
  if (is_gguf_location(*loc)) {  // GGUF: the tensor infos give the exact bytes
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
  auto w = estimate_weights_from_config(*text, loc->config_path);
  if (!w) return w.error();
  // A config-only download often keeps model.safetensors.index.json, whose metadata.total_size is the
  // weights' exact data bytes: better than any estimate (the parameter count stays estimated).
  auto total = st::index_total_size(loc->dir);
  if (!total) return total.error();
  if (*total) {
    w->notes.insert(
        w->notes.begin(),
        fmt::format("parameters estimated from config.json; bytes exact (the config-based estimate "
                    "was {})",
                    w->bytes));
    w->bytes = **total;
    w->estimate = false;
    w->source = fmt::format("exact, metadata.total_size of {}/model.safetensors.index.json", loc->dir);
  }
  return w;
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
