// kvspec's cache of fetched bytes: under $KVSPEC_CACHE, else $XDG_CACHE_HOME/kvspec, else ~/.cache/kvspec.
// An entry is one repo at one commit (hub/<endpoint hash>/<org>/<name>/<commit>/) or one URL
// (url/<URL hash>/, each file checked against its ETag). files/ holds the repo's files as sparse copies: the
// bytes kvspec read (config.json whole, a safetensors or GGUF header) at their place, zeros after them up to
// the real size, so the local readers parse them unchanged. meta/<path>.meta records size, kept length, an
// FNV-1a hash of the kept bytes and the ETag: an entry that does not match is refetched, never trusted.
// Writes go to a temporary file renamed into place (safe with two kvspec processes at once); the cache is
// trimmed to KVSPEC_CACHE_MAX_BYTES (default 1 GiB, on-disk blocks) by removing the least recently used
// entries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kvspec/error.hpp"

namespace kvspec::remote {

inline constexpr std::int64_t kDefaultCacheMaxBytes = std::int64_t{1} << 30;

std::string default_cache_dir();
std::int64_t cache_max_bytes();

// A path inside a repo that stays inside a folder: relative, no empty, "." or ".." parts, no backslash.
bool safe_relative_path(std::string_view path);

struct Kept {
  std::string bytes;  // the kept prefix
  std::uint64_t size = 0;
  std::string etag;
};

class Store {
 public:
  explicit Store(std::string entry_dir) : dir_(std::move(entry_dir)) {}
  [[nodiscard]] const std::string& dir() const { return dir_; }
  [[nodiscard]] std::string file_path(std::string_view path) const;  // entry/files/path

  // The kept bytes of a file whose meta checks out; nullopt if absent, partial or corrupt.
  std::optional<Kept> load(std::string_view path) const;
  // Writes files/path (kept bytes, sparse up to size) then its meta, each by rename.
  Status save(std::string_view path, std::string_view kept, std::uint64_t size, std::string_view etag) const;
  // Marks the entry used now (for eviction order).
  void touch() const;

 private:
  std::string dir_;
};

// Writes `bytes` then zeros up to `size` (sparse) to a temporary file beside `path` and renames it there.
Status write_atomic(const std::string& path, std::string_view bytes, std::uint64_t size);

// Small text files (refs: branch → commit) by rename; nullopt when absent.
std::optional<std::string> read_small(const std::string& path);

// The entries under root, found by the layout's shape (hub/<16 hex>/<org>/<name>/<40 hex>/ and
// url/<16 hex>/), never by a folder's name inside them.
std::vector<std::string> cache_entries(const std::string& root);

// Removes the least recently used entries under root until it holds at most max_bytes; never `keep`.
void evict(const std::string& root, std::int64_t max_bytes, const std::string& keep);

}  // namespace kvspec::remote
