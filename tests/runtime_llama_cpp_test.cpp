// The llama.cpp profile against what llama.cpp printed (tests/data/llama.cpp/measured.tsv), row by row.
//
// Each row is checked twice: with a spec built here by hand from the fixture's GGUF metadata (the `layout`
// column and tests/data/gguf/*.gguf: block count, KV heads, key/value lengths, sliding window and the
// architecture's layer pattern, MLA and SSM sizes), and with the spec kvspec reads from that GGUF header
// itself.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kvspec/load.hpp"
#include "kvspec/runtime.hpp"

namespace {

using kvspec::LayerKind;
using kvspec::LayerSpec;
using kvspec::ModelCacheSpec;

LayerSpec attn(LayerKind kind, std::int64_t heads, std::int64_t k, std::int64_t v,
               std::optional<std::int64_t> window = std::nullopt) {
  LayerSpec l;
  l.kind = kind;
  l.num_kv_heads = heads;
  l.head_dim_k = k;
  l.head_dim_v = v;
  l.window = window;
  return l;
}

LayerSpec mamba1(std::int64_t d_inner, std::int64_t d_conv, std::int64_t d_state) {
  LayerSpec l;
  l.kind = LayerKind::recurrent;
  l.conv_state_values = (d_conv - 1) * d_inner;
  l.recurrent_state_values = d_state * d_inner;
  l.state_bytes = 2 * (l.conv_state_values + l.recurrent_state_values);
  return l;
}

ModelCacheSpec fixture_spec(const std::string& arch) {
  ModelCacheSpec s;
  s.model_type = arch;
  if (arch == "llama") {  // llama.block_count 32, head_count_kv 8, key/value_length 128
    for (int i = 0; i < 32; ++i) s.layers.push_back(attn(LayerKind::full_attention, 8, 128, 128));
  } else if (arch == "gemma3") {  // 48 blocks, kv 8 × 256, sliding_window 1024, set_swa_pattern(6)
    for (int i = 0; i < 48; ++i)
      s.layers.push_back((i + 1) % 6 == 0 ? attn(LayerKind::full_attention, 8, 256, 256)
                                          : attn(LayerKind::sliding_attention, 8, 256, 256, 1024));
  } else if (arch ==
             "gemma2") {  // 42 blocks, kv 8 × 256, sliding_window 4096, set_swa_pattern(2): even sliding
    for (int i = 0; i < 42; ++i)
      s.layers.push_back(i % 2 == 0 ? attn(LayerKind::sliding_attention, 8, 256, 256, 4096)
                                    : attn(LayerKind::full_attention, 8, 256, 256));
  } else if (arch == "qwen2moe") {  // 24 blocks, kv 16 × 128
    for (int i = 0; i < 24; ++i) s.layers.push_back(attn(LayerKind::full_attention, 16, 128, 128));
  } else if (arch ==
             "phi3") {  // 32 blocks, kv 32, head 3072 / 32 = 96, sliding_window 2047 stated in the GGUF
    for (int i = 0; i < 32; ++i) s.layers.push_back(attn(LayerKind::sliding_attention, 32, 96, 96, 2047));
  } else if (arch == "deepseek2") {  // 27 blocks, head_count_kv 1, key_length 576 (512 latent + 64 rope), MLA
    for (int i = 0; i < 27; ++i) s.layers.push_back(attn(LayerKind::mla, 1, 576, 0));
  } else if (arch == "mamba") {  // 64 blocks, ssm inner 5120, conv_kernel 4, state 16
    for (int i = 0; i < 64; ++i) s.layers.push_back(mamba1(5120, 4, 16));
  } else if (arch ==
             "jamba") {  // 32 blocks, head_count_kv 8 at i % 8 == 4 (else 0), head 4096/32; ssm 8192/4/16
    for (int i = 0; i < 32; ++i)
      s.layers.push_back(i % 8 == 4 ? attn(LayerKind::full_attention, 8, 128, 128) : mamba1(8192, 4, 16));
  } else {
    ADD_FAILURE() << "no spec for arch " << arch;
  }
  return s;
}

std::vector<std::map<std::string, std::string>> read_tsv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::map<std::string, std::string>> rows;
  std::string line;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string c;
    while (std::getline(ss, c, '\t')) cols.push_back(c);
    if (header.empty()) {
      header = cols;
      continue;
    }
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size(); ++i) row[header[i]] = i < cols.size() ? cols[i] : "";
    rows.push_back(std::move(row));
  }
  return rows;
}

