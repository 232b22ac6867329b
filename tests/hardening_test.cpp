// Hardening round 2 (issue 18): arithmetic that must never wrap (item 3), nonsense the readers must refuse
// alike whatever the source (item 4), and output failures that must end in a clear exit code (item 8).
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "cli_util.hpp"
#include "format/safetensors.hpp"
#include "format/tensor_names.hpp"
#include "json/json.hpp"
#include "kvspec/commands.hpp"
#include "kvspec/plan.hpp"
#include "kvspec/runtime.hpp"
#include "spec/weights_summary.hpp"
#include "support/gguf_writer.hpp"
#include "test_util.hpp"

namespace kvspec::test {
namespace {

constexpr std::int64_t kGiB = std::int64_t{1} << 30;

std::string llama8b() {
  return data_path("configs/meta-llama__Llama-3.1-8B");
}

// A llama config (32 layers, 32 heads, 8 KV heads, hidden 4096) with `extra` fields appended.
std::string llama_json(const std::string& extra) {
  return R"({"model_type": "llama", "num_hidden_layers": 32, "num_attention_heads": 32,
             "num_key_value_heads": 8, "hidden_size": 4096)" +
         (extra.empty() ? std::string() : ", " + extra) + "}";
}

Error config_error(const std::string& json) {
  auto s = spec_from_config_text(json, "inline.json");
  EXPECT_FALSE(s) << "accepted: " << json;
  return s ? Error{} : s.error();
}

// A metadata-only GGUF: `arch` with 2 blocks, 8 heads (or `kv` per layer), width 64.
GgufWriter small_gguf(const std::string& arch) {
  GgufWriter w;
  w.str("general.architecture", arch);
  w.u32(arch + ".block_count", 2);
  w.u32(arch + ".embedding_length", 64);
  w.u32(arch + ".attention.head_count", 8);
  return w;
}

Error gguf_error(const TempDir& dir, const std::string& name, const GgufWriter& w) {
  std::string path = (dir / (name + ".gguf")).string();
  w.write(path);
  auto s = load_model(path);
  EXPECT_FALSE(s) << name << " accepted";
  if (s) return Error{};
  EXPECT_EQ(s.error().file, path);
  return s.error();
}

// ---- item 4: nonsense refused, by one validation whatever the source

TEST(Hardening, MoreExpertsPerTokenThanExpertsRefusedInConfigAndGguf) {
  // llama.cpp load_hparams: GGML_ASSERT(n_expert_used <= n_expert).
  Error c = config_error(llama_json(R"("num_local_experts": 8, "num_experts_per_tok": 9)"));
  EXPECT_EQ(c.field, "num_experts_per_tok");
  EXPECT_NE(c.expected.find("at most the 8 experts (num_local_experts)"), std::string::npos) << c.message();
  EXPECT_EQ(c.found, "9");

  TempDir dir;
  GgufWriter w = small_gguf("llama");
  w.u32("llama.attention.head_count_kv", 2);
  w.u32("llama.expert_count", 8);
  w.u32("llama.expert_used_count", 9);
  Error g = gguf_error(dir, "experts", w);
  EXPECT_EQ(g.field, "llama.expert_used_count");
  EXPECT_NE(g.expected.find("at most the 8 experts (llama.expert_count)"), std::string::npos) << g.message();
  EXPECT_EQ(g.found, "9");

  // llama.cpp: n_expert > 0 needs n_expert_used > 0; a config's explicit 0 is refused too.
  GgufWriter zero = small_gguf("llama");
  zero.u32("llama.expert_count", 8);
  zero.u32("llama.expert_used_count", 0);
  EXPECT_EQ(gguf_error(dir, "zero_used", zero).field, "llama.expert_used_count");

  // Within bounds both load: 2 of 8.
  auto ok = from_json(llama_json(R"("num_local_experts": 8, "num_experts_per_tok": 2)"));
  ASSERT_TRUE(ok.moe);
  EXPECT_EQ(ok.moe->experts_per_token, 2);
}

TEST(Hardening, KvHeadsNotDividingHeadsRefusedInConfigAndGguf) {
  Error c = config_error(llama_json(R"("num_key_value_heads": 3)"));  // the last key counts
  EXPECT_EQ(c.field, "num_key_value_heads");
  EXPECT_EQ(c.expected, "a divisor of num_attention_heads (32)");
  EXPECT_EQ(c.found, "3");

  TempDir dir;
  GgufWriter scalar = small_gguf("llama");
  scalar.u32("llama.attention.head_count_kv", 3);  // 8 % 3 = 2: not grouped-query attention
  Error g = gguf_error(dir, "kv3", scalar);
  EXPECT_EQ(g.field, "llama.attention.head_count_kv");
  EXPECT_EQ(g.expected, "a divisor of llama.attention.head_count (8)");
  EXPECT_EQ(g.found, "3");

  GgufWriter per_layer = small_gguf("llama");
  per_layer.arr_u32("llama.attention.head_count_kv", {2, 3});
  Error p = gguf_error(dir, "kv_per_layer", per_layer);
  EXPECT_EQ(p.field, "llama.attention.head_count_kv[1]");
  EXPECT_EQ(p.found, "3");

  GgufWriter more = small_gguf("llama");
  more.u32("llama.attention.head_count_kv", 16);  // more KV heads than heads
  EXPECT_EQ(gguf_error(dir, "kv16", more).found, "16");

  // 8 heads over 2 or 4 KV heads: fine.
  GgufWriter ok = small_gguf("llama");
  ok.arr_u32("llama.attention.head_count_kv", {2, 4});
  std::string path = (dir / "ok.gguf").string();
  ok.write(path);
  auto s = load_model(path);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->layers[1].num_kv_heads, 4);
}

