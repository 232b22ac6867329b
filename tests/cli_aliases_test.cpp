// The CLI in the runtimes' words (issue 13 items 4-5): llama.cpp's and vLLM's spellings give the same figures
// as kvspec's own, inapplicable flags are warned about, bare sizes and typos are explained.
#include <gtest/gtest.h>

#include <string>

#include "cli_util.hpp"
#include "test_util.hpp"

namespace kvspec {
namespace {

std::string qwen() {
  return test::data_path("configs/Qwen__Qwen2.5-3B-Instruct");
}
std::string gguf() {
  return test::data_path("gguf/gemma2_9b.gguf");
}

// Same stdout+stderr and exit code for both spellings; the JSON must be non-trivial.
void expect_same(const std::string& kvspec_spelling, const std::string& alias) {
  auto a = test::run_cli(kvspec_spelling + " --json");
  auto b = test::run_cli(alias + " --json");
  ASSERT_EQ(a.exit_code, 0) << a.out;
  EXPECT_EQ(b.exit_code, 0) << b.out;
  EXPECT_EQ(a.out, b.out) << alias;
  EXPECT_NE(a.out.find("\"total"), std::string::npos) << a.out;
}

TEST(CliAliases, LlamaCppSpellings) {
  const std::string m = "inspect " + gguf() + " --runtime llama.cpp ";
  // llama.cpp's -c is the total n_ctx: 16384 over -np 4 = 4096 tokens per sequence.
  expect_same(m + "--context 4096 --parallel 4", m + "-c 16384 -np 4");
  expect_same(m + "--context 4096 --parallel 4", m + "--ctx-size 16384 --parallel 4");
  // Not divisible: n_ctx_seq = n_ctx / n_seq, rounded down (10000 / 3 = 3333).
  EXPECT_EQ(test::run_cli(m + "--context 3333 --parallel 3 --json").out, [&] {
    auto r = test::run_cli_redirected(m + "-c 10000 -np 3 --json 2>/dev/null");
    return r.out;
  }());
  // -ctk must not parse as -c tk.
  expect_same(m + "--context 8192 --kv-dtype q8_0 --v-dtype q4_0", m + "-c 8192 -ctk q8_0 -ctv q4_0");
  expect_same(m + "--context 8192 --kv-dtype q8_0 --v-dtype q4_0",
              m + "-c 8192 --cache-type-k q8_0 --cache-type-v q4_0");
  expect_same(m + "--context 8192 --flash-attn on --ubatch 256 --swa-full --kv-unified",
              m + "-c 8192 -fa on -ub 256 --swa-full --kv-unified");
  expect_same(m + "--context 8192 --ubatch 256", m + "-c 8192 --ubatch-size 256");
}

TEST(CliAliases, VllmSpellings) {
  const std::string m = "inspect " + qwen() + " --runtime vllm --memory 80GB ";
  expect_same(m + "--context 32k --batch 8 --kv-dtype fp8_e4m3",
              m + "--max-model-len 32768 --max-num-seqs 8 --kv-cache-dtype fp8_e4m3");
  expect_same(m + "--context 32k --tp 2 --pp 2", m + "--max-model-len 32k -tp 2 -pp 2");
  expect_same(m + "--context 32k --tp 2 --pp 2",
              m + "--context 32k --tensor-parallel-size 2 --pipeline-parallel-size 2");
}

TEST(CliAliases, LogicalBatchIsNotSequences) {
  const std::string m = "inspect " + gguf() + " --runtime llama.cpp --context 4096";
  auto plain = test::run_cli_redirected(m + " --json 2>/dev/null");
  auto with_b = test::run_cli_redirected(m + " -b 2048 --json 2>/dev/null");
  ASSERT_EQ(plain.exit_code, 0);
  EXPECT_EQ(plain.out, with_b.out);  // n_batch sizes compute buffers, not the cache
  auto note = test::run_cli(m + " -b 2048");
  EXPECT_NE(note.out.find("logical batch"), std::string::npos) << note.out;
}

TEST(CliAliases, InapplicableFlagsWarn) {
  auto r = test::run_cli("inspect " + qwen() + " --runtime vllm --context 4096 --swa-full --kv-unified");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("warning: --swa-full applies to --runtime llama.cpp only"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("warning: --kv-unified applies"), std::string::npos) << r.out;
  auto v = test::run_cli("inspect " + qwen() + " --context 4096 --block-size 32");
  EXPECT_NE(v.out.find("warning: --block-size applies to --runtime vllm only"), std::string::npos) << v.out;
  auto ok = test::run_cli("inspect " + qwen() + " --runtime vllm --context 4096 --block-size 32");
  EXPECT_EQ(ok.out.find("warning: --block-size"), std::string::npos) << ok.out;
  // -c and --context both: contradictory, refused.
  auto both = test::run_cli("inspect " + qwen() + " -c 8192 --context 4096");
  EXPECT_EQ(both.exit_code, 2) << both.out;
}

TEST(CliAliases, BareSizeIsRefused) {
  auto r = test::run_cli("fit " + qwen() + " --memory 24");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("24GiB"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("24GB"), std::string::npos) << r.out;
  auto reserve = test::run_cli("fit " + qwen() + " --memory 24GiB --reserve 1");
  EXPECT_EQ(reserve.exit_code, 2) << reserve.out;
  EXPECT_NE(reserve.out.find("1GiB"), std::string::npos) << reserve.out;
  EXPECT_EQ(test::run_cli("fit " + qwen() + " --memory 24GiB").exit_code, 0);
}

TEST(CliAliases, DidYouMean) {
  auto r = test::run_cli("inpsect x");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("did you mean 'inspect'?"), std::string::npos) << r.out;
  auto c = test::run_cli("comapre a b");
  EXPECT_NE(c.out.find("did you mean 'compare'?"), std::string::npos) << c.out;
  // A far word is still a MODEL (and an error about the path, not a command).
  auto m = test::run_cli("no-such-model-folder");
  EXPECT_EQ(m.out.find("did you mean"), std::string::npos) << m.out;
}

TEST(CliAliases, RangeErrorsInWords) {
  auto r = test::run_cli("inspect " + qwen() + " --batch 0");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--batch must be ≥ 1"), std::string::npos) << r.out;
  EXPECT_LT(r.out.size(), 300U) << r.out;
}

TEST(CliAliases, HelpNamesProgramModelFormsAndExamples) {
  for (const std::string cmd : {"--help", "inspect --help", "compare --help", "fit --help"}) {
    auto r = test::run_cli(cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("Usage: kvspec"), std::string::npos) << cmd << r.out;
    EXPECT_NE(r.out.find("GGUF file"), std::string::npos) << cmd;
    EXPECT_NE(r.out.find("config.json path"), std::string::npos) << cmd;
    EXPECT_NE(r.out.find("org/name[@revision]"), std::string::npos) << cmd;
    EXPECT_NE(r.out.find("Examples:"), std::string::npos) << cmd;
  }
}

}  // namespace
}  // namespace kvspec
