// The CLI's outputs: the JSON contract (keys and types other tools rely on), the text summary and compare.
#include "cli_util.hpp"
#include "json/json.hpp"
#include "test_util.hpp"

namespace kvspec::test {
namespace {

json::Value parse_json(const std::string& text) {
  auto d = json::parse(text, "cli output");
  EXPECT_TRUE(d) << text;
  return d ? d->root : json::Value();
}

void expect_type(const json::Value& obj, const char* key, json::Type t) {
  const json::Value* v = obj.find(key);
  ASSERT_NE(v, nullptr) << "missing key " << key;
  EXPECT_EQ(v->type(), t) << key;
}

TEST(JsonContract, InspectKeysAndTypes) {
  auto r =
      run_cli("inspect " + data_path("configs/mlx-community__gemma-3-12b-it-4bit") + " --json --context 32k");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  json::Value j = parse_json(r.out);
  using T = json::Type;
  expect_type(j, "model_type", T::string);
  expect_type(j, "text_model_type", T::string);
  expect_type(j, "num_layers", T::integer);
  expect_type(j, "num_attention_heads", T::integer);
  expect_type(j, "num_kv_heads", T::integer);
  expect_type(j, "head_dim", T::integer);
  expect_type(j, "sliding_window", T::integer);
  expect_type(j, "pattern", T::string);
  expect_type(j, "moe", T::null);
  expect_type(j, "quantization", T::object);
  expect_type(j, "kv_dtype", T::string);
  expect_type(j, "kv_bytes_per_token", T::integer);
  expect_type(j, "state_bytes_per_sequence", T::integer);
  expect_type(j, "layers", T::array);
  expect_type(j, "cache", T::object);
  EXPECT_EQ(j.find("model_type")->as_string(), "gemma3");
  EXPECT_EQ(j.find("text_model_type")->as_string(), "gemma3_text");
  EXPECT_EQ(j.find("pattern")->as_string(), "hybrid");
  EXPECT_EQ(j.find("kv_dtype")->as_string(), "f16");
  EXPECT_EQ(j.find("kv_bytes_per_token")->as_int(), 48 * 8192);  // 48 layers × 2 × 8 × 256 × 2, uncapped
  EXPECT_EQ(j.find("state_bytes_per_sequence")->as_int(), 0);
  const json::Array& layers = j.find("layers")->as_array();
  ASSERT_EQ(layers.size(), 48u);
  const json::Value& l0 = layers[0];
  for (const char* k : {"index", "num_kv_heads", "head_dim_k", "head_dim_v", "window", "state_bytes"})
    expect_type(l0, k, T::integer);
  expect_type(l0, "kind", T::string);
  expect_type(l0, "source", T::string);
  EXPECT_EQ(l0.find("kind")->as_string(), "sliding_attention");
  EXPECT_EQ(l0.find("source")->as_string(), "rule");
  EXPECT_EQ(layers[5].find("kind")->as_string(), "full_attention");
  EXPECT_TRUE(layers[5].find("window")->is_null());
  const json::Value& q = *j.find("quantization");
  EXPECT_EQ(q.find("bits")->as_int(), 4);
  EXPECT_EQ(q.find("group_size")->as_int(), 64);
  const json::Value& c = *j.find("cache");
  EXPECT_EQ(c.find("runtime")->as_string(), "exact");
  EXPECT_EQ(c.find("context")->as_int(), 32768);
  EXPECT_EQ(c.find("batch")->as_int(), 1);
  EXPECT_EQ(c.find("kv_dtype")->as_string(), "f16");
  EXPECT_EQ(c.find("total_bytes")->as_int(), 2368 * MiB);
  EXPECT_EQ(c.find("kv_bytes")->as_int(), 2368 * MiB);
  EXPECT_EQ(c.find("state_bytes")->as_int(), 0);
  EXPECT_EQ(c.find("per_layer_bytes")->as_array().size(), 48u);
}

TEST(JsonContract, CacheNullWithoutContextAndMoeObject) {
  auto r =
      run_cli("inspect " + data_path("configs/Qwen__Qwen1.5-MoE-A2.7B-Chat") + " --json --kv-dtype q8_0");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  json::Value j = parse_json(r.out);
  EXPECT_TRUE(j.find("cache")->is_null());
  EXPECT_TRUE(j.find("text_model_type")->is_null());
  EXPECT_TRUE(j.find("sliding_window")->is_null());
  EXPECT_EQ(j.find("pattern")->as_string(), "uniform");
  const json::Value& moe = *j.find("moe");
  EXPECT_EQ(moe.find("num_experts")->as_int(), 60);
  EXPECT_EQ(moe.find("experts_per_token")->as_int(), 4);
  EXPECT_EQ(moe.find("num_shared_experts")->as_int(), 1);
  EXPECT_EQ(j.find("kv_dtype")->as_string(), "q8_0");
  // 24 layers × 2 × (16 × 128 = 2048 values → 64 blocks × 34 B = 2176 B)
  EXPECT_EQ(j.find("kv_bytes_per_token")->as_int(), 24 * 2 * 2176);
}

TEST(TextOutput, InspectSummary) {
  auto r = run_cli("inspect " + data_path("configs/mlx-community__gemma-3-12b-it-4bit") + " --context 32k");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const char* s :
       {"gemma3 (text: gemma3_text)", "48  (8 full, 40 sliding)", "16 heads, 8 KV heads, head dim 256",
        "[5×sliding(1024), 1×full] × 8", "SSSSSFSSSSSF", "mlx 4-bit, group size 64",
        "384 KiB (393216 B) at f16", "sliding(1024)", "320 MiB", "2.31 GiB", "(2483027968 B)"})
    EXPECT_NE(r.out.find(s), std::string::npos) << "missing '" << s << "' in:\n" << r.out;
}

TEST(TextOutput, BareCommandShowsTheBundledExample) {
  auto r = run_cli("");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("bundled example"), std::string::npos);
  EXPECT_NE(r.out.find("mlx-community/gemma-3-12b-it-4bit"), std::string::npos);
  auto shorthand = run_cli(data_path("configs/meta-llama__Llama-3.1-8B") + " --context 1k");
  EXPECT_EQ(shorthand.exit_code, 0) << shorthand.out;
  EXPECT_NE(shorthand.out.find("128 MiB"), std::string::npos) << shorthand.out;  // 131072 B × 1024
}

