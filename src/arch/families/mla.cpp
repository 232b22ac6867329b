// Multi-head latent attention (DeepSeek V2/V3/V3.2, Kimi K2, GLM-4.7-Flash, GLM-5, MiniCPM3, LongCat-Flash,
// and the MLA layers of Kimi Linear):
// every layer caches one compressed latent per token, kv_lora_rank values, plus the decoupled RoPE key,
// qk_rope_head_dim values, shared by all heads. The spec records it as kind `mla` with num_kv_heads 1,
// head_dim_k = kv_lora_rank + qk_rope_head_dim and head_dim_v 0: DeepSeek-V3 caches 61 × (512 + 64) × 2 =
// 70,272 bytes per token at f16 (vLLM MLAAttentionSpec: one 576-wide "head", no factor 2; llama.cpp since PR
// #19067: K only, 576 wide; mlx-lm deepseek_v3.py: latent 512 as keys + k_pe 64 as values).
// `num_key_value_heads` and `head_dim` in these configs describe the decompressed heads (transformers sets
// head_dim = qk_rope_head_dim), never the cached width; the decompressed geometry is kept in
// ModelCacheSpec::mla for runtimes that cache full K and V (transformers).
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "arch/recurrent_state.hpp"
#include "arch/rule.hpp"
#include "util/checked.hpp"

