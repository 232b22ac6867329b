// Bad input: one clear message naming the file, the field, what was expected and what was found; exit code 2.
#include <algorithm>
#include <utility>
#include <vector>

#include "cli_util.hpp"
#include "test_util.hpp"

namespace kvspec::test {
namespace {

// A valid llama config with `field` set to `value` (replaced if present, else added).
std::string llama_with(const std::string& field, const std::string& value) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"model_type", "\"llama\""},  {"num_hidden_layers", "32"}, {"num_attention_heads", "32"},
      {"num_key_value_heads", "8"}, {"hidden_size", "4096"},     {"torch_dtype", "\"bfloat16\""}};
  bool replaced = false;
  for (auto& f : fields)
    if (f.first == field) {
      f.second = value;
      replaced = true;
    }
  if (!replaced) fields.emplace_back(field, value);
  std::string out = "{";
  for (std::size_t i = 0; i < fields.size(); ++i)
    out += (i ? ", \"" : "\"") + fields[i].first + "\": " + fields[i].second;
  return out + "}";
}

struct Bad {
  const char* name;
  std::string config;
  std::string must_mention[3];
};

void expect_bad(const TempDir& dir, const Bad& b) {
  std::string path = dir.write(std::string(b.name) + "/config.json", b.config);
  auto r = run_cli("inspect " + path);
  EXPECT_EQ(r.exit_code, 2) << b.name << ": " << r.out;
  EXPECT_NE(r.out.find(path), std::string::npos) << b.name << " must name the file: " << r.out;
  for (const auto& m : b.must_mention) {
    if (m.empty()) continue;
    EXPECT_NE(r.out.find(m), std::string::npos) << b.name << " must mention '" << m << "': " << r.out;
  }
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << "one line: " << r.out;
}

TEST(Validation, EachCaseNamesFileFieldExpectedAndFound) {
  TempDir dir;
  const Bad cases[] = {
      {"not_json", "{\"model_type\": \"llama\", ", {"expected valid JSON", "invalid JSON"}},
      {"empty", "", {"expected valid JSON", "an empty file"}},
      {"top_level_array", "[1, 2]", {"a JSON object", "an array"}},
      {"no_layers_unknown_family",
       R"({"model_type": "mystery", "num_attention_heads": 8, "hidden_size": 512})",
       {"num_hidden_layers", "the layer count", "unknown model_type"}},
      {"non_integer_heads",
       llama_with("num_attention_heads", "12.5"),
       {"field 'num_attention_heads'", "expected a positive integer", "found 12.5"}},
      {"string_heads",
       llama_with("num_attention_heads", "\"32\""),
       {"field 'num_attention_heads'", "a positive integer", "found \"32\""}},
      {"zero_kv_heads",
       llama_with("num_key_value_heads", "0"),
       {"field 'num_key_value_heads'", "a positive integer", "found 0"}},
      {"negative_layers", llama_with("num_hidden_layers", "-4"), {"field 'num_hidden_layers'", "found -4"}},
      {"absurd_layers",
       llama_with("num_hidden_layers", "1000000000"),
       {"field 'num_hidden_layers'", "a positive integer ≤ 10000", "too large"}},
      {"kv_not_dividing",
       llama_with("num_key_value_heads", "7"),
       {"field 'num_key_value_heads'", "a divisor of num_attention_heads (32)", "found 7"}},
      {"layer_types_length",
       R"({"model_type": "gpt_oss", "num_hidden_layers": 3, "num_attention_heads": 8, "num_key_value_heads": 2,
           "head_dim": 64, "sliding_window": 128, "layer_types": ["full_attention", "sliding_attention"]})",
       {"field 'layer_types'", "3 entries (one per layer)", "found 2 entries"}},
      {"layer_types_unknown",
       R"({"model_type": "gpt_oss", "num_hidden_layers": 2, "num_attention_heads": 8, "num_key_value_heads": 2,
           "head_dim": 64, "sliding_window": 128, "layer_types": ["full_attention", "local_attention"]})",
       {"field 'layer_types[1]'", "one of full_attention, sliding_attention, chunked_attention",
        "found \"local_attention\""}},
      {"nested_text_config_field",
       R"({"model_type": "gemma3", "text_config": {"model_type": "gemma3_text", "num_hidden_layers": "many"}})",
       {"field 'text_config.num_hidden_layers'", "found \"many\""}},
      {"sliding_window_not_int",
       llama_with("sliding_window", "[4096, 4096]"),
       {"field 'sliding_window'", "a positive integer", "an array of 2 items"}},
  };
  for (const Bad& b : cases) expect_bad(dir, b);
}

