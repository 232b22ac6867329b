#include "remote/http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "remote/wire.hpp"

namespace kvspec::remote {

namespace {

using Clock = std::chrono::steady_clock;

// A server that ignores Range is read up to the bytes asked for; past this many skipped bytes (a range deep
// in a file) the transfer stops instead.
constexpr std::uint64_t kMaxSkippedBytes = 64u << 20;
constexpr std::uint64_t kMaxErrorBody = 64u << 10;
constexpr int kMaxRedirects = 10;

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};

enum class State : std::uint8_t { waiting, active, done };

struct Job {
  const HttpRequest* req = nullptr;
  std::string url;
  State state = State::waiting;
  int hops = 0;
  Clock::time_point first_start{};
  Clock::time_point not_before{};
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  HttpResponse resp;
  std::optional<Error> error;
  // The transfer in flight.
  std::string body;
  std::map<std::string, std::string> headers;
  bool mode_set = false;
  bool cut = false;       // stopped on purpose: the bytes asked for are here
  bool overflow = false;  // an unranged body larger than max_body, or a range too deep to skip to
  bool ignored = false;   // 200 to a range request
  std::uint64_t skip = 0;
  std::uint64_t keep = 0;
  std::uint64_t wire = 0;
};

long status_of(CURL* easy) {
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

std::size_t on_body(char* p, std::size_t size, std::size_t n, void* userdata) {
  Job& j = *static_cast<Job*>(userdata);
  const std::size_t len = size * n;
  j.wire += len;
  const HttpRequest& r = *j.req;
  if (!j.mode_set) {
    j.mode_set = true;
    long status = status_of(j.easy);
    if (status >= 300) {
      j.keep = kMaxErrorBody;
    } else if (r.range_begin) {
      j.keep = r.range_end - *r.range_begin + 1;
      if (status == 200) {
        j.ignored = true;
        j.skip = *r.range_begin;
        if (j.skip > kMaxSkippedBytes) {
          j.overflow = true;
          return 0;
        }
      }
    } else {
      j.keep = r.max_body;
    }
  }
  std::string_view data(p, len);
  if (j.skip > 0) {
    auto drop = static_cast<std::size_t>(std::min<std::uint64_t>(j.skip, data.size()));
    data.remove_prefix(drop);
    j.skip -= drop;
  }
  const std::uint64_t room = j.keep - std::min<std::uint64_t>(j.keep, j.body.size());
  if (data.size() > room) {
    j.body.append(data.substr(0, static_cast<std::size_t>(room)));
    if (r.range_begin || status_of(j.easy) >= 300)
      j.cut = true;  // a range (or an error page) has what it needs
    else
      j.overflow = true;
    return 0;
  }
  j.body.append(data);
  if (j.ignored && j.body.size() == j.keep) {
    j.cut = true;  // the whole file is coming: stop once the range is in
    return 0;
  }
  return len;
}

std::size_t on_header(char* p, std::size_t size, std::size_t n, void* userdata) {
  Job& j = *static_cast<Job*>(userdata);
  std::string_view line(p, size * n);
  if (line.substr(0, 5) == "HTTP/") {
    j.headers.clear();
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(line.substr(0, colon));
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view v = line.substr(colon + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
  if (j.headers.size() < 256) j.headers[name] = std::string(v);
  return size * n;
}

void start(Job& j, CURLM* multi, const HttpOptions& o) {
  j.body.clear();
  j.headers.clear();
  j.mode_set = j.cut = j.overflow = j.ignored = false;
  j.skip = j.keep = j.wire = 0;
  j.easy = curl_easy_init();
  CURL* e = j.easy;
  curl_easy_setopt(e, CURLOPT_URL, j.url.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout_ms));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout_ms));
  curl_easy_setopt(e, CURLOPT_USERAGENT, "kvspec/" KVSPEC_VERSION);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &j);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &j);
  curl_easy_setopt(e, CURLOPT_PRIVATE, &j);
  // Over TLS, ALPN tells within the handshake whether the connection multiplexes (HTTP/2): wait for it rather
  // than open a connection per transfer. Plain http is HTTP/1.1 here, and waiting would serialize transfers.
  if (j.url.rfind("https://", 0) == 0) curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  if (j.req->head) curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  std::string range;
  if (j.req->range_begin) {
    range = fmt::format("{}-{}", *j.req->range_begin, j.req->range_end);
    curl_easy_setopt(e, CURLOPT_RANGE, range.c_str());  // copied by libcurl
  }
  j.header_list = nullptr;
  // The token goes to the Hub only: never to a CDN or any other host a redirect leads to.
  if (!o.token.empty() && !o.token_origin.empty() && url_origin(j.url) == o.token_origin)
    j.header_list = curl_slist_append(j.header_list, ("Authorization: Bearer " + o.token).c_str());
  if (!j.req->if_none_match.empty())
    j.header_list = curl_slist_append(j.header_list, ("If-None-Match: " + j.req->if_none_match).c_str());
  if (j.header_list != nullptr) curl_easy_setopt(e, CURLOPT_HTTPHEADER, j.header_list);
  j.state = State::active;
  curl_multi_add_handle(multi, e);
}

