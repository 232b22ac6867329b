#include "spec/weights_apply.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "kvspec/dtype.hpp"
#include "util/checked.hpp"

namespace kvspec {

namespace {

// "0–31", "3, 7, 11" or "0–3, 8".
std::string layer_list(const std::vector<std::int64_t>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += j > i + 1 ? fmt::format("{}–{}", v[i], v[j])
                     : (j == i + 1 ? fmt::format("{}, {}", v[i], v[j]) : std::to_string(v[i]));
    i = j + 1;
  }
  return out;
}

// "layer 3" or "layers 0–31".
std::string layers_phrase(const std::vector<std::int64_t>& v) {
  return (v.size() == 1 ? "layer " : "layers ") + layer_list(v);
}

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

bool attention_kind(LayerKind k) {
  return k == LayerKind::full_attention || k == LayerKind::sliding_attention ||
         k == LayerKind::chunked_attention;
}

Fact* find_fact(ModelCacheSpec& spec, std::string_view name) {
  for (auto& f : spec.facts)
    if (f.name == name) return &f;
  return nullptr;
}

// Layer kinds from the weights, for a config that states no pattern for a family the registry does not know.
Status decide_kinds(BuildContext& ctx, const WeightsEvidence& ev) {
  auto& layers = ctx.spec.layers;
  std::vector<std::int64_t> recurrent, attention, plain, unknown_state;
  // Mamba-2 state = d_inner × d_state; d_state only the config can give (transformers
  // Mamba2Config.state_size, NemotronHConfig.ssm_state_size, JambaConfig.mamba_d_state).
  auto d_state =
      ctx.cfg.first_integer({"ssm_state_size", "state_size", "mamba_d_state", "d_state"}, 1, 1 << 20);
  if (!d_state) return d_state.error();
  std::int64_t elem_bytes = 2;
  auto dt = cache_dtype_from_torch(ctx.spec.dtype);
  if (dt) elem_bytes = info(*dt).block_bytes;
  for (std::size_t i = 0; i < layers.size() && i < ev.layers.size(); ++i) {
    const LayerEvidence& le = ev.layers[i];
    LayerSpec& l = layers[i];
    if (le.tensors == 0) continue;
    auto idx = static_cast<std::int64_t>(i);
    if (le.has_recurrent_mixer && !le.has_attention) {
      LayerSpec r;
      r.kind = LayerKind::recurrent;
      r.source = Tier::weights;
      r.conv_state_values = le.conv_state_values.value_or(0);
      if (le.ssm_state_values)
        r.recurrent_state_values = *le.ssm_state_values;
      else if (le.ssm_inner && *d_state)
        r.recurrent_state_values = *le.ssm_inner * (*d_state)->value;
      else
        unknown_state.push_back(idx);
      auto values = checked_add(r.conv_state_values, r.recurrent_state_values);
      auto bytes = values ? checked_mul(*values, elem_bytes) : std::nullopt;
      if (!bytes) return ctx.cfg.error("", "a recurrent state that fits in 64 bits", "an overflow");
      r.state_bytes = *bytes;
      l = r;
      recurrent.push_back(idx);
    } else if (le.has_attention) {
      l.source = Tier::weights;
      attention.push_back(idx);
    } else {
      LayerSpec n;
      n.kind = LayerKind::none;
      n.source = Tier::weights;
      l = n;
      plain.push_back(idx);
    }
  }
  std::string parts;
  if (!recurrent.empty()) parts += fmt::format("recurrent mixers on {}", layers_phrase(recurrent));
  if (!attention.empty())
    parts += fmt::format("{}attention on {}", parts.empty() ? "" : "; ", layers_phrase(attention));
  if (!plain.empty())
    parts += fmt::format("{}no attention or mixer on {}", parts.empty() ? "" : "; ", layers_phrase(plain));
  ctx.note("layer kinds from the weights (the config states no pattern): " + parts);
  if (!recurrent.empty())
    ctx.note(fmt::format("recurrent state from the weights' shapes at {} bytes per value ({})", elem_bytes,
                         dt ? ctx.spec.dtype : std::string("no dtype in the config: bf16 assumed")));
  if (!unknown_state.empty())
    ctx.warn(
        fmt::format("recurrent state size unknown on {}: the config states no ssm_state_size / "
                    "state_size and the weights' shapes do not give it (only the convolution state counted)",
                    layers_phrase(unknown_state)));
  return Ok{};
}

// Kinds the config decided, checked against the weights.
void check_kinds(BuildContext& ctx, const WeightsEvidence& ev) {
  std::vector<std::int64_t> attn_but_recurrent, recurrent_but_attn;
  const auto& layers = ctx.spec.layers;
  for (std::size_t i = 0; i < layers.size() && i < ev.layers.size(); ++i) {
    const LayerEvidence& le = ev.layers[i];
    if (le.tensors == 0) continue;
    LayerKind k = layers[i].kind;
    if ((attention_kind(k) || k == LayerKind::mla) && le.has_recurrent_mixer && !le.has_attention)
      attn_but_recurrent.push_back(static_cast<std::int64_t>(i));
    if (k == LayerKind::recurrent && le.has_attention && !le.has_recurrent_mixer)
      recurrent_but_attn.push_back(static_cast<std::int64_t>(i));
  }
  if (!attn_but_recurrent.empty())
    ctx.warn(
        fmt::format("{}: attention in the config ({}), but the weights show a recurrent mixer and no "
                    "attention projections",
                    layers_phrase(attn_but_recurrent), ctx.spec.model_type));
  if (!recurrent_but_attn.empty())
    ctx.warn(
        fmt::format("{}: recurrent in the config ({}), but the weights show attention projections and "
                    "no recurrent mixer",
                    layers_phrase(recurrent_but_attn), ctx.spec.model_type));
}

// k_proj / v_proj output widths against num_kv_heads × head_dim. Where the config stated no KV-head count,
// the weights supply it; otherwise a disagreement is a warning naming both values.
void check_widths(BuildContext& ctx, const WeightsEvidence& ev) {
  Fact* kv_fact = find_fact(ctx.spec, "num_kv_heads");
  bool kv_stated = kv_fact != nullptr && kv_fact->tier == Tier::config;
  struct Key {
    char which;
    std::int64_t found, heads, dim;
    auto operator<=>(const Key&) const = default;
  };
  std::map<Key, std::vector<std::int64_t>> mismatches;
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::int64_t>>
      derived;  // (heads, dim) -> layers
  auto& layers = ctx.spec.layers;
  for (std::size_t i = 0; i < layers.size() && i < ev.layers.size(); ++i) {
    const LayerEvidence& le = ev.layers[i];
    LayerSpec& l = layers[i];
    if (!attention_kind(l.kind) || l.num_kv_heads <= 0) continue;
    auto idx = static_cast<std::int64_t>(i);
    bool k_ok = !le.k_width || *le.k_width == l.num_kv_heads * l.head_dim_k;
    bool v_ok = !le.v_width || *le.v_width == l.num_kv_heads * l.head_dim_v;
    if (k_ok && v_ok) continue;
    if (!kv_stated && le.k_width && l.head_dim_k > 0 && *le.k_width % l.head_dim_k == 0) {
      std::int64_t heads = *le.k_width / l.head_dim_k;
      bool v_agrees = !le.v_width || (l.head_dim_v > 0 && *le.v_width == heads * l.head_dim_v);
      if (v_agrees && heads > 0) {
        derived[{heads, l.head_dim_k}].push_back(idx);
        l.num_kv_heads = heads;
        continue;
      }
    }
    if (!k_ok) mismatches[{'k', *le.k_width, l.num_kv_heads, l.head_dim_k}].push_back(idx);
    if (!v_ok) mismatches[{'v', *le.v_width, l.num_kv_heads, l.head_dim_v}].push_back(idx);
  }
  for (const auto& [key, idx] : derived) {
    ctx.note(
        fmt::format("num_kv_heads {} on {} from the weights: k_proj output width {} / head_dim {} "
                    "(the config states no KV-head count)",
                    key.first, layers_phrase(idx), key.first * key.second, key.second));
    if (kv_fact != nullptr && derived.size() == 1) {
      kv_fact->value = std::to_string(key.first);
      kv_fact->tier = Tier::weights;
      kv_fact->origin = "k_proj output width / head_dim";
    }
  }
  for (const auto& [key, idx] : mismatches)
    ctx.warn(
        fmt::format("{}: {}_proj output width {} in the weights, but num_kv_heads {} × head_dim {} = {} "
                    "in the config",
                    layers_phrase(idx), key.which, key.found, key.heads, key.dim, key.heads * key.dim));
}

}  // namespace

