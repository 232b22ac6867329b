#include "spec/build.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "arch/rule.hpp"
#include "spec/layer_types.hpp"
#include "spec/model_facts.hpp"
#include "spec/validate_spec.hpp"
#include "spec/weights_apply.hpp"

namespace kvspec {

namespace {

// Which rule applies: the nested text config's model_type (wrappers), else the top-level one, else the
// `architectures` class name; nullptr if none is known.
const ArchRule* select_rule(const ModelDescription& d, ModelCacheSpec& spec) {
  const ArchRule* outer = find_rule(spec.model_type);
  if (!d.text_key.empty()) {
    const json::Value* t = d.text().find("model_type");
    if (t != nullptr && t->is_string())
      spec.text_model_type = t->as_string();
    else if (outer != nullptr && !outer->text_model_type.empty())
      spec.text_model_type = outer->text_model_type;
    if (spec.text_model_type) {
      if (const ArchRule* r = find_rule(*spec.text_model_type)) return r;
    }
  }
  if (outer != nullptr && outer->text_model_type.empty()) return outer;
  if (outer != nullptr && d.text_key.empty()) return outer;
  if (const json::Value* archs = d.root().find("architectures"); archs != nullptr && archs->is_array()) {
    for (const json::Value& a : archs->as_array())
      if (a.is_string())
        if (const ArchRule* r = find_rule_by_architecture(a.as_string())) return r;
  }
  return nullptr;
}

Status resolve_core(BuildContext& ctx) {
  const ConfigView& cfg = ctx.cfg;
  const FamilyDefaults& def = ctx.rule.defaults;
  std::string cls = ctx.rule.config_class.empty() ? std::string("the family's config class")
                                                  : std::string(ctx.rule.config_class);

  // Layers.
  auto layers = cfg.first_integer({"num_hidden_layers", "n_layer", "n_layers", "num_layers"}, 1, kMaxLayers);
  if (!layers) return layers.error();
  if (*layers) {
    ctx.num_layers = (*layers)->value;
    ctx.fact("num_layers", std::to_string(ctx.num_layers), Tier::config, cfg.path((*layers)->key));
  } else if (def.num_layers) {
    ctx.num_layers = *def.num_layers;
    ctx.note(fmt::format("num_hidden_layers is absent: {} defaults it to {}", cls, ctx.num_layers));
    ctx.fact("num_layers", std::to_string(ctx.num_layers), Tier::rule, cls + " default");
  } else {
    return cfg.error("num_hidden_layers",
                     "the layer count (num_hidden_layers, n_layer, n_layers or num_layers)", "none of them",
                     ctx.known_family ? "this family's config class has no default for it"
                                      : "unknown model_type, so no family default applies");
  }

  // Attention heads.
  auto heads = cfg.first_integer({"num_attention_heads", "n_head", "n_heads"}, 1, kMaxHeads);
  if (!heads) return heads.error();
  if (*heads) {
    ctx.num_heads = (*heads)->value;
    ctx.fact("num_attention_heads", std::to_string(ctx.num_heads), Tier::config, cfg.path((*heads)->key));
  } else if (def.num_heads) {
    ctx.num_heads = *def.num_heads;
    ctx.note(fmt::format("num_attention_heads is absent: {} defaults it to {}", cls, ctx.num_heads));
    ctx.fact("num_attention_heads", std::to_string(ctx.num_heads), Tier::rule, cls + " default");
  } else if (!ctx.rule.attention_free) {
    return cfg.error("num_attention_heads",
                     "the attention head count (num_attention_heads, n_head or n_heads)", "none of them");
  }

  auto hidden = cfg.first_integer({"hidden_size", "n_embd", "d_model", "n_embed"}, 1, kMaxHidden);
  if (!hidden) return hidden.error();
  if (*hidden) {
    ctx.hidden = (*hidden)->value;
  } else if (def.hidden_size) {
    ctx.hidden = *def.hidden_size;
    ctx.note(fmt::format("hidden_size is absent: {} defaults it to {}", cls, ctx.hidden));
    ctx.fact("hidden_size", std::to_string(ctx.hidden), Tier::rule, cls + " default");
  }
  // Attention-free families (mamba, rwkv): no KV heads, head dim or window to resolve.
  if (ctx.rule.attention_free) return Ok{};

  // KV heads: the generic names first, then nested and multi-query forms.
  auto kv = cfg.first_integer({"num_key_value_heads", "num_kv_heads", "n_head_kv"}, 1, kMaxHeads);
  if (!kv) return kv.error();
  if (!*kv) {
    if (const json::Value* ac = cfg.raw("attn_config"); ac != nullptr && ac->is_object()) {
      if (const json::Value* v = ac->find("kv_n_heads"); v != nullptr && !v->is_null()) {
        auto n = cfg.as_integer(*v, cfg.path("attn_config.kv_n_heads"), 1, kMaxHeads);
        if (!n) return n.error();
        *kv = ConfigView::Named{*n, "attn_config.kv_n_heads"};
      }
    }
  }
  if (!*kv) {
    // Grouped / multi-query flags (ChatGLM: multi_query_group_num when multi_query_attention; GPT-BigCode and
    // Falcon: multi_query → one KV head). Families with other precedence override this in their hooks.
    auto mqa_on = cfg.boolean("multi_query_attention");
    if (!mqa_on) return mqa_on.error();
    auto groups = cfg.integer("multi_query_group_num", 1, kMaxHeads);
    if (!groups) return groups.error();
    auto mq = cfg.boolean("multi_query");
    if (!mq) return mq.error();
    if (*groups && mqa_on->value_or(true))
      *kv = ConfigView::Named{**groups, "multi_query_group_num"};
    else if (mq->value_or(false))
      *kv = ConfigView::Named{1, "multi_query"};
  }
  if (*kv) {
    ctx.num_kv_heads = (*kv)->value;
    ctx.fact("num_kv_heads", std::to_string(ctx.num_kv_heads), Tier::config, cfg.path((*kv)->key));
  } else if (def.num_kv_heads) {
    ctx.num_kv_heads = *def.num_kv_heads;
    ctx.note(fmt::format("num_key_value_heads is absent: {} defaults it to {}", cls, ctx.num_kv_heads));
    ctx.fact("num_kv_heads", std::to_string(ctx.num_kv_heads), Tier::rule, cls + " default");
  } else {
    ctx.num_kv_heads = ctx.num_heads;
    if (ctx.known_family) {
      ctx.fact("num_kv_heads", std::to_string(ctx.num_kv_heads), Tier::rule,
               cls + ": no KV-head field means one KV head per attention head (MHA)");
    } else {
      ctx.warn(fmt::format("assumed num_kv_heads = num_attention_heads = {} (no num_key_value_heads field)",
                           ctx.num_kv_heads));
      ctx.fact("num_kv_heads", std::to_string(ctx.num_kv_heads), Tier::rule, "generic assumption: MHA");
    }
  }

  // Head dim: explicit, else the class default, else hidden / heads.
  auto hd = cfg.first_integer({"head_dim", "kv_channels"}, 1, kMaxHeadDim);
  if (!hd) {
    // head_dim: 0 or null means "derive it" in several config classes; anything else invalid is an error.
    const json::Value* v = cfg.raw("head_dim");
    if (!(v != nullptr && v->is_int() && v->as_int() == 0)) return hd.error();
    hd = std::optional<ConfigView::Named>{};
  }
  if (*hd) {
    ctx.head_dim = (*hd)->value;
    ctx.fact("head_dim", std::to_string(ctx.head_dim), Tier::config, cfg.path((*hd)->key));
  } else if (def.head_dim) {
    ctx.head_dim = *def.head_dim;
    ctx.note(fmt::format("head_dim is absent: {} defaults it to {}", cls, ctx.head_dim));
    ctx.fact("head_dim", std::to_string(ctx.head_dim), Tier::rule, cls + " default");
  } else if (ctx.rule.latent_head_dim && ctx.hidden % ctx.num_heads != 0) {
    ctx.head_dim = 0;  // an MLA family: its resolve hook sets the cached widths
  } else {
    if (ctx.hidden == 0)
      return cfg.error("hidden_size", "hidden_size (or head_dim) to derive the head dim", "neither");
    if (ctx.hidden % ctx.num_heads != 0)
      return cfg.error("head_dim", "head_dim, since hidden_size is not a multiple of the head count", "none",
                       fmt::format("hidden_size {} / {} heads", ctx.hidden, ctx.num_heads));
    ctx.head_dim = ctx.hidden / ctx.num_heads;
    std::string origin =
        fmt::format("hidden_size / num_attention_heads = {} / {}", ctx.hidden, ctx.num_heads);
    ctx.fact("head_dim", std::to_string(ctx.head_dim), Tier::rule, origin);
    if (!ctx.known_family) ctx.warn("assumed head_dim = " + origin + " (no head_dim field)");
  }
  ctx.head_dim_v = ctx.head_dim;

  // Sliding window: a value, an explicit null (no window), or absent (the class default, if any).
  const json::Value* sw = cfg.raw("sliding_window");
  if (sw != nullptr && !sw->is_null()) {
    auto w = cfg.as_integer(*sw, cfg.path("sliding_window"), 1, kMaxTokens);
    if (!w) return w.error();
    ctx.window = *w;
  } else if (sw == nullptr && def.sliding_window) {
    ctx.window = def.sliding_window;
  }

  auto chunk = cfg.integer("attention_chunk_size", 1, kMaxTokens);
  if (!chunk) return chunk.error();
  ctx.spec.attention_chunk_size = *chunk;
  return Ok{};
}

// The config's own keys for validate_spec's messages: those the heads and window were read from.
SpecKeys config_keys(const BuildContext& ctx) {
  SpecKeys keys;
  keys.file = ctx.cfg.file();
  auto origin = [&](std::string_view fact, std::string_view key) {
    for (const Fact& f : ctx.spec.facts)
      if (f.name == fact && f.tier == Tier::config) return f.origin;
    return ctx.cfg.path(key);
  };
  keys.heads = origin("num_attention_heads", "num_attention_heads");
  keys.kv_heads = origin("num_kv_heads", "num_key_value_heads");
  keys.window = ctx.cfg.path("sliding_window");
  return keys;
}

Status build_pattern_layers(BuildContext& ctx) {
  const ConfigView& cfg = ctx.cfg;
  auto& layers = ctx.spec.layers;
  layers.clear();
  layers.reserve(static_cast<std::size_t>(ctx.num_layers));
  switch (ctx.rule.pattern) {
    case Pattern::all_full:
      for (std::int64_t i = 0; i < ctx.num_layers; ++i)
        layers.push_back(ctx.layer(LayerKind::full_attention, Tier::rule));
      break;
    case Pattern::window_all_layers: {
      LayerKind k = ctx.window ? LayerKind::sliding_attention : LayerKind::full_attention;
      for (std::int64_t i = 0; i < ctx.num_layers; ++i) layers.push_back(ctx.layer(k, Tier::rule));
      if (ctx.window && !ctx.known_family)
        ctx.warn(
            fmt::format("assumed sliding_window {} applies to every layer (no layer_types)", *ctx.window));
      break;
    }
    case Pattern::qwen_max_window: {
      auto use = cfg.boolean("use_sliding_window");
      if (!use) return use.error();
      auto mwl = cfg.integer("max_window_layers", 0, kMaxLayers);
      if (!mwl) return mwl.error();
      bool on = use->value_or(false) && ctx.window.has_value();
      std::int64_t first = mwl->value_or(ctx.rule.defaults.period);
      Tier tier = *use ? Tier::config : Tier::rule;
      for (std::int64_t i = 0; i < ctx.num_layers; ++i)
        layers.push_back(
            ctx.layer(on && i >= first ? LayerKind::sliding_attention : LayerKind::full_attention, tier));
      if (!on && ctx.window)
        ctx.note(fmt::format("sliding_window {} is inert: use_sliding_window is {}", *ctx.window,
                             use->has_value() ? "false" : "absent (default false)"));
      if (!on) ctx.window.reset();
      break;
    }
    case Pattern::periodic_global: {
      std::int64_t period = ctx.rule.defaults.period;
      Tier tier = Tier::rule;
      auto p = cfg.integer("sliding_window_pattern", 1, kMaxLayers);
      if (!p) return p.error();
      if (*p) {
        period = **p;
        tier = Tier::config;
      }
      if (!ctx.window) {
        // No window (null): transformers makes no sliding layers.
        for (std::int64_t i = 0; i < ctx.num_layers; ++i)
          layers.push_back(ctx.layer(LayerKind::full_attention, tier));
        break;
      }
      for (std::int64_t i = 0; i < ctx.num_layers; ++i) {
        bool global = (i + 1) % period == 0;
        layers.push_back(ctx.layer(global ? LayerKind::full_attention : LayerKind::sliding_attention, tier));
      }
      break;
    }
    case Pattern::custom:
      if (ctx.rule.layers == nullptr)
        return make_error(ErrorCode::internal, "", "", "", "", "custom pattern without a layers hook");
      return ctx.rule.layers(ctx);
  }
  return Ok{};
}

}  // namespace

Result<ModelCacheSpec> build_spec(const ModelDescription& d) {
  ModelCacheSpec spec;
  spec.source = d.name;
  ConfigView root_view(d);
  const json::Value* mt = d.root().find("model_type");
  if (mt != nullptr && !mt->is_null() && !mt->is_string())
    return make_error(ErrorCode::bad_input, d.config_file, "model_type", "a string", mt->describe());
  if (mt != nullptr && mt->is_string()) spec.model_type = mt->as_string();

  const ArchRule* rule = select_rule(d, spec);
  ConfigView cfg(d);
  BuildContext ctx{cfg, rule != nullptr ? *rule : generic_rule(), spec};
  ctx.known_family = rule != nullptr;
  if (!ctx.known_family) {
    std::string name = spec.text_model_type.value_or(spec.model_type);
    ctx.warn(fmt::format("model_type '{}' is not in the registry: generic rules applied",
                         name.empty() ? "(none)" : name));
  } else if (spec.model_type.empty()) {
    spec.model_type = std::string(rule->model_type);
    ctx.note(
        fmt::format("model_type is absent: '{}' chosen from the architectures class name", spec.model_type));
  }

  if (auto s = ctx.rule.core != nullptr ? ctx.rule.core(ctx) : resolve_core(ctx); !s) return s.error();
  if (ctx.rule.resolve != nullptr)
    if (auto s = ctx.rule.resolve(ctx); !s) return s.error();

  auto explicit_types = layers_from_layer_types(ctx);
  if (!explicit_types) return explicit_types.error();
  if (!*explicit_types)
    if (auto s = build_pattern_layers(ctx); !s) return s.error();
  if (ctx.rule.finish != nullptr)
    if (auto s = ctx.rule.finish(ctx); !s) return s.error();

  spec.num_attention_heads = ctx.num_heads;
  spec.hidden_size = ctx.hidden;
  spec.head_dim = ctx.head_dim;
  bool windowed = std::any_of(spec.layers.begin(), spec.layers.end(),
                              [](const LayerSpec& l) { return l.kind == LayerKind::sliding_attention; });
  if (windowed) spec.sliding_window = ctx.window;
  SpecKeys keys = config_keys(ctx);
  if (auto s = read_model_facts(cfg, spec, keys); !s) return s.error();
  if (!spec.max_position_embeddings && ctx.rule.defaults.max_position_embeddings) {
    // The config leaves the model's context limit to its class (e.g. Gemma3TextConfig: 131072).
    spec.max_position_embeddings = ctx.rule.defaults.max_position_embeddings;
    ctx.fact("max_position_embeddings", std::to_string(*spec.max_position_embeddings), Tier::rule,
             std::string(ctx.rule.config_class) + " default");
    ctx.note(fmt::format("max_position_embeddings is absent: {} defaults it to {}", ctx.rule.config_class,
                         *spec.max_position_embeddings));
  }
  if (auto s = apply_weights_evidence(ctx, d); !s) return s.error();  // tier 2, when the weights were read
  if (auto s = validate_spec(spec, keys); !s) return s.error();
  if (!ctx.known_family)
    spec.notes.push_back({Note::Level::info, std::string("rule: ") + std::string(ctx.rule.source)});
  return spec;
}

}  // namespace kvspec
