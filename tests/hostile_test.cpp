// The hostile-input corpus (issue 7): files built at run time to break a reader — truncations at every
// section boundary, counts and lengths of 2^32 to 2^64, negative and zero dimensions, NaN and Infinity, wrong
// JSON types, duplicate keys, 10^5-deep nesting, invalid UTF-8, empty and oversized files, folders without
// configs, symbolic-link loops, FIFOs and unreadable files. Each one must make the CLI exit 2 with one
// message naming the file and the problem, within a time bound and (plain build) under 64 MiB of peak memory.
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "bounded_run.hpp"
#include "cli_util.hpp"
#include "json/json.hpp"
#include "test_util.hpp"

namespace kvspec::test {
namespace {

namespace fs = std::filesystem;

// The worst case of each test, printed at its end (for the report: peak RSS of any corpus file).
struct Worst {
  long rss_kib = 0;
  std::string rss_label;
  double seconds = 0;
  std::string slow_label;
  int runs = 0;
};
Worst g_worst;

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override { g_worst = {}; }
  void TearDown() override {
    std::printf("[ hostile  ] %d runs; peak RSS %ld KiB (%s); slowest %.3f s (%s)\n", g_worst.runs,
                g_worst.rss_kib, g_worst.rss_label.c_str(), g_worst.seconds, g_worst.slow_label.c_str());
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `kvspec inspect ARGS...` and checks the answer to a hostile input: exit 2, a message naming `names`
// and each of `mentions`, no crash or internal error, within the time and memory bounds.
void expect_refused(const std::string& label, const std::vector<std::string>& args, const std::string& names,
                    std::initializer_list<std::string> mentions) {
  SCOPED_TRACE(label);
  std::vector<std::string> full = {"inspect"};
  full.insert(full.end(), args.begin(), args.end());
  BoundedResult r = run_bounded(full);
  ++g_worst.runs;
  if (r.max_rss_kib > g_worst.rss_kib) g_worst.rss_kib = r.max_rss_kib, g_worst.rss_label = label;
  if (r.seconds > g_worst.seconds) g_worst.seconds = r.seconds, g_worst.slow_label = label;
  EXPECT_FALSE(r.timed_out) << "took more than " << time_bound_s() << " s";
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("kvspec: error: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(names), std::string::npos) << "must name " << names << ": " << r.out;
  for (const auto& m : mentions)
    EXPECT_NE(r.out.find(m), std::string::npos) << "must say '" << m << "': " << r.out;
  if (bounds_apply()) {
    EXPECT_LT(r.max_rss_kib, kMaxRssKib) << "peak RSS " << r.max_rss_kib << " KiB";
  }
}

// A config at `dir/label/config.json` holding `text`; refused naming that file.
void expect_config_refused(const TempDir& dir, const std::string& label, const std::string& text,
                           std::initializer_list<std::string> mentions) {
  std::string path = dir.write(label + "/config.json", text);
  expect_refused(label, {path}, path, mentions);
}

std::string llama(const std::string& field, const std::string& value) {
  std::string base = R"("model_type": "llama", "num_hidden_layers": 32, "num_attention_heads": 32,
                        "num_key_value_heads": 8, "hidden_size": 4096)";
  return "{" + base + ", \"" + field + "\": " + value + "}";  // a repeated key: the last one counts
}

TEST_F(Hostile, CountsAndDimensionsOutOfRange) {
  TempDir dir;
  // 2^32 (2^40 + 1 for token counts, whose limit is 2^40), 2^63 - 1, 2^63 (above int64: read as a double),
  // 2^64 - 1 and 10^308.
  int i = 0;
  for (const char* field : {"num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim",
                            "sliding_window", "max_position_embeddings"}) {
    bool tokens = std::string(field) == "sliding_window" || std::string(field) == "max_position_embeddings";
    for (const char* v : {tokens ? "1099511627777" : "4294967296", "9223372036854775807",
                          "9223372036854775808", "18446744073709551615", "1e308"})
      expect_config_refused(dir, "huge" + std::to_string(i++), llama(field, v),
                            {std::string("field '") + field + "'", "expected a positive integer"});
    // head_dim 0 means "derive it" in several config classes, so only negatives are invalid there.
    for (const char* v : {"0", "-1", "-9223372036854775808"}) {
      if (std::string(field) == "head_dim" && std::string(v) == "0") continue;
      expect_config_refused(dir, "small" + std::to_string(i++), llama(field, v),
                            {std::string("field '") + field + "'", std::string("found ") + v});
    }
  }
  expect_config_refused(dir, "past_uint64", llama("num_hidden_layers", "18446744073709551616"),
                        {"invalid JSON", "number"});
  expect_config_refused(dir, "past_double", llama("num_hidden_layers", "1e400"), {"invalid JSON", "number"});
  // Huge dimensions that are each in range but whose products are large still size or refuse cleanly; the
  // layer count beyond kMaxLayers is refused before anything is allocated for it.
  expect_config_refused(dir, "layers_100k", llama("num_hidden_layers", "100000"), {"≤ 10000", "too large"});
}

TEST_F(Hostile, NaNAndInfinityAreNotNumbers) {
  TempDir dir;
  for (const char* v : {"NaN", "Infinity", "-Infinity"})
    for (const char* field : {"num_hidden_layers", "head_dim", "sliding_window"})
      expect_config_refused(dir, std::string(field) + v, llama(field, v),
                            {std::string("field '") + field + "'", std::string("found ") + v});
}

TEST_F(Hostile, WrongJsonTypes) {
  TempDir dir;
  struct Case {
    const char* field;
    const char* value;
    const char* found;
  };
  const Case cases[] = {
      {"num_hidden_layers", "\"32\"", "found \"32\""},
      {"num_hidden_layers", "true", "found true"},
      {"num_hidden_layers", "[32]", "an array of 1 items"},
      {"num_hidden_layers", "{}", "an object"},
      {"num_hidden_layers", "32.5", "found 32.5"},
      {"model_type", "7", "found 7"},
      {"text_config", "[1]", "an array"},
      {"layer_types", "{}", "an object"},
      {"quantization_config", "\"q\"", "found \"q\""},
      {"sliding_window", "\"4k\"", "found \"4k\""},
  };
  int i = 0;
  for (const Case& c : cases)
    expect_config_refused(dir, "type" + std::to_string(i++), llama(c.field, c.value),
                          {std::string("field '") + c.field + "'", c.found});
  expect_config_refused(dir, "top_array", "[1, 2]", {"a JSON object at the top level"});
  expect_config_refused(dir, "top_string", "\"config\"", {"a JSON object at the top level"});
  expect_config_refused(dir, "top_null", "null", {"a JSON object at the top level"});
}

TEST_F(Hostile, DuplicateKeysTakeTheLastAsPythonDoes) {
  TempDir dir;
  // json.loads keeps the last of repeated keys; so does kvspec, and validates that one.
  expect_config_refused(dir, "dup_invalid", llama("num_hidden_layers", "-3"),
                        {"field 'num_hidden_layers'", "found -3"});
  auto ok = from_json(llama("num_hidden_layers", "2"));
  EXPECT_EQ(ok.num_layers(), 2);
  // Many repeats of one key: linear, bounded by kMaxValues.
  std::string many = "{\"model_type\": \"llama\"";
  for (int k = 0; k < 100'000; ++k) many += ", \"num_hidden_layers\": 0";
  expect_config_refused(dir, "dup_100k", many + "}", {"field 'num_hidden_layers'", "found 0"});
}

TEST_F(Hostile, DeepNestingInvalidUtf8AndBrokenSyntax) {
  TempDir dir;
  std::string deep_arrays = std::string(100'000, '[') + std::string(100'000, ']');
  expect_config_refused(dir, "deep_arrays", deep_arrays, {"invalid JSON", "too deep"});
  std::string deep_objects;
  for (int k = 0; k < 100'000; ++k) deep_objects += "{\"a\":";
  deep_objects += "1" + std::string(100'000, '}');
  expect_config_refused(dir, "deep_objects", deep_objects, {"invalid JSON", "too deep"});
  expect_config_refused(dir, "unclosed", std::string(100'000, '['), {"invalid JSON"});
  expect_config_refused(dir, "utf8_value",
                        "{\"model_type\": \"ll\xff"
                        "ama\"}",
                        {"invalid JSON", "UTF-8"});
  expect_config_refused(dir, "utf8_key", "{\"model_type\xc3\x28\": \"llama\"}", {"invalid JSON", "UTF-8"});
  expect_config_refused(dir, "utf8_overlong", "{\"model_type\": \"\xc0\xaf\"}", {"invalid JSON", "UTF-8"});
  expect_config_refused(dir, "lone_surrogate", "{\"model_type\": \"\\ud800\"}", {"invalid JSON"});
  expect_config_refused(dir, "nul_byte", std::string("{\"a\": 1}\0", 9), {"invalid JSON"});
  expect_config_refused(dir, "bom", "\xef\xbb\xbf{\"model_type\": \"llama\"}", {"invalid JSON"});
  expect_config_refused(dir, "empty", "", {"an empty file"});
  expect_config_refused(dir, "blank", " \n\t ", {"invalid JSON"});
}

TEST_F(Hostile, TruncatedAtEverySectionBoundary) {
  // Every prefix of a real config (in process: ~900 of them), then the CLI at each top-level member boundary.
  std::string full = slurp(data_path("configs/meta-llama__Llama-3.1-8B/config.json"));
  ASSERT_GT(full.size(), 500u);
  std::size_t end = full.rfind('}');
  for (std::size_t n = 0; n < end; ++n) {
    auto s = spec_from_config_text(std::string_view(full).substr(0, n), "prefix.json");
    ASSERT_FALSE(s) << n;
    EXPECT_EQ(s.error().file, "prefix.json");
    EXPECT_NE(s.error().code, ErrorCode::internal);
  }
  TempDir dir;
  int depth = 0, cuts = 0;
  bool in_string = false;
  for (std::size_t n = 0; n < end; ++n) {
    char c = full[n];
    if (in_string) {
      if (c == '\\')
        ++n;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    if (depth == 1 && (c == ',' || c == ':' || c == '{')) {
      expect_config_refused(dir, "cut" + std::to_string(n), full.substr(0, n + 1), {"invalid JSON"});
      ++cuts;
    }
  }
  EXPECT_GT(cuts, 20);
}

TEST_F(Hostile, OversizedFilesAreRefusedBeforeParsing) {
  TempDir dir;
  // One byte past kMaxConfigBytes (4 MiB).
  std::string big(json::kMaxConfigBytes + 1, ' ');
  big[0] = '{';
  big.back() = '}';
  expect_config_refused(dir, "too_big", big, {"at most 4194304 bytes", "4194305 bytes"});
  // Within the size limit but more than kMaxValues (2^18) values: refused before simdjson fills its tape.
  std::string dense = "{\"a\": [0";
  for (std::size_t k = 0; k < json::kMaxValues; ++k) dense += ",0";
  expect_config_refused(dir, "too_many_values", dense + "]}", {"at most 262144 values"});
  // Just under both limits: one 4 MiB string, and 2^18 - 16 values. Not configs, but read within the bounds.
  std::string long_string = "{\"model_type\": \"" + std::string(json::kMaxConfigBytes - 40, 'x') + "\"}";
  expect_config_refused(dir, "long_string", long_string, {"num_hidden_layers"});
  std::string many = "{\"model_type\": \"mystery\", \"a\": [0";
  for (std::size_t k = 0; k < json::kMaxValues - 16; ++k) many += ",0";
  expect_config_refused(dir, "many_values", many + "]}", {"num_hidden_layers"});
}

TEST_F(Hostile, FoldersLinksPipesAndUnreadableFiles) {
  TempDir dir;
  const std::string root = dir.path();
  fs::create_directories(root + "/empty");
  expect_refused("empty folder", {root + "/empty"}, root + "/empty", {"no config.json"});
  dir.write("other/README.md", "not a model");
  expect_refused("folder without config", {root + "/other"}, root + "/other", {"no config.json"});
  fs::create_directories(root + "/dir_config/config.json");
  expect_refused("config.json is a folder", {root + "/dir_config"}, root + "/dir_config/config.json",
                 {"a directory"});
  // Symbolic-link loops: the model path itself, and a config.json inside a folder.
  fs::create_symlink(root + "/loop_b", root + "/loop_a");
  fs::create_symlink(root + "/loop_a", root + "/loop_b");
  expect_refused("link loop", {root + "/loop_a"}, root + "/loop_a", {"looping symbolic link"});
  fs::create_directories(root + "/looped");
  fs::create_symlink(root + "/loop_a", root + "/looped/config.json");
  expect_refused("config.json link loop", {root + "/looped"}, root + "/looped/config.json",
                 {"looping symbolic link"});
  fs::create_directories(root + "/dangling");
  fs::create_symlink(root + "/nowhere.json", root + "/dangling/config.json");
  expect_refused("dangling link", {root + "/dangling"}, root + "/dangling/config.json",
                 {"broken or looping symbolic link"});
  // A FIFO with no writer: opening it must not block.
  ASSERT_EQ(mkfifo((root + "/fifo.json").c_str(), 0600), 0);
  expect_refused("fifo", {root + "/fifo.json"}, root + "/fifo.json", {"a regular file", "FIFO"});
  fs::create_directories(root + "/fifo_dir");
  ASSERT_EQ(mkfifo((root + "/fifo_dir/config.json").c_str(), 0600), 0);
  expect_refused("fifo config.json", {root + "/fifo_dir"}, root + "/fifo_dir/config.json", {"FIFO"});
  // Devices: endless (/dev/zero) or interactive; refused without reading.
  expect_refused("device", {"/dev/zero"}, "/dev/zero", {"a regular file", "a character device"});
  fs::create_directories(root + "/dev_dir");
  fs::create_symlink("/dev/urandom", root + "/dev_dir/config.json");
  expect_refused("device config.json", {root + "/dev_dir"}, root + "/dev_dir/config.json",
                 {"a character device"});
  // Unreadable even for root: /proc/self/mem fails at offset 0.
  fs::create_directories(root + "/mem");
  fs::create_symlink("/proc/self/mem", root + "/mem/config.json");
  expect_refused("unreadable", {root + "/mem"}, root + "/mem/config.json", {"read failed"});
  if (geteuid() != 0) {
    std::string locked = dir.write("locked/config.json", "{}");
    fs::permissions(locked, fs::perms::none);
    expect_refused("no permission", {locked}, locked, {"cannot open", "Permission denied"});
  }
  expect_refused("missing", {root + "/nope"}, root + "/nope", {"no such file or folder"});
}

TEST_F(Hostile, HuggingFaceCacheEntries) {
  TempDir dir;
  const std::string hub = dir.path() + "/hub";
  const std::string repo = hub + "/models--org--model";
  dir.write("hub/models--org--model/refs/main", "not-a-commit\n");
  expect_refused("bad ref", {"--hf-cache", hub, "org/model"}, repo + "/refs/main",
                 {"a 40-character commit hash"});
  dir.write("hub/models--org--model/refs/long", std::string(100'000, 'a'));
  expect_refused("long ref", {"--hf-cache", hub, "org/model@long"}, repo + "/refs/long",
                 {"at most 256 bytes"});
  ASSERT_EQ(mkfifo((repo + "/refs/fifo").c_str(), 0600), 0);
  // A FIFO where a ref should be is not a ref (and is never opened).
  expect_refused("fifo ref", {"--hf-cache", hub, "org/model@fifo"}, repo + "/refs/fifo",
                 {"not in the local cache"});
  const std::string commit(40, 'a');
  dir.write("hub/models--org--model/refs/ok", commit);
  expect_refused("missing snapshot", {"--hf-cache", hub, "org/model@ok"}, commit,
                 {"snapshot folder missing"});
  fs::create_directories(repo + "/snapshots/" + commit);
  expect_refused("snapshot without config", {"--hf-cache", hub, "org/model@ok"}, commit, {"no config.json"});
  expect_refused("revision escaping", {"--hf-cache", hub, "org/model@../../x"}, "'../../x'",
                 {"not in the local cache"});
}

}  // namespace
}  // namespace kvspec::test
