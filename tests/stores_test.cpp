// Model names for local stores: ollama:NAME[:TAG] resolved through a fake Ollama store (manifests and blobs)
// built in a temporary folder, with header-only GGUF blobs written by the tests.
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "cli_util.hpp"
#include "source/stores.hpp"
#include "support/gguf_models.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace kvspec::test {
namespace {

const std::string kModelHex(64, 'a');   // the GGUF blob's digest (kvspec never hashes blobs)
const std::string kParamsHex(64, 'b');  // a params blob with num_ctx
const std::string kPlainHex(64, 'c');   // a params blob without num_ctx

std::string layer(const std::string& type, const std::string& digest) {
  return R"({"mediaType": "application/vnd.ollama.image.)" + type + R"(", "digest": ")" + digest +
         R"(", "size": 1})";
}

std::string manifest(const std::string& layers) {
  return R"({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",)"
         R"( "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": "sha256:)" +
         std::string(64, 'd') + R"(", "size": 2}, "layers": [)" + layers + "]}";
}

const std::string kModelLayer = layer("model", "sha256:" + kModelHex);

// registry.ollama.ai/library/llama3.1:{latest (with num_ctx 8192), 8b (params without num_ctx)},
// registry.ollama.ai/someone/tiny:q4 and example.com/team/tiny:latest, all naming one Llama-3.1-8B blob.
void make_store(const TempDir& dir) {
  fs::create_directories(dir / "blobs");
  llama31_8b().write((dir / ("blobs/sha256-" + kModelHex)).string());
  dir.write("blobs/sha256-" + kParamsHex, R"({"num_ctx": 8192, "stop": ["<|eot_id|>"]})");
  dir.write("blobs/sha256-" + kPlainHex, R"({"temperature": 0.6})");
  const std::string m = "manifests/registry.ollama.ai/";
  dir.write(m + "library/llama3.1/latest",
            manifest(kModelLayer + ", " + layer("params", "sha256:" + kParamsHex) + ", " +
                     layer("template", "sha256:" + std::string(64, 'e'))));
  dir.write(m + "library/llama3.1/8b", manifest(kModelLayer + ", " + layer("params", "sha256:" + kPlainHex)));
  dir.write(m + "someone/tiny/q4", manifest(kModelLayer));
  dir.write("manifests/example.com/team/tiny/latest", manifest(kModelLayer));
}

std::string env_for(const TempDir& dir) {
  return "OLLAMA_MODELS=" + dir.path();
}

// The --json output without its "source" line.
std::string without_source(const std::string& json) {
  std::string out;
  std::size_t begin = 0;
  while (begin < json.size()) {
    std::size_t end = json.find('\n', begin);
    end = end == std::string::npos ? json.size() : end + 1;
    std::string line = json.substr(begin, end - begin);
    if (line.find("\"source\": ") == std::string::npos) out += line;
    begin = end;
  }
  return out;
}

TEST(Stores, OllamaInspectEqualsTheBlob) {
  TempDir dir;
  make_store(dir);
  const std::string blob = dir.path() + "/blobs/sha256-" + kModelHex;
  auto by_name = run_cli("inspect ollama:llama3.1:8b --json", env_for(dir));
  auto by_path = run_cli("inspect '" + blob + "' --json");
  ASSERT_EQ(by_name.exit_code, 0) << by_name.out;
  ASSERT_EQ(by_path.exit_code, 0) << by_path.out;  // a file with GGUF's magic is read as a GGUF
  EXPECT_NE(by_name.out.find("\"source\": \"ollama:llama3.1:8b\""), std::string::npos) << by_name.out;
  EXPECT_NE(by_path.out.find("\"source\": \"" + blob + "\""), std::string::npos) << by_path.out;
  EXPECT_EQ(without_source(by_name.out), without_source(by_path.out));
  EXPECT_NE(by_name.out.find("\"num_layers\": 32"), std::string::npos) << by_name.out;
}

TEST(Stores, OllamaTagDefaultsToLatestAndReportsNumCtx) {
  TempDir dir;
  make_store(dir);
  setenv("OLLAMA_MODELS", dir.path().c_str(), 1);
  auto s = load_model("ollama:llama3.1");
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->source, "ollama:llama3.1:latest");
  // Llama-3.1-8B: 32 layers × 8 KV heads × 128 × 2 (K and V) × 2 bytes (f16) = 131072 bytes per token.
  EXPECT_EQ(s->num_layers(), 32);
  bool noted = false;
  for (const auto& n : s->notes) noted |= n.text == "Ollama runs this model with num_ctx 8192 by default";
  EXPECT_TRUE(noted);
  // The params layer without num_ctx adds no note.
  auto plain = load_model("ollama:llama3.1:8b");
  ASSERT_TRUE(plain) << plain.error().message();
  for (const auto& n : plain->notes) EXPECT_EQ(n.text.find("num_ctx"), std::string::npos) << n.text;
  unsetenv("OLLAMA_MODELS");
}

