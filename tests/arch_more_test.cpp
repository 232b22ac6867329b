// RecurrentGemma, PLaMo 2 (src/arch/families/hybrid_extra.cpp) and LongCat-Flash (src/arch/families/mla.cpp).
// Every expected number is worked out by hand from the config's own values; the rule each one exercises is
// cited next to the rule. Conv states cost the model's dtype (2 bytes when the config states none), the
// RG-LRU and PLaMo 2 SSM states float32 (4 bytes), as the reference modeling keeps them.
#include <string>

#include "cli_util.hpp"
#include "kvspec/runtime.hpp"
#include "test_util.hpp"

namespace kvspec {
namespace {

using test::bytes_per_token_f16;
using test::first;
using test::from_json;
using test::has_note;
using test::load_fixture;

std::int64_t count(const ModelCacheSpec& s, LayerKind k) {
  return s.count(k);
}

// ---- EmbeddingGemma ---------------------------------------------------------------------------------------

// google/embeddinggemma-300m's config.json (gemma3_text, Gemma3TextModel): 24 layers, 3 heads, 1 KV head of
// 256, sliding_window 512, use_bidirectional_attention true. A non-causal encoder keeps no cache: every layer
// is `none`, so every runtime sizes 0 bytes; the window it attends with is 512 // 2 + 1 = 257. The same
// config without the flag is a causal Gemma 3: 20 sliding + 4 full layers of 1 × 256 (K and V) × 2 B =
// 1,024 B per token each, 24 × 1,024 = 24,576 B per token.
TEST(ArchMore, EmbeddingGemmaIsAnEncoderWithoutCache) {
  const std::string base =
      R"({"architectures": ["Gemma3TextModel"], "model_type": "gemma3_text", "hidden_size": 768,
          "num_hidden_layers": 24, "num_attention_heads": 3, "num_key_value_heads": 1, "head_dim": 256,
          "sliding_window": 512, "max_position_embeddings": 2048, "torch_dtype": "float32")";
  ModelCacheSpec s = from_json(base + R"(, "use_bidirectional_attention": true})");
  ASSERT_EQ(s.num_layers(), 24);
  EXPECT_EQ(count(s, LayerKind::none), 24);
  EXPECT_EQ(bytes_per_token_f16(s), 0);
  EXPECT_EQ(test::exact_bytes(s, 2048), 0);
  EXPECT_TRUE(has_note(s, "512 // 2 + 1 = 257"));
  for (auto rt : {Runtime::llama_cpp, Runtime::vllm, Runtime::transformers, Runtime::mlx}) {
    RuntimeRequest q;
    q.runtime = rt;
    q.context = 2048;
    auto r = size_runtime(s, q);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->kv_bytes, 0) << to_string(rt);
  }
  ModelCacheSpec causal = from_json(base + R"(, "use_bidirectional_attention": false})");
  EXPECT_EQ(count(causal, LayerKind::sliding_attention), 20);
  EXPECT_EQ(count(causal, LayerKind::full_attention), 4);
  EXPECT_EQ(bytes_per_token_f16(causal), 24 * 1'024);
}

// ---- RecurrentGemma --------------------------------------------------------------------------------------

// google/recurrentgemma-2b: 26 layers, _block_types (recurrent, recurrent, attention) cycled, so attention at
// i % 3 == 2: 2, 5, 8, 11, 14, 17, 20, 23 = 8 local attention layers and 26 - 8 = 18 RG-LRU layers.
TEST(ArchMore, RecurrentGemma2bPattern) {
  ModelCacheSpec s = load_fixture("google__recurrentgemma-2b");
  ASSERT_EQ(s.num_layers(), 26);
  EXPECT_EQ(layer_strip(s), "RRSRRSRRSRRSRRSRRSRRSRRSRR");
  EXPECT_EQ(count(s, LayerKind::sliding_attention), 8);
  EXPECT_EQ(count(s, LayerKind::recurrent), 18);
  const LayerSpec& att = first(s, LayerKind::sliding_attention);
  EXPECT_EQ(att.num_kv_heads, 1);  // num_key_value_heads 1 (MQA)
  EXPECT_EQ(att.head_dim_k, 256);  // head_dim 256 = 2560 / 10
  EXPECT_EQ(att.head_dim_v, 256);
  EXPECT_EQ(att.window, 2048);  // attention_window_size
  EXPECT_EQ(s.sliding_window, 2048);
  // 8 layers × 2 (K, V) × 1 head × 256 × 2 bytes = 8,192
  EXPECT_EQ(bytes_per_token_f16(s), 8'192);
  EXPECT_FALSE(s.has_warnings());
}

TEST(ArchMore, RecurrentGemma2bState) {
  ModelCacheSpec s = load_fixture("google__recurrentgemma-2b");
  const LayerSpec& rec = first(s, LayerKind::recurrent);
  EXPECT_EQ(rec.num_kv_heads, 0);
  // conv: (conv1d_width 4 - 1) × lru_width 2560 = 7,680; RG-LRU state: lru_width = 2,560
  EXPECT_EQ(rec.conv_state_values, 7'680);
  EXPECT_EQ(rec.recurrent_state_values, 2'560);
  // dtype unstated → 2 bytes for the conv: 7,680 × 2 + 2,560 × 4 (float32) = 15,360 + 10,240 = 25,600
  EXPECT_EQ(rec.state_bytes, 25'600);
  EXPECT_EQ(first(s, LayerKind::sliding_attention).state_bytes, 0);
  // 18 recurrent layers × 25,600 = 460,800
  EXPECT_EQ(s.state_bytes_per_sequence(), 460'800);
  EXPECT_TRUE(has_note(s, "RG-LRU"));

  // 4,096 tokens: the local layers hold min(4,096, 2,048) = 2,048 tokens:
  // 8,192 × 2,048 = 16,777,216 bytes of K/V, plus 460,800 of state.
  auto size = size_exact(s, {.context = 4096, .batch = 1});
  ASSERT_TRUE(size);
  EXPECT_EQ(size->kv_bytes, 16'777'216);
  EXPECT_EQ(size->state_bytes, 460'800);
}

// The 9B config spells the key `block_types` (mlx-lm recurrent_gemma.py); a block list shorter than the
// model cycles; an unknown block type is an error naming the entry.
TEST(ArchMore, RecurrentGemmaBlockTypesAndDefaults) {
  ModelCacheSpec s = from_json(R"({"model_type": "recurrent_gemma", "num_hidden_layers": 5,
      "hidden_size": 64, "num_attention_heads": 4, "block_types": ["recurrent", "attention"],
      "attention_window_size": 16, "lru_width": 32, "conv1d_width": 3, "torch_dtype": "bfloat16"})");
  EXPECT_EQ(layer_strip(s), "RSRSR");
  const LayerSpec& att = first(s, LayerKind::sliding_attention);
  EXPECT_EQ(att.num_kv_heads, 4);  // num_key_value_heads absent → num_attention_heads (class default None)
  EXPECT_EQ(att.head_dim_k, 16);   // 64 / 4
  EXPECT_EQ(att.window, 16);
  // (3 - 1) × 32 = 64 conv values × 2 + 32 × 4 = 128 + 128 = 256 bytes
  EXPECT_EQ(first(s, LayerKind::recurrent).state_bytes, 256);

  // Nothing stated: RecurrentGemmaConfig defaults (26 layers, hidden 2560, 10 heads → MHA 10 × 256,
  // window 2048, lru_width = hidden): 8 attention layers × 2 × 10 × 256 × 2 = 81,920 bytes per token.
  ModelCacheSpec d = from_json(R"({"model_type": "recurrent_gemma"})");
  EXPECT_EQ(d.num_layers(), 26);
  EXPECT_EQ(count(d, LayerKind::sliding_attention), 8);
  EXPECT_EQ(bytes_per_token_f16(d), 81'920);
  EXPECT_EQ(first(d, LayerKind::recurrent).conv_state_values, 3 * 2560);

  auto bad = spec_from_config_text(R"({"model_type": "recurrent_gemma", "num_hidden_layers": 3,
      "block_types": ["recurrent", "mamba"]})",
                                   "inline.json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "block_types[1]");
}

// ---- LongCat-Flash ---------------------------------------------------------------------------------------

// meituan-longcat/LongCat-Flash-Chat: no copy of its config.json was found in the stored sources, so this
// config is built from cited values only: transformers LongcatFlashConfig defaults (documented against this
// checkpoint: num_layers 28, hidden 6144, 64 heads, kv_lora_rank 512, q_lora_rank 1536, qk_rope_head_dim 64,
// qk_nope_head_dim 128, v_head_dim 128, 512 experts, 256 zero experts, top-12) under the key names mlx-lm's
// longcat_flash.py ModelArgs requires of the checkpoint (num_layers, ffn_hidden_size, moe_topk, ...).
constexpr const char* kLongcatChat = R"({"model_type": "longcat_flash",
    "architectures": ["LongcatFlashForCausalLM"], "num_layers": 28, "hidden_size": 6144,
    "num_attention_heads": 64, "kv_lora_rank": 512, "q_lora_rank": 1536, "qk_rope_head_dim": 64,
    "qk_nope_head_dim": 128, "v_head_dim": 128, "ffn_hidden_size": 12288, "expert_ffn_hidden_size": 2048,
    "n_routed_experts": 512, "zero_expert_num": 256, "moe_topk": 12, "max_position_embeddings": 131072,
    "torch_dtype": "bfloat16"})";

TEST(ArchMore, LongcatFlashTwoMlaCachesPerBlock) {
  ModelCacheSpec s = from_json(kLongcatChat);
  // 28 decoder blocks × 2 attention sublayers = 56 MLA caches
  ASSERT_EQ(s.num_layers(), 56);
  EXPECT_EQ(count(s, LayerKind::mla), 56);
  const LayerSpec& l = first(s, LayerKind::mla);
  EXPECT_EQ(l.num_kv_heads, 1);
  EXPECT_EQ(l.head_dim_k, 576);  // kv_lora_rank 512 + qk_rope_head_dim 64
  EXPECT_EQ(l.head_dim_v, 0);
  ASSERT_TRUE(s.mla);
  EXPECT_EQ(s.mla->num_heads, 64);
  EXPECT_EQ(s.mla->qk_nope_head_dim, 128);
  EXPECT_EQ(s.mla->v_head_dim, 128);
  // 56 × 576 × 2 bytes = 64,512
  EXPECT_EQ(bytes_per_token_f16(s), 64'512);
  EXPECT_EQ(s.state_bytes_per_sequence(), 0);
  EXPECT_TRUE(has_note(s, "28 decoder blocks × 2 attention sublayers = 56 MLA caches"));
  EXPECT_FALSE(s.has_warnings());
}

TEST(ArchMore, LongcatFlashBlockCountSources) {
  // A config saved by transformers states num_hidden_layers = 2 × num_layers (LongcatFlashModel sets it for
  // the cache): the caches are still 2 × 28 = 56, not 2 × 56.
  ModelCacheSpec saved = from_json(R"({"model_type": "longcat_flash", "num_layers": 28,
      "num_hidden_layers": 56})");
  EXPECT_EQ(saved.num_layers(), 56);
  // num_layers absent: LongcatFlashConfig default 28 blocks → 56 caches; 56 × (512 + 64) × 2 = 64,512.
  ModelCacheSpec dflt = from_json(R"({"model_type": "longcat_flash"})");
  EXPECT_EQ(dflt.num_layers(), 56);
  EXPECT_EQ(bytes_per_token_f16(dflt), 64'512);
  // Only num_hidden_layers (vLLM FlashConfig: the blocks): 3 blocks → 6 caches.
  ModelCacheSpec vllm = from_json(R"({"model_type": "longcat_flash", "num_hidden_layers": 3})");
  EXPECT_EQ(vllm.num_layers(), 6);
  EXPECT_TRUE(has_note(vllm, "read as the decoder blocks"));
}

// ---- PLaMo 2 ---------------------------------------------------------------------------------------------

// pfnet/plamo-2-1b: no copy of the checkpoint's config.json was found; these values appear identically in two
// public ports' tests that quote the checkpoint's config (mlx-swift Plamo2 test configJSON; a Rust port's
// PLAMO2_1B_CONFIG "values mirror the real checkpoint"): 16 layers, hidden 2048, 16 heads, 1 KV head,
// hidden_size_per_head 128, attention_window_size 2048, Mamba 32 heads, d_state 64, d_conv 4, mamba_step 2.
constexpr const char* kPlamo2_1b = R"({"model_type": "plamo2", "hidden_size": 2048,
    "num_hidden_layers": 16, "rms_norm_eps": 1e-06, "tie_word_embeddings": true, "num_attention_heads": 16,
    "num_key_value_heads": 1, "hidden_size_per_head": 128, "max_position_embeddings": 10485760,
    "attention_window_size": 2048, "mamba_d_state": 64, "mamba_d_conv": 4, "mamba_num_heads": 32,
    "mamba_step": 2, "mamba_chunk_size": 256, "mamba_enabled": true, "intermediate_size": 8192,
    "vocab_size": 100000})";

TEST(ArchMore, Plamo2_1bPatternAndState) {
  ModelCacheSpec s = from_json(kPlamo2_1b);
  ASSERT_EQ(s.num_layers(), 16);
  // is_mamba(i) = i % 2 != 2 / 2: attention at odd layers → 8 windowed attention + 8 Mamba
  EXPECT_EQ(layer_strip(s), "RSRSRSRSRSRSRSRS");
  const LayerSpec& att = first(s, LayerKind::sliding_attention);
  EXPECT_EQ(att.num_kv_heads, 1);
  EXPECT_EQ(att.head_dim_k, 128);  // hidden_size_per_head
  EXPECT_EQ(att.window, 2048);     // attention_window_size (full_attention_idx empty)
  // 8 × 2 × 1 × 128 × 2 bytes = 4,096
  EXPECT_EQ(bytes_per_token_f16(s), 4'096);
  const LayerSpec& m = first(s, LayerKind::recurrent);
  // conv: (4 - 1) × (32 × 128 = 4,096) = 12,288 (no B/C channels: n_groups 0 in vLLM)
  EXPECT_EQ(m.conv_state_values, 12'288);
  // SSM: 32 heads × 128 × 64 = 262,144
  EXPECT_EQ(m.recurrent_state_values, 262'144);
  // 12,288 × 2 (dtype unstated) + 262,144 × 4 = 24,576 + 1,048,576 = 1,073,152
  EXPECT_EQ(m.state_bytes, 1'073'152);
  // 8 × 1,073,152 = 8,585,216
  EXPECT_EQ(s.state_bytes_per_sequence(), 8'585'216);
  EXPECT_FALSE(s.has_warnings());
}

TEST(ArchMore, Plamo2HeadDimFullLayersAndShortModels) {
  // hidden_size_per_head wins over hidden / heads (4096 / 32 = 128); full_attention_idx layers are full.
  ModelCacheSpec s = from_json(R"({"model_type": "plamo2", "num_hidden_layers": 4, "hidden_size": 4096,
      "num_attention_heads": 32, "num_key_value_heads": 4, "hidden_size_per_head": 64,
      "full_attention_idx": [3], "mamba_num_heads": 8, "mamba_d_state": 16, "mamba_d_conv": 4})");
  EXPECT_EQ(layer_strip(s), "RSRF");
  EXPECT_EQ(first(s, LayerKind::full_attention).head_dim_k, 64);
  // 2 attention layers × 2 × 4 × 64 × 2 = 2,048
  EXPECT_EQ(bytes_per_token_f16(s), 2'048);
  // conv (4 - 1) × 8 × 64 = 1,536; SSM 8 × 64 × 16 = 8,192
  EXPECT_EQ(first(s, LayerKind::recurrent).conv_state_values, 1'536);
  EXPECT_EQ(first(s, LayerKind::recurrent).recurrent_state_values, 8'192);

  // num_hidden_layers 2 <= mamba_step 4 / 2: only the last layer is attention.
  ModelCacheSpec short_model = from_json(R"({"model_type": "plamo2", "num_hidden_layers": 2,
      "hidden_size": 256, "num_attention_heads": 2, "num_key_value_heads": 1, "mamba_step": 4})");
  EXPECT_EQ(layer_strip(short_model), "RS");
  // mamba_enabled false: every layer attention.
  ModelCacheSpec no_mamba = from_json(R"({"model_type": "plamo2", "num_hidden_layers": 3,
      "hidden_size": 256, "num_attention_heads": 2, "num_key_value_heads": 1, "mamba_enabled": false})");
  EXPECT_EQ(layer_strip(no_mamba), "SSS");
  EXPECT_EQ(no_mamba.state_bytes_per_sequence(), 0);
}

// ---- CLI -------------------------------------------------------------------------------------------------

TEST(ArchMore, CliInspectsEachFamily) {
  std::string dir = std::string(KVSPEC_TEST_DATA) + "/configs/google__recurrentgemma-2b";
  auto json = test::run_cli("inspect " + dir + " --json");
  EXPECT_EQ(json.exit_code, 0) << json.out;
  EXPECT_NE(json.out.find("\"model_type\": \"recurrent_gemma\""), std::string::npos)
      << json.out.substr(0, 400);
  EXPECT_NE(json.out.find("\"kv_bytes_per_token\": 8192"), std::string::npos);
  EXPECT_EQ(json.out.find("warning"), std::string::npos);
  auto text = test::run_cli("inspect " + dir);
  EXPECT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("RRSRRS"), std::string::npos) << text.out;

  test::TempDir tmp;
  tmp.write("longcat/config.json", kLongcatChat);
  tmp.write("plamo/config.json", kPlamo2_1b);
  auto longcat = test::run_cli("inspect " + tmp.path() + "/longcat --json");
  EXPECT_EQ(longcat.exit_code, 0) << longcat.out;
  EXPECT_NE(longcat.out.find("\"kv_bytes_per_token\": 64512"), std::string::npos)
      << longcat.out.substr(0, 400);
  EXPECT_EQ(longcat.out.find("warning"), std::string::npos);
  auto plamo = test::run_cli("inspect " + tmp.path() + "/plamo --json");
  EXPECT_EQ(plamo.exit_code, 0) << plamo.out;
  EXPECT_NE(plamo.out.find("\"kv_bytes_per_token\": 4096"), std::string::npos) << plamo.out.substr(0, 400);
  EXPECT_EQ(plamo.out.find("warning"), std::string::npos);

  auto families = test::run_cli("families");
  EXPECT_EQ(families.exit_code, 0);
  for (const char* t : {"recurrent_gemma", "plamo2", "longcat_flash"})
    EXPECT_NE(families.out.find(t), std::string::npos) << t;
}

}  // namespace
}  // namespace kvspec
