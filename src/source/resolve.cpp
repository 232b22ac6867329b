#include "source/resolve.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "json/json.hpp"
#include "kvspec/gguf.hpp"
#include "remote/hub.hpp"
#include "source/stores.hpp"
#include "util/file_kind.hpp"

namespace fs = std::filesystem;

namespace kvspec {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : std::string();
}

bool is_commit_hash(std::string_view s) {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool valid_repo_part(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

// A revision is a branch or tag name (refs/<revision> holds its commit) or a 40-hex commit. Names follow
// git's check-ref-format (refs.c check_refname_component; the Hub's branches and tags are git refs, PR refs
// are "refs/pr/N"): no empty, "." -leading or ".lock"-ending component, no "..", "@{", control character,
// space or any of ~^:?*[\ , no leading or trailing '/'. huggingface_hub joins the revision onto refs/ as it
// is (file_download.py, try_to_load_from_cache, at ee0a4510); refusing these keeps refs/<revision> inside
// refs/.
bool valid_revision(std::string_view r) {
  if (r.empty() || r.size() > 255 || r == "@" || r.front() == '/' || r.back() == '/' || r.back() == '.')
    return false;
  if (r.find("..") != std::string_view::npos || r.find("@{") != std::string_view::npos ||
      r.find("//") != std::string_view::npos)
    return false;
  for (char c : r) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || std::string_view(" ~^:?*[\\").find(c) != std::string_view::npos)
      return false;
  }
  std::size_t begin = 0;
  while (begin <= r.size()) {
    std::size_t end = std::min(r.find('/', begin), r.size());
    std::string_view part = r.substr(begin, end - begin);
    if (part.empty() || part.front() == '.' || part.ends_with(".lock")) return false;
    begin = end + 1;
  }
  return true;
}

Error cannot_read(const fs::path& p, const std::error_code& ec, std::string_view what) {
  if (ec == std::errc::too_many_symbolic_link_levels)
    return make_error(ErrorCode::not_found, p.string(), "", "", "",
                      fmt::format("{}: a looping symbolic link", what));
  return make_error(ErrorCode::io, p.string(), "", "", "",
                    fmt::format("cannot read {}: {}", what, ec.message()));
}

bool missing(const std::error_code& ec) {
  return ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory;
}

Result<std::optional<ModelLocation>> locate_in_folder(const fs::path& dir, std::string_view model,
                                                      const LoadOptions& options);

