// Inspecting a 60-shard checkpoint reads only the headers. The folder is generated at start in a temp dir:
// the Qwen3-30B-A3B-FP8 layout (37'491 tensors, real names and shapes, ~138 KB of header per shard) spread
// over 60 header-only shards plus model.safetensors.index.json. Counters: bytes kvspec says it read, bytes
// the kernel says the process read (/proc/self/io rchar), and the checkpoint's data size for contrast.
//
// BM_Parse60_* compare the two ways to parse the same 60 headers in memory: simdjson straight into tensor
// records (what the reader does) against the generic json::Value tree (json::parse) walked afterwards.
#include <benchmark/benchmark.h>

#include <fstream>
#include <memory>

#include "format/safetensors.hpp"
#include "json/json.hpp"
#include "kvspec/load.hpp"
#include "support/model_layouts.hpp"

namespace {

namespace fs = std::filesystem;

constexpr int kShards = 60;

struct Folder {
  sttest::TempDir dir;
  std::vector<std::string> headers;  // each shard's JSON header
  std::int64_t data_bytes = 0;
};

// The whole layout in save_pretrained's order (embeddings, layers, norm, lm_head), cut into 60 shards.
const Folder& folder() {
  static const std::unique_ptr<Folder> f = [] {
    auto out = std::make_unique<Folder>();
    sttest::copy_config(fs::path(KVSPEC_TEST_DATA) / "configs" / "Qwen__Qwen3-30B-A3B-FP8" / "config.json",
                        out->dir.path());
    sttest::Writer all;
    all.add("model.embed_tokens.weight", "BF16", {151936, 2048});
    sttest::add_qwen3_moe_fp8_layers(all, 0, 48);
    all.add("model.norm.weight", "BF16", {2048}).add("lm_head.weight", "BF16", {151936, 2048});
    std::vector<sttest::Writer> shards = sttest::split_shards(all, kShards);
    std::vector<std::pair<std::string, const sttest::Writer*>> files;
    for (int s = 0; s < kShards; ++s) {
      char name[64];
      std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", s + 1, kShards);
      shards[s].write(out->dir / name);
      files.emplace_back(name, &shards[s]);
      out->headers.push_back(shards[s].header());
      out->data_bytes += shards[s].data_bytes();
    }
    sttest::write_text(out->dir / "model.safetensors.index.json", sttest::index_json(files));
    return out;
  }();
  return *f;
}

std::int64_t rchar() {
  std::ifstream io("/proc/self/io");
  std::string key;
  std::int64_t v = 0;
  while (io >> key >> v)
    if (key == "rchar:") return v;
  return 0;
}

void BM_InspectSharded60(benchmark::State& st) {
  const Folder& f = folder();
  std::int64_t reported = 0, kernel = 0, n = 0;
  for (auto _ : st) {
    std::int64_t before = rchar();
    auto spec = kvspec::load_model(f.dir.path());
    kernel += rchar() - before;
    if (!spec || !spec->weights) {
      st.SkipWithError(spec ? "no weights" : spec.error().message().c_str());
      return;
    }
    reported = spec->weights->header_bytes_read;
    ++n;
    benchmark::DoNotOptimize(spec);
  }
  st.counters["header_bytes_read"] = static_cast<double>(reported);
  st.counters["kernel_bytes_read"] = static_cast<double>(kernel / std::max<std::int64_t>(n, 1));
  st.counters["checkpoint_data_bytes"] = static_cast<double>(f.data_bytes);
}
BENCHMARK(BM_InspectSharded60)->Unit(benchmark::kMillisecond);

void BM_Parse60_Simdjson(benchmark::State& st) {
  const Folder& f = folder();
  std::int64_t bytes = 0;
  for (const auto& h : f.headers) bytes += static_cast<std::int64_t>(h.size());
  for (auto _ : st)
    for (const auto& h : f.headers) {
      auto r = kvspec::st::parse_header(h, "mem", std::int64_t{1} << 40);
      benchmark::DoNotOptimize(r);
    }
  st.SetBytesProcessed(st.iterations() * bytes);
}
BENCHMARK(BM_Parse60_Simdjson)->Unit(benchmark::kMillisecond);

// The alternative: the project's generic JSON tree, then the same records pulled out of it.
void BM_Parse60_JsonTree(benchmark::State& st) {
  const Folder& f = folder();
  std::int64_t bytes = 0;
  for (const auto& h : f.headers) bytes += static_cast<std::int64_t>(h.size());
  for (auto _ : st)
    for (const auto& h : f.headers) {
      auto doc = kvspec::json::parse(h, "mem");
      std::vector<kvspec::st::Tensor> tensors;
      for (const auto& [name, v] : doc->root.as_object()) {
        kvspec::st::Tensor t;
        t.name = name;
        t.dtype = *kvspec::st::parse_dtype(v.find("dtype")->as_string());
        for (const auto& d : v.find("shape")->as_array()) t.shape.push_back(d.as_int());
        t.begin = v.find("data_offsets")->as_array()[0].as_int();
        t.end = v.find("data_offsets")->as_array()[1].as_int();
        tensors.push_back(std::move(t));
      }
      benchmark::DoNotOptimize(tensors);
    }
  st.SetBytesProcessed(st.iterations() * bytes);
}
BENCHMARK(BM_Parse60_JsonTree)->Unit(benchmark::kMillisecond);

}  // namespace