TEST(Hardening, GgufBoolIsNotACount) {
  // llama.cpp's get_key checks the stored type (GGUFMeta validate_type); a config's `true` is refused too.
  EXPECT_EQ(config_error(llama_json(R"("num_hidden_layers": true)")).found, "true");
  TempDir dir;
  GgufWriter w;
  w.str("general.architecture", "llama");
  w.boolean("llama.block_count", true);
  w.u32("llama.embedding_length", 64);
  w.u32("llama.attention.head_count", 8);
  Error e = gguf_error(dir, "bool_blocks", w);
  EXPECT_EQ(e.field, "llama.block_count");
  EXPECT_EQ(e.found, "bool");

  GgufWriter arr = small_gguf("llama");
  arr.arr_bool("llama.attention.head_count_kv", {true, true});
  EXPECT_EQ(gguf_error(dir, "bool_kv", arr).field, "llama.attention.head_count_kv");
}

TEST(Hardening, Gemma2StatedZeroWindowIsRefusedNotDefaulted) {
  // llama.cpp gemma2: n_swa = 4096 "default value of gemma 2", then get_key(sliding_window, n_swa, false)
  // replaces it with the file's value, 0 included; a 0-token window is refused as a config's 0 is.
  EXPECT_EQ(config_error(R"({"model_type": "gemma2", "sliding_window": 0})").field, "sliding_window");
  TempDir dir;
  GgufWriter w = small_gguf("gemma2");
  w.u32("gemma2.attention.head_count_kv", 4);
  w.u32("gemma2.attention.key_length", 16);
  w.u32("gemma2.attention.value_length", 16);
  GgufWriter zero = w;
  zero.u32("gemma2.attention.sliding_window", 0);
  Error e = gguf_error(dir, "gemma2_zero", zero);
  EXPECT_EQ(e.field, "gemma2.attention.sliding_window");
  EXPECT_EQ(e.found, "0");

  // No key at all: llama.cpp's default 4096 on the even layers (set_swa_pattern(2)).
  std::string path = (dir / "gemma2_default.gguf").string();
  w.write(path);
  auto s = load_model(path);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->sliding_window, 4096);
  EXPECT_EQ(s->layers[0].window, 4096);
}

