// Remote models named by URL (a plain http:// server, not the Hub, and the Hub's own resolve URLs), their
// ETag-keyed cache, and --no-cache, against the test servers (tests/support/hub_server.hpp).
#include "support/gguf_models.hpp"
#include "support/remote_fixture.hpp"

namespace kvspec::test {
namespace {

class RemoteUrlTest : public RemoteTest {
 protected:
  // Qwen3-0.6B's config and its model.safetensors under /files/a/, a Llama-3.1-8B GGUF under /files/g/.
  void plain_files() {
    const HubRepo& t = tiny();
    hub.plain("a/config.json") = {t.files.at("config.json"), "\"c1\""};
    hub.plain("a/model.safetensors") = {t.files.at("model.safetensors"), "\"s1\""};
    GgufWriter g = llama31_8b();
    std::string h = g.bytes(false);
    hub.plain("g/model-Q4_K_M.gguf") = {{h, h.size() + g.data_size()}, "\"g1\""};
  }

  // Every file the cache holds, with its modification time: a run that writes nothing leaves it equal.
  std::map<std::string, std::int64_t> cache_files() {
    std::map<std::string, std::int64_t> out;
    for (const auto& e : fs::recursive_directory_iterator(cache.path()))
      out[e.path().string()] = e.last_write_time().time_since_epoch().count();
    return out;
  }

