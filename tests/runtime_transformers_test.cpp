// The transformers profile: DynamicCache semantics, by hand.
#include <gtest/gtest.h>

#include "kvspec/load.hpp"
#include "kvspec/runtime.hpp"

namespace {

kvspec::RuntimeRequest hf(std::int64_t context) {
  kvspec::RuntimeRequest q;
  q.runtime = kvspec::Runtime::transformers;
  q.context = context;
  q.k_dtype = q.v_dtype = kvspec::CacheDType::bf16;
  return q;
}

TEST(RuntimeTransformers, SlidingLayersKeepWindowMinusOne) {
  auto spec =
      kvspec::load_model(std::string(KVSPEC_TEST_DATA) + "/configs/mlx-community__gemma-3-12b-it-4bit");
  ASSERT_TRUE(spec) << spec.error().message();
  auto got = kvspec::size_runtime(*spec, hf(32'768));
  ASSERT_TRUE(got) << got.error().message();
  // 8'192 B per token per layer; 8 full layers × 32'768 = 2'147'483'648; 40 sliding layers × (1'024 - 1)
  // tokens = 40 × 1'023 × 8'192 = 335'216'640
  EXPECT_EQ(got->total_bytes, 2'147'483'648 + 335'216'640);
  EXPECT_EQ(got->per_layer_tokens[0], 1'023);
}

TEST(RuntimeTransformers, MlaDecompressed) {
  // DeepSeek-V3: 61 layers, 128 heads, nope 128, rope 64, v 128, latent 512 + 64.
  kvspec::ModelCacheSpec spec;
  spec.model_type = "deepseek_v3";
  spec.mla = kvspec::MlaDims{512, 64, 128, 128, 128};
  for (int i = 0; i < 61; ++i) {
    kvspec::LayerSpec l;
    l.kind = kvspec::LayerKind::mla;
    l.num_kv_heads = 1;
    l.head_dim_k = 576;
    spec.layers.push_back(l);
  }
  auto got = kvspec::size_runtime(spec, hf(1'000));
  ASSERT_TRUE(got) << got.error().message();
  // K 128 × (128 + 64) = 24'576 + V 128 × 128 = 16'384 values × 2 B = 81'920 B per layer per token;
  // × 61 = 4'997'120 B per token; × 1'000 tokens
  EXPECT_EQ(got->total_bytes, 4'997'120'000);
  spec.mla.reset();
  EXPECT_FALSE(kvspec::size_runtime(spec, hf(1'000)));  // cannot decompress without the geometry
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
