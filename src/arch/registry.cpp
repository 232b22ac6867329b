#include <algorithm>
#include <vector>

#include "arch/rule.hpp"
#include "kvspec/registry.hpp"

namespace kvspec {

namespace {

const std::vector<ArchRule>& registry() {
  static const std::vector<ArchRule> rules = [] {
    std::vector<ArchRule> all;
    for (auto group : {llama_like_rules(), gemma_rules(), qwen_rules(), sliding_family_rules(),
                       wrapper_rules(), mla_rules(), hybrid_rules(), hybrid_extra_rules(), classic_rules(),
                       structural_rules(), remote_code_rules(), minimax_m3_rules(), deepseek_v4_rules()})
      all.insert(all.end(), group.begin(), group.end());
    return all;
  }();
  return rules;
}

}  // namespace

std::span<const ArchRule> all_rules() {
  return registry();
}

std::vector<FamilyInfo> known_families() {
  std::vector<FamilyInfo> out;
  for (const ArchRule& r : registry())
    out.push_back({r.model_type, r.config_class, r.source, r.text_model_type, r.architecture});
  std::sort(out.begin(), out.end(),
            [](const FamilyInfo& a, const FamilyInfo& b) { return a.model_type < b.model_type; });
  return out;
}

const ArchRule* find_rule(std::string_view model_type) {
  for (const ArchRule& r : registry())
    if (r.model_type == model_type) return &r;
  return nullptr;
}

const ArchRule* find_rule_by_architecture(std::string_view architecture) {
  for (const ArchRule& r : registry())
    if (!r.architecture.empty() && r.architecture == architecture) return &r;
  return nullptr;
}

const ArchRule& generic_rule() {
  static const ArchRule rule{
      .model_type = "(generic)",
      .config_class = "",
      .source =
          "generic transformers conventions: num_key_value_heads else MHA, head_dim else hidden/heads, "
          "layer_types else sliding_window on every layer (cache_utils.py DynamicCache)",
      .pattern = Pattern::window_all_layers,
  };
  return rule;
}

LayerSpec BuildContext::layer(LayerKind kind, Tier tier) const {
  LayerSpec l;
  l.kind = kind;
  l.num_kv_heads = num_kv_heads;
  l.head_dim_k = head_dim;
  l.head_dim_v = head_dim_v;
  l.source = tier;
  if (kind == LayerKind::sliding_attention) l.window = window;
  if (kind == LayerKind::chunked_attention) l.window = spec.attention_chunk_size;
  return l;
}

}  // namespace kvspec