void release(Job& j, CURLM* multi) {
  curl_multi_remove_handle(multi, j.easy);
  curl_easy_cleanup(j.easy);
  j.easy = nullptr;
  curl_slist_free_all(j.header_list);
  j.header_list = nullptr;
}

std::string transport_detail(CURLcode rc, const HttpOptions& o) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return "DNS lookup failed (no network, or a wrong host name)";
    case CURLE_COULDNT_CONNECT:
      return "could not connect (no network, or nothing listening)";
    case CURLE_OPERATION_TIMEDOUT:
      return fmt::format(
          "timed out (connect limit {} ms, transfer limit {} ms: --connect-timeout, --timeout)",
          o.connect_timeout_ms, o.timeout_ms);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return fmt::format("TLS failure: {}", curl_easy_strerror(rc));
    case CURLE_PARTIAL_FILE:
      return "truncated body: the server closed the connection before the Content-Length it announced";
    default:
      return fmt::format("transfer failed: {}", curl_easy_strerror(rc));
  }
}

bool retryable_transport(CURLcode rc) {
  return rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR || rc == CURLE_GOT_NOTHING;
}

// Decides what a finished transfer means: a result, a redirect (job re-queued) or a retry (re-queued later).
void finish(Job& j, CURLcode rc, const HttpOptions& o) {
  const long status = status_of(j.easy);
  HttpResponse& r = j.resp;
  r.bytes += j.wire;
  if (r.repo_commit.empty())
    if (auto it = j.headers.find("x-repo-commit"); it != j.headers.end()) r.repo_commit = it->second;
  if (r.etag.empty()) {
    if (auto it = j.headers.find("x-linked-etag"); it != j.headers.end())
      r.etag = it->second;
    else if (auto et = j.headers.find("etag"); et != j.headers.end() && status < 300)
      r.etag = et->second;
  }
  const auto now = Clock::now();
  auto retry_or = [&](Error e, std::optional<std::int64_t> wait_ms) {
    const std::int64_t backoff = o.retry_base_ms << std::min(r.attempts - 1, 16);
    const std::int64_t wait = wait_ms.value_or(backoff);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - j.first_start).count();
    if (r.attempts < o.max_tries && elapsed + wait <= o.retry_max_total_ms) {
      j.state = State::waiting;
      j.not_before = now + std::chrono::milliseconds(wait);
      j.url = j.req->url;
      j.hops = 0;
      return;
    }
    e.detail += fmt::format(" (gave up after {} tr{})", r.attempts, r.attempts == 1 ? "y" : "ies");
    j.error = std::move(e);
    j.state = State::done;
  };
  if (j.overflow) {
    j.error =
        make_error(ErrorCode::io, j.url, "", "", "",
                   j.req->range_begin
                       ? fmt::format("the server ignores Range (answered 200 with the whole file); kvspec "
                                     "will not download {} bytes to reach offset {}",
                                     *j.req->range_begin, *j.req->range_begin)
                       : fmt::format("the answer is larger than {} bytes; cut off", j.req->max_body));
    j.state = State::done;
    return;
  }
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && j.cut)) {
    Error e = make_error(ErrorCode::io, j.url, "", "", "", transport_detail(rc, o));
    if (retryable_transport(rc)) return retry_or(std::move(e), std::nullopt);
    j.error = std::move(e);
    j.state = State::done;
    return;
  }
  if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
    char* location = nullptr;
    curl_easy_getinfo(j.easy, CURLINFO_REDIRECT_URL, &location);  // relative Locations resolved by libcurl
    if (location == nullptr || url_origin(location).empty() || ++j.hops > kMaxRedirects) {
      j.error = make_error(
          ErrorCode::io, j.url, "", "", "",
          fmt::format("HTTP {} redirect {}", status,
                      location == nullptr ? "without a usable Location" : "loop (more than 10 hops)"));
      j.state = State::done;
      return;
    }
    j.url = location;
    j.state = State::waiting;
    j.not_before = now;
    --r.attempts;  // a redirect and the request it leads to count as one
    return;
  }
  if (status == 429 || status >= 500) {
    std::optional<std::int64_t> after;
    if (auto it = j.headers.find("retry-after"); it != j.headers.end())
      after = parse_retry_after_ms(it->second);
    return retry_or(make_error(ErrorCode::io, j.url, "", "", "", fmt::format("HTTP {}", status)), after);
  }
  r.status = status;
  r.url = j.url;
  r.headers = std::move(j.headers);
  r.range_ignored = j.ignored;
  if (status == 206 && j.req->range_begin) {
    auto it = r.headers.find("content-range");
    auto cr = it == r.headers.end() ? std::nullopt : parse_content_range(it->second);
    const std::uint64_t begin = *j.req->range_begin;
    if (!cr || cr->begin != begin || cr->end > j.req->range_end) {
      j.error = make_error(ErrorCode::io, j.url, "Content-Range",
                           fmt::format("bytes {}-{}/SIZE (the range asked for)", begin, j.req->range_end),
                           it == r.headers.end() ? "no Content-Range header" : "'" + it->second + "'",
                           "the server answered 206 with a different range");
      j.state = State::done;
      return;
    }
    if (j.body.size() != cr->end - cr->begin + 1) {
      j.error = make_error(ErrorCode::io, j.url, "", fmt::format("{} bytes", cr->end - cr->begin + 1),
                           fmt::format("{} bytes", j.body.size()), "truncated body");
      j.state = State::done;
      return;
    }
    r.total_size = cr->total;
  } else if (status == 200) {
    curl_off_t length = -1;
    curl_easy_getinfo(j.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    if (length >= 0) r.total_size = static_cast<std::uint64_t>(length);
  }
  r.body = std::move(j.body);
  j.state = State::done;
}

}  // namespace