Result<ModelLocation> locate_in_hf_cache(std::string_view model, const LoadOptions& options) {
  std::string_view id = model;
  std::string revision = "main";
  if (auto at = model.find('@'); at != std::string_view::npos) {
    id = model.substr(0, at);
    revision = std::string(model.substr(at + 1));
  }
  if (!valid_revision(revision) && !is_commit_hash(revision))
    return make_error(ErrorCode::usage, std::string(model), "",
                      "a branch or tag name, or a 40-character commit",
                      fmt::format("revision '{}'", revision),
                      "a revision stays inside the repo's refs/ folder: no absolute path, '..', control "
                      "character, space or ~^:?*[\\");
  auto slash = id.find('/');
  std::string org(id.substr(0, slash));
  std::string name(id.substr(slash + 1));
  std::string cache = options.hf_cache_dir.value_or(default_hf_cache_dir());
  if (cache.empty())
    return make_error(ErrorCode::not_found, std::string(model), "", "", "",
                      "no Hugging Face cache: $HOME is unset or relative and the password database has no "
                      "home folder for this user (set HF_HUB_CACHE or pass --hf-cache)");
  fs::path repo = fs::path(cache) / fmt::format("models--{}--{}", org, name);
  std::error_code ec;
  auto repo_st = fs::status(repo, ec);
  if (ec && !missing(ec)) return cannot_read(repo, ec, "the Hugging Face cache");
  if (!fs::is_directory(repo_st))
    return make_error(ErrorCode::not_found, std::string(model), "", "", "",
                      fmt::format("not a file or folder, and not in the Hugging Face cache ({} {})",
                                  repo.string(), fs::exists(repo_st) ? "is not a folder" : "does not exist"));
  // refs/<revision> holds the commit a branch or tag points to; a full commit hash names a snapshot directly.
  // The ref's text is never shown: only whether it is a commit.
  std::string commit;
  fs::path ref = repo / "refs" / revision;
  auto ref_st = fs::status(ref, ec);
  if (ec && !missing(ec)) return cannot_read(ref, ec, "the ref");
  if (fs::is_regular_file(ref_st)) {
    if (!stays_inside(ref, repo / "refs"))
      return make_error(ErrorCode::bad_input, ref.string(), "", "a ref inside the repo's refs/ folder",
                        "a symbolic link that leads outside it (not read)");
    auto text = json::read_file_bounded(ref.string(), 256);
    if (!text) return text.error();
    commit = *text;
    while (!commit.empty() && std::isspace(static_cast<unsigned char>(commit.back()))) commit.pop_back();
    if (!is_commit_hash(commit))
      return make_error(ErrorCode::bad_input, ref.string(), "", "a 40-character commit hash",
                        fmt::format("{} bytes of something else (not shown)", text->size()));
  } else if (fs::exists(ref_st) && !is_commit_hash(revision)) {
    return make_error(ErrorCode::bad_input, ref.string(), "", "a file holding a commit hash",
                      std::string(describe_file_type(ref_st.type())));
  } else if (is_commit_hash(revision)) {
    commit = revision;
  } else {
    return make_error(ErrorCode::not_found, ref.string(), "", "", "",
                      fmt::format("revision '{}' is not in the local cache", revision));
  }
  fs::path snapshot = repo / "snapshots" / commit;
  auto snap_st = fs::status(snapshot, ec);
  if (ec && !missing(ec)) return cannot_read(snapshot, ec, "the snapshot folder");
  if (!fs::exists(snap_st))
    return make_error(ErrorCode::not_found, snapshot.string(), "", "", "", "snapshot folder missing");
  if (!fs::is_directory(snap_st))
    return make_error(ErrorCode::bad_input, snapshot.string(), "", "the snapshot folder",
                      std::string(describe_file_type(snap_st.type())));
  if (!stays_inside(snapshot, repo / "snapshots"))
    return make_error(ErrorCode::bad_input, snapshot.string(), "",
                      "a snapshot inside the repo's snapshots/ folder",
                      "a symbolic link that leads outside it (not read)");
  auto loc = locate_in_folder(snapshot, model, options);
  if (!loc) return loc.error();
  if (*loc) return std::move(**loc);
  return make_error(ErrorCode::not_found, (snapshot / "config.json").string(), "", "", "",
                    "the cached snapshot has no config.json (download it with the model's other files)");
}

// A folder without config.json may hold one GGUF model: one .gguf file, or the first part of one split set.
// Multimodal projector files (mmproj*.gguf) hold no language model and are left out.
Result<std::optional<std::string>> single_gguf_in(const fs::path& dir) {
  std::vector<std::string> models;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_regular_file(ec) || !is_gguf_path(name) || name.rfind("mmproj", 0) == 0) continue;
    // Split parts: keep "-00001-of-NNNNN.gguf" only.
    if (name.size() > 20 && name[name.size() - 20] == '-' && name.compare(name.size() - 14, 4, "-of-") == 0 &&
        name.compare(name.size() - 19, 5, "00001") != 0)
      continue;
    models.push_back(entry.path().string());
    if (models.size() > 64) break;
  }
  if (ec) return make_error(ErrorCode::io, dir.string(), "", "", "", ec.message());
  if (models.empty()) return std::optional<std::string>{};
  if (models.size() > 1) {
    std::sort(models.begin(), models.end());
    std::string list;
    for (std::size_t i = 0; i < models.size() && i < 5; ++i)
      list += (i ? ", " : "") + fs::path(models[i]).filename().string();
    return make_error(
        ErrorCode::usage, dir.string(), "", "one GGUF model in the folder (or name the file)",
        fmt::format("{} .gguf models: {}{}", models.size(), list, models.size() > 5 ? ", ..." : ""));
  }
  return std::optional<std::string>{models.front()};
}

