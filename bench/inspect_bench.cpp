#include <benchmark/benchmark.h>
#include "kvspec/load.hpp"
static void BM_Bundled(benchmark::State& st) {
  for (auto _ : st)
    benchmark::DoNotOptimize(kvspec::spec_from_config_text(kvspec::bundled_example_config(), "x"));
}
BENCHMARK(BM_Bundled);
BENCHMARK_MAIN();