TEST(Hardening, GptqAndAwqBitsOutsideWhatTheyPackAreRefused) {
  // transformers GPTQConfig.post_init: bits in [2, 3, 4, 8].
  for (int bits : {1, 5, 6, 7, 16, 32}) {
    Error e = config_error(llama_json(R"("quantization_config": {"quant_method": "gptq", "bits": )" +
                                      std::to_string(bits) + "}"));
    EXPECT_EQ(e.field, "quantization_config.bits");
    EXPECT_EQ(e.found, std::to_string(bits));
  }
  for (int bits : {2, 3, 4, 8})
    EXPECT_EQ(from_json(llama_json(R"("quantization_config": {"quant_method": "gptq", "bits": )" +
                                   std::to_string(bits) + "}"))
                  .quantization->bits,
              bits);
  for (int bits : {1, 9, 16})
    EXPECT_EQ(config_error(llama_json(R"("quantization_config": {"quant_method": "awq", "bits": )" +
                                      std::to_string(bits) + "}"))
                  .field,
              "quantization_config.bits");
  EXPECT_EQ(from_json(llama_json(R"("quantization_config": {"quant_method": "awq", "bits": 4})"))
                .quantization->bits,
            4);
}

TEST(Hardening, VllmTensorParallelMustDivideHeads) {
  // vllm/config/model.py verify_with_parallel_config: 32 heads % tp 3 != 0 -> ValueError.
  auto spec = load_fixture("meta-llama__Llama-3.1-8B");
  RuntimeRequest q;
  q.runtime = Runtime::vllm;
  q.context = 4096;
  q.tp = 3;
  auto bad = size_runtime(spec, q);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "--tp");
  EXPECT_EQ(bad.error().found, "3");
  q.tp = 8;
  EXPECT_TRUE(size_runtime(spec, q));
  auto cli = run_cli("inspect " + llama8b() + " --runtime vllm --tp 3 --context 4096");
  EXPECT_EQ(cli.exit_code, 2) << cli.out;
  EXPECT_NE(cli.out.find("--tp"), std::string::npos) << cli.out;
}

// ---- item 3: no wrapped arithmetic

TEST(Hardening, ReserveAtOrAboveMemoryIsExit2) {
  for (const char* reserve : {"48GiB", "24GiB"}) {
    auto r = run_cli("inspect " + llama8b() + " --context 4096 --memory 24GiB --reserve " + reserve);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("--reserve"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("-24"), std::string::npos) << r.out;
    auto f = run_cli("fit " + llama8b() + " --memory 24GiB --reserve " + reserve);
    EXPECT_EQ(f.exit_code, 2) << f.out;
    EXPECT_NE(f.out.find("--reserve"), std::string::npos) << f.out;
  }
  auto spec = load_fixture("meta-llama__Llama-3.1-8B");
  FitRequest q;
  q.memory = 24 * kGiB;
  q.reserve = 24 * kGiB;
  auto r = fit(spec, q);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "--reserve");
  // Just below: a budget of 24 GiB - (24 GiB - 1) = 1 byte for weights, overhead and cache; nothing fits.
  q.reserve = 24 * kGiB - 1;
  q.weights.bytes = 0;
  auto one = fit(spec, q);
  ASSERT_TRUE(one) << one.error().message();
  EXPECT_EQ(one->cache_budget, 1);
  EXPECT_FALSE(one->answer);
}

// GPTQ's group_size -1 (no groups: one scale per output channel) is accepted, not refused as out of range.
// The estimate prices it as one 4-byte scale (+ zero) per hidden-size run of values: N parameters at 4 bits
// cost N × 4 / 8 + N / 4096 × 4 bytes, the same as group_size 4096 would.
TEST(Hardening, GptqPerChannelGroupSizeIsAccepted) {
  const std::string body = R"("intermediate_size": 14336, "vocab_size": 128256, "torch_dtype": "float16")";
  auto per_channel = estimate_weights_from_config(
      llama_json(body + R"(, "quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": -1})"),
      "per_channel.json");
  ASSERT_TRUE(per_channel) << per_channel.error().message();
  auto plain = estimate_weights_from_config(llama_json(body), "plain.json");
  ASSERT_TRUE(plain) << plain.error().message();
  const std::int64_t n = *plain->parameters;
  EXPECT_EQ(per_channel->bytes, n * 4 / 8 + n / 4096 * 4);
  EXPECT_NE(per_channel->source.find("per-channel"), std::string::npos) << per_channel->source;
  ModelCacheSpec s = from_json(
      llama_json(R"("quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": -1})"));
  ASSERT_TRUE(s.quantization);
  EXPECT_EQ(s.quantization->group_size, -1);
  // Other values below 1 are still refused.
  EXPECT_EQ(config_error(llama_json(R"("quantization_config": {"quant_method": "gptq", "bits": 4, )"
                                    R"("group_size": -2})"))
                .field,
            "quantization_config.group_size");
}

