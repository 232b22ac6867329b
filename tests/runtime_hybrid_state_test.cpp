// Layers that hold both K/V and a recurrent state (Falcon-H1's parallel attention + Mamba-2 mixer in every
// layer, Zamba2's hybrid layers): every runtime keeps both. Figures by hand.
#include <gtest/gtest.h>

#include "kvspec/runtime.hpp"
#include "test_util.hpp"

namespace {

using kvspec::test::from_json;

// Falcon-H1-7B's dimensions: 44 layers, each attention (2 KV heads × 128) and Mamba-2 (d_inner 3,072, 24
// heads × 128, 1 group, d_state 256, d_conv 4).
kvspec::ModelCacheSpec falcon_h1() {
  return from_json(R"({"model_type": "falcon_h1", "hidden_size": 3072, "num_hidden_layers": 44,
                       "num_attention_heads": 12, "num_key_value_heads": 2, "head_dim": 128,
                       "mamba_d_ssm": 3072, "mamba_n_heads": 24, "mamba_d_head": 128, "mamba_n_groups": 1,
                       "mamba_d_state": 256, "mamba_d_conv": 4, "torch_dtype": "bfloat16"})");
}

kvspec::RuntimeRequest request(kvspec::Runtime runtime, std::int64_t context) {
  kvspec::RuntimeRequest q;
  q.runtime = runtime;
  q.context = context;
  q.k_dtype = q.v_dtype = kvspec::CacheDType::bf16;
  return q;
}

