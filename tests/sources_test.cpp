// Model sources: folders, config.json paths and repo ids resolved offline in the Hugging Face cache layout.
#include "cli_util.hpp"
#include "source/resolve.hpp"
#include "test_util.hpp"

namespace kvspec::test {
namespace {

const char* kCommit = "0123456789abcdef0123456789abcdef01234567";
const char* kOther = "fedcba9876543210fedcba9876543210fedcba98";

// A hub cache holding org/tiny at two commits: refs/main → kCommit (4 layers), refs/v2 → kOther (6 layers).
void make_cache(const TempDir& dir) {
  std::string repo = "hub/models--org--tiny/";
  dir.write(repo + "refs/main", std::string(kCommit) + "\n");
  dir.write(repo + "refs/v2", kOther);
  dir.write(
      repo + "snapshots/" + kCommit + "/config.json",
      R"({"model_type": "llama", "num_hidden_layers": 4, "num_attention_heads": 4, "hidden_size": 256})");
  dir.write(
      repo + "snapshots/" + kOther + "/config.json",
      R"({"model_type": "llama", "num_hidden_layers": 6, "num_attention_heads": 4, "hidden_size": 256})");
}

TEST(Sources, RepoIdResolvesThroughRefsMain) {
  TempDir dir;
  make_cache(dir);
  LoadOptions o;
  o.hf_cache_dir = dir.path() + "/hub";
  auto s = load_model("org/tiny", o);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->num_layers(), 4);
  auto v2 = load_model("org/tiny@v2", o);
  ASSERT_TRUE(v2) << v2.error().message();
  EXPECT_EQ(v2->num_layers(), 6);
  auto by_commit = load_model(std::string("org/tiny@") + kOther, o);
  ASSERT_TRUE(by_commit) << by_commit.error().message();
  EXPECT_EQ(by_commit->num_layers(), 6);
  auto missing_rev = load_model("org/tiny@nope", o);
  ASSERT_FALSE(missing_rev);
  EXPECT_NE(missing_rev.error().message().find("revision 'nope' is not in the local cache"),
            std::string::npos);
  auto missing_repo = load_model("org/absent", o);
  ASSERT_FALSE(missing_repo);
  EXPECT_NE(missing_repo.error().message().find("models--org--absent"), std::string::npos);
}

TEST(Sources, CacheDirFromEnvironment) {
  TempDir dir;
  make_cache(dir);
  auto r = run_cli("inspect org/tiny --json", "HF_HUB_CACHE=" + dir.path() + "/hub");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"num_layers\": 4"), std::string::npos) << r.out;
  // HF_HOME/hub when HF_HUB_CACHE is unset.
  r = run_cli("inspect org/tiny@v2 --json", "env -u HF_HUB_CACHE HF_HOME=" + dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"num_layers\": 6"), std::string::npos) << r.out;
}

TEST(Sources, DefaultCacheDirOrder) {
  setenv("HF_HUB_CACHE", "/a/hub", 1);
  setenv("HF_HOME", "/b", 1);
  EXPECT_EQ(default_hf_cache_dir(), "/a/hub");
  unsetenv("HF_HUB_CACHE");
  EXPECT_EQ(default_hf_cache_dir(), "/b/hub");
  unsetenv("HF_HOME");
  setenv("XDG_CACHE_HOME", "/c", 1);
  EXPECT_EQ(default_hf_cache_dir(), "/c/huggingface/hub");
  unsetenv("XDG_CACHE_HOME");
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(default_hf_cache_dir(), "/home/u/.cache/huggingface/hub");
}

TEST(Sources, ConfigPathAndFolderGiveTheSameSpec) {
  auto a = load_model(data_path("configs/google__gemma-2-9b-it"));
  auto b = load_model(data_path("configs/google__gemma-2-9b-it/config.json"));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->layers, b->layers);
}

TEST(Sources, RepoIdShape) {
  EXPECT_TRUE(looks_like_repo_id("meta-llama/Llama-3.1-8B"));
  EXPECT_TRUE(looks_like_repo_id("mlx-community/gemma-3-12b-it-4bit@main"));
  EXPECT_FALSE(looks_like_repo_id("a/b/c"));
  EXPECT_FALSE(looks_like_repo_id("../x"));
  EXPECT_FALSE(looks_like_repo_id("plain"));
}

}  // namespace
}  // namespace kvspec::test

namespace kvspec::test {
namespace {

// org/name/path names a file in a Hub repo, but when `org` is a folder here the name is a local path with a
// typo: "no such file or folder", exit 2, and no request (the endpoint is a closed port: a request would fail
// with a connection error naming it).
TEST(Sources, MissingLocalPathUnderAnExistingFolderStaysLocal) {
  TempDir dir;
  dir.write("models/real/config.json", R"({"model_type": "llama", "num_hidden_layers": 2,
      "num_attention_heads": 4, "hidden_size": 256})");
  const std::string env = "cd " + dir.path() + " && HF_ENDPOINT=http://127.0.0.1:9 HF_HUB_OFFLINE=0";
  auto local = run_cli("inspect models/real/typo", env);
  EXPECT_EQ(local.exit_code, 2) << local.out;
  EXPECT_NE(local.out.find("models/real/typo: no such file or folder"), std::string::npos) << local.out;
  EXPECT_EQ(local.out.find("127.0.0.1:9"), std::string::npos) << local.out;
  // org/name:QUANT is always a repo, even when `org` is a folder here: the endpoint is asked.
  auto tagged = run_cli("inspect models/repo:Q4_K_M", env);
  EXPECT_EQ(tagged.exit_code, 2) << tagged.out;
  EXPECT_NE(tagged.out.find("127.0.0.1:9"), std::string::npos) << tagged.out;
  // No such folder here: a Hub repo path, so the (closed) endpoint is asked.
  auto remote = run_cli("inspect elsewhere/repo/config.json", env);
  EXPECT_EQ(remote.exit_code, 2) << remote.out;
  EXPECT_NE(remote.out.find("127.0.0.1:9"), std::string::npos) << remote.out;
}

}  // namespace
}  // namespace kvspec::test