// "%.2f" of bytes / 2^20, as llama.cpp prints MiB.
std::string mib(std::int64_t bytes) {
  return fmt::format("{:.2f}", static_cast<double>(bytes) / 1048576.0);
}
std::string mib(const std::string& printed) {
  return fmt::format("{:.2f}", std::stod(printed));
}

template <class SpecFor>
void check_measured_rows(SpecFor spec_for) {
  auto rows = read_tsv(std::string(KVSPEC_TEST_DATA) + "/llama.cpp/measured.tsv");
  ASSERT_GE(rows.size(), 30u);
  for (auto& r : rows) {
    SCOPED_TRACE(r["case"]);
    kvspec::RuntimeRequest q;
    q.runtime = kvspec::Runtime::llama_cpp;
    q.context = r["n_ctx"].empty() ? 4096 : std::stoll(r["n_ctx"]);
    q.batch = std::stoll(r["n_seqs"]);
    q.llama_cpp.ubatch = r["n_ubatch"].empty() ? 512 : std::stoll(r["n_ubatch"]);
    q.k_dtype = *kvspec::parse_cache_dtype(r["type_k"]);
    q.v_dtype = *kvspec::parse_cache_dtype(r["type_v"]);
    // flash_attn as the wrapper created the context: auto, enabled, disabled; empty on refused rows, where
    // the wrapper had disabled it for that architecture (the same arch's other rows say "disabled").
    const std::string& fa = r["flash_attn"];
    q.llama_cpp.flash_attn = fa == "auto"      ? kvspec::FlashAttn::automatic
                             : fa == "enabled" ? kvspec::FlashAttn::on
                                               : kvspec::FlashAttn::off;
    q.llama_cpp.swa_full = r["extra_args"].find("--swa-full") != std::string::npos;
    auto got = kvspec::size_runtime(spec_for(r), q);
    if (!r["error"].empty()) {
      ASSERT_FALSE(got) << "llama.cpp refused: " << r["error"];
      EXPECT_EQ(got.error().code, kvspec::ErrorCode::usage);
      continue;
    }
    ASSERT_TRUE(got) << got.error().message();
    if (!r["cells"].empty()) {
      EXPECT_EQ(got->cells.value_or(-1), std::stoll(r["cells"]));
    } else {
      EXPECT_FALSE(got->cells.has_value());
    }
    if (!r["swa_cells"].empty()) {
      EXPECT_EQ(got->swa_cells.value_or(-1), std::stoll(r["swa_cells"]));
    } else {
      EXPECT_FALSE(got->swa_cells.has_value());
    }
    EXPECT_EQ(mib(got->kv_bytes), mib(r["kv_total_mib"]));
    EXPECT_EQ(mib(got->k_bytes), mib(r["k_mib"]));
    EXPECT_EQ(mib(got->v_bytes), mib(r["v_mib"]));
    if (!r["swa_mib"].empty()) {
      EXPECT_EQ(mib(got->swa_bytes.value_or(0)), mib(r["swa_mib"]));
    }
    if (!r["recurrent_mib"].empty()) {
      EXPECT_EQ(mib(got->state_bytes), mib(r["recurrent_mib"]));
      EXPECT_EQ(mib(got->r_bytes), mib(r["r_mib"]));
      EXPECT_EQ(mib(got->s_bytes), mib(r["s_mib"]));
      EXPECT_EQ(got->recurrent_cells.value_or(-1), std::stoll(r["recurrent_cells"]));
    }
  }
}

TEST(RuntimeLlamaCpp, ReproducesMeasuredTsv) {
  check_measured_rows([](std::map<std::string, std::string>& r) { return fixture_spec(r["arch"]); });
}

TEST(RuntimeLlamaCpp, ReproducesMeasuredTsvFromGgufHeaders) {
  // "gemma3_12b/c32k" → tests/data/gguf/gemma3_12b.gguf
  check_measured_rows([](std::map<std::string, std::string>& r) {
    std::string file =
        std::string(KVSPEC_TEST_DATA) + "/gguf/" + r["case"].substr(0, r["case"].find('/')) + ".gguf";
    auto spec = kvspec::load_model(file);
    EXPECT_TRUE(spec) << (spec ? "" : spec.error().message());
    return spec ? *spec : ModelCacheSpec{};
  });
}

