// Kimi Linear (model_type kimi_linear, src/arch/families/mla.cpp): KDA layers with a fixed state and MLA
// layers caching the latent. Every expected number is worked out by hand from the config's own values
// (tests/data/configs/moonshotai__Kimi-Linear-48B-A3B-Instruct, see its SOURCE): 27 layers,
// linear_attn_config.kda_layers = the 20 numbers 1..26 not divisible by 4, full_attn_layers [4, 8, 12, 16,
// 20, 24, 27], KDA num_heads 32, head_dim 128, short_conv_kernel_size 4; MLA kv_lora_rank 512,
// qk_rope_head_dim 64, qk_nope_head_dim 128, v_head_dim 128, 32 heads; dtype bfloat16.
#include <string>

#include "cli_util.hpp"
#include "test_util.hpp"

namespace kvspec {
namespace {

using test::bytes_per_token_f16;
using test::first;
using test::from_json;
using test::has_note;
using test::load_fixture;

constexpr const char* kFixture = "moonshotai__Kimi-Linear-48B-A3B-Instruct";

// Layer i (0-based) is KDA iff i + 1 is in kda_layers: MLA at 1-based 4, 8, ..., 24 and 27, i.e. 0-based 3,
// 7, 11, 15, 19, 23, 26 — six "RRRM" groups (layers 0..23), then 24 R, 25 R, 26 M.
TEST(ArchKimiLinear, LayerPattern) {
  ModelCacheSpec s = load_fixture(kFixture);
  EXPECT_EQ(s.model_type, "kimi_linear");
  ASSERT_EQ(s.num_layers(), 27);
  EXPECT_EQ(layer_strip(s), "RRRMRRRMRRRMRRRMRRRMRRRMRRM");
  EXPECT_EQ(s.count(LayerKind::mla), 7);         // full_attn_layers has 7 entries
  EXPECT_EQ(s.count(LayerKind::recurrent), 20);  // kda_layers has 20 entries
  EXPECT_EQ(s.count(LayerKind::full_attention), 0);
  EXPECT_EQ(s.layers[3].kind, LayerKind::mla);         // 1-based 4
  EXPECT_EQ(s.layers[26].kind, LayerKind::mla);        // 1-based 27
  EXPECT_EQ(s.layers[0].kind, LayerKind::recurrent);   // 1-based 1
  EXPECT_EQ(s.layers[25].kind, LayerKind::recurrent);  // 1-based 26
  EXPECT_FALSE(s.has_warnings());
}

// One latent per token: kv_lora_rank 512 + qk_rope_head_dim 64 = 576 values, one shared "head", no separate V
// (vLLM MLAAttention over kv_a_proj_with_mqa's 512 + 64 split; mlx-lm caches the 512 latent and the 64-wide
// k_pe). The config's num_key_value_heads 32 and head_dim 72 describe no cached tensor.
TEST(ArchKimiLinear, MlaCachedWidth) {
  ModelCacheSpec s = load_fixture(kFixture);
  const LayerSpec& mla = first(s, LayerKind::mla);
  EXPECT_EQ(mla.num_kv_heads, 1);
  EXPECT_EQ(mla.head_dim_k, 576);  // 512 + 64
  EXPECT_EQ(mla.head_dim_v, 0);
  EXPECT_EQ(mla.state_bytes, 0);
  ASSERT_TRUE(s.mla);
  EXPECT_EQ(s.mla->kv_lora_rank, 512);
  EXPECT_EQ(s.mla->qk_rope_head_dim, 64);
  EXPECT_EQ(s.mla->qk_nope_head_dim, 128);
  EXPECT_EQ(s.mla->v_head_dim, 128);
  EXPECT_EQ(s.mla->num_heads, 32);  // num_attention_heads
  EXPECT_TRUE(has_note(s, "mla_use_nope"));
}

// Only the 7 MLA layers cache per token: 7 × 576 × 2 bytes = 8,064.
TEST(ArchKimiLinear, BytesPerTokenF16) {
  ModelCacheSpec s = load_fixture(kFixture);
  EXPECT_EQ(bytes_per_token_f16(s), 8'064);
}

// KDA state per layer: conv (4 - 1) × 3 (q, k, v) × 32 heads × 128 = 3 × 3 × 4,096 = 36,864 values in
// bfloat16 (73,728 bytes), recurrent 32 × 128 × 128 = 524,288 values in float32 (2,097,152 bytes):
// 73,728 + 2,097,152 = 2,170,880 bytes per KDA layer; 20 KDA layers × 2,170,880 = 43,417,600 per sequence.
TEST(ArchKimiLinear, StateBytesPerSequence) {
  ModelCacheSpec s = load_fixture(kFixture);
  const LayerSpec& kda = first(s, LayerKind::recurrent);
  EXPECT_EQ(kda.num_kv_heads, 0);
  EXPECT_EQ(kda.conv_state_values, 36'864);
  EXPECT_EQ(kda.recurrent_state_values, 524'288);
  EXPECT_EQ(kda.state_bytes, 2'170'880);
  EXPECT_EQ(s.state_bytes_per_sequence(), 43'417'600);
  EXPECT_TRUE(has_note(s, "KDA:"));

  // 4,096 tokens, one sequence: 8,064 × 4,096 = 33,030,144 bytes of latent plus 43,417,600 of state.
  auto size = size_exact(s, {.context = 4096, .batch = 1});
  ASSERT_TRUE(size);
  EXPECT_EQ(size->kv_bytes, 33'030'144);
  EXPECT_EQ(size->state_bytes, 43'417'600);
}

// A minimal config: 4 layers, KDA at 1-based 1, 2, 3 and MLA at 4.
constexpr const char* kSmall = R"({"model_type": "kimi_linear", "num_hidden_layers": 4,
    "hidden_size": 256, "num_attention_heads": 4, "kv_lora_rank": 32, "qk_rope_head_dim": 8,
    "qk_nope_head_dim": 16, "v_head_dim": 16, "torch_dtype": "float32",
    "linear_attn_config": {"kda_layers": [1, 2, 3], "full_attn_layers": [4], "num_heads": 2,
    "head_dim": 16, "short_conv_kernel_size": 3}})";

TEST(ArchKimiLinear, SmallConfig) {
  ModelCacheSpec s = from_json(kSmall);
  EXPECT_EQ(layer_strip(s), "RRRM");
  // 1 MLA layer × (32 + 8) × 2 bytes = 80
  EXPECT_EQ(bytes_per_token_f16(s), 80);
  // float32 model: conv (3 - 1) × 3 × 2 × 16 = 192 values × 4 = 768 bytes; recurrent 2 × 16 × 16 = 512
  // values × 4 = 2,048 bytes; 768 + 2,048 = 2,816 per KDA layer; 3 layers × 2,816 = 8,448.
  EXPECT_EQ(first(s, LayerKind::recurrent).state_bytes, 2'816);
  EXPECT_EQ(s.state_bytes_per_sequence(), 8'448);
  EXPECT_FALSE(s.has_warnings());
}

// Without linear_attn_config every layer is MLA (KimiDynamicCache marks all "full_attention"): 3 × 40 × 2 =
// 240 bytes per token, no state.
TEST(ArchKimiLinear, NoLinearAttnConfigMeansAllMla) {
  ModelCacheSpec s = from_json(R"({"model_type": "kimi_linear", "num_hidden_layers": 3,
      "hidden_size": 256, "num_attention_heads": 4, "kv_lora_rank": 32, "qk_rope_head_dim": 8,
      "qk_nope_head_dim": 16, "v_head_dim": 16})");
  EXPECT_EQ(layer_strip(s), "MMM");
  EXPECT_EQ(bytes_per_token_f16(s), 240);
  EXPECT_EQ(s.state_bytes_per_sequence(), 0);
  EXPECT_TRUE(has_note(s, "linear_attn_config is absent"));
}

// kda_layers decides; a full_attn_layers list that disagrees is warned about, not followed.
TEST(ArchKimiLinear, DisagreeingFullAttnLayersWarns) {
  ModelCacheSpec s = from_json(R"({"model_type": "kimi_linear", "num_hidden_layers": 3,
      "hidden_size": 256, "num_attention_heads": 4, "kv_lora_rank": 32, "qk_rope_head_dim": 8,
      "qk_nope_head_dim": 16, "v_head_dim": 16,
      "linear_attn_config": {"kda_layers": [1, 2], "full_attn_layers": [2, 3], "num_heads": 2,
      "head_dim": 16, "short_conv_kernel_size": 4}})");
  EXPECT_EQ(layer_strip(s), "RRM");
  EXPECT_TRUE(s.has_warnings());
  EXPECT_TRUE(has_note(s, "layer 2 is in both"));
}

// Errors name the field: MLA dimensions have no class default (KimiLinearConfig sets them to None), layer
// numbers are 1-based, and the KDA dimensions must be stated.
TEST(ArchKimiLinear, Errors) {
  auto no_rank = spec_from_config_text(R"({"model_type": "kimi_linear", "num_hidden_layers": 2,
      "hidden_size": 256, "num_attention_heads": 4})",
                                       "inline.json");
  ASSERT_FALSE(no_rank);
  EXPECT_EQ(no_rank.error().field, "kv_lora_rank");

