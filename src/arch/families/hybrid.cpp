// Recurrent and linear-attention layers and the hybrids that mix them with attention: Mamba-1/2 and their
// hybrids (Jamba, Falcon-H1, Zamba2, Bamba, Granite-4, Nemotron-H), Gated DeltaNet (Qwen3-Next, Qwen3.5),
// LFM2 short convolutions, MiniMax lightning attention and RWKV.
//
// State dtypes. transformers' cache (cache_utils.py LinearAttentionLayer, main as of 2026:
// lazy_initialization allocates `zeros_like` the state the mixer hands it) keeps the conv state in the
// model's dtype and the SSM / delta-rule state as the scan returns it: float32 for the Mamba-1, Mamba-2 and
// Gated DeltaNet scans (mamba_ssm's selective_scan / chunk_scan and fla's gated_delta_rule return fp32 final
// states; the torch fallbacks compute in .float()). Older releases (MambaCache, Mamba2Cache,
// HybridMambaAttentionDynamicCache) preallocated the SSM state in the model's dtype; runtimes differ again
// (llama.cpp f32, vLLM model dtype), which is why each layer also carries its element counts for runtime
// profiles to re-price. Conv states count kernel - 1 columns, as vLLM and llama.cpp keep them (transformers
// keeps all `kernel` columns).
#include <array>

#include <fmt/format.h>

#include "arch/families/hybrid_hooks.hpp"
#include "arch/recurrent_state.hpp"
#include "util/checked.hpp"

