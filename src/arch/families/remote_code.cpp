// Families whose modeling lives in the checkpoint's remote code (auto_map) or in another project: CogVLM /
// CogVLM2, MiMo and MiMo-V2-Flash (Xiaomi), Phi-3-small and Phi-3-vision, Qwen v1, XVERSE, and the wrappers
// of Janus (multi_modality), DeepSeek-VL2 (deepseek_vl_v2) and Kimi-K3 (kimi_k3). Defaults are those of each
// remote configuration_*.py, used only when a key is absent.
#include <array>

#include <fmt/format.h>

#include "arch/rule.hpp"

namespace kvspec {

namespace {

void set_kv_heads(BuildContext& ctx, std::int64_t n, Tier tier, std::string origin) {
  ctx.num_kv_heads = n;
  std::erase_if(ctx.spec.facts, [](const Fact& f) { return f.name == "num_kv_heads"; });
  ctx.fact("num_kv_heads", std::to_string(n), tier, std::move(origin));
}

// CogVLM2 (THUDM cogvlm2-llama3-* modeling_cogvlm.py VisionExpertAttention): K and V have
// num_multi_query_heads heads of hidden_size / num_attention_heads (qkv_size = hidden + 2 × head_dim ×
// num_multi_query_heads; vLLM-for-LMMs cogvlm2 the same). CogVLM v1 (cogvlm-chat-hf) has no such field and
// caches one K/V head per attention head. `mha_default`: the class has no num_multi_query_heads (v1), else
// CogVLM2's default 8.
Status cogvlm_kv_heads(BuildContext& ctx, std::optional<std::int64_t> class_default) {
  auto mq = ctx.cfg.integer("num_multi_query_heads", 1, kMaxHeads);
  if (!mq) return mq.error();
  if (*mq) {
    set_kv_heads(ctx, **mq, Tier::config, ctx.cfg.path("num_multi_query_heads"));
  } else if (class_default) {
    ctx.note(fmt::format("num_multi_query_heads is absent: CogVLM2's CogVLMConfig defaults it to {}",
                         *class_default));
    set_kv_heads(ctx, *class_default, Tier::rule, "CogVLM2 CogVLMConfig default num_multi_query_heads");
  } else {
    set_kv_heads(ctx, ctx.num_heads, Tier::rule,
                 "CogVLM v1 CogVLMConfig: no num_multi_query_heads -> one K/V head per attention head");
  }
  return Ok{};
}

Status cogvlm_resolve(BuildContext& ctx) {
  return cogvlm_kv_heads(ctx, std::nullopt);
}
Status cogvlm2_video_resolve(BuildContext& ctx) {
  return cogvlm_kv_heads(ctx, 8);
}

// A MiMo-V2-Flash dimension the remote config states (mlx-lm's ModelArgs requires every one of them).
Result<std::int64_t> stated(BuildContext& ctx, std::string_view key, std::int64_t hi) {
  auto v = ctx.cfg.integer(key, 1, hi);
  if (!v) return v.error();
  if (!*v)
    return ctx.cfg.error(key, "an integer (MiMo-V2-Flash's config class has no default for it)", "none");
  ctx.fact(std::string(key), std::to_string(**v), Tier::config, ctx.cfg.path(key));
  return **v;
}

// MiMo-V2-Flash full-attention layers: K head_dim, V v_head_dim (mlx-lm mimo_v2_flash.py Attention).
Status mimo_v2_resolve(BuildContext& ctx) {
  auto v = stated(ctx, "v_head_dim", kMaxHeadDim);
  if (!v) return v.error();
  ctx.head_dim_v = *v;
  if (ctx.spec.attention_chunk_size) {
    ctx.note(
        fmt::format("attention_chunk_size {} is not read by MiMo-V2-Flash's attention (mlx-lm "
                    "mimo_v2_flash.py): no chunked layers",
                    *ctx.spec.attention_chunk_size));
    ctx.spec.attention_chunk_size.reset();
  }
  return Ok{};
}

// Layer i is sliding iff hybrid_layer_pattern[i] == 1, with its own heads, K and V dims (swa_*) and a
// RotatingKVCache of sliding_window_size tokens; 0 = full attention with num_key_value_heads, head_dim and
// v_head_dim (mlx-lm mimo_v2_flash.py at 04e6af1: Attention(is_sliding_window), make_cache).
Status mimo_v2_layers(BuildContext& ctx) {
  const ConfigView& cfg = ctx.cfg;
  const json::Value* p = cfg.raw("hybrid_layer_pattern");
  if (p == nullptr || !p->is_array())
    return cfg.error("hybrid_layer_pattern", "an array of 0 (full) / 1 (sliding), one per layer",
                     p == nullptr ? "none" : p->describe());
  const json::Array& arr = p->as_array();
  if (static_cast<std::int64_t>(arr.size()) != ctx.num_layers)
    return cfg.error("hybrid_layer_pattern", fmt::format("{} entries (one per layer)", ctx.num_layers),
                     fmt::format("{} entries", arr.size()));
  auto heads = stated(ctx, "swa_num_attention_heads", kMaxHeads);
  if (!heads) return heads.error();
  auto kv = stated(ctx, "swa_num_key_value_heads", kMaxHeads);
  if (!kv) return kv.error();
  if (*kv > *heads || *heads % *kv != 0)
    return cfg.error("swa_num_key_value_heads",
                     fmt::format("a divisor of swa_num_attention_heads ({})", *heads), std::to_string(*kv));
  auto hd = stated(ctx, "swa_head_dim", kMaxHeadDim);
  if (!hd) return hd.error();
  auto vd = stated(ctx, "swa_v_head_dim", kMaxHeadDim);
  if (!vd) return vd.error();
  auto w = cfg.first_integer({"sliding_window_size", "sliding_window"}, 1, kMaxTokens);
  if (!w) return w.error();
  if (!*w) return cfg.error("sliding_window_size", "the sliding layers' window in tokens", "none");
  ctx.window = (*w)->value;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    auto t = cfg.as_integer(arr[i], cfg.path(fmt::format("hybrid_layer_pattern[{}]", i)), 0, 1);
    if (!t) return t.error();
    if (*t == 0) {
      ctx.spec.layers.push_back(ctx.layer(LayerKind::full_attention, Tier::config));
      continue;
    }
    LayerSpec l = ctx.layer(LayerKind::sliding_attention, Tier::config);
    l.num_kv_heads = *kv;
    l.head_dim_k = *hd;
    l.head_dim_v = *vd;
    ctx.spec.layers.push_back(l);
  }
  return Ok{};
}

Status mimo_v2_finish(BuildContext& ctx) {
  return mtp_note(ctx);
}

constexpr std::array kRules{
    ArchRule{.model_type = "cogvlm",
             .config_class = "CogVLMConfig (THUDM remote code)",
             .source =
                 "THUDM cogvlm2-llama3 modeling_cogvlm.py VisionExpertAttention: K/V heads = "
                 "num_multi_query_heads, head dim hidden / heads (vLLM-for-LMMs cogvlm2 the same); CogVLM "
                 "v1 (no num_multi_query_heads) is MHA; layers 32, heads 32, hidden 4096; all full",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32},
             .architecture = "CogVLMForCausalLM",
             .resolve = cogvlm_resolve},
    ArchRule{.model_type = "cogvlm2_video",
             .config_class = "CogVLMConfig (THUDM cogvlm2-video remote code)",
             .source = "THUDM cogvlm2-video / cogvlm2-llama3-caption modeling_cogvlm.py: as CogVLM2, "
                       "num_multi_query_heads default 8; all full",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32},
             .architecture = "CogVLMVideoForCausalLM",
             .resolve = cogvlm2_video_resolve},
    ArchRule{
        .model_type = "mimo",
        .config_class = "MiMoConfig (Qwen2Config subclass)",
        .source = "XiaomiMiMo remote configuration_mimo.py / modeling_mimo.py: MiMoConfig(Qwen2Config) + "
                  "num_nextn_predict_layers, MiMoModel(Qwen2Model); Qwen2's rule: sliding only if "
                  "use_sliding_window, on layers >= max_window_layers; MTP layers not counted",
        .defaults =
            {.num_layers = 32, .num_heads = 32, .num_kv_heads = 32, .sliding_window = 4096, .period = 28},
        .pattern = Pattern::qwen_max_window,
        .finish = mtp_note},
    ArchRule{.model_type = "mimo_v2_flash",
             .config_class = "MiMoV2FlashConfig (Xiaomi remote code)",
             .source = "mlx-lm mimo_v2_flash.py (04e6af1): hybrid_layer_pattern[i] 1 = sliding "
                       "(swa_num_key_value_heads, swa_head_dim K, swa_v_head_dim V, RotatingKVCache of "
                       "sliding_window_size), 0 = full (num_key_value_heads, head_dim K, v_head_dim V)",
             .pattern = Pattern::custom,
             .resolve = mimo_v2_resolve,
             .layers = mimo_v2_layers,
             .finish = mimo_v2_finish},
    ArchRule{.model_type = "phi3small",
             .config_class = "Phi3SmallConfig",
             .source = "microsoft Phi-3-small configuration_phi3_small.py: layers 32, heads 32, "
                       "num_key_value_heads 8, hidden 4096, head dim hidden / heads; the block-sparse layers "
                       "(dense_attention_every_n_layers) choose which cached keys are read, every layer "
                       "caches every token; all full",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32, .num_kv_heads = 8}},
    ArchRule{.model_type = "phi3_v",
             .config_class = "Phi3VConfig",
             .source = "microsoft Phi-3-vision configuration_phi3_v.py / modeling_phi3_v.py: Phi3Config's "
                       "fields (layers 32, heads 32, hidden 3072, num_key_value_heads None -> heads); "
                       "sliding_window on every layer when stated, as phi3",
             .defaults = {.num_layers = 32, .hidden_size = 3072, .num_heads = 32},
             .pattern = Pattern::window_all_layers},
    ArchRule{.model_type = "qwen",
             .config_class = "QWenConfig",
             .source =
                 "Qwen remote configuration_qwen.py / modeling_qwen.py (Qwen v1): layers 32, heads 32, "
                 "hidden 4096, kv_channels 128; fused c_attn of 3 × hidden: MHA; vLLM qwen.py the same; "
                 "all full",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32, .head_dim = 128}},
    ArchRule{.model_type = "xverse",
             .config_class = "XverseConfig",
             .source = "xverse remote configuration_xverse.py: layers 32, heads 32, hidden 4096, no KV-head "
                       "field (MHA); llama attention (vLLM maps XverseForCausalLM to llama.py); all full",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32}},
    ArchRule{.model_type = "multi_modality",
             .config_class = "MultiModalityConfig (Janus)",
             .source = "deepseek-ai Janus janus/models/modeling_vlm.py: language_config is a LlamaConfig; "
                       "image tokens enter the LLaMA decoder's sequence",
             .text_model_type = "llama"},
    ArchRule{.model_type = "deepseek_vl_v2",
             .config_class = "DeepseekVLV2Config",
             .source = "deepseek-ai DeepSeek-VL2 modeling_deepseek_vl_v2.py: language_config is a "
                       "DeepseekV2Config (use_mla false = LLaMA attention, see deepseek_v2)",
             .text_model_type = "deepseek_v2"},
    ArchRule{.model_type = "kimi_k3",
             .config_class = "KimiK3Config",
             .source = "moonshotai Kimi-K3 configuration_kimi_k3.py: text_config is a KimiLinearConfig "
                       "(KDA + MLA layers, see kimi_linear)",
             .text_model_type = "kimi_linear"},
};

}  // namespace

std::span<const ArchRule> remote_code_rules() {
  return kRules;
}

}  // namespace kvspec
