// The mlx-lm profile: 256-token growth, rotating windowed caches, quantized caches, by hand.
#include <gtest/gtest.h>

#include "kvspec/load.hpp"
#include "kvspec/runtime.hpp"

namespace {

kvspec::ModelCacheSpec gemma3_12b() {
  auto s = kvspec::load_model(std::string(KVSPEC_TEST_DATA) + "/configs/mlx-community__gemma-3-12b-it-4bit");
  EXPECT_TRUE(s) << s.error().message();
  return s ? *s : kvspec::ModelCacheSpec{};
}

kvspec::RuntimeRequest mlx(std::int64_t context) {
  kvspec::RuntimeRequest q;
  q.runtime = kvspec::Runtime::mlx;
  q.context = context;
  q.k_dtype = q.v_dtype = kvspec::CacheDType::bf16;
  return q;
}

TEST(RuntimeMlx, Gemma3_12bAt32kByHand) {
  auto spec = gemma3_12b();
  ASSERT_EQ(spec.num_layers(), 48);
  auto got = kvspec::size_runtime(spec, mlx(32'768));
  ASSERT_TRUE(got) << got.error().message();
  // One token of one layer: K 8 heads × 256 × 2 B = 4'096 B, V the same: 8'192 B.
  // make_cache: KVCache for i % 6 == 5 (8 layers), RotatingKVCache(max_size=1024) for the other 40.
  // KVCache: round_up(32'768, 256) = 32'768 tokens -> 8 × 32'768 × 8'192 = 2'147'483'648
  // RotatingKVCache: min(32'768, 1'024) = 1'024 tokens -> 40 × 1'024 × 8'192 = 335'544'320
  EXPECT_EQ(got->total_bytes, 2'147'483'648 + 335'544'320);
  EXPECT_EQ(got->per_layer_tokens[5], 32'768);
  EXPECT_EQ(got->per_layer_tokens[0], 1'024);
}

TEST(RuntimeMlx, GrowthIn256Steps) {
  auto spec = gemma3_12b();
  auto got = kvspec::size_runtime(spec, mlx(1'000));
  ASSERT_TRUE(got) << got.error().message();
  // KVCache: round_up(1'000, 256) = 1'024; RotatingKVCache grows by 256 up to its 1'024 window: 1'024 too.
  // 48 × 1'024 × 8'192 = 402'653'184
  EXPECT_EQ(got->total_bytes, 402'653'184);
  auto small = kvspec::size_runtime(spec, mlx(300));
  ASSERT_TRUE(small);
  // round_up(300, 256) = 512 for both kinds (512 < 1'024): 48 × 512 × 8'192 = 201'326'592
  EXPECT_EQ(small->total_bytes, 201'326'592);
}

TEST(RuntimeMlx, KvBitsRefusedWithRotatingLayers) {
  auto q = mlx(4096);
  q.mlx.kv_bits = 4;
  EXPECT_FALSE(kvspec::size_runtime(gemma3_12b(), q));  // "RotatingKVCache Quantization NYI"
}

TEST(RuntimeMlx, QuantizedKvCacheByHand) {
  auto spec = kvspec::load_model(std::string(KVSPEC_TEST_DATA) + "/configs/meta-llama__Llama-3.1-8B");
  ASSERT_TRUE(spec) << spec.error().message();
  auto q = mlx(4'000);
  q.mlx.kv_bits = 4;
  auto got = kvspec::size_runtime(*spec, q);
  ASSERT_TRUE(got) << got.error().message();
  // Row of 8 heads × 128 = 1'024 values: 1'024 × 4 / 8 = 512 B packed + 1'024 / 64 = 16 scales + 16 biases ×
  // 2 B = 576 B; K and V: 1'152 B per token per layer; round_up(4'000, 256) = 4'096 tokens; 32 layers: 32 ×
  // 4'096 × 1'152 = 150'994'944
  EXPECT_EQ(got->total_bytes, 150'994'944);
  q.mlx.kv_bits = 8;  // 1'024 + 64 = 1'088 B per row -> 32 × 4'096 × 2'176 = 285'212'672
  auto q8 = kvspec::size_runtime(*spec, q);
  ASSERT_TRUE(q8);
  EXPECT_EQ(q8->total_bytes, 285'212'672);
}

TEST(RuntimeMlx, Gemma2HasNoWindowInMlx) {
  auto spec = kvspec::spec_from_config_text(
      R"({"model_type": "gemma2", "num_hidden_layers": 4, "num_attention_heads": 8, "num_key_value_heads": 4,
          "head_dim": 256, "hidden_size": 2304, "sliding_window": 4096})",
      "gemma2-mini");
  ASSERT_TRUE(spec) << spec.error().message();
  ASSERT_EQ(spec->count(kvspec::LayerKind::sliding_attention), 2);
  auto got = kvspec::size_runtime(*spec, mlx(8'192));
  ASSERT_TRUE(got) << got.error().message();
  // mlx-lm gemma2.py has no make_cache: every layer a KVCache of 8'192 tokens; 4 × 256 × 2 B × 2 = 4'096
  // B/token 4 layers × 8'192 × 4'096 = 134'217'728
  EXPECT_EQ(got->total_bytes, 134'217'728);
}

TEST(RuntimeMlx, Plamo2AttentionLayersKeepEveryToken) {
  // mlx-lm plamo2.py (d78bf58e) make_cache: ArraysCache for Mamba layers, a plain KVCache for attention
  // layers ("TODO use RotatingKVCache"), although the reference modeling keeps a 2048-token window.
  auto spec = kvspec::spec_from_config_text(
      R"({"model_type": "plamo2", "num_hidden_layers": 4, "hidden_size": 2048, "num_attention_heads": 16,
          "num_key_value_heads": 1, "hidden_size_per_head": 128, "attention_window_size": 2048,
          "mamba_num_heads": 32, "mamba_d_state": 64, "mamba_d_conv": 4, "torch_dtype": "bfloat16"})",
      "plamo2-mini");
  ASSERT_TRUE(spec) << spec.error().message();
  ASSERT_EQ(spec->count(kvspec::LayerKind::sliding_attention), 2);  // layers 1 and 3 (i % 2 == 1)
  auto got = kvspec::size_runtime(*spec, mlx(8'192));
  ASSERT_TRUE(got) << got.error().message();
  // attention: 2 layers × 8'192 tokens × (1 × 128 K + 128 V) × 2 B = 8'388'608 (not 2'048 tokens)
  EXPECT_EQ(got->kv_bytes, 8'388'608);
  // Mamba: 2 layers × (conv 3 × 32 × 128 × 2 B = 24'576 + SSM 32 × 128 × 64 × 4 B = 1'048'576) = 2'146'304
  EXPECT_EQ(got->state_bytes, 2'146'304);
}

}  // namespace
