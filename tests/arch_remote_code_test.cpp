// The remote-code and wrapper families of src/arch/families/remote_code.cpp, the use_mla-false DeepSeek-V2
// text model of DeepSeek-VL2, Kimi-K3's MLA dims without head_dim, and Nemotron-H counted from its block
// list. Every figure is worked out by hand from the fixture config's own numbers (shown per row).
#include <algorithm>
#include <optional>

#include "cli_util.hpp"
#include "kvspec/registry.hpp"
#include "test_util.hpp"

namespace kvspec::test {
namespace {

struct Case {
  const char* dir;
  const char* model_type;
  std::int64_t layers, full, sliding;
  std::int64_t kv_heads, head_dim;
  std::optional<std::int64_t> window;
  std::int64_t bytes_per_token;  // f16, all layers that own KV
};

const Case kCases[] = {
    // CogVLM2 (architectures CogVLMVideoForCausalLM, no model_type): num_multi_query_heads 8, head dim
    // 4096 / 32 = 128: 32 × 2 (K, V) × 8 × 128 × 2 B
    {"THUDM__cogvlm2-llama3-caption", "cogvlm2_video", 32, 32, 0, 8, 128, std::nullopt, 32 * 2 * 8 * 128 * 2},
    // MiMo (Qwen2 rule): use_sliding_window false -> 36 full; 36 × 2 × 8 × 128 × 2
    {"XiaomiMiMo__MiMo-7B-Base", "mimo", 36, 36, 0, 8, 128, std::nullopt, 36 * 2 * 8 * 128 * 2},
    // DeepSeek-VL2-tiny, use_mla false: LlamaAttention, 10 KV heads × 1280 / 10 = 128; 12 × 2 × 10 × 128 × 2
    {"deepseek-ai__deepseek-vl2-tiny", "deepseek_vl_v2", 12, 12, 0, 10, 128, std::nullopt,
     12 * 2 * 10 * 128 * 2},
    // Phi-3-small: all layers cache every token (block-sparse reads only); 32 × 2 × 8 × (4096 / 32) × 2
    {"microsoft__Phi-3-small-8k-instruct", "phi3small", 32, 32, 0, 8, 128, std::nullopt,
     32 * 2 * 8 * 128 * 2},
    // Phi-3-vision: sliding_window 131072 on every layer (as phi3); 32 × 2 × 32 × (3072 / 32 = 96) × 2
    {"microsoft__Phi-3-vision-128k-instruct", "phi3_v", 32, 0, 32, 32, 96, 131072, 32 * 2 * 32 * 96 * 2},
    // Qwen v1: MHA, kv_channels 128; 32 × 2 × 32 × 128 × 2
    {"Qwen__Qwen-7B", "qwen", 32, 32, 0, 32, 128, std::nullopt, 32 * 2 * 32 * 128 * 2},
    // XVERSE: MHA, 4096 / 32 = 128; 32 × 2 × 32 × 128 × 2
    {"xverse__XVERSE-7B", "xverse", 32, 32, 0, 32, 128, std::nullopt, 32 * 2 * 32 * 128 * 2},
    // Janus (multi_modality -> language_config llama): 24 × 2 × 16 × (2048 / 16) × 2
    {"deepseek-ai__Janus-1.3B", "multi_modality", 24, 24, 0, 16, 128, std::nullopt, 24 * 2 * 16 * 128 * 2},
    // InternLM2: 8 KV heads, 4096 / 32 = 128; 32 × 2 × 8 × 128 × 2
    {"internlm__internlm2-7b", "internlm2", 32, 32, 0, 8, 128, std::nullopt, 32 * 2 * 8 * 128 * 2},
    // EXAONE 3.5 (num_layers 32, head_dim 128, 8 KV heads): 32 × 2 × 8 × 128 × 2
    {"LGAI-EXAONE__EXAONE-3.5-7.8B-Instruct", "exaone", 32, 32, 0, 8, 128, std::nullopt,
     32 * 2 * 8 * 128 * 2},
    // Laguna: layer_types (1 full, 3 sliding); Q heads vary per layer, K/V 8 × 128 on every layer:
    // 40 × 2 × 8 × 128 × 2
    {"poolside__Laguna-XS.2-FP8", "laguna", 40, 10, 30, 8, 128, 512, 40 * 2 * 8 * 128 * 2},
    {"poolside__Laguna-S-2.1-FP8", "laguna", 48, 12, 36, 8, 128, 512, 48 * 2 * 8 * 128 * 2},
    // Muse-Glimmer (text_config muse_glimmer_text): layer_types 3 sliding + 1 full; 52 × 2 × 2 × 128 × 2
    {"meta-models__Muse-Glimmer-30B", "muse_glimmer", 52, 13, 39, 2, 128, 2048, 52 * 2 * 2 * 128 * 2},
};

class RemoteCodeFamilies : public ::testing::TestWithParam<Case> {};

TEST_P(RemoteCodeFamilies, SpecAndBytesPerToken) {
  const Case& c = GetParam();
  ModelCacheSpec s = load_fixture(c.dir);
  EXPECT_EQ(s.model_type, c.model_type);
  EXPECT_EQ(s.num_layers(), c.layers);
  EXPECT_EQ(s.count(LayerKind::full_attention), c.full);
  EXPECT_EQ(s.count(LayerKind::sliding_attention), c.sliding);
  EXPECT_EQ(s.num_kv_heads(), c.kv_heads);
  EXPECT_EQ(s.head_dim, c.head_dim);
  EXPECT_EQ(s.sliding_window, c.window);
  EXPECT_EQ(bytes_per_token_f16(s), c.bytes_per_token);
  EXPECT_FALSE(has_warning(s)) << "a known family must load without warnings";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RemoteCodeFamilies, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& p) {
                           std::string n = p.param.dir;
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

TEST(RemoteCode, CogVlmV1WithoutMultiQueryHeadsIsMha) {
  // CogVLM v1 (cogvlm-chat-hf) states no num_multi_query_heads: one K/V head per attention head.
  auto v1 = from_json(R"({"architectures": ["CogVLMForCausalLM"], "hidden_size": 4096,
                          "num_attention_heads": 32, "num_hidden_layers": 32})");
  EXPECT_EQ(v1.model_type, "cogvlm");
  EXPECT_EQ(v1.num_kv_heads(), 32);
  EXPECT_EQ(bytes_per_token_f16(v1), 32 * 2 * 32 * 128 * 2);
  EXPECT_FALSE(has_warning(v1));
  // CogVLM2 chat (same class name) states it.
  auto v2 = from_json(R"({"architectures": ["CogVLMForCausalLM"], "hidden_size": 4096,
                          "num_attention_heads": 32, "num_hidden_layers": 32, "num_multi_query_heads": 8})");
  EXPECT_EQ(v2.num_kv_heads(), 8);
  EXPECT_EQ(bytes_per_token_f16(v2), 32 * 2 * 8 * 128 * 2);
}

TEST(RemoteCode, MuseGlimmerDefaultLayerTypesCountBackFromTheLast) {
  // No layer_types: full iff (8 - 1 - i) % 4 == 0 -> layers 3 and 7; window default 2048.
  auto s = from_json(R"({"model_type": "muse_glimmer_text", "num_hidden_layers": 8})");
  ASSERT_EQ(s.num_layers(), 8);
  EXPECT_EQ(s.count(LayerKind::full_attention), 2);
  EXPECT_EQ(s.layers[3].kind, LayerKind::full_attention);
  EXPECT_EQ(s.layers[7].kind, LayerKind::full_attention);
  EXPECT_EQ(s.layers[0].kind, LayerKind::sliding_attention);
  EXPECT_EQ(s.sliding_window, 2048);
  // class defaults: 2 KV heads × head_dim 128
  EXPECT_EQ(bytes_per_token_f16(s), 8 * 2 * 2 * 128 * 2);
}

TEST(RemoteCode, LagunaWithoutLayerTypesIsAllFull) {
  auto s = from_json(R"({"model_type": "laguna", "num_hidden_layers": 4})");
  EXPECT_EQ(s.count(LayerKind::full_attention), 4);
  EXPECT_EQ(bytes_per_token_f16(s), 4 * 2 * 8 * 128 * 2);  // LagunaConfig: 8 KV heads × 128
}

TEST(RemoteCode, MimoWindowOnlyWithUseSlidingWindow) {
  // Qwen2's rule: with use_sliding_window, layers >= max_window_layers (2) of 4 are sliding.
  auto s = from_json(R"({"model_type": "mimo", "num_hidden_layers": 4, "hidden_size": 512,
                         "num_attention_heads": 4, "num_key_value_heads": 2, "sliding_window": 64,
                         "use_sliding_window": true, "max_window_layers": 2})");
  EXPECT_EQ(s.count(LayerKind::full_attention), 2);
  EXPECT_EQ(s.count(LayerKind::sliding_attention), 2);
  EXPECT_EQ(s.sliding_window, 64);
}

