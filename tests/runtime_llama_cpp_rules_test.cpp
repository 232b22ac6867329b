// The llama.cpp profile's model-specific rules, each worked out by hand from llama.cpp's code at
// ggml-org/llama.cpp 34af94cd (2026-08-17): the DSA indexer key cache, architectures with no memory, what
// llama_init_from_model refuses with flash attention not off, and the V padding of layers without KV heads.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "kvspec/gguf.hpp"
#include "kvspec/load.hpp"
#include "kvspec/runtime.hpp"
#include "support/gguf_writer.hpp"

namespace {

using kvspec::CacheDType;
using kvspec::FlashAttn;
using kvspec::LayerKind;
using kvspec::LayerSpec;
using kvspec::ModelCacheSpec;

constexpr std::int64_t MiB = 1024 * 1024;

// "%.2f" of bytes / 2^20, as llama.cpp prints MiB.
std::string mib(std::int64_t bytes) {
  return fmt::format("{:.2f}", static_cast<double>(bytes) / 1048576.0);
}

LayerSpec attn(LayerKind kind, std::int64_t heads, std::int64_t k, std::int64_t v) {
  LayerSpec l;
  l.kind = kind;
  l.num_kv_heads = heads;
  l.head_dim_k = k;
  l.head_dim_v = v;
  return l;
}

ModelCacheSpec uniform(const char* type, int layers, LayerSpec l) {
  ModelCacheSpec s;
  s.model_type = type;
  s.layers.assign(static_cast<std::size_t>(layers), l);
  return s;
}

kvspec::RuntimeRequest request(std::int64_t n_ctx, FlashAttn fa = FlashAttn::automatic,
                               CacheDType k = CacheDType::f16, CacheDType v = CacheDType::f16) {
  kvspec::RuntimeRequest q;
  q.runtime = kvspec::Runtime::llama_cpp;
  q.context = n_ctx;
  q.llama_cpp.flash_attn = fa;
  q.k_dtype = k;
  q.v_dtype = v;
  return q;
}

std::int64_t detail(const kvspec::RuntimeSize& r, std::string_view key) {
  for (const auto& d : r.details)
    if (d.key == key) return d.value;
  return -1;
}

// DeepSeek-V3.2 (deepseek-ai/DeepSeek-V3.2 config.json): 61 trunk layers (+1 MTP, not cached), MLA latent
// kv_lora_rank 512 + rope 64 = 576, index_head_dim 128 on every layer.
ModelCacheSpec deepseek_v32() {
  ModelCacheSpec s = uniform("deepseek32", 61, attn(LayerKind::mla, 1, 576, 0));
  s.mla = kvspec::MlaDims{512, 64, 128, 128, 128};
  kvspec::CacheComponent idx;
  idx.name = "indexer keys";
  idx.values_per_token = 61 * 128;
  idx.bytes_per_token = 61 * 128 * 2;
  s.extra_components.push_back(idx);
  return s;
}

// llama-model.cpp create_memory: LLM_ARCH_DEEPSEEK32 / GLM_DSA -> llama_kv_cache_dsa: kv_mla (the latent, no
// V) and kv_lid (llama-kv-cache-dsa.cpp: n_head_kv 1, n_embd_head_k = indexer_head_size, same type_k, no V
// because hparams.is_mla()), both n_ctx_seq cells.
TEST(RuntimeLlamaCppRules, DsaIndexerKeyCache) {
  auto got = kvspec::size_runtime(deepseek_v32(), request(4096));
  ASSERT_TRUE(got) << got.error().message();
  // latent: 61 × 576 × 2 B × 4096 = 287'834'112 B (274.5 MiB); indexer: 61 × 128 × 2 B × 4096 = 63'963'136 B
  // (61 MiB); llama.cpp holds 335.5 MiB.
  EXPECT_EQ(detail(*got, "indexer_bytes"), 61LL * 128 * 2 * 4096);
  EXPECT_EQ(got->k_bytes, 61LL * 576 * 2 * 4096 + 61LL * 128 * 2 * 4096);
  EXPECT_EQ(got->v_bytes, 0);
  EXPECT_EQ(mib(got->kv_bytes), "335.50");
  EXPECT_EQ(mib(got->kv_bytes - detail(*got, "indexer_bytes")), "274.50");
  // the spec kvspec reads from the model's config.json carries the same indexer (index_head_dim 128 × 61)
  auto cfg =
      kvspec::load_model(std::string(KVSPEC_TEST_DATA) + "/configs/deepseek-ai__DeepSeek-V3.2/config.json");
  ASSERT_TRUE(cfg) << cfg.error().message();
  auto from_cfg = kvspec::size_runtime(*cfg, request(4096));
  ASSERT_TRUE(from_cfg) << from_cfg.error().message();
  EXPECT_EQ(from_cfg->kv_bytes, got->kv_bytes);

  // q8_0 (K and V: an MLA model takes one type), flash attention on, 4 sequences of 4096 cells: a 576-value
  // row is 18 blocks × 34 B = 612 B, a 128-value row 4 × 34 = 136 B. --context is tokens per sequence
  // (llama.cpp's -c 16384 -np 4).
  auto q = request(4096, FlashAttn::on, CacheDType::q8_0, CacheDType::q8_0);
  q.batch = 4;
  auto q8 = kvspec::size_runtime(deepseek_v32(), q);
  ASSERT_TRUE(q8) << q8.error().message();
  EXPECT_EQ(*q8->cells, 4096);
  EXPECT_EQ(q8->kv_bytes, 61LL * (612 + 136) * 4096 * 4);
}

// The same from a deepseek32 GGUF header (attention.indexer.key_length), and a glm-dsa one whose
// attention.indexer.types marks some layers.
TEST(RuntimeLlamaCppRules, DsaIndexerFromGguf) {
  using kvspec::test::GgufWriter;
  auto mla_keys = [](GgufWriter& w, const std::string& a, std::uint32_t blocks) {
    w.str("general.architecture", a);
    w.u32(a + ".block_count", blocks);
    w.u32(a + ".nextn_predict_layers", 1);
    w.u32(a + ".embedding_length", 7168);
    w.u32(a + ".attention.head_count", 128);
    w.u32(a + ".attention.head_count_kv", 1);
    w.u32(a + ".attention.key_length", 576);
    w.u32(a + ".attention.value_length", 512);
    w.u32(a + ".attention.key_length_mla", 192);
    w.u32(a + ".attention.value_length_mla", 128);
    w.u32(a + ".attention.kv_lora_rank", 512);
    w.u32(a + ".rope.dimension_count", 64);
    w.u32(a + ".attention.indexer.head_count", 64);
    w.u32(a + ".attention.indexer.key_length", 128);
  };
  GgufWriter ds;
  mla_keys(ds, "deepseek32", 62);
  std::string path = testing::TempDir() + "kvspec_rules_deepseek32.gguf";
  ds.write(path);
  auto spec = kvspec::spec_from_gguf(path);
  ASSERT_TRUE(spec) << spec.error().message();
  auto got = kvspec::size_runtime(*spec, request(4096));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(mib(got->kv_bytes), "335.50");  // as above: 62 blocks - 1 MTP = 61 layers

  // GLM-5.2-like: 78 trunk layers, indexer.types true on 0, 1 and every 4th from 2 (21 layers).
  GgufWriter glm;
  mla_keys(glm, "glm-dsa", 79);
  std::vector<bool> types(78);
  for (std::size_t il = 0; il < 78; ++il) types[il] = il < 2 || (il - 2) % 4 == 0;
  glm.arr_bool("glm-dsa.attention.indexer.types", types);
  path = testing::TempDir() + "kvspec_rules_glm_dsa.gguf";
  glm.write(path);
  auto gspec = kvspec::spec_from_gguf(path);
  ASSERT_TRUE(gspec) << gspec.error().message();
  auto g = kvspec::size_runtime(*gspec, request(4096));
  ASSERT_TRUE(g) << g.error().message();
  // latent 78 × 576 × 2 × 4096 = 351 MiB; indexer 21 × 128 × 2 × 4096 = 21 MiB
  EXPECT_EQ(detail(*g, "indexer_bytes"), 21LL * 128 * 2 * 4096);
  EXPECT_EQ(g->kv_bytes, 78LL * 576 * 2 * 4096 + 21LL * 128 * 2 * 4096);
  EXPECT_EQ(g->kv_bytes, 372 * MiB);
}

// create_memory returns nullptr for BERT-likes, gemma-embedding and the diffusion LMs: no cache at all.
TEST(RuntimeLlamaCppRules, NonCausalModelsKeepNoCache) {
  for (const char* type : {"gemma-embedding", "bert", "nomic-bert", "modern-bert", "llada"}) {
    SCOPED_TRACE(type);
    auto got =
        kvspec::size_runtime(uniform(type, 24, attn(LayerKind::full_attention, 3, 256, 256)), request(2048));
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_EQ(got->kv_bytes, 0);
    EXPECT_EQ(got->total_bytes, 0);
    EXPECT_FALSE(got->cells.has_value());
  }
}

// Phi-2 (microsoft/phi-2: 32 layers, 32 heads × 80): llama_init_from_model refuses a q8_0 K (block 32) with
// flash attention auto or on, since 80 % 32 != 0; with it off the K row (32 × 80 = 2560 values) is whole
// blocks and the context is created.
TEST(RuntimeLlamaCppRules, QuantizedKNeedsWholeBlocksPerHeadUnlessFlashAttentionOff) {
  ModelCacheSpec phi2 = uniform("phi2", 32, attn(LayerKind::full_attention, 32, 80, 80));
  for (FlashAttn fa : {FlashAttn::automatic, FlashAttn::on}) {
    auto got = kvspec::size_runtime(phi2, request(4096, fa, CacheDType::q8_0, CacheDType::f16));
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, kvspec::ErrorCode::usage);
    EXPECT_EQ(got.error().field, "--kv-dtype");
  }
  // the V side alike: q8_0 K and V under auto (which a quantized V turns on)
  auto both =
      kvspec::size_runtime(phi2, request(4096, FlashAttn::automatic, CacheDType::q8_0, CacheDType::q8_0));
  ASSERT_FALSE(both);
  auto off = kvspec::size_runtime(phi2, request(4096, FlashAttn::off, CacheDType::q8_0, CacheDType::f16));
  ASSERT_TRUE(off) << off.error().message();
  // K: 2560 values = 80 blocks × 34 B = 2720 B; V: 2560 × 2 B = 5120 B; × 32 layers × 4096 cells = 980 MiB
  EXPECT_EQ(off->k_bytes, 2720LL * 32 * 4096);
  EXPECT_EQ(off->v_bytes, 5120LL * 32 * 4096);
  EXPECT_EQ(mib(off->kv_bytes), "980.00");
}

