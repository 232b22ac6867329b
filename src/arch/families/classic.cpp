// Older, remote-code and assorted dense / MoE families whose attention is ordinary MHA / GQA / MQA: gpt2,
// gpt_neox, gpt_bigcode, gptj, falcon, bloom, mpt, dbrx, chatglm, glm, internlm2, baichuan, cohere, exaone,
// olmo, smollm3, ernie4_5, hunyuan, nemotron, minimax_m2, arcee, apertus, seed_oss, dots1, phi, the Qwen-VL
// text models and voxtral. Defaults are those of each config class (transformers configuration_<family>.py,
// or the remote configuration_*.py the checkpoint's auto_map names), used only when a key is absent. Their
// quirks live in hooks: KV-head flags (multi_query, multi_query_group_num), NoPE-only sliding layers,
// cross-layer KV sharing.
#include <array>

#include <fmt/format.h>

#include "arch/rule.hpp"

namespace kvspec {

namespace {

void drop_facts(ModelCacheSpec& spec, std::string_view name) {
  std::erase_if(spec.facts, [&](const Fact& f) { return f.name == name; });
}

void set_kv_heads(BuildContext& ctx, std::int64_t n, Tier tier, std::string origin) {
  ctx.num_kv_heads = n;
  drop_facts(ctx.spec, "num_kv_heads");
  ctx.fact("num_kv_heads", std::to_string(n), tier, std::move(origin));
}

// GPTBigCodeConfig: num_key_value_heads = 1 if multi_query else n_head; multi_query defaults to True
// (configuration_gpt_bigcode.py; mlx-lm gpt_bigcode.py the same).
Status gpt_bigcode_resolve(BuildContext& ctx) {
  auto mq = ctx.cfg.boolean("multi_query");
  if (!mq) return mq.error();
  bool multi = mq->value_or(true);
  std::string origin = mq->has_value() ? ctx.cfg.path("multi_query") + " = " + (multi ? "true" : "false")
                                       : std::string("GPTBigCodeConfig default multi_query = true");
  if (multi)
    set_kv_heads(ctx, 1, mq->has_value() ? Tier::config : Tier::rule, origin + " -> 1 KV head (MQA)");
  else
    set_kv_heads(ctx, ctx.num_heads, Tier::config, origin + " -> one KV head per head (MHA)");
  return Ok{};
}

// FalconAttention (modeling_falcon.py): num_kv_heads = config.num_kv_heads if (new_decoder_architecture or
// not multi_query) else 1. FalconConfig defaults: new_decoder_architecture False, multi_query True, and
// num_kv_heads (legacy name n_head_kv) None, meaning num_attention_heads. llama.cpp's converter ignores
// multi_query (a missing num_kv_heads means 1): the same for the released checkpoints.
Status falcon_resolve(BuildContext& ctx) {
  auto nda = ctx.cfg.boolean("new_decoder_architecture");
  if (!nda) return nda.error();
  auto mq = ctx.cfg.boolean("multi_query");
  if (!mq) return mq.error();
  if (nda->value_or(false)) {
    // The stated num_kv_heads (or n_head_kv), else num_attention_heads -- not the generic multi_query -> 1.
    if (!ctx.cfg.present("num_kv_heads") && !ctx.cfg.present("n_head_kv") &&
        !ctx.cfg.present("num_key_value_heads"))
      set_kv_heads(ctx, ctx.num_heads, Tier::rule,
                   "FalconConfig: num_kv_heads None -> num_attention_heads (new_decoder_architecture)");
    return Ok{};
  }
  if (mq->value_or(true)) {
    set_kv_heads(ctx, 1, mq->has_value() ? Tier::config : Tier::rule,
                 mq->has_value()
                     ? ctx.cfg.path("multi_query") + " = true without new_decoder_architecture -> 1"
                     : "FalconConfig default multi_query = true without new_decoder_architecture -> 1");
  }
  return Ok{};
}

// ChatGLM2/3 and glm-4-9b-chat (remote configuration_chatglm.py): KV heads = multi_query_group_num if
// multi_query_attention (default False; group num default 1) else num_attention_heads; head dim =
// kv_channels; layers = num_layers (vLLM chatglm.py, llama.cpp ChatGLMModel).
Status chatglm_resolve(BuildContext& ctx) {
  auto mqa = ctx.cfg.boolean("multi_query_attention");
  if (!mqa) return mqa.error();
  if (!mqa->value_or(false)) {
    set_kv_heads(ctx, ctx.num_heads, Tier::rule, "ChatGLMConfig: multi_query_attention false -> MHA");
    return Ok{};
  }
  auto groups = ctx.cfg.integer("multi_query_group_num", 1, kMaxHeads);
  if (!groups) return groups.error();
  if (*groups) {
    set_kv_heads(ctx, **groups, Tier::config, ctx.cfg.path("multi_query_group_num"));
  } else {
    ctx.note("multi_query_group_num is absent: ChatGLMConfig defaults it to 1");
    set_kv_heads(ctx, 1, Tier::rule, "ChatGLMConfig default multi_query_group_num = 1");
  }
  return Ok{};
}

// OLMo has two schemas under model_type "olmo": transformers' OlmoConfig (num_key_value_heads, None -> heads)
// and AI2's original hf_olmo OLMoConfig (d_model / n_heads / n_layers, n_kv_heads None -> n_heads, or
// multi_query_attention -> 1). The generic resolution reads the first schema and the layer/head/width names
// of the second; this reads the second schema's KV-head fields.
Status olmo_resolve(BuildContext& ctx) {
  if (ctx.cfg.present("num_key_value_heads")) return Ok{};
  auto kv = ctx.cfg.integer("n_kv_heads", 1, kMaxHeads);
  if (!kv) return kv.error();
  if (*kv) {
    set_kv_heads(ctx, **kv, Tier::config, ctx.cfg.path("n_kv_heads"));
    return Ok{};
  }
  auto mqa = ctx.cfg.boolean("multi_query_attention");
  if (!mqa) return mqa.error();
  if (mqa->value_or(false))
    set_kv_heads(ctx, 1, Tier::config, ctx.cfg.path("multi_query_attention") + " = true -> 1 KV head");
  return Ok{};
}

// SmolLM3Config: no_rope_layers[i] (1 = RoPE, 0 = NoPE; default NoPE iff (i + 1) % no_rope_layer_interval ==
// 0, interval 4); layer_types default sliding only for NoPE layers when use_sliding_window and a window is
// set (modular_smollm3.py). Released SmolLM3-3B: use_sliding_window false -> all full.
Status smollm3_layers(BuildContext& ctx) {
  const ConfigView& cfg = ctx.cfg;
  auto use = cfg.boolean("use_sliding_window");
  if (!use) return use.error();
  auto interval = cfg.integer("no_rope_layer_interval", 1, kMaxLayers);
  if (!interval) return interval.error();
  std::int64_t every = interval->value_or(4);
  const json::Value* nrl = cfg.raw("no_rope_layers");
  const json::Array* list = nullptr;
  if (nrl != nullptr && !nrl->is_null()) {
    if (!nrl->is_array()) return cfg.error("no_rope_layers", "an array of 0/1 per layer", nrl->describe());
    list = &nrl->as_array();
    if (static_cast<std::int64_t>(list->size()) < ctx.num_layers)
      return cfg.error("no_rope_layers", fmt::format("at least {} entries (one per layer)", ctx.num_layers),
                       fmt::format("{} entries", list->size()));
  }
  bool on = use->value_or(false) && ctx.window.has_value();
  for (std::int64_t i = 0; i < ctx.num_layers; ++i) {
    bool rope = (i + 1) % every != 0;
    if (list != nullptr) {
      auto v = cfg.as_integer((*list)[static_cast<std::size_t>(i)],
                              cfg.path(fmt::format("no_rope_layers[{}]", i)), 0, 1);
      if (!v) return v.error();
      rope = *v == 1;
    }
    bool sliding = on && !rope;
    ctx.spec.layers.push_back(ctx.layer(sliding ? LayerKind::sliding_attention : LayerKind::full_attention,
                                        use->has_value() ? Tier::config : Tier::rule));
  }
  if (!on && ctx.window)
    ctx.note(fmt::format("sliding_window {} is inert: use_sliding_window is {}", *ctx.window,
                         use->has_value() ? "false" : "absent (default false)"));
  if (!on) ctx.window.reset();
  return Ok{};
}

// Dots1Config: layer_types[i] = sliding iff sliding_window is set and i >= max_window_layers (default 62) --
// no use_sliding_window gate (configuration_dots1.py). Released dots.llm1: 62 layers, max_window_layers 62 ->
// all full.
Status dots1_layers(BuildContext& ctx) {
  auto mwl = ctx.cfg.integer("max_window_layers", 0, kMaxLayers);
  if (!mwl) return mwl.error();
  std::int64_t first = mwl->value_or(ctx.rule.defaults.period);
  Tier tier = *mwl ? Tier::config : Tier::rule;
  for (std::int64_t i = 0; i < ctx.num_layers; ++i)
    ctx.spec.layers.push_back(
        ctx.layer(ctx.window && i >= first ? LayerKind::sliding_attention : LayerKind::full_attention, tier));
  if (first >= ctx.num_layers) ctx.window.reset();
  return Ok{};
}

// Hunyuan cross-layer attention (CLA): with use_cla, layer i projects its own K/V only when i %
// cla_share_factor
// == 0; the others reuse the K/V of the last such layer and cache nothing (Tencent's remote
// modeling_hunyuan.py: `attention_type = "cross"` for i % cla_share_factor != 0, fed prev_kv_states).
// transformers' hunyuan_v1_dense / hunyuan_v1_moe modeling has no CLA path (every layer caches K/V); released
// v1 configs state use_cla false. A `sliding_window` in these configs is not used by the attention (no window
// passed): every layer is full.
Status hunyuan_layers(BuildContext& ctx) {
  const ConfigView& cfg = ctx.cfg;
  auto cla = cfg.boolean("use_cla");
  if (!cla) return cla.error();
  auto factor = cfg.integer("cla_share_factor", 1, kMaxLayers);
  if (!factor) return factor.error();
  std::int64_t f = factor->value_or(1);
  bool sharing = cla->value_or(false) && f > 1;
  for (std::int64_t i = 0; i < ctx.num_layers; ++i) {
    if (sharing && i % f != 0) {
      LayerSpec l = ctx.layer(LayerKind::shared, Tier::config);
      l.shares_with = static_cast<std::int32_t>(i - i % f);
      ctx.spec.layers.push_back(l);
    } else {
      ctx.spec.layers.push_back(ctx.layer(LayerKind::full_attention, sharing ? Tier::config : Tier::rule));
    }
  }
  if (sharing)
    ctx.note(
        fmt::format("use_cla with cla_share_factor {}: layers i % {} != 0 reuse the K/V of layer i - i % {} "
                    "and own no cache (Hunyuan CLA; transformers' v1 modeling has no CLA path)",
                    f, f, f));
  if (ctx.window) {
    ctx.note(
        fmt::format("sliding_window {} is not used by Hunyuan attention: every layer is full", *ctx.window));
    ctx.window.reset();
  }
  return Ok{};
}

constexpr std::array kRules{
    ArchRule{.model_type = "gpt2",
             .config_class = "GPT2Config",
             .source =
                 "transformers configuration_gpt2.py: n_layer 12, n_head 12, n_embd 768 (attribute_map), "
                 "MHA, head_dim = n_embd / n_head; all layers full",
             .defaults = {.num_layers = 12, .hidden_size = 768, .num_heads = 12}},
    ArchRule{.model_type = "gpt_neox",
             .config_class = "GPTNeoXConfig",
             .source =
                 "transformers configuration_gpt_neox.py: layers 44, heads 64, hidden 6144, MHA (no KV-head "
                 "field), rotary_pct does not change the cache; all layers full",
             .defaults = {.num_layers = 44, .hidden_size = 6144, .num_heads = 64}},
    ArchRule{.model_type = "gpt_bigcode",
             .config_class = "GPTBigCodeConfig",
             .source = "transformers configuration_gpt_bigcode.py: n_layer 12, n_head 12, n_embd 768; "
                       "num_key_value_heads = 1 if multi_query (default True) else n_head; all layers full",
             .defaults = {.num_layers = 12, .hidden_size = 768, .num_heads = 12},
             .resolve = gpt_bigcode_resolve},
    ArchRule{
        .model_type = "gptj",
        .config_class = "GPTJConfig",
        .source = "transformers configuration_gptj.py: n_layer 28, n_head 16, n_embd 4096, MHA; all full",
        .defaults = {.num_layers = 28, .hidden_size = 4096, .num_heads = 16}},
    ArchRule{.model_type = "falcon",
             .config_class = "FalconConfig",
             .source =
                 "transformers modeling_falcon.py FalconAttention: num_kv_heads if new_decoder_architecture "
                 "or not multi_query, else 1; FalconConfig defaults layers 32, heads 71, hidden 4544, "
                 "multi_query True, new_decoder_architecture False; head_dim = hidden / heads",
             .defaults = {.num_layers = 32, .hidden_size = 4544, .num_heads = 71},
             .resolve = falcon_resolve},
    ArchRule{.model_type = "bloom",
             .config_class = "BloomConfig",
             .source =
                 "transformers configuration_bloom.py: n_layer 2, n_head 8, hidden_size 64 (legacy n_embed), "
                 "MHA with ALiBi (no positions in the cache); all full",
             .defaults = {.num_layers = 2, .hidden_size = 64, .num_heads = 8}},
    ArchRule{.model_type = "mpt",
             .config_class = "MptConfig",
             .source =
                 "transformers configuration_mpt.py: n_layers 24, n_heads 16, d_model 2048, MHA; MosaicML "
                 "configs may state attn_config.kv_n_heads (vLLM MPTModelArchConfigConvertor); all full",
             .defaults = {.num_layers = 24, .hidden_size = 2048, .num_heads = 16}},
    ArchRule{.model_type = "dbrx",
             .config_class = "DbrxConfig",
             .source = "transformers configuration_dbrx.py: n_layers 24, n_heads 16, d_model 2048; "
                       "num_key_value_heads = attn_config.kv_n_heads (DbrxAttentionConfig default 1); MoE in "
                       "ffn_config; all full",
             .defaults = {.num_layers = 24, .hidden_size = 2048, .num_heads = 16, .num_kv_heads = 1}},
    ArchRule{.model_type = "chatglm",
             .config_class = "ChatGLMConfig",
             .source =
                 "THUDM remote configuration_chatglm.py: num_layers 28, heads 32, hidden 4096, kv_channels "
                 "128; KV heads multi_query_group_num if multi_query_attention else heads (vLLM chatglm.py)",
             .defaults = {.num_layers = 28, .hidden_size = 4096, .num_heads = 32, .head_dim = 128},
             .resolve = chatglm_resolve},
    ArchRule{
        .model_type = "glm",
        .config_class = "GlmConfig",
        .source = "transformers configuration_glm.py: layers 40, heads 32, num_key_value_heads 2, head_dim "
                  "128 (partial rotary does not change the cache); all full",
        .defaults =
            {.num_layers = 40, .hidden_size = 4096, .num_heads = 32, .num_kv_heads = 2, .head_dim = 128}},
    ArchRule{
        .model_type = "glm4",
        .config_class = "Glm4Config",
        .source = "transformers configuration_glm4.py: layers 40, heads 32, num_key_value_heads 2, head_dim "
                  "128; all full",
        .defaults =
            {.num_layers = 40, .hidden_size = 4096, .num_heads = 32, .num_kv_heads = 2, .head_dim = 128}},
    ArchRule{.model_type = "glm4_moe",
             .config_class = "Glm4MoeConfig",
             .source =
                 "transformers configuration_glm4_moe.py: layers 46, heads 96, num_key_value_heads 8, "
                 "head_dim 128 (GLM-4.5: 5120 / 96 is not integral); num_hidden_layers excludes the MTP "
                 "layer (llama.cpp LLM_ARCH_GLM4_MOE gives it no KV cell); all full",
             .defaults =
                 {.num_layers = 46, .hidden_size = 4096, .num_heads = 96, .num_kv_heads = 8, .head_dim = 128},
             .finish = mtp_note},
    ArchRule{.model_type = "internlm2",
             .config_class = "InternLM2Config",
             .source = "internlm remote configuration_internlm2.py: layers 32, heads 32, hidden 4096, "
                       "num_key_value_heads None -> heads; fused wqkv; all full",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32}},
    ArchRule{.model_type = "baichuan",
             .config_class = "BaichuanConfig",
             .source =
                 "baichuan-inc remote configuration_baichuan.py: layers 32, heads 32, hidden 4096, MHA (no "
                 "KV-head field; 13B uses ALiBi); all full",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32}},
    ArchRule{
        .model_type = "cohere",
        .config_class = "CohereConfig",
        .source =
            "transformers configuration_cohere.py: layers 40, heads 64, hidden 8192, num_key_value_heads "
            "None -> heads (Command-R v01: 64 = MHA); head_dim = hidden / heads; all full",
        .defaults = {.num_layers = 40, .hidden_size = 8192, .num_heads = 64}},
    ArchRule{.model_type = "exaone",
             .config_class = "ExaoneConfig",
             .source =
                 "LGAI remote configuration_exaone.py (EXAONE 3.x): num_layers 32, heads 32, hidden 2048, "
                 "num_key_value_heads None -> heads, head_dim optional; all full",
             .defaults = {.num_layers = 32, .hidden_size = 2048, .num_heads = 32}},
    ArchRule{.model_type = "olmo",
             .config_class = "OlmoConfig",
             .source = "transformers configuration_olmo.py (layers 32, heads 32, hidden 4096, "
                       "num_key_value_heads None -> heads) or AI2's hf_olmo OLMoConfig (d_model, n_heads, "
                       "n_layers, n_kv_heads, multi_query_attention); all full",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32},
             .resolve = olmo_resolve},
    ArchRule{.model_type = "smollm3",
             .config_class = "SmolLM3Config",
             .source =
                 "transformers modular_smollm3.py: layers 36, heads 16, num_key_value_heads 4; layer_types "
                 "default sliding only on NoPE layers ((i + 1) % 4 == 0) when use_sliding_window (default "
                 "false) and sliding_window (default None)",
             .defaults = {.num_layers = 36, .hidden_size = 2048, .num_heads = 16, .num_kv_heads = 4},
             .pattern = Pattern::custom,
             .layers = smollm3_layers},
    ArchRule{
        .model_type = "ernie4_5",
        .config_class = "Ernie4_5Config",
        .source = "transformers configuration_ernie4_5.py: layers 18, heads 16, num_key_value_heads 2, "
                  "head_dim 128; all full",
        .defaults =
            {.num_layers = 18, .hidden_size = 1024, .num_heads = 16, .num_kv_heads = 2, .head_dim = 128}},
    ArchRule{.model_type = "ernie4_5_moe",
             .config_class = "Ernie4_5_MoeConfig",
             .source =
                 "transformers configuration_ernie4_5_moe.py: layers 28, heads 20, num_key_value_heads 4, "
                 "hidden 2560 (head_dim = hidden / heads = 128 unless stated); MoE moe_num_experts / moe_k; "
                 "all full",
             .defaults = {.num_layers = 28, .hidden_size = 2560, .num_heads = 20, .num_kv_heads = 4}},
    ArchRule{.model_type = "hunyuan_v1_dense",
             .config_class = "HunYuanDenseV1Config",
             .source = "transformers configuration_hunyuan_v1_dense.py: layers 32, heads 32, hidden 4096, "
                       "num_key_value_heads None -> heads, head_dim None -> hidden / heads; CLA (use_cla, "
                       "cla_share_factor) as in Tencent's modeling_hunyuan.py",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32},
             .pattern = Pattern::custom,
             .layers = hunyuan_layers},
    ArchRule{.model_type = "hunyuan_v1_moe",
             .config_class = "HunYuanMoEV1Config",
             .source = "transformers configuration_hunyuan_v1_moe.py: layers 32, heads 32, hidden 4096, "
                       "num_key_value_heads None -> heads, head_dim None -> hidden / heads; CLA (use_cla, "
                       "cla_share_factor) as in Tencent's modeling_hunyuan.py",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32},
             .pattern = Pattern::custom,
             .layers = hunyuan_layers},
    ArchRule{.model_type = "nemotron",
             .config_class = "NemotronConfig",
             .source = "transformers configuration_nemotron.py: layers 32, heads 48, hidden 6144, "
                       "num_key_value_heads None -> heads, head_dim None -> hidden / heads; all full",
             .defaults = {.num_layers = 32, .hidden_size = 6144, .num_heads = 48}},
    ArchRule{
        .model_type = "minimax_m2",
        .config_class = "MiniMaxM2Config",
        .source = "transformers modular_minimax_m2.py: layers 62, heads 48, num_key_value_heads 8, head_dim "
                  "128, no sliding window (\"No sliding window opposed to mixtral\"); all full",
        .defaults =
            {.num_layers = 62, .hidden_size = 3072, .num_heads = 48, .num_kv_heads = 8, .head_dim = 128}},
    ArchRule{.model_type = "arcee",
             .config_class = "ArceeConfig",
             .source =
                 "transformers configuration_arcee.py: llama attention (num_key_value_heads None -> heads, "
                 "head_dim None -> hidden / heads), layers 32, heads 32; all full",
             .defaults = {.num_layers = 32, .hidden_size = 2560, .num_heads = 32}},
    ArchRule{.model_type = "apertus",
             .config_class = "ApertusConfig",
             .source = "transformers configuration_apertus.py: llama attention (num_key_value_heads None -> "
                       "heads), layers 32, heads 32, hidden 4096; all full",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32}},
    ArchRule{
        .model_type = "seed_oss",
        .config_class = "SeedOssConfig",
        .source = "transformers configuration_seed_oss.py: layers 64, heads 80, num_key_value_heads 8, "
                  "head_dim 128 (hidden / heads = 64 would halve the cache); all full",
        .defaults =
            {.num_layers = 64, .hidden_size = 4096, .num_heads = 80, .num_kv_heads = 8, .head_dim = 128}},
    ArchRule{.model_type = "dots1",
             .config_class = "Dots1Config",
             .source = "transformers configuration_dots1.py: layers 62, heads 32, num_key_value_heads 32, "
                       "sliding_window 4096, max_window_layers 62; sliding iff i >= max_window_layers (no "
                       "use_sliding_window gate)",
             .defaults = {.num_layers = 62,
                          .hidden_size = 4608,
                          .num_heads = 32,
                          .num_kv_heads = 32,
                          .sliding_window = 4096,
                          .period = 62},
             .pattern = Pattern::custom,
             .layers = dots1_layers},
    ArchRule{.model_type = "phi",
             .config_class = "PhiConfig",
             .source =
                 "transformers configuration_phi.py: layers 24, heads 32, hidden 2048, num_key_value_heads "
                 "None -> heads; partial rotary does not change the cache; all full",
             .defaults = {.num_layers = 24, .hidden_size = 2048, .num_heads = 32}},
    // Qwen2-VL / Qwen2.5-VL: older configs are flat (all text keys at the top, Qwen2VLConfig passes them to
    // the text config "for BC"), newer ones nest text_config (model_type *_text). Both use the Qwen2 sliding
    // rule.
    ArchRule{.model_type = "qwen2_vl",
             .config_class = "Qwen2VLTextConfig",
             .source =
                 "transformers configuration_qwen2_vl.py: text layers 80, heads 64, num_key_value_heads 8, "
                 "head_dim = hidden / heads; sliding_window (4096) only if use_sliding_window (default "
                 "false), on layers >= max_window_layers (default 80)",
             .defaults = {.num_layers = 80,
                          .hidden_size = 8192,
                          .num_heads = 64,
                          .num_kv_heads = 8,
                          .sliding_window = 4096,
                          .period = 80},
             .pattern = Pattern::qwen_max_window,
             .text_model_type = "qwen2_vl_text"},
    ArchRule{.model_type = "qwen2_vl_text",
             .config_class = "Qwen2VLTextConfig",
             .source = "transformers configuration_qwen2_vl.py Qwen2VLTextConfig: as qwen2_vl",
             .defaults = {.num_layers = 80,
                          .hidden_size = 8192,
                          .num_heads = 64,
                          .num_kv_heads = 8,
                          .sliding_window = 4096,
                          .period = 80},
             .pattern = Pattern::qwen_max_window},
    ArchRule{.model_type = "qwen2_5_vl",
             .config_class = "Qwen2_5_VLTextConfig",
             .source =
                 "transformers configuration_qwen2_5_vl.py: text layers 80, heads 64, num_key_value_heads 8; "
                 "sliding only if use_sliding_window (default false), layers >= max_window_layers (80)",
             .defaults = {.num_layers = 80,
                          .hidden_size = 8192,
                          .num_heads = 64,
                          .num_kv_heads = 8,
                          .sliding_window = 4096,
                          .period = 80},
             .pattern = Pattern::qwen_max_window,
             .text_model_type = "qwen2_5_vl_text"},
    ArchRule{.model_type = "qwen2_5_vl_text",
             .config_class = "Qwen2_5_VLTextConfig",
             .source = "transformers configuration_qwen2_5_vl.py Qwen2_5_VLTextConfig: as qwen2_5_vl",
             .defaults = {.num_layers = 80,
                          .hidden_size = 8192,
                          .num_heads = 64,
                          .num_kv_heads = 8,
                          .sliding_window = 4096,
                          .period = 80},
             .pattern = Pattern::qwen_max_window},
    ArchRule{.model_type = "qwen3_vl",
             .config_class = "Qwen3VLConfig",
             .source = "transformers configuration_qwen3_vl.py: text_config is a Qwen3VLTextConfig",
             .text_model_type = "qwen3_vl_text"},
    ArchRule{
        .model_type = "qwen3_vl_text",
        .config_class = "Qwen3VLTextConfig",
        .source = "transformers configuration_qwen3_vl.py: layers 32, heads 32, num_key_value_heads 32, "
                  "head_dim 128; no sliding window; all full",
        .defaults =
            {.num_layers = 32, .hidden_size = 4096, .num_heads = 32, .num_kv_heads = 32, .head_dim = 128}},
    ArchRule{.model_type = "qwen3_vl_moe",
             .config_class = "Qwen3VLMoeConfig",
             .source = "transformers configuration_qwen3_vl_moe.py: text_config is a Qwen3VLMoeTextConfig",
             .text_model_type = "qwen3_vl_moe_text"},
    ArchRule{.model_type = "qwen3_vl_moe_text",
             .config_class = "Qwen3VLMoeTextConfig",
             .source =
                 "transformers configuration_qwen3_vl_moe.py: layers 24, heads 16, num_key_value_heads 16, "
                 "head_dim None -> hidden / heads; no sliding window; all full",
             .defaults = {.num_layers = 24, .hidden_size = 2048, .num_heads = 16, .num_kv_heads = 16}},
    ArchRule{.model_type = "voxtral",
             .config_class = "VoxtralConfig",
             .source =
                 "transformers configuration_voxtral.py: audio encoder + text_config (a LlamaConfig); audio "
                 "embeddings enter the decoder's sequence, so only the text model caches",
             .text_model_type = "llama"},
};

}  // namespace

std::span<const ArchRule> classic_rules() {
  return kRules;
}

}  // namespace kvspec