namespace kvspec {

// Declared in rule.hpp. Multi-token prediction: num_hidden_layers excludes the nextn layers (DeepSeek-V3:
// 61 + 1 MTP module; GLM-4.5 likewise; llama.cpp n_layer_kv_from_start = n_layer - nextn_predict_layers).
// They own a cache only when a runtime runs them as a speculative draft (vLLM deepseek_mtp; llama.cpp gives
// them no KV cell), so the main model's cache does not count them.
Status mtp_note(BuildContext& ctx) {
  auto mtp = ctx.cfg.integer("num_nextn_predict_layers", 0, kMaxLayers);
  if (!mtp) return mtp.error();
  if (mtp->value_or(0) > 0)
    ctx.note(
        fmt::format("num_nextn_predict_layers = {}: the multi-token-prediction layer(s) are not in "
                    "num_hidden_layers and not counted (they cache only when run as a speculative draft)",
                    **mtp));
  return Ok{};
}

namespace {

// The MLA defaults of one config class (used when a key is absent).
struct MlaDefaults {
  std::string_view model_type;
  std::int64_t kv_lora_rank;
  std::int64_t qk_rope_head_dim;
  std::int64_t qk_nope_head_dim;
  std::int64_t v_head_dim;          // 0 = defaults to qk_nope_head_dim (MiniCPM3's remote config)
  std::int64_t index_head_dim = 0;  // DSA lightning indexer (DeepSeek-V3.2, GLM-5); 0 = no indexer
  bool stated_only = false;         // the class defaults every MLA dimension to None: configs must state them
};

constexpr std::array kMlaDefaults{
    MlaDefaults{"deepseek_v2", 512, 64, 128, 128},
    MlaDefaults{"deepseek_v3", 512, 64, 128, 128},
    MlaDefaults{"deepseek_v32", 512, 64, 128, 128, 128},
    MlaDefaults{"kimi_k2", 512, 64, 128, 128},
    MlaDefaults{"glm4_moe_lite", 512, 64, 192, 256},
    MlaDefaults{"glm_moe_dsa", 512, 64, 192, 256, 128},
    MlaDefaults{"minicpm3", 256, 32, 64, 0},
    MlaDefaults{"longcat_flash", 512, 64, 128, 128},
    MlaDefaults{"kimi_linear", 0, 0, 0, 0, 0, true},
};

const MlaDefaults& mla_defaults(std::string_view model_type) {
  for (const auto& d : kMlaDefaults)
    if (d.model_type == model_type) return d;
  return kMlaDefaults[1];  // unreachable: every rule below has an entry
}

void drop_facts(ModelCacheSpec& spec, std::string_view name) {
  std::erase_if(spec.facts, [&](const Fact& f) { return f.name == name; });
}

// An MLA dimension: the config's value (non-null), else the class default; an explicit null is an error
// because the model cannot be built without it, and so is an absent key whose class has no default.
Result<std::int64_t> mla_dim(BuildContext& ctx, std::string_view key, std::int64_t lo,
                             std::optional<std::int64_t> fallback, std::string_view fallback_origin) {
  const json::Value* v = ctx.cfg.raw(key);
  if (v != nullptr && v->is_null()) return ctx.cfg.error(key, "an integer (an MLA dimension)", "null");
  auto n = ctx.cfg.integer(key, lo, kMaxHeadDim);
  if (!n) return n.error();
  if (*n) {
    ctx.fact(std::string(key), std::to_string(**n), Tier::config, ctx.cfg.path(key));
    return **n;
  }
  if (!fallback)
    return ctx.cfg.error(key, "an integer (an MLA dimension)", "none",
                         fmt::format("{} defaults it to None", ctx.rule.config_class));
  ctx.note(fmt::format("{} is absent: {} = {}", key, fallback_origin, *fallback));
  ctx.fact(std::string(key), std::to_string(*fallback), Tier::rule, std::string(fallback_origin));
  return *fallback;
}

// DeepSeek-VL2's DeepseekV2Config (remote modeling_deepseek.py, deepseek-ai/DeepSeek-VL2): use_mla false
// picks "mha_" + attn_implementation = LlamaAttention / LlamaFlashAttention2 (ATTENTION_CLASSES), plain
// multi-head attention with num_key_value_heads heads of hidden_size / num_attention_heads; its MLA dims
// are then null or 0 and unused. ctx.spec.mla stays unset, which mla_layers / mla_finish read.
Status plain_attention_resolve(BuildContext& ctx) {
  if (ctx.hidden % ctx.num_heads != 0)
    return ctx.cfg.error("hidden_size", fmt::format("a multiple of num_attention_heads ({})", ctx.num_heads),
                         std::to_string(ctx.hidden),
                         "use_mla false: LlamaAttention head_dim = hidden / heads");
  ctx.head_dim = ctx.hidden / ctx.num_heads;
  ctx.head_dim_v = ctx.head_dim;
  drop_facts(ctx.spec, "head_dim");
  std::erase_if(ctx.spec.notes, [](const Note& n) { return n.text.starts_with("head_dim is absent"); });
  ctx.fact("head_dim", std::to_string(ctx.head_dim), Tier::rule,
           fmt::format("use_mla false: LlamaAttention head_dim = hidden_size / num_attention_heads = {} / {}",
                       ctx.hidden, ctx.num_heads));
  ctx.note(
      fmt::format("use_mla is false: plain attention (LlamaAttention), {} KV heads × head dim {} for K "
                  "and V; the MLA fields are unused",
                  ctx.num_kv_heads, ctx.head_dim));
  return Ok{};
}

// After the generic resolution (which read num_key_value_heads and head_dim as the decompressed heads): one
// latent "head" of kv_lora_rank + qk_rope_head_dim values, no separate V.
Status mla_resolve(BuildContext& ctx) {
  auto use_mla = ctx.cfg.boolean("use_mla");
  if (!use_mla) return use_mla.error();
  if (!use_mla->value_or(true)) return plain_attention_resolve(ctx);
  const MlaDefaults& def = mla_defaults(ctx.rule.model_type);
  std::string cls(ctx.rule.config_class);
  auto dflt = [&](std::int64_t v) { return def.stated_only ? std::nullopt : std::optional<std::int64_t>{v}; };
  auto rank = mla_dim(ctx, "kv_lora_rank", 1, dflt(def.kv_lora_rank), cls + " default kv_lora_rank");
  if (!rank) return rank.error();
  auto rope =
      mla_dim(ctx, "qk_rope_head_dim", 0, dflt(def.qk_rope_head_dim), cls + " default qk_rope_head_dim");
  if (!rope) return rope.error();
  auto nope =
      mla_dim(ctx, "qk_nope_head_dim", 0, dflt(def.qk_nope_head_dim), cls + " default qk_nope_head_dim");
  if (!nope) return nope.error();
  std::int64_t v_fallback = def.v_head_dim != 0 ? def.v_head_dim : *nope;
  std::string v_origin = def.v_head_dim != 0 ? cls + " default v_head_dim"
                                             : cls + " (remote code): v_head_dim None -> qk_nope_head_dim";
  auto v = mla_dim(ctx, "v_head_dim", 1, dflt(v_fallback), v_origin);
  if (!v) return v.error();
  // q_lora_rank (null in DeepSeek-V2-Lite: queries are projected directly) shapes only the query path.
  auto q_rank = ctx.cfg.integer("q_lora_rank", 1, kMaxHidden);
  if (!q_rank) return q_rank.error();

  std::int64_t stated_kv = ctx.num_kv_heads;
  ctx.num_kv_heads = 1;
  ctx.head_dim = *rank + *rope;
  ctx.head_dim_v = 0;
  drop_facts(ctx.spec, "num_kv_heads");
  drop_facts(ctx.spec, "head_dim");
  // The generic notes about defaulted KV heads / head_dim describe decompressed heads: irrelevant here.
  std::erase_if(ctx.spec.notes, [](const Note& n) {
    return n.text.starts_with("head_dim is absent") || n.text.starts_with("num_key_value_heads is absent");
  });
  ctx.fact("num_kv_heads", "1", Tier::rule, "MLA: one latent shared by all heads (vLLM get_num_kv_heads: 1)");
  ctx.fact("head_dim", std::to_string(ctx.head_dim), Tier::rule,
           fmt::format("MLA latent width kv_lora_rank + qk_rope_head_dim = {} + {}", *rank, *rope));
  ctx.spec.mla = MlaDims{.kv_lora_rank = *rank,
                         .qk_rope_head_dim = *rope,
                         .qk_nope_head_dim = *nope,
                         .v_head_dim = *v,
                         .num_heads = ctx.num_heads};
  ctx.note(fmt::format(
      "MLA: each MLA layer caches one latent of kv_lora_rank + qk_rope_head_dim = {} + {} = {} values per "
      "token, no separate V; the {} KV heads of head dim {} + {} (K) and {} (V) exist only after "
      "decompression",
      *rank, *rope, ctx.head_dim, stated_kv, *nope, *rope, *v));
  return Ok{};
}

// LongCat-Flash: each of the num_layers decoder blocks holds two MLA attention sublayers, each with its own
// cache (transformers modeling_longcat_flash.py: self_attn[i] has layer_idx = 2 × block + i and
// LongcatFlashModel sets num_hidden_layers = 2 × num_layers for the cache; vLLM longcat_flash.py
// FlashDecoderLayer: two DeepseekV2MLAAttention; mlx-lm longcat_flash.py: CacheList(KVCache(), KVCache()) per
// block). The block count is num_layers (LongcatFlashConfig default 28); a saved transformers config also
// states num_hidden_layers = 2 × num_layers, which names the caches and is not read as blocks. vLLM's
// FlashConfig falls back to num_hidden_layers for the blocks when num_layers is absent.
Status longcat_resolve(BuildContext& ctx) {
  auto blocks = ctx.cfg.first_integer({"num_layers", "num_hidden_layers"}, 1, kMaxLayers / 2);
  if (!blocks) return blocks.error();
  std::int64_t n = 28;
  std::string origin = "LongcatFlashConfig default num_layers";
  if (*blocks) {
    n = (*blocks)->value;
    origin = ctx.cfg.path((*blocks)->key);
    if ((*blocks)->key != "num_layers")
      ctx.note(fmt::format("num_layers is absent: {} = {} read as the decoder blocks (vLLM FlashConfig)",
                           (*blocks)->key, n));
  } else {
    ctx.note("num_layers is absent: LongcatFlashConfig defaults it to 28 decoder blocks");
  }
  ctx.num_layers = 2 * n;
  drop_facts(ctx.spec, "num_layers");
  std::erase_if(ctx.spec.notes,
                [](const Note& note) { return note.text.starts_with("num_hidden_layers is absent"); });
  ctx.fact("num_layers", std::to_string(ctx.num_layers), Tier::rule,
           fmt::format("2 MLA sublayers × {} decoder blocks ({})", n, origin));
  ctx.note(fmt::format("LongCat-Flash: {} decoder blocks × 2 attention sublayers = {} MLA caches", n,
                       ctx.num_layers));
  return mla_resolve(ctx);
}

Status mla_layers(BuildContext& ctx) {
  LayerKind kind = ctx.spec.mla ? LayerKind::mla : LayerKind::full_attention;  // use_mla false: plain
  for (std::int64_t i = 0; i < ctx.num_layers; ++i) ctx.spec.layers.push_back(ctx.layer(kind, Tier::rule));
  return Ok{};
}

std::int64_t dtype_bytes(const ConfigView& cfg, std::string* name) {
  for (std::string_view key : {"torch_dtype", "dtype"}) {
    const json::Value* v = cfg.raw(key);
    if (v == nullptr || !v->is_string()) v = cfg.root().find(key);
    if (v != nullptr && v->is_string()) {
      *name = v->as_string();
      return *name == "float32" ? 4 : 2;
    }
  }
  *name = "16-bit (dtype unstated)";
  return 2;
}

// The DSA lightning indexer (DeepSeek-V3.2, GLM-5) caches its own key per token per layer: index_head_dim
// values (vLLM deepseek_v2.py DeepseekV32IndexerCache; transformers modular_glm_moe_dsa.py GlmMoeDsaIndexer
// keeps
// `_cached_keys` of index_head_dim; mlx-lm deepseek_v32.py CacheList(KVCache(), KVCache())). It is a separate
// component: kv_bytes_per_token counts the latent only. `indexer_types` (GLM-5.x): only "full" layers run an
// indexer; "shared" layers reuse the previous full layer's top-k indices and cache nothing of their own.
Status indexer_component(BuildContext& ctx, std::int64_t default_dim) {
  const ConfigView& cfg = ctx.cfg;
  auto dim = cfg.integer("index_head_dim", 1, kMaxHeadDim);
  if (!dim) return dim.error();
  std::int64_t head_dim = dim->value_or(default_dim);
  std::int64_t layers = ctx.num_layers;
  std::string which = "every layer";
  if (const json::Value* it = cfg.raw("indexer_types"); it != nullptr && !it->is_null()) {
    if (!it->is_array())
      return cfg.error("indexer_types", "an array of \"full\" / \"shared\"", it->describe());
    const json::Array& arr = it->as_array();
    if (static_cast<std::int64_t>(arr.size()) != ctx.num_layers)
      return cfg.error("indexer_types", fmt::format("{} entries (one per layer)", ctx.num_layers),
                       fmt::format("{} entries", arr.size()));
    layers = 0;
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const json::Value& e = arr[i];
      if (!e.is_string() || (e.as_string() != "full" && e.as_string() != "shared"))
        return make_error(ErrorCode::bad_input, cfg.file(), cfg.path(fmt::format("indexer_types[{}]", i)),
                          "\"full\" or \"shared\"", e.describe());
      if (e.as_string() == "full") ++layers;
    }
    which = fmt::format("the {} layers whose indexer_types entry is \"full\"", layers);
  }
  std::string dtype;
  std::int64_t elem = dtype_bytes(cfg, &dtype);
  CacheComponent c;
  c.name = "indexer keys";
  c.values_per_token = layers * head_dim;
  c.bytes_per_token = c.values_per_token * elem;
  c.note = fmt::format(
      "DSA lightning indexer: {} × index_head_dim {} × {} bytes ({}), {}; vLLM stores fp8 plus an fp32 scale "
      "per "
      "128 values ({} B per layer); not in kv_bytes_per_token",
      layers, head_dim, elem, dtype, which, head_dim + head_dim / 128 * 4);
  ctx.spec.extra_components.push_back(std::move(c));
  return Ok{};
}

Status mla_finish(BuildContext& ctx) {
  if (!ctx.spec.mla) return mtp_note(ctx);  // use_mla false: plain attention layers
  // `layer_types` (if a config ever states it) names attention layers; under MLA they cache the latent.
  for (std::size_t i = 0; i < ctx.spec.layers.size(); ++i) {
    LayerSpec& l = ctx.spec.layers[i];
    if (l.kind == LayerKind::full_attention) {
      l.kind = LayerKind::mla;
    } else if (l.kind != LayerKind::mla) {
      return make_error(ErrorCode::bad_input, ctx.cfg.file(), ctx.cfg.path(fmt::format("layer_types[{}]", i)),
                        "full_attention (every MLA layer caches the latent)", std::string(to_string(l.kind)));
    }
  }
  if (auto s = mtp_note(ctx); !s) return s.error();
  const MlaDefaults& def = mla_defaults(ctx.rule.model_type);
  if (def.index_head_dim > 0)
    if (auto s = indexer_component(ctx, def.index_head_dim); !s) return s.error();
  return Ok{};
}

// ---- Kimi Linear -----------------------------------------------------------------------------------------

// Kimi Linear (Kimi-Linear-48B-A3B, remote code configuration_kimi.py / modeling_kimi.py, mirrored in vLLM
// transformers_utils/configs/kimi_linear.py and models/kimi_linear.py, mlx-lm kimi_linear.py, llama.cpp
// kimi-linear): KDA (Kimi Delta Attention) layers holding a fixed state, and MLA layers caching the latent.
// Layer i (0-based) is KDA iff i + 1 is in linear_attn_config.kda_layers, MLA otherwise
// (KimiLinearConfig.is_kda_layer; mlx-lm `(layer_idx + 1) in kda_layers`); without linear_attn_config every
// layer is MLA (KimiDynamicCache: all "full_attention"). KimiLinearConfig asserts full_attn_layers too, but
// no runtime reads it to choose a layer's kind. Read at vLLM 01d9958 (models/kimi_linear.py), 02d7108
// (layers/mamba/mamba_utils.py), 00b9b7a (layers/mla.py); mlx-lm d78bf58; llama.cpp
// src/models/kimi-linear.cpp.

// The 1-based layer numbers listed under linear_attn_config.`key`, as one flag per layer; nullopt if absent.
Result<std::optional<std::vector<bool>>> kimi_layer_set(BuildContext& ctx, const json::Value& lac,
                                                        std::string_view key) {
  const json::Value* v = lac.find(key);
  std::string field = ctx.cfg.path("linear_attn_config") + "." + std::string(key);
  if (v == nullptr || v->is_null()) return std::optional<std::vector<bool>>{};
  if (!v->is_array())
    return make_error(ErrorCode::bad_input, ctx.cfg.file(), field, "an array of 1-based layer numbers",
                      v->describe());
  std::vector<bool> in(static_cast<std::size_t>(ctx.num_layers), false);
  const json::Array& arr = v->as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    auto n = ctx.cfg.as_integer(arr[i], fmt::format("{}[{}]", field, i), 1, ctx.num_layers);
    if (!n) return n.error();
    in[static_cast<std::size_t>(*n - 1)] = true;
  }
  return std::optional<std::vector<bool>>{std::move(in)};
}