// K + V per token per layer: 2 heads × 128 × 2 (K, V) × 2 B = 1,024 B.
// Mamba-2 state, per layer: conv channels 3,072 + 2 × 1 × 256 = 3,584; SSM 24 × 128 × 256 = 786,432 values.
TEST(RuntimeHybridState, ExactCountsBoth) {
  auto got = kvspec::size_runtime(falcon_h1(), request(kvspec::Runtime::exact, 1'000));
  ASSERT_TRUE(got) << got.error().message();
  // KV 44 × 1,024 × 1,000 = 45,056,000; state 44 × (3 × 3,584 × 2 + 786,432 × 4) = 44 × 3,167,232
  EXPECT_EQ(got->kv_bytes, 45'056'000);
  EXPECT_EQ(got->state_bytes, 44 * 3'167'232);
  EXPECT_EQ(got->peak_bytes, got->total_bytes);
}

// llama.cpp (llama-memory-hybrid.cpp: falcon-h1 gets a KV cache and a recurrent memory over the same
// layers; llama-memory-recurrent.cpp: max(1, n_seq_max) cells of f32 R = (d_conv - 1) × channels and S =
// d_state × d_inner).
TEST(RuntimeHybridState, LlamaCppCountsBoth) {
  auto got = kvspec::size_runtime(falcon_h1(), request(kvspec::Runtime::llama_cpp, 1'000));
  ASSERT_TRUE(got) << got.error().message();
  // n_ctx = pad(1,000, 256) = 1,024 cells: 44 × 1,024 × 1,024 = 46,137,344
  EXPECT_EQ(got->kv_bytes, 46'137'344);
  // one cell: R 44 × 3 × 3,584 × 4 = 1,892,352; S 44 × 786,432 × 4 = 138,412,032
  EXPECT_EQ(got->recurrent_cells, 1);
  EXPECT_EQ(got->r_bytes, 1'892'352);
  EXPECT_EQ(got->s_bytes, 138'412'032);
  EXPECT_EQ(got->total_bytes, 46'137'344 + 1'892'352 + 138'412'032);
  EXPECT_EQ(got->per_layer_bytes[0], 1'024 * 1'024 + 3 * 3'584 * 4 + 786'432 * 4);
  EXPECT_EQ(got->peak_bytes, got->total_bytes);  // preallocated
}

// mlx-lm: a KVCache (256-token steps) and the Mamba ArraysCache on every layer, priced as the spec prices it.
TEST(RuntimeHybridState, MlxCountsBoth) {
  auto got = kvspec::size_runtime(falcon_h1(), request(kvspec::Runtime::mlx, 1'000));
  ASSERT_TRUE(got) << got.error().message();
  // round_up(1,000, 256) = 1,024 tokens: 44 × 1,024 × 1,024 = 46,137,344; state 44 × 3,167,232
  EXPECT_EQ(got->kv_bytes, 46'137'344);
  EXPECT_EQ(got->state_bytes, 44 * 3'167'232);
  EXPECT_EQ(got->per_layer_bytes[0], 1'024 * 1'024 + 3'167'232);
}

// vLLM: the mixer is a layer of its own (MambaSpec) beside the attention layer. Its state dtypes
// (mamba_utils.py MambaStateDtypeCalculator): conv and, with mamba_ssm_cache_dtype "auto" (no model hook for
// Falcon-H1), SSM in the model's bf16: 3 × 3,584 × 2 + 786,432 × 2 = 1,594,368 B per layer. Block size raised
// to 16 × cdiv(1,594,368, 16 × 1,024) = 16 × 98 = 1,568 tokens: attention page 1,568 × 1,024 = 1,605,632 B,
// the Mamba page padded to it. Two groups of 44 layers (44 attention, 44 mamba): bytes per block 44 ×
// 1,605,632 = 70,647,808; a request of 1,000 tokens uses cdiv(1,000, 1,568) = 1 attention block + 1 mamba
// block.
TEST(RuntimeHybridState, VllmCountsBoth) {
  auto got = kvspec::size_runtime(falcon_h1(), request(kvspec::Runtime::vllm, 1'000));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(got->block_size, 1'568);
  EXPECT_EQ(got->kv_groups, 2);
  EXPECT_EQ(got->group_size, 44);
  EXPECT_EQ(got->blocks_per_request, 2);
  EXPECT_EQ(got->total_bytes, 2 * 70'647'808);
  EXPECT_EQ(got->state_bytes, 70'647'808);
  EXPECT_EQ(got->per_layer_bytes[0], 2 * 1'605'632);
  EXPECT_EQ(got->peak_bytes, got->total_bytes);
}

// transformers 5.17.0 LinearAttentionLayer: the conv state keeps all 4 kernel columns (bf16), the SSM state
// is float32.
TEST(RuntimeHybridState, TransformersCountsBoth) {
  auto got = kvspec::size_runtime(falcon_h1(), request(kvspec::Runtime::transformers, 1'000));
  ASSERT_TRUE(got) << got.error().message();
  // KV 44 × 1,024 × 1,000 = 45,056,000; state 44 × (4 × 3,584 × 2 + 786,432 × 4) = 44 × 3,174,400
  EXPECT_EQ(got->kv_bytes, 45'056'000);
  EXPECT_EQ(got->state_bytes, 44 * 3'174'400);
  EXPECT_EQ(got->per_layer_bytes[0], 1'024 * 1'000 + 3'174'400);
  EXPECT_EQ(got->peak_bytes, got->total_bytes);
}

// Zamba2-7B: 13 hybrid layers (attention + Mamba) and 68 Mamba layers; every runtime counts the 81 states.
TEST(RuntimeHybridState, Zamba2EveryLayerState) {
  auto spec = kvspec::test::load_fixture("Zyphra__Zamba2-7B");
  ASSERT_EQ(spec.num_layers(), 81);
  // Per layer: conv 3 × 7,424 = 22,272 values, SSM 458,752 values.
  auto mlx = kvspec::size_runtime(spec, request(kvspec::Runtime::mlx, 256));
  ASSERT_TRUE(mlx) << mlx.error().message();
  EXPECT_EQ(mlx->state_bytes, 81 * 1'879'552);  // the spec's 22,272 × 2 + 458,752 × 4
  auto hf = kvspec::size_runtime(spec, request(kvspec::Runtime::transformers, 256));
  ASSERT_TRUE(hf) << hf.error().message();
  EXPECT_EQ(hf->state_bytes, 81 * (4 * 7'424 * 2 + 458'752 * 4));  // 4 conv columns in bf16, SSM float32
}

}  // namespace
