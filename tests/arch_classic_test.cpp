// Classic families (src/arch/families/classic.cpp): the fixture configs of these families, then inline
// configs for the rules the fixtures do not exercise (falcon's two schemas, mpt, gpt_bigcode without
// multi_query, CLA sharing, NoPE-only sliding layers, ...). bytes per token at f16 = Σ layers owning KV × 2
// (K and V) × kv_heads × head_dim × 2 bytes; each row shows its arithmetic, and each rule's source is cited
// next to it in classic.cpp.
#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <string>

#include "cli_util.hpp"
#include "kvspec/load.hpp"
#include "kvspec/size.hpp"
#include "kvspec/spec.hpp"
#include "test_util.hpp"

namespace kvspec {
namespace {

using test::bytes_per_token_f16;
using test::from_json;
using test::has_note;
using test::load_fixture;

struct Uniform {
  const char* what;  // fixture directory, or a label for an inline config
  const char* json;  // nullptr: load tests/data/configs/<what>
  const char* model_type;
  std::int64_t layers, kv_heads, head_dim;
  std::int64_t bytes_per_token;  // f16
};

// Every layer full attention with the same heads and dims; no recurrent state.
const Uniform kUniform[] = {
    // baichuan (remote configuration_baichuan.py, MHA): 32 × 2 × 32 × (4096 / 32) × 2
    {"baichuan-inc__Baichuan2-7B-Chat", nullptr, "baichuan", 32, 32, 128, 32 * 2 * 32 * 128 * 2},
    // chatglm: num_layers 28, multi_query_attention with multi_query_group_num 2, kv_channels 128:
    // 28 × 2 × 2 × 128 × 2 = 28,672
    {"THUDM__chatglm3-6b", nullptr, "chatglm", 28, 2, 128, 28 * 2 * 2 * 128 * 2},
    // cohere: 32 × 2 × 8 × (4096 / 32) × 2
    {"CohereForAI__aya-23-8B", nullptr, "cohere", 32, 8, 128, 32 * 2 * 8 * 128 * 2},
    // dbrx: n_layers 40, attn_config.kv_n_heads 8, d_model 6144 / n_heads 48 = 128: 40 × 2 × 8 × 128 × 2
    {"databricks__dbrx-instruct", nullptr, "dbrx", 40, 8, 128, 40 * 2 * 8 * 128 * 2},
    // glm4_moe: num_hidden_layers 92 (the MTP layer is not among them), head_dim 128 stated: 92 × 2 × 8 × 128
    // × 2
    {"zai-org__GLM-4.5", nullptr, "glm4_moe", 92, 8, 128, 92 * 2 * 8 * 128 * 2},
    // gpt2: n_layer 36, n_head 20, n_embd 1280 → 64: 36 × 2 × 20 × 64 × 2
    {"openai-community__gpt2-large", nullptr, "gpt2", 36, 20, 64, 36 * 2 * 20 * 64 * 2},
    // gpt_bigcode: multi_query true → 1 KV head; n_embd 2048 / n_head 16 = 128: 24 × 2 × 1 × 128 × 2
    {"bigcode__gpt_bigcode-santacoder", nullptr, "gpt_bigcode", 24, 1, 128, 24 * 2 * 1 * 128 * 2},
    // gpt_neox: MHA, 2560 / 32 = 80: 32 × 2 × 32 × 80 × 2
    {"togethercomputer__RedPajama-INCITE-Chat-3B-v1", nullptr, "gpt_neox", 32, 32, 80, 32 * 2 * 32 * 80 * 2},
    // phi: num_key_value_heads 32, 2048 / 32 = 64: 24 × 2 × 32 × 64 × 2
    {"microsoft__phi-1", nullptr, "phi", 24, 32, 64, 24 * 2 * 32 * 64 * 2},
    // qwen2_5_vl (flat config): 28 × 2 × 4 × (3584 / 28) × 2; use_sliding_window false
    {"Qwen__Qwen2.5-VL-7B-Instruct", nullptr, "qwen2_5_vl", 28, 4, 128, 28 * 2 * 4 * 128 * 2},
    // qwen2_vl (flat): 28 × 2 × 2 × (1536 / 12) × 2; sliding_window 32768 inert (use_sliding_window false)
    {"Qwen__Qwen2-VL-2B-Instruct-AWQ", nullptr, "qwen2_vl", 28, 2, 128, 28 * 2 * 2 * 128 * 2},

    // Inline configs (real models' numbers, or class defaults when keys are absent).
    // falcon-7b: multi_query true, old architecture → 1 KV head; 4544 / 71 = 64: 32 × 2 × 1 × 64 × 2
    {"falcon-7b", R"({"model_type": "falcon", "hidden_size": 4544, "num_attention_heads": 71,
        "num_hidden_layers": 32, "multi_query": true, "new_decoder_architecture": false})",
     "falcon", 32, 1, 64, 32 * 2 * 1 * 64 * 2},
    // FalconConfig defaults (32 layers, 71 heads, 4544, multi_query true): the same 8,192
    {"falcon defaults", R"({"model_type": "falcon"})", "falcon", 32, 1, 64, 32 * 2 * 1 * 64 * 2},
    // falcon-40b: new_decoder_architecture → num_kv_heads 8; 8192 / 128 = 64: 60 × 2 × 8 × 64 × 2
    {"falcon-40b", R"({"model_type": "falcon", "hidden_size": 8192, "num_attention_heads": 128,
        "num_hidden_layers": 60, "num_kv_heads": 8, "new_decoder_architecture": true})",
     "falcon", 60, 8, 64, 60 * 2 * 8 * 64 * 2},
    // legacy n_head_kv with the new architecture: 60 × 2 × 8 × 64 × 2
    {"falcon-40b legacy n_head_kv", R"({"model_type": "falcon", "hidden_size": 8192, "n_head": 128,
        "n_layer": 60, "n_head_kv": 8, "new_decoder_architecture": true})",
     "falcon", 60, 8, 64, 60 * 2 * 8 * 64 * 2},
    // new_decoder_architecture without num_kv_heads: FalconConfig num_kv_heads None -> heads (multi_query is
    // not consulted): 2 × 2 × 16 × (1024 / 16) × 2
    {"falcon new arch default kv", R"({"model_type": "falcon", "hidden_size": 1024, "num_attention_heads": 16,
        "num_hidden_layers": 2, "new_decoder_architecture": true, "multi_query": true})",
     "falcon", 2, 16, 64, 2 * 2 * 16 * 64 * 2},
    // falcon-rw-1b: multi_query false, no num_kv_heads → MHA; 2048 / 32 = 64: 24 × 2 × 32 × 64 × 2
    {"falcon-rw-1b", R"({"model_type": "falcon", "hidden_size": 2048, "num_attention_heads": 32,
        "num_hidden_layers": 24, "multi_query": false, "alibi": true})",
     "falcon", 24, 32, 64, 24 * 2 * 32 * 64 * 2},
    // mpt-7b (HF MptConfig: MHA): d_model 4096 / n_heads 32 = 128: 32 × 2 × 32 × 128 × 2
    {"mpt-7b", R"({"model_type": "mpt", "d_model": 4096, "n_heads": 32, "n_layers": 32,
        "attn_config": {"alibi": true}})",
     "mpt", 32, 32, 128, 32 * 2 * 32 * 128 * 2},
    // MosaicML GQA variant: attn_config.kv_n_heads 8: 32 × 2 × 8 × 128 × 2
    {"mpt kv_n_heads", R"({"model_type": "mpt", "d_model": 4096, "n_heads": 32, "n_layers": 32,
        "attn_config": {"kv_n_heads": 8}})",
     "mpt", 32, 8, 128, 32 * 2 * 8 * 128 * 2},
    // gpt_bigcode with multi_query false → MHA: 24 × 2 × 16 × (2048 / 16) × 2
    {"gpt_bigcode MHA", R"({"model_type": "gpt_bigcode", "n_embd": 2048, "n_head": 16, "n_layer": 24,
        "multi_query": false})",
     "gpt_bigcode", 24, 16, 128, 24 * 2 * 16 * 128 * 2},
    // GPTBigCodeConfig defaults: 12 layers, 12 heads, 768, multi_query true: 12 × 2 × 1 × 64 × 2
    {"gpt_bigcode defaults", R"({"model_type": "gpt_bigcode"})", "gpt_bigcode", 12, 1, 64,
     12 * 2 * 1 * 64 * 2},
    // dbrx without attn_config.kv_n_heads: DbrxAttentionConfig default 1: 40 × 2 × 1 × 128 × 2
    {"dbrx default kv", R"({"model_type": "dbrx", "d_model": 6144, "n_heads": 48, "n_layers": 40,
        "attn_config": {"clip_qkv": 8}})",
     "dbrx", 40, 1, 128, 40 * 2 * 1 * 128 * 2},
    // bloom-560m with the legacy n_embed: 1024 / 16 = 64: 24 × 2 × 16 × 64 × 2
    {"bloom n_embed", R"({"model_type": "bloom", "n_embed": 1024, "n_head": 16, "n_layer": 24})", "bloom", 24,
     16, 64, 24 * 2 * 16 * 64 * 2},
    // gptj-6b: 4096 / 16 = 256: 28 × 2 × 16 × 256 × 2
    {"gpt-j-6b", R"({"model_type": "gptj", "n_embd": 4096, "n_head": 16, "n_layer": 28})", "gptj", 28, 16,
     256, 28 * 2 * 16 * 256 * 2},
    // chatglm without multi_query_attention → MHA: 28 × 2 × 32 × 128 × 2
    {"chatglm MHA", R"({"model_type": "chatglm", "num_layers": 28, "hidden_size": 4096,
        "num_attention_heads": 32, "kv_channels": 128})",
     "chatglm", 28, 32, 128, 28 * 2 * 32 * 128 * 2},
    // glm-4-9b-chat (chatglm schema): 40 layers, group num 2: 40 × 2 × 2 × 128 × 2
    {"glm-4-9b-chat", R"({"model_type": "chatglm", "num_layers": 40, "hidden_size": 4096,
        "num_attention_heads": 32, "kv_channels": 128, "multi_query_attention": true,
        "multi_query_group_num": 2})",
     "chatglm", 40, 2, 128, 40 * 2 * 2 * 128 * 2},
    // glm4_moe without head_dim: Glm4MoeConfig default 128 (5120 / 96 is not integral): 92 × 2 × 8 × 128 × 2
    {"glm4_moe default head_dim",
     R"({"model_type": "glm4_moe", "hidden_size": 5120, "num_attention_heads": 96,
        "num_key_value_heads": 8, "num_hidden_layers": 92})",
     "glm4_moe", 92, 8, 128, 92 * 2 * 8 * 128 * 2},
    // GlmConfig / Glm4Config defaults: 40 layers, kv 2, head_dim 128: 40 × 2 × 2 × 128 × 2
    {"glm defaults", R"({"model_type": "glm"})", "glm", 40, 2, 128, 40 * 2 * 2 * 128 * 2},
    {"glm4 defaults", R"({"model_type": "glm4"})", "glm4", 40, 2, 128, 40 * 2 * 2 * 128 * 2},
    // olmo schema (b) (AI2 hf_olmo: d_model / n_heads / n_layers, no n_kv_heads → MHA): 32 × 2 × 32 × 128 × 2
    {"olmo schema b", R"({"model_type": "olmo", "d_model": 4096, "n_heads": 32, "n_layers": 32})", "olmo", 32,
     32, 128, 32 * 2 * 32 * 128 * 2},
    // olmo schema (b) with n_kv_heads 8: 32 × 2 × 8 × 128 × 2
    {"olmo schema b gqa", R"({"model_type": "olmo", "d_model": 4096, "n_heads": 32, "n_layers": 32,
        "n_kv_heads": 8})",
     "olmo", 32, 8, 128, 32 * 2 * 8 * 128 * 2},
    // olmo schema (b) with multi_query_attention → 1: 32 × 2 × 1 × 128 × 2
    {"olmo schema b mqa", R"({"model_type": "olmo", "d_model": 4096, "n_heads": 32, "n_layers": 32,
        "multi_query_attention": true})",
     "olmo", 32, 1, 128, 32 * 2 * 1 * 128 * 2},
    // olmo schema (a) (OlmoConfig, OLMo-7B-hf): MHA: 32 × 2 × 32 × 128 × 2
    {"olmo schema a", R"({"model_type": "olmo", "hidden_size": 4096, "num_attention_heads": 32,
        "num_hidden_layers": 32, "num_key_value_heads": 32})",
     "olmo", 32, 32, 128, 32 * 2 * 32 * 128 * 2},
    // exaone (3.x): num_layers; 4096 / 32: 32 × 2 × 8 × 128 × 2
    {"exaone 3.5", R"({"model_type": "exaone", "num_layers": 32, "hidden_size": 4096,
        "num_attention_heads": 32, "num_key_value_heads": 8})",
     "exaone", 32, 8, 128, 32 * 2 * 8 * 128 * 2},
    // internlm2-7b: 32 × 2 × 8 × 128 × 2
    {"internlm2-7b", R"({"model_type": "internlm2", "hidden_size": 4096, "num_attention_heads": 32,
        "num_hidden_layers": 32, "num_key_value_heads": 8})",
     "internlm2", 32, 8, 128, 32 * 2 * 8 * 128 * 2},
    // ernie4_5 defaults (0.3B): 18 layers, kv 2, head_dim 128: 18 × 2 × 2 × 128 × 2
    {"ernie4_5 defaults", R"({"model_type": "ernie4_5"})", "ernie4_5", 18, 2, 128, 18 * 2 * 2 * 128 * 2},
    // ernie4_5_moe defaults (21B-A3B): 28 layers, kv 4, 2560 / 20 = 128: 28 × 2 × 4 × 128 × 2
    {"ernie4_5_moe defaults", R"({"model_type": "ernie4_5_moe"})", "ernie4_5_moe", 28, 4, 128,
     28 * 2 * 4 * 128 * 2},
    // minimax_m2 defaults (MiniMax-M2): 62 layers, kv 8, head_dim 128: 62 × 2 × 8 × 128 × 2
    {"minimax_m2 defaults", R"({"model_type": "minimax_m2"})", "minimax_m2", 62, 8, 128,
     62 * 2 * 8 * 128 * 2},
    // seed_oss without head_dim: SeedOssConfig default 128 (5120 / 80 = 64 would halve it): 64 × 2 × 8 × 128
    // × 2
    {"seed_oss default head_dim",
     R"({"model_type": "seed_oss", "hidden_size": 5120, "num_attention_heads": 80,
        "num_key_value_heads": 8, "num_hidden_layers": 64})",
     "seed_oss", 64, 8, 128, 64 * 2 * 8 * 128 * 2},
    // nemotron-4-minitron-like: 32 × 2 × 8 × (4096 / 32) × 2
    {"nemotron", R"({"model_type": "nemotron", "hidden_size": 4096, "num_attention_heads": 32,
        "num_hidden_layers": 32, "num_key_value_heads": 8})",
     "nemotron", 32, 8, 128, 32 * 2 * 8 * 128 * 2},
    // arcee (AFM-4.5B-like): 36 × 2 × 4 × 128 × 2
    {"arcee", R"({"model_type": "arcee", "hidden_size": 2560, "num_attention_heads": 20,
        "num_hidden_layers": 36, "num_key_value_heads": 4, "head_dim": 128})",
     "arcee", 36, 4, 128, 36 * 2 * 4 * 128 * 2},
    // apertus-8b-like: 32 × 2 × 8 × 128 × 2
    {"apertus", R"({"model_type": "apertus", "hidden_size": 4096, "num_attention_heads": 32,
        "num_hidden_layers": 32, "num_key_value_heads": 8})",
     "apertus", 32, 8, 128, 32 * 2 * 8 * 128 * 2},
    // hunyuan_v1_moe without CLA: 32 × 2 × 8 × 128 × 2
    {"hunyuan_v1_moe", R"({"model_type": "hunyuan_v1_moe", "hidden_size": 4096, "num_attention_heads": 32,
        "num_hidden_layers": 32, "num_key_value_heads": 8, "head_dim": 128, "use_cla": false,
        "cla_share_factor": 2})",
     "hunyuan_v1_moe", 32, 8, 128, 32 * 2 * 8 * 128 * 2},
    // qwen2_5_vl with a nested text_config (newer transformers): 28 × 2 × 4 × 128 × 2
    {"qwen2_5_vl nested", R"({"model_type": "qwen2_5_vl", "text_config": {"model_type": "qwen2_5_vl_text",
        "hidden_size": 3584, "num_attention_heads": 28, "num_key_value_heads": 4, "num_hidden_layers": 28}})",
     "qwen2_5_vl", 28, 4, 128, 28 * 2 * 4 * 128 * 2},
    // Qwen3-VL-8B: text_config head_dim 128, kv 8, 36 layers: 36 × 2 × 8 × 128 × 2
    {"qwen3_vl", R"({"model_type": "qwen3_vl", "text_config": {"model_type": "qwen3_vl_text",
        "hidden_size": 4096, "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128,
        "num_hidden_layers": 36}})",
     "qwen3_vl", 36, 8, 128, 36 * 2 * 8 * 128 * 2},
    // Qwen3-VL-30B-A3B: text 48 layers, kv 4, head_dim 128: 48 × 2 × 4 × 128 × 2
    {"qwen3_vl_moe", R"({"model_type": "qwen3_vl_moe", "text_config": {"model_type": "qwen3_vl_moe_text",
        "hidden_size": 2048, "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128,
        "num_hidden_layers": 48, "num_experts": 128, "num_experts_per_tok": 8}})",
     "qwen3_vl_moe", 48, 4, 128, 48 * 2 * 4 * 128 * 2},
    // voxtral: text_config without model_type → LlamaConfig rule (Voxtral-Mini-3B): 30 × 2 × 8 × 128 × 2
    {"voxtral", R"({"model_type": "voxtral", "audio_config": {"model_type": "voxtral_encoder"},
        "text_config": {"hidden_size": 3072, "num_attention_heads": 32, "num_key_value_heads": 8,
        "head_dim": 128, "num_hidden_layers": 30}})",
     "voxtral", 30, 8, 128, 30 * 2 * 8 * 128 * 2},
};

