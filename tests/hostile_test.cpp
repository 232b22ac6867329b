// The hostile-input corpus (issue 7): files built at run time to break a reader — truncations at every
// section boundary, counts and lengths of 2^32 to 2^64, negative and zero dimensions, NaN and Infinity, wrong
// JSON types, duplicate keys, 10^5-deep nesting, invalid UTF-8, empty and oversized files, folders without
// configs, symbolic-link loops, FIFOs and unreadable files. Each one must make the CLI exit 2 with one
// message naming the file and the problem, within a time bound and (plain build) under 64 MiB of peak memory.
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "bounded_run.hpp"
#include "cli_util.hpp"
#include "format/gguf.hpp"
#include "format/safetensors.hpp"
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
  // A FIFO where a ref should be is not a ref (and is never opened): said so.
  expect_refused("fifo ref", {"--hf-cache", hub, "org/model@fifo"}, repo + "/refs/fifo",
                 {"a file holding a commit hash", "FIFO"});
  const std::string commit(40, 'a');
  dir.write("hub/models--org--model/refs/ok", commit);
  expect_refused("missing snapshot", {"--hf-cache", hub, "org/model@ok"}, commit,
                 {"snapshot folder missing"});
  fs::create_directories(repo + "/snapshots/" + commit);
  expect_refused("snapshot without config", {"--hf-cache", hub, "org/model@ok"}, commit, {"no config.json"});
  expect_refused("revision escaping", {"--hf-cache", hub, "org/model@../../x"}, "'../../x'",
                 {"a branch or tag name"});
}

// --- safetensors -----------------------------------------------------------------------------------------

// The 8-byte little-endian length, then the header text.
std::string st_file(std::uint64_t declared, const std::string& header) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i)
    out[static_cast<std::size_t>(i)] = static_cast<char>((declared >> (8 * i)) & 0xff);
  return out + header;
}
std::string st_file(const std::string& header) {
  return st_file(header.size(), header);
}

const char* kLlamaConfig = R"({"model_type": "llama", "num_hidden_layers": 2, "num_attention_heads": 8,
                               "num_key_value_heads": 2, "hidden_size": 512})";

// A model folder with the llama config and one model.safetensors holding `bytes`; refused naming that file.
void expect_st_refused(const TempDir& dir, const std::string& label, const std::string& bytes,
                       std::initializer_list<std::string> mentions) {
  dir.write(label + "/config.json", kLlamaConfig);
  std::string path = dir.write(label + "/model.safetensors", bytes);
  expect_refused(label, {dir.path() + "/" + label}, path, mentions);
}

std::string tensor(const std::string& name, const std::string& dtype, const std::string& shape,
                   const std::string& offsets) {
  return "\"" + name + "\": {\"dtype\": \"" + dtype + "\", \"shape\": " + shape +
         ", \"data_offsets\": " + offsets + "}";
}