TEST(Validation, MissingPathsAndFolders) {
  TempDir dir;
  auto r = run_cli("inspect " + dir.path() + "/nope");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("no such file or folder"), std::string::npos) << r.out;

  std::string empty_folder = dir.path() + "/empty";
  std::filesystem::create_directories(empty_folder);
  r = run_cli("inspect " + empty_folder);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("no config.json"), std::string::npos) << r.out;

  // A config.json that is a folder.
  std::filesystem::create_directories(dir.path() + "/odd/config.json");
  r = run_cli("inspect " + dir.path() + "/odd");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("a directory"), std::string::npos) << r.out;
}

TEST(Validation, UnreadableFile) {
  // /proc/self/mem opens but cannot be read at offset 0: a real unreadable file even for root.
  auto r = run_cli("inspect /proc/self/mem");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("/proc/self/mem"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("read failed"), std::string::npos) << r.out;
}

TEST(Validation, KnownFamilyDefaultsTheLayerCountWithANote) {
  // MistralConfig defaults: 32 layers, 8 KV heads, sliding_window 4096 (absent key).
  auto s = from_json(R"({"model_type": "mistral", "num_attention_heads": 32, "hidden_size": 4096})");
  EXPECT_EQ(s.num_layers(), 32);
  EXPECT_EQ(s.num_kv_heads(), 8);
  EXPECT_EQ(s.sliding_window, 4096);
  bool noted = false;
  for (const auto& n : s.notes)
    noted |= n.text.find("num_hidden_layers is absent: MistralConfig defaults it to 32") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(Validation, UnknownFamilyWarnsAboutEveryAssumption) {
  auto s = from_json(R"({"model_type": "mystery", "num_hidden_layers": 4, "num_attention_heads": 8,
                         "hidden_size": 512, "sliding_window": 256})");
  ASSERT_EQ(s.num_layers(), 4);
  std::string all;
  for (const auto& n : s.notes)
    if (n.level == Note::Level::warning) all += n.text + "\n";
  EXPECT_NE(all.find("'mystery' is not in the registry"), std::string::npos) << all;
  EXPECT_NE(all.find("num_kv_heads = num_attention_heads = 8"), std::string::npos) << all;
  EXPECT_NE(all.find("head_dim = hidden_size / num_attention_heads = 512 / 8"), std::string::npos) << all;
  EXPECT_NE(all.find("sliding_window 256 applies to every layer"), std::string::npos) << all;
  auto r = run_cli("inspect " +
                   TempDir().write("m/config.json", R"({"model_type": "mystery", "num_hidden_layers": 4,
                         "num_attention_heads": 8, "hidden_size": 512})"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("warning:"), std::string::npos) << r.out;
}

TEST(Validation, NonStandardJsonLiteralsAreReadAsDoubles) {
  auto s = from_json(R"({"model_type": "llama", "num_hidden_layers": 2, "num_attention_heads": 4,
                         "hidden_size": 256, "time_step_limit": [0.0, Infinity], "x": NaN, "y": -Infinity,
                         "note": "NaN and Infinity inside strings stay"})");
  EXPECT_EQ(s.num_layers(), 2);
  // Not null: where an integer is needed, NaN is an error rather than "absent, take the family default".
  auto nan = spec_from_config_text(R"({"model_type": "llama", "num_hidden_layers": NaN})", "nan.json");
  ASSERT_FALSE(nan);
  EXPECT_EQ(nan.error().field, "num_hidden_layers");
  EXPECT_EQ(nan.error().found, "NaN");
}