namespace kvspec {

namespace {

using namespace hybrid_detail;

constexpr std::string_view kScanFp32 =
    "transformers cache_utils.py LinearAttentionLayer keeps the scan's final state, float32";

// ---- states ----------------------------------------------------------------------------------------------

Result<std::int64_t> expand_times_hidden(BuildContext& ctx,
                                         std::initializer_list<std::string_view> expand_keys) {
  auto expand = state_field(ctx, expand_keys, 2, 1, 1024);
  if (!expand) return expand.error();
  if (ctx.hidden == 0)
    return ctx.cfg.error("hidden_size", "hidden_size (the Mamba width is expand × it)", "none");
  return *expand * ctx.hidden;
}

Status attach(BuildContext& ctx, Result<StateValues> v, RecurrentDtype policy, std::string_view policy_source,
              StateScope scope, std::string_view formula) {
  if (!v) return v.error();
  auto dt = state_dtypes(ctx, policy, policy_source);
  if (!dt) return dt.error();
  return attach_state(ctx, *v, *dt, scope, formula);
}

// Mamba / FalconMamba: d_inner = intermediate_size (MambaConfig sets it to expand * hidden_size), state_size,
// conv_kernel (MambaConfig defaults 16 and 4).
Status mamba_finish(BuildContext& ctx) {
  auto d_inner = optional_state_field(ctx, {"intermediate_size", "d_inner"}, 1, kMaxStateDim);
  if (!d_inner) return d_inner.error();
  if (!*d_inner) {
    auto w = expand_times_hidden(ctx, {"expand"});
    if (!w) return w.error();
    *d_inner = *w;
  }
  auto n = state_field(ctx, {"state_size", "d_state"}, 16, 1, kMaxHeadDim);
  if (!n) return n.error();
  auto k = state_field(ctx, {"conv_kernel", "d_conv"}, 4, 1, kMaxKernel);
  if (!k) return k.error();
  return attach(ctx, mamba1_state(ctx, {**d_inner, *n, *k}), RecurrentDtype::float32, kScanFp32,
                StateScope::recurrent_layers, "Mamba: (conv_kernel - 1) × d_inner + d_inner × state_size");
}

// Jamba: Mamba-1 with d_inner = mamba_expand * hidden_size, mamba_d_state, mamba_d_conv (JambaConfig defaults
// 2, 16, 4; JambaMambaMixer).
Status jamba_finish(BuildContext& ctx) {
  auto d_inner = expand_times_hidden(ctx, {"mamba_expand"});
  if (!d_inner) return d_inner.error();
  auto n = state_field(ctx, {"mamba_d_state"}, 16, 1, kMaxHeadDim);
  if (!n) return n.error();
  auto k = state_field(ctx, {"mamba_d_conv"}, 4, 1, kMaxKernel);
  if (!k) return k.error();
  return attach(
      ctx, mamba1_state(ctx, {*d_inner, *n, *k}), RecurrentDtype::float32, kScanFp32,
      StateScope::recurrent_layers,
      "Mamba: (mamba_d_conv - 1) × d_inner + d_inner × mamba_d_state, d_inner = mamba_expand × hidden");
}

// Mamba-2 heads: head_dim stated, or "auto" = d_inner / n_heads.
Result<std::int64_t> mamba2_head_dim(BuildContext& ctx, std::initializer_list<std::string_view> keys,
                                     std::int64_t d_inner, std::int64_t n_heads) {
  auto hd = optional_state_field(ctx, keys, 1, kMaxStateDim);
  if (!hd) return hd.error();
  if (*hd) return **hd;
  if (d_inner % n_heads != 0)
    return ctx.cfg.error(*keys.begin(),
                         "a head dim, since the Mamba width is not a multiple of the head count", "auto",
                         fmt::format("{} / {}", d_inner, n_heads));
  return d_inner / n_heads;
}

// Mamba2: d_inner = expand * hidden_size (Mamba2Mixer), heads num_heads × head_dim, n_groups, state_size,
// conv_kernel (Mamba2Config defaults 128, 64, 8, 128, 4).
Status mamba2_finish(BuildContext& ctx) {
  auto d_inner = expand_times_hidden(ctx, {"expand"});
  if (!d_inner) return d_inner.error();
  auto nh = state_field(ctx, {"num_heads"}, 128, 1, kMaxHeads);
  if (!nh) return nh.error();
  auto hd = state_field(ctx, {"head_dim"}, 64, 1, kMaxStateDim);
  if (!hd) return hd.error();
  auto g = state_field(ctx, {"n_groups"}, 8, 1, kMaxHeads);
  if (!g) return g.error();
  auto n = state_field(ctx, {"state_size"}, 128, 1, kMaxHeadDim);
  if (!n) return n.error();
  auto k = state_field(ctx, {"conv_kernel"}, 4, 1, kMaxKernel);
  if (!k) return k.error();
  return attach(ctx, mamba2_state(ctx, {*d_inner, *g, *n, *k, *nh, *hd}), RecurrentDtype::float32, kScanFp32,
                StateScope::recurrent_layers,
                "Mamba-2: (conv_kernel - 1) × (d_inner + 2 × n_groups × state_size) + num_heads × head_dim × "
                "state_size");
}

// The Mamba-2 mixers configured with mamba_* keys (BambaConfig, GraniteMoeHybridConfig: d_inner =
// mamba_expand * hidden_size; defaults mamba_n_heads 128, mamba_d_head auto, mamba_n_groups 1, mamba_d_state
// 256, mamba_d_conv 4).
Result<StateValues> mamba2_prefixed(BuildContext& ctx, std::int64_t d_inner) {
  auto nh = state_field(ctx, {"mamba_n_heads"}, 128, 1, kMaxHeads);
  if (!nh) return nh.error();
  auto hd = mamba2_head_dim(ctx, {"mamba_d_head"}, d_inner, *nh);
  if (!hd) return hd.error();
  auto g = state_field(ctx, {"mamba_n_groups"}, 1, 1, kMaxHeads);
  if (!g) return g.error();
  auto n = state_field(ctx, {"mamba_d_state"}, 256, 1, kMaxHeadDim);
  if (!n) return n.error();
  auto k = state_field(ctx, {"mamba_d_conv"}, 4, 1, kMaxKernel);
  if (!k) return k.error();
  return mamba2_state(ctx, {d_inner, *g, *n, *k, *nh, *hd});
}

constexpr std::string_view kMamba2Prefixed =
    "Mamba-2: (mamba_d_conv - 1) × (d_inner + 2 × mamba_n_groups × mamba_d_state) + mamba_n_heads × "
    "mamba_d_head × mamba_d_state";

Status bamba_finish(BuildContext& ctx) {
  auto d_inner = expand_times_hidden(ctx, {"mamba_expand"});
  if (!d_inner) return d_inner.error();
  return attach(ctx, mamba2_prefixed(ctx, *d_inner), RecurrentDtype::float32, kScanFp32,
                StateScope::recurrent_layers, kMamba2Prefixed);
}

// Falcon-H1: attention and Mamba-2 side by side in every layer (FalconH1Config.layers_block_type = "hybrid"
// for all; llama.cpp marks every layer both attention and recurrent). d_inner = mamba_d_ssm (default 1024;
// null = mamba_expand * hidden_size).
Status falcon_h1_finish(BuildContext& ctx) {
  std::int64_t d_inner = 0;
  const json::Value* ssm = ctx.cfg.raw("mamba_d_ssm");
  if (ssm != nullptr && ssm->is_null()) {
    auto w = expand_times_hidden(ctx, {"mamba_expand"});
    if (!w) return w.error();
    d_inner = *w;
  } else {
    auto w = state_field(ctx, {"mamba_d_ssm"}, 1024, 1, kMaxStateDim);
    if (!w) return w.error();
    d_inner = *w;
  }
  return attach(ctx, mamba2_prefixed(ctx, d_inner), RecurrentDtype::float32, kScanFp32,
                StateScope::every_layer, kMamba2Prefixed);
}

// Zamba2: every layer holds Mamba-2 state, hybrid ones too (Zamba2HybridDynamicCache allocates conv and ssm
// states for all num_hidden_layers): d_inner = mamba_expand * hidden_size, conv over d_inner + 2 *
// mamba_ngroups * mamba_d_state, ssm (n_mamba_heads, mamba_headdim = d_inner // n_mamba_heads,
// mamba_d_state). Zyphra-format configs spell the first three expansion_factor, state_size and
// conv_dimension. Defaults 2, 1, 64, 4, 8 heads.
Status zamba2_finish(BuildContext& ctx) {
  auto d_inner = expand_times_hidden(ctx, {"mamba_expand", "expansion_factor"});
  if (!d_inner) return d_inner.error();
  auto g = state_field(ctx, {"mamba_ngroups"}, 1, 1, kMaxHeads);
  if (!g) return g.error();
  auto n = state_field(ctx, {"mamba_d_state", "state_size"}, 64, 1, kMaxHeadDim);
  if (!n) return n.error();
  auto k = state_field(ctx, {"mamba_d_conv", "conv_dimension"}, 4, 1, kMaxKernel);
  if (!k) return k.error();
  auto nh = state_field(ctx, {"n_mamba_heads"}, 8, 1, kMaxHeads);
  if (!nh) return nh.error();
  return attach(
      ctx, mamba2_state(ctx, {*d_inner, *g, *n, *k, *nh, *d_inner / *nh}), RecurrentDtype::float32, kScanFp32,
      StateScope::every_layer,
      "Mamba-2: (mamba_d_conv - 1) × (d_inner + 2 × mamba_ngroups × mamba_d_state) + n_mamba_heads × "
      "(d_inner / n_mamba_heads) × mamba_d_state");
}

// Nemotron-H: d_inner = mamba_num_heads * mamba_head_dim (NemotronHMamba2Mixer), n_groups, ssm_state_size,
// conv_kernel (older configs: mamba_n_groups, mamba_d_conv). NemotronHConfig.mamba_ssm_cache_dtype defaults
// to float32.
Status nemotron_h_finish(BuildContext& ctx) {
  auto nh = state_field(ctx, {"mamba_num_heads"}, 128, 1, kMaxHeads);
  if (!nh) return nh.error();
  auto hd = state_field(ctx, {"mamba_head_dim"}, 64, 1, kMaxStateDim);
  if (!hd) return hd.error();
  auto g = state_field(ctx, {"n_groups", "mamba_n_groups"}, 8, 1, kMaxHeads);
  if (!g) return g.error();
  auto n = state_field(ctx, {"ssm_state_size"}, 128, 1, kMaxHeadDim);
  if (!n) return n.error();
  auto k = state_field(ctx, {"conv_kernel", "mamba_d_conv"}, 4, 1, kMaxKernel);
  if (!k) return k.error();
  return attach(ctx, mamba2_state(ctx, {*nh * *hd, *g, *n, *k, *nh, *hd}), RecurrentDtype::float32,
                "NemotronHConfig.mamba_ssm_cache_dtype default float32", StateScope::recurrent_layers,
                "Mamba-2: (conv_kernel - 1) × (mamba_num_heads × mamba_head_dim + 2 × n_groups × "
                "ssm_state_size) + mamba_num_heads × mamba_head_dim × ssm_state_size");
}

// Gated DeltaNet layers (Qwen3-Next defaults: 16 key heads, 32 value heads, 128 / 128 head dims, kernel 4).
Status deltanet_finish(BuildContext& ctx, bool qwen3_next_defaults) {
  auto def = [&](std::int64_t v) {
    return qwen3_next_defaults ? std::optional<std::int64_t>{v} : std::nullopt;
  };
  auto nk = state_field(ctx, {"linear_num_key_heads"}, def(16), 1, kMaxHeads);
  if (!nk) return nk.error();
  auto nv = state_field(ctx, {"linear_num_value_heads"}, def(32), 1, kMaxHeads);
  if (!nv) return nv.error();
  auto dk = state_field(ctx, {"linear_key_head_dim"}, def(128), 1, kMaxHeadDim);
  if (!dk) return dk.error();
  auto dv = state_field(ctx, {"linear_value_head_dim"}, def(128), 1, kMaxHeadDim);
  if (!dv) return dv.error();
  auto k = state_field(ctx, {"linear_conv_kernel_dim"}, def(4), 1, kMaxKernel);
  if (!k) return k.error();
  return attach(
      ctx, gated_deltanet_state(ctx, {*nk, *nv, *dk, *dv, *k}), RecurrentDtype::float32,
      "transformers modeling_qwen3_next.py: the gated delta rule returns a float32 final state "
      "(torch path .to(torch.float32), fla kernels), stored as is",
      StateScope::recurrent_layers,
      "Gated DeltaNet: (linear_conv_kernel_dim - 1) × (2 × key heads × key dim + value heads × value "
      "dim) + value heads × key dim × value dim");
}
Status qwen3_next_finish(BuildContext& ctx) {
  return deltanet_finish(ctx, true);
}
Status qwen3_5_finish(BuildContext& ctx) {
  return deltanet_finish(ctx, false);
}

// LFM2 short convolution: a depthwise conv over hidden_size channels with kernel conv_L_cache (Lfm2ShortConv;
// cached as (hidden_size, L_cache)); llama.cpp n_embd_r = n_embd * (l_cache - 1), no recurrent state.
Status lfm2_finish(BuildContext& ctx) {
  auto l = state_field(ctx, {"conv_L_cache"}, 3, 1, kMaxKernel);
  if (!l) return l.error();
  auto conv = checked_product(*l - 1, ctx.hidden);
  if (!conv) return ctx.cfg.error("conv_L_cache", "a conv size that fits", std::to_string(*l));
  return attach(ctx, StateValues{*conv, 0, *l}, RecurrentDtype::model,
                "the model's dtype (no recurrent part)", StateScope::recurrent_layers,
                "short conv: (conv_L_cache - 1) × hidden_size");
}

// MiniMax lightning attention: one (num_attention_heads, head_dim, head_dim) K^T V state per layer, allocated
// `.to(value_states)`, i.e. in the model's dtype (MiniMaxLightningAttention, transformers
// modeling_minimax.py).
Status minimax_finish(BuildContext& ctx) {
  auto rec = checked_product(ctx.num_heads, ctx.head_dim, ctx.head_dim);
  if (!rec) return ctx.cfg.error("head_dim", "a head dim whose state fits", std::to_string(ctx.head_dim));
  return attach(ctx, StateValues{0, *rec, 0}, RecurrentDtype::model,
                "transformers modeling_minimax.py: attn_weights_inter .to(value_states)",
                StateScope::recurrent_layers,
                "lightning attention: num_attention_heads × head_dim × head_dim");
}

// RWKV-4 (transformers modeling_rwkv.py RwkvModel.forward): five (hidden_size) vectors per layer, the two
// token shifts in the model's dtype and the WKV numerator, denominator and max in float32
// (`dtype=inputs_embeds.dtype if i <= 1 else torch.float32`).
Status rwkv_finish(BuildContext& ctx) {
  return attach(ctx, StateValues{2 * ctx.hidden, 3 * ctx.hidden, 0}, RecurrentDtype::float32,
                "transformers modeling_rwkv.py: state[2..4] float32", StateScope::recurrent_layers,
                "RWKV-4: 2 × hidden_size token shifts + 3 × hidden_size WKV (num, den, max)");
}

// RWKV-5/6/7: two token shifts (attention and FFN, (hidden_size) each, model dtype) and a float32 WKV matrix
// per head, (attention_hidden_size / head_size) × head_size × head_size = attention_hidden_size × head_size
// (remote-code modeling_rwkv5.py / modeling_rwkv6.py state[1] dtype=torch.float32; fla RWKV7; llama.cpp
// n_embd_r = token_shift_count (2) × n_embd, n_embd_s = n_embd × wkv.head_size).
Status rwkv_matrix_finish(BuildContext& ctx) {
  auto head = state_field(ctx, {"head_size", "head_dim"}, 64, 1, kMaxHeadDim);
  if (!head) return head.error();
  auto att = optional_state_field(ctx, {"attention_hidden_size"}, 1, kMaxHidden);
  if (!att) return att.error();
  auto rec = checked_product(att->value_or(ctx.hidden), *head);
  if (!rec) return ctx.cfg.error("head_size", "a head size whose state fits", std::to_string(*head));
  return attach(ctx, StateValues{2 * ctx.hidden, *rec, 0}, RecurrentDtype::float32,
                "RWKV-5/6 modeling: the WKV state is allocated float32", StateScope::recurrent_layers,
                "RWKV: 2 × hidden_size token shifts + attention_hidden_size × head_size WKV");
}

// ---- the table -------------------------------------------------------------------------------------------

constexpr auto kMambaTypes = typed_layer<kLinear>;
constexpr auto kHybridTypes = typed_layer<kLinear | kAttention | kHybrid>;
constexpr auto kQwenTypes = typed_layer<kLinear>;
constexpr auto kLfm2Types = typed_layer<kConv>;

constexpr std::array kRules{
    ArchRule{.model_type = "mamba",
             .config_class = "MambaConfig",
             .source =
                 "transformers configuration_mamba.py / modeling_mamba.py: every layer a Mamba mixer, no "
                 "attention; defaults hidden 768, 32 layers",
             .defaults = {.num_layers = 32, .hidden_size = 768},
             .pattern = Pattern::custom,
             .layers = all_recurrent,
             .finish = mamba_finish,
             .layer_type = kMambaTypes,
             .attention_free = true},
    ArchRule{.model_type = "falcon_mamba",
             .config_class = "FalconMambaConfig",
             .source =
                 "transformers configuration_falcon_mamba.py (MambaConfig's fields and defaults): every "
                 "layer a Mamba mixer",
             .defaults = {.num_layers = 32, .hidden_size = 768},
             .pattern = Pattern::custom,
             .layers = all_recurrent,
             .finish = mamba_finish,
             .layer_type = kMambaTypes,
             .attention_free = true},
    ArchRule{.model_type = "mamba2",
             .config_class = "Mamba2Config",
             .source =
                 "transformers configuration_mamba2.py / modeling_mamba2.py: every layer a Mamba-2 mixer; "
                 "defaults hidden 4096, 64 layers",
             .defaults = {.num_layers = 64, .hidden_size = 4096},
             .pattern = Pattern::custom,
             .layers = all_recurrent,
             .finish = mamba2_finish,
             .layer_type = kMambaTypes,
             .attention_free = true},
    ArchRule{.model_type = "jamba",
             .config_class = "JambaConfig",
             .source =
                 "transformers configuration_jamba.py: attention iff i % attn_layer_period == "
                 "attn_layer_offset (8, 4), Mamba-1 elsewhere; defaults 32 layers, 32 heads, 8 KV heads",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32, .num_kv_heads = 8},
             .pattern = Pattern::custom,
             .layers = jamba_layers,
             .finish = jamba_finish,
             .layer_type = kHybridTypes},
    ArchRule{.model_type = "falcon_h1",
             .config_class = "FalconH1Config",
             .source =
                 "transformers configuration_falcon_h1.py: every layer attention + Mamba-2 (\"hybrid\"); "
                 "defaults 32 layers, 32 heads, 8 KV heads",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32, .num_kv_heads = 8},
             .pattern = Pattern::all_full,
             .finish = falcon_h1_finish,
             .layer_type = kHybridTypes},
    ArchRule{.model_type = "zamba2",
             .config_class = "Zamba2Config",
             .source = "transformers configuration_zamba2.py / modeling_zamba2.py: layers_block_type mamba | "
                       "hybrid; attention head dim 2 * hidden / heads; KV heads default to heads",
             .defaults = {.num_layers = 54, .hidden_size = 2560, .num_heads = 32},
             .pattern = Pattern::custom,
             .resolve = zamba2_resolve,
             .layers = zamba2_layers,
             .finish = zamba2_finish,
             .layer_type = kHybridTypes},
    ArchRule{.model_type = "bamba",
             .config_class = "BambaConfig",
             .source =
                 "transformers configuration_bamba.py: attention at attn_layer_indices, Mamba-2 elsewhere; "
                 "defaults 32 layers, 32 heads, 8 KV heads",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32, .num_kv_heads = 8},
             .pattern = Pattern::custom,
             .layers = bamba_layers,
             .finish = bamba_finish,
             .layer_type = kHybridTypes},
    ArchRule{.model_type = "granitemoehybrid",
             .config_class = "GraniteMoeHybridConfig",
             .source =
                 "transformers configuration_granitemoehybrid.py: layer_types mamba | attention (legacy "
                 "names of linear_attention | full_attention), all Mamba-2 when absent; KV heads default "
                 "to heads",
             .defaults = {.num_layers = 32, .hidden_size = 4096, .num_heads = 32},
             .pattern = Pattern::custom,
             .layers = all_recurrent,
             .finish = bamba_finish,
             .layer_type = kHybridTypes},
    ArchRule{.model_type = "nemotron_h",
             .config_class = "NemotronHConfig",
             .source = "transformers configuration_nemotron_h.py: hybrid_override_pattern M (Mamba-2) * "
                       "(attention) - (MLP) E (MoE); defaults 32 heads, 8 KV heads, head_dim 128",
             .defaults =
                 {.num_layers = 4, .hidden_size = 4096, .num_heads = 32, .num_kv_heads = 8, .head_dim = 128},
             .pattern = Pattern::custom,
             .resolve = nemotron_h_resolve,
             .layers = nemotron_h_layers,
             .finish = nemotron_h_finish,
             .layer_type = typed_layer<kLinear | kAttention | kNoCache>},
    ArchRule{.model_type = "qwen3_next",
             .config_class = "Qwen3NextConfig",
             .source =
                 "transformers configuration_qwen3_next.py: layer_types, else full attention iff (i + 1) % "
                 "full_attention_interval == 0 (4), Gated DeltaNet elsewhere; defaults 48 layers, 16 "
                 "heads, 2 KV heads, head_dim 256",
             .defaults =
                 {.num_layers = 48, .hidden_size = 2048, .num_heads = 16, .num_kv_heads = 2, .head_dim = 256},
             .pattern = Pattern::custom,
             .layers = interval_layers,
             .finish = qwen3_next_finish,
             .layer_type = kQwenTypes},
    ArchRule{.model_type = "qwen3_5_text",
             .config_class = "Qwen3_5TextConfig",
             .source = "transformers configuration_qwen3_5.py: as Qwen3-Next (layer_types linear_attention | "
                       "full_attention, full_attention_interval 4); mamba_ssm_dtype states the state dtype",
             .pattern = Pattern::custom,
             .layers = interval_layers,
             .finish = qwen3_5_finish,
             .layer_type = kQwenTypes},
    ArchRule{.model_type = "qwen3_5_moe_text",
             .config_class = "Qwen3_5MoeTextConfig",
             .source = "transformers configuration_qwen3_5_moe.py: as qwen3_5_text with MoE blocks",
             .pattern = Pattern::custom,
             .layers = interval_layers,
             .finish = qwen3_5_finish,
             .layer_type = kQwenTypes},
    ArchRule{.model_type = "qwen3_5",
             .config_class = "Qwen3_5Config",
             .source = "transformers configuration_qwen3_5.py: multimodal wrapper; text_config is a "
                       "Qwen3_5TextConfig",
             .text_model_type = "qwen3_5_text"},
    ArchRule{.model_type = "qwen3_5_moe",
             .config_class = "Qwen3_5MoeConfig",
             .source = "transformers configuration_qwen3_5_moe.py: multimodal wrapper; text_config is a "
                       "Qwen3_5MoeTextConfig",
             .text_model_type = "qwen3_5_moe_text"},
    ArchRule{.model_type = "lfm2",
             .config_class = "Lfm2Config",
             .source = "transformers configuration_lfm2.py: layer_types conv | full_attention, else "
                       "full_attn_idxs; defaults 32 layers, 32 heads, 8 KV heads, conv_L_cache 3",
             .defaults = {.num_layers = 32, .hidden_size = 2560, .num_heads = 32, .num_kv_heads = 8},
             .pattern = Pattern::custom,
             .layers = lfm2_layers,
             .finish = lfm2_finish,
             .layer_type = kLfm2Types},
    ArchRule{.model_type = "lfm2_moe",
             .config_class = "Lfm2MoeConfig",
             .source = "transformers configuration_lfm2_moe.py: LFM2's conv | full_attention layers with MoE "
                       "blocks",
             .pattern = Pattern::custom,
             .layers = lfm2_layers,
             .finish = lfm2_finish,
             .layer_type = kLfm2Types},
    ArchRule{
        .model_type = "lfm2_vl",
        .config_class = "Lfm2VlConfig",
        .source = "transformers configuration_lfm2_vl.py: multimodal wrapper; text_config is an Lfm2Config",
        .text_model_type = "lfm2"},
    ArchRule{.model_type = "minimax",
             .config_class = "MiniMaxConfig",
             .source = "transformers configuration_minimax.py: layer_types linear_attention | full_attention "
                       "(attn_type_list 0 | 1 in the original configs)",
             .pattern = Pattern::custom,
             .layers = minimax_layers,
             .finish = minimax_finish,
             .layer_type = kQwenTypes},
    ArchRule{.model_type = "rwkv",
             .config_class = "RwkvConfig",
             .source =
                 "transformers configuration_rwkv.py / modeling_rwkv.py: every layer RWKV-4 time mixing; "
                 "defaults hidden 4096, 32 layers",
             .defaults = {.num_layers = 32, .hidden_size = 4096},
             .pattern = Pattern::custom,
             .layers = all_recurrent,
             .finish = rwkv_finish,
             .attention_free = true},
    ArchRule{.model_type = "rwkv5",
             .config_class = "Rwkv5Config",
             .source =
                 "remote code configuration_rwkv5.py / modeling_rwkv5.py (RWKV/rwkv-5-world-*): every layer "
                 "RWKV-5; head_size 64",
             .pattern = Pattern::custom,
             .layers = all_recurrent,
             .finish = rwkv_matrix_finish,
             .attention_free = true},
    ArchRule{
        .model_type = "rwkv6",
        .config_class = "Rwkv6Config",
        .source = "remote code configuration_rwkv6.py / modeling_rwkv6.py: every layer RWKV-6; head_size 64",
        .pattern = Pattern::custom,
        .layers = all_recurrent,
        .finish = rwkv_matrix_finish,
        .attention_free = true},
    ArchRule{
        .model_type = "rwkv7",
        .config_class = "RWKV7Config",
        .source = "flash-linear-attention fla/models/rwkv7 (remote code): every layer RWKV-7; head_dim 64",
        .pattern = Pattern::custom,
        .layers = all_recurrent,
        .finish = rwkv_matrix_finish,
        .attention_free = true},
};

}  // namespace

std::span<const ArchRule> hybrid_rules() {
  return kRules;
}

}  // namespace kvspec