Status kimi_linear_layers(BuildContext& ctx) {
  ctx.spec.layers.clear();
  const json::Value* lac = ctx.cfg.raw("linear_attn_config");
  if (lac == nullptr || lac->is_null()) {
    ctx.spec.layers.assign(static_cast<std::size_t>(ctx.num_layers), ctx.layer(LayerKind::mla, Tier::rule));
    ctx.note("linear_attn_config is absent: every layer is MLA (KimiLinearConfig.is_kda_layer is false)");
    return Ok{};
  }
  if (!lac->is_object())
    return ctx.cfg.error(
        "linear_attn_config",
        "an object (kda_layers, full_attn_layers, num_heads, head_dim, short_conv_kernel_size)",
        lac->describe());
  auto kda = kimi_layer_set(ctx, *lac, "kda_layers");
  if (!kda) return kda.error();
  if (!*kda)
    return make_error(ErrorCode::bad_input, ctx.cfg.file(),
                      ctx.cfg.path("linear_attn_config") + ".kda_layers",
                      "an array of 1-based layer numbers (KimiLinearConfig asserts it)", "none");
  auto full = kimi_layer_set(ctx, *lac, "full_attn_layers");
  if (!full) return full.error();
  for (std::size_t i = 0; i < (**kda).size(); ++i) {
    bool is_kda = (**kda)[i];
    ctx.spec.layers.push_back(is_kda ? recurrent_placeholder(Tier::config)
                                     : ctx.layer(LayerKind::mla, Tier::config));
    if (*full && (**full)[i] == is_kda)
      ctx.warn(
          fmt::format("linear_attn_config: layer {} is in {} kda_layers and full_attn_layers; runtimes "
                      "choose by kda_layers alone, so it is {}",
                      i + 1, is_kda ? "both" : "neither of", is_kda ? "KDA" : "MLA"));
  }
  return Ok{};
}

