// Remote models against a test Hub on 127.0.0.1 (tests/support/hub_server.hpp): real HTTP through the CLI,
// answers compared with the same files on disk, requests and bytes counted on both sides.
#include "support/remote_fixture.hpp"

#include "remote/cache.hpp"
#include "remote/wire.hpp"
#include "support/gguf_models.hpp"

namespace kvspec::test {
namespace {

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

TEST_F(RemoteTest, HundredShardsOneRoundOfHeaderReads) {
  HubRepo& r = hub.repo("org/big");
  r.commit = kCommit2;
  r.refs["main"] = kCommit2;
  r.files["config.json"] = tiny().files["config.json"];
  std::string index = "{\"metadata\":{},\"weight_map\":{";
  // 100 shards: layers 0..27 spread so every shard holds at least one tensor (k or v of some layer).
  std::vector<sttest::Writer> shards(100);
  int t = 0;
  for (int l = 0; l < 28; ++l)
    for (const char* kv : {"k_proj", "v_proj"}) {
      std::string name = "model.layers." + std::to_string(l) + ".self_attn." + kv + ".weight";
      shards[static_cast<std::size_t>(t % 100)].add(name, "BF16", {1024, 1024});
      index += (t ? "," : "") + std::string("\"") + name + "\":\"model-" + std::to_string(t % 100) +
               ".safetensors\"";
      ++t;
    }
  for (int i = 56; i < 100; ++i)
    shards[static_cast<std::size_t>(i)].add("extra." + std::to_string(i), "F32", {4});
  for (int i = 56; i < 100; ++i)
    index += ",\"extra." + std::to_string(i) + "\":\"model-" + std::to_string(i) + ".safetensors\"";
  index += "}}";
  r.files["model.safetensors.index.json"] = {index, index.size()};
  for (int i = 0; i < 100; ++i)
    r.files["model-" + std::to_string(i) + ".safetensors"] = st_file(shards[static_cast<std::size_t>(i)]);
  auto remote = cli("inspect hf://org/big --json");
  ASSERT_EQ(remote.code, 0) << remote.err;
  // API + config + index + 100 headers = 103 <= 4 + N.
  EXPECT_EQ(hub.requests(), 103);
  EXPECT_EQ(parse(remote.out).find("remote")->find("requests")->as_int(), 103);
  fs::path local = fs::path(tmp.path()) / "big";
  for (const auto& [p, f] : r.files) write_local(local / p, f);
  auto disk = cli("inspect " + local.string() + " --json");
  ASSERT_EQ(disk.code, 0) << disk.err;
  EXPECT_EQ(without_origin(parse(remote.out)), without_origin(parse(disk.out)));
}

// Shards named as the index's writers name them (model-NNNNN-of-MMMMM.safetensors, a complete set in the
// listing) go in the same wave as the index: the CDN sees the index and the three shard headers at once (it
// holds each answer until 4 have arrived), so the model costs API + config/index/shards = 2 rounds, not 3.
// Files outside the set (another precision's shards, a consolidated copy) are not read: 1 + 1 + 1 + 3 = 6.
TEST_F(RemoteTest, StandardShardNamesGoWithTheIndex) {
  HubRepo& r = hub.repo("org/std");
  r.commit = kCommit2;
  r.refs["main"] = kCommit2;
  r.files["config.json"] = tiny().files["config.json"];
  std::string index = "{\"metadata\":{},\"weight_map\":{";
  for (int i = 1; i <= 3; ++i) {
    sttest::Writer w;
    w.add("model.layers." + std::to_string(i) + ".self_attn.k_proj.weight", "BF16", {1024, 1024});
    const std::string shard = "model-0000" + std::to_string(i) + "-of-00003.safetensors";
    r.files[shard] = st_file(w);
    index += (i > 1 ? "," : "") + std::string("\"model.layers.") + std::to_string(i) +
             ".self_attn.k_proj.weight\":\"" + shard + "\"";
  }
  index += "}}";
  r.files["model.safetensors.index.json"] = {index, index.size()};
  sttest::Writer other;
  other.add("x", "F16", {4});
  r.files["model.fp16-00001-of-00001.safetensors"] = st_file(other);
  r.files["consolidated.safetensors"] = st_file(other);
  r.gather = 4;
  auto remote = cli("inspect hf://org/std --json");
  ASSERT_EQ(remote.code, 0) << remote.err;
  EXPECT_EQ(hub.requests(), 6);
  EXPECT_EQ(hub.max_in_flight("org/std"), 4);
}

TEST_F(RemoteTest, GgufQuantSelectorAndChunkedHeader) {
  HubRepo& r = hub.repo("org/gguf");
  r.commit = kCommit;
  r.refs["main"] = kCommit;
  // A large vocabulary: the header runs past the first 256 KiB read.
  GgufWriter q4 = llama31_8b(40000);
  std::string h4 = q4.bytes(false);
  r.files["model-Q4_K_M.gguf"] = {h4, h4.size() + q4.data_size()};
  GgufWriter q8 = llama31_8b();
  std::string h8 = q8.bytes(false);
  r.files["model-Q8_0.gguf"] = {h8, h8.size() + q8.data_size()};
  auto none = cli("inspect hf://org/gguf");
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("model-Q4_K_M.gguf"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("model-Q8_0.gguf"), std::string::npos) << none.err;
  hub.clear();
  auto remote = cli("inspect org/gguf:q4_k_m --json --context 8192");
  ASSERT_EQ(remote.code, 0) << remote.err;
  // API, then reads of 256 KiB, 256 KiB, 512 KiB... until the header (h4.size() bytes) is in.
  std::uint64_t have = 0, chunk = 256 * 1024;
  int reads = 0;
  while (have < h4.size()) {
    have += (reads == 0 ? chunk : std::clamp<std::uint64_t>(have, chunk, 4u << 20));
    ++reads;
  }
  EXPECT_EQ(hub.requests(), 1 + reads);
  EXPECT_LE(reads, 1 + static_cast<int>((h4.size() + chunk - 1) / chunk));
  fs::path local = fs::path(tmp.path()) / "model-Q4_K_M.gguf";
  write_local(local, r.files["model-Q4_K_M.gguf"]);
  auto disk = cli("inspect " + local.string() + " --json --context 8192");
  ASSERT_EQ(disk.code, 0) << disk.err;
  EXPECT_EQ(without_origin(parse(remote.out)), without_origin(parse(disk.out)));
  auto bad = cli("inspect org/gguf:Q5_K_M");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("Q5_K_M"), std::string::npos) << bad.err;
  auto path = cli("inspect org/gguf/model-Q8_0.gguf --json");
  EXPECT_EQ(path.code, 0) << path.err;
}

TEST_F(RemoteTest, ErrorsNameModelUrlAndStatus) {
  tiny();
  auto repo = cli("inspect hf://org/nothere");
  EXPECT_EQ(repo.code, 2);
  EXPECT_NE(repo.err.find("HTTP 404"), std::string::npos) << repo.err;
  EXPECT_NE(repo.err.find("repo org/nothere not found"), std::string::npos) << repo.err;
  auto rev = cli("inspect hf://org/tiny@nobranch");
  EXPECT_EQ(rev.code, 2);
  EXPECT_NE(rev.err.find("revision 'nobranch' not found"), std::string::npos) << rev.err;
  auto path = cli("inspect hf://org/tiny/none.gguf");
  EXPECT_EQ(path.code, 2);
  EXPECT_NE(path.err.find("none.gguf"), std::string::npos) << path.err;
  auto escape = cli("inspect hf://org/tiny@../x");
  EXPECT_EQ(escape.code, 2);
}

TEST_F(RemoteTest, RetriesHonourRetryAfterThenGiveUp) {
  HubRepo& r = tiny();
  r.fail_429 = 2;
  auto ok = cli("inspect hf://org/tiny --json");
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(hub.requests(), 2 + 3);  // two 429s, then API, config, header
  EXPECT_EQ(parse(ok.out).find("remote")->find("requests")->as_int(), 5);
  r.fail_503 = 100;
  auto gave_up = cli("inspect hf://org/tiny --refresh --retries 2");
  EXPECT_EQ(gave_up.code, 2);
  EXPECT_NE(gave_up.err.find("HTTP 503"), std::string::npos) << gave_up.err;
  EXPECT_NE(gave_up.err.find("gave up after 3 tries"), std::string::npos) << gave_up.err;
}

TEST_F(RemoteTest, SlowServerTimesOut) {
  HubRepo& r = tiny();
  r.slow_ms = 1500;
  auto slow = cli("inspect hf://org/tiny --timeout 0.3 --retries 0");
  EXPECT_EQ(slow.code, 2);
  EXPECT_NE(slow.err.find("timed out"), std::string::npos) << slow.err;
  r.slow_ms = 0;
}

TEST_F(RemoteTest, MisbehavingServers) {
  HubRepo& r = tiny();
  r.ignore_range = true;  // the 117 MB shard comes whole: cut off after the first 64 KiB
  auto ignored = cli("inspect hf://org/tiny --json");
  ASSERT_EQ(ignored.code, 0) << ignored.err;
  EXPECT_LT(parse(ignored.out).find("remote")->find("bytes_read")->as_int(), 4 << 20);
  r.ignore_range = false;
  r.wrong_range = true;
  auto wrong = cli("inspect hf://org/tiny --refresh");
  EXPECT_EQ(wrong.code, 2);
  EXPECT_NE(wrong.err.find("Content-Range"), std::string::npos) << wrong.err;
  r.wrong_range = false;
  r.truncate = true;
  auto cut = cli("inspect hf://org/tiny --refresh");
  EXPECT_EQ(cut.code, 2);
  EXPECT_NE(cut.err.find("truncated"), std::string::npos) << cut.err;
  r.truncate = false;
  r.bad_json = true;
  auto html = cli("inspect hf://org/tiny --refresh");
  EXPECT_EQ(html.code, 2);
  EXPECT_NE(html.err.find("a JSON answer from the Hub API"), std::string::npos) << html.err;
  r.bad_json = false;
  // A renamed repo: every URL answers with a relative redirect to the new name.
  HubRepo& old = hub.repo("old/tiny");
  old.renamed_to = "org/tiny";
  auto moved = cli("inspect hf://old/tiny --json");
  EXPECT_EQ(moved.code, 0) << moved.err;
}

TEST_F(RemoteTest, KilledFetchLeavesACacheTheNextRunTrusts) {
  HubRepo& r = tiny();
  r.slow_ms = 300;  // the API answer lands, the files are still in flight when the process dies
  auto killed = cli("inspect hf://org/tiny --json", "timeout -s KILL 0.45");
  EXPECT_NE(killed.code, 0);
  r.slow_ms = 0;
  hub.clear();
  auto next = cli("inspect hf://org/tiny --json");
  ASSERT_EQ(next.code, 0) << next.err;
  json::Value a = parse(next.out);
  EXPECT_EQ(a.find("num_layers")->as_int(), 28);
  // Whatever was half-written was never renamed into place: every file the entry lists checks out again.
  auto again = cli(std::string("inspect hf://org/tiny@") + kCommit + " --json");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_TRUE(parse(again.out).find("remote")->find("from_cache")->as_bool());
}

TEST_F(RemoteTest, CorruptEntryIsRefetched) {
  tiny();
  const std::string at = std::string("inspect hf://org/tiny@") + kCommit + " --json";
  ASSERT_EQ(cli(at).code, 0);
  int damaged = 0;
  for (const auto& e : fs::recursive_directory_iterator(cache.path()))
    if (e.path().filename() == "model.safetensors" && e.path().parent_path().filename() == "files") {
      std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(10);
      f.write("XX", 2);
      ++damaged;
    }
  ASSERT_EQ(damaged, 1);
  hub.clear();
  auto again = cli(at);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(hub.requests(), 1);  // the header again; listing and config.json from the cache
  EXPECT_EQ(parse(again.out).find("remote")->find("requests")->as_int(), 1);
}

TEST_F(RemoteTest, WireParsers) {
  auto cr = remote::parse_content_range("bytes 0-65535/117440512");
  ASSERT_TRUE(cr);
  EXPECT_EQ(cr->end, 65535u);
  EXPECT_EQ(*cr->total, 117440512u);
  EXPECT_FALSE(remote::parse_content_range("bytes 10-5/100"));
  EXPECT_FALSE(remote::parse_content_range("bytes 0-99/50"));
  EXPECT_FALSE(remote::parse_content_range("items 0-1/2"));
  EXPECT_EQ(*remote::parse_retry_after_ms("2"), 2000);
  EXPECT_FALSE(remote::parse_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT"));
  EXPECT_FALSE(remote::parse_repo_info("<html>", "u"));
  EXPECT_TRUE(remote::valid_revision("v1.0"));
  EXPECT_FALSE(remote::valid_revision("../x"));
  EXPECT_FALSE(remote::safe_relative_path("a/../b"));
  EXPECT_EQ(remote::url_origin("HTTP://Host/x"), "http://host:80");
}

}  // namespace
}  // namespace kvspec::test