class ArchClassicUniform : public ::testing::TestWithParam<Uniform> {};

TEST_P(ArchClassicUniform, KindsHeadsDimsBytes) {
  const Uniform& u = GetParam();
  ModelCacheSpec s = u.json == nullptr ? load_fixture(u.what) : from_json(u.json);
  EXPECT_EQ(s.model_type, u.model_type);
  ASSERT_EQ(s.num_layers(), u.layers);
  EXPECT_EQ(s.count(LayerKind::full_attention), u.layers);
  for (const LayerSpec& l : s.layers) {
    EXPECT_EQ(l.num_kv_heads, u.kv_heads);
    EXPECT_EQ(l.head_dim_k, u.head_dim);
    EXPECT_EQ(l.head_dim_v, u.head_dim);
  }
  EXPECT_EQ(s.head_dim, u.head_dim);
  EXPECT_EQ(bytes_per_token_f16(s), u.bytes_per_token);
  EXPECT_EQ(s.state_bytes_per_sequence(), 0);
  EXPECT_FALSE(s.sliding_window.has_value());
  EXPECT_FALSE(s.has_warnings()) << (s.notes.empty() ? "" : s.notes.front().text);
}

INSTANTIATE_TEST_SUITE_P(Families, ArchClassicUniform, ::testing::ValuesIn(kUniform),
                         [](const ::testing::TestParamInfo<Uniform>& p) {
                           std::string n = p.param.what;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(ArchClassic, Glm45MtpLayerNotCounted) {
  ModelCacheSpec s = load_fixture("zai-org__GLM-4.5");
  EXPECT_TRUE(has_note(s, "num_nextn_predict_layers = 1"));
  EXPECT_EQ(s.num_layers(), 92);  // not 93
}

TEST(ArchClassic, Qwen2VlSlidingIsInertWithoutUseSlidingWindow) {
  ModelCacheSpec s = load_fixture("Qwen__Qwen2-VL-2B-Instruct-AWQ");
  EXPECT_TRUE(has_note(s, "sliding_window 32768 is inert"));
  // With use_sliding_window, layers >= max_window_layers (2 of 4 here) are windowed (Qwen2VLTextConfig).
  ModelCacheSpec w = from_json(R"({"model_type": "qwen2_vl", "hidden_size": 1536, "num_attention_heads": 12,
      "num_key_value_heads": 2, "num_hidden_layers": 4, "use_sliding_window": true, "sliding_window": 1024,
      "max_window_layers": 2})");
  EXPECT_EQ(w.count(LayerKind::full_attention), 2);
  EXPECT_EQ(w.count(LayerKind::sliding_attention), 2);
  EXPECT_EQ(w.layers[2].window, 1024);
}

TEST(ArchClassic, SmolLM3SlidesOnlyNoPELayers) {
  // SmolLM3Config: NoPE iff (i + 1) % 4 == 0 → layers 3 and 7 of 8; with use_sliding_window those (only) are
  // sliding. KV heads 4 (default), 2048 / 16 = 128.
  ModelCacheSpec s = from_json(R"({"model_type": "smollm3", "hidden_size": 2048, "num_attention_heads": 16,
      "num_hidden_layers": 8, "use_sliding_window": true, "sliding_window": 4096})");
  ASSERT_EQ(s.num_layers(), 8);
  EXPECT_EQ(s.count(LayerKind::sliding_attention), 2);
  EXPECT_EQ(s.layers[3].kind, LayerKind::sliding_attention);
  EXPECT_EQ(s.layers[7].kind, LayerKind::sliding_attention);
  EXPECT_EQ(s.layers[3].window, 4096);
  EXPECT_EQ(s.layers[0].num_kv_heads, 4);
  // 8 × 2 × 4 × 128 × 2 = 16,384 (uncapped)
  EXPECT_EQ(bytes_per_token_f16(s), 8 * 2 * 4 * 128 * 2);
  // Explicit no_rope_layers: NoPE at 0 and 1 only.
  ModelCacheSpec e = from_json(R"({"model_type": "smollm3", "hidden_size": 2048, "num_attention_heads": 16,
      "num_hidden_layers": 4, "use_sliding_window": true, "sliding_window": 4096, "no_rope_layers": [0, 0, 1, 1]})");
  EXPECT_EQ(e.layers[0].kind, LayerKind::sliding_attention);
  EXPECT_EQ(e.layers[1].kind, LayerKind::sliding_attention);
  EXPECT_EQ(e.layers[2].kind, LayerKind::full_attention);
  // Released SmolLM3-3B: use_sliding_window false → 36 full layers (class default count).
  ModelCacheSpec r = from_json(R"({"model_type": "smollm3", "use_sliding_window": false,
      "sliding_window": null})");
  EXPECT_EQ(r.count(LayerKind::full_attention), 36);
  EXPECT_FALSE(r.has_warnings());
}