  auto zero_based = spec_from_config_text(R"({"model_type": "kimi_linear", "num_hidden_layers": 2,
      "hidden_size": 256, "num_attention_heads": 4, "kv_lora_rank": 32, "qk_rope_head_dim": 8,
      "qk_nope_head_dim": 16, "v_head_dim": 16,
      "linear_attn_config": {"kda_layers": [0], "full_attn_layers": [2], "num_heads": 2, "head_dim": 16,
      "short_conv_kernel_size": 4}})",
                                          "inline.json");
  ASSERT_FALSE(zero_based);
  EXPECT_EQ(zero_based.error().field, "linear_attn_config.kda_layers[0]");

  auto no_kernel = spec_from_config_text(R"({"model_type": "kimi_linear", "num_hidden_layers": 2,
      "hidden_size": 256, "num_attention_heads": 4, "kv_lora_rank": 32, "qk_rope_head_dim": 8,
      "qk_nope_head_dim": 16, "v_head_dim": 16,
      "linear_attn_config": {"kda_layers": [1], "full_attn_layers": [2], "num_heads": 2, "head_dim": 16}})",
                                         "inline.json");
  ASSERT_FALSE(no_kernel);
  EXPECT_EQ(no_kernel.error().field, "linear_attn_config.short_conv_kernel_size");
}

TEST(ArchKimiLinear, CliInspect) {
  std::string dir = std::string(KVSPEC_TEST_DATA) + "/configs/" + kFixture;
  auto json = test::run_cli("inspect " + dir + " --json");
  EXPECT_EQ(json.exit_code, 0) << json.out;
  EXPECT_NE(json.out.find("\"model_type\": \"kimi_linear\""), std::string::npos) << json.out.substr(0, 400);
  EXPECT_NE(json.out.find("\"kv_bytes_per_token\": 8064"), std::string::npos) << json.out.substr(0, 400);
  EXPECT_NE(json.out.find("\"layer_strip\": \"RRRMRRRMRRRMRRRMRRRMRRRMRRM\""), std::string::npos);
  EXPECT_EQ(json.out.find("warning"), std::string::npos) << json.out;
  auto text = test::run_cli("inspect " + dir);
  EXPECT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("RRRMRRRM"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("warning"), std::string::npos) << text.out;

  auto families = test::run_cli("families");
  EXPECT_EQ(families.exit_code, 0);
  EXPECT_NE(families.out.find("kimi_linear"), std::string::npos);
}

}  // namespace
}  // namespace kvspec