// The file describing the model in `dir`, by options.format: config.json, or one GGUF model. nullopt when the
// folder holds neither.
Result<std::optional<ModelLocation>> locate_in_folder(const fs::path& dir, std::string_view model,
                                                      const LoadOptions& options) {
  std::error_code ec;
  const fs::path config = dir / "config.json";
  if (!fs::exists(config, ec) && fs::is_symlink(fs::symlink_status(config, ec)))
    return make_error(ErrorCode::not_found, config.string(), "", "", "", "a broken or looping symbolic link");
  const bool has_config = fs::exists(config, ec);
  auto gguf = single_gguf_in(dir);
  const SourceFormat f = options.format;
  auto at = [&](const std::string& path, std::string note) {
    return std::optional<ModelLocation>{
        ModelLocation{dir.string(), path, std::string(model), std::move(note)}};
  };
  if (f == SourceFormat::hf) {
    if (!has_config)
      return make_error(ErrorCode::usage, dir.string(), "--format",
                        "a config.json in the folder (--format hf)", "none");
    return at(config.string(), "");
  }
  if (f == SourceFormat::gguf || (f == SourceFormat::prefer_gguf && gguf && *gguf) || !has_config) {
    if (!gguf) return gguf.error();
    if (!*gguf) {
      if (f == SourceFormat::gguf)
        return make_error(ErrorCode::usage, dir.string(), "--format",
                          "a .gguf model in the folder (--format gguf)", "none");
      return std::optional<ModelLocation>{};
    }
    std::string name = fs::path(**gguf).filename().string();
    return at(**gguf, has_config
                          ? fmt::format("the folder holds config.json and {}: read {} ({}; --format hf "
                                        "reads config.json)",
                                        name, name,
                                        f == SourceFormat::gguf ? "--format gguf"
                                                                : "the GGUF for --runtime llama.cpp")
                          : "");
  }
  // config.json, saying so when a GGUF sits beside it.
  std::string note;
  if (gguf && *gguf)
    note = fmt::format("the folder holds config.json and {}: read config.json (--format gguf reads the GGUF)",
                       fs::path(**gguf).filename().string());
  else if (!gguf && gguf.error().code == ErrorCode::usage)
    note = "the folder also holds several GGUF models: read config.json (name one to read it)";
  return at(config.string(), std::move(note));
}

// True when the Hugging Face cache holds a folder for the repo (org/name[@rev]): then it answers, else the
// Hub.
bool hf_cache_has_repo(std::string_view model, const LoadOptions& options) {
  std::string_view id = model.substr(0, model.find('@'));
  auto slash = id.find('/');
  std::string cache = options.hf_cache_dir.value_or(default_hf_cache_dir());
  std::error_code ec;
  return fs::is_directory(
      fs::path(cache) / fmt::format("models--{}--{}", id.substr(0, slash), id.substr(slash + 1)), ec);
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

// A regular file that starts with GGUF's magic: a GGUF whatever its name (Ollama's blobs have no extension).
bool has_gguf_magic(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  char magic[4] = {};
  return f.read(magic, 4) && std::string_view(magic, 4) == "GGUF";
}

}  // namespace

