// Structural families: per-layer heads (Nemotron-NAS), KV sharing (Gemma 3n, Gemma 4), cross-attention
// (Mllama) and encoder-decoder models (Whisper, T5). Every expected figure is worked out by hand from the
// config's own numbers, shown next to it; the rules are cited in
// src/arch/families/{nemotron_nas,kv_sharing,cross_attention}.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_util.hpp"
#include "kvspec/load.hpp"
#include "kvspec/size.hpp"
#include "kvspec/spec.hpp"
#include "test_util.hpp"

namespace kvspec {
namespace {

using test::bytes_per_token_f16;
using test::exact_bytes;
using test::from_json;
using test::load_fixture;

std::string fixture(const std::string& name) {
  return test::data_path("configs/" + name);
}

// ---------------------------------------------------------------------------------------------------------------
// Nemotron-NAS: nvidia/Llama-3_1-Nemotron-51B-Instruct, 80 layers, 64 heads, hidden 8192 → head_dim 128.
// block_configs[i].attention (read from the fixture):
//   n_heads_in_group  8 → 64 / 8  = 8 KV heads: 44 layers
//   n_heads_in_group 16 → 64 / 16 = 4 KV heads: layer 1
//   n_heads_in_group 32 → 64 / 32 = 2 KV heads: layers 5, 6, 9, 10, 13, 14
//   n_heads_in_group 64 → 64 / 64 = 1 KV head:  layers 7, 8, 12
//   replace_with_linear → none: 11, 15, 42, 45, 46, 47, 48, 49, 51, 54, 57, 59, 60, 63, 66, 67, 68, 69 (18)
//   no_op               → none: 50, 53, 55, 58, 61, 62, 64, 65 (8)
// Rule: vLLM nemotron_nas.py DeciLMDecoderLayer, mlx-lm nemotron-nas.py.
TEST(ArchStructural, NemotronNasPerLayerKvHeadsAndNoAttentionLayers) {
  ModelCacheSpec s = load_fixture("nvidia__Llama-3_1-Nemotron-51B-Instruct");
  ASSERT_EQ(s.num_layers(), 80);
  EXPECT_EQ(s.model_type, "nemotron-nas");
  EXPECT_FALSE(s.has_warnings());

  const std::vector<int> linear = {11, 15, 42, 45, 46, 47, 48, 49, 51, 54, 57, 59, 60, 63, 66, 67, 68, 69};
  const std::vector<int> no_op = {50, 53, 55, 58, 61, 62, 64, 65};
  std::vector<std::int64_t> want(80, 8);
  want[1] = 4;
  for (int i : {5, 6, 9, 10, 13, 14}) want[static_cast<std::size_t>(i)] = 2;
  for (int i : {7, 8, 12}) want[static_cast<std::size_t>(i)] = 1;
  for (int i : linear) want[static_cast<std::size_t>(i)] = 0;
  for (int i : no_op) want[static_cast<std::size_t>(i)] = 0;

  for (std::size_t i = 0; i < 80; ++i) {
    const LayerSpec& l = s.layers[i];
    if (want[i] == 0) {
      EXPECT_EQ(l.kind, LayerKind::none) << "layer " << i;
      EXPECT_FALSE(l.owns_kv()) << "layer " << i;
    } else {
      EXPECT_EQ(l.kind, LayerKind::full_attention) << "layer " << i;
      EXPECT_EQ(l.num_kv_heads, want[i]) << "layer " << i;
      EXPECT_EQ(l.head_dim_k, 128) << "layer " << i;
      EXPECT_EQ(l.head_dim_v, 128) << "layer " << i;
    }
  }
  EXPECT_EQ(s.count(LayerKind::none), 26);            // 18 replace_with_linear + 8 no_op
  EXPECT_EQ(s.count(LayerKind::full_attention), 54);  // 80 - 26
  EXPECT_EQ(s.num_kv_heads(), 8);

  // KV heads summed over the layers: 44 × 8 + 6 × 2 + 3 × 1 + 1 × 4 = 352 + 12 + 3 + 4 = 371.
  // bytes/token = 371 × 2 (K, V) × 128 × 2 B = 189'952 (the uniform 80 × 8 reading would be 327'680).
  EXPECT_EQ(bytes_per_token_f16(s), 189'952);
  // 189'952 × 4096 = 778'043'392
  EXPECT_EQ(exact_bytes(s, 4096), 778'043'392);
}

TEST(ArchStructural, NemotronNasBadGroupSizeNamesTheField) {
  auto spec = spec_from_config_text(
      R"({"model_type": "nemotron-nas", "num_hidden_layers": 2, "num_attention_heads": 64, "hidden_size": 8192,
          "block_configs": [{"attention": {"n_heads_in_group": 8, "no_op": false, "replace_with_linear": false}},
                            {"attention": {"n_heads_in_group": 48, "no_op": false, "replace_with_linear": false}}]})",
      "bad.json");
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().field, "block_configs[1].attention.n_heads_in_group");
}

