// A small HTTP client over libcurl's multi interface: GET / HEAD / ranged GET, many at once in a bounded
// pool, redirects followed by hand (so the Hub token never reaches another host), 429 and 5xx retried with
// backoff that honours Retry-After, and a body cut off once the bytes asked for have arrived (a server that
// ignores Range never streams a whole weights file to us).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kvspec/error.hpp"

namespace kvspec::remote {

struct HttpOptions {
  std::int64_t connect_timeout_ms = 10'000;
  std::int64_t timeout_ms = 60'000;    // one transfer, start to end
  int max_tries = 4;                   // 429 / 5xx / reset connections: tries in all
  std::int64_t retry_base_ms = 1'000;  // backoff: base, 2×base, 4×base... unless Retry-After says otherwise
  std::int64_t retry_max_total_ms = 30'000;  // no retry that would end past this (from the first try)
  // Transfers at once. A sharded model's headers are all asked for in one wave: over HTTP/2 (the Hub, its
  // CDN) they share a connection or two as streams; over HTTP/1.1 each takes a connection of its own.
  int pool = 128;
  std::string token;         // Bearer token, sent only to token_origin
  std::string token_origin;  // url_origin() of the Hub endpoint
  bool progress = false;     // stderr is a terminal and the user did not ask for quiet
};

struct HttpRequest {
  std::string url;
  bool head = false;
  std::optional<std::uint64_t> range_begin;  // with range_end: "Range: bytes=BEGIN-END"
  std::uint64_t range_end = 0;               // inclusive
  std::uint64_t max_body = 16u << 20;        // unranged GETs: more than this is an error
  std::string if_none_match;
};

struct HttpResponse {
  long status = 0;
  std::string url;                             // the last URL (after redirects)
  std::map<std::string, std::string> headers;  // the last response's, names lowercased
  std::string repo_commit;                     // X-Repo-Commit from any hop
  std::string etag;                            // X-Linked-Etag or ETag from any hop (the Hub's first)
  std::string body;                            // for a range: exactly the bytes asked for (or fewer at EOF)
  std::optional<std::uint64_t> total_size;     // from Content-Range, or Content-Length of a 200
  bool range_ignored = false;                  // 200 to a ranged request: cut off after the bytes asked for
  int attempts = 0;                            // tries (a redirect chain counts as one)
  std::uint64_t bytes = 0;                     // body bytes received over the wire, all tries
};

// Runs the requests, `pool` at a time; one result per request, in order. Errors name the URL and say what
// went wrong (DNS, connect, TLS, timeout, truncated body, wrong Content-Range); HTTP statuses >= 400 that
// are not retried come back as responses for the caller to explain.
std::vector<Result<HttpResponse>> http_fetch(const std::vector<HttpRequest>& requests,
                                             const HttpOptions& options);

}  // namespace kvspec::remote