// llama_init_from_model: "model does not support different K and V cache types" when hparams.is_mla().
TEST(RuntimeLlamaCppRules, MlaRefusesDifferentKAndVTypes) {
  ModelCacheSpec lite = uniform("deepseek2", 27, attn(LayerKind::mla, 1, 576, 0));
  lite.mla = kvspec::MlaDims{512, 64, 128, 128, 16};
  auto mixed = kvspec::size_runtime(lite, request(4096, FlashAttn::on, CacheDType::q8_0, CacheDType::f16));
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().field, "--v-dtype");
  // q8_0 both, under auto (turned on by the quantized V): 27 × 612 B × 4096 = 67'682'304 B = 64.55 MiB, the
  // measured deepseek_v2_lite/c4k_q8_fa figure.
  auto same =
      kvspec::size_runtime(lite, request(4096, FlashAttn::automatic, CacheDType::q8_0, CacheDType::q8_0));
  ASSERT_TRUE(same) << same.error().message();
  EXPECT_EQ(same->kv_bytes, 27LL * 612 * 4096);
  EXPECT_EQ(mib(same->kv_bytes), "64.55");
}

// A CPU build resolves auto to on for Gemma 2 and for MLA models: ggml-cpu's supports_op takes every
// FLASH_ATTN_EXT, so resolve_fused_ops finds no device mismatch. The measured refusals of a q8_0 V for
// gemma2_9b and deepseek_v2_lite (tests/data/llama.cpp/measured.tsv) come from node-llama-cpp passing flash
// attention off for them (GgufInsights.flashAttentionSupported), which the other rows of those models show
// ("disabled" where the llama and gemma3 rows say "auto").
TEST(RuntimeLlamaCppRules, AutoFlashAttentionIsOnForGemma2OnTheCpu) {
  ModelCacheSpec g2;
  g2.model_type = "gemma2";
  for (int i = 0; i < 42; ++i) {
    LayerSpec l = attn(i % 2 == 0 ? LayerKind::sliding_attention : LayerKind::full_attention, 8, 256, 256);
    if (i % 2 == 0) l.window = 4096;
    g2.layers.push_back(l);
  }
  auto got =
      kvspec::size_runtime(g2, request(4096, FlashAttn::automatic, CacheDType::q8_0, CacheDType::q8_0));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(*got->flash_attn);
  // 8 × 256 = 2048 values = 64 q8_0 blocks × 34 B = 2176 B for K and for V; base 21 layers × 4096 cells, SWA
  // 21 layers × pad256(min(4096, 4096 + 512)) = 4096 cells: 42 × 4096 × 4352 B = 714 MiB
  EXPECT_EQ(got->kv_bytes, 42LL * 4096 * 2 * 2176);
  EXPECT_EQ(mib(got->kv_bytes), "714.00");
  // explicitly off, the q8_0 V is refused, as measured
  EXPECT_FALSE(kvspec::size_runtime(g2, request(4096, FlashAttn::off, CacheDType::q8_0, CacheDType::q8_0)));
}

