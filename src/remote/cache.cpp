#include "remote/cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "remote/wire.hpp"

namespace fs = std::filesystem;

namespace kvspec::remote {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : std::string();
}

std::string temp_name(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  static const unsigned salt = std::random_device{}();
  return fmt::format("{}.tmp-{}-{:x}-{}", path, ::getpid(), salt, counter++);
}

constexpr std::size_t kMaxMetaBytes = 4096;

}  // namespace

std::string default_cache_dir() {
  if (std::string v = env("KVSPEC_CACHE"); !v.empty()) return v;
  if (std::string v = env("XDG_CACHE_HOME"); !v.empty()) return (fs::path(v) / "kvspec").string();
  return (fs::path(env("HOME")) / ".cache" / "kvspec").string();
}

std::int64_t cache_max_bytes() {
  std::string v = env("KVSPEC_CACHE_MAX_BYTES");
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || n < 0) return kDefaultCacheMaxBytes;
  return n;
}

bool safe_relative_path(std::string_view path) {
  if (path.empty() || path.size() > 1024 || path.front() == '/') return false;
  if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

Status write_atomic(const std::string& path, std::string_view bytes, std::uint64_t size) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec)
    return make_error(ErrorCode::io, path, "", "", "", "cannot create the cache folder: " + ec.message());
  std::string tmp = temp_name(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(ErrorCode::io, tmp, "", "", "", std::strerror(errno));
  bool ok = true;
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (ok && left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0)
      ok = false;
    else {
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }
  // The rest of the file is a hole: no disk blocks, the real size for the readers.
  if (ok && size > bytes.size()) ok = ::ftruncate(fd, static_cast<off_t>(size)) == 0;
  int err = errno;
  if (::close(fd) != 0) ok = false;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    err = ok ? errno : err;
    ::unlink(tmp.c_str());
    return make_error(ErrorCode::io, path, "", "", "",
                      fmt::format("cannot write the cache: {}", std::strerror(err)));
  }
  return Ok{};
}

std::optional<std::string> read_small(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string s(kMaxMetaBytes, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<std::size_t>(in.gcount()));
  return s;
}

std::string Store::file_path(std::string_view path) const {
  return (fs::path(dir_) / "files" / std::string(path)).string();
}

std::optional<Kept> Store::load(std::string_view path) const {
  if (!safe_relative_path(path)) return std::nullopt;
  auto meta = read_small((fs::path(dir_) / "meta" / (std::string(path) + ".meta")).string());
  if (!meta) return std::nullopt;
  // "kvspec-cache 1 SIZE KEPT HASH ETAG"
  char tag[16] = {};
  int version = 0;
  unsigned long long size = 0, kept = 0, hash = 0;
  int consumed = 0;
  if (std::sscanf(meta->c_str(), "%15s %d %llu %llu %llx %n", tag, &version, &size, &kept, &hash, &consumed) <
          5 ||
      std::strcmp(tag, "kvspec-cache") != 0 || version != 1 || kept > size || kept > (64u << 20))
    return std::nullopt;
  Kept k;
  k.size = size;
  k.etag = meta->substr(static_cast<std::size_t>(consumed));
  while (!k.etag.empty() && (k.etag.back() == '\n' || k.etag.back() == ' ')) k.etag.pop_back();
  std::string file = file_path(path);
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<std::uint64_t>(st.st_size) != size)
    return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  k.bytes.resize(static_cast<std::size_t>(kept));
  in.read(k.bytes.data(), static_cast<std::streamsize>(kept));
  if (!in || fnv1a(k.bytes) != hash) return std::nullopt;
  return k;
}

Status Store::save(std::string_view path, std::string_view kept, std::uint64_t size,
                   std::string_view etag) const {
  if (!safe_relative_path(path))
    return make_error(ErrorCode::bad_input, std::string(path), "", "a relative path inside the repo",
                      "a path that escapes it");
  if (auto s = write_atomic(file_path(path), kept, size); !s) return s;
  std::string clean_etag;
  for (char c : etag)
    if (c >= 0x21 && c <= 0x7e) clean_etag += c;
  std::string meta = fmt::format("kvspec-cache 1 {} {} {:x} {}\n", size, kept.size(), fnv1a(kept),
                                 clean_etag.substr(0, 256));
  return write_atomic((fs::path(dir_) / "meta" / (std::string(path) + ".meta")).string(), meta, meta.size());
}

void Store::touch() const {
  ::utimensat(AT_FDCWD, dir_.c_str(), nullptr, 0);
}

std::vector<std::string> cache_entries(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  // Only the layout's own levels are read, by shape: an org, repo or file named "meta", "files", "refs",
  // "url" or "hub" is a name at its level, never taken for the cache's own folders.
  auto dirs = [&ec](const fs::path& dir) {
    std::vector<fs::path> v;
    for (auto it = fs::directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::directory_iterator(); it.increment(ec)) {
      // Files (temporaries among them) and links are not entries.
      if (!it->is_symlink(ec) && it->is_directory(ec)) v.push_back(it->path());
    }
    ec.clear();
    return v;
  };
  auto hex16 = [](const fs::path& p) {
    std::string n = p.filename().string();
    return n.size() == 16 && std::all_of(n.begin(), n.end(), [](char c) {
             return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
  };
  for (const auto& endpoint : dirs(fs::path(root) / "hub")) {
    if (!hex16(endpoint)) continue;
    for (const auto& org : dirs(endpoint))
      for (const auto& repo : dirs(org))
        for (const auto& commit : dirs(repo))
          if (is_commit_hash(commit.filename().string())) out.push_back(commit.string());
  }
  for (const auto& url : dirs(fs::path(root) / "url"))
    if (hex16(url)) out.push_back(url.string());
  return out;
}

void evict(const std::string& root, std::int64_t max_bytes, const std::string& keep) {
  struct Entry {
    fs::path dir;
    std::int64_t bytes = 0;
    std::int64_t mtime = 0;
  };
  std::vector<Entry> entries;
  std::error_code ec;
  std::int64_t total = 0;
  // An entry's size is the disk blocks of everything under it.
  for (const auto& dir : cache_entries(root)) {
    Entry e{dir};
    struct stat st {};
    if (::stat(e.dir.c_str(), &st) == 0) e.mtime = st.st_mtim.tv_sec;
    for (auto f = fs::recursive_directory_iterator(e.dir, ec); !ec && f != fs::recursive_directory_iterator();
         f.increment(ec)) {
      struct stat fst {};
      if (::lstat(f->path().c_str(), &fst) == 0 && S_ISREG(fst.st_mode)) e.bytes += fst.st_blocks * 512;
    }
    ec.clear();
    total += e.bytes;
    entries.push_back(std::move(e));
  }
  if (total <= max_bytes) return;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.mtime < b.mtime; });
  for (const auto& e : entries) {
    if (total <= max_bytes) break;
    if (e.dir == fs::path(keep)) continue;
    // Renamed away first, so no reader ever sees half an entry; the name is unique per process and entry.
    static std::atomic<unsigned> trashed{0};
    fs::path trash = fs::path(root) / fmt::format(".trash-{}-{}", ::getpid(), trashed++);
    if (::rename(e.dir.c_str(), trash.c_str()) != 0) continue;
    fs::remove_all(trash, ec);
    total -= e.bytes;
  }
}

}  // namespace kvspec::remote