TEST(RemoteCode, MimoV2FlashPerLayerKindsAndDims) {
  auto s = load_fixture("XiaomiMiMo__MiMo-V2-Flash");
  ASSERT_EQ(s.num_layers(), 48);
  // hybrid_layer_pattern: 0 at layers 0, 5, 11, 17, 23, 29, 35, 41, 47 -> 9 full, 39 sliding.
  EXPECT_EQ(s.count(LayerKind::full_attention), 9);
  EXPECT_EQ(s.count(LayerKind::sliding_attention), 39);
  EXPECT_EQ(s.layers[0].kind, LayerKind::full_attention);
  EXPECT_EQ(s.layers[5].kind, LayerKind::full_attention);
  EXPECT_EQ(s.layers[1].kind, LayerKind::sliding_attention);
  const LayerSpec& f = first(s, LayerKind::full_attention);
  EXPECT_EQ(f.num_kv_heads, 4);
  EXPECT_EQ(f.head_dim_k, 192);
  EXPECT_EQ(f.head_dim_v, 128);
  const LayerSpec& w = first(s, LayerKind::sliding_attention);
  EXPECT_EQ(w.num_kv_heads, 8);
  EXPECT_EQ(w.head_dim_k, 192);
  EXPECT_EQ(w.head_dim_v, 128);
  EXPECT_EQ(w.window, 128);
  EXPECT_FALSE(s.attention_chunk_size.has_value());
  EXPECT_FALSE(has_warning(s));
  // per token: full 4 × (192 + 128) × 2 B = 2560, sliding 8 × (192 + 128) × 2 B = 5120
  EXPECT_EQ(bytes_per_token_f16(s), 9 * 2560 + 39 * 5120);
  // 4096 tokens: full layers hold all of them, sliding layers 128
  EXPECT_EQ(exact_bytes(s, 4096), 9 * 2560 * 4096 + 39 * 5120 * 128);
}

