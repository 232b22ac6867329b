#include "remote/hub.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "format/gguf.hpp"
#include "format/safetensors.hpp"
#include "json/json.hpp"
#include "remote/cache.hpp"
#include "remote/fetch.hpp"
#include "remote/wire.hpp"

namespace fs = std::filesystem;

namespace kvspec::remote {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : std::string();
}

bool truthy(std::string v) {
  for (auto& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return v == "1" || v == "ON" || v == "YES" || v == "TRUE";
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

bool valid_repo_part(std::string_view s) {
  if (s.empty() || s == "." || s == ".." || s.size() > 96) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

Error usage(std::string_view model, std::string expected, std::string found) {
  return make_error(ErrorCode::usage, std::string(model), "", std::move(expected), std::move(found));
}

// org/name[@rev][:TAG][/path] with the hf:// prefix removed.
Result<Target> parse_repo_form(std::string_view model, std::string_view s, Target t) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos)
    return usage(model, "org/name[@revision][:QUANT] or org/name[@revision]/path/in/repo",
                 "'" + std::string(s) + "'");
  std::string_view org = s.substr(0, slash);
  std::string_view rest = s.substr(slash + 1);
  auto slash2 = rest.find('/');
  std::string_view name = rest.substr(0, slash2);
  if (slash2 != std::string_view::npos) t.path = std::string(rest.substr(slash2 + 1));
  if (auto colon = name.find(':'); colon != std::string_view::npos) {
    t.tag = std::string(name.substr(colon + 1));
    name = name.substr(0, colon);
    if (t.tag.empty() || !valid_repo_part(t.tag))
      return usage(model, "a quant tag such as Q4_K_M", "'" + t.tag + "'");
  }
  if (auto at = name.find('@'); at != std::string_view::npos) {
    t.revision = std::string(name.substr(at + 1));
    name = name.substr(0, at);
    // A revision is a branch, tag or commit name, never a path.
    if (!valid_revision(t.revision))
      return usage(model, "a revision that is a branch, tag or commit name", "'" + t.revision + "'");
  }
  if (!valid_repo_part(org) || !valid_repo_part(name))
    return usage(model, "a repo id org/name (letters, digits, '-', '_', '.')", "'" + std::string(s) + "'");
  if (!t.path.empty() && !safe_relative_path(t.path))
    return usage(model, "a path inside the repo", "'" + t.path + "'");
  t.repo = std::string(org) + "/" + std::string(name);
  return t;
}

// {endpoint}/{org}/{name}/resolve/{rev}/{path}
std::optional<Target> parse_resolve_url(std::string_view url, const std::string& endpoint) {
  std::string origin = url_origin(endpoint);
  if (origin.empty() || url_origin(url) != origin) return std::nullopt;
  std::string_view rest = url.substr(url.find("://") + 3);
  auto p = rest.find('/');
  if (p == std::string_view::npos) return std::nullopt;
  rest = rest.substr(p + 1);
  rest = rest.substr(0, rest.find_first_of("?#"));
  // org / name / resolve / rev / path...
  std::vector<std::string_view> parts;
  for (int i = 0; i < 4; ++i) {
    auto s = rest.find('/');
    if (s == std::string_view::npos) return std::nullopt;
    parts.push_back(rest.substr(0, s));
    rest = rest.substr(s + 1);
  }
  if (parts[2] != "resolve" || !valid_repo_part(parts[0]) || !valid_repo_part(parts[1]) ||
      !valid_revision(parts[3]) || !safe_relative_path(rest))
    return std::nullopt;
  Target t;
  t.endpoint = endpoint;
  t.repo = std::string(parts[0]) + "/" + std::string(parts[1]);
  t.revision = std::string(parts[3]);
  t.path = std::string(rest);
  return t;
}

}  // namespace

std::string hub_endpoint() {
  std::string e = env("HF_ENDPOINT");
  if (e.empty()) e = "https://huggingface.co";
  while (!e.empty() && e.back() == '/') e.pop_back();
  return e;
}

std::string hub_token() {
  auto clean = [](std::string t) {
    t.erase(std::remove_if(t.begin(), t.end(), [](char c) { return c == '\r' || c == '\n'; }), t.end());
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.erase(t.begin());
    return t;
  };
  if (std::string t = clean(env("HF_TOKEN")); !t.empty()) return t;
  if (std::string t = clean(env("HUGGING_FACE_HUB_TOKEN")); !t.empty()) return t;
  std::string path = env("HF_TOKEN_PATH");
  if (path.empty()) {
    std::string home = env("HF_HOME");
    if (home.empty())
      home = env("XDG_CACHE_HOME").empty() ? (fs::path(env("HOME")) / ".cache" / "huggingface").string()
                                           : (fs::path(env("XDG_CACHE_HOME")) / "huggingface").string();
    path = (fs::path(home) / "token").string();
  }
  auto text = read_small(path);
  return text ? clean(*text) : std::string();
}

bool hub_offline_env() {
  return truthy(env("HF_HUB_OFFLINE")) || truthy(env("TRANSFORMERS_OFFLINE"));
}

bool is_remote_name(std::string_view model) {
  if (starts_with(model, "hf://") || starts_with(model, "http://") || starts_with(model, "https://"))
    return true;
  // org/name:TAG or org/name/path: the first part a repo org, no local file by that name (checked by the
  // caller).
  auto slash = model.find('/');
  if (slash == std::string_view::npos || slash == 0 || model.front() == '.') return false;
  if (!valid_repo_part(model.substr(0, slash))) return false;
  std::string_view rest = model.substr(slash + 1);
  return rest.find(':') != std::string_view::npos || rest.find('/') != std::string_view::npos;
}

Result<Target> parse_target(std::string_view model, const std::string& endpoint) {
  Target t;
  t.endpoint = endpoint;
  t.revision = "main";
  if (starts_with(model, "http://") || starts_with(model, "https://")) {
    if (auto hub = parse_resolve_url(model, endpoint)) return *hub;
    if (url_origin(model).empty())
      return usage(model, "an http:// or https:// URL", "'" + std::string(model) + "'");
    t.url = true;
    t.full_url = std::string(model);
    t.endpoint = url_origin(model);
    t.revision.clear();
    std::string_view path = model.substr(model.find("://") + 3);
    path = path.substr(0, path.find_first_of("?#"));
    auto last = path.rfind('/');
    t.path = last == std::string_view::npos ? std::string() : std::string(path.substr(last + 1));
    if (t.path.empty() || !safe_relative_path(t.path))
      return usage(model, "a URL of a config.json, .gguf or .safetensors file",
                   "'" + std::string(model) + "'");
    return t;
  }
  std::string_view s = model;
  if (starts_with(s, "hf://")) s.remove_prefix(5);
  return parse_repo_form(model, s, t);
}

Result<ModelLocation> locate_remote(std::string_view model, const LoadOptions& options) {
  // One answer per name and options in a process: `fit` and `compare` ask again without another request.
  static std::mutex mutex;
  static std::map<std::string, ModelLocation> memo;
  const RemoteOptions& ro = options.remote;
  std::string key = fmt::format("{}\n{}\n{}{}{}", model, hub_endpoint(), ro.offline, ro.refresh, ro.no_cache);
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = memo.find(key); it != memo.end()) return it->second;
  }
  auto target = parse_target(model, hub_endpoint());
  if (!target) return target.error();
  auto loc = fetch_model(std::string(model), *target, ro);
  if (!loc) return loc.error();
  std::lock_guard<std::mutex> lock(mutex);
  memo.emplace(key, *loc);
  return *loc;
}

}  // namespace kvspec::remote
