// The safetensors header reader: layout validation, dtypes, metadata, sharded indexes, header-only copies.
#include <gtest/gtest.h>

#include "format/safetensors.hpp"
#include "support/model_layouts.hpp"
#include "support/safetensors_writer.hpp"

namespace {

using sttest::TempDir;
using sttest::Writer;

std::string message_of(const kvspec::Result<kvspec::st::File>& r) {
  return r ? "" : r.error().message();
}

TEST(SafetensorsReader, ReadsTensorsMetadataAndSizes) {
  TempDir dir;
  Writer w;
  w.metadata("format", "pt");
  w.add("a", "F32", {2, 3}).add("b", "BF16", {5}).add("c", "F8_E4M3", {7}).add("d", "F4", {4, 2});
  w.write(dir / "x.safetensors", /*with_data=*/true);
  auto f = kvspec::st::read_header((dir / "x.safetensors").string());
  ASSERT_TRUE(f) << f.error().message();
  ASSERT_EQ(f->tensors.size(), 4u);
  EXPECT_EQ(f->tensors[0].name, "a");
  EXPECT_EQ(f->tensors[0].bytes(), 24);  // 6 × 4 bytes
  EXPECT_EQ(f->tensors[1].bytes(), 10);  // 5 × 2
  EXPECT_EQ(f->tensors[2].bytes(), 7);   // 7 × 1
  EXPECT_EQ(f->tensors[3].bytes(), 4);   // 8 F4 values × 4 bits / 8
  EXPECT_EQ(f->data_bytes, 24 + 10 + 7 + 4);
  EXPECT_TRUE(f->data_present);
  ASSERT_EQ(f->metadata.size(), 1u);
  EXPECT_EQ(f->metadata[0].second, "pt");
  EXPECT_EQ(f->header_size, static_cast<std::int64_t>(w.header().size()));
}

TEST(SafetensorsReader, EveryFormatDtypeHasItsWidth) {
  // safetensors Dtype::bitsize (v0.6).
  const std::pair<const char*, int> widths[] = {
      {"BOOL", 8}, {"U8", 8},   {"I8", 8},    {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8}, {"I16", 16},
      {"U16", 16}, {"F16", 16}, {"BF16", 16}, {"I32", 32},    {"U32", 32},    {"F32", 32},    {"F64", 64},
      {"I64", 64}, {"U64", 64}, {"C64", 64},  {"F4", 4},      {"F6_E2M3", 6}, {"F6_E3M2", 6}};
  for (auto [name, bits] : widths) {
    auto d = kvspec::st::parse_dtype(name);
    ASSERT_TRUE(d) << name;
    EXPECT_EQ(kvspec::st::bits(*d), bits) << name;
    EXPECT_EQ(kvspec::st::to_string(*d), name);
  }
  EXPECT_FALSE(kvspec::st::parse_dtype("F12"));
  EXPECT_FALSE(kvspec::st::parse_dtype("float16"));
}

TEST(SafetensorsReader, OffsetsMayBeListedInAnyOrder) {
  // data_offsets decide the layout, not the key order (tensor.rs sorts by offsets before validating).
  std::string h =
      R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  auto f = kvspec::st::parse_header(h, "mem", 8 + static_cast<std::int64_t>(h.size()) + 8);
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->data_bytes, 8);
}

TEST(SafetensorsReader, HeaderOnlyCopyIsReadWithDataMissing) {
  TempDir dir;
  Writer w;
  w.add("w", "BF16", {1024, 1024});
  w.write(dir / "h.safetensors");  // no data: 2 MiB declared
  auto f = kvspec::st::read_header((dir / "h.safetensors").string());
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_FALSE(f->data_present);
  EXPECT_EQ(f->data_bytes, 1024 * 1024 * 2);
}

TEST(SafetensorsReader, ZeroSizedTensorsAndEmptyShapes) {
  // A scalar (shape []) holds one element; a [0, 8] tensor holds none and spans [x, x].
  std::string h =
      R"({"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"z":{"dtype":"F16","shape":[0,8],"data_offsets":[4,4]}})";
  auto f = kvspec::st::parse_header(h, "mem", 100);
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->data_bytes, 4);
}

struct BadHeader {
  const char* label;
  const char* json;
  const char* expect;  // a fragment of the message
};