TEST(RemoteCode, MimoV2FlashNeedsItsPattern) {
  auto r = spec_from_config_text(R"({"model_type": "mimo_v2_flash", "num_hidden_layers": 2,
      "hidden_size": 512, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 64,
      "v_head_dim": 32, "hybrid_layer_pattern": [0]})",
                                 "inline.json");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("hybrid_layer_pattern"), std::string::npos) << r.error().message();
}

TEST(RemoteCode, DeepseekVl2PlainAttentionHasNoLatent) {
  auto s = load_fixture("deepseek-ai__deepseek-vl2-tiny");
  EXPECT_FALSE(s.mla.has_value());
  EXPECT_EQ(s.count(LayerKind::mla), 0);
  EXPECT_TRUE(has_note(s, "use_mla is false"));
  // DeepSeek-V2 with use_mla absent keeps MLA: 27 × (512 + 64) × 2 B
  auto v2 = load_fixture("deepseek-ai__DeepSeek-V2-Lite");
  EXPECT_EQ(v2.count(LayerKind::mla), 27);
  EXPECT_EQ(bytes_per_token_f16(v2), 27 * (512 + 64) * 2);
}

TEST(RemoteCode, KimiK3MlaWithoutHeadDim) {
  // hidden 7168 / 96 heads is not integral and no head_dim is stated: the MLA dims decide.
  auto s = load_fixture("moonshotai__Kimi-K3");
  EXPECT_EQ(s.model_type, "kimi_k3");
  ASSERT_EQ(s.num_layers(), 93);
  // full_attn_layers lists 24 of 93; the 69 kda_layers are recurrent.
  EXPECT_EQ(s.count(LayerKind::mla), 24);
  EXPECT_EQ(s.count(LayerKind::recurrent), 69);
  // 24 × (kv_lora_rank 512 + qk_rope_head_dim 64) × 2 B
  EXPECT_EQ(bytes_per_token_f16(s), 24 * (512 + 64) * 2);
  // KDA per layer: conv (4 - 1) × 3 × 96 × 128 bf16 + state 96 × 128 × 128 f32
  EXPECT_EQ(s.state_bytes_per_sequence(), 69 * ((4 - 1) * 3 * 96 * 128 * 2 + 96 * 128 * 128 * 4));
  ASSERT_TRUE(s.moe.has_value());
  EXPECT_EQ(s.moe->experts_per_token, 16);  // num_experts_per_token, not the generation top_k 50
  EXPECT_FALSE(has_warning(s));
}

