// Hostile names and paths (issue 18, items 1, 2 and 9): revisions and refs that try to leave the Hugging Face
// cache, snapshots that are links, loops or pipes, and text from the files (model_type, dtypes, quantization
// methods, GGUF architectures, file names) carrying ESC / BEL / NUL / DEL / C1 / bidi controls. kvspec reads
// nothing outside the repo's folder, never echoes a ref's text, shows every such character escaped (\x1b,
// \u202e) in text and errors, keeps --json valid JSON, and says what is wrong.
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "bounded_run.hpp"
#include "cli_util.hpp"
#include "json/json.hpp"
#include "kvspec/escape.hpp"
#include "report/json_writer.hpp"
#include "support/gguf_writer.hpp"
#include "test_util.hpp"

namespace kvspec::test {
namespace {

namespace fs = std::filesystem;

const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";
const std::string kSecret = "hf_kvspecTestSecretToken";
const char* kTiny =
    R"({"model_type": "llama", "num_hidden_layers": 2, "num_attention_heads": 4, "hidden_size": 256})";

// No raw byte a terminal acts on: C0 controls but newline, DEL, C1 (UTF-8 C2 80-9F), bidi controls
// (E2 80 AA-AE, E2 81 A6-A9).
::testing::AssertionResult terminal_safe(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    auto next = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
    if ((c < 0x20 && c != '\n') || c == 0x7F || (c == 0xC2 && next(1) >= 0x80 && next(1) <= 0x9F) ||
        (c == 0xE2 && next(1) == 0x80 && next(2) >= 0xAA && next(2) <= 0xAE) ||
        (c == 0xE2 && next(1) == 0x81 && next(2) >= 0xA6 && next(2) <= 0xA9))
      return ::testing::AssertionFailure() << "raw byte 0x" << std::hex << static_cast<int>(c) << " at " << i
                                           << " in: " << escape_for_terminal(s);
  }
  return ::testing::AssertionSuccess();
}

BoundedResult cli(std::vector<std::string> args) {
  BoundedResult r = run_bounded(args);
  EXPECT_FALSE(r.timed_out);
  return r;
}

// Refused with exit 2, the usual prefix, each of `mentions`, never the secret, nothing raw for the terminal.
void expect_refused(const std::vector<std::string>& args, const std::vector<std::string>& mentions) {
  BoundedResult r = cli(args);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(r.out.rfind("kvspec: error: ", 0), 0u) << r.out;
  for (const auto& m : mentions)
    EXPECT_NE(r.out.find(m), std::string::npos) << "must say '" << m << "': " << r.out;
  EXPECT_EQ(r.out.find(kSecret), std::string::npos) << "leaked the file's text: " << r.out;
  EXPECT_TRUE(terminal_safe(r.out));
}

// --- the escaping function -------------------------------------------------------------------------------

TEST(Escape, ControlsBidiAndInvalidUtf8AreShownEscaped) {
  EXPECT_EQ(escape_for_terminal("llama"), "llama");
  EXPECT_EQ(escape_for_terminal("\x1b[2J\x1b]0;t\x07"), "\\x1b[2J\\x1b]0;t\\x07");
  EXPECT_EQ(escape_for_terminal(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(escape_for_terminal("a\nb\r\tc\x7f"), "a\\nb\\r\\tc\\x7f");
  EXPECT_EQ(escape_for_terminal("back\\slash"), "back\\\\slash");  // so "\x1b" typed in a name is not an ESC
  EXPECT_EQ(escape_for_terminal("\xc2\x85\xc2\x9b"), "\\u0085\\u009b");  // NEL, CSI (C1)
  EXPECT_EQ(escape_for_terminal("\xe2\x80\xae"
                                "cod.exe"),
            "\\u202ecod.exe");  // RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(escape_for_terminal("\xe2\x80\xaa\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8f"),
            "\\u202a\\u2066\\u2069\\u200f");
  EXPECT_EQ(escape_for_terminal("\xe2\x80\xa8"), "\\u2028");
  // Printable Unicode stays readable: a Chinese model name, an accented one, an emoji.
  EXPECT_EQ(escape_for_terminal("通义千问-模型"), "通义千问-模型");
  EXPECT_EQ(escape_for_terminal("modèle \xf0\x9f\xa6\x99"), "modèle \xf0\x9f\xa6\x99");
  // Invalid UTF-8: a stray continuation, a truncated sequence, an overlong '/', a surrogate, past U+10FFFF.
  EXPECT_EQ(escape_for_terminal("\x80"), "\\x80");
  EXPECT_EQ(escape_for_terminal("\xe4\xb8"), "\\xe4\\xb8");
  EXPECT_EQ(escape_for_terminal("\xc0\xaf"), "\\xc0\\xaf");
  EXPECT_EQ(escape_for_terminal("\xed\xa0\x80"), "\\xed\\xa0\\x80");
  EXPECT_EQ(escape_for_terminal("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
  // Whole reports keep their lines and leave escaped fields alone.
  EXPECT_EQ(escape_report_lines("a\\x1b\nb\x1b"), "a\\x1b\nb\\x1b");
}

TEST(Escape, ErrorMessagesEscapeWhatTheFilesSaid) {
  Error e = make_error(ErrorCode::bad_input, "/m/\x1b[31mred/config.json", "model_type", "a known model_type",
                       "'llama\x1b]0;pwned\x07\xe2\x80\xae'");
  EXPECT_EQ(e.message(),
            "/m/\\x1b[31mred/config.json: field 'model_type': expected a known model_type, found "
            "'llama\\x1b]0;pwned\\x07\\u202e'");
}

// Invisible characters that make a name look like another: "lla\u200bma" is not "llama". Zero-width space,
// joiner, BOM, soft hyphen and a tag character (U+E0041, 4 bytes F3 A0 81 81) are shown escaped; past the BMP
// as \U plus 8 digits in text and as a surrogate pair in JSON (U+E0041 - U+10000 = 0xD0041: high 0xDB40,
// low 0xDC41).
TEST(Escape, ZeroWidthAndTagCharactersAreShownEscaped) {
  EXPECT_EQ(escape_for_terminal("lla\xe2\x80\x8bma"), "lla\\u200bma");
  EXPECT_EQ(escape_for_terminal("\xe2\x80\x8d\xef\xbb\xbf\xc2\xad"), "\\u200d\\ufeff\\u00ad");
  EXPECT_EQ(escape_for_terminal("a\xf3\xa0\x81\x81"
                                "1"),
            "a\\U000e00411");
  EXPECT_EQ(json_escape("a\xf3\xa0\x81\x81"), "\"a\\udb40\\udc41\"");
  EXPECT_EQ(escape_for_terminal("通义 café"), "通义 café");  // printable text stays as it is
}

// A file's string that begins with NULs and reads "NaN" stays a string beside a bare NaN literal: the
// rewrite of the literals uses a longer NUL run than the file holds (found by fuzz_escape:
// json_escape("\0NaN") parsed back as the number NaN).
TEST(Escape, NulPrefixedStringsAreNotMistakenForNanLiterals) {
  for (const std::string nuls : {"\\u0000", "\\u0000\\u0000"}) {
    auto doc =
        json::parse(R"({"s": ")" + nuls + R"(NaN", "t": ")" + nuls + R"(Infinity", "x": NaN})", "nan.json");
    ASSERT_TRUE(doc) << doc.error().message();
    const json::Value* s = doc->root.find("s");
    const json::Value* t = doc->root.find("t");
    const json::Value* x = doc->root.find("x");
    ASSERT_TRUE(s && t && x);
    ASSERT_TRUE(s->is_string());
    EXPECT_EQ(s->as_string(), std::string(nuls.size() / 6, '\0') + "NaN");
    EXPECT_TRUE(t->is_string());
    ASSERT_TRUE(x->is_number());
    EXPECT_TRUE(std::isnan(x->as_double()));
  }
}

TEST(Escape, JsonEscapesTheSameCharactersAndStaysValid) {
  EXPECT_EQ(json_escape("a\x1b\x07\x7f"), "\"a\\u001b\\u0007\\u007f\"");
  EXPECT_EQ(json_escape("\xc2\x85\xe2\x80\xae\xe2\x81\xa6\xe2\x80\xa8"), "\"\\u0085\\u202e\\u2066\\u2028\"");
  EXPECT_EQ(json_escape("通义\"\\\n"), "\"通义\\\"\\\\\\n\"");
  EXPECT_EQ(json_escape("a\xff"
                        "b"),
            "\"a\\ufffdb\"");  // invalid UTF-8 (a file name): U+FFFD, still JSON
  auto doc = json::parse("{\"k\": " + json_escape("x\xff\x1b\xc0\xaf") + "}", "t.json");
  ASSERT_TRUE(doc) << doc.error().message();
}

// --- the Hugging Face cache ------------------------------------------------------------------------------

struct Cache {
  TempDir dir;
  std::string hub = dir.path() + "/hub";
  std::string repo = hub + "/models--org--model";
  std::string secret = dir.write("outside/token", kSecret + "\n");
  Cache() { dir.write("hub/models--org--model/snapshots/" + kCommit + "/config.json", kTiny); }
  std::vector<std::string> args(const std::string& model) const {
    return {"inspect", "--hf-cache", hub, model};
  }
};

TEST(HostilePaths, RevisionsNeverLeaveTheRepoFolder) {
  Cache c;
  // An absolute revision replaced the whole path: the token was read and echoed ("found hf_...").
  expect_refused(c.args("org/model@" + c.secret), {"revision", "a branch or tag name"});
  expect_refused(c.args("org/model@../../outside/token"), {"revision '../../outside/token'"});
  for (const char* bad : {"main/../../x", "a//b", ".hidden", "x.lock", "a b", "a~1", "a:b", "@", "x@{1}",
                          "a\\b", "a\x1b[2Jb", "trail/", "trail."})
    expect_refused(c.args(std::string("org/model@") + bad), {"a branch or tag name"});
  // The escape-laden revision is named escaped.
  expect_refused(c.args("org/model@a\x1b[2Jb"), {"'a\\x1b[2Jb'"});
}

TEST(HostilePaths, RefsAndSnapshotsThatLeadOutsideAreNotRead) {
  Cache c;
  // A ref that is a symbolic link to a file outside the cache.
  fs::create_directories(c.repo + "/refs");
  fs::create_symlink(c.secret, c.repo + "/refs/evil");
  expect_refused(c.args("org/model@evil"), {c.repo + "/refs/evil", "leads outside"});
  // A ref whose text is not a commit: said, not shown.
  c.dir.write("hub/models--org--model/refs/main", kSecret);
  expect_refused(c.args("org/model"), {"a 40-character commit hash", "not shown"});
  // A snapshot that is a link to a model folder outside snapshots/: refused, not read.
  const std::string other(40, 'b');
  c.dir.write("hub/models--org--model/refs/elsewhere", other);
  c.dir.write("outside/model/config.json", kTiny);
  fs::create_symlink(c.dir.path() + "/outside/model", c.repo + "/snapshots/" + other);
  expect_refused(c.args("org/model@elsewhere"), {"snapshots/" + other, "leads outside"});
  // A PR ref (refs/pr/1, kept at refs/refs/pr/1 as huggingface_hub writes it) and a branch with a slash
  // resolve.
  c.dir.write("hub/models--org--model/refs/refs/pr/1", kCommit);
  c.dir.write("hub/models--org--model/refs/feature/x", kCommit + "\n");
  for (const char* rev : {"refs/pr/1", "feature/x"}) {
    BoundedResult r = cli(c.args(std::string("org/model@") + rev));
    EXPECT_EQ(r.exit_code, 0) << rev << ": " << r.out;
  }
}

TEST(HostilePaths, ANulInAModelNameIsRefusedNotCutShort) {
  Cache c;
  c.dir.write("hub/models--org--model/refs/main", kCommit);
  LoadOptions o;
  o.hf_cache_dir = c.hub;
  ASSERT_TRUE(load_model("org/model@main", o));
  // From the library or Python (a shell cannot pass one): "main\0zzz" resolved "main".
  auto r = load_model(std::string("org/model@main\0zzz", 18), o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::usage);
  EXPECT_NE(r.error().message().find("org/model@main\\x00zzz"), std::string::npos) << r.error().message();
  o.hf_cache_dir = c.hub + std::string("\0/elsewhere", 11);
  EXPECT_FALSE(load_model("org/model", o));
}

TEST(HostilePaths, CacheRefAndSnapshotProblemsAreNamed) {
  Cache c;
  const std::string root = c.dir.path();
  // A cache folder that is a link loop: not "does not exist".
  fs::create_symlink(root + "/loop_b", root + "/loop_a");
  fs::create_symlink(root + "/loop_a", root + "/loop_b");
  expect_refused({"inspect", "--hf-cache", root + "/loop_a", "org/model"}, {"looping symbolic link"});
  // A ref that is a link loop or a FIFO: not "not in the local cache".
  fs::create_directories(c.repo + "/refs");
  fs::create_symlink(c.repo + "/refs/loop", c.repo + "/refs/loop");
  expect_refused(c.args("org/model@loop"), {"refs/loop", "looping symbolic link"});
  ASSERT_EQ(mkfifo((c.repo + "/refs/fifo").c_str(), 0600), 0);
  expect_refused(c.args("org/model@fifo"), {"refs/fifo", "a file holding a commit hash", "FIFO"});
  // Snapshots that are a loop, a FIFO or a device: not "snapshot folder missing".
  const std::string loop(40, 'c'), fifo(40, 'd'), dev(40, 'e');
  fs::create_symlink(c.repo + "/snapshots/" + loop, c.repo + "/snapshots/" + loop);
  ASSERT_EQ(mkfifo((c.repo + "/snapshots/" + fifo).c_str(), 0600), 0);
  fs::create_symlink("/dev/null", c.repo + "/snapshots/" + dev);
  expect_refused(c.args("org/model@" + loop), {"looping symbolic link"});
  expect_refused(c.args("org/model@" + fifo), {"the snapshot folder", "named pipe (FIFO)"});
  expect_refused(c.args("org/model@" + dev), {"the snapshot folder", "a character device"});
  if (geteuid() != 0) {  // root reads through any permission: UnreadableCacheFoldersAreNamed runs as nobody
    fs::permissions(c.hub, fs::perms::none);
    expect_refused(c.args("org/model"), {"cannot read the Hugging Face cache", "Permission denied"});
    fs::permissions(c.hub, fs::perms::owner_all);
    fs::permissions(c.repo + "/refs", fs::perms::none);
    expect_refused(c.args("org/model"), {"cannot read the ref", "Permission denied"});
    fs::permissions(c.repo + "/refs", fs::perms::owner_all);
  }
}

// The same unreadable folders when the tests run as root (CI): the load runs with the effective uid and gid
// of `nobody` (65534), for whom the permissions hold; the tree is made world-readable first so only the
// folder under test is closed. Each test runs in a process of its own (gtest_discover_tests), so the identity
// switch touches no other test.
TEST(HostilePaths, UnreadableCacheFoldersAreNamedAsAnotherUser) {
  if (geteuid() != 0) GTEST_SKIP() << "covered by CacheRefAndSnapshotProblemsAreNamed";
  Cache c;
  c.dir.write("hub/models--org--model/refs/main", kCommit);
  for (const auto& e : fs::recursive_directory_iterator(c.dir.path()))
    fs::permissions(e.path(), e.is_directory()
                                  ? fs::perms::all
                                  : fs::perms::owner_all | fs::perms::others_read | fs::perms::group_read);
  fs::permissions(c.dir.path(), fs::perms::all);
  LoadOptions o;
  o.hf_cache_dir = c.hub;
  auto as_nobody = [&](const std::string& closed) {
    fs::permissions(closed, fs::perms::none);
    EXPECT_EQ(setegid(65534), 0);
    EXPECT_EQ(seteuid(65534), 0);
    auto r = load_model("org/model", o);
    EXPECT_EQ(seteuid(0), 0);
    EXPECT_EQ(setegid(0), 0);
    fs::permissions(closed, fs::perms::all);
    return r;
  };
  auto hub = as_nobody(c.hub);
  ASSERT_FALSE(hub);
  EXPECT_EQ(hub.error().code, ErrorCode::io) << hub.error().message();
  EXPECT_NE(hub.error().message().find("cannot read the Hugging Face cache"), std::string::npos)
      << hub.error().message();
  EXPECT_NE(hub.error().message().find("Permission denied"), std::string::npos) << hub.error().message();
  auto ref = as_nobody(c.repo + "/refs");
  ASSERT_FALSE(ref);
  EXPECT_NE(ref.error().message().find("cannot read the ref"), std::string::npos) << ref.error().message();
  EXPECT_NE(ref.error().message().find("Permission denied"), std::string::npos) << ref.error().message();
  // Readable again: the same load succeeds as nobody.
  EXPECT_EQ(seteuid(65534), 0);
  auto ok = load_model("org/model", o);
  EXPECT_EQ(seteuid(0), 0);
  EXPECT_TRUE(ok) << (ok ? "" : ok.error().message());
}

TEST(HostilePaths, HomeComesFromThePasswordDatabaseNotTheWorkingDirectory) {
  // A model at ./.cache/huggingface/hub: with HOME unset (or empty) it must not be found from the working
  // directory.
  TempDir dir;
  dir.write(".cache/huggingface/hub/models--org--tiny/snapshots/" + kCommit + "/config.json", kTiny);
  dir.write(".cache/huggingface/hub/models--org--tiny/refs/main", kCommit);
  for (const char* home : {"-u HOME", "HOME=", "HOME=relative"}) {
    auto r = run_cli("org/tiny",
                     "cd " + dir.path() + " && env -u HF_HUB_CACHE -u HF_HOME -u XDG_CACHE_HOME " + home);
    EXPECT_EQ(r.exit_code, 2) << home << ": " << r.out;
    EXPECT_NE(r.out.find("/.cache/huggingface/hub/models--org--tiny"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(dir.path()), std::string::npos)
        << home << ": resolved from the working directory: " << r.out;
  }
}

// --- text from the files ---------------------------------------------------------------------------------

const std::string kEvil = "\x1b[2J\x1b]0;pwned\x07\x7f\xc2\x9b\xe2\x80\xae\xe2\x81\xa6";
const std::string kEvilShown = "\\x1b[2J\\x1b]0;pwned\\x07\\x7f\\u009b\\u202e\\u2066";

TEST(HostileText, ConfigStringsAndFileNamesReachTheTerminalEscaped) {
  TempDir dir;
  // torch_dtype and the quantization method are shown as the config has them; the folder name is the source.
  const std::string folder = "m" + kEvil + "通义";
  // In config.json the characters are JSON escapes (\u001b ...), as a writer would put them.
  dir.write(folder + "/config.json",
            R"({"model_type": "llama", "num_hidden_layers": 2, "num_attention_heads": 4, "hidden_size": 256,
                "torch_dtype": )" +
                json_escape("bf16" + kEvil) + R"(, "quantization_config": {"quant_method": )" +
                json_escape("q" + kEvil) + R"(, "bits": 4}})");
  const std::string path = dir.path() + "/" + folder;
  BoundedResult r = cli({"inspect", path, "--context", "1k"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(terminal_safe(r.out));
  EXPECT_NE(r.out.find("m" + kEvilShown + "通义"), std::string::npos) << r.out;  // readable Chinese kept
  EXPECT_NE(r.out.find("q" + kEvilShown), std::string::npos) << r.out;
  BoundedResult cmp = cli({"compare", path, path});
  EXPECT_EQ(cmp.exit_code, 0) << cmp.out;
  EXPECT_TRUE(terminal_safe(cmp.out));
  BoundedResult fit = cli({"fit", path, "--memory", "1GiB"});
  EXPECT_EQ(fit.exit_code, 0) << fit.out;
  EXPECT_TRUE(terminal_safe(fit.out));
  // --json: valid JSON, the same characters as \uXXXX, the values intact once parsed.
  BoundedResult js = cli({"inspect", path, "--json"});
  EXPECT_EQ(js.exit_code, 0) << js.out;
  EXPECT_TRUE(terminal_safe(js.out));
  EXPECT_NE(js.out.find("\\u001b[2J"), std::string::npos) << js.out;
  auto doc = json::parse(js.out, "out.json");
  ASSERT_TRUE(doc) << doc.error().message();
}

TEST(HostileText, ErrorsFromConfigAndGgufStringsAreEscaped) {
  TempDir dir;
  // A layer type string is quoted in the error; an unknown model_type is shown in the summary.
  std::string cfg = dir.write("bad/config.json",
                              R"({"model_type": "gemma2", "num_hidden_layers": 2, "num_attention_heads": 4,
                                  "hidden_size": 256, "layer_types": ["full_attention", )" +
                                  json_escape("sl" + kEvil) + "]}");
  expect_refused({"inspect", cfg}, {"layer_types[1]", "sl" + kEvilShown});
  std::string unknown =
      dir.write("unknown/config.json", R"({"model_type": )" + json_escape("x" + kEvil) +
                                           R"(, "num_hidden_layers": 2, "num_attention_heads": 4,
                                                                "hidden_size": 256})");
  BoundedResult r = cli({"inspect", unknown});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("model type     x" + kEvilShown), std::string::npos) << r.out;
  EXPECT_TRUE(terminal_safe(r.out));
  GgufWriter w;
  w.str("general.architecture", "arch" + kEvil);
  std::string gguf = dir.path() + "/evil" + kEvil + ".gguf";
  w.write(gguf);
  expect_refused({"inspect", gguf}, {"arch" + kEvilShown, "evil" + kEvilShown + ".gguf"});
  // A missing path made of controls and a NUL-free escape: named escaped.
  expect_refused({"inspect", dir.path() + "/nope" + kEvil}, {"nope" + kEvilShown});
}

TEST(HostileText, ParseErrorsHaveThePrefixAndAreEscaped) {
  BoundedResult r = cli({"inspect", "--no-such-flag"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(r.out.rfind("kvspec: error: ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("--no-such-flag"), std::string::npos) << r.out;
  r = cli({"inspect", "--batch", "x" + kEvil});  // CLI11 quotes the value it could not convert
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(r.out.rfind("kvspec: error: ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("x" + kEvilShown), std::string::npos) << r.out;
  EXPECT_TRUE(terminal_safe(r.out));
  r = cli({"inspect", "--kv-bits", "0"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(r.out.rfind("kvspec: error: ", 0), 0u) << r.out;
}

TEST(HostileText, AGgufPartThatIsAFolderIsCalledAFolder) {
  TempDir dir;
  GgufWriter w;
  w.str("general.architecture", "llama");
  w.u32("llama.block_count", 2);
  w.u32("llama.embedding_length", 256);
  w.u32("llama.attention.head_count", 4);
  w.u32("split.no", 0);
  w.u32("split.count", 2);
  const std::string first = dir.path() + "/m-00001-of-00002.gguf";
  w.write(first);
  fs::create_directories(dir.path() + "/m-00002-of-00002.gguf");
  expect_refused({"inspect", first}, {"m-00002-of-00002.gguf", "expected a regular file, found a directory"});
}

}  // namespace
}  // namespace kvspec::test