// The home folder as os.path.expanduser("~") finds it (huggingface_hub constants.py at ee0a4510): $HOME, else
// the password database's entry for the real user id. An empty or relative $HOME would put the cache under
// the working directory, so it counts as unset here. Empty when neither gives an absolute folder.
std::string home_dir() {
  if (std::string h = env("HOME"); !h.empty() && h.front() == '/') return h;
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? static_cast<std::size_t>(size) : 16384);
  struct passwd pw {};
  struct passwd* found = nullptr;
  if (::getpwuid_r(::getuid(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr ||
      found->pw_dir == nullptr || found->pw_dir[0] != '/')
    return {};
  return found->pw_dir;
}

// True when `path`, with every symbolic link resolved, is inside `dir` (resolved too).
bool stays_inside(const fs::path& path, const fs::path& dir) {
  std::error_code ec;
  fs::path p = fs::canonical(path, ec);
  if (ec) return false;
  fs::path d = fs::canonical(dir, ec);
  if (ec) return false;
  auto [d_end, p_it] = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
  return d_end == d.end() && p_it != p.end();
}

bool is_gguf_location(const ModelLocation& loc) {
  return loc.gguf || is_gguf_path(loc.config_path);
}

std::string default_hf_cache_dir() {
  if (std::string v = env("HF_HUB_CACHE"); !v.empty()) return v;
  if (std::string v = env("HF_HOME"); !v.empty()) return (fs::path(v) / "hub").string();
  if (std::string v = env("XDG_CACHE_HOME"); !v.empty())
    return (fs::path(v) / "huggingface" / "hub").string();
  std::string home = home_dir();
  return home.empty() ? std::string() : (fs::path(home) / ".cache" / "huggingface" / "hub").string();
}

bool looks_like_repo_id(std::string_view s) {
  std::string_view id = s.substr(0, s.find('@'));
  auto slash = id.find('/');
  if (slash == std::string_view::npos || id.find('/', slash + 1) != std::string_view::npos) return false;
  return valid_repo_part(id.substr(0, slash)) && valid_repo_part(id.substr(slash + 1));
}

Result<ModelLocation> locate_model(std::string_view model, const LoadOptions& options) {
  if (model.empty())
    return make_error(ErrorCode::usage, "", "", "a model path or repo id", "an empty string");
  // A NUL would cut the path short at the C library: "org/model@main\0x" must not resolve "main".
  if (model.find('\0') != std::string_view::npos ||
      (options.hf_cache_dir && options.hf_cache_dir->find('\0') != std::string::npos))
    return make_error(ErrorCode::usage, std::string(model), "",
                      "a model path or repo id (and cache folder) without NUL characters", "a NUL character");
  // hf://, http:// and https:// names always reach the Hub or the URL (src/remote).
  if (starts_with(model, "hf://") || starts_with(model, "http://") || starts_with(model, "https://"))
    return remote::locate_remote(model, options);
  // ollama:NAME[:TAG] names a model in a local store (src/source/stores.cpp); ./ollama:x names a file.
  if (is_store_name(model)) return locate_in_store(model, options);
  fs::path p{std::string(model)};
  std::error_code ec;
  auto st = fs::status(p, ec);
  if (!ec && fs::is_directory(st)) {
    auto loc = locate_in_folder(p, model, options);
    if (!loc) return loc.error();
    if (*loc) return std::move(**loc);
    return make_error(ErrorCode::not_found, p.string(), "", "a folder with a config.json or one .gguf model",
                      "no config.json and no .gguf file");
  }
  if (!ec && fs::exists(st)) {
    // A file named on purpose; --format, when given, must agree with it. A regular file with GGUF's magic
    // is a GGUF whatever its name (an Ollama blob named directly).
    const bool gguf = is_gguf_path(p.string()) || (fs::is_regular_file(st) && has_gguf_magic(p));
    if ((options.format == SourceFormat::hf && gguf) || (options.format == SourceFormat::gguf && !gguf))
      return make_error(
          ErrorCode::usage, p.string(), "--format",
          options.format == SourceFormat::hf ? "a config.json (--format hf)" : "a .gguf file (--format gguf)",
          gguf ? "a .gguf file" : "another file");
    ModelLocation loc{p.parent_path().string(), p.string(), std::string(model), ""};
    loc.gguf = gguf;
    return loc;
  }
  if (fs::is_symlink(fs::symlink_status(p, ec)))
    return make_error(ErrorCode::not_found, p.string(), "", "", "", "a broken or looping symbolic link");
  if (looks_like_repo_id(model)) {
    if (hf_cache_has_repo(model, options)) return locate_in_hf_cache(model, options);
    // Not in the Hugging Face cache: the Hub (offline: kvspec's cache only). A failure says both.
    auto r = remote::locate_remote(model, options);
    if (r) return r;
    auto local = locate_in_hf_cache(model, options);
    if (local) return local;
    Error e = r.error();
    e.detail += "; and " + local.error().message();
    return e;
  }
  // org/name/path names a file in a Hub repo, unless `org` is a folder here: then it is a local path that
  // does not exist (a typo in tests/data/configs/x must not reach the network). org/name:QUANT (one slash) is
  // always a repo.
  if (remote::is_remote_name(model)) {
    const std::string_view id = model.substr(0, model.find('@'));
    const bool repo_path = std::count(id.begin(), id.end(), '/') >= 2;
    if (!repo_path || !fs::is_directory(fs::path(std::string(model.substr(0, model.find('/')))), ec))
      return remote::locate_remote(model, options);
  }
  return make_error(ErrorCode::not_found, std::string(model), "", "", "", "no such file or folder");
}

}  // namespace kvspec
