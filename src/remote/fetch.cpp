#include "remote/fetch.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "format/gguf.hpp"
#include "format/safetensors.hpp"
#include "json/json.hpp"
#include "kvspec/units.hpp"
#include "remote/cache.hpp"
#include "remote/http.hpp"
#include "remote/wire.hpp"

namespace fs = std::filesystem;

namespace kvspec::remote {

namespace {

constexpr const char* kApiFile = ".kvspec-api.json";

bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
std::string parent_of(const std::string& path) {
  auto p = path.rfind('/');
  return p == std::string::npos ? std::string() : path.substr(0, p);
}
std::string base_of(const std::string& path) {
  auto p = path.rfind('/');
  return p == std::string::npos ? path : path.substr(p + 1);
}
std::string join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

// Folders made for --no-cache, removed when the process ends.
struct TempDirs {
  std::mutex mutex;
  std::vector<std::string> dirs;
  ~TempDirs() {
    std::error_code ec;
    for (const auto& d : dirs) fs::remove_all(d, ec);
  }
};
TempDirs& temp_dirs() {
  static TempDirs t;
  return t;
}

// "NAME-00001-of-00003.gguf" (llama_split_path, llama.cpp src/llama.cpp: "%s-%05d-of-%05d.gguf").
struct Split {
  std::string prefix;
  int index = 0;
  int count = 0;
};
std::optional<Split> split_of(const std::string& path) {
  if (!ends_with(path, ".gguf") || path.size() < 20) return std::nullopt;
  std::string tail = path.substr(path.size() - 20);  // "-00001-of-00003.gguf"
  if (tail[0] != '-' || tail.substr(6, 4) != "-of-") return std::nullopt;
  for (int i : {1, 2, 3, 4, 5, 10, 11, 12, 13, 14})
    if (!std::isdigit(static_cast<unsigned char>(tail[static_cast<std::size_t>(i)]))) return std::nullopt;
  Split s{path.substr(0, path.size() - 20), std::stoi(tail.substr(1, 5)), std::stoi(tail.substr(10, 5))};
  if (s.index < 1 || s.count < 1 || s.index > s.count) return std::nullopt;
  return s;
}
std::string split_part(const Split& s, int i) {
  return fmt::format("{}-{:05d}-of-{:05d}.gguf", s.prefix, i, s.count);
}

enum class Part : std::uint8_t { whole, st_header, gguf_header };

struct Want {
  std::string path;
  Part part = Part::whole;
  std::uint64_t max_whole = json::kMaxConfigBytes;
};

struct Session {
  std::string model;
  Target t;
  RemoteOptions ro;
  HttpOptions http;
  bool offline = false;
  bool read_cache = true;
  bool write_cache = true;
  std::string root;
  std::string repo_dir;
  std::optional<Store> store;
  std::string commit;
  RemoteInfo info;
  std::set<std::string> have;  // paths already fetched or found in the cache this run
};

std::string file_url(const Session& s, const std::string& path) {
  if (s.t.url) {
    // The URL itself as given (a signed query stays); its siblings beside it, without the query.
    if (path == s.t.path) return s.t.full_url.substr(0, s.t.full_url.find('#'));
    std::string u = s.t.full_url.substr(0, s.t.full_url.find_first_of("?#"));
    return u.substr(0, u.rfind('/') + 1) + path;
  }
  return fmt::format("{}/{}/resolve/{}/{}", s.t.endpoint, s.t.repo, quote(s.commit, false),
                     quote(path, true));
}

std::string what(const Session& s) {
  return s.t.url ? s.t.full_url : s.t.repo;
}

Error wrap(const Session& s, const Error& e) {
  return make_error(e.code, s.model, "", "", "", e.message());
}

Error status_error(const Session& s, const std::string& url, const HttpResponse& r, const std::string& file) {
  std::string code;
  if (auto it = r.headers.find("x-error-code"); it != r.headers.end()) code = it->second;
  std::string why;
  ErrorCode ec = ErrorCode::io;
  if (r.status == 401 || r.status == 403 || code == "GatedRepo") {
    why = fmt::format(
        "{} is gated or private: HF_TOKEN must be set to the token of an account that accepted its terms on "
        "the Hub{}",
        what(s), s.http.token.empty() ? "" : " (the token sent was refused)");
  } else if (r.status == 404) {
    ec = ErrorCode::not_found;
    if (code == "RevisionNotFound")
      why = fmt::format("revision '{}' not found in {}", s.t.revision, s.t.repo);
    else if (code == "EntryNotFound" || !file.empty())
      why = fmt::format("file '{}' not found{}", file.empty() ? url : file,
                        s.t.url ? std::string() : fmt::format(" in {} at {}", s.t.repo, s.commit));
    else if (code == "RepoNotFound" || !s.t.url)
      why = fmt::format("repo {} not found (or private: set HF_TOKEN)", s.t.repo);
    else
      why = "not found";
  } else if (r.status == 416) {
    why = "the server refused the range (an empty file?)";
  } else {
    why = "an answer kvspec cannot use";
  }
  return make_error(ec, s.model, "", "", "", fmt::format("GET {}: HTTP {}: {}", url, r.status, why));
}

Error not_cached(const Session& s, const std::string& file) {
  return make_error(ErrorCode::not_found, s.model, "", "", "",
                    fmt::format("offline (HF_HUB_OFFLINE or --offline) and {} is not in kvspec's cache ({})",
                                file.empty() ? what(s) : "'" + file + "'", s.root));
}

void record(Session& s, RemoteFile rf) {
  s.info.files.push_back(std::move(rf));
}

struct Progress {
  Want want;
  RemoteFile rf;
  std::string kept;
  std::uint64_t size = 0;
  std::uint64_t next_end = 0;  // inclusive end of the next range
  std::string etag;
  std::string revalidate;  // a URL's cached copy: its ETag, sent as If-None-Match with the first read
  bool done = false;
  bool not_modified = false;  // 304: the cached copy stands
};

// Brings every wanted file into the store: from the cache, else by rounds of concurrent requests.
Status ensure(Session& s, const std::vector<Want>& wants) {
  std::vector<Progress> todo;
  for (const auto& w : wants) {
    if (!s.have.insert(w.path).second) continue;
    RemoteFile rf{w.path, file_url(s, w.path), 0, 0, false};
    std::optional<Kept> kept = s.read_cache ? s.store->load(w.path) : std::nullopt;
    // A Hub file is keyed by its commit: a cached copy is the file. A URL's copy is keyed by its ETag and
    // stands only when the server answers 304 to If-None-Match (offline: as it is; without an ETag the
    // copy cannot be checked and is fetched again).
    if (kept && (!s.t.url || s.offline)) {
      rf.cached = true;
      record(s, rf);
      continue;
    }
    if (s.offline) return not_cached(s, w.path);
    Progress p{w, rf};
    if (kept) p.revalidate = kept->etag;
    if (w.part == Part::st_header) p.next_end = kSafetensorsFirstRead - 1;
    if (w.part == Part::gguf_header) p.next_end = kGgufFirstRead - 1;
    todo.push_back(std::move(p));
  }
  for (int round = 0; round < 64; ++round) {
    std::vector<HttpRequest> reqs;
    std::vector<Progress*> who;
    for (auto& p : todo) {
      if (p.done) continue;
      HttpRequest r;
      r.url = p.rf.url;
      if (p.rf.requests == 0) r.if_none_match = p.revalidate;
      if (p.want.part == Part::whole) {
        r.max_body = p.want.max_whole;
      } else {
        r.range_begin = p.kept.size();
        r.range_end = p.next_end;
      }
      reqs.push_back(std::move(r));
      who.push_back(&p);
    }
    if (reqs.empty()) break;
    auto results = http_fetch(reqs, s.http);
    for (std::size_t i = 0; i < results.size(); ++i) {
      Progress& p = *who[i];
      auto& res = results[i];
      if (!res) return wrap(s, res.error());
      HttpResponse& r = *res;
      p.rf.requests += r.attempts;
      p.rf.bytes_read += static_cast<std::int64_t>(r.bytes);
      s.info.requests += r.attempts;
      s.info.bytes_read += static_cast<std::int64_t>(r.bytes);
      if (r.status == 304 && !p.revalidate.empty()) {
        p.done = p.not_modified = true;
        continue;
      }
      if (r.status != 200 && r.status != 206) return status_error(s, r.url, r, p.want.path);
      if (p.etag.empty()) p.etag = r.etag;
      if (p.want.part == Part::whole) {
        p.kept = std::move(r.body);
        p.size = p.kept.size();
        p.done = true;
        continue;
      }
      if (!r.total_size)
        return make_error(ErrorCode::io, s.model, "", "", "",
                          fmt::format("GET {}: HTTP {}: no file size in the answer (Content-Range total or "
                                      "Content-Length)",
                                      r.url, r.status));
      p.size = *r.total_size;
      p.kept += r.body;
      const std::uint64_t have = p.kept.size();
      if (have >= p.size) {
        p.done = true;
        continue;
      }
      if (p.want.part == Part::st_header) {
        auto n = safetensors_header_length(p.kept);
        std::uint64_t need = n ? 8 + *n : 8;
        // Past the format's bounds the local reader refuses the file from its first 8 bytes.
        if (n && (*n > static_cast<std::uint64_t>(st::kMaxHeaderBytes) || need > p.size)) need = 8;
        if (have >= need) {
          p.kept.resize(static_cast<std::size_t>(need));
          p.done = true;
        } else {
          p.next_end = need - 1;
        }
        continue;
      }
      auto pp = gguf::read_prefix(p.kept, p.size, p.rf.url);
      if (!pp || pp->file) {
        // A complete header, or one the local reader will refuse with the same message.
        if (pp && pp->file) p.kept.resize(static_cast<std::size_t>(pp->file->header_end));
        p.done = true;
        continue;
      }
      if (have >= kGgufMaxHeader)
        return make_error(ErrorCode::bad_input, s.model, "",
                          fmt::format("a GGUF header under {} bytes", kGgufMaxHeader),
                          fmt::format("more in {}", p.rf.url));
      std::uint64_t chunk = std::clamp<std::uint64_t>(have, kGgufFirstRead, kGgufMaxChunk);
      p.next_end = std::min(p.size, std::max<std::uint64_t>(pp->need, have + chunk)) - 1;
    }
  }
  for (auto& p : todo) {
    if (!p.done)
      return make_error(ErrorCode::io, s.model, "", "", "",
                        fmt::format("{}: too many range reads", p.rf.url));
    p.rf.cached = p.not_modified;  // the bytes are the cache's, after one request without a body
    if (!p.not_modified)
      if (auto st = s.store->save(p.want.path, p.kept, p.size, p.etag); !st) return wrap(s, st.error());
    record(s, p.rf);
  }
  return Ok{};
}

// The repo's commit and files: from the cache for a commit (or offline), else one request to the Hub API.
Result<RepoInfo> repo_info(Session& s) {
  const std::string& rev = s.t.revision;
  std::string commit = is_commit_hash(rev) ? rev : std::string();
  const fs::path ref = fs::path(s.repo_dir) / "refs" / rev;
  if (commit.empty() && s.offline && !s.ro.no_cache) {
    if (auto text = read_small(ref.string())) {
      std::string c = text->substr(0, text->find_first_of("\r\n "));
      if (is_commit_hash(c)) commit = c;
    }
  }
  if (!commit.empty() && (s.read_cache || s.offline) && !s.ro.no_cache) {
    Store st((fs::path(s.repo_dir) / commit).string());
    if (auto k = st.load(kApiFile)) {
      auto info = parse_repo_info(k->bytes, kApiFile);
      if (info && info->commit == commit) return info;
    }
  }
  if (s.offline) return not_cached(s, "");
  std::string url =
      fmt::format("{}/api/models/{}/revision/{}?blobs=true", s.t.endpoint, s.t.repo, quote(rev, false));
  HttpRequest req;
  req.url = url;
  req.max_body = kMaxApiBytes;
  auto res = http_fetch({req}, s.http);
  if (!res[0]) return wrap(s, res[0].error());
  HttpResponse& r = *res[0];
  s.info.requests += r.attempts;
  s.info.bytes_read += static_cast<std::int64_t>(r.bytes);
  if (r.status != 200) return status_error(s, url, r, "");
  auto info = parse_repo_info(r.body, url);
  if (!info) return wrap(s, info.error());
  if (s.write_cache) {
    Store st((fs::path(s.repo_dir) / info->commit).string());
    if (auto w = st.save(kApiFile, r.body, r.body.size(), ""); !w) return wrap(s, w.error());
    if (!is_commit_hash(rev)) (void)write_atomic(ref.string(), info->commit + "\n", info->commit.size() + 1);
  }
  return info;
}

std::string size_text(const std::optional<std::int64_t>& bytes) {
  return bytes ? format_bytes(*bytes) : std::string("size unknown");
}

// One GGUF model: a single file or every part of a split set.
struct GgufModel {
  std::vector<std::string> parts;
  std::optional<std::int64_t> bytes;
};

std::vector<GgufModel> gguf_models(const RepoInfo& info) {
  std::map<std::string, GgufModel> by_key;
  std::map<std::string, std::optional<std::int64_t>> sizes;
  for (const auto& f : info.files) sizes[f.path] = f.size;
  for (const auto& f : info.files) {
    if (!ends_with(lower(f.path), ".gguf") || lower(base_of(f.path)).rfind("mmproj", 0) == 0) continue;
    auto sp = split_of(f.path);
    if (sp && sp->index != 1) continue;
    GgufModel m;
    m.bytes = std::int64_t{0};
    if (sp) {
      for (int i = 1; i <= sp->count; ++i) m.parts.push_back(split_part(*sp, i));
    } else {
      m.parts.push_back(f.path);
    }
    for (const auto& p : m.parts) {
      auto it = sizes.find(p);
      if (it == sizes.end() || !it->second) {
        m.bytes.reset();
        break;
      }
      *m.bytes += *it->second;
    }
    by_key.emplace(m.parts.front(), std::move(m));
  }
  std::vector<GgufModel> out;
  for (auto& [k, m] : by_key) out.push_back(std::move(m));
  return out;
}

// The quant tag as a whole word of the path, case-insensitively: "Q4_K" does not pick "Q4_K_M". llama.cpp's
// -hf sends the tag to the Hub (GET /v2/{repo}/manifests/{tag}, common/arg.cpp); kvspec picks from the
// listing by the same names the quantizers give their files.
bool has_tag(const std::string& path, const std::string& tag) {
  std::string p = lower(path), t = lower(tag);
  for (std::size_t at = p.find(t); at != std::string::npos; at = p.find(t, at + 1)) {
    bool before = at == 0 || !(std::isalnum(static_cast<unsigned char>(p[at - 1])) || p[at - 1] == '_');
    std::size_t e = at + t.size();
    bool after = e >= p.size() || !(std::isalnum(static_cast<unsigned char>(p[e])) || p[e] == '_');
    if (before && after) return true;
  }
  return false;
}

std::string choices(const std::vector<GgufModel>& ms) {
  std::string out;
  for (std::size_t i = 0; i < ms.size() && i < 12; ++i)
    out += fmt::format("{}{} ({})", i ? ", " : "", ms[i].parts.front(), size_text(ms[i].bytes));
  if (ms.size() > 12) out += fmt::format(", and {} more", ms.size() - 12);
  return out;
}

bool listed(const RepoInfo& info, const std::string& path) {
  return std::any_of(info.files.begin(), info.files.end(), [&](const RepoFile& f) { return f.path == path; });
}

Result<ModelLocation> gguf_location(Session& s, const std::vector<std::string>& parts) {
  std::vector<Want> wants;
  for (const auto& p : parts) wants.push_back({p, Part::gguf_header});
  if (auto st = ensure(s, wants); !st) return st.error();
  std::string first = s.store->file_path(parts.front());
  return ModelLocation{fs::path(first).parent_path().string(), first, s.model, "", std::nullopt};
}

// The listed shards the index will almost surely name: a complete `model-NNNNN-of-MMMMM.safetensors` set (the
// writers' naming for model.safetensors.index.json), so their headers can go in the same wave as the index
// instead of a round trip after it. Empty when the listing holds no such complete set.
std::vector<std::string> likely_indexed_shards(const std::vector<std::string>& files) {
  std::vector<std::string> out;
  std::optional<int> total;
  std::set<int> seen;
  for (const auto& f : files) {
    const std::string b = base_of(f);
    int n = 0, m = 0;
    char tail[16] = {};
    // "model-00001-of-00004.safetensors": exactly five digits each, nothing after the extension.
    if (b.size() != 32 || std::sscanf(b.c_str(), "model-%5d-of-%5d%15s", &n, &m, tail) != 3 ||
        std::string_view(tail) != ".safetensors" || n < 1 || m < 1 || n > m)
      continue;
    if (total && *total != m) return {};  // two sets: leave it to the index
    total = m;
    seen.insert(n);
    out.push_back(f);
  }
  if (!total || static_cast<int>(seen.size()) != *total || out.size() != seen.size()) return {};
  return out;
}

Result<ModelLocation> safetensors_location(Session& s, const std::string& dir,
                                           const std::vector<std::string>& files, bool indexed,
                                           const RepoInfo* info) {
  std::string config = join(dir, "config.json");
  std::string index = join(dir, "model.safetensors.index.json");
  std::vector<Want> first{{config, Part::whole}};
  if (indexed) {
    first.push_back({index, Part::whole, st::kMaxIndexBytes});
    for (const auto& f : likely_indexed_shards(files)) first.push_back({f, Part::st_header});
  } else
    for (const auto& f : files) first.push_back({f, Part::st_header});
  if (auto st = ensure(s, first); !st) return st.error();
  if (indexed) {
    auto kept = s.store->load(index);
    if (!kept) return make_error(ErrorCode::io, s.model, "", "", "", "the cached index went missing");
    auto doc = json::parse(kept->bytes, file_url(s, index));
    std::vector<Want> shards;
    if (doc) {
      const json::Value* wm = doc->root.find("weight_map");
      std::set<std::string> names;
      if (wm != nullptr && wm->is_object())
        for (const auto& [k, v] : wm->as_object())
          if (v.is_string()) names.insert(v.as_string());
      for (const auto& n : names) {
        std::string p = join(dir, n);
        // Shards the index names but the repo lacks: the local reader reports them.
        if (!safe_relative_path(p) || (info != nullptr && !listed(*info, p))) continue;
        shards.push_back({p, Part::st_header});
      }
    }
    if (auto st = ensure(s, shards); !st) return st.error();
  }
  std::string cfg = s.store->file_path(config);
  return ModelLocation{fs::path(cfg).parent_path().string(), cfg, s.model, "", std::nullopt};
}

Result<ModelLocation> hub_location(Session& s) {
  auto info = repo_info(s);
  if (!info) return info.error();
  s.commit = info->commit;
  s.info.commit = info->commit;
  s.store.emplace((fs::path(s.repo_dir) / s.commit).string());
  const Target& t = s.t;
  auto ggufs = gguf_models(*info);
  if (!t.path.empty()) {
    if (!listed(*info, t.path))
      return make_error(ErrorCode::not_found, s.model, "", "", "",
                        fmt::format("file '{}' is not in {} at {}", t.path, t.repo, s.commit));
    if (ends_with(lower(t.path), ".gguf")) {
      auto sp = split_of(t.path);
      std::vector<std::string> parts;
      if (sp)
        for (int i = 1; i <= sp->count; ++i) parts.push_back(split_part(*sp, i));
      else
        parts.push_back(t.path);
      return gguf_location(s, parts);
    }
    std::string dir = parent_of(t.path);
    if (base_of(t.path) == "config.json") {
      std::vector<std::string> files;
      for (const auto& f : info->files)
        if (parent_of(f.path) == dir && ends_with(f.path, ".safetensors")) files.push_back(f.path);
      return safetensors_location(s, dir, files, listed(*info, join(dir, "model.safetensors.index.json")),
                                  &*info);
    }
    if (ends_with(t.path, ".safetensors")) {
      if (!listed(*info, join(dir, "config.json")))
        return make_error(ErrorCode::not_found, s.model, "", "", "",
                          fmt::format("no config.json beside '{}' in {}", t.path, t.repo));
      return safetensors_location(s, dir, {t.path}, false, &*info);
    }
    return make_error(ErrorCode::usage, s.model, "", "a config.json, .safetensors or .gguf file",
                      "'" + t.path + "'");
  }
  if (!t.tag.empty()) {
    std::vector<GgufModel> hit;
    for (auto& m : ggufs)
      if (has_tag(m.parts.front(), t.tag)) hit.push_back(m);
    if (hit.size() == 1) return gguf_location(s, hit.front().parts);
    if (hit.empty())
      return make_error(ErrorCode::not_found, s.model, "", fmt::format("a GGUF file tagged {}", t.tag),
                        ggufs.empty() ? std::string("no .gguf file in the repo") : choices(ggufs));
    return make_error(ErrorCode::usage, s.model, "", fmt::format("one GGUF model tagged {}", t.tag),
                      choices(hit));
  }
  if (listed(*info, "config.json")) {
    std::vector<std::string> files;
    for (const auto& f : info->files)
      if (f.path.find('/') == std::string::npos && ends_with(f.path, ".safetensors")) files.push_back(f.path);
    return safetensors_location(s, "", files, listed(*info, "model.safetensors.index.json"), &*info);
  }
  if (ggufs.size() == 1) return gguf_location(s, ggufs.front().parts);
  if (ggufs.empty())
    return make_error(ErrorCode::not_found, s.model, "", "a config.json or a .gguf file",
                      "neither in the repo");
  return make_error(ErrorCode::usage, s.model, "", "one GGUF model: name it with org/name:QUANT or its path",
                    fmt::format("{} GGUF models: {}", ggufs.size(), choices(ggufs)));
}

}  // namespace

Result<ModelLocation> fetch_model(const std::string& model, const Target& target, const RemoteOptions& ro) {
  Session s;
  s.model = model;
  s.t = target;
  s.ro = ro;
  s.offline = ro.offline || hub_offline_env();
  s.read_cache = !ro.no_cache && !ro.refresh;
  s.write_cache = !ro.no_cache;
  s.root = ro.cache_dir.empty() ? default_cache_dir() : ro.cache_dir;
  s.http.connect_timeout_ms = ro.connect_timeout_ms;
  s.http.timeout_ms = ro.timeout_ms;
  s.http.max_tries = ro.max_tries;
  s.http.retry_base_ms = ro.retry_base_ms;
  s.http.retry_max_total_ms = ro.retry_max_total_ms;
  s.http.token = hub_token();
  s.http.token_origin = url_origin(hub_endpoint());
  s.http.progress = !ro.quiet && ::isatty(2) == 1;
  s.info.endpoint = target.endpoint;
  s.info.repo = target.repo;
  s.info.revision = target.revision;
  s.repo_dir = (fs::path(s.root) / "hub" / fmt::format("{:016x}", fnv1a(target.endpoint)) /
                fmt::format("{}", target.repo))
                   .string();
  std::string temp;
  if (ro.no_cache) {
    if (s.offline)
      return make_error(ErrorCode::usage, s.model, "", "", "",
                        "offline (HF_HUB_OFFLINE or --offline) with --no-cache: no network and no cache, so "
                        "nothing can be read");
    std::string tmpl = (fs::temp_directory_path() / "kvspec-remote-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      return make_error(ErrorCode::io, tmpl, "", "", "", "cannot make a temporary folder");
    temp = tmpl;
    std::lock_guard<std::mutex> lock(temp_dirs().mutex);
    temp_dirs().dirs.push_back(temp);
  }
  Result<ModelLocation> loc = make_error(ErrorCode::internal, model, "", "", "", "unreachable");
  if (!target.url) {
    if (ro.no_cache) {
      // hub_location opens the store after the commit is known; --no-cache keeps it in the temporary folder.
      s.repo_dir = temp;
    }
    loc = hub_location(s);
  } else {
    s.commit.clear();
    if (ro.no_cache)
      s.store.emplace(temp);
    else
      s.store.emplace((fs::path(s.root) / "url" / fmt::format("{:016x}", fnv1a(s.t.full_url))).string());
    // Keyed by URL and ETag (each file's in its meta): ensure() revalidates every cached file with its first
    // read (If-None-Match); a 304 keeps the copy, anything else is the new file's bytes.
    std::string name = s.t.path;
    if (ends_with(lower(name), ".gguf")) {
      auto sp = split_of(name);
      std::vector<std::string> parts;
      if (sp)
        for (int i = 1; i <= sp->count; ++i) parts.push_back(split_part(*sp, i));
      else
        parts.push_back(name);
      loc = gguf_location(s, parts);
    } else if (ends_with(name, ".safetensors")) {
      loc = safetensors_location(s, "", {name}, false, nullptr);
    } else if (!ends_with(lower(name), ".json")) {
      return make_error(ErrorCode::usage, s.model, "", "a URL of a config.json, .gguf or .safetensors file",
                        "'" + name + "'");
    } else {
      // A config.json alone: its siblings cannot be listed without the Hub.
      if (auto st = ensure(s, {{name, Part::whole}}); !st) return st.error();
      std::string cfg = s.store->file_path(name);
      loc = ModelLocation{fs::path(cfg).parent_path().string(), cfg, s.model, "", std::nullopt};
    }
  }
  if (!loc) return loc.error();
  if (target.url && s.store)
    if (auto kept = s.store->load(target.path)) s.info.commit = kept->etag;
  s.info.from_cache =
      std::all_of(s.info.files.begin(), s.info.files.end(), [](const RemoteFile& f) { return f.cached; });
  if (s.store) s.store->touch();
  if (s.write_cache && s.store) evict(s.root, cache_max_bytes(), s.store->dir());
  loc->remote = s.info;
  return loc;
}

}  // namespace kvspec::remote
