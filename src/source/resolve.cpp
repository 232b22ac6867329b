#include "source/resolve.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "json/json.hpp"
#include "kvspec/gguf.hpp"
#include "remote/hub.hpp"

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

Result<ModelLocation> locate_in_hf_cache(std::string_view model, const LoadOptions& options) {
  std::string_view id = model;
  std::string revision = "main";
  if (auto at = model.find('@'); at != std::string_view::npos) {
    id = model.substr(0, at);
    revision = std::string(model.substr(at + 1));
  }
  auto slash = id.find('/');
  std::string org(id.substr(0, slash));
  std::string name(id.substr(slash + 1));
  std::string cache = options.hf_cache_dir.value_or(default_hf_cache_dir());
  fs::path repo = fs::path(cache) / fmt::format("models--{}--{}", org, name);
  std::error_code ec;
  if (!fs::is_directory(repo, ec))
    return make_error(
        ErrorCode::not_found, std::string(model), "", "", "",
        fmt::format("not a file or folder, and not in the Hugging Face cache ({} does not exist)",
                    repo.string()));
  // refs/<revision> holds the commit a branch or tag points to; a full commit hash names a snapshot directly.
  std::string commit;
  fs::path ref = repo / "refs" / revision;
  if (revision.find("..") == std::string::npos && fs::is_regular_file(ref, ec)) {
    auto text = json::read_file_bounded(ref.string(), 256);
    if (!text) return text.error();
    commit = *text;
    while (!commit.empty() && std::isspace(static_cast<unsigned char>(commit.back()))) commit.pop_back();
    if (!is_commit_hash(commit))
      return make_error(ErrorCode::bad_input, ref.string(), "", "a 40-character commit hash", commit);
  } else if (is_commit_hash(revision)) {
    commit = revision;
  } else {
    return make_error(ErrorCode::not_found, ref.string(), "", "", "",
                      fmt::format("revision '{}' is not in the local cache", revision));
  }
  fs::path snapshot = repo / "snapshots" / commit;
  if (!fs::is_directory(snapshot, ec))
    return make_error(ErrorCode::not_found, snapshot.string(), "", "", "", "snapshot folder missing");
  fs::path config = snapshot / "config.json";
  if (!fs::exists(config, ec))
    return make_error(ErrorCode::not_found, config.string(), "", "", "",
                      "the cached snapshot has no config.json (download it with the model's other files)");
  return ModelLocation{snapshot.string(), config.string(), std::string(model)};
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

}  // namespace

std::string default_hf_cache_dir() {
  if (std::string v = env("HF_HUB_CACHE"); !v.empty()) return v;
  if (std::string v = env("HF_HOME"); !v.empty()) return (fs::path(v) / "hub").string();
  if (std::string v = env("XDG_CACHE_HOME"); !v.empty())
    return (fs::path(v) / "huggingface" / "hub").string();
  return (fs::path(env("HOME")) / ".cache" / "huggingface" / "hub").string();
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
  // hf://, http:// and https:// names always reach the Hub or the URL (src/remote).
  if (starts_with(model, "hf://") || starts_with(model, "http://") || starts_with(model, "https://"))
    return remote::locate_remote(model, options);
  fs::path p{std::string(model)};
  std::error_code ec;
  auto st = fs::status(p, ec);
  if (!ec && fs::is_directory(st)) {
    fs::path config = p / "config.json";
    if (!fs::exists(config, ec) && fs::is_symlink(fs::symlink_status(config, ec)))
      return make_error(ErrorCode::not_found, config.string(), "", "", "",
                        "a broken or looping symbolic link");
    if (!fs::exists(config, ec)) {
      auto gguf = single_gguf_in(p);
      if (!gguf) return gguf.error();
      if (*gguf) return ModelLocation{p.string(), **gguf, std::string(model)};
      return make_error(ErrorCode::not_found, p.string(), "",
                        "a folder with a config.json or one .gguf model", "no config.json and no .gguf file");
    }
    return ModelLocation{p.string(), config.string(), std::string(model)};
  }
  if (!ec && fs::exists(st)) return ModelLocation{p.parent_path().string(), p.string(), std::string(model)};
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
  if (remote::is_remote_name(model)) return remote::locate_remote(model, options);
  return make_error(ErrorCode::not_found, std::string(model), "", "", "", "no such file or folder");
}

}  // namespace kvspec