// Parameter names in test listings, not byte dumps.
void PrintTo(const BadHeader& c, std::ostream* os) {
  *os << c.label;
}

class MalformedHeader : public testing::TestWithParam<BadHeader> {};

TEST_P(MalformedHeader, IsAnErrorNamingFileAndProblem) {
  const BadHeader& c = GetParam();
  auto f = kvspec::st::parse_header(c.json, "/models/x/model.safetensors", 1 << 20);
  ASSERT_FALSE(f) << c.label;
  EXPECT_EQ(f.error().code, kvspec::ErrorCode::bad_input);
  std::string m = message_of(f);
  EXPECT_NE(m.find("/models/x/model.safetensors"), std::string::npos) << m;
  EXPECT_NE(m.find(c.expect), std::string::npos) << c.label << ": " << m;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MalformedHeader,
    testing::Values(
        BadHeader{"not json", "{\"a\": ", "invalid JSON"},
        BadHeader{"not an object", "[1, 2]", "a JSON object"},
        BadHeader{
            "overlap",
            R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
            "overlapping offsets"},
        BadHeader{
            "gap",
            R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
            "a gap between tensors"},
        BadHeader{"first not at 0", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                  "to begin at 0"},
        BadHeader{"bad dtype", R"({"a":{"dtype":"F12","shape":[1],"data_offsets":[0,4]}})", "'F12'"},
        BadHeader{"shape/size mismatch", R"({"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,8]}})",
                  "shape/size mismatch"},
        BadHeader{"end before begin", R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}})",
                  "begin ≤ end"},
        BadHeader{"negative dim", R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}})",
                  "non-negative"},
        BadHeader{"overflowing shape",
                  R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})",
                  "overflowing"},
        BadHeader{"half a byte", R"({"a":{"dtype":"F4","shape":[3],"data_offsets":[0,1]}})",
                  "whole number of bytes"},
        BadHeader{"missing key", R"({"a":{"dtype":"F32","shape":[1]}})", "data_offsets"},
        BadHeader{"metadata not strings", R"({"__metadata__":{"n":1}})", "__metadata__.n"},
        BadHeader{
            "duplicate name",
            R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
            "duplicate"}),
    [](const testing::TestParamInfo<BadHeader>& i) {
      std::string s = i.param.label;
      for (char& ch : s)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return s;
    });

TEST(SafetensorsReader, HeaderLengthPastTheEndOfTheFile) {
  TempDir dir;
  Writer::write_raw(dir / "t.safetensors", 1000, "{}", 0);  // declares 1000 header bytes, holds 2
  auto f = kvspec::st::read_header((dir / "t.safetensors").string());
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().message().find("past the end of the file"), std::string::npos) << f.error().message();
}

TEST(SafetensorsReader, HeaderLargerThanTheFormatsLimit) {
  TempDir dir;
  Writer::write_raw(dir / "t.safetensors", 100'000'001, "{}", 0);  // over MAX_HEADER_SIZE and kMaxHeaderBytes
  auto f = kvspec::st::read_header((dir / "t.safetensors").string());
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().message().find("header too large"), std::string::npos) << f.error().message();
}

TEST(SafetensorsReader, FileShorterThanTheLengthPrefix) {
  TempDir dir;
  sttest::write_text(dir / "t.safetensors", "abc");
  auto f = kvspec::st::read_header((dir / "t.safetensors").string());
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().message().find("at least 8 bytes"), std::string::npos) << f.error().message();
}

TEST(SafetensorsCheckpoint, NoSafetensorsMeansNoCheckpoint) {
  TempDir dir;
  sttest::write_text(dir / "config.json", "{}");
  auto ck = kvspec::st::read_checkpoint(dir.path());
  ASSERT_TRUE(ck) << ck.error().message();
  EXPECT_FALSE(*ck);
}

