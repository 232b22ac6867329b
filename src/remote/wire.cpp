#include "remote/wire.hpp"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "json/json.hpp"

namespace kvspec::remote {

namespace {

std::optional<std::uint64_t> number(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<ContentRange> parse_content_range(std::string_view value) {
  std::string_view s = trim(value);
  if (s.size() < 6 || s.substr(0, 6) != "bytes ") return std::nullopt;
  s.remove_prefix(6);
  auto dash = s.find('-');
  auto slash = s.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) return std::nullopt;
  auto b = number(s.substr(0, dash));
  auto e = number(s.substr(dash + 1, slash - dash - 1));
  if (!b || !e || *e < *b) return std::nullopt;
  ContentRange r{*b, *e, std::nullopt};
  std::string_view t = s.substr(slash + 1);
  if (t != "*") {
    auto total = number(t);
    if (!total || *total <= *e) return std::nullopt;
    r.total = *total;
  }
  return r;
}

std::optional<std::int64_t> parse_retry_after_ms(std::string_view value) {
  auto n = number(trim(value));
  if (!n || *n > 24 * 3600) return std::nullopt;
  return static_cast<std::int64_t>(*n) * 1000;
}

Result<RepoInfo> parse_repo_info(std::string_view json_text, const std::string& url) {
  auto bad = [&](std::string field, std::string expected, std::string found) {
    return make_error(ErrorCode::bad_input, url, std::move(field), std::move(expected), std::move(found),
                      "the Hub API's answer is not what huggingface_hub's model_info reads");
  };
  if (json_text.size() > kMaxApiBytes)
    return bad("", fmt::format("at most {} bytes", kMaxApiBytes), fmt::format("{} bytes", json_text.size()));
  auto doc = json::parse(json_text, url);
  if (!doc)
    return make_error(ErrorCode::bad_input, url, "", "a JSON answer from the Hub API", "something else",
                      doc.error().message());
  const json::Value& root = doc->root;
  if (!root.is_object()) return bad("", "a JSON object", root.describe());
  RepoInfo info;
  const json::Value* sha = root.find("sha");
  if (sha == nullptr || !sha->is_string() || !is_commit_hash(sha->as_string()))
    return bad("sha", "a 40-character commit hash", sha ? sha->describe() : "nothing");
  info.commit = sha->as_string();
  if (const json::Value* id = root.find("id"); id != nullptr && id->is_string()) info.id = id->as_string();
  const json::Value* sib = root.find("siblings");
  if (sib == nullptr || !sib->is_array())
    return bad("siblings", "a list of files", sib ? sib->describe() : "nothing");
  if (sib->as_array().size() > kMaxRepoFiles)
    return bad("siblings", fmt::format("at most {} files", kMaxRepoFiles),
               std::to_string(sib->as_array().size()));
  for (const auto& f : sib->as_array()) {
    const json::Value* name = f.find("rfilename");
    if (name == nullptr || !name->is_string() || name->as_string().empty())
      return bad("siblings[].rfilename", "a file name", name ? name->describe() : f.describe());
    RepoFile rf{name->as_string(), std::nullopt};
    if (const json::Value* size = f.find("size"); size != nullptr && size->is_int() && size->as_int() >= 0)
      rf.size = size->as_int();
    info.files.push_back(std::move(rf));
  }
  return info;
}

std::optional<std::uint64_t> safetensors_header_length(std::string_view prefix) {
  if (prefix.size() < 8) return std::nullopt;
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(prefix[static_cast<std::size_t>(i)]);
  return n;
}

bool is_commit_hash(std::string_view s) {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool valid_revision(std::string_view s) {
  // git check-ref-format, for a single component: no "..", no leading '.' or '-', no ".lock" ending, none of
  // the forbidden characters; '/' is left out too (a revision here is a name, never a path).
  if (s.empty() || s.size() > 255 || s.front() == '.' || s.front() == '-' || s.back() == '.') return false;
  if (s.find("..") != std::string_view::npos || s.find("@{") != std::string_view::npos) return false;
  if (s.size() >= 5 && s.substr(s.size() - 5) == ".lock") return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

std::string url_origin(std::string_view url) {
  std::string lower;
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  std::string scheme(url.substr(0, scheme_end));
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https") return {};
  std::string_view rest = url.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string host(authority);
  for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto colon = host.rfind(':');
  bool has_port = colon != std::string::npos && host.find(']', colon) == std::string::npos;
  if (!has_port) host += scheme == "https" ? ":443" : ":80";
  if (host.empty() || host.front() == ':') return {};
  return scheme + "://" + host;
}

std::string quote(std::string_view s, bool keep_slash) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/'))
      out += c;
    else
      out += fmt::format("%{:02X}", u);
  }
  return out;
}

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace kvspec::remote
