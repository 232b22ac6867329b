// Vision towers and projectors counted from vision_config (read from transformers):
//
//   clip_vision_model    modeling_clip.py CLIPVisionTransformer: class_embedding H, patch Conv2d(channels, H,
//                        patch, patch, bias=False), position (patches + 1) × H, pre_layrnorm and
//                        post_layernorm (2H each); per layer q/k/v/out H × H + H, fc1 H × I + I, fc2 I × H +
//                        H, two LayerNorms 2H each. CLIPVisionConfig defaults (configuration_clip.py): hidden
//                        768, intermediate 3072, 12 layers, 3 channels, image 224, patch 32.
//   siglip_vision_model  modeling_siglip.py SiglipVisionTransformer: patch Conv2d with bias (+ H), position
//                        patches × H (no class token), the same layers, post_layernorm 2H, and the attention-
//                        pooling head unless vision_use_head is false (probe H, in_proj 3H × H + 3H, out_proj
//                        H × H + H, LayerNorm 2H, MLP H × I + I + I × H + H). SiglipVisionConfig defaults
//                        (configuration_siglip.py at 091ffff4): hidden 768, intermediate 3072, 12 layers,
//                        3 channels, image 224, patch 32.
//   other vision types   their layers only, as a generic ViT layer above (noted as approximate).
// Projectors, by the wrapper's model_type:
//   llava, llava_next    LlavaMultiModalProjector: linear_1 (Hv × feature layers → Ht, bias), linear_2
//                        (Ht → Ht, bias); LLaVA-NeXT adds image_newline (Ht).
//   gemma3               Gemma3MultiModalProjector: mm_input_projection_weight Hv × Ht, mm_soft_emb_norm Hv.
#include "plan/vision_estimate.hpp"

#include <algorithm>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "util/checked.hpp"