Status apply_weights_evidence(BuildContext& ctx, const ModelDescription& d) {
  if (!d.weights) return Ok{};
  const WeightsEvidence& ev = *d.weights;
  const auto n = ctx.spec.layers.size();
  bool any = std::any_of(ev.layers.begin(), ev.layers.end(),
                         [](const LayerEvidence& l) { return l.has_attention || l.has_recurrent_mixer; });
  if (!any) return Ok{};  // names this reader does not know: nothing to say
  if (ev.layers.size() > n)
    ctx.note(
        fmt::format("the weights hold {} beyond num_hidden_layers {} (e.g. multi-token prediction): not "
                    "part of the cache",
                    plural(ev.layers.size() - n, "layer block"), n));
  else if (ev.layers.size() < n)
    ctx.warn(fmt::format("the weights hold {} decoder layers, the config states {}", ev.layers.size(), n));

  bool config_silent =
      !ctx.known_family && std::all_of(ctx.spec.layers.begin(), ctx.spec.layers.end(),
                                       [](const LayerSpec& l) { return l.source == Tier::rule; });
  if (config_silent) {
    if (auto s = decide_kinds(ctx, ev); !s) return s;
  } else {
    check_kinds(ctx, ev);
  }
  check_widths(ctx, ev);
  return Ok{};
}

}  // namespace kvspec
