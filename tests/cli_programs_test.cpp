// The CLI for scripts and shells (issue 13 items 4, 5, 7): vLLM's remaining flags, flag did-you-mean, shell
// completions and the man page generated from the CLI's definition, schema_version and JSON errors.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cli_util.hpp"
#include "test_util.hpp"

namespace kvspec {
namespace {

std::string qwen() {  // Qwen2.5-3B: 36 layers, 2 KV heads of 128, bfloat16
  return test::data_path("configs/Qwen__Qwen2.5-3B-Instruct");
}
std::string phi1() {  // phi-1: 24 layers, 32 KV heads of 64, float32
  return test::data_path("configs/microsoft__phi-1");
}
std::string llama() {  // Llama-3.1-8B: 32 layers, 8 KV heads of 128, bfloat16
  return test::data_path("configs/meta-llama__Llama-3.1-8B");
}

bool has(const std::string& out, const std::string& what) {
  return out.find(what) != std::string::npos;
}

TEST(CliVllmFlags, GpuMemoryUtilizationSetsFitBudget) {
  // 24 GiB × 0.5 = 12'884'901'888 planned; minus --weights 4 GiB (4'294'967'296) = 8'589'934'592 for the
  // cache. Llama-3.1-8B at f16 is 131'072 B per token: 8 GiB / 131'072 = 65'536 tokens (4'096 blocks of 16).
  auto r =
      test::run_cli_redirected("fit " + llama() +
                               " --runtime vllm --memory 24GiB --weights 4GiB --gpu-memory-utilization 0.5 "
                               "--json 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(has(r.out, "\"overhead_bytes\": 12884901888")) << r.out;
  EXPECT_TRUE(has(r.out, "\"cache_budget_bytes\": 8589934592")) << r.out;
  EXPECT_TRUE(has(r.out, "\"context\": 65536")) << r.out;
  EXPECT_TRUE(has(r.out, "\"gpu_memory_utilization\": 0.5")) << r.out;
  EXPECT_TRUE(has(r.out, "\"planned_bytes\": 12884901888")) << r.out;
  EXPECT_TRUE(has(r.out, "\"num_blocks\": 4096")) << r.out;
  // The default is vLLM's 0.9: 24 GiB × 0.9 = 23'192'823'398.4, rounded up as vLLM does: overhead
  // 25'769'803'776 - 23'192'823'399 = 2'576'980'377.
  auto d = test::run_cli("fit " + llama() + " --runtime vllm --memory 24GiB --weights 4GiB --json");
  EXPECT_TRUE(has(d.out, "\"overhead_bytes\": 2576980377")) << d.out;
  // Out of range: exit 2, in words.
  for (const std::string bad : {"0", "1.5", "-0.1"}) {
    auto e =
        test::run_cli("fit " + llama() + " --runtime vllm --memory 24GiB --gpu-memory-utilization " + bad);
    EXPECT_EQ(e.exit_code, 2) << bad << e.out;
    EXPECT_TRUE(has(e.out, "--gpu-memory-utilization")) << e.out;
  }
}

TEST(CliVllmFlags, GpuMemoryUtilizationWarnsWhereItDoesNotApply) {
  auto other = test::run_cli("fit " + llama() + " --memory 24GiB --gpu-memory-utilization 0.5");
  EXPECT_EQ(other.exit_code, 0) << other.out;
  EXPECT_TRUE(has(other.out, "warning: --gpu-memory-utilization applies to --runtime vllm only"))
      << other.out;
  auto inspect = test::run_cli("inspect " + llama() +
                               " --runtime vllm --context 4096 --memory 8GiB --gpu-memory-utilization 0.5");
  EXPECT_EQ(inspect.exit_code, 0) << inspect.out;
  EXPECT_TRUE(has(inspect.out, "warning: --gpu-memory-utilization applies to `kvspec fit`")) << inspect.out;
  // --runtime spelled another way is still vLLM: no warning.
  auto fit = test::run_cli("fit " + llama() + " --runtime vllm --memory 24GiB --gpu-memory-utilization 0.5");
  EXPECT_FALSE(has(fit.out, "warning")) << fit.out;
}

TEST(CliVllmFlags, KvCacheDtypeAutoIsTheModelsDtype) {
  // Qwen2.5-3B states bfloat16: auto = bf16. 4'096 tokens × 36 layers × 2 KV heads × 128 × 2 (K, V) × 2 B
  // = 150'994'944 B.
  auto a = test::run_cli("inspect " + qwen() + " --context 4096 --kv-cache-dtype auto --json");
  ASSERT_EQ(a.exit_code, 0) << a.out;
  EXPECT_TRUE(has(a.out, "\"total_bytes\": 150994944")) << a.out;
  EXPECT_TRUE(has(a.out, "--kv-dtype auto: bf16 (the model's dtype bfloat16)")) << a.out;
  // phi-1 states float32: the exact runtime keeps f32, 4'096 × 24 × 32 × 64 × 2 × 4 B = 1'610'612'736 B.
  auto exact = test::run_cli("inspect " + phi1() + " --context 4096 --kv-dtype auto --json");
  EXPECT_TRUE(has(exact.out, "\"total_bytes\": 1610612736")) << exact.out;
  // vLLM downcasts float32 models to bfloat16: half, 805'306'368 B (256 blocks of 16 tokens, no remainder).
  auto vllm =
      test::run_cli("inspect " + phi1() + " --runtime vllm --context 4096 --kv-cache-dtype auto --json");
  EXPECT_TRUE(has(vllm.out, "\"total_bytes\": 805306368")) << vllm.out;
  EXPECT_TRUE(has(vllm.out, "downcast as vLLM does")) << vllm.out;
  auto bf16 =
      test::run_cli("inspect " + phi1() + " --runtime vllm --context 4096 --kv-cache-dtype bf16 --json");
  EXPECT_TRUE(has(bf16.out, "\"total_bytes\": 805306368")) << bf16.out;
  // compare: models of different dtypes cannot share one auto.
  auto mixed = test::run_cli("compare " + qwen() + " " + phi1() + " --context 4096 --kv-dtype auto");
  EXPECT_EQ(mixed.exit_code, 2) << mixed.out;
  // fit says what auto became.
  auto fit = test::run_cli("fit " + qwen() + " --memory 24GiB --kv-dtype auto");
  EXPECT_TRUE(has(fit.out, "--kv-dtype auto: bf16")) << fit.out;
}

TEST(CliVllmFlags, BlockSizeAndBatchedTokens) {
  // --block-size is the vLLM profile's own: 4'097 tokens are 257 blocks of 16 (4'112 tokens) but 129 of 32
  // (4'128 tokens); Qwen2.5-3B is 36'864 B per token at f16, so 151'584'768 vs 152'174'592 B.
  const std::string m = "inspect " + qwen() + " --runtime vllm --context 4097 --json";
  EXPECT_TRUE(has(test::run_cli(m).out, "\"total_bytes\": 151584768"));
  EXPECT_TRUE(has(test::run_cli(m + " --block-size 32").out, "\"total_bytes\": 152174592"));
  // Accepted; warned about where it does not apply.
  auto t = test::run_cli("inspect " + qwen() + " --context 4096 --max-num-batched-tokens 2048");
  EXPECT_EQ(t.exit_code, 0) << t.out;
  EXPECT_TRUE(has(t.out, "warning: --max-num-batched-tokens applies to --runtime vllm only")) << t.out;
}

TEST(CliFlagDidYouMean, MistypedLongFlag) {
  auto r = test::run_cli("inspect " + qwen() + " --contxt 8k");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(has(r.out, "did you mean --context?")) << r.out;
  // The default command too, and a value after '='.
  auto d = test::run_cli(qwen() + " --contex=8k");
  EXPECT_EQ(d.exit_code, 2) << d.out;
  EXPECT_TRUE(has(d.out, "did you mean --context?")) << d.out;
  auto f = test::run_cli("fit " + qwen() + " --memroy 24GiB");
  EXPECT_TRUE(has(f.out, "did you mean --memory?")) << f.out;
  auto v = test::run_cli("fit " + qwen() + " --gpu-memory-utilisation 0.8");
  EXPECT_TRUE(has(v.out, "did you mean --gpu-memory-utilization?")) << v.out;
  // Far from every flag: CLI11's own message, still exit 2.
  auto far = test::run_cli("inspect " + qwen() + " --zzzzzzzz");
  EXPECT_EQ(far.exit_code, 2) << far.out;
  EXPECT_FALSE(has(far.out, "did you mean")) << far.out;
}

// Subcommands as `kvspec --help` lists them ("  inspect   Summarize ..." under "Subcommands:").
std::vector<std::string> subcommands_from_help() {
  std::istringstream in(test::run_cli("--help").out);
  std::vector<std::string> out;
  bool in_list = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Subcommands:", 0) == 0) {
      in_list = true;
      continue;
    }
    if (in_list && line.rfind("  ", 0) == 0) {
      std::istringstream words(line);
      std::string w;
      words >> w;
      out.push_back(w);
    } else if (in_list) {
      break;
    }
  }
  return out;
}

