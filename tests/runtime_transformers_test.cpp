// The transformers profile: DynamicCache semantics, by hand.
#include <gtest/gtest.h>

#include "kvspec/load.hpp"
#include "kvspec/runtime.hpp"
#include "test_util.hpp"

namespace {

kvspec::RuntimeRequest hf(std::int64_t context) {
  kvspec::RuntimeRequest q;
  q.runtime = kvspec::Runtime::transformers;
  q.context = context;
  q.k_dtype = q.v_dtype = kvspec::CacheDType::bf16;
  return q;
}

// DynamicSlidingWindowLayer (cache_utils.py, transformers 5.17.0) keeps a view of window - 1 tokens into
// the concatenation it made: after a decode step that is a fresh tensor of window tokens, right after the
// prefill the whole prompt.
TEST(RuntimeTransformers, SlidingLayersHoldWindowBetweenStepsAndPromptAfterPrefill) {
  auto spec =
      kvspec::load_model(std::string(KVSPEC_TEST_DATA) + "/configs/mlx-community__gemma-3-12b-it-4bit");
  ASSERT_TRUE(spec) << spec.error().message();
  auto got = kvspec::size_runtime(*spec, hf(32'768));
  ASSERT_TRUE(got) << got.error().message();
  // 8'192 B per token per layer; 8 full layers × 32'768 = 2'147'483'648; 40 sliding layers × 1'024 tokens
  // = 40 × 1'024 × 8'192 = 335'544'320
  EXPECT_EQ(got->total_bytes, 2'147'483'648 + 335'544'320);
  EXPECT_EQ(got->per_layer_tokens[0], 1'024);
  // After a one-pass prefill every layer holds all 32'768 tokens: 48 × 32'768 × 8'192
  EXPECT_EQ(got->peak_bytes, 48LL * 32'768 * 8'192);
  // Below the window nothing is trimmed: 48 × 500 × 8'192 both ways
  auto small = kvspec::size_runtime(*spec, hf(500));
  ASSERT_TRUE(small) << small.error().message();
  EXPECT_EQ(small->total_bytes, 48LL * 500 * 8'192);
  EXPECT_EQ(small->peak_bytes, small->total_bytes);
}

kvspec::ModelCacheSpec deepseek_v3_like(const char* type) {
  // DeepSeek-V3: 61 layers, 128 heads, nope 128, rope 64, v 128, latent 512 + 64.
  kvspec::ModelCacheSpec spec;
  spec.model_type = type;
  spec.mla = kvspec::MlaDims{512, 64, 128, 128, 128};
  for (int i = 0; i < 61; ++i) {
    kvspec::LayerSpec l;
    l.kind = kvspec::LayerKind::mla;
    l.num_kv_heads = 1;
    l.head_dim_k = 576;
    spec.layers.push_back(l);
  }
  return spec;
}

// modeling_deepseek_v3.py (5.17.0) caches the latent: keys [batch, 1, T, 512], values [batch, 1, T, 64].
TEST(RuntimeTransformers, MlaCachesTheLatent) {
  for (const char* type : {"deepseek_v2", "deepseek_v3", "kimi_k2", "glm4_moe_lite", "minicpm3"}) {
    auto got = kvspec::size_runtime(deepseek_v3_like(type), hf(1'000));
    ASSERT_TRUE(got) << got.error().message();
    // K 61 × 1'000 × 512 × 2 B = 62'464'000; V 61 × 1'000 × 64 × 2 B = 7'808'000
    EXPECT_EQ(got->k_bytes, 62'464'000) << type;
    EXPECT_EQ(got->v_bytes, 7'808'000) << type;
    EXPECT_EQ(got->total_bytes, 62'464'000 + 7'808'000) << type;
  }
}

// deepseek_v32 caches the decompressed K and V, and the DSA indexer's keys [batch, T, index_head_dim] on each
// of its 61 layers.
TEST(RuntimeTransformers, DsaCachesDecompressedKvAndIndexerKeys) {
  auto spec = kvspec::test::load_fixture("deepseek-ai__DeepSeek-V3.2");
  ASSERT_EQ(spec.num_layers(), 61);
  auto got = kvspec::size_runtime(spec, hf(1'000));
  ASSERT_TRUE(got) << got.error().message();
  // K 128 × (128 + 64) = 24'576 + V 128 × 128 = 16'384 values × 2 B = 81'920 B per layer per token;
  // × 61 = 4'997'120 B per token; indexer 61 × 128 × 2 B = 15'616 B per token; × 1'000 tokens
  EXPECT_EQ(got->total_bytes, 4'997'120'000 + 15'616'000);
  EXPECT_EQ(got->k_bytes, 61LL * 24'576 * 2 * 1'000 + 15'616'000);
  auto md = deepseek_v3_like("deepseek_v32");
  md.mla.reset();
  EXPECT_FALSE(kvspec::size_runtime(md, hf(1'000)));  // cannot decompress without the geometry
}

// LinearAttentionLayer keeps all conv_kernel columns: Mamba-2 (Codestral: 64 layers, conv channels 2 × 4'096
// + 2 × 8 × 128 = 10'240, kernel 4, SSM 128 × 64 × 128 = 1'048'576 values).
TEST(RuntimeTransformers, ConvStateKeepsTheWholeKernel) {
  auto spec = kvspec::test::load_fixture("mistralai__Mamba-Codestral-7B-v0.1");
  auto got = kvspec::size_runtime(spec, hf(100));
  ASSERT_TRUE(got) << got.error().message();
  // 64 × (4 × 10'240 × 2 B + 1'048'576 × 4 B) = 64 × (81'920 + 4'194'304)
  EXPECT_EQ(got->state_bytes, 64 * (81'920 + 4'194'304));
  EXPECT_EQ(got->kv_bytes, 0);
}

// LFM2's short conv keeps L_cache (3) columns of hidden_size (2'048) in bf16: 10 conv layers × 3 × 2'048 × 2.
TEST(RuntimeTransformers, Lfm2ShortConvKeepsLCache) {
  auto spec = kvspec::test::load_fixture("LiquidAI__LFM2.5-VL-1.6B");
  ASSERT_EQ(spec.count(kvspec::LayerKind::recurrent), 10);
  auto got = kvspec::size_runtime(spec, hf(100));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(got->state_bytes, 10 * 3 * 2'048 * 2);
  // 6 attention layers × 8 heads × 64 × 2 (K, V) × 2 B × 100 tokens
  EXPECT_EQ(got->kv_bytes, 6 * 8 * 64 * 2 * 2 * 100);
}

// The SSM state is float32 in transformers whatever mamba_ssm_cache_dtype says (measured on 5.17.0 with it
// and mamba_ssm_dtype set to bfloat16); the spec keeps the config's dtype for the runtimes that honour it.
TEST(RuntimeTransformers, SsmStateIsFloat32WhateverTheConfigSays) {
  auto spec = kvspec::test::from_json(R"({"model_type": "falcon_h1", "hidden_size": 3072,
      "num_hidden_layers": 2, "num_attention_heads": 12, "num_key_value_heads": 2, "head_dim": 128,
      "mamba_d_ssm": 3072, "mamba_n_heads": 24, "mamba_d_head": 128, "mamba_n_groups": 1, "mamba_d_state": 256,
      "mamba_d_conv": 4, "torch_dtype": "bfloat16", "mamba_ssm_cache_dtype": "bfloat16",
      "mamba_ssm_dtype": "bfloat16"})");
  // the spec: 3 × 3'584 × 2 + 786'432 × 2 per layer
  EXPECT_EQ(spec.layers[0].state_bytes, 3 * 3'584 * 2 + 786'432 * 2);
  auto got = kvspec::size_runtime(spec, hf(10));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(got->state_bytes, 2 * (4 * 3'584 * 2 + 786'432 * 4));
}

TEST(RuntimeTransformers, RecurrentGemmaPreallocatesItsWindow) {
  auto spec = kvspec::load_model(std::string(KVSPEC_TEST_DATA) + "/configs/google__recurrentgemma-2b");
  ASSERT_TRUE(spec) << spec.error().message();
  ASSERT_EQ(spec->count(kvspec::LayerKind::sliding_attention), 8);
  // RecurrentGemmaSdpaAttention._setup_cache: (batch, 1 KV head, attention_window_size 2048, 256) for K and
  // V, even for a 100-token context: 8 layers × 2'048 × (256 + 256) × 2 B = 16'777'216
  auto got = kvspec::size_runtime(*spec, hf(100));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(got->kv_bytes, 16'777'216);
  // RG-LRU state, 18 layers × (3 × 2'560 conv values × 2 B + 2'560 × 4 B) = 18 × 25'600 = 460'800
  EXPECT_EQ(got->state_bytes, 460'800);
}

}  // namespace