TEST(Hardening, QuantizedWeightsEstimateOverflowIsAnError) {
  // 42 layers × (norms 2 × 2^22 + q, o, k, v 4 × 2^22 × 64 × 64 + MLP 3 × 2^22 × 2^32) + final norm 2^22
  // = 126 × 2^54 + 42 × 2^36 + 42 × 2^23 + 2^22 ≈ 2.27e18 parameters (no vocab_size: no embeddings).
  // GPTQ 2-bit, group 1: packed 2 × total fits and scales 4 × total ≈ 9.08e18 < 2^63 fit, but
  // packed / 8 + scales = 4.25 × total ≈ 9.65e18 > 2^63 - 1: an error, never a wrapped (negative) size.
  const std::string json = R"({"model_type": "llama", "num_hidden_layers": 42, "num_attention_heads": 64,
      "num_key_value_heads": 64, "head_dim": 64, "hidden_size": 4194304, "intermediate_size": 4294967296,
      "quantization_config": {"quant_method": "gptq", "bits": 2, "group_size": 1}})";
  auto w = estimate_weights_from_config(json, "huge.json");
  ASSERT_FALSE(w) << "bytes " << w->bytes;
  EXPECT_EQ(w.error().found, "an overflow");
}

TEST(Hardening, SafetensorsActiveParametersNeverWrap) {
  // Non-expert tensors 2^62 + 2^61 + 2^60 + 2^59 = 2^63 - 2^59 U8 elements and 2^40 routed-expert ones:
  // the totals fit. A spec built by hand past validate_spec, 2^20 experts per token of 2, makes
  // active = (2^63 - 2^59 + 2^40) - 2^40 + 2^40 × 2^20 / 2 = 2^63: an overflow, never a wrapped count.
  st::Checkpoint ck;
  ck.dir = "hand-made";
  st::File f;
  f.path = "hand-made/model.safetensors";
  auto tensor = [&](std::string name, std::int64_t rows, std::int64_t cols) {
    st::Tensor t;
    t.name = std::move(name);
    t.dtype = st::DType::U8;
    t.shape = {rows, cols};
    t.begin = f.data_bytes;
    t.end = t.begin + rows * cols;
    f.data_bytes = t.end;
    f.tensors.push_back(t);
  };
  tensor("model.embed_tokens.weight", std::int64_t{1} << 31, std::int64_t{1} << 31);            // 2^62
  tensor("lm_head.weight", std::int64_t{1} << 31, std::int64_t{1} << 30);                       // 2^61
  tensor("model.layers.0.mlp.gate_proj.weight", std::int64_t{1} << 30, std::int64_t{1} << 30);  // 2^60
  tensor("model.layers.0.mlp.up_proj.weight", std::int64_t{1} << 30, std::int64_t{1} << 29);    // 2^59
  tensor("model.layers.0.mlp.experts.0.down_proj.weight", std::int64_t{1} << 20, std::int64_t{1} << 20);
  ck.files.push_back(f);
  auto doc = json::parse("{}", "config.json");
  ASSERT_TRUE(doc);
  ModelCacheSpec spec;
  std::vector<Note> notes;
  // 2 of 2 experts: everything active, 2^63 - 2^59 + 2^40 exactly.
  spec.moe = MoeSpec{2, 2, 0};
  auto all = summarize_weights(ck, index_tensors(ck), doc->root, spec, notes);
  ASSERT_TRUE(all) << all.error().message();
  const std::int64_t total = (std::int64_t{1} << 62) + (std::int64_t{1} << 61) + (std::int64_t{1} << 60) +
                             (std::int64_t{1} << 59) + (std::int64_t{1} << 40);
  EXPECT_EQ(all->parameters, total);
  EXPECT_EQ(all->active_parameters, total);
  // 2^20 of 2 (nonsense validate_spec refuses): total - 2^40 + 2^40 × 2^20 / 2 = total - 2^40 + 2^59 > 2^63.
  spec.moe = MoeSpec{2, std::int64_t{1} << 20, 0};
  auto wrapped = summarize_weights(ck, index_tensors(ck), doc->root, spec, notes);
  ASSERT_FALSE(wrapped) << "active " << wrapped->active_parameters.value_or(0);
  EXPECT_EQ(wrapped.error().found, "an overflow");
}

