// MLA families (src/arch/families/mla.cpp): every layer caches one latent of kv_lora_rank + qk_rope_head_dim
// values per token, so num_kv_heads 1, head_dim_k = that width, head_dim_v 0, and bytes per token at f16 =
// layers × (kv_lora_rank + qk_rope_head_dim) × 2. Rule sources: vLLM MLAAttentionSpec (one head, no factor
// 2), llama.cpp deepseek2 since PR #19067 (K only), mlx-lm deepseek_v3.py; config defaults from each config
// class.
#include <gtest/gtest.h>

#include <string>

#include "cli_util.hpp"
#include "kvspec/load.hpp"
#include "kvspec/size.hpp"
#include "kvspec/spec.hpp"
#include "test_util.hpp"

namespace kvspec {
namespace {

using test::bytes_per_token_f16;
using test::from_json;
using test::has_note;
using test::load_fixture;

// Every layer is `mla` with one latent head of `width` values and no V.
void expect_all_mla(const ModelCacheSpec& spec, std::int64_t layers, std::int64_t width) {
  ASSERT_EQ(spec.num_layers(), layers);
  EXPECT_EQ(spec.count(LayerKind::mla), layers);
  for (const LayerSpec& l : spec.layers) {
    EXPECT_EQ(l.num_kv_heads, 1);
    EXPECT_EQ(l.head_dim_k, width);
    EXPECT_EQ(l.head_dim_v, 0);
    EXPECT_EQ(l.state_bytes, 0);
  }
  EXPECT_EQ(spec.num_kv_heads(), 1);
  EXPECT_EQ(spec.head_dim, width);  // the representative head dim of an MLA model is the latent width
  EXPECT_EQ(spec.state_bytes_per_sequence(), 0);
  EXPECT_FALSE(spec.has_warnings());
}

TEST(ArchMla, DeepSeekV3) {
  // deepseek-ai/DeepSeek-V3: 61 layers, kv_lora_rank 512, qk_rope_head_dim 64, 128 heads (num_key_value_heads
  // 128 describes the decompressed heads), num_nextn_predict_layers 1 (not counted).
  ModelCacheSpec s = load_fixture("deepseek-ai__DeepSeek-V3");
  EXPECT_EQ(s.model_type, "deepseek_v3");
  expect_all_mla(s, 61, 512 + 64);
  // 61 layers × (512 + 64) × 2 bytes = 70,272
  EXPECT_EQ(bytes_per_token_f16(s), 61 * (512 + 64) * 2);
  EXPECT_EQ(bytes_per_token_f16(s), 70'272);
  ASSERT_TRUE(s.mla.has_value());
  EXPECT_EQ(s.mla->kv_lora_rank, 512);
  EXPECT_EQ(s.mla->qk_rope_head_dim, 64);
  EXPECT_EQ(s.mla->qk_nope_head_dim, 128);
  EXPECT_EQ(s.mla->v_head_dim, 128);
  EXPECT_EQ(s.mla->num_heads, 128);
  EXPECT_TRUE(s.extra_components.empty());
  EXPECT_TRUE(has_note(s, "num_nextn_predict_layers = 1"));
  // Exact cache at 4096 tokens: 70,272 × 4096 = 287,834,112 bytes.
  auto c = size_exact(s, {4096, 1, CacheDType::f16, CacheDType::f16});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->total_bytes, std::int64_t{70'272} * 4096);
}

TEST(ArchMla, DeepSeekV32IndexerIsASeparateComponent) {
  // deepseek-ai/DeepSeek-V3.2: V3 geometry plus the DSA lightning indexer, index_head_dim 128 per layer
  // (vLLM DeepseekV32IndexerCache; mlx-lm deepseek_v32.py second KVCache), torch_dtype bfloat16.
  ModelCacheSpec s = load_fixture("deepseek-ai__DeepSeek-V3.2");
  EXPECT_EQ(s.model_type, "deepseek_v32");
  expect_all_mla(s, 61, 576);
  // The latent alone: 61 × 576 × 2 = 70,272 (the indexer is not in kv_bytes_per_token).
  EXPECT_EQ(bytes_per_token_f16(s), 61 * 576 * 2);
  ASSERT_EQ(s.extra_components.size(), 1u);
  const CacheComponent& idx = s.extra_components[0];
  EXPECT_EQ(idx.name, "indexer keys");
  // 61 layers × 128 values = 7,808 values; × 2 bytes (bfloat16) = 15,616 bytes per token.
  EXPECT_EQ(idx.values_per_token, 61 * 128);
  EXPECT_EQ(idx.bytes_per_token, 61 * 128 * 2);
  EXPECT_EQ(idx.bytes_per_token, 15'616);
  // The exact total holds the latent and the indexer keys: (70,272 + 15,616) × 1000 = 85,888,000.
  auto c = size_exact(s, {1000, 1, CacheDType::f16, CacheDType::f16});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->total_bytes, (70'272 + 15'616) * 1000);
  EXPECT_EQ(c->extra_bytes, 15'616 * 1000);
  // At 4096 tokens, batch 2: (61 × 576 + 61 × 128) × 2 B × 4096 × 2 = 703,594,496.
  auto c2 = size_exact(s, {4096, 2, CacheDType::f16, CacheDType::f16});
  ASSERT_TRUE(c2);
  EXPECT_EQ(c2->total_bytes, std::int64_t{61 * 576 + 61 * 128} * 2 * 4096 * 2);
  EXPECT_EQ(c2->total_bytes, 703'594'496);
}

TEST(ArchMla, DeepSeekV2LiteWithoutQueryLora) {
  // deepseek-ai/DeepSeek-V2-Lite: 27 layers, 16 heads, q_lora_rank null (queries projected directly: no
  // effect on the cache), kv_lora_rank 512, qk_rope_head_dim 64; no MTP layers.
  ModelCacheSpec s = load_fixture("deepseek-ai__DeepSeek-V2-Lite");
  EXPECT_EQ(s.model_type, "deepseek_v2");
  expect_all_mla(s, 27, 576);
  // 27 × 576 × 2 = 31,104
  EXPECT_EQ(bytes_per_token_f16(s), 27 * 576 * 2);
  ASSERT_TRUE(s.mla.has_value());
  EXPECT_EQ(s.mla->num_heads, 16);
  EXPECT_FALSE(has_note(s, "num_nextn_predict_layers"));
}

TEST(ArchMla, KimiK2) {
  // moonshotai/Kimi-K2-Instruct (kimi_k2, DeepseekV3 geometry): 61 layers, 64 heads, num_nextn_predict_layers
  // 0.
  ModelCacheSpec s = load_fixture("moonshotai__Kimi-K2-Instruct");
  EXPECT_EQ(s.model_type, "kimi_k2");
  expect_all_mla(s, 61, 576);
  // 61 × (512 + 64) × 2 = 70,272
  EXPECT_EQ(bytes_per_token_f16(s), 70'272);
  EXPECT_EQ(s.mla->num_heads, 64);
  EXPECT_FALSE(has_note(s, "num_nextn_predict_layers"));
}

TEST(ArchMla, MiniCPM3SelectedByArchitecture) {
  // openbmb/MiniCPM3-4B has no model_type: MiniCPM3ForCausalLM selects the rule. 62 layers, 40 heads,
  // kv_lora_rank 256, qk_rope_head_dim 32, qk_nope_head_dim 64, v_head_dim absent -> qk_nope_head_dim (remote
  // configuration_minicpm.py).
  ModelCacheSpec s = load_fixture("openbmb__MiniCPM3-4B");
  EXPECT_EQ(s.model_type, "minicpm3");
  expect_all_mla(s, 62, 256 + 32);
  // 62 × (256 + 32) × 2 = 35,712
  EXPECT_EQ(bytes_per_token_f16(s), 62 * 288 * 2);
  EXPECT_EQ(bytes_per_token_f16(s), 35'712);
  ASSERT_TRUE(s.mla.has_value());
  EXPECT_EQ(s.mla->v_head_dim, 64);
  EXPECT_EQ(s.mla->num_heads, 40);
}

TEST(ArchMla, Glm5DefaultsAndIndexer) {
  // GlmMoeDsaConfig defaults (modular_glm_moe_dsa.py): 78 layers, 64 heads, kv_lora_rank 512, qk_rope 64,
  // qk_nope 192, v 256, index_head_dim 128.
  ModelCacheSpec s = from_json(R"({"model_type": "glm_moe_dsa", "torch_dtype": "bfloat16"})");
  expect_all_mla(s, 78, 576);
  // 78 × 576 × 2 = 89,856
  EXPECT_EQ(bytes_per_token_f16(s), 78 * 576 * 2);
  EXPECT_EQ(s.mla->qk_nope_head_dim, 192);
  EXPECT_EQ(s.mla->v_head_dim, 256);
  EXPECT_EQ(s.mla->num_heads, 64);
  ASSERT_EQ(s.extra_components.size(), 1u);
  // 78 × 128 × 2 = 19,968
  EXPECT_EQ(s.extra_components[0].bytes_per_token, 78 * 128 * 2);
}

TEST(ArchMla, Glm5IndexerTypesCountOnlyFullIndexers) {
  // GLM-5.x `indexer_types`: "shared" layers reuse the previous full layer's top-k and cache no keys.
  ModelCacheSpec s = from_json(R"({"model_type": "glm_moe_dsa", "num_hidden_layers": 4,
      "num_attention_heads": 64, "hidden_size": 6144, "index_head_dim": 128, "torch_dtype": "bfloat16",
      "indexer_types": ["full", "shared", "full", "shared"]})");
  expect_all_mla(s, 4, 576);
  // 4 × 576 × 2 = 4,608
  EXPECT_EQ(bytes_per_token_f16(s), 4 * 576 * 2);
  ASSERT_EQ(s.extra_components.size(), 1u);
  // 2 full indexers × 128 × 2 bytes = 512
  EXPECT_EQ(s.extra_components[0].bytes_per_token, 2 * 128 * 2);

  auto bad = spec_from_config_text(R"({"model_type": "glm_moe_dsa", "num_hidden_layers": 2,
      "indexer_types": ["full", "sometimes"]})",
                                   "inline.json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "indexer_types[1]");
}

TEST(ArchMla, Glm47Flash) {
  // GLM-4.7-Flash (glm4_moe_lite): 47 layers, 20 heads, hidden 2048 (2048 / 20 is not integral: the
  // decompressed head_dim default is qk_rope_head_dim, never hidden / heads), latent 512 + 64.
  ModelCacheSpec s = from_json(R"({"model_type": "glm4_moe_lite", "num_hidden_layers": 47,
      "num_attention_heads": 20, "num_key_value_heads": 20, "hidden_size": 2048, "kv_lora_rank": 512,
      "qk_rope_head_dim": 64, "qk_nope_head_dim": 192, "v_head_dim": 256, "q_lora_rank": 768})");
  expect_all_mla(s, 47, 576);
  // 47 × 576 × 2 = 54,144
  EXPECT_EQ(bytes_per_token_f16(s), 54'144);
}

TEST(ArchMla, KimiK25WrapsDeepSeekV3) {
  ModelCacheSpec s = from_json(R"({"model_type": "kimi_k25", "text_config": {"model_type": "deepseek_v3",
      "num_hidden_layers": 61, "num_attention_heads": 64, "hidden_size": 7168, "kv_lora_rank": 512,
      "qk_rope_head_dim": 64}})");
  ASSERT_TRUE(s.text_model_type.has_value());
  EXPECT_EQ(*s.text_model_type, "deepseek_v3");
  expect_all_mla(s, 61, 576);
  EXPECT_EQ(bytes_per_token_f16(s), 70'272);
}

TEST(ArchMla, ExplicitNullLatentRankIsAnError) {
  auto r = spec_from_config_text(R"({"model_type": "deepseek_v3", "kv_lora_rank": null})", "inline.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "kv_lora_rank");
}

TEST(ArchMla, LayerTypesFullAttentionBecomeMla) {
  ModelCacheSpec s = from_json(R"({"model_type": "deepseek_v3", "num_hidden_layers": 2,
      "layer_types": ["full_attention", "full_attention"]})");
  expect_all_mla(s, 2, 576);
  auto bad =
      spec_from_config_text(R"({"model_type": "deepseek_v3", "num_hidden_layers": 2, "sliding_window": 8,
      "layer_types": ["full_attention", "sliding_attention"]})",
                            "inline.json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "layer_types[1]");
}

TEST(ArchMla, CliShowsMlaKindAndGeometry) {
  std::string dir = std::string(KVSPEC_TEST_DATA) + "/configs/deepseek-ai__DeepSeek-V3.2";
  std::string json = test::run_cli("inspect " + dir + " --json").out;
  EXPECT_NE(json.find("\"kind\": \"mla\""), std::string::npos) << json.substr(0, 400);
  EXPECT_NE(json.find("\"kv_lora_rank\": 512"), std::string::npos);
  EXPECT_NE(json.find("\"kv_bytes_per_token\": 70272"), std::string::npos);
  EXPECT_NE(json.find("\"bytes_per_token\": 15616"), std::string::npos);
  std::string text = test::run_cli("inspect " + dir).out;
  EXPECT_NE(text.find("61×mla"), std::string::npos) << text;
  EXPECT_NE(text.find("indexer keys"), std::string::npos);
}

}  // namespace
}  // namespace kvspec
