// Replays the committed fuzz corpus (fuzz/corpus/TARGET/: inputs that once found a bug, and hand-made seeds)
// and every fixture config through the fuzz targets' bodies, so each fixed finding stays fixed in the normal,
// sanitizer and valgrind runs of the suite. A target aborts on a broken invariant, which fails the test run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "targets/targets.hpp"
#include "test_util.hpp"

namespace kvspec::test {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int replay(const std::string& target, void (*one)(std::string_view)) {
  int n = 0;
  for (const auto& p : files_under(fs::path(KVSPEC_FUZZ_CORPUS) / target)) {
    SCOPED_TRACE(p.string());
    one(slurp(p));
    ++n;
  }
  return n;
}

TEST(FuzzReplay, ConfigCorpus) {
  EXPECT_GE(replay("config", fuzz::config_one), 1);
}

TEST(FuzzReplay, ConfigFixtures) {
  int n = 0;
  for (const auto& p : files_under(data_path("configs")))
    if (p.filename() == "config.json") {
      SCOPED_TRACE(p.string());
      fuzz::config_one(slurp(p));
      ++n;
    }
  EXPECT_GE(n, 40);
}

TEST(FuzzReplay, SizeCorpus) {
  EXPECT_GE(replay("size", fuzz::size_one), 1);
}

TEST(FuzzReplay, SafetensorsCorpus) {
  EXPECT_GE(replay("safetensors", fuzz::safetensors_one), 1);
}

TEST(FuzzReplay, EscapeCorpus) {
  EXPECT_GE(replay("escape", fuzz::escape_one), 5);
}

TEST(FuzzReplay, RemoteCorpus) {
  EXPECT_GE(replay("remote", fuzz::remote_one), 4);
}

TEST(FuzzReplay, GgufCorpusAndFixtures) {
  int n = replay("gguf", fuzz::gguf_one);
  for (const auto& p : files_under(data_path("gguf")))
    if (p.extension() == ".gguf") {
      SCOPED_TRACE(p.string());
      fuzz::gguf_one(slurp(p));
      ++n;
    }
  EXPECT_GE(n, 5);
}

TEST(FuzzReplay, ShardsCorpus) {
  EXPECT_GE(replay("shards", fuzz::shards_one), 4);
}

}  // namespace
}  // namespace kvspec::test
