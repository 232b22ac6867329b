// The CLI's outputs: the JSON contract (keys and types other tools rely on), the text summary and compare.
#include <string>
#include <vector>

#include "cli_util.hpp"
#include "json/json.hpp"
#include "support/temp_dir.hpp"
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

// Terminal cells of a line (every character kvspec prints in a table is one cell wide: count code points).
std::size_t cells(const std::string& line) {
  std::size_t n = 0;
  for (unsigned char c : line) n += (c & 0xC0) != 0x80;
  return n;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// Five models on an 80-column terminal: the table splits into groups of models that fit beside the row
// labels, each group a full table (11 labels + the cache row); no line is wider than 80 cells; every model
// is named once. Llama-3.1-8B (24 cells) and gemma-3-4b-it (its pattern capped at 40) need 16 + 26 + 42 = 84
// cells together, so they go to groups of their own; DeepSeek-V3 (34) and Qwen3.5-27B (26) share one
// (16 + 36 + 28 = 80). --wide keeps one row of columns. A model with a warning (a family kvspec does not
// know) has it listed under the tables.
TEST(TextOutput, CompareFitsAnEightyColumnTerminal) {
  std::string models;
  for (const char* m : {"meta-llama__Llama-3.1-8B", "google__gemma-3-4b-it", "deepseek-ai__DeepSeek-V3",
                        "Qwen__Qwen3.5-27B", "mistralai__Mamba-Codestral-7B-v0.1"})
    models += " " + data_path(std::string("configs/") + m);
  auto r = run_cli("compare" + models + " --context 32k", "COLUMNS=80");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto lines = lines_of(r.out);
  std::vector<std::string> model_rows;
  for (const auto& l : lines) {
    EXPECT_LE(cells(l), 80u) << l;
    if (l.rfind("model ", 0) == 0 && l.rfind("model type", 0) != 0) model_rows.push_back(l);
  }
  ASSERT_EQ(model_rows.size(), 4u) << r.out;
  EXPECT_NE(model_rows[0].find("meta-llama__Llama-3.1-8B"), std::string::npos);
  EXPECT_NE(model_rows[1].find("google__gemma-3-4b-it"), std::string::npos);
  EXPECT_NE(model_rows[2].find("deepseek-ai__DeepSeek-V3"), std::string::npos);
  EXPECT_NE(model_rows[2].find("Qwen__Qwen3.5-27B"), std::string::npos);
  EXPECT_NE(model_rows[3].find("mistralai__Mamba-Codestral-7B-v0.1"), std::string::npos);
  // 1 header + 4 groups of 12 rows + 3 blank lines between them.
  EXPECT_EQ(lines.size(), 1u + 4 * 12 + 3) << r.out;
  auto wide = run_cli("compare" + models + " --context 32k --wide", "COLUMNS=80");
  ASSERT_EQ(wide.exit_code, 0) << wide.out;
  std::size_t model_lines = 0;
  for (const auto& l : lines_of(wide.out))
    model_lines += l.rfind("model ", 0) == 0 && l.rfind("model type", 0) != 0;
  EXPECT_EQ(model_lines, 1u) << wide.out;
  TempDir dir;
  const std::string mystery =
      dir.write("mystery/config.json", R"({"model_type": "mystery", "num_hidden_layers": 4,
      "num_attention_heads": 8, "hidden_size": 512})");
  auto warned =
      run_cli("compare " + data_path("configs/meta-llama__Llama-3.1-8B") + " " + dir.path() + "/mystery",
              "COLUMNS=80");
  ASSERT_EQ(warned.exit_code, 0) << warned.out;
  EXPECT_NE(warned.out.find("\nwarnings\n  mystery: "), std::string::npos) << warned.out;
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
