// Inspecting a GGUF whose header carries a 256k-token vocabulary (tokens, token types and merges: a header of
// several MB, as in Llama-3 / Gemma-3 conversions). Written once by the test writer, then read per iteration.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "kvspec/gguf.hpp"
#include "support/gguf_models.hpp"

namespace {

const std::string& vocab_file() {
  static const std::string path = [] {
    std::string p = "/tmp/kvspec_bench_vocab256k.gguf";
    kvspec::test::llama31_8b(256 * 1024).write(p);
    return p;
  }();
  return path;
}

void BM_InspectGguf256kVocab(benchmark::State& st) {
  const std::string& path = vocab_file();
  for (auto _ : st) {
    auto spec = kvspec::spec_from_gguf(path);
    if (!spec) st.SkipWithError(spec.error().message().c_str());
    benchmark::DoNotOptimize(spec);
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  std::fseek(f, 0, SEEK_END);
  st.counters["header_bytes"] = static_cast<double>(std::ftell(f));
  std::fclose(f);
}
BENCHMARK(BM_InspectGguf256kVocab)->Unit(benchmark::kMillisecond);

}  // namespace
