// In-process inspect time: config.json on disk → ModelCacheSpec (+ exact size at 32k), per model and for the
// whole fixture zoo. Whole-process timings: bench/whole_process.sh.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <vector>

#include "kvspec/load.hpp"
#include "kvspec/size.hpp"

namespace {

std::vector<std::string> fixture_dirs() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(KVSPEC_TEST_DATA) + "/configs"))
    if (std::filesystem::exists(e.path() / "config.json")) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

void inspect_one(benchmark::State& state, const std::string& dir) {
  for (auto _ : state) {
    auto spec = kvspec::load_model(dir);
    if (!spec) {
      state.SkipWithError(spec.error().message().c_str());
      return;
    }
    auto size = kvspec::size_exact(*spec, {32768, 1, kvspec::CacheDType::f16, kvspec::CacheDType::f16});
    benchmark::DoNotOptimize(size);
  }
}

void BM_InspectZoo(benchmark::State& state) {
  const auto dirs = fixture_dirs();
  for (auto _ : state)
    for (const auto& d : dirs) {
      auto spec = kvspec::load_model(d);
      benchmark::DoNotOptimize(spec);
    }
  state.counters["models"] = static_cast<double>(dirs.size());
  state.counters["per_model_us"] =
      benchmark::Counter(static_cast<double>(dirs.size()),
                         benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_InspectZoo)->Unit(benchmark::kMillisecond);

void BM_BundledFromMemory(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(
        kvspec::spec_from_config_text(kvspec::bundled_example_config(), kvspec::bundled_example_name()));
}
BENCHMARK(BM_BundledFromMemory)->Unit(benchmark::kMicrosecond);

const bool registered = [] {
  for (const auto& d : fixture_dirs()) {
    std::string name = "BM_Inspect/" + std::filesystem::path(d).filename().string();
    benchmark::RegisterBenchmark(name.c_str(), [d](benchmark::State& s) {
      inspect_one(s, d);
    })->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
