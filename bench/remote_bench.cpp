// Requests, bytes and wall time of remote inspection per case, against the test Hub on 127.0.0.1
// (tests/support/hub_server.hpp). Not a timed test: it prints figures. The 100-shard case runs on a server
// that adds 50 ms to every answer; the issue's bound is 5 round trips (API, config + index, shard headers).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "kvspec/load.hpp"
#include "support/gguf_models.hpp"
#include "support/hub_server.hpp"
#include "support/safetensors_writer.hpp"
#include "support/temp_dir.hpp"

using kvspec::test::HubFile;
using kvspec::test::HubServer;

namespace {

HubFile st_file(const sttest::Writer& w) {
  return kvspec::test::safetensors_hub_file(w);
}

void run(const char* label, const std::string& model) {
  kvspec::LoadOptions o;
  o.remote.quiet = true;
  auto t0 = std::chrono::steady_clock::now();
  auto spec = kvspec::load_model(model, o);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!spec || !spec->remote) {
    std::printf("%-34s error: %s\n", label, spec ? "no remote info" : spec.error().message().c_str());
    return;
  }
  std::printf("%-34s %6lld requests %12lld bytes %9.1f ms\n", label,
              static_cast<long long>(spec->remote->requests),
              static_cast<long long>(spec->remote->bytes_read), ms);
}

}  // namespace

int main() {
  HubServer hub;
  kvspec::test::TempDir cache;
  setenv("HF_ENDPOINT", hub.endpoint().c_str(), 1);
  setenv("KVSPEC_CACHE", cache.path().c_str(), 1);
  const std::string config =
      R"({"model_type":"llama","num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8,)"
      R"("hidden_size":4096,"torch_dtype":"bfloat16"})";
  auto& one = hub.repo("bench/one");
  one.commit = "0123456789abcdef0123456789abcdef01234567";
  one.refs["main"] = one.commit;
  one.files["config.json"] = {config, config.size()};
  sttest::Writer w;
  for (int l = 0; l < 32; ++l)
    w.add("model.layers." + std::to_string(l) + ".self_attn.k_proj.weight", "BF16", {1024, 4096});
  one.files["model.safetensors"] = st_file(w);
  run("single safetensors", "hf://bench/one");
  run("repeat @branch", "hf://bench/one@main");  // another name: not memoized in-process
  auto& many = hub.repo("bench/many");
  many.commit = "89abcdef0123456789abcdef0123456789abcdef";
  many.refs["main"] = many.commit;
  many.slow_ms = 50;
  many.files["config.json"] = {config, config.size()};
  std::string index = "{\"weight_map\":{";
  for (int i = 0; i < 100; ++i) {
    sttest::Writer s;
    s.add("t" + std::to_string(i), "BF16", {4096, 4096});
    const std::string shard = fmt::format("model-{:05d}-of-00100.safetensors", i + 1);
    many.files[shard] = st_file(s);
    index += (i ? "," : "") + std::string("\"t") + std::to_string(i) + "\":\"" + shard + "\"";
  }
  index += "}}";
  many.files["model.safetensors.index.json"] = {index, index.size()};
  run("100 shards, 50 ms per request", "hf://bench/many");
  auto& gg = hub.repo("bench/gguf");
  gg.commit = "fedcba9876543210fedcba9876543210fedcba98";
  gg.refs["main"] = gg.commit;
  kvspec::test::GgufWriter g = kvspec::test::llama31_8b(300000);  // a ~10 MB tokenizer
  std::string head = g.bytes(false);
  gg.files["model-Q4_K_M.gguf"] = {head, head.size() + g.data_size()};
  std::printf("GGUF header: %zu bytes\n", head.size());
  run("GGUF, large vocabulary", "bench/gguf:Q4_K_M");
  run("GGUF repeat @commit", "bench/gguf@" + gg.commit + ":Q4_K_M");
  // A split set (gguf-split's three parts) on a server that adds 50 ms per request: the API, then the three
  // headers at once.
  auto& sp = hub.repo("bench/split");
  sp.commit = "0011223344556677889900112233445566778899";
  sp.refs["main"] = sp.commit;
  sp.slow_ms = 50;
  auto parts = kvspec::test::llama31_8b_split(3);
  for (int i = 0; i < 3; ++i) {
    std::string h = parts[static_cast<std::size_t>(i)].bytes(false);
    sp.files["model-Q4_K_M-0000" + std::to_string(i + 1) + "-of-00003.gguf"] = {
        h, h.size() + parts[static_cast<std::size_t>(i)].data_size()};
  }
  run("GGUF split set, 50 ms per request", "bench/split:Q4_K_M");
  // A plain URL (not the Hub): no API, one range read.
  hub.plain("g/model-Q4_K_M.gguf") = {gg.files["model-Q4_K_M.gguf"], "\"e1\""};
  run("GGUF URL, large vocabulary", hub.plain_url("g/model-Q4_K_M.gguf"));
  std::printf(
      "Anchors (their published request patterns, not measured here): hf-mem reads each safetensors header "
      "with "
      "a ranged GET per file; gguf-parser-go reads a remote GGUF through ranged reads of its header.\n");
  return 0;
}
