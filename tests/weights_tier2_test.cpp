// Tier 2: layer kinds and K/V widths from tensor names and shapes, used where the config is silent and
// checked against it where it speaks.
#include <gtest/gtest.h>

#include "format/safetensors.hpp"
#include "format/tensor_names.hpp"
#include "format/weights_evidence.hpp"
#include "kvspec/load.hpp"
#include "support/model_layouts.hpp"
#include "support/safetensors_writer.hpp"

namespace {

using sttest::TempDir;
using sttest::Writer;

std::string notes_of(const kvspec::ModelCacheSpec& s) {
  std::string out;
  for (const auto& n : s.notes)
    out += (n.level == kvspec::Note::Level::warning ? "warning: " : "- ") + n.text + "\n";
  return out;
}

// A Mamba-2 mixer as transformers' Mamba2Mixer / NemotronH name it: d_inner = 16 heads × 128 = 2048, one
// group, d_state 64, kernel 4. conv_dim = d_inner + 2 · groups · d_state = 2176; in_proj emits 2·d_inner +
// 2·G·N + heads.
void add_mamba2(Writer& w, const std::string& p, std::int64_t hidden) {
  w.add(p + ".mixer.A_log", "F32", {16});
  w.add(p + ".mixer.D", "F32", {16});
  w.add(p + ".mixer.dt_bias", "F32", {16});
  w.add(p + ".mixer.conv1d.weight", "BF16", {2176, 1, 4});
  w.add(p + ".mixer.conv1d.bias", "BF16", {2176});
  w.add(p + ".mixer.in_proj.weight", "BF16", {2 * 2048 + 2 * 64 + 16, hidden});
  w.add(p + ".mixer.norm.weight", "BF16", {2048});
  w.add(p + ".mixer.out_proj.weight", "BF16", {hidden, 2048});
  w.add(p + ".norm.weight", "BF16", {hidden});
}

void add_attention(Writer& w, const std::string& p, std::int64_t hidden, std::int64_t kv_width) {
  w.add(p + ".self_attn.q_proj.weight", "BF16", {hidden, hidden});
  w.add(p + ".self_attn.k_proj.weight", "BF16", {kv_width, hidden});
  w.add(p + ".self_attn.v_proj.weight", "BF16", {kv_width, hidden});
  w.add(p + ".self_attn.o_proj.weight", "BF16", {hidden, hidden});
  w.add(p + ".input_layernorm.weight", "BF16", {hidden});
  w.add(p + ".mlp.up_proj.weight", "BF16", {4 * hidden, hidden});
  w.add(p + ".mlp.down_proj.weight", "BF16", {hidden, 4 * hidden});
}

TEST(Tier2, UnknownHybridGetsItsLayerKindsFromTheWeights) {
  TempDir dir;
  // A model_type the registry does not know, no layer_types, no pattern: only the weights can tell.
  sttest::write_text(dir / "config.json",
                     R"({"model_type": "mystery_hybrid", "num_hidden_layers": 6, "hidden_size": 1024,
                         "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 128,
                         "ssm_state_size": 64, "torch_dtype": "bfloat16"})");
  Writer w;
  for (int l = 0; l < 6; ++l) {
    std::string p = "model.layers." + std::to_string(l);
    if (l == 2 || l == 5)
      add_attention(w, p, 1024, 256);
    else
      add_mamba2(w, p, 1024);
  }
  w.add("model.embed_tokens.weight", "BF16", {32000, 1024});
  w.write(dir / "model.safetensors");

