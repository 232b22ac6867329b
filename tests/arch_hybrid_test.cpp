// Recurrent / linear-attention families and hybrids (src/arch/families/hybrid.cpp). Every expected number is
// worked out by hand from the config, with the rule's source cited. Conv states count kernel - 1 columns;
// conv values cost the model's dtype (bf16: 2 bytes); Mamba / Gated DeltaNet / RWKV recurrent states cost
// float32 (4 bytes: transformers cache_utils.py LinearAttentionLayer keeps the scan's fp32 final state),
// MiniMax's lightning state the model's dtype.
#include <gtest/gtest.h>

#include <string>

#include "kvspec/load.hpp"
#include "kvspec/size.hpp"

namespace {

using kvspec::CacheDType;
using kvspec::LayerKind;
using kvspec::ModelCacheSpec;

ModelCacheSpec load_fixture(const std::string& name) {
  auto spec = kvspec::load_model(std::string(KVSPEC_TEST_DATA) + "/configs/" + name);
  EXPECT_TRUE(spec) << (spec ? "" : spec.error().message());
  return spec ? *spec : ModelCacheSpec{};
}

ModelCacheSpec from_text(const std::string& json, const std::string& name) {
  auto spec = kvspec::spec_from_config_text(json, name);
  EXPECT_TRUE(spec) << (spec ? "" : spec.error().message());
  return spec ? *spec : ModelCacheSpec{};
}

std::int64_t kv_f16(const ModelCacheSpec& spec) {
  auto b = kvspec::kv_bytes_per_token(spec, CacheDType::f16, CacheDType::f16);
  EXPECT_TRUE(b);
  return b ? *b : -1;
}

// The first layer of the given kind.
const kvspec::LayerSpec& first(const ModelCacheSpec& spec, LayerKind kind) {
  for (const auto& l : spec.layers)
    if (l.kind == kind) return l;
  static const kvspec::LayerSpec none;
  ADD_FAILURE() << "no layer of kind " << kvspec::to_string(kind);
  return none;
}

// Qwen3.5-27B (transformers configuration_qwen3_5.py: text_config qwen3_5_text, layer_types 3 ×
// linear_attention then full_attention; Gated DeltaNet as modeling_qwen3_next.py). The issue's done-when: 1
// full layer in 4 and a non-zero state per sequence.
TEST(ArchHybrid, Qwen35OneFullLayerInFourWithState) {
  auto s = load_fixture("Qwen__Qwen3.5-27B");
  ASSERT_EQ(s.num_layers(), 64);
  EXPECT_EQ(s.text_model_type, "qwen3_5_text");
  EXPECT_EQ(s.count(LayerKind::full_attention), 16);  // 64 / 4
  EXPECT_EQ(s.count(LayerKind::recurrent), 48);
  EXPECT_EQ(kvspec::layer_strip(s).substr(0, 8), "RRRFRRRF");
  const auto& full = first(s, LayerKind::full_attention);
  EXPECT_EQ(full.num_kv_heads, 4);
  EXPECT_EQ(full.head_dim_k, 256);
  EXPECT_EQ(full.head_dim_v, 256);
  EXPECT_EQ(full.state_bytes, 0);
  // 16 layers × 2 (K, V) × 4 heads × 256 × 2 bytes = 16 × 4,096 = 65,536
  EXPECT_EQ(kv_f16(s), 65'536);
  const auto& gdn = first(s, LayerKind::recurrent);
  EXPECT_EQ(gdn.num_kv_heads, 0);
  // conv: (4 - 1) × (2 × 16 key heads × 128 + 48 value heads × 128) = 3 × (4,096 + 6,144) = 30,720
  EXPECT_EQ(gdn.conv_state_values, 30'720);
  // recurrent: 48 value heads × 128 × 128 = 786,432
  EXPECT_EQ(gdn.recurrent_state_values, 786'432);
  // 30,720 × 2 (bf16) + 786,432 × 4 (text_config.mamba_ssm_dtype float32) = 61,440 + 3,145,728 = 3,207,168
  EXPECT_EQ(gdn.state_bytes, 3'207'168);
  // 48 × 3,207,168 = 153,944,064
  EXPECT_EQ(s.state_bytes_per_sequence(), 153'944'064);
  EXPECT_FALSE(s.has_warnings());

  // The exact size adds the state once per sequence: 2 sequences of 1,000 tokens =
  // 65,536 × 1,000 × 2 + 153,944,064 × 2 = 131,072,000 + 307,888,128 = 438,960,128.
  auto size = kvspec::size_exact(s, {.context = 1000, .batch = 2});
  ASSERT_TRUE(size);
  EXPECT_EQ(size->kv_bytes, 131'072'000);
  EXPECT_EQ(size->state_bytes, 307'888'128);
  EXPECT_EQ(size->total_bytes, 438'960'128);
}

// Qwen3-Next-80B-A3B (configuration_qwen3_next.py): full_attention_interval 4 without layer_types → full iff
// (i + 1) % 4 == 0; attention head_dim 256 stated separately from the linear heads.
TEST(ArchHybrid, Qwen3NextFromInterval) {
  auto s = load_fixture("Qwen__Qwen3-Next-80B-A3B-Instruct");
  ASSERT_EQ(s.num_layers(), 48);
  EXPECT_EQ(s.count(LayerKind::full_attention), 12);
  EXPECT_EQ(s.count(LayerKind::recurrent), 36);
  EXPECT_EQ(s.layers[3].kind, LayerKind::full_attention);
  EXPECT_EQ(s.layers[4].kind, LayerKind::recurrent);
  const auto& full = first(s, LayerKind::full_attention);
  EXPECT_EQ(full.num_kv_heads, 2);
  EXPECT_EQ(full.head_dim_k, 256);
  // 12 × 2 × 2 heads × 256 × 2 bytes = 12 × 2,048 = 24,576
  EXPECT_EQ(kv_f16(s), 24'576);
  const auto& gdn = first(s, LayerKind::recurrent);
  // conv: 3 × (2 × 16 × 128 + 32 × 128) = 3 × 8,192 = 24,576; recurrent: 32 × 128 × 128 = 524,288
  EXPECT_EQ(gdn.conv_state_values, 24'576);
  EXPECT_EQ(gdn.recurrent_state_values, 524'288);
  // 24,576 × 2 + 524,288 × 4 = 49,152 + 2,097,152 = 2,146,304; × 36 = 77,266,944
  EXPECT_EQ(gdn.state_bytes, 2'146'304);
  EXPECT_EQ(s.state_bytes_per_sequence(), 77'266'944);
}

// Qwen3-Next with nothing but heads stated: Qwen3NextConfig's defaults (interval 4; 16 / 32 linear heads of
// 128; kernel 4) apply.
TEST(ArchHybrid, Qwen3NextDefaults) {
  auto s = from_text(R"({"model_type": "qwen3_next", "num_hidden_layers": 8, "num_attention_heads": 16,
                         "num_key_value_heads": 2, "head_dim": 256, "hidden_size": 2048,
                         "torch_dtype": "bfloat16"})",
                     "qwen3-next-defaults");
  EXPECT_EQ(kvspec::layer_strip(s), "RRRFRRRF");
  // 6 GDN layers × 2,146,304 (as in Qwen3NextFromInterval) = 12,877,824
  EXPECT_EQ(s.state_bytes_per_sequence(), 12'877'824);
}

// Qwen3.5-MoE wrapper whose text_config omits model_type: the wrapper names qwen3_5_moe_text. A stated
// mamba_ssm_dtype of bfloat16 prices the delta-rule state at 2 bytes.
TEST(ArchHybrid, Qwen35MoeWrapperAndSsmDtype) {
  auto s = from_text(R"({"model_type": "qwen3_5_moe", "text_config": {
      "num_hidden_layers": 4, "full_attention_interval": 4, "num_attention_heads": 16, "num_key_value_heads": 2,
      "head_dim": 256, "hidden_size": 2048, "linear_num_key_heads": 16, "linear_num_value_heads": 32,
      "linear_key_head_dim": 128, "linear_value_head_dim": 128, "linear_conv_kernel_dim": 4,
      "dtype": "bfloat16", "mamba_ssm_dtype": "bfloat16"}})",
                     "qwen3.5-moe");
  EXPECT_EQ(s.text_model_type, "qwen3_5_moe_text");
  EXPECT_EQ(kvspec::layer_strip(s), "RRRF");
  // 1 × 2 × 2 × 256 × 2 = 2,048
  EXPECT_EQ(kv_f16(s), 2'048);
  // (24,576 + 524,288) × 2 bytes = 1,097,728 per layer; × 3 = 3,293,184
  EXPECT_EQ(s.state_bytes_per_sequence(), 3'293'184);
}

// qwen3_5_text has no class defaults for the linear dims here: a missing one is an error naming it.
TEST(ArchHybrid, Qwen35MissingLinearDimIsAnError) {
  auto s = kvspec::spec_from_config_text(
      R"({"model_type": "qwen3_5_text", "num_hidden_layers": 4, "num_attention_heads": 16,
          "num_key_value_heads": 2, "head_dim": 256, "hidden_size": 2048, "linear_num_key_heads": 16})",
      "qwen3.5-missing");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "linear_num_value_heads");
}

