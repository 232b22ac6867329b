// Every fixture config of the core issue's families: layer kinds, KV heads, head dim, window and KV bytes per
// token at f16. Each expected figure is worked out by hand from the config's own numbers (shown per row); the
// rule each row exercises is cited in src/arch/families/*.cpp.
#include <optional>

#include "test_util.hpp"

namespace kvspec::test {
namespace {

struct Case {
  const char* dir;
  std::int64_t layers, full, sliding, chunked;
  std::int64_t kv_heads, head_dim;
  std::optional<std::int64_t> window;
  std::int64_t bytes_per_token;  // f16, all layers that own KV, uncapped
};

// bytes/token = layers × 2 (K and V) × kv_heads × head_dim × 2 bytes (f16)
const Case kCases[] = {
    // llama: 60 × 2 × 8 × (7168 / 56 = 128) × 2
    {"01-ai__Yi-34B", 60, 60, 0, 0, 8, 128, std::nullopt, 60 * 2 * 8 * 128 * 2},
    // exaone4: layer_types (LLLG) → 16 full + 48 sliding(4096); 64 × 2 × 8 × 128 × 2
    {"LGAI-EXAONE__EXAONE-4.0-32B", 64, 16, 48, 0, 8, 128, 4096, 64 * 2 * 8 * 128 * 2},
    // qwen2_moe: 24 × 2 × 16 × (2048 / 16) × 2; sliding_window 32768 inert (use_sliding_window false)
    {"Qwen__Qwen1.5-MoE-A2.7B-Chat", 24, 24, 0, 0, 16, 128, std::nullopt, 24 * 2 * 16 * 128 * 2},
    // qwen2: 48 × 2 × 8 × (5120 / 40) × 2
    {"Qwen__Qwen2.5-14B-Instruct", 48, 48, 0, 0, 8, 128, std::nullopt, 48 * 2 * 8 * 128 * 2},
    // qwen2: 36 × 2 × 2 × (2048 / 16) × 2
    {"Qwen__Qwen2.5-3B-Instruct", 36, 36, 0, 0, 2, 128, std::nullopt, 36 * 2 * 2 * 128 * 2},
    // qwen2: 28 × 2 × 4 × (3584 / 28) × 2
    {"Qwen__Qwen2.5-7B-Instruct", 28, 28, 0, 0, 4, 128, std::nullopt, 28 * 2 * 4 * 128 * 2},
    // qwen3: explicit head_dim 128 (1024 / 16 = 64 would be wrong): 28 × 2 × 8 × 128 × 2
    {"Qwen__Qwen3-0.6B", 28, 28, 0, 0, 8, 128, std::nullopt, 28 * 2 * 8 * 128 * 2},
    {"Qwen__Qwen3-1.7B", 28, 28, 0, 0, 8, 128, std::nullopt, 28 * 2 * 8 * 128 * 2},
    // qwen3_moe: 48 × 2 × 4 × 128 × 2
    {"Qwen__Qwen3-30B-A3B", 48, 48, 0, 0, 4, 128, std::nullopt, 48 * 2 * 4 * 128 * 2},
    {"Qwen__Qwen3-30B-A3B-FP8", 48, 48, 0, 0, 4, 128, std::nullopt, 48 * 2 * 4 * 128 * 2},
    {"Qwen__Qwen3-30B-A3B-Instruct-2507", 48, 48, 0, 0, 4, 128, std::nullopt, 48 * 2 * 4 * 128 * 2},
    // qwen3: 64 × 2 × 8 × 128 × 2 (5120 / 64 = 80 would be 37.5 % low)
    {"Qwen__Qwen3-32B", 64, 64, 0, 0, 8, 128, std::nullopt, 64 * 2 * 8 * 128 * 2},
    {"Qwen__Qwen3-8B", 36, 36, 0, 0, 8, 128, std::nullopt, 36 * 2 * 8 * 128 * 2},
    // olmo3: layer_types, 3 sliding + 1 full → 48 + 16; 64 × 2 × 8 × (5120 / 40) × 2
    {"allenai__Olmo-3.1-32B-Instruct", 64, 16, 48, 0, 8, 128, 4096, 64 * 2 * 8 * 128 * 2},
    // starcoder2: sliding_window 4096 on every layer; 32 × 2 × 4 × (4608 / 36) × 2
    {"bigcode__starcoder2-7b", 32, 0, 32, 0, 4, 128, 4096, 32 * 2 * 4 * 128 * 2},
    // gemma2: even layers sliding → 13 + 13; 26 × 2 × 4 × 256 × 2
    {"google__gemma-2-2b-it", 26, 13, 13, 0, 4, 256, 4096, 26 * 2 * 4 * 256 * 2},
    // gemma2: 21 + 21; 42 × 2 × 8 × 256 × 2 (3584 / 16 = 224 would be wrong)
    {"google__gemma-2-9b-it", 42, 21, 21, 0, 8, 256, 4096, 42 * 2 * 8 * 256 * 2},
    // gemma: MQA, 18 × 2 × 1 × 256 × 2
    {"google__gemma-2b", 18, 18, 0, 0, 1, 256, std::nullopt, 18 * 2 * 1 * 256 * 2},
    // gemma3 (pattern 6 stated): globals 5, 11, ..., 47 → 8 full, 40 sliding; 48 × 2 × 8 × 256 × 2
    {"google__gemma-3-12b-it-qat-q4_0-unquantized", 48, 8, 40, 0, 8, 256, 1024, 48 * 2 * 8 * 256 * 2},
    // gemma3_text: globals 5, 11, 17, 23 → 4 full, 22 sliding(512); 26 × 2 × 1 × 256 × 2
    {"google__gemma-3-1b-it", 26, 4, 22, 0, 1, 256, 512, 26 * 2 * 1 * 256 * 2},
    // gemma3 text_config without heads: Gemma3TextConfig defaults 8 heads, 4 KV heads, head_dim 256;
    // globals 5, 11, 17, 23, 29 → 5 full, 29 sliding; 34 × 2 × 4 × 256 × 2
    {"google__gemma-3-4b-it", 34, 5, 29, 0, 4, 256, 1024, 34 * 2 * 4 * 256 * 2},
    // granite: 40 × 2 × 8 × (4096 / 32) × 2
    {"ibm-granite__granite-3.0-8b-instruct", 40, 40, 0, 0, 8, 128, std::nullopt, 40 * 2 * 8 * 128 * 2},
    // llava → text llama with LlamaConfig defaults: 32 layers, 32 heads, MHA, 4096 / 32; 32 × 2 × 32 × 128 ×
    // 2
    {"llava-hf__llava-1.5-7b-hf", 32, 32, 0, 0, 32, 128, std::nullopt, 32 * 2 * 32 * 128 * 2},
    {"meta-llama__Llama-2-7b-hf", 32, 32, 0, 0, 32, 128, std::nullopt, 32 * 2 * 32 * 128 * 2},
    // 80 × 2 × 8 × (8192 / 64) × 2
    {"meta-llama__Llama-3.1-70B", 80, 80, 0, 0, 8, 128, std::nullopt, 80 * 2 * 8 * 128 * 2},
    {"meta-llama__Llama-3.1-8B", 32, 32, 0, 0, 8, 128, std::nullopt, 32 * 2 * 8 * 128 * 2},
    {"meta-llama__Llama-3.1-8B-Instruct", 32, 32, 0, 0, 8, 128, std::nullopt, 32 * 2 * 8 * 128 * 2},
    // 16 × 2 × 8 × 64 × 2
    {"meta-llama__Llama-3.2-1B-Instruct", 16, 16, 0, 0, 8, 64, std::nullopt, 16 * 2 * 8 * 64 * 2},
    {"meta-llama__Llama-3.2-3B-Instruct", 28, 28, 0, 0, 8, 128, std::nullopt, 28 * 2 * 8 * 128 * 2},
    // llama4: no_rope_layers [] → NoPE (full) iff (i + 1) % 4 == 0 → 12 full, 36 chunked(8192);
    // 48 × 2 × 8 × 128 × 2
    {"meta-llama__Llama-4-Scout-17B-16E-Instruct", 48, 12, 0, 36, 8, 128, std::nullopt, 48 * 2 * 8 * 128 * 2},
    // phi3: sliding_window 2047 on every layer; MHA; 32 × 2 × 32 × (3072 / 32) × 2
    {"microsoft__Phi-3-mini-4k-instruct", 32, 0, 32, 0, 32, 96, 2047, 32 * 2 * 32 * 96 * 2},
    // phimoe: sliding 131072 on every layer; 32 × 2 × 8 × (4096 / 32) × 2
    {"microsoft__Phi-3.5-MoE-instruct", 32, 0, 32, 0, 8, 128, 131072, 32 * 2 * 8 * 128 * 2},
    {"microsoft__Phi-3.5-mini-instruct", 32, 0, 32, 0, 32, 96, 262144, 32 * 2 * 32 * 96 * 2},
    // phi3 (phi-4): sliding_window null → full; 40 × 2 × 10 × (5120 / 40) × 2
    {"microsoft__phi-4", 40, 40, 0, 0, 10, 128, std::nullopt, 40 * 2 * 10 * 128 * 2},
    // mistral3 → ministral3 text config, sliding_window null; 40 × 2 × 8 × 128 × 2
    {"mistralai__Devstral-Small-2-24B-Instruct-2512", 40, 40, 0, 0, 8, 128, std::nullopt,
     40 * 2 * 8 * 128 * 2},
    // mistral v0.3: sliding_window null → full
    {"mistralai__Mistral-7B-Instruct-v0.3", 32, 32, 0, 0, 8, 128, std::nullopt, 32 * 2 * 8 * 128 * 2},
    // mistral v0.1: sliding_window 4096 on every layer
    {"mistralai__Mistral-7B-v0.1", 32, 0, 32, 0, 8, 128, 4096, 32 * 2 * 8 * 128 * 2},
    // mistral Nemo: explicit head_dim 128 (5120 / 32 = 160 would be wrong); 40 × 2 × 8 × 128 × 2
    {"mistralai__Mistral-Nemo-Instruct-2407", 40, 40, 0, 0, 8, 128, std::nullopt, 40 * 2 * 8 * 128 * 2},
    {"mistralai__Mixtral-8x7B-v0.1", 32, 32, 0, 0, 8, 128, std::nullopt, 32 * 2 * 8 * 128 * 2},
    // gpt_oss: layer_types alternate → 12 sliding(128) + 12 full; 24 × 2 × 8 × 64 × 2 (2880 / 64 = 45 wrong)
    {"openai__gpt-oss-20b", 24, 12, 12, 0, 8, 64, 128, 24 * 2 * 8 * 64 * 2},
    // stablelm: 40 × 2 × 8 × (5120 / 32 = 160) × 2
    {"stabilityai__stablelm-2-12b-chat", 40, 40, 0, 0, 8, 160, std::nullopt, 40 * 2 * 8 * 160 * 2},
    // stablelm: MHA, 32 × 2 × 32 × (2560 / 32 = 80) × 2
    {"stabilityai__stablelm-3b-4e1t", 32, 32, 0, 0, 32, 80, std::nullopt, 32 * 2 * 32 * 80 * 2},
};

class Families : public ::testing::TestWithParam<Case> {};

TEST_P(Families, SpecAndBytesPerToken) {
  const Case& c = GetParam();
  ModelCacheSpec s = load_fixture(c.dir);
  EXPECT_EQ(s.num_layers(), c.layers);
  EXPECT_EQ(s.count(LayerKind::full_attention), c.full);
  EXPECT_EQ(s.count(LayerKind::sliding_attention), c.sliding);
  EXPECT_EQ(s.count(LayerKind::chunked_attention), c.chunked);
  EXPECT_EQ(s.num_kv_heads(), c.kv_heads);
  EXPECT_EQ(s.head_dim, c.head_dim);
  EXPECT_EQ(s.sliding_window, c.window);
  EXPECT_EQ(bytes_per_token_f16(s), c.bytes_per_token);
  EXPECT_FALSE(has_warning(s)) << "a known family must load without warnings";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Families, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& p) {
                           std::string n = p.param.dir;
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

TEST(Families, GptOssExactSizeAt128k) {
  auto s = load_fixture("openai__gpt-oss-20b");
  // per layer per token 2 × 8 × 64 × 2 = 2048 B; 12 full × 2048 × 131072 = 3'221'225'472
  // + 12 sliding × 2048 × 128 = 3'145'728 → 3'224'371'200
  EXPECT_EQ(exact_bytes(s, 131072), 3'224'371'200);
}

TEST(Families, Llama4ScoutChunkedLayersCapAtChunk) {
  auto s = load_fixture("meta-llama__Llama-4-Scout-17B-16E-Instruct");
  ASSERT_EQ(s.num_layers(), 48);
  for (int i = 0; i < 48; ++i) {
    bool nope = (i + 1) % 4 == 0;
    EXPECT_EQ(s.layers[i].kind, nope ? LayerKind::full_attention : LayerKind::chunked_attention) << i;
    EXPECT_EQ(s.layers[i].source, Tier::rule) << "no_rope_layers is empty: the default interval decided";
  }
  // 1M tokens: 12 full × 4096 B × 1'048'576 = 51'539'607'552; 36 chunked × 4096 × 8192 = 1'207'959'552
  EXPECT_EQ(exact_bytes(s, 1 << 20), 51'539'607'552 + 1'207'959'552);
  ASSERT_TRUE(s.moe);
  EXPECT_EQ(s.moe->num_experts, 16);
  EXPECT_EQ(s.moe->experts_per_token, 1);
}

TEST(Families, MistralV01WindowsEveryLayer) {
  auto s = load_fixture("mistralai__Mistral-7B-v0.1");
  // 32 × 4096 B/token, capped at 4096 tokens: 131'072 × 4096 = 536'870'912 (512 MiB) from 4096 tokens on
  EXPECT_EQ(exact_bytes(s, 32768), 512 * MiB);
  EXPECT_EQ(exact_bytes(s, 1000), 131'072 * 1000);
}

TEST(Families, Gemma3_4bUsesTextConfigClassDefaults) {
  auto s = load_fixture("google__gemma-3-4b-it");
  EXPECT_EQ(s.num_attention_heads, 8);
  bool noted = false;
  for (const auto& n : s.notes) noted |= n.text.find("head_dim is absent") != std::string::npos;
  EXPECT_TRUE(noted);
  bool fact = false;
  for (const auto& f : s.facts)
    if (f.name == "head_dim") fact = f.tier == Tier::rule && f.value == "256";
  EXPECT_TRUE(fact);
}

TEST(Families, TiersOfLayerKinds) {
  EXPECT_EQ(load_fixture("openai__gpt-oss-20b").layers[0].source, Tier::config);    // layer_types
  EXPECT_EQ(load_fixture("google__gemma-3-1b-it").layers[0].source, Tier::config);  // pattern stated
  EXPECT_EQ(load_fixture("mlx-community__gemma-3-12b-it-4bit").layers[0].source,
            Tier::rule);  // class default 6
  EXPECT_EQ(load_fixture("meta-llama__Llama-3.1-8B").layers[0].source, Tier::rule);
}

TEST(Families, QuantizationMethods) {
  auto fp8 = load_fixture("Qwen__Qwen3-30B-A3B-FP8");
  ASSERT_TRUE(fp8.quantization);
  EXPECT_EQ(fp8.quantization->method, "fp8");
  EXPECT_EQ(fp8.quantization->bits, 8);
  auto oss = load_fixture("openai__gpt-oss-20b");
  ASSERT_TRUE(oss.quantization);
  EXPECT_EQ(oss.quantization->method, "mxfp4");
  EXPECT_EQ(oss.quantization->bits, 4);
  EXPECT_FALSE(load_fixture("meta-llama__Llama-3.1-8B").quantization);
}

}  // namespace
}  // namespace kvspec::test

namespace kvspec::test {
namespace {

TEST(QwenSlidingRule, Qwen2WindowsLayersFromMaxWindowLayersWhenEnabled) {
  // Qwen2Config: layer i sliding iff use_sliding_window and i >= max_window_layers.
  auto s = from_json(R"({"model_type": "qwen2", "num_hidden_layers": 6, "num_attention_heads": 4,
                         "num_key_value_heads": 2, "hidden_size": 256, "use_sliding_window": true,
                         "sliding_window": 100, "max_window_layers": 4})");
  EXPECT_EQ(layer_strip(s), "FFFFSS");
  EXPECT_EQ(s.layers[4].window, 100);
  EXPECT_EQ(s.layers[4].source, Tier::config);
  // 6 layers × 2 × 2 × 64 × 2 = 3072 B/token; at 1000 tokens: 4 full × 512 × 1000 + 2 sliding × 512 × 100
  EXPECT_EQ(exact_bytes(s, 1000), 4 * 512 * 1000 + 2 * 512 * 100);
}

TEST(QwenSlidingRule, Qwen3MoeWindowsEveryLayerWhenEnabled) {
  // Qwen3MoeConfig (v5) has no max_window_layers: an enabled window covers every layer.
  auto s = from_json(R"({"model_type": "qwen3_moe", "num_hidden_layers": 4, "num_attention_heads": 4,
                         "num_key_value_heads": 2, "head_dim": 64, "hidden_size": 256, "use_sliding_window": true,
                         "sliding_window": 100, "max_window_layers": 2})");
  EXPECT_EQ(layer_strip(s), "SSSS");
  auto off = from_json(R"({"model_type": "qwen3_moe", "num_hidden_layers": 4, "num_attention_heads": 4,
                           "num_key_value_heads": 2, "head_dim": 64, "hidden_size": 256, "sliding_window": 100})");
  EXPECT_EQ(layer_strip(off), "FFFF");
  EXPECT_EQ(off.sliding_window, std::nullopt);
}

}  // namespace
}  // namespace kvspec::test
