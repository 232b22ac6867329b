// The parsers that face the network: Content-Range, Retry-After, the Hub API's repo answer, a safetensors
// header length from a prefix, URL pieces. Pure functions over bytes, so the fuzz target reaches them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kvspec/error.hpp"

namespace kvspec::remote {

// "bytes BEGIN-END/TOTAL" (RFC 9110 §14.4); TOTAL may be "*" (unknown).
struct ContentRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;  // inclusive
  std::optional<std::uint64_t> total;
};
std::optional<ContentRange> parse_content_range(std::string_view value);

// Retry-After as delay-seconds (the Hub sends integers); an HTTP-date or anything else gives nullopt.
std::optional<std::int64_t> parse_retry_after_ms(std::string_view value);

// GET {endpoint}/api/models/{repo}/revision/{rev}?blobs=true (huggingface_hub hf_api.py model_info,
// files_metadata=True): {"sha": commit, "siblings": [{"rfilename": path, "size": bytes}, ...]}.
struct RepoFile {
  std::string path;
  std::optional<std::int64_t> size;
};
struct RepoInfo {
  std::string id;      // the repo's current name (differs after a rename)
  std::string commit;  // "sha"
  std::vector<RepoFile> files;
};
inline constexpr std::size_t kMaxApiBytes = 16u << 20;  // the largest repos list ~100k files
inline constexpr std::size_t kMaxRepoFiles = 1u << 17;
Result<RepoInfo> parse_repo_info(std::string_view json_text, const std::string& url);

// The 8-byte little-endian header length at the start of a safetensors file; nullopt if fewer than 8 bytes.
std::optional<std::uint64_t> safetensors_header_length(std::string_view prefix);

bool is_commit_hash(std::string_view s);
// A branch, tag or commit name (never a path): git ref rules, restricted to what the Hub's names use.
bool valid_revision(std::string_view s);

// scheme://host[:port] lowercased, with the scheme's default port written out; empty when not an http(s) URL.
std::string url_origin(std::string_view url);
// Percent-encodes a path segment (huggingface_hub quotes revisions with safe="" and file paths keeping '/').
std::string quote(std::string_view s, bool keep_slash);

// FNV-1a 64: the cache's integrity check of the bytes it kept.
std::uint64_t fnv1a(std::string_view bytes);

}  // namespace kvspec::remote