// LFM2.5-VL-1.6B (configuration_lfm2_vl.py wrapper → lfm2; layer_types conv | full_attention; Lfm2ShortConv
// conv over hidden_size with kernel conv_L_cache 3).
TEST(ArchHybrid, Lfm2VlConvLayers) {
  auto s = load_fixture("LiquidAI__LFM2.5-VL-1.6B");
  ASSERT_EQ(s.num_layers(), 16);
  EXPECT_EQ(s.text_model_type, "lfm2");
  EXPECT_EQ(kvspec::layer_strip(s), "RRFRRFRRFRFRFRFR");
  EXPECT_EQ(s.count(LayerKind::full_attention), 6);
  const auto& full = first(s, LayerKind::full_attention);
  EXPECT_EQ(full.num_kv_heads, 8);
  EXPECT_EQ(full.head_dim_k, 64);  // 2,048 / 32 heads
  // 6 × 2 × 8 × 64 × 2 = 6 × 2,048 = 12,288
  EXPECT_EQ(kv_f16(s), 12'288);
  const auto& conv = first(s, LayerKind::recurrent);
  // (3 - 1) × 2,048 = 4,096 values, no recurrent part; × 2 bytes = 8,192
  EXPECT_EQ(conv.conv_state_values, 4'096);
  EXPECT_EQ(conv.recurrent_state_values, 0);
  EXPECT_EQ(conv.state_bytes, 8'192);
  // 10 × 8,192 = 81,920
  EXPECT_EQ(s.state_bytes_per_sequence(), 81'920);
}

// LFM2 without layer_types: attention at full_attn_idxs (Lfm2Config).
TEST(ArchHybrid, Lfm2FullAttnIdxs) {
  auto s = from_text(R"({"model_type": "lfm2", "num_hidden_layers": 6, "hidden_size": 1024,
                         "num_attention_heads": 16, "num_key_value_heads": 8, "full_attn_idxs": [2, 5],
                         "conv_L_cache": 3, "torch_dtype": "bfloat16"})",
                     "lfm2-idxs");
  EXPECT_EQ(kvspec::layer_strip(s), "RRFRRF");
  // 2 × 2 × 8 × (1,024 / 16 = 64) × 2 = 4,096; state 4 × (2 × 1,024) × 2 = 16,384
  EXPECT_EQ(kv_f16(s), 4'096);
  EXPECT_EQ(s.state_bytes_per_sequence(), 16'384);
}

// Zamba2-7B (configuration_zamba2.py / Zamba2HybridDynamicCache): "hybrid" layers run the shared attention
// block with their own K/V (head dim 2 × 3,584 / 32 = 224, not the Zyphra kv_channels 112) and every layer,
// hybrid or not, holds Mamba-2 state.
TEST(ArchHybrid, Zamba2HybridLayers) {
  auto s = load_fixture("Zyphra__Zamba2-7B");
  ASSERT_EQ(s.num_layers(), 81);
  EXPECT_EQ(s.count(LayerKind::full_attention), 13);
  EXPECT_EQ(s.count(LayerKind::recurrent), 68);
  EXPECT_EQ(s.layers[6].kind, LayerKind::full_attention);
  const auto& hybrid = first(s, LayerKind::full_attention);
  EXPECT_EQ(hybrid.num_kv_heads, 32);
  EXPECT_EQ(hybrid.head_dim_k, 224);
  // 13 × 2 × 32 × 224 × 2 = 13 × 28,672 = 372,736
  EXPECT_EQ(kv_f16(s), 372'736);
  // d_inner = 2 × 3,584 = 7,168; conv 3 × (7,168 + 2 × 2 groups × 64) = 3 × 7,424 = 22,272;
  // ssm 8 heads (default) × (7,168 / 8 = 896) × 64 = 458,752
  EXPECT_EQ(hybrid.conv_state_values, 22'272);
  EXPECT_EQ(hybrid.recurrent_state_values, 458'752);
  // 22,272 × 2 + 458,752 × 4 = 44,544 + 1,835,008 = 1,879,552, on all 81 layers = 152,243,712
  EXPECT_EQ(hybrid.state_bytes, 1'879'552);
  EXPECT_EQ(first(s, LayerKind::recurrent).state_bytes, 1'879'552);
  EXPECT_EQ(s.state_bytes_per_sequence(), 152'243'712);
}

// Mamba-Codestral-7B (mamba2; Mamba2Mixer conv_dim = expand × hidden + 2 × n_groups × state_size): no
// attention.
TEST(ArchHybrid, Mamba2AttentionFree) {
  auto s = load_fixture("mistralai__Mamba-Codestral-7B-v0.1");
  ASSERT_EQ(s.num_layers(), 64);
  EXPECT_EQ(s.count(LayerKind::recurrent), 64);
  EXPECT_EQ(s.num_kv_heads(), 0);
  EXPECT_EQ(kv_f16(s), 0);
  const auto& l = s.layers.front();
  // conv 3 × (2 × 4,096 + 2 × 8 × 128) = 3 × 10,240 = 30,720; ssm 128 × 64 × 128 = 1,048,576
  EXPECT_EQ(l.conv_state_values, 30'720);
  EXPECT_EQ(l.recurrent_state_values, 1'048'576);
  // 30,720 × 2 + 1,048,576 × 4 = 61,440 + 4,194,304 = 4,255,744; × 64 = 272,367,616
  EXPECT_EQ(s.state_bytes_per_sequence(), 272'367'616);
}

// Nemotron-H-56B (configuration_nemotron_h.py): hybrid_override_pattern M / * / -, 118 characters = 54 M,
// 10 *, 54 -; attention_head_dim 128; mamba_num_heads 256 × mamba_head_dim 64 = 16,384 wide.
TEST(ArchHybrid, NemotronHPattern) {
  auto s = load_fixture("nvidia__Nemotron-H-56B-Base-8K");
  ASSERT_EQ(s.num_layers(), 118);
  EXPECT_EQ(s.count(LayerKind::recurrent), 54);
  EXPECT_EQ(s.count(LayerKind::full_attention), 10);
  EXPECT_EQ(s.count(LayerKind::none), 54);
  EXPECT_EQ(kvspec::layer_strip(s).substr(0, 9), "R.R.R.RF.");
  const auto& full = first(s, LayerKind::full_attention);
  EXPECT_EQ(full.num_kv_heads, 8);
  EXPECT_EQ(full.head_dim_k, 128);
  // 10 × 2 × 8 × 128 × 2 = 10 × 4,096 = 40,960
  EXPECT_EQ(kv_f16(s), 40'960);
  const auto& m = first(s, LayerKind::recurrent);
  // conv 3 × (16,384 + 2 × 8 × 256) = 3 × 20,480 = 61,440; ssm 256 × 64 × 256 = 4,194,304
  EXPECT_EQ(m.conv_state_values, 61'440);
  EXPECT_EQ(m.recurrent_state_values, 4'194'304);
  // 61,440 × 2 + 4,194,304 × 4 = 122,880 + 16,777,216 = 16,900,096; × 54 = 912,605,184
  EXPECT_EQ(s.state_bytes_per_sequence(), 912'605'184);
  EXPECT_EQ(first(s, LayerKind::none).state_bytes, 0);
}

// Nemotron-H written with the newer layers_block_type list: its length is the layer count.
TEST(ArchHybrid, NemotronHBlockTypeList) {
  auto s = from_text(R"({"model_type": "nemotron_h", "hidden_size": 4096, "num_attention_heads": 32,
                         "num_key_value_heads": 8, "head_dim": 128, "mamba_num_heads": 128,
                         "mamba_head_dim": 64, "n_groups": 8, "ssm_state_size": 128, "conv_kernel": 4,
                         "layers_block_type": ["mamba", "moe", "attention", "mlp", "linear_attention"],
                         "torch_dtype": "bfloat16"})",
                     "nemotron-h-list");
  EXPECT_EQ(kvspec::layer_strip(s), "R.F.R");
  // 1 × 2 × 8 × 128 × 2 = 4,096
  EXPECT_EQ(kv_f16(s), 4'096);
  // conv 3 × (8,192 + 2 × 8 × 128) = 30,720 → 61,440 B; ssm 128 × 64 × 128 = 1,048,576 → 4,194,304 B;
  // 2 layers × 4,255,744 = 8,511,488
  EXPECT_EQ(s.state_bytes_per_sequence(), 8'511'488);
}

// RWKV-5 World 3B (remote code modeling_rwkv5.py: att / ffn token shifts of hidden_size in the model's dtype,
// a float32 WKV state of (hidden / head_size) × head_size × head_size). The config states no dtype: 2 bytes
// assumed for the shifts, with a note.
TEST(ArchHybrid, Rwkv5State) {
  auto s = load_fixture("RWKV__rwkv-5-world-3b");
  ASSERT_EQ(s.num_layers(), 32);
  EXPECT_EQ(s.count(LayerKind::recurrent), 32);
  EXPECT_EQ(kv_f16(s), 0);
  const auto& l = s.layers.front();
  // shifts 2 × 2,560 = 5,120; WKV 2,560 × 64 = 163,840
  EXPECT_EQ(l.conv_state_values, 5'120);
  EXPECT_EQ(l.recurrent_state_values, 163'840);
  // 5,120 × 2 + 163,840 × 4 = 10,240 + 655,360 = 665,600; × 32 = 21,299,200
  EXPECT_EQ(l.state_bytes, 665'600);
  EXPECT_EQ(s.state_bytes_per_sequence(), 21'299'200);
}

// RWKV-4 (transformers modeling_rwkv.py: 5 vectors of hidden_size per layer, 2 in the model dtype, 3 in
// float32), shapes of RWKV/rwkv-4-169m-pile in float32.
TEST(ArchHybrid, Rwkv4State) {
  auto s = from_text(R"({"model_type": "rwkv", "hidden_size": 768, "num_hidden_layers": 12,
                         "attention_hidden_size": 768, "torch_dtype": "float32"})",
                     "rwkv-4");
  // (2 × 768 × 4) + (3 × 768 × 4) = 6,144 + 9,216 = 15,360 per layer; × 12 = 184,320
  EXPECT_EQ(s.state_bytes_per_sequence(), 184'320);
}

// RWKV-7 (fla): head_dim 64; 2 × 2,048 shifts × 2 + 2,048 × 64 × 4 = 8,192 + 524,288 = 532,480; × 24.
TEST(ArchHybrid, Rwkv7State) {
  auto s = from_text(R"({"model_type": "rwkv7", "hidden_size": 2048, "num_hidden_layers": 24, "head_dim": 64,
                         "torch_dtype": "bfloat16"})",
                     "rwkv-7");
  EXPECT_EQ(s.state_bytes_per_sequence(), 24 * 532'480);
}

// Mamba-1 (MambaCache / MambaMixer): mamba-130m-hf's shapes in float32.
TEST(ArchHybrid, MambaState) {
  auto s = from_text(R"({"model_type": "mamba", "hidden_size": 768, "num_hidden_layers": 24, "state_size": 16,
                         "conv_kernel": 4, "expand": 2, "intermediate_size": 1536, "torch_dtype": "float32"})",
                     "mamba-130m");
  EXPECT_EQ(s.count(LayerKind::recurrent), 24);
  // conv 3 × 1,536 = 4,608 × 4 = 18,432; ssm 1,536 × 16 = 24,576 × 4 = 98,304; 116,736 × 24 = 2,801,664
  EXPECT_EQ(s.state_bytes_per_sequence(), 2'801'664);
}

// FalconMamba: intermediate_size (8,192) is the width when stated, not expand × hidden (16 × 4,096).
TEST(ArchHybrid, FalconMambaUsesIntermediateSize) {
  auto s = from_text(R"({"model_type": "falcon_mamba", "hidden_size": 4096, "num_hidden_layers": 64,
                         "state_size": 16, "conv_kernel": 4, "expand": 16, "intermediate_size": 8192,
                         "torch_dtype": "bfloat16"})",
                     "falcon-mamba-7b");
  // conv 3 × 8,192 × 2 = 49,152; ssm 8,192 × 16 × 4 = 524,288; 573,440 × 64 = 36,700,160
  EXPECT_EQ(s.state_bytes_per_sequence(), 36'700'160);
}

// Jamba-v0.1's dimensions (configuration_jamba.py: attention iff i % 8 == 4; Mamba-1 of mamba_expand ×
// hidden).
TEST(ArchHybrid, JambaPeriodOffset) {
  auto s = from_text(R"({"model_type": "jamba", "hidden_size": 4096, "num_hidden_layers": 32,
                         "num_attention_heads": 32, "num_key_value_heads": 8, "attn_layer_period": 8,
                         "attn_layer_offset": 4, "mamba_d_state": 16, "mamba_d_conv": 4, "mamba_expand": 2,
                         "torch_dtype": "bfloat16"})",
                     "jamba");
  EXPECT_EQ(s.count(LayerKind::full_attention), 4);  // layers 4, 12, 20, 28
  EXPECT_EQ(s.layers[4].kind, LayerKind::full_attention);
  EXPECT_EQ(s.layers[12].kind, LayerKind::full_attention);
  // 4 × 2 × 8 × 128 × 2 = 16,384
  EXPECT_EQ(kv_f16(s), 16'384);
  // conv 3 × 8,192 × 2 = 49,152; ssm 8,192 × 16 × 4 = 524,288; 573,440 × 28 = 16,056,320
  EXPECT_EQ(s.state_bytes_per_sequence(), 16'056'320);
}

// Falcon-H1-7B's dimensions (configuration_falcon_h1.py: every layer attention + Mamba-2, so the attention
// layers carry the state too; d_inner = mamba_d_ssm).
TEST(ArchHybrid, FalconH1EveryLayerBoth) {
  auto s = from_text(R"({"model_type": "falcon_h1", "hidden_size": 3072, "num_hidden_layers": 44,
                         "num_attention_heads": 12, "num_key_value_heads": 2, "head_dim": 128,
                         "mamba_d_ssm": 3072, "mamba_n_heads": 24, "mamba_d_head": 128, "mamba_n_groups": 1,
                         "mamba_d_state": 256, "mamba_d_conv": 4, "torch_dtype": "bfloat16"})",
                     "falcon-h1-7b");
  EXPECT_EQ(s.count(LayerKind::full_attention), 44);
  // 44 × 2 × 2 × 128 × 2 = 44 × 1,024 = 45,056
  EXPECT_EQ(kv_f16(s), 45'056);
  // conv 3 × (3,072 + 2 × 256) = 10,752 × 2 = 21,504; ssm 24 × 128 × 256 = 786,432 × 4 = 3,145,728;
  // 3,167,232 × 44 = 139,358,208
  EXPECT_EQ(s.layers.front().state_bytes, 3'167'232);
  EXPECT_EQ(s.state_bytes_per_sequence(), 139'358'208);
}

// Bamba-9B's dimensions (configuration_bamba.py: attention at attn_layer_indices, Mamba-2 elsewhere).
TEST(ArchHybrid, BambaAttnIndices) {
  auto s = from_text(R"({"model_type": "bamba", "hidden_size": 4096, "num_hidden_layers": 32,
                         "num_attention_heads": 32, "num_key_value_heads": 8, "attn_layer_indices": [9, 18, 27],
                         "mamba_n_heads": 128, "mamba_d_head": 64, "mamba_n_groups": 1, "mamba_d_state": 128,
                         "mamba_d_conv": 4, "mamba_expand": 2, "torch_dtype": "bfloat16"})",
                     "bamba-9b");
  EXPECT_EQ(s.count(LayerKind::full_attention), 3);
  EXPECT_EQ(s.layers[9].kind, LayerKind::full_attention);
  // 3 × 2 × 8 × 128 × 2 = 12,288
  EXPECT_EQ(kv_f16(s), 12'288);
  // conv 3 × (8,192 + 2 × 128) = 25,344 × 2 = 50,688; ssm 128 × 64 × 128 = 1,048,576 × 4 = 4,194,304;
  // 4,244,992 × 29 = 123,104,768
  EXPECT_EQ(s.state_bytes_per_sequence(), 123'104'768);
}

// Granite-4 hybrid (configuration_granitemoehybrid.py: layer_types "mamba" / "attention", the legacy names;
// mamba_d_head "auto" = mamba_expand × hidden / mamba_n_heads).
TEST(ArchHybrid, GraniteHybridLegacyNamesAndAutoHead) {
  auto s = from_text(R"({"model_type": "granitemoehybrid", "hidden_size": 1536, "num_hidden_layers": 8,
                         "num_attention_heads": 12, "num_key_value_heads": 4,
                         "layer_types": ["mamba", "mamba", "mamba", "attention", "mamba", "mamba", "mamba",
                                         "attention"],
                         "mamba_n_heads": 48, "mamba_d_head": "auto", "mamba_n_groups": 1, "mamba_d_state": 128,
                         "mamba_d_conv": 4, "mamba_expand": 2, "torch_dtype": "bfloat16"})",
                     "granite-4-h");
  EXPECT_EQ(kvspec::layer_strip(s), "RRRFRRRF");
  // 2 × 2 × 4 × (1,536 / 12 = 128) × 2 = 4,096
  EXPECT_EQ(kv_f16(s), 4'096);
  // d_inner 3,072, head dim 3,072 / 48 = 64: conv 3 × (3,072 + 256) = 9,984 × 2 = 19,968;
  // ssm 48 × 64 × 128 = 393,216 × 4 = 1,572,864; 1,592,832 × 6 = 9,556,992
  EXPECT_EQ(s.state_bytes_per_sequence(), 9'556'992);
}

// MiniMax-Text-01's layer shapes on 8 layers (configuration_minimax.py attn_type_list; lightning state
// num_attention_heads × head_dim × head_dim in the model's dtype, modeling_minimax.py).
TEST(ArchHybrid, MiniMaxLightning) {
  auto s = from_text(R"({"model_type": "minimax", "hidden_size": 6144, "num_hidden_layers": 8,
                         "num_attention_heads": 64, "num_key_value_heads": 8, "head_dim": 128,
                         "attn_type_list": [0, 0, 0, 1, 0, 0, 0, 1], "torch_dtype": "bfloat16"})",
                     "minimax-text-01");
  EXPECT_EQ(kvspec::layer_strip(s), "RRRFRRRF");
  // 2 × 2 × 8 × 128 × 2 = 8,192
  EXPECT_EQ(kv_f16(s), 8'192);
  // 64 × 128 × 128 = 1,048,576 × 2 = 2,097,152; × 6 = 12,582,912
  EXPECT_EQ(s.state_bytes_per_sequence(), 12'582'912);
}

}  // namespace
