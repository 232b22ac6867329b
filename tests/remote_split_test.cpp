// GGUF split sets over HTTP (llama.cpp's gguf-split names: model-Q4_K_M-00001-of-00003.gguf ...): every
// part's header read at once, the same spec and figures as the same parts on disk.
#include "support/gguf_models.hpp"
#include "support/remote_fixture.hpp"

namespace kvspec::test {
namespace {

class RemoteSplitTest : public RemoteTest {
 protected:
  // org/split: Llama-3.1-8B in three parts tagged Q4_K_M, and a single Q8_0 file beside them.
  HubRepo& split_repo() {
    HubRepo& r = hub.repo("org/split");
    r.commit = kCommit;
    r.refs["main"] = kCommit;
    auto parts = llama31_8b_split(3);
    for (int i = 0; i < 3; ++i) {
      const GgufWriter& w = parts[static_cast<std::size_t>(i)];
      std::string h = w.bytes(false);
      r.files[part_name(i)] = {h, h.size() + w.data_size()};
    }
    GgufWriter q8 = llama31_8b();
    std::string h8 = q8.bytes(false);
    r.files["model-Q8_0.gguf"] = {h8, h8.size() + q8.data_size()};
    return r;
  }
  static std::string part_name(int i) {
    return "model-Q4_K_M-0000" + std::to_string(i + 1) + "-of-00003.gguf";
  }

  // The three parts on disk; returns the first.
  std::string local_parts(const HubRepo& r) {
    fs::path dir = fs::path(tmp.path()) / "local";
    for (int i = 0; i < 3; ++i) write_local(dir / part_name(i), r.files.at(part_name(i)));
    return (dir / part_name(0)).string();
  }
};

constexpr std::uint64_t kGgufFirstRead = 256 * 1024;

TEST_F(RemoteSplitTest, QuantTagPicksTheSetAndReadsEveryPartAtOnce) {
  HubRepo& r = split_repo();
  r.gather = 3;  // the CDN holds each header read until all three are in (a client one at a time would wait)
  auto remote = cli("inspect org/split:Q4_K_M --json --context 8192");
  ASSERT_EQ(remote.code, 0) << remote.err;
  EXPECT_EQ(hub.max_in_flight("org/split"), 3);
  // The API (commit and listing), then one header read per part (each part holds over 256 KiB of tensor
  // data, and its header is well under 256 KiB: one range read each).
  for (int i = 0; i < 3; ++i) {
    ASSERT_LT(r.files[part_name(i)].head.size(), kGgufFirstRead);
    ASSERT_GT(r.files[part_name(i)].size, kGgufFirstRead);
  }
  EXPECT_EQ(hub.requests(), 1 + 3);
  EXPECT_EQ(hub.cdn_requests(), 3);
  EXPECT_EQ(hub.body_bytes(), 3 * kGgufFirstRead);
  json::Value a = parse(remote.out);
  const json::Value& files = *a.find("remote")->find("files");
  ASSERT_EQ(files.as_array().size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(files.as_array()[static_cast<std::size_t>(i)].find("path")->as_string(), part_name(i));
    EXPECT_EQ(files.as_array()[static_cast<std::size_t>(i)].find("requests")->as_int(), 1);
  }
  EXPECT_EQ(a.find("remote")->find("requests")->as_int(), 4);

  const std::string first = local_parts(r);
  auto disk = cli("inspect " + first + " --json --context 8192");
  ASSERT_EQ(disk.code, 0) << disk.err;
  EXPECT_EQ(without_origin(a), without_origin(parse(disk.out)));
  EXPECT_EQ(a.find("gguf")->find("split_count")->as_int(), 3);
  // Llama-3.1-8B, f16 cache: 32 layers x 2 (K, V) x 8 heads x 128 x 2 B = 131072 B per token;
  // 8192 tokens: 1 GiB.
  EXPECT_EQ(a.find("kv_bytes_per_token")->as_int(), 131072);
  EXPECT_EQ(a.find("cache")->find("total_bytes")->as_int(), 131072LL * 8192);

  // fit and compare on the remote set give the figures of the local one (no request: the cache answers).
  hub.clear();
  auto fit = cli(std::string("fit org/split@") + kCommit + ":Q4_K_M --memory 24GiB --json");
  ASSERT_EQ(fit.code, 0) << fit.err;
  EXPECT_EQ(hub.requests() + hub.cdn_requests(), 0);
  auto fit_disk = cli("fit " + first + " --memory 24GiB --json");
  ASSERT_EQ(fit_disk.code, 0) << fit_disk.err;
  EXPECT_EQ(without_origin(parse(fit.out)), without_origin(parse(fit_disk.out)));
  auto cmp = cli(std::string("compare org/split@") + kCommit + ":Q4_K_M " + first + " --context 8192 --json");
  ASSERT_EQ(cmp.code, 0) << cmp.err;
  const json::Value both = parse(cmp.out);
  const auto& models = both.find("models")->as_array();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(without_origin(models[0]), without_origin(models[1]));
}

TEST_F(RemoteSplitTest, AnyPartByPathOrUrlBringsTheWholeSet) {
  HubRepo& r = split_repo();
  const std::string first = local_parts(r);
  auto disk = cli("inspect " + first + " --json");
  ASSERT_EQ(disk.code, 0) << disk.err;
  auto by_path = cli("inspect org/split/" + part_name(1) + " --json");
  ASSERT_EQ(by_path.code, 0) << by_path.err;
  EXPECT_EQ(hub.requests(), 1 + 3);
  EXPECT_EQ(without_origin(parse(by_path.out)), without_origin(parse(disk.out)));
  // The same parts on a plain server: a URL of the second part reads all three (no API), one request each.
  for (int i = 0; i < 3; ++i)
    hub.plain("s/" + part_name(i)) = {r.files[part_name(i)], "\"p" + std::to_string(i) + "\""};
  hub.clear();
  auto url = cli("inspect " + hub.plain_url("s/" + part_name(1)) + " --json");
  ASSERT_EQ(url.code, 0) << url.err;
  EXPECT_EQ(hub.cdn_requests(), 3);
  EXPECT_EQ(hub.requests(), 0);
  EXPECT_EQ(without_origin(parse(url.out)), without_origin(parse(disk.out)));
  // Repeated: each part revalidated (three 304s, no body).
  hub.clear();
  ASSERT_EQ(cli("inspect " + hub.plain_url("s/" + part_name(1)) + " --json").code, 0);
  EXPECT_EQ(hub.not_modified(), 3);
  EXPECT_EQ(hub.body_bytes(), 0u);
}

}  // namespace
}  // namespace kvspec::test