// ---- item 8: output failures

TEST(Hardening, FullStdoutIsExit74) {
  // /dev/full fails every write with ENOSPC: text (buffered until exit before) and JSON alike.
  for (const std::string& args : std::vector<std::string>{
           "inspect " + llama8b(), "inspect " + llama8b() + " --json",
           "inspect " + llama8b() + " --context 4096", "fit " + llama8b() + " --memory 24GiB --json",
           "families", "families --json", "--help", "--version"}) {
    auto r = run_cli_redirected(args + " 2>&1 >/dev/full");
    EXPECT_EQ(r.exit_code, 74) << args << ": " << r.out;
    EXPECT_NE(r.out.find("kvspec: error: cannot write the output to stdout"), std::string::npos)
        << args << ": " << r.out;
  }
}

TEST(Hardening, ClosedStdoutIsExit74) {
  for (const std::string& args :
       std::vector<std::string>{"inspect " + llama8b(), "inspect " + llama8b() + " --json", "families"}) {
    auto r = run_cli_redirected(args + " 2>&1 >&-");
    EXPECT_EQ(r.exit_code, 74) << args << ": " << r.out;
    EXPECT_NE(r.out.find("cannot write the output"), std::string::npos) << args << ": " << r.out;
  }
}

TEST(Hardening, ClosedStderrNeverAborts) {
  // valgrind itself exits 127 when its log (fd 2) is closed: under scripts/valgrind.sh's CLI wrapper this
  // case is the plain build's.
  if (std::getenv("KVSPEC_TEST_UNDER_VALGRIND") != nullptr) GTEST_SKIP() << "memcheck needs stderr";
  // The error message cannot be written; the exit code still tells (2), never SIGABRT (134).
  auto bad = run_cli_redirected("inspect /nonexistent/kvspec-model 2>&- >/dev/null");
  EXPECT_EQ(bad.exit_code, 2);
  auto usage = run_cli_redirected("inspect --context nonsense 2>&- >/dev/null");
  EXPECT_EQ(usage.exit_code, 2);
  auto ok = run_cli_redirected("inspect " + llama8b() + " 2>&-");
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_NE(ok.out.find("layers"), std::string::npos) << ok.out;
  auto both = run_cli_redirected("inspect " + llama8b() + " >&- 2>&-");
  EXPECT_EQ(both.exit_code, 74);
}

}  // namespace
}  // namespace kvspec::test

namespace kvspec {
namespace {

// Remote timeouts are checked once for every front end: NaN passes CLI11's range checks and its conversion
// to milliseconds would be undefined; a negative retry count used to be clamped silently.
TEST(Hardening, RemoteOptionsOutOfRangeAreUsageErrors) {
  const std::string model = test::data_path("configs/meta-llama__Llama-3.1-8B");
  for (const char* bad : {"--timeout nan", "--timeout 0", "--connect-timeout inf", "--retry-wait -1",
                          "--retry-wait nan", "--retries 21"}) {
    auto r = test::run_cli("inspect " + model + " " + bad);
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.out;
  }
  CommandOptions o;
  o.timeout = std::numeric_limits<double>::quiet_NaN();
  auto e = inspect_command(model, o, OutputFormat::text);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().field, "--timeout");
  o.timeout = 30;
  o.retries = -1;
  EXPECT_FALSE(inspect_command(model, o, OutputFormat::text));
  o.retries = 0;
  o.retry_wait = 0;  // no wait between tries is allowed
  EXPECT_TRUE(inspect_command(model, o, OutputFormat::text));
}

}  // namespace
}  // namespace kvspec
