// The hostile corpus, round 2 (issue 18 items 5-7): duplicates and aliases (shards and split parts that are
// one file under two names, tensors in two shards, parts of another model), headers whose claims would cost
// hours to walk (sparse giants, built with ftruncate: no real GiBs are written), inputs at every limit whose
// memory must stay within 64 MiB, and `compare` over many models. Each run checks the exit code, the message,
// the wall time and (plain build) the peak RSS.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "bounded_run.hpp"
#include "cli_util.hpp"
#include "format/gguf.hpp"
#include "format/safetensors.hpp"
#include "support/gguf_models.hpp"
#include "support/gguf_writer.hpp"
#include "support/temp_dir.hpp"
#include "test_util.hpp"

namespace kvspec::test {
namespace {

namespace fs = std::filesystem;

// Runs the CLI; checks the exit code, every mention, the time bound and (plain build) the memory bound.
BoundedResult expect_run(const std::string& label, const std::vector<std::string>& args, int code,
                         std::initializer_list<std::string> mentions) {
  SCOPED_TRACE(label);
  BoundedResult r = run_bounded(args);
  EXPECT_FALSE(r.timed_out) << "took more than " << time_bound_s() << " s";
  EXPECT_EQ(r.exit_code, code) << r.out;
  for (const auto& m : mentions)
    EXPECT_NE(r.out.find(m), std::string::npos) << "must say '" << m << "': " << r.out;
  if (bounds_apply()) {
    EXPECT_LT(r.max_rss_kib, kMaxRssKib) << "peak RSS " << r.max_rss_kib << " KiB";
  }
  std::printf("[ hostile  ] %s: exit %d, %.3f s, %ld KiB\n", label.c_str(), r.exit_code, r.seconds,
              r.max_rss_kib);
  return r;
}

// --- safetensors shards -----------------------------------------------------------------------------------

const char* kLlamaConfig = R"({"model_type": "llama", "num_hidden_layers": 2, "num_attention_heads": 8,
                               "num_key_value_heads": 2, "hidden_size": 512})";

// A safetensors file holding F32 [1] tensors `names` (4 data bytes each).
std::string st_file(const std::vector<std::string>& names) {
  std::string header = "{";
  for (std::size_t i = 0; i < names.size(); ++i)
    header += (i ? ", \"" : "\"") + names[i] +
              "\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [" + std::to_string(4 * i) + ", " +
              std::to_string(4 * i + 4) + "]}";
  header += "}";
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i)
    out[static_cast<std::size_t>(i)] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return out + header + std::string(4 * names.size(), '\0');
}

TEST(HostileShards, AliasesOfOneShardAreRefused) {
  TempDir dir;
  auto folder = [&](const std::string& label, const std::string& index) {
    dir.write(label + "/config.json", kLlamaConfig);
    dir.write(label + "/a.safetensors", st_file({"model.embed_tokens.weight", "lm_head.weight"}));
    if (!index.empty()) dir.write(label + "/model.safetensors.index.json", index);
    return dir.path() + "/" + label;
  };
  const std::string two = R"({"weight_map": {"model.embed_tokens.weight": "a.safetensors",
                                              "lm_head.weight": "b.safetensors"}})";
  // A hardlink and a symbolic link named as a second shard: one file, its tensors counted twice.
  std::string p = folder("hardlink", two);
  fs::create_hard_link(p + "/a.safetensors", p + "/b.safetensors");
  expect_run("hardlink", {"inspect", p}, 2, {p + "/b.safetensors", "the same file as a.safetensors"});
  p = folder("symlink", two);
  fs::create_symlink("a.safetensors", p + "/b.safetensors");
  expect_run("symlink", {"inspect", p}, 2, {p + "/b.safetensors", "the same file as a.safetensors"});
  // "./" and "././" spellings of one name.
  for (const char* alias : {"./a.safetensors", "././a.safetensors"}) {
    p = folder(
        std::string("dot") + std::to_string(std::string(alias).size()),
        std::string(R"({"weight_map": {"model.embed_tokens.weight": "a.safetensors", "lm_head.weight": ")") +
            alias + "\"}}");
    expect_run(alias, {"inspect", p}, 2, {"the same file as a.safetensors"});
  }
  // A name with a NUL byte: open() would read "a.safetensors" instead.
  p = folder("nul", R"({"weight_map": {"model.embed_tokens.weight": "a.safetensors\u0000.evil"}})");
  expect_run("nul", {"inspect", p}, 2, {"a file name without NUL bytes"});
  // No index: a hardlinked copy in the folder.
  p = folder("listed", "");
  fs::create_hard_link(p + "/a.safetensors", p + "/b.safetensors");
  expect_run("listed hardlink", {"inspect", p}, 2, {"the same file as a.safetensors"});
}

