#include "arch/recurrent_state.hpp"

#include <fmt/format.h>

#include "util/checked.hpp"

namespace kvspec {

namespace {

// Bytes of a torch dtype name as configs write it; nullopt if not a dtype we know.
std::optional<std::int64_t> dtype_bytes(std::string_view name) {
  if (name == "float32" || name == "float" || name == "fp32") return 4;
  if (name == "bfloat16" || name == "bf16" || name == "float16" || name == "fp16" || name == "half") return 2;
  if (name == "float64" || name == "double") return 8;
  return std::nullopt;
}

// A string key in the text config, else in the root (the wrappers keep `torch_dtype` at the top).
const json::Value* text_or_root(const ConfigView& cfg, std::string_view key) {
  const json::Value* v = cfg.raw(key);
  if (v == nullptr || v->is_null()) v = cfg.root().find(key);
  return v;
}

Error overflow(const BuildContext& ctx, std::string_view what) {
  return make_error(ErrorCode::bad_input, ctx.cfg.file(), "", "state sizes that fit in 64 bits",
                    "an overflow", fmt::format("while computing {}", what));
}

}  // namespace

Result<StateDtypes> state_dtypes(BuildContext& ctx, RecurrentDtype policy, std::string_view policy_source) {
  StateDtypes out;
  std::string model_name;
  for (std::string_view key : {"torch_dtype", "dtype"}) {
    const json::Value* v = text_or_root(ctx.cfg, key);
    if (v != nullptr && v->is_string()) {
      model_name = v->as_string();
      break;
    }
  }
  if (auto b = dtype_bytes(model_name)) {
    out.conv_bytes = *b;
  } else {
    // transformers loads such a model in whatever dtype the caller asks for; 16-bit is the common choice.
    ctx.note(fmt::format("the model's dtype is {}: recurrent state priced at 2 bytes per element",
                         model_name.empty() ? std::string("unstated") : "'" + model_name + "' (unknown)"));
    model_name = "16-bit (assumed)";
  }
  ctx.fact("conv_state_dtype", model_name, Tier::rule,
           "the model's dtype (conv states are cached as computed)");

  out.recurrent_bytes = policy == RecurrentDtype::float32 ? 4 : out.conv_bytes;
  std::string rec_name = policy == RecurrentDtype::float32 ? "float32" : model_name;
  std::string origin(policy_source);
  // Configs that state the SSM cache dtype (Qwen3.5 `mamba_ssm_dtype`, NemotronH `mamba_ssm_cache_dtype`).
  // These are serving settings: vLLM's NemotronHForCausalLMConfig (model_executor/models/config.py) copies
  // hf_config.mamba_ssm_cache_dtype into --mamba-ssm-cache-dtype when that is "auto". transformers ignores
  // them (its SSM state is float32: measured on 5.17.0 with both set to bfloat16), and its profile re-prices.

  for (std::string_view key : {"mamba_ssm_dtype", "mamba_ssm_cache_dtype"}) {
    const json::Value* v = text_or_root(ctx.cfg, key);
    if (v == nullptr || !v->is_string() || v->as_string() == "auto") continue;
    auto b = dtype_bytes(v->as_string());
    if (!b) return ctx.cfg.error(key, "a dtype name (float32, bfloat16, float16) or auto", v->describe());
    out.recurrent_bytes = *b;
    rec_name = v->as_string();
    origin = ctx.cfg.path(key);
    break;
  }
  ctx.fact("recurrent_state_dtype", rec_name, origin == policy_source ? Tier::rule : Tier::config, origin);
  return out;
}

Result<std::optional<std::int64_t>> optional_state_field(BuildContext& ctx,
                                                         std::initializer_list<std::string_view> keys,
                                                         std::int64_t lo, std::int64_t hi) {
  for (std::string_view key : keys) {
    const json::Value* v = ctx.cfg.raw(key);
    if (v == nullptr || v->is_null()) continue;
    if (v->is_string() && v->as_string() == "auto") continue;
    auto n = ctx.cfg.as_integer(*v, ctx.cfg.path(key), lo, hi);
    if (!n) return n.error();
    ctx.fact(std::string(key), std::to_string(*n), Tier::config, ctx.cfg.path(key));
    return std::optional<std::int64_t>{*n};
  }
  return std::optional<std::int64_t>{};
}

Result<std::int64_t> state_field(BuildContext& ctx, std::initializer_list<std::string_view> keys,
                                 std::optional<std::int64_t> fallback, std::int64_t lo, std::int64_t hi) {
  auto v = optional_state_field(ctx, keys, lo, hi);
  if (!v) return v.error();
  if (*v) return **v;
  std::string_view first = *keys.begin();
  if (!fallback)
    return ctx.cfg.error(first, "the recurrent layers' dimension " + std::string(first), "none",
                         "this family's config class has no default for it");
  std::string cls =
      ctx.rule.config_class.empty() ? std::string("the config class") : std::string(ctx.rule.config_class);
  ctx.fact(std::string(first), std::to_string(*fallback), Tier::rule, cls + " default");
  return *fallback;
}

// Mamba-1 (MambaCache / MambaMixer, transformers modeling_mamba.py; llama.cpp n_embd_r = (d_conv - 1) *
// d_inner, n_embd_s = d_state * d_inner): conv over the d_inner channels, ssm (d_inner, d_state).
Result<StateValues> mamba1_state(const BuildContext& ctx, const Mamba1Dims& d) {
  auto conv = checked_product(d.d_conv - 1, d.d_inner);
  auto rec = checked_product(d.d_inner, d.d_state);
  if (!conv || !rec) return overflow(ctx, "the Mamba state");
  return StateValues{*conv, *rec, d.d_conv};
}

// Mamba-2 (Mamba2Mixer, transformers modeling_mamba2.py: conv_dim = intermediate + 2 * n_groups * state_size,
// ssm (num_heads, head_dim, state_size); llama.cpp n_embd_r = (d_conv - 1) * (d_inner + 2 * n_group *
// d_state)).
Result<StateValues> mamba2_state(const BuildContext& ctx, const Mamba2Dims& d) {
  auto bc = checked_product(2, d.n_groups, d.d_state);
  auto channels = bc ? checked_add(d.d_inner, *bc) : std::nullopt;
  auto conv = channels ? checked_product(d.d_conv - 1, *channels) : std::nullopt;
  auto rec = checked_product(d.n_heads, d.head_dim, d.d_state);
  if (!conv || !rec) return overflow(ctx, "the Mamba-2 state");
  return StateValues{*conv, *rec, d.d_conv};
}

// Gated DeltaNet (Qwen3NextGatedDeltaNet, transformers modeling_qwen3_next.py: conv_dim = 2 * key_dim +
// value_dim with key_dim = num_k_heads * head_k_dim, value_dim = num_v_heads * head_v_dim; the recurrent
// state is (num_v_heads, head_k_dim, head_v_dim) since q and k are repeated to the value heads).
Result<StateValues> gated_deltanet_state(const BuildContext& ctx, const DeltaNetDims& d) {
  auto qk = checked_product(2, d.key_heads, d.key_dim);
  auto v = checked_product(d.value_heads, d.value_dim);
  auto channels = qk && v ? checked_add(*qk, *v) : std::nullopt;
  auto conv = channels ? checked_product(d.d_conv - 1, *channels) : std::nullopt;
  auto rec = checked_product(d.value_heads, d.key_dim, d.value_dim);
  if (!conv || !rec) return overflow(ctx, "the Gated DeltaNet state");
  return StateValues{*conv, *rec, d.d_conv};
}

LayerSpec recurrent_placeholder(Tier tier) {
  LayerSpec l;
  l.kind = LayerKind::recurrent;
  l.source = tier;
  return l;
}

LayerSpec cacheless_layer(Tier tier) {
  LayerSpec l;
  l.kind = LayerKind::none;
  l.source = tier;
  return l;
}

Status attach_state(BuildContext& ctx, const StateValues& v, const StateDtypes& d, StateScope scope,
                    std::string_view formula) {
  auto conv_b = checked_mul(v.conv, d.conv_bytes);
  auto rec_b = checked_mul(v.recurrent, d.recurrent_bytes);
  auto bytes = conv_b && rec_b ? checked_add(*conv_b, *rec_b) : std::nullopt;
  if (!bytes) return overflow(ctx, "the state bytes");
  std::int64_t holders = 0;
  for (LayerSpec& l : ctx.spec.layers) {
    if (scope == StateScope::recurrent_layers && l.kind != LayerKind::recurrent) continue;
    l.conv_state_values = v.conv;
    l.recurrent_state_values = v.recurrent;
    l.conv_kernel = v.conv == 0 ? 0 : v.kernel;
    l.state_bytes = *bytes;
    ++holders;
  }
  if (holders > 0)
    ctx.note(
        fmt::format("recurrent state per layer ({} layers): {} = {} conv + {} recurrent values = {} bytes",
                    holders, formula, v.conv, v.recurrent, *bytes));
  return Ok{};
}

}  // namespace kvspec
