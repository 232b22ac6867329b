// A test Hugging Face Hub on 127.0.0.1 (cpp-httplib): the revision API, resolve URLs with X-Repo-Commit, a
// second "CDN" server the Hub redirects large files to, Range and HEAD, gated and renamed repos, and switches
// for misbehaviour (429, slow answers, Range ignored, truncated bodies, a wrong Content-Range, invalid JSON).
// The CDN server also serves plain files (any URL, not the Hub) with ETags and If-None-Match.
// Files are their header bytes followed by virtual zeros up to their full size, so sizes are real and
// nothing large is held in memory. Every request is counted.
#pragma once

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/safetensors_writer.hpp"

namespace kvspec::test {

struct HubFile {
  std::string head;        // the bytes at the start of the file
  std::uint64_t size = 0;  // the full size: zeros after `head`
};

// A safetensors file as the Hub serves it: its header, then a data section of zeros (never stored).
inline HubFile safetensors_hub_file(const sttest::Writer& w) {
  std::string h = w.header();
  std::string head(8, '\0');
  for (int i = 0; i < 8; ++i)
    head[static_cast<std::size_t>(i)] = static_cast<char>((h.size() >> (8 * i)) & 0xff);
  head += h;
  return {head, head.size() + static_cast<std::uint64_t>(w.data_bytes())};
}

struct HubRepo {
  std::string commit;                       // 40 hex
  std::map<std::string, std::string> refs;  // branch or tag → commit
  std::map<std::string, HubFile> files;
  bool gated = false;         // 401 without the right token
  std::string renamed_to;     // non-empty: every URL answers 307 to the new name (relative Location)
  int fail_429 = 0;           // the next N requests to this repo answer 429 (Retry-After: 0)
  int fail_503 = 0;           // ... or 503
  int slow_ms = 0;            // every answer waits this long first
  bool ignore_range = false;  // files answer 200 with the whole body
  bool truncate = false;      // bodies stop halfway through their Content-Length
  bool wrong_range = false;   // 206 with a Content-Range that starts elsewhere
  bool bad_json = false;      // the API answers HTML
  int gather = 0;             // CDN answers wait until this many requests for the repo arrived (or 10 s)
};

// A file on the plain "static" server (any URL, not the Hub): served under {cdn}/files/PATH with its ETag,
// answering If-None-Match with 304.
struct PlainFile {
  HubFile file;
  std::string etag;  // with its quotes, as sent
};

struct Seen {
  std::string server;  // "hub" or "cdn"
  std::string method;
  std::string path;
  std::string range;
  std::string authorization;
  std::string if_none_match;
};

class HubServer {
 public:
  static constexpr const char* kToken = "hf_test_token";

