// kvspec/commands.hpp: the commands the CLI and the Python module share, called directly.
#include <gtest/gtest.h>

#include <string>

#include "kvspec/commands.hpp"
#include "test_util.hpp"

namespace {

using kvspec::CommandOptions;
using kvspec::OutputFormat;

TEST(Commands, InspectBundledExampleAsJson) {
  CommandOptions o;
  o.context = "32k";
  auto out = kvspec::inspect_command("", o, OutputFormat::json);
  ASSERT_TRUE(out) << out.error().message();
  // Gemma-3-12B: 40 sliding layers × 1024 + 8 full × 32768 tokens, × 2 × 8 heads × 256 × 2 B
  // = 335'544'320 + 2'147'483'648
  EXPECT_NE(out->find("\"total_bytes\": 2483027968"), std::string::npos) << out->substr(0, 400);
}

TEST(Commands, OptionsAreCheckedBeforeAnyFileIsRead) {
  CommandOptions o;
  o.batch = -1;
  auto r = kvspec::inspect_command("/nonexistent/model", o, OutputFormat::text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kvspec::ErrorCode::usage);
  EXPECT_EQ(r.error().field, "--batch");
  o = {};
  o.parallel = 2;
  o.batch = 3;
  r = kvspec::inspect_command("", o, OutputFormat::text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "--parallel");
  o = {};
  o.kv_dtype = "q3_k";
  r = kvspec::inspect_command("", o, OutputFormat::json);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "--kv-dtype");
}

TEST(Commands, FitNeedsMemoryAndOneTarget) {
  CommandOptions o;
  auto r = kvspec::fit_command("", o, OutputFormat::json);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "--memory");
  o.memory = "24GiB";
  o.context = "4096";
  o.batch = 2;
  r = kvspec::fit_command("", o, OutputFormat::json);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "--context");
}

TEST(Commands, CompareTwoModels) {
  CommandOptions o;
  o.context = "1024";
  auto out = kvspec::compare_command({kvspec::test::data_path("configs/meta-llama__Llama-3.1-8B"),
                                      kvspec::test::data_path("configs/Qwen__Qwen2.5-14B-Instruct")},
                                     o, OutputFormat::json);
  ASSERT_TRUE(out) << out.error().message();
  // Llama-3.1-8B 32 layers × 1024 × 2 × 8 × 128 × 2 B = 134'217'728; Qwen2.5-14B 48 layers: 201'326'592
  EXPECT_NE(out->find("\"total_bytes\": 134217728"), std::string::npos);
  EXPECT_NE(out->find("\"total_bytes\": 201326592"), std::string::npos);
}

}  // namespace