// A KDA dimension inside linear_attn_config; the config class has no default for any of them.
Result<std::int64_t> kda_dim(BuildContext& ctx, const json::Value& lac, std::string_view key, std::int64_t lo,
                             std::int64_t hi) {
  std::string field = ctx.cfg.path("linear_attn_config") + "." + std::string(key);
  const json::Value* v = lac.find(key);
  if (v == nullptr || v->is_null())
    return make_error(ErrorCode::bad_input, ctx.cfg.file(), field,
                      "an integer (the KDA layers' " + std::string(key) + ")", "none");
  auto n = ctx.cfg.as_integer(*v, field, lo, hi);
  if (!n) return n.error();
  ctx.fact("linear_attn_config." + std::string(key), std::to_string(*n), Tier::config, field);
  return *n;
}

// KDA state per layer (vLLM mamba_utils.py kda_state_shape / kda_state_dtype; llama.cpp kimi-linear
// n_embd_r = 3 × (d_conv - 1) × head_dim × n_head, n_embd_s = head_dim × head_dim × n_head; mlx-lm
// ArraysCache(size=4) = q, k, v conv states + the delta-rule state): short convolutions over q, k and v
// (num_heads × head_dim channels each) keeping short_conv_kernel_size - 1 columns in the model's dtype, and a
// (num_heads, head_dim, head_dim) state in float32 (vLLM kda_state_dtype: (model dtype, float32); fla's
// chunk_kda returns a float32 final state to the remote modeling).
Status kimi_linear_finish(BuildContext& ctx) {
  if (auto s = mtp_note(ctx); !s) return s.error();
  if (auto nope = ctx.cfg.boolean("mla_use_nope"); !nope) {
    return nope.error();
  } else if (nope->value_or(false) && ctx.spec.count(LayerKind::mla) > 0) {
    ctx.note(
        "mla_use_nope: the MLA layers apply no RoPE, yet the qk_rope_head_dim part of the key is still "
        "projected and cached beside the latent (vLLM rotary_emb=None, mlx-lm kimi_linear.py, llama.cpp)");
  }
  if (ctx.spec.count(LayerKind::recurrent) == 0) return Ok{};
  const json::Value& lac = *ctx.cfg.raw("linear_attn_config");  // an object: kimi_linear_layers checked it
  auto heads = kda_dim(ctx, lac, "num_heads", 1, kMaxHeads);
  if (!heads) return heads.error();
  auto dim = kda_dim(ctx, lac, "head_dim", 1, kMaxHeadDim);
  if (!dim) return dim.error();
  auto kernel = kda_dim(ctx, lac, "short_conv_kernel_size", 1, kMaxKernel);
  if (!kernel) return kernel.error();
  auto conv = checked_product(*kernel - 1, 3, *heads, *dim);
  auto rec = checked_product(*heads, *dim, *dim);
  if (!conv || !rec)
    return ctx.cfg.error("linear_attn_config", "KDA dimensions whose state fits in 64 bits",
                         fmt::format("num_heads {}, head_dim {}", *heads, *dim));
  auto dt = state_dtypes(ctx, RecurrentDtype::float32,
                         "vLLM mamba_utils.py kda_state_dtype: the KDA recurrent state is float32");
  if (!dt) return dt.error();
  return attach_state(
      ctx, StateValues{*conv, *rec, 0}, *dt, StateScope::recurrent_layers,
      "KDA: (short_conv_kernel_size - 1) × 3 (q, k, v) × num_heads × head_dim conv + num_heads "
      "× head_dim × head_dim recurrent");
}