TEST(RemoteCode, NemotronHCountsLayersFromBlockTypes) {
  auto s = load_fixture("nvidia__NVIDIA-Nemotron-3-Ultra-550B-A55B-FP8");
  EXPECT_EQ(s.num_layers(), 108);
  EXPECT_FALSE(has_note(s, "defaults it to 4"));
  EXPECT_TRUE(has_note(s, "108 entries of layers_block_type"));
  EXPECT_FALSE(has_warning(s));
  // 12 attention layers × 2 × 2 KV heads × 128 × 2 B
  EXPECT_EQ(bytes_per_token_f16(s), 12 * 2 * 2 * 128 * 2);
}

TEST(RemoteCode, MiniMaxM3IndexKeysBesideKv) {
  auto s = load_fixture("nvidia__MiniMax-M3-NVFP4");
  EXPECT_EQ(s.model_type, "minimax_m3_vl");
  ASSERT_EQ(s.num_layers(), 60);
  EXPECT_EQ(s.count(LayerKind::full_attention), 60);
  // K/V: 60 × 2 × 4 × 128 × 2 B
  EXPECT_EQ(bytes_per_token_f16(s), 60 * 2 * 4 * 128 * 2);
  // sparse_attention_freq: 3 zeros then 57 ones -> 57 layers × 1 index-key head × 128 × 2 B (bfloat16)
  ASSERT_EQ(s.extra_components.size(), 1U);
  EXPECT_EQ(s.extra_components[0].name, "index keys");
  EXPECT_EQ(s.extra_components[0].values_per_token, 57 * 128);
  EXPECT_EQ(s.extra_components[0].bytes_per_token, 57 * 128 * 2);
  EXPECT_FALSE(has_warning(s));
  // exact at 4096 tokens: K/V 60 × 2 × 4 × 128 × 2 B + index keys 57 × 128 × 2 B, each × 4096
  EXPECT_EQ(exact_bytes(s, 4096), std::int64_t{60 * 2 * 4 * 128 * 2 + 57 * 128 * 2} * 4096);
}

TEST(RemoteCode, MiniMaxM3LayerTypesNameTheSparseLayers) {
  auto s = from_json(R"({"model_type": "minimax_m3_vl_text", "num_hidden_layers": 3,
      "layer_types": ["full_attention", "minimax_m3_sparse", "minimax_m3_sparse"],
      "sparse_attention_config": {"sparse_index_dim": 64}})");
  EXPECT_EQ(s.count(LayerKind::full_attention), 3);
  ASSERT_EQ(s.extra_components.size(), 1U);
  EXPECT_EQ(s.extra_components[0].values_per_token, 2 * 64);  // 2 sparse layers × 64
  // without any sparse layer there are no index keys
  auto dense = from_json(R"({"model_type": "minimax_m3_vl_text", "num_hidden_layers": 2})");
  EXPECT_TRUE(dense.extra_components.empty());
  EXPECT_EQ(bytes_per_token_f16(dense), 2 * 2 * 4 * 128 * 2);  // class defaults: 4 KV heads × 128
}

