// --images (image cross-attention layers sized for N images per sequence) and peak_bytes (what a runtime
// holds right after a one-pass prefill), by hand.
#include <gtest/gtest.h>

#include "cli_util.hpp"
#include "kvspec/runtime.hpp"
#include "test_util.hpp"

namespace {

kvspec::RuntimeRequest request(kvspec::Runtime runtime, std::int64_t context,
                               kvspec::CacheDType dt = kvspec::CacheDType::f16) {
  kvspec::RuntimeRequest q;
  q.runtime = runtime;
  q.context = context;
  q.k_dtype = q.v_dtype = dt;
  return q;
}

// Llama-3.2-90B-Vision: 80 self-attention layers and 20 cross-attention layers of 8 KV heads × 128; one image
// is 4 tiles × ((560 / 14)² + 1) = 6'404 tokens. f16: 4'096 B per token per layer.
constexpr std::int64_t kSelf = 80LL * 4'096 * 8'192;           // 2'684'354'560 at 8'192 tokens
constexpr std::int64_t kCrossPerImage = 20LL * 4'096 * 6'404;  // 524'615'680

TEST(RuntimeImages, MllamaCrossAttentionScalesWithImages) {
  auto spec = kvspec::test::load_fixture("meta-llama__Llama-3.2-90B-Vision-Instruct");
  for (auto runtime : {kvspec::Runtime::exact, kvspec::Runtime::transformers}) {
    auto q = request(runtime, 8'192);
    auto one = kvspec::size_runtime(spec, q);  // default: one image
    ASSERT_TRUE(one) << one.error().message();
    EXPECT_EQ(one->total_bytes, kSelf + kCrossPerImage);
    EXPECT_EQ(one->images, 1);
    q.images = 0;  // text-only input: the cross-attention layers hold nothing
    auto none = kvspec::size_runtime(spec, q);
    ASSERT_TRUE(none) << none.error().message();
    EXPECT_EQ(none->total_bytes, kSelf);
    EXPECT_EQ(none->per_layer_bytes[3], 0);
    q.images = 2;
    auto two = kvspec::size_runtime(spec, q);
    ASSERT_TRUE(two) << two.error().message();
    EXPECT_EQ(two->total_bytes, kSelf + 2 * kCrossPerImage);
  }
  auto bad = request(kvspec::Runtime::exact, 8'192);
  bad.images = -1;
  EXPECT_FALSE(kvspec::size_runtime(spec, bad));
}

TEST(RuntimeImages, CliImagesFlagAndJson) {
  const std::string model = kvspec::test::data_path("configs/meta-llama__Llama-3.2-90B-Vision-Instruct");
  auto r = kvspec::test::run_cli("inspect " + model + " --context 8192 --images 0 --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"total_bytes\": 2684354560"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"images\": 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"peak_bytes\": 2684354560"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("text-only input"), std::string::npos) << r.out;
  auto text = kvspec::test::run_cli("inspect " + model + " --context 8192");
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("1 image per sequence"), std::string::npos) << text.out;
  EXPECT_EQ(kvspec::test::run_cli("inspect " + model + " --context 8192 --images -2").exit_code, 2);
}

// mlx-lm RotatingKVCache._update_concat during a prefill in 2'048-token chunks (generate.py): Gemma 3 12B,
// 40 rotating layers (window 1'024) and 8 full ones, bf16: 8'192 B per token per layer.
TEST(RuntimePeak, MlxRotatingCacheDuringPrefill) {
  auto spec = kvspec::test::load_fixture("mlx-community__gemma-3-12b-it-4bit");
  const std::int64_t row = 8'192, rotating = 40;
  auto at = [&](std::int64_t t) {
    auto got = kvspec::size_runtime(spec, request(kvspec::Runtime::mlx, t, kvspec::CacheDType::bf16));
    EXPECT_TRUE(got) << got.error().message();
    return got ? got->peak_bytes - got->total_bytes : -1;
  };
  // 1'500 tokens, one chunk: all 1'500 held at once, 1'024 after: 476 extra per rotating layer
  EXPECT_EQ(at(1'500), 476 * row * rotating);
  // 3'000 tokens: chunks 2'048 + 952; held 2'048, then 1'023 + 952 = 1'975: peak 2'048 (1'024 extra)
  EXPECT_EQ(at(3'000), 1'024 * row * rotating);
  // 32'768 tokens: 16 chunks of 2'048: from the second on 1'023 + 2'048 = 3'071 (2'047 extra)
  EXPECT_EQ(at(32'768), 2'047 * row * rotating);
  // within the window nothing rotates
  EXPECT_EQ(at(1'000), 0);
}

// Runtimes that allocate up front hold the same after a prefill.
TEST(RuntimePeak, PreallocatingRuntimesHaveNoPeak) {
  auto spec = kvspec::test::load_fixture("mlx-community__gemma-3-12b-it-4bit");
  for (auto runtime : {kvspec::Runtime::exact, kvspec::Runtime::llama_cpp, kvspec::Runtime::vllm}) {
    auto got = kvspec::size_runtime(spec, request(runtime, 32'768));
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_GT(got->total_bytes, 0);
    EXPECT_EQ(got->peak_bytes, got->total_bytes) << kvspec::to_string(runtime);
  }
}

}  // namespace