TEST(CliCompletions, EveryShellNamesEverySubcommandAndFlags) {
  const auto subs = subcommands_from_help();
  ASSERT_GE(subs.size(), 5U);  // inspect, compare, fit, families, completions
  for (const std::string shell : {"bash", "zsh", "fish"}) {
    auto r = test::run_cli_redirected("completions " + shell + " 2>/dev/null");
    ASSERT_EQ(r.exit_code, 0) << shell;
    for (const auto& s : subs) EXPECT_TRUE(has(r.out, s)) << shell << " lacks " << s;
    EXPECT_FALSE(has(r.out, "manpage")) << shell;  // hidden
    for (const std::string flag : {"context", "max-model-len", "gpu-memory-utilization", "kv-cache-dtype",
                                   "memory", "json", "np", "ctk"})
      EXPECT_TRUE(has(r.out, flag)) << shell << " lacks " << flag;
  }
  auto bad = test::run_cli("completions tcsh");
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
}

TEST(CliCompletions, ShellsAcceptTheScripts) {
  test::TempDir dir;
  auto bash = test::run_cli_redirected("completions bash > " + dir.path() + "/kvspec.bash");
  ASSERT_EQ(bash.exit_code, 0);
  auto n = test::run_shell("bash -n " + dir.path() + "/kvspec.bash 2>&1");
  EXPECT_EQ(n.exit_code, 0) << n.out;
  // Loaded into bash, `kvspec fit ... --gpu<TAB>` completes the flag, and `kvspec comp<TAB>` the command.
  auto complete = test::run_shell(
      "bash -c 'source " + dir.path() +
      "/kvspec.bash; COMP_WORDS=(kvspec fit m --gpu); COMP_CWORD=3; _kvspec; echo \"${COMPREPLY[*]}\"' 2>&1");
  EXPECT_TRUE(has(complete.out, "--gpu-memory-utilization")) << complete.out;
  auto cmd = test::run_shell("bash -c 'source " + dir.path() +
                             "/kvspec.bash; COMP_WORDS=(kvspec comp); COMP_CWORD=1; _kvspec; "
                             "echo \"${COMPREPLY[*]}\"' 2>&1");
  EXPECT_TRUE(has(cmd.out, "compare")) << cmd.out;
  EXPECT_TRUE(has(cmd.out, "completions")) << cmd.out;
  for (const std::string shell : {"zsh", "fish"}) {
    if (test::run_shell("command -v " + shell + " >/dev/null 2>&1").exit_code != 0) continue;  // not here
    auto s = test::run_cli_redirected("completions " + shell + " > " + dir.path() + "/kvspec." + shell);
    ASSERT_EQ(s.exit_code, 0);
    auto check = test::run_shell(shell + " -n " + dir.path() + "/kvspec." + shell + " 2>&1");
    EXPECT_EQ(check.exit_code, 0) << shell << check.out;
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

#ifdef KVSPEC_MAN_PAGE
TEST(CliManPage, GeneratedAtBuildTimeAndRenders) {
  const std::string page_path = KVSPEC_MAN_PAGE;
  const std::string page = read_file(page_path);
  ASSERT_FALSE(page.empty()) << page_path;
  EXPECT_EQ(page.rfind(".TH KVSPEC 1", 0), 0U) << page.substr(0, 200);
  EXPECT_TRUE(has(page, "\n.SH NAME\nkvspec \\- "));
  for (const std::string section : {"SYNOPSIS", "COMMANDS", "OPTIONS", "MODEL", "EXIT STATUS", "EXAMPLES"})
    EXPECT_TRUE(has(page, "\n.SH " + section + "\n")) << section;
  for (const auto& s : subcommands_from_help()) EXPECT_TRUE(has(page, "\\fB" + s + "\\fR")) << s;
  EXPECT_TRUE(has(page, "\\fB\\-\\-gpu\\-memory\\-utilization\\fR"));
  // The build's page is what `kvspec manpage` prints now (no stale page).
  EXPECT_EQ(test::run_cli_redirected("manpage 2>/dev/null").out, page);
  // groff renders it without warnings (when groff is here).
  if (test::run_shell("command -v groff >/dev/null 2>&1").exit_code == 0) {
    auto r = test::run_shell("groff -man -Tutf8 -ww -K utf8 " + page_path + " 2>&1 >/dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out, "") << r.out;
    auto text = test::run_shell("groff -man -Tutf8 -K utf8 -P -cbou " + page_path + " 2>/dev/null");
    EXPECT_TRUE(has(text.out, "--gpu-memory-utilization")) << text.out.substr(0, 500);
    EXPECT_TRUE(has(text.out, "kvspec fit ./Llama-3.1-8B --memory 24GiB --context 32k")) << text.out;
  }
}
#endif

TEST(CliJson, SchemaVersionOnEveryDocument) {
  const std::string v = "\"schema_version\": 1";
  for (const std::string& args :
       {"inspect " + qwen() + " --context 4096 --json", "inspect " + qwen() + " --json",
        "compare " + qwen() + " " + llama() + " --context 4096 --json",
        "fit " + qwen() + " --memory 24GiB --json", std::string("families --json")}) {
    auto r = test::run_cli(args);
    ASSERT_EQ(r.exit_code, 0) << args << r.out;
    EXPECT_TRUE(has(r.out, v)) << args;
  }
  // The first key of the top-level object.
  EXPECT_EQ(test::run_cli("inspect " + qwen() + " --json").out.rfind("{\n  " + v + ",", 0), 0U);
  auto fit = test::run_cli("fit " + qwen() + " --memory 24GiB --json").out;
  EXPECT_TRUE(has(fit, "\"fits\": true")) << fit;
  auto none = test::run_cli("fit " + qwen() + " --memory 1GiB --weights 2GiB --json 2>/dev/null").out;
  EXPECT_TRUE(has(none, "\"fits\": false")) << none;
}

TEST(CliJson, ErrorsAsJsonOnStdout) {
  // stdout only: the JSON object; stderr still has the message; the exit code is unchanged.
  auto r = test::run_cli_redirected("fit " + qwen() + " --memory 24 --json 2>/dev/null");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(r.out.rfind("{\n  \"schema_version\": 1,\n  \"error\": {\n    \"code\": \"usage\",", 0), 0U)
      << r.out;
  EXPECT_TRUE(has(r.out, "\"field\": \"--memory\"")) << r.out;
  EXPECT_TRUE(has(r.out, "\"found\": \"'24' (a bare number)\"")) << r.out;
  EXPECT_TRUE(has(r.out, "\"expected\": \"a size with a unit: 24GiB")) << r.out;
  EXPECT_TRUE(has(r.out, "\"file\": \"\"")) << r.out;
  EXPECT_TRUE(has(r.out, "\"message\": ")) << r.out;
  auto err = test::run_cli_redirected("fit " + qwen() + " --memory 24 --json 2>&1 >/dev/null");
  EXPECT_TRUE(has(err.out, "kvspec: error:")) << err.out;
  EXPECT_FALSE(has(err.out, "schema_version")) << err.out;
  // A missing model: not_found, and the file named.
  auto nf = test::run_cli_redirected("inspect /nonexistent/model --json 2>/dev/null");
  EXPECT_EQ(nf.exit_code, 2);
  EXPECT_TRUE(has(nf.out, "\"code\": \"not_found\"")) << nf.out;
  // Parse errors and typos too.
  auto typo = test::run_cli_redirected("inspect " + qwen() + " --contxt 8k --json 2>/dev/null");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_TRUE(has(typo.out, "did you mean --context?")) << typo.out;
  auto parse = test::run_cli_redirected("inspect " + qwen() + " --batch 0 --json 2>/dev/null");
  EXPECT_EQ(parse.exit_code, 2);
  EXPECT_TRUE(has(parse.out, "\"schema_version\": 1")) << parse.out;
  // Without --json, stdout stays empty.
  EXPECT_EQ(test::run_cli_redirected("fit " + qwen() + " --memory 24 2>/dev/null").out, "");
}

}  // namespace
}  // namespace kvspec