TEST(Stores, OllamaNamespaceAndHostForms) {
  TempDir dir;
  make_store(dir);
  setenv("OLLAMA_MODELS", dir.path().c_str(), 1);
  for (const char* name : {"ollama:someone/tiny:q4", "ollama:registry.ollama.ai/someone/tiny:q4",
                           "ollama:library/llama3.1:8b", "ollama:example.com/team/tiny"}) {
    auto s = load_model(name);
    ASSERT_TRUE(s) << name << ": " << s.error().message();
    EXPECT_EQ(s->num_layers(), 32) << name;
  }
  EXPECT_EQ(load_model("ollama:example.com/team/tiny")->source, "ollama:example.com/team/tiny:latest");
  unsetenv("OLLAMA_MODELS");
}

TEST(Stores, OllamaStoreFromHomeAndTrimmedVariable) {
  TempDir dir;
  TempDir home;
  make_store(dir);
  fs::create_directories(home / ".ollama");
  fs::create_directory_symlink(dir.path(), home / ".ollama/models");
  auto r = run_cli("inspect ollama:someone/tiny:q4", "env -u OLLAMA_MODELS HOME=" + home.path());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  // Ollama's envconfig.Var trims spaces, then quotes.
  setenv("OLLAMA_MODELS", " '/x/models' ", 1);
  EXPECT_EQ(default_ollama_models_dir(), "/x/models");
  unsetenv("OLLAMA_MODELS");
  setenv("HOME", home.path().c_str(), 1);
  EXPECT_EQ(default_ollama_models_dir(), home.path() + "/.ollama/models");
}

TEST(Stores, OllamaNotFoundListsTheStore) {
  TempDir dir;
  make_store(dir);
  auto r = run_cli("inspect ollama:absent", env_for(dir));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("ollama model 'absent:latest' not found in " + dir.path() +
                       " (looked for manifests/registry.ollama.ai/library/absent/latest)"),
            std::string::npos)
      << r.out;
  // Shown as Ollama shows names: the default host and namespace left out.
  EXPECT_NE(r.out.find("example.com/team/tiny:latest, llama3.1:8b, llama3.1:latest, someone/tiny:q4"),
            std::string::npos)
      << r.out;
  TempDir empty;
  r = run_cli("inspect ollama:absent:7b", env_for(empty));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("the store holds no models"), std::string::npos) << r.out;
}

TEST(Stores, OllamaHostileNamesRefused) {
  TempDir dir;
  make_store(dir);
  setenv("OLLAMA_MODELS", dir.path().c_str(), 1);
  for (const char* name : {"ollama:", "ollama:../x", "ollama:a/../b", "ollama:/etc/passwd",
                           "ollama:x:../../y", "ollama:x:", "ollama:a/b/c/d", "ollama:ns.x/m", "ollama:.",
                           "ollama:x:..", "ollama:m+Q4_0", "ollama:m@sha256-00", "ollama:a b"}) {
    auto s = load_model(name);
    ASSERT_FALSE(s) << name;
    EXPECT_EQ(s.error().code, ErrorCode::usage) << name << ": " << s.error().message();
  }
  auto nul = load_model(std::string("ollama:llama3.1\0:8b", 19));
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().code, ErrorCode::usage);
  std::string long_name = "ollama:" + std::string(129, 'm');
  EXPECT_FALSE(load_model(long_name));
  unsetenv("OLLAMA_MODELS");
  auto r = run_cli("inspect 'ollama:../../etc/passwd'", env_for(dir));
  EXPECT_EQ(r.exit_code, 2) << r.out;
}

