// GGUF header -> ModelCacheSpec, the way llama.cpp's load_hparams and create_memory read it: per-layer head
// counts, key/value lengths (full, SWA and MLA variants), the window and its layer pattern, recurrent layers
// and their state sizes, KV-sharing and MTP layers; llama.cpp's per-architecture defaults come from
// spec/gguf_arch.
#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "arch/config_view.hpp"
#include "format/gguf.hpp"
#include "kvspec/gguf.hpp"
#include "kvspec/weights.hpp"
#include "spec/gguf_arch.hpp"
#include "spec/gguf_splits.hpp"
#include "spec/validate_spec.hpp"
#include "util/checked.hpp"

namespace kvspec {

namespace {

namespace fs = std::filesystem;

// Typed reads of one file's metadata; errors name the file and the key.
class Meta {
 public:
  Meta(const gguf::File& f, std::string arch) : f_(f), arch_(std::move(arch)) {}

  [[nodiscard]] std::string key(std::string_view suffix) const { return arch_ + "." + std::string(suffix); }
  [[nodiscard]] const gguf::Value* find(const std::string& key) const { return f_.find(key); }
  [[nodiscard]] bool has(std::string_view suffix) const { return find(key(suffix)) != nullptr; }

  Error error(const std::string& key, std::string expected, std::string found) const {
    return make_error(ErrorCode::bad_input, f_.path, key, std::move(expected), std::move(found));
  }

  // An integer value in [lo, hi], or nullopt when the key is absent.
  Result<std::optional<std::int64_t>> integer(const std::string& key, std::int64_t lo,
                                              std::int64_t hi) const {
    const gguf::Value* v = find(key);
    if (v == nullptr) return std::optional<std::int64_t>{};
    // A bool is not a count: llama.cpp's get_key checks the stored type (llama-model-loader.cpp GGUFMeta
    // validate_type: "key has wrong type"), as a config's integer field refuses true.
    if (v->type == gguf::ValueType::array || v->type == gguf::ValueType::string ||
        v->type == gguf::ValueType::f32 || v->type == gguf::ValueType::f64 ||
        v->type == gguf::ValueType::boolean)
      return error(key, fmt::format("an integer in [{}, {}]", lo, hi), std::string(gguf::to_string(v->type)));
    if (!v->integer || *v->integer < lo || *v->integer > hi)
      return error(key, fmt::format("an integer in [{}, {}]", lo, hi),
                   v->integer ? std::to_string(*v->integer) : std::string("a value above 2^63"));
    return v->integer;
  }
  Result<std::optional<std::int64_t>> arch_integer(std::string_view suffix, std::int64_t lo,
                                                   std::int64_t hi) const {
    return integer(key(suffix), lo, hi);
  }

  // get_key_or_arr: a scalar broadcast to every layer, or an array with one entry per layer. Arrays of
  // `block_count` entries and of `block_count - nextn` entries are both accepted (llama.cpp read them before
  // and after it began subtracting MTP layers). nullopt when absent.
  Result<std::optional<std::vector<std::int64_t>>> per_layer(std::string_view suffix, std::int64_t n_layer,
                                                             std::int64_t n_total, std::int64_t lo,
                                                             std::int64_t hi) const {
    std::string k = key(suffix);
    const gguf::Value* v = find(k);
    if (v == nullptr) return std::optional<std::vector<std::int64_t>>{};
    if (v->type != gguf::ValueType::array) {
      auto x = integer(k, lo, hi);
      if (!x) return x.error();
      return std::optional<std::vector<std::int64_t>>{std::vector<std::int64_t>(n_layer, **x)};
    }
    auto len = static_cast<std::int64_t>(v->length);
    if (!v->kept || v->element_type == gguf::ValueType::string || v->element_type == gguf::ValueType::array ||
        v->element_type == gguf::ValueType::f32 || v->element_type == gguf::ValueType::f64 ||
        v->element_type == gguf::ValueType::boolean)
      return error(k, "an integer or an array of integers, one per layer",
                   fmt::format("an array of {} {}", len, gguf::to_string(v->element_type)));
    if (len != n_total && len != n_layer)
      return error(k, fmt::format("one entry per layer ({})", n_total), fmt::format("{} entries", len));
    std::vector<std::int64_t> out(v->integers.begin(), v->integers.begin() + std::min(len, n_layer));
    for (std::size_t i = 0; i < out.size(); ++i)
      if (out[i] < lo || out[i] > hi)
        return error(fmt::format("{}[{}]", k, i), fmt::format("an integer in [{}, {}]", lo, hi),
                     std::to_string(out[i]));
    return std::optional<std::vector<std::int64_t>>{std::move(out)};
  }