TEST_F(Hostile, SafetensorsTruncatedAtEverySectionBoundary) {
  TempDir dir;
  std::string header =
      "{\"__metadata__\": {\"format\": \"pt\"}, " +
      tensor("model.layers.0.self_attn.k_proj.weight", "BF16", "[128, 512]", "[0, 131072]") + ", " +
      tensor("model.layers.0.self_attn.v_proj.weight", "BF16", "[128, 512]", "[131072, 262144]") + "}";
  std::string full = st_file(header);
  // Inside the length prefix, then every byte of the header: the declared length runs past the end.
  for (std::size_t n : {0, 1, 7})
    expect_st_refused(dir, "len" + std::to_string(n), full.substr(0, n), {"at least 8 bytes"});
  for (std::size_t n = 8; n < full.size(); n += (n < 16 || n + 8 > full.size()) ? 1 : 23)
    expect_st_refused(dir, "hdr" + std::to_string(n), full.substr(0, n),
                      {"header length past the end of the file"});
  // The whole header without data is a header-only copy: inspected, with a warning (not refused).
  dir.write("whole/config.json", kLlamaConfig);
  dir.write("whole/model.safetensors", full);
  BoundedResult r = run_bounded({"inspect", dir.path() + "/whole"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("header-only"), std::string::npos) << r.out;
}

TEST_F(Hostile, SafetensorsLengthsCountsAndShapes) {
  TempDir dir;
  // Declared header lengths of 2^32, 2^63 and 2^64 - 1 over a 10-byte file: refused before any allocation.
  for (std::uint64_t len : {std::uint64_t{1} << 32, std::uint64_t{1} << 63, ~std::uint64_t{0}})
    expect_st_refused(dir, "declared" + std::to_string(len), st_file(len, "{}"), {"header too large"});
  // One byte over kvspec's header limit (8 MiB; the format's own is 100 MB).
  expect_st_refused(dir, "over_limit", st_file(st::kMaxHeaderBytes + 1, "{}"), {"header too large"});
  expect_st_refused(dir, "zero_length", st_file(0, ""), {"invalid JSON"});
  expect_st_refused(dir, "not_object", st_file("[1, 2]"), {"a JSON object as the header"});
  const std::string k = "model.layers.0.self_attn.k_proj.weight";
  struct Case {
    std::string label, header;
    std::initializer_list<std::string> mentions;
  };
  const Case cases[] = {
      {"shape_overflow",
       "{" + tensor(k, "BF16", "[4294967296, 4294967296]", "[0, 2]") + "}",
       {"fits in 64 bits"}},
      {"shape_2_63", "{" + tensor(k, "BF16", "[9223372036854775807]", "[0, 2]") + "}", {"fits in 64 bits"}},
      {"shape_2_64", "{" + tensor(k, "BF16", "[18446744073709551615]", "[0, 2]") + "}", {"below 2^63"}},
      {"shape_negative",
       "{" + tensor(k, "BF16", "[-1, 4]", "[0, 2]") + "}",
       {"a non-negative integer", "-1"}},
      {"shape_float", "{" + tensor(k, "BF16", "[1.5]", "[0, 2]") + "}", {"a non-negative integer"}},
      {"shape_nan", "{" + tensor(k, "BF16", "[NaN]", "[0, 2]") + "}", {"invalid JSON"}},
      {"shape_rank_17",
       "{" + tensor(k, "BF16", "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", "[0, 2]") + "}",
       {"at most 16 dimensions"}},
      {"offsets_reversed", "{" + tensor(k, "BF16", "[1]", "[2, 0]") + "}", {"begin ≤ end"}},
      {"offsets_2_64", "{" + tensor(k, "BF16", "[1]", "[0, 18446744073709551615]") + "}", {"below 2^63"}},
      {"offsets_short", "{" + tensor(k, "BF16", "[1]", "[0]") + "}", {"an array [begin, end]"}},
      {"span_mismatch", "{" + tensor(k, "BF16", "[4]", "[0, 2]") + "}", {"shape/size mismatch"}},
      {"gap", "{" + tensor(k, "BF16", "[1]", "[2, 4]") + "}", {"to begin at 0"}},
      {"overlap",
       "{" + tensor(k, "BF16", "[2]", "[0, 4]") + ", " + tensor("b", "BF16", "[1]", "[2, 4]") + "}",
       {"overlapping offsets"}},
      {"duplicate",
       "{" + tensor(k, "BF16", "[1]", "[0, 2]") + ", " + tensor(k, "BF16", "[1]", "[2, 4]") + "}",
       {"a duplicate"}},
      {"dtype_unknown", "{" + tensor(k, "BF17", "[1]", "[0, 2]") + "}", {"a safetensors dtype"}},
      {"dtype_number",
       "{\"" + k + "\": {\"dtype\": 16, \"shape\": [1], \"data_offsets\": [0, 2]}}",
       {"a dtype string"}},
      {"missing_keys", "{\"" + k + "\": {\"dtype\": \"BF16\"}}", {"dtype, shape and data_offsets"}},
      {"metadata_number", "{\"__metadata__\": {\"format\": 1}}", {"__metadata__.format", "a string"}},
      {"utf8_name", "{" + tensor("model.layers.0.\xff", "BF16", "[1]", "[0, 2]") + "}", {"UTF-8"}},
      {"deep", "{\"a\": " + std::string(100'000, '[') + std::string(100'000, ']') + "}", {"invalid JSON"}},
  };
  for (const Case& c : cases) expect_st_refused(dir, c.label, st_file(c.header), c.mentions);
  // A zero-element tensor whose other dims multiply past 2^64 is valid (0 bytes); the conv-state arithmetic
  // of tier 2 (kernel = dims 1 × 2) overflowed on it (signed-overflow UB, found reviewing the reader).
  dir.write("zero_dim/config.json", kLlamaConfig);
  dir.write("zero_dim/model.safetensors", st_file("{" +
                                                  tensor("backbone.layers.0.mixer.conv1d.weight", "BF16",
                                                         "[0, 4294967296, 4294967296]", "[0, 0]") +
                                                  "}"));
  BoundedResult r = run_bounded({"inspect", dir.path() + "/zero_dim"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  // Dense values within the byte limit: refused before simdjson fills its tape.
  std::string dense = "{\"a\": {\"dtype\": \"U8\", \"shape\": [1";
  for (std::size_t i = 0; i < st::kMaxHeaderValues; ++i) dense += ",1";
  expect_st_refused(dir, "dense", st_file(dense + "], \"data_offsets\": [0, 1]}}"),
                    {"at most 524288 values"});
}

TEST_F(Hostile, SafetensorsIndexAndShards) {
  TempDir dir;
  auto folder = [&](const std::string& label, const std::string& index) {
    dir.write(label + "/config.json", kLlamaConfig);
    return dir.write(label + "/model.safetensors.index.json", index);
  };
  std::string p = folder("escape", R"({"weight_map": {"a": "../../etc/passwd"}})");
  expect_refused("index escaping the folder", {dir.path() + "/escape"}, p,
                 {"a file name inside the model folder"});
  p = folder("absolute", R"({"weight_map": {"a": "/etc/passwd"}})");
  expect_refused("absolute shard", {dir.path() + "/absolute"}, p, {"a file name inside the model folder"});
  p = folder("no_map", R"({"metadata": {}})");
  expect_refused("no weight_map", {dir.path() + "/no_map"}, p, {"weight_map"});
  p = folder("map_type", R"({"weight_map": {"a": 7}})");
  expect_refused("weight_map value", {dir.path() + "/map_type"}, p, {"a file name"});
  p = folder("bad_json", "{\"weight_map\": {");
  expect_refused("index not JSON", {dir.path() + "/bad_json"}, p, {"invalid JSON"});
  std::string dense = "{\"weight_map\": {}, \"metadata\": {\"x\": [0";
  for (std::size_t i = 0; i < st::kMaxIndexValues; ++i) dense += ",0";
  p = folder("dense", dense + "]}}");
  expect_refused("dense index", {dir.path() + "/dense"}, p, {"at most 524288 values"});
  // An index past kMaxIndexBytes: a sparse file, refused from its size alone.
  p = folder("huge", "{}");
  fs::resize_file(p, st::kMaxIndexBytes + 1);
  expect_refused("huge index", {dir.path() + "/huge"}, p, {"an index of at most"});
  // A shard that is a FIFO: refused without blocking.
  p = folder("fifo", R"({"weight_map": {"a": "model-1.safetensors"}})");
  ASSERT_EQ(mkfifo((dir.path() + "/fifo/model-1.safetensors").c_str(), 0600), 0);
  expect_refused("fifo shard", {dir.path() + "/fifo"}, dir.path() + "/fifo/model-1.safetensors",
                 {"a regular file"});
  // Two header-only shards of 15 × 2^59 bytes each: every file is valid (< 2^63), their total is not. Two
  // sums overflowed on it (UB, caught by UBSan): the index's total_size check in read_checkpoint, and the
  // quantization-overhead sum in summarize_weights (before its checked total refused it).
  std::string map = "{\"weight_map\": {";
  for (int i = 0; i < 2; ++i) {
    std::string shard = "model-" + std::to_string(i) + ".safetensors";
    std::string header = "{";
    for (std::int64_t t = 0; t < 15; ++t) {
      std::string name = "model.layers." + std::to_string(i) + ".mlp." + std::to_string(t) + ".scales";
      std::int64_t begin = t << 59, end = (t + 1) << 59;
      header += (t ? ", " : "") + tensor(name, "U8", "[576460752303423488]",
                                         "[" + std::to_string(begin) + ", " + std::to_string(end) + "]");
      map += (i || t ? ", \"" : "\"") + name + "\": \"" + shard + "\"";
    }
    dir.write("huge_total/" + shard, st_file(header + "}"));
    dir.write("huge_total_no_index/" + shard, st_file(header + "}"));
  }
  p = folder("huge_total", map + "}}");
  expect_refused("total past 2^63", {dir.path() + "/huge_total"}, "/huge_total/model-1.safetensors",
                 {"weights whose total fits in 64 bits", "an overflow"});
  dir.write("huge_total_no_index/config.json", kLlamaConfig);
  expect_refused("total past 2^63, no index", {dir.path() + "/huge_total_no_index"},
                 "/huge_total_no_index/model-1.safetensors", {"weights whose total fits in 64 bits"});
  // A shard that is a folder.
  p = folder("dir_shard", R"({"weight_map": {"a": "model-1.safetensors"}})");
  fs::create_directories(dir.path() + "/dir_shard/model-1.safetensors");
  expect_refused("folder shard", {dir.path() + "/dir_shard"}, dir.path() + "/dir_shard/model-1.safetensors",
                 {"a regular file"});
}

// --- GGUF --------------------------------------------------------------------------------------------------

template <class T>
std::string le(T v) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &v, sizeof(T));  // x86-64 and arm64 are little-endian, as GGUF is
  return out;
}
std::string gguf_str(const std::string& s) {
  return le<std::uint64_t>(s.size()) + s;
}
std::string gguf_head(std::uint64_t tensors, std::uint64_t kvs, std::uint32_t version = 3) {
  return "GGUF" + le<std::uint32_t>(version) + le<std::uint64_t>(tensors) + le<std::uint64_t>(kvs);
}
std::string kv_u32(const std::string& key, std::uint32_t v) {
  return gguf_str(key) + le<std::uint32_t>(4) + le<std::uint32_t>(v);
}
std::string kv_string(const std::string& key, const std::string& v) {
  return gguf_str(key) + le<std::uint32_t>(8) + gguf_str(v);
}
std::string tensor_info(const std::string& name, std::vector<std::uint64_t> dims, std::uint32_t type,
                        std::uint64_t offset) {
  std::string out = gguf_str(name) + le<std::uint32_t>(static_cast<std::uint32_t>(dims.size()));
  for (auto d : dims) out += le<std::uint64_t>(d);
  return out + le<std::uint32_t>(type) + le<std::uint64_t>(offset);
}

void expect_gguf_refused(const TempDir& dir, const std::string& label, const std::string& bytes,
                         std::initializer_list<std::string> mentions) {
  std::string path = dir.write(label + ".gguf", bytes);
  expect_refused(label, {path}, path, mentions);
}

TEST_F(Hostile, GgufTruncatedAtEverySectionBoundary) {
  std::string full = slurp(data_path("gguf/llama31_8b.gguf"));
  auto f = gguf::read_buffer(full, "full.gguf");
  ASSERT_TRUE(f) << f.error().message();
  // In process, every prefix inside the header fails, naming the file.
  for (std::size_t n = 0; n < f->header_end; ++n) {
    auto p = gguf::read_buffer(std::string_view(full).substr(0, n), "prefix.gguf");
    ASSERT_FALSE(p) << n;
    EXPECT_EQ(p.error().file, "prefix.gguf");
  }
  // Through the CLI, at the sections: magic, version, counts, each metadata value, the end of the header.
  std::vector<std::size_t> cuts = {0, 3, 4, 7, 8, 15, 16, 23, 24};
  for (const auto& kv : f->kvs) cuts.push_back(kv.value.file_offset);
  cuts.push_back(f->header_end - 1);
  TempDir dir;
  for (std::size_t n : cuts) expect_gguf_refused(dir, "cut" + std::to_string(n), full.substr(0, n), {});
  // The whole header without the data: a header-only copy, inspected with a warning.
  std::string head = dir.write("head.gguf", full.substr(0, f->header_end));
  BoundedResult r = run_bounded({"inspect", head});
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST_F(Hostile, GgufCountsLengthsAndTypes) {
  TempDir dir;
  const std::string arch = kv_string("general.architecture", "llama");
  for (std::uint64_t n : {std::uint64_t{1} << 32, std::uint64_t{1} << 63, ~std::uint64_t{0}}) {
    expect_gguf_refused(dir, "tensors" + std::to_string(n), gguf_head(n, 1) + arch, {"tensor_count"});
    expect_gguf_refused(dir, "kvs" + std::to_string(n), gguf_head(0, n) + arch, {"metadata_kv_count"});
    expect_gguf_refused(dir, "keylen" + std::to_string(n),
                        gguf_head(0, 1) + le<std::uint64_t>(n) + std::string(16, 'x'),
                        {"a string length of at most"});
    expect_gguf_refused(dir, "arraylen" + std::to_string(n),
                        gguf_head(0, 1) + gguf_str("a") + le<std::uint32_t>(9) + le<std::uint32_t>(0) +
                            le<std::uint64_t>(n) + "x",
                        {"an array count that fits"});
  }
  // Counts that fit the bytes left but pass kvspec's limits (65,536 keys, 131,072 tensors): 1 MiB files.
  expect_gguf_refused(dir, "many_kvs", gguf_head(0, 70'000) + std::string(1 << 20, '\0'),
                      {"at most 65536 keys"});
  expect_gguf_refused(dir, "many_tensors", gguf_head(140'000, 0) + std::string(4 << 20, '\0'),
                      {"at most 131072 tensors"});
  expect_gguf_refused(dir, "magic", "GGUX" + gguf_head(0, 0).substr(4), {"\"GGUF\""});
  expect_gguf_refused(dir, "v1", gguf_head(0, 0, 1), {"version 1"});
  expect_gguf_refused(dir, "v4", gguf_head(0, 0, 4), {"GGUF version 2 or 3"});
  expect_gguf_refused(dir, "big_endian", gguf_head(0, 0, 0x03000000), {"big-endian"});
  expect_gguf_refused(dir, "value_type", gguf_head(0, 1) + gguf_str("a") + le<std::uint32_t>(13) + "xxxx",
                      {"a GGUF value type 0-12"});
  // An array of arrays of ... nine deep: value type 9, then (element type 9, count 1) per level.
  std::string nested = gguf_head(0, 1) + gguf_str("a") + le<std::uint32_t>(9);
  for (int d = 0; d < 9; ++d) nested += le<std::uint32_t>(9) + le<std::uint64_t>(1);
  expect_gguf_refused(dir, "nested", nested + std::string(64, '\0'), {"nested at most 8 deep"});
  expect_gguf_refused(dir, "duplicate", gguf_head(0, 2) + arch + arch, {"a duplicate key"});
  expect_gguf_refused(dir, "align0", gguf_head(0, 2) + arch + kv_u32("general.alignment", 0),
                      {"a uint32 power of two"});
  expect_gguf_refused(dir, "align3", gguf_head(0, 2) + arch + kv_u32("general.alignment", 3),
                      {"a uint32 power of two"});
  expect_gguf_refused(dir, "dims5", gguf_head(1, 1) + arch + tensor_info("t", {1, 1, 1, 1, 1}, 0, 0),
                      {"at most 4 dimensions"});
  expect_gguf_refused(dir, "dim_2_63",
                      gguf_head(1, 1) + arch + tensor_info("t", {std::uint64_t{1} << 63}, 0, 0),
                      {"dimensions below 2^63"});
  expect_gguf_refused(
      dir, "dims_overflow",
      gguf_head(1, 1) + arch + tensor_info("t", {std::uint64_t{1} << 32, std::uint64_t{1} << 32}, 0, 0),
      {"fits in 64 bits"});
  expect_gguf_refused(dir, "tensor_type", gguf_head(1, 1) + arch + tensor_info("t", {32}, 4, 0),
                      {"a ggml tensor type"});
  expect_gguf_refused(dir, "offset", gguf_head(1, 1) + arch + tensor_info("t", {32}, 0, 64), {"offset"});
  expect_gguf_refused(dir, "no_arch", gguf_head(0, 0), {"general.architecture"});
  // Many 65,536-element u8 arrays (64 KiB each in the file, 512 KiB loaded): past kMaxKeptBytes they are
  // skipped, so memory stays bounded (an 18 MiB file).
  std::string arrays = gguf_head(0, 290) + arch;
  for (int i = 0; i < 289; ++i)
    arrays += gguf_str("a" + std::to_string(i)) + le<std::uint32_t>(9) + le<std::uint32_t>(0) +
              le<std::uint64_t>(1 << 16) + std::string(1 << 16, '\1');
  expect_gguf_refused(dir, "kept_budget", arrays, {"block_count"});
  std::string fifo = dir.path() + "/fifo.gguf";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  expect_refused("fifo", {fifo}, fifo, {"a regular file"});
}

}  // namespace
}  // namespace kvspec::test