  HubServer() {
    // More workers than the client's 128 transfers at once: a kept-alive idle connection holds a worker.
    hub_.new_task_queue = [] { return new httplib::ThreadPool(160); };
    cdn_.new_task_queue = [] { return new httplib::ThreadPool(160); };
    setup_cdn();
    setup_hub();
    // A sharded model's headers arrive as one wave of connections, and Debian's compiled cpp-httplib listens
    // with a backlog of 5: the other SYNs are dropped and the client waits out TCP's retransmit timer (1 s,
    // 3 s ...). The socket-options hook sees the listening socket; listen() again raises its backlog.
    int hub_fd = -1, cdn_fd = -1;
    hub_.set_socket_options([&hub_fd](socket_t fd) {
      httplib::default_socket_options(fd);
      hub_fd = fd;
    });
    cdn_.set_socket_options([&cdn_fd](socket_t fd) {
      httplib::default_socket_options(fd);
      cdn_fd = fd;
    });
    cdn_port_ = cdn_.bind_to_any_port("127.0.0.1");
    hub_port_ = hub_.bind_to_any_port("127.0.0.1");
    for (int fd : {hub_fd, cdn_fd})
      if (fd >= 0) ::listen(fd, 1024);
    cdn_thread_ = std::thread([this] { cdn_.listen_after_bind(); });
    hub_thread_ = std::thread([this] { hub_.listen_after_bind(); });
    while (!hub_.is_running() || !cdn_.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~HubServer() {
    hub_.stop();
    cdn_.stop();
    hub_thread_.join();
    cdn_thread_.join();
  }
  HubServer(const HubServer&) = delete;
  HubServer& operator=(const HubServer&) = delete;

  [[nodiscard]] std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(hub_port_); }
  [[nodiscard]] std::string cdn() const { return "http://127.0.0.1:" + std::to_string(cdn_port_); }

  HubRepo& repo(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    return repos_[id];
  }
  bool use_cdn = true;  // large files (.safetensors, .gguf) redirect to the CDN

  std::vector<Seen> seen() {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    seen_.clear();
    body_bytes_ = 0;
    not_modified_ = 0;
    max_in_flight_.clear();
  }
  // Requests as the client counts them: a redirect and the request it leads to are one.
  int requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    int n = 0;
    for (const auto& s : seen_)
      if (s.server == "hub") ++n;
    return n;
  }
  int cdn_requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    int n = 0;
    for (const auto& s : seen_)
      if (s.server == "cdn") ++n;
    return n;
  }
  std::uint64_t body_bytes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return body_bytes_;
  }
  int not_modified() {
    std::lock_guard<std::mutex> lock(mutex_);
    return not_modified_;
  }
  // The most CDN requests for one repo that were in the server at once (see HubRepo::gather).
  int max_in_flight(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = max_in_flight_.find(id);
    return it == max_in_flight_.end() ? 0 : it->second;
  }
  PlainFile& plain(const std::string& path) {
    std::lock_guard<std::recursive_mutex> lock(repos_mutex_);
    return plain_[path];
  }
  [[nodiscard]] std::string plain_url(const std::string& path) const { return cdn() + "/files/" + path; }

 private:
  void log(const std::string& server, const httplib::Request& req) {
    std::lock_guard<std::mutex> lock(mutex_);
    seen_.push_back({server, req.method, req.path, req.get_header_value("Range"),
                     req.get_header_value("Authorization"), req.get_header_value("If-None-Match")});
  }
  void count(std::uint64_t n) {
    std::lock_guard<std::mutex> lock(mutex_);
    body_bytes_ += n;
  }

  static char byte_at(const HubFile& f, std::uint64_t i) { return i < f.head.size() ? f.head[i] : '\0'; }

  // Serves [begin, end] of a file (or the whole of it), with the repo's misbehaviour.
  void serve(const HubRepo& r, const HubFile& f, const httplib::Request& req, httplib::Response& res,
             const std::string& etag = "") {
    // httplib would slice the body again by the Range header: this server answers ranges itself.
    const_cast<httplib::Request&>(req).ranges.clear();
    std::uint64_t begin = 0, end = f.size == 0 ? 0 : f.size - 1;
    bool ranged = false;
    std::string range = req.get_header_value("Range");
    if (!range.empty() && !r.ignore_range && range.rfind("bytes=", 0) == 0) {
      auto dash = range.find('-');
      begin = std::stoull(range.substr(6, dash - 6));
      std::string e = range.substr(dash + 1);
      if (!e.empty()) end = std::min<std::uint64_t>(std::stoull(e), f.size - 1);
      if (begin >= f.size) {
        res.status = 416;
        return;
      }
      ranged = true;
    }
    std::uint64_t length = end - begin + 1;
    if (ranged) {
      res.status = 206;
      std::uint64_t shown = r.wrong_range ? begin + 1 : begin;
      res.set_header("Content-Range", "bytes " + std::to_string(shown) + "-" +
                                          std::to_string(shown + length - 1) + "/" + std::to_string(f.size));
    }
    res.set_header("Accept-Ranges", "bytes");
    res.set_header("ETag",
                   etag.empty() ? "\"" + r.commit.substr(0, 8) + std::to_string(f.size) + "\"" : etag);
    if (req.method == "HEAD") {
      res.set_header("Content-Length", std::to_string(f.size));
      return;
    }
    const std::uint64_t send = r.truncate ? length / 2 : length;
    const HubFile* file = &f;
    res.set_content_provider(
        static_cast<std::size_t>(length), "application/octet-stream",
        [this, file, begin, send](std::size_t offset, std::size_t want, httplib::DataSink& sink) {
          if (offset >= send) return false;  // truncated: the connection closes early
          std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>({want, 1u << 16, send - offset}));
          std::string chunk(n, '\0');
          for (std::size_t i = 0; i < n; ++i) chunk[i] = byte_at(*file, begin + offset + i);
          if (!sink.write(chunk.data(), chunk.size())) return false;
          count(n);
          return true;
        });
  }

  // The misbehaviour that comes before any answer; true when it answered.
  bool gate(HubRepo& r, const httplib::Request& req, httplib::Response& res) {
    if (r.fail_429 > 0) {
      --r.fail_429;
      res.status = 429;
      res.set_header("Retry-After", "0");
      return true;
    }
    if (r.fail_503 > 0) {
      --r.fail_503;
      res.status = 503;
      return true;
    }
    if (r.gated && req.get_header_value("Authorization") != std::string("Bearer ") + kToken) {
      res.status = 401;
      res.set_header("X-Error-Code", "GatedRepo");
      return true;
    }
    return false;
  }

  // A slow repo's answers wait outside the lock, so concurrent requests overlap as on a real server.
  void delay(const std::string& id) {
    int ms = 0;
    {
      std::lock_guard<std::recursive_mutex> lock(repos_mutex_);
      auto it = repos_.find(id);
      if (it != repos_.end()) ms = it->second.slow_ms;
    }
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }

  // Holds a CDN request until `gather` requests for the repo have arrived (at most 10 s), so a test sees
  // whether the client sent them at once; records the most that were in the server together.
  void gather(const std::string& id) {
    int want = 0;
    {
      std::lock_guard<std::recursive_mutex> lock(repos_mutex_);
      auto it = repos_.find(id);
      if (it != repos_.end()) want = it->second.gather;
    }
    std::unique_lock<std::mutex> lock(mutex_);
    int& now = in_flight_[id];
    ++now;
    max_in_flight_[id] = std::max(max_in_flight_[id], now);
    gathered_.notify_all();
    if (want > 0)
      gathered_.wait_for(lock, std::chrono::seconds(10), [&] { return max_in_flight_[id] >= want; });
    --now;
  }

  std::string resolve_rev(const HubRepo& r, const std::string& rev) {
    if (rev == r.commit) return rev;
    auto it = r.refs.find(rev);
    return it == r.refs.end() ? std::string() : it->second;
  }

  void setup_hub() {
    hub_.Get(R"(/api/models/([^/]+)/([^/]+)/revision/([^/]+))",
             [this](const httplib::Request& req, httplib::Response& res) {
               log("hub", req);
               std::string id = req.matches[1].str() + "/" + req.matches[2].str();
               delay(id);
               std::lock_guard<std::recursive_mutex> lock(repos_mutex_);
               auto it = repos_.find(id);
               if (it == repos_.end()) {
                 res.status = 404;
                 res.set_header("X-Error-Code", "RepoNotFound");
                 return;
               }
               HubRepo& r = it->second;
               if (!r.renamed_to.empty()) {
                 res.status = 307;
                 res.set_header("Location", "/api/models/" + r.renamed_to + "/revision/" +
                                                req.matches[3].str() + "?blobs=true");
                 return;
               }
               if (gate(r, req, res)) return;
               if (r.bad_json) {
                 res.set_content("<html>rate limited</html>", "text/html");
                 return;
               }
               std::string commit = resolve_rev(r, req.matches[3].str());
               if (commit.empty()) {
                 res.status = 404;
                 res.set_header("X-Error-Code", "RevisionNotFound");
                 return;
               }
               std::string json = "{\"id\":\"" + id + "\",\"sha\":\"" + commit + "\",\"siblings\":[";
               bool first = true;
               for (const auto& [path, f] : r.files) {
                 json += (first ? "" : ",") + std::string("{\"rfilename\":\"") + path +
                         "\",\"size\":" + std::to_string(f.size) + "}";
                 first = false;
               }
               json += "]}";
               res.set_content(json, "application/json");
             });
    hub_.Get(R"(/([^/]+)/([^/]+)/resolve/([^/]+)/(.+))", [this](const httplib::Request& req,
                                                                httplib::Response& res) {
      log("hub", req);
      std::string id = req.matches[1].str() + "/" + req.matches[2].str();
      delay(id);
      std::lock_guard<std::recursive_mutex> lock(repos_mutex_);
      auto it = repos_.find(id);
      if (it == repos_.end()) {
        res.status = 404;
        res.set_header("X-Error-Code", "RepoNotFound");
        return;
      }
      HubRepo& r = it->second;
      if (!r.renamed_to.empty()) {
        res.status = 307;
        res.set_header("Location",
                       "/" + r.renamed_to + "/resolve/" + req.matches[3].str() + "/" + req.matches[4].str());
        return;
      }
      if (gate(r, req, res)) return;
      std::string commit = resolve_rev(r, req.matches[3].str());
      if (commit.empty()) {
        res.status = 404;
        res.set_header("X-Error-Code", "RevisionNotFound");
        return;
      }
      std::string path = req.matches[4].str();
      auto f = r.files.find(path);
      if (f == r.files.end()) {
        res.status = 404;
        res.set_header("X-Error-Code", "EntryNotFound");
        return;
      }
      res.set_header("X-Repo-Commit", commit);
      bool large = path.size() > 5 && (path.substr(path.size() - 5) == ".gguf" ||
                                       path.find(".safetensors") != std::string::npos);
      if (large && use_cdn) {
        res.status = 302;
        res.set_header("X-Linked-Etag", "\"" + commit.substr(0, 8) + std::to_string(f->second.size) + "\"");
        res.set_header("X-Linked-Size", std::to_string(f->second.size));
        res.set_header("Location", cdn() + "/blob/" + id + "/" + commit + "/" + path);
        return;
      }
      serve(r, f->second, req, res);
    });
  }

  void setup_cdn() {
    cdn_.Get(R"(/blob/([^/]+)/([^/]+)/([0-9a-f]{40})/(.+))",
             [this](const httplib::Request& req, httplib::Response& res) {
               log("cdn", req);
               delay(req.matches[1].str() + "/" + req.matches[2].str());
               gather(req.matches[1].str() + "/" + req.matches[2].str());
               std::lock_guard<std::recursive_mutex> lock(repos_mutex_);
               auto it = repos_.find(req.matches[1].str() + "/" + req.matches[2].str());
               if (it == repos_.end()) {
                 res.status = 404;
                 return;
               }
               HubRepo& r = it->second;
               auto f = r.files.find(req.matches[4].str());
               if (f == r.files.end()) {
                 res.status = 404;
                 return;
               }
               serve(r, f->second, req, res);
             });
    cdn_.Get(R"(/files/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      log("cdn", req);
      std::lock_guard<std::recursive_mutex> lock(repos_mutex_);
      auto it = plain_.find(req.matches[1].str());
      if (it == plain_.end()) {
        res.status = 404;
        return;
      }
      const std::string inm = req.get_header_value("If-None-Match");
      if (!inm.empty() && inm == it->second.etag) {
        res.status = 304;
        res.set_header("ETag", it->second.etag);
        std::lock_guard<std::mutex> count_lock(mutex_);
        ++not_modified_;
        return;
      }
      static const HubRepo kPlain;
      serve(kPlain, it->second.file, req, res, it->second.etag);
    });
  }

  httplib::Server hub_, cdn_;
  int hub_port_ = 0, cdn_port_ = 0;
  std::thread hub_thread_, cdn_thread_;
  std::mutex mutex_;
  std::recursive_mutex repos_mutex_;
  std::map<std::string, HubRepo> repos_;
  std::map<std::string, PlainFile> plain_;
  std::condition_variable gathered_;
  std::map<std::string, int> in_flight_, max_in_flight_;
  int not_modified_ = 0;
  std::vector<Seen> seen_;
  std::uint64_t body_bytes_ = 0;
};

}  // namespace kvspec::test
