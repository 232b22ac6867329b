// Models on the Hugging Face Hub or at a URL: what was fetched (reported as JSON `remote`) and how to fetch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kvspec {

struct RemoteFile {
  std::string path;  // inside the repo (or the URL's file name)
  std::string url;
  std::int64_t bytes_read = 0;  // body bytes received for this file
  std::int64_t requests = 0;    // a redirect and the request it leads to count as one
  bool cached = false;          // taken from kvspec's cache, no request
};

struct RemoteInfo {
  std::string endpoint;  // the Hub endpoint, or the URL's origin
  std::string repo;      // org/name; empty for a plain URL
  std::string revision;  // as asked ("main" by default); empty for a plain URL
  std::string commit;    // the commit every file was read at; for a plain URL, its ETag if any
  std::vector<RemoteFile> files;
  std::int64_t requests = 0;  // every request: the revision lookup and listing, the files, retries
  std::int64_t bytes_read = 0;
  bool from_cache = false;  // no file needed a request
};

struct RemoteOptions {
  bool offline = false;   // also HF_HUB_OFFLINE=1: no network at all
  bool refresh = false;   // ignore kvspec's cache (still write it)
  bool no_cache = false;  // neither read nor write it
  bool quiet = false;     // no progress on stderr
  std::int64_t connect_timeout_ms = 10'000;
  std::int64_t timeout_ms = 60'000;
  int max_tries = 4;
  std::int64_t retry_base_ms = 1'000;
  std::int64_t retry_max_total_ms = 30'000;
  std::string cache_dir;  // empty: $KVSPEC_CACHE, else $XDG_CACHE_HOME/kvspec, else ~/.cache/kvspec
};

}  // namespace kvspec
