// The vLLM profile: pages, blocks per request, groups and tensor / pipeline splits, derived by hand.
#include <gtest/gtest.h>

#include "kvspec/load.hpp"
#include "kvspec/runtime.hpp"

namespace {

kvspec::ModelCacheSpec load(const std::string& name) {
  auto s = kvspec::load_model(std::string(KVSPEC_TEST_DATA) + "/configs/" + name);
  EXPECT_TRUE(s) << s.error().message();
  return s ? *s : kvspec::ModelCacheSpec{};
}

kvspec::RuntimeRequest vllm(std::int64_t context, std::int64_t batch = 1) {
  kvspec::RuntimeRequest q;
  q.runtime = kvspec::Runtime::vllm;
  q.context = context;
  q.batch = batch;
  q.k_dtype = q.v_dtype = kvspec::CacheDType::bf16;
  return q;
}

TEST(RuntimeVllm, Llama31_8bPageAndBlocksByHand) {
  auto spec = load("meta-llama__Llama-3.1-8B");
  auto got = kvspec::size_runtime(spec, vllm(131072));  // max_position_embeddings
  ASSERT_TRUE(got) << got.error().message();
  // FullAttentionSpec page = block 16 × 8 KV heads × (128 + 128) × 2 bytes = 65'536 B per layer
  EXPECT_EQ(*got->page_bytes, 65'536);
  // one block id across the 32 layers' tensors: 32 × 65'536 = 2'097'152 B
  EXPECT_EQ(*got->bytes_per_block, 2'097'152);
  // blocks per request = cdiv(131'072, 16) = 8'192
  EXPECT_EQ(*got->blocks_per_request, 8'192);
  EXPECT_EQ(*got->kv_groups, 1);
  // 8'192 blocks × 2 MiB = 16 GiB
  EXPECT_EQ(got->total_bytes, 17'179'869'184);

  // A context that is not a block multiple takes a whole last block: cdiv(8'000, 16) = 500.
  auto short_ctx = kvspec::size_runtime(spec, vllm(8'000, 3));
  ASSERT_TRUE(short_ctx);
  EXPECT_EQ(*short_ctx->blocks_per_request, 500);
  EXPECT_EQ(short_ctx->total_bytes, 3LL * 500 * 2'097'152);

  // max concurrency = num_blocks / blocks per request: 20 GiB holds 10'240 blocks; 10'240 / 8'192 = 1.25
  auto cap = kvspec::vllm_capacity(spec, vllm(131072), 20LL << 30);
  ASSERT_TRUE(cap);
  EXPECT_EQ(cap->num_blocks, 10'240);
  EXPECT_DOUBLE_EQ(cap->max_concurrency, 1.25);
}

TEST(RuntimeVllm, DeepSeekV3LatentWholeOnEveryRank) {
  // DeepSeek-V3: 61 MLA layers caching one latent of kv_lora_rank 512 + qk_rope_head_dim 64 = 576 values.
  kvspec::ModelCacheSpec spec;
  spec.model_type = "deepseek_v3";
  for (int i = 0; i < 61; ++i) {
    kvspec::LayerSpec l;
    l.kind = kvspec::LayerKind::mla;
    l.num_kv_heads = 1;
    l.head_dim_k = 576;
    spec.layers.push_back(l);
  }
  auto q = vllm(163'840);
  q.tp = 8;
  auto got = kvspec::size_runtime(spec, q);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(*got->kv_heads_per_rank, 1);
  // MLAAttentionSpec page = 16 × 1 × 576 × 2 = 18'432 B (no factor 2), on every one of the 8 ranks
  EXPECT_EQ(*got->page_bytes, 18'432);
  // 61 × 18'432 = 1'124'352 B per block per rank; cdiv(163'840, 16) = 10'240 blocks
  EXPECT_EQ(*got->bytes_per_block, 1'124'352);
  EXPECT_EQ(got->total_bytes, 10'240LL * 1'124'352);
  q.tp = 1;
  auto one = kvspec::size_runtime(spec, q);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->total_bytes, got->total_bytes);  // replicated, not divided
}

TEST(RuntimeVllm, Llama31_70bTp16OneKvHeadPerRank) {
  auto spec = load("meta-llama__Llama-3.1-70B");
  auto q = vllm(131072);
  q.tp = 16;
  auto got = kvspec::size_runtime(spec, q);
  ASSERT_TRUE(got) << got.error().message();
  // max(1, 8 KV heads // 16) = max(1, 0) = 1
  EXPECT_EQ(*got->kv_heads_per_rank, 1);
  // page = 16 × 1 × (128 + 128) × 2 = 8'192 B; × 80 layers = 655'360 B per block
  EXPECT_EQ(*got->page_bytes, 8'192);
  EXPECT_EQ(*got->bytes_per_block, 655'360);
  q.tp = 4;  // 8 // 4 = 2 heads: page 16'384
  auto tp4 = kvspec::size_runtime(spec, q);
  ASSERT_TRUE(tp4);
  EXPECT_EQ(*tp4->kv_heads_per_rank, 2);
  EXPECT_EQ(*tp4->page_bytes, 16'384);
}

TEST(RuntimeVllm, PipelineStagesSplitLayers) {
  auto spec = load("meta-llama__Llama-3.1-8B");
  auto q = vllm(4096);
  q.pp = 3;
  auto got = kvspec::size_runtime(spec, q);
  ASSERT_TRUE(got) << got.error().message();
  // get_pp_indices: 32 // 3 = 10 each, remainder 2 -> partitions[-2] and [-3] + 1 = [11, 11, 10]
  EXPECT_EQ(*got->layers_per_rank, 11);
  // 11 × 65'536 = 720'896 B per block; cdiv(4'096, 16) = 256 blocks
  EXPECT_EQ(*got->bytes_per_block, 720'896);
  EXPECT_EQ(got->total_bytes, 256LL * 720'896);
}

TEST(RuntimeVllm, Gemma3HybridGroups) {
  auto spec = load("mlx-community__gemma-3-12b-it-4bit");
  auto got = kvspec::size_runtime(spec, vllm(32'768));
  ASSERT_TRUE(got) << got.error().message();
  // page = 2 × 16 × 8 × 256 × 2 = 131'072 B for both kinds; 40 sliding + 8 full layers:
  // group_size = 8 (40 ≥ 1.5 × 8), sliding split into 5 groups, full 1 group -> 6 groups of 8 layers
  EXPECT_EQ(*got->kv_groups, 6);
  EXPECT_EQ(*got->group_size, 8);
  EXPECT_EQ(*got->bytes_per_block, 8 * 131'072);
  // full: cdiv(32'768, 16) = 2'048; sliding: cdiv(min(1'023 + 8'192, 32'768), 16) + 1 = 576 + 1 = 577, × 5
  EXPECT_EQ(*got->blocks_per_request, 2'048 + 5 * 577);
  EXPECT_EQ(got->total_bytes, (2'048 + 5 * 577) * 1'048'576LL);
}

TEST(RuntimeVllm, RefusesGgmlTypesAndMixedDtypes) {
  auto spec = load("meta-llama__Llama-3.1-8B");
  auto q = vllm(4096);
  q.k_dtype = q.v_dtype = kvspec::CacheDType::q8_0;
  EXPECT_FALSE(kvspec::size_runtime(spec, q));
  q.k_dtype = kvspec::CacheDType::fp8_e4m3;
  q.v_dtype = kvspec::CacheDType::bf16;
  EXPECT_FALSE(kvspec::size_runtime(spec, q));
  q.v_dtype = kvspec::CacheDType::fp8_e4m3;  // fp8: page = 16 × 8 × 256 × 1 = 32'768
  auto fp8 = kvspec::size_runtime(spec, q);
  ASSERT_TRUE(fp8);
  EXPECT_EQ(*fp8->page_bytes, 32'768);
}

}  // namespace

// vLLM's recurrent state dtypes (mamba_utils.py MambaStateDtypeCalculator; models/config.py hooks): the conv
// state in the model's dtype, the SSM state in mamba_ssm_cache_dtype whose "auto" is the conv dtype, unless a
// model hook sets it (NemotronH: the config's field, else float32; Qwen3.5: the config's mamba_ssm_dtype).
namespace vllm_state {

std::int64_t first_state_page(const kvspec::ModelCacheSpec& spec) {
  auto got = kvspec::size_runtime(spec, vllm(1'000));
  EXPECT_TRUE(got) << got.error().message();
  if (!got) return -1;
  for (std::size_t i = 0; i < spec.layers.size(); ++i)
    if (spec.layers[i].kind == kvspec::LayerKind::recurrent) return got->per_layer_bytes[i];
  return -1;
}

}  // namespace vllm_state

// Mamba-Codestral (mamba2, no hook): conv 30,720 values and SSM 1,048,576 values, both bf16:
// 61,440 + 2,097,152 = 2,158,592 B per layer (transformers would keep the SSM state in float32), 64 layers,
// one page each: 64 × 2,158,592 = 138,149,888.
TEST(RuntimeVllm, MambaSsmStateInTheModelDtype) {
  auto spec = load("mistralai__Mamba-Codestral-7B-v0.1");
  EXPECT_EQ(vllm_state::first_state_page(spec), 2'158'592);
  auto got = kvspec::size_runtime(spec, vllm(1'000));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->total_bytes, 64 * 2'158'592);
}

// Nemotron-H-56B (NemotronHForCausalLM hook, no mamba_ssm_cache_dtype in the config): float32 SSM state:
// conv 61,440 × 2 + SSM 4,194,304 × 4 = 122,880 + 16,777,216 = 16,900,096 B, before the page is padded to
// the attention page (block 4,128 tokens × 8 heads × 256 × 2 B = 16,908,288 B).
TEST(RuntimeVllm, NemotronHSsmStateFloat32) {
  auto spec = load("nvidia__Nemotron-H-56B-Base-8K");
  auto got = kvspec::size_runtime(spec, vllm(1'000));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(got->block_size, 16 * ((16'900'096 + 16 * 4'096 - 1) / (16 * 4'096)));
  EXPECT_EQ(got->block_size, 4'128);
  EXPECT_EQ(vllm_state::first_state_page(spec), 4'128 * 4'096);
}

// DeepSeek-V3.2 (deepseek_v32, 61 MLA layers, index_head_dim 128): vLLM's DeepseekV32IndexerCache adds a
// layer of 128 + 128 / 128 × 4 = 132 bytes per token beside each MLA layer (uint8: fp8 keys and a float32
// scale). bf16: latent (512 + 64) × 2 = 1,152 B + 132 B = 1,284 B per token per layer; 4,096 tokens × 61
// layers: 1,284 × 61 × 4,096 = 320,815,104, of which the indexer 132 × 61 × 4,096 = 32,980,992. One group of
// 122 MLAAttentionSpec layers (uniform type): bytes per block 16 × 1,284 × 61 = 1,253,184.
// fp8 cache: the latent takes the fp8_ds_mla layout, 656 B per token: (656 + 132) × 61 × 4,096 = 196,886,528.
TEST(RuntimeVllm, DeepSeekV32IndexerLayersAndFp8DsMla) {
  auto spec = load("deepseek-ai__DeepSeek-V3.2");
  auto got = kvspec::size_runtime(spec, vllm(4'096));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(got->total_bytes, 320'815'104);
  EXPECT_EQ(got->extra_bytes, 32'980'992);
  EXPECT_EQ(*got->bytes_per_block, 1'253'184);
  EXPECT_EQ(*got->group_size, 122);
  std::int64_t layers = 0;
  for (auto b : got->per_layer_bytes) layers += b;
  EXPECT_EQ(layers + got->extra_bytes, got->total_bytes);
  auto q = vllm(4'096);
  q.k_dtype = q.v_dtype = kvspec::CacheDType::fp8_e4m3;
  auto fp8 = kvspec::size_runtime(spec, q);
  ASSERT_TRUE(fp8) << fp8.error().message();
  EXPECT_EQ(fp8->total_bytes, 196'886'528);
  // A model without sparse attention keeps the plain fp8 latent: DeepSeek-V3, 61 × 576 × 1 B × 4,096.
  auto v3 = kvspec::size_runtime(load("deepseek-ai__DeepSeek-V3"), q);
  ASSERT_TRUE(v3) << v3.error().message();
  EXPECT_EQ(v3->total_bytes, 61LL * 576 * 4'096);
  EXPECT_EQ(v3->extra_bytes, 0);
}