TEST(SafetensorsCheckpoint, ShardedIndexReadsOnlyTheListedFilesAndOnlyTheirHeaders) {
  TempDir dir;
  Writer a, b;
  a.add("model.embed_tokens.weight", "BF16", {16, 8});
  b.add("lm_head.weight", "BF16", {16, 8}).add("model.norm.weight", "BF16", {8});
  a.write(dir / "model-00001-of-00002.safetensors", true);
  b.write(dir / "model-00002-of-00002.safetensors", true);
  Writer stray;
  stray.add("x", "F32", {1});
  stray.write(dir / "adapter.safetensors", true);  // not in the index: ignored
  std::string idx = sttest::index_json(
      {{"model-00001-of-00002.safetensors", &a}, {"model-00002-of-00002.safetensors", &b}});
  sttest::write_text(dir / "model.safetensors.index.json", idx);
  auto ck = kvspec::st::read_checkpoint(dir.path());
  ASSERT_TRUE(ck) << ck.error().message();
  ASSERT_TRUE(*ck);
  ASSERT_EQ((*ck)->files.size(), 2u);
  EXPECT_EQ((*ck)->tensor_count(), 3);
  // Bytes read: the index, then 8 + header length per shard — never the data.
  std::int64_t expect = static_cast<std::int64_t>(idx.size()) + 8 +
                        static_cast<std::int64_t>(a.header().size()) + 8 +
                        static_cast<std::int64_t>(b.header().size());
  EXPECT_EQ((*ck)->bytes_read, expect);
  EXPECT_TRUE((*ck)->notes.empty());
}

TEST(SafetensorsCheckpoint, IndexDisagreeingWithHeadersIsAWarning) {
  TempDir dir;
  Writer a;
  a.add("w", "BF16", {4});
  a.write(dir / "m.safetensors", true);
  sttest::write_text(
      dir / "model.safetensors.index.json",
      R"({"metadata":{"total_size":999},"weight_map":{"w":"m.safetensors","v":"m.safetensors"}})");
  auto ck = kvspec::st::read_checkpoint(dir.path());
  ASSERT_TRUE(ck) << ck.error().message();
  std::string notes;
  for (const auto& n : (*ck)->notes) notes += n.text + "\n";
  EXPECT_NE(notes.find("maps 2 tensors, the headers hold 1"), std::string::npos) << notes;
  EXPECT_NE(notes.find("total_size 999, the headers' data sections add up to 8"), std::string::npos) << notes;
}

TEST(SafetensorsCheckpoint, MissingShardsMeanNoSummaryAndAWarning) {
  TempDir dir;
  Writer a;
  a.add("w", "BF16", {4});
  a.write(dir / "model-00001-of-00002.safetensors", true);
  sttest::write_text(
      dir / "model.safetensors.index.json",
      R"({"weight_map":{"w":"model-00001-of-00002.safetensors","v":"model-00002-of-00002.safetensors"}})");
  auto ck = kvspec::st::read_checkpoint(dir.path());
  ASSERT_TRUE(ck) << ck.error().message();
  ASSERT_TRUE(*ck);
  EXPECT_TRUE((*ck)->files.empty());
  ASSERT_EQ((*ck)->notes.size(), 1u);
  EXPECT_NE((*ck)->notes[0].text.find("1 of the 2 files"), std::string::npos) << (*ck)->notes[0].text;
}

TEST(SafetensorsCheckpoint, IndexPathsMayNotLeaveTheFolder) {
  TempDir dir;
  sttest::write_text(dir / "model.safetensors.index.json",
                     R"({"weight_map":{"w":"../../etc/x.safetensors"}})");
  auto ck = kvspec::st::read_checkpoint(dir.path());
  ASSERT_FALSE(ck);
  EXPECT_NE(ck.error().message().find("inside the model folder"), std::string::npos) << ck.error().message();
}

TEST(SafetensorsCheckpoint, HeaderOnlyFilesGiveOneWarningForAll) {
  TempDir dir;
  for (int i = 0; i < 3; ++i) {
    Writer w;
    w.add("t" + std::to_string(i), "F32", {256});
    w.write(dir / ("m" + std::to_string(i) + ".safetensors"));
  }
  auto ck = kvspec::st::read_checkpoint(dir.path());
  ASSERT_TRUE(ck) << ck.error().message();
  ASSERT_EQ((*ck)->notes.size(), 1u);
  EXPECT_EQ((*ck)->notes[0].level, kvspec::Note::Level::warning);
  EXPECT_NE((*ck)->notes[0].text.find("3 header-only files"), std::string::npos) << (*ck)->notes[0].text;
}

}  // namespace