std::vector<Result<HttpResponse>> http_fetch(const std::vector<HttpRequest>& requests, const HttpOptions& o) {
  static CurlGlobal global;
  std::vector<Job> jobs(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    jobs[i].req = &requests[i];
    jobs[i].url = requests[i].url;
  }
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(std::max(1, o.pool)));
  const auto t0 = Clock::now();
  bool progress_shown = false;
  std::size_t done = 0;
  std::size_t active = 0;
  while (done < jobs.size()) {
    const auto now = Clock::now();
    for (auto& j : jobs) {
      if (j.state != State::waiting) continue;
      if (j.not_before <= now && active < static_cast<std::size_t>(std::max(1, o.pool))) {
        if (j.resp.attempts == 0) j.first_start = now;
        ++j.resp.attempts;
        start(j, multi, o);
        ++active;
      }
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Job* j = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &j);
      CURLcode rc = msg->data.result;
      finish(*j, rc, o);
      release(*j, multi);
      --active;
      if (j->state == State::done) ++done;
    }
    if (done == jobs.size()) break;
    // Computed after the finished transfers were read: a redirect re-queued just now is due at once and
    // must not wait out a poll.
    auto next_due = Clock::time_point::max();
    for (const auto& j : jobs)
      if (j.state == State::waiting) next_due = std::min(next_due, j.not_before);
    int wait_ms = 50;
    if (next_due != Clock::time_point::max()) {
      auto until = std::chrono::duration_cast<std::chrono::milliseconds>(next_due - Clock::now()).count();
      wait_ms = static_cast<int>(std::clamp<std::int64_t>(until, 0, 50));
    }
    if (active > 0)
      curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
    else if (wait_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    if (o.progress && Clock::now() - t0 > std::chrono::milliseconds(500)) {
      std::uint64_t bytes = 0;
      for (const auto& j : jobs) bytes += j.resp.bytes + j.wire;
      fmt::print(stderr, "\rkvspec: fetching {} of {} files, {} bytes", done, jobs.size(), bytes);
      progress_shown = true;
    }
  }
  if (progress_shown) fmt::print(stderr, "\r\x1b[K");
  curl_multi_cleanup(multi);
  std::vector<Result<HttpResponse>> out;
  out.reserve(jobs.size());
  for (auto& j : jobs) {
    if (j.error)
      out.emplace_back(std::move(*j.error));
    else
      out.emplace_back(std::move(j.resp));
  }
  return out;
}

}  // namespace kvspec::remote