TEST(ArchClassic, HunyuanClaLayersShareTheirOwner) {
  // use_cla with cla_share_factor 2: layers 1 and 3 reuse the K/V of layers 0 and 2 (Tencent
  // modeling_hunyuan.py).
  const char* json = R"({"model_type": "hunyuan_v1_dense", "hidden_size": 4096, "num_attention_heads": 32,
      "num_hidden_layers": 4, "num_key_value_heads": 8, "head_dim": 128, "use_cla": true, "cla_share_factor": 2})";
  ModelCacheSpec s = from_json(json);
  ASSERT_EQ(s.num_layers(), 4);
  EXPECT_EQ(s.layers[0].kind, LayerKind::full_attention);
  EXPECT_EQ(s.layers[1].kind, LayerKind::shared);
  EXPECT_EQ(s.layers[1].shares_with, 0);
  EXPECT_EQ(s.layers[2].kind, LayerKind::full_attention);
  EXPECT_EQ(s.layers[3].kind, LayerKind::shared);
  EXPECT_EQ(s.layers[3].shares_with, 2);
  EXPECT_EQ(layer_strip(s), "F=F=");
  // Only the 2 owning layers cache: 2 × 2 × 8 × 128 × 2 = 8,192 (4 layers without CLA: 16,384).
  EXPECT_EQ(bytes_per_token_f16(s), 2 * 2 * 8 * 128 * 2);
  EXPECT_FALSE(s.has_warnings());
  // A factor of 3 over 6 layers: 0 owns 1, 2; 3 owns 4, 5.
  ModelCacheSpec t = from_json(R"({"model_type": "hunyuan_v1_moe", "num_hidden_layers": 6, "use_cla": true,
      "cla_share_factor": 3})");
  EXPECT_EQ(layer_strip(t), "F==F==");
  EXPECT_EQ(t.layers[5].shares_with, 3);
}