 private:
  const gguf::File& f_;
  std::string arch_;
};

// Where a tensor belongs, from llama.cpp's tensor names (llama-arch.cpp LLM_TENSOR_NAMES).
WeightComponent component_of(std::string_view name) {
  auto has = [&](std::string_view part) { return name.find(part) != std::string_view::npos; };
  if (name.rfind("token_embd", 0) == 0 || name.rfind("position_embd", 0) == 0) {
    return has("norm") ? WeightComponent::norms : WeightComponent::embeddings;
  }
  if (name.rfind("output.", 0) == 0) return WeightComponent::lm_head;
  if (has("norm")) return WeightComponent::norms;
  if (has("_exps.")) return WeightComponent::moe_experts;
  if (has(".ffn_")) return WeightComponent::mlp;
  if (has(".attn_")) return WeightComponent::attention;
  if (has(".ssm_") || has(".shortconv") || has(".time_mix") || has(".channel_mix"))
    return WeightComponent::recurrent;
  return WeightComponent::other;
}

// The format-neutral weights summary (kvspec/weights.hpp) from the tensor infos: GGUF quant blocks carry
// their scales inline, so bytes are the stored bytes and parameters the tensor elements.
WeightsSummary weights_summary(const ModelFiles& mf, const GgufSummary& g) {
  WeightsSummary w;
  w.total_bytes = g.weight_bytes;
  w.parameters = g.parameters;
  if (g.expert_parameters > 0) w.active_parameters = g.active_parameters;
  w.packing = g.file_type_name.empty() ? std::string() : "gguf " + g.file_type_name;
  std::map<std::string, WeightsPart> by_dtype;
  std::array<WeightsPart, static_cast<std::size_t>(WeightComponent::other) + 1> comp{};
  for (const auto& f : mf.files) {
    WeightsFile wf;
    wf.path = f.path;
    wf.tensors = static_cast<std::int64_t>(f.tensors.size());
    wf.header_bytes = static_cast<std::int64_t>(f.data_offset);
    wf.data_bytes = static_cast<std::int64_t>(f.data_size);
    wf.data_present = f.data_present;
    w.files.push_back(wf);
    w.header_bytes_read += static_cast<std::int64_t>(std::min(f.header_end, f.file_size));
    w.tensors += wf.tensors;
    for (const auto& t : f.tensors) {
      const GgmlTypeInfo* info = ggml_type_info(t.type);
      WeightsPart& d = by_dtype[std::string(info != nullptr ? info->name : "?")];
      d.bytes += t.bytes;  // sums cannot overflow: summarize_weights checked the totals
      d.parameters += t.elements;
      if (info != nullptr && info->block_values > 1) ++w.packed_tensors;
      WeightsPart& c = comp[static_cast<std::size_t>(component_of(t.name))];
      c.bytes += t.bytes;
      c.parameters += t.elements;
    }
  }
  for (auto& [name, part] : by_dtype) {
    part.name = name;
    w.by_dtype.push_back(part);
  }
  std::stable_sort(w.by_dtype.begin(), w.by_dtype.end(),
                   [](const WeightsPart& a, const WeightsPart& b) { return a.bytes > b.bytes; });
  for (std::size_t i = 0; i < comp.size(); ++i) {
    if (comp[i].bytes == 0 && comp[i].parameters == 0) continue;
    comp[i].name = std::string(to_string(static_cast<WeightComponent>(i)));
    w.by_component.push_back(comp[i]);
  }
  return w;
}

Status summarize_weights(const ModelFiles& mf, const std::optional<MoeSpec>& moe, GgufSummary& g) {
  std::map<std::string, std::int64_t> by_type;
  std::int64_t bytes = 0, params = 0, expert = 0;
  for (const auto& f : mf.files) {
    for (const auto& t : f.tensors) {
      auto b = checked_add(bytes, t.bytes);
      auto p = checked_add(params, t.elements);
      if (!b || !p)
        return make_error(ErrorCode::bad_input, f.path, "tensor_infos", "sizes below 2^63", "an overflow");
      bytes = *b;
      params = *p;
      const GgmlTypeInfo* info = ggml_type_info(t.type);
      by_type[std::string(info != nullptr ? info->name : "?")] += t.bytes;
      // Routed experts are stacked in one tensor per projection: blk.N.ffn_{gate,up,down,gate_up}_exps.
      if (t.name.find("_exps.") != std::string::npos) expert += t.elements;
    }
  }
  g.weight_bytes = bytes;
  g.parameters = params;
  g.expert_parameters = expert;
  g.active_parameters = params;
  if (moe && moe->num_experts > 0 && expert > 0) {
    // Experts share each stacked tensor evenly; a token runs experts_per_token of them. `expert` is part of
    // `params`, and validate_spec keeps experts_per_token ≤ num_experts, yet every step is checked.
    auto active_expert = checked_mul(expert / moe->num_experts, moe->experts_per_token);
    auto active = checked_sub(params, expert);
    if (active && active_expert) active = checked_add(*active, *active_expert);
    if (!active)
      return make_error(ErrorCode::bad_input, mf.files.front().path, "tensor_infos",
                        "active parameters below 2^63", "an overflow");
    g.active_parameters = *active;
  }
  g.bytes_by_type.assign(by_type.begin(), by_type.end());
  std::stable_sort(g.bytes_by_type.begin(), g.bytes_by_type.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return Ok{};
}

struct Hparams {
  std::int64_t n_total = 0;  // block_count
  std::int64_t n_layer = 0;  // without MTP layers
  std::int64_t nextn = 0;
  std::int64_t n_embd = 0;
  std::vector<std::int64_t> n_head, n_head_kv, n_ff;
  std::int64_t head_k = 0, head_v = 0, head_k_swa = 0, head_v_swa = 0;
  bool mla = false;
  GgufSwa swa = GgufSwa::none;
  std::int64_t n_swa = 0;
  std::vector<bool> is_swa;
  Tier swa_tier = Tier::rule;
  std::int64_t kv_from_start = -1;
  std::vector<bool> recurrent;
  Tier recurrent_tier = Tier::rule;
  std::int64_t conv_values = 0, state_values = 0;  // n_embd_r(), n_embd_s()
  std::int64_t conv_kernel = 0;                    // the kernel whose K - 1 columns conv_values counts
};

bool scalar_is_real(gguf::ValueType t) {
  return t == gguf::ValueType::f32 || t == gguf::ValueType::f64;
}

// hparams.set_swa_pattern (llama-hparams.cpp): period n windows layer il iff il % n < n - 1 (the last of each
// period is full); dense_first windows il % n != 0; n == 0 windows every layer.
std::vector<bool> swa_pattern(std::int64_t n_layer, std::int64_t period, bool dense_first) {
  std::vector<bool> out(static_cast<std::size_t>(n_layer));
  for (std::int64_t il = 0; il < n_layer; ++il)
    out[il] = period == 0 || (dense_first ? il % period != 0 : il % period < period - 1);
  return out;
}

Status read_window(const Meta& m, const GgufArchRule& rule, Hparams& h, ModelCacheSpec& spec) {
  auto sw = m.arch_integer("attention.sliding_window", 0, kMaxTokens);
  if (!sw) return sw.error();
  std::string sw_key = m.key("attention.sliding_window");
  switch (rule.window_rule) {
    case GgufWindowRule::ignored:
      if (sw->value_or(0) > 0)
        spec.notes.push_back(
            {Note::Level::info,
             fmt::format("{} = {} is not used: llama.cpp runs {} with every layer full (\"Phi SWA "
                         "is currently disabled\")",
                         sw_key, **sw, rule.arch)});
      return Ok{};
    case GgufWindowRule::if_positive:
      if (sw->value_or(0) <= 0) return Ok{};
      break;
    case GgufWindowRule::unless_zero:
      if (*sw && **sw == 0) return Ok{};
      break;
    case GgufWindowRule::always:
      break;
  }
  if (rule.swa == GgufSwa::none) return Ok{};
  if (rule.only_if_layers != 0 && h.n_layer != rule.only_if_layers) return Ok{};
  if (rule.window_forced && rule.default_window) {
    h.n_swa = *rule.default_window;
    spec.facts.push_back(
        {"sliding_window", std::to_string(h.n_swa), Tier::rule,
         fmt::format("llama.cpp {}: n_swa = {} whatever the file says", rule.arch, h.n_swa)});
  } else if (*sw) {
    // A stated 0 too: llama.cpp reads the key over its default (get_key(..., n_swa, false)), so gemma2's 0 is
    // not 4096; validate_spec refuses a 0-token window as the config path does.
    h.n_swa = **sw;
    spec.facts.push_back({"sliding_window", std::to_string(h.n_swa), Tier::config, sw_key});
  } else if (rule.default_window) {
    h.n_swa = *rule.default_window;
    spec.facts.push_back({"sliding_window", std::to_string(h.n_swa), Tier::rule,
                          fmt::format("llama.cpp {} default n_swa", rule.arch)});
  } else {
    return m.error(sw_key, "the sliding window in tokens (llama.cpp requires it for this architecture)",
                   "no such key");
  }
  h.swa = rule.swa;

  // The layer pattern: the file's sliding_window_pattern (a period or one bool per layer), else the built-in
  // one.
  std::string pk = m.key("attention.sliding_window_pattern");
  const gguf::Value* pv = m.find(pk);
  if (pv != nullptr && pv->type == gguf::ValueType::array) {
    if (!pv->kept || (pv->element_type != gguf::ValueType::boolean && scalar_is_real(pv->element_type)))
      return m.error(pk, "a period or one bool per layer", fmt::format("an array of {}", pv->length));
    auto len = static_cast<std::int64_t>(pv->length);
    if (len != h.n_layer && len != h.n_total)
      return m.error(pk, fmt::format("one entry per layer ({})", h.n_total), fmt::format("{} entries", len));
    h.is_swa.assign(static_cast<std::size_t>(h.n_layer), false);
    for (std::int64_t il = 0; il < h.n_layer; ++il) h.is_swa[il] = pv->integers[il] != 0;
    h.swa_tier = Tier::config;
  } else if (pv != nullptr) {
    auto p = m.integer(pk, 0, kMaxLayers);
    if (!p) return p.error();
    h.is_swa = swa_pattern(h.n_layer, **p, rule.dense_first);
    h.swa_tier = Tier::config;
  } else if (rule.period > 0) {
    h.is_swa = swa_pattern(h.n_layer, rule.period, rule.dense_first);
    spec.facts.push_back({"sliding_window_pattern", std::to_string(rule.period), Tier::rule,
                          fmt::format("llama.cpp {}: set_swa_pattern({}{})", rule.arch, rule.period,
                                      rule.dense_first ? ", dense_first" : "")});
  } else {
    return m.error(pk, "one bool per layer (llama.cpp has no built-in pattern for this architecture)",
                   "no such key");
  }
  return Ok{};
}

Status read_recurrent(const Meta& m, const GgufArchRule& rule, Hparams& h, ModelCacheSpec& spec) {
  h.recurrent.assign(static_cast<std::size_t>(h.n_layer), false);
  switch (rule.recurrent) {
    case GgufRecurrent::none:
      return Ok{};
    case GgufRecurrent::all:
    case GgufRecurrent::every_layer_too:
      h.recurrent.assign(h.recurrent.size(), true);
      break;
    case GgufRecurrent::kv_zero:
      for (std::int64_t il = 0; il < h.n_layer; ++il) h.recurrent[il] = h.n_head_kv[il] == 0;
      h.recurrent_tier = Tier::config;
      break;
    case GgufRecurrent::kv_zero_ff_zero:
      for (std::int64_t il = 0; il < h.n_layer; ++il)
        h.recurrent[il] = h.n_head_kv[il] == 0 && h.n_ff[il] == 0;
      h.recurrent_tier = Tier::config;
      break;
    case GgufRecurrent::interval: {
      std::string rk = m.key("attention.recurrent_layers");
      const gguf::Value* rv = m.find(rk);
      if (rv != nullptr) {
        if (rv->type != gguf::ValueType::array || !rv->kept || scalar_is_real(rv->element_type) ||
            (static_cast<std::int64_t>(rv->length) != h.n_layer &&
             static_cast<std::int64_t>(rv->length) != h.n_total))
          return m.error(rk, fmt::format("one bool per layer ({})", h.n_total),
                         std::string(gguf::to_string(rv->type)));
        for (std::int64_t il = 0; il < h.n_layer; ++il) h.recurrent[il] = rv->integers[il] != 0;
        h.recurrent_tier = Tier::config;
        break;
      }
      auto iv = m.arch_integer("full_attention_interval", 1, kMaxLayers);
      if (!iv) return iv.error();
      std::int64_t interval = iv->value_or(rule.default_interval);
      for (std::int64_t il = 0; il < h.n_layer; ++il) h.recurrent[il] = (il + 1) % interval != 0;
      if (*iv)
        h.recurrent_tier = Tier::config;
      else
        spec.facts.push_back(
            {"full_attention_interval", std::to_string(interval), Tier::rule,
             fmt::format("llama.cpp {}: recurrent iff (i + 1) % {} != 0", rule.arch, interval)});
      break;
    }
  }

  // n_embd_r() and n_embd_s() (llama-hparams.cpp): RWKV token shift + WKV state, LFM2's short convolution,
  // else Mamba/GDN's (d_conv - 1) columns of the conv input and the d_state x d_inner SSM state.
  auto head_size = m.arch_integer("wkv.head_size", 0, kMaxHeadDim);
  if (!head_size) return head_size.error();
  auto l_cache = m.arch_integer("shortconv.l_cache", 0, kMaxHeadDim);
  if (!l_cache) return l_cache.error();
  auto shift = m.arch_integer("token_shift_count", 0, 64);
  if (!shift) return shift.error();
  auto need = [&](std::string_view suffix) -> Result<std::int64_t> {
    auto v = m.arch_integer(suffix, 0, kMaxHidden * 64);
    if (!v) return v.error();
    if (!*v) return m.error(m.key(suffix), "the recurrent state size (llama.cpp requires it)", "no such key");
    return **v;
  };
  auto kda = m.arch_integer("kda.head_dim", 0, kMaxHeadDim);
  if (!kda) return kda.error();
  std::optional<std::int64_t> r, s;
  if (head_size->value_or(0) > 0) {
    r = checked_mul(shift->value_or(2), h.n_embd);  // token_shift_count defaults to 2 (llama-hparams.h)
    s = checked_mul(h.n_embd, **head_size);
  } else if (l_cache->value_or(0) > 0) {
    r = checked_mul(h.n_embd, **l_cache - 1);
    s = 0;
    h.conv_kernel = **l_cache;
  } else if (kda->value_or(0) > 0) {
    // Kimi KDA (kimi-linear): kda.head_dim and n_head; the converter writes no ssm.inner_size and llama.cpp
    // reads none. R: Q, K and V conv states, 3 × (d_conv - 1, or 3) × n_head × head_dim; S: head_dim² ×
    // n_head.
    auto conv = need("ssm.conv_kernel");
    if (!conv) return conv.error();
    const std::int64_t n_head = h.n_head.empty() ? 0 : h.n_head[0];
    r = checked_product(3, *conv > 0 ? *conv - 1 : 3, n_head, **kda);
    s = checked_product(**kda, **kda, n_head);
  } else {
    auto conv = need("ssm.conv_kernel");
    if (!conv) return conv.error();
    auto inner = need("ssm.inner_size");
    if (!inner) return inner.error();
    auto state = need("ssm.state_size");
    if (!state) return state.error();
    auto groups = m.arch_integer("ssm.group_count", 0, kMaxHidden);
    if (!groups) return groups.error();
    auto bc = checked_product(2, groups->value_or(0), *state);
    auto width = bc ? checked_add(*inner, *bc) : std::nullopt;
    r = width ? checked_mul(*conv > 0 ? *conv - 1 : 0, *width) : std::nullopt;
    s = checked_mul(*state, *inner);
    h.conv_kernel = *conv;
  }
  if (!r || !s) return m.error(m.key("ssm"), "state sizes that fit in 64 bits", "an overflow");
  h.conv_values = *r;
  h.state_values = *s;
  return Ok{};
}

// The DSA lightning indexer's key cache (llama.cpp 34af94cd: src/models/deepseek32.cpp, glm-dsa.cpp
// load_arch_hparams; llama-model.cpp create_memory; llama-kv-cache-dsa.cpp): one head of
// attention.indexer.key_length (required) per indexed trunk layer. deepseek32 indexes every layer; glm-dsa
// the layers attention.indexer.types marks true, else every layer when context_length < 1048576 (GLM-5, 5.1),
// else GLM-5.2's built-in pattern (layers 0, 1 and every 4th from 2, below 78).
Status read_dsa_indexer(const Meta& m, std::string_view arch, const Hparams& h, ModelCacheSpec& spec) {
  auto kl = m.arch_integer("attention.indexer.key_length", 1, kMaxHeadDim);
  if (!kl) return kl.error();
  if (!*kl)
    return m.error(m.key("attention.indexer.key_length"), "the indexer key length (llama.cpp requires it)",
                   "no such key");
  std::int64_t layers = h.n_layer;
  std::string which = "every layer";
  if (arch == "glm-dsa") {
    std::string tk = m.key("attention.indexer.types");
    const gguf::Value* tv = m.find(tk);
    auto ctx = m.arch_integer("context_length", 0, kMaxTokens);
    if (!ctx) return ctx.error();
    if (tv != nullptr) {
      if (tv->type != gguf::ValueType::array || !tv->kept || scalar_is_real(tv->element_type) ||
          static_cast<std::int64_t>(tv->length) != h.n_layer)
        return m.error(tk, fmt::format("one bool per layer ({})", h.n_layer),
                       std::string(gguf::to_string(tv->type)));
      layers = std::count_if(tv->integers.begin(), tv->integers.end(), [](std::int64_t x) { return x != 0; });
      which = fmt::format("the {} layers {} marks", layers, tk);
    } else if (ctx->value_or(0) >= 1048576) {
      layers = 0;
      for (std::int64_t il = 0; il < std::min<std::int64_t>(h.n_layer, 78); ++il)
        layers += il < 2 || (il - 2) % 4 == 0 ? 1 : 0;
      which = fmt::format("{} layers, llama.cpp's GLM-5.2 default pattern", layers);
    }
  }
  auto values = checked_mul(layers, **kl);
  if (!values) return m.error(m.key("attention.indexer.key_length"), "a size below 2^63", "an overflow");
  CacheComponent c;
  c.name = "indexer keys";
  c.values_per_token = *values;
  c.bytes_per_token = *values * 2;
  c.note = fmt::format(
      "DSA lightning indexer: {} × indexer.key_length {} (one key head per layer), {}; llama.cpp keeps them "
      "in a second cache of the K type, no V; not in kv_bytes_per_token",
      layers, **kl, which);
  spec.extra_components.push_back(std::move(c));
  return Ok{};
}

std::string type_name_of(std::uint32_t id) {
  const GgmlTypeInfo* t = ggml_type_info(id);
  return t != nullptr ? std::string(t->name) : std::to_string(id);
}

// Tier 2: where a layer's attn_k / attn_v tensors show a different width than the metadata, say so.
void check_against_tensors(const gguf::File& f, const Hparams& h, const std::vector<LayerSpec>& layers,
                           ModelCacheSpec& spec) {
  std::unordered_map<std::string_view, const gguf::TensorInfo*> by_name;
  by_name.reserve(f.tensors.size());
  for (const auto& t : f.tensors) by_name.emplace(t.name, &t);
  int reported = 0;
  for (std::size_t il = 0; il < layers.size() && reported < 3; ++il) {
    const LayerSpec& l = layers[il];
    if (h.mla || !l.owns_kv()) continue;
    auto it = by_name.find(fmt::format("blk.{}.attn_k.weight", il));
    if (it == by_name.end() || it->second->n_dims < 2) continue;
    std::int64_t width = it->second->ne[1];
    if (width != l.k_values_per_token()) {
      spec.notes.push_back(
          {Note::Level::warning,
           fmt::format("layer {}: attn_k ({}) is {} wide but the metadata gives {} KV heads × {} = "
                       "{}; the metadata was used",
                       il, type_name_of(it->second->type), width, l.num_kv_heads, l.head_dim_k,
                       l.k_values_per_token())});
      ++reported;
    }
  }
}

Result<ModelCacheSpec> build(const ModelFiles& mf, std::string_view source) {
  const gguf::File& f = mf.files.front();
  ModelCacheSpec spec;
  spec.source = std::string(source);
  spec.notes = mf.notes;

  Meta g(f, "");
  const gguf::Value* av = f.find("general.architecture");
  if (av == nullptr || av->type != gguf::ValueType::string || !av->kept || av->text.empty())
    return g.error("general.architecture", "a string naming the architecture",
                   av == nullptr ? "no such key" : std::string(gguf::to_string(av->type)));
  std::string arch = av->text;
  spec.model_type = arch;
  Meta m(f, arch);
  const GgufArchRule* found = find_gguf_arch(arch);
  GgufArchRule generic{.arch = arch, .source = "generic GGUF keys"};
  const GgufArchRule& rule = found != nullptr ? *found : generic;
  spec.facts.push_back({"architecture", arch, Tier::config,
                        fmt::format("general.architecture (per-architecture rules: {})", rule.source)});
  if (found == nullptr)
    spec.notes.push_back(
        {Note::Level::warning,
         fmt::format("architecture '{}' is not in kvspec's llama.cpp table: layers read from the "
                     "generic keys, no window or recurrent rule applied",
                     arch)});

  Hparams h;
  auto total = m.arch_integer("block_count", 1, kMaxLayers);
  if (!total) return total.error();
  if (!*total) return m.error(m.key("block_count"), "the layer count", "no such key");
  h.n_total = **total;
  auto nextn = m.arch_integer("nextn_predict_layers", 0, h.n_total - 1);
  if (!nextn) return nextn.error();
  h.nextn = nextn->value_or(0);
  h.n_layer = h.n_total - h.nextn;
  spec.facts.push_back({"num_layers", std::to_string(h.n_layer), Tier::config, m.key("block_count")});
  if (h.nextn > 0)
    spec.notes.push_back(
        {Note::Level::info,
         fmt::format("{} of the {} blocks are MTP (nextn) layers: llama.cpp gives them no KV "
                     "cache, so they are not counted",
                     h.nextn, h.n_total)});

  auto embd = m.arch_integer("embedding_length", 1, kMaxHidden);
  if (!embd) return embd.error();
  if (!*embd) return m.error(m.key("embedding_length"), "the embedding width", "no such key");
  h.n_embd = **embd;

  auto heads = m.per_layer("attention.head_count", h.n_layer, h.n_total, 0, kMaxHeads);
  if (!heads) return heads.error();
  h.n_head = heads->value_or(std::vector<std::int64_t>(h.n_layer, 0));
  auto kv = m.per_layer("attention.head_count_kv", h.n_layer, h.n_total, 0, kMaxHeads);
  if (!kv) return kv.error();
  h.n_head_kv = kv->value_or(h.n_head);  // "n_head_kv is optional, default to n_head"
  auto ff = m.per_layer("feed_forward_length", h.n_layer, h.n_total, 0, kMaxHidden * 64);
  if (!ff) return ff.error();
  h.n_ff = ff->value_or(std::vector<std::int64_t>(h.n_layer, 0));

  // Head dims: key_length / value_length, else n_embd / n_head(0) when the model has attention heads.
  std::int64_t n_head0 = h.n_head.empty() ? 0 : h.n_head[0];
  auto kl = m.arch_integer("attention.key_length", 1, kMaxHeadDim);
  if (!kl) return kl.error();
  auto vl = m.arch_integer("attention.value_length", 0, kMaxHeadDim);
  if (!vl) return vl.error();
  std::int64_t derived = n_head0 > 0 ? h.n_embd / n_head0 : 0;
  h.head_k = kl->value_or(derived);
  h.head_v = vl->value_or(derived);
  if (*kl)
    spec.facts.push_back({"head_dim", std::to_string(h.head_k), Tier::config, m.key("attention.key_length")});
  else if (derived > 0)
    spec.facts.push_back({"head_dim", std::to_string(h.head_k), Tier::rule,
                          fmt::format("embedding_length / head_count = {} / {}", h.n_embd, n_head0)});
  auto kls = m.arch_integer("attention.key_length_swa", 1, kMaxHeadDim);
  if (!kls) return kls.error();
  auto vls = m.arch_integer("attention.value_length_swa", 0, kMaxHeadDim);
  if (!vls) return vls.error();
  h.head_k_swa = kls->value_or(h.head_k);
  h.head_v_swa = vls->value_or(h.head_v);

  // MLA: llama_hparams::is_mla() is true iff the file carries key_length_mla and value_length_mla.
  auto klm = m.arch_integer("attention.key_length_mla", 1, kMaxHeadDim);
  if (!klm) return klm.error();
  auto vlm = m.arch_integer("attention.value_length_mla", 1, kMaxHeadDim);
  if (!vlm) return vlm.error();
  auto lora = m.arch_integer("attention.kv_lora_rank", 0, kMaxHeadDim);
  if (!lora) return lora.error();
  auto rope = m.arch_integer("rope.dimension_count", 0, kMaxHeadDim);
  if (!rope) return rope.error();
  h.mla = *klm && *vlm;
  if (h.mla) {
    MlaDims d;
    d.kv_lora_rank = lora->value_or(0);
    d.qk_rope_head_dim = rope->value_or(0);
    d.qk_nope_head_dim = **klm - d.qk_rope_head_dim;
    d.v_head_dim = **vlm;
    d.num_heads = n_head0;
    spec.mla = d;
    spec.notes.push_back(
        {Note::Level::info,
         fmt::format("MLA: llama.cpp caches one {}-wide latent per token (kv_lora_rank {} + rope {}) "
                     "and no V (V-less cache since llama.cpp PR #19067)",
                     h.head_k, d.kv_lora_rank, d.qk_rope_head_dim)});
  } else if (lora->value_or(0) > 0) {
    // convert_hf_to_gguf (conversion/minicpm.py, plm.py at llama.cpp 34af94cd) writes kv_lora_rank and never
    // the MLA lengths for these: the current converter's output, not an older one.
    const bool never_mla = arch == "minicpm3" || arch == "plm";
    spec.notes.push_back(
        {Note::Level::info,
         never_mla
             ? fmt::format("{} is set without key_length_mla / value_length_mla, as llama.cpp's converter "
                           "writes {}: llama.cpp runs it as plain attention with full K and V",
                           m.key("attention.kv_lora_rank"), arch)
             : fmt::format("{} is set but key_length_mla / value_length_mla are not: an older "
                           "conversion, which llama.cpp runs as plain attention with full K and V",
                           m.key("attention.kv_lora_rank"))});
  }
  if (arch == "deepseek32" || arch == "glm-dsa")
    if (auto s = read_dsa_indexer(m, arch, h, spec); !s) return s.error();

  if (auto s = read_window(m, rule, h, spec); !s) return s.error();
  if (auto s = read_recurrent(m, rule, h, spec); !s) return s.error();

  // Layers past n_layer_kv_from_start own no KV and reuse an earlier layer's (gemma3n: 20; gemma4 and later:
  // n_layer - attention.shared_kv_layers).
  auto shared = m.arch_integer("attention.shared_kv_layers", 0, h.n_layer);
  if (!shared) return shared.error();
  if (shared->value_or(0) > 0)
    h.kv_from_start = h.n_layer - **shared;
  else if (rule.kv_layers_from_start >= 0)
    h.kv_from_start = std::min(rule.kv_layers_from_start, h.n_layer);

  std::int64_t state_bytes = 0;
  if (h.conv_values + h.state_values > 0) {
    auto sb = checked_mul(checked_add(h.conv_values, h.state_values).value_or(-1), 4);
    if (!sb || *sb < 0) return m.error(m.key("ssm"), "state sizes that fit in 64 bits", "an overflow");
    state_bytes = *sb;  // llama_memory_recurrent holds R and S in f32
  }
  spec.layers.reserve(static_cast<std::size_t>(h.n_layer));
  for (std::int64_t il = 0; il < h.n_layer; ++il) {
    LayerSpec l;
    l.source = Tier::config;  // the file states heads and dims
    bool swa = h.swa != GgufSwa::none && !h.is_swa.empty() && h.is_swa[il];
    bool owns = h.kv_from_start < 0 || il < h.kv_from_start;
    bool rec = h.recurrent[il];
    bool attn = h.n_head_kv[il] > 0 && h.n_head[il] > 0;
    if (!owns) {
      // gemma3n/gemma4: each shared layer reads the last owning layer of its own kind.
      l.kind = LayerKind::none;
      for (std::int64_t j = h.kv_from_start - 1; j >= 0; --j) {
        bool jswa = h.swa != GgufSwa::none && !h.is_swa.empty() && h.is_swa[j];
        if (jswa == swa) {
          l.kind = LayerKind::shared;
          l.shares_with = static_cast<std::int32_t>(j);
          break;
        }
      }
      l.source = Tier::rule;
    } else if (rec && rule.recurrent != GgufRecurrent::every_layer_too) {
      l.kind = LayerKind::recurrent;
      l.source = h.recurrent_tier;
    } else if (!attn) {
      l.kind = LayerKind::none;
    } else if (h.mla) {
      l.kind = LayerKind::mla;
      l.num_kv_heads = h.n_head_kv[il];
      l.head_dim_k = h.head_k;
      l.head_dim_v = 0;
    } else if (swa) {
      l.kind = h.swa == GgufSwa::chunked ? LayerKind::chunked_attention : LayerKind::sliding_attention;
      l.num_kv_heads = h.n_head_kv[il];
      l.head_dim_k = h.head_k_swa;
      l.head_dim_v = h.head_v_swa;
      l.window = h.n_swa;
      l.source = h.swa_tier;
    } else {
      l.kind = LayerKind::full_attention;
      l.num_kv_heads = h.n_head_kv[il];
      l.head_dim_k = h.head_k;
      l.head_dim_v = h.head_v;
    }
    if (rec) {
      l.conv_state_values = h.conv_values;
      l.recurrent_state_values = h.state_values;
      l.conv_kernel = h.conv_values > 0 ? h.conv_kernel : 0;
      l.state_bytes = state_bytes;
    }
    spec.layers.push_back(l);
  }
  if (h.swa == GgufSwa::symmetric)
    spec.notes.push_back({Note::Level::info,
                          "symmetric window (embedding model): each windowed layer sees n_swa / 2 "
                          "tokens either side"});

  spec.num_attention_heads = h.n_head.empty() ? 0 : *std::max_element(h.n_head.begin(), h.n_head.end());
  spec.hidden_size = h.n_embd;
  spec.head_dim = h.head_k;
  bool any_window = std::any_of(spec.layers.begin(), spec.layers.end(), [](const LayerSpec& l) {
    return l.kind == LayerKind::sliding_attention || l.kind == LayerKind::chunked_attention;
  });
  if (any_window) {
    spec.sliding_window = h.n_swa;
    if (h.swa == GgufSwa::chunked) spec.attention_chunk_size = h.n_swa;
  }
  auto ctx = m.arch_integer("context_length", 0, kMaxTokens);
  if (!ctx) return ctx.error();
  if (ctx->value_or(0) > 0) spec.max_position_embeddings = **ctx;

  // MoE.
  auto experts = m.arch_integer("expert_count", 0, kMaxExperts);
  if (!experts) return experts.error();
  if (experts->value_or(0) > 1) {
    MoeSpec moe;
    moe.num_experts = **experts;
    // llama.cpp load_hparams: n_expert > 0 needs n_expert_used > 0 (GGML_ASSERT); at most n_expert is
    // validate_spec's.
    auto used = m.arch_integer("expert_used_count", 1, kMaxExperts);
    if (!used) return used.error();
    moe.experts_per_token = used->value_or(0);
    auto shexp = m.arch_integer("expert_shared_count", 0, kMaxExperts);
    if (!shexp) return shexp.error();
    auto shff = m.arch_integer("expert_shared_feed_forward_length", 0, kMaxHidden * 64);
    if (!shff) return shff.error();
    moe.num_shared_experts = shexp->value_or(shff->value_or(0) > 0 ? 1 : 0);
    spec.moe = moe;
  }

  // The same validation as a config's, before anything is counted with these figures.
  SpecKeys keys;
  keys.file = f.path;
  keys.heads = m.key("attention.head_count");
  keys.kv_heads = m.key("attention.head_count_kv");
  const gguf::Value* kv_value = m.find(keys.kv_heads);
  keys.kv_heads_per_layer = kv_value != nullptr && kv_value->type == gguf::ValueType::array;
  keys.heads_per_layer = h.n_head;
  keys.experts = m.key("expert_count");
  keys.experts_per_token = m.key("expert_used_count");
  keys.window = m.key("attention.sliding_window");
  if (auto s = validate_spec(spec, keys); !s) return s.error();

  // File type and weights.
  GgufSummary gs;
  gs.version = f.version;
  gs.metadata_count = static_cast<std::int64_t>(f.kv_count);
  gs.alignment = f.alignment;
  gs.split_count = mf.split_count;
  for (const auto& part : mf.files) gs.tensor_count += static_cast<std::int64_t>(part.tensors.size());
  auto ftype = g.integer("general.file_type", 0, 1 << 20);
  if (!ftype) return ftype.error();
  gs.file_type = *ftype;
  if (*ftype) {
    auto name = gguf_file_type_name(**ftype);
    gs.file_type_name = name ? std::string(*name) : std::string();
    if (**ftype == 0)
      spec.dtype = "float32";
    else if (**ftype == 1)
      spec.dtype = "float16";
    else if (**ftype == 32)
      spec.dtype = "bfloat16";
    else
      spec.quantization = Quantization{name ? std::string(*name) : fmt::format("file type {}", **ftype),
                                       std::nullopt, std::nullopt, "general.file_type"};
  }
  if (auto s = summarize_weights(mf, spec.moe, gs); !s) return s.error();
  gs.tensor_data_present =
      std::all_of(mf.files.begin(), mf.files.end(), [](const gguf::File& p) { return p.data_present; });
  if (!gs.tensor_data_present)
    spec.notes.push_back(
        {Note::Level::warning,
         fmt::format("tensor data absent: a header-only copy (the file ends at byte {}; its tensor "
                     "infos describe {} bytes of data from byte {}); weights counted from the "
                     "tensor infos",
                     f.file_size, f.data_size, f.data_offset)});
  if (gs.tensor_count == 0)
    spec.notes.push_back(
        {Note::Level::warning, "metadata only: the file has no tensor infos, so no weights are counted"});
  spec.gguf = gs;
  spec.weights = weights_summary(mf, gs);
  check_against_tensors(f, h, spec.layers, spec);
  return spec;
}

}  // namespace

Result<ModelCacheSpec> spec_from_gguf(std::string_view path) {
  auto mf = read_model_files(std::string(path));
  if (!mf) return mf.error();
  return build(*mf, path);
}

}  // namespace kvspec