// Hand-derived: Gemma-3-12B, n_ctx 32768, one sequence, ubatch 513.
TEST(RuntimeLlamaCpp, Gemma3SwaCellsByHand) {
  kvspec::RuntimeRequest q;
  q.runtime = kvspec::Runtime::llama_cpp;
  q.context = 32768;
  q.llama_cpp.ubatch = 513;
  auto got = kvspec::size_runtime(fixture_spec("gemma3"), q);
  ASSERT_TRUE(got) << got.error().message();
  // SWA cells = pad256(min(32768, 1024 · 1 + 513)) = pad256(1537) = 1792
  EXPECT_EQ(*got->swa_cells, 1792);
  // one layer's row: 8 heads × 256 × 2 bytes = 4096 B for K, the same for V
  // base: 8 full layers × 32768 cells × 8192 B = 2'147'483'648; SWA: 40 × 1792 × 8192 = 587'202'560
  EXPECT_EQ(got->kv_bytes, 2'147'483'648 + 587'202'560);
  EXPECT_EQ(*got->swa_bytes, 587'202'560);
}

// Unified KV: one stream of n_ctx cells shared by all sequences; the SWA cache holds n_swa · n_seq + ubatch.
TEST(RuntimeLlamaCpp, UnifiedKvSharesOneStream) {
  kvspec::RuntimeRequest q;
  q.runtime = kvspec::Runtime::llama_cpp;
  q.context = 16384;
  q.batch = 4;
  q.llama_cpp.kv_unified = true;
  auto got = kvspec::size_runtime(fixture_spec("gemma3"), q);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(*got->streams, 1);
  EXPECT_EQ(*got->cells, 16384);
  // pad256(min(16384, 1024 · 4 + 512)) = pad256(4608) = 4608
  EXPECT_EQ(*got->swa_cells, 4608);
}

// n_ctx that is not a multiple of 256 (or of 256 · sequences) is padded, per stream.
TEST(RuntimeLlamaCpp, ContextPaddedTo256PerStream) {
  kvspec::RuntimeRequest q;
  q.runtime = kvspec::Runtime::llama_cpp;
  q.context = 5000;
  q.batch = 3;
  auto got = kvspec::size_runtime(fixture_spec("llama"), q);
  ASSERT_TRUE(got) << got.error().message();
  // pad256(5000) = 5120; 5120 / 3 = 1706 -> pad256 = 1792 cells per stream; n_ctx = 1792 × 3 = 5376
  EXPECT_EQ(*got->cells, 1792);
  EXPECT_EQ(*got->n_ctx, 5376);
  // 32 layers × (1024 + 1024 values × 2 B) = 131'072 B per cell; × 1792 × 3 streams = 704'643'072
  EXPECT_EQ(got->total_bytes, 704'643'072);
}

TEST(RuntimeLlamaCpp, QuantizedVNeedsFlashAttention) {
  kvspec::RuntimeRequest q;
  q.runtime = kvspec::Runtime::llama_cpp;
  q.context = 4096;
  q.k_dtype = kvspec::CacheDType::q8_0;
  q.v_dtype = kvspec::CacheDType::q8_0;
  q.llama_cpp.flash_attn = kvspec::FlashAttn::off;
  EXPECT_FALSE(kvspec::size_runtime(fixture_spec("llama"), q));
  q.llama_cpp.flash_attn = kvspec::FlashAttn::automatic;  // auto resolves to on
  auto got = kvspec::size_runtime(fixture_spec("llama"), q);
  ASSERT_TRUE(got) << got.error().message();
  // 1024 values = 32 blocks × 34 B = 1088 B per row; 32 layers × 2 × 1088 × 4096 = 285'212'672 (272 MiB)
  EXPECT_EQ(got->total_bytes, 285'212'672);
}

// Load logs of real llama.cpp runs found in public repositories (the KV lines quoted; the model's geometry
// from its published config, or inferred where the log names only the layer count and n_ctx_train).
struct RealLog {
  const char* what;
  ModelCacheSpec spec;
  std::int64_t n_ctx, n_seq;
  kvspec::CacheDType type;
  std::int64_t cells;
  std::string kv_mib, swa_mib;
};

ModelCacheSpec uniform(const char* type, int layers, std::int64_t heads, std::int64_t k, std::int64_t v) {
  ModelCacheSpec s;
  s.model_type = type;
  for (int i = 0; i < layers; ++i) s.layers.push_back(attn(LayerKind::full_attention, heads, k, v));
  return s;
}

TEST(RuntimeLlamaCpp, RealLoadLogs) {
  ModelCacheSpec gpt_oss_20b;  // 24 blocks, kv 8 × 64, sliding_window 128, set_swa_pattern(2)
  gpt_oss_20b.model_type = "gpt-oss";
  for (int i = 0; i < 24; ++i)
    gpt_oss_20b.layers.push_back(i % 2 == 0 ? attn(LayerKind::sliding_attention, 8, 64, 64, 128)
                                            : attn(LayerKind::full_attention, 8, 64, 64));
  const RealLog logs[] = {
      // "llama_kv_cache_unified: size = 3072.00 MiB (131072 cells, 12 layers, 1/1 seqs)" and
      // "... size = 18.00 MiB (768 cells, 12 layers ...)": SWA pad256(min(131072, 128 + 512)) = 768
      {"gpt-oss-20b -c 131072 (Ascend CANN deployment notes)", gpt_oss_20b, 131072, 1,
       kvspec::CacheDType::f16, 131072, "3090.00", "18.00"},
      // "size = 2016.00 MiB (4096 cells, 126 layers, 1/ 1 seqs)", n_ctx_train 131072: Llama-3.1-405B geometry
      {"Llama-3.1-405B over RPC -c 4096", uniform("llama", 126, 8, 128, 128), 4096, 1,
       kvspec::CacheDType::f16, 4096, "2016.00", ""},
      // "size = 1536.00 MiB (4096 cells, 32 layers, 1 seqs)", flash_attn 0: Phi-3-mini (32 × 96, MHA)
      {"Phi-3-mini -c 4096", uniform("phi3", 32, 32, 96, 96), 4096, 1, kvspec::CacheDType::f16, 4096,
       "1536.00", ""},
      // "size = 1024.00 MiB (8192 cells, 32 layers)", n_ctx_train 32768: Mistral-7B (8 × 128)
      {"Mistral-7B -c 8192", uniform("llama", 32, 8, 128, 128), 8192, 1, kvspec::CacheDType::f16, 8192,
       "1024.00", ""},
      // llama-server on UI-Venus-1.5-8B (qwen3vl: 36 layers, 8 KV heads, 128): -c 8192 -ctk f16 -> 1152 MiB
      {"qwen3vl 8B -c 8192 f16", uniform("qwen3vl", 36, 8, 128, 128), 8192, 1, kvspec::CacheDType::f16, 8192,
       "1152.00", ""},
      // ... and -ctk q8_0 (-ctv q8_0, flash attention) -> 612 MiB
      {"qwen3vl 8B -c 8192 q8_0", uniform("qwen3vl", 36, 8, 128, 128), 8192, 1, kvspec::CacheDType::q8_0,
       8192, "612.00", ""},
      // deepseek-coder-v2-16b converted before MLA GGUFs (16 heads, K 192, V 128), -c 16384 -np 8:
      // "size = 4320.00 MiB (2048 cells, 27 layers, 8/8 seqs), K (f16): 2592.00 MiB, V (f16): 1728.00 MiB"
      {"DeepSeek-Coder-V2-Lite (old GGUF) -c 16384 -np 8", uniform("deepseek2", 27, 16, 192, 128), 16384, 8,
       kvspec::CacheDType::f16, 2048, "4320.00", ""},
      // "size = 112.00 MiB (1024 cells, 28 layers, 1/1 seqs)": Llama-3.2-3B geometry (28 × 8 × 128)
      {"Llama-3.2-3B -c 1024", uniform("llama", 28, 8, 128, 128), 1024, 1, kvspec::CacheDType::f16, 1024,
       "112.00", ""},
      // "size = 32.00 MiB (1024 cells, 16 layers, 1/1 seqs)": Llama-3.2-1B geometry (16 × 8 × 64)
      {"Llama-3.2-1B -c 1024", uniform("llama", 16, 8, 64, 64), 1024, 1, kvspec::CacheDType::f16, 1024,
       "32.00", ""},
  };
  for (const RealLog& log : logs) {
    SCOPED_TRACE(log.what);
    kvspec::RuntimeRequest q;
    q.runtime = kvspec::Runtime::llama_cpp;
    q.context = log.n_ctx;
    q.batch = log.n_seq;
    q.k_dtype = q.v_dtype = log.type;
    auto got = kvspec::size_runtime(log.spec, q);
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_EQ(*got->cells, log.cells);
    EXPECT_EQ(mib(got->kv_bytes), log.kv_mib);
    if (!log.swa_mib.empty()) {
      EXPECT_EQ(mib(got->swa_bytes.value_or(0)), log.swa_mib);
    }
  }
}

}  // namespace
