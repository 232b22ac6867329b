// The GGUF reader on well-formed and malformed files: every value type, large arrays skipped, split sets, and
// files crafted to lie about their sizes. No malformed file may crash the reader or make it allocate more
// than the file's size in one piece (a replaced global operator new records the largest single allocation).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <new>
#include <string>

#include "format/gguf.hpp"
#include "kvspec/gguf.hpp"
#include "kvspec/load.hpp"
#include "support/gguf_models.hpp"

// The replacements below pair malloc with free; GCC cannot see that through inlined gtest code.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<bool> g_track{false};
std::atomic<std::size_t> g_largest{0};
}  // namespace

// Under AddressSanitizer the allocator is ASan's own (shared libraries bind to it), and under valgrind
// memcheck's (tests/CMakeLists.txt): no replacement, no count there.
#if !defined(__SANITIZE_ADDRESS__) && !defined(KVSPEC_TEST_KEEP_SYSTEM_NEW)
void* operator new(std::size_t n) {
  if (g_track.load(std::memory_order_relaxed)) {
    std::size_t prev = g_largest.load(std::memory_order_relaxed);
    while (n > prev && !g_largest.compare_exchange_weak(prev, n)) {
    }
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return ::operator new(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n) {
  return ::operator new(n);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept {
  return ::operator new(n, t);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
#endif

namespace kvspec {
namespace {

using test::GgufWriter;

std::string temp(const std::string& name) {
  return testing::TempDir() + "kvspec_reader_" + name;
}

std::string write(const GgufWriter& w, const std::string& name, bool with_data = false) {
  std::string p = temp(name);
  w.write(p, with_data);
  return p;
}

std::string write_bytes(const std::string& bytes, const std::string& name) {
  std::string p = temp(name);
  std::FILE* f = std::fopen(p.c_str(), "wb");
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  return p;
}

// Parses `bytes`, returning the error (the test fails if it parses) and checking the largest allocation.
Error expect_error(const std::string& bytes, const std::string& name) {
  g_largest = 0;
  g_track = true;
  auto r = gguf::read_buffer(bytes, name);
  g_track = false;
  EXPECT_FALSE(r) << name << " parsed";
  EXPECT_LE(g_largest.load(), std::max<std::size_t>(bytes.size(), 4096)) << name << ": largest allocation";
  return r ? Error{} : r.error();
}

GgufWriter small_model() {
  GgufWriter w;
  w.str("general.architecture", "llama");
  w.u32("llama.block_count", 2);
  w.u32("llama.embedding_length", 256);
  w.u32("llama.attention.head_count", 4);
  w.u32("llama.attention.head_count_kv", 2);
  w.tensor("token_embd.weight", {256, 64}, test::kF16T);
  w.tensor("blk.0.attn_k.weight", {256, 128}, test::kQ8_0T);
  return w;
}

TEST(GgufReader, EveryValueTypeAndNestedArrays) {
  GgufWriter w;
  w.str("general.architecture", "llama");
  std::string u8 = std::string(1, '\x07'), i8 = std::string(1, '\xF9');
  w.raw_kv("t.u8", test::kU8, u8);
  w.raw_kv("t.i8", test::kI8, i8);
  std::uint16_t u16 = 65535;
  w.raw_kv("t.u16", test::kU16, std::string(reinterpret_cast<char*>(&u16), 2));
  std::int16_t i16 = -2;
  w.raw_kv("t.i16", test::kI16, std::string(reinterpret_cast<char*>(&i16), 2));
  w.u32("t.u32", 4000000000u);
  w.i32("t.i32", -5);
  w.f32("t.f32", 0.5f);
  w.boolean("t.bool", true);
  w.u64("t.u64.big", std::numeric_limits<std::uint64_t>::max());
  std::int64_t i64 = -9;
  w.raw_kv("t.i64", test::kI64, std::string(reinterpret_cast<char*>(&i64), 8));
  double f64 = 2.25;
  w.raw_kv("t.f64", test::kF64, std::string(reinterpret_cast<char*>(&f64), 8));
  w.arr_str("t.strings", {"a", "", "ccc"});
  w.arr_nested("t.nested", {{1, 2}, {}, {3}});
  w.arr_f32("t.floats", 3, 1.5f);
  auto f = gguf::read_buffer(w.bytes(), "types");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->find("t.u8")->integer, 7);
  EXPECT_EQ(f->find("t.i8")->integer, -7);
  EXPECT_EQ(f->find("t.u16")->integer, 65535);
  EXPECT_EQ(f->find("t.i16")->integer, -2);
  EXPECT_EQ(f->find("t.u32")->integer, 4000000000LL);
  EXPECT_EQ(f->find("t.i32")->integer, -5);
  EXPECT_EQ(f->find("t.f32")->real, 0.5);
  EXPECT_TRUE(f->find("t.bool")->boolean);
  EXPECT_FALSE(f->find("t.u64.big")->integer);  // above INT64_MAX: not representable, kept as absent
  EXPECT_EQ(f->find("t.i64")->integer, -9);
  EXPECT_EQ(f->find("t.f64")->real, 2.25);
  EXPECT_EQ(f->find("t.strings")->length, 3u);
  EXPECT_EQ(f->find("t.nested")->length, 3u);
  EXPECT_EQ(f->find("t.nested")->element_type, gguf::ValueType::array);
  EXPECT_EQ(f->find("t.floats")->reals.size(), 3u);
}

TEST(GgufReader, LargeVocabularyIsSkippedNotCopied) {
  GgufWriter w = test::llama31_8b(256 * 1024);
  std::string path = write(w, "vocab256k.gguf");
  g_largest = 0;
  g_track = true;
  auto f = gguf::read_file(path);
  g_track = false;
  ASSERT_TRUE(f) << f.error().message();
  const gguf::Value* tokens = f->find("tokenizer.ggml.tokens");
  ASSERT_NE(tokens, nullptr);
  EXPECT_EQ(tokens->length, 256u * 1024);
  EXPECT_FALSE(tokens->kept);
  EXPECT_FALSE(f->find("tokenizer.ggml.token_type")->kept);  // 262'144 > kMaxLoadedArray
  // The header is several MB; no single allocation comes near it (the read window is 64 KiB).
  EXPECT_LE(g_largest.load(), 256u * 1024);
}

TEST(GgufReader, AlignmentAndOffsets) {
  GgufWriter w = small_model();
  w.alignment = 64;
  w.u32("general.alignment", 64);
  w.tensor("blk.0.attn_v.weight", {256, 128}, test::kQ8_0T);
  auto f = gguf::read_buffer(w.bytes(true), "align64");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->alignment, 64);
  EXPECT_EQ(f->data_offset % 64, 0u);
  // token_embd: 256 × 64 × 2 B = 32'768; attn_k Q8_0: 256 × 128 / 32 × 34 = 34'816 (already a multiple of
  // 64).
  EXPECT_EQ(f->tensors[1].offset, 32'768u);
  EXPECT_EQ(f->tensors[2].offset, 32'768u + 34'816u);
  EXPECT_TRUE(f->data_present);
}

// --- malformed files: each an error with a message, never a crash or an allocation larger than the file
// --------

TEST(GgufMalformed, EveryTruncationOfAValidFile) {
  std::string full = small_model().bytes(true);
  std::string header = small_model().bytes(false);
  // Every cut inside the header is an error; a cut inside the data section is a truncated download.
  auto parsed = gguf::read_buffer(header, "header only");
  ASSERT_TRUE(parsed);
  for (std::size_t n = 0; n < parsed->header_end; ++n) {
    Error e = expect_error(full.substr(0, n), "cut" + std::to_string(n));
    EXPECT_FALSE(e.message().empty());
  }
  Error e = expect_error(full.substr(0, header.size() + 100), "partial data");
  EXPECT_NE(e.message().find("past the end of the file"), std::string::npos) << e.message();
}

TEST(GgufMalformed, StringLengthPastEof) {
  std::string b = small_model().bytes();
  // The first key's length field sits right after the 24-byte header: claim 1 TiB.
  std::uint64_t huge = std::uint64_t{1} << 40;
  std::memcpy(b.data() + 24, &huge, 8);
  Error e = expect_error(b, "strlen");
  EXPECT_NE(e.message().find("bytes left"), std::string::npos) << e.message();
}

TEST(GgufMalformed, ArrayCountTwoToThe63) {
  GgufWriter w;
  w.str("general.architecture", "llama");
  std::string payload;
  std::uint32_t et = test::kU32;
  std::uint64_t n = std::uint64_t{1} << 63;
  payload.append(reinterpret_cast<char*>(&et), 4);
  payload.append(reinterpret_cast<char*>(&n), 8);
  w.raw_kv("llama.attention.head_count_kv", test::kArray, payload);
  Error e = expect_error(w.bytes(), "arr63");
  EXPECT_NE(e.message().find("9223372036854775808"), std::string::npos) << e.message();
  // The same for arrays of strings and of arrays.
  for (std::uint32_t t :
       {static_cast<std::uint32_t>(test::kString), static_cast<std::uint32_t>(test::kArray)}) {
    GgufWriter v;
    std::string p2;
    p2.append(reinterpret_cast<char*>(&t), 4);
    p2.append(reinterpret_cast<char*>(&n), 8);
    v.raw_kv("x", test::kArray, p2);
    expect_error(v.bytes(), "arr63-" + std::to_string(t));
  }
}

TEST(GgufMalformed, UnknownValueType) {
  GgufWriter w;
  w.str("general.architecture", "llama");
  w.raw_kv("llama.block_count", 13, std::string(4, '\0'));
  Error e = expect_error(w.bytes(), "type13");
  EXPECT_NE(e.message().find("unknown value type"), std::string::npos) << e.message();
  GgufWriter v;
  std::uint32_t et = 99;
  std::uint64_t n = 1;
  std::string p;
  p.append(reinterpret_cast<char*>(&et), 4);
  p.append(reinterpret_cast<char*>(&n), 8);
  v.raw_kv("x", test::kArray, p);
  expect_error(v.bytes(), "elemtype99");
}

TEST(GgufMalformed, TensorOffsetPastEof) {
  GgufWriter w = small_model();
  w.tensor("blk.1.attn_k.weight", {256, 128}, test::kQ8_0T, std::uint64_t{1} << 50);
  Error e = expect_error(w.bytes(true), "offset");
  EXPECT_NE(e.message().find("offset"), std::string::npos) << e.message();
}

TEST(GgufMalformed, DimsOverflowAndOtherBadTensors) {
  {
    GgufWriter w;
    w.tensor("a", {std::uint64_t{1} << 32, std::uint64_t{1} << 32}, test::kF32T);
    Error e = expect_error(w.bytes(), "dims-overflow");
    EXPECT_NE(e.message().find("64 bits"), std::string::npos) << e.message();
  }
  {
    GgufWriter w;
    w.tensor("a", {std::uint64_t{1} << 63}, test::kF32T);  // a dimension of 2^63
    expect_error(w.bytes(), "dim-2^63");
  }
  {
    GgufWriter w;
    w.tensor("a", {1, 1, 1, 1, 1}, test::kF32T);  // 5 dims > GGML_MAX_DIMS
    expect_error(w.bytes(), "ndims5");
  }
  {
    GgufWriter w;
    w.tensor("a", {32}, 5);  // Q4_3, removed from ggml
    expect_error(w.bytes(), "type5");
  }
  {
    GgufWriter w;
    w.tensor("a", {33}, test::kQ8_0T);  // not a multiple of the 32-value block
    expect_error(w.bytes(), "block");
  }
  {
    GgufWriter w;
    w.tensor("a", {32}, test::kF32T);
    w.tensor("a", {32}, test::kF32T);
    expect_error(w.bytes(), "dup-tensor");
  }
}

TEST(GgufMalformed, HeaderFieldsAndCounts) {
  {
    GgufWriter w = small_model();
    w.claimed_kv_count = std::uint64_t{1} << 62;
    expect_error(w.bytes(), "kv-count");
  }
  {
    GgufWriter w = small_model();
    w.claimed_tensor_count = std::uint64_t{1} << 40;
    expect_error(w.bytes(), "tensor-count");
  }
  {
    GgufWriter w = small_model();
    w.version = 1;
    expect_error(w.bytes(), "v1");
  }
  {
    GgufWriter w = small_model();
    w.version = 0x03000000;  // a big-endian file's version, read little-endian
    Error e = expect_error(w.bytes(), "big-endian");
    EXPECT_NE(e.message().find("big-endian"), std::string::npos);
  }
  {
    GgufWriter w;
    w.u32("general.alignment", 48);
    expect_error(w.bytes(), "align48");
  }
  {
    GgufWriter w;
    w.u32("a", 1);
    w.u32("a", 2);
    expect_error(w.bytes(), "dup-key");
  }
  expect_error("GGML", "magic");
  expect_error(std::string("GGUF\x03\0\0\0", 8), "short");
}

// --- split files
// -----------------------------------------------------------------------------------------------

void write_split_set(const std::string& prefix, int count, std::int64_t tensors_count_claim) {
  for (int i = 0; i < count; ++i) {
    GgufWriter w;
    if (i == 0) {
      w.str("general.architecture", "llama");
      w.u32("llama.block_count", 2);
      w.u32("llama.embedding_length", 256);
      w.u32("llama.attention.head_count", 4);
    }
    w.u32("split.no", static_cast<std::uint32_t>(i));
    w.u32("split.count", static_cast<std::uint32_t>(count));
    w.i32("split.tensors.count", static_cast<std::int32_t>(tensors_count_claim));
    w.tensor("t" + std::to_string(i), {256, 4}, test::kF16T);
    char name[64];
    std::snprintf(name, sizeof name, "-%05d-of-%05d.gguf", i + 1, count);
    w.write(prefix + name, true);
  }
}

TEST(GgufSplit, ReadAsOneModel) {
  std::string prefix = temp("split");
  write_split_set(prefix, 3, 3);
  auto s = spec_from_gguf(prefix + "-00002-of-00003.gguf");  // any part finds the first
  ASSERT_TRUE(s) << s.error().message();
  ASSERT_TRUE(s->gguf);
  EXPECT_EQ(s->gguf->split_count, 3);
  EXPECT_EQ(s->gguf->tensor_count, 3);
  EXPECT_EQ(s->gguf->weight_bytes, 3 * 256 * 4 * 2);
  EXPECT_EQ(s->num_layers(), 2);
}

TEST(GgufSplit, WrongTensorCountIsAnError) {
  std::string prefix = temp("splitbad");
  write_split_set(prefix, 2, 5);
  auto s = spec_from_gguf(prefix + "-00001-of-00002.gguf");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("split.tensors.count"), std::string::npos);
}

TEST(GgufSplit, MissingPartWarns) {
  std::string prefix = temp("splitmiss");
  write_split_set(prefix, 2, 2);
  std::remove((prefix + "-00002-of-00002.gguf").c_str());
  auto s = spec_from_gguf(prefix + "-00001-of-00002.gguf");
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_TRUE(s->has_warnings());
  EXPECT_EQ(s->gguf->tensor_count, 1);
}

// --- the CLI
// ---------------------------------------------------------------------------------------------------

struct CliRun {
  int code = -1;
  std::string out;
};

CliRun cli(const std::string& args) {
  CliRun r;
  std::string cmd = std::string(KVSPEC_CLI) + " " + args + " 2>&1";
  std::FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

TEST(GgufCli, InspectPrintsGgufSummaryAndJson) {
  std::string path = write(test::llama31_8b(), "cli_llama.gguf");
  CliRun text = cli("inspect '" + path + "' --context 4k");
  EXPECT_EQ(text.code, 0) << text.out;
  EXPECT_NE(text.out.find("gguf"), std::string::npos);
  EXPECT_NE(text.out.find("Q4_K_M"), std::string::npos);
  // 4096 tokens × 131'072 B = 536'870'912 B.
  EXPECT_NE(text.out.find("536870912 B"), std::string::npos) << text.out;
  CliRun json = cli("inspect '" + path + "' --json");
  EXPECT_EQ(json.code, 0);
  EXPECT_NE(json.out.find("\"gguf\": {\n    \"version\": 3"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"model_type\": \"llama\""), std::string::npos);
  EXPECT_NE(json.out.find("\"kv_bytes_per_token\": 131072"), std::string::npos);
  EXPECT_NE(json.out.find("\"file_type_name\": \"Q4_K_M\""), std::string::npos);
  // fit takes the weights from the tensor infos, not an estimate.
  CliRun fit = cli("fit '" + path + "' --memory 24GiB");
  EXPECT_EQ(fit.code, 0) << fit.out;
  EXPECT_NE(fit.out.find("exact, from the headers of 1 weight file"), std::string::npos) << fit.out;
}

TEST(GgufCli, MalformedFilesExitTwo) {
  std::string good = small_model().bytes(true);
  std::string cut = good.substr(0, 40);
  std::string big_string = small_model().bytes();
  std::uint64_t huge = std::uint64_t{1} << 40;
  std::memcpy(big_string.data() + 24, &huge, 8);
  GgufWriter arr;
  std::string payload;
  std::uint32_t et = test::kU32;
  std::uint64_t n63 = std::uint64_t{1} << 63;
  payload.append(reinterpret_cast<char*>(&et), 4);
  payload.append(reinterpret_cast<char*>(&n63), 8);
  arr.raw_kv("x", test::kArray, payload);
  GgufWriter type13;
  type13.raw_kv("x", 13, std::string(4, '\0'));
  GgufWriter offset = small_model();
  offset.tensor("far", {32}, test::kF32T, std::uint64_t{1} << 50);
  GgufWriter dims;
  dims.tensor("a", {std::uint64_t{1} << 32, std::uint64_t{1} << 32}, test::kF32T);
  const std::pair<std::string, std::string> cases[] = {
      {"truncated", cut},
      {"string_past_eof", big_string},
      {"array_2_63", arr.bytes()},
      {"unknown_type", type13.bytes()},
      {"offset_past_eof", offset.bytes(true)},
      {"dims_overflow", dims.bytes()},
  };
  for (const auto& [name, bytes] : cases) {
    std::string path = write_bytes(bytes, "cli_bad_" + name + ".gguf");
    CliRun r = cli("inspect '" + path + "'");
    EXPECT_EQ(r.code, 2) << name << ": " << r.out;
    EXPECT_NE(r.out.find("kvspec: error:"), std::string::npos) << name << ": " << r.out;
  }
}

TEST(GgufCli, FolderWithOneGgufModel) {
  std::string dir = temp("folder_one");
  std::string mk = "mkdir -p '" + dir + "'";
  ASSERT_EQ(std::system(mk.c_str()), 0);
  std::remove((dir + "/other.gguf").c_str());  // from an earlier run
  test::llama31_8b().write(dir + "/model-Q4_K_M.gguf");
  GgufWriter proj;
  proj.str("general.architecture", "clip");
  proj.write(dir + "/mmproj-model-f16.gguf");  // a vision projector is not a second model
  auto s = load_model(dir);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->model_type, "llama");
  test::llama31_8b().write(dir + "/other.gguf");
  CliRun r = cli("inspect '" + dir + "'");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find(".gguf models"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace kvspec
