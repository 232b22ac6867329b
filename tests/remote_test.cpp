// Remote models against a test Hub on 127.0.0.1 (tests/support/hub_server.hpp): real HTTP through the CLI,
// answers compared with the same files on disk, requests and bytes counted on both sides.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "json/json.hpp"
#include "remote/cache.hpp"
#include "remote/wire.hpp"
#include "support/gguf_models.hpp"
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

std::string slurp(const std::string& path) {
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
  static HubFile st_file(const sttest::Writer& w) {
    std::string h = w.header();
    std::string head(8, '\0');
    for (int i = 0; i < 8; ++i)
      head[static_cast<std::size_t>(i)] = static_cast<char>((h.size() >> (8 * i)) & 0xff);
    head += h;
    return {head, head.size() + static_cast<std::uint64_t>(w.data_bytes())};
  }

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
std::string without_origin(json::Value v) {
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

TEST_F(RemoteTest, SingleSafetensorsModelMatchesLocalInFourRequests) {
  HubRepo& r = tiny();
  auto remote = cli("inspect hf://org/tiny --json --context 4096");
  ASSERT_EQ(remote.code, 0) << remote.out << remote.err;
  fs::path local = fs::path(tmp.path()) / "local";
  for (const auto& [p, f] : r.files) write_local(local / p, f);
  auto disk = cli("inspect " + local.string() + " --json --context 4096");
  ASSERT_EQ(disk.code, 0) << disk.err;
  json::Value a = parse(remote.out), b = parse(disk.out);
  EXPECT_EQ(without_origin(a), without_origin(b)) << remote.out;
  // API (commit + listing), config.json, one 64 KiB range read of the header (2 layers... 28 layers of two
  // tensors: a header well under 64 KiB).
  EXPECT_EQ(hub.requests(), 3);
  EXPECT_EQ(hub.cdn_requests(), 1);  // the header read was redirected to the CDN: one request with its hop
  const json::Value* rem = a.find("remote");
  ASSERT_TRUE(rem && rem->is_object());
  EXPECT_EQ(rem->find("requests")->as_int(), 3);
  EXPECT_EQ(rem->find("commit")->as_string(), kCommit);
  EXPECT_EQ(rem->find("revision")->as_string(), "main");
  EXPECT_FALSE(rem->find("from_cache")->as_bool());
  // The bytes: the API answer, config.json whole, and the first min(64 KiB, file size) bytes of the shard.
  const std::uint64_t shard = r.files["model.safetensors"].size;
  EXPECT_EQ(hub.body_bytes(), r.files["config.json"].size + std::min<std::uint64_t>(64 * 1024, shard));
  // The token never reaches the CDN.
  for (const auto& s : hub.seen()) EXPECT_TRUE(s.authorization.empty());
}

TEST_F(RemoteTest, RepeatAtCommitMakesNoRequestAtBranchOne) {
  tiny();
  ASSERT_EQ(cli(std::string("inspect hf://org/tiny@") + kCommit + " --json").code, 0);
  hub.clear();
  auto again = cli(std::string("inspect hf://org/tiny@") + kCommit + " --json");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(hub.requests() + hub.cdn_requests(), 0);
  json::Value a = parse(again.out);
  EXPECT_EQ(a.find("remote")->find("requests")->as_int(), 0);
  EXPECT_TRUE(a.find("remote")->find("from_cache")->as_bool());
  auto branch = cli("inspect hf://org/tiny --json");
  ASSERT_EQ(branch.code, 0) << branch.err;
  EXPECT_EQ(hub.requests() + hub.cdn_requests(), 1);  // the revision lookup
  // --refresh reads again; --no-cache reads and leaves nothing new.
  hub.clear();
  ASSERT_EQ(cli("inspect hf://org/tiny --refresh --json").code, 0);
  EXPECT_EQ(hub.requests(), 3);
  // Offline: the cache answers, no request.
  hub.clear();
  auto off = cli("inspect org/tiny --json", "HF_HUB_OFFLINE=1");
  EXPECT_EQ(off.code, 0) << off.err;
  EXPECT_EQ(hub.requests() + hub.cdn_requests(), 0);
}

TEST_F(RemoteTest, TokenGoesToTheHubOnlyAndGatedReposSaySo) {
  HubRepo& r = tiny();
  r.gated = true;
  auto no = cli("inspect hf://org/tiny");
  EXPECT_EQ(no.code, 2);
  EXPECT_NE(no.err.find("HTTP 401"), std::string::npos) << no.err;
  EXPECT_NE(no.err.find("HF_TOKEN"), std::string::npos) << no.err;
  EXPECT_NE(no.err.find("hf://org/tiny"), std::string::npos) << no.err;
  EXPECT_NE(no.err.find(hub.endpoint() + "/api/models/org/tiny/revision/main"), std::string::npos) << no.err;
  hub.clear();
  auto yes = cli("inspect hf://org/tiny --json", std::string("HF_TOKEN=") + HubServer::kToken);
  ASSERT_EQ(yes.code, 0) << yes.err;
  int hub_auth = 0;
  for (const auto& s : hub.seen()) {
    if (s.server == "cdn") {
      EXPECT_TRUE(s.authorization.empty()) << s.path;
    }
    if (s.server == "hub" && !s.authorization.empty()) ++hub_auth;
  }
  EXPECT_EQ(hub_auth, 3);
}

}  // namespace
}  // namespace kvspec::test
