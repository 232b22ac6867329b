// Cross-attention caches, whose length is fixed by an encoder instead of growing with the context: Mllama's
// image layers and the decoders of encoder-decoder models (Whisper, T5).
#include <fmt/format.h>

#include "arch/families/structural_hooks.hpp"
#include "util/checked.hpp"

namespace kvspec {

namespace {

// An integer from the root-level `vision_config` (absent or null: the class default).
Result<std::int64_t> vision_int(const BuildContext& ctx, const json::Value* vision, std::string_view key,
                                std::int64_t fallback, std::int64_t hi, bool& defaulted) {
  const json::Value* v = vision != nullptr ? vision->find(key) : nullptr;
  if (v == nullptr || v->is_null()) {
    defaulted = true;
    return fallback;
  }
  return ctx.cfg.as_integer(*v, "vision_config." + std::string(key), 1, hi);
}

}  // namespace

// Mllama (Llama 3.2 Vision). transformers configuration_mllama.py (commit 032b32ab): text `num_hidden_layers`
// counts the cross-attention layers listed in `cross_attention_layers` (default [3, 8, ..., 38]); vision
// defaults image_size 448, patch_size 14, max_num_tiles 4. modeling_mllama.py MllamaVisionModel.forward: each
// tile gives (image_size / patch_size)^2 patches plus one class token (the padding to a multiple of 8 is
// sliced off again), and an image is padded to max_num_tiles tiles, so one image is max_num_tiles ×
// ((image_size / patch_size)^2 + 1) cross-attention tokens. MllamaTextCrossAttention caches K and V of those
// tokens with num_key_value_heads × head_dim (hidden_size / num_attention_heads), like the self-attention
// layers. Sized here for one image.
Status mllama_layers(BuildContext& ctx) {
  const ConfigView& cfg = ctx.cfg;
  const json::Value* vision = cfg.root().find("vision_config");
  if (vision != nullptr && !vision->is_null() && !vision->is_object())
    return make_error(ErrorCode::bad_input, cfg.file(), "vision_config", "an object", vision->describe());
  bool defaulted = false;
  auto image = vision_int(ctx, vision, "image_size", 448, 1 << 20, defaulted);
  if (!image) return image.error();
  auto patch = vision_int(ctx, vision, "patch_size", 14, 1 << 20, defaulted);
  if (!patch) return patch.error();
  auto tiles = vision_int(ctx, vision, "max_num_tiles", 4, 1 << 10, defaulted);
  if (!tiles) return tiles.error();
  if (*patch > *image)
    return make_error(ErrorCode::bad_input, cfg.file(), "vision_config.patch_size",
                      fmt::format("at most image_size ({})", *image), std::to_string(*patch));
  std::int64_t side = *image / *patch;  // the patch convolution's output width (stride = kernel = patch_size)
  auto tokens = checked_product(side, side);
  if (tokens) tokens = checked_add(*tokens, 1);
  if (tokens) tokens = checked_mul(*tokens, *tiles);
  if (!tokens)
    return make_error(ErrorCode::bad_input, cfg.file(), "vision_config", "a sensible image geometry",
                      "an overflow");

  std::vector<bool> cross(static_cast<std::size_t>(ctx.num_layers), false);
  const json::Value* list = cfg.raw("cross_attention_layers");
  Tier tier = Tier::config;
  if (list == nullptr || list->is_null()) {
    tier = Tier::rule;
    for (std::int64_t i = 3; i < ctx.num_layers && i <= 38; i += 5) cross[static_cast<std::size_t>(i)] = true;
    ctx.note(
        "cross_attention_layers is absent: MllamaTextConfig defaults it to [3, 8, 13, 18, 23, 28, 33, 38]");
  } else {
    if (!list->is_array())
      return cfg.error("cross_attention_layers", "an array of layer indices", list->describe());
    const json::Array& arr = list->as_array();
    for (std::size_t k = 0; k < arr.size(); ++k) {
      auto idx = cfg.as_integer(arr[k], cfg.path(fmt::format("cross_attention_layers[{}]", k)), 0,
                                ctx.num_layers - 1);
      if (!idx) return idx.error();
      cross[static_cast<std::size_t>(*idx)] = true;
    }
  }
  for (std::int64_t i = 0; i < ctx.num_layers; ++i) {
    if (cross[static_cast<std::size_t>(i)]) {
      LayerSpec l = ctx.layer(LayerKind::cross_attention, tier);
      l.fixed_tokens = *tokens;
      ctx.spec.layers.push_back(l);
    } else {
      ctx.spec.layers.push_back(ctx.layer(LayerKind::full_attention, tier));
    }
  }
  ctx.fact("cross_attention_tokens", std::to_string(*tokens), defaulted ? Tier::rule : Tier::config,
           fmt::format("one image: max_num_tiles {} × ((image_size {} / patch_size {})² + 1 class token)",
                       *tiles, *image, *patch));
  ctx.note(fmt::format(
      "cross-attention layers hold the vision encoder's {} tokens for one image (each further image "
      "adds as many; --images), whatever the text context",
      *tokens));
  ctx.spec.cross_attention_per_image = true;
  if (defaulted)
    ctx.note("vision_config is incomplete: MllamaVisionConfig defaults (448 px, patch 14, 4 tiles)");
  return Ok{};
}

// Encoder-decoder layout: decoder layer i becomes two LayerSpecs, index 2i its self-attention cache (full
// attention, grows with the decoded tokens) and index 2i + 1 its cross-attention cache (`encoder_tokens` K/V,
// fixed). The encoder keeps no cache. So the layer strip of a 4-layer decoder reads FXFXFXFX.
namespace {

void decoder_layers(BuildContext& ctx, std::int64_t encoder_tokens, Tier tier) {
  for (std::int64_t i = 0; i < ctx.num_layers; ++i) {
    ctx.spec.layers.push_back(ctx.layer(LayerKind::full_attention, tier));
    LayerSpec cross = ctx.layer(LayerKind::cross_attention, tier);
    cross.fixed_tokens = encoder_tokens;
    ctx.spec.layers.push_back(cross);
  }
  ctx.note(
      fmt::format("{} decoder layers, each listed twice: self-attention (grows with decoded tokens) then "
                  "cross-attention ({} encoder tokens, fixed); the encoder caches nothing",
                  ctx.num_layers, encoder_tokens));
}

// An integer key of the (root) config, else the class default with a fact saying so.
Result<std::int64_t> key_or_default(BuildContext& ctx, std::string_view key, std::int64_t fallback,
                                    std::int64_t hi, std::string_view cls, std::string_view fact) {
  auto v = ctx.cfg.integer(key, 1, hi);
  if (!v) return v.error();
  if (*v) {
    ctx.fact(std::string(fact), std::to_string(**v), Tier::config, ctx.cfg.path(key));
    return **v;
  }
  ctx.fact(std::string(fact), std::to_string(fallback), Tier::rule, fmt::format("{} default {}", cls, key));
  return fallback;
}

}  // namespace

// Whisper. transformers configuration_whisper.py: decoder_layers 4, decoder_attention_heads 6, d_model 384,
// max_source_positions 1500, max_target_positions 448 by default (whisper-tiny); `num_attention_heads` and
// `hidden_size` alias the *encoder* fields, so the generic keys would be wrong for the decoder.
// modeling_whisper.py WhisperAttention: head_dim = d_model / heads, no GQA; the decoder's EncoderDecoderCache
// holds self-attention K/V per decoded token and cross-attention K/V of the encoder output,
// max_source_positions (1500) frames for the 30-second window every input is padded to. vLLM v1 sizes the
// same (FullAttentionSpec + CrossAttentionSpec).
Status whisper_core(BuildContext& ctx) {
  constexpr std::string_view cls = "WhisperConfig";
  auto layers = key_or_default(ctx, "decoder_layers", 4, kMaxLayers, cls, "num_layers");
  if (!layers) return layers.error();
  auto heads = key_or_default(ctx, "decoder_attention_heads", 6, kMaxHeads, cls, "num_attention_heads");
  if (!heads) return heads.error();
  auto hidden = key_or_default(ctx, "d_model", 384, kMaxHidden, cls, "hidden_size");
  if (!hidden) return hidden.error();
  if (*hidden % *heads != 0)
    return ctx.cfg.error("d_model", fmt::format("a multiple of decoder_attention_heads ({})", *heads),
                         std::to_string(*hidden));
  ctx.num_layers = *layers;
  ctx.num_heads = *heads;
  ctx.num_kv_heads = *heads;
  ctx.hidden = *hidden;
  ctx.head_dim = *hidden / *heads;
  ctx.head_dim_v = ctx.head_dim;
  ctx.fact("num_kv_heads", std::to_string(*heads), Tier::rule,
           "WhisperAttention: one KV head per head (MHA)");
  ctx.fact("head_dim", std::to_string(ctx.head_dim), Tier::rule,
           fmt::format("d_model / decoder_attention_heads = {} / {}", *hidden, *heads));
  return Ok{};
}

Status whisper_layers(BuildContext& ctx) {
  auto source =
      key_or_default(ctx, "max_source_positions", 1500, kMaxTokens, "WhisperConfig", "encoder_tokens");
  if (!source) return source.error();
  auto target = ctx.cfg.integer("max_target_positions", 1, kMaxTokens);
  if (!target) return target.error();
  decoder_layers(ctx, *source, Tier::rule);
  ctx.note(fmt::format("the decoder's self-attention never holds more than max_target_positions = {} tokens",
                       target->value_or(448)));
  return Ok{};
}

// T5. transformers configuration_t5.py: d_model 512, d_kv 64, num_layers 6, num_decoder_layers (default
// num_layers), num_heads 8 by default; modeling_t5.py T5Attention: inner_dim = num_heads × d_kv (not
// d_model), no GQA; the decoder caches self-attention K/V per decoded token and cross-attention K/V of the
// encoder output. T5's relative position buckets set no maximum input length, so the cross-attention length
// is a choice: the config's `n_positions` when stated (512 in the released t5-* configs, the length they were
// trained with and the tokenizers' model_max_length), else 512. A longer or shorter input scales that part
// linearly.
Status t5_core(BuildContext& ctx) {
  constexpr std::string_view cls = "T5Config";
  auto encoder_layers = key_or_default(ctx, "num_layers", 6, kMaxLayers, cls, "num_encoder_layers");
  if (!encoder_layers) return encoder_layers.error();
  auto decoder = ctx.cfg.integer("num_decoder_layers", 1, kMaxLayers);
  if (!decoder) return decoder.error();
  ctx.num_layers = decoder->value_or(*encoder_layers);
  ctx.fact(
      "num_layers", std::to_string(ctx.num_layers), *decoder ? Tier::config : Tier::rule,
      *decoder ? ctx.cfg.path("num_decoder_layers") : "num_decoder_layers absent: T5Config uses num_layers");
  auto heads = key_or_default(ctx, "num_heads", 8, kMaxHeads, cls, "num_attention_heads");
  if (!heads) return heads.error();
  auto dkv = key_or_default(ctx, "d_kv", 64, kMaxHeadDim, cls, "head_dim");
  if (!dkv) return dkv.error();
  auto hidden = ctx.cfg.integer("d_model", 1, kMaxHidden);
  if (!hidden) return hidden.error();
  ctx.num_heads = *heads;
  ctx.num_kv_heads = *heads;
  ctx.head_dim = *dkv;
  ctx.head_dim_v = *dkv;
  ctx.hidden = hidden->value_or(512);
  ctx.fact("num_kv_heads", std::to_string(*heads), Tier::rule, "T5Attention: one KV head per head (MHA)");
  return Ok{};
}

Status t5_layers(BuildContext& ctx) {
  auto n = ctx.cfg.integer("n_positions", 1, kMaxTokens);
  if (!n) return n.error();
  std::int64_t tokens = n->value_or(512);
  ctx.fact("encoder_tokens", std::to_string(tokens), *n ? Tier::config : Tier::rule,
           *n ? ctx.cfg.path("n_positions") + " (T5 sets no hard input limit)"
              : "no n_positions: 512, the released T5 training length");
  decoder_layers(ctx, tokens, Tier::rule);
  ctx.note(fmt::format(
      "T5 has no fixed encoder length: cross-attention sized for {} encoder tokens ({}); it scales "
      "with the real input length",
      tokens, *n ? "n_positions" : "default 512"));
  return Ok{};
}

}  // namespace kvspec