TEST(TextOutput, CompareSideBySide) {
  auto r = run_cli("compare " + data_path("configs/meta-llama__Llama-3.1-8B") + " " +
                   data_path("configs/openai__gpt-oss-20b") + " --context 128k");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const char* s : {"Llama-3.1-8B", "gpt-oss-20b", "KV / token", "128 KiB", "48 KiB", "16 GiB", "3 GiB"})
    EXPECT_NE(r.out.find(s), std::string::npos) << "missing '" << s << "' in:\n" << r.out;
  // gpt-oss: 3'224'371'200 B = 3.0029 GiB → "3 GiB"; Llama: 131072 × 131072 = 16 GiB
  auto j = run_cli("compare " + data_path("configs/meta-llama__Llama-3.1-8B") + " " +
                   data_path("configs/openai__gpt-oss-20b") + " --context 128k --json");
  ASSERT_EQ(j.exit_code, 0) << j.out;
  json::Value v = parse_json(j.out);
  const json::Array& models = v.find("models")->as_array();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[1].find("cache")->find("total_bytes")->as_int(), 3'224'371'200);
}

}  // namespace
}  // namespace kvspec::test

namespace kvspec::test {
namespace {

TEST(RegistryListing, ListsEveryFamilyWithItsSource) {
  auto r = run_cli("families");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const char* s : {"gemma3_text", "Gemma3TextConfig", "deepseek_v3", "qwen3_5", "llama4", "whisper"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
  auto j = run_cli("families --json");
  ASSERT_EQ(j.exit_code, 0);
  json::Value v = parse_json(j.out);
  ASSERT_TRUE(v.is_array());
  EXPECT_GT(v.as_array().size(), 80u);
  for (const auto& f : v.as_array()) {
    EXPECT_FALSE(f.find("model_type")->as_string().empty());
    EXPECT_FALSE(f.find("source")->as_string().empty())
        << f.find("model_type")->as_string() << " cites no source";
  }
}

}  // namespace
}  // namespace kvspec::test