// Llama-3.1-Nemotron-51B (nvidia/Llama-3_1-Nemotron-51B-Instruct block_configs): 80 layers, head 8192 / 64 =
// 128; KV heads 64 / n_heads_in_group: 44 layers × 8, 1 × 4, 6 × 2, 3 × 1; 26 layers without attention
// (8 no_op, 18 replace_with_linear; GGUF head_count_kv 0).
ModelCacheSpec nemotron_51b(const char* type) {
  const std::vector<int> kv = {8, 4, 8, 8, 8, 2, 2, 1, 1, 2, 2, 0, 1, 2, 2, 0, 8, 8, 8, 8,
                               8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
                               8, 8, 0, 8, 8, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0,
                               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8};
  ModelCacheSpec s;
  s.model_type = type;
  for (int h : kv) {
    LayerSpec l = attn(LayerKind::full_attention, h, 128, 128);
    if (h == 0) l = LayerSpec{.kind = LayerKind::none};
    s.layers.push_back(l);
  }
  return s;
}

// llama-kv-cache.cpp: every layer (has_kv, no filter) gets K[n_embd_k_gqa(il)] and, without flash attention,
// V[n_embd_v_gqa_max()] — the layers with no KV heads too (K 0 wide, V 8 × 128 = 1024 wide).
TEST(RuntimeLlamaCppRules, NemotronNasPadsVInEveryLayerWithoutFlashAttention) {
  for (const char* type : {"deci", "nemotron-nas"}) {
    SCOPED_TRACE(type);
    ModelCacheSpec s = nemotron_51b(type);
    ASSERT_EQ(s.layers.size(), 80u);
    auto off = kvspec::size_runtime(s, request(4096, FlashAttn::off));
    ASSERT_TRUE(off) << off.error().message();
    // K: (44 × 8 + 4 + 6 × 2 + 3) = 371 heads × 128 × 2 B × 4096 = 371 MiB; V: 80 layers × 1024 × 2 B × 4096
    // = 640 MiB (54 attention layers 432 MiB + 26 others 208 MiB); 1011 MiB.
    EXPECT_EQ(off->k_bytes, 371LL * 128 * 2 * 4096);
    EXPECT_EQ(off->v_bytes, 80LL * 1024 * 2 * 4096);
    EXPECT_EQ(mib(off->kv_bytes), "1011.00");
    EXPECT_EQ(off->per_layer_bytes[11], 1024LL * 2 * 4096);  // a no_op layer: V only
    // flash attention on: V at each layer's own width, nothing for the headless layers: 371 + 371 MiB
    auto on = kvspec::size_runtime(s, request(4096, FlashAttn::on));
    ASSERT_TRUE(on) << on.error().message();
    EXPECT_EQ(on->kv_bytes, 2 * 371LL * 128 * 2 * 4096);
    EXPECT_EQ(on->per_layer_bytes[11], 0);
  }
  // the spec from the model's config.json (block_configs) gives the same 1011 MiB
  auto cfg = kvspec::load_model(std::string(KVSPEC_TEST_DATA) +
                                "/configs/nvidia__Llama-3_1-Nemotron-51B-Instruct/config.json");
  ASSERT_TRUE(cfg) << cfg.error().message();
  auto off = kvspec::size_runtime(*cfg, request(4096, FlashAttn::off));
  ASSERT_TRUE(off) << off.error().message();
  EXPECT_EQ(off->kv_bytes, 371LL * 128 * 2 * 4096 + 80LL * 1024 * 2 * 4096);
}

}  // namespace