TEST(Validation, UsageErrors) {
  std::string cfg = data_path("configs/meta-llama__Llama-3.1-8B");
  auto r = run_cli("inspect " + cfg + " --context 12q");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("--context"), std::string::npos) << r.out;
  r = run_cli("inspect " + cfg + " --context 0");
  EXPECT_EQ(r.exit_code, 2);
  r = run_cli("inspect " + cfg + " --kv-dtype int3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("--kv-dtype"), std::string::npos) << r.out;
  r = run_cli("inspect " + cfg + " --batch -1");
  EXPECT_EQ(r.exit_code, 2);
  r = run_cli("frobnicate --nonsense");
  EXPECT_EQ(r.exit_code, 2);
  r = run_cli("compare");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(run_cli("--help").exit_code, 0);
  EXPECT_EQ(run_cli("inspect --help").exit_code, 0);
  r = run_cli("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("kvspec "), std::string::npos);
}

TEST(Validation, SizesThatOverflowAreErrorsNotWraps) {
  auto s = load_fixture("meta-llama__Llama-3.1-8B");
  // 131'072 B/token × 2^40 tokens × 2^30 sequences overflows 64 bits.
  auto c = size_exact(s, {std::int64_t{1} << 40, std::int64_t{1} << 30, CacheDType::f16, CacheDType::f16});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("overflow"), std::string::npos);
}

}  // namespace
}  // namespace kvspec::test

namespace kvspec::test {
namespace {

TEST(Fields, NameVariantsOfUnknownFamilies) {
  // GPT-2-style names: n_layer / n_head / n_embd; multi_query → one KV head; 4 × 2 × 1 × (256 / 8) × 2
  auto a =
      from_json(R"({"model_type": "x1", "n_layer": 4, "n_head": 8, "n_embd": 256, "multi_query": true})");
  EXPECT_EQ(a.num_layers(), 4);
  EXPECT_EQ(a.num_kv_heads(), 1);
  EXPECT_EQ(bytes_per_token_f16(a), 4 * 2 * 1 * 32 * 2);
  // ChatGLM-style: num_layers, multi_query_group_num (with multi_query_attention), kv_channels
  auto b = from_json(R"({"model_type": "x2", "num_layers": 28, "num_attention_heads": 32, "hidden_size": 4096,
                         "multi_query_attention": true, "multi_query_group_num": 2, "kv_channels": 128})");
  EXPECT_EQ(b.num_layers(), 28);
  EXPECT_EQ(b.num_kv_heads(), 2);
  EXPECT_EQ(b.head_dim, 128);
  EXPECT_EQ(bytes_per_token_f16(b), 28 * 2 * 2 * 128 * 2);  // 28'672
  // MPT / DBRX-style: n_layers, n_heads, d_model, attn_config.kv_n_heads
  auto c = from_json(R"({"model_type": "x3", "n_layers": 40, "n_heads": 48, "d_model": 6144,
                         "attn_config": {"kv_n_heads": 8}})");
  EXPECT_EQ(c.num_kv_heads(), 8);
  EXPECT_EQ(c.head_dim, 128);  // 6144 / 48
  // Falcon-style num_kv_heads and n_head_kv
  EXPECT_EQ(
      from_json(R"({"model_type": "x4", "num_hidden_layers": 2, "num_attention_heads": 8, "hidden_size": 512,
                          "num_kv_heads": 2})")
          .num_kv_heads(),
      2);
  EXPECT_EQ(
      from_json(R"({"model_type": "x5", "num_hidden_layers": 2, "num_attention_heads": 8, "hidden_size": 512,
                          "n_head_kv": 4})")
          .num_kv_heads(),
      4);
  // multi_query_attention false: the group count is ignored → MHA (8)
  EXPECT_EQ(from_json(R"({"model_type": "x6", "num_layers": 2, "num_attention_heads": 8, "hidden_size": 512,
                          "multi_query_attention": false, "multi_query_group_num": 2})")
                .num_kv_heads(),
            8);
}

TEST(Fields, NestedTextConfigNames) {
  // InternVL-style llm_config
  auto s =
      from_json(R"({"model_type": "wrapper_x", "llm_config": {"model_type": "qwen2", "num_hidden_layers": 24,
                         "num_attention_heads": 14, "num_key_value_heads": 2, "hidden_size": 896}})");
  EXPECT_EQ(s.text_model_type, "qwen2");
  EXPECT_EQ(s.num_layers(), 24);
  EXPECT_EQ(s.head_dim, 64);  // 896 / 14
  EXPECT_FALSE(s.has_warnings());
}

}  // namespace
}  // namespace kvspec::test
