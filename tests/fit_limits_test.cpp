// Issue 12, items 5-7: the model's context limit (class defaults, a cap in fit, a warning in inspect,
// --max-context), the weights estimate from config.json (class defaults, vision towers, FP8 blocks, an
// index's total_size, caveats in the JSON), and one meaning for --context (tokens per sequence; llama.cpp's
// -c is context × sequences) with --format choosing between a config.json and a GGUF. Figures by hand.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli_util.hpp"
#include "json/json.hpp"
#include "kvspec/load.hpp"
#include "kvspec/plan.hpp"

namespace {

using kvspec::test::run_cli;
using kvspec::test::TempDir;

std::string config_dir(const std::string& name) {
  return std::string(KVSPEC_TEST_DATA) + "/configs/" + name;
}

kvspec::ModelCacheSpec load(const std::string& model) {
  auto s = kvspec::load_model(model);
  EXPECT_TRUE(s) << s.error().message();
  return s ? *s : kvspec::ModelCacheSpec{};
}

kvspec::json::Document parse(const std::string& text) {
  auto d = kvspec::json::parse(text, "output");
  EXPECT_TRUE(d) << text;
  return d ? std::move(*d) : kvspec::json::Document{};
}

bool has(const std::string& out, const std::string& what) {
  return out.find(what) != std::string::npos;
}

// --- 5. the context limit --------------------------------------------------------------------------------

// google/gemma-3-4b-it's text_config states no max_position_embeddings; transformers' Gemma3TextConfig
// (configuration_gemma3.py at 008f5c8c) defaults it to 131_072.
TEST(ContextLimit, Gemma3TextClassDefault) {
  auto spec = load(config_dir("google__gemma-3-4b-it"));
  ASSERT_TRUE(spec.max_position_embeddings.has_value());
  EXPECT_EQ(*spec.max_position_embeddings, 131'072);
  bool fact = false;
  for (const auto& f : spec.facts)
    if (f.name == "max_position_embeddings") {
      fact = true;
      EXPECT_EQ(f.origin, "Gemma3TextConfig default");
      EXPECT_EQ(f.tier, kvspec::Tier::rule);
    }
  EXPECT_TRUE(fact);
  // A stated value wins: gemma-3-1b-it says 32'768.
  EXPECT_EQ(*load(config_dir("google__gemma-3-1b-it")).max_position_embeddings, 32'768);
}

// The limit under other names: DbrxConfig's max_seq_len (dbrx-instruct: 32'768) and Whisper's decoder
// max_target_positions (whisper-tiny: 448).
TEST(ContextLimit, OtherNamesOfTheLimit) {
  EXPECT_EQ(*load(config_dir("databricks__dbrx-instruct")).max_position_embeddings, 32'768);
  EXPECT_EQ(*load(config_dir("openai__whisper-tiny")).max_position_embeddings, 448);
}

// The bundled mlx-community/gemma-3-12b-it-4bit (max positions 131'072 from the class) under the exact
// runtime: 8 full layers × 8 KV heads × 256 × (K + V) × 2 B = 65'536 B per token, 40 sliding layers hold
// 1'024 tokens: 40 × 1'024 × 8'192 = 335'544'320 B from 1'024 tokens on. A budget of
// 335'544'320 + 155'904 × 65'536 = 10'552'868'864 B allows exactly 155'904 tokens.
constexpr std::int64_t kGemmaBudget = 335'544'320 + 155'904LL * 65'536;

kvspec::FitRequest gemma_request() {
  kvspec::FitRequest q;
  q.memory = kGemmaBudget;
  q.runtime.runtime = kvspec::Runtime::exact;
  q.weights.bytes = 0;
  q.weights.estimate = false;
  return q;
}

TEST(ContextLimit, FitCapsAtTheModelsLimit) {
  auto spec = kvspec::spec_from_config_text(kvspec::bundled_example_config(), "example");
  ASSERT_TRUE(spec);
  auto r = kvspec::fit(*spec, gemma_request());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r->answer, 131'072);
  EXPECT_TRUE(r->context_capped);
  EXPECT_EQ(r->max_context, 131'072);
  EXPECT_EQ(r->max_context_source, "max_position_embeddings");
  ASSERT_TRUE(r->memory_allows.has_value());
  EXPECT_EQ(*r->memory_allows, 155'904);
  auto text = kvspec::render_fit_text(*spec, *r);
  ASSERT_TRUE(text);
  EXPECT_TRUE(has(*text, "memory allows 155,904 tokens; the model's limit is 131,072")) << *text;
  auto json = kvspec::render_fit_json(*spec, *r);
  ASSERT_TRUE(json);
  auto j = parse(*json);
  EXPECT_EQ(j.root.find("max_context")->as_int(), 131'072);
  EXPECT_TRUE(j.root.find("context_capped")->as_bool());
  EXPECT_EQ(j.root.find("memory_allows_context")->as_int(), 155'904);
  EXPECT_EQ(j.root.find("context")->as_int(), 131'072);
}

TEST(ContextLimit, MaxContextPlansPastIt) {
  auto spec = kvspec::spec_from_config_text(kvspec::bundled_example_config(), "example");
  ASSERT_TRUE(spec);
  auto q = gemma_request();
  q.max_context = 262'144;  // rope scaling on purpose
  auto r = kvspec::fit(*spec, q);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r->answer, 155'904);  // the memory decides
  EXPECT_FALSE(r->context_capped);
  EXPECT_EQ(r->max_context_source, "--max-context");
  // one token more: 65'536 B past the budget
  EXPECT_EQ(r->next_step->total_bytes, kGemmaBudget + 65'536);
}

TEST(ContextLimit, FitCapsAContextAskedPastTheLimit) {
  auto spec = kvspec::spec_from_config_text(kvspec::bundled_example_config(), "example");
  ASSERT_TRUE(spec);
  auto q = gemma_request();
  q.target = kvspec::FitTarget::batch;
  q.runtime.context = 262'144;
  auto r = kvspec::fit(*spec, q);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->context_capped);
  EXPECT_EQ(*r->context_asked, 262'144);
  EXPECT_EQ(r->request.runtime.context, 131'072);
  // one sequence at 131'072: 335'544'320 + 131'072 × 65'536 = 8'925'478'912 B; two need 17'850'957'824
  EXPECT_EQ(*r->answer, 1);
  EXPECT_EQ(r->at_answer->total_bytes, 8'925'478'912);
}

TEST(ContextLimit, InspectWarnsPastTheLimit) {
  const std::string m = config_dir("google__gemma-3-4b-it");
  auto r = run_cli(m + " --context 256k");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(has(r.out, "context 262144 is past the model's limit of 131072")) << r.out;
  auto planned = run_cli(m + " --context 256k --max-context 256k");
  EXPECT_EQ(planned.exit_code, 0) << planned.out;
  EXPECT_FALSE(has(planned.out, "past")) << planned.out;
  EXPECT_EQ(run_cli(m + " --context 4k --max-context nope").exit_code, 2);
}

TEST(ContextLimit, FitCliSaysWhatTheMemoryAllows) {
  // --weights 0 leaves the whole budget to the cache (the exact runtime has no overhead).
  auto r = run_cli("fit --memory " + std::to_string(kGemmaBudget) + "B --weights 0 --json");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  auto j = parse(r.out);
  EXPECT_EQ(j.root.find("context")->as_int(), 131'072);
  EXPECT_EQ(j.root.find("memory_allows_context")->as_int(), 155'904);
  auto past =
      run_cli("fit --memory " + std::to_string(kGemmaBudget) + "B --weights 0 --max-context 1M --json");
  EXPECT_EQ(past.exit_code, 0) << past.out;
  EXPECT_EQ(parse(past.out).root.find("context")->as_int(), 155'904);
}

// --- 6. the weights estimate -----------------------------------------------------------------------------

// llava-hf/llava-1.5-7b-hf: text_config states vocab 32'064 and leaves the rest to LlamaConfig
// (configuration_llama.py at 008e5743: hidden 4'096, intermediate_size 11'008, 32 layers, 32 heads, untied).
//   text: embeddings + LM head 2 × 32'064 × 4'096 = 262'668'288; per layer q/k/v/o 4 × 4'096² = 67'108'864,
//         MLP 3 × 4'096 × 11'008 = 135'266'304, norms 8'192; × 32 = 6'738'673'664; final norm 4'096
//         -> 6'738'939'904 (Llama-2-7B's 6'738'415'616 + 64 more vocab rows × 4'096 × 2)
//   CLIP ViT-L/14-336 (modeling_clip.py): class 1'024 + patch 3 × 14 × 14 × 1'024 = 602'112 + position
//         (24² + 1) × 1'024 = 590'848 + pre/post LayerNorms 4'096; per layer 4 × (1'024² + 1'024) +
//         2 × 1'024 × 4'096 + 4'096 + 1'024 + 4 × 1'024 = 12'596'224, × 24 = 302'309'376 -> 303'507'456
//   projector: 1'024 × 4'096 + 4'096 + 4'096² + 4'096 = 20'979'712
//   total 7'063'427'072 parameters × 2 B (float16) = 14'126'854'144
TEST(WeightsEstimateDefaults, Llava15_7bCountsTheMlpAndTheVisionTower) {
  auto w = kvspec::estimate_weights(config_dir("llava-hf__llava-1.5-7b-hf"));
  ASSERT_TRUE(w) << w.error().message();
  EXPECT_EQ(*w->parameters, 7'063'427'072);
  EXPECT_EQ(w->bytes, 14'126'854'144);
  EXPECT_TRUE(w->estimate);
  bool named = false;
  for (const auto& n : w->notes) {
    EXPECT_FALSE(has(n, "MLP not counted")) << n;
    if (has(n, "intermediate_size absent: 11008 from LlamaConfig")) named = true;
  }
  EXPECT_TRUE(named);
}

// liuhaotian/llava-v1.5-7b (the original LLaVA repo) states the language model at the top level and names its
// tower only (mm_vision_tower): the text is Llama-2-7B's 2 × 32'000 × 4'096 + 32 × (4 × 4'096² +
// 3 × 4'096 × 11'008 + 2 × 4'096) + 4'096 = 6'738'415'616, and the tower is a caveat, not a guess.
TEST(WeightsEstimateDefaults, OriginalLlavaNamesTheUncountedTower) {
  auto w = kvspec::estimate_weights(config_dir("liuhaotian__llava-v1.5-7b"));
  ASSERT_TRUE(w) << w.error().message();
  EXPECT_EQ(*w->parameters, 6'738'415'616);
  bool named = false;
  for (const auto& n : w->notes)
    if (has(n, "vision tower not counted") && has(n, "openai/clip-vit-large-patch14-336")) named = true;
  EXPECT_TRUE(named);
}

// The bundled gemma-3-12b-it-4bit: the text as before (11'765'640'960 parameters, 6'618'173'040 B at 4-bit)
// plus SigLIP (image 896, patch 14, 27 layers, H 1'152, I 4'304, vision_use_head false): patch
// 3 × 14² × 1'152 + 1'152 = 678'528, position 64² × 1'152 = 4'718'592, per layer 4 × (1'152² + 1'152) +
// 2 × 1'152 × 4'304 + 4'304 + 1'152 + 4 × 1'152 = 15'239'504, × 27 = 411'466'608, post LayerNorm 2'304
// -> 416'866'032; Gemma3MultiModalProjector 1'152 × 3'840 + 1'152 = 4'424'832. Vision in bfloat16.
TEST(WeightsEstimateDefaults, Gemma3CountsSiglipAndProjector) {
  auto w = kvspec::estimate_weights("");
  ASSERT_TRUE(w) << w.error().message();
  EXPECT_EQ(*w->parameters, 11'765'640'960 + 416'866'032 + 4'424'832);
  EXPECT_EQ(w->bytes, 6'618'173'040 + 2 * (416'866'032 + 4'424'832));
}

// Qwen/Qwen3-30B-A3B-FP8: quant_method fp8, weight_block_size [128, 128]. Per layer (48): q/o 2 × 2'048 ×
// 4'096, k/v 2 × 2'048 × 512, experts 3 × 128 × 2'048 × 768 -> 622'854'144 projection parameters in
// 1 byte; scale blocks 2 × 32 × 16 + 2 × 4 × 16 + 3 × 128 × 6 × 16 = 38'016, float32; router 2'048 × 128 and
// norms 4'096 in bfloat16. × 48: 29'896'998'912 projection parameters, 1'824'768 blocks; embeddings + LM head
// 2 × 151'936 × 2'048 + final norm 2'048 + routers and norms 48 × 266'240 = 635'111'424 other parameters.
// Bytes: 29'896'998'912 + 4 × 1'824'768 + 2 × 635'111'424 = 31'174'520'832.
TEST(WeightsEstimateDefaults, Fp8BlockQuantizationLabelledByItsBlocks) {
  auto w = kvspec::estimate_weights(config_dir("Qwen__Qwen3-30B-A3B-FP8"));
  ASSERT_TRUE(w) << w.error().message();
  EXPECT_EQ(*w->parameters, 29'896'998'912 + 635'111'424);
  EXPECT_EQ(w->bytes, 31'174'520'832);
  EXPECT_TRUE(has(w->source, "fp8 e4m3, blocks 128×128")) << w->source;
}

// A config-only download: config.json and model.safetensors.index.json, no shards. metadata.total_size is
// the weights' exact data bytes.
TEST(WeightsEstimateDefaults, IndexTotalSizeWithoutShards) {
  TempDir dir;
  std::filesystem::copy_file(config_dir("meta-llama__Llama-3.1-8B") + "/config.json", dir / "config.json");
  dir.write("model.safetensors.index.json",
            R"({"metadata": {"total_size": 16060522496}, "weight_map": {"lm_head.weight":
               "model-00004-of-00004.safetensors", "model.embed_tokens.weight": "model-00001-of-00004.safetensors"}})");
  auto w = kvspec::estimate_weights(dir.path());
  ASSERT_TRUE(w) << w.error().message();
  EXPECT_EQ(w->bytes, 16'060'522'496);
  EXPECT_FALSE(w->estimate);
  EXPECT_EQ(*w->parameters, 8'030'261'248);  // still from the config (fit_test.cpp by hand)
  auto fit = run_cli("fit " + dir.path() + " --memory 24GiB --json");
  EXPECT_EQ(fit.exit_code, 0) << fit.out;
  auto j = parse(fit.out);
  const auto* weights = j.root.find("weights");
  EXPECT_EQ(weights->find("total_bytes")->as_int(), 16'060'522'496);
  EXPECT_FALSE(weights->find("estimate")->as_bool());
}

TEST(WeightsEstimateDefaults, CaveatsInTheJson) {
  auto r = run_cli("fit " + config_dir("llava-hf__llava-1.5-7b-hf") + " --memory 24GiB --json");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  auto j = parse(r.out);
  const auto* caveats = j.root.find("weights")->find("caveats");
  ASSERT_TRUE(caveats != nullptr && caveats->is_array());
  bool named = false;
  for (const auto& c : caveats->as_array())
    if (c.is_string() && has(c.as_string(), "intermediate_size absent: 11008 from LlamaConfig")) named = true;
  EXPECT_TRUE(named) << r.out;
  auto text = run_cli("fit " + config_dir("llava-hf__llava-1.5-7b-hf") + " --memory 24GiB");
  EXPECT_TRUE(has(text.out, "intermediate_size absent: 11008 from LlamaConfig")) << text.out;
}

// --- 7. one meaning for --context ------------------------------------------------------------------------

// Llama-3.1-8B (32 layers, 8 KV heads × 128, f16: 131'072 B per cell): --context 32k --batch 4 is 32'768
// tokens for each of 4 sequences, llama.cpp -c 131072 -np 4: 4 streams of 32'768 cells = 17'179'869'184 B,
// the same as the exact runtime's 4 × 32'768 × 131'072.
TEST(ContextMeaning, TokensPerSequenceForLlamaCpp) {
  const std::string m = config_dir("meta-llama__Llama-3.1-8B");
  auto r = run_cli(m + " --runtime llama.cpp --context 32k --batch 4 --json");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const auto doc = parse(r.out);  // kept alive: c points into it
  auto c = doc.root.find("cache");
  ASSERT_TRUE(c != nullptr && c->is_object()) << r.out;
  EXPECT_EQ(c->find("context")->as_int(), 32'768);
  EXPECT_EQ(c->find("cells")->as_int(), 32'768);
  EXPECT_EQ(c->find("n_ctx")->as_int(), 131'072);
  EXPECT_EQ(c->find("total_bytes")->as_int(), 17'179'869'184);
  auto exact = run_cli(m + " --context 32k --batch 4 --json");
  EXPECT_EQ(parse(exact.out).root.find("cache")->find("total_bytes")->as_int(), 17'179'869'184);
}

// A folder with both config.json and a GGUF: config.json by default, the GGUF for llama.cpp, --format picks.
TEST(ContextMeaning, FormatChoosesBetweenConfigAndGguf) {
  TempDir dir;
  std::filesystem::copy_file(config_dir("meta-llama__Llama-3.1-8B") + "/config.json", dir / "config.json");
  std::filesystem::copy_file(std::string(KVSPEC_TEST_DATA) + "/gguf/llama31_8b.gguf",
                             dir / "llama31_8b.gguf");
  auto format_of = [&](const std::string& args) {
    auto r = run_cli(dir.path() + " " + args + " --json");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    auto j = parse(r.out);
    const auto* f = j.root.find("source_format");
    return f != nullptr && f->is_string() ? f->as_string() : std::string("?");
  };
  EXPECT_EQ(format_of(""), "hf");
  EXPECT_EQ(format_of("--runtime llama.cpp --context 4k"), "gguf");
  EXPECT_EQ(format_of("--runtime llama.cpp --context 4k --format hf"), "hf");
  EXPECT_EQ(format_of("--format gguf"), "gguf");
  auto text = run_cli(dir.path() + " --runtime llama.cpp --context 4k");
  EXPECT_TRUE(has(text.out, "read llama31_8b.gguf")) << text.out;
  EXPECT_EQ(run_cli(dir.path() + " --format safetensors").exit_code, 2);
  EXPECT_EQ(run_cli(config_dir("meta-llama__Llama-3.1-8B") + " --format gguf").exit_code, 2);
}

}  // namespace
