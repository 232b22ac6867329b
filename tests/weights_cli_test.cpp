// `kvspec inspect` on folders with safetensors: the weights in the text and JSON outputs, and malformed
// headers exiting 2 with a message naming the file and the problem.
#include <gtest/gtest.h>

#include "cli_util.hpp"
#include "json/json.hpp"
#include "support/model_layouts.hpp"
#include "support/safetensors_writer.hpp"

namespace {

namespace fs = std::filesystem;
using sttest::TempDir;
using sttest::Writer;

const fs::path kConfigs = fs::path(KVSPEC_TEST_DATA) / "configs";

std::string shell_quoted(const std::string& p) {
  return "'" + p + "'";
}

// A folder with Llama-3.1-8B's config and one small safetensors file whose header is `header` (raw bytes
// after the length prefix), its length prefix `declared` (default: the header's size), and `data` bytes after
// it.
fs::path malformed_model(const TempDir& dir, const std::string& header,
                         std::optional<std::uint64_t> declared = {}, std::int64_t data = 0) {
  sttest::copy_config(kConfigs / "meta-llama__Llama-3.1-8B-Instruct" / "config.json", dir.path());
  fs::path file = dir / "model.safetensors";
  Writer::write_raw(file, declared.value_or(header.size()), header, data);
  return file;
}

struct Malformed {
  const char* label;
  std::string header;
  std::optional<std::uint64_t> declared;
  std::int64_t data;
  const char* problem;
};

// Parameter names in test listings, not byte dumps.
void PrintTo(const Malformed& c, std::ostream* os) {
  *os << c.label;
}

class MalformedCli : public testing::TestWithParam<Malformed> {};

TEST_P(MalformedCli, ExitsTwoNamingFileAndProblem) {
  const Malformed& c = GetParam();
  TempDir dir;
  fs::path file = malformed_model(dir, c.header, c.declared, c.data);
  auto r = kvspec::test::run_cli("inspect " + shell_quoted(dir.path()));
  EXPECT_EQ(r.exit_code, 2) << c.label << "\n" << r.out;
  EXPECT_NE(r.out.find(file.string()), std::string::npos) << c.label << "\n" << r.out;
  EXPECT_NE(r.out.find(c.problem), std::string::npos) << c.label << "\n" << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MalformedCli,
    testing::Values(
        Malformed{"length_past_eof", "{}", 4096, 0, "header length past the end of the file"},
        Malformed{"header_over_100MB", "{}", 100'000'001, 0, "header too large"},
        Malformed{
            "overlapping_offsets",
            R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
            std::nullopt, 12, "overlapping offsets"},
        Malformed{"bad_dtype", R"({"a":{"dtype":"F12","shape":[1],"data_offsets":[0,4]}})", std::nullopt, 4,
                  "expected a safetensors dtype"},
        Malformed{"shape_size_mismatch", R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
                  std::nullopt, 8, "shape/size mismatch"},
        Malformed{"not_json", "this is not JSON", std::nullopt, 0, "invalid JSON"}),
    [](const testing::TestParamInfo<Malformed>& i) { return std::string(i.param.label); });

TEST(WeightsCli, TextSummaryShowsWeights) {
  TempDir dir;
  sttest::copy_config(kConfigs / "mlx-community__Meta-Llama-3.1-8B-Instruct-4bit" / "config.json",
                      dir.path());
  sttest::mlx_llama31_8b_4bit().write(dir / "model.safetensors");
  auto r = kvspec::test::run_cli("inspect " + shell_quoted(dir.path()));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("weights        4.21 GiB (4517404672 B) in 1 file, 743 tensors"), std::string::npos)
      << r.out;  // 4'517'404'672 / 2^30 = 4.207; tensors 3 + 32 × (7 × 3 + 2) + 1 + 3 = 743
  EXPECT_NE(r.out.find("parameters     8.03 B (8030261248)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("weight quant   mlx 4-bit: 226 packed tensors"), std::string::npos) << r.out;
  // U32 4'014'997'504 / 4'517'404'672 = 88.9 %
  EXPECT_NE(r.out.find("weight dtypes  U32 88.9%, BF16 11.1%"), std::string::npos) << r.out;
}

TEST(WeightsCli, JsonHasTheWeightsObject) {
  TempDir dir;
  sttest::copy_config(kConfigs / "mlx-community__Meta-Llama-3.1-8B-Instruct-4bit" / "config.json",
                      dir.path());
  sttest::mlx_llama31_8b_4bit().write(dir / "model.safetensors");
  auto r = kvspec::test::run_cli("inspect --json " + shell_quoted(dir.path()));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto doc = kvspec::json::parse(r.out, "stdout");
  ASSERT_TRUE(doc) << doc.error().message();
  const kvspec::json::Value* w = doc->root.find("weights");
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->is_object());
  EXPECT_EQ(w->find("total_bytes")->as_int(), 4'517'404'672);  // derived in weights_test.cpp
  EXPECT_EQ(w->find("parameters")->as_int(), 8'030'261'248);
  EXPECT_TRUE(w->find("active_parameters")->is_null());
  EXPECT_EQ(w->find("by_dtype")->find("U32")->find("bytes")->as_int(), 4'014'997'504);
  EXPECT_EQ(w->find("by_component")->find("lm_head")->find("parameters")->as_int(), 525'336'576);
  ASSERT_TRUE(w->find("files")->is_array());
  EXPECT_EQ(w->find("files")->as_array().size(), 1u);
  EXPECT_FALSE(w->find("files")->as_array()[0].find("data_present")->as_bool());
}

TEST(WeightsCli, JsonWeightsIsNullWithoutSafetensors) {
  TempDir dir;
  sttest::copy_config(kConfigs / "meta-llama__Llama-3.1-8B-Instruct" / "config.json", dir.path());
  auto r = kvspec::test::run_cli("inspect --json " + shell_quoted(dir.path()));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto doc = kvspec::json::parse(r.out, "stdout");
  ASSERT_TRUE(doc) << doc.error().message();
  const kvspec::json::Value* w = doc->root.find("weights");
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(w->is_null());
}

}  // namespace