// ---------------------------------------------------------------------------------------------------------------
// Gemma 3n E4B text config (values of google/gemma-3n-E4B's text_config, which are also Gemma3nTextConfig's
// "E4B style" defaults in transformers configuration_gemma3n.py): 35 layers, 8 heads, 2 KV heads, head_dim
// 256, sliding_window 512, layer_types 4 × sliding + 1 × full, num_kv_shared_layers 15. Owning layers 0..19:
// full 4, 9, 14, 19; sliding the other 16. Shared layers 20..34 read the last earlier layer of their type:
// sliding → 18, full → 19 (kv_sharing_roles).
constexpr const char* kGemma3nE4B = R"({
  "architectures": ["Gemma3nForConditionalGeneration"], "model_type": "gemma3n",
  "text_config": {"model_type": "gemma3n_text", "hidden_size": 2048, "num_hidden_layers": 35,
    "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 256, "sliding_window": 512,
    "num_kv_shared_layers": 15,
    "layer_types": ["sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention",
      "full_attention", "sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention",
      "full_attention", "sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention",
      "full_attention", "sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention",
      "full_attention", "sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention",
      "full_attention", "sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention",
      "full_attention", "sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention",
      "full_attention"]}})";

void expect_gemma3n_e4b(const ModelCacheSpec& s) {
  ASSERT_EQ(s.num_layers(), 35);
  for (std::int32_t i = 0; i < 35; ++i) {
    const LayerSpec& l = s.layers[static_cast<std::size_t>(i)];
    bool full = (i + 1) % 5 == 0;
    if (i < 20) {
      EXPECT_EQ(l.kind, full ? LayerKind::full_attention : LayerKind::sliding_attention) << "layer " << i;
      EXPECT_EQ(l.num_kv_heads, 2) << "layer " << i;
      EXPECT_EQ(l.head_dim_k, 256) << "layer " << i;
      if (!full) {
        EXPECT_EQ(l.window, 512) << "layer " << i;
      }
    } else {
      EXPECT_EQ(l.kind, LayerKind::shared) << "layer " << i;
      EXPECT_EQ(l.shares_with, full ? 19 : 18) << "layer " << i;
      EXPECT_FALSE(l.owns_kv()) << "layer " << i;
    }
  }
  EXPECT_EQ(s.count(LayerKind::full_attention), 4);
  EXPECT_EQ(s.count(LayerKind::sliding_attention), 16);
  EXPECT_EQ(s.count(LayerKind::shared), 15);
  // Per owning layer: 2 × 2 KV heads × 256 × 2 B = 2'048. 20 owning layers × 2'048 = 40'960 (all 35: 71'680).
  EXPECT_EQ(bytes_per_token_f16(s), 40'960);
  // At 4096 tokens: full 4 × 2'048 × 4096 = 33'554'432; sliding 16 × 2'048 × 512 = 16'777'216; total
  // 50'331'648.
  EXPECT_EQ(exact_bytes(s, 4096), 50'331'648);
}

TEST(ArchStructural, Gemma3nSharedLayersReadTheLastProducerOfTheirType) {
  ModelCacheSpec s = from_json(kGemma3nE4B);
  EXPECT_EQ(s.text_model_type, "gemma3n_text");
  EXPECT_FALSE(s.has_warnings());
  expect_gemma3n_e4b(s);
}

TEST(ArchStructural, Gemma3nClassDefaultsAreTheE4bLayout) {
  // Gemma3nTextConfig defaults: 35 layers, 8 heads, 2 KV heads, head_dim 256, sliding_window 512, layer_types
  // full iff (i + 1) % 5 == 0, num_kv_shared_layers 15: the same cache as the E4B config above.
  expect_gemma3n_e4b(
      from_json(R"({"model_type": "gemma3n", "text_config": {"model_type": "gemma3n_text"}})"));
}

// ---------------------------------------------------------------------------------------------------------------
// Gemma 4 31B text config (google/gemma-4-31B-it: 60 layers, 32 heads, 16 KV heads, head_dim 256,
// global_head_dim 512, num_global_key_value_heads 4, attention_k_eq_v true, sliding_window 1024,
// num_kv_shared_layers 0, layer_types 5 × sliding + 1 × full; as copied in public parser tests of that
// config). Sliding layers: 16 KV heads × 256; global (full) layers: 4 KV heads × 512, K and V both cached
// (modeling_gemma4.py Gemma4TextAttention).
TEST(ArchStructural, Gemma4GlobalLayersHaveTheirOwnHeadsAndDim) {
  std::string types;
  for (int i = 0; i < 60; ++i)
    types += std::string(i ? ", " : "") + ((i + 1) % 6 == 0 ? "\"full_attention\"" : "\"sliding_attention\"");
  ModelCacheSpec s =
      from_json(R"({"architectures": ["Gemma4ForConditionalGeneration"], "model_type": "gemma4",
      "text_config": {"model_type": "gemma4_text", "hidden_size": 5376, "num_hidden_layers": 60,
        "num_attention_heads": 32, "num_key_value_heads": 16, "num_global_key_value_heads": 4, "head_dim": 256,
        "global_head_dim": 512, "attention_k_eq_v": true, "sliding_window": 1024, "num_kv_shared_layers": 0,
        "layer_types": [)" +
                types + "]}}");
  ASSERT_EQ(s.num_layers(), 60);
  EXPECT_FALSE(s.has_warnings());
  for (std::size_t i = 0; i < 60; ++i) {
    const LayerSpec& l = s.layers[i];
    if ((i + 1) % 6 == 0) {
      EXPECT_EQ(l.kind, LayerKind::full_attention) << "layer " << i;
      EXPECT_EQ(l.num_kv_heads, 4) << "layer " << i;
      EXPECT_EQ(l.head_dim_k, 512) << "layer " << i;
      EXPECT_EQ(l.head_dim_v, 512) << "layer " << i;
    } else {
      EXPECT_EQ(l.kind, LayerKind::sliding_attention) << "layer " << i;
      EXPECT_EQ(l.num_kv_heads, 16) << "layer " << i;
      EXPECT_EQ(l.head_dim_k, 256) << "layer " << i;
      EXPECT_EQ(l.window, 1024) << "layer " << i;
    }
  }
  EXPECT_EQ(s.count(LayerKind::shared), 0);  // num_kv_shared_layers 0 means no sharing, not "share all"
  // sliding 50 × 2 × 16 × 256 × 2 = 819'200; global 10 × 2 × 4 × 512 × 2 = 81'920; total 901'120.
  EXPECT_EQ(bytes_per_token_f16(s), 901'120);
  // At 4096: sliding 50 × 16'384 × 1024 = 838'860'800; global 10 × 8'192 × 4096 = 335'544'320; 1'174'405'120.
  EXPECT_EQ(exact_bytes(s, 4096), 1'174'405'120);
}

// Gemma 4 E2B text config (google/gemma-4-E2B-it: 35 layers, 8 heads, 1 KV head, head_dim 256,
// global_head_dim 512, num_global_key_value_heads null, attention_k_eq_v false, sliding_window 512,
// num_kv_shared_layers 20, layer_types 4 × sliding + 1 × full). Owning layers 0..14: full 4, 9, 14 (1 KV head
// × 512), sliding the other 12 (1 × 256). Shared 15..34: sliding → 13, full (19, 24, 29, 34) → 14.
TEST(ArchStructural, Gemma4SharedLayersAndGlobalHeadDim) {
  std::string types;
  for (int i = 0; i < 35; ++i)
    types += std::string(i ? ", " : "") + ((i + 1) % 5 == 0 ? "\"full_attention\"" : "\"sliding_attention\"");
  ModelCacheSpec s = from_json(R"({"model_type": "gemma4", "text_config": {"model_type": "gemma4_text",
      "hidden_size": 1536, "num_hidden_layers": 35, "num_attention_heads": 8, "num_key_value_heads": 1,
      "head_dim": 256, "global_head_dim": 512, "num_global_key_value_heads": null, "attention_k_eq_v": false,
      "sliding_window": 512, "num_kv_shared_layers": 20, "layer_types": [)" +
                               types + "]}}");
  ASSERT_EQ(s.num_layers(), 35);
  EXPECT_FALSE(s.has_warnings());
  for (std::int32_t i = 0; i < 35; ++i) {
    const LayerSpec& l = s.layers[static_cast<std::size_t>(i)];
    bool full = (i + 1) % 5 == 0;
    if (i >= 15) {
      EXPECT_EQ(l.kind, LayerKind::shared) << "layer " << i;
      EXPECT_EQ(l.shares_with, full ? 14 : 13) << "layer " << i;
    } else {
      EXPECT_EQ(l.kind, full ? LayerKind::full_attention : LayerKind::sliding_attention) << "layer " << i;
      EXPECT_EQ(l.num_kv_heads, 1) << "layer " << i;
      EXPECT_EQ(l.head_dim_k, full ? 512 : 256) << "layer " << i;
    }
  }
  // full 3 × 2 × 1 × 512 × 2 = 6'144; sliding 12 × 2 × 1 × 256 × 2 = 12'288; total 18'432.
  EXPECT_EQ(bytes_per_token_f16(s), 18'432);
  // At 4096: full 3 × 2'048 × 4096 = 25'165'824; sliding 12 × 1'024 × 512 = 6'291'456; total 31'457'280.
  EXPECT_EQ(exact_bytes(s, 4096), 31'457'280);
}

TEST(ArchStructural, Gemma4DefaultPatternForcesTheLastLayerFull) {
  // Gemma4TextConfig without layer_types: sliding iff (i + 1) % 6 != 0, then the last layer forced full.
  // 8 layers: full at 5 and (forced) 7. Defaults: 4 KV heads × 256 on sliding layers, global_head_dim 512
  // with num_key_value_heads 4 (attention_k_eq_v false) on full layers, sliding_window 512.
  ModelCacheSpec s = from_json(R"({"model_type": "gemma4_text", "num_hidden_layers": 8})");
  ASSERT_EQ(s.num_layers(), 8);
  std::string strip;
  for (const auto& l : s.layers) strip += strip_char(l.kind);
  EXPECT_EQ(strip, "SSSSSFSF");
  // sliding 6 × 2 × 4 × 256 × 2 = 24'576; full 2 × 2 × 4 × 512 × 2 = 16'384; total 40'960.
  EXPECT_EQ(bytes_per_token_f16(s), 40'960);
}

// ---------------------------------------------------------------------------------------------------------------
// Mllama: meta-llama/Llama-3.2-90B-Vision-Instruct. text: 100 layers, 20 of them in cross_attention_layers
// (3, 8, ..., 98), 64 heads, 8 KV heads, hidden 8192 → head_dim 128. vision: image_size 560, patch_size 14,
// max_num_tiles 4 → one image = 4 × ((560 / 14)² + 1) = 4 × 1601 = 6'404 tokens (MllamaVisionModel).
TEST(ArchStructural, MllamaCrossAttentionLayersHoldTheImageTokens) {
  ModelCacheSpec s = load_fixture("meta-llama__Llama-3.2-90B-Vision-Instruct");
  ASSERT_EQ(s.num_layers(), 100);
  EXPECT_EQ(s.text_model_type, "mllama_text_model");
  EXPECT_FALSE(s.has_warnings());
  for (std::size_t i = 0; i < 100; ++i) {
    const LayerSpec& l = s.layers[i];
    bool cross = i % 5 == 3;  // 3, 8, 13, ..., 98
    EXPECT_EQ(l.kind, cross ? LayerKind::cross_attention : LayerKind::full_attention) << "layer " << i;
    EXPECT_EQ(l.num_kv_heads, 8) << "layer " << i;
    EXPECT_EQ(l.head_dim_k, 128) << "layer " << i;
    if (cross) {
      EXPECT_EQ(l.fixed_tokens, 6'404) << "layer " << i;
    }
  }
  EXPECT_EQ(s.count(LayerKind::cross_attention), 20);
  // Runs: 3 full, then (1 cross, 4 full) for cross layers 3..93, then 1 cross (98) and 1 full (99).
  EXPECT_EQ(compact_pattern(s), "3×full + [1×cross, 4×full] × 19 + 1×cross, 1×full");
  // Only the 80 self-attention layers grow: 80 × 2 × 8 × 128 × 2 = 327'680 (all 100 would be 409'600).
  EXPECT_EQ(bytes_per_token_f16(s), 327'680);
  // At 8192: self 327'680 × 8192 = 2'684'354'560; cross 20 × 4'096 × 6'404 = 524'615'680; total
  // 3'208'970'240.
  EXPECT_EQ(exact_bytes(s, 8192), 3'208'970'240);
  // The cross part does not depend on the context: at 1 token, 327'680 + 524'615'680 = 524'943'360.
  EXPECT_EQ(exact_bytes(s, 1), 524'943'360);
}

// ---------------------------------------------------------------------------------------------------------------
// Whisper: openai/whisper-tiny. decoder_layers 4, decoder_attention_heads 6, d_model 384 → head_dim 64, no
// GQA; max_source_positions 1500. Layout: decoder layer i → index 2i self-attention, 2i + 1 cross-attention.
TEST(ArchStructural, WhisperDecoderSelfAndCrossAttention) {
  ModelCacheSpec s = load_fixture("openai__whisper-tiny");
  ASSERT_EQ(s.num_layers(), 8);  // 4 decoder layers × (self + cross)
  EXPECT_FALSE(s.has_warnings());
  for (std::size_t i = 0; i < 8; ++i) {
    const LayerSpec& l = s.layers[i];
    EXPECT_EQ(l.kind, i % 2 == 0 ? LayerKind::full_attention : LayerKind::cross_attention) << "layer " << i;
    EXPECT_EQ(l.num_kv_heads, 6) << "layer " << i;
    EXPECT_EQ(l.head_dim_k, 64) << "layer " << i;
    if (i % 2 == 1) {
      EXPECT_EQ(l.fixed_tokens, 1500) << "layer " << i;
    }
  }
  EXPECT_EQ(s.num_attention_heads, 6);
  // Per layer per token: 2 × 6 × 64 × 2 B = 1'536. Self-attention: 4 × 1'536 = 6'144 per token.
  EXPECT_EQ(bytes_per_token_f16(s), 6'144);
  // At 448 (max_target_positions): self 6'144 × 448 = 2'752'512; cross 4 × 1'536 × 1500 = 9'216'000;
  // total 11'968'512.
  EXPECT_EQ(exact_bytes(s, 448), 11'968'512);
}

// T5: google-t5/t5-small. num_layers 6 (no num_decoder_layers), num_heads 8, d_kv 64; n_positions 512 taken
// as the encoder length. t5-large: 24 layers, 16 heads, d_kv 64.
TEST(ArchStructural, T5UsesDkvAndTheStatedEncoderLength) {
  ModelCacheSpec s = load_fixture("google-t5__t5-small");
  ASSERT_EQ(s.num_layers(), 12);  // 6 decoder layers × (self + cross)
  EXPECT_FALSE(s.has_warnings());
  for (std::size_t i = 0; i < 12; ++i) {
    const LayerSpec& l = s.layers[i];
    EXPECT_EQ(l.kind, i % 2 == 0 ? LayerKind::full_attention : LayerKind::cross_attention) << "layer " << i;
    EXPECT_EQ(l.num_kv_heads, 8) << "layer " << i;
    EXPECT_EQ(l.head_dim_k, 64) << "layer " << i;
    if (i % 2 == 1) {
      EXPECT_EQ(l.fixed_tokens, 512) << "layer " << i;
    }
  }
  // 2 × 8 × 64 × 2 = 2'048 per layer; self 6 × 2'048 = 12'288 per token.
  EXPECT_EQ(bytes_per_token_f16(s), 12'288);
  // At 100 decoded tokens: 12'288 × 100 = 1'228'800 + cross 6 × 2'048 × 512 = 6'291'456 → 7'520'256.
  EXPECT_EQ(exact_bytes(s, 100), 7'520'256);

  ModelCacheSpec large = load_fixture("google-t5__t5-large");
  ASSERT_EQ(large.num_layers(), 48);
  // 2 × 16 × 64 × 2 = 4'096 per layer; 24 × 4'096 = 98'304 per token.
  EXPECT_EQ(bytes_per_token_f16(large), 98'304);
  // At 512: self 98'304 × 512 = 50'331'648; cross 24 × 4'096 × 512 = 50'331'648; total 100'663'296.
  EXPECT_EQ(exact_bytes(large, 512), 100'663'296);
}

TEST(ArchStructural, T5DecoderDepthAndDkvOverrideHiddenOverHeads) {
  // num_decoder_layers overrides num_layers; d_kv 128 with d_model 1024 and 32 heads (1024 / 32 = 32 would be
  // wrong). No n_positions: 512 encoder tokens. 2 × 32 × 128 × 2 = 16'384 per layer; 3 decoder layers →
  // 49'152.
  ModelCacheSpec s = from_json(R"({"model_type": "t5", "d_model": 1024, "d_kv": 128, "num_heads": 32,
                                  "num_layers": 24, "num_decoder_layers": 3})");
  ASSERT_EQ(s.num_layers(), 6);
  EXPECT_EQ(s.layers[1].fixed_tokens, 512);
  EXPECT_EQ(bytes_per_token_f16(s), 49'152);
}

// ---------------------------------------------------------------------------------------------------------------
// The CLI shows the new kinds: `=` shared, `X` cross, `.` none in the strip; shares_with / fixed_tokens in
// JSON.
TEST(ArchStructural, CliShowsSharedCrossAndNoneLayers) {
  std::string whisper = test::run_cli("inspect --json " + fixture("openai__whisper-tiny")).out;
  EXPECT_NE(whisper.find(R"("layer_strip": "FXFXFXFX")"), std::string::npos) << whisper;
  EXPECT_NE(whisper.find(R"("fixed_tokens": 1500)"), std::string::npos) << whisper;
  EXPECT_NE(whisper.find(R"("kv_bytes_per_token": 6144)"), std::string::npos) << whisper;

  std::string nas = test::run_cli("inspect " + fixture("nvidia__Llama-3_1-Nemotron-51B-Instruct")).out;
  // Layers 0..15 of the fixture: attention except 11 and 15 (replace_with_linear).
  EXPECT_NE(nas.find("FFFFFFFFFFF.FFF.FF"), std::string::npos) << nas;
  EXPECT_NE(nas.find("1–8 per layer"), std::string::npos) << nas;

  std::string mllama =
      test::run_cli("inspect --json " + fixture("meta-llama__Llama-3.2-90B-Vision-Instruct")).out;
  EXPECT_NE(mllama.find(R"("layer_strip": "FFFXFFFFXF)"), std::string::npos) << mllama;
  EXPECT_NE(mllama.find(R"("fixed_tokens": 6404)"), std::string::npos) << mllama;
}

}  // namespace
}  // namespace kvspec
