// GGUF layouts of real models -> the layer kinds and bytes per token llama.cpp uses. Measured numbers come
// from tests/data/gguf/measured.tsv (llama.cpp of node-llama-cpp 3.22.1); each per-token figure is derived
// from a measurement with the arithmetic written out, never copied from kvspec's output.
#include <gtest/gtest.h>

#include <string>

#include "kvspec/gguf.hpp"
#include "kvspec/size.hpp"
#include "support/gguf_models.hpp"

namespace kvspec {
namespace {

using test::GgufWriter;

constexpr std::int64_t MiB = 1024 * 1024;

std::string fixture(const char* name) {
  return std::string(KVSPEC_TEST_DATA) + "/gguf/" + name;
}

ModelCacheSpec load(const std::string& path) {
  auto spec = spec_from_gguf(path);
  EXPECT_TRUE(spec) << (spec ? "" : spec.error().message());
  return spec ? *spec : ModelCacheSpec{};
}

ModelCacheSpec load(const GgufWriter& w, const std::string& name, bool with_data = false) {
  std::string path = testing::TempDir() + "kvspec_layout_" + name + ".gguf";
  w.write(path, with_data);
  return load(path);
}

std::int64_t per_token(const ModelCacheSpec& s) {
  auto b = kv_bytes_per_token(s, CacheDType::f16, CacheDType::f16);
  EXPECT_TRUE(b);
  return b ? *b : -1;
}

bool has_warning(const ModelCacheSpec& s, std::string_view text) {
  for (const auto& n : s.notes)
    if (n.level == Note::Level::warning && n.text.find(text) != std::string::npos) return true;
  return false;
}

// --- the header-only copies llama.cpp was measured on
// -----------------------------------------------------------

TEST(GgufLayout, Llama31_8B) {
  ModelCacheSpec s = load(fixture("llama31_8b.gguf"));
  EXPECT_EQ(s.model_type, "llama");
  EXPECT_EQ(layer_strip(s), std::string(32, 'F'));
  // measured llama31_8b/c4k: 512 MiB for 4096 cells, K 256 + V 256 MiB:
  // 512 × 1'048'576 B / 4096 tokens = 131'072 B per token (= 32 layers × 8 heads × 128 × 2 (K,V) × 2 B).
  EXPECT_EQ(per_token(s), 512 * MiB / 4096);
  EXPECT_EQ(per_token(s), 131'072);
  ASSERT_TRUE(s.gguf);
  EXPECT_FALSE(s.gguf->tensor_data_present);
  EXPECT_TRUE(has_warning(s, "header-only"));
}

TEST(GgufLayout, Gemma3_12B_iSWA) {
  ModelCacheSpec s = load(fixture("gemma3_12b.gguf"));
  // llama.cpp set_swa_pattern(6): layer il is sliding iff il % 6 < 5. Measured: 8 kv_layers, 40 swa_layers.
  EXPECT_EQ(layer_strip(s), "SSSSSFSSSSSFSSSSSFSSSSSFSSSSSFSSSSSFSSSSSFSSSSSF");
  EXPECT_EQ(s.count(LayerKind::full_attention), 8);
  EXPECT_EQ(s.count(LayerKind::sliding_attention), 40);
  EXPECT_EQ(s.layers[0].window, 1024);
  // measured gemma3_12b/c4k: non-SWA 256 MiB for 4096 cells × 8 layers -> 256 × 1'048'576 / 4096 / 8 = 8192 B
  // per layer per token; SWA 560 MiB for 1792 cells × 40 layers -> 560 × 1'048'576 / 1792 / 40 = 8192 B. All
  // 48 layers at 8192 B (uncapped by the window): 48 × 8192 = 393'216.
  EXPECT_EQ(256 * MiB / 4096 / 8, 8192);
  EXPECT_EQ(560 * MiB / 1792 / 40, 8192);
  EXPECT_EQ(per_token(s), 48 * 8192);
}

TEST(GgufLayout, Gemma2_9B_AlternatingWindowDefault) {
  ModelCacheSpec s = load(fixture("gemma2_9b.gguf"));
  // set_swa_pattern(2): even layers sliding. Measured 21 kv_layers + 21 swa_layers, n_swa 4096 from the file.
  EXPECT_EQ(s.count(LayerKind::sliding_attention), 21);
  EXPECT_EQ(s.count(LayerKind::full_attention), 21);
  EXPECT_EQ(s.layers[0].kind, LayerKind::sliding_attention);
  EXPECT_EQ(s.layers[1].kind, LayerKind::full_attention);
  EXPECT_EQ(s.sliding_window, 4096);
  // measured gemma2_9b/c4k: 672 MiB per 21 layers at 4096 cells -> 672 × 1'048'576 / 4096 / 21 = 8192 B per
  // layer; 42 layers × 8192 = 344'064.
  EXPECT_EQ(per_token(s), 42 * (672 * MiB / 4096 / 21));
}

TEST(GgufLayout, Qwen15MoE) {
  ModelCacheSpec s = load(fixture("qwen15_moe_a27b.gguf"));
  EXPECT_EQ(s.count(LayerKind::full_attention), 24);
  // measured qwen15_moe_a27b/c4k: 768 MiB / 4096 cells = 196'608 B per token.
  EXPECT_EQ(per_token(s), 768 * MiB / 4096);
  ASSERT_TRUE(s.moe);
  EXPECT_EQ(s.moe->num_experts, 60);
  EXPECT_EQ(s.moe->experts_per_token, 4);
  EXPECT_EQ(s.moe->num_shared_experts, 1);  // expert_shared_feed_forward_length 64 > 0
}

TEST(GgufLayout, Phi3MiniWindowIgnored) {
  ModelCacheSpec s = load(fixture("phi3_mini_4k.gguf"));
  // The file says sliding_window 2047, but llama.cpp disables Phi-3 SWA: measured 32 kv_layers, no SWA cache.
  EXPECT_EQ(layer_strip(s), std::string(32, 'F'));
  EXPECT_FALSE(s.sliding_window);
  // measured phi3_mini_4k/c4k: 1536 MiB / 4096 = 393'216 B per token (32 × 32 heads × 96 × 2 × 2).
  EXPECT_EQ(per_token(s), 1536 * MiB / 4096);
}

TEST(GgufLayout, DeepSeekV2LiteMla) {
  ModelCacheSpec s = load(fixture("deepseek_v2_lite.gguf"));
  EXPECT_EQ(s.count(LayerKind::mla), 27);
  EXPECT_EQ(s.layers[0].num_kv_heads, 1);
  EXPECT_EQ(s.layers[0].head_dim_k, 576);  // kv_lora_rank 512 + rope 64
  EXPECT_EQ(s.layers[0].head_dim_v, 0);
  // measured deepseek_v2_lite/c4k: K 121.5 MiB, V 0 for 4096 cells -> 121.5 × 1'048'576 / 4096 = 31'104 B per
  // token (27 × 576 × 2 B).
  EXPECT_EQ(per_token(s), 1215 * MiB / 10 / 4096);
  EXPECT_EQ(per_token(s), 27 * 576 * 2);
  ASSERT_TRUE(s.mla);
  EXPECT_EQ(s.mla->kv_lora_rank, 512);
  EXPECT_EQ(s.mla->qk_rope_head_dim, 64);
  EXPECT_EQ(s.mla->qk_nope_head_dim, 128);
  EXPECT_EQ(s.mla->v_head_dim, 128);
}

TEST(GgufLayout, Mamba28B) {
  ModelCacheSpec s = load(fixture("mamba_28b.gguf"));
  EXPECT_EQ(s.count(LayerKind::recurrent), 64);
  EXPECT_EQ(per_token(s), 0);
  // measured mamba_28b: R 3.75 MiB, S 20 MiB for 1 cell over 64 layers:
  // R per layer 3.75 × 1'048'576 / 64 = 61'440 B = (d_conv 4 - 1) × d_inner 5120 × 4 B;
  // S per layer 20 × 1'048'576 / 64 = 327'680 B = d_state 16 × 5120 × 4 B.
  EXPECT_EQ(s.layers[0].conv_state_values * 4, 375 * MiB / 100 / 64);
  EXPECT_EQ(s.layers[0].recurrent_state_values * 4, 20 * MiB / 64);
  EXPECT_EQ(s.state_bytes_per_sequence(), 375 * MiB / 100 + 20 * MiB);
  EXPECT_EQ(s.layers[0].conv_kernel, 4);  // ssm.conv_kernel: transformers would keep all 4 columns
}

TEST(GgufLayout, JambaLikeHybrid) {
  ModelCacheSpec s = load(fixture("jamba_v01_like.gguf"));
  // head_count_kv array: 8 at layers 4, 12, 20, 28, 0 elsewhere -> recurrent (llama.cpp: n_head_kv(i) == 0).
  EXPECT_EQ(layer_strip(s), "RRRRFRRRRRRRFRRRRRRRFRRRRRRRFRRR");
  // measured jamba_v01_like/c4k: KV 64 MiB for 4096 cells over 4 layers -> 64 × 1'048'576 / 4096 = 16'384 B
  // per token (4 × 8 heads × 128 × 2 × 2).
  EXPECT_EQ(per_token(s), 64 * MiB / 4096);
  // S 14 MiB over the 28 recurrent layers -> 14 × 1'048'576 / 28 = 524'288 B = 16 × 8192 × 4 B per layer;
  // R printed 2.62 MiB = 28 × 3 × 8192 × 4 = 2'752'512 B (2.625 MiB).
  EXPECT_EQ(s.layers[0].recurrent_state_values * 4, 14 * MiB / 28);
  EXPECT_EQ(s.layers[0].conv_state_values * 4 * 28, 2'752'512);
  EXPECT_EQ(s.state_bytes_per_sequence(), 14 * MiB + 2'752'512);
  EXPECT_EQ(s.layers[4].state_bytes, 0);
}

// --- layouts written by the test writer
// --------------------------------------------------------------------------

// openai/gpt-oss-20b config.json: 24 layers, hidden 2880, 64 heads, 8 KV heads, head_dim 64, sliding_window
// 128, layer_types alternating sliding/full, 32 experts, 4 per token.
GgufWriter gpt_oss_20b() {
  GgufWriter w;
  w.str("general.architecture", "gpt-oss");
  w.u32("general.file_type", 38);  // MOSTLY_MXFP4_MOE
  w.u32("gpt-oss.block_count", 24);
  w.u32("gpt-oss.context_length", 131072);
  w.u32("gpt-oss.embedding_length", 2880);
  w.u32("gpt-oss.feed_forward_length", 2880);
  w.u32("gpt-oss.attention.head_count", 64);
  w.u32("gpt-oss.attention.head_count_kv", 8);
  w.u32("gpt-oss.attention.key_length", 64);
  w.u32("gpt-oss.attention.value_length", 64);
  w.u32("gpt-oss.attention.sliding_window", 128);
  w.u32("gpt-oss.expert_count", 32);
  w.u32("gpt-oss.expert_used_count", 4);
  w.u32("gpt-oss.expert_feed_forward_length", 2880);
  test::add_tokenizer(w, 320);
  w.tensor("token_embd.weight", {2880, 320}, test::kF16T);
  for (int il = 0; il < 24; ++il) {
    std::string p = "blk." + std::to_string(il) + ".";
    w.tensor(p + "attn_k.weight", {2880, 8 * 64}, test::kF16T);
    // Experts stacked: ne = {2880, 2880, 32}, MXFP4 (17 B per 32 values).
    w.tensor(p + "ffn_up_exps.weight", {2880, 2880, 32}, test::kMXFP4T);
  }
  return w;
}

TEST(GgufLayout, GptOss20B) {
  ModelCacheSpec s = load(gpt_oss_20b(), "gpt_oss");
  // set_swa_pattern(2): layer il sliding iff il % 2 < 1.
  EXPECT_EQ(layer_strip(s), "SFSFSFSFSFSFSFSFSFSFSFSF");
  EXPECT_EQ(s.sliding_window, 128);
  // 24 layers × 8 heads × 64 × 2 (K, V) × 2 B = 49'152 B per token at f16.
  EXPECT_EQ(per_token(s), 24 * 8 * 64 * 2 * 2);
  ASSERT_TRUE(s.gguf);
  EXPECT_EQ(s.gguf->file_type_name, "MXFP4_MOE");
  // Parameters: token_embd 2880 × 320 + 24 × (attn_k 2880 × 512 + experts 2880 × 2880 × 32).
  std::int64_t experts = 24LL * 2880 * 2880 * 32;
  std::int64_t total = 2880LL * 320 + 24LL * 2880 * 512 + experts;
  EXPECT_EQ(s.gguf->parameters, total);
  EXPECT_EQ(s.gguf->expert_parameters, experts);
  // Active: the non-expert parameters plus 4 of 32 experts.
  EXPECT_EQ(s.gguf->active_parameters, total - experts + experts / 32 * 4);
  // Bytes: F16 2 B per value; MXFP4 17 B per 32 values.
  EXPECT_EQ(s.gguf->weight_bytes, (2880LL * 320 + 24LL * 2880 * 512) * 2 + experts / 32 * 17);
  EXPECT_EQ(s.gguf->bytes_by_type.front().first, "MXFP4");
  // The format-neutral weights summary agrees, with the experts as their own component.
  ASSERT_TRUE(s.weights);
  EXPECT_EQ(s.weights->total_bytes, s.gguf->weight_bytes);
  EXPECT_EQ(s.weights->active_parameters, total - experts + experts / 32 * 4);
  bool found = false;
  for (const auto& c : s.weights->by_component)
    if (c.name == "moe_experts") {
      found = true;
      EXPECT_EQ(c.parameters, experts);
      EXPECT_EQ(c.bytes, experts / 32 * 17);
    }
  EXPECT_TRUE(found);
}

// A Granite-4.0-H-like hybrid (granitehybrid): 40 layers, attention at 5, 15, 25, 35 (8 KV heads × 128),
// Mamba-2 elsewhere with d_inner 8192, d_state 128, 1 group, conv 4, 128 heads. Plausible, not a specific
// checkpoint.
GgufWriter granite_h_like() {
  GgufWriter w;
  w.str("general.architecture", "granitehybrid");
  w.u32("granitehybrid.block_count", 40);
  w.u32("granitehybrid.embedding_length", 4096);
  w.u32("granitehybrid.attention.head_count", 32);
  std::vector<std::uint32_t> kv(40, 0);
  for (int il : {5, 15, 25, 35}) kv[il] = 8;
  w.arr_u32("granitehybrid.attention.head_count_kv", kv);
  w.u32("granitehybrid.ssm.conv_kernel", 4);
  w.u32("granitehybrid.ssm.inner_size", 8192);
  w.u32("granitehybrid.ssm.state_size", 128);
  w.u32("granitehybrid.ssm.group_count", 1);
  w.u32("granitehybrid.ssm.time_step_rank", 128);
  return w;
}

TEST(GgufLayout, GraniteHLikeHybrid) {
  ModelCacheSpec s = load(granite_h_like(), "granite_h");
  EXPECT_EQ(s.count(LayerKind::full_attention), 4);
  EXPECT_EQ(s.count(LayerKind::recurrent), 36);
  EXPECT_EQ(s.layers[5].kind, LayerKind::full_attention);
  EXPECT_EQ(s.layers[5].head_dim_k, 4096 / 32);  // no key_length: embedding_length / head_count
  // 4 layers × 8 × 128 × 2 × 2 B = 16'384 B per token.
  EXPECT_EQ(per_token(s), 4 * 8 * 128 * 2 * 2);
  // n_embd_r = (4 - 1) × (8192 + 2 × 1 × 128) = 25'344; n_embd_s = 128 × 8192 = 1'048'576; f32.
  EXPECT_EQ(s.layers[0].conv_state_values, 25'344);
  EXPECT_EQ(s.layers[0].recurrent_state_values, 1'048'576);
  EXPECT_EQ(s.state_bytes_per_sequence(), 36LL * (25'344 + 1'048'576) * 4);
  EXPECT_EQ(s.layers[5].state_bytes, 0);
}

// apple/OpenELM-270M: 16 layers, model_dim 1280, head_dim 64, per-layer query heads from qkv_multipliers
// linspace(0.5, 1.0) rounded to multiples of 4 groups: 12 ×6, 16 ×6, 20 ×4; KV heads = query heads / 4.
GgufWriter openelm_270m() {
  GgufWriter w;
  w.str("general.architecture", "openelm");
  w.u32("openelm.block_count", 16);
  w.u32("openelm.embedding_length", 1280);
  std::vector<std::uint32_t> q = {12, 12, 12, 12, 12, 12, 16, 16, 16, 16, 16, 16, 20, 20, 20, 20};
  std::vector<std::uint32_t> kv;
  for (auto h : q) kv.push_back(h / 4);
  w.arr_u32("openelm.attention.head_count", q);
  w.arr_u32("openelm.attention.head_count_kv", kv);
  w.u32("openelm.attention.key_length", 64);
  w.u32("openelm.attention.value_length", 64);
  return w;
}

TEST(GgufLayout, OpenElmPerLayerHeads) {
  ModelCacheSpec s = load(openelm_270m(), "openelm");
  EXPECT_EQ(s.count(LayerKind::full_attention), 16);
  EXPECT_EQ(s.layers[0].num_kv_heads, 3);
  EXPECT_EQ(s.layers[6].num_kv_heads, 4);
  EXPECT_EQ(s.layers[15].num_kv_heads, 5);
  EXPECT_EQ(s.num_attention_heads, 20);
  // KV heads 6 × 3 + 6 × 4 + 4 × 5 = 62; × 64 × 2 (K, V) × 2 B = 15'872 B per token.
  EXPECT_EQ(per_token(s), (6 * 3 + 6 * 4 + 4 * 5) * 64 * 2 * 2);
}

// DeepSeek-V2-Lite converted before llama.cpp PR #12801: no *_mla keys, head_count_kv 16, key_length 192
// (nope 128 + rope 64), value_length 128.
GgufWriter deepseek_v2_lite_old() {
  GgufWriter w;
  w.str("general.architecture", "deepseek2");
  w.u32("deepseek2.block_count", 27);
  w.u32("deepseek2.embedding_length", 2048);
  w.u32("deepseek2.attention.head_count", 16);
  w.u32("deepseek2.attention.head_count_kv", 16);
  w.u32("deepseek2.attention.key_length", 192);
  w.u32("deepseek2.attention.value_length", 128);
  w.u32("deepseek2.attention.kv_lora_rank", 512);
  w.u32("deepseek2.rope.dimension_count", 64);
  return w;
}

TEST(GgufLayout, DeepSeekV2LiteOldConversionCachesFullKV) {
  ModelCacheSpec s = load(deepseek_v2_lite_old(), "dsv2_old");
  EXPECT_EQ(s.count(LayerKind::full_attention), 27);
  EXPECT_FALSE(s.mla);
  // 27 × 16 heads × (192 + 128) × 2 B = 276'480 B per token (is_mla() false: llama.cpp keeps K and V).
  EXPECT_EQ(per_token(s), 27 * 16 * (192 + 128) * 2);
}

// Kimi-Linear-48B-A3B (moonshotai config.json; llama.cpp conversion/kimi_linear.py at 34af94cd): 27 layers,
// MLA on full_attn_layers [4, 8, 12, 16, 20, 24, 27] (1-based; head_count_kv 1 there, 0 on the KDA layers),
// kda.head_dim 128, ssm.conv_kernel 4, 32 heads. The converter writes no ssm.inner_size and llama.cpp reads
// none: n_embd_r / n_embd_s (llama-hparams.cpp) take the KDA branch.
TEST(GgufLayout, KimiLinearKdaStateWithoutInnerSize) {
  GgufWriter w;
  w.str("general.architecture", "kimi-linear");
  w.u32("kimi-linear.block_count", 27);
  w.u32("kimi-linear.embedding_length", 2304);
  w.u32("kimi-linear.attention.head_count", 32);
  std::vector<std::uint32_t> kv(27, 0);
  for (int il : {3, 7, 11, 15, 19, 23, 26}) kv[static_cast<std::size_t>(il)] = 1;
  w.arr_u32("kimi-linear.attention.head_count_kv", kv);
  w.u32("kimi-linear.attention.key_length", 576);
  w.u32("kimi-linear.attention.key_length_mla", 192);
  w.u32("kimi-linear.attention.value_length_mla", 128);
  w.u32("kimi-linear.attention.kv_lora_rank", 512);
  w.u32("kimi-linear.rope.dimension_count", 64);
  w.u32("kimi-linear.ssm.conv_kernel", 4);
  w.u32("kimi-linear.kda.head_dim", 128);
  ModelCacheSpec s = load(w, "kimi_linear");
  EXPECT_EQ(layer_strip(s), "RRRMRRRMRRRMRRRMRRRMRRRMRRM");
  // R: Q, K, V conv states 3 × (4 - 1) × 32 heads × 128 = 36'864; S: 128 × 128 × 32 = 524'288 (f32)
  EXPECT_EQ(s.layers[0].conv_state_values, 3 * 3 * 32 * 128);
  EXPECT_EQ(s.layers[0].recurrent_state_values, 128 * 128 * 32);
  EXPECT_EQ(s.state_bytes_per_sequence(), 20LL * (36'864 + 524'288) * 4);
  // 7 MLA layers × 576 × 2 B
  EXPECT_EQ(per_token(s), 7 * 576 * 2);
}

bool has_note(const ModelCacheSpec& s, std::string_view text) {
  for (const auto& n : s.notes)
    if (n.text.find(text) != std::string::npos) return true;
  return false;
}

// MiniCPM3-4B (openbmb config.json): 62 layers, 2560 wide, 40 heads and KV heads, qk_nope 64 + rope 32,
// kv_lora_rank 256. conversion/minicpm.py (llama.cpp 34af94cd) writes kv_lora_rank and key_length 96 but
// never the MLA lengths: plain attention, V of n_embd / n_head = 64.
TEST(GgufLayout, MiniCpm3IsNotAnOlderConversion) {
  GgufWriter w;
  w.str("general.architecture", "minicpm3");
  w.u32("minicpm3.block_count", 62);
  w.u32("minicpm3.embedding_length", 2560);
  w.u32("minicpm3.attention.head_count", 40);
  w.u32("minicpm3.attention.head_count_kv", 40);
  w.u32("minicpm3.attention.q_lora_rank", 768);
  w.u32("minicpm3.attention.kv_lora_rank", 256);
  w.u32("minicpm3.attention.key_length", 96);
  w.u32("minicpm3.rope.dimension_count", 32);
  ModelCacheSpec s = load(w, "minicpm3");
  EXPECT_FALSE(s.mla);
  EXPECT_FALSE(has_note(s, "older conversion"));
  EXPECT_TRUE(has_note(s, "as llama.cpp's converter writes minicpm3"));
  EXPECT_EQ(per_token(s), 62 * 40 * (96 + 64) * 2);
  // deepseek2 without the MLA lengths is still an older conversion
  EXPECT_TRUE(has_note(load(deepseek_v2_lite_old(), "dsv2_old_note"), "older conversion"));
}

// DSA indexer keys from the GGUF (llama.cpp 34af94cd src/models/glm-dsa.cpp load_arch_hparams): without
// attention.indexer.types, every trunk layer when context_length < 1048576 (GLM-5, 5.1), else GLM-5.2's
// pattern: layers 0, 1 and every 4th from 2 below 78. deepseek32 indexes every trunk layer.
TEST(GgufLayout, DsaIndexerLayers) {
  auto dsa = [](const std::string& a, std::uint32_t ctx, bool key_length = true) {
    GgufWriter w;
    w.str("general.architecture", a);
    w.u32(a + ".block_count", 79);
    w.u32(a + ".nextn_predict_layers", 1);
    w.u32(a + ".context_length", ctx);
    w.u32(a + ".embedding_length", 6144);
    w.u32(a + ".attention.head_count", 64);
    w.u32(a + ".attention.head_count_kv", 1);
    w.u32(a + ".attention.key_length", 576);
    w.u32(a + ".attention.value_length", 512);
    w.u32(a + ".attention.key_length_mla", 256);
    w.u32(a + ".attention.value_length_mla", 256);
    w.u32(a + ".attention.kv_lora_rank", 512);
    w.u32(a + ".rope.dimension_count", 64);
    if (key_length) w.u32(a + ".attention.indexer.key_length", 128);
    return w;
  };
  auto indexer_values = [](const ModelCacheSpec& s) {
    for (const auto& c : s.extra_components)
      if (c.name == "indexer keys") return c.values_per_token;
    return std::int64_t{-1};
  };
  EXPECT_EQ(indexer_values(load(dsa("glm-dsa", 202752), "glm5")), 78 * 128);
  EXPECT_EQ(indexer_values(load(dsa("glm-dsa", 1048576), "glm52")), (2 + 19) * 128);  // 0, 1, 2, 6, ..., 74
  EXPECT_EQ(indexer_values(load(dsa("deepseek32", 1048576), "ds32")), 78 * 128);
  // the latent alone is kv_bytes_per_token: 78 × 576 × 2 B
  EXPECT_EQ(per_token(load(dsa("glm-dsa", 202752), "glm5_tok")), 78 * 576 * 2);
  // llama.cpp requires indexer.key_length
  GgufWriter bare = dsa("deepseek32", 163840, /*key_length=*/false);
  std::string path = testing::TempDir() + "kvspec_layout_ds32_bare.gguf";
  bare.write(path);
  auto refused = spec_from_gguf(path);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "deepseek32.attention.indexer.key_length");
}

// Qwen3-Next-80B-A3B (config.json; arch-rules-special.md example 4): 48 layers, 16 heads, 2 KV heads × 256,
// full attention every 4th layer; GDN conv 4, inner 4096, state 128, 16 groups.
TEST(GgufLayout, Qwen3NextInterval) {
  GgufWriter w;
  w.str("general.architecture", "qwen3next");
  w.u32("qwen3next.block_count", 48);
  w.u32("qwen3next.embedding_length", 2048);
  w.u32("qwen3next.attention.head_count", 16);
  w.u32("qwen3next.attention.head_count_kv", 2);
  w.u32("qwen3next.attention.key_length", 256);
  w.u32("qwen3next.attention.value_length", 256);
  w.u32("qwen3next.ssm.conv_kernel", 4);
  w.u32("qwen3next.ssm.inner_size", 4096);
  w.u32("qwen3next.ssm.state_size", 128);
  w.u32("qwen3next.ssm.group_count", 16);
  w.u32("qwen3next.ssm.time_step_rank", 32);
  ModelCacheSpec s = load(w, "qwen3next");
  EXPECT_EQ(layer_strip(s).substr(0, 8), "RRRFRRRF");
  EXPECT_EQ(s.count(LayerKind::full_attention), 12);
  // 12 × 2 × 256 × 2 × 2 B = 24'576 B per token.
  EXPECT_EQ(per_token(s), 12 * 2 * 256 * 2 * 2);
  // n_embd_r = 3 × (4096 + 2 × 16 × 128) = 24'576; n_embd_s = 128 × 4096 = 524'288 -> 2'195'456 B × 36
  // layers.
  EXPECT_EQ(s.state_bytes_per_sequence(), 36LL * (24'576 + 524'288) * 4);
}

// Llama 4 (Scout): chunked attention, n_swa 8192 forced by llama.cpp, 3 chunked + 1 full.
TEST(GgufLayout, Llama4ChunkedDefaults) {
  GgufWriter w;
  w.str("general.architecture", "llama4");
  w.u32("llama4.block_count", 48);
  w.u32("llama4.embedding_length", 5120);
  w.u32("llama4.attention.head_count", 40);
  w.u32("llama4.attention.head_count_kv", 8);
  w.u32("llama4.attention.key_length", 128);
  w.u32("llama4.attention.value_length", 128);
  ModelCacheSpec s = load(w, "llama4");
  EXPECT_EQ(layer_strip(s).substr(0, 8), "CCCFCCCF");
  EXPECT_EQ(s.layers[0].window, 8192);
  EXPECT_EQ(s.attention_chunk_size, 8192);
  // With sliding_window 0 stated, chunking is off: every layer full.
  w.u32("llama4.attention.sliding_window", 0);
  ModelCacheSpec off = load(w, "llama4_off");
  EXPECT_EQ(off.count(LayerKind::full_attention), 48);
}

// Gemma-4-like: the pattern as one bool per layer, smaller SWA heads, and KV shared by the last layers.
TEST(GgufLayout, BoolPatternSwaDimsAndSharedKv) {
  GgufWriter w;
  w.str("general.architecture", "gemma4");
  w.u32("gemma4.block_count", 6);
  w.u32("gemma4.embedding_length", 1024);
  w.u32("gemma4.attention.head_count", 8);
  w.u32("gemma4.attention.head_count_kv", 2);
  w.u32("gemma4.attention.key_length", 512);
  w.u32("gemma4.attention.value_length", 512);
  w.u32("gemma4.attention.key_length_swa", 256);
  w.u32("gemma4.attention.value_length_swa", 256);
  w.u32("gemma4.attention.sliding_window", 512);
  w.arr_bool("gemma4.attention.sliding_window_pattern", {true, true, false, true, true, false});
  w.u32("gemma4.attention.shared_kv_layers", 2);
  ModelCacheSpec s = load(w, "gemma4");
  EXPECT_EQ(layer_strip(s), "SSFS==");
  EXPECT_EQ(s.layers[0].head_dim_k, 256);
  EXPECT_EQ(s.layers[2].head_dim_k, 512);
  EXPECT_EQ(s.layers[4].shares_with, 3);  // sliding: the last owning sliding layer
  EXPECT_EQ(s.layers[5].shares_with, 2);  // full: the last owning full layer
  // Owners: 3 sliding × 2 × 256 × 2 × 2 + 1 full × 2 × 512 × 2 × 2 = 6144 + 4096.
  EXPECT_EQ(per_token(s), 3 * 2 * 256 * 2 * 2 + 2 * 512 * 2 * 2);
}

TEST(GgufLayout, NextnLayersOwnNoKv) {
  GgufWriter w;
  w.str("general.architecture", "glm4moe");
  w.u32("glm4moe.block_count", 47);
  w.u32("glm4moe.nextn_predict_layers", 1);
  w.u32("glm4moe.embedding_length", 4096);
  w.u32("glm4moe.attention.head_count", 96);
  w.u32("glm4moe.attention.head_count_kv", 8);
  w.u32("glm4moe.attention.key_length", 128);
  w.u32("glm4moe.attention.value_length", 128);
  ModelCacheSpec s = load(w, "glm4moe");
  // GLM-4.5-Air: 46 layers + 1 NextN layer; n_layer_kv_from_start = 47 - 1.
  EXPECT_EQ(s.num_layers(), 46);
  EXPECT_EQ(per_token(s), 46 * 8 * 128 * 2 * 2);
}

TEST(GgufLayout, WeightsWithDataAndFileType) {
  // A small llama with real tensor data present: 2 layers, 256 wide, 4 heads (2 KV) of 64, FFN 512, vocab
  // 320.
  GgufWriter w;
  w.str("general.architecture", "llama");
  w.u32("general.file_type", 15);  // MOSTLY_Q4_K_M
  w.u32("llama.block_count", 2);
  w.u32("llama.embedding_length", 256);
  w.u32("llama.attention.head_count", 4);
  w.u32("llama.attention.head_count_kv", 2);
  test::add_llama_tensors(w, {.n_embd = 256,
                              .n_head = 4,
                              .n_head_kv = {2, 2},
                              .head_k = 64,
                              .head_v = 64,
                              .n_ff = 512,
                              .n_vocab = 320,
                              .type = test::kQ4_KT});
  ModelCacheSpec s = load(w, "llama_data", /*with_data=*/true);
  ASSERT_TRUE(s.gguf);
  EXPECT_TRUE(s.gguf->tensor_data_present);
  EXPECT_FALSE(has_warning(s, "header-only"));
  EXPECT_EQ(s.gguf->file_type, 15);
  EXPECT_EQ(s.gguf->file_type_name, "Q4_K_M");
  ASSERT_TRUE(s.quantization);
  EXPECT_EQ(s.quantization->method, "Q4_K_M");
  // Q4_K (144 B per 256 values): embd and output 2 × 256 × 320, per layer q 256×256, k and v 256×128, o
  // 256×256, gate, up, down 3 × 256×512. F32 (4 B): output_norm 256, per layer 2 norms × 256.
  std::int64_t q4k = 2LL * 256 * 320 + 2LL * (256 * 256 + 2 * 256 * 128 + 256 * 256 + 3 * 256 * 512);
  std::int64_t f32 = 256 + 2LL * 2 * 256;
  EXPECT_EQ(s.gguf->parameters, q4k + f32);
  EXPECT_EQ(s.gguf->weight_bytes, q4k / 256 * 144 + f32 * 4);
  EXPECT_EQ(per_token(s), 2 * 2 * 64 * 2 * 2);
}

TEST(GgufLayout, MetadataOnlyFileWarns) {
  GgufWriter w;
  w.str("general.architecture", "llama");
  w.u32("llama.block_count", 2);
  w.u32("llama.embedding_length", 256);
  w.u32("llama.attention.head_count", 4);
  ModelCacheSpec s = load(w, "meta_only");
  EXPECT_TRUE(has_warning(s, "no tensor infos"));
  EXPECT_EQ(s.gguf->tensor_count, 0);
  EXPECT_EQ(per_token(s), 2 * 4 * 64 * 2 * 2);
}

// RWKV-7 and LFM2 state sizes (llama-hparams.cpp n_embd_r / n_embd_s).
TEST(GgufLayout, RwkvAndShortConvStates) {
  GgufWriter rwkv;
  rwkv.str("general.architecture", "rwkv7");
  rwkv.u32("rwkv7.block_count", 24);
  rwkv.u32("rwkv7.embedding_length", 2048);
  rwkv.u32("rwkv7.wkv.head_size", 64);
  ModelCacheSpec r = load(rwkv, "rwkv7");
  EXPECT_EQ(r.count(LayerKind::recurrent), 24);
  // token shift: token_shift_count (default 2) × 2048 = 4096; WKV: 2048 × 64 = 131'072; f32.
  EXPECT_EQ(r.layers[0].conv_state_values, 2 * 2048);
  EXPECT_EQ(r.layers[0].recurrent_state_values, 2048 * 64);
  EXPECT_EQ(r.state_bytes_per_sequence(), 24LL * (2 * 2048 + 2048 * 64) * 4);

  GgufWriter lfm;
  lfm.str("general.architecture", "lfm2");
  lfm.u32("lfm2.block_count", 4);
  lfm.u32("lfm2.embedding_length", 1024);
  lfm.u32("lfm2.attention.head_count", 16);
  lfm.arr_u32("lfm2.attention.head_count_kv", {0, 0, 8, 0});
  lfm.u32("lfm2.shortconv.l_cache", 3);
  ModelCacheSpec l = load(lfm, "lfm2");
  EXPECT_EQ(layer_strip(l), "RRFR");
  // (l_cache 3 - 1) × 1024 = 2048 conv values, no SSM state.
  EXPECT_EQ(l.layers[0].conv_state_values, 2 * 1024);
  EXPECT_EQ(l.layers[0].recurrent_state_values, 0);
  EXPECT_EQ(per_token(l), 8 * (1024 / 16) * 2 * 2);
}

}  // namespace
}  // namespace kvspec
