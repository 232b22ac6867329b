// `kvspec fit`: the answer fits and the next step up does not, for three models × two budgets; weights
// estimates and the CLI, by hand.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "kvspec/load.hpp"
#include "kvspec/plan.hpp"
#include "kvspec/units.hpp"

namespace {

std::string config_dir(const std::string& name) {
  return std::string(KVSPEC_TEST_DATA) + "/configs/" + name;
}

kvspec::ModelCacheSpec load(const std::string& name) {
  auto s = kvspec::load_model(config_dir(name));
  EXPECT_TRUE(s) << s.error().message();
  return s ? *s : kvspec::ModelCacheSpec{};
}

struct Case {
  const char* model;
  kvspec::Runtime runtime;
  std::int64_t weights;  // bytes
};

// Weights stated by hand so the test does not lean on the estimator (tested on its own below):
// Llama-3.1-8B 8'030'261'248 × 2 B; Gemma-3-12B (mlx 4-bit) ≈ 8 GB; Qwen2.5-7B 7'615'616'512 × 2 B.
const Case kCases[] = {
    {"meta-llama__Llama-3.1-8B", kvspec::Runtime::llama_cpp, 16'060'522'496},
    {"mlx-community__gemma-3-12b-it-4bit", kvspec::Runtime::mlx, 8'000'000'000},
    {"Qwen__Qwen2.5-7B-Instruct", kvspec::Runtime::vllm, 15'231'233'024},
};
const std::int64_t kBudgets[] = {24LL << 30, 80'000'000'000};

TEST(Fit, LargestContextFitsAndNextStepDoesNot) {
  for (const Case& c : kCases) {
    auto spec = load(c.model);
    for (std::int64_t budget : kBudgets) {
      SCOPED_TRACE(std::string(c.model) + " @ " + std::to_string(budget));
      kvspec::FitRequest q;
      q.memory = budget;
      q.reserve = 1LL << 30;
      q.runtime.runtime = c.runtime;
      q.runtime.batch = 2;
      q.runtime.k_dtype = q.runtime.v_dtype = kvspec::CacheDType::bf16;
      q.weights.bytes = c.weights;
      q.max_context = 1 << 20;  // beyond every model's positions, so the answer is the memory's
      auto r = kvspec::fit(spec, q);
      ASSERT_TRUE(r) << r.error().message();
      ASSERT_TRUE(r->answer.has_value());
      ASSERT_FALSE(r->capped);
      const std::int64_t budget_for_cache = budget - c.weights - r->overhead_bytes - q.reserve;
      EXPECT_EQ(r->cache_budget, budget_for_cache);
      // Evaluate the profile at the answer and one token more, independently of fit().
      auto at = kvspec::size_runtime(spec, kvspec::fit_runtime_request(q.runtime, *r->answer, 2));
      auto next = kvspec::size_runtime(spec, kvspec::fit_runtime_request(q.runtime, *r->answer + 1, 2));
      ASSERT_TRUE(at);
      ASSERT_TRUE(next);
      EXPECT_LE(at->total_bytes, budget_for_cache);
      EXPECT_GT(next->total_bytes, budget_for_cache);
    }
  }
}

TEST(Fit, LargestBatchFitsAndNextStepDoesNot) {
  for (const Case& c : kCases) {
    auto spec = load(c.model);
    for (std::int64_t budget : kBudgets) {
      SCOPED_TRACE(std::string(c.model) + " @ " + std::to_string(budget));
      kvspec::FitRequest q;
      q.memory = budget;
      q.target = kvspec::FitTarget::batch;
      q.runtime.runtime = c.runtime;
      q.runtime.context = 8'192;
      q.runtime.k_dtype = q.runtime.v_dtype = kvspec::CacheDType::bf16;
      q.weights.bytes = c.weights;
      auto r = kvspec::fit(spec, q);
      ASSERT_TRUE(r) << r.error().message();
      ASSERT_TRUE(r->answer.has_value());
      auto at = kvspec::size_runtime(spec, kvspec::fit_runtime_request(q.runtime, 8'192, *r->answer));
      ASSERT_TRUE(at);
      EXPECT_LE(at->total_bytes, r->cache_budget);
      if (!r->capped) {
        auto next = kvspec::size_runtime(spec, kvspec::fit_runtime_request(q.runtime, 8'192, *r->answer + 1));
        ASSERT_TRUE(next);
        EXPECT_GT(next->total_bytes, r->cache_budget);
      }
    }
  }
}

TEST(Fit, Llama31_8bOnLlamaCppByHand) {
  auto spec = load("meta-llama__Llama-3.1-8B");
  kvspec::FitRequest q;
  q.memory = 24LL << 30;  // 25'769'803'776
  q.reserve = 1LL << 30;  // 1'073'741'824
  q.runtime.runtime = kvspec::Runtime::llama_cpp;
  q.weights.bytes = 16'060'522'496;
  auto r = kvspec::fit(spec, q);
  ASSERT_TRUE(r) << r.error().message();
  // cache budget = 25'769'803'776 - 16'060'522'496 - 1'073'741'824 = 8'635'539'456 B
  EXPECT_EQ(r->cache_budget, 8'635'539'456);
  // one cell: 32 layers × (1'024 + 1'024 values) × 2 B = 131'072 B; 8'635'539'456 / 131'072 = 65'884.5 cells,
  // and cells come in 256s: 257 × 256 = 65'792
  EXPECT_EQ(*r->answer, 65'792);
  // vLLM keeps 10% of the device: overhead = 80'000'000'000 - ceil(0.9 × 80'000'000'000) = 8'000'000'000
  q.memory = 80'000'000'000;
  q.runtime.runtime = kvspec::Runtime::vllm;
  auto v = kvspec::fit(spec, q);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->overhead_bytes, 8'000'000'000);
}

// --gpu-memory-utilization: vLLM plans within ceil(memory × F) computed in doubles (vllm/v1/worker/utils.py
// request_memory); the rest of the device is overhead.
TEST(Fit, VllmGpuMemoryUtilization) {
  // 24 GiB × 0.5 = 12'884'901'888 exactly: overhead 12'884'901'888.
  EXPECT_EQ(kvspec::vllm_requested_memory(25'769'803'776, 0.5), 12'884'901'888);
  // 24 GiB × 0.9 = 23'192'823'398.4, ceil 23'192'823'399 (vLLM rounds up): overhead 2'576'980'377.
  EXPECT_EQ(kvspec::vllm_requested_memory(25'769'803'776, 0.9), 23'192'823'399);
  // 80 GB × 0.9 = 72'000'000'000 exactly (the double product rounds to it): nothing to round.
  EXPECT_EQ(kvspec::vllm_requested_memory(80'000'000'000, 0.9), 72'000'000'000);
  // F = 1: the whole device.
  EXPECT_EQ(kvspec::vllm_requested_memory(25'769'803'776, 1.0), 25'769'803'776);

  auto spec = load("meta-llama__Llama-3.1-8B");
  kvspec::FitRequest q;
  q.memory = 24LL << 30;  // 25'769'803'776
  q.runtime.runtime = kvspec::Runtime::vllm;
  q.runtime.vllm.gpu_memory_utilization = 0.5;
  q.weights.bytes = 4LL << 30;  // 4'294'967'296
  auto r = kvspec::fit(spec, q);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->overhead_bytes, 12'884'901'888);
  // cache budget = 12'884'901'888 - 4'294'967'296 = 8'589'934'592 (8 GiB)
  EXPECT_EQ(r->cache_budget, 8'589'934'592);
  // Llama-3.1-8B at f16: 32 layers × 8 KV heads × 128 × 2 (K, V) × 2 B = 131'072 B per token; blocks of 16
  // tokens = 2'097'152 B; 8'589'934'592 / 2'097'152 = 4'096 blocks = 65'536 tokens for one sequence.
  EXPECT_EQ(*r->answer, 65'536);
  for (double bad : {0.0, -0.5, 1.5}) {
    q.runtime.vllm.gpu_memory_utilization = bad;
    auto e = kvspec::fit(spec, q);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().field, "--gpu-memory-utilization");
  }
}

TEST(Fit, CappedAtMaxPositions) {
  auto spec = load("meta-llama__Llama-3.1-8B");
  kvspec::FitRequest q;
  q.memory = 1LL << 40;
  q.runtime.runtime = kvspec::Runtime::exact;
  q.weights.bytes = 16'060'522'496;
  auto r = kvspec::fit(spec, q);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->capped);
  EXPECT_EQ(*r->answer, 131'072);  // max_position_embeddings
  // table: 1k, 2k, ..., 64k, 128k = 8 rows
  EXPECT_EQ(r->table.size(), 8u);
}

TEST(Fit, NothingFits) {
  auto spec = load("meta-llama__Llama-3.1-8B");
  kvspec::FitRequest q;
  q.memory = 8LL << 30;
  q.weights.bytes = 16'060'522'496;
  auto r = kvspec::fit(spec, q);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->answer.has_value());
}

TEST(Fit, TensorParallelOnlyForVllm) {
  auto spec = load("meta-llama__Llama-3.1-8B");
  kvspec::FitRequest q;
  q.memory = 24LL << 30;
  q.runtime.runtime = kvspec::Runtime::llama_cpp;
  q.runtime.tp = 2;
  EXPECT_FALSE(kvspec::fit(spec, q));
}

TEST(WeightsEstimate, Llama31_8bByHand) {
  auto w = kvspec::estimate_weights(config_dir("meta-llama__Llama-3.1-8B"));
  ASSERT_TRUE(w) << w.error().message();
  // embeddings 128'256 × 4'096 = 525'336'576, untied LM head the same;
  // per layer: q + o 2 × 4'096 × 4'096 = 33'554'432, k + v 2 × 4'096 × 1'024 = 8'388'608,
  // MLP 3 × 4'096 × 14'336 = 176'160'768, norms 2 × 4'096 = 8'192 -> 218'112'000; × 32 = 6'979'584'000;
  // final norm 4'096: 2 × 525'336'576 + 6'979'584'000 + 4'096 = 8'030'261'248
  EXPECT_EQ(*w->parameters, 8'030'261'248);
  EXPECT_EQ(w->bytes, 16'060'522'496);  // bfloat16
  EXPECT_TRUE(w->estimate);
}

TEST(WeightsEstimate, Gemma3TextDefaultsVocabAndTying) {
  // The bundled mlx-community/gemma-3-12b-it-4bit: text_config states neither vocab_size nor
  // tie_word_embeddings; Gemma3TextConfig defaults them to 262'208 and true.
  auto w = kvspec::estimate_weights("");
  ASSERT_TRUE(w) << w.error().message();
  // per layer: q + o 2 × 3'840 × 16 × 256 = 31'457'280, k + v 2 × 3'840 × 8 × 256 = 15'728'640,
  // MLP 3 × 3'840 × 15'360 = 176'947'200, norms 7'680 -> 224'140'800; × 48 = 10'758'758'400; + final norm
  // 3'840; + tied embeddings 262'208 × 3'840 = 1'006'878'720 -> 11'765'640'960
  // + the SigLIP tower and projector, 421'290'864 parameters in bfloat16 (fit_limits_test.cpp by hand)
  EXPECT_EQ(*w->parameters, 11'765'640'960 + 421'290'864);
  // 4-bit, group 64: 11'765'640'960 / 2 = 5'882'820'480 packed + 183'838'140 groups × 4 B = 735'352'560
  EXPECT_EQ(w->bytes, 6'618'173'040 + 2 * 421'290'864);
}

TEST(WeightsEstimate, Qwen25_7bWithoutBiases) {
  auto w = kvspec::estimate_weights(config_dir("Qwen__Qwen2.5-7B-Instruct"));
  ASSERT_TRUE(w) << w.error().message();
  // 2 × 152'064 × 3'584 = 1'089'994'752; per layer 2 × 3'584² + 2 × 3'584 × 512 + 3 × 3'584 × 18'944 + 7'168
  // = 233'053'184, × 28 = 6'525'489'152; + 3'584 -> 7'615'487'488 (the published 7'615'616'512 less the
  // 28 × (3'584 + 512 + 512) = 129'024 q/k/v biases)
  EXPECT_EQ(*w->parameters, 7'615'487'488);
}

TEST(Units, ParseBytes) {
  EXPECT_EQ(*kvspec::parse_bytes("512MiB"), 512LL << 20);
  EXPECT_EQ(*kvspec::parse_bytes("24GiB"), 24LL << 30);
  EXPECT_EQ(*kvspec::parse_bytes("24G"), 24LL << 30);
  EXPECT_EQ(*kvspec::parse_bytes("80GB"), 80'000'000'000);
  EXPECT_EQ(*kvspec::parse_bytes("1.5GiB"), 1'610'612'736);
  EXPECT_EQ(*kvspec::parse_bytes("9007199254740993"), 9'007'199'254'740'993);  // exact, not through a double
  EXPECT_FALSE(kvspec::parse_bytes("24XB"));
  EXPECT_FALSE(kvspec::parse_bytes("-1GiB"));
  EXPECT_FALSE(kvspec::parse_bytes("99999999999TiB"));
  EXPECT_EQ(kvspec::parse_byte_quantity("80GB")->unit, "GB = 10^9 bytes");
  EXPECT_EQ(kvspec::parse_byte_quantity("24G")->unit, "GiB = 2^30 bytes");
}

struct Run {
  int rc;
  std::string out;
};

Run cli(const std::string& args) {
  std::string cmd = std::string(KVSPEC_CLI) + " " + args + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  Run r{-1, {}};
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p.get())) r.out.append(buf, n);
  r.rc = WEXITSTATUS(pclose(p.release()));
  return r;
}

TEST(FitCli, AnswersAndSaysTheUnit) {
  auto r = cli("fit " + config_dir("meta-llama__Llama-3.1-8B") +
               " --memory 24GiB --runtime llama.cpp --reserve 1GiB");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("largest context for 1 sequence: 65792 tokens"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("GiB = 2^30 bytes"), std::string::npos);
  EXPECT_NE(r.out.find("estimate"), std::string::npos);
  auto gb = cli("fit " + config_dir("meta-llama__Llama-3.1-8B") + " --memory 80GB --json");
  EXPECT_EQ(gb.rc, 0) << gb.out;
  EXPECT_NE(gb.out.find("\"memory_unit\": \"GB = 10^9 bytes\""), std::string::npos) << gb.out;
}

TEST(FitCli, BadInputExits2) {
  const std::string m = config_dir("meta-llama__Llama-3.1-8B");
  EXPECT_EQ(cli("fit " + m + " --memory 24XB").rc, 2);
  EXPECT_EQ(cli("fit " + m).rc, 2);  // no --memory
  EXPECT_EQ(cli("fit " + m + " --memory 24GiB --context 8k --batch 2").rc, 2);
  EXPECT_EQ(cli("fit " + m + " --memory 24GiB --runtime nope").rc, 2);
  EXPECT_EQ(cli(m + " --context 4k --runtime llama.cpp --kv-dtype q8_0 --flash-attn off").rc, 2);
  EXPECT_EQ(cli(m + " --context 4k --runtime mlx --kv-bits 3").rc, 2);
}

TEST(InspectCli, RuntimeDetailsInJson) {
  auto r =
      cli(config_dir("meta-llama__Llama-3.1-8B") + " --context 4k --parallel 4 --runtime llama.cpp --json");
  EXPECT_EQ(r.rc, 0) << r.out;
  // 4'096 tokens per sequence: n_ctx 4'096 × 4 = 16'384 over 4 streams, 4'096 cells each
  EXPECT_NE(r.out.find("\"cells\": 4096"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"k_bytes\": 1073741824"), std::string::npos)
      << r.out;  // 32 × 1'024 × 2 B × 4'096 × 4
}

}  // namespace
