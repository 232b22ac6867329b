// The remote tests' fixture: a test Hub (tests/support/hub_server.hpp) and the CLI run against it with
// HF_ENDPOINT at the Hub and kvspec's cache in a temporary folder; the same files written to disk for the
// local answer to compare with.
#pragma once

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "json/json.hpp"
#include "support/hub_server.hpp"
#include "support/safetensors_writer.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace kvspec::test {
namespace {

// Nothing in this test binary may reach a real host: repo ids that miss the local cache go to a closed port.
const bool kNoNetwork = [] {
  setenv("HF_ENDPOINT", "http://127.0.0.1:9", 1);
  unsetenv("HF_TOKEN");
  unsetenv("HF_HUB_OFFLINE");
  return true;
}();

constexpr const char* kCommit = "0123456789abcdef0123456789abcdef01234567";
constexpr const char* kCommit2 = "89abcdef0123456789abcdef0123456789abcdef";

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

class RemoteTest : public ::testing::Test {
 protected:
  void SetUp() override { (void)kNoNetwork; }

  // kvspec ARGS with HF_ENDPOINT at the test Hub and the cache in a temporary folder.
  CliRun cli(const std::string& args, const std::string& env = "") {
    std::string errf = tmp.path() + "/stderr.txt";
    std::string cmd = "env HF_ENDPOINT=" + hub.endpoint() + " KVSPEC_CACHE=" + cache.path() +
                      " HF_HOME=" + tmp.path() + "/hfhome HF_HUB_CACHE=" + tmp.path() + "/hfhub " + env +
                      " " + KVSPEC_CLI + " " + args + " --retry-wait 0.01 2>" + errf;
    CliRun r;
    FILE* p = popen(cmd.c_str(), "r");
    char buf[4096];
    std::size_t n = 0;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    int status = pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = slurp(errf);
    return r;
  }

  static json::Value parse(const std::string& text) {
    auto d = json::parse(text, "output");
    EXPECT_TRUE(d) << text;
    return d ? d->root : json::Value();
  }

  // The same file on disk: its head, zeros up to its size.
  static void write_local(const fs::path& p, const HubFile& f) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << f.head;
    fs::resize_file(p, f.size);
  }

  // A safetensors file as a header plus a data section of zeros.
  static HubFile st_file(const sttest::Writer& w) { return safetensors_hub_file(w); }

  static sttest::Writer qwen3_shard(int first_layer, int layers) {
    sttest::Writer w;
    for (int l = first_layer; l < first_layer + layers; ++l) {
      std::string p = "model.layers." + std::to_string(l) + ".self_attn.";
      w.add(p + "k_proj.weight", "BF16", {1024, 1024});
      w.add(p + "v_proj.weight", "BF16", {1024, 1024});
    }
    return w;
  }

  // org/tiny: Qwen3-0.6B's config and one model.safetensors.
  HubRepo& tiny() {
    HubRepo& r = hub.repo("org/tiny");
    r.commit = kCommit;
    r.refs["main"] = kCommit;
    r.files["config.json"] = {slurp(std::string(KVSPEC_TEST_DATA) + "/configs/Qwen__Qwen3-0.6B/config.json"),
                              0};
    r.files["config.json"].size = r.files["config.json"].head.size();
    r.files["model.safetensors"] = st_file(qwen3_shard(0, 28));
    return r;
  }

  HubServer hub;
  TempDir tmp;
  TempDir cache;
};

// Everything but where it came from.
inline std::string without_origin(json::Value v) {
  auto& o = v.as_object();
  std::string out;
  for (auto& [k, val] : o)
    if (k != "source" && k != "remote" && k != "weights") out += k + "=" + val.describe() + ";";
  const json::Value* w = v.find("weights");
  if (w && w->is_object())
    for (auto& [k, val] : w->as_object())
      if (k != "files" && k != "header_bytes_read") out += "w." + k + "=" + val.describe() + ";";
  return out;
}

}  // namespace
}  // namespace kvspec::test
