#include "spec/model_facts.hpp"

#include <fmt/format.h>

namespace kvspec {

namespace {

// A key in the text config, else in the nested object `parent` (e.g. dbrx's ffn_config), with its dotted
// path.
Result<std::optional<ConfigView::Named>> int_from(const ConfigView& cfg,
                                                  std::initializer_list<std::string_view> keys,
                                                  std::string_view parent, std::int64_t lo, std::int64_t hi) {
  using Found = std::optional<ConfigView::Named>;
  auto r = cfg.first_integer(keys, lo, hi);
  if (!r) return r.error();
  if (*r) return Found{ConfigView::Named{(*r)->value, cfg.path((*r)->key)}};
  if (parent.empty()) return Found{};
  const json::Value* p = cfg.raw(parent);
  if (p == nullptr || !p->is_object()) return Found{};
  for (std::string_view key : keys) {
    const json::Value* v = p->find(key);
    if (v == nullptr || v->is_null()) continue;
    std::string path = cfg.path(std::string(parent) + "." + std::string(key));
    auto n = cfg.as_integer(*v, path, lo, hi);
    if (!n) return n.error();
    return Found{ConfigView::Named{*n, path}};
  }
  return Found{};
}

Status read_moe(const ConfigView& cfg, ModelCacheSpec& spec, SpecKeys& keys) {
  auto experts = int_from(cfg, {"num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"},
                          "ffn_config", 0, kMaxExperts);
  if (!experts) return experts.error();
  if (!*experts || (*experts)->value <= 1) return Ok{};
  auto per_tok =
      int_from(cfg, {"num_experts_per_tok", "moe_top_k", "moe_k", "num_experts_per_token", "top_k"},
               "ffn_config", 1, kMaxExperts);
  if (!per_tok) return per_tok.error();
  auto shared =
      int_from(cfg, {"n_shared_experts", "num_shared_experts", "moe_num_shared_experts", "num_shared_expert"},
               "", 0, kMaxExperts);
  if (!shared) return shared.error();
  MoeSpec moe;
  moe.num_experts = (*experts)->value;
  keys.experts = (*experts)->key;
  moe.experts_per_token = *per_tok ? (*per_tok)->value : 0;
  if (*per_tok) keys.experts_per_token = (*per_tok)->key;
  if (*shared) {
    moe.num_shared_experts = (*shared)->value;
  } else {
    // Qwen-MoE states its always-on shared expert by its width alone.
    auto width = cfg.integer("shared_expert_intermediate_size", 0, kMaxHidden * 16);
    if (!width) return width.error();
    if (width->value_or(0) > 0) moe.num_shared_experts = 1;
  }
  spec.moe = moe;
  return Ok{};
}

Result<std::optional<Quantization>> quantization_from(const ConfigView& cfg, std::string_view key) {
  const json::Value* q = cfg.root().find(key);
  if (q == nullptr || q->is_null()) return std::optional<Quantization>{};
  if (!q->is_object())
    return make_error(ErrorCode::bad_input, cfg.file(), std::string(key), "an object", q->describe());
  Quantization out;
  out.field = std::string(key);
  auto get_int = [&](std::string_view name) -> Result<std::optional<std::int64_t>> {
    const json::Value* v = q->find(name);
    if (v == nullptr || v->is_null()) return std::optional<std::int64_t>{};
    auto n = cfg.as_integer(*v, std::string(key) + "." + std::string(name), 1, 1 << 20);
    if (!n) return n.error();
    return std::optional<std::int64_t>{*n};
  };
  auto bits = get_int("bits");
  if (!bits) return bits.error();
  // GPTQ's group_size -1 means no groups: one scale per output channel (quantize_config.json, AutoGPTQ).
  std::optional<std::int64_t> per_channel;
  if (const json::Value* g = q->find("group_size"); g != nullptr && g->is_number()) {
    auto n = cfg.as_integer(*g, std::string(key) + ".group_size", -1, 1 << 20);
    if (n && *n == -1) per_channel = -1;
  }
  auto group = per_channel ? Result<std::optional<std::int64_t>>{per_channel} : get_int("group_size");
  if (!group) return group.error();
  out.bits = *bits;
  out.group_size = *group;
  const json::Value* method = q->find("quant_method");
  if (method != nullptr && method->is_string())
    out.method = method->as_string();
  else if (key == "quantization")
    out.method = "mlx";
  else
    out.method = "unknown";
  // Methods whose bit width is implied by their name.
  if (!out.bits && (out.method == "fp8" || out.method == "fbgemm_fp8")) out.bits = 8;
  if (!out.bits && (out.method == "mxfp4")) out.bits = 4;
  return std::optional<Quantization>{out};
}

const json::Value* text_or_root(const ConfigView& cfg, std::string_view key) {
  const json::Value* v = cfg.raw(key);
  if (v == nullptr || v->is_null()) v = cfg.root().find(key);
  return v;
}

}  // namespace

Status read_model_facts(const ConfigView& cfg, ModelCacheSpec& spec, SpecKeys& keys) {
  if (auto s = read_moe(cfg, spec, keys); !s) return s.error();

  // mlx-lm's `quantization` describes the weights actually stored; prefer it when both are present.
  for (std::string_view key : {"quantization", "quantization_config"}) {
    auto q = quantization_from(cfg, key);
    if (!q) return q.error();
    if (*q) {
      spec.quantization = **q;
      keys.bits = std::string(key) + ".bits";
      break;
    }
  }

  for (std::string_view key : {"torch_dtype", "dtype"}) {
    const json::Value* v = text_or_root(cfg, key);
    if (v != nullptr && v->is_string()) {
      spec.dtype = v->as_string();
      break;
    }
  }

  // DbrxConfig and MPT name it max_seq_len; Whisper's decoder limit is max_target_positions.
  auto maxpos = cfg.first_integer({"max_position_embeddings", "n_positions", "max_sequence_length",
                                   "seq_length", "max_seq_len", "max_target_positions"},
                                  1, kMaxTokens);
  if (!maxpos) return maxpos.error();
  if (*maxpos) spec.max_position_embeddings = (*maxpos)->value;
  return Ok{};
}

}  // namespace kvspec