TEST(Stores, OllamaHostileManifestsRefused) {
  TempDir dir;
  make_store(dir);
  const std::string m = "manifests/registry.ollama.ai/library/";
  auto with = [&](const std::string& tag, const std::string& digest) {
    dir.write(m + "bad/" + tag, manifest(layer("model", digest)));
  };
  with("dotdot", "sha256:../../../../etc/passwd");
  with("upper", "sha256:" + std::string(64, 'A'));
  with("short", "sha256:" + std::string(63, 'a'));
  with("sha512", "sha512:" + std::string(64, 'a'));
  with("slash", "sha256:" + std::string(32, 'a') + "/" + std::string(31, 'a'));
  dir.write(m + "bad/nodigest", manifest(R"({"mediaType": "application/vnd.ollama.image.model"})"));
  dir.write(m + "bad/numdigest",
            manifest(R"({"mediaType": "application/vnd.ollama.image.model", "digest": 7})"));
  dir.write(m + "bad/two", manifest(kModelLayer + ", " + kModelLayer));
  dir.write(m + "bad/none", manifest(layer("params", "sha256:" + kParamsHex)));
  dir.write(m + "bad/nolayers", R"({"schemaVersion": 2})");
  dir.write(m + "bad/notjson", "\x1b[31mnot json");
  dir.write(m + "bad/huge", std::string((1u << 20) + 1, ' '));
  dir.write(m + "bad/noblob", manifest(layer("model", "sha256:" + std::string(64, '0'))));
  fs::create_directories(dir / (m + "bad/folder"));
  // A manifest that is a link to a file outside manifests/.
  TempDir outside;
  std::string target = outside.write("m", manifest(kModelLayer));
  fs::create_symlink(target, dir / (m + "bad/escape"));
  setenv("OLLAMA_MODELS", dir.path().c_str(), 1);
  for (const char* tag : {"dotdot", "upper", "short", "sha512", "slash", "nodigest", "numdigest", "two",
                          "none", "nolayers", "notjson", "huge", "noblob", "folder", "escape"}) {
    auto s = load_model(std::string("ollama:bad:") + tag);
    ASSERT_FALSE(s) << tag;
    EXPECT_NE(s.error().code, ErrorCode::internal) << tag;
    EXPECT_EQ(s.error().message().find('\x1b'), std::string::npos) << s.error().message();
  }
  EXPECT_NE(load_model("ollama:bad:dotdot").error().message().find("64 lowercase hex digits"),
            std::string::npos);
  unsetenv("OLLAMA_MODELS");
  for (const char* tag : {"dotdot", "notjson", "noblob"}) {
    auto r = run_cli(std::string("inspect ollama:bad:") + tag, env_for(dir));
    EXPECT_EQ(r.exit_code, 2) << tag << ": " << r.out;
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  }
}

TEST(Stores, OllamaNamesWorkInOtherCommands) {
  TempDir dir;
  make_store(dir);
  // Llama-3.1-8B's KV per token: 32 layers × 8 KV heads × 128 × 2 (K, V) × 2 bytes = 131072 B, so its
  // 131072-position limit needs 131072 × 131072 B = 16 GiB of cache: 64 GiB reaches the limit.
  auto r = run_cli("fit ollama:llama3.1 --memory 64GiB", env_for(dir));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("ollama:llama3.1:latest"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("131072 tokens"), std::string::npos) << r.out;
  r = run_cli("compare ollama:llama3.1 ollama:someone/tiny:q4", env_for(dir));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("ollama:llama3.1:latest  tiny:q4"), std::string::npos) << r.out;  // last part shown
  r = run_cli("inspect ollama:llama3.1:8b --context 8k", env_for(dir));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("128 KiB (131072 B)"), std::string::npos) << r.out;
  // An Ollama model is a GGUF: --format hf asks for what it cannot give.
  r = run_cli("inspect ollama:llama3.1 --format hf", env_for(dir));
  EXPECT_EQ(r.exit_code, 2) << r.out;
}

// An LM Studio home under a fake HOME: models/<publisher>/<model>/ with one GGUF (pub/llama), two GGUFs
// (pub/two) and an MLX-style folder with config.json (mlx-community/tiny-4bit).
void make_lmstudio(const TempDir& home, const std::string& lm = ".lmstudio") {
  const std::string m = lm + "/models/";
  fs::create_directories(home / (m + "pub/llama"));
  llama31_8b().write((home / (m + "pub/llama/llama-Q4_K_M.gguf")).string());
  fs::create_directories(home / (m + "pub/two"));
  llama31_8b().write((home / (m + "pub/two/a-Q4_K_M.gguf")).string());
  llama31_8b().write((home / (m + "pub/two/b-Q8_0.gguf")).string());
  home.write(
      m + "mlx-community/tiny-4bit/config.json",
      R"({"model_type": "llama", "num_hidden_layers": 4, "num_attention_heads": 4, "hidden_size": 256})");
}