constexpr std::array kRules{
    ArchRule{
        .model_type = "deepseek_v2",
        .config_class = "DeepseekV2Config",
        .source =
            "transformers configuration_deepseek_v2.py (v5): kv_lora_rank 512, q_lora_rank 1536 (null in "
            "V2-Lite), qk_rope_head_dim 64, qk_nope_head_dim 128, v_head_dim 128, heads 32, layers 32; "
            "cache = latent (vLLM MLAAttentionSpec, llama.cpp deepseek2)",
        .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32, .head_dim = 64},
        .pattern = Pattern::custom,
        .resolve = mla_resolve,
        .layers = mla_layers,
        .finish = mla_finish},
    ArchRule{
        .model_type = "deepseek_v3",
        .config_class = "DeepseekV3Config",
        .source = "transformers configuration_deepseek_v3.py: kv_lora_rank 512, qk_rope_head_dim 64, "
                  "qk_nope_head_dim 128, v_head_dim 128, heads 128, layers 61 (MTP excluded); one 576-wide "
                  "latent per token per layer (vLLM, llama.cpp, mlx-lm deepseek_v3.py)",
        .defaults =
            {.num_layers = 61, .hidden_size = 7168, .num_heads = 128, .num_kv_heads = 128, .head_dim = 64},
        .pattern = Pattern::custom,
        .resolve = mla_resolve,
        .layers = mla_layers,
        .finish = mla_finish},
    ArchRule{
        .model_type = "deepseek_v32",
        .config_class = "DeepseekV32Config",
        .source = "vLLM transformers_utils/configs/deepseek_v32.py (DeepseekV3Config + index_n_heads 64, "
                  "index_head_dim 128, index_topk 2048): MLA latent as V3, plus the lightning indexer's keys "
                  "(vLLM deepseek_v2.py DeepseekV32IndexerCache) as a separate component",
        .defaults =
            {.num_layers = 61, .hidden_size = 7168, .num_heads = 128, .num_kv_heads = 128, .head_dim = 64},
        .pattern = Pattern::custom,
        .resolve = mla_resolve,
        .layers = mla_layers,
        .finish = mla_finish},
    ArchRule{
        .model_type = "kimi_k2",
        .config_class = "DeepseekV3Config (Kimi remote code, model_type kimi_k2)",
        .source = "moonshotai Kimi-K2 configuration_deepseek.py: DeepSeek-V3 MLA (kv_lora_rank 512, "
                  "qk_rope_head_dim 64, qk_nope 128, v 128), defaults heads 128, layers 32; mlx-lm remaps "
                  "kimi_k2 to deepseek_v3",
        .defaults =
            {.num_layers = 32, .hidden_size = 4096, .num_heads = 128, .num_kv_heads = 128, .head_dim = 64},
        .pattern = Pattern::custom,
        .resolve = mla_resolve,
        .layers = mla_layers,
        .finish = mla_finish},
    ArchRule{.model_type = "glm4_moe_lite",
             .config_class = "Glm4MoeLiteConfig",
             .source = "transformers configuration_glm4_moe_lite.py (GLM-4.7-Flash): kv_lora_rank 512, "
                       "qk_rope_head_dim 64, qk_nope_head_dim 192, v_head_dim 256, layers 47, heads 20",
             .defaults =
                 {.num_layers = 47, .hidden_size = 2048, .num_heads = 20, .num_kv_heads = 20, .head_dim = 64},
             .pattern = Pattern::custom,
             .resolve = mla_resolve,
             .layers = mla_layers,
             .finish = mla_finish},
    ArchRule{.model_type = "glm_moe_dsa",
             .config_class = "GlmMoeDsaConfig",
             .source =
                 "transformers modular_glm_moe_dsa.py (GLM-5): kv_lora_rank 512, qk_rope_head_dim 64, "
                 "qk_nope_head_dim 192, v_head_dim 256, layers 78, heads 64, index_head_dim 128, "
                 "index_n_heads 32; the indexer keeps its own key cache (GlmMoeDsaIndexer._cached_keys)",
             .defaults =
                 {.num_layers = 78, .hidden_size = 6144, .num_heads = 64, .num_kv_heads = 64, .head_dim = 64},
             .pattern = Pattern::custom,
             .resolve = mla_resolve,
             .layers = mla_layers,
             .finish = mla_finish},
    ArchRule{.model_type = "minicpm3",
             .config_class = "MiniCPM3Config",
             .source =
                 "openbmb MiniCPM3-4B configuration_minicpm.py (auto_map): kv_lora_rank 256, "
                 "qk_rope_head_dim 32, qk_nope_head_dim 64, v_head_dim None -> qk_nope_head_dim; heads 32, "
                 "layers 32 (transformers v5 MiniCPM3Config defaults v_head_dim to 128 instead; the "
                 "checkpoint's o_proj, 40 × 64 = 2560 = hidden, fits 64); latent cache in vLLM minicpm3.py",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32, .head_dim = 32},
             .pattern = Pattern::custom,
             .architecture = "MiniCPM3ForCausalLM",
             .resolve = mla_resolve,
             .layers = mla_layers,
             .finish = mla_finish},
    ArchRule{.model_type = "longcat_flash",
             .config_class = "LongcatFlashConfig",
             .source =
                 "transformers configuration_longcat_flash.py / modeling_longcat_flash.py (v5): num_layers "
                 "28 blocks of 2 MLA sublayers = 56 caches, kv_lora_rank 512, qk_rope_head_dim 64, "
                 "qk_nope_head_dim 128, v_head_dim 128, heads 64; latent cache in vLLM longcat_flash.py "
                 "(DeepseekV2MLAAttention) and mlx-lm longcat_flash.py",
             .defaults =
                 {.num_layers = 28, .hidden_size = 6144, .num_heads = 64, .num_kv_heads = 64, .head_dim = 64},
             .pattern = Pattern::custom,
             .resolve = longcat_resolve,
             .layers = mla_layers,
             .finish = mla_finish},
    ArchRule{.model_type = "kimi_linear",
             .config_class = "KimiLinearConfig",
             .source =
                 "moonshotai Kimi-Linear-48B-A3B configuration_kimi.py (remote code; vLLM "
                 "transformers_utils/configs/kimi_linear.py): KDA iff layer_idx + 1 in "
                 "linear_attn_config.kda_layers, MLA otherwise; MLA dimensions have no default; defaults "
                 "32 layers, hidden 4096, 32 heads; cache = latent + k_pe (vLLM kimi_linear.py "
                 "MultiHeadLatentAttentionWrapper, mlx-lm kimi_linear.py), KDA state per vLLM "
                 "kda_state_shape",
             .defaults = {.num_layers = 32,
                          .hidden_size = 4096,
                          .num_heads = 32,
                          .vocab_size = 163840,
                          .tie_word_embeddings = false},
             .pattern = Pattern::custom,
             .architecture = "KimiLinearForCausalLM",
             .resolve = mla_resolve,
             .layers = kimi_linear_layers,
             .finish = kimi_linear_finish,
             .latent_head_dim = true},
    ArchRule{.model_type = "kimi_k25",
             .config_class = "KimiK25Config",
             .source = "mlx-lm kimi_k25.py: a multimodal wrapper whose language model is DeepseekV3Model "
                       "(text_config: deepseek_v3)",
             .text_model_type = "deepseek_v3"},
};

}  // namespace

std::span<const ArchRule> mla_rules() {
  return kRules;
}

}  // namespace kvspec
