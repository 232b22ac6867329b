// The architecture registry's vocabulary (tier 3): one small declarative ArchRule per family, keyed on the
// config's model_type (or its `architectures` class name), never on a repository name. A rule states the
// defaults of the family's config class and which layer-pattern rule applies, with the source it was read
// from. The few families whose rules do not fit the table add a hook.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "arch/config_view.hpp"
#include "kvspec/spec.hpp"

namespace kvspec {

enum class Pattern : std::uint8_t {
  all_full,           // every layer full attention
  window_all_layers,  // `sliding_window`, when set, windows every layer (transformers' DynamicCache without
                      // layer_types; vLLM's non-interleaved rule)
  qwen_max_window,    // sliding iff use_sliding_window and i >= max_window_layers (Qwen2Config)
  periodic_global,    // global iff (i + 1) % period == 0, else sliding; period from `sliding_window_pattern`
  custom,             // the rule's `layers` hook builds the layers
};

struct FamilyDefaults {
  // Config-class defaults used when a key is absent. nullopt = the class has no default for it.
  std::optional<std::int64_t> num_layers;
  std::optional<std::int64_t> hidden_size;
  std::optional<std::int64_t> num_heads;
  std::optional<std::int64_t> num_kv_heads;  // nullopt = same as the head count
  std::optional<std::int64_t> head_dim;      // nullopt = hidden_size / heads
  std::optional<std::int64_t>
      sliding_window;       // used only when the key is absent (a null key means "no window")
  std::int64_t period = 0;  // periodic_global: default `sliding_window_pattern`
  // For the weights estimate only (plan/weights_estimate.cpp): configs that leave these to the class.
  std::optional<std::int64_t> vocab_size;
  std::optional<bool> tie_word_embeddings;
  std::optional<std::int64_t> intermediate_size;
  // The model's context limit when the config omits it (spec.max_position_embeddings; fit caps there).
  std::optional<std::int64_t> max_position_embeddings;
};

struct BuildContext;
using Hook = Status (*)(BuildContext&);
// Maps a `layer_types` string the generic attention table does not know (e.g. "linear_attention", "mamba") to
// a layer; nullopt = unknown to this family too (an error naming the field).
using LayerTypeHook = Result<std::optional<LayerSpec>> (*)(BuildContext&, std::string_view type,
                                                           std::int64_t index);

struct ArchRule {
  std::string_view model_type;
  std::string_view config_class;  // the transformers config class the defaults come from
  std::string_view source;        // where the rule was read (file and version)
  FamilyDefaults defaults{};
  Pattern pattern = Pattern::all_full;
  std::string_view text_model_type{};  // wrappers: model_type of the nested text config when it states none
  std::string_view architecture{};     // an `architectures` class name that also selects this rule
  Hook core =
      nullptr;  // instead of the generic head/dim resolution (configs that name them otherwise: t5, whisper)
  Hook resolve = nullptr;  // after the generic head/dim resolution: family-specific overrides
  Hook layers = nullptr;   // Pattern::custom: builds ctx.spec.layers
  Hook finish = nullptr;   // after the layers: extras (notes, components)
  LayerTypeHook layer_type = nullptr;
  // MLA families: the resolve hook sets the cached widths, so a head dim the generic resolution cannot derive
  // (no head_dim, hidden_size not a multiple of the heads: Kimi-K3) is left 0 for it instead of an error.
  bool latent_head_dim = false;
  // Pure recurrent families (mamba, rwkv): no attention heads, so the builder reads the layer count and
  // hidden size only and leaves heads, KV heads and head dim at 0.
  bool attention_free = false;
};

// What the builder has resolved so far; hooks read and amend it.
struct BuildContext {
  const ConfigView& cfg;
  const ArchRule& rule;
  ModelCacheSpec& spec;
  bool known_family = true;
  std::int64_t num_layers = 0;
  std::int64_t num_heads = 0;
  std::int64_t num_kv_heads = 0;
  std::int64_t head_dim = 0;    // K head dim
  std::int64_t head_dim_v = 0;  // V head dim (usually = head_dim)
  std::int64_t hidden = 0;
  std::optional<std::int64_t> window;  // the resolved sliding window, if the model has one

  void note(std::string text) { spec.notes.push_back({Note::Level::info, std::move(text)}); }
  void warn(std::string text) { spec.notes.push_back({Note::Level::warning, std::move(text)}); }
  void fact(std::string name, std::string value, Tier tier, std::string origin) {
    spec.facts.push_back({std::move(name), std::move(value), tier, std::move(origin)});
  }
  // A layer of the given kind with the resolved heads and dims.
  [[nodiscard]] LayerSpec layer(LayerKind kind, Tier tier) const;
};

// The whole registry, and lookups.
std::span<const ArchRule> all_rules();
const ArchRule* find_rule(std::string_view model_type);
const ArchRule* find_rule_by_architecture(std::string_view architecture);
// The rule applied to families the registry does not know: generic fields, every assumption warned about.
const ArchRule& generic_rule();

// Each family group contributes its table (src/arch/families/*.cpp).
std::span<const ArchRule> llama_like_rules();
// A finish hook shared by families with multi-token-prediction layers (num_nextn_predict_layers): notes
// that they are not counted (families/mla.cpp).
Status mtp_note(BuildContext& ctx);

std::span<const ArchRule> gemma_rules();
std::span<const ArchRule> qwen_rules();
std::span<const ArchRule> sliding_family_rules();
std::span<const ArchRule> wrapper_rules();
std::span<const ArchRule> mla_rules();           // DeepSeek-style multi-head latent attention
std::span<const ArchRule> hybrid_rules();        // recurrent / linear-attention layers and hybrids
std::span<const ArchRule> hybrid_extra_rules();  // RecurrentGemma, PLaMo 2
std::span<const ArchRule> classic_rules();  // older and remote-code families (gpt2, falcon, chatglm, ...)
std::span<const ArchRule>
structural_rules();  // KV sharing, cross-attention, per-layer heads, encoder-decoder
std::span<const ArchRule> remote_code_rules();
std::span<const ArchRule> minimax_m3_rules();
std::span<const ArchRule>
deepseek_v4_rules();  // DeepSeek-V4: window + compressed KV  // MiniMax-M3: GQA + lightning-indexer keys  //
                      // CogVLM, MiMo, Phi-3-small/vision, Qwen v1, XVERSE, ...

}  // namespace kvspec
