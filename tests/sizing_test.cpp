// Cache dtypes (block-exact), exact sizing rules and the unit parsers/printers at the CLI's edge.
#include "kvspec/dtype.hpp"
#include "kvspec/units.hpp"
#include "test_util.hpp"

namespace kvspec::test {
namespace {

TEST(DType, RowBytesAreBlockExact) {
  EXPECT_EQ(row_bytes(CacheDType::f16, 1024), 2048);
  EXPECT_EQ(row_bytes(CacheDType::f32, 1024), 4096);
  EXPECT_EQ(row_bytes(CacheDType::fp8_e4m3, 1024), 1024);
  EXPECT_EQ(row_bytes(CacheDType::q8_0, 1024), 1024 / 32 * 34);  // 32 blocks × (2 B scale + 32 B)
  EXPECT_EQ(row_bytes(CacheDType::q4_0, 1024), 1024 / 32 * 18);  // 32 blocks × (2 B scale + 16 B)
  EXPECT_EQ(row_bytes(CacheDType::q8_0, 33), 2 * 34);            // a partial block costs a whole block
}

TEST(DType, Names) {
  EXPECT_EQ(parse_cache_dtype("fp16"), CacheDType::f16);
  EXPECT_EQ(parse_cache_dtype("BF16"), CacheDType::bf16);
  EXPECT_EQ(parse_cache_dtype("fp8"), CacheDType::fp8_e4m3);
  EXPECT_EQ(parse_cache_dtype("fp8_e5m2"), CacheDType::fp8_e5m2);
  EXPECT_EQ(parse_cache_dtype("q8_0"), CacheDType::q8_0);
  EXPECT_EQ(parse_cache_dtype("int3"), std::nullopt);
}

TEST(Sizing, QuantizedCacheBytesPerToken) {
  auto s = load_fixture("meta-llama__Llama-3.1-8B");
  // K row = 8 heads × 128 = 1024 values; q8_0: 32 blocks × 34 = 1088 B; K + V = 2176 B; × 32 layers = 69'632
  EXPECT_EQ(*kv_bytes_per_token(s, CacheDType::q8_0, CacheDType::q8_0), 32 * 2 * (1024 / 32 * 34));
  // q4_0: 32 blocks × 18 = 576 B per row → 32 × 2 × 576 = 36'864
  EXPECT_EQ(*kv_bytes_per_token(s, CacheDType::q4_0, CacheDType::q4_0), 32 * 2 * 576);
  // mixed K f16 / V q8_0: 32 × (2048 + 1088) = 100'352
  EXPECT_EQ(*kv_bytes_per_token(s, CacheDType::f16, CacheDType::q8_0), 32 * (2048 + 1088));
}

TEST(Sizing, BatchMultipliesEveryLayer) {
  auto s = load_fixture("mlx-community__gemma-3-12b-it-4bit");
  // 4 sequences of 32k: 4 × 2368 MiB
  EXPECT_EQ(exact_bytes(s, 32768, 4), 4 * 2368 * MiB);
  auto c = size_exact(s, {32768, 1, CacheDType::f16, CacheDType::f16});
  ASSERT_TRUE(c);
  ASSERT_EQ(c->per_layer_bytes.size(), 48u);
  EXPECT_EQ(c->per_layer_bytes[0], 8192 * 1024);   // sliding: 8192 B/token × 1024
  EXPECT_EQ(c->per_layer_bytes[5], 8192 * 32768);  // full
  EXPECT_EQ(c->state_bytes, 0);
  EXPECT_EQ(c->kv_bytes, c->total_bytes);
}

TEST(Sizing, SlidingLayerBelowWindowHoldsTheContext) {
  auto s = load_fixture("openai__gpt-oss-20b");
  // 100 tokens < window 128: every layer holds 100 → 24 × 2048 × 100
  EXPECT_EQ(exact_bytes(s, 100), 24 * 2048 * 100);
}

TEST(Sizing, RejectsNonPositiveContextAndBatch) {
  auto s = load_fixture("meta-llama__Llama-3.1-8B");
  EXPECT_FALSE(size_exact(s, {0, 1, CacheDType::f16, CacheDType::f16}));
  EXPECT_FALSE(size_exact(s, {16, 0, CacheDType::f16, CacheDType::f16}));
}

TEST(Units, ParseCount) {
  EXPECT_EQ(parse_count("4096"), 4096);
  EXPECT_EQ(parse_count("32k"), 32768);
  EXPECT_EQ(parse_count("128K"), 131072);
  EXPECT_EQ(parse_count("1M"), 1048576);
  EXPECT_EQ(parse_count(" 8k "), 8192);
  EXPECT_EQ(parse_count("0"), std::nullopt);
  EXPECT_EQ(parse_count("-5"), std::nullopt);
  EXPECT_EQ(parse_count("1.5k"), std::nullopt);
  EXPECT_EQ(parse_count("k"), std::nullopt);
  EXPECT_EQ(parse_count("99999999999999999999"), std::nullopt);
  EXPECT_EQ(parse_count("2000000M"), std::nullopt);  // 2'000'000 × 2^20 > 2^40
}

TEST(Units, ParseBytes) {
  EXPECT_EQ(parse_bytes("512MiB"), 512LL << 20);
  EXPECT_EQ(parse_bytes("24GiB"), 24LL << 30);
  EXPECT_EQ(parse_bytes("24G"), 24LL << 30);
  EXPECT_EQ(parse_bytes("80GB"), 80'000'000'000LL);
  EXPECT_EQ(parse_bytes("1.5GiB"), 3LL << 29);
  EXPECT_EQ(parse_bytes("1024"), 1024);
  EXPECT_EQ(parse_bytes("12 parsecs"), std::nullopt);
}

TEST(Units, FormatBytes) {
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(384 * MiB), "384 MiB");
  EXPECT_EQ(format_bytes(2'483'027'968), "2.31 GiB");  // 2368 MiB = 2.3125 GiB
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
}

TEST(Pattern, CompactForms) {
  EXPECT_EQ(compact_pattern(load_fixture("meta-llama__Llama-3.1-8B")), "32×full");
  EXPECT_EQ(compact_pattern(load_fixture("openai__gpt-oss-20b")), "[1×sliding(128), 1×full] × 12");
  // 34 layers of a period-6 pattern: 5 whole periods and 4 sliding layers left over.
  EXPECT_EQ(compact_pattern(load_fixture("google__gemma-3-4b-it")),
            "[5×sliding(1024), 1×full] × 5 + 4×sliding(1024)");
  EXPECT_EQ(layer_strip(load_fixture("google__gemma-2-2b-it")), "SFSFSFSFSFSFSFSFSFSFSFSFSF");
}

}  // namespace
}  // namespace kvspec::test