TEST(Stores, LmStudioNamesAFolderOrAFile) {
  TempDir home;
  make_lmstudio(home);
  setenv("HOME", home.path().c_str(), 1);
  auto s = load_model("lmstudio:pub/llama");
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->source, "lmstudio:pub/llama");
  EXPECT_EQ(s->num_layers(), 32);
  auto file = load_model("lmstudio:pub/two/b-Q8_0.gguf");
  ASSERT_TRUE(file) << file.error().message();
  EXPECT_EQ(file->source, "lmstudio:pub/two/b-Q8_0.gguf");
  // Two GGUF models in the folder: name one.
  auto two = load_model("lmstudio:pub/two");
  ASSERT_FALSE(two);
  EXPECT_NE(two.error().message().find("2 .gguf models: a-Q4_K_M.gguf, b-Q8_0.gguf"), std::string::npos)
      << two.error().message();
  auto mlx = load_model("lmstudio:mlx-community/tiny-4bit");
  ASSERT_TRUE(mlx) << mlx.error().message();
  EXPECT_EQ(mlx->num_layers(), 4);
  // The same spec as the file named directly, but for source.
  auto r = run_cli("inspect lmstudio:pub/llama --json", "HOME=" + home.path());
  auto by_path = run_cli("inspect '" + home.path() + "/.lmstudio/models/pub/llama' --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(without_source(r.out), without_source(by_path.out));
}

TEST(Stores, LmStudioHomeFromPointerCacheAndSettings) {
  TempDir home;
  setenv("HOME", home.path().c_str(), 1);
  EXPECT_EQ(*lmstudio_models_dir(), home.path() + "/.lmstudio/models");
  // The older ~/.cache/lm-studio when it exists.
  make_lmstudio(home, ".cache/lm-studio");
  EXPECT_EQ(*lmstudio_models_dir(), home.path() + "/.cache/lm-studio/models");
  EXPECT_TRUE(load_model("lmstudio:pub/llama"));
  // ~/.lmstudio-home-pointer names the home, whitespace trimmed; its settings.json's downloadsFolder wins.
  TempDir elsewhere;
  make_lmstudio(elsewhere, "lm");
  home.write(".lmstudio-home-pointer", elsewhere.path() + "/lm\n");
  EXPECT_EQ(*lmstudio_models_dir(), elsewhere.path() + "/lm/models");
  elsewhere.write("lm/settings.json", R"({"downloadsFolder": ")" + elsewhere.path() + R"(/lm/models"})");
  auto s = load_model("lmstudio:pub/llama");
  EXPECT_TRUE(s) << s.error().message();
  elsewhere.write("lm/settings.json", R"({"downloadsFolder": "relative/models"})");
  auto bad = load_model("lmstudio:pub/llama");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("downloadsFolder"), std::string::npos) << bad.error().message();
  home.write(".lmstudio-home-pointer", "not/absolute");
  EXPECT_FALSE(lmstudio_models_dir());
}

TEST(Stores, LmStudioNotFoundAndHostileNames) {
  TempDir home;
  make_lmstudio(home);
  auto r = run_cli("inspect lmstudio:pub/absent", "HOME=" + home.path());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("lmstudio model 'pub/absent' not found in " + home.path() +
                       "/.lmstudio/models (looked for pub/absent); the folder holds mlx-community/tiny-4bit, "
                       "pub/llama, pub/two"),
            std::string::npos)
      << r.out;
  setenv("HOME", home.path().c_str(), 1);
  for (const char* name : {"lmstudio:", "lmstudio:pub", "lmstudio:../x", "lmstudio:pub/..",
                           "lmstudio:pub/./x", "lmstudio:/etc/passwd", "lmstudio:pub/llama/../../x.gguf",
                           "lmstudio:pub//llama", "lmstudio:pub/llama/config.json", "lmstudio:a/b/c/d.gguf",
                           "lmstudio:pub/ll\x1b[31m", "lmstudio:pub\\x/llama"}) {
    auto s = load_model(name);
    ASSERT_FALSE(s) << name;
    EXPECT_EQ(s.error().code, ErrorCode::usage) << name << ": " << s.error().message();
    EXPECT_EQ(s.error().message().find('\x1b'), std::string::npos) << s.error().message();
  }
  // A model folder that links outside the models folder is refused unread.
  TempDir outside;
  outside.write("config.json", R"({"model_type": "llama", "num_hidden_layers": 4})");
  fs::create_directory_symlink(outside.path(), home / ".lmstudio/models/pub/escape");
  auto s = load_model("lmstudio:pub/escape");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::bad_input) << s.error().message();
}

}  // namespace
}  // namespace kvspec::test
