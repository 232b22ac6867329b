// The weights summary from real layouts (names and shapes as published, data absent): exact bytes and
// parameters with quantization packing undone, and active parameters for MoE. Every number is derived by hand
// below.
#include <gtest/gtest.h>

#include "json/json.hpp"
#include "kvspec/load.hpp"
#include "kvspec/plan.hpp"
#include "support/model_layouts.hpp"
#include "support/safetensors_writer.hpp"

namespace {

namespace fs = std::filesystem;
using sttest::TempDir;
using sttest::Writer;

const fs::path kConfigs = fs::path(KVSPEC_TEST_DATA) / "configs";

const kvspec::WeightsPart* part(const std::vector<kvspec::WeightsPart>& parts, const std::string& name) {
  for (const auto& p : parts)
    if (p.name == name) return &p;
  return nullptr;
}

std::string notes_of(const kvspec::ModelCacheSpec& s) {
  std::string out;
  for (const auto& n : s.notes) out += n.text + "\n";
  return out;
}

// Llama-3.1-8B parameters, unpacked:
//   embed_tokens and lm_head: 128256 × 4096 = 525'336'576 each
//   per layer: q 4096×4096 = 16'777'216, k and v 1024×4096 = 4'194'304 each, o 16'777'216,
//              gate, up, down 3 × 14336×4096 = 176'160'768, two norms 2 × 4096 = 8'192 -> 218'112'000
//   32 layers = 6'979'584'000; + 2 × 525'336'576 + final norm 4096 = 8'030'261'248
constexpr std::int64_t kLlama31_8bParams = 8'030'261'248;

TEST(Weights, MlxLlama31_8b4bitExactBytesAndParameters) {
  TempDir dir;
  sttest::copy_config(kConfigs / "mlx-community__Meta-Llama-3.1-8B-Instruct-4bit" / "config.json",
                      dir.path());
  Writer w = sttest::mlx_llama31_8b_4bit();
  w.write(dir / "model.safetensors");  // header only, as a download of just the headers would be
  sttest::write_text(dir / "model.safetensors.index.json", sttest::index_json({{"model.safetensors", &w}}));

  auto spec = kvspec::load_model(dir.path());
  ASSERT_TRUE(spec) << spec.error().message();
  ASSERT_TRUE(spec->weights);
  const kvspec::WeightsSummary& ws = *spec->weights;

  // Bytes, MLX 4-bit group 64 (weight U32 [out, in/8], scales + biases BF16 [out, in/64]):
  //   a linear out × in costs out·in/2 (packed) + 2 · out · in/64 · 2 (scales, biases)
  //   embed_tokens, lm_head: 128256·4096/2 = 262'668'288 + 4·128256·64 = 32'833'536 -> 295'501'824 each
  //   q, o: 8'388'608 + 1'048'576 = 9'437'184 each;  k, v: 2'097'152 + 262'144 = 2'359'296 each
  //   gate, up, down: 29'360'128 + 3'670'016 = 33'030'144 each;  norms 2 × 4096 × 2 = 16'384
  //   per layer 2·9'437'184 + 2·2'359'296 + 3·33'030'144 + 16'384 = 122'699'776; × 32 = 3'926'392'832
  //   total 3'926'392'832 + 2 · 295'501'824 + final norm 8'192 = 4'517'404'672
  EXPECT_EQ(ws.total_bytes, 4'517'404'672);
  EXPECT_EQ(ws.parameters, kLlama31_8bParams);
  EXPECT_FALSE(ws.active_parameters);  // dense
  // 7 linears × 32 layers + embed_tokens + lm_head = 226 packed weights.
  EXPECT_EQ(ws.packed_tensors, 226);
  EXPECT_EQ(ws.packing, "mlx 4-bit");
  // U32: (262'668'288 · 2) + 32 · (2·8'388'608 + 2·2'097'152 + 3·29'360'128) = 525'336'576 + 3'489'660'928
  const auto* u32 = part(ws.by_dtype, "U32");
  ASSERT_NE(u32, nullptr);
  EXPECT_EQ(u32->bytes, 4'014'997'504);
  // Overhead = scales + biases: 2 · 32'833'536 + 32 · (2·1'048'576 + 2·262'144 + 3·3'670'016) = 65'667'072 +
  //   436'207'616
  EXPECT_EQ(ws.quantization_overhead_bytes, 501'874'688);
  const auto* attn = part(ws.by_component, "attention");
  ASSERT_NE(attn, nullptr);
  EXPECT_EQ(attn->parameters, 32 * (2 * 16'777'216 + 2 * 4'194'304));
  const auto* head = part(ws.by_component, "lm_head");
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->parameters, 525'336'576);
  EXPECT_EQ(head->bytes, 295'501'824);
  const auto* emb = part(ws.by_component, "embeddings");
  ASSERT_NE(emb, nullptr);
  EXPECT_EQ(emb->parameters, 525'336'576);
  // The evidence agrees with the config: no width warning; the header-only copy is said once.
  std::string notes = notes_of(*spec);
  EXPECT_EQ(notes.find("k_proj output width"), std::string::npos) << notes;
  EXPECT_NE(notes.find("tensor data absent (1 header-only file)"), std::string::npos) << notes;
}

TEST(Weights, GptqLlama31_8bHasTheSameParameters) {
  TempDir dir;
  std::string cfg = *kvspec::json::read_file_bounded(
      (kConfigs / "meta-llama__Llama-3.1-8B-Instruct" / "config.json").string(), 1 << 20);
  // The GPTQ quantizer's config block (optimum GPTQQuantizer.to_dict), appended to the model's own config.
  auto last = cfg.rfind('}');
  cfg =
      cfg.substr(0, last) +
      R"(, "quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": 128, "desc_act": false, "sym": true}})";
  sttest::write_text(dir / "config.json", cfg);
  Writer w = sttest::gptq_llama31_8b_4bit();
  w.write(dir / "model.safetensors");

  auto spec = kvspec::load_model(dir.path());
  ASSERT_TRUE(spec) << spec.error().message();
  ASSERT_TRUE(spec->weights);
  EXPECT_EQ(spec->weights->parameters, kLlama31_8bParams);
  // Bytes: a GPTQ linear out × in costs qweight in/8·out·4 + qzeros in/128·out/8·4 + scales in/128·out·2 +
  // g_idx
  //   in·4. q, o (4096²): 8'388'608 + 65'536 + 262'144 + 16'384 = 8'732'672; k, v (1024 × 4096): 2'097'152 +
  //   16'384 + 65'536 + 16'384 = 2'195'456; gate, up (14336 × 4096): 29'360'128 + 229'376 + 917'504 + 16'384
  //   = 30'523'392; down (4096 × 14336): 29'360'128 + 229'376 + 917'504 + 57'344 = 30'564'352; norms 16'384
  //   per layer 2·8'732'672 + 2·2'195'456 + 2·30'523'392 + 30'564'352 + 16'384 = 113'483'776; × 32 =
  //   3'631'480'832; + embed_tokens and lm_head F16 2 · 1'050'673'152 + norm 8'192 = 5'732'835'328
  EXPECT_EQ(spec->weights->total_bytes, 5'732'835'328);
  EXPECT_EQ(spec->weights->packing, "gptq 4-bit");
  EXPECT_EQ(spec->weights->packed_tensors, 7 * 32);
}

TEST(Weights, Qwen3MoeFp8ShardedTotalAndActiveParameters) {
  TempDir dir;
  sttest::copy_config(kConfigs / "Qwen__Qwen3-30B-A3B-FP8" / "config.json", dir.path());
  // Four shards: embeddings + layers 0–11, 12–23, 24–35, 36–47 + norm + lm_head.
  std::vector<Writer> shards(4);
  shards[0].add("model.embed_tokens.weight", "BF16", {151936, 2048});
  for (int s = 0; s < 4; ++s) sttest::add_qwen3_moe_fp8_layers(shards[s], 12 * s, 12 * s + 12);
  shards[3].add("model.norm.weight", "BF16", {2048}).add("lm_head.weight", "BF16", {151936, 2048});
  std::vector<std::pair<std::string, const Writer*>> files;
  for (int s = 0; s < 4; ++s) {
    std::string name = "model-0000" + std::to_string(s + 1) + "-of-00004.safetensors";
    shards[s].write(dir / name);
    files.emplace_back(name, &shards[s]);
  }
  sttest::write_text(dir / "model.safetensors.index.json", sttest::index_json(files));

  auto spec = kvspec::load_model(dir.path());
  ASSERT_TRUE(spec) << spec.error().message();
  ASSERT_TRUE(spec->weights);
  const auto& ws = *spec->weights;
  EXPECT_EQ(ws.files.size(), 4u);
  // Parameters: embed_tokens, lm_head 151936 × 2048 = 311'164'928 each; per layer q 4096·2048 = 8'388'608,
  //   k, v 512·2048 = 1'048'576 each, o 8'388'608, q_norm + k_norm 256, router 128·2048 = 262'144,
  //   experts 128 · 3 · 768·2048 = 603'979'776, norms 4096 -> 623'120'640; × 48 = 29'909'790'720;
  //   + 2 · 311'164'928 + 2048 = 30'532'122'624
  EXPECT_EQ(ws.parameters, 30'532'122'624);
  // Active: experts 48 · 603'979'776 = 28'991'029'248, of which 8/128 per token = 1'811'939'328;
  //   30'532'122'624 − 28'991'029'248 + 1'811'939'328 = 3'353'032'704
  ASSERT_TRUE(ws.active_parameters);
  EXPECT_EQ(*ws.active_parameters, 3'353'032'704);
  // Bytes: an FP8 linear out × in costs out·in + ⌈out/128⌉·⌈in/128⌉·4 (F32 scale_inv).
  //   q 8'388'608 + 32·16·4 = 8'390'656; k, v 1'048'576 + 4·16·4 = 1'048'832; o 8'388'608 + 16·32·4 =
  //   8'390'656 expert: gate, up 1'572'864 + 6·16·4 = 1'573'248; down 1'572'864 + 16·6·4 = 1'573'248 ->
  //   4'719'744 × 128 = 604'127'232; q/k norms 512; router 524'288; norms 8'192 per layer 2·8'390'656 +
  //   2·1'048'832 + 512 + 524'288 + 8'192 + 604'127'232 = 623'539'200; × 48 = 29'929'881'600; + embed and
  //   lm_head BF16 2 · 622'329'856 + norm 4'096 = 31'174'545'408
  EXPECT_EQ(ws.total_bytes, 31'174'545'408);
  EXPECT_EQ(ws.packing, "fp8");
  EXPECT_EQ(ws.packed_tensors, 0);
  const auto* experts = part(ws.by_component, "moe_experts");
  ASSERT_NE(experts, nullptr);
  EXPECT_EQ(experts->parameters, 28'991'029'248);
  const auto* f8 = part(ws.by_dtype, "F8_E4M3");
  ASSERT_NE(f8, nullptr);
  // F8 bytes = F8 parameters = 48 · (2·8'388'608 + 2·1'048'576 + 603'979'776) = 48 · 622'854'144 =
  //   29'896'998'912
  EXPECT_EQ(f8->bytes, 29'896'998'912);
  EXPECT_EQ(f8->parameters, 29'896'998'912);
}

TEST(Weights, FolderWithOnlyConfigHasNoWeights) {
  TempDir dir;
  sttest::copy_config(kConfigs / "meta-llama__Llama-3.1-8B-Instruct" / "config.json", dir.path());
  auto spec = kvspec::load_model(dir.path());
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_FALSE(spec->weights);
}

TEST(Weights, PackedTensorsWithoutStatedBitsAreCountedAsStoredAndSaidSo) {
  TempDir dir;
  sttest::write_text(dir / "config.json",
                     R"({"model_type": "llama", "num_hidden_layers": 1, "hidden_size": 64,
                         "num_attention_heads": 1, "num_key_value_heads": 1})");
  Writer w;
  sttest::add_mlx_linear(w, "model.layers.0.mlp.up_proj", 128, 64);  // U32 [128, 8]
  w.write(dir / "model.safetensors");
  auto spec = kvspec::load_model(dir.path());
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->weights->parameters, 128 * 8);  // stored elements, not unpacked
  EXPECT_NE(notes_of(*spec).find("states no quantization bits"), std::string::npos) << notes_of(*spec);
}

TEST(Weights, MlxPerModuleBitsOverrideTheDefault) {
  TempDir dir;
  // mlx-lm mixed quantization: the module path keys its own {bits, group_size}.
  sttest::write_text(dir / "config.json",
                     R"({"model_type": "llama", "num_hidden_layers": 1, "hidden_size": 64,
                         "num_attention_heads": 1, "num_key_value_heads": 1,
                         "quantization": {"bits": 4, "group_size": 64,
                                          "model.layers.0.mlp.down_proj": {"bits": 8, "group_size": 64}}})");
  Writer w;
  sttest::add_mlx_linear(w, "model.layers.0.mlp.up_proj", 128, 64);  // 4-bit: U32 [128, 8] -> 128 × 64
  w.add("model.layers.0.mlp.down_proj.weight", "U32", {64, 128 * 8 / 32});  // 8-bit: U32 [64, 32] -> 64 × 128
  w.add("model.layers.0.mlp.down_proj.scales", "BF16", {64, 2});
  w.add("model.layers.0.mlp.down_proj.biases", "BF16", {64, 2});
  w.write(dir / "model.safetensors");
  auto spec = kvspec::load_model(dir.path());
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->weights->parameters, 128 * 64 + 64 * 128);
  EXPECT_EQ(spec->weights->packing, "mlx 4/8-bit");
}

TEST(Weights, GptOssMxfp4BlocksHoldTwoParametersPerByte) {
  TempDir dir;
  sttest::write_text(dir / "config.json",
                     R"({"model_type": "llama", "num_hidden_layers": 1, "hidden_size": 2880,
                         "num_attention_heads": 64, "num_key_value_heads": 8, "head_dim": 64})");
  // openai/gpt-oss-20b: experts' gate_up_proj_blocks U8 [32, 5760, 90, 16] (90 blocks of 32 FP4 values in 16
  // bytes), gate_up_proj_scales U8 [32, 5760, 90] (one E8M0 exponent per block).
  Writer w;
  w.add("model.layers.0.mlp.experts.gate_up_proj_blocks", "U8", {32, 5760, 90, 16});
  w.add("model.layers.0.mlp.experts.gate_up_proj_scales", "U8", {32, 5760, 90});
  w.add("model.layers.0.mlp.experts.gate_up_proj_bias", "BF16", {32, 5760});
  w.write(dir / "model.safetensors");
  auto spec = kvspec::load_model(dir.path());
  ASSERT_TRUE(spec) << spec.error().message();
  // 32 · 5760 · 90 · 16 bytes × 2 values = 32 · 5760 · 2880 = 530'841'600; + bias 32 · 5760 = 184'320
  EXPECT_EQ(spec->weights->parameters, 530'841'600 + 184'320);
  EXPECT_EQ(spec->weights->quantization_overhead_bytes, 32 * 5760 * 90);
}

}  // namespace

TEST(Weights, FitChargesTheExactHeaderBytes) {
  TempDir dir;
  sttest::copy_config(kConfigs / "mlx-community__Meta-Llama-3.1-8B-Instruct-4bit" / "config.json",
                      dir.path());
  Writer w = sttest::mlx_llama31_8b_4bit();
  w.write(dir / "model.safetensors");
  auto spec = kvspec::load_model(dir.path());
  ASSERT_TRUE(spec) << spec.error().message();
  auto weights = kvspec::weights_for_fit(*spec, dir.path());
  ASSERT_TRUE(weights) << weights.error().message();
  EXPECT_FALSE(weights->estimate);
  EXPECT_EQ(weights->bytes, 4'517'404'672);  // derived in MlxLlama31_8b4bitExactBytesAndParameters

  kvspec::FitRequest fr;
  fr.memory = std::int64_t{8} << 30;
  fr.weights = *weights;
  fr.runtime.runtime = kvspec::Runtime::exact;
  fr.runtime.batch = 1;
  auto r = kvspec::fit(*spec, fr);
  ASSERT_TRUE(r) << r.error().message();
  // Cache budget 8 GiB − 4'517'404'672 = 4'072'529'920 B; exact runtime: 131'072 B per token (32 layers × 2 ×
  // 8 × 128 × 2) → 31'070 tokens (4'072'407'040 B); 31'071 would need 4'072'538'112 B.
  EXPECT_EQ(r->cache_budget, 4'072'529'920);
  ASSERT_TRUE(r->answer);
  EXPECT_EQ(*r->answer, 31'070);
}
