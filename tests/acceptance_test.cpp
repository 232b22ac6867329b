// Issue 2's acceptance figures: the four mlx-community 4-bit models of the original experiment, at f16.
#include "test_util.hpp"

namespace kvspec::test {
namespace {

TEST(Acceptance, Llama31_8B_Instruct_4bit) {
  auto s = load_fixture("mlx-community__Meta-Llama-3.1-8B-Instruct-4bit");
  EXPECT_EQ(s.num_layers(), 32);
  EXPECT_EQ(s.num_kv_heads(), 8);
  EXPECT_EQ(s.head_dim, 128);
  EXPECT_TRUE(s.is_uniform());
  EXPECT_EQ(s.count(LayerKind::full_attention), 32);
  // 32 layers × 2 (K,V) × 8 heads × 128 dims × 2 bytes × 1024 tokens = 134'217'728 B = 128 MiB
  EXPECT_EQ(exact_bytes(s, 1024), 128 * MiB);
  ASSERT_TRUE(s.quantization);
  EXPECT_EQ(s.quantization->bits, 4);
  EXPECT_EQ(s.quantization->group_size, 64);
}

TEST(Acceptance, Qwen25_14B_Instruct_4bit) {
  auto s = load_fixture("mlx-community__Qwen2.5-14B-Instruct-4bit");
  EXPECT_EQ(s.num_layers(), 48);
  EXPECT_EQ(s.num_kv_heads(), 8);
  EXPECT_EQ(s.head_dim, 128);  // 5120 / 40
  EXPECT_TRUE(s.is_uniform());
  EXPECT_EQ(s.count(LayerKind::full_attention), 48);  // use_sliding_window false: sliding_window inert
  EXPECT_EQ(s.sliding_window, std::nullopt);
  // 48 × 2 × 8 × 128 × 2 × 1024 = 201'326'592 B = 192 MiB
  EXPECT_EQ(exact_bytes(s, 1024), 192 * MiB);
  ASSERT_TRUE(s.quantization);
  EXPECT_EQ(s.quantization->bits, 4);
  EXPECT_EQ(s.quantization->group_size, 64);
}

TEST(Acceptance, Qwen15_MoE_A27B_4bit) {
  auto s = load_fixture("mlx-community__Qwen1.5-MoE-A2.7B-4bit");
  EXPECT_EQ(s.num_layers(), 24);
  EXPECT_EQ(s.num_kv_heads(), 16);
  EXPECT_EQ(s.head_dim, 128);  // 2048 / 16
  EXPECT_TRUE(s.is_uniform());
  ASSERT_TRUE(s.moe);
  EXPECT_EQ(s.moe->num_experts, 60);
  EXPECT_EQ(s.moe->experts_per_token, 4);
  EXPECT_EQ(s.moe->num_shared_experts, 1);  // shared_expert_intermediate_size 5632 > 0
  // 24 × 2 × 16 × 128 × 2 × 1024 = 201'326'592 B = 192 MiB
  EXPECT_EQ(exact_bytes(s, 1024), 192 * MiB);
  ASSERT_TRUE(s.quantization);
  EXPECT_EQ(s.quantization->bits, 4);
  EXPECT_EQ(s.quantization->group_size, 64);
}

TEST(Acceptance, Gemma3_12B_it_4bit) {
  auto s = load_fixture("mlx-community__gemma-3-12b-it-4bit");
  EXPECT_EQ(s.num_layers(), 48);
  EXPECT_EQ(s.num_kv_heads(), 8);
  EXPECT_EQ(s.head_dim, 256);  // Gemma3TextConfig default, not 3840 / 16 = 240
  EXPECT_FALSE(s.is_uniform());
  for (int i = 0; i < 48; ++i) {
    bool global = i % 6 == 5;  // layers 5, 11, ..., 47
    EXPECT_EQ(s.layers[i].kind, global ? LayerKind::full_attention : LayerKind::sliding_attention) << i;
    if (!global) {
      EXPECT_EQ(s.layers[i].window, 1024);
    }
  }
  // per layer per token: 2 × 8 × 256 × 2 = 8192 B.
  // 1024 tokens: every layer holds 1024 → 48 × 8192 × 1024 = 402'653'184 B = 384 MiB
  EXPECT_EQ(exact_bytes(s, 1024), 384 * MiB);
  // 32768 tokens: 8 full × 8192 × 32768 = 2048 MiB, 40 sliding × 8192 × 1024 = 320 MiB → 2368 MiB
  EXPECT_EQ(exact_bytes(s, 32768), 2368 * MiB);
  ASSERT_TRUE(s.quantization);
  EXPECT_EQ(s.quantization->bits, 4);
  EXPECT_EQ(s.quantization->group_size, 64);
  EXPECT_EQ(compact_pattern(s), "[5×sliding(1024), 1×full] × 8");
}

}  // namespace
}  // namespace kvspec::test