  auto spec = kvspec::load_model(dir.path());
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(kvspec::layer_strip(*spec), "RRFRRF");
  for (const auto& l : spec->layers) EXPECT_EQ(l.source, kvspec::Tier::weights);
  const kvspec::LayerSpec& m = spec->layers[0];
  // conv state 2176 × (4 − 1) = 6'528; SSM state d_inner × d_state = 2048 × 64 = 131'072; at bf16 2 bytes:
  // (6'528 + 131'072) × 2 = 275'200 bytes per sequence per Mamba layer.
  EXPECT_EQ(m.conv_state_values, 6'528);
  EXPECT_EQ(m.recurrent_state_values, 131'072);
  EXPECT_EQ(m.state_bytes, 275'200);
  EXPECT_EQ(spec->state_bytes_per_sequence(), 4 * 275'200);
  EXPECT_EQ(spec->layers[2].num_kv_heads, 2);
  EXPECT_EQ(spec->layers[2].head_dim_k, 128);
  std::string notes = notes_of(*spec);
  EXPECT_NE(notes.find("recurrent mixers on layers 0, 1, 3, 4; attention on layers 2, 5"), std::string::npos)
      << notes;
}

TEST(Tier2, MambaOneStateComesFromTheShapesAlone) {
  TempDir dir;
  // No ssm_state_size in the config: Mamba-1's A_log [d_inner, d_state] states the SSM state by its shape.
  sttest::write_text(dir / "config.json",
                     R"({"model_type": "mystery_mamba1", "num_hidden_layers": 2, "hidden_size": 1024,
                         "num_attention_heads": 8, "num_key_value_heads": 8, "torch_dtype": "float32"})");
  Writer w;
  // transformers MambaMixer: A_log [intermediate 2048, state 16], conv1d [2048, 1, 4], x_proj, dt_proj, D.
  w.add("backbone.layers.0.mixer.A_log", "F32", {2048, 16});
  w.add("backbone.layers.0.mixer.D", "F32", {2048});
  w.add("backbone.layers.0.mixer.conv1d.weight", "F32", {2048, 1, 4});
  w.add("backbone.layers.0.mixer.in_proj.weight", "F32", {4096, 1024});
  w.add("backbone.layers.0.mixer.x_proj.weight", "F32", {64 + 32, 2048});
  w.add("backbone.layers.0.mixer.dt_proj.weight", "F32", {2048, 64});
  w.add("backbone.layers.0.mixer.out_proj.weight", "F32", {1024, 2048});
  add_attention(w, "backbone.layers.1", 1024, 1024);
  w.write(dir / "model.safetensors");
  auto spec = kvspec::load_model(dir.path());
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(kvspec::layer_strip(*spec), "RF");
  // SSM 2048 × 16 = 32'768; conv 2048 × (4 − 1) = 6'144; at float32 4 bytes: (32'768 + 6'144) × 4 = 155'648
  EXPECT_EQ(spec->layers[0].recurrent_state_values, 32'768);
  EXPECT_EQ(spec->layers[0].conv_state_values, 6'144);
  EXPECT_EQ(spec->layers[0].state_bytes, 155'648);
}

TEST(Tier2, UnknownModelWithoutKvHeadFieldTakesThemFromKProjWidth) {
  TempDir dir;
  sttest::write_text(dir / "config.json",
                     R"({"model_type": "mystery_dense", "num_hidden_layers": 2, "hidden_size": 1024,
                         "num_attention_heads": 8, "head_dim": 128})");
  Writer w;
  for (int l = 0; l < 2; ++l) add_attention(w, "model.layers." + std::to_string(l), 1024, 256);
  w.write(dir / "model.safetensors");
  auto spec = kvspec::load_model(dir.path());
  ASSERT_TRUE(spec) << spec.error().message();
  // k_proj width 256 / head_dim 128 = 2 KV heads (the generic rule alone would have assumed MHA: 8).
  EXPECT_EQ(spec->num_kv_heads(), 2);
  std::string notes = notes_of(*spec);
  EXPECT_NE(
      notes.find("num_kv_heads 2 on layers 0, 1 from the weights: k_proj output width 256 / head_dim 128"),
      std::string::npos)
      << notes;
}

TEST(Tier2, KnownFamilyDisagreementIsAWarningNamingBothValues) {
  TempDir dir;
  sttest::write_text(dir / "config.json",
                     R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 256,
                         "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 64})");
  Writer w;
  for (int l = 0; l < 2; ++l) add_attention(w, "model.layers." + std::to_string(l), 256, 64);
  w.write(dir / "model.safetensors");
  auto spec = kvspec::load_model(dir.path());
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->num_kv_heads(), 2);  // the config stands; the weights only warn
  std::string notes = notes_of(*spec);
  // config: 2 KV heads × 64 = 128; weights: k_proj [64, 256] -> 64.
  EXPECT_NE(notes.find("warning: layers 0, 1: k_proj output width 64 in the weights, but num_kv_heads 2 × "
                       "head_dim 64 = 128 in the config"),
            std::string::npos)
      << notes;
  EXPECT_NE(notes.find("v_proj output width 64"), std::string::npos) << notes;
}

TEST(Tier2, KnownFamilyKindsCheckedAgainstWeights) {
  TempDir dir;
  sttest::write_text(dir / "config.json",
                     R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 1024,
                         "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 128})");
  Writer w;
  add_attention(w, "model.layers.0", 1024, 256);
  add_mamba2(w, "model.layers.1", 1024);
  w.write(dir / "model.safetensors");
  auto spec = kvspec::load_model(dir.path());
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(kvspec::layer_strip(*spec), "FF");  // tier 1/3 decided; tier 2 only warns
  EXPECT_NE(notes_of(*spec).find(
                "layer 1: attention in the config (llama), but the weights show a recurrent mixer"),
            std::string::npos)
      << notes_of(*spec);
}

TEST(Tier2, PackedWidthsAreReadInEachQuantizersOrientation) {
  TempDir dir;
  Writer w;
  // MLX: U32 [out, in·bits/32] -> out = 1024.
  sttest::add_mlx_linear(w, "model.layers.0.self_attn.k_proj", 1024, 4096);
  // GPTQ: qweight [in/8, out] -> out from scales [in/128, out] = 1024.
  sttest::add_gptq_linear(w, "model.layers.1.self_attn.k_proj", 1024, 4096);
  // AWQ (autoawq GEMM): qweight [in, out/8], qzeros [in/group, out/8], scales [in/group, out] -> out = 256
  // (Qwen2-VL-2B-Instruct-AWQ's k_proj: 2 KV heads × 128).
  w.add("model.layers.2.self_attn.k_proj.qweight", "I32", {1536, 256 / 8});
  w.add("model.layers.2.self_attn.k_proj.qzeros", "I32", {1536 / 128, 256 / 8});
  w.add("model.layers.2.self_attn.k_proj.scales", "F16", {1536 / 128, 256});
  // FP8: weight [out, in] -> 512.
  sttest::add_fp8_linear(w, "model.layers.3.self_attn.k_proj", 512, 2048);
  w.write(dir / "model.safetensors");
  auto ck = kvspec::st::read_checkpoint(dir.path());
  ASSERT_TRUE(ck && *ck);
  auto index = kvspec::index_tensors(**ck);
  auto ev = kvspec::weights_evidence(**ck, index);
  ASSERT_EQ(ev.layers.size(), 4u);
  EXPECT_EQ(ev.layers[0].k_width, 1024);
  EXPECT_EQ(ev.layers[1].k_width, 1024);
  EXPECT_EQ(ev.layers[2].k_width, 256);
  EXPECT_EQ(ev.layers[3].k_width, 512);
  for (const auto& l : ev.layers) EXPECT_TRUE(l.has_attention);
}

TEST(Tier2, NamesOutsideTheDecoderAreNotLayers) {
  // Vision-tower and encoder blocks carry layer numbers too; they are not decoder layers.
  EXPECT_FALSE(
      kvspec::decoder_layer(kvspec::split_name("vision_tower.vision_model.encoder.layers.3.mlp.fc1.weight")));
  EXPECT_FALSE(kvspec::decoder_layer(kvspec::split_name("model.visual.blocks.0.attn.qkv.weight")));
  EXPECT_EQ(
      kvspec::decoder_layer(kvspec::split_name("language_model.model.layers.7.self_attn.k_proj.weight")), 7);
  EXPECT_EQ(kvspec::decoder_layer(kvspec::split_name("backbone.layers.12.mixer.A_log")), 12);
  EXPECT_EQ(kvspec::decoder_layer(kvspec::split_name("transformer.h.3.attn.c_attn.weight")), 3);
}

TEST(Tier2, ComponentsFromNames) {
  using kvspec::WeightComponent;
  auto c = [](const char* n) { return kvspec::classify_component(kvspec::split_name(n)); };
  EXPECT_EQ(c("model.embed_tokens.weight"), WeightComponent::embeddings);
  EXPECT_EQ(c("lm_head.weight"), WeightComponent::lm_head);
  EXPECT_EQ(c("model.layers.0.self_attn.k_proj.weight"), WeightComponent::attention);
  EXPECT_EQ(c("model.layers.0.self_attn.k_norm.weight"), WeightComponent::norms);
  EXPECT_EQ(c("model.layers.0.input_layernorm.weight"), WeightComponent::norms);
  EXPECT_EQ(c("model.layers.0.mlp.experts.7.down_proj.weight"), WeightComponent::moe_experts);
  EXPECT_EQ(c("model.layers.0.mlp.switch_mlp.gate_proj.weight"), WeightComponent::moe_experts);
  EXPECT_EQ(c("model.layers.3.mlp.shared_experts.up_proj.weight"), WeightComponent::mlp);
  EXPECT_EQ(c("model.layers.3.mlp.gate.weight"), WeightComponent::mlp);
  EXPECT_EQ(c("backbone.layers.0.mixer.A_log"), WeightComponent::recurrent);
  EXPECT_EQ(c("backbone.layers.0.mixer.in_proj.weight"), WeightComponent::recurrent);
  EXPECT_EQ(c("backbone.layers.5.mixer.k_proj.weight"), WeightComponent::attention);
  EXPECT_EQ(c("model.layers.0.linear_attn.in_proj_qkvz.weight"), WeightComponent::recurrent);
  EXPECT_EQ(c("vision_tower.vision_model.encoder.layers.0.self_attn.k_proj.weight"), WeightComponent::vision);
  EXPECT_EQ(c("multi_modal_projector.linear_1.weight"), WeightComponent::vision);
  EXPECT_EQ(c("transformer.h.0.mlp.c_fc.weight"), WeightComponent::mlp);
}

}  // namespace