TEST(HostileShards, TensorInTwoShardsIsRefused) {
  TempDir dir;
  dir.write("m/config.json", kLlamaConfig);
  dir.write("m/a.safetensors", st_file({"model.embed_tokens.weight", "lm_head.weight"}));
  dir.write("m/b.safetensors", st_file({"lm_head.weight"}));
  expect_run("duplicate tensor", {"inspect", dir.path() + "/m"}, 2,
             {"lm_head.weight", "each tensor in one shard only", "a duplicated tensor"});
}

TEST(HostileShards, IndexNamingAMillionAbsentShards) {
  TempDir dir;
  // 1,000,000 entries, each its own file (~15 MB): past kMaxIndexValues (2^19), refused before parsing; 175
  // MB and 16 s when every name was kept and looked for.
  auto index_of = [](int n) {
    std::string index = "{\"weight_map\": {";
    for (int i = 0; i < n; ++i)
      index += (i ? ",\"" : "\"") + std::to_string(i) + "\":\"" + std::to_string(i) + "\"";
    return index + "}}";
  };
  dir.write("m/config.json", kLlamaConfig);
  std::string p = dir.write("m/model.safetensors.index.json", index_of(1'000'000));
  expect_run("1M absent shards", {"inspect", dir.path() + "/m"}, 2, {p, "JSON of at most 524288 values"});
  // 500,000 (within every limit): parsed, then refused at the 4,097th distinct file, before any is looked
  // for.
  dir.write("h/config.json", kLlamaConfig);
  p = dir.write("h/model.safetensors.index.json", index_of(500'000));
  expect_run("500k absent shards", {"inspect", dir.path() + "/h"}, 2, {p, "at most 4096 distinct files"});
}

// --- GGUF split parts ------------------------------------------------------------------------------------

GgufWriter small_llama(const std::string& arch = "llama") {
  GgufWriter w;
  w.str("general.architecture", arch);
  w.u32(arch + ".block_count", 2);
  w.u32(arch + ".context_length", 4096);
  w.u32(arch + ".embedding_length", 512);
  w.u32(arch + ".feed_forward_length", 1024);
  w.u32(arch + ".attention.head_count", 8);
  w.u32(arch + ".attention.head_count_kv", 2);
  return w;
}

// Part `no` (0-based) of a set of `count`, holding tensor `tensor`.
GgufWriter part(std::uint32_t no, std::uint32_t count, const std::string& tensor,
                const std::string& arch = "llama") {
  GgufWriter w = no == 0 ? small_llama(arch) : GgufWriter{};
  if (no != 0) w.str("general.architecture", arch);
  w.u32("split.count", count);
  w.u32("split.no", no);
  if (no == 0) w.u32("split.tensors.count", count);
  w.tensor(tensor, {512}, kF32T);
  return w;
}

TEST(HostileShards, SplitPartsThatAreNotPartsAreRefused) {
  TempDir dir;
  auto first = [&](const std::string& label) {
    fs::create_directories(dir.path() + "/" + label);
    std::string p = dir.path() + "/" + label + "/m-00001-of-00002.gguf";
    part(0, 2, "token_embd.weight").write(p);
    return p;
  };
  std::string p = first("symlink");
  fs::create_symlink("m-00001-of-00002.gguf", dir.path() + "/symlink/m-00002-of-00002.gguf");
  expect_run("split symlink", {"inspect", p}, 2, {"m-00002-of-00002.gguf", "the same file as"});
  p = first("hardlink");
  fs::create_hard_link(p, dir.path() + "/hardlink/m-00002-of-00002.gguf");
  expect_run("split hardlink", {"inspect", p}, 2, {"the same file as"});
  p = first("arch");
  part(1, 2, "output.weight", "qwen2").write(dir.path() + "/arch/m-00002-of-00002.gguf");
  expect_run("split other arch", {"inspect", p}, 2, {"general.architecture", "a part of another model"});
  p = first("count");
  part(1, 3, "output.weight").write(dir.path() + "/count/m-00002-of-00002.gguf");
  expect_run("split other count", {"inspect", p}, 2, {"split.count", "a part of another split set"});
  p = first("dup");
  part(1, 2, "token_embd.weight").write(dir.path() + "/dup/m-00002-of-00002.gguf");
  expect_run("split duplicate tensor", {"inspect", p}, 2, {"token_embd.weight", "a duplicated tensor"});
  // A clean pair is read whole.
  p = first("clean");
  part(1, 2, "output.weight").write(dir.path() + "/clean/m-00002-of-00002.gguf");
  expect_run("split clean", {"inspect", p}, 0, {"2 splits"});
}

TEST(HostileShards, FirstPartClaiming99999PartsIsSummarised) {
  TempDir dir;
  std::string p = dir.path() + "/m-00001-of-99999.gguf";
  GgufWriter w = small_llama();
  w.u32("split.count", 99999);
  w.u32("split.no", 0);
  w.tensor("token_embd.weight", {512}, kF32T);
  w.write(p);
  BoundedResult r = expect_run("99999 parts", {"inspect", p}, 0, {"split parts 2-99999 of 99999 not found"});
  EXPECT_LT(r.out.size(), 8u << 10) << "the warning is one line, not 690 KB";
}

// --- GGUF headers whose claims would take hours ------------------------------------------------------------

std::string le64(std::uint64_t v) {
  return std::string(reinterpret_cast<const char*>(&v), 8);
}
std::string le32(std::uint32_t v) {
  return std::string(reinterpret_cast<const char*>(&v), 4);
}
std::string gstr(const std::string& s) {
  return le64(s.size()) + s;
}

TEST(HostileShards, SparseGiantArraysAreRefusedBeforeWalking) {
  TempDir dir;
  // 256 GiB, sparse: its last value claims 2^34 empty arrays (12 bytes each: 192 GiB, which fits the file).
  // Walking them took 20 s per claimed GiB (~85 minutes).
  std::string head = "GGUF" + le32(3) + le64(0) + le64(1) + gstr("a") + le32(9) + le32(9) + le64(1ull << 34);
  std::string p = dir.path() + "/arrays.gguf";
  ASSERT_TRUE(write_sparse(p, head, 256ull << 30));
  expect_run("2^34 empty arrays", {"inspect", p}, 2, {p, "string or array elements walked"});
  // 1 GiB of empty strings (2^27 of them, 8 bytes each): 5 s to walk.
  head = "GGUF" + le32(3) + le64(0) + le64(1) + gstr("a") + le32(9) + le32(8) + le64(1ull << 27);
  p = dir.path() + "/strings.gguf";
  ASSERT_TRUE(write_sparse(p, head, (1ull << 30) + head.size()));
  expect_run("2^27 empty strings", {"inspect", p}, 2, {p, "string or array elements walked"});
  // A string longer than llama.cpp's GGUF_MAX_STRING_LENGTH (2^30), in a sparse 4 GiB file.
  head = "GGUF" + le32(3) + le64(0) + le64(1) + gstr("a") + le32(8) + le64((1ull << 30) + 1);
  p = dir.path() + "/string.gguf";
  ASSERT_TRUE(write_sparse(p, head, 4ull << 30));
  expect_run("2^30 + 1 byte string", {"inspect", p}, 2, {p, "GGUF_MAX_STRING_LENGTH"});
}

// --- memory at the limits -------------------------------------------------------------------------------

TEST(HostileShards, GgufWithTheMostTensorsAndKeysStaysWithinMemory) {
  TempDir dir;
  // 131,072 tensors (kMaxTensorCount) and 65,000 keys: 71.5 MB before the tensor names were checked by sorted
  // indices and the vectors reserved once.
  GgufWriter w = small_llama();
  for (int i = 0; i < 65'000 - 7; ++i) w.u32("x.key_" + std::to_string(i), 1);
  for (std::uint64_t i = 0; i < gguf::kMaxTensorCount; ++i)
    w.tensor("blk.0.t_" + std::to_string(i), {32}, kF32T);
  std::string p = dir.path() + "/many.gguf";
  w.write(p);
  ASSERT_GT(fs::file_size(p), 5u << 20);
  expect_run("131072 tensors, 65000 keys", {"inspect", p}, 0, {"llama"});
}

TEST(HostileShards, CompareStreamsModels) {
  TempDir dir;
  std::string p = dir.write("m/config.json", kLlamaConfig);
  // Each spec is dropped once its column is computed: memory holds cells, not specs.
  std::vector<std::string> args = {"compare"};
  for (int i = 0; i < 2000; ++i) args.push_back(dir.path() + "/m");
  BoundedResult r = expect_run("compare 2000", args, 0, {"KV / token"});
  args.push_back("--json");
  r = expect_run("compare 2000 json", args, 0, {"\"models\""});
}

TEST(HostileShards, AllocationFailureIsOutOfMemory) {
  if (!bounds_apply()) GTEST_SKIP() << "sanitizers and valgrind reserve address space of their own";
  TempDir dir;
  // One shard of 2^15 tensors (a ~3 MB header): its simdjson buffers cannot be had under a 40 MB
  // address-space limit, which must read as kvspec's failure (exit 1, "out of memory"), never as "invalid
  // JSON".
  std::vector<std::string> names;
  for (int i = 0; i < (1 << 15); ++i)
    names.push_back("model.layers.0.mlp.experts." + std::to_string(i) + ".weight");
  dir.write("m/config.json", kLlamaConfig);
  dir.write("m/model.safetensors", st_file(names));
  std::string cmd = "ulimit -v 40000; exec '" KVSPEC_CLI "' inspect '" + dir.path() + "/m' 2>&1";
  std::FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  int status = ::pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(WEXITSTATUS(status), 1) << out;
  EXPECT_NE(out.find("out of memory"), std::string::npos) << out;
  EXPECT_EQ(out.find("invalid JSON"), std::string::npos) << out;
}

}  // namespace
}  // namespace kvspec::test
