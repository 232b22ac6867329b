// kvspec's cache listing and eviction (src/remote/cache.cpp) with repos whose names are the cache's own
// folder names: an org or repo called "meta" (Meta's org is meta-llama, but "meta" is a valid Hub id),
// "files", "refs".
#include <set>

#include "remote/cache.hpp"
#include "support/remote_fixture.hpp"

namespace kvspec::test {
namespace {

class RemoteCacheTest : public RemoteTest {
 protected:
  // A copy of org/tiny under another id, and optionally under a folder inside the repo.
  void copy_of_tiny(const std::string& id, const std::string& folder = "") {
    const HubRepo& t = tiny();
    HubRepo& r = hub.repo(id);
    r.commit = kCommit;
    r.refs["main"] = kCommit;
    for (const auto& [path, f] : t.files) r.files[folder.empty() ? path : folder + "/" + path] = f;
  }

  // The entries, as paths under the cache relative to its hub/<endpoint hash>/ folder (or url/).
  std::set<std::string> entries() {
    std::set<std::string> out;
    for (const auto& e : remote::cache_entries(cache.path())) {
      fs::path rel = fs::relative(e, cache.path());
      auto it = rel.begin();
      std::string kind = (it++)->string();
      ++it;  // the endpoint or URL hash
      std::string rest;
      for (; it != rel.end(); ++it) rest += (rest.empty() ? "" : "/") + it->string();
      out.insert(kind + ":" + rest);
    }
    return out;
  }
};

TEST_F(RemoteCacheTest, ReposNamedLikeTheCachesFoldersAreEntriesLikeAnyOther) {
  copy_of_tiny("meta/tiny");
  copy_of_tiny("org/meta", "meta");  // the model in a folder "meta" inside the repo too
  copy_of_tiny("files/refs");
  ASSERT_EQ(cli("inspect hf://meta/tiny --json").code, 0);
  ASSERT_EQ(cli("inspect hf://org/meta/meta/config.json --json").code, 0);
  ASSERT_EQ(cli("inspect hf://files/refs --json").code, 0);
  const std::string c = kCommit;
  EXPECT_EQ(entries(),
            (std::set<std::string>{"hub:meta/tiny/" + c, "hub:org/meta/" + c, "hub:files/refs/" + c}));

  // Over the cap (1 byte: every entry is over it), a run keeps only its own entry: the three above go, one
  // by one, and nothing around them (a whole org or endpoint folder taken for an entry) goes with them.
  hub.clear();
  auto small = cli("inspect hf://org/tiny --json", "KVSPEC_CACHE_MAX_BYTES=1");
  ASSERT_EQ(small.code, 0) << small.err;
  EXPECT_EQ(parse(small.out).find("num_layers")->as_int(), 28);
  EXPECT_EQ(entries(), (std::set<std::string>{"hub:org/tiny/" + c}));
  // The run whose own entry sits under an org called "meta" keeps it and answers from it.
  auto meta = cli("inspect hf://meta/tiny --json", "KVSPEC_CACHE_MAX_BYTES=1");
  ASSERT_EQ(meta.code, 0) << meta.err;
  EXPECT_EQ(parse(meta.out).find("num_layers")->as_int(), 28);
  EXPECT_EQ(entries(), (std::set<std::string>{"hub:meta/tiny/" + c}));
  auto inner = cli("inspect hf://org/meta/meta/config.json --json", "KVSPEC_CACHE_MAX_BYTES=1");
  ASSERT_EQ(inner.code, 0) << inner.err;
  EXPECT_EQ(entries(), (std::set<std::string>{"hub:org/meta/" + c}));
  // The entry is whole: at its commit, a repeat is answered by the cache alone.
  hub.clear();
  auto again = cli("inspect hf://org/meta@" + c + "/meta/config.json --json");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(hub.requests() + hub.cdn_requests(), 0);
  EXPECT_TRUE(parse(again.out).find("remote")->find("from_cache")->as_bool());
}

TEST_F(RemoteCacheTest, UrlEntriesAreListedAndEvictedToo) {
  const HubRepo& t = tiny();
  hub.plain("meta/config.json") = {t.files.at("config.json"), "\"m\""};
  ASSERT_EQ(cli("inspect " + hub.plain_url("meta/config.json") + " --json").code, 0);
  ASSERT_EQ(entries(), (std::set<std::string>{"url:"}));
  auto hubrun = cli("inspect hf://org/tiny --json", "KVSPEC_CACHE_MAX_BYTES=1");
  ASSERT_EQ(hubrun.code, 0) << hubrun.err;
  EXPECT_EQ(entries(), (std::set<std::string>{"hub:org/tiny/" + std::string(kCommit)}));
}

}  // namespace
}  // namespace kvspec::test
