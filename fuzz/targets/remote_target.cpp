// The parsers that read what a server sends (src/remote/wire.hpp): the first byte picks one, the rest is the
// input. The Hub API's repo answer, a Content-Range or Retry-After header, a safetensors header length, URL
// pieces and a GGUF header prefix against a claimed file size, as the remote reader grows its reads.
#include <cstdint>
#include <string>

#include "format/gguf.hpp"
#include "remote/cache.hpp"
#include "remote/wire.hpp"
#include "targets/fuzz_check.hpp"
#include "targets/targets.hpp"

namespace kvspec::fuzz {

void remote_one(std::string_view bytes) {
  if (bytes.empty()) return;
  const auto which = static_cast<unsigned char>(bytes[0]) % 5;
  std::string_view in = bytes.substr(1);
  switch (which) {
    case 0: {
      auto info = remote::parse_repo_info(in, "api");
      if (info)
        for (const auto& f : info->files) KVSPEC_FUZZ_CHECK(!f.path.empty());
      break;
    }
    case 1: {
      auto cr = remote::parse_content_range(in);
      if (cr) KVSPEC_FUZZ_CHECK(cr->begin <= cr->end && (!cr->total || *cr->total > cr->end));
      (void)remote::parse_retry_after_ms(in);
      break;
    }
    case 2: {
      auto n = remote::safetensors_header_length(in);
      KVSPEC_FUZZ_CHECK(n.has_value() == (in.size() >= 8));
      break;
    }
    case 3: {
      (void)remote::url_origin(in);
      (void)remote::valid_revision(in);
      if (remote::safe_relative_path(in)) {
        std::string p = "/" + std::string(in) + "/";
        KVSPEC_FUZZ_CHECK(p.find("/../") == std::string::npos && p.find("//") == std::string::npos);
      }
      (void)remote::quote(in, true);
      break;
    }
    default: {
      // A prefix of every length the reader might hold, against a file twice as long.
      for (std::size_t cut : {in.size() / 4, in.size() / 2, in.size()}) {
        auto pp = gguf::read_prefix(in.substr(0, cut), in.size() * 2, "prefix");
        if (pp && !pp->file) KVSPEC_FUZZ_CHECK(pp->need > cut);
        if (pp && pp->file) KVSPEC_FUZZ_CHECK(pp->file->header_end <= cut);
      }
      break;
    }
  }
}

}  // namespace kvspec::fuzz
