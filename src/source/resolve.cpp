#include "source/resolve.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "json/json.hpp"
#include "kvspec/gguf.hpp"

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

Result<std::optional<ModelLocation>> locate_in_folder(const fs::path& dir, std::string_view model,
                                                      const LoadOptions& options);

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
    // A file named on purpose; --format, when given, must agree with it.
    const bool gguf = is_gguf_path(p.string());
    if ((options.format == SourceFormat::hf && gguf) || (options.format == SourceFormat::gguf && !gguf))
      return make_error(
          ErrorCode::usage, p.string(), "--format",
          options.format == SourceFormat::hf ? "a config.json (--format hf)" : "a .gguf file (--format gguf)",
          gguf ? "a .gguf file" : "another file");
    return ModelLocation{p.parent_path().string(), p.string(), std::string(model), ""};
  }
  if (fs::is_symlink(fs::symlink_status(p, ec)))
    return make_error(ErrorCode::not_found, p.string(), "", "", "", "a broken or looping symbolic link");
  if (looks_like_repo_id(model)) return locate_in_hf_cache(model, options);
  return make_error(ErrorCode::not_found, std::string(model), "", "", "", "no such file or folder");
}

}  // namespace kvspec