namespace kvspec {

namespace {

constexpr std::int64_t kMaxDim = std::int64_t{1} << 22;

struct Sum {
  std::int64_t total = 0;
  bool overflow = false;
  void add(std::optional<std::int64_t> v) {
    auto s = v ? checked_add(total, *v) : std::nullopt;
    if (!s)
      overflow = true;
    else
      total = *s;
  }
};

// A positive integer under `key` (bounded), or nullopt when absent, null or not one.
std::optional<std::int64_t> dim(const json::Value& obj, std::string_view key) {
  const json::Value* v = obj.find(key);
  if (v == nullptr || !v->is_int() || v->as_int() <= 0 || v->as_int() > kMaxDim) return std::nullopt;
  return v->as_int();
}

std::int64_t dim_or(const json::Value& obj, std::string_view key, std::int64_t fallback,
                    std::vector<std::string>& caveats, std::string_view cls) {
  if (auto v = dim(obj, key)) return *v;
  caveats.push_back(fmt::format("vision_config.{} absent: {} from {}", key, fallback, cls));
  return fallback;
}

// One pre-norm ViT encoder layer with biases: q, k, v, out; fc1, fc2; two LayerNorms. h, i ≤ 2^22, so the
// sum stays below 2^47.
std::int64_t vit_layer(std::int64_t h, std::int64_t i) {
  return 4 * (h * h + h) + 2 * h * i + i + h + 4 * h;
}

}  // namespace

Result<VisionCount> count_vision(const ModelDescription& d, std::int64_t text_hidden) {
  VisionCount out;
  const json::Value& root = d.root();
  const json::Value* vc = root.find("vision_config");
  if (vc == nullptr || !vc->is_object()) {
    if (const json::Value* t = root.find("mm_vision_tower"); t != nullptr && t->is_string()) {
      out.present = true;
      out.caveats.push_back(fmt::format(
          "vision tower not counted: mm_vision_tower names {} without a vision_config", t->as_string()));
    }
    return out;
  }
  out.present = true;
  std::string type;
  if (const json::Value* t = vc->find("model_type"); t != nullptr && t->is_string()) type = t->as_string();
  const bool clip = type == "clip_vision_model";
  const bool siglip = type == "siglip_vision_model";
  std::string_view cls = clip ? "CLIPVisionConfig" : "SiglipVisionConfig";
  Sum tower;
  std::int64_t hv = 0;
  if (clip || siglip) {
    hv = dim_or(*vc, "hidden_size", 768, out.caveats, cls);
    const std::int64_t iv = dim_or(*vc, "intermediate_size", 3072, out.caveats, cls);
    const std::int64_t layers = dim_or(*vc, "num_hidden_layers", 12, out.caveats, cls);
    const std::int64_t channels = dim(*vc, "num_channels").value_or(3);
    const std::int64_t image = dim_or(*vc, "image_size", 224, out.caveats, cls);
    const std::int64_t patch = dim_or(*vc, "patch_size", 32, out.caveats, cls);
    const std::int64_t side = image / patch;
    const std::int64_t patches = side * side;
    tower.add(checked_product(channels, patch, patch, hv));        // patch embedding
    tower.add(checked_product(clip ? patches + 1 : patches, hv));  // position embedding
    tower.add(checked_mul(layers, vit_layer(hv, iv)));
    tower.add(2 * hv);  // post_layernorm
    if (clip) {
      tower.add(hv);      // class_embedding
      tower.add(2 * hv);  // pre_layrnorm
    } else {
      tower.add(hv);  // the patch convolution's bias
      const json::Value* head = vc->find("vision_use_head");
      if (head == nullptr || !head->is_bool() || head->as_bool()) {
        // probe + in_proj + out_proj + LayerNorm + MLP (hv, iv ≤ 2^22: no overflow)
        tower.add(hv + (3 * hv * hv + 3 * hv) + (hv * hv + hv) + 2 * hv + (2 * hv * iv + iv + hv));
      }
    }
  } else {
    auto h = dim(*vc, "hidden_size");
    if (!h) h = dim(*vc, "embed_dim");
    auto layers = dim(*vc, "num_hidden_layers");
    if (!layers) layers = dim(*vc, "depth");
    auto inter = dim(*vc, "intermediate_size");
    if (!inter && h)
      if (auto ratio = dim(*vc, "mlp_ratio"); ratio && *ratio <= 64) inter = *h * *ratio;
    if (!h || !layers || !inter) {
      out.caveats.push_back(
          fmt::format("vision tower ({}) not counted: its config states no hidden size, "
                      "layer count and MLP width kvspec reads",
                      type.empty() ? "no model_type" : type));
      return out;
    }
    hv = *h;
    tower.add(checked_mul(*layers, vit_layer(*h, *inter)));
    out.caveats.push_back(
        fmt::format("vision tower ({}) counted as {} generic ViT layers (H {}, MLP {}); "
                    "its embeddings and any gated MLP are not: approximate",
                    type.empty() ? "no model_type" : type, *layers, *h, *inter));
  }

  // The projector into the language model.
  Sum proj;
  const std::string model_type = root.find("model_type") != nullptr && root.find("model_type")->is_string()
                                     ? root.find("model_type")->as_string()
                                     : std::string();
  if (model_type == "llava" || model_type == "llava_next") {
    std::int64_t feature_layers = 1;
    if (const json::Value* f = root.find("vision_feature_layer"); f != nullptr && f->is_array())
      feature_layers = std::max<std::int64_t>(1, static_cast<std::int64_t>(f->as_array().size()));
    const json::Value* bias = root.find("multimodal_projector_bias");
    const bool with_bias = bias == nullptr || !bias->is_bool() || bias->as_bool();
    proj.add(checked_product(hv, feature_layers, text_hidden));
    proj.add(checked_mul(text_hidden, text_hidden));
    if (with_bias) proj.add(2 * text_hidden);
    if (model_type == "llava_next") proj.add(text_hidden);  // image_newline
  } else if (model_type == "gemma3") {
    proj.add(checked_mul(hv, text_hidden));
    proj.add(hv);
  } else {
    out.caveats.push_back(fmt::format("the {} projector into the language model is not counted",
                                      model_type.empty() ? "multimodal" : model_type));
  }
  if (tower.overflow || proj.overflow)
    return make_error(ErrorCode::bad_input, d.config_file, "vision_config", "dimensions whose product fits",
                      "an overflow");
  out.tower = tower.total;
  out.projector = proj.total;
  out.parameters = tower.total + proj.total;  // both far below 2^62 (each factor ≤ 2^22, few terms)
  return out;
}

}  // namespace kvspec