TEST(ArchClassic, HunyuanSlidingWindowIsNotUsed) {
  ModelCacheSpec s = from_json(R"({"model_type": "hunyuan_v1_dense", "num_hidden_layers": 2,
      "sliding_window": 4096})");
  EXPECT_EQ(s.count(LayerKind::full_attention), 2);
  EXPECT_FALSE(s.sliding_window.has_value());
  EXPECT_TRUE(has_note(s, "not used by Hunyuan attention"));
}

TEST(ArchClassic, Dots1WindowsLayersFromMaxWindowLayers) {
  // Dots1Config: sliding iff i >= max_window_layers, no use_sliding_window gate. 62 layers, from 60: 2
  // sliding.
  ModelCacheSpec s = from_json(R"({"model_type": "dots1", "hidden_size": 4096, "num_attention_heads": 32,
      "num_key_value_heads": 32, "head_dim": 128, "num_hidden_layers": 62, "sliding_window": 4096,
      "max_window_layers": 60})");
  EXPECT_EQ(s.count(LayerKind::full_attention), 60);
  EXPECT_EQ(s.count(LayerKind::sliding_attention), 2);
  EXPECT_EQ(s.layers[61].window, 4096);
  // 62 × 2 × 32 × 128 × 2 = 1,015,808 (uncapped)
  EXPECT_EQ(bytes_per_token_f16(s), 62 * 2 * 32 * 128 * 2);
  // Released dots.llm1 (max_window_layers 62 = layers): all full, no window reported.
  ModelCacheSpec r = from_json(R"({"model_type": "dots1", "hidden_size": 4096, "num_attention_heads": 32,
      "head_dim": 128, "num_hidden_layers": 62, "max_window_layers": 62})");
  EXPECT_EQ(r.count(LayerKind::full_attention), 62);
  EXPECT_FALSE(r.sliding_window.has_value());
}

TEST(ArchClassic, BadFlagTypesAreErrors) {
  auto r = spec_from_config_text(R"({"model_type": "gpt_bigcode", "multi_query": "yes"})", "inline.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "multi_query");
  auto c = spec_from_config_text(R"({"model_type": "chatglm", "num_layers": 2, "multi_query_attention": true,
      "multi_query_group_num": 0})",
                                 "inline.json");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().field, "multi_query_group_num");
}

TEST(ArchClassic, CliShowsSharedLayers) {
  test::TempDir dir;
  dir.write("config.json", R"({"model_type": "hunyuan_v1_dense", "num_hidden_layers": 4,
      "use_cla": true, "cla_share_factor": 2})");
  std::string json = test::run_cli("inspect " + dir.path() + " --json").out;
  std::string text = test::run_cli("inspect " + dir.path()).out;
  EXPECT_NE(json.find("\"kind\": \"shared\""), std::string::npos) << json.substr(0, 400);
  EXPECT_NE(json.find("\"shares_with\": 2"), std::string::npos);
  EXPECT_NE(text.find("F=F="), std::string::npos) << text;
}

}  // namespace
}  // namespace kvspec