  int seen_with_if_none_match(const std::string& etag) {
    int n = 0;
    for (const auto& s : hub.seen()) n += s.if_none_match == etag ? 1 : 0;
    return n;
  }
};

constexpr std::uint64_t kGgufFirstRead = 256 * 1024;

TEST_F(RemoteUrlTest, ConfigUrlKeyedByItsEtag) {
  plain_files();
  const std::string url = hub.plain_url("a/config.json");
  const std::uint64_t size = hub.plain("a/config.json").file.size;
  auto first = cli("inspect " + url + " --json");
  ASSERT_EQ(first.code, 0) << first.err;
  fs::path local = fs::path(tmp.path()) / "local" / "config.json";
  write_local(local, hub.plain("a/config.json").file);
  auto disk = cli("inspect " + local.string() + " --json");
  ASSERT_EQ(disk.code, 0) << disk.err;
  EXPECT_EQ(without_origin(parse(first.out)), without_origin(parse(disk.out)));
  // One GET of the whole file, no If-None-Match (nothing cached yet).
  EXPECT_EQ(hub.cdn_requests(), 1);
  EXPECT_EQ(hub.requests(), 0);  // the Hub is never asked about a plain URL
  EXPECT_EQ(seen_with_if_none_match(""), 1);
  EXPECT_EQ(hub.body_bytes(), size);
  json::Value rem = *parse(first.out).find("remote");
  EXPECT_EQ(rem.find("requests")->as_int(), 1);
  EXPECT_EQ(rem.find("commit")->as_string(), "\"c1\"");
  EXPECT_TRUE(rem.find("repo")->is_null());
  EXPECT_FALSE(rem.find("from_cache")->as_bool());

  // The repeat revalidates: one request with If-None-Match, a 304, no body.
  hub.clear();
  auto again = cli("inspect " + url + " --json");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(hub.cdn_requests(), 1);
  EXPECT_EQ(seen_with_if_none_match("\"c1\""), 1);
  EXPECT_EQ(hub.not_modified(), 1);
  EXPECT_EQ(hub.body_bytes(), 0u);
  rem = *parse(again.out).find("remote");
  EXPECT_EQ(rem.find("requests")->as_int(), 1);
  EXPECT_EQ(rem.find("bytes_read")->as_int(), 0);
  EXPECT_TRUE(rem.find("from_cache")->as_bool());
  EXPECT_TRUE(rem.find("files")->as_array()[0].find("cached")->as_bool());
  EXPECT_EQ(without_origin(parse(again.out)), without_origin(parse(disk.out)));

  // A new ETag: the same one request brings the new file (28 layers become 14), and the cache keeps it.
  PlainFile& f = hub.plain("a/config.json");
  const std::string from = "\"num_hidden_layers\": 28";
  ASSERT_NE(f.file.head.find(from), std::string::npos);
  f.file.head.replace(f.file.head.find(from), from.size(), "\"num_hidden_layers\": 14");
  f.file.size = f.file.head.size();
  f.etag = "\"c2\"";
  hub.clear();
  auto changed = cli("inspect " + url + " --json");
  ASSERT_EQ(changed.code, 0) << changed.err;
  EXPECT_EQ(hub.cdn_requests(), 1);
  EXPECT_EQ(seen_with_if_none_match("\"c1\""), 1);
  EXPECT_EQ(hub.not_modified(), 0);
  EXPECT_EQ(hub.body_bytes(), f.file.size);
  EXPECT_EQ(parse(changed.out).find("num_layers")->as_int(), 14);
  EXPECT_EQ(parse(changed.out).find("remote")->find("commit")->as_string(), "\"c2\"");
  hub.clear();
  auto after = cli("inspect " + url + " --json");
  ASSERT_EQ(after.code, 0) << after.err;
  EXPECT_EQ(seen_with_if_none_match("\"c2\""), 1);
  EXPECT_EQ(hub.not_modified(), 1);
  EXPECT_EQ(parse(after.out).find("num_layers")->as_int(), 14);

  // Offline: the cached copy as it is, no request.
  hub.clear();
  auto off = cli("inspect " + url + " --json --offline");
  ASSERT_EQ(off.code, 0) << off.err;
  EXPECT_EQ(hub.cdn_requests(), 0);
  EXPECT_EQ(parse(off.out).find("num_layers")->as_int(), 14);
}

TEST_F(RemoteUrlTest, SafetensorsUrlReadsItsSiblingConfig) {
  plain_files();
  const std::string url = hub.plain_url("a/model.safetensors");
  auto remote = cli("inspect " + url + " --json --context 4096");
  ASSERT_EQ(remote.code, 0) << remote.err;
  fs::path local = fs::path(tmp.path()) / "local";
  write_local(local / "config.json", hub.plain("a/config.json").file);
  write_local(local / "model.safetensors", hub.plain("a/model.safetensors").file);
  auto disk = cli("inspect " + local.string() + " --json --context 4096");
  ASSERT_EQ(disk.code, 0) << disk.err;
  EXPECT_EQ(without_origin(parse(remote.out)), without_origin(parse(disk.out)));
  // config.json whole, the header in one 64 KiB range read (the shard is ~117 MB).
  EXPECT_EQ(hub.cdn_requests(), 2);
  EXPECT_EQ(hub.body_bytes(), hub.plain("a/config.json").file.size + 64 * 1024);
  EXPECT_EQ(parse(remote.out).find("remote")->find("commit")->as_string(), "\"s1\"");
  // Both files revalidated at once: two requests, two 304s, no body.
  hub.clear();
  auto again = cli("inspect " + url + " --json --context 4096");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(hub.cdn_requests(), 2);
  EXPECT_EQ(hub.not_modified(), 2);
  EXPECT_EQ(hub.body_bytes(), 0u);
  EXPECT_EQ(without_origin(parse(again.out)), without_origin(parse(disk.out)));
}

TEST_F(RemoteUrlTest, GgufUrlRevalidatesAndRefetchesOnANewEtag) {
  plain_files();
  const std::string url = hub.plain_url("g/model-Q4_K_M.gguf");
  auto remote = cli("inspect " + url + " --json --context 8192");
  ASSERT_EQ(remote.code, 0) << remote.err;
  fs::path local = fs::path(tmp.path()) / "model-Q4_K_M.gguf";
  write_local(local, hub.plain("g/model-Q4_K_M.gguf").file);
  auto disk = cli("inspect " + local.string() + " --json --context 8192");
  ASSERT_EQ(disk.code, 0) << disk.err;
  EXPECT_EQ(without_origin(parse(remote.out)), without_origin(parse(disk.out)));
  // The header (320 tokens: well under 256 KiB) comes with the first range read.
  ASSERT_LT(hub.plain("g/model-Q4_K_M.gguf").file.head.size(), kGgufFirstRead);
  EXPECT_EQ(hub.cdn_requests(), 1);
  EXPECT_EQ(hub.body_bytes(), kGgufFirstRead);
  hub.clear();
  auto again = cli("inspect " + url + " --json --context 8192");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(hub.cdn_requests(), 1);
  EXPECT_EQ(hub.not_modified(), 1);
  EXPECT_EQ(hub.body_bytes(), 0u);
  EXPECT_EQ(without_origin(parse(again.out)), without_origin(parse(disk.out)));
  // A new ETag: the revalidating read is answered 206 with the new bytes, nothing more.
  hub.plain("g/model-Q4_K_M.gguf").etag = "\"g2\"";
  hub.clear();
  auto changed = cli("inspect " + url + " --json --context 8192");
  ASSERT_EQ(changed.code, 0) << changed.err;
  EXPECT_EQ(hub.cdn_requests(), 1);
  EXPECT_EQ(hub.not_modified(), 0);
  EXPECT_EQ(hub.body_bytes(), kGgufFirstRead);
  EXPECT_EQ(parse(changed.out).find("remote")->find("commit")->as_string(), "\"g2\"");
  // --refresh asks without If-None-Match.
  hub.clear();
  ASSERT_EQ(cli("inspect " + url + " --refresh").code, 0);
  EXPECT_EQ(seen_with_if_none_match(""), 1);
  // A URL that is none of the three is a usage error.
  hub.plain("g/model.bin") = {{"x", 1}, "\"b\""};
  auto bin = cli("inspect " + hub.plain_url("g/model.bin"));
  EXPECT_EQ(bin.code, 2);
  EXPECT_NE(bin.err.find("a URL of a config.json, .gguf or .safetensors file"), std::string::npos) << bin.err;
}

TEST_F(RemoteUrlTest, HubResolveUrlsAreHubModels) {
  HubRepo& r = tiny();
  GgufWriter g = llama31_8b();
  std::string h = g.bytes(false);
  r.files["model-Q4_K_M.gguf"] = {h, h.size() + g.data_size()};
  const std::string base = hub.endpoint() + "/org/tiny/resolve/";
  auto cfg = cli("inspect " + base + "main/config.json --json --context 4096");
  ASSERT_EQ(cfg.code, 0) << cfg.err;
  auto hf = cli("inspect hf://org/tiny --json --context 4096 --no-cache");
  ASSERT_EQ(hf.code, 0) << hf.err;
  EXPECT_EQ(without_origin(parse(cfg.out)), without_origin(parse(hf.out)));
  json::Value rem = *parse(cfg.out).find("remote");
  EXPECT_EQ(rem.find("repo")->as_string(), "org/tiny");
  EXPECT_EQ(rem.find("revision")->as_string(), "main");
  EXPECT_EQ(rem.find("commit")->as_string(), kCommit);
  // The API (commit and listing), config.json, the safetensors header: as for hf://org/tiny.
  EXPECT_EQ(rem.find("requests")->as_int(), 3);
  hub.clear();
  auto gguf = cli("inspect " + base + kCommit + "/model-Q4_K_M.gguf --json");
  ASSERT_EQ(gguf.code, 0) << gguf.err;
  // The listing at that commit is cached from the first run: one header read (its CDN hop counted with it).
  EXPECT_EQ(hub.requests(), 1);
  EXPECT_EQ(hub.cdn_requests(), 1);
  EXPECT_EQ(parse(gguf.out).find("remote")->find("requests")->as_int(), 1);
  // At a commit, a repeat makes no request; at a branch, one (the revision lookup).
  hub.clear();
  ASSERT_EQ(cli("inspect " + base + kCommit + "/model-Q4_K_M.gguf --json").code, 0);
  EXPECT_EQ(hub.requests() + hub.cdn_requests(), 0);
  ASSERT_EQ(cli("inspect " + base + "main/config.json --json").code, 0);
  EXPECT_EQ(hub.requests() + hub.cdn_requests(), 1);
}

TEST_F(RemoteUrlTest, NoCacheNeitherReadsNorWritesTheCache) {
  tiny();
  plain_files();
  TempDir scratch;  // TMPDIR: where --no-cache keeps the run's bytes, gone when the process ends
  const std::string env = "TMPDIR=" + scratch.path();
  auto none = cli("inspect hf://org/tiny --no-cache --json", env);
  ASSERT_EQ(none.code, 0) << none.err;
  EXPECT_EQ(hub.requests(), 3);  // API, config.json, header
  EXPECT_TRUE(cache_files().empty());
  EXPECT_TRUE(fs::is_empty(scratch.path()));
  EXPECT_EQ(parse(none.out).find("num_layers")->as_int(), 28);
  EXPECT_EQ(parse(none.out).find("remote")->find("requests")->as_int(), 3);

  // With the cache filled, --no-cache still asks for everything (even at a commit) and changes nothing.
  ASSERT_EQ(cli(std::string("inspect hf://org/tiny@") + kCommit + " --json").code, 0);
  ASSERT_EQ(cli("inspect " + hub.plain_url("a/config.json") + " --json").code, 0);
  const auto before = cache_files();
  ASSERT_FALSE(before.empty());
  hub.clear();
  auto again = cli(std::string("inspect hf://org/tiny@") + kCommit + " --no-cache --json", env);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(hub.requests(), 3);
  EXPECT_FALSE(parse(again.out).find("remote")->find("from_cache")->as_bool());
  hub.clear();
  auto url = cli("inspect " + hub.plain_url("a/config.json") + " --no-cache --json", env);
  ASSERT_EQ(url.code, 0) << url.err;
  EXPECT_EQ(hub.cdn_requests(), 1);
  EXPECT_EQ(seen_with_if_none_match(""), 1);  // nothing read from the cache to revalidate
  EXPECT_EQ(cache_files(), before);
  EXPECT_TRUE(fs::is_empty(scratch.path()));

  // No network and no cache: nothing can answer.
  hub.clear();
  auto off = cli("inspect hf://org/tiny --no-cache --offline");
  EXPECT_EQ(off.code, 2);
  EXPECT_NE(off.err.find("--no-cache"), std::string::npos) << off.err;
  EXPECT_EQ(hub.requests() + hub.cdn_requests(), 0);
}

}  // namespace
}  // namespace kvspec::test