TEST(RemoteCode, DeepseekV4WindowAndCompressedBuffers) {
  auto s = load_fixture("deepseek-ai__DeepSeek-V4-Pro");
  ASSERT_EQ(s.num_layers(), 61);
  EXPECT_EQ(s.count(LayerKind::sliding_attention), 61);
  const LayerSpec& l = first(s, LayerKind::sliding_attention);
  EXPECT_EQ(l.num_kv_heads, 1);
  EXPECT_EQ(l.head_dim_k, 512);
  EXPECT_EQ(l.head_dim_v, 0);  // one shared K/V entry
  EXPECT_EQ(l.window, 128);
  // window part: 61 × 512 × 2 B per token, at most 128 tokens
  EXPECT_EQ(bytes_per_token_f16(s), 61 * 512 * 2);
  // compress_ratios[0..61): 30 × 4 (CSA) and 31 × 128 (HCA); the 62nd entry (0) is the MTP layer's
  ASSERT_EQ(s.extra_components.size(), 2U);
  EXPECT_EQ(s.extra_components[0].name, "compressed KV");
  EXPECT_EQ(s.extra_components[0].values_per_token, 30 * 512 / 4 + 31 * 512 / 128);
  EXPECT_EQ(s.extra_components[0].bytes_per_token, (30 * 512 / 4 + 31 * 512 / 128) * 2);
  EXPECT_EQ(s.extra_components[1].name, "compressed indexer keys");
  EXPECT_EQ(s.extra_components[1].values_per_token, 30 * 128 / 4);
  EXPECT_FALSE(has_warning(s));
  // exact at 4096 tokens (bf16 = 2 B): window 61 × 512 × 128; CSA pooled 30 × floor(4096/4) = 1024 entries ×
  // 512; HCA pooled 31 × floor(4096/128) = 32 entries × 512; CSA indexer 30 × 1024 entries × 128.
  const std::int64_t window = std::int64_t{61} * 512 * 128 * 2;
  EXPECT_EQ(exact_bytes(s, 4096), window + std::int64_t{30} * 1024 * 512 * 2 + 31 * 32 * 512 * 2 +
                                      std::int64_t{30} * 1024 * 128 * 2);
  // 1000 tokens (not a multiple): floor(1000/4) = 250, floor(1000/128) = 7; the window is full (128).
  EXPECT_EQ(exact_bytes(s, 1000),
            window + std::int64_t{30} * 250 * 512 * 2 + 31 * 7 * 512 * 2 + std::int64_t{30} * 250 * 128 * 2);
  // 3 tokens: no pooled entry yet, 3 window tokens.
  EXPECT_EQ(exact_bytes(s, 3), std::int64_t{61} * 512 * 3 * 2);
}

// The JSON names the part of the total held by the extra components, and each pooled buffer's ratio.
TEST(RemoteCode, DeepseekV4PooledBuffersInJson) {
  auto r = run_cli("inspect " + data_path("configs/deepseek-ai__DeepSeek-V4-Pro") + " --context 4096 --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // window 61 × 512 × 128 × 2 = 7,995,392; CSA 30 × 1,024 × 512 × 2 = 31,457,280; HCA 31 × 32 × 512 × 2 =
  // 1,015,808; CSA indexer 30 × 1,024 × 128 × 2 = 7,864,320. Extras 40,337,408; total 48,332,800.
  EXPECT_NE(r.out.find("\"extra_bytes\": 40337408"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"total_bytes\": 48332800"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"ratio\": 128,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"ratio\": 4,"), std::string::npos) << r.out;
  auto text = run_cli("inspect " + data_path("configs/deepseek-ai__DeepSeek-V4-Pro") + " --context 4096");
  EXPECT_NE(text.out.find("extra components"), std::string::npos) << text.out;
}

TEST(RemoteCode, RegistryListsEachRuleWithItsSource) {
  auto fams = known_families();
  for (std::string_view mt :
       {"cogvlm", "cogvlm2_video", "mimo", "mimo_v2_flash", "phi3small", "phi3_v", "qwen", "xverse",
        "multi_modality", "deepseek_vl_v2", "kimi_k3", "internlm2", "exaone", "laguna", "muse_glimmer",
        "muse_glimmer_text", "minimax_m3_vl", "minimax_m3_vl_text", "deepseek_v4"}) {
    auto it = std::find_if(fams.begin(), fams.end(), [&](const FamilyInfo& f) { return f.model_type == mt; });
    ASSERT_NE(it, fams.end()) << mt;
    EXPECT_FALSE(it->source.empty()) << mt;
  }
}

}  // namespace
}  // namespace kvspec::test
